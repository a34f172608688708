// DER writer and certificate builder: encodings checked byte for byte and read back with the
// strict DER reader; built certificates verified with the provider and, when the openssl CLI
// is installed, accepted by `openssl x509` and `openssl verify`.
#include "x509/builder.hpp"

#include "x509/der.hpp"
#include "x509/der_writer.hpp"
#include "x509/oid.hpp"
#include "x509/pki.hpp"

#include <awsio/error.hpp>
#include <awsio/pem.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::x509;
using bytes = std::vector<std::uint8_t>;

namespace {

constexpr std::int64_t t_2020_01_01 = 1577836800;
constexpr std::int64_t t_2099_12_31_235959 = 4102444799;

bytes hex(std::string_view text) {
    bytes out;
    int hi = -1;
    for (const char c : text) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else continue;
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
            hi = -1;
        }
    }
    return out;
}

template <std::size_t N>
bytes vec(const std::array<std::uint8_t, N> &a) {
    return bytes(a.begin(), a.end());
}

std::string resource(const std::string &name) { return std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/" + name; }

// Walks every element, descending into constructed ones and into OCTET STRINGs that hold DER
// (extension values); the first error wins.
std::error_code walk(der::reader &r) {
    while (!r.empty()) {
        auto t = r.read_any();
        if (!t) {
            return t.error();
        }
        if ((t->tag & der::tag::constructed_bit) != 0) {
            auto sub = r.child(t->value);
            if (!sub) {
                return sub.error();
            }
            if (auto ec = walk(*sub)) {
                return ec;
            }
        }
    }
    return {};
}

// The three parts of a Certificate.
struct cert_parts {
    der::tlv tbs;
    der::tlv algorithm;
    std::span<const std::uint8_t> signature;
};

cert_parts split(const bytes &cert) {
    der::reader top(cert);
    auto seq = top.read_sequence();
    EXPECT_TRUE(seq.has_value());
    EXPECT_TRUE(top.expect_empty().has_value());
    cert_parts p;
    auto tbs = seq->read(der::tag::sequence);
    auto alg = seq->read(der::tag::sequence);
    auto sig = seq->read_bit_string();
    EXPECT_TRUE(tbs && alg && sig);
    EXPECT_TRUE(seq->expect_empty().has_value());
    p.tbs = *tbs;
    p.algorithm = *alg;
    p.signature = *sig->octets();
    return p;
}

// The fields of a TBSCertificate this test looks at.
struct tbs_fields {
    std::int64_t version = 0;
    bytes serial;
    bytes issuer;
    std::int64_t not_before = 0;
    std::int64_t not_after = 0;
    std::uint8_t not_before_tag = 0;
    std::uint8_t not_after_tag = 0;
    bytes subject;
    bytes spki;
    std::vector<std::pair<bytes, bool>> extension_ids; // (oid, critical)
};

tbs_fields read_tbs(const der::tlv &tbs) {
    tbs_fields f;
    der::reader r(tbs.encoded);
    auto seq = r.read_sequence();
    EXPECT_TRUE(seq.has_value());
    auto v = seq->read_explicit(0);
    EXPECT_TRUE(v.has_value());
    f.version = *v->read_int64();
    auto serial = seq->read_unsigned_integer();
    f.serial.assign(serial->begin(), serial->end());
    EXPECT_TRUE(seq->skip().has_value()); // signature
    auto issuer = seq->read(der::tag::sequence);
    f.issuer.assign(issuer->encoded.begin(), issuer->encoded.end());
    auto validity = seq->read_sequence();
    f.not_before_tag = *validity->peek_tag();
    f.not_before = *validity->read_time();
    f.not_after_tag = *validity->peek_tag();
    f.not_after = *validity->read_time();
    auto subject = seq->read(der::tag::sequence);
    f.subject.assign(subject->encoded.begin(), subject->encoded.end());
    auto spki = seq->read(der::tag::sequence);
    f.spki.assign(spki->encoded.begin(), spki->encoded.end());
    auto exts = seq->read_optional_explicit(3);
    EXPECT_TRUE(exts.has_value());
    if (*exts) {
        auto list = (*exts)->read_sequence();
        while (!list->empty()) {
            auto e = list->read_sequence();
            auto id = e->read_oid();
            bool critical = false;
            if (e->peek(der::tag::boolean)) {
                critical = *e->read_boolean();
            }
            auto value = e->read_octet_string();
            EXPECT_TRUE(value.has_value());
            der::reader inner(*value);
            EXPECT_FALSE(walk(inner)) << "extension value is not DER";
            EXPECT_TRUE(e->expect_empty().has_value());
            f.extension_ids.emplace_back(bytes(id->bytes.begin(), id->bytes.end()), critical);
        }
    }
    EXPECT_TRUE(seq->expect_empty().has_value());
    return f;
}

crypto::signature_params params_for(crypto::key_type t) {
    crypto::signature_params p;
    switch (t) {
    case crypto::key_type::rsa:
        p.algorithm = crypto::signature_algorithm::rsa_pkcs1;
        break;
    case crypto::key_type::rsa_pss:
        p.algorithm = crypto::signature_algorithm::rsa_pss;
        break;
    case crypto::key_type::ed25519:
        p.algorithm = crypto::signature_algorithm::ed25519;
        break;
    default:
        p.algorithm = crypto::signature_algorithm::ecdsa;
        break;
    }
    return p;
}

crypto::private_key generate(crypto::key_type t) {
    auto key = crypto::openssl_provider().generate_private_key(t, t == crypto::key_type::rsa ? 2048 : 0);
    EXPECT_TRUE(key.has_value());
    return *key;
}

certificate_spec ca_spec(const std::string &cn) {
    certificate_spec s;
    s.subject = {"US", "awsio tests", "", cn};
    s.not_before = t_2020_01_01;
    s.not_after = t_2099_12_31_235959;
    s.basic_constraints = basic_constraints_spec{true, std::nullopt};
    s.key_usage = key_usage_bit::key_cert_sign | key_usage_bit::crl_sign | key_usage_bit::digital_signature;
    return s;
}

certificate_spec leaf_spec() {
    certificate_spec s;
    s.serial = {0x10, 0x01};
    s.subject = {"", "awsio tests", "", "localhost"};
    s.not_before = t_2020_01_01;
    s.not_after = t_2099_12_31_235959;
    s.dns_names = {"localhost", "www.example.com"};
    s.ip_addresses = {*parse_ip_address("127.0.0.1"), *parse_ip_address("::1")};
    s.basic_constraints = basic_constraints_spec{false, std::nullopt};
    s.key_usage = key_usage_bit::digital_signature;
    s.extended_key_usage = {vec(oid::kp_server_auth), vec(oid::kp_client_auth)};
    return s;
}

// --- openssl CLI ------------------------------------------------------------------------------

bool have_openssl() {
    static const bool present = std::system("openssl version >/dev/null 2>&1") == 0;
    return present;
}

class temp_dir {
public:
    temp_dir() {
        std::string templ = (std::filesystem::temp_directory_path() / "awsio_x509_builder_XXXXXX").string();
        if (::mkdtemp(templ.data()) != nullptr) {
            path_ = templ;
        }
    }
    ~temp_dir() {
        std::error_code ec;
        if (!path_.empty()) {
            std::filesystem::remove_all(path_, ec);
        }
    }
    temp_dir(const temp_dir &) = delete;
    temp_dir &operator=(const temp_dir &) = delete;
    [[nodiscard]] std::string file(const std::string &name) const { return path_ + "/" + name; }
    [[nodiscard]] bool ok() const { return !path_.empty(); }

private:
    std::string path_;
};

void write_pem(const std::string &path, const std::vector<bytes> &certs) {
    std::ofstream out(path, std::ios::binary);
    for (const auto &c : certs) {
        out << *der_cert_to_pem(c);
    }
}

void write_der(const std::string &path, const bytes &cert) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char *>(cert.data()), static_cast<std::streamsize>(cert.size()));
}

