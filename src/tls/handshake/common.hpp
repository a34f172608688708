// tls/handshake/common.hpp — what the handshake state machines (client_tls13, server_tls13, and
// the TLS 1.2 ones) share with the sans-IO connection driver (tls/core/connection.cpp):
//
//  * handshake_config: everything a context decided (suites, groups, schemes, certificates,
//    trust, ALPN, tickets) in the engine's own types. Built once by tls::context, immutable,
//    shared by every connection made from that context.
//  * handshake_output: the driver side. A state machine never touches records or sockets: it
//    hands complete handshake messages to send_handshake() (the driver frames and, under the
//    current write protection, encrypts them at once, so order is preserved), installs new
//    record protection with set_read_protection() / set_write_protection(), and reports the
//    outcome with handshake_complete().
//  * handshake_machine: one per connection, fed complete handshake messages (reassembled by the
//    driver's handshake_splitter) and the post-handshake requests (KeyUpdate).
//
// Errors: a state machine returns a std::error_code whose alert the driver sends (tls::errc value,
// or alert_for() of another category) — certificate verification failures keep their io_errc
// (tls_unknown_root_certificate, tls_host_name_mismatch, ...) and verification_alert() names the
// alert for them. After an error the machine is not called again.
//
// Threads: a machine and its output are used by one thread at a time (the connection's).
#pragma once

#include "crypto/provider.hpp"
#include "tls/codec/enums.hpp"
#include "tls/codec/handshake.hpp"
#include "tls/codec/tls_error.hpp"
#include "tls/record/record_protection.hpp"
#include "x509/trust_store.hpp"

#include <awsio/result.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace awsio::tls {

using bytes_view = std::span<const std::uint8_t>;

// --------------------------------------------------------------------------------------------
// Cipher suites, groups and signature schemes

/// The record and hash algorithms of a cipher suite.
struct suite_params {
    codec::cipher_suite suite = codec::cipher_suite::tls_aes_128_gcm_sha256;
    crypto::aead_algorithm aead = crypto::aead_algorithm::aes_128_gcm;
    crypto::hash_algorithm hash = crypto::hash_algorithm::sha256;
    bool tls13 = true;
    /// TLS 1.2 only: the certificate key the suite needs (ECDSA or RSA).
    bool tls12_ecdsa = false;
};

/// The parameters of a suite this library implements (the three TLS 1.3 suites and the six TLS
/// 1.2 ECDHE AEAD suites); std::nullopt for any other value.
std::optional<suite_params> lookup_suite(codec::cipher_suite s) noexcept;

/// IANA name of a suite ("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
/// "UNKNOWN" otherwise.
std::string_view suite_name(codec::cipher_suite s) noexcept;
/// "x25519", "secp256r1", "secp384r1", else "unknown".
std::string_view group_name(codec::named_group g) noexcept;
/// "ecdsa_secp256r1_sha256", ... (IANA names), else "unknown".
std::string_view scheme_name(codec::signature_scheme s) noexcept;

/// The crypto group of a TLS named group we implement; std::nullopt otherwise.
std::optional<crypto::key_exchange_group> to_crypto_group(codec::named_group g) noexcept;

/// How to produce / check a TLS 1.3 CertificateVerify (and TLS 1.2 ServerKeyExchange) signature
/// with `scheme`: the crypto parameters (PSS salt = hash length) and the key type it needs.
/// std::nullopt for schemes not usable in handshake signatures (rsa_pkcs1_* in TLS 1.3, SHA-1,
/// ed448, secp521r1, unknown).
struct scheme_params {
    crypto::signature_params params;
    /// Key types the scheme accepts (rsa_pss_rsae_*: rsa; rsa_pss_pss_*: rsa_pss; ecdsa: the
    /// matching curve; ed25519).
    crypto::key_type key = crypto::key_type::ec_p256;
};
std::optional<scheme_params> lookup_scheme(codec::signature_scheme s, bool tls13) noexcept;

