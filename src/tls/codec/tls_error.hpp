// tls/codec/tls_error.hpp — TLS protocol errors that know their alert (RFC 8446 section 6).
//
// Two categories:
//  - "awsio-tls": a failure detected locally; the value IS the alert description this side sends
//    (decode_error, illegal_parameter, unexpected_message, bad_record_mac, ...).
//  - "awsio-tls-peer-alert": a fatal alert received from the peer; the value is its description.
// The TLS channel handler maps both to io_errc (see to_io_error()).
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

namespace awsio::tls {

/// AlertDescription values (RFC 8446 6, RFC 5246 7.2, RFC 8449).
enum class alert_description : std::uint8_t {
    close_notify = 0,
    unexpected_message = 10,
    bad_record_mac = 20,
    record_overflow = 22,
    handshake_failure = 40,
    bad_certificate = 42,
    unsupported_certificate = 43,
    certificate_revoked = 44,
    certificate_expired = 45,
    certificate_unknown = 46,
    illegal_parameter = 47,
    unknown_ca = 48,
    access_denied = 49,
    decode_error = 50,
    decrypt_error = 51,
    protocol_version = 70,
    insufficient_security = 71,
    internal_error = 80,
    inappropriate_fallback = 86,
    user_canceled = 90,
    no_renegotiation = 100,
    missing_extension = 109,
    unsupported_extension = 110,
    unrecognized_name = 112,
    bad_certificate_status_response = 113,
    unknown_psk_identity = 115,
    certificate_required = 116,
    no_application_protocol = 120,
};

/// AlertLevel (RFC 5246 7.2; TLS 1.3 treats every alert but close_notify/user_canceled as fatal).
enum class alert_level : std::uint8_t { warning = 1, fatal = 2 };

/// Name of an alert description ("decode_error"), "unknown_alert" for unassigned values.
std::string_view alert_name(std::uint8_t description) noexcept;

/// A locally detected protocol error; the value is the alert to send. Zero (close_notify) is
/// never used as an error.
enum class errc : int {
    unexpected_message = 10,
    bad_record_mac = 20,
    record_overflow = 22,
    handshake_failure = 40,
    bad_certificate = 42,
    unsupported_certificate = 43,
    certificate_revoked = 44,
    certificate_expired = 45,
    certificate_unknown = 46,
    illegal_parameter = 47,
    unknown_ca = 48,
    access_denied = 49,
    decode_error = 50,
    decrypt_error = 51,
    protocol_version = 70,
    insufficient_security = 71,
    internal_error = 80,
    inappropriate_fallback = 86,
    user_canceled = 90,
    no_renegotiation = 100,
    missing_extension = 109,
    unsupported_extension = 110,
    unrecognized_name = 112,
    bad_certificate_status_response = 113,
    unknown_psk_identity = 115,
    certificate_required = 116,
    no_application_protocol = 120,
};

/// "awsio-tls": locally detected errors (value = alert to send).
const std::error_category &tls_category() noexcept;
/// "awsio-tls-peer-alert": fatal alerts received (value = received description).
const std::error_category &peer_alert_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), tls_category()}; }

/// The error for a received fatal alert.
inline std::error_code peer_alert_error(std::uint8_t description) noexcept {
    return {static_cast<int>(description), peer_alert_category()};
}

/// The alert this side sends for a failure: the errc's own value for the "awsio-tls" category,
/// bad_certificate for X.509 decoding failures, internal_error for everything else. Never called
/// for received alerts (nothing is sent back for those).
alert_description alert_for(std::error_code ec) noexcept;

} // namespace awsio::tls

template <>
struct std::is_error_code_enum<awsio::tls::errc> : std::true_type {};
