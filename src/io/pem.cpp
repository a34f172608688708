// PEM parsing and writing, and the strict base64 codec (RFC 7468 armour, RFC 4648 base64).
#include <awsio/logging.hpp>
#include <awsio/pem.hpp>

#include <array>
#include <cerrno>
#include <cstdio>
#include <string.h> // explicit_bzero

namespace awsio {
namespace {

constexpr std::array<std::string_view, 27> labels = {
    "",
    "X509 CERTIFICATE",
    "CERTIFICATE",
    "TRUSTED CERTIFICATE",
    "NEW CERTIFICATE REQUEST",
    "CERTIFICATE REQUEST",
    "X509 CRL",
    "ANY PRIVATE KEY",
    "PUBLIC KEY",
    "RSA PRIVATE KEY",
    "RSA PUBLIC KEY",
    "DSA PRIVATE KEY",
    "DSA PUBLIC KEY",
    "PKCS7",
    "PKCS #7 SIGNED DATA",
    "ENCRYPTED PRIVATE KEY",
    "PRIVATE KEY",
    "DH PARAMETERS",
    "X9.42 DH PARAMETERS",
    "SSL SESSION PARAMETERS",
    "DSA PARAMETERS",
    "ECDSA PUBLIC KEY",
    "EC PARAMETERS",
    "EC PRIVATE KEY",
    "PARAMETERS",
    "CMS",
    "SM2 PARAMETERS",
};

constexpr std::string_view begin_marker = "-----BEGIN ";
constexpr std::string_view end_marker = "-----END ";
constexpr std::string_view dashes = "-----";

constexpr char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool starts_with(std::string_view s, std::string_view p) noexcept { return s.substr(0, p.size()) == p; }

// "-----BEGIN label-----" / "-----END label-----": the label, or false.
bool armour_label(std::string_view line, std::string_view marker, std::string_view &label) noexcept {
    if (!starts_with(line, marker) || line.size() < marker.size() + dashes.size() ||
        line.substr(line.size() - dashes.size()) != dashes) {
        return false;
    }
    label = line.substr(marker.size(), line.size() - marker.size() - dashes.size());
    return !label.empty();
}

void wipe(std::string &s) noexcept {
    if (!s.empty()) {
        explicit_bzero(s.data(), s.size());
    }
}

} // namespace

pem_object::~pem_object() {
    if (!data.empty()) {
        explicit_bzero(data.data(), data.size());
    }
}

std::string_view pem_type_label(pem_object_type type) noexcept {
    const auto i = static_cast<std::size_t>(type);
    return i < labels.size() ? labels[i] : std::string_view();
}

pem_object_type pem_type_from_label(std::string_view label) noexcept {
    for (std::size_t i = 1; i < labels.size(); ++i) {
        if (labels[i] == label) {
            return static_cast<pem_object_type>(i);
        }
    }
    return pem_object_type::unknown;
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
        out += b64_alphabet[(v >> 18) & 63];
        out += b64_alphabet[(v >> 12) & 63];
        out += b64_alphabet[(v >> 6) & 63];
        out += b64_alphabet[v & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{bytes[i]} << 16;
        out += b64_alphabet[(v >> 18) & 63];
        out += b64_alphabet[(v >> 12) & 63];
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
        out += b64_alphabet[(v >> 18) & 63];
        out += b64_alphabet[(v >> 12) & 63];
        out += b64_alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

result<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return common_errc::invalid_base64_str;
    }
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = text[i + static_cast<std::size_t>(k)];
            if (c == '=' && last && k >= 2) {
                v[k] = 0;
                ++pad;
                continue;
            }
            if (pad > 0) {
                return common_errc::invalid_base64_str; // data after padding
            }
            v[k] = b64_value(c);
            if (v[k] < 0) {
                return common_errc::invalid_base64_str;
            }
        }
        const std::uint32_t word = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                                   (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
        // Unused bits under the padding must be zero (canonical encoding).
        if ((pad == 1 && (word & 0xFF) != 0) || (pad == 2 && (word & 0xFFFF) != 0)) {
            return common_errc::invalid_base64_str;
        }
        out.push_back(static_cast<std::uint8_t>(word >> 16));
        if (pad < 2) out.push_back(static_cast<std::uint8_t>(word >> 8));
        if (pad < 1) out.push_back(static_cast<std::uint8_t>(word));
    }
    return out;
}