/// The content TLS 1.3 CertificateVerify signs (RFC 8446 4.4.3): 64 spaces, the context string
/// ("TLS 1.3, server CertificateVerify" / "TLS 1.3, client CertificateVerify"), a zero byte,
/// then the transcript hash.
std::vector<std::uint8_t> certificate_verify_content(bool server, bytes_view transcript_hash);

/// The rsa_pkcs1 schemes TLS 1.2 handshakes still use (RFC 5246), appended to the configured
/// preference when TLS 1.2 is offered or served; TLS 1.3 allows them in certificates only.
inline constexpr std::array<codec::signature_scheme, 3> tls12_rsa_pkcs1_schemes = {
    codec::signature_scheme::rsa_pkcs1_sha256, codec::signature_scheme::rsa_pkcs1_sha384,
    codec::signature_scheme::rsa_pkcs1_sha512};

/// Our first scheme (in `preference` order) that `key` can sign with and the peer accepts.
std::optional<codec::signature_scheme> choose_scheme(const crypto::private_key &key,
                                                     std::span<const codec::signature_scheme> preference,
                                                     std::span<const codec::signature_scheme> peer_accepts,
                                                     bool tls13) noexcept;

// --------------------------------------------------------------------------------------------
// Configuration (immutable once a context is built)

/// A certificate chain and its private key.
struct certified_key {
    /// DER certificates, leaf first.
    std::vector<std::vector<std::uint8_t>> chain;
    crypto::private_key key;
    /// Names the leaf covers (SAN dNSNames, or the CN when there is no SAN), lower case; used to
    /// pick a server certificate by SNI. Wildcards kept as "*.example.com".
    std::vector<std::string> dns_names;
};

enum class client_auth_mode : std::uint8_t { none, optional, required };

/// What a client keeps to resume a TLS 1.3 session (RFC 8446 4.6.1).
struct tls13_session {
    codec::cipher_suite suite = codec::cipher_suite::tls_aes_128_gcm_sha256;
    std::vector<std::uint8_t> ticket;
    std::shared_ptr<const crypto::secret_buffer> psk;
    std::uint32_t ticket_age_add = 0;
    std::uint32_t lifetime_seconds = 0;
    /// provider.now_seconds() at receipt (the obfuscated age is computed from provider time,
    /// so deterministic providers give deterministic ClientHellos).
    std::uint64_t received_at_seconds = 0;
    std::string alpn;
    /// The server's chain as verified in the full handshake (reported again on resumption).
    std::vector<std::vector<std::uint8_t>> peer_chain;
};

/// What a client keeps to resume a TLS 1.2 session (RFC 5246 7.4.1.2 session IDs, RFC 5077
/// tickets).
struct tls12_session {
    codec::cipher_suite suite = codec::cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256;
    /// The session id the server assigned (empty when it gave none).
    std::vector<std::uint8_t> session_id;
    /// The RFC 5077 ticket (empty when the server issued none).
    std::vector<std::uint8_t> ticket;
    std::shared_ptr<const crypto::secret_buffer> master_secret;
    /// The session was made with the extended master secret (RFC 7627).
    bool extended_master_secret = true;
    std::uint32_t lifetime_seconds = 0;
    /// provider.now_seconds() when the session was established.
    std::uint64_t received_at_seconds = 0;
    std::string alpn;
    /// The server's chain as verified in the full handshake.
    std::vector<std::vector<std::uint8_t>> peer_chain;
};

