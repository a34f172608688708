// x509/der.hpp — a strict, bounds-checked reader for ASN.1 DER (ITU-T X.690) as used by X.509
// (RFC 5280): definite minimal lengths, low tag numbers only, a nesting limit, typed reads.
//
// Everything here is a view: a reader and the spans, oids and bit strings it returns point into
// the caller's buffer, which must outlive them. No allocation except for strings returned by
// value. No exceptions; every malformed input yields a specific der::errc.
//
// Errors: der::errc values in their own category ("awsio-der") so tests and diagnostics can tell
// *what* was wrong. Callers that surface certificate problems to users translate every code of
// this category to io_errc::tls_bad_certificate (see to_bad_certificate()).
//
// Thread safety: a reader is a plain value; use one per thread. The functions are reentrant.
#pragma once

#include <awsio/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace awsio::x509::der {

/// What was wrong with an encoding.
enum class errc : int {
    truncated = 1,          ///< a header or contents run past the end of the input
    indefinite_length,      ///< length octet 0x80 (BER only)
    non_minimal_length,     ///< long form where short suffices, or leading zero length octets
    length_overflow,        ///< more than 4 length octets, or the reserved 0xFF
    input_too_large,        ///< the input or an element exceeds limits::max_input_size
    unsupported_tag,        ///< high-tag-number form (0x1F) or the end-of-contents tag 0x00
    unexpected_tag,         ///< the element's tag (class, form, number) is not the one expected
    nesting_too_deep,       ///< more constructed levels than limits::max_depth
    trailing_data,          ///< bytes left where the structure must end
    bad_integer,            ///< empty or non-minimal INTEGER
    integer_out_of_range,   ///< does not fit the requested type, or negative where positive needed
    bad_boolean,            ///< BOOLEAN not exactly one octet 0x00 / 0xFF
    bad_null,               ///< NULL with contents
    bad_oid,                ///< empty, truncated or non-minimal sub-identifier
    bad_bit_string,         ///< missing / >7 unused-bits octet, or non-zero padding bits
    bad_time,               ///< not the DER form YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ, or not a date
    bad_string,             ///< characters outside the type's set, or invalid UTF-8/16/32
};

} // namespace awsio::x509::der

template <>
struct std::is_error_code_enum<awsio::x509::der::errc> : std::true_type {};

namespace awsio::x509::der {

/// Category of errc; name() is "awsio-der". A singleton.
const std::error_category &der_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), der_category()};
}

/// The io_errc a certificate consumer reports for a DER failure: der codes become
/// io_errc::tls_bad_certificate, any other code is returned unchanged.
std::error_code to_bad_certificate(std::error_code ec) noexcept;

/// Identifier octets of the universal types used by X.509 (class universal; constructed bit
/// set for SEQUENCE and SET).
namespace tag {
inline constexpr std::uint8_t boolean = 0x01;
inline constexpr std::uint8_t integer = 0x02;
inline constexpr std::uint8_t bit_string = 0x03;
inline constexpr std::uint8_t octet_string = 0x04;
inline constexpr std::uint8_t null = 0x05;
inline constexpr std::uint8_t oid = 0x06;
inline constexpr std::uint8_t enumerated = 0x0a;
inline constexpr std::uint8_t utf8_string = 0x0c;
inline constexpr std::uint8_t numeric_string = 0x12;
inline constexpr std::uint8_t printable_string = 0x13;
inline constexpr std::uint8_t teletex_string = 0x14; ///< T61String
inline constexpr std::uint8_t ia5_string = 0x16;
inline constexpr std::uint8_t utc_time = 0x17;
inline constexpr std::uint8_t generalized_time = 0x18;
inline constexpr std::uint8_t visible_string = 0x1a;
inline constexpr std::uint8_t universal_string = 0x1c;
inline constexpr std::uint8_t bmp_string = 0x1e;
inline constexpr std::uint8_t sequence = 0x30;
inline constexpr std::uint8_t set = 0x31;

inline constexpr std::uint8_t constructed_bit = 0x20;
inline constexpr std::uint8_t class_mask = 0xc0;
inline constexpr std::uint8_t class_context = 0x80;
inline constexpr std::uint8_t number_mask = 0x1f;
} // namespace tag

/// Identifier octet of a context-specific tag [n] (n <= 30). EXPLICIT tags and IMPLICIT tags of
/// constructed types (SEQUENCE, SET) are constructed; IMPLICIT tags of primitive types are not.
constexpr std::uint8_t context_tag(unsigned n, bool constructed) noexcept {
    return static_cast<std::uint8_t>(tag::class_context | (constructed ? tag::constructed_bit : 0) |
                                     (n & tag::number_mask));
}

