// TLS channels through the bootstraps on 127.0.0.1 (aws-c-io tests/tls_handler_test.c, TLS 1.3):
// awsio server + awsio client (echo with back-pressure, shutdown with cached data, statistics,
// ALPN, server name, several connections, mutual TLS, certificate chains), an awsio client
// against `openssl s_server -tls1_3` serving the X.509 fixtures in place of badssl.com (expired,
// wrong host, self-signed, untrusted root, no subject / no common name, incomplete chain, key
// algorithms; each with verification on and off), a silent server (negotiation timeout), a raw
// client hanging up mid-handshake, and TLS added to an existing plain channel. TLS 1.2: a TLS
// 1.2-only s_server (success), TLS 1.0 / 1.1 and broken-crypto servers (negotiation failure), and
// mutual TLS 1.2 between two awsio ends.
//
// Every test checks the callback contract: setup exactly once and after on_negotiation_result,
// no shutdown callback after a failed setup, errors as the mapped io_errc.
#include "support/openssl_peers.hpp"
#include "support/tls_channel_fixtures.hpp"
#include "support/tls_test_contexts.hpp"

#include <awsio/bootstrap.hpp>
#include <awsio/error.hpp>
#include <awsio/io.hpp>
#include <awsio/statistics.hpp>
#include <awsio/tls/channel_handler.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// Designated initializers name only the fields a case changes.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace awsio;
using namespace awsio::testing;
using namespace std::chrono_literals;

namespace {

#define AWSIO_REQUIRE_OPENSSL()                                                                                       \
    if (!has_program("openssl")) GTEST_SKIP() << "openssl not installed"

std::string pattern(std::size_t n, unsigned seed) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        s[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
    }
    return s;
}

class tls_handler_test : public ::testing::Test {
protected:
    void SetUp() override {
        event_loop_group_options go;
        go.loop_count = 2;
        auto group_done = std::make_shared<std::promise<void>>();
        group_gone_ = group_done->get_future();
        go.on_shutdown_complete = [group_done] { group_done->set_value(); };
        auto g = event_loop_group::create(std::move(go));
        ASSERT_TRUE(g) << g.error().message();
        group_ = *g;

        client_bootstrap_options cbo;
        cbo.event_loop_group = group_;
        auto client_done = std::make_shared<std::promise<void>>();
        client_gone_ = client_done->get_future();
        cbo.on_shutdown_complete = [client_done] { client_done->set_value(); };
        auto c = client_bootstrap::create(std::move(cbo));
        ASSERT_TRUE(c) << c.error().message();
        client_ = *c;

        auto s = server_bootstrap::create({group_});
        ASSERT_TRUE(s) << s.error().message();
        server_ = *s;
    }

    void TearDown() override {
        release_client_bootstrap();
        for (auto &e : events_) {
            e->release_channel();
        }
        server_.reset();
        group_.reset();
        if (group_gone_.valid()) {
            EXPECT_EQ(group_gone_.wait_for(10s), std::future_status::ready) << "event loop group did not shut down";
        }
        join_all_managed_threads();
        events_.clear();
    }

    /// Drops the client bootstrap and waits until every connection it made is finished (each
    /// holds the bootstrap until its last callback ran).
    void release_client_bootstrap() {
        if (!client_) {
            return;
        }
        client_.reset();
        EXPECT_EQ(client_gone_.wait_for(10s), std::future_status::ready) << "client bootstrap still referenced";
    }

    /// A client TLS connection; returns the error new_socket_channel returned.
    std::error_code connect(conn_events &ev, std::uint16_t port, tls::tls_connection_options tls,
                            bool back_pressure = false, tls::on_protocol_negotiated_fn alpn = {}) {
        auto o = client_options(ev, port, std::move(tls), back_pressure);
        o.on_protocol_negotiated = std::move(alpn);
        return client_->new_socket_channel(std::move(o));
    }

    /// Waits for a successful setup of both ends and checks the contract.
    static void expect_setup_ok(conn_events &ev, const char *side) {
        ASSERT_TRUE(ev.wait([&] { return ev.setup_calls > 0; })) << side << ": no setup callback";
        std::lock_guard<std::mutex> lock(ev.m);
        EXPECT_EQ(ev.setup_calls, 1) << side;
        EXPECT_FALSE(ev.setup_error) << side << ": " << ev.setup_error.message();
        EXPECT_EQ(ev.negotiation_calls, 1) << side;
        EXPECT_FALSE(ev.negotiation_error) << side << ": " << ev.negotiation_error.message();
        EXPECT_TRUE(ev.setup_negotiated_first) << side << ": setup before on_negotiation_result";
        EXPECT_NE(ev.ch, nullptr) << side;
    }

    /// Closes the channel from this side and waits for the shutdown callbacks of both sides.
    static void shutdown_both(conn_events &closer, conn_events &peer) {
        std::shared_ptr<channel> c;
        {
            std::lock_guard<std::mutex> lock(closer.m);
            c = closer.ch;
        }
        shutdown_channel(c);
        EXPECT_TRUE(closer.wait([&] { return closer.shutdown_calls > 0; })) << "no shutdown callback";
        EXPECT_TRUE(peer.wait([&] { return peer.shutdown_calls > 0; })) << "peer: no shutdown callback";
    }

    /// Connects a client with `tls` to the s_server `peer`; returns the setup error after checking
    /// the callback contract (a channel that came up is shut down again). `server_name` and
    /// `version` get what the client's on_negotiation_result saw.
    std::error_code run_client(tls::tls_connection_options tls, const s_server &peer,
                               std::string *server_name = nullptr, std::string *version = nullptr) {
        conn_events &cli = events();
        if (std::error_code ec = connect(cli, peer.port(), std::move(tls))) {
            ADD_FAILURE() << "new_socket_channel: " << ec.message();
            return ec;
        }
        if (!cli.wait([&] { return cli.setup_calls > 0; })) {
            ADD_FAILURE() << "no setup callback\n" << peer.describe();
            release_client_bootstrap();
            return common_errc::unknown;
        }
        std::error_code setup_error;
        {
            std::lock_guard<std::mutex> lock(cli.m);
            setup_error = cli.setup_error;
            EXPECT_EQ(cli.setup_calls, 1);
            EXPECT_EQ(cli.negotiation_calls, 1);
            EXPECT_EQ(cli.negotiation_error, setup_error) << "on_negotiation_result and setup disagree";
            if (server_name != nullptr) {
                *server_name = cli.server_name;
            }
            if (version != nullptr) {
                *version = cli.version;
            }
        }
        if (!setup_error) {
            EXPECT_TRUE(cli.setup_negotiated_first);
            shutdown_channel(cli.ch);
            EXPECT_TRUE(cli.wait([&] { return cli.shutdown_calls > 0; }));
            cli.release_channel();
        }
        release_client_bootstrap();
        EXPECT_EQ(cli.shutdown_calls, setup_error ? 0 : 1) << "shutdown callback after a failed setup";
        return setup_error;
    }