/// Client-side cache of tickets, keyed by server name. Thread-safe (one cache serves every
/// connection of a context). Each ticket is handed out once (RFC 8446 C.4 recommends single
/// use); a bounded number of names is kept, oldest evicted first.
class session_cache {
public:
    explicit session_cache(std::size_t max_names = 256, std::size_t per_name = 4) noexcept
        : max_names_(max_names), per_name_(per_name) {}
    void put(const std::string &server_name, tls13_session s);
    /// The newest usable ticket for the name (removed from the cache), std::nullopt if none.
    /// Expired tickets (by `now_seconds`) are dropped.
    std::optional<tls13_session> take(const std::string &server_name, std::uint64_t now_seconds);
    /// TLS 1.2: one session per name, replaced by each new full handshake or ticket.
    void put12(const std::string &server_name, tls12_session s);
    /// A copy of the TLS 1.2 session for the name (it stays cached: session ids and tickets may
    /// be offered again), std::nullopt if none or expired.
    std::optional<tls12_session> get12(const std::string &server_name, std::uint64_t now_seconds) const;
    /// Forgets the TLS 1.2 session for the name (the server refused it).
    void erase12(const std::string &server_name);
    /// Tickets (TLS 1.3) plus TLS 1.2 sessions held.
    [[nodiscard]] std::size_t size() const;
    void clear();

private:
    mutable std::mutex mutex_;
    std::size_t max_names_;
    std::size_t per_name_;
    // name -> tickets oldest first; insertion order of names for eviction.
    std::vector<std::pair<std::string, std::vector<tls13_session>>> entries_;
    // name -> TLS 1.2 session; insertion order of names for eviction.
    std::vector<std::pair<std::string, tls12_session>> entries12_;
};

/// What a TLS 1.2 server keeps (in its session-id store, or sealed in a ticket) to resume.
struct tls12_server_session {
    codec::cipher_suite suite = codec::cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256;
    std::shared_ptr<const crypto::secret_buffer> master_secret;
    bool extended_master_secret = true;
    /// provider.now_seconds() when the session was made.
    std::uint64_t created_at_seconds = 0;
    std::string alpn;
    std::string server_name;
    /// The client's chain (empty without client authentication).
    std::vector<std::vector<std::uint8_t>> client_chain;
    bool client_verified = false;
};

/// Server-side TLS 1.2 session-id cache: bounded (oldest evicted first), entries expire after
/// `lifetime_seconds`. Thread-safe (shared by every connection of a context).
class tls12_session_store {
public:
    explicit tls12_session_store(std::size_t max_entries = 1024, std::uint32_t lifetime_seconds = 7200) noexcept
        : max_entries_(max_entries), lifetime_seconds_(lifetime_seconds) {}
    void put(std::vector<std::uint8_t> id, tls12_server_session s);
    /// A copy of the session filed under `id`, std::nullopt when unknown or expired.
    std::optional<tls12_server_session> find(bytes_view id, std::uint64_t now_seconds) const;
    void erase(bytes_view id);
    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] std::uint32_t lifetime_seconds() const noexcept { return lifetime_seconds_; }

private:
    mutable std::mutex mutex_;
    std::size_t max_entries_;
    std::uint32_t lifetime_seconds_;
    std::vector<std::pair<std::vector<std::uint8_t>, tls12_server_session>> entries_; // oldest first
};

/// Server-side ticket protection: tickets are AEAD-encrypted blobs (key name || nonce ||
/// ciphertext || tag) under a rotating key. The current key encrypts; the current and the
/// previous key decrypt; keys rotate every `rotation_seconds`. Thread-safe.
class ticket_keys {
public:
    static constexpr std::size_t key_name_size = 16;

    ticket_keys(crypto::provider &p, std::uint64_t rotation_seconds = 12 * 3600) noexcept
        : provider_(&p), rotation_seconds_(rotation_seconds) {}
    /// Encrypts `plaintext` (the session state) into a ticket.
    result<std::vector<std::uint8_t>> seal(bytes_view plaintext);
    /// Decrypts a ticket; std::nullopt when it is not ours, too old (key rotated out) or forged.
    std::optional<crypto::secret_buffer> open(bytes_view ticket);
    /// Forces a rotation now (tests).
    void rotate();

private:
    struct key {
        std::array<std::uint8_t, key_name_size> name{};
        std::unique_ptr<crypto::aead_context> aead;
        std::uint64_t created_at = 0;
    };
    result<void> maybe_rotate_locked();

