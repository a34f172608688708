// x509/name.cpp — distinguished names: parsing, RFC 5280 7.1 comparison, RFC 4514-style text.
#include "x509/name.hpp"

#include "x509/der.hpp"
#include "x509/oid.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace awsio::x509 {

namespace {

bool is_string_tag(std::uint8_t t) noexcept {
    switch (t) {
    case der::tag::utf8_string:
    case der::tag::printable_string:
    case der::tag::teletex_string:
    case der::tag::ia5_string:
    case der::tag::numeric_string:
    case der::tag::visible_string:
    case der::tag::bmp_string:
    case der::tag::universal_string:
        return true;
    default:
        return false;
    }
}

// The DirectoryString choices (RFC 5280 4.1.2.4). Their values are compared as prepared
// Unicode text rather than as octets, so the same name encoded once as PrintableString and
// once as UTF8String still chains (7.1 requires comparing after conversion).
bool is_directory_string_tag(std::uint8_t t) noexcept {
    switch (t) {
    case der::tag::utf8_string:
    case der::tag::printable_string:
    case der::tag::teletex_string:
    case der::tag::bmp_string:
    case der::tag::universal_string:
        return true;
    default:
        return false;
    }
}

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

struct short_name {
    std::span<const std::uint8_t> type;
    std::string_view label;
};

// RFC 4514 section 3 names first, then labels widely used by other tools for diagnostics.
const std::array<short_name, 14> &short_names() {
    static const std::array<short_name, 14> table{{
        {oid::common_name, "CN"},
        {oid::locality_name, "L"},
        {oid::state_or_province_name, "ST"},
        {oid::organization_name, "O"},
        {oid::organizational_unit_name, "OU"},
        {oid::country_name, "C"},
        {oid::street_address, "STREET"},
        {oid::domain_component, "DC"},
        {oid::user_id, "UID"},
        {oid::email_address, "emailAddress"},
        {oid::serial_number, "serialNumber"},
        {oid::title, "title"},
        {oid::given_name, "GN"},
        {oid::surname, "SN"},
    }};
    return table;
}

std::string type_label(std::span<const std::uint8_t> type) {
    for (const auto &entry : short_names()) {
        if (oid::equal(entry.type, type)) {
            return std::string(entry.label);
        }
    }
    // The OID was validated when parsed; print it in dotted form.
    return der::oid{type}.to_string();
}

void append_hex(std::string &out, std::uint8_t b) {
    static constexpr char digits[] = "0123456789ABCDEF";
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
}

// RFC 4514 2.4 escaping, plus hex escapes for control characters so logs stay printable.
void append_escaped(std::string &out, std::string_view v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        const auto u = static_cast<std::uint8_t>(c);
        const bool special = c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' ||
                             c == ';' || c == '=';
        const bool edge_space = c == ' ' && (i == 0 || i + 1 == v.size());
        const bool leading_hash = c == '#' && i == 0;
        if (u < 0x20 || u == 0x7f) {
            out.push_back('\\');
            append_hex(out, u);
        } else if (special || edge_space || leading_hash) {
            out.push_back('\\');
            out.push_back(c);
        } else {
            out.push_back(c);
        }
    }
}

} // namespace

bool name_attribute::is_string() const noexcept { return is_string_tag(tag); }

std::string normalize_directory_string(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    bool pending_space = false;
    for (const char c : value) {
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) {
            out.push_back(' ');
            pending_space = false;
        }
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    return out;
}

bool attribute_values_match(const name_attribute &a, const name_attribute &b) {
    if (a.type != b.type) {
        return false;
    }
    if (is_directory_string_tag(a.tag) && is_directory_string_tag(b.tag)) {
        return normalize_directory_string(a.value) == normalize_directory_string(b.value);
    }
    return a.tag == b.tag && a.raw == b.raw;
}

