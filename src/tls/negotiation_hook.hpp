// The bootstraps' TLS step: a channel_negotiation_hook that installs a TLS handler (and, when
// asked, an ALPN handler) right of the socket handler and finishes the setup once the handshake
// has a result.
#pragma once

#include <awsio/bootstrap.hpp>
#include <awsio/tls/alpn.hpp>
#include <awsio/tls/options.hpp>

namespace awsio::tls::detail {

/// The hook for one bootstrap call. Per channel: a copy of `options` whose on_negotiation_result
/// first calls the user's callback and then ends the setup with the handshake's result; with
/// on_protocol_negotiated set, advertise_alpn_message is turned on and an ALPN handler goes
/// right of the TLS handler. A client starts negotiating at once, a server on the first bytes.
channel_negotiation_hook make_negotiation_hook(tls_connection_options options, bool is_server,
                                               on_protocol_negotiated_fn on_protocol_negotiated);

} // namespace awsio::tls::detail
