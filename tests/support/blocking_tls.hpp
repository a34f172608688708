// blocking_tls.hpp — drives the sans-IO awsio::tls::connection over a blocking TCP socket on
// 127.0.0.1, for interop tests against real peers: connect a client or accept one server
// connection, run the handshake, exchange application data, close.
//
// Every wait is bounded by the helper's timeout (poll() / SO_SNDTIMEO): a silent peer yields
// io_errc::socket_timeout, never a hang. Errors are std::error_codes: the engine's own (see
// awsio/tls/connection.hpp) or io_errc for the socket (socket_closed when the peer hangs up
// during the handshake). After an engine error the alert it queued is flushed to the peer.
//
// Threads: one blocking_tls is used by one thread at a time.
#pragma once

#include <awsio/error.hpp>
#include <awsio/result.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace awsio::testing {

/// An owned socket descriptor.
class tcp_socket {
public:
    tcp_socket() noexcept = default;
    explicit tcp_socket(int fd) noexcept : fd_(fd) {}
    tcp_socket(tcp_socket &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    tcp_socket &operator=(tcp_socket &&o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    tcp_socket(const tcp_socket &) = delete;
    tcp_socket &operator=(const tcp_socket &) = delete;
    ~tcp_socket() { reset(); }

    [[nodiscard]] int fd() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    void reset() noexcept {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

private:
    int fd_ = -1;
};

namespace detail {

inline std::error_code errno_error(int err) {
    switch (err) {
    case ECONNREFUSED:
        return make_error_code(io_errc::socket_connection_refused);
    case ECONNRESET:
    case EPIPE:
        return make_error_code(io_errc::socket_closed);
    case ETIMEDOUT:
    case EAGAIN:
        return make_error_code(io_errc::socket_timeout);
    default:
        return {err, std::generic_category()};
    }
}

inline sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    return addr;
}

/// Waits for `events` on fd until `deadline`. Error socket_timeout when it passes.
inline std::error_code wait_fd(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return make_error_code(io_errc::socket_timeout);
        }
        pollfd p{fd, events, 0};
        int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r > 0) {
            return {};
        }
        if (r < 0 && errno != EINTR) {
            return errno_error(errno);
        }
    }
}

inline void set_send_timeout(int fd, std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

} // namespace detail

/// Connects to 127.0.0.1:port (bounded by `timeout`).
inline result<tcp_socket> tcp_connect(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    tcp_socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!s.valid()) {
        return unexpected(detail::errno_error(errno));
    }
    sockaddr_in addr = detail::loopback(port);
    // reinterpret_cast: the sockets API takes a generic address.
    if (::connect(s.fd(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
        if (errno != EINPROGRESS) {
            return unexpected(detail::errno_error(errno));
        }
        if (auto ec = detail::wait_fd(s.fd(), POLLOUT, std::chrono::steady_clock::now() + timeout)) {
            return unexpected(ec);
        }
        int err = 0;
        socklen_t len = sizeof(err);
        ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            return unexpected(detail::errno_error(err));
        }
    }
    // Back to blocking: reads are bounded by poll(), writes by SO_SNDTIMEO.
    ::fcntl(s.fd(), F_SETFL, 0);
    detail::set_send_timeout(s.fd(), timeout);
    return s;
}