// Runs a shell command, its output going to `log`; true when it exits with status 0.
bool run(const std::string &command, const std::string &log) {
    const std::string full = command + " >" + log + " 2>&1";
    return std::system(full.c_str()) == 0;
}

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A root -> intermediate -> leaf hierarchy of one key type.
struct hierarchy {
    crypto::private_key root_key, int_key, leaf_key;
    bytes root, intermediate, leaf;
};

hierarchy make_hierarchy(crypto::key_type t, bool rsa_pss = false) {
    auto &p = crypto::openssl_provider();
    hierarchy h;
    h.root_key = generate(t);
    h.int_key = generate(t);
    h.leaf_key = generate(t);
    auto root_s = ca_spec("builder root");
    root_s.rsa_pss = rsa_pss;
    auto root = build_self_signed(root_s, h.root_key, p);
    EXPECT_TRUE(root.has_value()) << root.error().message();
    h.root = *root;
    auto int_s = ca_spec("builder intermediate");
    int_s.serial = {0x02};
    int_s.basic_constraints->path_len = 0;
    int_s.rsa_pss = rsa_pss;
    auto int_pub = p.public_key_of(h.int_key);
    auto intermediate = build_certificate(int_s, *int_pub, issuer_spec{root_s.subject, {}, h.root_key}, p);
    EXPECT_TRUE(intermediate.has_value()) << intermediate.error().message();
    h.intermediate = *intermediate;
    auto leaf_s = leaf_spec();
    leaf_s.rsa_pss = rsa_pss;
    auto leaf_pub = p.public_key_of(h.leaf_key);
    auto leaf = build_certificate(leaf_s, *leaf_pub, issuer_spec{int_s.subject, {}, h.int_key}, p);
    EXPECT_TRUE(leaf.has_value()) << leaf.error().message();
    h.leaf = *leaf;
    return h;
}

