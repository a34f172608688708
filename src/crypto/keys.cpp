// Reference counting and comparison of the key handles (EVP_PKEY underneath).
#include "crypto/keys.hpp"

#include <openssl/evp.h>

#include <utility>

namespace awsio::crypto {

std::string_view to_string(key_type t) noexcept {
    switch (t) {
    case key_type::rsa:
        return "rsa";
    case key_type::rsa_pss:
        return "rsa_pss";
    case key_type::ec_p256:
        return "ec_p256";
    case key_type::ec_p384:
        return "ec_p384";
    case key_type::ed25519:
        return "ed25519";
    case key_type::x25519:
        return "x25519";
    }
    return "unknown";
}

namespace detail {

key_handle::key_handle(const key_handle &o) noexcept : pkey_(o.pkey_), info_(o.info_) {
    // EVP_PKEY_up_ref only fails on a null key; the reference count is atomic.
    if (pkey_ != nullptr && EVP_PKEY_up_ref(pkey_) != 1) {
        pkey_ = nullptr;
    }
}

key_handle &key_handle::operator=(const key_handle &o) noexcept {
    if (this != &o) {
        key_handle copy(o);
        *this = std::move(copy);
    }
    return *this;
}

key_handle::key_handle(key_handle &&o) noexcept
    : pkey_(std::exchange(o.pkey_, nullptr)), info_(o.info_) {}

key_handle &key_handle::operator=(key_handle &&o) noexcept {
    if (this != &o) {
        EVP_PKEY_free(pkey_);
        pkey_ = std::exchange(o.pkey_, nullptr);
        info_ = o.info_;
    }
    return *this;
}

key_handle::~key_handle() { EVP_PKEY_free(pkey_); }

} // namespace detail

bool operator==(const public_key &a, const public_key &b) noexcept {
    if (!a.valid() || !b.valid()) {
        return a.valid() == b.valid();
    }
    return EVP_PKEY_eq(a.native_handle(), b.native_handle()) == 1;
}

bool private_key::matches(const public_key &pub) const noexcept {
    if (!valid() || !pub.valid() || type() != pub.type()) {
        return false;
    }
    return EVP_PKEY_eq(native_handle(), pub.native_handle()) == 1;
}

} // namespace awsio::crypto
