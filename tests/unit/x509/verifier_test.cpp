// Certificate path building and validation over the committed fixtures: every chain of
// tests/resources/x509/README.md with its expected error, cross-signed backtracking, long
// chains and max_depth, duplicates, host and purpose checks, and malformed input.
#include "x509/verifier.hpp"

#include "x509/builder.hpp"
#include "x509/oid.hpp"
#include "x509/pki.hpp"

#include <awsio/error.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::x509;
using bytes = std::vector<std::uint8_t>;

namespace {

// 2026-01-01T00:00:00Z: inside every ordinary fixture's validity (2020..2099).
constexpr std::int64_t fixture_time = 1767225600;

std::string resource(const std::string &name) { return std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/" + name; }

std::vector<bytes> chain_of(const std::string &name) {
    auto chain = load_certificate_chain_file(resource(name));
    EXPECT_TRUE(chain.has_value()) << name;
    return chain ? *chain : std::vector<bytes>{};
}

trust_store anchors_of(const std::string &name) {
    auto store = trust_store::from_ca_file(resource(name));
    EXPECT_TRUE(store.has_value()) << name;
    return store ? *store : trust_store{};
}

verify_options options_for(std::optional<std::string> host, purpose usage = purpose::server_auth) {
    verify_options o;
    o.host = std::move(host);
    o.usage = usage;
    o.at = fixture_time;
    return o;
}

result<verified_path> verify(const std::string &chain, const std::string &anchor, std::optional<std::string> host,
                             purpose usage = purpose::server_auth) {
    return verify_chain_der(chain_of(chain), anchors_of(anchor), options_for(std::move(host), usage),
                            crypto::openssl_provider());
}

// A zero code for success, else the failure.
std::error_code outcome(const result<verified_path> &r) { return r ? std::error_code{} : r.error(); }

struct fixture_case {
    const char *chain;
    const char *anchor;
    const char *host; // nullptr: not checked
    purpose usage;
    std::optional<io_errc> expected; // nullopt: success
};

std::ostream &operator<<(std::ostream &os, const fixture_case &c) {
    return os << c.chain << " / " << c.anchor << " / " << (c.host ? c.host : "(no host)");
}

constexpr auto server = purpose::server_auth;
constexpr auto client = purpose::client_auth;
constexpr auto ok = std::nullopt;

// The README's table. Where it proposes tls_bad_certificate for a certificate that decodes
// but is unsuitable (EKU, key usage, unknown critical extension), the verifier reports
// tls_invalid_certificate_chain, as verifier.hpp documents.
const fixture_case fixture_cases[] = {
    {"leaf_chain.pem", "root_ca.pem", "localhost", server, ok},
    {"leaf_chain.pem", "root_ca.pem", "www.example.com", server, ok},
    {"leaf_chain.pem", "root_ca.pem", "127.0.0.1", server, ok},
    {"leaf_chain.pem", "root_ca.pem", "::1", server, ok},
    {"leaf_chain.pem", "root_ca.pem", "[::1]", server, ok},
    {"leaf_chain.pem", "root_ca.pem", nullptr, server, ok},
    {"leaf_fullchain.pem", "root_ca.pem", "localhost", server, ok},
    {"leaf_chain_duplicate.pem", "root_ca.pem", "localhost", server, ok},
    {"rsa2048_leaf_chain.pem", "rsa2048_root_ca.pem", "localhost", server, ok},
    {"leaf_incomplete_chain.pem", "root_ca.pem", "localhost", server, io_errc::tls_unknown_root_certificate},
    {"leaf_chain.pem", "untrusted_root_ca.pem", "localhost", server, io_errc::tls_unknown_root_certificate},
    {"leaf_expired_chain.pem", "root_ca.pem", "localhost", server, io_errc::tls_certificate_expired},
    {"leaf_not_yet_valid_chain.pem", "root_ca.pem", "localhost", server, io_errc::tls_certificate_not_yet_valid},
    {"leaf_wrong_host_chain.pem", "root_ca.pem", "localhost", server, io_errc::tls_host_name_mismatch},
    {"leaf_wrong_host_chain.pem", "root_ca.pem", "wrong.host.test", server, ok},
    {"leaf_self_signed.pem", "root_ca.pem", "localhost", server, io_errc::tls_unknown_root_certificate},
    {"leaf_self_signed.pem", "leaf_self_signed.pem", "localhost", server, ok},
    {"leaf_untrusted_root.pem", "root_ca.pem", "localhost", server, io_errc::tls_unknown_root_certificate},
    {"leaf_untrusted_root.pem", "untrusted_root_ca.pem", "localhost", server, ok},
    {"leaf_empty_subject_chain.pem", "root_ca.pem", "localhost", server, ok},
    {"leaf_no_cn_chain.pem", "root_ca.pem", "localhost", server, ok},
    {"leaf_wildcard_chain.pem", "root_ca.pem", "www.example.com", server, ok},
    {"leaf_wildcard_chain.pem", "root_ca.pem", "example.com", server, io_errc::tls_host_name_mismatch},
    {"leaf_wildcard_chain.pem", "root_ca.pem", "a.b.example.com", server, io_errc::tls_host_name_mismatch},
    {"leaf_wildcard_chain.pem", "root_ca.pem", "localhost", server, io_errc::tls_host_name_mismatch},
    {"leaf_ip_chain.pem", "root_ca.pem", "127.0.0.1", server, ok},
    {"leaf_ip_chain.pem", "root_ca.pem", "::1", server, ok},
    {"leaf_ip_chain.pem", "root_ca.pem", "localhost", server, io_errc::tls_host_name_mismatch},
    {"leaf_ip_chain.pem", "root_ca.pem", "127.0.0.2", server, io_errc::tls_host_name_mismatch},
    {"leaf_eku_client_only_chain.pem", "root_ca.pem", "localhost", server, io_errc::tls_invalid_certificate_chain},
    {"leaf_eku_client_only_chain.pem", "root_ca.pem", nullptr, client, ok},
    {"leaf_eku_server_only_chain.pem", "root_ca.pem", "localhost", server, ok},
    {"leaf_eku_server_only_chain.pem", "root_ca.pem", nullptr, client, io_errc::tls_invalid_certificate_chain},
    {"leaf_eku_client_only_chain.pem", "root_ca.pem", nullptr, purpose::any, ok},
    {"leaf_no_digital_signature_chain.pem", "root_ca.pem", "localhost", server,
     io_errc::tls_invalid_certificate_chain},
    {"leaf_unknown_critical_ext_chain.pem", "root_ca.pem", "localhost", server,
     io_errc::tls_invalid_certificate_chain},
    {"leaf_nc_permitted_chain.pem", "root_ca.pem", "www.example.com", server, ok},
    {"leaf_nc_permitted_chain.pem", "root_ca.pem", "10.1.2.3", server, ok},
    {"leaf_nc_excluded_chain.pem", "root_ca.pem", "bad.example.com", server, io_errc::tls_invalid_certificate_chain},
    {"leaf_nc_outside_chain.pem", "root_ca.pem", "www.example.org", server, io_errc::tls_invalid_certificate_chain},
    {"leaf_nc_ip_outside_chain.pem", "root_ca.pem", "www.example.com", server,
     io_errc::tls_invalid_certificate_chain},
    {"leaf_pathlen_ok_chain.pem", "root_ca.pem", "localhost", server, ok},
    {"leaf_pathlen_exceeded_chain.pem", "root_ca.pem", "localhost", server, io_errc::tls_invalid_certificate_chain},
    {"leaf_not_ca_issuer_chain.pem", "root_ca.pem", "localhost", server, io_errc::tls_invalid_certificate_chain},
    {"rsa4096_leaf_chain.pem", "rsa4096_root_ca.pem", "localhost", server, ok},
    {"ecdsa_p256_leaf_chain.pem", "ecdsa_p256_root_ca.pem", "localhost", server, ok},
    {"ecdsa_p384_leaf_chain.pem", "ecdsa_p384_root_ca.pem", "localhost", server, ok},
    {"ed25519_leaf_chain.pem", "ed25519_root_ca.pem", "localhost", server, ok},
    {"rsa_pss_leaf_chain.pem", "rsa_pss_root_ca.pem", "localhost", server, ok},
    {"rsa4096_leaf_chain.pem", "root_ca.pem", "localhost", server, io_errc::tls_unknown_root_certificate},
    {"ecdsa_p256_leaf_chain.pem", "ecdsa_p384_root_ca.pem", "localhost", server,
     io_errc::tls_unknown_root_certificate},
    {"ecdsa_p384_leaf_chain.pem", "ed25519_root_ca.pem", "localhost", server, io_errc::tls_unknown_root_certificate},
    {"ed25519_leaf_chain.pem", "rsa_pss_root_ca.pem", "localhost", server, io_errc::tls_unknown_root_certificate},
    {"rsa_pss_leaf_chain.pem", "rsa4096_root_ca.pem", "localhost", server, io_errc::tls_unknown_root_certificate},
    {"cross_leaf_chain.pem", "cross_roots.pem", "localhost", server, ok},
    {"cross_leaf_chain.pem", "cross_root_b.pem", "localhost", server, ok},
    {"cross_leaf_chain.pem", "cross_root_a.pem", "localhost", server, io_errc::tls_certificate_expired},
    {"cross_leaf_chain_expired_only.pem", "cross_roots.pem", "localhost", server, io_errc::tls_certificate_expired},
    {"cross_leaf_chain_by_a.pem", "cross_root_a.pem", "localhost", server, ok},
    {"long_leaf_chain.pem", "long_root_ca.pem", "localhost", server, ok},
    {"client_chain.pem", "root_ca.pem", nullptr, client, ok},
    {"client_chain.pem", "root_ca.pem", "client.awsio.test", client, ok},
    {"client_chain.pem", "root_ca.pem", nullptr, server, io_errc::tls_invalid_certificate_chain},
};

class x509_verifier_fixtures : public ::testing::TestWithParam<fixture_case> {};

TEST_P(x509_verifier_fixtures, expected_result) {
    const auto &c = GetParam();
    auto r = verify(c.chain, c.anchor, c.host ? std::optional<std::string>(c.host) : std::nullopt, c.usage);
    if (c.expected) {
        EXPECT_EQ(outcome(r), make_error_code(*c.expected)) << outcome(r).message();
    } else {
        EXPECT_TRUE(r.has_value()) << outcome(r).message();
    }
}

INSTANTIATE_TEST_SUITE_P(readme_table, x509_verifier_fixtures, ::testing::ValuesIn(fixture_cases));

// The subject CN of a certificate, for checking which path was built.
std::string cn_of(const certificate &c) {
    auto cns = c.subject().common_names();
    return cns.empty() ? std::string{} : cns.front();
}

TEST(x509_verifier, path_is_leaf_first_anchor_last) {
    auto r = verify("leaf_chain.pem", "root_ca.pem", "localhost");
    ASSERT_TRUE(r.has_value()) << outcome(r).message();
    ASSERT_EQ(r->certificates.size(), 3u);
    EXPECT_EQ(r->certificates[0].der().size(), chain_of("leaf_chain.pem")[0].size());
    EXPECT_EQ(cn_of(r->certificates[2]), "awsio Test Root CA");
    auto anchors = anchors_of("root_ca.pem");
    EXPECT_TRUE(anchors.contains(r->certificates[2].der()));
}

TEST(x509_verifier, duplicates_are_ignored) {
    auto r = verify("leaf_chain_duplicate.pem", "root_ca.pem", "localhost");
    ASSERT_TRUE(r.has_value()) << outcome(r).message();
    EXPECT_EQ(r->certificates.size(), 3u);
}

TEST(x509_verifier, presented_root_ends_the_path) {
    auto r = verify("leaf_fullchain.pem", "root_ca.pem", "localhost");
    ASSERT_TRUE(r.has_value()) << outcome(r).message();
    EXPECT_EQ(r->certificates.size(), 3u);
}

TEST(x509_verifier, self_signed_leaf_as_its_own_anchor) {
    auto r = verify("leaf_self_signed.pem", "leaf_self_signed.pem", "localhost");
    ASSERT_TRUE(r.has_value()) << outcome(r).message();
    EXPECT_EQ(r->certificates.size(), 1u);
}

TEST(x509_verifier, cross_signed_backtracks_past_expired_certificate) {
    // The chain sends the expired A certificate before the valid B one.
    auto r = verify("cross_leaf_chain.pem", "cross_roots.pem", "localhost");
    ASSERT_TRUE(r.has_value()) << outcome(r).message();
    ASSERT_EQ(r->certificates.size(), 3u);
    auto root_b = chain_of("cross_root_b.pem");
    ASSERT_EQ(root_b.size(), 1u);
    EXPECT_TRUE(std::ranges::equal(r->certificates[2].der(), root_b[0]));
    EXPECT_LE(r->certificates[1].not_before(), fixture_time);
    EXPECT_GE(r->certificates[1].not_after(), fixture_time);
}

TEST(x509_verifier, cross_signed_only_expired_path_reports_expired) {
    EXPECT_EQ(outcome(verify("cross_leaf_chain_expired_only.pem", "cross_roots.pem", "localhost")),
              make_error_code(io_errc::tls_certificate_expired));
    EXPECT_EQ(outcome(verify("cross_leaf_chain.pem", "cross_root_a.pem", "localhost")),
              make_error_code(io_errc::tls_certificate_expired));
}

TEST(x509_verifier, cross_signed_valid_path_wins_in_any_presented_order) {
    auto chain = chain_of("cross_leaf_chain.pem");
    ASSERT_EQ(chain.size(), 3u);
    std::swap(chain[1], chain[2]);
    auto r = verify_chain_der(chain, anchors_of("cross_roots.pem"), options_for("localhost"),
                              crypto::openssl_provider());
    EXPECT_TRUE(r.has_value()) << outcome(r).message();
}

TEST(x509_verifier, long_chain) {
    auto r = verify("long_leaf_chain.pem", "long_root_ca.pem", "localhost");
    ASSERT_TRUE(r.has_value()) << outcome(r).message();
    EXPECT_EQ(r->certificates.size(), 8u);
}

TEST(x509_verifier, long_chain_intermediates_in_any_order) {
    auto chain = chain_of("long_leaf_chain.pem");
    ASSERT_EQ(chain.size(), 7u);
    std::reverse(chain.begin() + 1, chain.end());
    auto r = verify_chain_der(chain, anchors_of("long_root_ca.pem"), options_for("localhost"),
                              crypto::openssl_provider());
    ASSERT_TRUE(r.has_value()) << outcome(r).message();
    EXPECT_EQ(r->certificates.size(), 8u);
}

TEST(x509_verifier, max_depth_exceeded) {
    auto o = options_for("localhost");
    o.max_depth = 7;
    auto r = verify_chain_der(chain_of("long_leaf_chain.pem"), anchors_of("long_root_ca.pem"), o,
                              crypto::openssl_provider());
    EXPECT_EQ(outcome(r), make_error_code(io_errc::tls_invalid_certificate_chain));
    o.max_depth = 8;
    r = verify_chain_der(chain_of("long_leaf_chain.pem"), anchors_of("long_root_ca.pem"), o,
                         crypto::openssl_provider());
    EXPECT_TRUE(r.has_value()) << outcome(r).message();
}

TEST(x509_verifier, max_depth_one_allows_only_an_anchor_leaf) {
    auto o = options_for("localhost");
    o.max_depth = 1;
    EXPECT_EQ(outcome(verify_chain_der(chain_of("leaf_chain.pem"), anchors_of("root_ca.pem"), o,
                                       crypto::openssl_provider())),
              make_error_code(io_errc::tls_invalid_certificate_chain));
    EXPECT_TRUE(verify_chain_der(chain_of("leaf_self_signed.pem"), anchors_of("leaf_self_signed.pem"), o,
                                 crypto::openssl_provider())
                    .has_value());
}

TEST(x509_verifier, hostname_dns_and_ip) {
    EXPECT_TRUE(verify("leaf_chain.pem", "root_ca.pem", "LOCALHOST").has_value());
    EXPECT_TRUE(verify("leaf_chain.pem", "root_ca.pem", "www.example.com.").has_value());
    EXPECT_EQ(outcome(verify("leaf_chain.pem", "root_ca.pem", "example.com")),
              make_error_code(io_errc::tls_host_name_mismatch));
    EXPECT_EQ(outcome(verify("leaf_chain.pem", "root_ca.pem", "127.0.0.2")),
              make_error_code(io_errc::tls_host_name_mismatch));
    EXPECT_EQ(outcome(verify("leaf_chain.pem", "root_ca.pem", "::2")),
              make_error_code(io_errc::tls_host_name_mismatch));
}

TEST(x509_verifier, chain_errors_come_before_host_mismatch) {
    // An expired leaf for the wrong host reports the expiry, not the host.
    EXPECT_EQ(outcome(verify("leaf_expired_chain.pem", "root_ca.pem", "nothing.test")),
              make_error_code(io_errc::tls_certificate_expired));
    EXPECT_EQ(outcome(verify("leaf_incomplete_chain.pem", "root_ca.pem", "nothing.test")),
              make_error_code(io_errc::tls_unknown_root_certificate));
}

TEST(x509_verifier, purpose_client_vs_server) {
    EXPECT_TRUE(verify("client_chain.pem", "root_ca.pem", std::nullopt, client).has_value());
    EXPECT_EQ(outcome(verify("client_chain.pem", "root_ca.pem", std::nullopt, server)),
              make_error_code(io_errc::tls_invalid_certificate_chain));
    // The ordinary leaf has both purposes.
    EXPECT_TRUE(verify("leaf_chain.pem", "root_ca.pem", std::nullopt, client).has_value());
    EXPECT_TRUE(verify("leaf_chain.pem", "root_ca.pem", std::nullopt, server).has_value());
}

TEST(x509_verifier, validation_time_boundaries) {
    auto chain = chain_of("leaf_expired_chain.pem");
    ASSERT_FALSE(chain.empty());
    auto leaf = certificate::parse(chain[0]);
    ASSERT_TRUE(leaf.has_value());
    auto o = options_for("localhost");
    // The expired leaf is valid 2000..2001, but the intermediate and root start in 2020.
    o.at = leaf->not_after();
    EXPECT_EQ(outcome(verify_chain_der(chain, anchors_of("root_ca.pem"), o, crypto::openssl_provider())),
              make_error_code(io_errc::tls_certificate_not_yet_valid));
    o.at = leaf->not_after() + 1;
    EXPECT_EQ(outcome(verify_chain_der(chain, anchors_of("root_ca.pem"), o, crypto::openssl_provider())),
              make_error_code(io_errc::tls_certificate_expired));

    auto good = chain_of("leaf_chain.pem");
    auto good_leaf = certificate::parse(good[0]);
    ASSERT_TRUE(good_leaf.has_value());
    o.at = good_leaf->not_before();
    EXPECT_TRUE(verify_chain_der(good, anchors_of("root_ca.pem"), o, crypto::openssl_provider()).has_value());
    o.at = good_leaf->not_before() - 1;
    EXPECT_EQ(outcome(verify_chain_der(good, anchors_of("root_ca.pem"), o, crypto::openssl_provider())),
              make_error_code(io_errc::tls_certificate_not_yet_valid));
}

TEST(x509_verifier, default_time_comes_from_provider) {
    auto o = options_for("localhost");
    o.at.reset();
    auto r = verify_chain_der(chain_of("leaf_chain.pem"), anchors_of("root_ca.pem"), o, crypto::openssl_provider());
    EXPECT_TRUE(r.has_value()) << outcome(r).message();
}

TEST(x509_verifier, bad_leaf_signature_is_invalid_chain) {
    auto chain = chain_of("leaf_chain.pem");
    ASSERT_EQ(chain.size(), 2u);
    // The signature BIT STRING is the last element of the certificate.
    chain[0].back() ^= 0x01;
    ASSERT_TRUE(certificate::parse(chain[0]).has_value());
    EXPECT_EQ(outcome(verify_chain_der(chain, anchors_of("root_ca.pem"), options_for("localhost"),
                                       crypto::openssl_provider())),
              make_error_code(io_errc::tls_invalid_certificate_chain));
}

TEST(x509_verifier, bad_intermediate_signature_is_invalid_chain) {
    auto chain = chain_of("leaf_chain.pem");
    ASSERT_EQ(chain.size(), 2u);
    chain[1].back() ^= 0x80;
    ASSERT_TRUE(certificate::parse(chain[1]).has_value());
    EXPECT_EQ(outcome(verify_chain_der(chain, anchors_of("root_ca.pem"), options_for("localhost"),
                                       crypto::openssl_provider())),
              make_error_code(io_errc::tls_invalid_certificate_chain));
}

TEST(x509_verifier, undecodable_certificate_is_bad_certificate) {
    auto chain = chain_of("leaf_chain.pem");
    ASSERT_EQ(chain.size(), 2u);
    auto truncated = chain;
    truncated[1].resize(truncated[1].size() / 2);
    EXPECT_EQ(outcome(verify_chain_der(truncated, anchors_of("root_ca.pem"), options_for("localhost"),
                                       crypto::openssl_provider())),
              make_error_code(io_errc::tls_bad_certificate));
    std::vector<bytes> garbage{bytes{0x30, 0x03, 0x02, 0x01, 0x00}};
    EXPECT_EQ(outcome(verify_chain_der(garbage, anchors_of("root_ca.pem"), options_for("localhost"),
                                       crypto::openssl_provider())),
              make_error_code(io_errc::tls_bad_certificate));
    std::vector<bytes> empty_blob{bytes{}};
    EXPECT_EQ(outcome(verify_chain_der(empty_blob, anchors_of("root_ca.pem"), options_for("localhost"),
                                       crypto::openssl_provider())),
              make_error_code(io_errc::tls_bad_certificate));
}

TEST(x509_verifier, empty_presented_list_is_bad_certificate) {
    std::vector<bytes> none;
    EXPECT_EQ(outcome(verify_chain_der(none, anchors_of("root_ca.pem"), options_for("localhost"),
                                       crypto::openssl_provider())),
              make_error_code(io_errc::tls_bad_certificate));
    std::vector<certificate> no_certs;
    EXPECT_EQ(outcome(verify_chain(no_certs, anchors_of("root_ca.pem"), options_for("localhost"),
                                   crypto::openssl_provider())),
              make_error_code(io_errc::tls_bad_certificate));
}

TEST(x509_verifier, empty_trust_store_is_unknown_root) {
    EXPECT_EQ(outcome(verify_chain_der(chain_of("leaf_chain.pem"), trust_store{}, options_for("localhost"),
                                       crypto::openssl_provider())),
              make_error_code(io_errc::tls_unknown_root_certificate));
}

TEST(x509_verifier, parsed_certificates_entry_point) {
    std::vector<certificate> certs;
    for (const auto &der : chain_of("leaf_chain.pem")) {
        auto c = certificate::parse(der);
        ASSERT_TRUE(c.has_value());
        certs.push_back(*c);
    }
    auto r = verify_chain(certs, anchors_of("root_ca.pem"), options_for("localhost"), crypto::openssl_provider());
    EXPECT_TRUE(r.has_value()) << outcome(r).message();
}

TEST(x509_verifier, anchor_store_with_unrelated_anchors) {
    // Several anchors, only one of them the right root.
    trust_store store = anchors_of("untrusted_root_ca.pem");
    ASSERT_TRUE(store.add_ca_file(resource("cross_roots.pem")).has_value());
    ASSERT_TRUE(store.add_ca_file(resource("root_ca.pem")).has_value());
    auto r = verify_chain_der(chain_of("leaf_chain.pem"), store, options_for("localhost"),
                              crypto::openssl_provider());
    EXPECT_TRUE(r.has_value()) << outcome(r).message();
}

TEST(x509_verifier, intermediate_as_anchor_ends_the_path) {
    // Trusting the intermediate directly is enough (a partial-chain anchor).
    auto r = verify("leaf_chain.pem", "intermediate_ca.pem", "localhost");
    ASSERT_TRUE(r.has_value()) << outcome(r).message();
    EXPECT_EQ(r->certificates.size(), 2u);
}

// An RSA root (SHA-256 self-signature) and two leaves of one EC key issued by it, one signed
// sha1WithRSAEncryption, one sha256WithRSAEncryption; valid for 100 years from 2026-11-25.
// Made with the openssl CLI: the builder refuses to sign with SHA-1.
constexpr const char *sha1_test_root = R"(-----BEGIN CERTIFICATE-----
MIIC/zCCAeegAwIBAgIBATANBgkqhkiG9w0BAQsFADAgMR4wHAYDVQQDDBVhd3Np
byBTSEEtMSBUZXN0IFJvb3QwIBcNMjYxMTI1MTEwOTQ3WhgPMjEyNjExMDExMTA5
NDdaMCAxHjAcBgNVBAMMFWF3c2lvIFNIQS0xIFRlc3QgUm9vdDCCASIwDQYJKoZI
hvcNAQEBBQADggEPADCCAQoCggEBANVEUTCVH0hA90XaYHSZaUPwYch/tXQeM4PQ
STfX76qjo/tClSx59OicjUoQPM7ufC711xjGg3/wo/sOL/3CVE/6Eza+OSQJW/qp
GbRiW3NV7su6JS0ArDTPI6pNu3DWOxOLMQVKo8DVbjf7eSBtqMcW69hLzY2rektt
3S0nBZim1dNaNEexO48RPshXDNxgbWTM/htCsPkMZqTzM5daUBape7wbSwcUBLPH
5gg118nb5Mjo0EyVPXvdU4RkC4Hm/qaxg4ctH0/ZErVMbwwCZPyOtGS4grpgdBYf
cL5qK7N52MRGsFFW9aeL6dFAEJ3pjPMg2MXhKaGcDHNy6fd7pwkCAwEAAaNCMEAw
DwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFMeyPiFJ
BoHjY+8t3oSBE0pz+3MDMA0GCSqGSIb3DQEBCwUAA4IBAQC33nPr5BOGBHltfMR6
i2EUpO4fMiITfn3Jgk26ozULjlqAtPrux/rnOSpMjuh/RzoKObOSZ8fjCaUqFIG4
kv/tiWye6bfuJ2N+RN+4Wip7kYF5qFvK6HnXuUJKZiKA7idSnHSxIa1CoUMm/fbn
WZPpzUFhf1aOd9T9RZY50HrvpdQX5kK997rD8VluiWt3tJ8wZbLhrRIecN+V9e70
zONb+bUiJxqtAFvfP7jsJHYzUNXNaOiL0Tue+c0vCUchlvRj9ramkOIe73beqJmz
Qq0+bA5UbHD1QbprqCPRGxM0tUZLeiIIbxvaugs/mxT1GATcyJ0ddfpIF8Rtm+6R
8gH/
-----END CERTIFICATE-----
)";
constexpr const char *sha1_test_leaf_sha1 = R"(-----BEGIN CERTIFICATE-----
MIICczCCAVugAwIBAgIBAjANBgkqhkiG9w0BAQUFADAgMR4wHAYDVQQDDBVhd3Np
byBTSEEtMSBUZXN0IFJvb3QwIBcNMjYxMTI1MTEwOTQ3WhgPMjEyNjExMDExMTA5
NDdaMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABJXEjXDtMlgCsRdBqniY1qqXvWrnRftQKiurFPbsIm0xg+jgg0N2rOLP74eZ
wQrrM/5rDQ2SPfraqW+Yjk6h0K6jgYwwgYkwDAYDVR0TAQH/BAIwADAOBgNVHQ8B
Af8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwFAYDVR0RBA0wC4IJbG9jYWxo
b3N0MB0GA1UdDgQWBBS8/m18TF0u36uQ+56iy5PIeBk8dTAfBgNVHSMEGDAWgBTH
sj4hSQaB42PvLd6EgRNKc/tzAzANBgkqhkiG9w0BAQUFAAOCAQEAtFynM8OLVYbq
YCdsL1wCwVKMCyvkPjfGtgt0JvqNGQf0KcG5MKH7W+nYzfJOqDIVoAmDgAkEYFdg
ZlHavE1sK/VbZFsBIbzi5T+9GVbxJ4EJt9mfkRzUtCPJAHrmS4+LwR3UJXIlqMlg
/RUnfshel5IzSzYYEhtZdA+suZyHbTcs1wJoeNtsJhY4+QTOt4UW9HnJ7gc3yEoC
LzHe9PY7wKiJ36SVuCj0XfbeDeWfS7IuO9PPRMbcdfXc/SHL6FmJj07l1IVnbdom
+FHN8kBDNYShWVtLeHUMtnkIVGyvIo4aXTEp4grDhMxG3aKyiKlezXpfxQYgXWow
mpEpz1ZSgw==
-----END CERTIFICATE-----
)";
constexpr const char *sha1_test_leaf_sha256 = R"(-----BEGIN CERTIFICATE-----
MIICczCCAVugAwIBAgIBAzANBgkqhkiG9w0BAQsFADAgMR4wHAYDVQQDDBVhd3Np
byBTSEEtMSBUZXN0IFJvb3QwIBcNMjYxMTI1MTEwOTQ3WhgPMjEyNjExMDExMTA5
NDdaMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABJXEjXDtMlgCsRdBqniY1qqXvWrnRftQKiurFPbsIm0xg+jgg0N2rOLP74eZ
wQrrM/5rDQ2SPfraqW+Yjk6h0K6jgYwwgYkwDAYDVR0TAQH/BAIwADAOBgNVHQ8B
Af8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwFAYDVR0RBA0wC4IJbG9jYWxo
b3N0MB0GA1UdDgQWBBS8/m18TF0u36uQ+56iy5PIeBk8dTAfBgNVHSMEGDAWgBTH
sj4hSQaB42PvLd6EgRNKc/tzAzANBgkqhkiG9w0BAQsFAAOCAQEAQ4UsH3lIfqOt
lnY3B5ZBzu6zvu/h/8ogEOBhZungwDo+YDeNHGcNGfGMdUgV3J9ec9YYqrkXS5FS
ycGSvOteB91CL3BoPnxouPDdluwE/rlQZGm1NuvDSJ4AcctuQeHMCyFz1CRRAsFM
Zh5kN5/Og5EbXVIJtaky8kKI3+y/opvJjGbCZozzPZDtP/NXfhcx3rZE1A2TBzlx
INpDD49098xFmWvZIrzoES1C98Xy5MwssGZ6E6m2cHHW4QjiZ39oLfRZ/IDBDU5B
y4XKok+xxhm8X0pFqsgdOvhLxwIYhJrxksXTRGnMdtqoWur6G7dV6xETDi/L9TD9
Q7keLBq78A==
-----END CERTIFICATE-----
)";