void expect_signed_by(const bytes &cert, const crypto::private_key &issuer_key, bool pss = false) {
    auto &p = crypto::openssl_provider();
    const auto parts = split(cert);
    auto pub = p.public_key_of(issuer_key);
    auto params = params_for(issuer_key.type());
    if (pss) {
        params.algorithm = crypto::signature_algorithm::rsa_pss;
    }
    auto ok = p.verify(*pub, params, parts.tbs.encoded, parts.signature);
    EXPECT_TRUE(ok.has_value()) << ok.error().message();
}

void openssl_accepts(const hierarchy &h, const std::string &label) {
    if (!have_openssl()) {
        GTEST_SKIP() << "openssl CLI not installed; skipping openssl cross-checks";
    }
    temp_dir dir;
    ASSERT_TRUE(dir.ok());
    write_der(dir.file("leaf.der"), h.leaf);
    write_pem(dir.file("root.pem"), {h.root});
    write_pem(dir.file("int.pem"), {h.intermediate});
    write_pem(dir.file("leaf.pem"), {h.leaf});
    const std::string log = dir.file("log.txt");
    EXPECT_TRUE(run("openssl x509 -inform DER -in " + dir.file("leaf.der") + " -noout -text", log))
        << label << ": " << slurp(log);
    EXPECT_TRUE(run("openssl verify -x509_strict -CAfile " + dir.file("root.pem") + " -untrusted " +
                        dir.file("int.pem") + " -purpose sslserver -verify_hostname localhost " + dir.file("leaf.pem"),
                    log))
        << label << ": " << slurp(log);
    EXPECT_TRUE(run("openssl verify -CAfile " + dir.file("root.pem") + " -untrusted " + dir.file("int.pem") +
                        " -verify_ip ::1 " + dir.file("leaf.pem"),
                    log))
        << label << ": " << slurp(log);
    // Negative control: the wrong host is refused, so the commands above really checked.
    EXPECT_FALSE(run("openssl verify -CAfile " + dir.file("root.pem") + " -untrusted " + dir.file("int.pem") +
                         " -verify_hostname wrong.example.org " + dir.file("leaf.pem"),
                     log))
        << label;
}

} // namespace

// --- DER writer ---------------------------------------------------------------------------------

TEST(der_writer, integers_are_minimal) {
    const std::vector<std::pair<std::int64_t, std::string>> cases = {
        {0, "020100"},        {1, "020101"},         {127, "02017f"},     {128, "02020080"},
        {255, "020200ff"},    {256, "02020100"},     {-1, "0201ff"},      {-128, "020180"},
        {-129, "0202ff7f"},   {65535, "020300ffff"}, {INT64_MAX, "02087fffffffffffffff"},
        {INT64_MIN, "02088000000000000000"},
    };
    for (const auto &[value, expected] : cases) {
        der::writer w;
        w.write_int64(value);
        EXPECT_EQ(w.bytes(), hex(expected)) << value;
        der::reader r(w.bytes());
        auto back = r.read_int64();
        ASSERT_TRUE(back.has_value()) << value;
        EXPECT_EQ(*back, value);
    }
}

