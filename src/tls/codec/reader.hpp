// tls/codec/reader.hpp — a bounds-checked big-endian reader over TLS presentation-language bytes
// (RFC 8446 section 3): fixed-width integers, opaque runs, and length-prefixed vectors.
//
// A reader is a view: it and every span it returns point into the caller's buffer, which must
// outlive them. Nothing allocates. A failed read returns tls::errc::decode_error and consumes
// nothing, so callers can report the error without the reader being left mid-field.
//
// Thread safety: a reader is a plain value; use one per thread.
#pragma once

#include "tls/codec/tls_error.hpp"

#include <awsio/result.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace awsio::tls::codec {

/// Propagates a failed result<T> out of the enclosing function (which returns some result<U>)
/// and otherwise declares `var` holding the value. Used throughout the codec .cpp files.
#define AWSIO_CODEC_TRY(var, expr)                                                             \
    auto var##_try_ = (expr);                                                                  \
    if (!var##_try_) {                                                                         \
        return ::awsio::unexpected(var##_try_.error());                                        \
    }                                                                                          \
    auto var = std::move(*var##_try_)

/// Propagates a failed result<void> / std::error_code-returning call.
#define AWSIO_CODEC_CHECK(expr)                                                                \
    do {                                                                                       \
        if (const std::error_code awsio_codec_ec_ = ::awsio::tls::codec::to_error(expr)) {      \
            return ::awsio::unexpected(awsio_codec_ec_);                                       \
        }                                                                                      \
    } while (false)

inline std::error_code to_error(std::error_code ec) noexcept { return ec; }
inline std::error_code to_error(const result<void> &r) noexcept { return r.error(); }

/// Reads TLS wire encodings from a span. Every read is checked against the bytes left.
class reader {
public:
    reader() noexcept = default;
    explicit reader(std::span<const std::uint8_t> data) noexcept : data_(data) {}

    /// Bytes not yet consumed.
    [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
    [[nodiscard]] bool empty() const noexcept { return pos_ == data_.size(); }
    /// Offset of the next byte from the start of the reader's span.
    [[nodiscard]] std::size_t position() const noexcept { return pos_; }
    /// The unconsumed bytes (a view; does not consume them).
    [[nodiscard]] std::span<const std::uint8_t> rest() const noexcept { return data_.subspan(pos_); }
    /// The whole span the reader was built over.
    [[nodiscard]] std::span<const std::uint8_t> data() const noexcept { return data_; }

    result<std::uint8_t> u8() noexcept {
        AWSIO_CODEC_TRY(b, bytes(1));
        return b[0];
    }
    result<std::uint16_t> u16() noexcept {
        AWSIO_CODEC_TRY(b, bytes(2));
        return static_cast<std::uint16_t>((b[0] << 8) | b[1]);
    }
    result<std::uint32_t> u24() noexcept {
        AWSIO_CODEC_TRY(b, bytes(3));
        return (std::uint32_t{b[0]} << 16) | (std::uint32_t{b[1]} << 8) | std::uint32_t{b[2]};
    }
    result<std::uint32_t> u32() noexcept {
        AWSIO_CODEC_TRY(b, bytes(4));
        return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
               std::uint32_t{b[3]};
    }

    /// The next n bytes, consumed.
    result<std::span<const std::uint8_t>> bytes(std::size_t n) noexcept {
        if (n > remaining()) {
            return errc::decode_error;
        }
        auto out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    /// A vector with a 1-, 2- or 3-byte length prefix (RFC 8446 3.4): the contents as a span.
    /// The length must lie in [min, max] (the bounds written <min..max> in the RFC); otherwise,
    /// or when the contents run past the end, decode_error and nothing is consumed.
    result<std::span<const std::uint8_t>> vec8(std::size_t min = 0, std::size_t max = 0xff) noexcept {
        return vec(1, min, max);
    }
    result<std::span<const std::uint8_t>> vec16(std::size_t min = 0, std::size_t max = 0xffff) noexcept {
        return vec(2, min, max);
    }
    result<std::span<const std::uint8_t>> vec24(std::size_t min = 0, std::size_t max = 0xffffff) noexcept {
        return vec(3, min, max);
    }

    /// The same vectors as sub-readers over their contents.
    result<reader> sub8(std::size_t min = 0, std::size_t max = 0xff) noexcept {
        AWSIO_CODEC_TRY(v, vec(1, min, max));
        return reader(v);
    }
    result<reader> sub16(std::size_t min = 0, std::size_t max = 0xffff) noexcept {
        AWSIO_CODEC_TRY(v, vec(2, min, max));
        return reader(v);
    }
    result<reader> sub24(std::size_t min = 0, std::size_t max = 0xffffff) noexcept {
        AWSIO_CODEC_TRY(v, vec(3, min, max));
        return reader(v);
    }

    /// decode_error when bytes are left: every structure must end exactly where its length says.
    [[nodiscard]] std::error_code expect_empty() const noexcept {
        return empty() ? std::error_code() : make_error_code(errc::decode_error);
    }

private:
    result<std::span<const std::uint8_t>> vec(std::size_t prefix, std::size_t min, std::size_t max) noexcept {
        if (prefix > remaining()) {
            return errc::decode_error;
        }
        std::size_t len = 0;
        for (std::size_t i = 0; i < prefix; ++i) {
            len = (len << 8) | data_[pos_ + i];
        }
        if (len < min || len > max || len > remaining() - prefix) {
            return errc::decode_error;
        }
        auto out = data_.subspan(pos_ + prefix, len);
        pos_ += prefix + len;
        return out;
    }

    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

} // namespace awsio::tls::codec
