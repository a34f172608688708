// AEAD through the OpenSSL provider: RFC 8439 2.8.2, the GCM spec test cases 2-4 and 14-16,
// in-place sealing/opening with one reused context, and the failure paths.
#include "crypto/provider.hpp"
#include "unit/crypto/test_util.hpp"

#include <gtest/gtest.h>

using namespace awsio;
using namespace awsio::crypto;
using awsio::crypto::test::hex;
using awsio::crypto::test::unhex;

namespace {

struct aead_case {
    const char *name;
    aead_algorithm alg;
    const char *key, *nonce, *aad, *plaintext, *ciphertext, *tag;
};

constexpr const char *gcm_p3 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                               "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
constexpr const char *gcm_p4 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                               "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
constexpr const char *gcm_k = "feffe9928665731c6d6a8f9467308308";
constexpr const char *gcm_k256 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr const char *gcm_a = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

const aead_case cases[] = {
    {"rfc8439_2_8_2", aead_algorithm::chacha20_poly1305,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "070000004041424344454647",
     "50515253c0c1c2c3c4c5c6c7",
     // "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the
     // future, sunscreen would be it."
     "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a204966204920"
     "636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f7220746865206675747572652c207375"
     "6e73637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
     "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
     "3ff4def08e4b7a9de576d26586cec64b6116",
     "1ae10b594f09e26a7e902ecbd0600691"},
    {"gcm_test_case_2", aead_algorithm::aes_128_gcm, "00000000000000000000000000000000", "000000000000000000000000",
     "", "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"gcm_test_case_3", aead_algorithm::aes_128_gcm, gcm_k, "cafebabefacedbaddecaf888", "", gcm_p3,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa05"
     "1ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"gcm_test_case_4", aead_algorithm::aes_128_gcm, gcm_k, "cafebabefacedbaddecaf888", gcm_a, gcm_p4,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa05"
     "1ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"gcm_test_case_14", aead_algorithm::aes_256_gcm,
     "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "",
     "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"gcm_test_case_15", aead_algorithm::aes_256_gcm, gcm_k256, "cafebabefacedbaddecaf888", "", gcm_p3,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838"
     "c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"gcm_test_case_16", aead_algorithm::aes_256_gcm, gcm_k256, "cafebabefacedbaddecaf888", gcm_a, gcm_p4,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838"
     "c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

} // namespace

TEST(crypto_aead, published_vectors_seal_and_open_in_place) {
    for (const auto &c : cases) {
        auto ctx = openssl_provider().make_aead(c.alg, unhex(c.key));
        ASSERT_TRUE(ctx) << c.name;
        EXPECT_EQ((*ctx)->algorithm(), c.alg);
        const auto nonce = unhex(c.nonce);
        const auto aad = unhex(c.aad);
        auto buf = unhex(c.plaintext);
        std::uint8_t tag[16] = {};
        ASSERT_TRUE((*ctx)->seal(nonce, aad, buf, tag)) << c.name;
        EXPECT_EQ(hex(buf), c.ciphertext) << c.name;
        EXPECT_EQ(hex(tag), c.tag) << c.name;
        // Same context, other direction.
        ASSERT_TRUE((*ctx)->open(nonce, aad, buf, tag)) << c.name;
        EXPECT_EQ(hex(buf), c.plaintext) << c.name;
        // And again, to show the key schedule survives direction changes.
        ASSERT_TRUE((*ctx)->seal(nonce, aad, buf, tag)) << c.name;
        EXPECT_EQ(hex(buf), c.ciphertext) << c.name;
    }
}

TEST(crypto_aead, bad_tag_is_rejected_and_output_wiped) {
    for (const auto &c : cases) {
        auto ctx = openssl_provider().make_aead(c.alg, unhex(c.key));
        ASSERT_TRUE(ctx);
        auto buf = unhex(c.ciphertext);
        auto tag = unhex(c.tag);
        tag[5] ^= 0x01;
        result<void> r = (*ctx)->open(unhex(c.nonce), unhex(c.aad), buf, tag);
        ASSERT_FALSE(r) << c.name;
        EXPECT_EQ(r.error(), crypto_errc::bad_tag) << c.name;
        EXPECT_EQ(buf, std::vector<std::uint8_t>(buf.size(), 0)) << c.name;
        // A flipped AAD bit fails too; the context still works for the right input afterwards.
        auto buf2 = unhex(c.ciphertext);
        auto aad = unhex(c.aad);
        aad.push_back(0);
        r = (*ctx)->open(unhex(c.nonce), aad, buf2, unhex(c.tag));
        ASSERT_FALSE(r) << c.name;
        auto buf3 = unhex(c.ciphertext);
        EXPECT_TRUE((*ctx)->open(unhex(c.nonce), unhex(c.aad), buf3, unhex(c.tag))) << c.name;
        EXPECT_EQ(hex(buf3), c.plaintext) << c.name;
    }
}

TEST(crypto_aead, sizes_are_checked) {
    auto bad_key = openssl_provider().make_aead(aead_algorithm::aes_256_gcm, std::vector<std::uint8_t>(16));
    ASSERT_FALSE(bad_key);
    EXPECT_EQ(bad_key.error(), crypto_errc::invalid_length);
    auto ctx = openssl_provider().make_aead(aead_algorithm::aes_128_gcm, std::vector<std::uint8_t>(16));
    ASSERT_TRUE(ctx);
    std::vector<std::uint8_t> buf(10);
    std::uint8_t tag[16];
    std::uint8_t short_tag[12];
    EXPECT_EQ((*ctx)->seal(std::vector<std::uint8_t>(8), {}, buf, tag).error(), crypto_errc::invalid_length);
    EXPECT_EQ((*ctx)->seal(std::vector<std::uint8_t>(12), {}, buf, short_tag).error(), crypto_errc::invalid_length);
    EXPECT_EQ((*ctx)->open(std::vector<std::uint8_t>(12), {}, buf, short_tag).error(), crypto_errc::invalid_length);
}

TEST(crypto_aead, many_records_with_one_context) {
    for (aead_algorithm alg : {aead_algorithm::aes_128_gcm, aead_algorithm::aes_256_gcm,
                               aead_algorithm::chacha20_poly1305}) {
        std::vector<std::uint8_t> key(aead_key_size(alg), 0x42);
        auto sealer = openssl_provider().make_aead(alg, key);
        auto opener = openssl_provider().make_aead(alg, key);
        ASSERT_TRUE(sealer);
        ASSERT_TRUE(opener);
        std::vector<std::uint8_t> record(16384 + 1);
        for (std::uint64_t seq = 0; seq < 50; ++seq) {
            std::uint8_t nonce[12] = {};
            for (int i = 0; i < 8; ++i) {
                nonce[4 + i] = static_cast<std::uint8_t>(seq >> (56 - 8 * i));
            }
            const std::size_t len = (seq * 331) % record.size();
            for (std::size_t i = 0; i < len; ++i) {
                record[i] = static_cast<std::uint8_t>(i + seq);
            }
            std::span<std::uint8_t> body(record.data(), len);
            std::uint8_t aad[5] = {23, 3, 3, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
            std::uint8_t tag[16];
            ASSERT_TRUE((*sealer)->seal(nonce, aad, body, tag));
            ASSERT_TRUE((*opener)->open(nonce, aad, body, tag)) << to_string(alg) << " seq " << seq;
            for (std::size_t i = 0; i < len; ++i) {
                ASSERT_EQ(record[i], static_cast<std::uint8_t>(i + seq));
            }
        }
    }
}