    std::shared_ptr<event_loop_group> group_;
    std::shared_ptr<client_bootstrap> client_;
    std::shared_ptr<server_bootstrap> server_;
    std::future<void> group_gone_;

    /// Event recorders outlive every callback: they are freed after the client bootstrap (and
    /// so every connection it made) is gone.
    conn_events &events() {
        events_.push_back(std::make_unique<conn_events>());
        return *events_.back();
    }
    std::vector<std::unique_ptr<conn_events>> events_;
    std::future<void> client_gone_;

private:
    io_library lib_;
};

// ------------------------------------------------------------------------------------------
// awsio server <-> awsio client

TEST_F(tls_handler_test, tls_channel_echo_and_backpressure_test) {
    const std::string read_tag = "I'm a little teapot.";
    const std::string write_tag = "I'm a big teapot";
    // Small windows: each side sees only half of the other's first message until it grants more.
    tls_server srv(server_, make_server_ctx({.alpn = "h2;http/1.1"}),
                   rw_config{.install = true, .back_pressure = true, .window = read_tag.size() / 2}, true);
    ASSERT_TRUE(srv.ok());
    conn_events &cli = events();
    cli.rw_cfg = rw_config{.install = true, .back_pressure = true, .window = write_tag.size() / 2};
    auto tls = client_tls(make_client_ctx());
    ASSERT_TRUE(tls.set_alpn_list("h2;http/1.1"));
    ASSERT_FALSE(connect(cli, srv.port(), tls, true));

    expect_setup_ok(cli, "client");
    expect_setup_ok(srv.ev, "server");
    EXPECT_EQ(cli.protocol, "h2");
    EXPECT_EQ(srv.ev.protocol, "h2");
    ASSERT_NE(cli.rw, nullptr);
    ASSERT_NE(srv.ev.rw, nullptr);

    cli.rw->write(write_tag);
    srv.ev.rw->write(read_tag);
    const std::size_t server_window = read_tag.size() / 2;
    const std::size_t client_window = write_tag.size() / 2;
    ASSERT_TRUE(srv.ev.rw_state->wait([&](auto &s) { return s.received.size() >= server_window; }, default_wait));
    ASSERT_TRUE(cli.rw_state->wait([&](auto &s) { return s.received.size() >= client_window; }, default_wait));
    EXPECT_EQ(srv.ev.rw_state->received_string(), write_tag.substr(0, server_window));
    EXPECT_EQ(cli.rw_state->received_string(), read_tag.substr(0, client_window));
    {
        std::lock_guard<std::mutex> l1(srv.ev.rw_state->mutex);
        EXPECT_EQ(srv.ev.rw_state->read_calls, 1u);
    }
    {
        std::lock_guard<std::mutex> l2(cli.rw_state->mutex);
        EXPECT_EQ(cli.rw_state->read_calls, 1u);
    }

    srv.ev.rw->increment_window(100);
    cli.rw->increment_window(100);
    ASSERT_TRUE(srv.ev.rw_state->wait([&](auto &s) { return s.received.size() >= write_tag.size(); }));
    ASSERT_TRUE(cli.rw_state->wait([&](auto &s) { return s.received.size() >= read_tag.size(); }));
    EXPECT_EQ(srv.ev.rw_state->received_string(), write_tag);
    EXPECT_EQ(cli.rw_state->received_string(), read_tag);
    {
        std::lock_guard<std::mutex> l1(srv.ev.rw_state->mutex);
        EXPECT_EQ(srv.ev.rw_state->read_calls, 2u);
    }
    {
        std::lock_guard<std::mutex> l2(cli.rw_state->mutex);
        EXPECT_EQ(cli.rw_state->read_calls, 2u);
    }

    // Larger than a record (and than the 64 KiB window-update threshold) both ways, granted in
    // 16 KiB steps: no side ever receives more than it granted.
    const std::string big_up = pattern(200 * 1024 + 123, 1);
    const std::string big_down = pattern(150 * 1024 + 7, 2);
    const std::size_t srv_base = srv.ev.rw_state->received_size();
    const std::size_t cli_base = cli.rw_state->received_size();
    // What is left of each window: initial + 100 granted - consumed.
    std::size_t srv_granted = server_window + 100 - write_tag.size();
    std::size_t cli_granted = client_window + 100 - read_tag.size();
    cli.rw->write(big_up);
    srv.ev.rw->write(big_down);
    for (int step = 0; step < 64; ++step) {
        const std::size_t srv_got = srv.ev.rw_state->received_size() - srv_base;
        const std::size_t cli_got = cli.rw_state->received_size() - cli_base;
        EXPECT_LE(srv_got, srv_granted) << "server read past its window";
        EXPECT_LE(cli_got, cli_granted) << "client read past its window";
        if (srv_got == big_up.size() && cli_got == big_down.size()) {
            break;
        }
        if (srv_got < big_up.size()) {
            srv.ev.rw->increment_window(16 * 1024);
            srv_granted += 16 * 1024;
        }
        if (cli_got < big_down.size()) {
            cli.rw->increment_window(16 * 1024);
            cli_granted += 16 * 1024;
        }
        const std::size_t srv_want = std::min(big_up.size(), srv_granted);
        const std::size_t cli_want = std::min(big_down.size(), cli_granted);
        ASSERT_TRUE(srv.ev.rw_state->wait([&](auto &s) { return s.received.size() - srv_base >= srv_want; }))
            << "server stalled at " << srv.ev.rw_state->received_size() - srv_base << " of " << srv_want;
        ASSERT_TRUE(cli.rw_state->wait([&](auto &s) { return s.received.size() - cli_base >= cli_want; }))
            << "client stalled at " << cli.rw_state->received_size() - cli_base << " of " << cli_want;
    }
    EXPECT_EQ(srv.ev.rw_state->received_string().substr(srv_base), big_up);
    EXPECT_EQ(cli.rw_state->received_string().substr(cli_base), big_down);

    // Closing the server side ends the client too (close_notify: no error).
    shutdown_both(srv.ev, cli);
    {
        std::lock_guard<std::mutex> lock(cli.m);
        EXPECT_EQ(cli.shutdown_calls, 1);
        EXPECT_FALSE(cli.shutdown_error) << cli.shutdown_error.message();
    }
    srv.destroy();
    cli.release_channel();
    release_client_bootstrap();
    EXPECT_EQ(srv.ev.shutdown_calls, 1);
    EXPECT_EQ(cli.setup_calls, 1);
}

