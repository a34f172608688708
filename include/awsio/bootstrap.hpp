// awsio/bootstrap.hpp — client and server bootstraps: sockets turned into ready channels.
// Mirrors aws-c-io's channel_bootstrap.h (aws_client_bootstrap, aws_server_bootstrap,
// aws_client_bootstrap_new_socket_channel, aws_server_bootstrap_new_socket_listener,
// aws_server_bootstrap_destroy_socket_listener).
//
// Client: new_socket_channel() resolves the host through the bootstrap's host_resolver (IPv4
// and IPv6 domains; local and vsock endpoints are connected directly), starts one connection
// attempt per resolved address (at most two: the resolver's AAAA and A picks) on one event
// loop, keeps the first that connects and closes the others. Failed addresses are reported to
// the resolver (record_connection_failure). The winner becomes a channel: creation_callback,
// then the socket handler in the first slot, then the negotiation hook (TLS installs itself
// there) and finally setup_callback with no error. If every attempt fails, setup_callback gets
// the last error.
//
// Callback guarantees (as aws-c-io):
//   * setup_callback is called exactly once, on the connection's event loop (the requested one
//     when given), never synchronously from new_socket_channel();
//   * a failed setup (error) is never followed by shutdown_callback;
//   * a channel that shuts down before setup completed reports the shutdown error (or
//     io_errc::... unknown when there was none) through setup_callback instead;
//   * after a successful setup, shutdown_callback is called exactly once, after the channel shut
//     down; the bootstrap then drops its reference to the channel (keep a
//     shared_from_this() to use it longer).
//
// Server: new_socket_listener() binds and listens (backlog 1024) and accepts on one loop of the
// group; each connection gets its own loop (get_next_loop), a channel with the socket handler
// and the negotiation hook, then incoming_callback(no error, channel) — or incoming_callback(
// error, nullptr) when that setup failed. shutdown_callback follows only a successful incoming.
// destroy_socket_listener() stops accepting, shuts down every channel of the listener still
// alive and calls destroy_callback once the listening socket is closed and all those channels
// have finished shutting down.
//
// Lifetime: bootstraps are shared (std::shared_ptr); every connection in progress and every
// listener keeps its bootstrap, event-loop group and resolver alive. A client bootstrap's
// on_shutdown_complete runs when the last reference is gone.
#pragma once

#include <awsio/channel.hpp>
#include <awsio/error.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/export.hpp>
#include <awsio/host_resolver.hpp>
#include <awsio/result.hpp>
#include <awsio/socket.hpp>
#include <awsio/tls/alpn.hpp>
#include <awsio/tls/options.hpp>
#include <awsio/unique_function.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>
#include <memory>
#include <optional>
#include <string>

namespace awsio {

/// A hook run on every new channel once its socket handler is installed (protocol negotiation:
/// TLS adds its handler here). It must call `done` exactly once, on the channel's thread, with no
/// error when the channel may be handed to the user or with the error that ends the setup (the
/// bootstrap then shuts the channel down with it). socket_slot is the socket handler's slot.
using channel_negotiation_hook =
    std::function<void(channel &ch, channel_slot &socket_slot, unique_function<void(std::error_code)> done)>;

/// aws_client_bootstrap_options.
struct client_bootstrap_options {
    /// Required: where connections run.
    std::shared_ptr<awsio::event_loop_group> event_loop_group;
    /// Resolver for IPv4/IPv6 hosts. Empty: a default caching resolver is created on first use.
    std::shared_ptr<awsio::host_resolver> host_resolver;
    /// Resolution config used when a connection gives none. Empty: the resolver's default.
    std::optional<awsio::host_resolution_config> host_resolution_config;
    /// Called once when the bootstrap is gone (last reference released), from the thread that
    /// released it.
    unique_function<void()> on_shutdown_complete;
};

/// aws_socket_channel_bootstrap_options (the client side).
struct socket_channel_bootstrap_options {
    /// Host name or address; for local sockets the path, for vsock the CID.
    std::string host_name;
    std::uint32_t port = 0;
    awsio::socket_options socket_options;
    /// Optional: called on the channel's loop right after the channel exists, before any handler
    /// is installed (for example to set a statistics handler).
    unique_function<void(std::error_code, channel &)> creation_callback;
    /// Required: see the guarantees at the top of this file. The channel is nullptr on error.
    unique_function<void(std::error_code, channel *)> setup_callback;
    /// Required: called once after a successful setup, when the channel has shut down.
    unique_function<void(std::error_code, channel &)> shutdown_callback;
    bool enable_read_back_pressure = false;
    /// Optional: run the connection on this loop; it must belong to the bootstrap's group, else
    /// new_socket_channel() fails with pinned_event_loop_mismatch.
    event_loop *requested_event_loop = nullptr;
    /// Optional: overrides the bootstrap's resolution config for this connection.
    std::optional<host_resolution_config> host_resolution_override_config;
    /// Optional: protocol negotiation (see channel_negotiation_hook). Not together with
    /// tls_options.
    channel_negotiation_hook negotiation_hook;
    /// Optional: TLS (aws_socket_channel_bootstrap_options.tls_options). A TLS client handler goes
    /// right of the socket handler and negotiates at once; setup_callback is called only after
    /// the handshake (after tls_options.on_negotiation_result), with its error if it failed. An
    /// empty server_name is replaced by host_name (SNI and hostname verification).
    std::optional<tls::tls_connection_options> tls_options;
    /// Optional, with tls_options: an ALPN handler goes right of the TLS handler and asks this
    /// for the handler of the negotiated protocol (aws_channel_on_protocol_negotiated_fn).
    tls::on_protocol_negotiated_fn on_protocol_negotiated;
};

/// aws_client_bootstrap.
class AWSIO_API client_bootstrap : public std::enable_shared_from_this<client_bootstrap> {
public:
    /// aws_client_bootstrap_new. Missing event_loop_group -> common_errc::invalid_argument.
    static result<std::shared_ptr<client_bootstrap>> create(client_bootstrap_options options);

