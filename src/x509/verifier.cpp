// x509/verifier.cpp — path building (depth-first over candidate issuers, with backtracking) and
// RFC 5280 section 6 path validation restricted to what TLS needs, plus the hostname check.
//
// When no path validates, the failure of the path that got furthest is reported: reached an
// anchor with good signatures and failed a rule > ... not yet valid > ... expired > reached an
// anchor with a bad signature > cut by max_depth > ran out of issuers (unknown root). Ties go
// to the first path found.
//
// Policy decisions (beyond RFC 5280), each explained where it is applied:
//   * the trust anchor's validity period is checked (RFC 5280 does not process anchors; most
//     deployed verifiers do check it), its signature is not;
//   * an anchor needs no basicConstraints (v1 roots are common) and its pathLenConstraint is
//     not applied, but its nameConstraints are (as the major web verifiers do);
//   * an unknown critical extension is refused on every certificate, anchor included;
//   * intermediates that carry extendedKeyUsage must allow the purpose too (EKU chaining);
//   * a leaf keyUsage must allow digitalSignature: every key exchange this TLS stack offers
//     (TLS 1.3, TLS 1.2 ECDHE) has the certificate key sign, so keyEncipherment or
//     keyAgreement alone are useless;
//   * SHA-1 signatures are refused below the anchor;
//   * neither revocation (CRLs, OCSP) nor certificate policies are processed;
//   * name constraints are enforced for dNSName and iPAddress only (plus the leaf CN when
//     there is no subjectAltName and the CN looks like a host name); directoryName, rfc822Name
//     and URI constraints are not evaluated.
#include "x509/verifier.hpp"

#include "x509/hostname.hpp"

#include <awsio/error.hpp>
#include <awsio/logging.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <string_view>
#include <utility>

namespace awsio::x509 {
namespace {

// How far a candidate path got; a higher rank wins when every path fails.
enum class path_rank : int {
    no_anchor = 0,      // ran out of issuers before reaching a trust anchor
    too_deep = 1,       // issuers existed but the path would exceed max_depth
    bad_signature = 2,  // reached an anchor but a signature does not verify
    // Reached an anchor with good signatures, then failed a check; the later the check in
    // the documented decision order, the further the path got.
    expired = 3,
    not_yet_valid = 4,
    rule_broken = 5,
};

struct failure {
    path_rank rank = path_rank::no_anchor;
    io_errc error = io_errc::tls_unknown_root_certificate;
};

struct node {
    certificate cert;
    bool anchor = false;
};

// Limits on the search so that a hostile pile of same-named or cross-certified intermediates
// cannot make path building exponential: complete paths validated, and issuer candidates
// tried. Honest chains (a handful of certificates, a few cross-signatures) stay far below.
constexpr std::size_t max_path_validations = 256;
constexpr std::size_t max_search_steps = 4096;
// A peer's list is refused (tls_bad_certificate) above this size: candidate lookup compares
// names pairwise, and no honest TLS peer sends more than a handful of certificates.
constexpr std::size_t max_presented = 64;

bool equal_bytes(byte_view a, byte_view b) noexcept { return std::ranges::equal(a, b); }

// A subject CN is treated as a DNS name for name constraints (RFC 5280 leaves CNs alone;
// verifiers that still fall back to the CN for host matching must constrain it too) only
// when it is made of host name characters.
bool looks_like_dns_name(std::string_view cn) {
    if (cn.empty() || parse_ip_literal(cn).has_value()) {
        return false;
    }
    return std::ranges::all_of(cn, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.' || c == '*' || c == '_';
    });
}

bool purpose_allowed(const extended_key_usage &eku, purpose usage) {
    if (eku.any()) {
        return true;
    }
    switch (usage) {
    case purpose::server_auth:
        return eku.has_server_auth();
    case purpose::client_auth:
        return eku.has_client_auth();
    case purpose::any:
        return true;
    }
    return false;
}

// RFC 5280 4.2.1.10: a name of a type is checked only against subtrees of that type; it must
// lie in one permitted subtree when any of its type is listed, and in no excluded subtree.
template <typename Within>
bool name_allowed(const name_constraints &nc, general_name::kind type, Within &&within) {
    bool any_permitted = false;
    bool in_permitted = false;
    for (const auto &subtree : nc.permitted) {
        if (subtree.type != type) {
            continue;
        }
        any_permitted = true;
        if (within(subtree)) {
            in_permitted = true;
            break;
        }
    }
    if (any_permitted && !in_permitted) {
        return false;
    }
    return std::ranges::none_of(nc.excluded, [&](const general_name &subtree) {
        return subtree.type == type && within(subtree);
    });
}

bool names_satisfy(const certificate &cert, bool is_leaf, const name_constraints &nc) {
    for (const auto &dns : cert.dns_names()) {
        if (!name_allowed(nc, general_name::kind::dns_name,
                          [&](const general_name &g) { return dns_within_subtree(dns, g.text); })) {
            return false;
        }
    }
    for (const auto &ip : cert.ip_addresses()) {
        if (!name_allowed(nc, general_name::kind::ip_address,
                          [&](const general_name &g) { return ip_within_subtree(ip, g.value); })) {
            return false;
        }
    }
    if (is_leaf && !cert.has_subject_alt_name()) {
        for (const auto &cn : cert.subject().common_names()) {
            if (!looks_like_dns_name(cn)) {
                continue;
            }
            if (!name_allowed(nc, general_name::kind::dns_name,
                              [&](const general_name &g) { return dns_within_subtree(cn, g.text); })) {
                return false;
            }
        }
    }
    return true;
}

class path_builder {
public:
    path_builder(std::vector<node> nodes, const verify_options &options, std::int64_t at,
                 const crypto::provider &provider)
        : nodes_(std::move(nodes)), options_(options), at_(at), provider_(provider),
          issuers_(nodes_.size()), issuers_known_(nodes_.size(), false) {}

