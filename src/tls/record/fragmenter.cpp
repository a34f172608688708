// tls/record/fragmenter.cpp — fragment size limits and plaintext record writing.
#include "tls/record/fragmenter.hpp"

#include "tls/codec/tls_error.hpp"

#include <algorithm>
#include <cstring>

namespace awsio::tls::record {

namespace {
std::size_t clamp_fragment(std::size_t n) noexcept {
    return std::clamp(n, min_fragment_length, max_plaintext_length);
}
} // namespace

void write_record_header(std::span<std::uint8_t> out, content_type type, std::uint16_t version,
                         std::uint16_t length) noexcept {
    out[0] = static_cast<std::uint8_t>(type);
    out[1] = static_cast<std::uint8_t>(version >> 8);
    out[2] = static_cast<std::uint8_t>(version);
    out[3] = static_cast<std::uint8_t>(length >> 8);
    out[4] = static_cast<std::uint8_t>(length);
}

fragmenter::fragmenter(std::size_t max_fragment) noexcept : own_limit_(clamp_fragment(max_fragment)) {}

void fragmenter::set_max_fragment(std::size_t max_fragment) noexcept {
    own_limit_ = clamp_fragment(max_fragment);
}

result<void> fragmenter::apply_record_size_limit(std::uint16_t peer_limit, bool tls13) noexcept {
    // RFC 8449 4: values below 64 are illegal_parameter. The TLS 1.3 value includes the content
    // type octet of TLSInnerPlaintext (and any padding), so the content limit is one less; larger
    // values than the protocol allows simply mean "the protocol maximum".
    if (peer_limit < min_fragment_length) {
        return errc::illegal_parameter;
    }
    std::size_t limit = peer_limit;
    if (tls13) {
        limit -= 1;
    }
    peer_limit_ = std::min(limit, max_plaintext_length);
    return {};
}

std::size_t fragmenter::max_fragment() const noexcept {
    return std::min(own_limit_, peer_limit_);
}

std::size_t fragmenter::record_count(std::size_t length) const noexcept {
    const std::size_t m = max_fragment();
    return (length + m - 1) / m;
}

std::span<const std::uint8_t> fragmenter::next_fragment(std::span<const std::uint8_t> &remaining) const noexcept {
    const std::size_t n = std::min(remaining.size(), max_fragment());
    const auto fragment = remaining.first(n);
    remaining = remaining.subspan(n);
    return fragment;
}

std::size_t fragmenter::plaintext_records_size(std::size_t length) const noexcept {
    return length + record_count(length) * header_size;
}

result<std::size_t> fragmenter::write_plaintext_records(content_type type, std::uint16_t version,
                                                        std::span<const std::uint8_t> data,
                                                        std::span<std::uint8_t> out) const noexcept {
    if (out.size() < plaintext_records_size(data.size())) {
        return errc::internal_error;
    }
    std::size_t written = 0;
    while (!data.empty()) {
        const auto fragment = next_fragment(data);
        write_record_header(out.subspan(written), type, version, static_cast<std::uint16_t>(fragment.size()));
        std::memcpy(out.data() + written + header_size, fragment.data(), fragment.size());
        written += header_size + fragment.size();
    }
    return written;
}

} // namespace awsio::tls::record
