// tls/core/context.cpp — tls_ctx_options helpers and tls::context: the options are checked once
// and turned into the engine's handshake_config (versions, suites, groups, ALPN, trust anchors,
// certificate chains and keys, tickets), which every connection of the context then shares.
#include <awsio/tls/context.hpp>

#include "tls/handshake/common.hpp"
#include "x509/certificate.hpp"
#include "x509/pki.hpp"
#include "x509/trust_store.hpp"

#include <awsio/logging.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <system_error>
#include <utility>

namespace awsio::tls {

namespace {

// aws-c-io parses the ALPN list into a fixed array of four protocols (a fifth fails handler
// creation there, an empty entry trips an assertion). Here every malformed list, a fifth entry
// included, is refused up front with invalid_argument. A protocol name is a <1..255> byte
// vector (RFC 7301 3.1).
constexpr std::size_t max_alpn_protocols = 4;
constexpr std::size_t max_alpn_protocol_size = 255;

// Smallest max_fragment_length of RFC 6066 and the record plaintext limit of RFC 8446 5.1.
constexpr std::size_t min_fragment_size = 512;
constexpr std::size_t max_fragment_size_limit = 16384;

// The suites this library implements, in default preference order: the TLS 1.3 suites, then the
// TLS 1.2 ECDHE AEAD suites (ECDSA before RSA; AES-128, AES-256, then ChaCha20). The TLS 1.3
// machines skip the TLS 1.2 entries and the other way round.
constexpr std::array default_suites = {
    codec::cipher_suite::tls_aes_128_gcm_sha256,
    codec::cipher_suite::tls_aes_256_gcm_sha384,
    codec::cipher_suite::tls_chacha20_poly1305_sha256,
    codec::cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256,
    codec::cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256,
    codec::cipher_suite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384,
    codec::cipher_suite::tls_ecdhe_rsa_with_aes_256_gcm_sha384,
    codec::cipher_suite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256,
    codec::cipher_suite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256,
};

// The key exchange groups implemented, in default preference order.
constexpr std::array known_groups = {codec::named_group::x25519, codec::named_group::secp256r1,
                                     codec::named_group::secp384r1};

char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char ascii_upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

std::string_view version_label(codec::protocol_version v) noexcept {
    return v == codec::protocol_version::tls13 ? "TLSv1.3" : "TLSv1.2";
}

// aws-c-io's minimum_tls_version: "system default" is TLS 1.2 here (this library implements
// nothing older), SSLv3 / TLS 1.0 / TLS 1.1 are refused rather than silently raised.
result<codec::protocol_version> minimum_version(tls_versions v) noexcept {
    switch (v) {
    case tls_versions::sys_defaults:
    case tls_versions::tlsv1_2:
        return codec::protocol_version::tls12;
    case tls_versions::tlsv1_3:
        return codec::protocol_version::tls13;
    default:
        return io_errc::tls_version_unsupported;
    }
}

result<codec::protocol_version> maximum_version(tls_versions v) noexcept {
    switch (v) {
    case tls_versions::sys_defaults:
    case tls_versions::tlsv1_3:
        return codec::protocol_version::tls13;
    case tls_versions::tlsv1_2:
        return codec::protocol_version::tls12;
    default:
        return io_errc::tls_version_unsupported;
    }
}

bool version_enabled(codec::protocol_version v, codec::protocol_version min, codec::protocol_version max) noexcept {
    return static_cast<std::uint16_t>(v) >= static_cast<std::uint16_t>(min) &&
           static_cast<std::uint16_t>(v) <= static_cast<std::uint16_t>(max);
}

// The suites by IANA name (case-insensitive), or the default list. Each must be one we
// implement, and at least one must be usable with an enabled version (otherwise every handshake
// would fail with handshake_failure: better to say so now).
result<std::vector<codec::cipher_suite>> resolve_suites(const std::vector<std::string> &names,
                                                        codec::protocol_version min, codec::protocol_version max) {
    std::vector<codec::cipher_suite> suites;
    if (names.empty()) {
        suites.assign(default_suites.begin(), default_suites.end());
    } else {
        for (const auto &n : names) {
            const auto *found = std::find_if(default_suites.begin(), default_suites.end(),
                                             [&](codec::cipher_suite s) { return iequals(suite_name(s), n); });
            if (found == default_suites.end()) {
                AWSIO_LOGF_ERROR(log_subject::tls, "ctx: unknown or unsupported cipher suite \"%s\"", n.c_str());
                return common_errc::invalid_argument;
            }
            if (std::find(suites.begin(), suites.end(), *found) == suites.end()) {
                suites.push_back(*found);
            }
        }
    }
    const bool usable = std::any_of(suites.begin(), suites.end(), [&](codec::cipher_suite s) {
        const auto p = lookup_suite(s);
        return p && version_enabled(p->tls13 ? codec::protocol_version::tls13 : codec::protocol_version::tls12, min,
                                    max);
    });
    if (!usable) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: no cipher suite usable with the enabled TLS versions");
        return common_errc::invalid_argument;
    }
    return suites;
}

// Groups by name (case-insensitive); empty names: `fallback`.
result<std::vector<codec::named_group>> resolve_groups(const std::vector<std::string> &names,
                                                       std::span<const codec::named_group> fallback) {
    if (names.empty()) {
        return std::vector<codec::named_group>(fallback.begin(), fallback.end());
    }
    std::vector<codec::named_group> groups;
    for (const auto &n : names) {
        const auto *found = std::find_if(known_groups.begin(), known_groups.end(),
                                         [&](codec::named_group g) { return iequals(group_name(g), n); });
        if (found == known_groups.end()) {
            AWSIO_LOGF_ERROR(log_subject::tls, "ctx: unknown or unsupported key exchange group \"%s\"", n.c_str());
            return common_errc::invalid_argument;
        }
        if (std::find(groups.begin(), groups.end(), *found) == groups.end()) {
            groups.push_back(*found);
        }
    }
    return groups;
}

// The initial key shares: named explicitly (each must be among the supported groups: RFC 8446
// 4.2.8 forbids a share for a group not offered), or the default shares that are supported, or
// else the most preferred group alone.
result<std::vector<codec::named_group>> resolve_key_shares(const std::vector<std::string> &names,
                                                           const std::vector<codec::named_group> &groups,
                                                           const std::vector<codec::named_group> &defaults) {
    std::vector<codec::named_group> shares;
    if (!names.empty()) {
        auto named = resolve_groups(names, {});
        if (!named) {
            return unexpected(named.error());
        }
        for (auto g : *named) {
            if (std::find(groups.begin(), groups.end(), g) == groups.end()) {
                AWSIO_LOGF_ERROR(log_subject::tls, "ctx: key share group \"%.*s\" is not among the supported groups",
                                 static_cast<int>(group_name(g).size()), group_name(g).data());
                return common_errc::invalid_argument;
            }
        }
        return named;
    }
    for (auto g : defaults) {
        if (std::find(groups.begin(), groups.end(), g) != groups.end()) {
            shares.push_back(g);
        }
    }
    if (shares.empty() && !groups.empty()) {
        shares.push_back(groups.front());
    }
    return shares;
}

// The names a leaf covers, for SNI selection: its SAN dNSNames, or its CNs when it has no SAN
// extension (RFC 6125 6.4.4: a present SAN excludes the CN).
std::vector<std::string> leaf_dns_names(const x509::certificate &leaf) {
    std::vector<std::string> names;
    auto add = [&](std::string_view n) {
        std::string l = to_lower(n);
        if (!l.empty() && std::find(names.begin(), names.end(), l) == names.end()) {
            names.push_back(std::move(l));
        }
    };
    if (leaf.has_subject_alt_name()) {
        for (auto n : leaf.dns_names()) {
            add(n);
        }
    } else {
        for (const auto &n : leaf.subject().common_names()) {
            add(n);
        }
    }
    return names;
}

// A chain and its key, checked to belong together. Errors of the PEM / key loaders pass through
// (pem_malformed, tls_ctx_error, unsupported_operation for encrypted keys); a leaf that does not
// parse, a public key the provider cannot import or a key that is not the leaf's give
// tls_ctx_error, as aws-c-io reports any certificate/key its backend refuses.
result<std::shared_ptr<const certified_key>> load_certified_key(std::string_view certificate_pem,
                                                                 std::string_view private_key_pem,
                                                                 crypto::provider &provider) {
    auto chain = x509::load_certificate_chain_pem(certificate_pem);
    if (!chain) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: cannot load the certificate chain: %s",
                         chain.error().message().c_str());
        return unexpected(chain.error());
    }
    if (chain->empty()) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: the certificate PEM holds no certificate");
        return io_errc::tls_ctx_error;
    }
    auto key = x509::load_private_key_pem(private_key_pem, provider);
    if (!key) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: cannot load the private key: %s", key.error().message().c_str());
        return unexpected(key.error());
    }
    std::error_code detail;
    auto leaf = x509::certificate::parse(chain->front(), &detail);
    if (!leaf) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: the leaf certificate does not parse: %s", detail.message().c_str());
        return io_errc::tls_ctx_error;
    }
    auto pub = provider.import_public_key_spki(leaf->spki_der());
    if (!pub) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: the leaf certificate's public key (%.*s) is not usable: %s",
                         static_cast<int>(x509::to_string(leaf->public_key_algorithm()).size()),
                         x509::to_string(leaf->public_key_algorithm()).data(), pub.error().message().c_str());
        return io_errc::tls_ctx_error;
    }
    if (!key->matches(*pub)) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: the private key does not match the certificate (%s)",
                         leaf->subject().to_string().c_str());
        return io_errc::tls_ctx_error;
    }
    auto ck = std::make_shared<certified_key>();
    ck->dns_names = leaf_dns_names(*leaf);
    ck->chain = std::move(*chain);
    ck->key = std::move(*key);
    AWSIO_LOGF_INFO(log_subject::tls, "ctx: loaded certificate \"%s\" (%zu in chain, %.*s key, %zu names)",
                    leaf->subject().to_string().c_str(), ck->chain.size(),
                    static_cast<int>(crypto::to_string(ck->key.type()).size()), crypto::to_string(ck->key.type()).data(),
                    ck->dns_names.size());
    return std::shared_ptr<const certified_key>(std::move(ck));
}

