// tls/record/record_protection.hpp — AEAD record protection for one direction of a connection:
// TLS 1.3 (RFC 8446 5.2-5.5) and TLS 1.2 AEAD suites (RFC 5246 6.2.3.3 with RFC 5288 AES-GCM and
// RFC 7905 ChaCha20-Poly1305). Sealing and opening work in place in the caller's buffer; nothing
// allocates per record.
//
// Sealing: lay the record out as [prefix_size() bytes][content][suffix_size(padding) bytes],
// copy the content to record.subspan(prefix_size()), call seal(): it writes the header (and TLS
// 1.2 explicit nonce, TLS 1.3 inner type and padding), encrypts in place, appends the tag and
// returns the record's total size.
//
// Opening: pass a record_view (from the deframer or view_record()); the fragment is decrypted in
// place and the content returned as a sub-span of it, with the real content type.
//
// Sequence numbers start at 0 and advance by one for each record sealed or authenticated. An
// open() that fails before or at authentication leaves the sequence number unchanged and the
// buffer wiped (see crypto::aead_context), so trial decryption (skipping rejected 0-RTT data)
// works; every open() error is fatal to the connection anyway.
//
// Errors (tls::errc, the value is the alert to send):
//   bad_record_mac      authentication failed, or a fragment too short to hold a tag
//   record_overflow     fragment/plaintext longer than the protocol (or configured) limit
//   unexpected_message  TLS 1.3: outer type not application_data, all-zero inner plaintext, or an
//                       inner type that cannot be protected (change_cipher_spec, unknown)
//   internal_error      caller bugs on the sending side (buffer too small, content too long) and
//                       an exhausted sequence number (2^64 - 1 records)
// Crypto provider failures are passed through as crypto_errc.
//
// Usage limits: needs_key_update() turns true once record_limit() records went through this key
// (AES-GCM: 2^24.5 records, RFC 8446 5.5; ChaCha20-Poly1305: effectively unlimited). TLS 1.3
// callers then send a KeyUpdate; TLS 1.2 callers close the connection.
//
// Threads: plain single-threaded values. Move-only.
#pragma once

#include "crypto/provider.hpp"
#include "tls/record/deframer.hpp"

#include <awsio/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace awsio::tls::record {

inline constexpr std::size_t aead_tag_size = crypto::aead_context::tag_size;
/// TLS 1.2 AES-GCM explicit nonce carried in each record (RFC 5288 3).
inline constexpr std::size_t tls12_explicit_nonce_size = 8;
/// 2^24.5 full-size records: the AES-GCM confidentiality limit of RFC 8446 5.5.
inline constexpr std::uint64_t aes_gcm_record_limit = 23726566;
/// ChaCha20-Poly1305 has no practical limit (the sequence number wraps first); this margin
/// only keeps needs_key_update() meaningful long before the refusal at 2^64 - 1.
inline constexpr std::uint64_t chacha20_poly1305_record_limit = std::uint64_t{1} << 62;

/// The per-key record limit for an AEAD.
constexpr std::uint64_t default_record_limit(crypto::aead_algorithm a) noexcept {
    return a == crypto::aead_algorithm::chacha20_poly1305 ? chacha20_poly1305_record_limit : aes_gcm_record_limit;
}

/// An opened record: its real content type and the plaintext, in place inside the fragment.
struct opened_record {
    content_type type = content_type::invalid;
    std::span<std::uint8_t> content;
};

/// Protection of one direction with one key. Both versions share this interface so a
/// connection can hold either behind one pointer.
class record_protection {
public:
    virtual ~record_protection() = default;

    /// Bytes before the content in a sealed record: the header, plus the TLS 1.2 AES-GCM
    /// explicit nonce.
    [[nodiscard]] virtual std::size_t prefix_size() const noexcept = 0;
    /// Bytes after the content: TLS 1.3 inner type + padding, plus the tag.
    [[nodiscard]] virtual std::size_t suffix_size(std::size_t padding = 0) const noexcept = 0;
    /// Total size of a sealed record holding `content_length` bytes.
    [[nodiscard]] std::size_t sealed_size(std::size_t content_length, std::size_t padding = 0) const noexcept {
        return prefix_size() + content_length + suffix_size(padding);
    }

    /// Seals `content_length` bytes already placed at record[prefix_size()...] as one record of
    /// `type`. `padding` zero bytes are added in TLS 1.3 (ignored in TLS 1.2). Returns the record
    /// size (sealed_size()). content_length (+ padding) above the plaintext limit, or `record`
    /// smaller than sealed_size(): internal_error.
    virtual result<std::size_t> seal(content_type type, std::span<std::uint8_t> record, std::size_t content_length,
                                     std::size_t padding = 0) noexcept = 0;

    /// Opens `rec` in place.
    virtual result<opened_record> open(const record_view &rec) noexcept = 0;

    [[nodiscard]] crypto::aead_algorithm algorithm() const noexcept { return algorithm_; }
    /// The sequence number the next record will use.
    [[nodiscard]] std::uint64_t sequence() const noexcept { return seq_; }
    /// Sets the next sequence number (tests; DTLS-like resynchronisation is not a TLS feature).
    void set_sequence(std::uint64_t seq) noexcept { seq_ = seq; }