/// Resource limits applied while reading.
struct limits {
    /// Largest input a top-level reader accepts (and so the largest element).
    std::size_t max_input_size = std::size_t{1} << 20;
    /// Deepest constructed nesting: a top-level reader is depth 0; each sub-reader is one more.
    unsigned max_depth = 32;
};

/// One element: its identifier octet, its contents, and its complete encoding (header and
/// contents; what a signature covers, e.g. tbsCertificate).
struct tlv {
    std::uint8_t tag = 0;
    std::span<const std::uint8_t> value;
    std::span<const std::uint8_t> encoded;
};

/// A BIT STRING: contents octets after the unused-bits octet. Bits are numbered from the most
/// significant bit of the first octet (bit 0), as named bit lists (KeyUsage) use them.
struct bit_string {
    std::span<const std::uint8_t> bytes;
    std::uint8_t unused_bits = 0;

    /// Number of meaningful bits.
    [[nodiscard]] std::size_t bit_count() const noexcept { return bytes.size() * 8 - unused_bits; }
    /// Bit i (false beyond bit_count()).
    [[nodiscard]] bool bit(std::size_t i) const noexcept {
        if (i >= bit_count()) {
            return false;
        }
        return (bytes[i / 8] & (0x80u >> (i % 8))) != 0;
    }
    /// The octets when the string is a whole number of octets (keys, signatures);
    /// errc::bad_bit_string otherwise.
    [[nodiscard]] result<std::span<const std::uint8_t>> octets() const noexcept;
};

/// An OBJECT IDENTIFIER's contents octets (validated), comparable to encoded constants.
struct oid {
    std::span<const std::uint8_t> bytes;

    /// Dotted-decimal form ("1.2.840.113549.1.1.11"); arcs of any size.
    [[nodiscard]] std::string to_string() const;
    [[nodiscard]] bool equals(std::span<const std::uint8_t> other) const noexcept;
    friend bool operator==(const oid &a, const oid &b) noexcept { return a.equals(b.bytes); }
};

// --- Contents decoders, for IMPLICIT tags and for callers holding a tlv ------------------------
// Each validates the DER rules of its type on contents octets alone.

result<std::span<const std::uint8_t>> decode_integer(std::span<const std::uint8_t> v) noexcept;
result<std::int64_t> decode_int64(std::span<const std::uint8_t> v) noexcept;
/// A non-negative INTEGER as its minimal magnitude, without the sign octet (RSA moduli,
/// serials; zero is one 0x00 octet). errc::integer_out_of_range when negative.
result<std::span<const std::uint8_t>> decode_unsigned_integer(std::span<const std::uint8_t> v) noexcept;
result<bool> decode_boolean(std::span<const std::uint8_t> v) noexcept;
result<void> decode_null(std::span<const std::uint8_t> v) noexcept;
result<oid> decode_oid(std::span<const std::uint8_t> v) noexcept;
result<bit_string> decode_bit_string(std::span<const std::uint8_t> v) noexcept;
/// UTCTime "YYMMDDHHMMSSZ" (YY 50–99 -> 19YY, else 20YY) in seconds since 1970-01-01T00:00:00Z.
result<std::int64_t> decode_utc_time(std::span<const std::uint8_t> v) noexcept;
/// GeneralizedTime "YYYYMMDDHHMMSSZ" (no fraction, RFC 5280 4.1.2.5.2) in seconds since epoch.
result<std::int64_t> decode_generalized_time(std::span<const std::uint8_t> v) noexcept;
/// A string of universal type `string_tag` (UTF8String, PrintableString, IA5String,
/// NumericString, VisibleString, TeletexString as Latin-1, BMPString as UTF-16BE,
/// UniversalString as UTF-32BE) converted to UTF-8. PrintableString also admits '*' and '&',
/// which deployed certificates use in names. errc::unexpected_tag for any other tag.
result<std::string> decode_string(std::uint8_t string_tag, std::span<const std::uint8_t> v);

/// Dotted-decimal text to OID contents octets ("2.5.4.3" -> 55 04 03); arcs up to 2^64-1.
/// errc::bad_oid for malformed text. For building constants and tests.
result<std::vector<std::uint8_t>> oid_from_string(std::string_view dotted);

// --- The reader -----------------------------------------------------------------------------

