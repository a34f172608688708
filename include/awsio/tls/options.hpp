// awsio/tls/options.hpp — per-connection TLS options for a channel (aws-c-io
// tls_channel_handler.h: aws_tls_connection_options and its init/set functions).
//
// A tls_connection_options value names the context a connection is made from, the server name
// (SNI and the name the server certificate must match), an ALPN list overriding the context's,
// the callbacks the TLS channel handler reports through, and the negotiation timeout. It is a
// plain value: copying it copies the callbacks (std::function) and shares the context, as
// aws_tls_connection_options_copy does. The bootstraps copy it once per connection.
//
// Threads: a plain value, used from any thread; the callbacks are called on the channel's
// event-loop thread.
#pragma once

#include <awsio/result.hpp>
#include <awsio/tls/context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace awsio {
class channel_handler;
class channel_slot;
} // namespace awsio

namespace awsio::tls {

/// aws_tls_on_negotiation_result_fn: called once on the channel's thread when the handshake
/// finished (no error) or failed (the io_errc the channel is shut down with). Not called when
/// the channel shuts down for another reason during the handshake (timeout, socket closed):
/// the shutdown error reports those.
using negotiation_result_fn = std::function<void(channel_handler &handler, channel_slot &slot, std::error_code error)>;
/// aws_tls_on_data_read_fn: decrypted application data, on the channel's thread, before it is
/// passed to the handler on the right (if any). The span is valid during the call only.
using data_read_fn =
    std::function<void(channel_handler &handler, channel_slot &slot, std::span<const std::uint8_t> data)>;
/// aws_tls_on_error_fn: a fatal error after the handshake (the channel is being shut down with
/// it), on the channel's thread.
using error_fn = std::function<void(channel_handler &handler, channel_slot &slot, std::error_code error)>;

/// aws_tls_connection_options.
struct tls_connection_options {
    /// Required: the context (client or server) the handler's connection is made from.
    std::shared_ptr<const context> ctx;
    /// Client: SNI and the name the server certificate must match (empty: neither).
    std::string server_name;
    /// "h2;http/1.1" form; when non-empty it replaces the context's ALPN list (client side; a
    /// server always offers its context's list).
    std::string alpn_list;
    negotiation_result_fn on_negotiation_result;
    /// When set, every block of decrypted data is passed here first (the handler to the right,
    /// if there is one, still receives it, as in aws-c-io).
    data_read_fn on_data_read;
    error_fn on_error;
    /// Send a negotiated_protocol message (see tls/channel_handler.hpp) to the right before
    /// on_negotiation_result when ALPN picked a protocol. The bootstraps turn it on when an
    /// on_protocol_negotiated callback is given.
    bool advertise_alpn_message = false;
    /// Handshake timeout in milliseconds; 0 disables it. On expiry the channel is shut down with
    /// io_errc::tls_negotiation_timeout. Default 10 s (aws_tls_connection_options_init_from_ctx).
    std::uint32_t timeout_ms = 10000;

    /// aws_tls_connection_options_init_from_ctx: the context, no server name, no ALPN override,
    /// no callbacks, a 10 s timeout.
    static tls_connection_options from_ctx(std::shared_ptr<const context> context) {
        tls_connection_options o;
        o.ctx = std::move(context);
        return o;
    }

    /// aws_tls_connection_options_set_server_name.
    void set_server_name(std::string_view name) { server_name.assign(name); }

    /// aws_tls_connection_options_set_alpn_list: validated with tls::parse_alpn_list (1..4
    /// non-empty protocols of at most 255 bytes, ';'-separated). Errors: invalid_argument
    /// (common), and then the options are unchanged.
    result<void> set_alpn_list(std::string_view list) {
        auto parsed = parse_alpn_list(list);
        if (!parsed) {
            return unexpected(parsed.error());
        }
        alpn_list.assign(list);
        return {};
    }

    /// aws_tls_connection_options_set_callbacks (a lambda capture replaces user_data).
    void set_callbacks(negotiation_result_fn on_negotiation, data_read_fn on_read, error_fn on_err) {
        on_negotiation_result = std::move(on_negotiation);
        on_data_read = std::move(on_read);
        on_error = std::move(on_err);
    }
};

} // namespace awsio::tls