    // Returns the first path (leaf first) that validates, or the best failure.
    result<std::vector<certificate>> run() {
        std::vector<std::size_t> path{0};
        if (search(path)) {
            std::vector<certificate> out;
            out.reserve(path.size());
            for (std::size_t i : path) {
                out.push_back(nodes_[i].cert);
            }
            return out;
        }
        AWSIO_LOGF_DEBUG(log_subject::pki, "static: no valid certification path (rank %d, error %s)",
                         static_cast<int>(best_.rank), make_error_code(best_.error).message().c_str());
        return best_.error;
    }

private:
    void record(failure f) {
        // The path that got furthest wins; ties keep the first path found, since the search
        // order (key-identifier matches and anchors first) makes it the most plausible one.
        if (!have_failure_ || static_cast<int>(f.rank) > static_cast<int>(best_.rank)) {
            best_ = f;
            have_failure_ = true;
        }
    }

    // Candidate issuers of nodes_[child]: every other certificate whose subject matches the
    // child's issuer name (RFC 5280 7.1), key-identifier matches first, then those that
    // cannot be compared, then AKI/SKI mismatches (tried last, not refused: identifiers are
    // only a hint). Within a class, anchors come first (shorter paths), then presented order.
    const std::vector<std::size_t> &issuers_of(std::size_t child) {
        if (issuers_known_[child]) {
            return issuers_[child];
        }
        const certificate &c = nodes_[child].cert;
        const auto aki = c.authority_key_id();
        std::vector<std::pair<int, std::size_t>> ranked;
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            const certificate &cand = nodes_[i].cert;
            if (!c.issuer().matches(cand.subject())) {
                continue;
            }
            int cls = 1;
            const auto ski = cand.subject_key_id();
            if (aki && ski) {
                cls = equal_bytes(*aki, *ski) ? 0 : 2;
            }
            ranked.emplace_back(cls * 2 + (nodes_[i].anchor ? 0 : 1), i);
        }
        std::ranges::stable_sort(ranked, {}, &std::pair<int, std::size_t>::first);
        for (const auto &r : ranked) {
            issuers_[child].push_back(r.second);
        }
        issuers_known_[child] = true;
        return issuers_[child];
    }

    bool signature_ok(std::size_t child, std::size_t issuer) {
        const auto key = std::make_pair(child, issuer);
        if (auto it = signatures_.find(key); it != signatures_.end()) {
            return it->second;
        }
        const bool ok = verify_signature_by(nodes_[child].cert, nodes_[issuer].cert, provider_).has_value();
        signatures_.emplace(key, ok);
        return ok;
    }

