// The "awsio-crypto" error category: names and messages of crypto_errc.
#include "crypto/crypto_error.hpp"

#include <string>

namespace awsio::crypto {
namespace {

class crypto_category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "awsio-crypto"; }
    std::string message(int value) const override {
        switch (static_cast<crypto_errc>(value)) {
        case crypto_errc::bad_tag:
            return "AEAD authentication tag mismatch";
        case crypto_errc::bad_signature:
            return "signature verification failed";
        case crypto_errc::invalid_key:
            return "invalid or unusable key material";
        case crypto_errc::invalid_point:
            return "invalid peer public value";
        case crypto_errc::unsupported:
            return "unsupported algorithm or parameter";
        case crypto_errc::invalid_length:
            return "length not allowed by the primitive";
        case crypto_errc::internal:
            return "internal crypto backend failure";
        }
        return "unknown crypto error";
    }
};

} // namespace

const std::error_category &crypto_category() noexcept {
    static const crypto_category_impl instance;
    return instance;
}

} // namespace awsio::crypto
