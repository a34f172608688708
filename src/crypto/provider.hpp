// crypto/provider.hpp — the crypto provider: the one interface through which the TLS and X.509
// code reaches hashes, HMAC/HKDF/PRF, AEAD, key agreement, signatures, key import, randomness
// and time. openssl_provider() is the real backend (OpenSSL 3 libcrypto); see
// crypto/deterministic_provider.hpp for the insecure one used by fuzzers and trace replays.
//
// Errors: every fallible call returns result<T> holding a crypto_errc (crypto/crypto_error.hpp).
// Threads: openssl_provider() may be used from any number of threads at once. Context objects
// (hash_context, hmac_context, aead_context) are plain single-threaded values.
#pragma once

#include "crypto/crypto_error.hpp"
#include "crypto/keys.hpp"
#include "crypto/secret_buffer.hpp"

#include <awsio/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace awsio::crypto {

using bytes_view = std::span<const std::uint8_t>;
using mutable_bytes = std::span<std::uint8_t>;

/// Views the characters of `s` as bytes (labels, test strings).
inline bytes_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t *>(s.data()), s.size()};
}

// --------------------------------------------------------------------------------------------
// Hashes

/// SHA-1 is accepted for legacy signature verification only (signing with it is refused).
enum class hash_algorithm : std::uint8_t { sha1, sha256, sha384, sha512 };

inline constexpr std::size_t max_digest_size = 64;

constexpr std::size_t digest_size(hash_algorithm h) noexcept {
    switch (h) {
    case hash_algorithm::sha1:
        return 20;
    case hash_algorithm::sha256:
        return 32;
    case hash_algorithm::sha384:
        return 48;
    case hash_algorithm::sha512:
        return 64;
    }
    return 0;
}

std::string_view to_string(hash_algorithm h) noexcept;

/// A hash or MAC output held inline (no allocation). Wiped on destruction, since HMAC and
/// HKDF outputs are often keys. Equality is constant-time.
class digest {
public:
    digest() noexcept = default;
    explicit digest(bytes_view bytes) noexcept {
        size_ = bytes.size() < max_digest_size ? bytes.size() : max_digest_size;
        for (std::size_t i = 0; i < size_; ++i) {
            bytes_[i] = bytes[i];
        }
    }
    digest(const digest &) noexcept = default;
    digest &operator=(const digest &) noexcept = default;
    ~digest() { secure_wipe(bytes_.data(), bytes_.size()); }

    [[nodiscard]] const std::uint8_t *data() const noexcept { return bytes_.data(); }
    [[nodiscard]] std::uint8_t *data() noexcept { return bytes_.data(); }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bytes_view view() const noexcept { return {bytes_.data(), size_}; }
    operator bytes_view() const noexcept { return view(); }
    /// Src/crypto: sets the length after the bytes were written through data().
    void set_size(std::size_t n) noexcept { size_ = n < max_digest_size ? n : max_digest_size; }

    friend bool operator==(const digest &a, const digest &b) noexcept {
        return constant_time_equal(a.view(), b.view());
    }

private:
    std::array<std::uint8_t, max_digest_size> bytes_{};
    std::size_t size_ = 0;
};

/// Incremental hash. clone() forks the running state (a TLS transcript hashed up to a point
/// and continued twice). update() never fails visibly: a backend failure is remembered and
/// reported by current() / finish().
class hash_context {
public:
    virtual ~hash_context() = default;
    [[nodiscard]] virtual hash_algorithm algorithm() const noexcept = 0;
    virtual void update(bytes_view data) noexcept = 0;
    /// The digest of everything so far; the context keeps running.
    [[nodiscard]] virtual result<digest> current() const = 0;
    /// The digest of everything so far; the context is reset to empty afterwards.
    [[nodiscard]] virtual result<digest> finish() = 0;
    /// An independent copy of the running state.
    [[nodiscard]] virtual result<std::unique_ptr<hash_context>> clone() const = 0;
};

/// Incremental HMAC with a key fixed at creation. Same error model as hash_context.
class hmac_context {
public:
    virtual ~hmac_context() = default;
    [[nodiscard]] virtual hash_algorithm algorithm() const noexcept = 0;
    virtual void update(bytes_view data) noexcept = 0;
    /// The MAC of everything since creation or the last finish(); the context is then reset
    /// to empty input with the same key, ready for another message.
    [[nodiscard]] virtual result<digest> finish() = 0;
    [[nodiscard]] virtual result<std::unique_ptr<hmac_context>> clone() const = 0;
};

// --------------------------------------------------------------------------------------------
// AEAD

enum class aead_algorithm : std::uint8_t { aes_128_gcm, aes_256_gcm, chacha20_poly1305 };

std::string_view to_string(aead_algorithm a) noexcept;

/// Key size in bytes: 16, 32, 32.
constexpr std::size_t aead_key_size(aead_algorithm a) noexcept {
    return a == aead_algorithm::aes_128_gcm ? 16 : 32;
}

