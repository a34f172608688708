// x509/hostname.hpp — server identity checks (RFC 9525, which replaces RFC 6125): does a
// certificate name the host the client meant to reach; plus the DNS and IP matching rules of
// RFC 5280 name constraints, for the path validator.
//
// Thread safety: pure functions.
#pragma once

#include "x509/certificate.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

namespace awsio::x509 {

/// Checks that `cert` is valid for `host`. Returns a zero code on a match, otherwise
/// io_errc::tls_host_name_mismatch.
///
///  * An IP literal (dotted IPv4, or IPv6 with or without [brackets]) matches only an
///    iPAddress subjectAltName of the same family and value; never a DNS name or the CN.
///  * Any other host is a DNS name: compared with each dNSName subjectAltName using
///    matches_dns_name(). A trailing dot on the host is ignored.
///  * Only when the certificate has no subjectAltName extension at all, each subject
///    commonName is tried as a DNS name pattern (RFC 9525 6.4.4 legacy fallback).
std::error_code verify_hostname(const certificate &cert, std::string_view host);

/// RFC 9525 6.3 DNS matching of a presented identifier (`pattern`) with a reference
/// identifier (`host`): ASCII case-insensitive, one trailing dot on either ignored, empty
/// labels refused. A wildcard is accepted only as the complete left-most label ("*.a.b"),
/// matches exactly one non-empty label, and only in patterns of at least three labels
/// ("*.com" never matches). Partial wildcards ("f*.a.b", "*f.a.b", "a.*.b") never match;
/// a host containing '*' never matches.
bool matches_dns_name(std::string_view pattern, std::string_view host);

/// RFC 5280 4.2.1.10 dNSName constraint: `name` is within `constraint` when it equals the
/// constraint or extends it with labels on the left ("example.com" holds example.com,
/// a.example.com and *.example.com; not badexample.com). A constraint with a leading dot
/// (".example.com") holds subdomains only. The empty constraint holds every name.
/// ASCII case-insensitive; a trailing dot on either side is ignored.
bool dns_within_subtree(std::string_view name, std::string_view constraint);

/// RFC 5280 4.2.1.10 iPAddress constraint: `constraint_addr_and_mask` is an address followed
/// by a mask of the same length (8 bytes for IPv4, 32 for IPv6). `addr` (4 or 16 bytes) is
/// within it when both have the same family and agree on every masked bit.
bool ip_within_subtree(std::span<const std::uint8_t> addr,
                       std::span<const std::uint8_t> constraint_addr_and_mask);

/// An IP literal in binary: 4 bytes for IPv4, 16 for IPv6.
struct ip_address {
    std::array<std::uint8_t, 16> bytes{};
    std::size_t size = 0;
    [[nodiscard]] std::span<const std::uint8_t> view() const noexcept { return {bytes.data(), size}; }
};

/// Parses a strict dotted-quad IPv4 literal (four decimal parts 0-255, no leading zeros) or
/// an RFC 4291 IPv6 literal ("::" compression, trailing dotted IPv4 allowed), optionally in
/// brackets. Zone identifiers ("%eth0") are not accepted. nullopt if `text` is not one.
std::optional<ip_address> parse_ip_literal(std::string_view text);

} // namespace awsio::x509