// Trust anchors: the overrides (PEM text, CA directory, CA file; together they form one store)
// replace the system store; without any, the system bundle (tls_error_default_trust_store_not_found
// when there is none).
result<std::shared_ptr<const x509::trust_store>> load_trust(const tls_ctx_options &o) {
    if (o.ca_file_contents.empty() && o.ca_file.empty() && o.ca_path.empty()) {
        auto system = x509::trust_store::from_system();
        if (!system) {
            AWSIO_LOGF_ERROR(log_subject::tls,
                             "ctx: default TLS trust store not found on this system; install CA certificates or "
                             "override the default trust store");
            return unexpected(system.error());
        }
        AWSIO_LOGF_INFO(log_subject::tls, "ctx: system trust store %s (%zu anchors)",
                        x509::trust_store::default_bundle_path().value_or("?").c_str(), system->size());
        return std::make_shared<const x509::trust_store>(std::move(*system));
    }
    x509::trust_store store;
    if (!o.ca_file_contents.empty()) {
        if (auto r = store.add_pem(o.ca_file_contents); !r) {
            AWSIO_LOGF_ERROR(log_subject::tls, "ctx: cannot load the CA certificates given as PEM: %s",
                             r.error().message().c_str());
            return unexpected(r.error());
        }
    }
    if (!o.ca_path.empty()) {
        if (auto r = store.add_ca_dir(o.ca_path); !r) {
            AWSIO_LOGF_ERROR(log_subject::tls, "ctx: cannot load CA directory \"%s\": %s", o.ca_path.c_str(),
                             r.error().message().c_str());
            return unexpected(r.error());
        }
    }
    if (!o.ca_file.empty()) {
        if (auto r = store.add_ca_file(o.ca_file); !r) {
            AWSIO_LOGF_ERROR(log_subject::tls, "ctx: cannot load CA file \"%s\": %s", o.ca_file.c_str(),
                             r.error().message().c_str());
            return unexpected(r.error());
        }
    }
    AWSIO_LOGF_INFO(log_subject::tls, "ctx: trust store overridden (%zu anchors)", store.size());
    return std::make_shared<const x509::trust_store>(std::move(store));
}

