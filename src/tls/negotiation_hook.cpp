#include "tls/negotiation_hook.hpp"

#include <awsio/logging.hpp>
#include <awsio/tls/channel_handler.hpp>

#include <memory>
#include <utility>

namespace awsio::tls::detail {

namespace {

using done_fn = unique_function<void(std::error_code)>;

// Installs `handler` in a new slot right of `left`. On failure the new slot is removed.
std::error_code install_right(channel_slot &left, std::unique_ptr<channel_handler> handler, channel_slot &slot) {
    if (const std::error_code ec = left.insert_right(slot)) {
        (void)slot.remove();
        return ec;
    }
    return slot.set_handler(std::move(handler));
}

} // namespace

channel_negotiation_hook make_negotiation_hook(tls_connection_options options, bool is_server,
                                               on_protocol_negotiated_fn on_protocol_negotiated) {
    return [options = std::move(options), is_server, on_protocol_negotiated = std::move(on_protocol_negotiated)](
               channel &ch, channel_slot &socket_slot, done_fn done) {
        // Shared between the handler's callback and this function: whichever ends the setup
        // first (a failed installation here, or the handshake's result) calls it, once.
        auto pending = std::make_shared<done_fn>(std::move(done));
        auto finish = [pending](std::error_code ec) {
            if (*pending) {
                done_fn f = std::move(*pending);
                f(ec);
            }
        };

        tls_connection_options per_channel = options;
        per_channel.on_negotiation_result = [user = options.on_negotiation_result, finish](
                                                channel_handler &handler, channel_slot &slot, std::error_code ec) {
            if (user) {
                user(handler, slot, ec);
            }
            finish(ec);
        };
        if (on_protocol_negotiated) {
            per_channel.advertise_alpn_message = true;
        }

        channel_slot &tls_slot = ch.new_slot();
        auto handler = is_server ? new_server_handler(per_channel, tls_slot) : new_client_handler(per_channel, tls_slot);
        if (!handler) {
            (void)tls_slot.remove();
            finish(handler.error());
            return;
        }
        channel_handler *tls_handler = handler->get();
        if (const std::error_code ec = install_right(socket_slot, std::move(*handler), tls_slot)) {
            finish(ec);
            return;
        }
        if (on_protocol_negotiated) {
            channel_slot &alpn_slot = ch.new_slot();
            if (const std::error_code ec =
                    install_right(tls_slot, new_alpn_handler(on_protocol_negotiated), alpn_slot)) {
                finish(ec);
                return;
            }
        }
        if (!is_server) {
            if (const std::error_code ec = client_handler_start_negotiation(*tls_handler)) {
                finish(ec);
            }
        }
    };
}

} // namespace awsio::tls::detail