// tls_channel_shutdown_with_cache_test: the client opens its window (from the channel's point of
// view a window update already queued) and the server shuts down right after, while part of the
// data still waits in the client's TLS handler: everything is delivered, and the client's channel
// then shuts down on its own.
TEST_F(tls_handler_test, tls_channel_shutdown_with_cache_test) {
    const std::string read_tag = "I'm a little teapot.";
    const std::string write_tag = "I'm a big teapot";
    tls_server srv(server_, make_server_ctx(), rw_config{.install = true, .back_pressure = true, .window = 1 << 20},
                   true);
    ASSERT_TRUE(srv.ok());
    conn_events &cli = events();
    const std::size_t client_window = write_tag.size() / 2;
    cli.rw_cfg = rw_config{.install = true, .back_pressure = true, .window = client_window};
    ASSERT_FALSE(connect(cli, srv.port(), client_tls(make_client_ctx()), true));
    expect_setup_ok(cli, "client");
    expect_setup_ok(srv.ev, "server");

    srv.ev.rw->write(read_tag);
    ASSERT_TRUE(cli.rw_state->wait([&](auto &s) { return s.received.size() >= client_window; }));
    EXPECT_EQ(cli.rw_state->received_string(), read_tag.substr(0, client_window));

    std::shared_ptr<channel> server_ch;
    {
        std::lock_guard<std::mutex> lock(srv.ev.m);
        server_ch = srv.ev.ch;
    }
    cli.rw->increment_window(100);
    shutdown_channel(server_ch);
    ASSERT_TRUE(srv.ev.wait([&] { return srv.ev.shutdown_calls > 0; }));

    ASSERT_TRUE(cli.rw_state->wait([&](auto &s) { return s.received.size() >= read_tag.size(); }));
    EXPECT_EQ(cli.rw_state->received_string(), read_tag);
    ASSERT_TRUE(cli.wait([&] { return cli.shutdown_calls > 0; }));
    {
        std::lock_guard<std::mutex> lock(cli.m);
        EXPECT_EQ(cli.shutdown_calls, 1);
        // Either the close_notify (read once the window opened) or the end of the stream ended
        // the client's channel, depending on which it saw first: never an engine error.
        EXPECT_TRUE(!cli.shutdown_error || cli.shutdown_error == make_error_code(io_errc::socket_closed))
            << cli.shutdown_error.message();
    }
    {
        std::lock_guard<std::mutex> lock(cli.rw_state->mutex);
        EXPECT_EQ(cli.rw_state->read_calls, 2u);
        EXPECT_TRUE(cli.rw_state->shutdown_read);
    }
    server_ch.reset();
    srv.destroy();
    cli.release_channel();
}

// tls_channel_shutdown_with_cache_window_update_after_shutdown_test: data the client's TLS
// handler holds back (no window) when the server goes away must still be delivered once the
// window opens after the server finished shutting down, before the client's channel finishes
// shutting down.
TEST_F(tls_handler_test, tls_channel_shutdown_with_cache_window_update_after_shutdown_test) {
    const std::string read_tag = "I'm a little teapot.";
    const std::string write_tag = "I'm a big teapot";
    tls_server srv(server_, make_server_ctx(), rw_config{.install = true, .back_pressure = true, .window = 1 << 20},
                   true);
    ASSERT_TRUE(srv.ok());
    conn_events &cli = events();
    const std::size_t client_window = write_tag.size() / 2;
    cli.rw_cfg = rw_config{.install = true, .back_pressure = true, .window = client_window};
    ASSERT_FALSE(connect(cli, srv.port(), client_tls(make_client_ctx()), true));
    expect_setup_ok(cli, "client");
    expect_setup_ok(srv.ev, "server");

    srv.ev.rw->write(read_tag);
    ASSERT_TRUE(cli.rw_state->wait([&](auto &s) { return s.received.size() >= client_window; }));
    EXPECT_EQ(cli.rw_state->received_string(), read_tag.substr(0, client_window));

    // The server shuts down (close_notify, then the socket closes) while the rest of read_tag
    // waits in the client's TLS handler.
    std::shared_ptr<channel> server_ch;
    {
        std::lock_guard<std::mutex> lock(srv.ev.m);
        server_ch = srv.ev.ch;
    }
    shutdown_channel(server_ch);
    ASSERT_TRUE(srv.ev.wait([&] { return srv.ev.shutdown_calls > 0; }));
    // The client's channel learns of it (the socket closed) and starts shutting down; its read
    // shutdown stays pending on the cached data.
    std::shared_ptr<channel> client_ch;
    {
        std::lock_guard<std::mutex> lock(cli.m);
        client_ch = cli.ch;
    }
    ASSERT_TRUE(wait_until_shutting_down(client_ch));
    {
        std::lock_guard<std::mutex> lock(cli.m);
        EXPECT_EQ(cli.shutdown_calls, 0) << "client finished shutting down with data undelivered";
    }
    EXPECT_EQ(cli.rw_state->received_size(), client_window);

    cli.rw->increment_window(100);
    ASSERT_TRUE(cli.rw_state->wait([&](auto &s) { return s.received.size() >= read_tag.size(); }));
    EXPECT_EQ(cli.rw_state->received_string(), read_tag);
    ASSERT_TRUE(cli.wait([&] { return cli.shutdown_calls > 0; }));
    {
        std::lock_guard<std::mutex> lock(cli.m);
        EXPECT_EQ(cli.shutdown_calls, 1);
        // The socket's end of stream started the shutdown (the close_notify behind the cached
        // data could not be read yet).
        EXPECT_EQ(cli.shutdown_error, make_error_code(io_errc::socket_closed)) << cli.shutdown_error.message();
    }
    {
        std::lock_guard<std::mutex> lock(cli.rw_state->mutex);
        EXPECT_EQ(cli.rw_state->read_calls, 2u);
        EXPECT_TRUE(cli.rw_state->shutdown_read);
    }
    client_ch.reset();
    server_ch.reset();
    srv.destroy();
    cli.release_channel();
}

namespace {
struct recorded_stats {
    std::mutex m;
    std::condition_variable cv;
    std::uint64_t bytes_read = 0;
    std::uint64_t bytes_written = 0;
    tls_negotiation_status status = tls_negotiation_status::none;
    std::uint64_t handshake_start_ns = 0;
    std::uint64_t handshake_end_ns = 0;
    int reports = 0;
};

class recording_stats_handler final : public statistics_handler {
public:
    explicit recording_stats_handler(std::shared_ptr<recorded_stats> out) : out_(std::move(out)) {}
    void process_statistics(const statistics_sample_interval &, const std::vector<statistics_base *> &stats,
                            channel &) override {
        std::lock_guard<std::mutex> lock(out_->m);
        ++out_->reports;
        for (statistics_base *s : stats) {
            if (s->category == static_cast<statistics_category>(io_statistics_category::socket)) {
                auto *sock = static_cast<socket_statistics *>(s);
                out_->bytes_read += sock->bytes_read;
                out_->bytes_written += sock->bytes_written;
            } else if (s->category == static_cast<statistics_category>(io_statistics_category::tls)) {
                auto *t = static_cast<tls_statistics *>(s);
                out_->status = t->handshake_status;
                out_->handshake_start_ns = t->handshake_start_ns;
                out_->handshake_end_ns = t->handshake_end_ns;
            }
        }
        out_->cv.notify_all();
    }
    [[nodiscard]] std::uint64_t report_interval_ms() const override { return 10; }

private:
    std::shared_ptr<recorded_stats> out_;
};
} // namespace

