// tls/handshake/server_tls13.hpp — test-visible parts of the TLS 1.3 server handshake machine
// (server_tls13.cpp): options a handshake_config does not express, and the session state that
// the server seals into its tickets. Production code calls make_server_machine() from common.hpp.
#pragma once

#include "tls/handshake/common.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace awsio::tls {

/// What a server ticket carries (sealed by ticket_keys): enough to resume without server-side
/// storage.
struct server_ticket_state {
    codec::cipher_suite suite = codec::cipher_suite::tls_aes_128_gcm_sha256;
    /// The resumption PSK (Hash.length bytes of the suite's hash).
    crypto::secret_buffer psk;
    std::uint32_t ticket_age_add = 0;
    /// provider.now_seconds() when the ticket was issued.
    std::uint64_t issued_at_seconds = 0;
    std::uint32_t lifetime_seconds = 0;
    /// ALPN protocol and SNI of the original handshake.
    std::string alpn;
    std::string server_name;
    /// The client's chain from the original handshake (empty without client authentication).
    std::vector<std::vector<std::uint8_t>> client_chain;
    bool client_verified = false;
};

/// Behaviour switches of the server machine that a handshake_config does not express.
struct server_tls13_options {
    /// Called on the EncryptedExtensions just before it is serialized. Lets trace replays add
    /// what a recorded server sent (RFC 8448's server lists its supported_groups there); empty
    /// in production.
    std::function<void(codec::encrypted_extensions &)> adjust_encrypted_extensions;
    /// Called on the CertificateRequest just before it is serialized. Lets trace replays send
    /// what a recorded server sent (RFC 8448 section 6's request lists TLS 1.2-only schemes in its
    /// signature_algorithms); empty in production.
    std::function<void(codec::certificate_request_tls13 &)> adjust_certificate_request;
    /// Called on a HelloRetryRequest just before it is serialized. Lets trace replays add the
    /// cookie a recorded server sent (RFC 8448 section 5); the second ClientHello must then echo
    /// it. Empty in production (this server keeps its retry state and sends no cookie).
    std::function<void(codec::server_hello &)> adjust_hello_retry_request;
    /// Called on each NewSessionTicket once its lifetime, age_add and nonce are set, before the
    /// resumption PSK is derived from the nonce. When it fills in `ticket`, that ticket is sent
    /// instead of a sealed one (trace replays: RFC 8448's ticket is its server's opaque state).
    /// Empty in production.
    std::function<void(codec::new_session_ticket_tls13 &)> adjust_new_session_ticket;
    /// Opens an offered PSK identity instead of handshake_config::tickets (trace replays: the
    /// identity of RFC 8448 section 4 is a ticket sealed by its server). Empty in production.
    std::function<std::optional<server_ticket_state>(bytes_view identity)> open_ticket;
};

/// make_server_machine() with explicit options (tests).
std::unique_ptr<handshake_machine> make_server_machine_for_test(std::shared_ptr<const handshake_config> config,
                                                                server_tls13_options options);

/// The versioned binary form sealed into a ticket. Strict: parse_ticket_state() refuses an
/// unknown version, bad lengths and trailing bytes (std::nullopt).
crypto::secret_buffer serialize_ticket_state(const server_ticket_state &s);
std::optional<server_ticket_state> parse_ticket_state(bytes_view bytes);

} // namespace awsio::tls
