// tls/key_schedule/tls12_keys.cpp — TLS 1.2 PRF uses: master secret, extended master secret, key
// block and Finished.
#include "tls/key_schedule/tls12_keys.hpp"

#include "tls/codec/tls_error.hpp"

#include <algorithm>

namespace awsio::tls {

namespace {

bool is_prf_hash(crypto::hash_algorithm h) noexcept {
    return h == crypto::hash_algorithm::sha256 || h == crypto::hash_algorithm::sha384;
}

} // namespace

result<crypto::secret_buffer> tls12_master_secret(const crypto::provider &p, crypto::hash_algorithm prf_hash,
                                                  std::span<const std::uint8_t> pre_master_secret,
                                                  std::span<const std::uint8_t> client_random,
                                                  std::span<const std::uint8_t> server_random) {
    if (!is_prf_hash(prf_hash) || client_random.size() != tls12_random_size ||
        server_random.size() != tls12_random_size) {
        return errc::internal_error;
    }
    std::array<std::uint8_t, 2 * tls12_random_size> seed{};
    std::copy(client_random.begin(), client_random.end(), seed.begin());
    std::copy(server_random.begin(), server_random.end(), seed.begin() + tls12_random_size);
    crypto::secret_buffer out(tls12_master_secret_size);
    if (auto r = p.tls12_prf(prf_hash, pre_master_secret, crypto::as_bytes("master secret"), seed, out.span()); !r) {
        return unexpected(r.error());
    }
    return out;
}

result<crypto::secret_buffer> tls12_extended_master_secret(const crypto::provider &p, crypto::hash_algorithm prf_hash,
                                                           std::span<const std::uint8_t> pre_master_secret,
                                                           std::span<const std::uint8_t> session_hash) {
    if (!is_prf_hash(prf_hash) || session_hash.size() != crypto::digest_size(prf_hash)) {
        return errc::internal_error;
    }
    crypto::secret_buffer out(tls12_master_secret_size);
    if (auto r = p.tls12_prf(prf_hash, pre_master_secret, crypto::as_bytes("extended master secret"), session_hash,
                             out.span());
        !r) {
        return unexpected(r.error());
    }
    return out;
}

result<tls12_key_block> tls12_derive_key_block(const crypto::provider &p, crypto::aead_algorithm a,
                                               crypto::hash_algorithm prf_hash,
                                               std::span<const std::uint8_t> master_secret,
                                               std::span<const std::uint8_t> client_random,
                                               std::span<const std::uint8_t> server_random) {
    if (!is_prf_hash(prf_hash) || master_secret.size() != tls12_master_secret_size ||
        client_random.size() != tls12_random_size || server_random.size() != tls12_random_size) {
        return errc::internal_error;
    }
    // Note the order: the key expansion seed is server_random first (RFC 5246 6.3), unlike the
    // master secret's.
    std::array<std::uint8_t, 2 * tls12_random_size> seed{};
    std::copy(server_random.begin(), server_random.end(), seed.begin());
    std::copy(client_random.begin(), client_random.end(), seed.begin() + tls12_random_size);

    const std::size_t key_size = crypto::aead_key_size(a);
    const std::size_t iv_size = tls12_fixed_iv_size(a);
    crypto::secret_buffer block(2 * key_size + 2 * iv_size);
    if (auto r = p.tls12_prf(prf_hash, master_secret, crypto::as_bytes("key expansion"), seed, block.span()); !r) {
        return unexpected(r.error());
    }
    const auto v = block.view();
    return tls12_key_block{
        crypto::secret_buffer(v.subspan(0, key_size)),
        crypto::secret_buffer(v.subspan(key_size, key_size)),
        crypto::secret_buffer(v.subspan(2 * key_size, iv_size)),
        crypto::secret_buffer(v.subspan(2 * key_size + iv_size, iv_size)),
    };
}

result<std::array<std::uint8_t, tls12_verify_data_size>>
tls12_finished_verify_data(const crypto::provider &p, crypto::hash_algorithm prf_hash,
                           std::span<const std::uint8_t> master_secret, tls12_finished_sender sender,
                           std::span<const std::uint8_t> handshake_hash) {
    if (!is_prf_hash(prf_hash) || handshake_hash.size() != crypto::digest_size(prf_hash)) {
        return errc::internal_error;
    }
    std::array<std::uint8_t, tls12_verify_data_size> out{};
    const auto label = crypto::as_bytes(sender == tls12_finished_sender::client ? "client finished" : "server finished");
    if (auto r = p.tls12_prf(prf_hash, master_secret, label, handshake_hash, out); !r) {
        return unexpected(r.error());
    }
    return out;
}

} // namespace awsio::tls