TEST_F(tls_handler_test, tls_channel_statistics_test) {
    tls_server srv(server_, make_server_ctx(), rw_config{.install = true});
    ASSERT_TRUE(srv.ok());
    conn_events &cli = events();
    cli.rw_cfg = rw_config{.install = true};
    auto stats = std::make_shared<recorded_stats>();
    auto o = client_options(cli, srv.port(), client_tls(make_client_ctx()));
    o.creation_callback = [stats](std::error_code ec, channel &c) {
        EXPECT_FALSE(ec);
        EXPECT_FALSE(c.set_statistics_handler(std::make_unique<recording_stats_handler>(stats)));
    };
    ASSERT_FALSE(client_->new_socket_channel(std::move(o)));
    expect_setup_ok(cli, "client");
    expect_setup_ok(srv.ev, "server");

    const std::string up = "Created from a blend of heirloom and cider apples";
    const std::string down = "This is some data.";
    cli.rw->write(up);
    srv.ev.rw->write(down);
    ASSERT_TRUE(srv.ev.rw_state->wait([&](auto &s) { return s.received.size() >= up.size(); }));
    ASSERT_TRUE(cli.rw_state->wait([&](auto &s) { return s.received.size() >= down.size(); }));

    {
        std::unique_lock<std::mutex> lock(stats->m);
        ASSERT_TRUE(stats->cv.wait_for(lock, default_wait, [&] {
            return stats->bytes_read > down.size() && stats->bytes_written > up.size() &&
                   stats->status == tls_negotiation_status::success;
        })) << "read " << stats->bytes_read << " written " << stats->bytes_written << " status "
            << static_cast<int>(stats->status);
        EXPECT_NE(stats->handshake_start_ns, 0u);
        EXPECT_GE(stats->handshake_end_ns, stats->handshake_start_ns);
    }
    shutdown_both(cli, srv.ev);
    srv.destroy();
    cli.release_channel();
}

TEST_F(tls_handler_test, tls_server_multiple_connections) {
    tls_server srv(server_, make_server_ctx());
    ASSERT_TRUE(srv.ok());
    auto ctx = make_client_ctx();
    for (int round = 1; round <= 2; ++round) {
        conn_events &cli = events();
        ASSERT_FALSE(connect(cli, srv.port(), client_tls(ctx)));
        expect_setup_ok(cli, "client");
        ASSERT_TRUE(srv.ev.wait([&] { return srv.ev.setup_calls == round; }));
        {
            std::lock_guard<std::mutex> lock(srv.ev.m);
            EXPECT_EQ(srv.ev.setup_errors, 0);
            EXPECT_EQ(srv.ev.negotiation_calls, round);
        }
        // The server closes; the client follows (close_notify, no error).
        std::shared_ptr<channel> sc;
        {
            std::lock_guard<std::mutex> lock(srv.ev.m);
            sc = srv.ev.ch;
        }
        shutdown_channel(sc);
        ASSERT_TRUE(srv.ev.wait([&] { return srv.ev.shutdown_calls == round; }));
        ASSERT_TRUE(cli.wait([&] { return cli.shutdown_calls > 0; }));
        EXPECT_EQ(cli.shutdown_calls, 1);
        EXPECT_FALSE(cli.shutdown_error) << cli.shutdown_error.message();
        cli.release_channel();
        srv.ev.release_channel();
    }
    srv.destroy();
    EXPECT_EQ(srv.ev.shutdown_calls, 2);
}

// A client that connects, sends part of a record header and hangs up: the server reports a
// failed incoming channel (socket closed) and no shutdown; the listener still goes away cleanly.
TEST_F(tls_handler_test, tls_server_hangup_during_negotiation) {
    tls_server srv(server_, make_server_ctx());
    ASSERT_TRUE(srv.ok());
    ASSERT_TRUE(connect_send_and_hang_up(srv.port(), std::string_view("\x16\x03\x01\x00", 4)));
    ASSERT_TRUE(srv.ev.wait([&] { return srv.ev.setup_calls > 0; })) << "no incoming callback";
    {
        std::lock_guard<std::mutex> lock(srv.ev.m);
        EXPECT_EQ(srv.ev.setup_calls, 1);
        EXPECT_EQ(srv.ev.setup_error, make_error_code(io_errc::socket_closed)) << srv.ev.setup_error.message();
        EXPECT_EQ(srv.ev.negotiation_calls, 0);
    }
    srv.destroy();
    EXPECT_EQ(srv.ev.shutdown_calls, 0);
}

// Both handlers report the server name: the SNI the client sent and the server received.
TEST_F(tls_handler_test, tls_channel_server_name) {
    tls_server srv(server_, make_server_ctx());
    ASSERT_TRUE(srv.ok());
    conn_events &cli = events();
    ASSERT_FALSE(connect(cli, srv.port(), client_tls(make_client_ctx(), "www.example.com")));
    expect_setup_ok(cli, "client");
    expect_setup_ok(srv.ev, "server");
    EXPECT_EQ(cli.server_name, "www.example.com");
    EXPECT_EQ(srv.ev.server_name, "www.example.com");
    EXPECT_EQ(cli.protocol, "");
    shutdown_both(cli, srv.ev);
    srv.destroy();
    cli.release_channel();
}

// ALPN through the bootstraps' on_protocol_negotiated: an ALPN handler right of each TLS handler
// asks for the protocol's handler (h2 chosen) and puts it in its place before setup completes.
TEST_F(tls_handler_test, tls_channel_alpn_negotiation_through_bootstrap) {
    tls_server srv(server_, make_server_ctx({.alpn = "h2;http/1.1"}), rw_config{}, false, true);
    ASSERT_TRUE(srv.ok());
    conn_events &cli = events();
    auto tls = client_tls(make_client_ctx());
    ASSERT_TRUE(tls.set_alpn_list("h2;http/1.1"));
    ASSERT_FALSE(connect(cli, srv.port(), tls, false,
                         [&cli](channel_slot &, std::string_view proto) { return cli.on_alpn(proto); }));
    expect_setup_ok(cli, "client");
    expect_setup_ok(srv.ev, "server");
    {
        std::lock_guard<std::mutex> lock(cli.m);
        EXPECT_EQ(cli.alpn_calls, 1);
        EXPECT_EQ(cli.alpn_protocol, "h2");
        EXPECT_EQ(cli.protocol, "h2");
        ASSERT_NE(cli.rw, nullptr);
    }
    {
        std::lock_guard<std::mutex> lock(srv.ev.m);
        EXPECT_EQ(srv.ev.alpn_calls, 1);
        EXPECT_EQ(srv.ev.alpn_protocol, "h2");
        ASSERT_NE(srv.ev.rw, nullptr);
    }
    // The handlers the callbacks returned carry the data.
    cli.rw->write("PRI * HTTP/2.0");
    ASSERT_TRUE(srv.ev.rw_state->wait([](auto &s) { return s.received.size() >= 14; }));
    EXPECT_EQ(srv.ev.rw_state->received_string(), "PRI * HTTP/2.0");
    srv.ev.rw->write("SETTINGS");
    ASSERT_TRUE(cli.rw_state->wait([](auto &s) { return s.received.size() >= 8; }));
    EXPECT_EQ(cli.rw_state->received_string(), "SETTINGS");
    shutdown_both(cli, srv.ev);
    srv.destroy();
    cli.release_channel();
}

