// tls_channel_fixtures.hpp — building blocks for TLS channel tests through the bootstraps (the role
// of the tls_test_args / tls_local_server_tester helpers in aws-c-io's tests/tls_handler_test.c):
// TLS contexts from the X.509 fixtures, a per-connection event recorder that checks the callback
// contract (one setup, after on_negotiation_result; no shutdown after a failed setup), an awsio
// TLS server listener and a silent TCP listener (openssl peers: openssl_peers.hpp).
//
// Every wait is bounded (10 s by default) and reports failure instead of hanging.
#pragma once

#include "support/peer_process.hpp"
#include "support/rw_handler.hpp"
#include "support/tls_test_contexts.hpp"

#include <awsio/bootstrap.hpp>
#include <awsio/channel.hpp>
#include <awsio/error.hpp>
#include <awsio/tls/alpn.hpp>
#include <awsio/tls/channel_handler.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>
#include <awsio/tls/options.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace awsio::testing {

inline constexpr std::chrono::milliseconds default_wait{10000};

// ------------------------------------------------------------------------------------------
// Contexts

/// make_client_context / make_server_context (tls_test_contexts.hpp) for the channel tests:
/// nullptr, with a test failure, when the context cannot be made.
inline std::shared_ptr<const tls::context> make_client_ctx(const client_config &c = {}) {
    auto ctx = make_client_context(c);
    if (!ctx) {
        ADD_FAILURE() << "client context: " << ctx.error().message();
        return nullptr;
    }
    return *ctx;
}

inline std::shared_ptr<const tls::context> make_server_ctx(const server_config &c = {}) {
    auto ctx = make_server_context(c);
    if (!ctx) {
        ADD_FAILURE() << "server context: " << ctx.error().message();
        return nullptr;
    }
    return *ctx;
}

// ------------------------------------------------------------------------------------------
// Events of one side of a connection (or of every connection of a listener: counts add up)

struct rw_config {
    bool install = false; ///< put an rw_handler at the end of the channel once set up
    bool back_pressure = false;
    std::size_t window = 16 * 1024;
};

struct conn_events {
    std::mutex m;
    std::condition_variable cv;
    int sequence = 0;
    int negotiation_calls = 0;
    int negotiation_order = 0; ///< sequence number of the last on_negotiation_result
    std::error_code negotiation_error;
    std::string protocol;
    std::string server_name;
    std::size_t peer_chain_length = 0; ///< certificates the peer sent
    bool peer_verified = false;
    std::string version;
    int setup_calls = 0;
    int setup_order = 0;
    int setup_errors = 0;
    std::error_code setup_error;
    bool setup_negotiated_first = true; ///< every successful setup came after on_negotiation_result
    int shutdown_calls = 0;
    std::error_code shutdown_error;
    int alpn_calls = 0;
    std::string alpn_protocol;
    bool listener_destroyed = false;
    std::shared_ptr<channel> ch; ///< the last channel set up
    rw_handler *rw = nullptr;    ///< its rw_handler (when installed)
    std::shared_ptr<rw_handler::shared_state> rw_state = std::make_shared<rw_handler::shared_state>();
    rw_config rw_cfg;

    template <typename Pred>
    bool wait(Pred pred, std::chrono::milliseconds limit = default_wait) {
        std::unique_lock<std::mutex> lock(m);
        return cv.wait_for(lock, limit, pred);
    }

    void on_negotiation(channel_handler &handler, std::error_code ec) {
        std::lock_guard<std::mutex> lock(m);
        ++negotiation_calls;
        negotiation_order = ++sequence;
        negotiation_error = ec;
        if (!ec) {
            protocol = std::string(tls::handler_protocol(handler));
            server_name = std::string(tls::handler_server_name(handler));
            if (const tls::negotiated_parameters *p = tls::handler_negotiated_parameters(handler)) {
                peer_chain_length = p->peer_certificates.size();
                peer_verified = p->peer_verified;
                version = p->version;
            }
        }
        cv.notify_all();
    }

