// awsio/socket.hpp — stream and datagram sockets driven by an event loop. Mirrors aws-c-io's
// socket.h (aws_socket_*, aws_socket_options, aws_socket_endpoint, port validation, address
// parsing, aws_is_network_interface_name_valid).
//
// Ownership: sockets are created with socket::create() and owned through std::unique_ptr. The
// event loop's callbacks and tasks refer to the socket object, so its address must not change
// while it is assigned to a loop; that is why it is heap-allocated and neither copyable nor
// movable. Incoming connections are handed to the accept callback as std::unique_ptr<socket>.
//
// Threading (as aws-c-io's POSIX sockets):
//   * create, bind, listen, get_bound_address, set_options and connect may be called from any
//     thread while no other thread uses the socket. connect's callback runs on the loop thread.
//   * Once the socket is assigned to a loop (connect succeeded, assign_to_event_loop, or
//     start_accept), read, write, subscribe_to_readable_events, shutdown_dir and close must run
//     on that loop's thread; read and write report io_errc::event_loop_thread_only otherwise.
//     close() and stop_accept() on a listening socket may be called from another thread: they
//     then block until the loop thread has done the work (the loop must be running).
//   * Every callback runs on the loop thread. A callback may destroy the socket it belongs to.
//
// Destruction (aws_socket_clean_up) closes the socket if it is still open: pending writes
// complete with io_errc::socket_closed before the destructor returns, and a connection attempt
// in progress reports nothing any more. Destroy a socket on its loop thread; destroying one
// that is still assigned to a loop from another thread blocks until the loop thread has closed
// it (so the loop must still be running).
#pragma once

#include <awsio/error.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/export.hpp>
#include <awsio/io.hpp>
#include <awsio/result.hpp>
#include <awsio/unique_function.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace awsio {

/// Declared in awsio/channel.hpp (aws_channel_direction); read = 0, write = 1.
enum class channel_direction : int;

/// aws_socket_domain.
enum class socket_domain : int { ipv4 = 0, ipv6, local, vsock };

/// aws_socket_type. stream = TCP for ipv4/ipv6; dgram = UDP for ipv4/ipv6.
enum class socket_type : int { stream = 0, dgram };

/// aws_socket_impl_type. Only posix (platform_default on this build) is available here; the
/// others give common_errc::platform_not_supported from socket::create().
enum class socket_impl_type : int { platform_default = 0, posix, winsock, apple_network_framework };

/// aws_socket_tcp_nodelay: default_ leaves TCP_NODELAY as the OS sets it.
enum class socket_tcp_nodelay : int { default_ = 0, on, off };

/// AWS_NETWORK_INTERFACE_NAME_MAX: interface names must be shorter than this (IFNAMSIZ).
inline constexpr std::size_t network_interface_name_max = 16;
/// AWS_ADDRESS_MAX_LEN on POSIX: sizeof(sockaddr_un::sun_path). Endpoint addresses must be
/// shorter than this.
inline constexpr std::size_t socket_address_max_len = 108;

/// aws_socket_options. Defaults are aws-c-io's zero-initialised values.
struct socket_options {
    socket_type type = socket_type::stream;
    socket_domain domain = socket_domain::ipv4;
    socket_impl_type impl_type = socket_impl_type::platform_default;
    /// Connect timeout. 0 makes the timeout task due at once (aws-c-io's POSIX behaviour): only
    /// a connection that completes immediately (local sockets) can win against it.
    std::uint32_t connect_timeout_ms = 0;
    /// TCP_KEEPIDLE (seconds), set only when it and keep_alive_timeout_sec are both non-zero.
    std::uint16_t keep_alive_interval_sec = 0;
    /// TCP_KEEPINTVL (seconds), set only when it and keep_alive_interval_sec are both non-zero.
    std::uint16_t keep_alive_timeout_sec = 0;
    /// TCP_KEEPCNT, when non-zero.
    std::uint16_t keep_alive_max_failed_probes = 0;
    /// SO_KEEPALIVE.
    bool keepalive = false;
    socket_tcp_nodelay tcp_nodelay = socket_tcp_nodelay::default_;
    /// Bind the socket to this interface (SO_BINDTODEVICE). Empty = none. Longer than
    /// network_interface_name_max - 1 characters, or refused by the kernel ->
    /// io_errc::socket_invalid_options.
    std::string network_interface_name;
};