// A server chain with an intermediate (and a long one: six intermediates) verifies against the
// root alone: the client used the chain the server sent.
TEST_F(tls_handler_test, tls_certificate_chain_test) {
    struct chain_case {
        const char *chain;
        const char *key;
        const char *root;
        std::size_t length; // certificates sent: the leaf and its intermediates
    };
    for (const chain_case &c : {chain_case{"leaf_chain.pem", "leaf.key", "root_ca.pem", 2},
                                chain_case{"long_leaf_chain.pem", "long_leaf.key", "long_root_ca.pem", 7}}) {
        SCOPED_TRACE(c.chain);
        tls_server srv(server_, make_server_ctx({.chain = c.chain, .key = c.key}));
        ASSERT_TRUE(srv.ok());
        conn_events &cli = events();
        ASSERT_FALSE(connect(cli, srv.port(), client_tls(make_client_ctx({.ca = c.root}))));
        expect_setup_ok(cli, "client");
        expect_setup_ok(srv.ev, "server");
        {
            std::lock_guard<std::mutex> lock(cli.m);
            EXPECT_EQ(cli.peer_chain_length, c.length);
            EXPECT_TRUE(cli.peer_verified);
            EXPECT_EQ(cli.version, "TLSv1.3");
        }
        {
            std::lock_guard<std::mutex> lock(srv.ev.m);
            EXPECT_EQ(srv.ev.peer_chain_length, 0u); // no client certificate asked for
        }
        shutdown_both(cli, srv.ev);
        srv.destroy();
        cli.release_channel();
    }
}

TEST_F(tls_handler_test, tls_client_channel_negotiation_success_mtls_tls13) {
    tls_server srv(server_, make_server_ctx({.client_ca = "root_ca.pem"}), rw_config{.install = true});
    ASSERT_TRUE(srv.ok());
    conn_events &cli = events();
    cli.rw_cfg = rw_config{.install = true};
    ASSERT_FALSE(connect(cli, srv.port(),
                         client_tls(make_client_ctx({.cert_chain = "client_chain.pem", .key = "client.key"}))));
    expect_setup_ok(cli, "client");
    expect_setup_ok(srv.ev, "server");
    {
        std::lock_guard<std::mutex> lock(srv.ev.m);
        EXPECT_EQ(srv.ev.peer_chain_length, 2u); // client + intermediate
        EXPECT_TRUE(srv.ev.peer_verified);
    }
    cli.rw->write("authenticated");
    ASSERT_TRUE(srv.ev.rw_state->wait([](auto &s) { return s.received.size() >= 13; }));
    EXPECT_EQ(srv.ev.rw_state->received_string(), "authenticated");
    shutdown_both(cli, srv.ev);
    srv.destroy();
    cli.release_channel();
}

// TLS 1.3 mutual TLS without a client certificate: the client has finished its handshake (setup
// succeeds) when the server refuses it with a certificate_required alert; the server's incoming
// setup fails with the mapped error and no shutdown callback follows.
TEST_F(tls_handler_test, tls_client_channel_negotiation_failure_mtls_missing_client_certificate) {
    tls_server srv(server_, make_server_ctx({.client_ca = "root_ca.pem"}));
    ASSERT_TRUE(srv.ok());
    conn_events &cli = events();
    ASSERT_FALSE(connect(cli, srv.port(), client_tls(make_client_ctx())));
    ASSERT_TRUE(srv.ev.wait([&] { return srv.ev.setup_calls > 0; }));
    {
        std::lock_guard<std::mutex> lock(srv.ev.m);
        EXPECT_EQ(srv.ev.setup_calls, 1);
        EXPECT_EQ(srv.ev.setup_error, make_error_code(io_errc::tls_error_negotiation_failure))
            << srv.ev.setup_error.message();
        EXPECT_EQ(srv.ev.negotiation_calls, 1);
        EXPECT_EQ(srv.ev.negotiation_error, srv.ev.setup_error);
    }
    expect_setup_ok(cli, "client");
    ASSERT_TRUE(cli.wait([&] { return cli.shutdown_calls > 0; }));
    {
        std::lock_guard<std::mutex> lock(cli.m);
        // certificate_required (116) after the client's handshake: a fatal alert, not graceful.
        EXPECT_EQ(cli.shutdown_error, make_error_code(io_errc::tls_alert_not_graceful))
            << cli.shutdown_error.message();
    }
    srv.destroy();
    cli.release_channel();
    release_client_bootstrap();
    EXPECT_EQ(srv.ev.shutdown_calls, 0);
    EXPECT_EQ(cli.shutdown_calls, 1);
}

// A server that accepts and never answers: the handshake times out.
TEST_F(tls_handler_test, test_tls_negotiation_timeout) {
    silent_listener quiet;
    ASSERT_TRUE(quiet.ok());
    conn_events &cli = events();
    auto tls = client_tls(make_client_ctx());
    tls.timeout_ms = 200;
    ASSERT_FALSE(connect(cli, quiet.port(), tls));
    ASSERT_TRUE(cli.wait([&] { return cli.setup_calls > 0; }));
    release_client_bootstrap(); // every callback of the connection has run
    std::lock_guard<std::mutex> lock(cli.m);
    EXPECT_EQ(cli.setup_calls, 1);
    EXPECT_EQ(cli.setup_error, make_error_code(io_errc::tls_negotiation_timeout)) << cli.setup_error.message();
    EXPECT_EQ(cli.negotiation_calls, 0); // documented: a timeout is reported through the shutdown error
    EXPECT_EQ(cli.shutdown_calls, 0);
}