result<std::shared_ptr<const handshake_config>> build_config(const tls_ctx_options &o, bool server) {
    const char *side = server ? "server" : "client";

    // aws-c-io checks the cipher preference before anything else.
    if (!is_cipher_pref_supported(o.cipher_pref)) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: TLS cipher preference is not supported: %u",
                         static_cast<unsigned>(o.cipher_pref));
        return io_errc::tls_cipher_pref_unsupported;
    }

    auto config = std::make_shared<handshake_config>();
    config->is_server = server;
    crypto::provider &provider = *config->provider;

    auto min = minimum_version(o.minimum_tls_version);
    auto max = maximum_version(o.maximum_tls_version);
    if (!min || !max || static_cast<std::uint16_t>(*max) < static_cast<std::uint16_t>(*min)) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: TLS versions not supported (minimum %.*s, maximum %.*s)",
                         static_cast<int>(to_string(o.minimum_tls_version).size()),
                         to_string(o.minimum_tls_version).data(),
                         static_cast<int>(to_string(o.maximum_tls_version).size()),
                         to_string(o.maximum_tls_version).data());
        return io_errc::tls_version_unsupported;
    }
    config->min_version = *min;
    config->max_version = *max;

    if (o.max_fragment_size < min_fragment_size || o.max_fragment_size > max_fragment_size_limit) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: max_fragment_size %zu outside %zu..%zu", o.max_fragment_size,
                         min_fragment_size, max_fragment_size_limit);
        return common_errc::invalid_argument;
    }
    config->max_fragment_size = o.max_fragment_size;

    if (!o.alpn_list.empty()) {
        auto alpn = parse_alpn_list(o.alpn_list);
        if (!alpn) {
            AWSIO_LOGF_ERROR(log_subject::tls, "ctx: invalid ALPN list \"%s\"", o.alpn_list.c_str());
            return unexpected(alpn.error());
        }
        config->alpn = std::move(*alpn);
    }

    auto suites = resolve_suites(o.cipher_suites, *min, *max);
    if (!suites) {
        return unexpected(suites.error());
    }
    config->cipher_suites = std::move(*suites);

    auto groups = resolve_groups(o.groups, known_groups);
    if (!groups) {
        return unexpected(groups.error());
    }
    auto shares = resolve_key_shares(o.key_share_groups, *groups, config->key_share_groups);
    if (!shares) {
        return unexpected(shares.error());
    }
    config->groups = std::move(*groups);
    config->key_share_groups = std::move(*shares);

    // Our certificate(s).
    const bool has_cert = !o.certificate.empty();
    const bool has_key = !o.private_key.empty();
    if (has_cert != has_key) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: a %s", has_cert ? "certificate needs its private key"
                                                                 : "private key needs its certificate");
        return io_errc::tls_ctx_error;
    }
    if (server && !has_cert) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: a server context needs a certificate and private key");
        return io_errc::tls_ctx_error;
    }
    if (!server && !o.additional_certificates.empty()) {
        AWSIO_LOGF_ERROR(log_subject::tls, "ctx: additional certificates are for servers (SNI selection)");
        return common_errc::invalid_argument;
    }
    if (has_cert) {
        auto ck = load_certified_key(o.certificate, o.private_key, provider);
        if (!ck) {
            return unexpected(ck.error());
        }
        config->certificates.push_back(std::move(*ck));
    }
    for (const auto &extra : o.additional_certificates) {
        auto ck = load_certified_key(extra.certificate_pem, extra.private_key_pem, provider);
        if (!ck) {
            return unexpected(ck.error());
        }
        config->certificates.push_back(std::move(*ck));
    }

    // Peer verification. A client verifies the server unless told not to; a server verifying its
    // peer means mutual TLS: a client certificate is required.
    config->verify_peer = o.verify_peer;
    config->verify_time = o.verify_time;
    if (o.verify_peer) {
        auto trust = load_trust(o);
        if (!trust) {
            return unexpected(trust.error());
        }
        config->trust = std::move(*trust);
        config->client_auth = server ? client_auth_mode::required : client_auth_mode::none;
    } else {
        config->client_auth = client_auth_mode::none;
        if (!server) {
            AWSIO_LOGF_WARN(log_subject::tls,
                            "ctx: X.509 validation has been disabled. If this is not running in a test "
                            "environment, this is likely a security vulnerability.");
        }
    }

    if (server && o.tls12_session_ids && config->min_version <= codec::protocol_version::tls12) {
        config->tls12_sessions = std::make_shared<tls12_session_store>();
    }
    if (o.session_tickets) {
        if (server) {
            config->tickets = std::make_shared<ticket_keys>(provider);
        } else {
            config->sessions = std::make_shared<session_cache>();
        }
    }
    config->require_extended_master_secret = o.require_extended_master_secret;
    config->key_log = o.key_log;

    AWSIO_LOGF_INFO(log_subject::tls,
                    "ctx: %s context: %.*s..%.*s, %zu cipher suites, %zu groups, %zu ALPN protocols, verify_peer %s, "
                    "%zu trust anchors, %zu certificates, max fragment %zu, session tickets %s%s",
                    side, static_cast<int>(version_label(*min).size()), version_label(*min).data(),
                    static_cast<int>(version_label(*max).size()), version_label(*max).data(),
                    config->cipher_suites.size(), config->groups.size(), config->alpn.size(),
                    o.verify_peer ? "on" : "off", config->trust ? config->trust->size() : std::size_t{0},
                    config->certificates.size(), config->max_fragment_size, o.session_tickets ? "on" : "off",
                    config->key_log ? ", key log on" : "");
    return std::shared_ptr<const handshake_config>(std::move(config));
}

} // namespace