/// aws_socket_endpoint. address: dotted IPv4, IPv6 text, a filesystem path (local) or a
/// decimal CID (vsock, "-1" = any). port: 0..65535 for IP (0 = any when binding), any 32-bit
/// value for vsock, ignored for local sockets.
struct socket_endpoint {
    std::string address;
    std::uint32_t port = 0;
};

class socket;

/// (error). Zero = connected. Runs once, on the loop passed to connect().
using socket_on_connection_result = unique_function<void(std::error_code error)>;
/// (error, new connection). The new socket is connected but not assigned to a loop: call
/// assign_to_event_loop() on it before reading or writing. On error new_socket is null.
using socket_on_accept_result = unique_function<void(std::error_code error, std::unique_ptr<socket> new_socket)>;
/// (error). Zero = readable: read until io_errc::read_would_block (edge-triggered). Non-zero =
/// the peer hung up (io_errc::socket_closed) or the socket failed.
using socket_on_readable = unique_function<void(std::error_code error)>;
/// (error, bytes written). Zero error = every byte was written.
using socket_on_write_completed = unique_function<void(std::error_code error, std::size_t bytes_written)>;

/// A socket (aws_socket). Abstract: one implementation per platform backend.
class AWSIO_API socket {
public:
    /// aws_socket_init: opens a non-blocking, close-on-exec socket and applies options.
    /// Unsupported impl_type -> common_errc::platform_not_supported; the OS refuses ->
    /// socket_error_from_errno (for example io_errc::socket_unsupported_address_family);
    /// invalid network_interface_name -> io_errc::socket_invalid_options.
    static result<std::unique_ptr<socket>> create(const socket_options &options);

    /// aws_socket_clean_up: closes if still open (see the file comment).
    virtual ~socket() = default;
    socket(const socket &) = delete;
    socket &operator=(const socket &) = delete;
    socket(socket &&) = delete;
    socket &operator=(socket &&) = delete;

    /// Starts connecting to remote; the result arrives on loop's thread. The socket joins loop.
    /// Errors returned (no callback then): already on a loop -> event_loop_already_assigned;
    /// wrong state (stream: not fresh; dgram: not fresh or bound) ->
    /// socket_illegal_operation_for_state; bad port -> socket_invalid_address; address too long
    /// -> common_errc::c_string_buffer_not_null_terminated; unparsable address ->
    /// socket_invalid_address; immediate OS failure -> socket_error_from_errno. Errors reported
    /// through the callback: socket_timeout (connect_timeout_ms elapsed),
    /// socket_connection_refused, ..., event_loop_shutdown (the loop was destroyed first).
    virtual std::error_code connect(const socket_endpoint &remote, event_loop &loop,
                                    socket_on_connection_result on_connection_result) = 0;
    /// Binds to local. Stream sockets become bound, datagram sockets readable. Errors as
    /// connect's address errors, plus socket_address_in_use, no_permission, ...; any OS
    /// failure leaves the socket in its error state.
    virtual std::error_code bind(const socket_endpoint &local) = 0;
    /// The address actually bound (port chosen by the OS when binding to port 0), or the local
    /// address of a connected socket. Never bound -> socket_illegal_operation_for_state.
    [[nodiscard]] virtual result<socket_endpoint> get_bound_address() const = 0;
    /// Starts listening (stream sockets, after bind). Not bound ->
    /// socket_illegal_operation_for_state.
    virtual std::error_code listen(int backlog) = 0;
    /// Accepts connections on accept_loop, calling on_accept_result for each (and for accept
    /// failures). Not listening -> socket_illegal_operation_for_state; already on a loop ->
    /// event_loop_already_assigned.
    virtual std::error_code start_accept(event_loop &accept_loop, socket_on_accept_result on_accept_result) = 0;
    /// Stops accepting; the socket leaves its loop. Not listening ->
    /// socket_illegal_operation_for_state. May be called off the loop thread (blocks).
    virtual std::error_code stop_accept() = 0;
    /// Closes the socket: unsubscribes, cancels a pending connect (no callback), closes the
    /// descriptor, then completes writes already done with their result and pending writes with
    /// io_errc::socket_closed, in order, before returning. Idempotent. Off the loop thread only
    /// for listening sockets (blocks), otherwise socket_illegal_operation_for_state.
    virtual std::error_code close() = 0;
    /// shutdown(2) in one direction; clears the matching connected bit.
    virtual std::error_code shutdown_dir(channel_direction dir) = 0;
    /// Re-applies options. A different domain or type -> socket_invalid_options.
    virtual std::error_code set_options(const socket_options &options) = 0;
    /// Subscribes the (connected or bound datagram) socket to loop for reads and writes. Already
    /// on a loop -> event_loop_already_assigned.
    virtual std::error_code assign_to_event_loop(event_loop &loop) = 0;
    /// The loop the socket is assigned to, or nullptr.
    [[nodiscard]] virtual event_loop *get_event_loop() const noexcept = 0;
    /// Registers the readable callback (edge-triggered). Not readable ->
    /// socket_not_connected; already registered -> already_subscribed.
    virtual std::error_code subscribe_to_readable_events(socket_on_readable on_readable) = 0;
    /// Reads into dst (loop thread). Returns the bytes read (0 only for an empty dst). Off the
    /// loop thread -> event_loop_thread_only; not readable -> socket_not_connected; nothing
    /// available -> read_would_block; peer closed -> socket_closed; ETIMEDOUT ->
    /// socket_timeout; others -> common_errc::sys_call_failure.
    virtual result<std::size_t> read(std::span<std::uint8_t> dst) = 0;
    /// Queues src (kept alive by the caller until on_completed runs) for writing (loop thread).
    /// Writes complete in order, always from a later task, never inside this call; partial
    /// writes resume when the socket turns writable; a write issued from a completion callback
    /// completes in a later task. Off the loop thread -> event_loop_thread_only; not writable
    /// -> socket_not_connected; the OS fails this very write at once -> that error and no
    /// callback.
    virtual std::error_code write(std::span<const std::uint8_t> src, socket_on_write_completed on_completed) = 0;
    /// Same, but the socket keeps the bytes until the write completes.
    virtual std::error_code write(std::vector<std::uint8_t> bytes, socket_on_write_completed on_completed) = 0;
    /// The pending socket error (SO_ERROR) mapped through socket_error_from_errno; zero if none.
    [[nodiscard]] virtual std::error_code get_error() const = 0;
    /// True until close(): says nothing about being connected.
    [[nodiscard]] virtual bool is_open() const noexcept = 0;