    /// True once this key protected record_limit() records: time for a KeyUpdate (TLS 1.3) or
    /// to close (TLS 1.2).
    [[nodiscard]] bool needs_key_update() const noexcept { return seq_ >= record_limit_; }
    [[nodiscard]] std::uint64_t record_limit() const noexcept { return record_limit_; }
    void set_record_limit(std::uint64_t limit) noexcept { record_limit_ = limit; }

    /// The largest content accepted by open() (default 2^14). Set it to the record_size_limit
    /// we advertised (RFC 8449: minus one under TLS 1.3, where the limit counts the type byte).
    /// Clamped to [64, 2^14].
    void set_max_plaintext(std::size_t n) noexcept;
    [[nodiscard]] std::size_t max_plaintext() const noexcept { return max_plaintext_; }

protected:
    record_protection(std::unique_ptr<crypto::aead_context> aead, crypto::aead_algorithm a) noexcept;
    record_protection(record_protection &&) noexcept = default;
    record_protection &operator=(record_protection &&) noexcept = default;

    /// The 12-byte nonce iv XOR seq (RFC 8446 5.3, RFC 7905 2).
    static void xor_nonce(std::span<const std::uint8_t> iv, std::uint64_t seq, std::span<std::uint8_t, 12> out) noexcept;
    /// The sequence number is exhausted: refuse rather than wrap (RFC 8446 5.3).
    [[nodiscard]] bool sequence_exhausted() const noexcept;

    std::unique_ptr<crypto::aead_context> aead_;
    crypto::aead_algorithm algorithm_;
    std::uint64_t seq_ = 0;
    std::uint64_t record_limit_;
    std::size_t max_plaintext_ = max_plaintext_length;
};

/// TLS 1.3 protection: outer type application_data, version 0x0303, AAD = the record header,
/// TLSInnerPlaintext = content || type || zeros.
class tls13_record_protection final : public record_protection {
public:
    /// Keys derived from a traffic secret: HKDF-Expand-Label(secret, "key"/"iv") with the
    /// suite's hash (RFC 8446 7.3).
    static result<tls13_record_protection> create(const crypto::provider &p, crypto::aead_algorithm a,
                                                  crypto::hash_algorithm h,
                                                  std::span<const std::uint8_t> traffic_secret);
    /// Keys given directly (tests, fuzzing). `iv` must be 12 bytes, `key` aead_key_size(a).
    static result<tls13_record_protection> create_from_key(const crypto::provider &p, crypto::aead_algorithm a,
                                                           std::span<const std::uint8_t> key,
                                                           std::span<const std::uint8_t> iv);

    tls13_record_protection(tls13_record_protection &&) noexcept = default;
    tls13_record_protection &operator=(tls13_record_protection &&) noexcept = default;
    ~tls13_record_protection() override;

    [[nodiscard]] std::size_t prefix_size() const noexcept override { return header_size; }
    [[nodiscard]] std::size_t suffix_size(std::size_t padding = 0) const noexcept override {
        return 1 + padding + aead_tag_size;
    }
    result<std::size_t> seal(content_type type, std::span<std::uint8_t> record, std::size_t content_length,
                             std::size_t padding = 0) noexcept override;
    result<opened_record> open(const record_view &rec) noexcept override;

private:
    tls13_record_protection(std::unique_ptr<crypto::aead_context> aead, crypto::aead_algorithm a,
                            std::span<const std::uint8_t> iv) noexcept;

    std::array<std::uint8_t, crypto::aead_context::nonce_size> iv_{};
};

/// TLS 1.2 AEAD protection. AES-GCM: nonce = 4-byte salt || 8-byte explicit nonce sent in the
/// record (this side sends the sequence number). ChaCha20-Poly1305: nonce = 12-byte IV XOR seq,
/// nothing sent. AAD = seq_num || type || version || plaintext length.
class tls12_record_protection final : public record_protection {
public:
    /// `fixed_iv` is the key block's write IV: 4 bytes for AES-GCM, 12 for ChaCha20-Poly1305.
    static result<tls12_record_protection> create(const crypto::provider &p, crypto::aead_algorithm a,
                                                  std::span<const std::uint8_t> key,
                                                  std::span<const std::uint8_t> fixed_iv);

    tls12_record_protection(tls12_record_protection &&) noexcept = default;
    tls12_record_protection &operator=(tls12_record_protection &&) noexcept = default;
    ~tls12_record_protection() override;

    [[nodiscard]] std::size_t prefix_size() const noexcept override { return header_size + explicit_nonce_size(); }
    [[nodiscard]] std::size_t suffix_size(std::size_t /*padding*/ = 0) const noexcept override {
        return aead_tag_size;
    }
    result<std::size_t> seal(content_type type, std::span<std::uint8_t> record, std::size_t content_length,
                             std::size_t padding = 0) noexcept override;
    result<opened_record> open(const record_view &rec) noexcept override;

private:
    tls12_record_protection(std::unique_ptr<crypto::aead_context> aead, crypto::aead_algorithm a,
                            std::span<const std::uint8_t> fixed_iv) noexcept;
    [[nodiscard]] std::size_t explicit_nonce_size() const noexcept {
        return algorithm_ == crypto::aead_algorithm::chacha20_poly1305 ? 0 : tls12_explicit_nonce_size;
    }

    std::array<std::uint8_t, crypto::aead_context::nonce_size> iv_{}; // salt in the first 4 for GCM
};

} // namespace awsio::tls::record