/// One AEAD key, set up once and used for many records. seal() and open() work in place on
/// the caller's buffer and do not allocate. Nonces are 12 bytes and tags 16 bytes for all three
/// algorithms (the TLS sizes); other sizes give crypto_errc::invalid_length.
class aead_context {
public:
    static constexpr std::size_t nonce_size = 12;
    static constexpr std::size_t tag_size = 16;

    virtual ~aead_context() = default;
    [[nodiscard]] virtual aead_algorithm algorithm() const noexcept = 0;
    /// Encrypts `in_out` in place and writes the tag to `tag_out` (tag_size bytes).
    virtual result<void> seal(bytes_view nonce, bytes_view aad, mutable_bytes in_out,
                              mutable_bytes tag_out) noexcept = 0;
    /// Decrypts `in_out` in place and checks `tag`. On crypto_errc::bad_tag the buffer is
    /// wiped, so unauthenticated plaintext is never left behind.
    virtual result<void> open(bytes_view nonce, bytes_view aad, mutable_bytes in_out,
                              bytes_view tag) noexcept = 0;
};

// --------------------------------------------------------------------------------------------
// Key agreement

enum class key_exchange_group : std::uint8_t { x25519, secp256r1, secp384r1 };

/// The key type of a group's private keys (x25519, ec_p256, ec_p384).
constexpr key_type key_type_of(key_exchange_group g) noexcept {
    switch (g) {
    case key_exchange_group::x25519:
        return key_type::x25519;
    case key_exchange_group::secp256r1:
        return key_type::ec_p256;
    case key_exchange_group::secp384r1:
        return key_type::ec_p384;
    }
    return key_type::x25519;
}

/// An ephemeral key pair: the private key and its public value in the TLS key_share form
/// (32 raw bytes for X25519, the uncompressed SEC1 point 04||X||Y for the NIST curves).
struct key_exchange_keypair {
    private_key key;
    std::vector<std::uint8_t> public_bytes;
};

// --------------------------------------------------------------------------------------------
// Signatures

enum class signature_algorithm : std::uint8_t {
    ecdsa,       ///< ECDSA, DER-encoded Ecdsa-Sig-Value (X.509 and TLS form), strict DER
    ecdsa_p1363, ///< ECDSA, fixed-width r||s (verify only)
    rsa_pkcs1,   ///< RSASSA-PKCS1-v1_5
    rsa_pss,     ///< RSASSA-PSS with MGF1 over the same hash
    ed25519,     ///< Ed25519 (pure; `hash` is ignored)
};

/// How to sign or verify. For ECDSA the hash is independent of the curve (X.509 allows any
/// pairing; TLS 1.3 code checks its own binding). For PSS the salt length is the hash length
/// unless pss_salt_length says otherwise.
struct signature_params {
    signature_algorithm algorithm = signature_algorithm::ecdsa;
    hash_algorithm hash = hash_algorithm::sha256;
    std::optional<std::size_t> pss_salt_length;
};

/// RSA key sizes accepted for signing and verifying: 2048..8192 bits. Smaller keys (1024-bit
/// included) are refused with crypto_errc::invalid_key for verification as well, as RSA below
/// 2048 bits is no longer considered secure for certificates or handshakes.
inline constexpr std::size_t min_rsa_bits = 2048;
inline constexpr std::size_t max_rsa_bits = 8192;

// --------------------------------------------------------------------------------------------
// The provider

class provider {
public:
    virtual ~provider() = default;

    /// "openssl", or a name saying the provider is insecure.
    [[nodiscard]] virtual std::string_view name() const noexcept = 0;
    /// False for providers whose randomness is predictable (never use them on a real network).
    [[nodiscard]] virtual bool is_secure() const noexcept = 0;

    // --- randomness and time -----------------------------------------------------------
    /// Fills `out` with random bytes (a CSPRNG for the real provider).
    virtual result<void> random_bytes(mutable_bytes out) = 0;
    /// Current time in seconds since the Unix epoch (ticket ages, certificate validity).
    [[nodiscard]] virtual std::uint64_t now_seconds() const = 0;

    // --- hashes, MAC, KDF ---------------------------------------------------------------
    virtual result<std::unique_ptr<hash_context>> make_hash(hash_algorithm h) const = 0;
    virtual result<digest> hash(hash_algorithm h, bytes_view data) const = 0;
    virtual result<std::unique_ptr<hmac_context>> make_hmac(hash_algorithm h,
                                                            bytes_view key) const = 0;
    virtual result<digest> hmac(hash_algorithm h, bytes_view key, bytes_view data) const = 0;
    /// HKDF-Extract (RFC 5869 2.2); an empty salt means HashLen zero bytes.
    virtual result<digest> hkdf_extract(hash_algorithm h, bytes_view salt, bytes_view ikm) const = 0;
    /// HKDF-Expand (RFC 5869 2.3) into `out`; out.size() must be <= 255 * HashLen.
    virtual result<void> hkdf_expand(hash_algorithm h, bytes_view prk, bytes_view info,
                                     mutable_bytes out) const = 0;
    /// TLS 1.2 PRF (RFC 5246 5): P_hash(secret, label || seed) into `out`. `h` is sha256 or
    /// sha384.
    virtual result<void> tls12_prf(hash_algorithm h, bytes_view secret, bytes_view label,
                                   bytes_view seed, mutable_bytes out) const = 0;