TEST(x509_verifier, sha1_signed_leaf_is_refused) {
    auto store = trust_store::from_pem(sha1_test_root);
    ASSERT_TRUE(store.has_value());
    auto sha1 = load_certificate_chain_pem(sha1_test_leaf_sha1);
    auto sha256 = load_certificate_chain_pem(sha1_test_leaf_sha256);
    ASSERT_TRUE(sha1.has_value());
    ASSERT_TRUE(sha256.has_value());
    auto leaf = certificate::parse(sha1->front());
    ASSERT_TRUE(leaf.has_value());
    ASSERT_EQ(leaf->signature_algorithm().scheme, signature_scheme::rsa_pkcs1_sha1);
    verify_options o = options_for("localhost");
    o.at = leaf->not_before() + 86400;
    EXPECT_TRUE(verify_chain_der(*sha256, *store, o, crypto::openssl_provider()).has_value());
    EXPECT_EQ(outcome(verify_chain_der(*sha1, *store, o, crypto::openssl_provider())),
              make_error_code(io_errc::tls_invalid_certificate_chain));
}

// ---------------------------------------------------------------------------------------------
// Generated hierarchies (x509/builder.hpp, Ed25519 keys) for rules no fixture covers.

struct authority {
    name_spec name;
    crypto::private_key key;
    bytes der;
};

