// Loading certificate chains and private keys from PEM: order and duplicates kept, every key
// encoding imported, encrypted and unsupported keys refused with their specific errors, file
// errors mapped like aws-c-io's.
#include "x509/pki.hpp"

#include "x509/der.hpp"

#include <awsio/error.hpp>
#include <awsio/pem.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::x509;
using bytes = std::vector<std::uint8_t>;

namespace {

std::string resource(const std::string &name) { return std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/" + name; }

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The DER of a single-certificate PEM file, through the independent PEM parser.
bytes der_of(const std::string &name) {
    auto objects = pem_parse_file(resource(name));
    EXPECT_TRUE(objects.has_value()) << name;
    EXPECT_EQ(objects->size(), 1u) << name;
    return objects->front().data;
}

// The SubjectPublicKeyInfo of a certificate (a minimal walk of the TBSCertificate).
bytes spki_of(const bytes &cert) {
    der::reader r(cert);
    auto c = r.read_sequence();
    auto tbs = c->read_sequence();
    (void)tbs->read_explicit(0);
    for (int i = 0; i < 5; ++i) { // serial, signature, issuer, validity, subject
        EXPECT_TRUE(tbs->skip().has_value());
    }
    auto spki = tbs->read(der::tag::sequence);
    EXPECT_TRUE(spki.has_value());
    return bytes(spki->encoded.begin(), spki->encoded.end());
}

void expect_key_matches_certificate(const crypto::private_key &key, const std::string &cert_name) {
    auto pub = crypto::openssl_provider().import_public_key_spki(spki_of(der_of(cert_name)));
    ASSERT_TRUE(pub.has_value());
    EXPECT_TRUE(key.matches(*pub)) << cert_name;
}

} // namespace

// --- certificate chains -------------------------------------------------------------------------

TEST(x509_pki, load_chain_keeps_order) {
    auto chain = load_certificate_chain_file(resource("leaf_fullchain.pem"));
    ASSERT_TRUE(chain.has_value()) << chain.error().message();
    ASSERT_EQ(chain->size(), 3u);
    EXPECT_EQ((*chain)[0], der_of("leaf.pem"));
    EXPECT_EQ((*chain)[1], der_of("intermediate_ca.pem"));
    EXPECT_EQ((*chain)[2], der_of("root_ca.pem"));
}

TEST(x509_pki, load_chain_long) {
    auto chain = load_certificate_chain_file(resource("long_leaf_chain.pem"));
    ASSERT_TRUE(chain.has_value());
    ASSERT_EQ(chain->size(), 7u);
    EXPECT_EQ(chain->front(), der_of("long_leaf.pem"));
    EXPECT_EQ(chain->back(), der_of("long_intermediate_1.pem"));
}

// aws-c-io test_duplicate_cert_import: the same certificate twice is loaded as given.
TEST(x509_pki, test_duplicate_cert_import) {
    auto chain = load_certificate_chain_file(resource("leaf_chain_duplicate.pem"));
    ASSERT_TRUE(chain.has_value());
    ASSERT_EQ(chain->size(), 3u);
    EXPECT_EQ((*chain)[1], (*chain)[2]);
}

TEST(x509_pki, load_chain_from_memory_skips_other_objects) {
    // Key first, then a certificate, then text: only the certificate comes out.
    const std::string text = "comment line\n" + slurp(resource("leaf.key")) + slurp(resource("leaf.pem")) +
                             "trailing text\n";
    auto chain = load_certificate_chain_pem(text);
    ASSERT_TRUE(chain.has_value());
    ASSERT_EQ(chain->size(), 1u);
    EXPECT_EQ(chain->front(), der_of("leaf.pem"));
}

TEST(x509_pki, load_chain_crlf_and_legacy_label) {
    std::string pem = *der_cert_to_pem(der_of("leaf.pem"));
    std::string crlf;
    for (const char c : pem) {
        if (c == '\n') {
            crlf += "\r\n";
        } else {
            crlf += c;
        }
    }
    auto chain = load_certificate_chain_pem(crlf);
    ASSERT_TRUE(chain.has_value());
    EXPECT_EQ(chain->front(), der_of("leaf.pem"));

    std::string legacy = pem;
    legacy.replace(legacy.find("BEGIN CERTIFICATE"), 17, "BEGIN X509 CERTIFICATE");
    legacy.replace(legacy.find("END CERTIFICATE"), 15, "END X509 CERTIFICATE");
    chain = load_certificate_chain_pem(legacy);
    ASSERT_TRUE(chain.has_value()) << chain.error().message();
    EXPECT_EQ(chain->front(), der_of("leaf.pem"));
}

TEST(x509_pki, load_chain_committed_resources) {
    auto chain = load_certificate_chain_file(std::string(AWSIO_TEST_RESOURCES_DIR) + "/cert_chain.pem");
    ASSERT_TRUE(chain.has_value());
    EXPECT_EQ(chain->size(), 3u);
}

TEST(x509_pki, load_chain_without_certificate) {
    auto chain = load_certificate_chain_file(resource("leaf.key"));
    ASSERT_FALSE(chain.has_value());
    EXPECT_EQ(chain.error(), io_errc::tls_ctx_error);
}

TEST(x509_pki, load_chain_not_pem) {
    auto chain = load_certificate_chain_pem("this is not PEM at all");
    ASSERT_FALSE(chain.has_value());
    EXPECT_EQ(chain.error(), io_errc::pem_malformed);
    chain = load_certificate_chain_pem("");
    ASSERT_FALSE(chain.has_value());
    EXPECT_EQ(chain.error(), io_errc::pem_malformed);
    chain = load_certificate_chain_pem("-----BEGIN CERTIFICATE-----\nAAA*\n-----END CERTIFICATE-----\n");
    ASSERT_FALSE(chain.has_value());
    EXPECT_EQ(chain.error(), io_errc::pem_malformed);
}

TEST(x509_pki, load_chain_refuses_broken_der) {
    bytes leaf = der_of("leaf.pem");
    bytes truncated(leaf.begin(), leaf.end() - 1);
    auto chain = load_certificate_chain_pem(*der_cert_to_pem(truncated));
    ASSERT_FALSE(chain.has_value());
    EXPECT_EQ(chain.error(), io_errc::tls_ctx_error);

    bytes trailing = leaf;
    trailing.push_back(0);
    chain = load_certificate_chain_pem(*der_cert_to_pem(trailing));
    ASSERT_FALSE(chain.has_value());
    EXPECT_EQ(chain.error(), io_errc::tls_ctx_error);

    // A good certificate followed by a bad one: nothing is returned.
    chain = load_certificate_chain_pem(slurp(resource("leaf.pem")) + *der_cert_to_pem(bytes{0x04, 0x00}));
    ASSERT_FALSE(chain.has_value());
    EXPECT_EQ(chain.error(), io_errc::tls_ctx_error);
}

TEST(x509_pki, load_chain_file_errors) {
    auto chain = load_certificate_chain_file(resource("does_not_exist.pem"));
    ASSERT_FALSE(chain.has_value());
    EXPECT_EQ(chain.error(), common_errc::file_invalid_path);
    chain = load_certificate_chain_file(resource(""));
    ASSERT_FALSE(chain.has_value());
    EXPECT_EQ(chain.error(), common_errc::sys_call_failure); // a directory
}

// --- private keys -------------------------------------------------------------------------------

// aws-c-io test_pkcs8_import.
TEST(x509_pki, test_pkcs8_import) {
    auto key = load_private_key_file(resource("key_rsa_pkcs8.pem"));
    ASSERT_TRUE(key.has_value()) << key.error().message();
    EXPECT_EQ(key->type(), crypto::key_type::rsa);
    EXPECT_EQ(key->bits(), 2048u);
    expect_key_matches_certificate(*key, "leaf.pem");
}

TEST(x509_pki, pkcs1_rsa_import) {
    ASSERT_EQ(slurp(resource("key_rsa_pkcs1.pem")).rfind("-----BEGIN RSA PRIVATE KEY-----", 0), 0u);
    auto key = load_private_key_file(resource("key_rsa_pkcs1.pem"));
    ASSERT_TRUE(key.has_value()) << key.error().message();
    EXPECT_EQ(key->type(), crypto::key_type::rsa);
    expect_key_matches_certificate(*key, "leaf.pem");
    // The committed aws-c-io test key.
    key = load_private_key_file(std::string(AWSIO_TEST_RESOURCES_DIR) + "/unittests.key");
    ASSERT_TRUE(key.has_value()) << key.error().message();
    EXPECT_EQ(key->type(), crypto::key_type::rsa);
}

// aws-c-io test_ecc_cert_import: SEC1 EC keys.
TEST(x509_pki, test_ecc_cert_import) {
    auto key = load_private_key_file(resource("key_ec_p256_sec1.pem"));
    ASSERT_TRUE(key.has_value()) << key.error().message();
    EXPECT_EQ(key->type(), crypto::key_type::ec_p256);
    expect_key_matches_certificate(*key, "client.pem");
    key = load_private_key_file(resource("key_ec_p384_sec1.pem"));
    ASSERT_TRUE(key.has_value()) << key.error().message();
    EXPECT_EQ(key->type(), crypto::key_type::ec_p384);
    expect_key_matches_certificate(*key, "ecdsa_p384_leaf.pem");
}

TEST(x509_pki, pkcs8_key_types) {
    struct kcase {
        const char *file;
        crypto::key_type type;
        const char *cert;
    };
    const kcase cases[] = {
        {"key_ec_p256_pkcs8.pem", crypto::key_type::ec_p256, "client.pem"},
        {"key_ed25519_pkcs8.pem", crypto::key_type::ed25519, "ed25519_leaf.pem"},
        {"rsa_pss_leaf.key", crypto::key_type::rsa_pss, "rsa_pss_leaf.pem"},
        {"rsa4096_leaf.key", crypto::key_type::rsa, "rsa4096_leaf.pem"},
        {"ecdsa_p384_leaf.key", crypto::key_type::ec_p384, "ecdsa_p384_leaf.pem"},
        {"client.key", crypto::key_type::ec_p256, "client.pem"},
    };
    for (const auto &c : cases) {
        auto key = load_private_key_file(resource(c.file));
        ASSERT_TRUE(key.has_value()) << c.file << ": " << key.error().message();
        EXPECT_EQ(key->type(), c.type) << c.file;
        expect_key_matches_certificate(*key, c.cert);
    }
}

TEST(x509_pki, key_after_certificate_in_one_file) {
    auto key = load_private_key_pem(slurp(resource("client_chain.pem")) + slurp(resource("client.key")));
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(key->type(), crypto::key_type::ec_p256);
}

TEST(x509_pki, encrypted_keys_are_unsupported) {
    ASSERT_NE(slurp(resource("key_ec_p256_pkcs8_encrypted.pem")).find("ENCRYPTED PRIVATE KEY"), std::string::npos);
    auto key = load_private_key_file(resource("key_ec_p256_pkcs8_encrypted.pem"));
    ASSERT_FALSE(key.has_value());
    EXPECT_EQ(key.error(), common_errc::unsupported_operation);

    ASSERT_NE(slurp(resource("key_rsa_pkcs1_encrypted.pem")).find("Proc-Type: 4,ENCRYPTED"), std::string::npos);
    key = load_private_key_file(resource("key_rsa_pkcs1_encrypted.pem"));
    ASSERT_FALSE(key.has_value());
    EXPECT_EQ(key.error(), common_errc::unsupported_operation);
}

TEST(x509_pki, unsupported_key_types_are_refused) {
    for (const std::string &path : {resource("key_ec_p521_pkcs8.pem"), resource("key_x448_pkcs8.pem"),
                                   std::string(AWSIO_TEST_RESOURCES_DIR) + "/dsa_private.key"}) {
        auto key = load_private_key_file(path);
        ASSERT_FALSE(key.has_value()) << path;
        EXPECT_EQ(key.error(), io_errc::tls_ctx_error) << path;
    }
}

TEST(x509_pki, no_private_key_in_input) {
    for (const char *name : {"key_ec_p256_public.pem", "leaf.pem", "leaf_chain.pem"}) {
        auto key = load_private_key_file(resource(name));
        ASSERT_FALSE(key.has_value()) << name;
        EXPECT_EQ(key.error(), io_errc::tls_ctx_error) << name;
    }
    auto key = load_private_key_pem("no pem here");
    ASSERT_FALSE(key.has_value());
    EXPECT_EQ(key.error(), io_errc::pem_malformed);
}

TEST(x509_pki, malformed_key_der_is_refused) {
    // Valid PEM armour around bytes that are no key.
    const std::string pem = "-----BEGIN PRIVATE KEY-----\n" + base64_encode(bytes{0x30, 0x03, 0x02, 0x01, 0x00}) +
                            "\n-----END PRIVATE KEY-----\n";
    auto key = load_private_key_pem(pem);
    ASSERT_FALSE(key.has_value());
    EXPECT_EQ(key.error(), io_errc::tls_ctx_error);
    // A key truncated by one byte.
    auto objects = pem_parse_file(resource("key_ec_p256_sec1.pem"));
    ASSERT_TRUE(objects.has_value());
    bytes der = objects->front().data;
    der.pop_back();
    key = load_private_key_pem("-----BEGIN EC PRIVATE KEY-----\n" + base64_encode(der) +
                               "\n-----END EC PRIVATE KEY-----\n");
    ASSERT_FALSE(key.has_value());
    EXPECT_EQ(key.error(), io_errc::tls_ctx_error);
}

TEST(x509_pki, key_file_errors) {
    auto key = load_private_key_file(resource("missing.key"));
    ASSERT_FALSE(key.has_value());
    EXPECT_EQ(key.error(), common_errc::file_invalid_path);
    key = load_private_key_file(resource(""));
    ASSERT_FALSE(key.has_value());
    EXPECT_EQ(key.error(), common_errc::sys_call_failure);
}

TEST(x509_pki, imported_key_signs) {
    auto &p = crypto::openssl_provider();
    auto key = load_private_key_file(resource("key_ec_p256_sec1.pem"));
    ASSERT_TRUE(key.has_value());
    const auto msg = crypto::as_bytes("awsio");
    crypto::signature_params params;
    auto sig = p.sign(*key, params, msg);
    ASSERT_TRUE(sig.has_value());
    auto pub = p.import_public_key_spki(spki_of(der_of("client.pem")));
    ASSERT_TRUE(pub.has_value());
    EXPECT_TRUE(p.verify(*pub, params, msg, *sig).has_value());
}
