// awsio/tls/channel_handler.hpp — the TLS channel handler: a tls::connection inside a channel
// (aws-c-io tls_channel_handler.h: aws_tls_client_handler_new, aws_tls_server_handler_new,
// aws_tls_client_handler_start_negotiation, aws_tls_handler_protocol,
// aws_tls_handler_server_name, aws_channel_setup_client_tls, AWS_TLS_NEGOTIATED_PROTOCOL_MESSAGE).
//
// Place: right of the socket handler: [socket] <-> [TLS] <-> ([ALPN]) <-> [application].
//
// Reads: ciphertext from the left is buffered in the connection; handshake records drive the
// handshake (replies are written left at once), application records are decrypted into pool
// messages sent right, never more than the right slot's read window allows (with back-pressure
// on, undelivered ciphertext stays buffered until the window grows). The peer's close_notify
// shuts the channel down with no error (the end of the stream, as aws-c-io reports it).
// Writes: each application message is sealed into records (up to 16 KiB of plaintext each) and
// sent left; its on_completion moves to the last message carrying its records. Writing before
// the handshake completed: io_errc::tls_error_not_negotiated.
// Handshake: the client starts when client_handler_start_negotiation() is called (the bootstrap
// and channel_setup_client_tls do it), the server when the first bytes arrive. A timeout
// (tls_connection_options::timeout_ms) shuts the channel down with tls_negotiation_timeout.
// On completion: the negotiated_protocol message (if asked for and ALPN chose a protocol), then
// on_negotiation_result. A failed handshake reports on_negotiation_result(error), sends the alert
// and shuts the channel down with the same error (tls::to_io_error of the engine error:
// tls_error_negotiation_failure, tls_unknown_root_certificate, tls_host_name_mismatch, ...).
// After the handshake an engine error calls on_error and shuts the channel down with it.
// Shutdown: in the read direction decrypted-but-undelivered data is still delivered (as the
// window allows) before the shutdown moves on; in the write direction close_notify is sent first,
// unless the shutdown is an abort or the socket is already closed.
// Statistics: one tls_statistics record (handshake start/end times and status).
//
// Window sizes: initial_window_size() is one full record (16 KiB + message_overhead()), so a
// handshake flight never stalls on the window; during the handshake every consumed byte is
// granted again. message_overhead() is 29 bytes, the largest per-record expansion this stack
// produces (TLS 1.2 AES-GCM: 5 header + 8 explicit nonce + 16 tag; TLS 1.3: 5 + 1 + 16 = 22).
//
// Threads: every function here on the channel's thread, except client_handler_start_negotiation
// (any thread). Callbacks run on the channel's thread.
#pragma once

#include <awsio/channel.hpp>
#include <awsio/export.hpp>
#include <awsio/message_pool.hpp>
#include <awsio/result.hpp>
#include <awsio/tls/options.hpp>

#include <cstddef>
#include <memory>
#include <string_view>
#include <system_error>

namespace awsio::tls {

/// AWS_TLS_NEGOTIATED_PROTOCOL_MESSAGE: the message_tag of the read message carrying the
/// negotiated ALPN protocol. Its message_data holds the protocol name's bytes.
inline constexpr int negotiated_protocol_message_tag = 0x01;

/// A negotiated_protocol message for `protocol` (from ch's pool). Channel thread.
inline message_ptr make_negotiated_protocol_message(channel &ch, std::string_view protocol) {
    message_ptr msg = ch.acquire_message_from_pool(io_message_type::application_data, protocol.size());
    (void)msg->message_data.append(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t *>(protocol.data()), protocol.size()));
    msg->message_tag = negotiated_protocol_message_tag;
    return msg;
}

/// The protocol a negotiated_protocol message carries (a view of its data); empty for any other
/// message.
inline std::string_view negotiated_protocol(const io_message &msg) noexcept {
    if (msg.message_tag != negotiated_protocol_message_tag) {
        return {};
    }
    const std::span<const std::uint8_t> data = msg.message_data.span();
    return {reinterpret_cast<const char *>(data.data()), data.size()};
}

/// TLS per-record overhead the handler reports (see the file comment).
inline constexpr std::size_t tls_message_overhead = 29;
/// The handler's initial read window (see the file comment).
inline constexpr std::size_t tls_initial_window_size = 16 * 1024 + tls_message_overhead;

/// aws_tls_client_handler_new: a client handler for `slot` (install it there with
/// slot.set_handler, then call client_handler_start_negotiation). The options are copied.
/// Errors: no context -> common_errc::invalid_argument; a server context -> io_errc::tls_ctx_error;
/// a malformed alpn_list -> common_errc::invalid_argument.
AWSIO_API result<std::unique_ptr<channel_handler>> new_client_handler(const tls_connection_options &options,
                                                                       channel_slot &slot);
/// aws_tls_server_handler_new: a server handler (negotiation starts with the first bytes
/// received). Errors: no context -> invalid_argument; a client context -> io_errc::tls_ctx_error.
AWSIO_API result<std::unique_ptr<channel_handler>> new_server_handler(const tls_connection_options &options,
                                                                       channel_slot &slot);

/// aws_tls_client_handler_start_negotiation: starts the handshake (the ClientHello is written
/// left). On the channel's thread it runs now, elsewhere from a channel task. Any thread. Not a
/// client TLS handler, or not installed in a slot -> common_errc::invalid_argument.
AWSIO_API std::error_code client_handler_start_negotiation(channel_handler &handler);

/// aws_tls_handler_protocol: the negotiated ALPN protocol ("" before the handshake completed,
/// when none was negotiated, or when handler is not a TLS handler). Channel thread.
AWSIO_API std::string_view handler_protocol(const channel_handler &handler) noexcept;
/// aws_tls_handler_server_name: the server name (client: the SNI sent; server: the SNI
/// received), "" when none. Channel thread.
AWSIO_API std::string_view handler_server_name(const channel_handler &handler) noexcept;

struct negotiated_parameters;
/// What the handshake negotiated (version, cipher suite, group, ALPN, the peer's certificate
/// chain and whether it was verified; see tls/connection.hpp), or nullptr before the handshake
/// completed or when handler is not a TLS handler. Valid while the handler lives. Channel thread.
AWSIO_API const negotiated_parameters *handler_negotiated_parameters(const channel_handler &handler) noexcept;

/// aws_channel_setup_client_tls: a new slot right of right_of_slot with a client TLS handler,
/// negotiation started. Channel thread. Errors: as new_client_handler (nothing is installed then).
AWSIO_API std::error_code channel_setup_client_tls(channel_slot &right_of_slot, const tls_connection_options &options);

} // namespace awsio::tls
