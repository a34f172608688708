// awsio/socket_channel_handler.hpp — the left-most channel handler that moves bytes between a
// socket and a channel. Mirrors aws-c-io's socket_channel_handler.h (aws_socket_handler_new,
// aws_socket_handler_get_socket).
//
// Reads: whenever the socket turns readable (also when the notification carries an error, so
// data sent just before a hang-up is still delivered), on channel::trigger_read() and when the
// slot to the right grants read window, the handler reads at most
// min(max_read_size, downstream read window) bytes in pool messages and passes them right.
// A read that fills that budget schedules another read in a channel task instead of reading
// on, so one busy connection cannot starve the others on its loop. A read that stops short
// must have stopped at read_would_block; any other error (socket_closed on EOF or hang-up,
// socket_timeout, ...) shuts the channel down with that error.
//
// Writes: each write message is written as a whole; its on_completion runs with the result once
// the socket finished with it (never synchronously), the message is then released, and a failed
// write shuts the channel down with its error. A write on a closed socket -> socket_closed.
//
// Shutdown: read direction — with free_scarce_resources_immediately the socket is closed first;
// write direction — the socket is closed (pending writes complete with socket_closed) and the
// completion is signalled from a channel task so a read task already queued runs first.
//
// The handler owns the socket: it is destroyed with the handler (when the slot or channel is).
// Every member runs on the channel's loop thread; the socket must already be assigned to it.
#pragma once

#include <awsio/channel.hpp>
#include <awsio/export.hpp>
#include <awsio/result.hpp>
#include <awsio/socket.hpp>

#include <cstddef>
#include <memory>

namespace awsio {

/// Read budget aws-c-io's bootstrap gives socket handlers (one max-size fragment).
inline constexpr std::size_t default_socket_handler_max_read_size = 16 * 1024;

/// Creates a socket handler owning `sock` and installs it in `slot` (aws_socket_handler_new).
/// Loop thread. Subscribes to the socket's readable events. Errors: sock null or max_read_size
/// 0 -> common_errc::invalid_argument; the slot already has a handler ->
/// common_errc::invalid_state; the socket cannot be subscribed (not connected, already
/// subscribed) -> the socket's error. On error the socket is destroyed.
AWSIO_API result<channel_handler *> install_socket_handler(channel_slot &slot, std::unique_ptr<socket> sock,
                                                           std::size_t max_read_size =
                                                               default_socket_handler_max_read_size);

/// The socket of a handler made by install_socket_handler (aws_socket_handler_get_socket), or
/// nullptr when `handler` is some other handler.
AWSIO_API socket *socket_handler_get_socket(channel_handler &handler) noexcept;

} // namespace awsio