// Writing through a TLS handler before its handshake completed: tls_error_not_negotiated. TLS is
// added to an existing plain channel here (channel_setup_client_tls) towards a silent server.
TEST_F(tls_handler_test, tls_client_write_before_negotiation) {
    silent_listener quiet;
    ASSERT_TRUE(quiet.ok());
    conn_events &cli = events();
    struct outcome {
        std::error_code setup_tls_error;
        std::error_code write_error;
        bool write_tried = false;
    };
    auto out = std::make_shared<outcome>(); // written on the loop before on_setup, read after it
    auto o = client_options(cli, quiet.port(), std::nullopt);
    o.setup_callback = [out, ctx = make_client_ctx(), &cli](std::error_code ec, channel *c) {
        if (!ec) {
            auto tls = client_tls(ctx);
            tls.timeout_ms = 0;
            out->setup_tls_error = tls::channel_setup_client_tls(*c->first_slot(), tls);
            channel_slot &app = c->new_slot();
            EXPECT_FALSE(c->insert_end(app));
            EXPECT_FALSE(app.set_handler(std::make_unique<rw_handler>(cli.rw_state, false, 1024)));
            message_ptr msg = app.acquire_max_message_for_write();
            (void)msg->message_data.append(
                std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t *>("early"), 5));
            out->write_error = app.send_message(std::move(msg), channel_direction::write);
            out->write_tried = true;
        }
        cli.on_setup(ec, c);
    };
    ASSERT_FALSE(client_->new_socket_channel(std::move(o)));
    ASSERT_TRUE(cli.wait([&] { return cli.setup_calls > 0; }));
    {
        std::lock_guard<std::mutex> lock(cli.m);
        ASSERT_FALSE(cli.setup_error) << cli.setup_error.message();
        EXPECT_TRUE(out->write_tried);
        EXPECT_FALSE(out->setup_tls_error) << out->setup_tls_error.message();
        EXPECT_EQ(out->write_error, make_error_code(io_errc::tls_error_not_negotiated)) << out->write_error.message();
    }
    shutdown_channel(cli.ch);
    ASSERT_TRUE(cli.wait([&] { return cli.shutdown_calls > 0; }));
    cli.release_channel();
}

// ------------------------------------------------------------------------------------------
// channel_setup_client_tls on an existing plain channel, against openssl s_server

TEST_F(tls_handler_test, tls_channel_setup_client_tls_on_plain_channel) {
    AWSIO_REQUIRE_OPENSSL();
    s_server peer({});
    ASSERT_TRUE(peer.ok()) << peer.why();
    conn_events &cli = events();
    cli.rw_cfg = rw_config{.install = true};
    auto o = client_options(cli, peer.port(), std::nullopt);
    // Plain setup: add TLS at the end; the application handler goes in on negotiation.
    o.setup_callback = [ctx = make_client_ctx(), &cli](std::error_code ec, channel *c) {
        ASSERT_FALSE(ec) << ec.message();
        auto tls = client_tls(ctx);
        tls.on_negotiation_result = [&cli](channel_handler &h, channel_slot &slot, std::error_code nec) {
            cli.on_negotiation(h, nec);
            if (!nec) {
                cli.on_setup({}, &slot.owner()); // installs the rw_handler right of TLS
            }
        };
        EXPECT_FALSE(tls::channel_setup_client_tls(*c->first_slot(), tls));
    };
    ASSERT_FALSE(client_->new_socket_channel(std::move(o)));
    expect_setup_ok(cli, "client");
    ASSERT_NE(cli.rw, nullptr);
    cli.rw->write("hello over late tls\n");
    ASSERT_TRUE(cli.rw_state->wait([](auto &s) { return s.received.size() >= 20; })) << peer.describe();
    EXPECT_EQ(cli.rw_state->received_string(), "slt etal revo olleh\n");
    shutdown_channel(cli.ch);
    ASSERT_TRUE(cli.wait([&] { return cli.shutdown_calls > 0; }));
    cli.release_channel();
}

// ------------------------------------------------------------------------------------------
// badssl.com-style cases: an awsio client (bootstrap) against openssl s_server -tls1_3 serving
// the fixtures. Verification on: the verifier's io_errc; off: success.

struct peer_case {
    std::string chain;
    std::string key;
    std::string ca = "root_ca.pem";
    std::string server_name = "localhost";
};

class tls_handler_peer_test : public tls_handler_test {
protected:
    /// Connects to an s_server for `pc`; returns the setup error after checking the contract.
    std::error_code run_case(const peer_case &pc, bool verify, std::string *server_name_seen = nullptr) {
        s_server peer({.chain = pc.chain, .key = pc.key});
        if (!peer.ok()) {
            ADD_FAILURE() << peer.why();
            return common_errc::unknown;
        }
        return run_client(client_tls(make_client_ctx({.ca = pc.ca, .verify = verify}), pc.server_name), peer,
                          server_name_seen);
    }
};

#define AWSIO_EXPECT_FAILS(pc, errc_value)                                                                            \
    do {                                                                                                              \
        AWSIO_REQUIRE_OPENSSL();                                                                                      \
        const std::error_code got = run_case(pc, true);                                                               \
        EXPECT_EQ(got, make_error_code(errc_value)) << got.message();                                                 \
    } while (0)
#define AWSIO_EXPECT_SUCCEEDS(pc, verify)                                                                             \
    do {                                                                                                              \
        AWSIO_REQUIRE_OPENSSL();                                                                                      \
        const std::error_code got = run_case(pc, verify);                                                             \
        EXPECT_FALSE(got) << got.message();                                                                           \
    } while (0)

const peer_case expired_case{"leaf_expired_chain.pem", "leaf.key"};
const peer_case wrong_host_case{"leaf_wrong_host_chain.pem", "leaf.key"};
const peer_case self_signed_case{"leaf_self_signed.pem", "leaf_self_signed.key"};
const peer_case untrusted_root_case{"leaf_untrusted_root.pem", "leaf.key"};
const peer_case no_subject_case{"leaf_empty_subject_chain.pem", "leaf.key"};
const peer_case no_common_name_case{"leaf_no_cn_chain.pem", "leaf.key"};
const peer_case incomplete_chain_case{"leaf_incomplete_chain.pem", "leaf.key"};

TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_error_expired) {
    AWSIO_EXPECT_FAILS(expired_case, io_errc::tls_certificate_expired);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_no_verify_expired) {
    AWSIO_EXPECT_SUCCEEDS(expired_case, false);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_error_wrong_host) {
    AWSIO_EXPECT_FAILS(wrong_host_case, io_errc::tls_host_name_mismatch);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_no_verify_wrong_host) {
    AWSIO_EXPECT_SUCCEEDS(wrong_host_case, false);
}
// The CA override replaces the trust store: a chain to a root not in it fails.
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_error_wrong_host_with_ca_override) {
    peer_case pc = wrong_host_case;
    pc.ca = "untrusted_root_ca.pem";
    AWSIO_EXPECT_FAILS(pc, io_errc::tls_unknown_root_certificate);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_error_self_signed) {
    AWSIO_EXPECT_FAILS(self_signed_case, io_errc::tls_unknown_root_certificate);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_no_verify_self_signed) {
    AWSIO_EXPECT_SUCCEEDS(self_signed_case, false);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_error_untrusted_root) {
    AWSIO_EXPECT_FAILS(untrusted_root_case, io_errc::tls_unknown_root_certificate);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_no_verify_untrusted_root) {
    AWSIO_EXPECT_SUCCEEDS(untrusted_root_case, false);
}
// A chain that verifies in general but not against the CA override (aws-c-io uses a trusted
// site with ca_root.crt as the only anchor).
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_error_untrusted_root_due_to_ca_override) {
    peer_case pc{"leaf_chain.pem", "leaf.key", "ecdsa_p256_root_ca.pem"};
    AWSIO_EXPECT_FAILS(pc, io_errc::tls_unknown_root_certificate);
}
// aws-c-io's s2n setup rejects no-subject.badssl.com; this verifier follows RFC 5280 (an empty
// subject with a critical SAN is valid) and accepts it (see tests/resources/x509/README.md).
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_error_no_subject) {
    AWSIO_EXPECT_SUCCEEDS(no_subject_case, true);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_success_no_verify_no_subject) {
    AWSIO_EXPECT_SUCCEEDS(no_subject_case, false);
}
// Likewise: names come from the SAN, a missing CN is fine.
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_error_no_common_name) {
    AWSIO_EXPECT_SUCCEEDS(no_common_name_case, true);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_success_no_verify_no_common_name) {
    AWSIO_EXPECT_SUCCEEDS(no_common_name_case, false);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_error_incomplete_chain) {
    AWSIO_EXPECT_FAILS(incomplete_chain_case, io_errc::tls_unknown_root_certificate);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_success_no_verify_incomplete_chain) {
    AWSIO_EXPECT_SUCCEEDS(incomplete_chain_case, false);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_success) {
    AWSIO_REQUIRE_OPENSSL();
    std::string sni;
    const std::error_code got = run_case({"leaf_chain.pem", "leaf.key"}, true, &sni);
    EXPECT_FALSE(got) << got.message();
    EXPECT_EQ(sni, "localhost");
}
TEST_F(tls_handler_peer_test, tls_client_channel_no_verify) {
    AWSIO_EXPECT_SUCCEEDS((peer_case{"leaf_chain.pem", "leaf.key"}), false);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_success_sha256) {
    AWSIO_EXPECT_SUCCEEDS((peer_case{"leaf_chain.pem", "leaf.key"}), true);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_success_rsa2048) {
    AWSIO_EXPECT_SUCCEEDS((peer_case{"rsa2048_leaf_chain.pem", "rsa2048_leaf.key", "rsa2048_root_ca.pem"}), true);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_success_ecc256) {
    AWSIO_EXPECT_SUCCEEDS((peer_case{"ecdsa_p256_leaf_chain.pem", "ecdsa_p256_leaf.key", "ecdsa_p256_root_ca.pem"}),
                          true);
}
TEST_F(tls_handler_peer_test, tls_client_channel_negotiation_success_ecc384) {
    AWSIO_EXPECT_SUCCEEDS((peer_case{"ecdsa_p384_leaf_chain.pem", "ecdsa_p384_leaf.key", "ecdsa_p384_root_ca.pem"}),
                          true);
}

// ------------------------------------------------------------------------------------------
// TLS 1.2 scenarios of aws-c-io's suite (badssl.com's tls-v1-x / broken-crypto hosts served
// by openssl s_server on 127.0.0.1), and TLS 1.2 mutual TLS between two awsio ends.

// The client contexts of these scenarios keep aws-c-io's default minimum ("system default": TLS
// 1.2 here) unless a case says otherwise.

/// 1024-bit finite-field DH parameters (generated with `openssl dhparam 1024`): below what a
/// TLS 1.2 client should accept, and below what this library implements (no DHE suites at all).
constexpr std::string_view dh1024_pem = "-----BEGIN DH PARAMETERS-----\n"
                                        "MIGHAoGBAK75pWj7ylUxfJOo0OyXc5AVdvG/ozxMS9Lh1q/otum2enuvlfS4vJ+v\n"
                                        "a5dy68dQnEh+ZBrKRJf2uvyMsDu31k4w2KKq5Z82FM2WZUWZYBZ+MsUn1KOiFo2c\n"
                                        "X8Fj7wc6K6l02iboJYElWK8PGdTXkD4mKJ4GzRf96HuQom69Jn0/AgEC\n"
                                        "-----END DH PARAMETERS-----\n";

class tls_handler_tls12_test : public tls_handler_test {};

// tls-v1-2.badssl.com: a TLS 1.2-only server; the default client (TLS 1.2 and 1.3) connects.
TEST_F(tls_handler_tls12_test, tls_client_channel_negotiation_success_tls12) {
    AWSIO_REQUIRE_OPENSSL();
    s_server peer({.version_flag = "-tls1_2"});
    ASSERT_TRUE(peer.ok()) << peer.why();
    auto ctx = make_client_context({.min_version = tls::tls_versions::sys_defaults});
    ASSERT_TRUE(ctx) << ctx.error().message();
    std::string version;
    const std::error_code got = run_client(client_tls(*ctx), peer, nullptr, &version);
    EXPECT_FALSE(got) << got.message() << "\n" << peer.describe();
    EXPECT_EQ(version, "TLSv1.2");
    EXPECT_NE(peer.output().find("Protocol version: TLSv1.2"), std::string::npos) << peer.describe();
}

// tls-v1-0.badssl.com: the default client (nothing below TLS 1.2) fails to negotiate.
TEST_F(tls_handler_tls12_test, tls_client_channel_negotiation_error_legacy_crypto_tls10) {
    AWSIO_REQUIRE_OPENSSL();
    s_server peer({.version_flag = "-tls1", .extra = {"-cipher", "DEFAULT:@SECLEVEL=0"}});
    ASSERT_TRUE(peer.ok()) << peer.why();
    auto ctx = make_client_context({.min_version = tls::tls_versions::sys_defaults});
    ASSERT_TRUE(ctx) << ctx.error().message();
    const std::error_code got = run_client(client_tls(*ctx), peer);
    EXPECT_EQ(got, make_error_code(io_errc::tls_error_negotiation_failure)) << got.message() << "\n"
                                                                            << peer.describe();
}

// tls-v1-1.badssl.com with the minimum set to TLS 1.2 explicitly: negotiation fails. Asking for
// TLS 1.1 instead is refused when the context is made (this library implements nothing older
// than TLS 1.2).
TEST_F(tls_handler_tls12_test, tls_client_channel_negotiation_error_override_legacy_crypto_tls11) {
    AWSIO_REQUIRE_OPENSSL();
    auto legacy = make_client_context({.min_version = tls::tls_versions::tlsv1_1});
    ASSERT_FALSE(legacy);
    EXPECT_EQ(legacy.error(), make_error_code(io_errc::tls_version_unsupported)) << legacy.error().message();

    s_server peer({.version_flag = "-tls1_1", .extra = {"-cipher", "DEFAULT:@SECLEVEL=0"}});
    ASSERT_TRUE(peer.ok()) << peer.why();
    auto ctx = make_client_context({.min_version = tls::tls_versions::tlsv1_2});
    ASSERT_TRUE(ctx) << ctx.error().message();
    const std::error_code got = run_client(client_tls(*ctx), peer);
    EXPECT_EQ(got, make_error_code(io_errc::tls_error_negotiation_failure)) << got.message() << "\n"
                                                                            << peer.describe();
}

