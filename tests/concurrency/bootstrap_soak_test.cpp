// Soak: 1,000 concurrent echo connections through the client and server bootstraps on
// 127.0.0.1. Every byte must come back, and every setup, incoming and shutdown callback must
// run exactly once.
#include <awsio/bootstrap.hpp>
#include <awsio/io.hpp>

#include "support/rw_handler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

using namespace awsio;
using namespace std::chrono_literals;
using awsio::testing::rw_handler;

namespace {

constexpr int connection_count = 1000;

struct counters {
    std::mutex mutex;
    std::condition_variable cv;
    int client_setups = 0;
    int client_setup_errors = 0;
    int client_shutdowns = 0;
    int server_incoming = 0;
    int server_shutdowns = 0;
    bool listener_destroyed = false;
    void bump(int &field) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            ++field;
            cv.notify_all();
        }
    }
    template <typename Pred>
    bool wait(Pred p) {
        std::unique_lock<std::mutex> lock(mutex);
        return cv.wait_for(lock, 120s, p);
    }
};

struct client_conn {
    std::shared_ptr<rw_handler::shared_state> state = std::make_shared<rw_handler::shared_state>();
    std::string payload;
    std::atomic<int> setup_calls{0};
    std::atomic<int> shutdown_calls{0};
    std::shared_ptr<channel> ch;
};

} // namespace

TEST(bootstrap_soak, thousand_concurrent_echo_connections) {
    io_library lib;
    event_loop_group_options go;
    go.loop_count = 2;
    auto gone = std::make_shared<std::promise<void>>();
    std::future<void> group_gone = gone->get_future();
    go.on_shutdown_complete = [gone] { gone->set_value(); };
    auto group = *event_loop_group::create(std::move(go));
    auto server = *server_bootstrap::create({group});
    client_bootstrap_options cbo;
    cbo.event_loop_group = group;
    auto client = *client_bootstrap::create(std::move(cbo));

    counters c;
    socket_options opts;
    opts.connect_timeout_ms = 30000;

    server_socket_channel_bootstrap_options so;
    so.host_name = "127.0.0.1";
    so.socket_options = opts;
    so.incoming_callback = [&c](std::error_code ec, channel *ch) {
        ASSERT_FALSE(ec) << ec.message();
        channel_slot &slot = ch->new_slot();
        (void)ch->insert_end(slot);
        (void)slot.set_handler(std::make_unique<rw_handler>(std::make_shared<rw_handler::shared_state>(), false,
                                                            16 * 1024, true));
        c.bump(c.server_incoming);
    };
    so.shutdown_callback = [&c](std::error_code, channel &) { c.bump(c.server_shutdowns); };
    so.destroy_callback = [&c] {
        {
            std::lock_guard<std::mutex> lock(c.mutex);
            c.listener_destroyed = true;
            c.cv.notify_all();
        }
    };
    auto listener = server->new_socket_listener(std::move(so));
    ASSERT_TRUE(listener) << listener.error().message();
    const std::uint32_t port = (*listener)->bound_endpoint().port;

    std::vector<std::unique_ptr<client_conn>> conns;
    for (int i = 0; i < connection_count; ++i) {
        auto cc = std::make_unique<client_conn>();
        cc->payload = "connection " + std::to_string(i) + " says hello " + std::string(static_cast<std::size_t>(i % 97), 'x');
        client_conn *raw = cc.get();
        conns.push_back(std::move(cc));
        socket_channel_bootstrap_options co;
        co.host_name = "127.0.0.1";
        co.port = port;
        co.socket_options = opts;
        co.setup_callback = [raw, &c](std::error_code ec, channel *ch) {
            raw->setup_calls.fetch_add(1);
            if (ec) {
                c.bump(c.client_setup_errors);
                return;
            }
            channel_slot &slot = ch->new_slot();
            (void)ch->insert_end(slot);
            auto h = std::make_unique<rw_handler>(raw->state, false, 16 * 1024);
            rw_handler *rh = h.get();
            (void)slot.set_handler(std::move(h));
            raw->ch = ch->shared_from_this();
            rh->write(raw->payload);
            c.bump(c.client_setups);
        };
        co.shutdown_callback = [raw, &c](std::error_code, channel &) {
            raw->shutdown_calls.fetch_add(1);
            c.bump(c.client_shutdowns);
        };
        ASSERT_FALSE(client->new_socket_channel(std::move(co)));
    }

    ASSERT_TRUE(c.wait([&] { return c.client_setups + c.client_setup_errors == connection_count; }));
    EXPECT_EQ(c.client_setup_errors, 0);
    for (auto &cc : conns) {
        const std::size_t want = cc->payload.size();
        ASSERT_TRUE(cc->state->wait([want](auto &s) { return s.received.size() >= want; }, 60s));
        EXPECT_EQ(cc->state->received_string(), cc->payload);
    }
    ASSERT_TRUE(c.wait([&] { return c.server_incoming == connection_count; }));
    for (auto &cc : conns) {
        cc->ch->loop().schedule_now([ch = cc->ch](task_status) { (void)ch->shutdown(); });
    }
    ASSERT_TRUE(c.wait([&] { return c.client_shutdowns == connection_count && c.server_shutdowns == connection_count; }));
    ASSERT_FALSE(server->destroy_socket_listener(*listener));
    ASSERT_TRUE(c.wait([&] { return c.listener_destroyed; }));
    for (auto &cc : conns) {
        EXPECT_EQ(cc->setup_calls.load(), 1);
        EXPECT_EQ(cc->shutdown_calls.load(), 1);
        cc->ch.reset();
    }
    EXPECT_EQ(c.server_incoming, connection_count);
    EXPECT_EQ(c.server_shutdowns, connection_count);
    client.reset();
    server.reset();
    group.reset();
    // The group's last reference may go on one of its loop threads: wait for its shutdown.
    ASSERT_EQ(group_gone.wait_for(60s), std::future_status::ready);
    join_all_managed_threads();
}
