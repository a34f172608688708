// Secure wipe and constant-time comparison over OpenSSL's OPENSSL_cleanse / CRYPTO_memcmp,
// whose implementations the compiler cannot turn into early-exit or dead-store-eliminated code.
#include "crypto/secret_buffer.hpp"

#include <openssl/crypto.h>

namespace awsio::crypto {

void secure_wipe(void *data, std::size_t size) noexcept {
    if (data != nullptr && size != 0) {
        OPENSSL_cleanse(data, size);
    }
}

void secure_wipe(std::span<std::uint8_t> bytes) noexcept {
    secure_wipe(bytes.data(), bytes.size());
}

bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    if (a.empty()) {
        return true;
    }
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace awsio::crypto
