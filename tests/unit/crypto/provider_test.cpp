// Provider plumbing: randomness, time, constant-time compare, secret_buffer, the error
// category, and the insecure deterministic provider's reproducibility.
#include "crypto/deterministic_provider.hpp"
#include "crypto/provider.hpp"
#include "unit/crypto/test_util.hpp"

#include <gtest/gtest.h>

#include <chrono>

using namespace awsio;
using namespace awsio::crypto;
using awsio::crypto::test::hex;
using awsio::crypto::test::unhex;

TEST(crypto_provider, openssl_random_and_time) {
    provider &p = openssl_provider();
    EXPECT_EQ(&p, &openssl_provider());
    EXPECT_TRUE(p.is_secure());
    EXPECT_EQ(p.name(), "openssl");
    std::vector<std::uint8_t> a(64), b(64);
    ASSERT_TRUE(p.random_bytes(a));
    ASSERT_TRUE(p.random_bytes(b));
    EXPECT_NE(a, b);
    EXPECT_TRUE(p.random_bytes({}));
    const auto now = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    EXPECT_LE(p.now_seconds() > now ? p.now_seconds() - now : now - p.now_seconds(), 5u);
}

TEST(crypto_provider, constant_time_equal_and_wipe) {
    const auto x = unhex("0102030405");
    auto y = x;
    EXPECT_TRUE(constant_time_equal(x, y));
    y[4] = 6;
    EXPECT_FALSE(constant_time_equal(x, y));
    EXPECT_FALSE(constant_time_equal(x, std::span(x).first(4)));
    EXPECT_TRUE(constant_time_equal({}, {}));
    secure_wipe(y);
    EXPECT_EQ(y, std::vector<std::uint8_t>(5, 0));
}

TEST(crypto_provider, secret_buffer_semantics) {
    secret_buffer s(unhex("a1a2a3a4"));
    EXPECT_EQ(s.size(), 4u);
    EXPECT_EQ(hex(s.view()), "a1a2a3a4");
    secret_buffer t = std::move(s);
    EXPECT_TRUE(s.empty());
    EXPECT_EQ(t.size(), 4u);
    secret_buffer u = t.clone();
    EXPECT_TRUE(u == t);
    u.truncate(2);
    EXPECT_EQ(hex(u.view()), "a1a2");
    EXPECT_FALSE(u == t);
    t = std::move(u);
    EXPECT_EQ(t.size(), 2u);
    t.clear();
    EXPECT_TRUE(t.empty());
    secret_buffer zeros(3);
    EXPECT_EQ(hex(zeros.view()), "000000");
    static_assert(!std::is_copy_constructible_v<secret_buffer>);
}

TEST(crypto_provider, error_category) {
    std::error_code ec = crypto_errc::bad_tag;
    EXPECT_STREQ(ec.category().name(), "awsio-crypto");
    EXPECT_EQ(ec.message(), "AEAD authentication tag mismatch");
    EXPECT_NE(std::error_code(crypto_errc::internal), std::error_code(crypto_errc::unsupported));
    for (int v = 1; v <= 7; ++v) {
        EXPECT_NE(crypto_category().message(v), "unknown crypto error");
    }
}

TEST(crypto_deterministic_provider, same_seed_same_bytes_and_keys) {
    insecure_deterministic_provider a(42), b(42), c(43);
    EXPECT_FALSE(a.is_secure());
    EXPECT_EQ(a.now_seconds(), insecure_deterministic_provider::default_now);
    a.set_now_seconds(5);
    EXPECT_EQ(a.now_seconds(), 5u);
    std::vector<std::uint8_t> ra(100), rb(100), rc(100);
    ASSERT_TRUE(a.random_bytes(ra));
    ASSERT_TRUE(b.random_bytes(std::span(rb).first(7)));
    ASSERT_TRUE(b.random_bytes(std::span(rb).subspan(7)));
    ASSERT_TRUE(c.random_bytes(rc));
    EXPECT_EQ(ra, rb); // independent of how the reads are split
    EXPECT_NE(ra, rc);
    for (auto g : {key_exchange_group::x25519, key_exchange_group::secp256r1, key_exchange_group::secp384r1}) {
        auto ka = a.generate_key_exchange(g);
        auto kb = b.generate_key_exchange(g);
        ASSERT_TRUE(ka);
        ASSERT_TRUE(kb);
        EXPECT_EQ(ka->public_bytes, kb->public_bytes);
        // Keys work with the real provider.
        auto peer = openssl_provider().generate_key_exchange(g);
        ASSERT_TRUE(peer);
        auto s1 = a.key_agreement(ka->key, peer->public_bytes);
        auto s2 = openssl_provider().key_agreement(peer->key, ka->public_bytes);
        ASSERT_TRUE(s1);
        ASSERT_TRUE(s2);
        EXPECT_TRUE(*s1 == *s2);
    }
    a.reseed(42);
    std::vector<std::uint8_t> again(100);
    ASSERT_TRUE(a.random_bytes(again));
    EXPECT_EQ(again, ra);
}

TEST(crypto_deterministic_provider, scripted_bytes_reproduce_a_trace_key) {
    // RFC 7748 6.1: scripting Alice's private key makes the generated key share her public key.
    insecure_deterministic_provider p;
    const auto client_random = unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    p.push_random(client_random);
    p.push_random(unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    std::vector<std::uint8_t> random(32);
    ASSERT_TRUE(p.random_bytes(random));
    EXPECT_EQ(random, client_random);
    auto kp = p.generate_key_exchange(key_exchange_group::x25519);
    ASSERT_TRUE(kp);
    EXPECT_EQ(hex(kp->public_bytes), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    // Everything else is delegated to the real provider.
    auto d = p.hash(hash_algorithm::sha256, as_bytes("abc"));
    ASSERT_TRUE(d);
    EXPECT_EQ(hex(d->view()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    auto ed = p.generate_private_key(key_type::ed25519);
    ASSERT_TRUE(ed);
    auto sig = p.sign(*ed, {signature_algorithm::ed25519, hash_algorithm::sha512, std::nullopt}, as_bytes("m"));
    ASSERT_TRUE(sig);
    auto pub = p.public_key_of(*ed);
    ASSERT_TRUE(pub);
    EXPECT_TRUE(openssl_provider().verify(*pub, {signature_algorithm::ed25519, hash_algorithm::sha512, std::nullopt},
                                          as_bytes("m"), *sig));
}
