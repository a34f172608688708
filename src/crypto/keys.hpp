// crypto/keys.hpp — opaque, reference-counted handles to public and private keys (RAII over the
// backend's key object), and the description of a key's type and size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

// The OpenSSL key object, declared only so that the handles can hold it without including
// OpenSSL headers outside src/crypto.
struct evp_pkey_st;

namespace awsio::crypto {

/// The key types the provider handles. Keys of any other type or curve are refused on import
/// with crypto_errc::unsupported.
enum class key_type : std::uint8_t {
    rsa,      ///< rsaEncryption: PKCS#1 v1.5 and PSS signatures
    rsa_pss,  ///< id-RSASSA-PSS: PSS only, possibly restricted by parameters in the key
    ec_p256,  ///< secp256r1: ECDSA and ECDH
    ec_p384,  ///< secp384r1: ECDSA and ECDH
    ed25519,  ///< Ed25519 signatures
    x25519,   ///< X25519 key agreement
};

/// Printable name ("rsa", "ec_p256", ...).
std::string_view to_string(key_type t) noexcept;

/// What a key is: its type and size in bits (the modulus for RSA, 256/384 for the curves,
/// 253 for Ed25519 and X25519 as OpenSSL reports them).
struct key_info {
    key_type type = key_type::rsa;
    std::size_t bits = 0;
};

namespace detail {

/// Shared handle over one immutable backend key. Copying adds a reference; the key is
/// freed with its last handle. Using one key from several threads at once is safe (the key
/// is never modified after import).
class key_handle {
public:
    key_handle() noexcept = default;
    key_handle(const key_handle &o) noexcept;
    key_handle &operator=(const key_handle &o) noexcept;
    key_handle(key_handle &&o) noexcept;
    key_handle &operator=(key_handle &&o) noexcept;
    ~key_handle();

    /// False for a default-constructed or moved-from handle.
    [[nodiscard]] bool valid() const noexcept { return pkey_ != nullptr; }
    explicit operator bool() const noexcept { return valid(); }
    [[nodiscard]] key_info info() const noexcept { return info_; }
    [[nodiscard]] key_type type() const noexcept { return info_.type; }
    [[nodiscard]] std::size_t bits() const noexcept { return info_.bits; }

    /// The backend key (src/crypto only; it stays owned by this handle).
    [[nodiscard]] evp_pkey_st *native_handle() const noexcept { return pkey_; }

protected:
    /// Takes ownership of one reference to `pkey`.
    key_handle(evp_pkey_st *pkey, key_info info) noexcept : pkey_(pkey), info_(info) {}

private:
    evp_pkey_st *pkey_ = nullptr;
    key_info info_{};
};

} // namespace detail

/// A public key (from SubjectPublicKeyInfo DER, raw bytes, or derived from a private key).
class public_key : public detail::key_handle {
public:
    public_key() noexcept = default;
    /// Src/crypto only: wraps `pkey`, taking over one reference.
    static public_key adopt(evp_pkey_st *pkey, key_info info) noexcept { return {pkey, info}; }
    /// Same key material (parameters and public value).
    friend bool operator==(const public_key &a, const public_key &b) noexcept;

private:
    public_key(evp_pkey_st *pkey, key_info info) noexcept : key_handle(pkey, info) {}
};

/// A private key (from PKCS#8 / SEC1 / PKCS#1 DER, raw bytes, or generated).
class private_key : public detail::key_handle {
public:
    private_key() noexcept = default;
    /// Src/crypto only: wraps `pkey`, taking over one reference.
    static private_key adopt(evp_pkey_st *pkey, key_info info) noexcept { return {pkey, info}; }
    /// True when `pub` is the public half of this key (a certificate matching its key).
    [[nodiscard]] bool matches(const public_key &pub) const noexcept;

private:
    private_key(evp_pkey_st *pkey, key_info info) noexcept : key_handle(pkey, info) {}
};

} // namespace awsio::crypto
