// Hashes, HMAC (RFC 4231), HKDF (RFC 5869) and the TLS 1.2 PRF through the OpenSSL provider.
#include "crypto/provider.hpp"
#include "unit/crypto/test_util.hpp"

#include <gtest/gtest.h>

using namespace awsio;
using namespace awsio::crypto;
using awsio::crypto::test::bytes_of;
using awsio::crypto::test::hex;
using awsio::crypto::test::unhex;

namespace {

std::string hash_hex(hash_algorithm h, std::string_view data) {
    result<digest> d = openssl_provider().hash(h, as_bytes(data));
    EXPECT_TRUE(d) << d.error().message();
    return d ? hex(d->view()) : std::string();
}

} // namespace

TEST(crypto_hash, sha_abc_digests) {
    EXPECT_EQ(hash_hex(hash_algorithm::sha256, "abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hash_hex(hash_algorithm::sha384, "abc"),
              "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
              "8086072ba1e7cc2358baeca134c825a7");
    EXPECT_EQ(hash_hex(hash_algorithm::sha512, "abc"),
              "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
              "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    EXPECT_EQ(hash_hex(hash_algorithm::sha1, "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(hash_hex(hash_algorithm::sha256, ""),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(crypto_hash, incremental_matches_one_shot_and_forks) {
    auto ctx = openssl_provider().make_hash(hash_algorithm::sha256);
    ASSERT_TRUE(ctx);
    EXPECT_EQ((*ctx)->algorithm(), hash_algorithm::sha256);
    (*ctx)->update(as_bytes("a"));
    auto fork = (*ctx)->clone();
    ASSERT_TRUE(fork);
    (*ctx)->update(as_bytes("bc"));
    result<digest> mid = (*ctx)->current();
    ASSERT_TRUE(mid);
    EXPECT_EQ(hex(mid->view()), hash_hex(hash_algorithm::sha256, "abc"));
    (*ctx)->update(as_bytes("d"));
    result<digest> full = (*ctx)->finish();
    ASSERT_TRUE(full);
    EXPECT_EQ(hex(full->view()), hash_hex(hash_algorithm::sha256, "abcd"));
    // The fork continues independently from "a".
    (*fork)->update(as_bytes("xyz"));
    result<digest> forked = (*fork)->finish();
    ASSERT_TRUE(forked);
    EXPECT_EQ(hex(forked->view()), hash_hex(hash_algorithm::sha256, "axyz"));
    // finish() resets to empty.
    result<digest> empty = (*ctx)->finish();
    ASSERT_TRUE(empty);
    EXPECT_EQ(hex(empty->view()), hash_hex(hash_algorithm::sha256, ""));
}

struct rfc4231_case {
    int number;
    std::vector<std::uint8_t> key;
    std::vector<std::uint8_t> data;
    std::size_t truncate; // 0: full output
    const char *sha256;
    const char *sha384;
    const char *sha512;
};

TEST(crypto_hmac, rfc4231_test_cases_1_to_7) {
    const std::vector<std::uint8_t> big_key(131, 0xaa);
    const rfc4231_case cases[] = {
        {1, std::vector<std::uint8_t>(20, 0x0b), bytes_of("Hi There"), 0,
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
         "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
         "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4"
         "be9d914eeb61f1702e696c203a126854"},
        {2, bytes_of("Jefe"), bytes_of("what do ya want for nothing?"), 0,
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
         "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
         "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fd"
         "caeab1a34d4a6b4b636e070a38bce737"},
        {3, std::vector<std::uint8_t>(20, 0xaa), std::vector<std::uint8_t>(50, 0xdd), 0,
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
         "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
         "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807"
         "b946a337bee8942674278859e13292fb"},
        {4, unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::vector<std::uint8_t>(50, 0xcd), 0,
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
         "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
         "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063"
         "a5f19741120c4f2de2adebeb10a298dd"},
        {5, std::vector<std::uint8_t>(20, 0x0c), bytes_of("Test With Truncation"), 16,
         "a3b6167473100ee06e0c796c2955552b", "3abf34c3503b2a23a46efc619baef897",
         "415fad6271580a531d4179bc891d87a6"},
        {6, big_key, bytes_of("Test Using Larger Than Block-Size Key - Hash Key First"), 0,
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
         "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
         "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e52"
         "95e64f73f63f0aec8b915a985d786598"},
        {7, big_key,
         bytes_of("This is a test using a larger than block-size key and a larger than block-size data. The "
                  "key needs to be hashed before being used by the HMAC algorithm."),
         0, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
         "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
         "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15"
         "134676fb6de0446065c97440fa8c6a58"},
    };
    for (const auto &c : cases) {
        const std::pair<hash_algorithm, const char *> expect[] = {
            {hash_algorithm::sha256, c.sha256}, {hash_algorithm::sha384, c.sha384},
            {hash_algorithm::sha512, c.sha512}};
        for (const auto &[alg, want] : expect) {
            result<digest> mac = openssl_provider().hmac(alg, c.key, c.data);
            ASSERT_TRUE(mac) << "case " << c.number;
            bytes_view got = mac->view();
            if (c.truncate != 0) {
                got = got.first(c.truncate);
            }
            EXPECT_EQ(hex(got), want) << "case " << c.number << " " << to_string(alg);

            // Incremental, byte by byte, then the context is reusable for the same key.
            auto ctx = openssl_provider().make_hmac(alg, c.key);
            ASSERT_TRUE(ctx);
            for (std::uint8_t b : c.data) {
                (*ctx)->update(bytes_view(&b, 1));
            }
            result<digest> inc = (*ctx)->finish();
            ASSERT_TRUE(inc);
            EXPECT_TRUE(*inc == *mac) << "case " << c.number;
            (*ctx)->update(c.data);
            result<digest> again = (*ctx)->finish();
            ASSERT_TRUE(again);
            EXPECT_TRUE(*again == *mac) << "case " << c.number;
        }
    }
}

TEST(crypto_hmac, empty_key_and_clone) {
    result<digest> mac = openssl_provider().hmac(hash_algorithm::sha256, {}, {});
    ASSERT_TRUE(mac);
    EXPECT_EQ(hex(mac->view()), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    auto ctx = openssl_provider().make_hmac(hash_algorithm::sha256, as_bytes("key"));
    ASSERT_TRUE(ctx);
    (*ctx)->update(as_bytes("The quick brown fox "));
    auto fork = (*ctx)->clone();
    ASSERT_TRUE(fork);
    (*fork)->update(as_bytes("jumps over the lazy dog"));
    result<digest> d = (*fork)->finish();
    ASSERT_TRUE(d);
    EXPECT_EQ(hex(d->view()), "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

struct rfc5869_case {
    int number;
    std::vector<std::uint8_t> ikm, salt, info;
    std::size_t length;
    const char *prk;
    const char *okm;
};

TEST(crypto_hkdf, rfc5869_sha256_cases_1_to_3) {
    auto range = [](int from, int to) {
        std::vector<std::uint8_t> v;
        for (int i = from; i < to; ++i) {
            v.push_back(static_cast<std::uint8_t>(i));
        }
        return v;
    };
    const rfc5869_case cases[] = {
        {1, std::vector<std::uint8_t>(22, 0x0b), unhex("000102030405060708090a0b0c"),
         unhex("f0f1f2f3f4f5f6f7f8f9"), 42,
         "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
         "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
        {2, range(0x00, 0x50), range(0x60, 0xb0), range(0xb0, 0x100), 82,
         "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
         "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
         "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
        {3, std::vector<std::uint8_t>(22, 0x0b), {}, {}, 42,
         "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
         "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
    };
    for (const auto &c : cases) {
        result<digest> prk = openssl_provider().hkdf_extract(hash_algorithm::sha256, c.salt, c.ikm);
        ASSERT_TRUE(prk) << "case " << c.number;
        EXPECT_EQ(hex(prk->view()), c.prk) << "case " << c.number;
        std::vector<std::uint8_t> okm(c.length);
        ASSERT_TRUE(openssl_provider().hkdf_expand(hash_algorithm::sha256, *prk, c.info, okm));
        EXPECT_EQ(hex(okm), c.okm) << "case " << c.number;
    }
}

TEST(crypto_hkdf, expand_length_limit) {
    std::vector<std::uint8_t> prk(32, 1);
    std::vector<std::uint8_t> ok(255 * 32);
    EXPECT_TRUE(openssl_provider().hkdf_expand(hash_algorithm::sha256, prk, {}, ok));
    std::vector<std::uint8_t> too_long(255 * 32 + 1);
    result<void> r = openssl_provider().hkdf_expand(hash_algorithm::sha256, prk, {}, too_long);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), crypto_errc::invalid_length);
}

TEST(crypto_prf, tls12_prf_sha256_known_answer) {
    // The TLS 1.2 PRF-SHA256 test vector published on the IETF TLS list (100 bytes).
    const auto secret = unhex("9bbe436ba940f017b17652849a71db35");
    const auto seed = unhex("a0ba9f936cda311827a6f796ffd5198c");
    std::vector<std::uint8_t> out(100);
    ASSERT_TRUE(openssl_provider().tls12_prf(hash_algorithm::sha256, secret, as_bytes("test label"), seed, out));
    EXPECT_EQ(hex(out),
              "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af"
              "0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
              "87347b66");
    // A shorter output is a prefix of the longer one.
    std::vector<std::uint8_t> short_out(13);
    ASSERT_TRUE(openssl_provider().tls12_prf(hash_algorithm::sha256, secret, as_bytes("test label"), seed, short_out));
    EXPECT_EQ(hex(short_out), hex(std::span(out).first(13)));
}

TEST(crypto_prf, tls12_prf_sha384_and_unsupported_hash) {
    std::vector<std::uint8_t> out(148);
    const auto secret = unhex("b80b733d6ceefcdc71566ea48e5567df");
    const auto seed = unhex("cd665cf6a8447dd6ff8b27555edb7465");
    ASSERT_TRUE(openssl_provider().tls12_prf(hash_algorithm::sha384, secret, as_bytes("test label"), seed, out));
    EXPECT_EQ(hex(std::span(out).first(16)), "7b0c18e9ced410ed1804f2cfa34a336a");
    result<void> r = openssl_provider().tls12_prf(hash_algorithm::sha1, secret, as_bytes("x"), seed, out);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), crypto_errc::unsupported);
}