TEST(der_writer, unsigned_integers_get_a_sign_octet) {
    der::writer w;
    w.write_unsigned_integer(hex("000080"));
    w.write_unsigned_integer(hex("7f"));
    w.write_unsigned_integer({});
    w.write_unsigned_integer(hex("0000"));
    EXPECT_EQ(w.bytes(), hex("02020080 02017f 020100 020100"));
    der::reader r(w.bytes());
    for (int i = 0; i < 4; ++i) {
        EXPECT_TRUE(r.read_unsigned_integer().has_value());
    }
    EXPECT_TRUE(r.expect_empty().has_value());
}

TEST(der_writer, lengths_are_patched_minimally) {
    for (const std::size_t n : {std::size_t{0}, std::size_t{127}, std::size_t{128}, std::size_t{255},
                                std::size_t{256}, std::size_t{65535}, std::size_t{65536}}) {
        der::writer w;
        const bytes payload(n, 0xab);
        w.sequence([&](der::writer &s) { s.write_raw(payload); });
        der::reader r(w.bytes());
        auto t = r.read(der::tag::sequence);
        ASSERT_TRUE(t.has_value()) << n << ": " << t.error().message();
        EXPECT_EQ(t->value.size(), n);
        EXPECT_TRUE(r.expect_empty().has_value());
        const std::size_t header = n < 128 ? 2 : n < 256 ? 3 : n < 65536 ? 4 : 5;
        EXPECT_EQ(w.bytes().size(), header + n);
    }
}

TEST(der_writer, nested_constructed_lengths) {
    der::writer w;
    w.sequence([](der::writer &outer) {
        outer.write_boolean(true);
        outer.explicit_tag(3, [](der::writer &e) {
            e.sequence([](der::writer &inner) { inner.write_octet_string(bytes(200, 1)); });
        });
        outer.write_null();
    });
    der::reader r(w.bytes());
    EXPECT_FALSE(walk(r));
    der::reader r2(w.bytes());
    auto seq = r2.read_sequence();
    ASSERT_TRUE(seq.has_value());
    EXPECT_TRUE(*seq->read_boolean());
    auto ex = seq->read_explicit(3);
    ASSERT_TRUE(ex.has_value());
    auto inner = ex->read_sequence();
    ASSERT_TRUE(inner.has_value());
    EXPECT_EQ(inner->read_octet_string()->size(), 200u);
    EXPECT_TRUE(seq->read_null().has_value());
    EXPECT_TRUE(seq->expect_empty().has_value());
}

TEST(der_writer, named_bits_drop_trailing_zeros) {
    const std::vector<std::pair<std::uint32_t, std::string>> cases = {
        {0, "030100"},
        {key_usage_bit::digital_signature, "03020780"},
        {key_usage_bit::digital_signature | key_usage_bit::key_encipherment, "030205a0"},
        {key_usage_bit::key_cert_sign | key_usage_bit::crl_sign, "03020106"},
        {key_usage_bit::decipher_only, "0303070080"},
    };
    for (const auto &[bits, expected] : cases) {
        der::writer w;
        w.write_named_bits(bits);
        EXPECT_EQ(w.bytes(), hex(expected)) << bits;
        der::reader r(w.bytes());
        auto bs = r.read_bit_string();
        ASSERT_TRUE(bs.has_value()) << bits << ": " << bs.error().message();
        for (unsigned i = 0; i < 9; ++i) {
            EXPECT_EQ(bs->bit(i), ((bits >> i) & 1u) != 0) << bits << " bit " << i;
        }
    }
}

TEST(der_writer, time_uses_utc_time_through_2049) {
    struct tcase {
        std::int64_t t;
        std::uint8_t tag;
        std::string text;
    };
    const std::vector<tcase> cases = {
        {0, der::tag::utc_time, "700101000000Z"},
        {t_2020_01_01, der::tag::utc_time, "200101000000Z"},
        {2524607999, der::tag::utc_time, "491231235959Z"},                 // 2049-12-31T23:59:59Z
        {2524608000, der::tag::generalized_time, "20500101000000Z"},       // 2050-01-01
        {t_2099_12_31_235959, der::tag::generalized_time, "20991231235959Z"},
        {-631152000, der::tag::utc_time, "500101000000Z"},                 // 1950-01-01
        {-631152001, der::tag::generalized_time, "19491231235959Z"},       // 1949-12-31T23:59:59Z
        {951782400, der::tag::utc_time, "000229000000Z"},                  // 2000-02-29 (leap day)
        {253402300799, der::tag::generalized_time, "99991231235959Z"},     // 9999-12-31T23:59:59Z
    };
    for (const auto &c : cases) {
        der::writer w;
        ASSERT_TRUE(w.write_time(c.t).has_value()) << c.t;
        ASSERT_GE(w.bytes().size(), 2u);
        EXPECT_EQ(w.bytes()[0], c.tag) << c.t;
        EXPECT_EQ(std::string(w.bytes().begin() + 2, w.bytes().end()), c.text) << c.t;
        der::reader r(w.bytes());
        auto back = r.read_time();
        ASSERT_TRUE(back.has_value()) << c.text;
        EXPECT_EQ(*back, c.t);
    }
}

