// Key agreement: RFC 7748 X25519 vectors (5.2 and the 6.1 Diffie-Hellman example), ECDH on
// P-256 / P-384 with generated keys, and rejection of invalid peer values.
#include "crypto/provider.hpp"
#include "unit/crypto/test_util.hpp"

#include <gtest/gtest.h>

using namespace awsio;
using namespace awsio::crypto;
using awsio::crypto::test::hex;
using awsio::crypto::test::unhex;

namespace {

std::string x25519(const std::vector<std::uint8_t> &scalar, const std::vector<std::uint8_t> &u) {
    provider &p = openssl_provider();
    result<private_key> k = p.import_raw_private_key(key_type::x25519, scalar);
    EXPECT_TRUE(k);
    if (!k) {
        return {};
    }
    result<secret_buffer> s = p.key_agreement(*k, u);
    EXPECT_TRUE(s) << s.error().message();
    return s ? hex(s->view()) : std::string();
}

} // namespace

TEST(crypto_x25519, rfc7748_section_5_2_vectors) {
    EXPECT_EQ(x25519(unhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                     unhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")),
              "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    EXPECT_EQ(x25519(unhex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
                     unhex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")),
              "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

TEST(crypto_x25519, rfc7748_section_5_2_iterations) {
    // k = u = 9; then repeatedly k, u = X25519(k, u), k.
    std::vector<std::uint8_t> k(32, 0);
    k[0] = 9;
    std::vector<std::uint8_t> u = k;
    for (int i = 1; i <= 1000; ++i) {
        const std::vector<std::uint8_t> out = unhex(x25519(k, u));
        ASSERT_EQ(out.size(), 32u);
        u = k;
        k = out;
        if (i == 1) {
            EXPECT_EQ(hex(k), "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
        }
    }
    EXPECT_EQ(hex(k), "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

TEST(crypto_x25519, rfc7748_section_6_1_diffie_hellman) {
    provider &p = openssl_provider();
    auto alice = p.import_raw_private_key(key_type::x25519,
                                          unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    auto bob = p.import_raw_private_key(key_type::x25519,
                                        unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    ASSERT_TRUE(alice);
    ASSERT_TRUE(bob);
    EXPECT_EQ(alice->type(), key_type::x25519);
    auto alice_pub = p.key_exchange_public_bytes(*alice);
    auto bob_pub = p.key_exchange_public_bytes(*bob);
    ASSERT_TRUE(alice_pub);
    ASSERT_TRUE(bob_pub);
    EXPECT_EQ(hex(*alice_pub), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    EXPECT_EQ(hex(*bob_pub), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    auto k1 = p.key_agreement(*alice, *bob_pub);
    auto k2 = p.key_agreement(*bob, *alice_pub);
    ASSERT_TRUE(k1);
    ASSERT_TRUE(k2);
    EXPECT_EQ(hex(k1->view()), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    EXPECT_TRUE(*k1 == *k2);
}

TEST(crypto_x25519, low_order_peer_gives_invalid_point) {
    provider &p = openssl_provider();
    auto kp = p.generate_key_exchange(key_exchange_group::x25519);
    ASSERT_TRUE(kp);
    EXPECT_EQ(kp->public_bytes.size(), 32u);
    // u = 0 and u = 1 are low-order points: the shared secret is all zeros.
    std::vector<std::uint8_t> zero(32, 0);
    std::vector<std::uint8_t> one(32, 0);
    one[0] = 1;
    EXPECT_EQ(p.key_agreement(kp->key, zero).error(), crypto_errc::invalid_point);
    EXPECT_EQ(p.key_agreement(kp->key, one).error(), crypto_errc::invalid_point);
    EXPECT_EQ(p.key_agreement(kp->key, std::vector<std::uint8_t>(31, 5)).error(), crypto_errc::invalid_point);
}

TEST(crypto_ecdh, generated_keys_agree_on_both_curves) {
    provider &p = openssl_provider();
    for (auto [group, size] : {std::pair{key_exchange_group::secp256r1, std::size_t{32}},
                               std::pair{key_exchange_group::secp384r1, std::size_t{48}},
                               std::pair{key_exchange_group::x25519, std::size_t{32}}}) {
        auto a = p.generate_key_exchange(group);
        auto b = p.generate_key_exchange(group);
        ASSERT_TRUE(a);
        ASSERT_TRUE(b);
        if (group != key_exchange_group::x25519) {
            EXPECT_EQ(a->public_bytes.size(), 1 + 2 * size);
            EXPECT_EQ(a->public_bytes[0], 0x04);
        }
        auto s1 = p.key_agreement(a->key, b->public_bytes);
        auto s2 = p.key_agreement(b->key, a->public_bytes);
        ASSERT_TRUE(s1);
        ASSERT_TRUE(s2);
        EXPECT_EQ(s1->size(), size);
        EXPECT_TRUE(*s1 == *s2);
    }
}

TEST(crypto_ecdh, invalid_peer_points_are_rejected) {
    provider &p = openssl_provider();
    auto a = p.generate_key_exchange(key_exchange_group::secp256r1);
    auto other = p.generate_key_exchange(key_exchange_group::secp384r1);
    ASSERT_TRUE(a);
    ASSERT_TRUE(other);
    std::vector<std::uint8_t> good = a->public_bytes;
    // Off the curve: change the last byte of Y.
    auto off = good;
    off.back() ^= 1;
    EXPECT_EQ(p.key_agreement(a->key, off).error(), crypto_errc::invalid_point);
    // Compressed form (02/03 || X) is not accepted in key_share.
    std::vector<std::uint8_t> compressed(good.begin(), good.begin() + 33);
    compressed[0] = static_cast<std::uint8_t>(0x02 | (good.back() & 1));
    EXPECT_EQ(p.key_agreement(a->key, compressed).error(), crypto_errc::invalid_point);
    // Infinity (single 00 byte), empty, wrong prefix, a point of the other curve.
    EXPECT_EQ(p.key_agreement(a->key, std::vector<std::uint8_t>{0}).error(), crypto_errc::invalid_point);
    EXPECT_EQ(p.key_agreement(a->key, bytes_view{}).error(), crypto_errc::invalid_point);
    auto prefix = good;
    prefix[0] = 0x06;
    EXPECT_EQ(p.key_agreement(a->key, prefix).error(), crypto_errc::invalid_point);
    EXPECT_EQ(p.key_agreement(a->key, other->public_bytes).error(), crypto_errc::invalid_point);
    // X = 0, Y = 0 is not on the curve.
    std::vector<std::uint8_t> zeros(65, 0);
    zeros[0] = 4;
    EXPECT_EQ(p.key_agreement(a->key, zeros).error(), crypto_errc::invalid_point);
    // Mixed key types through the public_key overload.
    auto other_pub = p.import_raw_public_key(key_type::ec_p384, other->public_bytes);
    ASSERT_TRUE(other_pub);
    EXPECT_EQ(p.key_agreement(a->key, *other_pub).error(), crypto_errc::invalid_key);
}

TEST(crypto_ecdh, raw_scalar_import_range) {
    provider &p = openssl_provider();
    EXPECT_EQ(p.import_raw_private_key(key_type::ec_p256, std::vector<std::uint8_t>(32, 0)).error(),
              crypto_errc::invalid_key);
    // n itself is out of range; n - 1 is the largest valid scalar.
    const auto n = unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    EXPECT_EQ(p.import_raw_private_key(key_type::ec_p256, n).error(), crypto_errc::invalid_key);
    auto n_minus_1 = n;
    n_minus_1.back() -= 1;
    auto k = p.import_raw_private_key(key_type::ec_p256, n_minus_1);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->type(), key_type::ec_p256);
    EXPECT_EQ(k->bits(), 256u);
    // Leading zero bytes are allowed (33 bytes with a 00 prefix).
    std::vector<std::uint8_t> padded{0};
    padded.insert(padded.end(), n_minus_1.begin(), n_minus_1.end());
    EXPECT_TRUE(p.import_raw_private_key(key_type::ec_p256, padded));
    EXPECT_EQ(p.import_raw_private_key(key_type::ec_p256, std::vector<std::uint8_t>(33, 1)).error(),
              crypto_errc::invalid_key);
}
