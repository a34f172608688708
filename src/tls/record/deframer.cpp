// tls/record/deframer.cpp — record framing over a reused, compacted receive buffer.
#include "tls/record/deframer.hpp"

#include "tls/codec/tls_error.hpp"

#include <algorithm>
#include <cstring>

namespace awsio::tls::record {

result<std::optional<std::size_t>> check_record_header(std::span<const std::uint8_t> header,
                                                       std::size_t max_length) noexcept {
    // RFC 8446 5: an unknown record type is answered with unexpected_message. Checking it on the
    // first byte lets a peer that speaks something else (plain HTTP, SSLv2) fail at once instead
    // of leaving us waiting for a "length" that may never arrive.
    if (!header.empty() && !is_known_content_type(header[0])) {
        return errc::unexpected_message;
    }
    // legacy_record_version is ignored by TLS 1.3 beyond this sanity check; every TLS/SSL3 version
    // has major version 3.
    if (header.size() >= 2 && header[1] != 0x03) {
        return errc::decode_error;
    }
    if (header.size() < header_size) {
        return std::optional<std::size_t>{};
    }
    const std::size_t length = (std::size_t{header[3]} << 8) | header[4];
    if (length > max_length) {
        return errc::record_overflow;
    }
    return std::optional<std::size_t>{length};
}

result<record_view> view_record(std::span<std::uint8_t> record, std::size_t max_length) noexcept {
    auto length = check_record_header(record.first(std::min(record.size(), header_size)), max_length);
    if (!length) {
        return unexpected(length.error());
    }
    if (!length->has_value() || record.size() != header_size + **length) {
        return errc::decode_error;
    }
    record_view v;
    v.type = static_cast<content_type>(record[0]);
    v.legacy_version = static_cast<std::uint16_t>((record[1] << 8) | record[2]);
    std::copy_n(record.begin(), header_size, v.header.begin());
    v.fragment = record.subspan(header_size);
    return v;
}

deframer::deframer(std::size_t max_length) : max_length_(max_length) {}

void deframer::make_room(std::size_t n) {
    if (begin_ == end_) {
        // Nothing pending: restart at the front for free.
        begin_ = end_ = 0;
    }
    if (buffer_.size() - end_ >= n) {
        return;
    }
    // Compact before growing: the pending partial record moves to the front. This keeps the
    // buffer at about one maximum record plus one read once the connection is warm.
    if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (buffer_.size() - end_ >= n) {
        return;
    }
    // Grow geometrically; the first allocation already holds a full record so that a normal
    // connection allocates once.
    std::size_t want = std::max<std::size_t>(buffer_.size() * 2, header_size + max_tls12_ciphertext_length);
    want = std::max(want, end_ + n);
    buffer_.resize(want);
}

void deframer::feed(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) {
        return;
    }
    make_room(bytes.size());
    std::memcpy(buffer_.data() + end_, bytes.data(), bytes.size());
    end_ += bytes.size();
}

std::span<std::uint8_t> deframer::prepare(std::size_t n) {
    make_room(n);
    return {buffer_.data() + end_, buffer_.size() - end_};
}

void deframer::commit(std::size_t n) noexcept {
    end_ = std::min(end_ + n, buffer_.size());
}

bool deframer::has_complete_record() const noexcept {
    if (error_) {
        return true;
    }
    const std::size_t available = end_ - begin_;
    if (available == 0) {
        return false;
    }
    const std::span<const std::uint8_t> pending(buffer_.data() + begin_, available);
    auto length = check_record_header(pending.first(std::min(available, header_size)), max_length_);
    if (!length) {
        return true;
    }
    return length->has_value() && available >= header_size + **length;
}

result<std::optional<record_view>> deframer::next() noexcept {
    if (error_) {
        return unexpected(error_);
    }
    const std::size_t available = end_ - begin_;
    const std::span<std::uint8_t> pending(buffer_.data() + begin_, available);
    auto length = check_record_header(pending.first(std::min(available, header_size)), max_length_);
    if (!length) {
        error_ = length.error();
        return unexpected(error_);
    }
    if (!length->has_value() || available < header_size + **length) {
        return std::optional<record_view>{};
    }
    const std::size_t total = header_size + **length;
    auto v = view_record(pending.first(total), max_length_);
    if (!v) {
        error_ = v.error();
        return unexpected(error_);
    }
    begin_ += total;
    return std::optional<record_view>{*v};
}

} // namespace awsio::tls::record
