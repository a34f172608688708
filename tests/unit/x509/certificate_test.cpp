// X.509 certificate parsing: openssl-made fixtures of every supported key and signature type,
// every known extension, signature verification (good, tampered, wrong issuer), and hand-built
// malformed certificates each refused with its specific reason.
#include "x509/certificate.hpp"

#include "x509/der.hpp"
#include "x509/oid.hpp"

#include <awsio/pem.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::x509;
using awsio::crypto::crypto_errc;

namespace {

using bytes = std::vector<std::uint8_t>;

bytes read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bytes fixture(const std::string &name) {
    return read_file(std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/parse/" + name);
}

certificate load(const std::string &name) {
    const bytes der = fixture(name);
    EXPECT_FALSE(der.empty()) << name;
    auto c = certificate::parse(der);
    EXPECT_TRUE(c.has_value()) << name << ": " << c.error().message();
    return std::move(*c);
}

bytes b(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

// --- A small DER writer for hand-built certificates -------------------------------------------

bytes tlv(std::uint8_t tag, const bytes &content) {
    bytes out{tag};
    const std::size_t n = content.size();
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n < 0x100) {
        out.insert(out.end(), {0x81, static_cast<std::uint8_t>(n)});
    } else {
        out.insert(out.end(), {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n & 0xff)});
    }
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

bytes cat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto &p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

bytes seq(std::initializer_list<bytes> parts) { return tlv(der::tag::sequence, cat(parts)); }
bytes oid_tlv(std::span<const std::uint8_t> o) { return tlv(der::tag::oid, b(o)); }
bytes octets(const bytes &v) { return tlv(der::tag::octet_string, v); }
bytes integer(const bytes &v) { return tlv(der::tag::integer, v); }
bytes explicit_tag(unsigned n, const bytes &inner) { return tlv(der::context_tag(n, true), inner); }
bytes utc(std::string_view s) { return tlv(der::tag::utc_time, bytes(s.begin(), s.end())); }
bytes gentime(std::string_view s) { return tlv(der::tag::generalized_time, bytes(s.begin(), s.end())); }

bytes cn_name(std::string_view cn) {
    return seq({tlv(der::tag::set, seq({oid_tlv(oid::common_name),
                                        tlv(der::tag::utf8_string, bytes(cn.begin(), cn.end()))}))});
}

bytes ext(std::span<const std::uint8_t> id, bool critical, const bytes &value) {
    if (critical) {
        return seq({oid_tlv(id), tlv(der::tag::boolean, {0xff}), octets(value)});
    }
    return seq({oid_tlv(id), octets(value)});
}

const bytes ecdsa_sha256_alg = seq({oid_tlv(oid::ecdsa_with_sha256)});

// The pieces of a certificate; build() assembles and (for a valid signature) signs them.
struct cert_builder {
    bytes version = explicit_tag(0, integer({0x02}));
    bytes serial = integer({0x01});
    bytes inner_alg = ecdsa_sha256_alg;
    std::optional<bytes> outer_alg; // the inner one when unset
    bytes issuer = cn_name("builder");
    bytes not_before = utc("250101000000Z");
    bytes not_after = utc("350101000000Z");
    bytes subject = cn_name("builder");
    bytes spki;
    bytes unique_ids;
    std::vector<bytes> extensions;
    bool empty_extension_list = false;
    bytes trailing_in_tbs;

    bytes tbs() const {
        bytes exts;
        if (!extensions.empty() || empty_extension_list) {
            bytes list;
            for (const auto &e : extensions) {
                list.insert(list.end(), e.begin(), e.end());
            }
            exts = explicit_tag(3, tlv(der::tag::sequence, list));
        }
        return seq({version, serial, inner_alg, issuer, seq({not_before, not_after}), subject, spki, unique_ids,
                    exts, trailing_in_tbs});
    }

    // Signs with `key` (ECDSA P-256 / SHA-256) unless `fake_signature` is given.
    bytes build(const crypto::private_key *key, std::uint8_t unused_bits = 0) const {
        const bytes t = tbs();
        bytes sig{0x30, 0x00};
        if (key != nullptr) {
            auto s = crypto::openssl_provider().sign(
                *key, {crypto::signature_algorithm::ecdsa, crypto::hash_algorithm::sha256, std::nullopt}, t);
            EXPECT_TRUE(s.has_value());
            sig = *s;
        }
        bytes bits{unused_bits};
        bits.insert(bits.end(), sig.begin(), sig.end());
        return seq({t, outer_alg.value_or(inner_alg), tlv(der::tag::bit_string, bits)});
    }
};

class x509_certificate_built : public ::testing::Test {
protected:
    void SetUp() override {
        auto &p = crypto::openssl_provider();
        auto k = p.generate_private_key(crypto::key_type::ec_p256);
        ASSERT_TRUE(k.has_value());
        key_ = *k;
        auto pub = p.public_key_of(key_);
        ASSERT_TRUE(pub.has_value());
        auto spki = p.export_public_key_spki(*pub);
        ASSERT_TRUE(spki.has_value());
        builder_.spki = *spki;
    }

    // Parses and expects io_errc::tls_bad_certificate with the given detail.
    void expect_refused(const bytes &der, std::error_code want_detail) {
        std::error_code detail;
        auto c = certificate::parse(der, &detail);
        ASSERT_FALSE(c.has_value());
        EXPECT_EQ(c.error(), io_errc::tls_bad_certificate);
        EXPECT_EQ(detail, want_detail) << detail.message();
    }

    crypto::private_key key_;
    cert_builder builder_;
};

} // namespace

// --- Fixtures ------------------------------------------------------------------------------

TEST(x509_certificate, parse_rsa2048_root) {
    const auto c = load("rsa_ca.der");
    EXPECT_EQ(c.version(), certificate_version::v3);
    EXPECT_EQ(b(c.serial()), bytes{0x01});
    EXPECT_EQ(c.signature_algorithm().scheme, signature_scheme::rsa_pkcs1_sha256);
    EXPECT_EQ(c.public_key_algorithm(), key_algorithm::rsa);
    EXPECT_EQ(c.subject().to_string(), "CN=awsio RSA Root,O=awsio test,C=US");
    EXPECT_EQ(c.issuer().to_string(), c.subject().to_string());
    EXPECT_TRUE(c.is_self_issued());
    EXPECT_EQ(b(c.issuer_der()), b(c.subject_der()));
    EXPECT_EQ(c.not_after() - c.not_before(), 3650 * 86400);
    ASSERT_TRUE(c.basic_constraints_ext().has_value());
    EXPECT_TRUE(c.basic_constraints_ext()->ca);
    EXPECT_FALSE(c.basic_constraints_ext()->path_len.has_value());
    ASSERT_TRUE(c.key_usage_ext().has_value());
    EXPECT_EQ(c.key_usage_ext()->bits, key_usage::key_cert_sign | key_usage::crl_sign);
    EXPECT_TRUE(c.subject_key_id().has_value());
    EXPECT_EQ(c.subject_key_id()->size(), 20u);
    EXPECT_FALSE(c.has_subject_alt_name());
    EXPECT_FALSE(c.has_unknown_critical_extension());
    EXPECT_EQ(c.signature_value().size(), 256u);
    // The TBS is a prefix-free element inside the DER, starting right after the outer header.
    EXPECT_EQ(c.tbs_der().data(), c.der().data() + 4);
    EXPECT_TRUE(verify_signature_by(c, c, crypto::openssl_provider()).has_value());
}

TEST(x509_certificate, parse_rsa_leaf_issued_by_root) {
    const auto ca = load("rsa_ca.der");
    const auto leaf = load("rsa_leaf.der");
    EXPECT_EQ(leaf.serial().size(), 20u);
    EXPECT_EQ(leaf.serial()[0], 0x01);
    EXPECT_EQ(leaf.subject().common_names(), std::vector<std::string>{"leaf.example.com"});
    EXPECT_TRUE(leaf.issuer().matches(ca.subject()));
    EXPECT_FALSE(leaf.is_self_issued());
    ASSERT_TRUE(leaf.basic_constraints_ext().has_value());
    EXPECT_FALSE(leaf.basic_constraints_ext()->ca);
    EXPECT_EQ(leaf.key_usage_ext()->bits, key_usage::digital_signature | key_usage::key_encipherment);
    ASSERT_TRUE(leaf.extended_key_usage_ext().has_value());
    EXPECT_TRUE(leaf.extended_key_usage_ext()->has_server_auth());
    EXPECT_FALSE(leaf.extended_key_usage_ext()->has_client_auth());
    EXPECT_FALSE(leaf.extended_key_usage_ext()->any());
    EXPECT_TRUE(leaf.has_subject_alt_name());
    EXPECT_EQ(leaf.dns_names(), (std::vector<std::string_view>{"leaf.example.com", "*.wild.example.com"}));
    ASSERT_EQ(leaf.ip_addresses().size(), 1u);
    EXPECT_EQ(b(leaf.ip_addresses()[0]), (bytes{192, 0, 2, 7}));
    ASSERT_TRUE(leaf.authority_key_id().has_value());
    EXPECT_EQ(b(*leaf.authority_key_id()), b(*ca.subject_key_id()));

    auto &p = crypto::openssl_provider();
    EXPECT_TRUE(verify_signature_by(leaf, ca, p).has_value());
    EXPECT_EQ(verify_signature_by(leaf, leaf, p).error(), crypto_errc::bad_signature);
    EXPECT_EQ(verify_signature_by(ca, leaf, p).error(), crypto_errc::bad_signature);
}

TEST(x509_certificate, parse_ecdsa_p256_and_p384) {
    const auto root = load("ec256.der");
    const auto leaf = load("ec384.der");
    EXPECT_EQ(root.public_key_algorithm(), key_algorithm::ec_p256);
    EXPECT_EQ(b(root.ec_curve_oid()), b(oid::secp256r1));
    EXPECT_EQ(root.signature_algorithm().scheme, signature_scheme::ecdsa_sha256);
    EXPECT_EQ(root.public_key_bytes().size(), 65u);
    EXPECT_EQ(leaf.public_key_algorithm(), key_algorithm::ec_p384);
    EXPECT_EQ(leaf.signature_algorithm().scheme, signature_scheme::ecdsa_sha384);
    EXPECT_EQ(leaf.public_key_bytes().size(), 97u);
    auto &p = crypto::openssl_provider();
    EXPECT_TRUE(verify_signature_by(root, root, p).has_value());
    EXPECT_TRUE(verify_signature_by(leaf, root, p).has_value());
    EXPECT_FALSE(verify_signature_by(leaf, leaf, p).has_value());
}

TEST(x509_certificate, parse_ed25519) {
    const auto c = load("ed25519.der");
    EXPECT_EQ(c.public_key_algorithm(), key_algorithm::ed25519);
    EXPECT_EQ(c.signature_algorithm().scheme, signature_scheme::ed25519);
    EXPECT_EQ(c.public_key_bytes().size(), 32u);
    EXPECT_EQ(c.signature_value().size(), 64u);
    EXPECT_TRUE(verify_signature_by(c, c, crypto::openssl_provider()).has_value());
}

TEST(x509_certificate, parse_rsa_pss_signature) {
    const auto c = load("rsa_pss.der");
    const auto &alg = c.signature_algorithm();
    EXPECT_EQ(alg.scheme, signature_scheme::rsa_pss);
    EXPECT_EQ(alg.pss.hash, crypto::hash_algorithm::sha256);
    EXPECT_EQ(alg.pss.mgf1_hash, crypto::hash_algorithm::sha256);
    EXPECT_EQ(alg.pss.salt_length, 32u);
    EXPECT_EQ(c.public_key_algorithm(), key_algorithm::rsa);
    const auto params = to_signature_params(alg);
    ASSERT_TRUE(params.has_value());
    EXPECT_EQ(params->algorithm, crypto::signature_algorithm::rsa_pss);
    EXPECT_EQ(params->pss_salt_length, std::optional<std::size_t>(32));
    EXPECT_TRUE(verify_signature_by(c, c, crypto::openssl_provider()).has_value());
}

TEST(x509_certificate, parse_rsa_pss_key) {
    const auto c = load("rsa_pss_key.der");
    EXPECT_EQ(c.public_key_algorithm(), key_algorithm::rsa_pss);
    EXPECT_EQ(c.signature_algorithm().scheme, signature_scheme::rsa_pss);
    EXPECT_EQ(c.signature_algorithm().pss.hash, crypto::hash_algorithm::sha384);
    EXPECT_EQ(c.signature_algorithm().pss.salt_length, 48u);
    EXPECT_TRUE(verify_signature_by(c, c, crypto::openssl_provider()).has_value());
}

TEST(x509_certificate, parse_v1) {
    const auto c = load("v1.der");
    EXPECT_EQ(c.version(), certificate_version::v1);
    EXPECT_TRUE(c.extensions().empty());
    EXPECT_FALSE(c.basic_constraints_ext().has_value());
    EXPECT_FALSE(c.has_subject_alt_name());
    EXPECT_TRUE(verify_signature_by(c, load("rsa_ca.der"), crypto::openssl_provider()).has_value());
}

TEST(x509_certificate, parse_sha1_legacy) {
    const auto c = load("rsa_sha1.der");
    EXPECT_EQ(c.signature_algorithm().scheme, signature_scheme::rsa_pkcs1_sha1);
    EXPECT_EQ(to_signature_params(c.signature_algorithm())->hash, crypto::hash_algorithm::sha1);
    EXPECT_TRUE(verify_signature_by(c, load("rsa_ca.der"), crypto::openssl_provider()).has_value());
}

TEST(x509_certificate, parse_every_extension) {
    const auto c = load("all_extensions.der");
    EXPECT_EQ(c.subject().to_string(), "CN=all.example.com,OU=x509,O=awsio test,L=Seattle,ST=Washington,C=US");
    ASSERT_TRUE(c.basic_constraints_ext().has_value());
    EXPECT_TRUE(c.basic_constraints_ext()->ca);
    EXPECT_EQ(c.basic_constraints_ext()->path_len, std::optional<std::uint32_t>(2));
    EXPECT_EQ(c.key_usage_ext()->bits,
              key_usage::digital_signature | key_usage::key_cert_sign | key_usage::crl_sign);
    EXPECT_TRUE(c.key_usage_ext()->has(key_usage::crl_sign));
    EXPECT_FALSE(c.key_usage_ext()->has(key_usage::key_agreement));

    const auto &eku = c.extended_key_usage_ext();
    ASSERT_TRUE(eku.has_value());
    EXPECT_EQ(eku->purposes.size(), 3u);
    EXPECT_TRUE(eku->has_server_auth());
    EXPECT_TRUE(eku->has_client_auth());
    EXPECT_TRUE(eku->has(oid::kp_code_signing));

    EXPECT_EQ(c.dns_names(), (std::vector<std::string_view>{"all.example.com", "*.all.example.com"}));
    const auto ips = c.ip_addresses();
    ASSERT_EQ(ips.size(), 2u);
    EXPECT_EQ(b(ips[0]), (bytes{10, 1, 2, 3}));
    EXPECT_EQ(b(ips[1]), (bytes{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
    const auto &san = c.subject_alt_names();
    ASSERT_EQ(san.size(), 6u);
    EXPECT_EQ(san[4].type, general_name::kind::rfc822_name);
    EXPECT_EQ(san[4].text, "admin@example.com");
    EXPECT_EQ(san[5].type, general_name::kind::uri);
    EXPECT_EQ(san[5].text, "https://example.com/");

    const auto &nc = c.name_constraints_ext();
    ASSERT_TRUE(nc.has_value());
    ASSERT_EQ(nc->permitted.size(), 3u);
    EXPECT_EQ(nc->permitted[0].type, general_name::kind::dns_name);
    EXPECT_EQ(nc->permitted[0].text, "example.com");
    EXPECT_EQ(nc->permitted[1].type, general_name::kind::ip_address);
    EXPECT_EQ(b(nc->permitted[1].value), (bytes{10, 0, 0, 0, 255, 0, 0, 0}));
    EXPECT_EQ(nc->permitted[2].value.size(), 32u);
    ASSERT_EQ(nc->excluded.size(), 2u);
    EXPECT_EQ(nc->excluded[0].text, "bad.example.com");
    EXPECT_EQ(nc->excluded[1].type, general_name::kind::rfc822_name);
    const auto *nc_ext = c.find_extension(oid::name_constraints);
    ASSERT_NE(nc_ext, nullptr);
    EXPECT_TRUE(nc_ext->critical);

    ASSERT_TRUE(c.policies().has_value());
    ASSERT_EQ(c.policies()->size(), 2u);
    EXPECT_EQ(der::oid{(*c.policies())[0]}.to_string(), "2.23.140.1.2.1");
    EXPECT_EQ(der::oid{(*c.policies())[1]}.to_string(), "1.3.6.1.4.1.99999.1");
    ASSERT_TRUE(c.policy_constraints_ext().has_value());
    EXPECT_EQ(c.policy_constraints_ext()->require_explicit_policy, std::optional<std::uint32_t>(1));
    EXPECT_EQ(c.policy_constraints_ext()->inhibit_policy_mapping, std::optional<std::uint32_t>(3));
    EXPECT_EQ(c.inhibit_any_policy(), std::optional<std::uint32_t>(0));
    EXPECT_TRUE(c.subject_key_id().has_value());
    EXPECT_FALSE(c.has_unknown_critical_extension());
    EXPECT_EQ(c.find_extension(oid::policy_mappings), nullptr);
    EXPECT_FALSE(c.find_extension(oid::key_usage) == nullptr);
    EXPECT_TRUE(c.find_extension(oid::key_usage)->critical);
    EXPECT_FALSE(c.find_extension(oid::ext_key_usage)->critical);
}

TEST(x509_certificate, unknown_critical_extension_is_recorded) {
    const auto c = load("unknown_critical.der");
    EXPECT_TRUE(c.has_unknown_critical_extension());
    const auto id = der::oid_from_string("1.3.6.1.4.1.99999.7");
    ASSERT_TRUE(id.has_value());
    const auto *e = c.find_extension(*id);
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(e->critical);
    EXPECT_EQ(b(e->value), (bytes{0x05, 0x00}));
    EXPECT_FALSE(load("rsa_leaf.der").has_unknown_critical_extension());
}

TEST(x509_certificate, parse_existing_resources) {
    const bytes der = read_file(std::string(AWSIO_TEST_RESOURCES_DIR) + "/testparse.der");
    ASSERT_FALSE(der.empty());
    auto c = certificate::parse(der);
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_FALSE(c->subject().to_string().empty());

    const bytes pem = read_file(std::string(AWSIO_TEST_RESOURCES_DIR) + "/cert_chain.pem");
    auto chain = certificate::parse_pem(std::string_view(reinterpret_cast<const char *>(pem.data()), pem.size()));
    ASSERT_TRUE(chain.has_value()) << chain.error().message();
    // Three unrelated self-issued certificates.
    ASSERT_EQ(chain->size(), 3u);
    EXPECT_EQ((*chain)[0].subject().to_string(), "CN=localhost,OU=tests,O=awsio,L=Seattle,ST=Washington,C=US");
    EXPECT_EQ((*chain)[1].subject().common_names(), std::vector<std::string>{"chain two"});
    EXPECT_EQ((*chain)[2].subject().common_names(), std::vector<std::string>{"chain three"});
    for (const auto &cert : *chain) {
        EXPECT_TRUE(cert.is_self_issued());
    }
    EXPECT_FALSE((*chain)[1].issuer().matches((*chain)[2].subject()));

    // The same certificate through PEM and through DER.
    const bytes crt = read_file(std::string(AWSIO_TEST_RESOURCES_DIR) + "/testparse.crt");
    auto from_pem = certificate::parse_pem(std::string_view(reinterpret_cast<const char *>(crt.data()), crt.size()));
    ASSERT_TRUE(from_pem.has_value());
    EXPECT_TRUE((*from_pem)[0] == *c);
}

TEST(x509_certificate, parse_pem_chain_fixture) {
    const bytes pem = fixture("rsa_chain.pem");
    auto chain = certificate::parse_pem(std::string_view(reinterpret_cast<const char *>(pem.data()), pem.size()));
    ASSERT_TRUE(chain.has_value());
    ASSERT_EQ(chain->size(), 2u);
    EXPECT_TRUE((*chain)[0] == load("rsa_leaf.der"));
    EXPECT_TRUE(verify_signature_by((*chain)[0], (*chain)[1], crypto::openssl_provider()).has_value());

    EXPECT_EQ(certificate::parse_pem("no pem here").error(), io_errc::pem_malformed);
    EXPECT_EQ(certificate::parse_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").error(),
              io_errc::pem_malformed);
    EXPECT_EQ(certificate::parse_pem("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n").error(),
              io_errc::tls_bad_certificate);
}

TEST(x509_certificate, copies_share_the_der) {
    std::optional<certificate> copy;
    byte_view subject;
    {
        const auto c = load("rsa_leaf.der");
        copy = c;
        subject = c.subject_der();
        EXPECT_EQ(copy->der().data(), c.der().data());
    }
    // The original is gone; views from it and from the copy stay valid.
    EXPECT_EQ(subject.data(), copy->subject_der().data());
    EXPECT_EQ(copy->dns_names()[0], "leaf.example.com");
    certificate moved = std::move(*copy);
    EXPECT_EQ(moved.subject().common_names()[0], "leaf.example.com");
}

// --- Signature verification ------------------------------------------------------------------

TEST(x509_certificate, tampered_certificate_fails_verification) {
    const auto ca = load("rsa_ca.der");
    bytes der = fixture("rsa_leaf.der");
    auto &p = crypto::openssl_provider();

    // Change one letter of the subject CN (still a valid certificate, wrong signature).
    const std::string needle = "leaf.example.com";
    auto it = std::search(der.begin(), der.end(), needle.begin(), needle.end());
    ASSERT_NE(it, der.end());
    *it = 'L';
    auto tampered = certificate::parse(der);
    ASSERT_TRUE(tampered.has_value());
    EXPECT_EQ(tampered->subject().common_names()[0], "Leaf.example.com");
    EXPECT_EQ(verify_signature_by(*tampered, ca, p).error(), crypto_errc::bad_signature);

    // One bit of the signature itself.
    bytes der2 = fixture("rsa_leaf.der");
    der2[der2.size() - 10] ^= 0x01;
    auto bad_sig = certificate::parse(der2);
    ASSERT_TRUE(bad_sig.has_value());
    EXPECT_EQ(verify_signature_by(*bad_sig, ca, p).error(), crypto_errc::bad_signature);

    // ECDSA and Ed25519 as well.
    for (const char *name : {"ec256.der", "ed25519.der"}) {
        bytes d = fixture(name);
        const auto good = load(name);
        const std::string word = "awsio";
        auto pos = std::search(d.begin(), d.end(), word.begin(), word.end());
        ASSERT_NE(pos, d.end());
        *pos = 'A';
        auto c = certificate::parse(d);
        ASSERT_TRUE(c.has_value()) << name;
        EXPECT_EQ(verify_signature_by(*c, good, p).error(), crypto_errc::bad_signature) << name;
    }
}

TEST_F(x509_certificate_built, builder_certificate_verifies) {
    const bytes der = builder_.build(&key_);
    auto c = certificate::parse(der);
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_TRUE(verify_signature_by(*c, *c, crypto::openssl_provider()).has_value());
    auto pub = crypto::openssl_provider().public_key_of(key_);
    ASSERT_TRUE(pub.has_value());
    EXPECT_TRUE(verify_signature_with(*c, *pub, crypto::openssl_provider()).has_value());
    // A key of another type does not fit the ECDSA signature.
    EXPECT_FALSE(verify_signature_by(*c, load("rsa_ca.der"), crypto::openssl_provider()).has_value());
}

TEST_F(x509_certificate_built, unknown_signature_algorithm_parses_but_does_not_verify) {
    const auto md5_rsa = der::oid_from_string("1.2.840.113549.1.1.4");
    ASSERT_TRUE(md5_rsa.has_value());
    builder_.inner_alg = seq({oid_tlv(*md5_rsa), tlv(der::tag::null, {})});
    auto c = certificate::parse(builder_.build(nullptr));
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_EQ(c->signature_algorithm().scheme, signature_scheme::unknown);
    EXPECT_FALSE(to_signature_params(c->signature_algorithm()).has_value());
    EXPECT_EQ(verify_signature_by(*c, *c, crypto::openssl_provider()).error(), crypto_errc::unsupported);
}

// --- Times ------------------------------------------------------------------------------------

TEST_F(x509_certificate_built, utc_time_1950_and_2049_boundaries) {
    builder_.not_before = utc("500101000000Z");  // 1950-01-01
    builder_.not_after = utc("491231235959Z");   // 2049-12-31
    auto c = certificate::parse(builder_.build(&key_));
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_EQ(c->not_before(), -631152000);
    EXPECT_EQ(c->not_after(), 2524607999);

    builder_.not_before = utc("991231235959Z"); // 1999-12-31 23:59:59
    builder_.not_after = gentime("20500101000000Z");
    c = certificate::parse(builder_.build(&key_));
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->not_before(), 946684799);
    EXPECT_EQ(c->not_after(), 2524608000);

    builder_.not_after = utc("500101000000"); // no Z
    expect_refused(builder_.build(&key_), der::errc::bad_time);
}

// --- Malformed certificates ------------------------------------------------------------------

TEST(x509_certificate, every_truncation_is_refused) {
    const bytes der = fixture("rsa_leaf.der");
    for (std::size_t n = 0; n < der.size(); ++n) {
        auto c = certificate::parse(std::span<const std::uint8_t>(der.data(), n));
        ASSERT_FALSE(c.has_value()) << n;
        EXPECT_EQ(c.error(), io_errc::tls_bad_certificate) << n;
    }
}

TEST(x509_certificate, trailing_bytes_are_refused) {
    bytes der = fixture("ec256.der");
    der.push_back(0x00);
    std::error_code detail;
    auto c = certificate::parse(der, &detail);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error(), io_errc::tls_bad_certificate);
    EXPECT_EQ(detail, der::errc::trailing_data);
}

TEST_F(x509_certificate_built, trailing_bytes_inside_tbs_are_refused) {
    builder_.trailing_in_tbs = {0x05, 0x00};
    expect_refused(builder_.build(&key_), der::errc::trailing_data);
}

TEST_F(x509_certificate_built, mismatched_signature_algorithms_are_refused) {
    builder_.outer_alg = seq({oid_tlv(oid::ecdsa_with_sha384)});
    expect_refused(builder_.build(&key_), certificate_errc::algorithm_mismatch);
    // NULL versus absent parameters is a mismatch too.
    builder_.inner_alg = seq({oid_tlv(oid::sha256_with_rsa), tlv(der::tag::null, {})});
    builder_.outer_alg = seq({oid_tlv(oid::sha256_with_rsa)});
    expect_refused(builder_.build(&key_), certificate_errc::algorithm_mismatch);
}

TEST_F(x509_certificate_built, bad_algorithm_parameters_are_refused) {
    builder_.inner_alg = seq({oid_tlv(oid::ecdsa_with_sha256), tlv(der::tag::null, {})});
    expect_refused(builder_.build(&key_), certificate_errc::bad_algorithm_parameters);
    builder_.inner_alg = seq({oid_tlv(oid::rsassa_pss)}); // PSS without parameters
    expect_refused(builder_.build(&key_), certificate_errc::bad_algorithm_parameters);
}

TEST_F(x509_certificate_built, pss_with_different_mgf_hash_is_unknown) {
    const bytes sha256_id = seq({oid_tlv(oid::sha256), tlv(der::tag::null, {})});
    const bytes sha384_id = seq({oid_tlv(oid::sha384), tlv(der::tag::null, {})});
    builder_.inner_alg = seq({oid_tlv(oid::rsassa_pss),
                              seq({explicit_tag(0, sha256_id), explicit_tag(1, seq({oid_tlv(oid::mgf1), sha384_id})),
                                   explicit_tag(2, integer({0x20}))})});
    auto c = certificate::parse(builder_.build(&key_));
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_EQ(c->signature_algorithm().scheme, signature_scheme::unknown);

    // Defaults: SHA-1, MGF1-SHA-1, salt 20.
    builder_.inner_alg = seq({oid_tlv(oid::rsassa_pss), seq({})});
    c = certificate::parse(builder_.build(&key_));
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->signature_algorithm().scheme, signature_scheme::rsa_pss);
    EXPECT_EQ(c->signature_algorithm().pss.hash, crypto::hash_algorithm::sha1);
    EXPECT_EQ(c->signature_algorithm().pss.salt_length, 20u);
}

TEST_F(x509_certificate_built, bad_versions_are_refused) {
    builder_.version = explicit_tag(0, integer({0x03}));
    expect_refused(builder_.build(&key_), certificate_errc::bad_version);
    // v1 is the DEFAULT and must not be encoded.
    builder_.version = explicit_tag(0, integer({0x00}));
    expect_refused(builder_.build(&key_), certificate_errc::bad_version);
    // v1 (absent) with extensions.
    builder_.version = {};
    builder_.extensions = {ext(oid::basic_constraints, true, seq({}))};
    expect_refused(builder_.build(&key_), certificate_errc::fields_not_allowed);
    // v2 with extensions.
    builder_.version = explicit_tag(0, integer({0x01}));
    expect_refused(builder_.build(&key_), certificate_errc::fields_not_allowed);
    // v2 without extensions but with a subjectUniqueID is fine; v1 with one is not.
    builder_.extensions.clear();
    builder_.unique_ids = tlv(der::context_tag(2, false), {0x00, 0xab});
    EXPECT_TRUE(certificate::parse(builder_.build(&key_)).has_value());
    builder_.version = {};
    expect_refused(builder_.build(&key_), certificate_errc::fields_not_allowed);
}

TEST_F(x509_certificate_built, serial_number_limits) {
    // 20 octets of value with the top bit set take 21 encoded octets: accepted.
    bytes serial(21, 0xff);
    serial[0] = 0x00;
    builder_.serial = integer(serial);
    auto c = certificate::parse(builder_.build(&key_));
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->serial().size(), 21u);
    // 21 octets of value: refused.
    serial.insert(serial.begin() + 1, 0x7f);
    serial.erase(serial.begin());
    builder_.serial = integer(serial);
    expect_refused(builder_.build(&key_), certificate_errc::bad_serial);
    // Negative and zero serials are tolerated.
    builder_.serial = integer({0x80});
    EXPECT_TRUE(certificate::parse(builder_.build(&key_)).has_value());
    builder_.serial = integer({0x00});
    EXPECT_TRUE(certificate::parse(builder_.build(&key_)).has_value());
    // A non-minimal INTEGER is a DER error.
    builder_.serial = integer({0x00, 0x01});
    expect_refused(builder_.build(&key_), der::errc::bad_integer);
}

