// Strict DER reader (ITU-T X.690 clause 10 on top of the BER rules of clause 8) and the
// contents decoders for the ASN.1 types X.509 uses (RFC 5280).
#include "x509/der.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>

namespace awsio::x509::der {
namespace {

class der_category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "awsio-der"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::truncated:
            return "DER element runs past the end of its input";
        case errc::indefinite_length:
            return "DER forbids the indefinite length form";
        case errc::non_minimal_length:
            return "DER length is not minimally encoded";
        case errc::length_overflow:
            return "DER length field too long";
        case errc::input_too_large:
            return "DER input exceeds the size limit";
        case errc::unsupported_tag:
            return "unsupported DER tag (high tag number or end-of-contents)";
        case errc::unexpected_tag:
            return "unexpected DER tag";
        case errc::nesting_too_deep:
            return "DER nesting exceeds the depth limit";
        case errc::trailing_data:
            return "trailing bytes after DER structure";
        case errc::bad_integer:
            return "INTEGER empty or not minimally encoded";
        case errc::integer_out_of_range:
            return "INTEGER out of range";
        case errc::bad_boolean:
            return "BOOLEAN not DER-encoded";
        case errc::bad_null:
            return "NULL has contents";
        case errc::bad_oid:
            return "malformed OBJECT IDENTIFIER";
        case errc::bad_bit_string:
            return "malformed BIT STRING";
        case errc::bad_time:
            return "malformed UTCTime or GeneralizedTime";
        case errc::bad_string:
            return "invalid characters for the string type";
        }
        return "unknown DER error";
    }
};

using bytes = std::span<const std::uint8_t>;

// --- Strings ------------------------------------------------------------------------------

void append_utf8(std::string &out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
        out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
}

bool is_surrogate(std::uint32_t cp) noexcept { return cp >= 0xd800 && cp <= 0xdfff; }

