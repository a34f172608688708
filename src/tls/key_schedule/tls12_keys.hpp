// tls/key_schedule/tls12_keys.hpp — TLS 1.2 key derivation (RFC 5246 6.3, 7.4.9, 8.1) with the
// extended master secret (RFC 7627 4), for the AEAD suites only: AES-128-GCM and AES-256-GCM
// (RFC 5288 / RFC 5289, 4-byte implicit salt) and ChaCha20-Poly1305 (RFC 7905, 12-byte IV),
// with ECDHE-ECDSA or ECDHE-RSA; the PRF hash is SHA-256 except SHA-384 for AES-256-GCM.
//
// Errors: crypto provider errors are passed through; sizes that make no sense (random not 32
// bytes, session hash not a digest length) are tls::errc::internal_error (caller bugs).
// Threads: pure functions, reentrant. Results are wiped on destruction.
#pragma once

#include "crypto/provider.hpp"

#include <awsio/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace awsio::tls {

inline constexpr std::size_t tls12_master_secret_size = 48;
inline constexpr std::size_t tls12_random_size = 32;
inline constexpr std::size_t tls12_verify_data_size = 12;

/// The implicit part of the per-record nonce from the key block: 4 bytes of salt for AES-GCM
/// (RFC 5288 3), the full 12-byte IV for ChaCha20-Poly1305 (RFC 7905 2).
constexpr std::size_t tls12_fixed_iv_size(crypto::aead_algorithm a) noexcept {
    return a == crypto::aead_algorithm::chacha20_poly1305 ? 12 : 4;
}

/// The PRF hash of a TLS 1.2 AEAD suite: SHA-384 for AES-256-GCM, SHA-256 for the others.
constexpr crypto::hash_algorithm tls12_prf_hash(crypto::aead_algorithm a) noexcept {
    return a == crypto::aead_algorithm::aes_256_gcm ? crypto::hash_algorithm::sha384
                                                    : crypto::hash_algorithm::sha256;
}

/// master_secret = PRF(pre_master_secret, "master secret", ClientHello.random +
/// ServerHello.random)[0..47].
result<crypto::secret_buffer> tls12_master_secret(const crypto::provider &p, crypto::hash_algorithm prf_hash,
                                                  std::span<const std::uint8_t> pre_master_secret,
                                                  std::span<const std::uint8_t> client_random,
                                                  std::span<const std::uint8_t> server_random);

/// RFC 7627: master_secret = PRF(pre_master_secret, "extended master secret", session_hash)
/// [0..47], session_hash = Hash(ClientHello .. ClientKeyExchange) with the PRF hash.
result<crypto::secret_buffer> tls12_extended_master_secret(const crypto::provider &p, crypto::hash_algorithm prf_hash,
                                                           std::span<const std::uint8_t> pre_master_secret,
                                                           std::span<const std::uint8_t> session_hash);

/// The keys of both directions (MAC keys are empty for AEAD suites and omitted).
struct tls12_key_block {
    crypto::secret_buffer client_write_key;
    crypto::secret_buffer server_write_key;
    crypto::secret_buffer client_write_iv; ///< tls12_fixed_iv_size() bytes
    crypto::secret_buffer server_write_iv;
};

/// key_block = PRF(master_secret, "key expansion", server_random + client_random), split as
/// client key, server key, client IV, server IV (RFC 5246 6.3).
result<tls12_key_block> tls12_derive_key_block(const crypto::provider &p, crypto::aead_algorithm a,
                                               crypto::hash_algorithm prf_hash,
                                               std::span<const std::uint8_t> master_secret,
                                               std::span<const std::uint8_t> client_random,
                                               std::span<const std::uint8_t> server_random);

enum class tls12_finished_sender : std::uint8_t { client, server };

/// verify_data = PRF(master_secret, "client finished" | "server finished",
/// Hash(handshake_messages))[0..11]; `handshake_hash` is that hash with the PRF hash.
result<std::array<std::uint8_t, tls12_verify_data_size>>
tls12_finished_verify_data(const crypto::provider &p, crypto::hash_algorithm prf_hash,
                           std::span<const std::uint8_t> master_secret, tls12_finished_sender sender,
                           std::span<const std::uint8_t> handshake_hash);

} // namespace awsio::tls
