// x509/pki.hpp — loading certificate chains and private keys from PEM text or files, the
// inputs of TLS contexts (aws-c-io's aws_tls_ctx_options certificate / private_key, read from
// memory or from a path).
//
// Certificates come out as DER byte vectors (parsing them is x509/certificate.hpp's job);
// private keys come out imported by the crypto provider. PEM text holding key material is wiped
// after use (the parsed pem_objects wipe themselves; file contents read here are wiped too).
//
// Errors (std::error_code):
//   * files: common_errc::file_invalid_path (missing), no_permission, ... via
//     io_error_from_errno(); common_errc::sys_call_failure when reading fails (a directory);
//   * io_errc::pem_malformed: no PEM block at all, or a broken one (pem_parse());
//   * io_errc::tls_ctx_error: well-formed PEM without the object asked for (no CERTIFICATE, no
//     private key), a certificate that is not one DER SEQUENCE, or a key the provider refuses
//     (unsupported type or curve, malformed DER) — what aws-c-io reports when its TLS backend
//     cannot load the certificate or key. The reason is logged (log_subject::pki, error level);
//   * common_errc::unsupported_operation: the key is encrypted ("ENCRYPTED PRIVATE KEY", or
//     "Proc-Type: 4,ENCRYPTED" headers). Password-protected keys are not supported; decrypt
//     the key first (`openssl pkey -in key.pem -out plain.pem`).
//
// Thread safety: reentrant functions; the provider must be usable from the calling thread.
#pragma once

#include "crypto/provider.hpp"

#include <awsio/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace awsio::x509 {

/// One DER-encoded certificate.
using der_certificate = std::vector<std::uint8_t>;

/// Every "CERTIFICATE" (and legacy "X509 CERTIFICATE") object of `pem`, in order, as DER.
/// Other objects (keys, parameters) are skipped. Each must be one DER SEQUENCE with nothing
/// after it; the certificate contents are not parsed here. Errors: see the file comment.
result<std::vector<der_certificate>> load_certificate_chain_pem(std::string_view pem);

/// load_certificate_chain_pem() on a file's contents.
result<std::vector<der_certificate>> load_certificate_chain_file(const std::string &path);

/// The first private key of `pem`, imported by `provider`: "PRIVATE KEY" (PKCS#8),
/// "EC PRIVATE KEY" (SEC1) or "RSA PRIVATE KEY" (PKCS#1). Certificates and other objects
/// around it are skipped (a combined cert + key file works). Key types the provider does not
/// support (DSA, P-521, X448, ...) and other key labels ("DSA PRIVATE KEY") give
/// io_errc::tls_ctx_error; encrypted keys give common_errc::unsupported_operation.
result<crypto::private_key> load_private_key_pem(std::string_view pem,
                                                 crypto::provider &provider = crypto::openssl_provider());

/// load_private_key_pem() on a file's contents (wiped after use).
result<crypto::private_key> load_private_key_file(const std::string &path,
                                                  crypto::provider &provider = crypto::openssl_provider());

namespace detail {
/// Reads a whole file (errors as in the file comment). The caller wipes it if it is secret.
result<std::string> read_file(const std::string &path);
} // namespace detail

} // namespace awsio::x509