TEST(der_writer, time_out_of_range_is_refused) {
    der::writer w;
    EXPECT_EQ(w.write_time(253402300800).error(), common_errc::invalid_argument); // year 10000
    EXPECT_EQ(w.write_utc_time(2524608000).error(), common_errc::invalid_argument);
    EXPECT_EQ(w.write_generalized_time(-62167219201).error(), common_errc::invalid_argument); // year -1
    EXPECT_TRUE(w.bytes().empty());
}

// --- names and addresses ----------------------------------------------------------------------

TEST(x509_builder, encode_name_orders_rdns) {
    const auto name = encode_name({"US", "awsio tests", "unit", "localhost"});
    der::reader r(name);
    auto seq = r.read_sequence();
    ASSERT_TRUE(seq.has_value());
    const std::vector<std::pair<bytes, std::string>> expected = {
        {vec(oid::country_name), "US"},
        {vec(oid::organization_name), "awsio tests"},
        {vec(oid::organizational_unit_name), "unit"},
        {vec(oid::common_name), "localhost"},
    };
    for (const auto &[type, value] : expected) {
        auto set = seq->read_set();
        ASSERT_TRUE(set.has_value());
        auto atv = set->read_sequence();
        ASSERT_TRUE(atv.has_value());
        auto id = atv->read_oid();
        EXPECT_TRUE(id->equals(type));
        EXPECT_EQ(*atv->read_string(), value);
    }
    EXPECT_TRUE(seq->expect_empty().has_value());
    EXPECT_EQ(encode_name({}), hex("3000"));
    EXPECT_EQ(encode_name({"", "", "", "a"}), hex("300c310a300806035504030c0161"));
}

TEST(x509_builder, parse_ip_address_forms) {
    EXPECT_EQ(*parse_ip_address("127.0.0.1"), hex("7f000001"));
    EXPECT_EQ(*parse_ip_address("0.0.0.0"), hex("00000000"));
    EXPECT_EQ(*parse_ip_address("255.255.255.255"), hex("ffffffff"));
    EXPECT_EQ(*parse_ip_address("::1"), hex("00000000000000000000000000000001"));
    EXPECT_EQ(*parse_ip_address("::"), bytes(16, 0));
    EXPECT_EQ(*parse_ip_address("2001:db8::1"), hex("20010db8000000000000000000000001"));
    EXPECT_EQ(*parse_ip_address("fe80::"), hex("fe800000000000000000000000000000"));
    EXPECT_EQ(*parse_ip_address("1:2:3:4:5:6:7:8"), hex("00010002000300040005000600070008"));
    EXPECT_EQ(*parse_ip_address("::ffff:10.0.0.1"), hex("00000000000000000000ffff0a000001"));
    for (const char *bad : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1..2.3", "a.b.c.d", "1.2.3.4 ",
                            ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7::8",
                            "g::1", "::1.2.3", "1.2.3.4::"}) {
        auto r = parse_ip_address(bad);
        EXPECT_FALSE(r.has_value()) << "'" << bad << "'";
        if (!r) {
            EXPECT_EQ(r.error(), common_errc::invalid_argument);
        }
    }
}

// --- certificates ------------------------------------------------------------------------------

