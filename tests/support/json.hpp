// tests/support/json.hpp — a small, strict JSON reader for test data files (Wycheproof vectors
// and the like). Header-only; builds a plain DOM. Not for untrusted production input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace awsio::test::json {

/// One JSON value. Objects keep their members in file order (lookups are linear, which is fine
/// for the handful of keys a test object has).
class value {
public:
    enum class kind { null, boolean, number, string, array, object };

    value() = default;

    [[nodiscard]] kind type() const noexcept { return kind_; }
    [[nodiscard]] bool is_null() const noexcept { return kind_ == kind::null; }
    [[nodiscard]] bool is_bool() const noexcept { return kind_ == kind::boolean; }
    [[nodiscard]] bool is_number() const noexcept { return kind_ == kind::number; }
    [[nodiscard]] bool is_string() const noexcept { return kind_ == kind::string; }
    [[nodiscard]] bool is_array() const noexcept { return kind_ == kind::array; }
    [[nodiscard]] bool is_object() const noexcept { return kind_ == kind::object; }

    [[nodiscard]] bool as_bool() const noexcept { return bool_; }
    [[nodiscard]] double as_number() const noexcept { return number_; }
    [[nodiscard]] std::int64_t as_int() const noexcept { return static_cast<std::int64_t>(number_); }
    /// The string, or "" for any other kind.
    [[nodiscard]] const std::string &as_string() const noexcept { return string_; }
    [[nodiscard]] const std::vector<value> &items() const noexcept { return items_; }
    [[nodiscard]] const std::vector<std::pair<std::string, value>> &members() const noexcept { return members_; }
    [[nodiscard]] std::size_t size() const noexcept {
        return kind_ == kind::array ? items_.size() : kind_ == kind::object ? members_.size() : 0;
    }

    /// The member named `key`, or nullptr.
    [[nodiscard]] const value *find(std::string_view key) const noexcept {
        for (const auto &m : members_) {
            if (m.first == key) {
                return &m.second;
            }
        }
        return nullptr;
    }
    [[nodiscard]] bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }
    /// The member named `key`, or a null value when absent (or when this is not an object).
    const value &operator[](std::string_view key) const noexcept {
        const value *v = find(key);
        return v ? *v : null_value();
    }
    const value &operator[](std::size_t i) const noexcept { return i < items_.size() ? items_[i] : null_value(); }

private:
    friend class parser;
    static const value &null_value() noexcept {
        static const value v;
        return v;
    }

    kind kind_ = kind::null;
    bool bool_ = false;
    double number_ = 0;
    std::string string_;
    std::vector<value> items_;
    std::vector<std::pair<std::string, value>> members_;
};

/// Recursive-descent parser (RFC 8259). Rejects trailing garbage and nesting deeper than 128.
class parser {
public:
    explicit parser(std::string_view text) noexcept : text_(text) {}

    std::optional<value> parse_document(std::string *error) {
        value v;
        skip_ws();
        if (!parse_value(v, 0)) {
            return fail(error);
        }
        skip_ws();
        if (pos_ != text_.size()) {
            error_ = "trailing characters";
            return fail(error);
        }
        return v;
    }

private:
    std::optional<value> fail(std::string *error) {
        if (error) {
            *error = error_ + " at offset " + std::to_string(pos_);
        }
        return std::nullopt;
    }