result<name> name::parse(std::span<const std::uint8_t> der_bytes) {
    der::reader top(der_bytes);
    auto seq = top.read_sequence();
    if (!seq) {
        return unexpected(seq.error());
    }
    if (auto end = top.expect_empty(); !end) {
        return unexpected(end.error());
    }
    name out;
    out.der_.assign(der_bytes.begin(), der_bytes.end());
    while (!seq->empty()) {
        auto set = seq->read_set();
        if (!set) {
            return unexpected(set.error());
        }
        relative_name rdn;
        while (!set->empty()) {
            auto atv = set->read_sequence();
            if (!atv) {
                return unexpected(atv.error());
            }
            auto type = atv->read_oid();
            if (!type) {
                return unexpected(type.error());
            }
            auto value = atv->read_any();
            if (!value) {
                return unexpected(value.error());
            }
            if (auto end = atv->expect_empty(); !end) {
                return unexpected(end.error());
            }
            name_attribute attr;
            attr.type.assign(type->bytes.begin(), type->bytes.end());
            attr.tag = value->tag;
            attr.raw.assign(value->value.begin(), value->value.end());
            if (is_string_tag(value->tag)) {
                auto text = der::decode_string(value->tag, value->value);
                if (!text) {
                    return unexpected(text.error());
                }
                attr.value = std::move(*text);
            }
            rdn.push_back(std::move(attr));
        }
        // RelativeDistinguishedName ::= SET SIZE (1..MAX): an empty set is malformed.
        if (rdn.empty()) {
            return der::errc::unexpected_tag;
        }
        out.rdns_.push_back(std::move(rdn));
    }
    return out;
}

std::vector<std::string> name::values_of(std::span<const std::uint8_t> type_oid) const {
    std::vector<std::string> out;
    for (const auto &rdn : rdns_) {
        for (const auto &attr : rdn) {
            if (attr.is_string() && oid::equal(attr.type, type_oid)) {
                out.push_back(attr.value);
            }
        }
    }
    return out;
}

std::vector<std::string> name::common_names() const { return values_of(oid::common_name); }

std::string name::to_string() const {
    std::string out;
    for (auto it = rdns_.rbegin(); it != rdns_.rend(); ++it) {
        if (!out.empty()) {
            out.push_back(',');
        }
        bool first = true;
        for (const auto &attr : *it) {
            if (!first) {
                out.push_back('+');
            }
            first = false;
            out += type_label(attr.type);
            out.push_back('=');
            if (attr.is_string()) {
                append_escaped(out, attr.value);
            } else {
                // RFC 4514 2.4: '#' then the hex of the value's whole BER encoding.
                out.push_back('#');
                append_hex(out, attr.tag);
                // Re-encode the length the way DER does; values are < 1 MiB (reader limit).
                const std::size_t len = attr.raw.size();
                if (len < 0x80) {
                    append_hex(out, static_cast<std::uint8_t>(len));
                } else {
                    std::array<std::uint8_t, 4> octets{};
                    std::size_t n = 0;
                    for (std::size_t v = len; v != 0; v >>= 8) {
                        octets[n++] = static_cast<std::uint8_t>(v & 0xff);
                    }
                    append_hex(out, static_cast<std::uint8_t>(0x80 | n));
                    while (n > 0) {
                        append_hex(out, octets[--n]);
                    }
                }
                for (const std::uint8_t b : attr.raw) {
                    append_hex(out, b);
                }
            }
        }
    }
    return out;
}

bool name::matches(const name &other) const {
    if (rdns_.size() != other.rdns_.size()) {
        return false;
    }
    for (std::size_t i = 0; i < rdns_.size(); ++i) {
        const auto &a = rdns_[i];
        const auto &b = other.rdns_[i];
        if (a.size() != b.size()) {
            return false;
        }
        // Same set of attributes: each attribute of `a` pairs with a distinct one of `b`.
        std::vector<bool> used(b.size(), false);
        for (const auto &attr : a) {
            bool found = false;
            for (std::size_t j = 0; j < b.size(); ++j) {
                if (!used[j] && attribute_values_match(attr, b[j])) {
                    used[j] = true;
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
    }
    return true;
}

} // namespace awsio::x509
