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

/// Every alert description but close_notify (RFC 8446 6, RFC 5246 7.2, RFC 8449), as
/// X(name, value): the single list both enums and alert_name() are generated from.
#define AWSIO_TLS_ALERT_LIST(X) \
    X(unexpected_message, 10) \
    X(bad_record_mac, 20) \
    X(record_overflow, 22) \
    X(handshake_failure, 40) \
    X(bad_certificate, 42) \
    X(unsupported_certificate, 43) \
    X(certificate_revoked, 44) \
    X(certificate_expired, 45) \
    X(certificate_unknown, 46) \
    X(illegal_parameter, 47) \
    X(unknown_ca, 48) \
    X(access_denied, 49) \
    X(decode_error, 50) \
    X(decrypt_error, 51) \
    X(protocol_version, 70) \
    X(insufficient_security, 71) \
    X(internal_error, 80) \
    X(inappropriate_fallback, 86) \
    X(user_canceled, 90) \
    X(no_renegotiation, 100) \
    X(missing_extension, 109) \
    X(unsupported_extension, 110) \
    X(unrecognized_name, 112) \
    X(bad_certificate_status_response, 113) \
    X(unknown_psk_identity, 115) \
    X(certificate_required, 116) \
    X(no_application_protocol, 120)

/// AlertDescription values.
enum class alert_description : std::uint8_t {
    close_notify = 0,
#define AWSIO_TLS_ALERT_ENUMERATOR(name, value) name = value,
    AWSIO_TLS_ALERT_LIST(AWSIO_TLS_ALERT_ENUMERATOR)
};

/// AlertLevel (RFC 5246 7.2; TLS 1.3 treats every alert but close_notify/user_canceled as fatal).
enum class alert_level : std::uint8_t { warning = 1, fatal = 2 };

/// Name of an alert description ("decode_error"), "unknown_alert" for unassigned values.
std::string_view alert_name(std::uint8_t description) noexcept;

/// A locally detected protocol error; the value is the alert to send. Zero (close_notify) is
/// never used as an error.
enum class errc : int { AWSIO_TLS_ALERT_LIST(AWSIO_TLS_ALERT_ENUMERATOR) };
#undef AWSIO_TLS_ALERT_ENUMERATOR

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
