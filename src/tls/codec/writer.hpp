// tls/codec/writer.hpp — appends TLS wire encodings to a std::vector<uint8_t>: fixed-width
// big-endian integers, opaque runs, and length-prefixed scopes whose prefix is patched on close.
//
// Encoders return void and never fail midway; a length that cannot be represented (a scope
// longer than its prefix allows, or shorter/longer than the caller's declared bounds) makes the
// writer remember tls::errc::internal_error — sending such a message would be our own bug, not
// the peer's. Check ok()/error() once after encoding a whole message.
//
// Thread safety: a writer is a plain value over one vector; use one per thread.
#pragma once

#include "tls/codec/tls_error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

namespace awsio::tls::codec {

class writer;

/// An open length-prefixed vector. The prefix is written as zeros when the scope opens and
/// patched with the contents' length when it closes (explicitly or on destruction). Scopes nest;
/// close inner scopes before outer ones (destruction order does this naturally).
class length_scope {
public:
    length_scope(const length_scope &) = delete;
    length_scope &operator=(const length_scope &) = delete;
    ~length_scope() { close(); }

    /// Patches the prefix. Idempotent.
    void close() noexcept;

private:
    friend class writer;
    length_scope(writer &w, std::size_t prefix, std::size_t min, std::size_t max) noexcept;

    writer *w_;
    std::size_t prefix_;
    std::size_t start_; // offset of the first contents byte
    std::size_t min_;
    std::size_t max_;
    bool open_ = true;
};

class writer {
public:
    /// Appends to `out`, which must outlive the writer. Existing contents are kept.
    explicit writer(std::vector<std::uint8_t> &out) noexcept : out_(&out) {}

    void u8(std::uint8_t v) { out_->push_back(v); }
    void u16(std::uint16_t v) {
        out_->push_back(static_cast<std::uint8_t>(v >> 8));
        out_->push_back(static_cast<std::uint8_t>(v));
    }
    void u24(std::uint32_t v) {
        if (v > 0xffffff) {
            fail();
        }
        out_->push_back(static_cast<std::uint8_t>(v >> 16));
        out_->push_back(static_cast<std::uint8_t>(v >> 8));
        out_->push_back(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v) {
        out_->push_back(static_cast<std::uint8_t>(v >> 24));
        out_->push_back(static_cast<std::uint8_t>(v >> 16));
        out_->push_back(static_cast<std::uint8_t>(v >> 8));
        out_->push_back(static_cast<std::uint8_t>(v));
    }
    void bytes(std::span<const std::uint8_t> b) { out_->insert(out_->end(), b.begin(), b.end()); }
    void bytes(std::string_view s) {
        for (char c : s) {
            out_->push_back(static_cast<std::uint8_t>(c));
        }
    }

    /// Opens a vector with a 1-, 2- or 3-byte length prefix. The contents' length must end up
    /// in [min, max] (defaults: whatever the prefix can hold).
    [[nodiscard]] length_scope scope8(std::size_t min = 0, std::size_t max = 0xff) noexcept {
        return length_scope(*this, 1, min, max);
    }
    [[nodiscard]] length_scope scope16(std::size_t min = 0, std::size_t max = 0xffff) noexcept {
        return length_scope(*this, 2, min, max);
    }
    [[nodiscard]] length_scope scope24(std::size_t min = 0, std::size_t max = 0xffffff) noexcept {
        return length_scope(*this, 3, min, max);
    }

    /// Length-prefixed opaque vectors in one call.
    void vec8(std::span<const std::uint8_t> b, std::size_t min = 0, std::size_t max = 0xff) {
        auto s = scope8(min, max);
        bytes(b);
    }
    void vec16(std::span<const std::uint8_t> b, std::size_t min = 0, std::size_t max = 0xffff) {
        auto s = scope16(min, max);
        bytes(b);
    }
    void vec24(std::span<const std::uint8_t> b, std::size_t min = 0, std::size_t max = 0xffffff) {
        auto s = scope24(min, max);
        bytes(b);
    }

    /// Bytes in the underlying vector (including any it held before the writer was made).
    [[nodiscard]] std::size_t size() const noexcept { return out_->size(); }
    [[nodiscard]] std::vector<std::uint8_t> &buffer() noexcept { return *out_; }

    [[nodiscard]] bool ok() const noexcept { return !failed_; }
    /// internal_error when some length could not be encoded; zero otherwise.
    [[nodiscard]] std::error_code error() const noexcept {
        return failed_ ? make_error_code(errc::internal_error) : std::error_code();
    }
    /// Marks the output invalid (used by encoders that find an unencodable value).
    void fail() noexcept { failed_ = true; }

private:
    friend class length_scope;
    std::vector<std::uint8_t> *out_;
    bool failed_ = false;
};

inline length_scope::length_scope(writer &w, std::size_t prefix, std::size_t min, std::size_t max) noexcept
    : w_(&w), prefix_(prefix), start_(0), min_(min), max_(max) {
    // Reserve room for the prefix; an allocation failure here terminates like any other
    // std::vector growth in the library (no exceptions are thrown across the API).
    for (std::size_t i = 0; i < prefix_; ++i) {
        w_->out_->push_back(0);
    }
    start_ = w_->out_->size();
}

inline void length_scope::close() noexcept {
    if (!open_) {
        return;
    }
    open_ = false;
    std::vector<std::uint8_t> &out = *w_->out_;
    const std::size_t len = out.size() - start_;
    const std::size_t limit = prefix_ == 1 ? 0xff : prefix_ == 2 ? 0xffff : 0xffffff;
    if (len > limit || len < min_ || len > max_) {
        w_->failed_ = true;
        return;
    }
    for (std::size_t i = 0; i < prefix_; ++i) {
        out[start_ - 1 - i] = static_cast<std::uint8_t>(len >> (8 * i));
    }
}

} // namespace awsio::tls::codec