    std::unique_ptr<channel_handler> make_rw() {
        return std::make_unique<rw_handler>(rw_state, rw_cfg.back_pressure, rw_cfg.window);
    }

    void on_setup(std::error_code ec, channel *c) {
        rw_handler *installed = nullptr;
        if (!ec && c != nullptr && rw_cfg.install) {
            channel_slot &slot = c->new_slot();
            EXPECT_FALSE(c->insert_end(slot));
            auto h = make_rw();
            installed = static_cast<rw_handler *>(h.get());
            EXPECT_FALSE(slot.set_handler(std::move(h)));
        }
        std::lock_guard<std::mutex> lock(m);
        ++setup_calls;
        setup_order = ++sequence;
        setup_error = ec;
        if (ec) {
            ++setup_errors;
            EXPECT_EQ(c, nullptr);
        } else {
            if (negotiation_calls == 0 || negotiation_order > setup_order) {
                setup_negotiated_first = false;
            }
            ch = c->shared_from_this();
            if (installed != nullptr) {
                rw = installed;
            }
        }
        cv.notify_all();
    }

    void on_shutdown(std::error_code ec) {
        std::lock_guard<std::mutex> lock(m);
        ++shutdown_calls;
        shutdown_error = ec;
        cv.notify_all();
    }

    std::unique_ptr<channel_handler> on_alpn(std::string_view proto) {
        auto h = make_rw();
        std::lock_guard<std::mutex> lock(m);
        ++alpn_calls;
        alpn_protocol = std::string(proto);
        rw = static_cast<rw_handler *>(h.get());
        cv.notify_all();
        return h;
    }

    /// Drops the channel reference held here (after the channel shut down).
    void release_channel() {
        std::lock_guard<std::mutex> lock(m);
        ch.reset();
        rw = nullptr;
    }
};

/// Client bootstrap options reporting into `ev`. `tls` gets ev's negotiation callback.
inline socket_channel_bootstrap_options client_options(conn_events &ev, std::uint16_t port,
                                                        std::optional<tls::tls_connection_options> tls,
                                                        bool back_pressure = false) {
    socket_channel_bootstrap_options o;
    o.host_name = "127.0.0.1";
    o.port = port;
    o.socket_options.connect_timeout_ms = 10000;
    o.enable_read_back_pressure = back_pressure;
    if (tls) {
        tls->on_negotiation_result = [&ev](channel_handler &h, channel_slot &, std::error_code ec) {
            ev.on_negotiation(h, ec);
        };
    }
    o.tls_options = std::move(tls);
    o.setup_callback = [&ev](std::error_code ec, channel *c) { ev.on_setup(ec, c); };
    o.shutdown_callback = [&ev](std::error_code ec, channel &) { ev.on_shutdown(ec); };
    return o;
}

/// Client TLS options from a context, server name "localhost".
inline tls::tls_connection_options client_tls(std::shared_ptr<const tls::context> ctx,
                                              std::string server_name = "localhost") {
    auto o = tls::tls_connection_options::from_ctx(std::move(ctx));
    o.set_server_name(server_name);
    return o;
}

/// Shuts `c` down from its own loop (any thread).
inline void shutdown_channel(const std::shared_ptr<channel> &c, std::error_code ec = {}) {
    ASSERT_NE(c, nullptr);
    c->loop().schedule_now([c, ec](task_status) { (void)c->shutdown(ec); });
}

/// The channel's state, read on its loop. std::nullopt when the loop did not answer in time.
inline std::optional<channel_state> state_of(const std::shared_ptr<channel> &c) {
    auto p = std::make_shared<std::promise<channel_state>>();
    auto f = p->get_future();
    c->loop().schedule_now([c, p](task_status) { p->set_value(c->state()); });
    if (f.wait_for(default_wait) != std::future_status::ready) {
        return std::nullopt;
    }
    return f.get();
}