    client_bootstrap(const client_bootstrap &) = delete;
    client_bootstrap &operator=(const client_bootstrap &) = delete;
    ~client_bootstrap();

    /// aws_client_bootstrap_new_socket_channel. Any thread. Errors returned (and then no callback
    /// is called): missing setup or shutdown callback, empty host -> common_errc::invalid_argument;
    /// requested_event_loop not in the group -> io_errc::pinned_event_loop_mismatch; local/vsock
    /// address too long -> socket_invalid_address. Everything else is reported to setup_callback.
    std::error_code new_socket_channel(socket_channel_bootstrap_options options);

    [[nodiscard]] const std::shared_ptr<awsio::event_loop_group> &event_loop_group() const noexcept { return group_; }
    /// The resolver (created on first use when none was given).
    [[nodiscard]] std::shared_ptr<host_resolver> resolver();

private:
    explicit client_bootstrap(client_bootstrap_options options);
    struct connection;
    friend struct connection;

    std::shared_ptr<awsio::event_loop_group> group_;
    std::shared_ptr<host_resolver> resolver_;
    std::optional<host_resolution_config> resolution_config_;
    unique_function<void()> on_shutdown_complete_;
    std::mutex resolver_lock_;
};

/// aws_server_bootstrap_options.
struct server_bootstrap_options {
    std::shared_ptr<awsio::event_loop_group> event_loop_group; ///< required
};

/// aws_server_socket_channel_bootstrap_options.
struct server_socket_channel_bootstrap_options {
    /// Address to bind (for local sockets the path).
    std::string host_name;
    /// Port; 0 lets the OS pick one (read it from socket_listener::bound_endpoint()).
    std::uint32_t port = 0;
    awsio::socket_options socket_options;
    /// Required: called on the connection's loop for every accepted connection once its channel
    /// is ready (no error, channel) or failed to set up (error, nullptr).
    unique_function<void(std::error_code, channel *)> incoming_callback;
    /// Required: called once per successfully set up connection after its channel shut down.
    unique_function<void(std::error_code, channel &)> shutdown_callback;
    /// Optional: called once, from a loop thread, after destroy_socket_listener() completed.
    unique_function<void()> destroy_callback;
    bool enable_read_back_pressure = false;
    /// Optional: protocol negotiation for each accepted channel. Not together with tls_options.
    channel_negotiation_hook negotiation_hook;
    /// Optional: TLS for every accepted channel (a server context). incoming_callback is called
    /// only after the handshake, with its error if it failed.
    std::optional<tls::tls_connection_options> tls_options;
    /// Optional, with tls_options: as in socket_channel_bootstrap_options.
    tls::on_protocol_negotiated_fn on_protocol_negotiated;
};

class server_bootstrap;

/// A listening socket made by server_bootstrap::new_socket_listener. Owned by the bootstrap
/// until destroy_socket_listener() completes; users hold it by pointer.
class AWSIO_API socket_listener {
public:
    socket_listener(const socket_listener &) = delete;
    socket_listener &operator=(const socket_listener &) = delete;
    ~socket_listener();
    /// The bound address (the OS-chosen port after binding to port 0). Any thread.
    [[nodiscard]] const socket_endpoint &bound_endpoint() const noexcept { return bound_; }

private:
    friend class server_bootstrap;
    struct state;
    explicit socket_listener(std::shared_ptr<state> s) noexcept;
    std::shared_ptr<state> state_;
    socket_endpoint bound_;
};

/// aws_server_bootstrap.
class AWSIO_API server_bootstrap : public std::enable_shared_from_this<server_bootstrap> {
public:
    /// aws_server_bootstrap_new. Missing event_loop_group -> common_errc::invalid_argument.
    static result<std::shared_ptr<server_bootstrap>> create(server_bootstrap_options options);

    server_bootstrap(const server_bootstrap &) = delete;
    server_bootstrap &operator=(const server_bootstrap &) = delete;
    ~server_bootstrap();

    /// aws_server_bootstrap_new_socket_listener: creates, binds and listens, then accepts on a
    /// loop of the group. Any thread. Missing callbacks -> common_errc::invalid_argument; socket,
    /// bind and listen failures -> their errors (socket_address_in_use, ...).
    result<socket_listener *> new_socket_listener(server_socket_channel_bootstrap_options options);
    /// aws_server_bootstrap_destroy_socket_listener: asynchronous; see the top of this file. Any
    /// thread but the listener's own callbacks. Unknown listener -> common_errc::invalid_argument.
    std::error_code destroy_socket_listener(socket_listener *listener);

    [[nodiscard]] const std::shared_ptr<awsio::event_loop_group> &event_loop_group() const noexcept { return group_; }

private:
    explicit server_bootstrap(std::shared_ptr<awsio::event_loop_group> group) noexcept;
    friend struct socket_listener::state;
    void forget_listener(const socket_listener::state *st);
    std::shared_ptr<awsio::event_loop_group> group_;
    std::mutex lock_;
    std::vector<std::unique_ptr<socket_listener>> listeners_;
};

} // namespace awsio