// --------------------------------------------------------------------------------------------
// Free functions

std::string_view to_string(tls_versions v) noexcept {
    switch (v) {
    case tls_versions::sslv3:
        return "SSLv3";
    case tls_versions::tlsv1:
        return "TLSv1";
    case tls_versions::tlsv1_1:
        return "TLSv1.1";
    case tls_versions::tlsv1_2:
        return "TLSv1.2";
    case tls_versions::tlsv1_3:
        return "TLSv1.3";
    case tls_versions::sys_defaults:
        return "SYS_DEFAULTS";
    }
    return "UNKNOWN";
}

bool is_cipher_pref_supported(tls_cipher_pref p) noexcept {
    switch (p) {
    case tls_cipher_pref::system_default:
    case tls_cipher_pref::tlsv1_2_2025_07:
    case tls_cipher_pref::tlsv1_0_2023_06:
    case tls_cipher_pref::non_pq_default:
        return true;
    default:
        return false;
    }
}

bool is_alpn_available() noexcept { return true; }

std::string format_key_log_line(std::string_view label, std::span<const std::uint8_t> client_random,
                                std::span<const std::uint8_t> secret) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string line;
    line.reserve(label.size() + 2 * (client_random.size() + secret.size()) + 3);
    for (char c : label) {
        line.push_back(ascii_upper(c));
    }
    auto append_hex = [&](std::span<const std::uint8_t> bytes) {
        line.push_back(' ');
        for (auto b : bytes) {
            line.push_back(hex[b >> 4]);
            line.push_back(hex[b & 0x0f]);
        }
    };
    append_hex(client_random);
    append_hex(secret);
    line.push_back('\n');
    return line;
}

