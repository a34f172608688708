// Strict DER checks for ECDSA signatures and the P1363 (r||s) to DER conversion. Written here
// rather than left to libcrypto so that BER-malleable encodings (long-form lengths, leading
// zeros, negative integers, trailing bytes) are refused by one audited piece of code.
#include "crypto/provider.hpp"

namespace awsio::crypto {
namespace {

// Reads a DER length at `pos`: short form, or 0x81/0x82 long form only when the short form
// (resp. 0x81) could not express it (X.690 10.1 minimal length).
bool read_length(bytes_view s, std::size_t &pos, std::size_t &len) noexcept {
    if (pos >= s.size()) {
        return false;
    }
    const std::uint8_t first = s[pos++];
    if (first < 0x80) {
        len = first;
        return true;
    }
    if (first == 0x81) {
        if (pos >= s.size() || s[pos] < 0x80) {
            return false;
        }
        len = s[pos++];
        return true;
    }
    if (first == 0x82) {
        if (s.size() - pos < 2) {
            return false;
        }
        len = (static_cast<std::size_t>(s[pos]) << 8) | s[pos + 1];
        pos += 2;
        return len >= 0x100;
    }
    return false; // indefinite form, or a length far larger than any signature
}

// A positive, minimally-encoded INTEGER of at most scalar_size value bytes.
bool read_positive_integer(bytes_view s, std::size_t &pos, std::size_t scalar_size) noexcept {
    if (pos >= s.size() || s[pos] != 0x02) {
        return false;
    }
    ++pos;
    std::size_t len = 0;
    if (!read_length(s, pos, len) || len == 0 || len > s.size() - pos) {
        return false;
    }
    const bytes_view v = s.subspan(pos, len);
    pos += len;
    if ((v[0] & 0x80) != 0) {
        return false; // negative
    }
    std::size_t value_len = len;
    if (v[0] == 0x00) {
        if (len == 1) {
            return false; // zero is never a valid r or s
        }
        if ((v[1] & 0x80) == 0) {
            return false; // superfluous leading zero
        }
        value_len = len - 1;
    }
    return value_len <= scalar_size;
}

void append_integer(std::vector<std::uint8_t> &out, bytes_view value) {
    std::size_t skip = 0;
    while (skip + 1 < value.size() && value[skip] == 0) {
        ++skip;
    }
    value = value.subspan(skip);
    const bool pad = !value.empty() && (value[0] & 0x80) != 0;
    const std::size_t len = value.size() + (pad ? 1 : 0);
    out.push_back(0x02);
    if (len >= 0x80) {
        out.push_back(0x81);
    }
    out.push_back(static_cast<std::uint8_t>(len));
    if (pad) {
        out.push_back(0x00);
    }
    out.insert(out.end(), value.begin(), value.end());
}

} // namespace

bool is_strict_der_ecdsa_signature(bytes_view sig, std::size_t scalar_size) noexcept {
    std::size_t pos = 0;
    if (sig.empty() || sig[pos++] != 0x30) {
        return false;
    }
    std::size_t len = 0;
    if (!read_length(sig, pos, len) || len != sig.size() - pos) {
        return false; // the SEQUENCE must cover exactly the rest: no trailing bytes
    }
    if (!read_positive_integer(sig, pos, scalar_size) ||
        !read_positive_integer(sig, pos, scalar_size)) {
        return false;
    }
    return pos == sig.size();
}

result<std::vector<std::uint8_t>> ecdsa_p1363_to_der(bytes_view p1363, std::size_t scalar_size) {
    if (scalar_size == 0 || scalar_size > 0x70 || p1363.size() != 2 * scalar_size) {
        return crypto_errc::bad_signature;
    }
    std::vector<std::uint8_t> body;
    body.reserve(2 * scalar_size + 6);
    append_integer(body, p1363.first(scalar_size));
    append_integer(body, p1363.subspan(scalar_size));
    std::vector<std::uint8_t> out;
    out.reserve(body.size() + 3);
    out.push_back(0x30);
    if (body.size() >= 0x80) {
        out.push_back(0x81);
    }
    out.push_back(static_cast<std::uint8_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

} // namespace awsio::crypto
