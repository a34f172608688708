// x509/hostname.cpp — RFC 9525 server identity matching and RFC 5280 name-constraint matching
// for DNS names and IP addresses, with a self-contained IP literal parser (no OS headers here).
#include "x509/hostname.hpp"

#include <awsio/error.hpp>

#include <cstddef>

namespace awsio::x509 {

namespace {

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool iends_with(std::string_view s, std::string_view suffix) noexcept {
    return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

// One trailing dot makes a name absolute; it does not change what it names.
std::string_view strip_trailing_dot(std::string_view s) noexcept {
    if (!s.empty() && s.back() == '.') {
        s.remove_suffix(1);
    }
    return s;
}

// True when the name splits into non-empty dot-separated labels.
bool labels_well_formed(std::string_view s) noexcept {
    if (s.empty() || s.front() == '.' || s.back() == '.') {
        return false;
    }
    return s.find("..") == std::string_view::npos;
}

bool parse_ipv4(std::string_view s, std::uint8_t *out) noexcept {
    std::size_t part = 0;
    std::size_t i = 0;
    while (part < 4) {
        std::size_t digits = 0;
        unsigned value = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            // A leading zero would be read as octal by some resolvers: refuse the ambiguity.
            if (digits == 1 && value == 0) {
                return false;
            }
            value = value * 10 + static_cast<unsigned>(s[i] - '0');
            ++digits;
            ++i;
            if (digits > 3 || value > 255) {
                return false;
            }
        }
        if (digits == 0) {
            return false;
        }
        out[part++] = static_cast<std::uint8_t>(value);
        if (part < 4) {
            if (i >= s.size() || s[i] != '.') {
                return false;
            }
            ++i;
        }
    }
    return i == s.size();
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Parses colon-separated groups (one side of a "::"). The last group may be a dotted IPv4
// address when `allow_v4_tail`. Appends 16-bit groups to `groups` (at most `max_groups`).
bool parse_ipv6_groups(std::string_view s, bool allow_v4_tail, std::uint16_t *groups, std::size_t &count,
                       std::size_t max_groups) noexcept {
    if (s.empty()) {
        return true;
    }
    std::size_t start = 0;
    while (true) {
        const std::size_t colon = s.find(':', start);
        const std::string_view group = s.substr(start, colon == std::string_view::npos ? s.npos : colon - start);
        const bool last = colon == std::string_view::npos;
        if (group.empty()) {
            return false;
        }
        if (last && allow_v4_tail && group.find('.') != std::string_view::npos) {
            std::uint8_t v4[4];
            if (!parse_ipv4(group, v4) || count + 2 > max_groups) {
                return false;
            }
            groups[count++] = static_cast<std::uint16_t>(v4[0] << 8 | v4[1]);
            groups[count++] = static_cast<std::uint16_t>(v4[2] << 8 | v4[3]);
            return true;
        }
        if (group.size() > 4 || count + 1 > max_groups) {
            return false;
        }
        unsigned value = 0;
        for (const char c : group) {
            const int h = hex_value(c);
            if (h < 0) {
                return false;
            }
            value = value * 16 + static_cast<unsigned>(h);
        }
        groups[count++] = static_cast<std::uint16_t>(value);
        if (last) {
            return true;
        }
        start = colon + 1;
    }
}

bool parse_ipv6(std::string_view s, std::uint8_t *out) noexcept {
    std::uint16_t head[8] = {};
    std::uint16_t tail[8] = {};
    std::size_t head_count = 0;
    std::size_t tail_count = 0;
    const std::size_t gap = s.find("::");
    if (gap == std::string_view::npos) {
        if (!parse_ipv6_groups(s, true, head, head_count, 8) || head_count != 8) {
            return false;
        }
    } else {
        const std::string_view left = s.substr(0, gap);
        const std::string_view right = s.substr(gap + 2);
        if (right.find("::") != std::string_view::npos) {
            return false; // only one "::" is allowed
        }
        if (!parse_ipv6_groups(left, false, head, head_count, 7) ||
            !parse_ipv6_groups(right, true, tail, tail_count, 7) || head_count + tail_count > 7) {
            return false;
        }
    }
    std::uint16_t groups[8] = {};
    for (std::size_t i = 0; i < head_count; ++i) {
        groups[i] = head[i];
    }
    for (std::size_t i = 0; i < tail_count; ++i) {
        groups[8 - tail_count + i] = tail[i];
    }
    for (std::size_t i = 0; i < 8; ++i) {
        out[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
        out[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xff);
    }
    return true;
}

std::error_code mismatch() noexcept { return make_error_code(io_errc::tls_host_name_mismatch); }

} // namespace

std::optional<ip_address> parse_ip_literal(std::string_view text) {
    ip_address out;
    if (!text.empty() && text.front() == '[') {
        if (text.size() < 2 || text.back() != ']') {
            return std::nullopt;
        }
        text = text.substr(1, text.size() - 2);
        if (!parse_ipv6(text, out.bytes.data())) {
            return std::nullopt;
        }
        out.size = 16;
        return out;
    }
    if (parse_ipv4(text, out.bytes.data())) {
        out.size = 4;
        return out;
    }
    if (parse_ipv6(text, out.bytes.data())) {
        out.size = 16;
        return out;
    }
    return std::nullopt;
}

bool matches_dns_name(std::string_view pattern, std::string_view host) {
    pattern = strip_trailing_dot(pattern);
    host = strip_trailing_dot(host);
    if (!labels_well_formed(pattern) || !labels_well_formed(host)) {
        return false;
    }
    // The reference identifier is a plain host name; a '*' in it is never a wildcard.
    if (host.find('*') != std::string_view::npos) {
        return false;
    }
    if (pattern.size() >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        const std::string_view rest = pattern.substr(2);
        // RFC 9525 6.3: only the complete left-most label may be '*'. Requiring two more
        // labels keeps "*.com"-style patterns from matching a whole top-level domain.
        if (rest.find('*') != std::string_view::npos || rest.find('.') == std::string_view::npos) {
            return false;
        }
        const std::size_t dot = host.find('.');
        if (dot == std::string_view::npos) {
            return false;
        }
        // The wildcard stands for exactly one label: the host's remainder must equal `rest`.
        return iequals(host.substr(dot + 1), rest);
    }
    if (pattern.find('*') != std::string_view::npos) {
        return false; // partial or misplaced wildcard
    }
    return iequals(pattern, host);
}

bool dns_within_subtree(std::string_view name, std::string_view constraint) {
    name = strip_trailing_dot(name);
    constraint = strip_trailing_dot(constraint);
    if (constraint.empty()) {
        return true;
    }
    if (constraint.front() == '.') {
        // ".example.com": strictly below example.com.
        return name.size() > constraint.size() && iends_with(name, constraint);
    }
    if (iequals(name, constraint)) {
        return true;
    }
    // Labels added on the left: the character before the suffix must be a label separator.
    return name.size() > constraint.size() && name[name.size() - constraint.size() - 1] == '.' &&
           iends_with(name, constraint);
}

bool ip_within_subtree(std::span<const std::uint8_t> addr,
                       std::span<const std::uint8_t> constraint_addr_and_mask) {
    if ((addr.size() != 4 && addr.size() != 16) || constraint_addr_and_mask.size() != 2 * addr.size()) {
        return false;
    }
    const auto base = constraint_addr_and_mask.first(addr.size());
    const auto mask = constraint_addr_and_mask.subspan(addr.size());
    for (std::size_t i = 0; i < addr.size(); ++i) {
        if ((addr[i] & mask[i]) != (base[i] & mask[i])) {
            return false;
        }
    }
    return true;
}

std::error_code verify_hostname(const certificate &cert, std::string_view host) {
    if (host.empty()) {
        return mismatch();
    }
    const bool bracketed = host.front() == '[';
    if (const auto ip = parse_ip_literal(host)) {
        // RFC 9525 6.2: IP references match iPAddress identifiers only.
        for (const auto presented : cert.ip_addresses()) {
            if (presented.size() != ip->size) {
                continue;
            }
            bool equal = true;
            for (std::size_t i = 0; i < ip->size; ++i) {
                equal = equal && presented[i] == ip->bytes[i];
            }
            if (equal) {
                return {};
            }
        }
        return mismatch();
    }
    if (bracketed) {
        return mismatch(); // brackets around something that is not an IPv6 address
    }
    if (cert.has_subject_alt_name()) {
        for (const auto pattern : cert.dns_names()) {
            if (matches_dns_name(pattern, host)) {
                return {};
            }
        }
        return mismatch();
    }
    // No subjectAltName extension at all: the legacy commonName fallback.
    for (const auto &cn : cert.subject().common_names()) {
        if (matches_dns_name(cn, host)) {
            return {};
        }
    }
    return mismatch();
}

} // namespace awsio::x509
