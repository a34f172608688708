// x509/verifier.hpp — certificate path building and validation (RFC 5280 section 6) plus the
// hostname check, with aws-c-io's TLS error codes as results.
//
// verify_chain() builds a path from the presented leaf to a trust anchor using the presented
// certificates and the anchors as candidate issuers, backtracking over several candidates for
// one issuer (cross-signed roots, one candidate expired), refusing loops and paths longer than
// max_depth, then validates it at the given time.
//
// Result errors (io_errc), in the order they are decided:
//   tls_bad_certificate            a presented certificate does not decode (or none presented)
//   tls_unknown_root_certificate   no path reaches a trust anchor (self-signed or unknown root,
//                                  missing intermediate)
//   tls_certificate_expired        the best path holds a certificate past notAfter
//   tls_certificate_not_yet_valid  ... before notBefore
//   tls_invalid_certificate_chain  a path exists but breaks a rule: bad signature, issuer not a
//                                  CA or not allowed keyCertSign, pathLenConstraint, name
//                                  constraints, extended key usage, leaf key usage, unknown
//                                  critical extension
//   tls_host_name_mismatch         the path is valid but the leaf does not match host
// When several candidate paths fail, the reported error is the one of the path that got
// furthest (an expired cross-signed path loses to a valid one; with no valid path, its error).
#pragma once

#include <awsio/result.hpp>

#include "crypto/provider.hpp"
#include "x509/certificate.hpp"
#include "x509/trust_store.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace awsio::x509 {

/// What the leaf must be good for (extended key usage; a leaf without EKU is good for all).
enum class purpose : std::uint8_t { server_auth, client_auth, any };

struct verify_options {
    /// Host name or IP literal the leaf must match (RFC 6125 / 9525); empty: not checked.
    std::optional<std::string> host;
    purpose usage = purpose::server_auth;
    /// Validation time, Unix seconds; empty: provider.now_seconds().
    std::optional<std::int64_t> at;
    /// Most certificates in a path, anchor included.
    std::size_t max_depth = 10;
};

struct verified_path {
    /// Leaf first, trust anchor last.
    std::vector<certificate> certificates;
};

/// Verifies `presented` (leaf first, then any intermediates in any order, duplicates allowed)
/// against `anchors`. Calling thread only; no IO.
result<verified_path> verify_chain(std::span<const certificate> presented, const trust_store &anchors,
                                   const verify_options &options, const crypto::provider &provider);

/// Same, from DER blobs (each must decode, else tls_bad_certificate).
result<verified_path> verify_chain_der(std::span<const std::vector<std::uint8_t>> presented,
                                       const trust_store &anchors, const verify_options &options,
                                       const crypto::provider &provider);

} // namespace awsio::x509
