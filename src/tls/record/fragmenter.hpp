// tls/record/fragmenter.hpp — splits an outgoing stream of one content type into record-sized
// fragments (RFC 8446 5.1, RFC 5246 6.2.1) and writes record headers, honouring a configured
// maximum and the peer's record_size_limit (RFC 8449).
//
// The fragmenter does not protect anything: for plaintext records it writes header + fragment;
// for protected records the caller takes each fragment from next_fragment(), copies it after the
// protection's prefix in its output buffer and seals it there in place.
//
// Threads: a plain single-threaded value. Nothing allocates.
#pragma once

#include "tls/record/deframer.hpp"

#include <awsio/result.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace awsio::tls::record {

/// Smallest fragment limit accepted (the RFC 8449 minimum record_size_limit).
inline constexpr std::size_t min_fragment_length = 64;

/// Writes a 5-byte record header into out[0..5). `out` must hold at least header_size bytes.
void write_record_header(std::span<std::uint8_t> out, content_type type, std::uint16_t version,
                         std::uint16_t length) noexcept;

class fragmenter {
public:
    /// `max_fragment` is clamped to [min_fragment_length, max_plaintext_length].
    explicit fragmenter(std::size_t max_fragment = max_plaintext_length) noexcept;

    /// Sets our own limit (e.g. 512 for constrained peers, or max_fragment_length); clamped as
    /// above. The effective limit is the smaller of this and the peer's record_size_limit.
    void set_max_fragment(std::size_t max_fragment) noexcept;

    /// Applies the peer's record_size_limit extension value (RFC 8449 4). Under TLS 1.3 the
    /// limit counts the inner content type byte (and padding), so the content gets one byte
    /// less; under TLS 1.2 it is the plaintext limit. Values below 64 are a peer error:
    /// illegal_parameter, and nothing changes.
    result<void> apply_record_size_limit(std::uint16_t peer_limit, bool tls13) noexcept;

    /// The largest fragment this fragmenter hands out.
    [[nodiscard]] std::size_t max_fragment() const noexcept;

    /// Number of records needed for `length` bytes (0 for 0 bytes).
    [[nodiscard]] std::size_t record_count(std::size_t length) const noexcept;

    /// Removes and returns the next fragment (at most max_fragment() bytes) from the front of
    /// `remaining`. An empty `remaining` gives an empty fragment.
    std::span<const std::uint8_t> next_fragment(std::span<const std::uint8_t> &remaining) const noexcept;

    /// Bytes write_plaintext_records() needs for `length` bytes of content.
    [[nodiscard]] std::size_t plaintext_records_size(std::size_t length) const noexcept;

    /// Writes `data` as unprotected records of type `type` (header + fragment each) into `out`
    /// and returns the bytes written. `out` too small: internal_error (a caller bug), nothing
    /// promised about `out`. Empty `data` writes nothing; RFC 8446 5.1 forbids empty handshake
    /// and alert fragments, so do not ask for them.
    result<std::size_t> write_plaintext_records(content_type type, std::uint16_t version,
                                                std::span<const std::uint8_t> data,
                                                std::span<std::uint8_t> out) const noexcept;

private:
    std::size_t own_limit_;
    std::size_t peer_limit_ = max_plaintext_length;
};

} // namespace awsio::tls::record
