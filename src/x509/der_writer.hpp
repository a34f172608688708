// x509/der_writer.hpp — a small ASN.1 DER (ITU-T X.690) writer, the counterpart of der.hpp's
// reader, used to build certificates for tests, tools and the demo (x509/builder.hpp).
//
// The writer appends elements to one growing buffer. Constructed elements are written in place:
// constructed() reserves a one-octet length, runs the body, then patches the length, widening
// it to the long form (8.1.3.5) when the contents reach 128 octets. Everything written is DER:
// minimal lengths, minimal INTEGERs, DER BOOLEAN octets, named bit strings without trailing zero
// bits, and times in the RFC 5280 4.1.2.5 form.
//
// Thread safety: a writer is a plain value; use one per thread.
#pragma once

#include "x509/der.hpp"

#include <awsio/error.hpp>
#include <awsio/result.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace awsio::x509::der {

/// Calendar date and time in UTC, from seconds since 1970-01-01T00:00:00Z (proleptic Gregorian).
struct civil_time {
    std::int64_t year = 1970;
    unsigned month = 1; ///< 1..12
    unsigned day = 1;   ///< 1..31
    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0;
};

/// Splits Unix seconds into a civil date and time (any int64 whose year fits in int64).
constexpr civil_time to_civil(std::int64_t unix_seconds) noexcept {
    std::int64_t days = unix_seconds / 86400;
    std::int64_t secs = unix_seconds % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    // Days to year/month/day (the era-based algorithm: eras of 400 years, March-based years).
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    civil_time t;
    t.year = yoe + era * 400 + (m <= 2 ? 1 : 0);
    t.month = static_cast<unsigned>(m);
    t.day = static_cast<unsigned>(d);
    t.hour = static_cast<unsigned>(secs / 3600);
    t.minute = static_cast<unsigned>((secs % 3600) / 60);
    t.second = static_cast<unsigned>(secs % 60);
    return t;
}

/// Appends DER elements to a byte buffer.
class writer {
public:
    writer() = default;

    /// The encoding so far.
    [[nodiscard]] const std::vector<std::uint8_t> &bytes() const noexcept { return out_; }
    /// Moves the encoding out, leaving the writer empty.
    [[nodiscard]] std::vector<std::uint8_t> take() noexcept { return std::exchange(out_, {}); }

    /// Pre-encoded elements, copied as they are (e.g. a Name taken from another certificate).
    void write_raw(std::span<const std::uint8_t> encoded) { out_.insert(out_.end(), encoded.begin(), encoded.end()); }

    /// One element with identifier octet `t` and the given contents.
    void write_tlv(std::uint8_t t, std::span<const std::uint8_t> contents) {
        out_.push_back(t);
        append_length(contents.size());
        write_raw(contents);
    }

    /// A constructed element whose contents `body(*this)` writes.
    template <typename Body>
    void constructed(std::uint8_t t, Body &&body) {
        out_.push_back(t);
        const std::size_t length_pos = out_.size();
        out_.push_back(0);
        std::forward<Body>(body)(*this);
        patch_length(length_pos);
    }
    template <typename Body>
    void sequence(Body &&body) {
        constructed(tag::sequence, std::forward<Body>(body));
    }
    template <typename Body>
    void set(Body &&body) {
        constructed(tag::set, std::forward<Body>(body));
    }
    /// [n] EXPLICIT around what `body` writes.
    template <typename Body>
    void explicit_tag(unsigned n, Body &&body) {
        constructed(context_tag(n, true), std::forward<Body>(body));
    }
    /// An OCTET STRING whose contents are DER that `body` writes (extension values).
    template <typename Body>
    void octet_string_wrapping(Body &&body) {
        constructed(tag::octet_string, std::forward<Body>(body));
    }