crypto::private_key new_key() {
    auto key = crypto::openssl_provider().generate_private_key(crypto::key_type::ed25519);
    EXPECT_TRUE(key.has_value());
    return key ? *key : crypto::private_key{};
}

certificate_spec ca_spec(const std::string &cn) {
    certificate_spec s;
    s.subject = {"US", "awsio verifier tests", "", cn};
    s.not_before = fixture_time - 86400;
    s.not_after = fixture_time + 86400;
    s.basic_constraints = basic_constraints_spec{true, std::nullopt};
    s.key_usage = key_usage_bit::key_cert_sign | key_usage_bit::crl_sign;
    return s;
}

certificate_spec leaf_spec(const std::string &cn, std::vector<std::string> dns = {"www.example.com"}) {
    certificate_spec s;
    s.serial = {0x42};
    s.subject = {"", "", "", cn};
    s.not_before = fixture_time - 86400;
    s.not_after = fixture_time + 86400;
    s.dns_names = std::move(dns);
    s.key_usage = key_usage_bit::digital_signature;
    return s;
}

authority make_root(const certificate_spec &spec) {
    authority a{spec.subject, new_key(), {}};
    auto der = build_self_signed(spec, a.key, crypto::openssl_provider());
    EXPECT_TRUE(der.has_value()) << (der ? "" : der.error().message());
    a.der = der ? *der : bytes{};
    return a;
}

