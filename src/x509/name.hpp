// x509/name.hpp — X.509 distinguished names (RFC 5280 4.1.2.4): parsing a Name, comparing two
// names the way path building must (RFC 5280 7.1), and printing one for diagnostics (RFC 4514
// style).
//
// A name owns its data (it does not point into the certificate it came from), so it can be kept
// as a key by trust stores. Thread safety: a plain immutable value after parsing.
#pragma once

#include <awsio/result.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace awsio::x509 {

/// One AttributeTypeAndValue of a relative distinguished name.
struct name_attribute {
    /// The attribute type's OID contents octets (compare with x509/oid.hpp constants).
    std::vector<std::uint8_t> type;
    /// The value's DER identifier octet (der::tag::utf8_string, printable_string, ...).
    std::uint8_t tag = 0;
    /// The value as UTF-8 when `tag` is a string type (TeletexString read as Latin-1,
    /// BMPString as UTF-16BE, UniversalString as UTF-32BE); empty for other types.
    std::string value;
    /// The value's contents octets exactly as encoded.
    std::vector<std::uint8_t> raw;

    /// True when the value is one of the string types listed above.
    [[nodiscard]] bool is_string() const noexcept;
};

/// A RelativeDistinguishedName: a non-empty set of attributes (usually one).
using relative_name = std::vector<name_attribute>;

/// A distinguished name: a sequence of RDNs, most significant (e.g. C=) first, as encoded.
class name {
public:
    /// The empty name (no RDNs).
    name() = default;

    /// Parses a complete Name (the SEQUENCE OF RelativeDistinguishedName, header included);
    /// trailing bytes are refused. Errors are der::errc values (category "awsio-der"):
    /// structural problems, an empty RDN set (errc::unexpected_tag), undecodable string
    /// values (errc::bad_string). Callers reporting certificate problems map them with
    /// der::to_bad_certificate().
    static result<name> parse(std::span<const std::uint8_t> der);

    /// The RDNs in encoded order.
    [[nodiscard]] const std::vector<relative_name> &rdns() const noexcept { return rdns_; }
    [[nodiscard]] bool empty() const noexcept { return rdns_.empty(); }
    /// The complete DER encoding the name was parsed from (empty for a default name).
    [[nodiscard]] std::span<const std::uint8_t> der() const noexcept { return der_; }

    /// Values of every attribute of type `type_oid` (string-typed values only), in order.
    [[nodiscard]] std::vector<std::string> values_of(std::span<const std::uint8_t> type_oid) const;
    /// Every commonName value, in order.
    [[nodiscard]] std::vector<std::string> common_names() const;

    /// RFC 4514-style text for logs and error messages: RDNs from last to first joined by
    /// ',', multi-valued RDNs joined by '+', well-known types by short name (CN, O, OU, C, L,
    /// ST, STREET, DC, UID, emailAddress, serialNumber, ...) and others by dotted OID, special
    /// characters escaped with '\'. Non-string values are printed as '#' and hex of their DER.
    [[nodiscard]] std::string to_string() const;

    /// RFC 5280 7.1 name matching: the same number of RDNs, and RDN by RDN the same set of
    /// attributes (order inside an RDN does not matter). Values of the DirectoryString types
    /// (PrintableString, UTF8String, TeletexString, BMPString, UniversalString) match when
    /// equal after ASCII case folding and whitespace normalization (leading and trailing
    /// space removed, inner runs collapsed to one space), whatever their string type; values
    /// of other types (IA5String, NumericString, non-strings) match only when tag and octets
    /// are identical.
    [[nodiscard]] bool matches(const name &other) const;
    friend bool operator==(const name &a, const name &b) { return a.matches(b); }

private:
    std::vector<relative_name> rdns_;
    std::vector<std::uint8_t> der_;
};

/// Whether two attribute values match under the rules described at name::matches().
bool attribute_values_match(const name_attribute &a, const name_attribute &b);

/// The normalized form used for DirectoryString comparison: ASCII letters lower-cased,
/// whitespace runs collapsed to one space, leading and trailing whitespace removed.
std::string normalize_directory_string(std::string_view value);

} // namespace awsio::x509
