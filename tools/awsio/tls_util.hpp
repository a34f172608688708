// TLS helpers of the awsio tool: printing what a handshake negotiated, a key-log file writer,
// version names, and an in-memory self-signed certificate for the demo.
#pragma once

#include <awsio/result.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace awsio::cli {

/// "1.2" / "1.3" -> the version; nullopt for anything else.
std::optional<tls::tls_versions> parse_tls_version(std::string_view text);

/// A key_log callback appending SSLKEYLOGFILE lines to `path` (created if missing). Errors: the
/// file cannot be opened (io_errc from errno).
result<tls::key_log_callback> make_key_log_file(const std::string &path);

/// The subject of a DER certificate as RFC 4514 text, or "(undecodable certificate)".
std::string certificate_subject(std::span<const std::uint8_t> der);

/// Prints the negotiated parameters, one "  name: value" line each, to `out`. `verify_enabled`
/// tells whether the peer's chain was to be verified (the context's verify_peer).
void print_negotiated(std::FILE *out, const tls::negotiated_parameters &params, bool verify_enabled,
                      std::string_view indent = "");

/// A fresh P-256 key and a self-signed certificate for `host` (CN and subjectAltName dNSName,
/// plus iPAddress 127.0.0.1), valid from an hour ago for a day, as PEM text.
result<tls::certificate_and_key> make_self_signed_certificate(const std::string &host);

} // namespace awsio::cli