    // Depth-first search; `path` ends with the node to extend. True when `path` is complete
    // and valid.
    bool search(std::vector<std::size_t> &path) {
        const std::size_t last = path.back();
        if (nodes_[last].anchor) {
            if (validations_ >= max_path_validations) {
                return false;
            }
            ++validations_;
            if (auto f = validate(path)) {
                record(*f);
                return false;
            }
            return true;
        }
        const auto &candidates = issuers_of(last);
        bool any_candidate = false;
        for (std::size_t cand : candidates) {
            if (std::ranges::find(path, cand) != path.end()) {
                continue; // a certificate may appear only once in a path
            }
            any_candidate = true;
            if (path.size() >= options_.max_depth) {
                record({path_rank::too_deep, io_errc::tls_invalid_certificate_chain});
                return false;
            }
            if (validations_ >= max_path_validations || steps_ >= max_search_steps) {
                return false;
            }
            ++steps_;
            path.push_back(cand);
            if (search(path)) {
                return true;
            }
            path.pop_back();
        }
        if (!any_candidate) {
            record({path_rank::no_anchor, io_errc::tls_unknown_root_certificate});
        }
        return false;
    }

    // RFC 5280 6.1 over a complete path (leaf first, anchor last). Returns the failure, or
    // nullopt when the path is valid.
    std::optional<failure> validate(const std::vector<std::size_t> &path) {
        const std::size_t n = path.size();
        auto cert_at = [&](std::size_t i) -> const certificate & { return nodes_[path[i]].cert; };

        // Signatures: each certificate by the next. The anchor is trusted by its key; its
        // self-signature carries no information and is not checked.
        // SHA-1 signatures are refused (collisions are practical; RFC 9155 retires SHA-1 from
        // TLS 1.2 signatures and public CAs stopped issuing them); an anchor's own is never
        // checked, so SHA-1 self-signed roots remain usable.
        for (std::size_t i = 0; i + 1 < n; ++i) {
            if (cert_at(i).signature_algorithm().scheme == signature_scheme::rsa_pkcs1_sha1 ||
                !signature_ok(path[i], path[i + 1])) {
                return failure{path_rank::bad_signature, io_errc::tls_invalid_certificate_chain};
            }
        }

        // Validity, anchor included (see the file comment). Expiry is decided before
        // not-yet-valid, in the order the header documents.
        for (std::size_t i = 0; i < n; ++i) {
            if (at_ > cert_at(i).not_after()) {
                return failure{path_rank::expired, io_errc::tls_certificate_expired};
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (at_ < cert_at(i).not_before()) {
                return failure{path_rank::not_yet_valid, io_errc::tls_certificate_not_yet_valid};
            }
        }

        const failure invalid{path_rank::rule_broken, io_errc::tls_invalid_certificate_chain};

        // RFC 5280 4.2: a critical extension we cannot process makes the certificate unusable.
        for (std::size_t i = 0; i < n; ++i) {
            if (cert_at(i).has_unknown_critical_extension()) {
                return invalid;
            }
        }

        // Intermediates (indexes 1..n-2): CA certificates allowed to sign certificates
        // (RFC 5280 6.1.4 (k), (n)), and, when they restrict EKU, allowing the purpose.
        for (std::size_t i = 1; i + 1 < n; ++i) {
            const certificate &ca = cert_at(i);
            const auto &bc = ca.basic_constraints_ext();
            if (!bc || !bc->ca) {
                return invalid;
            }
            if (const auto &ku = ca.key_usage_ext(); ku && !ku->has(key_usage::key_cert_sign)) {
                return invalid;
            }
            if (const auto &eku = ca.extended_key_usage_ext(); eku && !purpose_allowed(*eku, options_.usage)) {
                return invalid;
            }
        }

        // pathLenConstraint (RFC 5280 6.1.4 (l), (m)), from the certificate below the anchor
        // down: each non-self-issued intermediate uses one unit of the allowance.
        if (n >= 3) {
            std::size_t max_path_length = n;
            for (std::size_t i = n - 2; i >= 1; --i) {
                const certificate &ca = cert_at(i);
                if (!ca.is_self_issued()) {
                    if (max_path_length == 0) {
                        return invalid;
                    }
                    --max_path_length;
                }
                const auto &bc = ca.basic_constraints_ext();
                if (bc && bc->path_len && *bc->path_len < max_path_length) {
                    max_path_length = *bc->path_len;
                }
            }
        }

        // Name constraints (RFC 5280 6.1.3 (b), (c)): those of every CA, anchor included,
        // bind the names of every certificate below it, except self-issued intermediates.
        for (std::size_t k = 1; k < n; ++k) {
            const auto &nc = cert_at(k).name_constraints_ext();
            if (!nc) {
                continue;
            }
            for (std::size_t j = 0; j < k; ++j) {
                const certificate &subject = cert_at(j);
                if (j > 0 && subject.is_self_issued()) {
                    continue;
                }
                if (!names_satisfy(subject, j == 0, *nc)) {
                    return invalid;
                }
            }
        }

        // The leaf: purpose and key usage (see the file comment for why digitalSignature).
        // A leaf that is itself the anchor is still checked: the purpose is the caller's.
        const certificate &leaf = cert_at(0);
        if (const auto &eku = leaf.extended_key_usage_ext(); eku && !purpose_allowed(*eku, options_.usage)) {
            return invalid;
        }
        if (const auto &ku = leaf.key_usage_ext(); ku && !ku->has(key_usage::digital_signature)) {
            return invalid;
        }
        return std::nullopt;
    }

    std::vector<node> nodes_;
    const verify_options &options_;
    std::int64_t at_;
    const crypto::provider &provider_;
    std::vector<std::vector<std::size_t>> issuers_;
    std::vector<bool> issuers_known_;
    std::map<std::pair<std::size_t, std::size_t>, bool> signatures_;
    std::size_t validations_ = 0;
    std::size_t steps_ = 0;
    failure best_;
    bool have_failure_ = false;
};

} // namespace

