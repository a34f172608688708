// awsio/tls/context.hpp — TLS context options and the immutable TLS context (aws-c-io
// tls_channel_handler.h: aws_tls_ctx_options, aws_tls_client_ctx_new / aws_tls_server_ctx_new).
//
// A tls_ctx_options value gathers what every connection made from one context shares: versions,
// cipher preference, trust (system store, CA file / directory / PEM), our certificate chain and
// key, ALPN, fragment size, peer verification. context::create_client() / create_server() checks
// and loads everything once and yields a std::shared_ptr<const context> that any number of
// connections, on any threads, use at once.
//
// Defaults (as aws-c-io): clients verify the peer, servers do not (verify_peer on a server means
// mutual TLS: a client certificate is required and verified); minimum version "system default"
// (TLS 1.2); cipher preference "system default"; max fragment 16 KiB.
//
// Errors (std::error_code, io_errc unless said otherwise):
//   tls_version_unsupported       minimum_tls_version below TLS 1.2, or an unknown value;
//                                 a maximum below the minimum
//   tls_cipher_pref_unsupported   a cipher preference this library does not implement (the
//                                 deprecated KMS/PQ preferences, unknown values)
//   tls_ctx_error                 certificate without key (or the other way round), a key that
//                                 does not match the certificate, a server without certificate,
//                                 PEM without the object wanted, unusable key type
//   tls_error_default_trust_store_not_found   verify_peer on a client with no CA override and
//                                 no system bundle
//   pem_malformed, file errors    from loading the files named (see x509/pki.hpp)
//   invalid_argument (common)     an ALPN list with more than 4 entries, an empty entry or one
//                                 longer than 255 bytes; max_fragment_size outside 512..16384
//   common unsupported_operation  an encrypted private key
// Threads: tls_ctx_options is a plain value; context is immutable and thread-safe.
#pragma once

#include <awsio/export.hpp>
#include <awsio/result.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace awsio::tls {

struct handshake_config;

/// aws_tls_versions. Only tlsv1_2 and tlsv1_3 (and sys_defaults = TLS 1.2) are accepted.
enum class tls_versions : std::uint32_t {
    sslv3 = 0,
    tlsv1 = 1,
    tlsv1_1 = 2,
    tlsv1_2 = 3,
    tlsv1_3 = 4,
    sys_defaults = 128,
};

/// aws_tls_cipher_pref. Supported: system_default, tlsv1_2_2025_07 (TLS 1.2+ AEAD suites;
/// the same set as the default here), tlsv1_0_2023_06 and non_pq_default (treated as the
/// default: this library implements no CBC suites). The rest: tls_cipher_pref_unsupported.
enum class tls_cipher_pref : std::uint32_t {
    system_default = 0,
    kms_pq_tlsv1_0_2019_06 = 1,
    kms_pq_sike_tlsv1_0_2019_11 = 2,
    kms_pq_tlsv1_0_2020_02 = 3,
    kms_pq_sike_tlsv1_0_2020_02 = 4,
    kms_pq_tlsv1_0_2020_07 = 5,
    pq_tlsv1_0_2021_05 = 6,
    pq_tlsv1_2_2024_10 = 7,
    pq_default = 8,
    tlsv1_2_2025_07 = 9,
    tlsv1_0_2023_06 = 10,
    non_pq_default = 11,
    end_range = 0xFFFF,
};

/// "TLSv1.2", "TLSv1.3", ... (aws_tls_version_to_string style).
AWSIO_API std::string_view to_string(tls_versions v) noexcept;
/// aws_tls_is_cipher_pref_supported.
AWSIO_API bool is_cipher_pref_supported(tls_cipher_pref p) noexcept;
/// aws_tls_is_alpn_available: always true.
AWSIO_API bool is_alpn_available() noexcept;

/// SSLKEYLOGFILE line writer: (label, client_random, secret); see tls_ctx_options::key_log.
using key_log_callback = std::function<void(std::string_view label, std::span<const std::uint8_t> client_random,
                                            std::span<const std::uint8_t> secret)>;

/// Formats one SSLKEYLOGFILE line ("LABEL <client_random hex> <secret hex>\n").
AWSIO_API std::string format_key_log_line(std::string_view label, std::span<const std::uint8_t> client_random,
                                          std::span<const std::uint8_t> secret);

/// A certificate chain (PEM, leaf first) and its private key (PEM), as text.
struct certificate_and_key {
    std::string certificate_pem;
    std::string private_key_pem;
};

/// aws_tls_ctx_options.
struct AWSIO_API tls_ctx_options {
    tls_versions minimum_tls_version = tls_versions::sys_defaults;
    /// awsio addition: the highest version (sys_defaults = TLS 1.3).
    tls_versions maximum_tls_version = tls_versions::sys_defaults;
    tls_cipher_pref cipher_pref = tls_cipher_pref::system_default;
    /// CA file / directory overriding the system trust store (override_default_trust_store*).
    std::string ca_file;
    std::string ca_path;
    /// CA certificates as PEM text overriding the system trust store.
    std::string ca_file_contents;
    /// aws-c-io form: "h2;http/1.1" (at most 4 entries).
    std::string alpn_list;
    /// Our certificate chain (leaf first) and key, PEM text. Either both or neither.
    std::string certificate;
    std::string private_key;
    /// Server: more chains, chosen by the SNI the client sends (the one above is the default).
    std::vector<certificate_and_key> additional_certificates;
    std::size_t max_fragment_size = 16384;
    bool verify_peer = true;

