// The insecure deterministic provider: scripted bytes, then a SHA-256 counter stream, and keys
// derived from them through the real provider's raw-key import.
#include "crypto/deterministic_provider.hpp"

namespace awsio::crypto {

result<void> insecure_deterministic_provider::random_bytes(mutable_bytes out) {
    std::size_t i = 0;
    while (i < out.size() && !script_.empty()) {
        out[i++] = script_.front();
        script_.pop_front();
    }
    while (i < out.size()) {
        if (block_used_ == block_size) {
            std::uint8_t input[16];
            for (int b = 0; b < 8; ++b) {
                input[b] = static_cast<std::uint8_t>(seed_ >> (8 * b));
                input[8 + b] = static_cast<std::uint8_t>(counter_ >> (8 * b));
            }
            ++counter_;
            result<digest> d = real_.hash(hash_algorithm::sha256, bytes_view(input, sizeof(input)));
            if (!d) {
                return unexpected(d.error());
            }
            block_ = *d;
            block_used_ = 0;
        }
        out[i++] = block_.data()[block_used_++];
    }
    return {};
}

result<private_key> insecure_deterministic_provider::generate_private_key(key_type t, std::size_t rsa_bits) {
    std::size_t size = 0;
    switch (t) {
    case key_type::x25519:
    case key_type::ed25519:
    case key_type::ec_p256:
        size = 32;
        break;
    case key_type::ec_p384:
        size = 48;
        break;
    case key_type::rsa:
    case key_type::rsa_pss:
        return real_.generate_private_key(t, rsa_bits);
    }
    // EC scalars must be below the group order: retry on the (rare) out-of-range draws. The
    // bound keeps a broken scripted input from looping forever.
    for (int attempt = 0; attempt < 64; ++attempt) {
        secret_buffer raw(size);
        if (result<void> ok = random_bytes(raw.span()); !ok) {
            return unexpected(ok.error());
        }
        result<private_key> key = real_.import_raw_private_key(t, raw.view());
        if (key || key.error() != make_error_code(crypto_errc::invalid_key)) {
            return key;
        }
    }
    return crypto_errc::internal;
}

result<key_exchange_keypair> insecure_deterministic_provider::generate_key_exchange(key_exchange_group g) {
    result<private_key> key = generate_private_key(key_type_of(g), 0);
    if (!key) {
        return unexpected(key.error());
    }
    result<std::vector<std::uint8_t>> pub = real_.key_exchange_public_bytes(*key);
    if (!pub) {
        return unexpected(pub.error());
    }
    return key_exchange_keypair{std::move(*key), std::move(*pub)};
}

} // namespace awsio::crypto
