// Signatures through the OpenSSL provider: RFC 8032 Ed25519 tests 1-3, ECDSA (strict DER and
// P1363), RSA PKCS#1 v1.5 and PSS sign/verify round trips, and the refusals.
#include "crypto/provider.hpp"
#include "unit/crypto/test_util.hpp"

#include <awsio/pem.hpp>

#include <gtest/gtest.h>

using namespace awsio;
using namespace awsio::crypto;
using awsio::crypto::test::hex;
using awsio::crypto::test::unhex;

namespace {

struct rfc8032_case {
    const char *secret, *pub, *message, *signature;
};

const rfc8032_case ed25519_cases[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
     "d25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c"
     "387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc659"
     "4a7c15e9716ed28dc027beceea1ec40a"},
};

const signature_params ed25519_params{signature_algorithm::ed25519, hash_algorithm::sha512, std::nullopt};

} // namespace

TEST(crypto_ed25519, rfc8032_tests_1_to_3) {
    provider &p = openssl_provider();
    for (const auto &c : ed25519_cases) {
        auto key = p.import_raw_private_key(key_type::ed25519, unhex(c.secret));
        ASSERT_TRUE(key);
        EXPECT_EQ(key->type(), key_type::ed25519);
        auto pub = p.import_raw_public_key(key_type::ed25519, unhex(c.pub));
        ASSERT_TRUE(pub);
        auto derived = p.public_key_of(*key);
        ASSERT_TRUE(derived);
        EXPECT_TRUE(*derived == *pub);
        EXPECT_TRUE(key->matches(*pub));
        const auto msg = unhex(c.message);
        auto sig = p.sign(*key, ed25519_params, msg);
        ASSERT_TRUE(sig);
        EXPECT_EQ(hex(*sig), c.signature);
        EXPECT_TRUE(p.verify(*pub, ed25519_params, msg, *sig));
        auto bad = *sig;
        bad[10] ^= 0x40;
        EXPECT_EQ(p.verify(*pub, ed25519_params, msg, bad).error(), crypto_errc::bad_signature);
        bad = *sig;
        bad.push_back(0);
        EXPECT_EQ(p.verify(*pub, ed25519_params, msg, bad).error(), crypto_errc::bad_signature);
    }
}

TEST(crypto_ecdsa, sign_verify_der_and_p1363) {
    provider &p = openssl_provider();
    for (auto [type, hash, scalar] : {std::tuple{key_type::ec_p256, hash_algorithm::sha256, std::size_t{32}},
                                      std::tuple{key_type::ec_p384, hash_algorithm::sha384, std::size_t{48}}}) {
        auto key = p.generate_private_key(type);
        ASSERT_TRUE(key);
        auto pub = p.public_key_of(*key);
        ASSERT_TRUE(pub);
        EXPECT_EQ(pub->type(), type);
        const signature_params params{signature_algorithm::ecdsa, hash, std::nullopt};
        const auto msg = awsio::crypto::test::bytes_of("TLS 1.3, server CertificateVerify");
        auto sig = p.sign(*key, params, msg);
        ASSERT_TRUE(sig);
        EXPECT_TRUE(is_strict_der_ecdsa_signature(*sig, scalar));
        EXPECT_TRUE(p.verify(*pub, params, msg, *sig));
        auto other_msg = msg;
        other_msg[0] ^= 1;
        EXPECT_EQ(p.verify(*pub, params, other_msg, *sig).error(), crypto_errc::bad_signature);
        // Trailing byte, BER long-form length: rejected before reaching the backend.
        auto trailing = *sig;
        trailing.push_back(0);
        EXPECT_EQ(p.verify(*pub, params, msg, trailing).error(), crypto_errc::bad_signature);
        auto long_form = *sig;
        long_form[1] = 0x81;
        long_form.insert(long_form.begin() + 2, static_cast<std::uint8_t>((*sig)[1]));
        EXPECT_EQ(p.verify(*pub, params, msg, long_form).error(), crypto_errc::bad_signature);

        // The same signature in P1363 form verifies with ecdsa_p1363.
        std::vector<std::uint8_t> p1363(2 * scalar, 0);
        std::size_t pos = 2;
        for (int half = 0; half < 2; ++half) {
            ASSERT_EQ((*sig)[pos], 0x02);
            std::size_t len = (*sig)[pos + 1];
            const std::uint8_t *v = sig->data() + pos + 2;
            std::size_t skip = (len > scalar) ? len - scalar : 0;
            std::copy(v + skip, v + len, p1363.begin() + static_cast<std::ptrdiff_t>((half + 1) * scalar - (len - skip)));
            pos += 2 + len;
        }
        const signature_params p1363_params{signature_algorithm::ecdsa_p1363, hash, std::nullopt};
        EXPECT_TRUE(p.verify(*pub, p1363_params, msg, p1363));
        auto der_again = ecdsa_p1363_to_der(p1363, scalar);
        ASSERT_TRUE(der_again);
        EXPECT_EQ(*der_again, *sig);
        p1363.pop_back();
        EXPECT_EQ(p.verify(*pub, p1363_params, msg, p1363).error(), crypto_errc::bad_signature);
        EXPECT_EQ(p.sign(*key, p1363_params, msg).error(), crypto_errc::unsupported);
    }
}