// RFC 3629: shortest form only, no surrogates, nothing above U+10FFFF.
bool valid_utf8(bytes v) noexcept {
    std::size_t i = 0;
    while (i < v.size()) {
        const std::uint8_t b = v[i];
        std::size_t n = 0;
        std::uint32_t cp = 0;
        std::uint32_t min = 0;
        if (b < 0x80) {
            ++i;
            continue;
        } else if ((b & 0xe0) == 0xc0) {
            n = 1, cp = b & 0x1fu, min = 0x80;
        } else if ((b & 0xf0) == 0xe0) {
            n = 2, cp = b & 0x0fu, min = 0x800;
        } else if ((b & 0xf8) == 0xf0) {
            n = 3, cp = b & 0x07u, min = 0x10000;
        } else {
            return false;
        }
        if (v.size() - i - 1 < n) {
            return false;
        }
        for (std::size_t k = 1; k <= n; ++k) {
            const std::uint8_t c = v[i + k];
            if ((c & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (c & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || is_surrogate(cp)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

// X.680 41.4 PrintableString, plus '*' and '&' which deployed certificates put in names
// (wildcard common names) and which other X.509 implementations accept for that reason.
bool is_printable_char(std::uint8_t c) noexcept {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        return true;
    }
    switch (c) {
    case ' ': case '\'': case '(': case ')': case '+': case ',': case '-': case '.':
    case '/': case ':': case '=': case '?': case '*': case '&':
        return true;
    default:
        return false;
    }
}

// --- Times --------------------------------------------------------------------------------

bool two_digits(bytes v, std::size_t at, int &out) noexcept {
    const std::uint8_t a = v[at];
    const std::uint8_t b = v[at + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') {
        return false;
    }
    out = (a - '0') * 10 + (b - '0');
    return true;
}

bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) noexcept {
    static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[static_cast<std::size_t>(m - 1)];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar: count from a March-based
// year so the leap day falls at the end, then shift by whole 400-year eras (146097 days).
std::int64_t days_from_civil(int y, int m, int d) noexcept {
    const int year = m <= 2 ? y - 1 : y;
    const int era = (year >= 0 ? year : year - 399) / 400;
    const int yoe = year - era * 400;                          // 0..399
    const int mp = m > 2 ? m - 3 : m + 9;                      // March = 0
    const int doy = (153 * mp + 2) / 5 + d - 1;                // 0..365
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;     // 0..146096
    return static_cast<std::int64_t>(era) * 146097 + doe - 719468; // 719468: 0000-03-01 to 1970-01-01
}

// Shared tail of both time forms: MMDDHHMMSS at `at`, then 'Z' ending the contents.
result<std::int64_t> finish_time(bytes v, std::size_t at, int year) noexcept {
    int month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!two_digits(v, at, month) || !two_digits(v, at + 2, day) || !two_digits(v, at + 4, hour) ||
        !two_digits(v, at + 6, minute) || !two_digits(v, at + 8, second) || v[at + 10] != 'Z') {
        return errc::bad_time;
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 59) {
        return errc::bad_time;
    }
    return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

// --- OIDs ---------------------------------------------------------------------------------

// A non-negative integer of any size in base 10^9 limbs (least significant first), enough to
// print arcs wider than 64 bits (UUID arcs under 2.25 are 128-bit).
class decimal_big {
public:
    void mul_add(std::uint32_t mul, std::uint32_t add) {
        std::uint64_t carry = add;
        for (auto &limb : limbs_) {
            const std::uint64_t x = std::uint64_t{limb} * mul + carry;
            limb = static_cast<std::uint32_t>(x % base);
            carry = x / base;
        }
        while (carry != 0) {
            limbs_.push_back(static_cast<std::uint32_t>(carry % base));
            carry /= base;
        }
    }
    // Only called with a value >= small.
    void sub(std::uint32_t small) {
        std::uint64_t borrow = small;
        for (auto &limb : limbs_) {
            if (borrow == 0) {
                break;
            }
            if (limb >= borrow) {
                limb = static_cast<std::uint32_t>(limb - borrow);
                borrow = 0;
            } else {
                limb = static_cast<std::uint32_t>(limb + base - borrow);
                borrow = 1;
            }
        }
        while (limbs_.size() > 1 && limbs_.back() == 0) {
            limbs_.pop_back();
        }
    }
    void append_to(std::string &out) const {
        if (limbs_.empty()) {
            out.push_back('0');
            return;
        }
        char buf[16];
        std::snprintf(buf, sizeof buf, "%u", static_cast<unsigned>(limbs_.back()));
        out += buf;
        for (std::size_t i = limbs_.size() - 1; i-- > 0;) {
            std::snprintf(buf, sizeof buf, "%09u", static_cast<unsigned>(limbs_[i]));
            out += buf;
        }
    }

private:
    static constexpr std::uint64_t base = 1000000000;
    std::vector<std::uint32_t> limbs_;
};

// One sub-identifier: `groups` base-128 digits. Writes "a.b" for the first (X.690 8.19.4).
void append_arc(std::string &out, bytes groups, bool first) {
    if (groups.size() <= 9) { // at most 63 bits
        std::uint64_t value = 0;
        for (const std::uint8_t g : groups) {
            value = (value << 7) | (g & 0x7fu);
        }
        if (first) {
            const std::uint64_t top = value < 40 ? 0 : value < 80 ? 1 : 2;
            out += std::to_string(top);
            out.push_back('.');
            value -= top * 40;
        }
        out += std::to_string(value);
        return;
    }
    decimal_big big;
    for (const std::uint8_t g : groups) {
        big.mul_add(128, g & 0x7fu);
    }
    if (first) { // more than 63 bits: certainly >= 80, so under arc 2
        out += "2.";
        big.sub(80);
    }
    big.append_to(out);
}

bool parse_arc(std::string_view text, std::uint64_t &out) noexcept {
    if (text.empty() || (text.size() > 1 && text[0] == '0')) {
        return false;
    }
    std::uint64_t v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
            return false;
        }
        v = v * 10 + digit;
    }
    out = v;
    return true;
}

void encode_base128(std::vector<std::uint8_t> &out, std::uint64_t v) {
    std::array<std::uint8_t, 10> tmp{};
    std::size_t n = 0;
    do {
        tmp[n++] = static_cast<std::uint8_t>(v & 0x7f);
        v >>= 7;
    } while (v != 0);
    while (n > 0) {
        --n;
        out.push_back(static_cast<std::uint8_t>(tmp[n] | (n > 0 ? 0x80 : 0x00)));
    }
}

bool is_string_tag(std::uint8_t t) noexcept {
    switch (t) {
    case tag::utf8_string: case tag::numeric_string: case tag::printable_string:
    case tag::teletex_string: case tag::ia5_string: case tag::visible_string:
    case tag::universal_string: case tag::bmp_string:
        return true;
    default:
        return false;
    }
}

} // namespace

const std::error_category &der_category() noexcept {
    static const der_category_impl instance;
    return instance;
}

std::error_code to_bad_certificate(std::error_code ec) noexcept {
    if (ec.category() == der_category()) {
        return make_error_code(io_errc::tls_bad_certificate);
    }
    return ec;
}

// --- bit_string / oid ---------------------------------------------------------------------

result<std::span<const std::uint8_t>> bit_string::octets() const noexcept {
    if (unused_bits != 0) {
        return errc::bad_bit_string;
    }
    return bytes;
}

std::string oid::to_string() const {
    std::string out;
    std::size_t start = 0;
    bool first = true;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if ((bytes[i] & 0x80) == 0) {
            if (!first) {
                out.push_back('.');
            }
            append_arc(out, bytes.subspan(start, i + 1 - start), first);
            first = false;
            start = i + 1;
        }
    }
    return out;
}

bool oid::equals(std::span<const std::uint8_t> other) const noexcept {
    return bytes.size() == other.size() && std::equal(bytes.begin(), bytes.end(), other.begin());
}

result<std::vector<std::uint8_t>> oid_from_string(std::string_view dotted) {
    std::vector<std::uint64_t> arcs;
    while (true) {
        const std::size_t dot = dotted.find('.');
        std::uint64_t v = 0;
        if (!parse_arc(dotted.substr(0, dot), v)) {
            return errc::bad_oid;
        }
        arcs.push_back(v);
        if (dot == std::string_view::npos) {
            break;
        }
        dotted.remove_prefix(dot + 1);
    }
    // X.660: the first arc is 0, 1 or 2; under 0 and 1 the second is below 40.
    if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) ||
        arcs[1] > std::numeric_limits<std::uint64_t>::max() - 80) {
        return errc::bad_oid;
    }
    std::vector<std::uint8_t> out;
    encode_base128(out, arcs[0] * 40 + arcs[1]);
    for (std::size_t i = 2; i < arcs.size(); ++i) {
        encode_base128(out, arcs[i]);
    }
    return out;
}

