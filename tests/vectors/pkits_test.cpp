// NIST PKITS (X.509 path validation test suite) through x509::verify_chain_der: every row of
// pkits_tests.tsv either runs with its expected outcome, or is skipped with the reason it does
// not apply to this verifier (no CRL processing, no certificate-policy processing, name
// constraints enforced for dNSName / iPAddress only, no DSA).
#include "x509/pki.hpp"
#include "x509/verifier.hpp"

#include <awsio/error.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::x509;
using bytes = std::vector<std::uint8_t>;

namespace {

const std::string pkits_dir = std::string(AWSIO_VECTORS_DIR) + "/pkits";

// 2011-04-15T00:00:00Z, the time the PKITS documentation and BoringSSL use; every ordinary
// PKITS certificate, the trust anchor included, is valid 2010-01-01 .. 2030-12-31.
constexpr std::int64_t pkits_time = 1302825600;

struct pkits_row {
    std::string test;
    std::string subpart;
    std::string name;
    bool expected_valid = false;
    std::string crl;  // no / required / exercised
    std::string path; // chain / pool
    std::vector<std::string> certs; // anchor first, end entity last
    std::string notes;
};

std::vector<std::string> split(const std::string &s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) {
        out.push_back(cur);
    }
    if (!s.empty() && s.back() == sep) {
        out.emplace_back();
    }
    return out;
}

std::vector<pkits_row> load_rows() {
    std::vector<pkits_row> rows;
    std::ifstream in(pkits_dir + "/pkits_tests.tsv");
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
        if (header) {
            header = false;
            continue;
        }
        if (line.empty()) {
            continue;
        }
        auto f = split(line, '\t');
        if (f.size() < 13) {
            continue;
        }
        pkits_row r;
        r.test = f[0];
        r.subpart = f[1];
        r.name = f[2];
        r.expected_valid = f[3] == "valid";
        r.crl = f[4];
        r.path = f[5];
        for (auto &c : split(f[11], ' ')) {
            if (!c.empty()) {
                r.certs.push_back(c);
            }
        }
        r.notes = f.size() > 13 ? f[13] : std::string{};
        rows.push_back(std::move(r));
    }
    return rows;
}

// "4.13.30" -> {4, 13, 30}
std::vector<int> numbers_of(const std::string &test) {
    std::vector<int> out;
    for (const auto &part : split(test, '.')) {
        out.push_back(std::stoi(part));
    }
    return out;
}

bool contains(const std::string &text, const char *needle) { return text.find(needle) != std::string::npos; }

// Why a row does not apply to this verifier; nullopt when it runs.
std::optional<std::string> not_applicable_reason(const pkits_row &r) {
    const auto n = numbers_of(r.test);
    const int section = n.size() >= 2 ? n[1] : 0;
    if (r.crl == "required") {
        return "needs CRL processing (the path is invalid only through revocation), which the verifier does not do";
    }
    if (section >= 8 && section <= 12) {
        return "needs certificate policy processing (RFC 5280 6.1.3 d-f, 6.1.4 a-b and g-j), which the verifier "
               "does not do";
    }
    if (r.test == "4.1.4" || r.test == "4.1.5") {
        return "DSA signatures and keys are not supported (TLS 1.2/1.3 certificates use RSA, ECDSA, EdDSA)";
    }
    if (section == 13 && !r.expected_valid && !contains(r.name, "DNS nameConstraints")) {
        return "directoryName / rfc822Name / URI name constraints are not enforced (only dNSName and iPAddress)";
    }
    return std::nullopt;
}

// The specific error an invalid applicable row must give.
io_errc expected_error(const pkits_row &r) {
    if (r.test == "4.1.2" || r.test == "4.1.6") {
        // The corrupted signatures of BadSignedCACert and InvalidDSASignatureTest6EE are not
        // even well-formed BIT STRINGs (unused bits in a signature, odd padding): the strict
        // DER parser refuses the certificate before any signature is checked.
        return io_errc::tls_bad_certificate;
    }
    if (r.test.rfind("4.2.", 0) == 0) {
        return contains(r.name, "notBefore") ? io_errc::tls_certificate_not_yet_valid : io_errc::tls_certificate_expired;
    }
    if (r.test.rfind("4.3.", 0) == 0) {
        return io_errc::tls_unknown_root_certificate; // the names do not chain
    }
    return io_errc::tls_invalid_certificate_chain;
}