    void skip_ws() noexcept {
        while (pos_ < text_.size() &&
               (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
            ++pos_;
        }
    }

    bool consume(std::string_view word) noexcept {
        if (text_.substr(pos_, word.size()) == word) {
            pos_ += word.size();
            return true;
        }
        error_ = "unexpected token";
        return false;
    }

    bool parse_value(value &out, int depth) {
        if (depth > 128) {
            error_ = "nesting too deep";
            return false;
        }
        if (pos_ >= text_.size()) {
            error_ = "unexpected end";
            return false;
        }
        switch (text_[pos_]) {
        case '{':
            return parse_object(out, depth);
        case '[':
            return parse_array(out, depth);
        case '"':
            out.kind_ = value::kind::string;
            return parse_string(out.string_);
        case 't':
            out.kind_ = value::kind::boolean;
            out.bool_ = true;
            return consume("true");
        case 'f':
            out.kind_ = value::kind::boolean;
            return consume("false");
        case 'n':
            return consume("null");
        default:
            return parse_number(out);
        }
    }

    bool parse_object(value &out, int depth) {
        out.kind_ = value::kind::object;
        ++pos_; // '{'
        skip_ws();
        if (pos_ < text_.size() && text_[pos_] == '}') {
            ++pos_;
            return true;
        }
        for (;;) {
            skip_ws();
            std::string key;
            if (pos_ >= text_.size() || text_[pos_] != '"' || !parse_string(key)) {
                error_ = error_.empty() ? "expected member name" : error_;
                return false;
            }
            skip_ws();
            if (pos_ >= text_.size() || text_[pos_] != ':') {
                error_ = "expected ':'";
                return false;
            }
            ++pos_;
            skip_ws();
            value v;
            if (!parse_value(v, depth + 1)) {
                return false;
            }
            out.members_.emplace_back(std::move(key), std::move(v));
            skip_ws();
            if (pos_ < text_.size() && text_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < text_.size() && text_[pos_] == '}') {
                ++pos_;
                return true;
            }
            error_ = "expected ',' or '}'";
            return false;
        }
    }

    bool parse_array(value &out, int depth) {
        out.kind_ = value::kind::array;
        ++pos_; // '['
        skip_ws();
        if (pos_ < text_.size() && text_[pos_] == ']') {
            ++pos_;
            return true;
        }
        for (;;) {
            skip_ws();
            value v;
            if (!parse_value(v, depth + 1)) {
                return false;
            }
            out.items_.push_back(std::move(v));
            skip_ws();
            if (pos_ < text_.size() && text_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < text_.size() && text_[pos_] == ']') {
                ++pos_;
                return true;
            }
            error_ = "expected ',' or ']'";
            return false;
        }
    }

    bool parse_hex4(std::uint32_t &cp) noexcept {
        if (text_.size() - pos_ < 4) {
            error_ = "short \\u escape";
            return false;
        }
        cp = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = text_[pos_++];
            cp <<= 4;
            if (c >= '0' && c <= '9') {
                cp |= static_cast<std::uint32_t>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                cp |= static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                cp |= static_cast<std::uint32_t>(c - 'A' + 10);
            } else {
                error_ = "bad \\u escape";
                return false;
            }
        }
        return true;
    }

    static void append_utf8(std::string &s, std::uint32_t cp) {
        if (cp < 0x80) {
            s.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            s.push_back(static_cast<char>(0xc0 | (cp >> 6)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            s.push_back(static_cast<char>(0xe0 | (cp >> 12)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else {
            s.push_back(static_cast<char>(0xf0 | (cp >> 18)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        }
    }

    bool parse_string(std::string &out) {
        ++pos_; // opening quote
        while (pos_ < text_.size()) {
            const char c = text_[pos_++];
            if (c == '"') {
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                error_ = "control character in string";
                return false;
            }
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (pos_ >= text_.size()) {
                break;
            }
            const char e = text_[pos_++];
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out.push_back(e);
                break;
            case 'b':
                out.push_back('\b');
                break;
            case 'f':
                out.push_back('\f');
                break;
            case 'n':
                out.push_back('\n');
                break;
            case 'r':
                out.push_back('\r');
                break;
            case 't':
                out.push_back('\t');
                break;
            case 'u': {
                std::uint32_t cp = 0;
                if (!parse_hex4(cp)) {
                    return false;
                }
                if (cp >= 0xd800 && cp < 0xdc00) { // high surrogate: expect the low half
                    std::uint32_t lo = 0;
                    if (text_.substr(pos_, 2) != "\\u") {
                        error_ = "lone surrogate";
                        return false;
                    }
                    pos_ += 2;
                    if (!parse_hex4(lo) || lo < 0xdc00 || lo >= 0xe000) {
                        error_ = "bad surrogate pair";
                        return false;
                    }
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                append_utf8(out, cp);
                break;
            }
            default:
                error_ = "bad escape";
                return false;
            }
        }
        error_ = "unterminated string";
        return false;
    }

    bool parse_number(value &out) {
        const std::size_t start = pos_;
        if (pos_ < text_.size() && text_[pos_] == '-') {
            ++pos_;
        }
        auto digits = [this] {
            const std::size_t d = pos_;
            while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
                ++pos_;
            }
            return pos_ - d;
        };
        if (digits() == 0) {
            error_ = "unexpected character";
            return false;
        }
        if (pos_ < text_.size() && text_[pos_] == '.') {
            ++pos_;
            if (digits() == 0) {
                error_ = "bad fraction";
                return false;
            }
        }
        if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
                ++pos_;
            }
            if (digits() == 0) {
                error_ = "bad exponent";
                return false;
            }
        }
        out.kind_ = value::kind::number;
        out.number_ = std::stod(std::string(text_.substr(start, pos_ - start)));
        return true;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::string error_;
};

/// Parses a whole document; on failure returns nullopt and, if given, sets *error.
inline std::optional<value> parse(std::string_view text, std::string *error = nullptr) {
    return parser(text).parse_document(error);
}

/// Reads and parses a file.
inline std::optional<value> parse_file(const std::string &path, std::string *error = nullptr) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error) {
            *error = "cannot open " + path;
        }
        return std::nullopt;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return parse(buf.str(), error);
}

} // namespace awsio::test::json