// --- Contents decoders --------------------------------------------------------------------

// X.690 8.3.2: the first nine bits of a multi-octet INTEGER are never all equal.
result<std::span<const std::uint8_t>> decode_integer(bytes v) noexcept {
    if (v.empty()) {
        return errc::bad_integer;
    }
    if (v.size() > 1 && ((v[0] == 0x00 && (v[1] & 0x80) == 0) || (v[0] == 0xff && (v[1] & 0x80) != 0))) {
        return errc::bad_integer;
    }
    return v;
}

result<std::int64_t> decode_int64(bytes v) noexcept {
    auto checked = decode_integer(v);
    if (!checked) {
        return unexpected(checked.error());
    }
    if (v.size() > 8) {
        return errc::integer_out_of_range;
    }
    // Sign-extend, then accumulate; the final conversion is modular (well defined in C++20).
    std::uint64_t acc = (v[0] & 0x80) != 0 ? ~std::uint64_t{0} : 0;
    for (const std::uint8_t b : v) {
        acc = (acc << 8) | b;
    }
    return static_cast<std::int64_t>(acc);
}

result<std::span<const std::uint8_t>> decode_unsigned_integer(bytes v) noexcept {
    auto checked = decode_integer(v);
    if (!checked) {
        return unexpected(checked.error());
    }
    if ((v[0] & 0x80) != 0) {
        return errc::integer_out_of_range;
    }
    if (v.size() > 1 && v[0] == 0x00) {
        return v.subspan(1);
    }
    return v;
}