result<std::vector<pem_object>> pem_parse(std::string_view text) {
    std::vector<pem_object> objects;
    bool in_object = false;
    std::string_view label;
    std::string body;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) {
            nl = text.size();
        }
        const std::string_view line = trim(text.substr(pos, nl - pos));
        pos = nl + 1;
        if (!in_object) {
            if (!starts_with(line, "-----BEGIN")) {
                continue; // text around objects is ignored
            }
            if (!armour_label(line, begin_marker, label)) {
                AWSIO_LOGF_ERROR(log_subject::pem, "invalid PEM BEGIN line");
                if (!objects.empty()) {
                    return objects; // aws-c-io keeps what was parsed before a broken header
                }
                return io_errc::pem_malformed;
            }
            in_object = true;
            body.clear();
            continue;
        }
        if (starts_with(line, "-----END")) {
            std::string_view end_label;
            if (!armour_label(line, end_marker, end_label) || end_label != label) {
                AWSIO_LOGF_ERROR(log_subject::pem, "PEM END line does not match its BEGIN line");
                wipe(body);
                return io_errc::pem_malformed;
            }
            auto decoded = base64_decode(body);
            wipe(body);
            if (!decoded) {
                AWSIO_LOGF_ERROR(log_subject::pem, "invalid base64 in PEM object");
                return io_errc::pem_malformed;
            }
            objects.emplace_back(pem_type_from_label(label), std::string(label), std::move(*decoded));
            in_object = false;
            continue;
        }
        // Body lines: base64 text, whitespace inside a line is not allowed by the strict decoder.
        body.append(line);
    }
    wipe(body);
    if (in_object) {
        AWSIO_LOGF_ERROR(log_subject::pem, "PEM object without an END line");
        return io_errc::pem_malformed;
    }
    if (objects.empty()) {
        return io_errc::pem_malformed;
    }
    return objects;
}

result<std::vector<pem_object>> pem_parse_file(const std::string &path) {
    std::FILE *f = std::fopen(path.c_str(), "rbe");
    if (f == nullptr) {
        return unexpected(io_error_from_errno(errno));
    }
    std::string contents;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
        contents.append(buf, n);
    }
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) {
        wipe(contents);
        return common_errc::sys_call_failure;
    }
    auto objects = pem_parse(contents);
    wipe(contents);
    return objects;
}

result<std::string> der_cert_to_pem(std::span<const std::uint8_t> der) {
    if (der.empty()) {
        return common_errc::invalid_argument;
    }
    const std::string b64 = base64_encode(der);
    std::string out = "-----BEGIN CERTIFICATE-----\n";
    for (std::size_t i = 0; i < b64.size(); i += 64) {
        out.append(b64, i, 64);
        out += '\n';
    }
    out += "-----END CERTIFICATE-----\n";
    return out;
}

result<std::string> sanitize_pem(std::string_view text) {
    if (text.empty()) {
        return common_errc::invalid_argument;
    }
    std::string clean;
    clean.reserve(text.size());
    bool on_data = false;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::string_view rest = text.substr(i);
        if (!on_data) {
            if (starts_with(rest, "-----BEGIN")) {
                clean += "-----BEGIN";
                i += 10;
                on_data = true;
            } else {
                ++i;
            }
            continue;
        }
        if (starts_with(rest, "-----END")) {
            clean += "-----END";
            i += 8;
            // the label, up to the closing dashes
            while (i < text.size()) {
                clean += text[i];
                ++i;
                if (starts_with(text.substr(i), dashes)) {
                    clean += dashes;
                    i += dashes.size();
                    clean += '\n';
                    on_data = false;
                    break;
                }
            }
            continue;
        }
        clean += text[i];
        ++i;
    }
    if (clean.empty() || on_data) {
        return common_errc::invalid_argument;
    }
    return clean;
}

} // namespace awsio