TEST_F(x509_certificate_built, duplicate_extension_is_refused) {
    const bytes bc = ext(oid::basic_constraints, true, seq({}));
    builder_.extensions = {bc, bc};
    expect_refused(builder_.build(&key_), certificate_errc::duplicate_extension);
    // Unknown extensions twice are duplicates as well.
    const bytes unknown = ext(*der::oid_from_string("1.2.3.4"), false, {0x05, 0x00});
    builder_.extensions = {unknown, bc, unknown};
    expect_refused(builder_.build(&key_), certificate_errc::duplicate_extension);
}

TEST_F(x509_certificate_built, empty_extension_list_is_refused) {
    builder_.empty_extension_list = true;
    expect_refused(builder_.build(&key_), certificate_errc::empty_sequence);
}

TEST_F(x509_certificate_built, malformed_extensions_are_refused) {
    // keyUsage with no bit set.
    builder_.extensions = {ext(oid::key_usage, true, tlv(der::tag::bit_string, {0x00}))};
    expect_refused(builder_.build(&key_), certificate_errc::bad_extension);
    // A SAN iPAddress of 5 bytes.
    builder_.extensions = {ext(oid::subject_alt_name, false, seq({tlv(0x87, {1, 2, 3, 4, 5})}))};
    expect_refused(builder_.build(&key_), certificate_errc::bad_extension);
    // An empty SAN.
    builder_.extensions = {ext(oid::subject_alt_name, false, seq({}))};
    expect_refused(builder_.build(&key_), certificate_errc::empty_sequence);
    // A dNSName that is not IA5.
    builder_.extensions = {ext(oid::subject_alt_name, false, seq({tlv(0x82, {0xc3, 0xa9})}))};
    expect_refused(builder_.build(&key_), der::errc::bad_string);
    // basicConstraints with bytes after the SEQUENCE.
    builder_.extensions = {ext(oid::basic_constraints, true, cat({seq({}), bytes{0x05, 0x00}}))};
    expect_refused(builder_.build(&key_), der::errc::trailing_data);
    // Negative pathLenConstraint.
    builder_.extensions = {
        ext(oid::basic_constraints, true, seq({tlv(der::tag::boolean, {0xff}), integer({0xff})}))};
    expect_refused(builder_.build(&key_), certificate_errc::bad_extension);
    // Name constraints: a non-contiguous mask, and an empty NameConstraints.
    builder_.extensions = {ext(oid::name_constraints, true,
                               seq({explicit_tag(0, seq({tlv(0x87, {10, 0, 0, 0, 255, 0, 255, 0})}))}))};
    expect_refused(builder_.build(&key_), certificate_errc::bad_extension);
    builder_.extensions = {ext(oid::name_constraints, true, seq({}))};
    expect_refused(builder_.build(&key_), certificate_errc::bad_extension);
    // A GeneralSubtree with a maximum.
    builder_.extensions = {ext(oid::name_constraints, true,
                               seq({explicit_tag(0, seq({tlv(0x82, {'a'}), tlv(0x81, {0x01})}))}))};
    expect_refused(builder_.build(&key_), certificate_errc::bad_extension);
    // A critical flag that is not a DER BOOLEAN.
    builder_.extensions = {seq({oid_tlv(oid::basic_constraints), tlv(der::tag::boolean, {0x01}), octets(seq({}))})};
    expect_refused(builder_.build(&key_), der::errc::bad_boolean);
}