    std::mutex mutex_;
    crypto::provider *provider_;
    std::uint64_t rotation_seconds_;
    std::optional<key> current_;
    std::optional<key> previous_;
};

/// SSLKEYLOGFILE callback: (label such as "CLIENT_HANDSHAKE_TRAFFIC_SECRET", client_random,
/// secret). Called on the connection's thread.
using key_log_function = std::function<void(std::string_view label, bytes_view client_random, bytes_view secret)>;

/// Everything a handshake needs from its context.
struct handshake_config {
    crypto::provider *provider = &crypto::openssl_provider();
    bool is_server = false;

    /// Versions enabled (tls12 / tls13), min <= max.
    codec::protocol_version min_version = codec::protocol_version::tls12;
    codec::protocol_version max_version = codec::protocol_version::tls13;
    /// TLS 1.3 and TLS 1.2 suites in preference order (the server uses its own order).
    std::vector<codec::cipher_suite> cipher_suites = {
        codec::cipher_suite::tls_aes_128_gcm_sha256, codec::cipher_suite::tls_aes_256_gcm_sha384,
        codec::cipher_suite::tls_chacha20_poly1305_sha256};
    /// Supported groups in preference order.
    std::vector<codec::named_group> groups = {codec::named_group::x25519, codec::named_group::secp256r1,
                                              codec::named_group::secp384r1};
    /// Client: groups for which the first ClientHello carries a key share.
    std::vector<codec::named_group> key_share_groups = {codec::named_group::x25519, codec::named_group::secp256r1};
    /// Signature schemes accepted and used, in preference order.
    std::vector<codec::signature_scheme> signature_schemes = {
        codec::signature_scheme::ecdsa_secp256r1_sha256, codec::signature_scheme::ecdsa_secp384r1_sha384,
        codec::signature_scheme::ed25519,                codec::signature_scheme::rsa_pss_rsae_sha256,
        codec::signature_scheme::rsa_pss_rsae_sha384,    codec::signature_scheme::rsa_pss_rsae_sha512,
        codec::signature_scheme::rsa_pss_pss_sha256,     codec::signature_scheme::rsa_pss_pss_sha384,
        codec::signature_scheme::rsa_pss_pss_sha512};
    /// Schemes accepted in certificates (signature_algorithms_cert): the above plus rsa_pkcs1_*.
    std::vector<codec::signature_scheme> certificate_signature_schemes = {
        codec::signature_scheme::ecdsa_secp256r1_sha256, codec::signature_scheme::ecdsa_secp384r1_sha384,
        codec::signature_scheme::ed25519,                codec::signature_scheme::rsa_pss_rsae_sha256,
        codec::signature_scheme::rsa_pss_rsae_sha384,    codec::signature_scheme::rsa_pss_rsae_sha512,
        codec::signature_scheme::rsa_pss_pss_sha256,     codec::signature_scheme::rsa_pss_pss_sha384,
        codec::signature_scheme::rsa_pss_pss_sha512,     codec::signature_scheme::rsa_pkcs1_sha256,
        codec::signature_scheme::rsa_pkcs1_sha384,       codec::signature_scheme::rsa_pkcs1_sha512};
    /// ALPN protocols in preference order (empty: no ALPN).
    std::vector<std::string> alpn;
    /// Largest plaintext fragment we send (aws-c-io max_fragment_size), 64..16384.
    std::size_t max_fragment_size = 16384;
    /// record_size_limit (RFC 8449) we advertise; 0: do not send the extension.
    std::uint16_t record_size_limit = 0;

    // --- peer verification (client: the server; server: client certificates) ---
    /// Client: verify the server's chain and name. Server: see client_auth.
    bool verify_peer = true;
    /// Trust anchors (client: for servers; server: for client certificates).
    std::shared_ptr<const x509::trust_store> trust;
    /// Validation time override (Unix seconds) for tests; empty: provider time.
    std::optional<std::int64_t> verify_time;

