// Key import and export: PKCS#8, SEC1 and PKCS#1 private keys, SubjectPublicKeyInfo public
// keys, raw keys, handle semantics, and refusal of malformed or unsupported material.
#include "crypto/provider.hpp"
#include "unit/crypto/test_util.hpp"

#include <awsio/pem.hpp>

#include <gtest/gtest.h>

using namespace awsio;
using namespace awsio::crypto;
using awsio::crypto::test::hex;
using awsio::crypto::test::unhex;

namespace {
// `openssl ecparam -name prime256v1 -genkey -noout -outform DER`: SEC1 ECPrivateKey.
const char *sec1_p256 =
    "30770201010420c87faf2c6048f4a5f1cf2c9284f751023e467f7e3c5f13802b8f0d9012a9bee8a00a06082a8648ce3d0301"
    "07a144034200047f0931f16f5a9d38abaf29d65ca2d34b1b3d9061fba8c0f04221e7b9326c3a6d3baebc783bd036f4980bc1"
    "36946600d75e307cfdc7c9d3574f0a5a49dec4b122";
// `openssl genpkey -algorithm ed25519 -outform DER`: PKCS#8 PrivateKeyInfo.
const char *pkcs8_ed25519 = "302e020100300506032b657004220420f783dcc43f6685b508050947f666ebeeb8401f8215f83987b9dd166187312ffa";
} // namespace

TEST(crypto_keys, sec1_and_pkcs8_private_keys) {
    provider &p = openssl_provider();
    auto ec = p.import_private_key_der(unhex(sec1_p256));
    ASSERT_TRUE(ec) << ec.error().message();
    EXPECT_EQ(ec->type(), key_type::ec_p256);
    EXPECT_EQ(ec->bits(), 256u);
    auto ec_pub = p.key_exchange_public_bytes(*ec);
    ASSERT_TRUE(ec_pub);
    EXPECT_EQ(hex(*ec_pub), "047f0931f16f5a9d38abaf29d65ca2d34b1b3d9061fba8c0f04221e7b9326c3a6d3baebc783bd036f4980"
                            "bc136946600d75e307cfdc7c9d3574f0a5a49dec4b122");
    // The same key from its raw scalar.
    auto raw = p.import_raw_private_key(key_type::ec_p256,
                                        unhex("c87faf2c6048f4a5f1cf2c9284f751023e467f7e3c5f13802b8f0d9012a9bee8"));
    ASSERT_TRUE(raw);
    auto raw_pub = p.public_key_of(*raw);
    ASSERT_TRUE(raw_pub);
    EXPECT_TRUE(ec->matches(*raw_pub));

    auto ed = p.import_private_key_der(unhex(pkcs8_ed25519));
    ASSERT_TRUE(ed);
    EXPECT_EQ(ed->type(), key_type::ed25519);

    // PKCS#8 export and re-import round trip, for every generated type.
    for (key_type t : {key_type::ec_p256, key_type::ec_p384, key_type::ed25519, key_type::x25519, key_type::rsa}) {
        auto k = p.generate_private_key(t);
        ASSERT_TRUE(k) << to_string(t);
        EXPECT_EQ(k->type(), t);
        auto der = p.export_private_key_pkcs8(*k);
        ASSERT_TRUE(der) << to_string(t);
        auto back = p.import_private_key_der(der->view());
        ASSERT_TRUE(back) << to_string(t);
        EXPECT_EQ(back->type(), t);
        auto pub = p.public_key_of(*k);
        ASSERT_TRUE(pub);
        EXPECT_TRUE(back->matches(*pub)) << to_string(t);
        auto spki = p.export_public_key_spki(*pub);
        ASSERT_TRUE(spki);
        auto pub2 = p.import_public_key_spki(*spki);
        ASSERT_TRUE(pub2);
        EXPECT_TRUE(*pub2 == *pub);
        EXPECT_EQ(pub2->bits(), pub->bits());
    }
}

TEST(crypto_keys, malformed_and_unsupported_material) {
    provider &p = openssl_provider();
    EXPECT_EQ(p.import_private_key_der({}).error(), crypto_errc::invalid_key);
    EXPECT_EQ(p.import_private_key_der(unhex("3003020100")).error(), crypto_errc::invalid_key);
    auto trailing = unhex(sec1_p256);
    trailing.push_back(0);
    EXPECT_EQ(p.import_private_key_der(trailing).error(), crypto_errc::invalid_key);
    auto truncated = unhex(pkcs8_ed25519);
    truncated.pop_back();
    EXPECT_EQ(p.import_private_key_der(truncated).error(), crypto_errc::invalid_key);
    EXPECT_EQ(p.import_public_key_spki(unhex("3000")).error(), crypto_errc::invalid_key);

    // DSA keys parse but are not a type the provider handles.
    auto dsa = pem_parse_file(AWSIO_TEST_RESOURCES_DIR "/dsa_private.key");
    ASSERT_TRUE(dsa);
    ASSERT_FALSE(dsa->empty());
    EXPECT_EQ(p.import_private_key_der((*dsa)[0].data).error(), crypto_errc::unsupported);
    auto dsa_pub = pem_parse_file(AWSIO_TEST_RESOURCES_DIR "/dsa_public.pem");
    ASSERT_TRUE(dsa_pub);
    ASSERT_FALSE(dsa_pub->empty());
    EXPECT_EQ(p.import_public_key_spki((*dsa_pub)[0].data).error(), crypto_errc::unsupported);

    EXPECT_EQ(p.import_raw_private_key(key_type::x25519, std::vector<std::uint8_t>(31)).error(),
              crypto_errc::invalid_key);
    EXPECT_EQ(p.import_raw_private_key(key_type::rsa, std::vector<std::uint8_t>(32)).error(),
              crypto_errc::unsupported);
    EXPECT_EQ(p.import_raw_public_key(key_type::ed25519, std::vector<std::uint8_t>(33)).error(),
              crypto_errc::invalid_key);
}

TEST(crypto_keys, handles_share_and_move) {
    provider &p = openssl_provider();
    auto k = p.generate_private_key(key_type::ed25519);
    ASSERT_TRUE(k);
    private_key a = *k;
    private_key b = a; // shared reference
    EXPECT_EQ(a.native_handle(), b.native_handle());
    private_key c = std::move(a);
    EXPECT_FALSE(a.valid());
    EXPECT_TRUE(c.valid());
    a = c;
    EXPECT_TRUE(a.valid());
    EXPECT_EQ(a.type(), key_type::ed25519);
    private_key empty;
    EXPECT_FALSE(empty);
    auto pub = p.public_key_of(empty);
    EXPECT_EQ(pub.error(), crypto_errc::invalid_key);
    EXPECT_EQ(p.sign(empty, {signature_algorithm::ed25519, hash_algorithm::sha512, std::nullopt}, {}).error(),
              crypto_errc::invalid_key);
    EXPECT_EQ(to_string(key_type::ec_p384), "ec_p384");
}