TEST(x509_builder, self_signed_ecdsa_p256_structure) {
    auto &p = crypto::openssl_provider();
    const auto key = generate(crypto::key_type::ec_p256);
    auto spec = ca_spec("structure root");
    spec.serial = hex("00 8f 01");
    auto cert = build_self_signed(spec, key, p);
    ASSERT_TRUE(cert.has_value()) << cert.error().message();

    der::reader r(*cert);
    EXPECT_FALSE(walk(r));
    const auto parts = split(*cert);
    const auto f = read_tbs(parts.tbs);
    EXPECT_EQ(f.version, 2);
    EXPECT_EQ(f.serial, hex("8f01"));
    EXPECT_EQ(f.issuer, f.subject);
    EXPECT_EQ(f.subject, encode_name(spec.subject));
    EXPECT_EQ(f.not_before, t_2020_01_01);
    EXPECT_EQ(f.not_before_tag, der::tag::utc_time);
    EXPECT_EQ(f.not_after, t_2099_12_31_235959);
    EXPECT_EQ(f.not_after_tag, der::tag::generalized_time);
    auto pub = p.public_key_of(key);
    EXPECT_EQ(f.spki, *p.export_public_key_spki(*pub));
    // The algorithm inside the TBS equals the outer one: ecdsa-with-SHA256, no parameters.
    EXPECT_EQ(bytes(parts.algorithm.encoded.begin(), parts.algorithm.encoded.end()), hex("300a06082a8648ce3d040302"));
    ASSERT_EQ(f.extension_ids.size(), 3u); // basicConstraints, keyUsage, subjectKeyIdentifier
    EXPECT_EQ(f.extension_ids[0], std::make_pair(vec(oid::basic_constraints), true));
    EXPECT_EQ(f.extension_ids[1], std::make_pair(vec(oid::key_usage), true));
    EXPECT_EQ(f.extension_ids[2], std::make_pair(vec(oid::subject_key_identifier), false));
    EXPECT_TRUE(crypto::is_strict_der_ecdsa_signature(parts.signature, 32));
    expect_signed_by(*cert, key);
}

TEST(x509_builder, leaf_extensions_and_key_identifiers) {
    auto &p = crypto::openssl_provider();
    const auto h = make_hierarchy(crypto::key_type::ec_p256);
    const auto leaf = read_tbs(split(h.leaf).tbs);
    const auto intermediate = read_tbs(split(h.intermediate).tbs);
    EXPECT_EQ(leaf.issuer, intermediate.subject);
    std::vector<bytes> ids;
    for (const auto &[id, critical] : leaf.extension_ids) {
        ids.push_back(id);
    }
    EXPECT_EQ(ids, (std::vector<bytes>{vec(oid::basic_constraints), vec(oid::key_usage), vec(oid::ext_key_usage),
                                      vec(oid::subject_alt_name), vec(oid::subject_key_identifier),
                                      vec(oid::authority_key_identifier)}));
    EXPECT_FALSE(leaf.extension_ids[3].second); // SAN not critical with a subject present

    // The AKI of the leaf is the SKI of the intermediate: both are SHA-1 of the key bits.
    auto find_ext = [](const bytes &cert, std::span<const std::uint8_t> id) -> bytes {
        der::reader r(cert);
        auto c = r.read_sequence();
        auto tbs = c->read_sequence();
        (void)tbs->read_explicit(0);
        for (int i = 0; i < 6; ++i) {
            (void)tbs->skip();
        }
        auto exts = tbs->read_explicit(3);
        auto list = exts->read_sequence();
        while (!list->empty()) {
            auto e = list->read_sequence();
            auto oid_v = e->read_oid();
            if (e->peek(der::tag::boolean)) {
                (void)e->read_boolean();
            }
            auto value = e->read_octet_string();
            if (oid_v->equals(id)) {
                return bytes(value->begin(), value->end());
            }
        }
        return {};
    };
    const bytes ski = find_ext(h.intermediate, oid::subject_key_identifier);
    const bytes aki = find_ext(h.leaf, oid::authority_key_identifier);
    ASSERT_EQ(ski.size(), 22u); // OCTET STRING of 20
    ASSERT_EQ(aki.size(), 24u); // SEQUENCE { [0] 20 octets }
    EXPECT_EQ(bytes(ski.begin() + 2, ski.end()), bytes(aki.begin() + 4, aki.end()));
    EXPECT_EQ(aki[2], 0x80);
    // Intermediate basicConstraints: cA TRUE, pathLen 0.
    EXPECT_EQ(find_ext(h.intermediate, oid::basic_constraints), hex("30060101ff020100"));
    // Leaf basicConstraints: empty SEQUENCE (cA DEFAULT FALSE omitted).
    EXPECT_EQ(find_ext(h.leaf, oid::basic_constraints), hex("3000"));
    EXPECT_EQ(find_ext(h.leaf, oid::key_usage), hex("03020780"));
    EXPECT_EQ(find_ext(h.leaf, oid::subject_alt_name),
              hex("3034 8209 6c6f63616c686f7374 820f 7777772e6578616d706c652e636f6d 8704 7f000001"
                  " 8710 00000000000000000000000000000001"));
    EXPECT_EQ(find_ext(h.leaf, oid::ext_key_usage),
              hex("301406082b0601050507030106082b06010505070302"));

    expect_signed_by(h.root, h.root_key);
    expect_signed_by(h.intermediate, h.root_key);
    expect_signed_by(h.leaf, h.int_key);
    (void)p;
}