/// A listening socket on 127.0.0.1 with a kernel-chosen port (no race with other processes).
class tcp_listener {
public:
    static result<tcp_listener> open() {
        tcp_listener l;
        l.socket_ = tcp_socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!l.socket_.valid()) {
            return unexpected(detail::errno_error(errno));
        }
        sockaddr_in addr = detail::loopback(0);
        socklen_t len = sizeof(addr);
        if (::bind(l.socket_.fd(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0 ||
            ::listen(l.socket_.fd(), 16) != 0 ||
            ::getsockname(l.socket_.fd(), reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
            return unexpected(detail::errno_error(errno));
        }
        l.port_ = ntohs(addr.sin_port);
        return l;
    }

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] int fd() const noexcept { return socket_.fd(); }

    /// Accepts one connection, waiting at most `timeout`.
    result<tcp_socket> accept(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        if (auto ec = detail::wait_fd(socket_.fd(), POLLIN, std::chrono::steady_clock::now() + timeout)) {
            return unexpected(ec);
        }
        tcp_socket s(::accept4(socket_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!s.valid()) {
            return unexpected(detail::errno_error(errno));
        }
        detail::set_send_timeout(s.fd(), timeout);
        return s;
    }

private:
    tcp_socket socket_;
    std::uint16_t port_ = 0;
};

/// One TLS connection over a blocking socket.
class blocking_tls {
public:
    using clock = std::chrono::steady_clock;

    /// Connects to 127.0.0.1:port and creates a client (the handshake has not started).
    static result<blocking_tls> connect_client(std::shared_ptr<const tls::context> ctx, tls::connection_options options,
                                               std::uint16_t port,
                                               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        auto sock = tcp_connect(port, timeout);
        if (!sock) {
            return unexpected(sock.error());
        }
        auto conn = tls::connection::client(std::move(ctx), std::move(options));
        if (!conn) {
            return unexpected(conn.error());
        }
        return blocking_tls(std::move(*sock), std::move(*conn), timeout);
    }

    /// Accepts one connection on `listener` and creates a server for it.
    static result<blocking_tls> accept_server(std::shared_ptr<const tls::context> ctx, tcp_listener &listener,
                                              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        auto sock = listener.accept(timeout);
        if (!sock) {
            return unexpected(sock.error());
        }
        auto conn = tls::connection::server(std::move(ctx));
        if (!conn) {
            return unexpected(conn.error());
        }
        return blocking_tls(std::move(*sock), std::move(*conn), timeout);
    }

    blocking_tls(blocking_tls &&) noexcept = default;
    blocking_tls &operator=(blocking_tls &&) noexcept = default;

    [[nodiscard]] tls::connection &conn() noexcept { return *conn_; }
    [[nodiscard]] const tls::connection &conn() const noexcept { return *conn_; }
    [[nodiscard]] const tls::negotiated_parameters &negotiated() const noexcept { return conn_->negotiated(); }
    /// The peer closed TCP without sending close_notify.
    [[nodiscard]] bool eof_without_close_notify() const noexcept { return eof_ && !conn_->peer_closed(); }
    [[nodiscard]] int fd() const noexcept { return socket_.fd(); }

    /// Runs the handshake to completion (client: sends the ClientHello first).
    std::error_code handshake() {
        auto deadline = clock::now() + timeout_;
        if (!conn_->is_server() && !started_) {
            started_ = true;
            if (auto r = conn_->start(); !r) {
                return fail(r.error());
            }
        }
        while (true) {
            auto r = conn_->read(std::span<std::uint8_t>());
            if (!r) {
                return fail(r.error());
            }
            if (auto ec = flush()) {
                return ec;
            }
            if (conn_->is_connected()) {
                return {};
            }
            if (eof_) {
                return make_error_code(io_errc::socket_closed);
            }
            if (auto ec = receive(deadline)) {
                return ec;
            }
        }
    }

    /// Seals and sends all of `data`.
    std::error_code write_all(std::span<const std::uint8_t> data) {
        if (auto r = conn_->write(data); !r) {
            return fail(r.error());
        }
        return flush();
    }
    std::error_code write_all(std::string_view text) {
        return write_all(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t *>(text.data()), text.size()));
    }

    /// Reads some plaintext into `out`; 0 when the peer closed (close_notify or TCP end).
    /// Post-handshake messages (tickets, KeyUpdate) are processed on the way.
    result<std::size_t> read_some(std::span<std::uint8_t> out) {
        auto deadline = clock::now() + timeout_;
        while (true) {
            auto r = conn_->read(out);
            if (!r) {
                if (r.error() == make_error_code(io_errc::tls_closed_graceful) || conn_->peer_closed()) {
                    return std::size_t{0};
                }
                return unexpected(fail(r.error()));
            }
            if (auto ec = flush()) {
                return unexpected(ec);
            }
            if (*r > 0) {
                return *r;
            }
            if (conn_->pending_plaintext() > 0 || conn_->has_buffered_records()) {
                continue;
            }
            if (conn_->peer_closed() || eof_) {
                return std::size_t{0};
            }
            if (auto ec = receive(deadline)) {
                return unexpected(ec);
            }
        }
    }

    /// Reads until `delimiter` has been received (included in the result) or the peer closes.
    result<std::string> read_until(std::string_view delimiter, std::size_t limit = 1 << 20) {
        std::string got;
        std::array<std::uint8_t, 4096> buf{};
        while (got.find(delimiter) == std::string::npos && got.size() < limit) {
            auto n = read_some(buf);
            if (!n) {
                return unexpected(n.error());
            }
            if (*n == 0) {
                break;
            }
            got.append(reinterpret_cast<const char *>(buf.data()), *n);
        }
        return got;
    }

    /// Reads exactly `n` bytes (fewer if the peer closes first).
    result<std::string> read_exactly(std::size_t n) {
        std::string got;
        std::array<std::uint8_t, 4096> buf{};
        while (got.size() < n) {
            std::size_t want = std::min(buf.size(), n - got.size());
            auto r = read_some(std::span<std::uint8_t>(buf.data(), want));
            if (!r) {
                return unexpected(r.error());
            }
            if (*r == 0) {
                break;
            }
            got.append(reinterpret_cast<const char *>(buf.data()), *r);
        }
        return got;
    }

    /// Reads everything until the peer closes (at most `limit` bytes).
    result<std::string> read_to_end(std::size_t limit = 1 << 20) {
        std::string got;
        std::array<std::uint8_t, 4096> buf{};
        while (got.size() < limit) {
            auto n = read_some(buf);
            if (!n) {
                return unexpected(n.error());
            }
            if (*n == 0) {
                break;
            }
            got.append(reinterpret_cast<const char *>(buf.data()), *n);
        }
        return got;
    }

    /// TLS 1.3 KeyUpdate (update_requested when `request_peer`), sent at once.
    std::error_code key_update(bool request_peer) {
        if (auto r = conn_->key_update(request_peer); !r) {
            return fail(r.error());
        }
        return flush();
    }

    /// Sends close_notify and shuts down our sending side.
    std::error_code close() {
        if (!conn_->closed()) {
            if (auto r = conn_->close(); !r) {
                return r.error();
            }
        }
        auto ec = flush();
        ::shutdown(socket_.fd(), SHUT_WR);
        return ec;
    }

    /// Sends whatever the engine has queued.
    std::error_code flush() {
        while (!conn_->output().empty()) {
            auto out = conn_->output();
            ssize_t n = ::send(socket_.fd(), out.data(), out.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return detail::errno_error(errno);
            }
            conn_->consume_output(static_cast<std::size_t>(n));
        }
        return {};
    }

private:
    blocking_tls(tcp_socket s, tls::connection c, std::chrono::milliseconds timeout)
        : socket_(std::move(s)), conn_(std::move(c)), timeout_(timeout) {}

    /// After an engine error: send the alert it queued (best effort), return the error.
    std::error_code fail(std::error_code ec) {
        (void)flush();
        return ec;
    }

    /// Waits for bytes and feeds them; sets eof_ at TCP end of stream.
    std::error_code receive(clock::time_point deadline) {
        if (auto ec = detail::wait_fd(socket_.fd(), POLLIN, deadline)) {
            return ec;
        }
        std::array<std::uint8_t, 16384> buf{};
        while (true) {
            ssize_t n = ::recv(socket_.fd(), buf.data(), buf.size(), 0);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                if (errno == ECONNRESET) {
                    eof_ = true;
                    return {};
                }
                return detail::errno_error(errno);
            }
            if (n == 0) {
                eof_ = true;
                return {};
            }
            conn_->feed(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
            return {};
        }
    }

    tcp_socket socket_;
    std::optional<tls::connection> conn_;
    std::chrono::milliseconds timeout_;
    bool started_ = false;
    bool eof_ = false;
};

/// What one connection accepted by tls_server_thread did.
struct server_session {
    std::error_code accept_error;    ///< accept / connection creation
    std::error_code handshake_error;
    std::error_code handler_error;   ///< returned by the handler
    tls::negotiated_parameters negotiated;
    std::string received;            ///< filled by handlers that record what they read
    std::uint64_t key_updates_received = 0;
    std::uint64_t key_updates_sent = 0;
};

/// An awsio TLS server on 127.0.0.1 for peer clients: a thread accepts `connections`
/// connections one after another, runs each handshake, then the handler. Bounded: every accept
/// and I/O wait uses the timeout; the destructor wakes a pending accept and joins.
class tls_server_thread {
public:
    using handler = std::function<std::error_code(blocking_tls &, server_session &)>;

