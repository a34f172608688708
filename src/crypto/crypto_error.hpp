// crypto/crypto_error.hpp — the error values of the crypto provider (category "awsio-crypto").
// TLS and X.509 code maps them to io_errc where a caller-visible code is needed.
#pragma once

#include <system_error>

namespace awsio::crypto {

/// Why a crypto primitive failed. Zero is never used (it means success in std::error_code).
enum class crypto_errc : int {
    bad_tag = 1,    ///< AEAD open: the authentication tag does not match (output wiped)
    bad_signature,  ///< signature verification failed, or the signature is malformed
    invalid_key,    ///< key material refused: wrong size, wrong type, out of range, unparsable DER
    invalid_point,  ///< peer public value refused: off the curve, infinity, wrong encoding,
                    ///< or a key agreement giving an all-zero secret (RFC 8446 7.4.2)
    unsupported,    ///< algorithm, curve, key type or parameter not offered by the provider
    invalid_length, ///< a size outside what the primitive allows (nonce, output length, ...)
    internal,       ///< the backend failed unexpectedly (allocation, library error)
};

/// Category of crypto_errc; name() is "awsio-crypto". A thread-safe singleton.
const std::error_category &crypto_category() noexcept;

inline std::error_code make_error_code(crypto_errc e) noexcept {
    return {static_cast<int>(e), crypto_category()};
}

} // namespace awsio::crypto

template <>
struct std::is_error_code_enum<awsio::crypto::crypto_errc> : std::true_type {};