TEST(x509_builder, empty_subject_makes_san_critical) {
    auto &p = crypto::openssl_provider();
    const auto ca = generate(crypto::key_type::ec_p256);
    const auto leaf_key = generate(crypto::key_type::ec_p256);
    auto spec = leaf_spec();
    spec.subject = {};
    auto cert = build_certificate(spec, *p.public_key_of(leaf_key), issuer_spec{{"", "", "", "ca"}, {}, ca}, p);
    ASSERT_TRUE(cert.has_value());
    const auto f = read_tbs(split(*cert).tbs);
    EXPECT_EQ(f.subject, hex("3000"));
    bool found = false;
    for (const auto &[id, critical] : f.extension_ids) {
        if (id == vec(oid::subject_alt_name)) {
            found = true;
            EXPECT_TRUE(critical);
        }
    }
    EXPECT_TRUE(found);
    // Without any SAN an empty subject is refused.
    spec.dns_names.clear();
    spec.ip_addresses.clear();
    EXPECT_EQ(build_certificate(spec, *p.public_key_of(leaf_key), issuer_spec{{"", "", "", "ca"}, {}, ca}, p).error(),
              common_errc::invalid_argument);
}

TEST(x509_builder, extra_extensions_are_appended) {
    auto &p = crypto::openssl_provider();
    const auto key = generate(crypto::key_type::ed25519);
    auto spec = leaf_spec();
    spec.subject_key_identifier = false;
    spec.extra_extensions.push_back({*der::oid_from_string("1.3.6.1.4.1.55555.1.1"), true, hex("0500")});
    auto cert = build_self_signed(spec, key, p);
    ASSERT_TRUE(cert.has_value());
    const auto f = read_tbs(split(*cert).tbs);
    ASSERT_FALSE(f.extension_ids.empty());
    EXPECT_EQ(f.extension_ids.back(), std::make_pair(*der::oid_from_string("1.3.6.1.4.1.55555.1.1"), true));
    for (const auto &[id, critical] : f.extension_ids) {
        EXPECT_NE(id, vec(oid::authority_key_identifier)); // never on self-signed
        EXPECT_NE(id, vec(oid::subject_key_identifier));
    }
}

TEST(x509_builder, invalid_specs_are_refused) {
    auto &p = crypto::openssl_provider();
    const auto key = generate(crypto::key_type::ec_p256);
    auto check = [&](certificate_spec spec, std::error_code expected) {
        auto cert = build_self_signed(spec, key, p);
        ASSERT_FALSE(cert.has_value());
        EXPECT_EQ(cert.error(), expected);
    };
    auto s = leaf_spec();
    s.serial = {};
    check(s, common_errc::invalid_argument);
    s.serial = {0, 0};
    check(s, common_errc::invalid_argument);
    s.serial = bytes(21, 1);
    check(s, common_errc::invalid_argument);
    s.serial = bytes(20, 0x80); // needs a sign octet: 21 octets
    check(s, common_errc::invalid_argument);
    s = leaf_spec();
    s.not_after = s.not_before - 1;
    check(s, common_errc::invalid_argument);
    s = leaf_spec();
    s.not_after = 253402300800; // year 10000
    check(s, common_errc::invalid_argument);
    s = leaf_spec();
    s.ip_addresses.push_back({1, 2, 3});
    check(s, common_errc::invalid_argument);
    s = leaf_spec();
    s.basic_constraints = basic_constraints_spec{false, 1};
    check(s, common_errc::invalid_argument);
    s = leaf_spec();
    s.signature_hash = crypto::hash_algorithm::sha1;
    check(s, common_errc::invalid_argument);
    // X25519 keys cannot sign.
    const auto x = generate(crypto::key_type::x25519);
    auto cert = build_self_signed(leaf_spec(), x, p);
    ASSERT_FALSE(cert.has_value());
    EXPECT_EQ(cert.error(), crypto::crypto_errc::unsupported);
    // A 20-octet serial is the maximum allowed.
    s = leaf_spec();
    s.serial = bytes(20, 0x7f);
    EXPECT_TRUE(build_self_signed(s, key, p).has_value());
}