// X.690 11.1: DER encodes TRUE as 0xFF only.
result<bool> decode_boolean(bytes v) noexcept {
    if (v.size() != 1 || (v[0] != 0x00 && v[0] != 0xff)) {
        return errc::bad_boolean;
    }
    return v[0] == 0xff;
}

result<void> decode_null(bytes v) noexcept {
    if (!v.empty()) {
        return errc::bad_null;
    }
    return {};
}

// X.690 8.19.2: each sub-identifier is base 128, big-endian, high bit set on all but its last
// octet, and as few octets as possible (so never a leading 0x80).
result<oid> decode_oid(bytes v) noexcept {
    if (v.empty()) {
        return errc::bad_oid;
    }
    bool at_start = true;
    for (const std::uint8_t b : v) {
        if (at_start && b == 0x80) {
            return errc::bad_oid;
        }
        at_start = (b & 0x80) == 0;
    }
    if (!at_start) { // last sub-identifier unterminated
        return errc::bad_oid;
    }
    return oid{v};
}

// X.690 8.6.2 and 11.2.1: an initial octet 0..7 giving the unused bits of the last octet, which
// DER requires to be zero; an empty string has no unused bits.
result<bit_string> decode_bit_string(bytes v) noexcept {
    if (v.empty() || v[0] > 7) {
        return errc::bad_bit_string;
    }
    const std::uint8_t unused = v[0];
    const bytes body = v.subspan(1);
    if (body.empty()) {
        if (unused != 0) {
            return errc::bad_bit_string;
        }
    } else if ((body.back() & ((1u << unused) - 1u)) != 0) {
        return errc::bad_bit_string;
    }
    return bit_string{body, unused};
}

// X.690 11.8 and RFC 5280 4.1.2.5.1: YYMMDDHHMMSSZ exactly.
result<std::int64_t> decode_utc_time(bytes v) noexcept {
    int yy = 0;
    if (v.size() != 13 || !two_digits(v, 0, yy)) {
        return errc::bad_time;
    }
    return finish_time(v, 2, yy >= 50 ? 1900 + yy : 2000 + yy);
}

// X.690 11.7 and RFC 5280 4.1.2.5.2: YYYYMMDDHHMMSSZ exactly (no fraction).
result<std::int64_t> decode_generalized_time(bytes v) noexcept {
    int hi = 0, lo = 0;
    if (v.size() != 15 || !two_digits(v, 0, hi) || !two_digits(v, 2, lo)) {
        return errc::bad_time;
    }
    return finish_time(v, 4, hi * 100 + lo);
}

result<std::string> decode_string(std::uint8_t string_tag, bytes v) {
    std::string out;
    switch (string_tag) {
    case tag::utf8_string:
        if (!valid_utf8(v)) {
            return errc::bad_string;
        }
        out.assign(v.begin(), v.end());
        return out;
    case tag::printable_string:
    case tag::ia5_string:
    case tag::numeric_string:
    case tag::visible_string:
        for (const std::uint8_t c : v) {
            const bool ok = string_tag == tag::printable_string ? is_printable_char(c)
                            : string_tag == tag::ia5_string    ? c < 0x80
                            : string_tag == tag::numeric_string ? (c == ' ' || (c >= '0' && c <= '9'))
                                                                : (c >= 0x20 && c <= 0x7e);
            if (!ok) {
                return errc::bad_string;
            }
        }
        out.assign(v.begin(), v.end());
        return out;
    case tag::teletex_string:
        // T.61 in full is a shifting code set nobody implements; like other X.509 stacks we
        // read it as Latin-1, which is what certificates actually put there.
        for (const std::uint8_t c : v) {
            append_utf8(out, c);
        }
        return out;
    case tag::bmp_string:
        if (v.size() % 2 != 0) {
            return errc::bad_string;
        }
        for (std::size_t i = 0; i < v.size(); i += 2) {
            std::uint32_t cp = (std::uint32_t{v[i]} << 8) | v[i + 1];
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (i + 3 >= v.size()) {
                    return errc::bad_string;
                }
                const std::uint32_t low = (std::uint32_t{v[i + 2]} << 8) | v[i + 3];
                if (low < 0xdc00 || low > 0xdfff) {
                    return errc::bad_string;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                i += 2;
            } else if (is_surrogate(cp)) {
                return errc::bad_string;
            }
            append_utf8(out, cp);
        }
        return out;
    case tag::universal_string:
        if (v.size() % 4 != 0) {
            return errc::bad_string;
        }
        for (std::size_t i = 0; i < v.size(); i += 4) {
            const std::uint32_t cp = (std::uint32_t{v[i]} << 24) | (std::uint32_t{v[i + 1]} << 16) |
                                     (std::uint32_t{v[i + 2]} << 8) | v[i + 3];
            if (cp > 0x10ffff || is_surrogate(cp)) {
                return errc::bad_string;
            }
            append_utf8(out, cp);
        }
        return out;
    default:
        return errc::unexpected_tag;
    }
}