result<std::vector<std::string>> parse_alpn_list(std::string_view list) {
    std::vector<std::string> protocols;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = list.find(';', start);
        const std::string_view entry = list.substr(start, end == std::string_view::npos ? end : end - start);
        if (entry.empty() || entry.size() > max_alpn_protocol_size) {
            return common_errc::invalid_argument;
        }
        if (protocols.size() == max_alpn_protocols) {
            return common_errc::invalid_argument;
        }
        protocols.emplace_back(entry);
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    return protocols;
}

// --------------------------------------------------------------------------------------------
// tls_ctx_options

tls_ctx_options tls_ctx_options::default_client() {
    tls_ctx_options o;
    o.verify_peer = true;
    return o;
}

tls_ctx_options tls_ctx_options::client_mtls(std::string_view certificate_pem, std::string_view private_key_pem) {
    tls_ctx_options o = default_client();
    o.certificate = std::string(certificate_pem);
    o.private_key = std::string(private_key_pem);
    return o;
}

result<tls_ctx_options> tls_ctx_options::client_mtls_from_path(const std::string &cert_path,
                                                               const std::string &key_path) {
    auto cert = x509::detail::read_file(cert_path);
    if (!cert) {
        AWSIO_LOGF_ERROR(log_subject::tls, "static: cannot read certificate file \"%s\"", cert_path.c_str());
        return unexpected(cert.error());
    }
    auto key = x509::detail::read_file(key_path);
    if (!key) {
        AWSIO_LOGF_ERROR(log_subject::tls, "static: cannot read private key file \"%s\"", key_path.c_str());
        return unexpected(key.error());
    }
    tls_ctx_options o = default_client();
    o.certificate = std::move(*cert);
    // Moved, not copied: no second copy of the key text is left behind to wipe.
    o.private_key = std::move(*key);
    return o;
}

tls_ctx_options tls_ctx_options::default_server(std::string_view certificate_pem, std::string_view private_key_pem) {
    tls_ctx_options o = client_mtls(certificate_pem, private_key_pem);
    o.verify_peer = false;
    return o;
}