    // --- our certificates ---
    /// Server: candidate chains, the first is the default; chosen by SNI, then by what the
    /// client's signature_algorithms allow. Client: at most one, sent when asked.
    std::vector<std::shared_ptr<const certified_key>> certificates;

    // --- server only ---
    client_auth_mode client_auth = client_auth_mode::none;
    /// Ticket protection; null: no tickets issued and PSKs ignored.
    std::shared_ptr<ticket_keys> tickets;
    /// NewSessionTickets sent after the handshake.
    std::size_t tickets_per_handshake = 2;
    /// Lifetime announced in tickets (at most 7 days, RFC 8446 4.6.1).
    std::uint32_t ticket_lifetime_seconds = 7200;
    /// TLS 1.2 session ids; null: no session id is assigned (tickets may still resume).
    std::shared_ptr<tls12_session_store> tls12_sessions;
    /// TLS 1.2: refuse peers without the extended master secret (RFC 7627), both roles.
    bool require_extended_master_secret = true;

    // --- client only ---
    /// Tickets received are stored here, keyed by server_name; null: no resumption.
    std::shared_ptr<session_cache> sessions;

    /// SSLKEYLOGFILE-format key log; empty: off.
    key_log_function key_log;
    /// Handshake message size limits.
    codec::handshake_limits limits;
};

/// Per-connection settings (from aws-c-io's tls_connection_options).
struct connection_params {
    /// Client: SNI value and the name the server certificate must match (empty: no SNI and, with
    /// verify_peer, no name check). Server: unused.
    std::string server_name;
    /// Overrides handshake_config::alpn when non-empty.
    std::vector<std::string> alpn;
};

// --------------------------------------------------------------------------------------------
// Between a state machine and the driver

/// What a finished handshake negotiated.
struct handshake_summary {
    codec::protocol_version version = codec::protocol_version::tls13;
    codec::cipher_suite suite = codec::cipher_suite::tls_aes_128_gcm_sha256;
    /// The key exchange group; std::nullopt for a psk_ke resumption.
    std::optional<codec::named_group> group;
    /// Negotiated ALPN protocol, empty when none.
    std::string alpn;
    /// Client: the SNI sent. Server: the SNI received (empty if none).
    std::string server_name;
    /// The peer's chain as sent, leaf first (empty when the peer sent none).
    std::vector<std::vector<std::uint8_t>> peer_chain;
    /// True when the chain was verified (false with verify_peer off, or no client certificate).
    bool peer_verified = false;
    /// True for a PSK (ticket) resumption.
    bool resumed = false;
    /// True when a HelloRetryRequest was part of the handshake.
    bool hello_retry = false;
    /// The signature scheme of the peer's CertificateVerify (or ServerKeyExchange).
    std::optional<codec::signature_scheme> peer_signature_scheme;
};

/// Implemented by the connection driver.
class handshake_output {
public:
    virtual ~handshake_output() = default;

    /// Sends one complete handshake message (4-byte header + body) under the current write
    /// protection (plaintext records before the first set_write_protection()).
    virtual void send_handshake(bytes_view message) = 0;
    /// Sends the middlebox-compatibility change_cipher_spec record (RFC 8446 D.4) in clear.
    virtual void send_change_cipher_spec() = 0;
    /// Installs protection for records received from now on. The driver refuses (returns
    /// unexpected_message) when a partial handshake message is pending: messages must not
    /// span a key change (RFC 8446 5.1).
    virtual result<void> set_read_protection(std::unique_ptr<record::record_protection> p) = 0;
    /// Installs protection for records sent from now on.
    virtual void set_write_protection(std::unique_ptr<record::record_protection> p) = 0;
    /// The negotiated version fixed (ServerHello): the driver switches record versions and limits.
    virtual void set_version(codec::protocol_version v) = 0;
    /// The peer's record_size_limit (RFC 8449); the driver applies it to what it sends.
    virtual result<void> set_peer_record_size_limit(std::uint16_t limit) = 0;
    /// Server: the ClientHello offered early data that we refuse; the driver skips up to
    /// `max_bytes` of records it cannot decrypt until the next successful decryption
    /// (RFC 8446 4.2.10). `after_hrr`: skip unprotected application_data records instead.
    virtual void skip_early_data(std::size_t max_bytes, bool after_hrr) = 0;
    /// The handshake finished (both Finished verified / sent). Called once.
    virtual void handshake_complete(handshake_summary summary) = 0;
    /// Sends an alert record (under the current write protection). TLS 1.2 uses it for the
    /// no_renegotiation warning; fatal alerts are sent by the driver from returned errors.
    virtual void send_alert(alert_level level, alert_description description) = 0;
    /// A secret for the key log (labels as in the SSLKEYLOGFILE format). The driver forwards
    /// it to the configured key_log, if any.
    virtual void log_secret(std::string_view label, bytes_view client_random, bytes_view secret) = 0;
};