// --- reader -------------------------------------------------------------------------------

reader::reader(std::span<const std::uint8_t> data, limits lim) noexcept
    : data_(data), limits_(lim), oversized_(data.size() > lim.max_input_size) {}

reader::reader(std::span<const std::uint8_t> data, limits lim, unsigned depth) noexcept
    : data_(data), limits_(lim), depth_(depth) {}

result<void> reader::expect_empty() const noexcept {
    if (!empty()) {
        return errc::trailing_data;
    }
    return {};
}

std::optional<std::uint8_t> reader::peek_tag() const noexcept {
    if (empty() || oversized_) {
        return std::nullopt;
    }
    return data_[pos_];
}

bool reader::peek(std::uint8_t t) const noexcept {
    const auto next = peek_tag();
    return next && *next == t;
}

// X.690 8.1.2–8.1.3 with the DER restrictions of 10.1: one identifier octet (tag numbers up to
// 30 cover every X.509 type), definite length, minimal length octets. Lengths are capped at
// four octets, far more than max_input_size allows anyway.
result<tlv> reader::parse_next() const noexcept {
    if (oversized_) {
        return errc::input_too_large;
    }
    const std::size_t avail = data_.size() - pos_;
    if (avail == 0) {
        return errc::truncated;
    }
    const bytes rest = data_.subspan(pos_);
    const std::uint8_t id = rest[0];
    if ((id & tag::number_mask) == tag::number_mask || id == 0x00) {
        return errc::unsupported_tag;
    }
    if (avail < 2) {
        return errc::truncated;
    }
    const std::uint8_t first = rest[1];
    std::size_t header = 2;
    std::size_t length = 0;
    if (first < 0x80) {
        length = first;
    } else if (first == 0x80) {
        return errc::indefinite_length;
    } else {
        const std::size_t count = first & 0x7fu;
        if (count > 4) { // includes the reserved 0xFF
            return errc::length_overflow;
        }
        if (avail - 2 < count) {
            return errc::truncated;
        }
        if (rest[2] == 0x00) {
            return errc::non_minimal_length;
        }
        for (std::size_t i = 0; i < count; ++i) {
            length = (length << 8) | rest[2 + i];
        }
        if (length < 0x80) {
            return errc::non_minimal_length;
        }
        header += count;
    }
    if (length > limits_.max_input_size) {
        return errc::input_too_large;
    }
    if (length > avail - header) {
        return errc::truncated;
    }
    return tlv{id, rest.subspan(header, length), rest.subspan(0, header + length)};
}

result<tlv> reader::read_any() noexcept {
    auto next = parse_next();
    if (next) {
        pos_ += next->encoded.size();
    }
    return next;
}

result<tlv> reader::read(std::uint8_t t) noexcept {
    auto next = parse_next();
    if (!next) {
        return next;
    }
    if (next->tag != t) {
        return errc::unexpected_tag;
    }
    pos_ += next->encoded.size();
    return next;
}

result<std::optional<tlv>> reader::read_optional(std::uint8_t t) noexcept {
    if (!peek(t)) {
        return std::optional<tlv>();
    }
    auto got = read(t);
    if (!got) {
        return unexpected(got.error());
    }
    return std::optional<tlv>(*got);
}

result<void> reader::skip() noexcept {
    auto got = read_any();
    if (!got) {
        return unexpected(got.error());
    }
    return {};
}