class x509_builder_algorithms : public ::testing::TestWithParam<int> {};

TEST_P(x509_builder_algorithms, hierarchy_verifies_with_provider_and_openssl) {
    struct alg {
        const char *label;
        crypto::key_type type;
        bool pss;
    };
    static const alg algs[] = {
        {"ecdsa_p256", crypto::key_type::ec_p256, false}, {"ecdsa_p384", crypto::key_type::ec_p384, false},
        {"ed25519", crypto::key_type::ed25519, false},    {"rsa2048", crypto::key_type::rsa, false},
        {"rsa2048_pss", crypto::key_type::rsa, true},
    };
    const alg &a = algs[GetParam()];
    const auto h = make_hierarchy(a.type, a.pss);
    for (const bytes *c : {&h.root, &h.intermediate, &h.leaf}) {
        der::reader r(*c);
        EXPECT_FALSE(walk(r)) << a.label;
    }
    expect_signed_by(h.root, h.root_key, a.pss);
    expect_signed_by(h.intermediate, h.root_key, a.pss);
    expect_signed_by(h.leaf, h.int_key, a.pss);
    openssl_accepts(h, a.label);
}

INSTANTIATE_TEST_SUITE_P(key_types, x509_builder_algorithms, ::testing::Range(0, 5));

TEST(x509_builder, sha384_and_sha512_signatures) {
    auto &p = crypto::openssl_provider();
    for (const auto h : {crypto::hash_algorithm::sha384, crypto::hash_algorithm::sha512}) {
        const auto key = generate(crypto::key_type::ec_p384);
        auto spec = ca_spec("hash root");
        spec.signature_hash = h;
        auto cert = build_self_signed(spec, key, p);
        ASSERT_TRUE(cert.has_value());
        const auto parts = split(*cert);
        crypto::signature_params params;
        params.algorithm = crypto::signature_algorithm::ecdsa;
        params.hash = h;
        EXPECT_TRUE(p.verify(*p.public_key_of(key), params, parts.tbs.encoded, parts.signature).has_value());
    }
}

// A leaf signed with the committed fixture intermediate's key, named by its raw subject,
// verifies under the fixture root with openssl: the builder interoperates with certificates
// it did not make.
TEST(x509_builder, leaf_under_fixture_intermediate) {
    auto &p = crypto::openssl_provider();
    auto int_key = load_private_key_file(resource("intermediate_ca.key"));
    ASSERT_TRUE(int_key.has_value()) << int_key.error().message();
    auto int_chain = load_certificate_chain_file(resource("intermediate_ca.pem"));
    ASSERT_TRUE(int_chain.has_value());
    const auto int_fields = read_tbs(split(int_chain->front()).tbs);

    const auto leaf_key = generate(crypto::key_type::ec_p256);
    issuer_spec issuer;
    issuer.raw_name = int_fields.subject;
    issuer.key = *int_key;
    auto leaf = build_certificate(leaf_spec(), *p.public_key_of(leaf_key), issuer, p);
    ASSERT_TRUE(leaf.has_value()) << leaf.error().message();
    EXPECT_EQ(read_tbs(split(*leaf).tbs).issuer, int_fields.subject);
    expect_signed_by(*leaf, *int_key);

    if (!have_openssl()) {
        GTEST_SKIP() << "openssl CLI not installed; skipping openssl cross-checks";
    }
    temp_dir dir;
    ASSERT_TRUE(dir.ok());
    write_pem(dir.file("leaf.pem"), {*leaf});
    const std::string log = dir.file("log.txt");
    EXPECT_TRUE(run("openssl verify -x509_strict -CAfile " + resource("root_ca.pem") + " -untrusted " +
                        resource("intermediate_ca.pem") + " -verify_hostname www.example.com " + dir.file("leaf.pem"),
                    log))
        << slurp(log);
}