bytes read_cert(const std::string &name) {
    std::ifstream in(pkits_dir + "/certs/" + name + ".crt", std::ios::binary);
    return bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const std::vector<pkits_row> &all_rows() {
    static const std::vector<pkits_row> rows = load_rows();
    return rows;
}

std::string row_label(const pkits_row &r) {
    std::string s = "t" + r.test;
    if (r.subpart != "-") {
        s += "_" + r.subpart;
    }
    std::ranges::replace(s, '.', '_');
    return s;
}

void PrintTo(const pkits_row &r, std::ostream *os) { *os << r.test << " " << r.name; }

class x509_verify_pkits : public ::testing::TestWithParam<pkits_row> {};

TEST_P(x509_verify_pkits, expected_outcome) {
    const auto &r = GetParam();
    if (auto reason = not_applicable_reason(r)) {
        GTEST_SKIP() << r.test << " " << r.name << ": not applicable: " << *reason;
    }
    ASSERT_GE(r.certs.size(), 2u);

    trust_store anchors;
    const bytes anchor = read_cert(r.certs.front());
    ASSERT_FALSE(anchor.empty()) << r.certs.front();
    ASSERT_TRUE(anchors.add_der(anchor).has_value());

    // The end entity first, then the rest from the bottom up (for `pool` rows the order is
    // irrelevant to the builder; the middle certificates are just candidates).
    std::vector<bytes> presented;
    for (auto it = r.certs.rbegin(); it + 1 != r.certs.rend(); ++it) {
        presented.push_back(read_cert(*it));
        ASSERT_FALSE(presented.back().empty()) << *it;
    }

    verify_options options;
    options.usage = purpose::any; // PKITS requires no EKU of the end entity
    options.at = pkits_time;
    auto verified = verify_chain_der(presented, anchors, options, crypto::openssl_provider());
    if (r.expected_valid) {
        EXPECT_TRUE(verified.has_value()) << r.test << " " << r.name << ": " << verified.error().message();
        if (verified) {
            EXPECT_EQ(verified->certificates.front().der().size(), presented.front().size());
        }
    } else {
        ASSERT_FALSE(verified.has_value()) << r.test << " " << r.name << " was accepted";
        EXPECT_EQ(verified.error(), make_error_code(expected_error(r)))
            << r.test << " " << r.name << ": " << verified.error().message();
    }
}

INSTANTIATE_TEST_SUITE_P(nist, x509_verify_pkits, ::testing::ValuesIn(all_rows()),
                         [](const ::testing::TestParamInfo<pkits_row> &info) { return row_label(info.param); });

// The table is complete and the split between applicable and not-applicable rows is the one
// documented: a change in either is deliberate.
TEST(x509_verify_pkits_table, coverage) {
    const auto &rows = all_rows();
    ASSERT_EQ(rows.size(), 249u);
    std::size_t applicable = 0;
    std::size_t crl = 0;
    std::size_t policy = 0;
    std::size_t dsa = 0;
    std::size_t name_forms = 0;
    for (const auto &r : rows) {
        auto reason = not_applicable_reason(r);
        if (!reason) {
            ++applicable;
        } else if (contains(*reason, "CRL")) {
            ++crl;
        } else if (contains(*reason, "policy")) {
            ++policy;
        } else if (contains(*reason, "DSA")) {
            ++dsa;
        } else {
            ++name_forms;
        }
    }
    std::printf("PKITS rows: %zu applicable, %zu not applicable (CRL %zu, policy %zu, DSA %zu, name forms %zu)\n",
                applicable, rows.size() - applicable, crl, policy, dsa, name_forms);
    EXPECT_EQ(applicable + crl + policy + dsa + name_forms, rows.size());
    EXPECT_EQ(crl, 46u);
    EXPECT_EQ(policy, 88u);
    EXPECT_EQ(dsa, 2u);
}

} // namespace
