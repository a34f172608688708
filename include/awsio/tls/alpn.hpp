// awsio/tls/alpn.hpp — the ALPN handler (aws-c-io tls_channel_handler.h: aws_tls_alpn_handler_new,
// source/alpn_handler.c).
//
// Placed right of a TLS handler whose options have advertise_alpn_message on, it waits for the
// negotiated_protocol message the TLS handler sends once the handshake is done, asks the user
// callback for the handler that speaks that protocol, and puts that handler in its own place:
// the ALPN handler's slot is replaced by the new slot and the ALPN handler is destroyed.
//
// Errors returned from process_read_message (the sender shuts the channel down with them):
//   io_errc::missing_alpn_message            the first read message is not a negotiated_protocol
//                                            message
//   io_errc::unhandled_alpn_protocol_message the callback returned no handler (the slot it was
//                                            given is removed again)
// Threads: everything on the channel's thread.
#pragma once

#include <awsio/channel.hpp>
#include <awsio/export.hpp>
#include <awsio/tls/channel_handler.hpp>

#include <functional>
#include <memory>
#include <string_view>

namespace awsio::tls {

/// aws_channel_on_protocol_negotiated_fn / aws_tls_on_protocol_negotiated: called on the
/// channel's thread with a new, not yet linked slot and the negotiated protocol; returns the
/// handler for that protocol (the ALPN handler installs it in new_slot), or null when the
/// protocol is not handled. Do not link or fill new_slot yourself.
using on_protocol_negotiated_fn =
    std::function<std::unique_ptr<channel_handler>(channel_slot &new_slot, std::string_view protocol)>;

/// aws_tls_alpn_handler_new. A null callback makes every negotiation fail with
/// unhandled_alpn_protocol_message.
AWSIO_API std::unique_ptr<channel_handler> new_alpn_handler(on_protocol_negotiated_fn on_protocol_negotiated);

} // namespace awsio::tls