/// One side of one handshake (and the post-handshake messages of TLS 1.3).
class handshake_machine {
public:
    virtual ~handshake_machine() = default;

    /// Client: builds and sends the ClientHello. Server: does nothing.
    virtual result<void> start(handshake_output &out) = 0;
    /// One complete handshake message received (under the read protection currently installed).
    virtual result<void> handle(const codec::handshake_message &msg, handshake_output &out) = 0;
    /// True once the handshake is complete (handshake_complete() was called).
    [[nodiscard]] virtual bool is_connected() const noexcept = 0;
    /// True while an unprotected change_cipher_spec record is acceptable (RFC 8446 5: after
    /// the first ClientHello and before the peer's Finished, TLS 1.3 only; TLS 1.2 machines
    /// handle their ChangeCipherSpec through handle_change_cipher_spec()).
    [[nodiscard]] virtual bool accepts_compat_ccs() const noexcept = 0;
    /// TLS 1.2: a ChangeCipherSpec message arrived. TLS 1.3 machines return unexpected_message.
    virtual result<void> handle_change_cipher_spec(handshake_output &out) = 0;
    /// TLS 1.3, connected: sends a KeyUpdate (asking the peer to update too when
    /// `request_peer`) and switches our write keys. TLS 1.2: handshake_failure... callers check
    /// the version first; before the handshake completes: internal_error.
    virtual result<void> send_key_update(bool request_peer, handshake_output &out) = 0;
};

/// Creates the machine for a side. The client machine starts with TLS 1.3 (and hands over to
/// TLS 1.2 itself when the server picks it, once that exists); the server machine likewise.
std::unique_ptr<handshake_machine> make_client_machine(std::shared_ptr<const handshake_config> config,
                                                       connection_params params);
std::unique_ptr<handshake_machine> make_server_machine(std::shared_ptr<const handshake_config> config);

/// The alert to send for a certificate verification failure (io_errc from x509::verify_chain):
/// unknown_ca, certificate_expired, bad_certificate, certificate_unknown, ...
alert_description verification_alert(std::error_code ec) noexcept;

/// ASCII case-insensitive equality (server names).
bool iequal(std::string_view a, std::string_view b) noexcept;

/// Server certificate selection by SNI: whether one of `ck`'s names (exact, or "*.rest" covering
/// exactly one leftmost label) matches `host`, ignoring case.
bool certificate_matches(const certified_key &ck, std::string_view host) noexcept;

/// A client's certificate chain as a server accepts it (both versions): verified against
/// config.trust for clientAuth when a trust store is configured, and the leaf's public key.
struct client_chain_check {
    crypto::public_key key;
    bool verified = false;
};
/// Errors: the verifier's io_errc, bad_certificate (the leaf does not parse),
/// unsupported_certificate (a key type the provider cannot use). `chain` must not be empty.
result<client_chain_check> check_client_chain(const handshake_config &config, crypto::provider &provider,
                                              const std::vector<std::vector<std::uint8_t>> &chain);

} // namespace awsio::tls