    // --- awsio additions ---
    /// Resumption: a client caches tickets and TLS 1.2 sessions per server name (off: it never
    /// resumes); a server issues tickets (TLS 1.3, and RFC 5077 ones in TLS 1.2).
    bool session_tickets = true;
    /// Server, TLS 1.2: assign session ids and keep the sessions in a bounded cache (resumption
    /// without tickets). Independent of session_tickets.
    bool tls12_session_ids = true;
    /// TLS 1.2: refuse peers that do not negotiate the extended master secret (RFC 7627).
    bool require_extended_master_secret = true;
    /// Opt-in SSLKEYLOGFILE-style callback (called on the connection's thread).
    key_log_callback key_log;
    /// Verification time override (Unix seconds), for tests.
    std::optional<std::int64_t> verify_time;
    /// Key exchange groups by name ("x25519", "secp256r1", "secp384r1") in preference order;
    /// empty: the default. `key_share_groups`: the client's initial shares (default x25519 and
    /// secp256r1). Unknown names: invalid_argument at context creation.
    std::vector<std::string> groups;
    std::vector<std::string> key_share_groups;
    /// TLS 1.3 / 1.2 suites by IANA name ("TLS_AES_128_GCM_SHA256"); empty: the default.
    std::vector<std::string> cipher_suites;

    /// aws_tls_ctx_options_init_default_client.
    static tls_ctx_options default_client();
    /// aws_tls_ctx_options_init_client_mtls (PEM text).
    static tls_ctx_options client_mtls(std::string_view certificate_pem, std::string_view private_key_pem);
    /// aws_tls_ctx_options_init_client_mtls_from_path (files read now).
    static result<tls_ctx_options> client_mtls_from_path(const std::string &cert_path, const std::string &key_path);
    /// aws_tls_ctx_options_init_default_server (verify_peer off).
    static tls_ctx_options default_server(std::string_view certificate_pem, std::string_view private_key_pem);
    /// aws_tls_ctx_options_init_default_server_from_path.
    static result<tls_ctx_options> default_server_from_path(const std::string &cert_path,
                                                            const std::string &key_path);

    /// aws_tls_ctx_options_set_alpn_list: validates ("h2;http/1.1", 1..4 non-empty entries
    /// of at most 255 bytes) and stores.
    result<void> set_alpn_list(std::string_view list);
    void set_verify_peer(bool verify) noexcept { verify_peer = verify; }
    void set_minimum_tls_version(tls_versions v) noexcept { minimum_tls_version = v; }
    void set_tls_cipher_preference(tls_cipher_pref p) noexcept { cipher_pref = p; }
    /// aws_tls_ctx_options_override_default_trust_store: CA certificates as PEM (checked now).
    result<void> override_default_trust_store(std::string_view ca_pem);
    /// aws_tls_ctx_options_override_default_trust_store_from_path(ca_path, ca_file): either may
    /// be empty, not both (invalid_argument). Paths are checked to exist now.
    result<void> override_default_trust_store_from_path(const std::string &ca_path, const std::string &ca_file);
    /// Server: adds a chain for SNI selection (PEM text).
    void add_certificate(std::string_view certificate_pem, std::string_view private_key_pem);
};

/// Splits an aws-c-io ALPN list ("h2;http/1.1") into protocols. Errors as set_alpn_list.
AWSIO_API result<std::vector<std::string>> parse_alpn_list(std::string_view list);

/// An immutable TLS context (aws_tls_ctx). Shared by the connections made from it.
class AWSIO_API context {
public:
    /// aws_tls_client_ctx_new. Errors: see the file comment.
    static result<std::shared_ptr<const context>> create_client(const tls_ctx_options &options);
    /// aws_tls_server_ctx_new. A certificate and key are required (tls_ctx_error otherwise).
    static result<std::shared_ptr<const context>> create_server(const tls_ctx_options &options);

    ~context();
    context(const context &) = delete;
    context &operator=(const context &) = delete;

    [[nodiscard]] bool is_server() const noexcept;
    /// The ALPN list of the options, parsed.
    [[nodiscard]] const std::vector<std::string> &alpn() const noexcept;
    [[nodiscard]] bool verify_peer() const noexcept;
    [[nodiscard]] std::size_t max_fragment_size() const noexcept;

    /// Engine configuration (src/tls only).
    [[nodiscard]] const std::shared_ptr<const handshake_config> &config() const noexcept { return config_; }

    /// For tests and the engine: a context around a ready configuration.
    static std::shared_ptr<const context> from_config(std::shared_ptr<const handshake_config> config);

private:
    explicit context(std::shared_ptr<const handshake_config> config);
    std::shared_ptr<const handshake_config> config_;
};

} // namespace awsio::tls