/// Waits (bounded) until the channel left the active state.
inline bool wait_until_shutting_down(const std::shared_ptr<channel> &c) {
    const auto deadline = std::chrono::steady_clock::now() + default_wait;
    while (std::chrono::steady_clock::now() < deadline) {
        auto st = state_of(c);
        if (!st) {
            return false;
        }
        if (*st != channel_state::active) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
}

// ------------------------------------------------------------------------------------------
// An awsio TLS server (server bootstrap listener on 127.0.0.1, OS-chosen port)

class tls_server {
public:
    conn_events ev;

    /// Starts listening; check ok().
    tls_server(const std::shared_ptr<server_bootstrap> &bootstrap, std::shared_ptr<const tls::context> ctx,
               rw_config rw = {}, bool back_pressure = false, bool with_alpn_handler = false)
        : bootstrap_(bootstrap) {
        ev.rw_cfg = rw;
        server_socket_channel_bootstrap_options so;
        so.host_name = "127.0.0.1";
        so.port = 0;
        so.enable_read_back_pressure = back_pressure;
        auto tls = tls::tls_connection_options::from_ctx(std::move(ctx));
        tls.on_negotiation_result = [this](channel_handler &h, channel_slot &, std::error_code ec) {
            ev.on_negotiation(h, ec);
        };
        so.tls_options = std::move(tls);
        if (with_alpn_handler) {
            so.on_protocol_negotiated = [this](channel_slot &, std::string_view proto) { return ev.on_alpn(proto); };
        }
        so.incoming_callback = [this](std::error_code ec, channel *c) { ev.on_setup(ec, c); };
        so.shutdown_callback = [this](std::error_code ec, channel &) { ev.on_shutdown(ec); };
        so.destroy_callback = [this] {
            std::lock_guard<std::mutex> lock(ev.m);
            ev.listener_destroyed = true;
            ev.cv.notify_all();
        };
        auto l = bootstrap->new_socket_listener(std::move(so));
        if (!l) {
            ADD_FAILURE() << "listener: " << l.error().message();
            return;
        }
        listener_ = *l;
        port_ = static_cast<std::uint16_t>(listener_->bound_endpoint().port);
    }

    tls_server(const tls_server &) = delete;
    tls_server &operator=(const tls_server &) = delete;

    ~tls_server() { destroy(); }

    [[nodiscard]] bool ok() const noexcept { return listener_ != nullptr; }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

    /// Destroys the listener (shutting down its channels) and waits for destroy_callback.
    void destroy() {
        if (listener_ == nullptr) {
            return;
        }
        EXPECT_FALSE(bootstrap_->destroy_socket_listener(listener_));
        listener_ = nullptr;
        EXPECT_TRUE(ev.wait([&] { return ev.listener_destroyed; })) << "listener not destroyed";
        ev.release_channel();
    }

private:
    std::shared_ptr<server_bootstrap> bootstrap_;
    socket_listener *listener_ = nullptr;
    std::uint16_t port_ = 0;
};

// ------------------------------------------------------------------------------------------
// A TCP listener on 127.0.0.1 that never accepts and never answers (connects still complete
// through the backlog).

class silent_listener {
public:
    silent_listener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) {
            return;
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(addr);
        if (::bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0 || ::listen(fd_, 16) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
            ::close(fd_);
            fd_ = -1;
            return;
        }
        port_ = ntohs(addr.sin_port);
    }
    silent_listener(const silent_listener &) = delete;
    silent_listener &operator=(const silent_listener &) = delete;
    ~silent_listener() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    [[nodiscard]] bool ok() const noexcept { return fd_ >= 0; }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

/// Connects a plain TCP socket to 127.0.0.1:port, sends `bytes`, then closes it. False when the
/// connection failed.
inline bool connect_send_and_hang_up(std::uint16_t port, std::string_view bytes) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0;
    if (ok && !bytes.empty()) {
        ok = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
    }
    ::close(fd);
    return ok;
}

} // namespace awsio::testing