TEST(crypto_ecdsa, strict_der_rules) {
    // SEQUENCE { INTEGER 1, INTEGER 2 }
    EXPECT_TRUE(is_strict_der_ecdsa_signature(unhex("3006020101020102"), 32));
    EXPECT_FALSE(is_strict_der_ecdsa_signature(unhex("300602010102010200"), 32));   // trailing byte
    EXPECT_FALSE(is_strict_der_ecdsa_signature(unhex("30070201010202000200"), 32)); // bad inner length
    EXPECT_FALSE(is_strict_der_ecdsa_signature(unhex("308106020101020102"), 32));   // long-form short length
    EXPECT_FALSE(is_strict_der_ecdsa_signature(unhex("300702020001020102"), 32));   // leading zero
    EXPECT_FALSE(is_strict_der_ecdsa_signature(unhex("3006020181020102"), 32));     // negative r
    EXPECT_FALSE(is_strict_der_ecdsa_signature(unhex("3006020100020102"), 32));     // r = 0
    EXPECT_FALSE(is_strict_der_ecdsa_signature(unhex("3005020101020102"), 32));     // short sequence
    EXPECT_FALSE(is_strict_der_ecdsa_signature(unhex("3180"), 32));
    EXPECT_FALSE(is_strict_der_ecdsa_signature({}, 32));
    EXPECT_TRUE(is_strict_der_ecdsa_signature(unhex("3007020200ff020102"), 32));    // needed zero
    // r of 33 value bytes does not fit P-256.
    std::vector<std::uint8_t> big = unhex("3026022101");
    big.resize(5 + 32, 0x11);
    big.insert(big.end(), {0x02, 0x01, 0x02});
    EXPECT_FALSE(is_strict_der_ecdsa_signature(big, 32));
}

TEST(crypto_rsa, pkcs1_and_pss_sign_verify) {
    provider &p = openssl_provider();
    auto objects = pem_parse_file(AWSIO_TEST_RESOURCES_DIR "/unittests.key");
    ASSERT_TRUE(objects);
    ASSERT_EQ(objects->size(), 1u);
    auto key = p.import_private_key_der((*objects)[0].data); // PKCS#1 RSAPrivateKey
    ASSERT_TRUE(key) << key.error().message();
    EXPECT_EQ(key->type(), key_type::rsa);
    EXPECT_EQ(key->bits(), 2048u);
    auto pub = p.public_key_of(*key);
    ASSERT_TRUE(pub);
    const auto msg = awsio::crypto::test::bytes_of("signed content");
    for (hash_algorithm h : {hash_algorithm::sha256, hash_algorithm::sha384, hash_algorithm::sha512}) {
        for (signature_algorithm alg : {signature_algorithm::rsa_pkcs1, signature_algorithm::rsa_pss}) {
            const signature_params params{alg, h, std::nullopt};
            auto sig = p.sign(*key, params, msg);
            ASSERT_TRUE(sig) << to_string(h);
            EXPECT_EQ(sig->size(), 256u);
            EXPECT_TRUE(p.verify(*pub, params, msg, *sig)) << to_string(h);
            auto bad = *sig;
            bad[100] ^= 1;
            EXPECT_EQ(p.verify(*pub, params, msg, bad).error(), crypto_errc::bad_signature);
            // The other padding mode does not accept it.
            const signature_params other{alg == signature_algorithm::rsa_pss ? signature_algorithm::rsa_pkcs1
                                                                              : signature_algorithm::rsa_pss,
                                         h, std::nullopt};
            EXPECT_EQ(p.verify(*pub, other, msg, *sig).error(), crypto_errc::bad_signature);
        }
    }
    // PSS salt length is a verifier parameter: a salt-0 signature fails with the default salt.
    const signature_params pss0{signature_algorithm::rsa_pss, hash_algorithm::sha256, 0};
    auto sig0 = p.sign(*key, pss0, msg);
    ASSERT_TRUE(sig0);
    EXPECT_TRUE(p.verify(*pub, pss0, msg, *sig0));
    EXPECT_FALSE(p.verify(*pub, {signature_algorithm::rsa_pss, hash_algorithm::sha256, std::nullopt}, msg, *sig0));
    // SHA-1 signing is refused; ECDSA params on an RSA key are refused.
    EXPECT_EQ(p.sign(*key, {signature_algorithm::rsa_pkcs1, hash_algorithm::sha1, std::nullopt}, msg).error(),
              crypto_errc::unsupported);
    EXPECT_EQ(p.sign(*key, {signature_algorithm::ecdsa, hash_algorithm::sha256, std::nullopt}, msg).error(),
              crypto_errc::invalid_key);
    EXPECT_EQ(p.verify(*pub, ed25519_params, msg, std::vector<std::uint8_t>(64)).error(), crypto_errc::invalid_key);
}

TEST(crypto_rsa, small_keys_are_refused) {
    provider &p = openssl_provider();
    const auto spki_1024 = unhex(
        "30819f300d06092a864886f70d010101050003818d0030818902818100ba3c1f131b5b698cf8ee4ebbe98bc029860d8091"
        "c83d93e3098a27abd9245e3ac4fb4792be90bae9d4e5dbbeb08c65a35ea6c093909d9222f22950cc7e8be2e584b6dc6974"
        "faceaab21f7656a59f402e8201bbc9a349b27ac4dd6d15d6aea56c8364ec9d137dd201b736962db22ddb2930b3bdfee533"
        "a2ba9b67d40c21e8087d0203010001");
    auto pub = p.import_public_key_spki(spki_1024);
    ASSERT_TRUE(pub);
    EXPECT_EQ(pub->bits(), 1024u);
    EXPECT_EQ(p.verify(*pub, {signature_algorithm::rsa_pkcs1, hash_algorithm::sha256, std::nullopt},
                       as_bytes("x"), std::vector<std::uint8_t>(128))
                  .error(),
              crypto_errc::invalid_key);
    EXPECT_EQ(p.generate_private_key(key_type::rsa, 1024).error(), crypto_errc::invalid_key);
}