    /// A non-negative INTEGER given as a big-endian magnitude (leading zero octets dropped, a
    /// 0x00 octet added when the top bit is set; empty means zero).
    void write_unsigned_integer(std::span<const std::uint8_t> magnitude, std::uint8_t t = tag::integer) {
        std::size_t i = 0;
        while (i + 1 < magnitude.size() && magnitude[i] == 0) {
            ++i;
        }
        std::vector<std::uint8_t> v;
        if (magnitude.empty()) {
            v.push_back(0);
        } else {
            if ((magnitude[i] & 0x80u) != 0) {
                v.push_back(0);
            }
            v.insert(v.end(), magnitude.begin() + static_cast<std::ptrdiff_t>(i), magnitude.end());
        }
        write_tlv(t, v);
    }
    /// An INTEGER from a signed value, minimally encoded in two's complement.
    void write_int64(std::int64_t value, std::uint8_t t = tag::integer) {
        std::uint8_t buf[8];
        auto u = static_cast<std::uint64_t>(value);
        for (int k = 7; k >= 0; --k) {
            buf[k] = static_cast<std::uint8_t>(u & 0xffu);
            u >>= 8;
        }
        std::size_t i = 0;
        // Drop an octet while it and the next octet's top bit are redundant sign extension.
        while (i < 7 && ((buf[i] == 0x00 && (buf[i + 1] & 0x80u) == 0) ||
                         (buf[i] == 0xff && (buf[i + 1] & 0x80u) != 0))) {
            ++i;
        }
        write_tlv(t, std::span<const std::uint8_t>(buf + i, 8 - i));
    }
    void write_boolean(bool value, std::uint8_t t = tag::boolean) {
        const std::uint8_t v = value ? 0xff : 0x00;
        write_tlv(t, std::span<const std::uint8_t>(&v, 1));
    }
    void write_null(std::uint8_t t = tag::null) { write_tlv(t, {}); }
    /// An OBJECT IDENTIFIER from its contents octets (x509/oid.hpp constants).
    void write_oid(std::span<const std::uint8_t> contents, std::uint8_t t = tag::oid) { write_tlv(t, contents); }
    void write_octet_string(std::span<const std::uint8_t> contents, std::uint8_t t = tag::octet_string) {
        write_tlv(t, contents);
    }
    /// A BIT STRING of whole octets (keys, signatures).
    void write_bit_string(std::span<const std::uint8_t> octets, std::uint8_t t = tag::bit_string) {
        out_.push_back(t);
        append_length(octets.size() + 1);
        out_.push_back(0);
        write_raw(octets);
    }
    /// A named bit list (KeyUsage): bit i of `bits` is named bit i. DER drops trailing zero bits
    /// (X.690 11.2.2), so the encoding ends at the highest bit set; no bits gives 03 01 00.
    void write_named_bits(std::uint32_t bits, std::uint8_t t = tag::bit_string) {
        unsigned count = 0;
        for (unsigned i = 0; i < 32; ++i) {
            if ((bits >> i) & 1u) {
                count = i + 1;
            }
        }
        std::vector<std::uint8_t> v(1 + (count + 7) / 8, 0);
        v[0] = static_cast<std::uint8_t>((8 - count % 8) % 8);
        for (unsigned i = 0; i < count; ++i) {
            if ((bits >> i) & 1u) {
                v[1 + i / 8] = static_cast<std::uint8_t>(v[1 + i / 8] | (0x80u >> (i % 8)));
            }
        }
        write_tlv(t, v);
    }
    /// A string type (UTF8String, PrintableString, IA5String, ...) from its octets; the caller
    /// picks a type whose character set covers the text.
    void write_string(std::uint8_t t, std::string_view text) {
        write_tlv(t, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t *>(text.data()), text.size()));
    }

    /// UTCTime "YYMMDDHHMMSSZ": years 1950..2049 only, else common_errc::invalid_argument.
    result<void> write_utc_time(std::int64_t unix_seconds) {
        const civil_time c = to_civil(unix_seconds);
        if (c.year < 1950 || c.year > 2049) {
            return common_errc::invalid_argument;
        }
        write_time_digits(tag::utc_time, c, 2);
        return {};
    }
    /// GeneralizedTime "YYYYMMDDHHMMSSZ": years 0..9999, else common_errc::invalid_argument.
    result<void> write_generalized_time(std::int64_t unix_seconds) {
        const civil_time c = to_civil(unix_seconds);
        if (c.year < 0 || c.year > 9999) {
            return common_errc::invalid_argument;
        }
        write_time_digits(tag::generalized_time, c, 4);
        return {};
    }
    /// X.509 Time (RFC 5280 4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050 on (and
    /// before 1950).
    result<void> write_time(std::int64_t unix_seconds) {
        const civil_time c = to_civil(unix_seconds);
        if (c.year >= 1950 && c.year <= 2049) {
            return write_utc_time(unix_seconds);
        }
        return write_generalized_time(unix_seconds);
    }

private:
    void append_length(std::size_t n) {
        if (n < 0x80) {
            out_.push_back(static_cast<std::uint8_t>(n));
            return;
        }
        std::uint8_t buf[sizeof(std::size_t)];
        std::size_t k = 0;
        while (n != 0) {
            buf[k++] = static_cast<std::uint8_t>(n & 0xffu);
            n >>= 8;
        }
        out_.push_back(static_cast<std::uint8_t>(0x80u | k));
        while (k != 0) {
            out_.push_back(buf[--k]);
        }
    }

    // The contents start after the single length octet reserved at `pos`; rewrite the length
    // in its minimal form, shifting the contents when the long form needs more octets.
    void patch_length(std::size_t pos) {
        const std::size_t n = out_.size() - pos - 1;
        if (n < 0x80) {
            out_[pos] = static_cast<std::uint8_t>(n);
            return;
        }
        std::uint8_t buf[1 + sizeof(std::size_t)];
        std::size_t k = 0;
        for (std::size_t v = n; v != 0; v >>= 8) {
            ++k;
        }
        buf[0] = static_cast<std::uint8_t>(0x80u | k);
        for (std::size_t i = 0; i < k; ++i) {
            buf[k - i] = static_cast<std::uint8_t>((n >> (8 * i)) & 0xffu);
        }
        // Grow by k, shift the contents right, then fill in the length octets.
        const std::size_t start = pos + 1;
        out_.resize(out_.size() + k);
        for (std::size_t i = out_.size(); i-- > start + k;) {
            out_[i] = out_[i - k];
        }
        for (std::size_t i = 0; i <= k; ++i) {
            out_[pos + i] = buf[i];
        }
    }

    void write_time_digits(std::uint8_t t, const civil_time &c, int year_digits) {
        char text[16];
        std::size_t n = 0;
        auto put = [&](std::int64_t v, int digits) {
            for (int i = digits - 1; i >= 0; --i) {
                std::int64_t p = 1;
                for (int j = 0; j < i; ++j) {
                    p *= 10;
                }
                text[n++] = static_cast<char>('0' + (v / p) % 10);
            }
        };
        put(c.year % (year_digits == 2 ? 100 : 10000), year_digits);
        put(c.month, 2);
        put(c.day, 2);
        put(c.hour, 2);
        put(c.minute, 2);
        put(c.second, 2);
        text[n++] = 'Z';
        write_string(t, std::string_view(text, n));
    }

    std::vector<std::uint8_t> out_;
};

} // namespace awsio::x509::der