result<verified_path> verify_chain(std::span<const certificate> presented, const trust_store &anchors,
                                   const verify_options &options, const crypto::provider &provider) {
    if (presented.empty() || presented.size() > max_presented) {
        return io_errc::tls_bad_certificate;
    }
    if (options.max_depth == 0) {
        return io_errc::tls_invalid_certificate_chain;
    }
    const std::int64_t at = options.at ? *options.at : static_cast<std::int64_t>(provider.now_seconds());

    // One node per distinct certificate: presented ones first (leaf at index 0), duplicates
    // dropped, a presented copy of an anchor marked as the anchor it is.
    std::vector<node> nodes;
    auto find_node = [&](byte_view der) {
        return std::ranges::find_if(nodes, [&](const node &nd) { return equal_bytes(nd.cert.der(), der); });
    };
    for (const auto &cert : presented) {
        if (find_node(cert.der()) == nodes.end()) {
            nodes.push_back({cert, anchors.contains(cert.der())});
        }
    }
    for (const auto &der : anchors.anchors()) {
        if (find_node(der) != nodes.end()) {
            continue;
        }
        // Anchors that do not parse are skipped: one bad entry in a system bundle must not
        // make every other anchor unusable.
        auto cert = certificate::parse(der);
        if (!cert) {
            continue;
        }
        nodes.push_back({std::move(*cert), true});
    }

    path_builder builder(std::move(nodes), options, at, provider);
    auto certificates = builder.run();
    if (!certificates) {
        return unexpected(certificates.error());
    }
    // The host is checked last: a mismatch is reported only for an otherwise valid path.
    if (options.host) {
        if (auto ec = verify_hostname(certificates->front(), *options.host)) {
            return unexpected(ec);
        }
    }
    return verified_path{std::move(*certificates)};
}

result<verified_path> verify_chain_der(std::span<const std::vector<std::uint8_t>> presented,
                                       const trust_store &anchors, const verify_options &options,
                                       const crypto::provider &provider) {
    if (presented.empty() || presented.size() > max_presented) {
        return io_errc::tls_bad_certificate;
    }
    std::vector<certificate> certs;
    certs.reserve(presented.size());
    for (const auto &der : presented) {
        auto cert = certificate::parse(der);
        if (!cert) {
            return io_errc::tls_bad_certificate;
        }
        certs.push_back(std::move(*cert));
    }
    return verify_chain(certs, anchors, options, provider);
}

} // namespace awsio::x509