result<tls_ctx_options> tls_ctx_options::default_server_from_path(const std::string &cert_path,
                                                                  const std::string &key_path) {
    auto o = client_mtls_from_path(cert_path, key_path);
    if (!o) {
        return o;
    }
    o->verify_peer = false;
    return o;
}

result<void> tls_ctx_options::set_alpn_list(std::string_view list) {
    auto parsed = parse_alpn_list(list);
    if (!parsed) {
        AWSIO_LOGF_ERROR(log_subject::tls, "static: invalid ALPN list");
        return unexpected(parsed.error());
    }
    alpn_list = std::string(list);
    return {};
}

result<void> tls_ctx_options::override_default_trust_store(std::string_view ca_pem) {
    if (!ca_file_contents.empty() || !ca_file.empty()) {
        AWSIO_LOGF_ERROR(log_subject::tls, "static: cannot override trust store multiple times");
        return common_errc::invalid_state;
    }
    auto certs = x509::load_certificate_chain_pem(ca_pem);
    if (!certs) {
        AWSIO_LOGF_ERROR(log_subject::tls, "static: invalid CA PEM: %s", certs.error().message().c_str());
        return unexpected(certs.error());
    }
    if (certs->empty()) {
        return io_errc::tls_ctx_error;
    }
    ca_file_contents = std::string(ca_pem);
    return {};
}

result<void> tls_ctx_options::override_default_trust_store_from_path(const std::string &dir_path,
                                                                     const std::string &file_path) {
    if (dir_path.empty() && file_path.empty()) {
        return common_errc::invalid_argument;
    }
    if ((!dir_path.empty() && !ca_path.empty()) ||
        (!file_path.empty() && (!ca_file.empty() || !ca_file_contents.empty()))) {
        AWSIO_LOGF_ERROR(log_subject::tls, "static: cannot override trust store multiple times");
        return common_errc::invalid_state;
    }
    if (!dir_path.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_directory(dir_path, ec)) {
            AWSIO_LOGF_ERROR(log_subject::tls, "static: CA directory \"%s\" does not exist", dir_path.c_str());
            return common_errc::file_invalid_path;
        }
    }
    if (!file_path.empty()) {
        auto contents = x509::detail::read_file(file_path);
        if (!contents) {
            AWSIO_LOGF_ERROR(log_subject::tls, "static: cannot read CA file \"%s\"", file_path.c_str());
            return unexpected(contents.error());
        }
        auto certs = x509::load_certificate_chain_pem(*contents);
        if (!certs) {
            AWSIO_LOGF_ERROR(log_subject::tls, "static: invalid CA file \"%s\": %s", file_path.c_str(),
                             certs.error().message().c_str());
            return unexpected(certs.error());
        }
        if (certs->empty()) {
            return io_errc::tls_ctx_error;
        }
    }
    if (!dir_path.empty()) {
        ca_path = dir_path;
    }
    if (!file_path.empty()) {
        ca_file = file_path;
    }
    return {};
}

void tls_ctx_options::add_certificate(std::string_view certificate_pem, std::string_view private_key_pem) {
    additional_certificates.push_back({std::string(certificate_pem), std::string(private_key_pem)});
}

// --------------------------------------------------------------------------------------------
// context

context::context(std::shared_ptr<const handshake_config> config) : config_(std::move(config)) {}

context::~context() = default;

std::shared_ptr<const context> context::from_config(std::shared_ptr<const handshake_config> config) {
    return std::shared_ptr<const context>(new context(std::move(config)));
}

result<std::shared_ptr<const context>> context::create_client(const tls_ctx_options &options) {
    auto config = build_config(options, false);
    if (!config) {
        return unexpected(config.error());
    }
    return from_config(std::move(*config));
}

result<std::shared_ptr<const context>> context::create_server(const tls_ctx_options &options) {
    auto config = build_config(options, true);
    if (!config) {
        return unexpected(config.error());
    }
    return from_config(std::move(*config));
}

bool context::is_server() const noexcept { return config_->is_server; }

const std::vector<std::string> &context::alpn() const noexcept { return config_->alpn; }

bool context::verify_peer() const noexcept { return config_->verify_peer; }

std::size_t context::max_fragment_size() const noexcept { return config_->max_fragment_size; }

} // namespace awsio::tls
