// tls/core/error_mapping.cpp — to_io_error(): the aws-c-io error code a caller sees for an error
// of the TLS engine (local protocol errors, peer alerts, certificate verification, crypto and
// X.509 decoding failures). The table, and the aws-c-io behaviour it follows, is in docs/tls.md
// (a unit test checks that table against this function).
//
// aws-c-io's backends differ: s2n reports every failed handshake as
// AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE and every failed read as AWS_IO_TLS_ERROR_READ_FAILURE;
// the Apple backends turn Secure Transport codes into the specific ones (errSSLPeerBadCert ->
// AWS_IO_TLS_BAD_PEER_CERTIFICATE, errSSLXCertChainInvalid -> AWS_IO_TLS_INVALID_CERTIFICATE_CHAIN,
// errSSLHostNameMismatch -> AWS_IO_TLS_HOST_NAME_MISMATCH, errSSLInternal ->
// AWS_IO_TLS_INTERNAL_ERROR, ...); SChannel reports an alert that ends the context as
// AWS_IO_TLS_ALERT_NOT_GRACEFUL. This mapping keeps the specific codes where the engine knows the
// specific cause, and s2n's generic ones otherwise.
#include "crypto/crypto_error.hpp"
#include "tls/codec/tls_error.hpp"
#include "x509/certificate.hpp"
#include "x509/der.hpp"

#include <awsio/error.hpp>
#include <awsio/tls/connection.hpp>

namespace awsio::tls {

namespace {

// A fatal alert received from the peer.
//  - The certificate alerts mean the peer refused *our* certificate (Secure Transport's
//    errSSLPeerBadCert / PeerUnsupportedCert / PeerCertExpired / PeerCertRevoked /
//    PeerCertUnknown) and keep their own codes in both phases: with TLS 1.3 client
//    authentication the server judges the client's certificate after the client has finished
//    its side of the handshake, so the client learns of the refusal once connected.
//  - close_notify is never an error here: its value is 0, and the engine reports it through
//    connection::peer_closed() (the channel handler then shuts down without error, as aws-c-io).
//  - Any other alert is a failed negotiation during the handshake and ends the connection "not
//    gracefully" after it (what aws-c-io's SChannel handler reports when the peer closes the
//    context with an alert).
std::error_code map_peer_alert(int description, bool during_handshake) noexcept {
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
        return during_handshake ? io_errc::tls_error_negotiation_failure : io_errc::tls_alert_not_graceful;
    }
}

// A failure this side detected (the value is the alert it sends).
//  - internal_error: our own machinery failed, not the peer's bytes (errSSLInternal ->
//    AWS_IO_TLS_INTERNAL_ERROR), whatever the phase.
//  - bad_certificate / unsupported_certificate: the peer's certificate does not parse or holds a
//    key this library cannot use (errSSLBadCert -> AWS_IO_TLS_BAD_CERTIFICATE, the code the
//    verifier gives a certificate that does not decode).
//  - Everything else is a protocol violation by the peer: a failed negotiation during the
//    handshake (as s2n's handler reports every negotiation error), a failed read after it
//    (s2n_recv failing is AWS_IO_TLS_ERROR_READ_FAILURE).
std::error_code map_local(int alert, bool during_handshake) noexcept {
    switch (static_cast<alert_description>(alert)) {
    case alert_description::internal_error:
        return io_errc::tls_internal_error;
    case alert_description::bad_certificate:
    case alert_description::unsupported_certificate:
        return io_errc::tls_bad_certificate;
    default:
        return during_handshake ? io_errc::tls_error_negotiation_failure : io_errc::tls_error_read_failure;
    }
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
        // Failures caused by the peer's values (a bad key share, a bad signature, a bad record
        // tag) reach here already turned into tls::errc; what is left is the provider failing.
        return io_errc::tls_internal_error;
    }
    if (cat == x509::der::der_category() || cat == x509::certificate_category()) {
        return io_errc::tls_bad_certificate;
    }
    return engine_error;
}

} // namespace awsio::tls