/// Reads consecutive DER elements from a span. Each read consumes one element on success and
/// nothing on failure. Constructed elements are read as sub-readers one level deeper.
class reader {
public:
    /// A top-level reader (depth 0). Input larger than lim.max_input_size makes every read
    /// fail with errc::input_too_large.
    explicit reader(std::span<const std::uint8_t> data, limits lim = {}) noexcept;

    [[nodiscard]] bool empty() const noexcept { return pos_ >= data_.size(); }
    [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
    [[nodiscard]] unsigned depth() const noexcept { return depth_; }
    [[nodiscard]] const limits &reader_limits() const noexcept { return limits_; }

    /// errc::trailing_data unless every byte was consumed.
    [[nodiscard]] result<void> expect_empty() const noexcept;

    /// The next element's identifier octet without consuming it; nullopt at the end.
    /// (Validity of the tag and length is checked by the read that follows.)
    [[nodiscard]] std::optional<std::uint8_t> peek_tag() const noexcept;
    /// True when the next element exists and has identifier octet t (for OPTIONAL / DEFAULT).
    [[nodiscard]] bool peek(std::uint8_t t) const noexcept;

    /// Any element.
    result<tlv> read_any() noexcept;
    /// An element with identifier octet t; errc::unexpected_tag otherwise.
    result<tlv> read(std::uint8_t t) noexcept;
    /// An element with identifier octet t if it is next; nullopt (nothing consumed) otherwise.
    result<std::optional<tlv>> read_optional(std::uint8_t t) noexcept;
    /// Skips one element.
    result<void> skip() noexcept;

    /// A sub-reader over contents (one level deeper; errc::nesting_too_deep past the limit).
    [[nodiscard]] result<reader> child(std::span<const std::uint8_t> contents) const noexcept;
    /// A constructed element with identifier octet t, as a sub-reader.
    result<reader> read_constructed(std::uint8_t t) noexcept;
    result<reader> read_sequence() noexcept { return read_constructed(tag::sequence); }
    result<reader> read_set() noexcept { return read_constructed(tag::set); }
    /// [n] EXPLICIT: the wrapper's contents as a sub-reader (which holds the inner element).
    result<reader> read_explicit(unsigned n) noexcept;
    /// [n] EXPLICIT if it is next; nullopt otherwise.
    result<std::optional<reader>> read_optional_explicit(unsigned n) noexcept;

    // Typed reads. `t` overrides the universal tag for IMPLICIT tagging: for instance
    // read_ia5_string(context_tag(2, false)) reads GeneralName's dNSName [2] IA5String.
    result<std::span<const std::uint8_t>> read_integer(std::uint8_t t = tag::integer) noexcept;
    result<std::int64_t> read_int64(std::uint8_t t = tag::integer) noexcept;
    result<std::span<const std::uint8_t>> read_unsigned_integer(std::uint8_t t = tag::integer) noexcept;
    result<bool> read_boolean(std::uint8_t t = tag::boolean) noexcept;
    result<void> read_null(std::uint8_t t = tag::null) noexcept;
    result<oid> read_oid(std::uint8_t t = tag::oid) noexcept;
    result<bit_string> read_bit_string(std::uint8_t t = tag::bit_string) noexcept;
    result<std::span<const std::uint8_t>> read_octet_string(std::uint8_t t = tag::octet_string) noexcept;
    result<std::int64_t> read_utc_time(std::uint8_t t = tag::utc_time) noexcept;
    result<std::int64_t> read_generalized_time(std::uint8_t t = tag::generalized_time) noexcept;
    /// X.509 Time: UTCTime or GeneralizedTime, whichever is next.
    result<std::int64_t> read_time() noexcept;
    /// Any universal string type (DirectoryString and friends), as UTF-8.
    result<std::string> read_string();
    result<std::string> read_ia5_string(std::uint8_t t = tag::ia5_string);
    result<std::string> read_utf8_string(std::uint8_t t = tag::utf8_string);
    result<std::string> read_printable_string(std::uint8_t t = tag::printable_string);

private:
    reader(std::span<const std::uint8_t> data, limits lim, unsigned depth) noexcept;
    // Parses the element at pos_ without consuming it.
    [[nodiscard]] result<tlv> parse_next() const noexcept;
    template <typename T, typename F>
    result<T> read_typed(std::uint8_t t, F &&decode);

    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
    limits limits_;
    unsigned depth_ = 0;
    bool oversized_ = false;
};

} // namespace awsio::x509::der
