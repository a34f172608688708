// tls/handshake/common.cpp — tables shared by the handshake state machines: cipher suites,
// groups, signature schemes, the CertificateVerify content and the alert for verification errors.
#include "tls/handshake/common.hpp"

#include "x509/certificate.hpp"
#include "x509/verifier.hpp"

#include <awsio/logging.hpp>

#include <awsio/error.hpp>

#include <algorithm>
#include <cctype>

namespace awsio::tls {

using codec::cipher_suite;
using codec::named_group;
using codec::signature_scheme;

std::optional<suite_params> lookup_suite(cipher_suite s) noexcept {
    using crypto::aead_algorithm;
    using crypto::hash_algorithm;
    switch (s) {
    case cipher_suite::tls_aes_128_gcm_sha256:
        return suite_params{s, aead_algorithm::aes_128_gcm, hash_algorithm::sha256, true, false};
    case cipher_suite::tls_aes_256_gcm_sha384:
        return suite_params{s, aead_algorithm::aes_256_gcm, hash_algorithm::sha384, true, false};
    case cipher_suite::tls_chacha20_poly1305_sha256:
        return suite_params{s, aead_algorithm::chacha20_poly1305, hash_algorithm::sha256, true, false};
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256:
        return suite_params{s, aead_algorithm::aes_128_gcm, hash_algorithm::sha256, false, true};
    case cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256:
        return suite_params{s, aead_algorithm::aes_128_gcm, hash_algorithm::sha256, false, false};
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384:
        return suite_params{s, aead_algorithm::aes_256_gcm, hash_algorithm::sha384, false, true};
    case cipher_suite::tls_ecdhe_rsa_with_aes_256_gcm_sha384:
        return suite_params{s, aead_algorithm::aes_256_gcm, hash_algorithm::sha384, false, false};
    case cipher_suite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256:
        return suite_params{s, aead_algorithm::chacha20_poly1305, hash_algorithm::sha256, false, true};
    case cipher_suite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256:
        return suite_params{s, aead_algorithm::chacha20_poly1305, hash_algorithm::sha256, false, false};
    default:
        return std::nullopt;
    }
}

std::string_view suite_name(cipher_suite s) noexcept {
    switch (s) {
    case cipher_suite::tls_aes_128_gcm_sha256:
        return "TLS_AES_128_GCM_SHA256";
    case cipher_suite::tls_aes_256_gcm_sha384:
        return "TLS_AES_256_GCM_SHA384";
    case cipher_suite::tls_chacha20_poly1305_sha256:
        return "TLS_CHACHA20_POLY1305_SHA256";
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256:
        return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256:
        return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384:
        return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case cipher_suite::tls_ecdhe_rsa_with_aes_256_gcm_sha384:
        return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    case cipher_suite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256:
        return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case cipher_suite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256:
        return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    default:
        return "UNKNOWN";
    }
}

std::string_view group_name(named_group g) noexcept {
    switch (g) {
    case named_group::x25519:
        return "x25519";
    case named_group::secp256r1:
        return "secp256r1";
    case named_group::secp384r1:
        return "secp384r1";
    default:
        return "unknown";
    }
}

std::string_view scheme_name(signature_scheme s) noexcept {
    switch (s) {
    case signature_scheme::rsa_pkcs1_sha256:
        return "rsa_pkcs1_sha256";
    case signature_scheme::rsa_pkcs1_sha384:
        return "rsa_pkcs1_sha384";
    case signature_scheme::rsa_pkcs1_sha512:
        return "rsa_pkcs1_sha512";
    case signature_scheme::ecdsa_secp256r1_sha256:
        return "ecdsa_secp256r1_sha256";
    case signature_scheme::ecdsa_secp384r1_sha384:
        return "ecdsa_secp384r1_sha384";
    case signature_scheme::ecdsa_secp521r1_sha512:
        return "ecdsa_secp521r1_sha512";
    case signature_scheme::rsa_pss_rsae_sha256:
        return "rsa_pss_rsae_sha256";
    case signature_scheme::rsa_pss_rsae_sha384:
        return "rsa_pss_rsae_sha384";
    case signature_scheme::rsa_pss_rsae_sha512:
        return "rsa_pss_rsae_sha512";
    case signature_scheme::ed25519:
        return "ed25519";
    case signature_scheme::ed448:
        return "ed448";
    case signature_scheme::rsa_pss_pss_sha256:
        return "rsa_pss_pss_sha256";
    case signature_scheme::rsa_pss_pss_sha384:
        return "rsa_pss_pss_sha384";
    case signature_scheme::rsa_pss_pss_sha512:
        return "rsa_pss_pss_sha512";
    case signature_scheme::rsa_pkcs1_sha1:
        return "rsa_pkcs1_sha1";
    case signature_scheme::ecdsa_sha1:
        return "ecdsa_sha1";
    default:
        return "unknown";
    }
}

std::optional<crypto::key_exchange_group> to_crypto_group(named_group g) noexcept {
    switch (g) {
    case named_group::x25519:
        return crypto::key_exchange_group::x25519;
    case named_group::secp256r1:
        return crypto::key_exchange_group::secp256r1;
    case named_group::secp384r1:
        return crypto::key_exchange_group::secp384r1;
    default:
        return std::nullopt;
    }
}

std::optional<scheme_params> lookup_scheme(signature_scheme s, bool tls13) noexcept {
    using crypto::hash_algorithm;
    using crypto::key_type;
    using crypto::signature_algorithm;
    auto pss = [](hash_algorithm h, key_type k) {
        return scheme_params{{signature_algorithm::rsa_pss, h, crypto::digest_size(h)}, k};
    };
    switch (s) {
    case signature_scheme::ecdsa_secp256r1_sha256:
        // TLS 1.3 binds the curve to the hash (RFC 8446 4.2.3); TLS 1.2 does not, but a
        // mismatched pairing is refused here too, as every modern stack does.
        return scheme_params{{signature_algorithm::ecdsa, hash_algorithm::sha256, std::nullopt}, key_type::ec_p256};
    case signature_scheme::ecdsa_secp384r1_sha384:
        return scheme_params{{signature_algorithm::ecdsa, hash_algorithm::sha384, std::nullopt}, key_type::ec_p384};
    case signature_scheme::rsa_pss_rsae_sha256:
        return pss(hash_algorithm::sha256, key_type::rsa);
    case signature_scheme::rsa_pss_rsae_sha384:
        return pss(hash_algorithm::sha384, key_type::rsa);
    case signature_scheme::rsa_pss_rsae_sha512:
        return pss(hash_algorithm::sha512, key_type::rsa);
    case signature_scheme::rsa_pss_pss_sha256:
        return pss(hash_algorithm::sha256, key_type::rsa_pss);
    case signature_scheme::rsa_pss_pss_sha384:
        return pss(hash_algorithm::sha384, key_type::rsa_pss);
    case signature_scheme::rsa_pss_pss_sha512:
        return pss(hash_algorithm::sha512, key_type::rsa_pss);
    case signature_scheme::ed25519:
        return scheme_params{{signature_algorithm::ed25519, hash_algorithm::sha512, std::nullopt}, key_type::ed25519};
    case signature_scheme::rsa_pkcs1_sha256:
    case signature_scheme::rsa_pkcs1_sha384:
    case signature_scheme::rsa_pkcs1_sha512: {
        // Only in certificates under TLS 1.3 (RFC 8446 4.2.3); fine in TLS 1.2 handshakes.
        if (tls13) {
            return std::nullopt;
        }
        const hash_algorithm h = s == signature_scheme::rsa_pkcs1_sha256   ? hash_algorithm::sha256
                                 : s == signature_scheme::rsa_pkcs1_sha384 ? hash_algorithm::sha384
                                                                           : hash_algorithm::sha512;
        return scheme_params{{signature_algorithm::rsa_pkcs1, h, std::nullopt}, key_type::rsa};
    }
    default:
        return std::nullopt;
    }
}

std::vector<std::uint8_t> certificate_verify_content(bool server, bytes_view transcript_hash) {
    static constexpr std::string_view server_context = "TLS 1.3, server CertificateVerify";
    static constexpr std::string_view client_context = "TLS 1.3, client CertificateVerify";
    const std::string_view ctx = server ? server_context : client_context;
    // Sized up front: no reallocation below (and no GCC 12 -O3 -Warray-bounds false positive).
    std::vector<std::uint8_t> out;
    out.reserve(64 + ctx.size() + 1 + transcript_hash.size());
    out.assign(64, 0x20);
    out.insert(out.end(), ctx.begin(), ctx.end());
    out.push_back(0);
    out.insert(out.end(), transcript_hash.begin(), transcript_hash.end());
    return out;
}

std::optional<signature_scheme> choose_scheme(const crypto::private_key &key,
                                              std::span<const signature_scheme> preference,
                                              std::span<const signature_scheme> peer_accepts, bool tls13) noexcept {
    if (!key.valid()) {
        return std::nullopt;
    }
    for (const signature_scheme s : preference) {
        const auto params = lookup_scheme(s, tls13);
        if (!params || params->key != key.type()) {
            continue;
        }
        if (std::find(peer_accepts.begin(), peer_accepts.end(), s) != peer_accepts.end()) {
            return s;
        }
    }
    return std::nullopt;
}

alert_description verification_alert(std::error_code ec) noexcept {
    if (ec.category() == tls_category()) {
        return alert_for(ec);
    }
    if (ec.category() == io_category()) {
        switch (static_cast<io_errc>(ec.value())) {
        case io_errc::tls_unknown_root_certificate:
        case io_errc::tls_no_root_certificate_found:
            return alert_description::unknown_ca;
        case io_errc::tls_certificate_expired:
        case io_errc::tls_certificate_not_yet_valid:
            // RFC 8446 6.2: certificate_expired covers "expired or not currently valid".
            return alert_description::certificate_expired;
        case io_errc::tls_bad_certificate:
            return alert_description::bad_certificate;
        case io_errc::tls_host_name_mismatch:
        case io_errc::tls_invalid_certificate_chain:
            // No dedicated alert: certificate_unknown is "some other issue" (RFC 8446 6.2).
            return alert_description::certificate_unknown;
        default:
            break;
        }
    }
    return alert_for(ec);
}

bool iequal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

namespace {

/// A certificate name (exact, or "*.rest" covering exactly one leftmost label) against the SNI.
bool dns_name_matches(std::string_view pattern, std::string_view host) noexcept {
    if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
        const auto dot = host.find('.');
        if (dot == std::string_view::npos || dot == 0) {
            return false;
        }
        return iequal(pattern.substr(2), host.substr(dot + 1));
    }
    return iequal(pattern, host);
}

} // namespace

bool certificate_matches(const certified_key &ck, std::string_view host) noexcept {
    return std::any_of(ck.dns_names.begin(), ck.dns_names.end(),
                       [&](const std::string &n) { return dns_name_matches(n, host); });
}

result<client_chain_check> check_client_chain(const handshake_config &config, crypto::provider &provider,
                                              const std::vector<std::vector<std::uint8_t>> &chain) {
    if (chain.empty()) {
        return errc::internal_error;
    }
    client_chain_check out;
    if (config.trust) {
        x509::verify_options opts;
        opts.usage = x509::purpose::client_auth;
        opts.at = config.verify_time;
        auto path = x509::verify_chain_der(chain, *config.trust, opts, provider);
        if (!path) {
            AWSIO_LOGF_DEBUG(log_subject::tls, "server: client certificate rejected: %s", path.error().message().c_str());
            return unexpected(path.error());
        }
        out.verified = true;
    }
    auto leaf = x509::certificate::parse(chain.front());
    if (!leaf) {
        return errc::bad_certificate;
    }
    auto key = provider.import_public_key_spki(leaf->spki_der());
    if (!key) {
        return errc::unsupported_certificate;
    }
    out.key = std::move(*key);
    return out;
}

} // namespace awsio::tls
