// Platform-independent socket helpers: port validation and IPv4 / IPv6 text parsing. The
// parsers accept exactly what POSIX inet_pton() accepts, written out here so this file needs no
// OS headers.
#include <awsio/logging.hpp>
#include <awsio/socket.hpp>

#include <array>
#include <cstdint>
#include <optional>

namespace awsio {
namespace {

// Port checks shared by connect and bind.
std::error_code validate_port_for_domain(std::uint32_t port, socket_domain domain) noexcept {
    switch (domain) {
    case socket_domain::ipv4:
    case socket_domain::ipv6:
        if (port > 0xFFFFu) {
            AWSIO_LOGF_ERROR(log_subject::socket, "invalid port=%u for %s: cannot exceed 65535", port,
                             domain == socket_domain::ipv4 ? "IPv4" : "IPv6");
            return io_errc::socket_invalid_address;
        }
        return {};
    case socket_domain::local: // the port means nothing for a path
    case socket_domain::vsock: // every 32-bit port is legal
        return {};
    }
    AWSIO_LOGF_ERROR(log_subject::socket, "cannot validate port for unknown domain=%d", static_cast<int>(domain));
    return io_errc::socket_invalid_address;
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

int hex_value(char c) noexcept {
    if (is_digit(c)) {
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

// Dotted quad, four decimal parts 0..255, no leading zeros (inet_pton refuses octal-looking
// parts), nothing else.
std::optional<std::array<std::uint8_t, 4>> parse_dotted_quad(std::string_view text) noexcept {
    std::array<std::uint8_t, 4> out{};
    std::size_t part = 0;
    std::size_t i = 0;
    while (true) {
        if (i >= text.size() || !is_digit(text[i])) {
            return std::nullopt;
        }
        unsigned value = 0;
        const std::size_t start = i;
        while (i < text.size() && is_digit(text[i])) {
            if (i - start == 3) {
                return std::nullopt; // more than three digits
            }
            value = value * 10 + static_cast<unsigned>(text[i] - '0');
            ++i;
        }
        if (value > 255 || (text[start] == '0' && i - start > 1)) {
            return std::nullopt;
        }
        out[part++] = static_cast<std::uint8_t>(value);
        if (part == 4) {
            break;
        }
        if (i >= text.size() || text[i] != '.') {
            return std::nullopt;
        }
        ++i;
    }
    if (i != text.size()) {
        return std::nullopt;
    }
    return out;
}

// RFC 4291 section 2.2 text forms: eight 16-bit groups of 1-4 hex digits, one "::" standing for
// one or more zero groups, optionally ending in a dotted quad for the low 32 bits.
std::optional<std::array<std::uint8_t, 16>> parse_ipv6_text(std::string_view text) noexcept {
    std::array<std::uint8_t, 16> out{};
    std::size_t filled = 0;                     // bytes written to out
    std::optional<std::size_t> gap;             // where "::" was
    std::size_t i = 0;
    if (text.empty()) {
        return std::nullopt;
    }
    if (text[0] == ':' && (text.size() < 2 || text[1] != ':')) {
        return std::nullopt; // a lone leading colon
    }
    bool expect_group = true;
    while (i < text.size()) {
        if (text[i] == ':') {
            // Separator after a group, or the second colon of "::".
            if (i + 1 < text.size() && text[i + 1] == ':') {
                if (gap) {
                    return std::nullopt; // two "::"
                }
                gap = filled;
                i += 2;
                expect_group = i < text.size();
                continue;
            }
            if (expect_group) {
                return std::nullopt; // ":" where a group belongs
            }
            ++i;
            if (i == text.size()) {
                return std::nullopt; // trailing single colon
            }
            expect_group = true;
            continue;
        }
        if (!expect_group) {
            return std::nullopt;
        }
        // A hex group, or the trailing dotted quad.
        std::size_t end = i;
        while (end < text.size() && text[end] != ':' && text[end] != '.') {
            ++end;
        }
        if (end < text.size() && text[end] == '.') {
            const std::string_view rest = text.substr(i);
            if (rest.find(':') != std::string_view::npos || filled + 4 > out.size()) {
                return std::nullopt;
            }
            const auto quad = parse_dotted_quad(rest);
            if (!quad) {
                return std::nullopt;
            }
            for (std::uint8_t b : *quad) {
                out[filled++] = b;
            }
            i = text.size();
            expect_group = false;
            break;
        }
        const std::size_t digits = end - i;
        if (digits == 0 || digits > 4 || filled + 2 > out.size()) {
            return std::nullopt;
        }
        unsigned value = 0;
        for (std::size_t k = i; k < end; ++k) {
            const int h = hex_value(text[k]);
            if (h < 0) {
                return std::nullopt;
            }
            value = (value << 4) | static_cast<unsigned>(h);
        }
        out[filled++] = static_cast<std::uint8_t>(value >> 8);
        out[filled++] = static_cast<std::uint8_t>(value & 0xFF);
        i = end;
        expect_group = false;
    }
    if (gap) {
        if (filled == out.size()) {
            return std::nullopt; // "::" must stand for at least one group
        }
        // Slide the groups after the gap to the end; zeros fill the middle.
        const std::size_t tail = filled - *gap;
        for (std::size_t k = 0; k < tail; ++k) {
            out[out.size() - 1 - k] = out[filled - 1 - k];
            out[filled - 1 - k] = 0;
        }
    } else if (filled != out.size()) {
        return std::nullopt;
    }
    return out;
}

} // namespace

std::error_code validate_port_for_connect(std::uint32_t port, socket_domain domain) noexcept {
    if (std::error_code ec = validate_port_for_domain(port, domain)) {
        return ec;
    }
    switch (domain) {
    case socket_domain::ipv4:
    case socket_domain::ipv6:
        if (port == 0) {
            AWSIO_LOGF_ERROR(log_subject::socket, "invalid port=0 for %s connections: must use 1-65535",
                             domain == socket_domain::ipv4 ? "IPv4" : "IPv6");
            return io_errc::socket_invalid_address;
        }
        break;
    case socket_domain::vsock:
        if (port == 0xFFFFFFFFu) {
            AWSIO_LOGF_ERROR(log_subject::socket, "invalid port for VSOCK connections: cannot use the any-port value");
            return io_errc::socket_invalid_address;
        }
        break;
    case socket_domain::local:
        break;
    }
    return {};
}

std::error_code validate_port_for_bind(std::uint32_t port, socket_domain domain) noexcept {
    return validate_port_for_domain(port, domain);
}

result<std::uint32_t> parse_ipv4_address(std::string_view text) {
    const auto quad = parse_dotted_quad(text);
    if (!quad) {
        return io_errc::socket_invalid_address;
    }
    // Network order in memory: the first part is the lowest-addressed byte.
    std::uint32_t value = 0;
    auto *bytes = reinterpret_cast<std::uint8_t *>(&value);
    for (std::size_t k = 0; k < 4; ++k) {
        bytes[k] = (*quad)[k];
    }
    return value;
}

std::error_code parse_ipv6_address(std::string_view text, std::vector<std::uint8_t> &dst) {
    const auto bytes = parse_ipv6_text(text);
    if (!bytes) {
        return io_errc::socket_invalid_address;
    }
    dst.insert(dst.end(), bytes->begin(), bytes->end());
    return {};
}

} // namespace awsio