bytes issue(const certificate_spec &spec, const crypto::private_key &subject_key, const authority &issuer) {
    auto &p = crypto::openssl_provider();
    auto pub = p.public_key_of(subject_key);
    EXPECT_TRUE(pub.has_value());
    if (!pub) {
        return {};
    }
    auto der = build_certificate(spec, *pub, issuer_spec{issuer.name, {}, issuer.key}, p);
    EXPECT_TRUE(der.has_value()) << (der ? "" : der.error().message());
    return der ? *der : bytes{};
}

authority make_ca(const certificate_spec &spec, const authority &issuer) {
    authority a{spec.subject, new_key(), {}};
    a.der = issue(spec, a.key, issuer);
    return a;
}

trust_store store_of(const std::vector<const authority *> &roots) {
    trust_store store;
    for (const auto *r : roots) {
        EXPECT_TRUE(store.add_der(r->der).has_value());
    }
    return store;
}

std::error_code check(const std::vector<bytes> &chain, const trust_store &store,
                      std::optional<std::string> host = "www.example.com", purpose usage = purpose::server_auth) {
    return outcome(verify_chain_der(chain, store, options_for(std::move(host), usage), crypto::openssl_provider()));
}

bytes oid_bytes(std::span<const std::uint8_t> oid) { return bytes(oid.begin(), oid.end()); }