result<reader> reader::child(std::span<const std::uint8_t> contents) const noexcept {
    if (depth_ >= limits_.max_depth) {
        return errc::nesting_too_deep;
    }
    return reader(contents, limits_, depth_ + 1);
}

result<reader> reader::read_constructed(std::uint8_t t) noexcept {
    return read_typed<reader>(t, [this](bytes v) { return child(v); });
}

result<reader> reader::read_explicit(unsigned n) noexcept { return read_constructed(context_tag(n, true)); }

result<std::optional<reader>> reader::read_optional_explicit(unsigned n) noexcept {
    if (!peek(context_tag(n, true))) {
        return std::optional<reader>();
    }
    auto got = read_explicit(n);
    if (!got) {
        return unexpected(got.error());
    }
    return std::optional<reader>(*got);
}

// Decodes the next element (which must carry tag t) and consumes it only when decoding works.
template <typename T, typename F>
result<T> reader::read_typed(std::uint8_t t, F &&decode) {
    auto next = parse_next();
    if (!next) {
        return unexpected(next.error());
    }
    if (next->tag != t) {
        return errc::unexpected_tag;
    }
    result<T> value = decode(next->value);
    if (value) {
        pos_ += next->encoded.size();
    }
    return value;
}

result<std::span<const std::uint8_t>> reader::read_integer(std::uint8_t t) noexcept {
    return read_typed<bytes>(t, [](bytes v) { return decode_integer(v); });
}

result<std::int64_t> reader::read_int64(std::uint8_t t) noexcept {
    return read_typed<std::int64_t>(t, [](bytes v) { return decode_int64(v); });
}

result<std::span<const std::uint8_t>> reader::read_unsigned_integer(std::uint8_t t) noexcept {
    return read_typed<bytes>(t, [](bytes v) { return decode_unsigned_integer(v); });
}

result<bool> reader::read_boolean(std::uint8_t t) noexcept {
    return read_typed<bool>(t, [](bytes v) { return decode_boolean(v); });
}

result<void> reader::read_null(std::uint8_t t) noexcept {
    return read_typed<void>(t, [](bytes v) { return decode_null(v); });
}

result<oid> reader::read_oid(std::uint8_t t) noexcept {
    return read_typed<oid>(t, [](bytes v) { return decode_oid(v); });
}

result<bit_string> reader::read_bit_string(std::uint8_t t) noexcept {
    return read_typed<bit_string>(t, [](bytes v) { return decode_bit_string(v); });
}

result<std::span<const std::uint8_t>> reader::read_octet_string(std::uint8_t t) noexcept {
    return read_typed<bytes>(t, [](bytes v) { return result<bytes>(v); });
}

result<std::int64_t> reader::read_utc_time(std::uint8_t t) noexcept {
    return read_typed<std::int64_t>(t, [](bytes v) { return decode_utc_time(v); });
}

result<std::int64_t> reader::read_generalized_time(std::uint8_t t) noexcept {
    return read_typed<std::int64_t>(t, [](bytes v) { return decode_generalized_time(v); });
}

result<std::int64_t> reader::read_time() noexcept {
    if (peek(tag::generalized_time)) {
        return read_generalized_time();
    }
    return read_utc_time();
}

result<std::string> reader::read_string() {
    const auto next = peek_tag();
    if (next && is_string_tag(*next)) {
        const std::uint8_t t = *next;
        return read_typed<std::string>(t, [t](bytes v) { return decode_string(t, v); });
    }
    // Let parse_next report a structural problem (truncation, bad tag) before the type.
    auto header = parse_next();
    if (!header) {
        return unexpected(header.error());
    }
    return errc::unexpected_tag;
}

result<std::string> reader::read_ia5_string(std::uint8_t t) {
    return read_typed<std::string>(t, [](bytes v) { return decode_string(tag::ia5_string, v); });
}

result<std::string> reader::read_utf8_string(std::uint8_t t) {
    return read_typed<std::string>(t, [](bytes v) { return decode_string(tag::utf8_string, v); });
}

result<std::string> reader::read_printable_string(std::uint8_t t) {
    return read_typed<std::string>(t, [](bytes v) { return decode_string(tag::printable_string, v); });
}

} // namespace awsio::x509::der
