// tls/handshake/tls12.hpp — the TLS 1.2 client and server handshake machines (client_tls12.cpp,
// server_tls12.cpp) and how the TLS 1.3 machines hand a connection over to them.
//
// Client: client_tls13 sends one ClientHello offering every enabled version. When the
// ServerHello selects TLS 1.2 (no supported_versions), client_tls13 checks the downgrade
// sentinels, builds a TLS 1.2 machine with make_client_tls12_machine() from what it offered
// (tls12_client_offer) and passes it that ServerHello; from then on it forwards every call.
//
// Server: server_tls13 decodes the first ClientHello. When TLS 1.3 is not both offered and
// enabled it builds a TLS 1.2 machine with make_server_tls12_machine() and passes it that
// ClientHello message; from then on it forwards every call.
//
// Both TLS 1.2 machines: ECDHE with the six AEAD suites, extended master secret (required unless
// handshake_config::require_extended_master_secret is off), renegotiation_info (RFC 5746) with
// renegotiation refused (a HelloRequest or a second ClientHello gets a no_renegotiation warning),
// session ids and RFC 5077 tickets, mutual TLS. ChangeCipherSpec arrives through
// handle_change_cipher_spec(). TLS 1.2 has no KeyUpdate: send_key_update() returns
// unexpected_message (connection::key_update() refuses TLS 1.2 before calling it).
#pragma once

#include "tls/handshake/common.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace awsio::tls {

/// What the client's ClientHello offered; the TLS 1.2 machine needs it to check the
/// ServerHello and to continue the transcript.
struct tls12_client_offer {
    codec::random_bytes client_random{};
    /// legacy_session_id as sent (a cached TLS 1.2 session id, or 32 random bytes in TLS 1.3
    /// compatibility mode, or empty).
    std::vector<std::uint8_t> session_id;
    /// The ClientHello message as sent (4-byte header + body): the start of the transcript.
    std::vector<std::uint8_t> client_hello;
    /// Every suite offered (TLS 1.3 ones included; the server must pick a TLS 1.2 one).
    std::vector<codec::cipher_suite> suites;
    /// ALPN protocols offered (empty: none).
    std::vector<std::string> alpn;
    /// SNI sent (empty: none).
    std::string sni;
    /// Types of every extension the ClientHello carried (a TLS 1.2 ServerHello may only answer
    /// these, RFC 5246 7.4.1.4).
    std::vector<codec::extension_type> extensions;
    /// The TLS 1.2 session offered for resumption (its id in session_id and/or its ticket in
    /// the session_ticket extension), if any.
    std::optional<tls12_session> session;
};

/// The client machine, starting in "expect ServerHello"; the caller passes it the ServerHello.
std::unique_ptr<handshake_machine> make_client_tls12_machine(std::shared_ptr<const handshake_config> config,
                                                             connection_params params, tls12_client_offer offer);

/// The server machine, starting in "expect ClientHello"; the caller passes it the ClientHello.
std::unique_ptr<handshake_machine> make_server_tls12_machine(std::shared_ptr<const handshake_config> config);

/// What a TLS 1.2 server seals into an RFC 5077 ticket (with handshake_config::tickets). The
/// format has its own version byte, distinct from the TLS 1.3 ticket state, so a ticket of one
/// version is refused by the other. Strict: parse refuses unknown versions, bad lengths and
/// trailing bytes (std::nullopt).
crypto::secret_buffer serialize_tls12_ticket_state(const tls12_server_session &s);
std::optional<tls12_server_session> parse_tls12_ticket_state(bytes_view bytes);

} // namespace awsio::tls
