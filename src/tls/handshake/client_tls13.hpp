// tls/handshake/client_tls13.hpp — test-visible knobs of the TLS 1.3 client handshake machine
// (client_tls13.cpp). Production code calls make_client_machine() from common.hpp, which uses
// the default options below.
#pragma once

#include "tls/handshake/common.hpp"

#include <functional>
#include <memory>

namespace awsio::tls {

/// Behaviour switches of the client machine that a handshake_config does not express.
struct client_tls13_options {
    /// Middlebox compatibility mode (RFC 8446 D.4): a 32-byte random legacy_session_id and one
    /// change_cipher_spec record before our second flight. On in production; published traces
    /// such as RFC 8448 were recorded without it.
    bool compat_mode = true;
    /// Called on every ClientHello just before it is serialized (and, when resuming, before
    /// the binders are computed over it). Lets trace replays add the TLS 1.2 extensions a
    /// recorded client sent; empty in production.
    std::function<void(codec::client_hello &)> adjust_client_hello;
};

/// make_client_machine() with explicit options (tests).
std::unique_ptr<handshake_machine> make_client_machine_for_test(std::shared_ptr<const handshake_config> config,
                                                                connection_params params,
                                                                client_tls13_options options);

} // namespace awsio::tls