// badssl.com's broken-crypto hosts (null.badssl.com, dh1024.badssl.com, ...), as far as this
// OpenSSL still serves them: RC4 is gone from it, and it refuses DH parameters under 1024 bits
// ("dh key too small") even at security level 0. The client offers AEAD ECDHE suites only, so
// every one of these servers finds no common suite and refuses the handshake.
struct broken_crypto_case {
    const char *name;
    const char *version_flag;
    std::vector<std::string> extra;
    bool dh1024 = false; ///< add -dhparam with dh1024_pem
};

class tls_handler_broken_crypto_test : public tls_handler_tls12_test,
                                       public ::testing::WithParamInterface<broken_crypto_case> {};

TEST_P(tls_handler_broken_crypto_test, tls_client_channel_negotiation_error_broken_crypto) {
    AWSIO_REQUIRE_OPENSSL();
    const auto &bc = GetParam();
    temp_file dh(dh1024_pem);
    std::vector<std::string> extra = bc.extra;
    if (bc.dh1024) {
        ASSERT_FALSE(dh.path().empty());
        extra.insert(extra.end(), {"-dhparam", dh.path()});
    }
    s_server peer({.version_flag = bc.version_flag, .extra = extra});
    ASSERT_TRUE(peer.ok()) << peer.why();
    auto ctx = make_client_context({.min_version = tls::tls_versions::sys_defaults});
    ASSERT_TRUE(ctx) << ctx.error().message();
    const std::error_code got = run_client(client_tls(*ctx), peer);
    EXPECT_EQ(got, make_error_code(io_errc::tls_error_negotiation_failure)) << got.message() << "\n"
                                                                            << peer.describe();
}

INSTANTIATE_TEST_SUITE_P(
    tls_handler, tls_handler_broken_crypto_test,
    ::testing::Values(
        broken_crypto_case{"null_sha256", "-tls1_2", {"-cipher", "NULL-SHA256:@SECLEVEL=0"}},
        broken_crypto_case{"null_sha1_tls10", "-tls1", {"-cipher", "NULL-SHA:@SECLEVEL=0"}},
        broken_crypto_case{"dh1024", "-tls1_2", {"-cipher", "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"}, true},
        broken_crypto_case{"dhe_only", "-tls1_2", {"-cipher", "DHE-RSA-AES128-GCM-SHA256"}},
        broken_crypto_case{"cbc_only", "-tls1_2", {"-cipher", "AES128-SHA:ECDHE-RSA-AES128-SHA"}}),
    [](const ::testing::TestParamInfo<broken_crypto_case> &info) { return std::string(info.param.name); });

// Mutual TLS limited to TLS 1.2 on both ends (the counterpart of the TLS 1.3 case above).
TEST_F(tls_handler_tls12_test, tls_client_channel_negotiation_success_mtls_tls12) {
    auto server_ctx = make_server_context({.min_version = tls::tls_versions::tlsv1_2,
                                           .max_version = tls::tls_versions::tlsv1_2,
                                           .client_ca = "root_ca.pem"});
    ASSERT_TRUE(server_ctx) << server_ctx.error().message();
    tls_server srv(server_, *server_ctx, rw_config{.install = true});
    ASSERT_TRUE(srv.ok());
    auto client_ctx = make_client_context({.min_version = tls::tls_versions::tlsv1_2,
                                                 .max_version = tls::tls_versions::tlsv1_2,
                                                 .cert_chain = "client_chain.pem",
                                                 .key = "client.key"});
    ASSERT_TRUE(client_ctx) << client_ctx.error().message();
    conn_events &cli = events();
    cli.rw_cfg = rw_config{.install = true};
    ASSERT_FALSE(connect(cli, srv.port(), client_tls(*client_ctx)));
    expect_setup_ok(cli, "client");
    expect_setup_ok(srv.ev, "server");
    {
        std::lock_guard<std::mutex> lock(srv.ev.m);
        EXPECT_EQ(srv.ev.peer_chain_length, 2u); // client + intermediate
        EXPECT_TRUE(srv.ev.peer_verified);
        EXPECT_EQ(srv.ev.version, "TLSv1.2");
    }
    {
        std::lock_guard<std::mutex> lock(cli.m);
        EXPECT_EQ(cli.version, "TLSv1.2");
    }
    ASSERT_NE(cli.rw, nullptr);
    ASSERT_NE(srv.ev.rw, nullptr);
    cli.rw->write("authenticated");
    ASSERT_TRUE(srv.ev.rw_state->wait([](auto &s) { return s.received.size() >= 13; }));
    EXPECT_EQ(srv.ev.rw_state->received_string(), "authenticated");
    srv.ev.rw->write("welcome");
    ASSERT_TRUE(cli.rw_state->wait([](auto &s) { return s.received.size() >= 7; }));
    EXPECT_EQ(cli.rw_state->received_string(), "welcome");
    shutdown_both(cli, srv.ev);
    srv.destroy();
    cli.release_channel();
}

// TLS 1.2 mutual TLS without a client certificate: unlike TLS 1.3, the server refuses before its
// Finished, so both setups fail (the server's handshake_failure alert, RFC 5246 7.4.6) and no
// shutdown callback follows on either side.
TEST_F(tls_handler_tls12_test, tls_client_channel_negotiation_failure_mtls_missing_client_certificate_tls12) {
    auto server_ctx = make_server_context({.min_version = tls::tls_versions::tlsv1_2,
                                           .max_version = tls::tls_versions::tlsv1_2,
                                           .client_ca = "root_ca.pem"});
    ASSERT_TRUE(server_ctx) << server_ctx.error().message();
    tls_server srv(server_, *server_ctx);
    ASSERT_TRUE(srv.ok());
    auto client_ctx = make_client_context(
        {.min_version = tls::tls_versions::sys_defaults, .max_version = tls::tls_versions::tlsv1_2});
    ASSERT_TRUE(client_ctx) << client_ctx.error().message();
    conn_events &cli = events();
    ASSERT_FALSE(connect(cli, srv.port(), client_tls(*client_ctx)));
    ASSERT_TRUE(srv.ev.wait([&] { return srv.ev.setup_calls > 0; }));
    ASSERT_TRUE(cli.wait([&] { return cli.setup_calls > 0; }));
    {
        std::lock_guard<std::mutex> lock(srv.ev.m);
        EXPECT_EQ(srv.ev.setup_calls, 1);
        EXPECT_EQ(srv.ev.setup_error, make_error_code(io_errc::tls_error_negotiation_failure))
            << srv.ev.setup_error.message();
    }
    {
        std::lock_guard<std::mutex> lock(cli.m);
        EXPECT_EQ(cli.setup_calls, 1);
        EXPECT_EQ(cli.setup_error, make_error_code(io_errc::tls_error_negotiation_failure))
            << cli.setup_error.message();
        EXPECT_EQ(cli.negotiation_error, cli.setup_error);
    }
    srv.destroy();
    release_client_bootstrap();
    EXPECT_EQ(srv.ev.shutdown_calls, 0);
    EXPECT_EQ(cli.shutdown_calls, 0);
}


} // namespace