TEST_F(x509_certificate_built, explicit_critical_false_is_tolerated) {
    builder_.extensions = {seq({oid_tlv(oid::basic_constraints), tlv(der::tag::boolean, {0x00}),
                                octets(seq({tlv(der::tag::boolean, {0xff})}))})};
    auto c = certificate::parse(builder_.build(&key_));
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_FALSE(c->extensions()[0].critical);
    EXPECT_TRUE(c->basic_constraints_ext()->ca);
}

TEST_F(x509_certificate_built, signature_with_unused_bits_is_refused) {
    expect_refused(builder_.build(&key_, 1), der::errc::bad_bit_string);
}

TEST_F(x509_certificate_built, unsupported_curve_is_recorded) {
    // A SubjectPublicKeyInfo on secp521r1 (1.3.132.0.35): parsed, reported as unsupported.
    builder_.spki = seq({seq({oid_tlv(oid::ec_public_key), oid_tlv(*der::oid_from_string("1.3.132.0.35"))}),
                         tlv(der::tag::bit_string, {0x00, 0x04, 0x01, 0x02})});
    auto c = certificate::parse(builder_.build(&key_));
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->public_key_algorithm(), key_algorithm::ec_unsupported_curve);
    EXPECT_EQ(der::oid{c->ec_curve_oid()}.to_string(), "1.3.132.0.35");
    EXPECT_FALSE(verify_signature_by(*c, *c, crypto::openssl_provider()).has_value());
}

TEST(x509_certificate, error_category_and_mapping) {
    const std::error_code e = certificate_errc::duplicate_extension;
    EXPECT_STREQ(e.category().name(), "awsio-x509");
    EXPECT_FALSE(e.message().empty());
    EXPECT_EQ(to_bad_certificate(e), io_errc::tls_bad_certificate);
    EXPECT_EQ(x509::to_bad_certificate(make_error_code(der::errc::truncated)), io_errc::tls_bad_certificate);
    EXPECT_EQ(to_bad_certificate(make_error_code(io_errc::socket_closed)), io_errc::socket_closed);
    EXPECT_EQ(to_string(signature_scheme::rsa_pss), "rsa_pss");
    EXPECT_EQ(to_string(key_algorithm::ec_p384), "ec_p384");
}
