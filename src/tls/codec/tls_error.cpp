// The "awsio-tls" and "awsio-tls-peer-alert" error categories and alert names.
#include "tls/codec/tls_error.hpp"

#include <string>

namespace awsio::tls {

std::string_view alert_name(std::uint8_t d) noexcept {
    switch (static_cast<alert_description>(d)) {
    case alert_description::close_notify: return "close_notify";
    case alert_description::unexpected_message: return "unexpected_message";
    case alert_description::bad_record_mac: return "bad_record_mac";
    case alert_description::record_overflow: return "record_overflow";
    case alert_description::handshake_failure: return "handshake_failure";
    case alert_description::bad_certificate: return "bad_certificate";
    case alert_description::unsupported_certificate: return "unsupported_certificate";
    case alert_description::certificate_revoked: return "certificate_revoked";
    case alert_description::certificate_expired: return "certificate_expired";
    case alert_description::certificate_unknown: return "certificate_unknown";
    case alert_description::illegal_parameter: return "illegal_parameter";
    case alert_description::unknown_ca: return "unknown_ca";
    case alert_description::access_denied: return "access_denied";
    case alert_description::decode_error: return "decode_error";
    case alert_description::decrypt_error: return "decrypt_error";
    case alert_description::protocol_version: return "protocol_version";
    case alert_description::insufficient_security: return "insufficient_security";
    case alert_description::internal_error: return "internal_error";
    case alert_description::inappropriate_fallback: return "inappropriate_fallback";
    case alert_description::user_canceled: return "user_canceled";
    case alert_description::no_renegotiation: return "no_renegotiation";
    case alert_description::missing_extension: return "missing_extension";
    case alert_description::unsupported_extension: return "unsupported_extension";
    case alert_description::unrecognized_name: return "unrecognized_name";
    case alert_description::bad_certificate_status_response: return "bad_certificate_status_response";
    case alert_description::unknown_psk_identity: return "unknown_psk_identity";
    case alert_description::certificate_required: return "certificate_required";
    case alert_description::no_application_protocol: return "no_application_protocol";
    }
    return "unknown_alert";
}

namespace {

class tls_category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "awsio-tls"; }
    std::string message(int v) const override {
        return "TLS protocol error (" + std::string(alert_name(static_cast<std::uint8_t>(v))) + ")";
    }
};

class peer_alert_category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "awsio-tls-peer-alert"; }
    std::string message(int v) const override {
        return "fatal alert received from peer (" + std::string(alert_name(static_cast<std::uint8_t>(v))) +
               ")";
    }
};

} // namespace

const std::error_category &tls_category() noexcept {
    static const tls_category_impl instance;
    return instance;
}

const std::error_category &peer_alert_category() noexcept {
    static const peer_alert_category_impl instance;
    return instance;
}

alert_description alert_for(std::error_code ec) noexcept {
    if (ec.category() == tls_category() && ec.value() > 0 && ec.value() < 256) {
        return static_cast<alert_description>(ec.value());
    }
    const std::string_view cat = ec.category().name();
    if (cat == "awsio-der") {
        return alert_description::bad_certificate;
    }
    return alert_description::internal_error;
}

} // namespace awsio::tls