    // --- AEAD ---------------------------------------------------------------------------
    /// `key` must be aead_key_size(a) bytes (else invalid_length).
    virtual result<std::unique_ptr<aead_context>> make_aead(aead_algorithm a,
                                                            bytes_view key) const = 0;

    // --- key agreement ------------------------------------------------------------------
    virtual result<key_exchange_keypair> generate_key_exchange(key_exchange_group g) = 0;
    /// The shared secret of `own` (x25519 / ec_p256 / ec_p384) and the peer's public value
    /// in key_share form. Peer values of the wrong size or form (compressed, hybrid,
    /// infinity), off the curve, or giving an all-zero X25519 secret: invalid_point.
    /// The NIST-curve secret is the X coordinate (RFC 8446 7.4.2).
    virtual result<secret_buffer> key_agreement(const private_key &own,
                                                bytes_view peer_public) const = 0;
    /// The key_share form of the public half of an x25519 / ec_p256 / ec_p384 private key.
    virtual result<std::vector<std::uint8_t>> key_exchange_public_bytes(const private_key &own) const = 0;
    /// Same with a peer key already imported (e.g. from SubjectPublicKeyInfo); a peer on
    /// another curve gives invalid_key.
    virtual result<secret_buffer> key_agreement(const private_key &own,
                                                const public_key &peer) const = 0;

    // --- signatures ---------------------------------------------------------------------
    /// Signs `message` (hashing it as `params.hash` says). Refused: SHA-1, ecdsa_p1363,
    /// RSA outside min_rsa_bits..max_rsa_bits, algorithm not matching the key type.
    virtual result<std::vector<std::uint8_t>> sign(const private_key &key,
                                                   const signature_params &params,
                                                   bytes_view message) = 0;
    /// Verifies `signature` over `message`. A wrong or malformed signature: bad_signature.
    /// Key type not matching the algorithm, or a refused RSA size: invalid_key.
    virtual result<void> verify(const public_key &key, const signature_params &params,
                                bytes_view message, bytes_view signature) const = 0;

    // --- keys ---------------------------------------------------------------------------
    /// Generates a key for signing tests and tools: rsa (rsa_bits, default 2048), ec_p256,
    /// ec_p384, ed25519, x25519.
    virtual result<private_key> generate_private_key(key_type t, std::size_t rsa_bits = 0) = 0;
    /// A private key from DER: PKCS#8 PrivateKeyInfo, SEC1 ECPrivateKey or PKCS#1
    /// RSAPrivateKey. Trailing bytes, encrypted PKCS#8 and unsupported types are refused.
    virtual result<private_key> import_private_key_der(bytes_view der) const = 0;
    /// A public key from SubjectPublicKeyInfo DER (the whole SEQUENCE, no trailing bytes).
    virtual result<public_key> import_public_key_spki(bytes_view der) const = 0;
    /// Raw private keys: 32 bytes for x25519 / ed25519; for ec_p256 / ec_p384 the private
    /// scalar big-endian (leading zero bytes allowed), which must be in 1..n-1.
    virtual result<private_key> import_raw_private_key(key_type t, bytes_view raw) const = 0;
    /// Raw public keys: 32 bytes for x25519 / ed25519; the uncompressed point for the curves
    /// (checked to be on the curve).
    virtual result<public_key> import_raw_public_key(key_type t, bytes_view raw) const = 0;
    /// The public half of a private key.
    virtual result<public_key> public_key_of(const private_key &key) const = 0;
    /// SubjectPublicKeyInfo DER of a key (for tests that build certificates).
    virtual result<std::vector<std::uint8_t>> export_public_key_spki(const public_key &key) const = 0;
    /// PKCS#8 PrivateKeyInfo DER of a key.
    virtual result<secret_buffer> export_private_key_pkcs8(const private_key &key) const = 0;
};

/// The process-wide OpenSSL libcrypto provider. Stateless and thread-safe; lives forever.
provider &openssl_provider() noexcept;

// --------------------------------------------------------------------------------------------
// ECDSA signature encodings (pure functions, exposed for tests and the X.509 code)

/// True when `sig` is exactly one strict-DER Ecdsa-Sig-Value: SEQUENCE of two positive
/// minimally-encoded INTEGERs, minimal lengths, no trailing bytes, each integer at most
/// `scalar_size` bytes of value.
bool is_strict_der_ecdsa_signature(bytes_view sig, std::size_t scalar_size) noexcept;

/// The DER Ecdsa-Sig-Value of a fixed-width r||s signature (each half scalar_size bytes).
/// Fails with bad_signature if `p1363` is not 2 * scalar_size bytes.
result<std::vector<std::uint8_t>> ecdsa_p1363_to_der(bytes_view p1363, std::size_t scalar_size);

} // namespace awsio::crypto