    /// The options in force.
    [[nodiscard]] const socket_options &options() const noexcept { return options_; }
    /// Local endpoint (after bind/connect) and remote endpoint (after connect/accept).
    [[nodiscard]] const socket_endpoint &local_endpoint() const noexcept { return local_endpoint_; }
    [[nodiscard]] const socket_endpoint &remote_endpoint() const noexcept { return remote_endpoint_; }
    /// The OS handle (for diagnostics and tests; do not close it).
    [[nodiscard]] const io_handle &handle() const noexcept { return handle_; }

protected:
    explicit socket(const socket_options &options) : options_(options) {}

    socket_options options_;
    socket_endpoint local_endpoint_;
    socket_endpoint remote_endpoint_;
    io_handle handle_;
};

/// aws_socket_get_default_impl_type: posix on this build.
AWSIO_API socket_impl_type default_socket_impl_type() noexcept;

/// aws_socket_validate_port_for_connect: IP ports 1..65535; vsock any but 0xFFFFFFFF (any);
/// local ignores the port. Invalid -> io_errc::socket_invalid_address.
AWSIO_API std::error_code validate_port_for_connect(std::uint32_t port, socket_domain domain) noexcept;
/// aws_socket_validate_port_for_bind: IP ports 0..65535; vsock and local any.
/// Invalid -> io_errc::socket_invalid_address.
AWSIO_API std::error_code validate_port_for_bind(std::uint32_t port, socket_domain domain) noexcept;

/// aws_parse_ipv4_address: dotted-quad text to the address in network byte order (as stored in
/// in_addr). Anything else -> io_errc::socket_invalid_address.
AWSIO_API result<std::uint32_t> parse_ipv4_address(std::string_view text);
/// aws_parse_ipv6_address: IPv6 text (including IPv4-mapped forms) appended to dst as 16 bytes
/// in network order. Unparsable -> io_errc::socket_invalid_address.
AWSIO_API std::error_code parse_ipv6_address(std::string_view text, std::vector<std::uint8_t> &dst);

/// aws_is_network_interface_name_valid: true when an interface of that name exists.
AWSIO_API bool is_network_interface_name_valid(std::string_view name);

} // namespace awsio
