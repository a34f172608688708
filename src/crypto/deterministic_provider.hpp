// crypto/deterministic_provider.hpp — an INSECURE provider with predictable "randomness" and a
// settable clock, for fuzzing and for replaying published handshake traces. Never use it to
// protect real traffic.
#pragma once

#include "crypto/provider.hpp"

#include <deque>

namespace awsio::crypto {

/// Randomness comes first from bytes queued with push_random() (e.g. a trace's client random
/// and ephemeral private key, in the order the handshake consumes them), then from a stream
/// fully determined by the seed: SHA-256(seed || counter) blocks. Ephemeral X25519 / P-256 /
/// P-384 keys and generated Ed25519 / EC keys are derived from that randomness, so two
/// instances with the same seed and script produce the same keys. Every other primitive is
/// delegated to `real` unchanged; in particular ECDSA and RSA-PSS signatures and RSA key
/// generation still draw on the real CSPRNG inside libcrypto and are not reproducible.
/// now_seconds() returns the fixed time given (default 1,700,000,000: 2023-11-14).
/// Not thread-safe: one instance per fuzz iteration / test.
class insecure_deterministic_provider final : public provider {
public:
    static constexpr std::uint64_t default_now = 1'700'000'000;

    explicit insecure_deterministic_provider(std::uint64_t seed = 0,
                                             std::uint64_t now = default_now,
                                             provider &real = openssl_provider()) noexcept
        : real_(real), seed_(seed), now_(now) {}

    /// Queues bytes to be returned by the next random_bytes() calls before the seeded stream.
    void push_random(bytes_view bytes) { script_.insert(script_.end(), bytes.begin(), bytes.end()); }
    /// Restarts the seeded stream (the script queue is kept).
    void reseed(std::uint64_t seed) noexcept {
        seed_ = seed;
        counter_ = 0;
        block_used_ = block_size;
    }
    void set_now_seconds(std::uint64_t now) noexcept { now_ = now; }

    std::string_view name() const noexcept override { return "insecure-deterministic"; }
    bool is_secure() const noexcept override { return false; }

    result<void> random_bytes(mutable_bytes out) override;
    std::uint64_t now_seconds() const override { return now_; }

    result<std::unique_ptr<hash_context>> make_hash(hash_algorithm h) const override {
        return real_.make_hash(h);
    }
    result<digest> hash(hash_algorithm h, bytes_view data) const override { return real_.hash(h, data); }
    result<std::unique_ptr<hmac_context>> make_hmac(hash_algorithm h, bytes_view key) const override {
        return real_.make_hmac(h, key);
    }
    result<digest> hmac(hash_algorithm h, bytes_view key, bytes_view data) const override {
        return real_.hmac(h, key, data);
    }
    result<digest> hkdf_extract(hash_algorithm h, bytes_view salt, bytes_view ikm) const override {
        return real_.hkdf_extract(h, salt, ikm);
    }
    result<void> hkdf_expand(hash_algorithm h, bytes_view prk, bytes_view info,
                             mutable_bytes out) const override {
        return real_.hkdf_expand(h, prk, info, out);
    }
    result<void> tls12_prf(hash_algorithm h, bytes_view secret, bytes_view label, bytes_view seed,
                           mutable_bytes out) const override {
        return real_.tls12_prf(h, secret, label, seed, out);
    }
    result<std::unique_ptr<aead_context>> make_aead(aead_algorithm a, bytes_view key) const override {
        return real_.make_aead(a, key);
    }

    result<key_exchange_keypair> generate_key_exchange(key_exchange_group g) override;
    result<std::vector<std::uint8_t>> key_exchange_public_bytes(const private_key &own) const override {
        return real_.key_exchange_public_bytes(own);
    }
    result<secret_buffer> key_agreement(const private_key &own, bytes_view peer_public) const override {
        return real_.key_agreement(own, peer_public);
    }
    result<secret_buffer> key_agreement(const private_key &own, const public_key &peer) const override {
        return real_.key_agreement(own, peer);
    }

    result<std::vector<std::uint8_t>> sign(const private_key &key, const signature_params &params,
                                           bytes_view message) override {
        return real_.sign(key, params, message);
    }
    result<void> verify(const public_key &key, const signature_params &params, bytes_view message,
                        bytes_view signature) const override {
        return real_.verify(key, params, message, signature);
    }

    result<private_key> generate_private_key(key_type t, std::size_t rsa_bits = 0) override;
    result<private_key> import_private_key_der(bytes_view der) const override {
        return real_.import_private_key_der(der);
    }
    result<public_key> import_public_key_spki(bytes_view der) const override {
        return real_.import_public_key_spki(der);
    }
    result<private_key> import_raw_private_key(key_type t, bytes_view raw) const override {
        return real_.import_raw_private_key(t, raw);
    }
    result<public_key> import_raw_public_key(key_type t, bytes_view raw) const override {
        return real_.import_raw_public_key(t, raw);
    }
    result<public_key> public_key_of(const private_key &key) const override {
        return real_.public_key_of(key);
    }
    result<std::vector<std::uint8_t>> export_public_key_spki(const public_key &key) const override {
        return real_.export_public_key_spki(key);
    }
    result<secret_buffer> export_private_key_pkcs8(const private_key &key) const override {
        return real_.export_private_key_pkcs8(key);
    }

private:
    static constexpr std::size_t block_size = 32;

    provider &real_;
    std::deque<std::uint8_t> script_;
    std::uint64_t seed_;
    std::uint64_t now_;
    std::uint64_t counter_ = 0;
    digest block_;
    std::size_t block_used_ = block_size;
};

} // namespace awsio::crypto
