// tls/record/deframer.hpp — splits a received byte stream into TLS records (RFC 8446 5.1,
// RFC 5246 6.2.1) and checks each record header, without decrypting anything.
//
// Bytes arrive in chunks of any size: a record split across many reads, or many records in one
// read. The deframer copies them into one internal buffer that it reuses and compacts, so once
// the buffer has grown to the working size no record causes an allocation. Records are handed
// out as views into that buffer whose fragment bytes are mutable, so record protection can
// decrypt them in place.
//
// Errors (awsio::tls::errc, the value is the alert to send):
//   unexpected_message  content type other than change_cipher_spec/alert/handshake/application_data
//   decode_error        legacy_record_version whose high byte is not 3
//   record_overflow     length above the configured limit
// A header error is sticky: every later next() reports it again.
//
// Threads: a deframer is a plain single-threaded value.
#pragma once

#include "tls/codec/enums.hpp"

#include <awsio/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

namespace awsio::tls::record {

using content_type = codec::content_type;

/// ContentType(1) || legacy_record_version(2) || length(2).
inline constexpr std::size_t header_size = 5;
/// Largest TLSPlaintext.fragment (2^14), and the largest TLS 1.3 TLSInnerPlaintext content.
inline constexpr std::size_t max_plaintext_length = 16384;
/// Largest TLS 1.3 TLSCiphertext.encrypted_record (2^14 + 256, RFC 8446 5.2).
inline constexpr std::size_t max_tls13_ciphertext_length = 16384 + 256;
/// Largest TLS 1.2 TLSCiphertext.fragment (2^14 + 2048, RFC 5246 6.2.3).
inline constexpr std::size_t max_tls12_ciphertext_length = 16384 + 2048;

/// True for the four content types TLS 1.2 and 1.3 define (20, 21, 22, 23).
constexpr bool is_known_content_type(std::uint8_t t) noexcept {
    return t >= 20 && t <= 23;
}

/// One record as received. `fragment` points into the buffer of whoever produced the view
/// (the deframer, or the caller for view_record()) and is writable so it can be opened in
/// place. `header` is a copy of the five header bytes (the TLS 1.3 AAD).
struct record_view {
    content_type type = content_type::invalid;
    std::uint16_t legacy_version = 0;
    std::array<std::uint8_t, header_size> header{};
    std::span<std::uint8_t> fragment;
};

/// Checks a record header: known type, version 0x03xx, length <= max_length. Only the bytes
/// present are checked, so a prefix of 1..4 bytes can already be refused (a peer speaking
/// plain HTTP fails on its first byte). Returns the fragment length when all five are present,
/// std::nullopt when they are not (yet).
result<std::optional<std::size_t>> check_record_header(std::span<const std::uint8_t> header,
                                                       std::size_t max_length) noexcept;

/// Views exactly one complete record held by the caller (header and fragment, nothing more);
/// decode_error when `record` is shorter or longer than its header says.
result<record_view> view_record(std::span<std::uint8_t> record, std::size_t max_length) noexcept;

class deframer {
public:
    /// `max_length` is the largest accepted fragment length; the default suits TLS 1.3
    /// ciphertext. Use max_plaintext_length before protection is on, and
    /// max_tls12_ciphertext_length under TLS 1.2 protection.
    explicit deframer(std::size_t max_length = max_tls13_ciphertext_length);

    deframer(deframer &&) noexcept = default;
    deframer &operator=(deframer &&) noexcept = default;
    deframer(const deframer &) = delete;
    deframer &operator=(const deframer &) = delete;

    /// Changes the length limit for the records not yet returned by next() (the limit moves
    /// when protection switches on, and with a negotiated record_size_limit).
    void set_max_length(std::size_t max_length) noexcept { max_length_ = max_length; }
    [[nodiscard]] std::size_t max_length() const noexcept { return max_length_; }

    /// Appends received bytes (a copy is taken). Invalidates views from earlier next() calls,
    /// since the buffer may be compacted or grown.
    void feed(std::span<const std::uint8_t> bytes);

    /// Zero-copy alternative to feed(): a writable area of at least `n` bytes at the end of the
    /// buffered data, to be followed by commit(k) with the k <= n bytes actually written.
    /// Invalidates earlier views just like feed().
    std::span<std::uint8_t> prepare(std::size_t n);
    void commit(std::size_t n) noexcept;

    /// The next complete record, std::nullopt when more bytes are needed, or a header error.
    /// The view stays valid until the next feed()/prepare(); several records returned by
    /// consecutive next() calls are valid together.
    result<std::optional<record_view>> next() noexcept;

    /// True when next() has something to return now: a whole record, or a header error (which
    /// next() reports). False for nothing buffered or only part of a record.
    [[nodiscard]] bool has_complete_record() const noexcept;

    /// Bytes received but not yet returned as records.
    [[nodiscard]] std::size_t buffered() const noexcept { return end_ - begin_; }
    /// True when no partial record is pending (a clean point to stop reading, e.g. at EOF).
    [[nodiscard]] bool empty() const noexcept { return begin_ == end_; }
    /// Size of the internal buffer (stable in steady state; exposed for tests).
    [[nodiscard]] std::size_t capacity() const noexcept { return buffer_.size(); }
    /// The sticky header error, if one was found.
    [[nodiscard]] std::error_code error() const noexcept { return error_; }

private:
    void make_room(std::size_t n);

    std::vector<std::uint8_t> buffer_;
    std::size_t begin_ = 0; // first byte not yet returned
    std::size_t end_ = 0;   // one past the last received byte
    std::size_t max_length_;
    std::error_code error_;
};

} // namespace awsio::tls::record