// DER TLV with a short-form length (every structure here is under 128 bytes).
bytes tlv(std::uint8_t tag, const bytes &content) {
    bytes out{tag, static_cast<std::uint8_t>(content.size())};
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

// nameConstraints with dNSName subtrees (RFC 5280 4.2.1.10).
extension_spec dns_name_constraints(const std::vector<std::string> &permitted, const std::vector<std::string> &excluded) {
    auto subtrees = [](const std::vector<std::string> &names) {
        bytes seq;
        for (const auto &n : names) {
            auto t = tlv(0x30, tlv(0x82, bytes(n.begin(), n.end())));
            seq.insert(seq.end(), t.begin(), t.end());
        }
        return seq;
    };
    bytes body;
    if (!permitted.empty()) {
        auto t = tlv(0xa0, subtrees(permitted));
        body.insert(body.end(), t.begin(), t.end());
    }
    if (!excluded.empty()) {
        auto t = tlv(0xa1, subtrees(excluded));
        body.insert(body.end(), t.begin(), t.end());
    }
    return {oid_bytes(oid::name_constraints), true, tlv(0x30, body)};
}

TEST(x509_verifier_generated, baseline_hierarchy_verifies) {
    auto root = make_root(ca_spec("root"));
    auto inter = make_ca(ca_spec("intermediate"), root);
    auto leaf = issue(leaf_spec("leaf"), new_key(), inter);
    EXPECT_EQ(check({leaf, inter.der}, store_of({&root})), std::error_code{});
}

TEST(x509_verifier_generated, intermediate_eku_must_allow_the_purpose) {
    auto root = make_root(ca_spec("root"));
    auto spec = ca_spec("client-only intermediate");
    spec.extended_key_usage = {oid_bytes(oid::kp_client_auth)};
    auto inter = make_ca(spec, root);
    auto leaf = issue(leaf_spec("leaf"), new_key(), inter); // the leaf has no EKU
    const auto store = store_of({&root});
    EXPECT_EQ(check({leaf, inter.der}, store, std::nullopt, purpose::server_auth),
              make_error_code(io_errc::tls_invalid_certificate_chain));
    EXPECT_EQ(check({leaf, inter.der}, store, std::nullopt, purpose::client_auth), std::error_code{});
    EXPECT_EQ(check({leaf, inter.der}, store, std::nullopt, purpose::any), std::error_code{});

    auto any_spec = ca_spec("any-purpose intermediate");
    any_spec.extended_key_usage = {oid_bytes(oid::any_extended_key_usage)};
    auto any_inter = make_ca(any_spec, root);
    auto leaf2 = issue(leaf_spec("leaf"), new_key(), any_inter);
    EXPECT_EQ(check({leaf2, any_inter.der}, store), std::error_code{});
}

TEST(x509_verifier_generated, leaf_any_extended_key_usage_is_accepted) {
    auto root = make_root(ca_spec("root"));
    auto spec = leaf_spec("leaf");
    spec.extended_key_usage = {oid_bytes(oid::any_extended_key_usage)};
    auto leaf = issue(spec, new_key(), root);
    EXPECT_EQ(check({leaf}, store_of({&root})), std::error_code{});
    EXPECT_EQ(check({leaf}, store_of({&root}), std::nullopt, purpose::client_auth), std::error_code{});
}

TEST(x509_verifier_generated, leaf_key_usage_must_allow_signing) {
    auto root = make_root(ca_spec("root"));
    const auto store = store_of({&root});
    auto spec = leaf_spec("leaf");
    spec.key_usage = key_usage_bit::key_agreement;
    EXPECT_EQ(check({issue(spec, new_key(), root)}, store), make_error_code(io_errc::tls_invalid_certificate_chain));
    spec.key_usage = key_usage_bit::key_encipherment;
    EXPECT_EQ(check({issue(spec, new_key(), root)}, store), make_error_code(io_errc::tls_invalid_certificate_chain));
    spec.key_usage = key_usage_bit::digital_signature | key_usage_bit::key_encipherment;
    EXPECT_EQ(check({issue(spec, new_key(), root)}, store), std::error_code{});
    spec.key_usage = 0; // no keyUsage extension at all
    EXPECT_EQ(check({issue(spec, new_key(), root)}, store), std::error_code{});
}

TEST(x509_verifier_generated, intermediate_must_be_a_ca_allowed_to_sign_certificates) {
    auto root = make_root(ca_spec("root"));
    const auto store = store_of({&root});

    auto no_bc = ca_spec("no basic constraints");
    no_bc.basic_constraints.reset();
    auto a = make_ca(no_bc, root);
    EXPECT_EQ(check({issue(leaf_spec("leaf"), new_key(), a), a.der}, store),
              make_error_code(io_errc::tls_invalid_certificate_chain));

    auto no_cert_sign = ca_spec("no keyCertSign");
    no_cert_sign.key_usage = key_usage_bit::crl_sign | key_usage_bit::digital_signature;
    auto b = make_ca(no_cert_sign, root);
    EXPECT_EQ(check({issue(leaf_spec("leaf"), new_key(), b), b.der}, store),
              make_error_code(io_errc::tls_invalid_certificate_chain));

    auto no_ku = ca_spec("no keyUsage");
    no_ku.key_usage = 0;
    auto c = make_ca(no_ku, root);
    EXPECT_EQ(check({issue(leaf_spec("leaf"), new_key(), c), c.der}, store), std::error_code{});
}

TEST(x509_verifier_generated, unknown_critical_extension_on_intermediate) {
    auto root = make_root(ca_spec("root"));
    auto spec = ca_spec("intermediate");
    // 1.3.6.1.4.1.55555.1.2, value NULL
    spec.extra_extensions.push_back({{0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x01, 0x02}, true, {0x05, 0x00}});
    auto inter = make_ca(spec, root);
    auto leaf = issue(leaf_spec("leaf"), new_key(), inter);
    EXPECT_EQ(check({leaf, inter.der}, store_of({&root})), make_error_code(io_errc::tls_invalid_certificate_chain));

    // Not critical: ignored.
    spec.extra_extensions.back().critical = false;
    auto inter2 = make_ca(spec, root);
    auto leaf2 = issue(leaf_spec("leaf"), new_key(), inter2);
    EXPECT_EQ(check({leaf2, inter2.der}, store_of({&root})), std::error_code{});
}

TEST(x509_verifier_generated, name_constraints_bind_leaf_cn_without_san) {
    auto root = make_root(ca_spec("root"));
    auto spec = ca_spec("constrained");
    spec.extra_extensions.push_back(dns_name_constraints({"example.com"}, {"bad.example.com"}));
    auto inter = make_ca(spec, root);
    const auto store = store_of({&root});

    auto inside = issue(leaf_spec("www.example.com", {}), new_key(), inter);
    EXPECT_EQ(check({inside, inter.der}, store), std::error_code{});
    auto outside = issue(leaf_spec("www.example.org", {}), new_key(), inter);
    EXPECT_EQ(check({outside, inter.der}, store, "www.example.org"),
              make_error_code(io_errc::tls_invalid_certificate_chain));
    auto excluded = issue(leaf_spec("x.bad.example.com", {}), new_key(), inter);
    EXPECT_EQ(check({excluded, inter.der}, store, "x.bad.example.com"),
              make_error_code(io_errc::tls_invalid_certificate_chain));
    // A CN that is not a host name is not a DNS name to constrain.
    auto person = issue(leaf_spec("Jane Doe", {}), new_key(), inter);
    EXPECT_EQ(check({person, inter.der}, store, std::nullopt), std::error_code{});
    // With a SAN, the CN is not looked at.
    auto with_san = issue(leaf_spec("www.example.org", {"www.example.com"}), new_key(), inter);
    EXPECT_EQ(check({with_san, inter.der}, store), std::error_code{});
}

TEST(x509_verifier_generated, anchor_name_constraints_apply) {
    auto spec = ca_spec("constrained root");
    spec.extra_extensions.push_back(dns_name_constraints({"example.com"}, {}));
    auto root = make_root(spec);
    auto inter = make_ca(ca_spec("intermediate"), root);
    const auto store = store_of({&root});
    EXPECT_EQ(check({issue(leaf_spec("leaf"), new_key(), inter), inter.der}, store), std::error_code{});
    EXPECT_EQ(check({issue(leaf_spec("leaf", {"www.example.net"}), new_key(), inter), inter.der}, store,
                    "www.example.net"),
              make_error_code(io_errc::tls_invalid_certificate_chain));
}

TEST(x509_verifier_generated, expired_or_future_anchor) {
    auto expired_spec = ca_spec("expired root");
    expired_spec.not_before = fixture_time - 2 * 86400;
    expired_spec.not_after = fixture_time - 86400;
    auto expired = make_root(expired_spec);
    EXPECT_EQ(check({issue(leaf_spec("leaf"), new_key(), expired)}, store_of({&expired})),
              make_error_code(io_errc::tls_certificate_expired));

    auto future_spec = ca_spec("future root");
    future_spec.not_before = fixture_time + 86400;
    future_spec.not_after = fixture_time + 2 * 86400;
    auto future = make_root(future_spec);
    EXPECT_EQ(check({issue(leaf_spec("leaf"), new_key(), future)}, store_of({&future})),
              make_error_code(io_errc::tls_certificate_not_yet_valid));
}

TEST(x509_verifier_generated, same_name_issuers_backtrack_to_the_right_key) {
    auto root = make_root(ca_spec("root"));
    auto impostor_root = make_root(ca_spec("root")); // same name, other key, not trusted
    auto impostor = make_ca(ca_spec("intermediate"), impostor_root);
    auto inter = make_ca(ca_spec("intermediate"), root);
    auto spec = leaf_spec("leaf");
    spec.authority_key_identifier = false; // no hint: the builder has to try both
    auto leaf = issue(spec, new_key(), inter);
    EXPECT_EQ(check({leaf, impostor.der, inter.der}, store_of({&root})), std::error_code{});
    // Only the impostor: it chains by name to the trusted root, but no signature verifies.
    EXPECT_EQ(check({leaf, impostor.der}, store_of({&root})), make_error_code(io_errc::tls_invalid_certificate_chain));
}

TEST(x509_verifier_generated, mutual_cross_certification_loop_terminates) {
    auto a = make_root(ca_spec("loop A"));
    auto b = make_root(ca_spec("loop B"));
    auto a_by_b = make_ca(ca_spec("loop A"), b);
    a_by_b.key = a.key;
    a_by_b.der = issue(ca_spec("loop A"), a.key, b);
    auto b_by_a = issue(ca_spec("loop B"), b.key, a);
    auto leaf = issue(leaf_spec("leaf"), new_key(), a);
    auto unrelated = make_root(ca_spec("unrelated"));
    // A is certified by B and B by A; neither is trusted.
    EXPECT_EQ(check({leaf, a_by_b.der, b_by_a}, store_of({&unrelated})),
              make_error_code(io_errc::tls_unknown_root_certificate));
    // Trusting B: leaf <- A (by B) <- B.
    EXPECT_EQ(check({leaf, a_by_b.der, b_by_a}, store_of({&b})), std::error_code{});
}

TEST(x509_verifier_generated, many_same_named_candidates_stay_bounded) {
    // Forty CA certificates that all share one subject and issuer name: every one is a
    // candidate issuer of every other. No anchor: the search must end. Its furthest paths run
    // into max_depth before any reaches an anchor, which ranks above "no issuer at all".
    std::vector<bytes> chain;
    auto spec = ca_spec("crowd");
    authority crowd{spec.subject, new_key(), {}};
    auto leaf = issue(leaf_spec("leaf"), new_key(), crowd);
    chain.push_back(leaf);
    for (int i = 0; i < 40; ++i) {
        spec.serial = {static_cast<std::uint8_t>(i + 1)};
        spec.authority_key_identifier = false;
        spec.subject_key_identifier = false;
        chain.push_back(issue(spec, new_key(), crowd));
    }
    auto unrelated = make_root(ca_spec("unrelated"));
    EXPECT_EQ(check(chain, store_of({&unrelated})), make_error_code(io_errc::tls_invalid_certificate_chain));
    // Trusting the crowd's name under another key changes nothing: no signature verifies.
    auto impostor = make_root(ca_spec("crowd"));
    EXPECT_NE(check(chain, store_of({&impostor})), std::error_code{});
}

TEST(x509_verifier_generated, furthest_failure_wins_over_earlier_paths) {
    // One intermediate key and name certified by two trusted roots: by A expired, by B valid
    // but restricted to clientAuth. As a server certificate, the B path gets further (it
    // passes the validity checks) so its error is the one reported, in either order.
    auto root_a = make_root(ca_spec("root A"));
    auto root_b = make_root(ca_spec("root B"));
    auto inter_key = new_key();
    auto expired_spec = ca_spec("shared intermediate");
    expired_spec.not_before = fixture_time - 2 * 86400;
    expired_spec.not_after = fixture_time - 86400;
    auto by_a = issue(expired_spec, inter_key, root_a);
    auto client_spec = ca_spec("shared intermediate");
    client_spec.extended_key_usage = {oid_bytes(oid::kp_client_auth)};
    auto by_b = issue(client_spec, inter_key, root_b);
    authority inter{client_spec.subject, inter_key, by_b};
    auto leaf = issue(leaf_spec("leaf"), new_key(), inter);
    const auto both = store_of({&root_a, &root_b});
    EXPECT_EQ(check({leaf, by_a, by_b}, both), make_error_code(io_errc::tls_invalid_certificate_chain));
    EXPECT_EQ(check({leaf, by_b, by_a}, both), make_error_code(io_errc::tls_invalid_certificate_chain));
    EXPECT_EQ(check({leaf, by_a, by_b}, store_of({&root_a})), make_error_code(io_errc::tls_certificate_expired));
    // As a client certificate the B path is valid.
    EXPECT_EQ(check({leaf, by_a, by_b}, both, std::nullopt, purpose::client_auth), std::error_code{});
}

TEST(x509_verifier_generated, too_many_presented_certificates) {
    auto root = make_root(ca_spec("root"));
    auto leaf = issue(leaf_spec("leaf"), new_key(), root);
    std::vector<bytes> chain(65, leaf);
    EXPECT_EQ(check(chain, store_of({&root})), make_error_code(io_errc::tls_bad_certificate));
    chain.resize(64);
    EXPECT_EQ(check(chain, store_of({&root})), std::error_code{});
}

} // namespace
