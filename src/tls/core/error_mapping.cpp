// tls/core/error_mapping.cpp — to_io_error(): the aws-c-io error code a caller sees for an error
// of the TLS engine (local protocol errors, peer alerts, certificate verification, crypto and
// X.509 decoding failures). The table, and the aws-c-io behaviour it follows, is in docs/tls.md.
#include "crypto/crypto_error.hpp"
#include "tls/codec/tls_error.hpp"
#include "x509/certificate.hpp"
#include "x509/der.hpp"

#include <awsio/error.hpp>
#include <awsio/tls/connection.hpp>

namespace awsio::tls {

namespace {

// A fatal alert received from the peer. During the handshake the certificate alerts get their
// own codes (the peer refused *our* certificate: what Secure Transport reports as
// errSSLPeerBadCert / PeerCertExpired / PeerCertRevoked / PeerCertUnknown); any other alert is a
// failed negotiation. Once connected, every alert other than close_notify ends the connection
// "not gracefully" (what aws-c-io's SChannel handler reports when the peer closes the context
// with an alert).
std::error_code map_peer_alert(int description, bool during_handshake) noexcept {
    if (description == static_cast<int>(alert_description::close_notify)) {
        return io_errc::tls_closed_graceful;
    }
    if (!during_handshake) {
        return io_errc::tls_alert_not_graceful;
    }
    switch (static_cast<alert_description>(description)) {
    case alert_description::bad_certificate:
    case alert_description::unsupported_certificate:
        return io_errc::tls_bad_peer_certificate;
    case alert_description::certificate_expired:
        return io_errc::tls_peer_certificate_expired;
    case alert_description::certificate_revoked:
        return io_errc::tls_peer_certificate_revoked;
    case alert_description::certificate_unknown:
        return io_errc::tls_peer_certificate_unknown;
    default:
        return io_errc::tls_error_negotiation_failure;
    }
}

// A failure this side detected (the value is the alert it sends). internal_error means our own
// machinery failed, not the peer's bytes: aws-c-io reports that as AWS_IO_TLS_INTERNAL_ERROR
// (errSSLInternal) whatever the phase. Everything else is a protocol violation by the peer: a
// failed negotiation during the handshake (as s2n's handler reports every negotiation error), a
// failed read after it (s2n_recv failing is AWS_IO_TLS_ERROR_READ_FAILURE).
std::error_code map_local(int alert, bool during_handshake) noexcept {
    if (alert == static_cast<int>(alert_description::internal_error)) {
        return io_errc::tls_internal_error;
    }
    return during_handshake ? io_errc::tls_error_negotiation_failure : io_errc::tls_error_read_failure;
}

} // namespace

std::error_code to_io_error(std::error_code engine_error, bool during_handshake) noexcept {
    if (!engine_error) {
        return engine_error;
    }
    const std::error_category &cat = engine_error.category();
    if (cat == io_category()) {
        // Already aws-c-io's: the verifier's certificate codes, tls_negotiation_timeout, ...
        return engine_error;
    }
    if (cat == tls_category()) {
        return map_local(engine_error.value(), during_handshake);
    }
    if (cat == peer_alert_category()) {
        return map_peer_alert(engine_error.value(), during_handshake);
    }
    if (cat == crypto::crypto_category()) {
        return io_errc::tls_internal_error;
    }
    if (cat == x509::der::der_category() || cat == x509::certificate_category()) {
        return io_errc::tls_bad_certificate;
    }
    return engine_error;
}

} // namespace awsio::tls