    static result<std::unique_ptr<tls_server_thread>> start(std::shared_ptr<const tls::context> ctx, int connections,
                                                            handler h,
                                                            std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        auto listener = tcp_listener::open();
        if (!listener) {
            return unexpected(listener.error());
        }
        std::unique_ptr<tls_server_thread> s(new tls_server_thread(std::move(*listener)));
        s->thread_ = std::thread([srv = s.get(), ctx = std::move(ctx), connections, h = std::move(h), timeout]() mutable {
            srv->run(ctx, connections, h, timeout);
        });
        return s;
    }

    tls_server_thread(const tls_server_thread &) = delete;
    tls_server_thread &operator=(const tls_server_thread &) = delete;
    ~tls_server_thread() { join(); }

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

    /// Waits for the thread (bounded by its timeouts); the sessions it served.
    std::vector<server_session> join() {
        if (thread_.joinable()) {
            thread_.join();
        }
        std::lock_guard<std::mutex> lock(mutex_);
        return sessions_;
    }

    /// Stops waiting for connections (a pending accept fails at once), then joins.
    std::vector<server_session> cancel() {
        stopping_ = true;
        ::shutdown(listen_fd_, SHUT_RDWR);
        return join();
    }

private:
    explicit tls_server_thread(tcp_listener l)
        : listener_(std::move(l)), port_(listener_.port()), listen_fd_(listener_.fd()) {}

    void run(const std::shared_ptr<const tls::context> &ctx, int connections, handler &h,
             std::chrono::milliseconds timeout) {
        for (int i = 0; i < connections && !stopping_; ++i) {
            server_session session;
            auto conn = blocking_tls::accept_server(ctx, listener_, timeout);
            if (!conn) {
                session.accept_error = conn.error();
                record(std::move(session));
                return;
            }
            session.handshake_error = conn->handshake();
            if (!session.handshake_error) {
                session.negotiated = conn->negotiated();
                if (h) {
                    session.handler_error = h(*conn, session);
                }
            }
            session.key_updates_received = conn->conn().key_updates_received();
            session.key_updates_sent = conn->conn().key_updates_sent();
            record(std::move(session));
        }
    }

    void record(server_session s) {
        std::lock_guard<std::mutex> lock(mutex_);
        sessions_.push_back(std::move(s));
    }

    tcp_listener listener_;
    std::uint16_t port_;
    int listen_fd_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<server_session> sessions_;
    std::thread thread_;
};

} // namespace awsio::testing
