// Port of aws-c-io tests/socket_handler_test.c and channel_test.c's
// channel_connect_some_hosts_timeout: the socket channel handler driven through client and
// server bootstraps on loopback (local sockets, 127.0.0.1, ::1), plus bootstrap edge cases and
// fault scenarios (peer reset, half-close, slow reader).
#include <awsio/bootstrap.hpp>
#include <awsio/channel.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/io.hpp>
#include <awsio/socket_channel_handler.hpp>
#include <awsio/statistics.hpp>

#include "support/rw_handler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace awsio;
using namespace std::chrono_literals;
using awsio::testing::rw_handler;

namespace {

constexpr auto wait_limit = 20s;

std::string local_socket_path() {
    static std::atomic<int> counter{0};
    std::string dir = ::testing::TempDir();
    if (dir.empty() || dir.back() != '/') {
        dir += '/';
    }
    return dir + "awsio_sh_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".sock";
}

// What one side of a connection saw, filled from loop threads.
struct side {
    std::mutex mutex;
    std::condition_variable cv;
    std::shared_ptr<channel> ch;
    channel_slot *rw_slot = nullptr;
    rw_handler *rw = nullptr;
    std::shared_ptr<rw_handler::shared_state> rw_state = std::make_shared<rw_handler::shared_state>();
    int setup_calls = 0;
    int shutdown_calls = 0;
    std::error_code setup_error;
    std::error_code shutdown_error;
    bool setup_on_requested_loop = false;
    bool creation_called = false;
    bool back_pressure = false;
    std::size_t window = 16 * 1024;
    bool echo = false;

    template <typename Pred>
    bool wait(Pred pred) {
        std::unique_lock<std::mutex> lock(mutex);
        return cv.wait_for(lock, wait_limit, pred);
    }
    bool wait_setup() {
        return wait([&] { return setup_calls > 0; });
    }
    bool wait_shutdown() {
        return wait([&] { return shutdown_calls > 0; });
    }

    // Called on the channel's loop on successful setup: add the rw handler at the end.
    void on_setup(std::error_code ec, channel *c) {
        if (!ec && c != nullptr) {
            channel_slot &slot = c->new_slot();
            EXPECT_FALSE(c->insert_end(slot));
            auto h = std::make_unique<rw_handler>(rw_state, back_pressure, window, echo);
            rw_handler *raw = h.get();
            EXPECT_FALSE(slot.set_handler(std::move(h)));
            std::lock_guard<std::mutex> lock(mutex);
            ch = c->shared_from_this();
            rw_slot = &slot;
            rw = raw;
        }
        {
            std::lock_guard<std::mutex> lock(mutex);
            ++setup_calls;
            setup_error = ec;
            cv.notify_all();
        }
    }
    void on_shutdown(std::error_code ec) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            ++shutdown_calls;
            shutdown_error = ec;
            ch.reset();
            cv.notify_all();
        }
    }
};

struct listener_state {
    std::mutex mutex;
    std::condition_variable cv;
    bool destroyed = false;
    bool wait_destroyed() {
        std::unique_lock<std::mutex> lock(mutex);
        return cv.wait_for(lock, wait_limit, [&] { return destroyed; });
    }
};

class socket_handler_test : public ::testing::Test {
protected:
    void SetUp() override {
        event_loop_group_options o;
        o.loop_count = 2;
        make_group(std::move(o));
        auto sb = server_bootstrap::create({group});
        ASSERT_TRUE(sb);
        server = std::move(*sb);
        client_bootstrap_options co;
        co.event_loop_group = group;
        auto cb = client_bootstrap::create(std::move(co));
        ASSERT_TRUE(cb);
        client = std::move(*cb);
    }
    void TearDown() override {
        client.reset();
        server.reset();
        group.reset();
        // The last reference to the group may be dropped on one of its own loop threads (a
        // channel or listener released there): wait for the group's own shutdown before joining.
        wait_group_gone();
        join_all_managed_threads();
    }

    // Creates `group`, remembering when it is finally destroyed.
    void make_group(event_loop_group_options o) {
        auto gone = std::make_shared<std::promise<void>>();
        group_gone = gone->get_future();
        o.on_shutdown_complete = [gone] { gone->set_value(); };
        auto g = event_loop_group::create(std::move(o));
        ASSERT_TRUE(g);
        group = std::move(*g);
    }
    void wait_group_gone() {
        if (group_gone.valid()) {
            EXPECT_EQ(group_gone.wait_for(wait_limit), std::future_status::ready);
        }
    }
    std::future<void> group_gone;

    // Starts a listener whose connections are reported to `incoming`.
    socket_listener *listen(const socket_options &opts, const std::string &host, std::uint32_t port, side &incoming,
                            listener_state &ls) {
        server_socket_channel_bootstrap_options so;
        so.host_name = host;
        so.port = port;
        so.socket_options = opts;
        so.enable_read_back_pressure = incoming.back_pressure;
        so.incoming_callback = [&incoming](std::error_code ec, channel *c) { incoming.on_setup(ec, c); };
        so.shutdown_callback = [&incoming](std::error_code ec, channel &) { incoming.on_shutdown(ec); };
        so.destroy_callback = [&ls] {
            {
                std::lock_guard<std::mutex> lock(ls.mutex);
                ls.destroyed = true;
                ls.cv.notify_all();
            }
        };
        auto l = server->new_socket_listener(std::move(so));
        EXPECT_TRUE(l) << l.error().message();
        return l ? *l : nullptr;
    }

    std::error_code connect(const socket_options &opts, const std::string &host, std::uint32_t port, side &outgoing,
                            event_loop *requested = nullptr) {
        socket_channel_bootstrap_options co;
        co.host_name = host;
        co.port = port;
        co.socket_options = opts;
        co.enable_read_back_pressure = outgoing.back_pressure;
        co.requested_event_loop = requested;
        co.setup_callback = [&outgoing, requested](std::error_code ec, channel *c) {
            if (requested != nullptr) {
                std::lock_guard<std::mutex> lock(outgoing.mutex);
                outgoing.setup_on_requested_loop = requested->is_on_callers_thread() &&
                                                   (c == nullptr || &c->loop() == requested);
            }
            outgoing.on_setup(ec, c);
        };
        co.shutdown_callback = [&outgoing](std::error_code ec, channel &) { outgoing.on_shutdown(ec); };
        return client->new_socket_channel(std::move(co));
    }

    void destroy_listener(socket_listener *l, listener_state &ls) {
        ASSERT_FALSE(server->destroy_socket_listener(l));
        ASSERT_TRUE(ls.wait_destroyed());
    }

    static socket_options local_options() {
        socket_options o;
        o.domain = socket_domain::local;
        o.connect_timeout_ms = 3000;
        return o;
    }
    static socket_options ip_options(socket_domain d) {
        socket_options o;
        o.domain = d;
        o.connect_timeout_ms = 3000;
        return o;
    }

    // The server writes 16 bytes and closes at once; the client's window holds only 8. The rest
    // must still be delivered once the window opens, and only then does the channel end.
    void read_to_eof_after_peer_hangup(const socket_options &opts, const std::string &host) {
        side incoming;
        side outgoing;
        outgoing.back_pressure = true;
        outgoing.window = 8;
        listener_state ls;
        socket_listener *l = listen(opts, host, 0, incoming, ls);
        ASSERT_NE(l, nullptr);
        const std::uint32_t port = l->bound_endpoint().port;
        ASSERT_FALSE(connect(opts, host, port, outgoing));
        ASSERT_TRUE(incoming.wait_setup());
        ASSERT_TRUE(outgoing.wait_setup());
        ASSERT_FALSE(outgoing.setup_error) << outgoing.setup_error.message();

        incoming.rw->write("0123456789abcdef");
        ASSERT_TRUE(incoming.rw_state->wait([](auto &s) { return s.write_completions == 1; }));
        ASSERT_FALSE(incoming.ch->shutdown());
        ASSERT_TRUE(incoming.wait_shutdown());

        ASSERT_TRUE(outgoing.rw_state->wait([](auto &s) { return s.received.size() >= 8; }));
        std::this_thread::sleep_for(50ms);
        {
            std::lock_guard<std::mutex> lock(outgoing.mutex);
            EXPECT_EQ(outgoing.shutdown_calls, 0) << "the channel ended before the data was read";
        }
        outgoing.rw->increment_window(100);
        ASSERT_TRUE(outgoing.wait_shutdown());
        EXPECT_EQ(outgoing.rw_state->received_string(), "0123456789abcdef");
        EXPECT_EQ(outgoing.shutdown_error, io_errc::socket_closed);
        destroy_listener(l, ls);
    }

    io_library lib;
    std::shared_ptr<event_loop_group> group;
    std::shared_ptr<server_bootstrap> server;
    std::shared_ptr<client_bootstrap> client;
};

} // namespace

TEST_F(socket_handler_test, socket_handler_echo_and_backpressure) {
    const std::string read_tag = "I'm a little teapot.";
    const std::string write_tag = "I'm a big teapot";
    side incoming;
    side outgoing;
    // Small windows so back-pressure is visible.
    incoming.back_pressure = outgoing.back_pressure = true;
    outgoing.window = 9;
    incoming.window = 8;
    listener_state ls;
    const std::string path = local_socket_path();
    socket_listener *l = listen(local_options(), path, 0, incoming, ls);
    ASSERT_NE(l, nullptr);
    ASSERT_FALSE(connect(local_options(), path, 0, outgoing));
    ASSERT_TRUE(incoming.wait_setup());
    ASSERT_TRUE(outgoing.wait_setup());
    ASSERT_FALSE(outgoing.setup_error);
    ASSERT_FALSE(incoming.setup_error);

    outgoing.rw->write(write_tag);
    ASSERT_TRUE(incoming.rw_state->wait([](auto &s) { return s.received.size() >= 8; }));
    incoming.rw->write(read_tag);
    ASSERT_TRUE(outgoing.rw_state->wait([](auto &s) { return s.received.size() >= 9; }));
    // Only the initial windows were delivered.
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(outgoing.rw_state->received_size(), 9u);
    EXPECT_EQ(incoming.rw_state->received_size(), 8u);

    incoming.rw->increment_window(100);
    ASSERT_TRUE(incoming.rw_state->wait([&](auto &s) { return s.received.size() == write_tag.size(); }));
    outgoing.rw->increment_window(100);
    ASSERT_TRUE(outgoing.rw_state->wait([&](auto &s) { return s.received.size() == read_tag.size(); }));
    EXPECT_EQ(incoming.rw_state->received_string(), write_tag);
    EXPECT_EQ(outgoing.rw_state->received_string(), read_tag);

    // Shutting down one side is enough for the other to follow.
    ASSERT_FALSE(incoming.ch->shutdown());
    ASSERT_TRUE(incoming.wait_shutdown());
    ASSERT_TRUE(outgoing.wait_shutdown());
    destroy_listener(l, ls);
    EXPECT_EQ(incoming.setup_calls, 1);
    EXPECT_EQ(outgoing.setup_calls, 1);
    EXPECT_EQ(incoming.shutdown_calls, 1);
    EXPECT_EQ(outgoing.shutdown_calls, 1);
}

TEST_F(socket_handler_test, socket_handler_close) {
    side incoming;
    side outgoing;
    listener_state ls;
    const std::string path = local_socket_path();
    socket_listener *l = listen(local_options(), path, 0, incoming, ls);
    ASSERT_NE(l, nullptr);
    ASSERT_FALSE(connect(local_options(), path, 0, outgoing));
    ASSERT_TRUE(incoming.wait_setup());
    ASSERT_TRUE(outgoing.wait_setup());

    ASSERT_FALSE(incoming.ch->shutdown());
    ASSERT_TRUE(incoming.wait_shutdown());
    ASSERT_TRUE(outgoing.wait_shutdown());
    EXPECT_FALSE(incoming.shutdown_error);
    EXPECT_TRUE(outgoing.shutdown_error == io_errc::socket_closed ||
                outgoing.shutdown_error == io_errc::socket_not_connected)
        << outgoing.shutdown_error.message();
    destroy_listener(l, ls);
}

TEST_F(socket_handler_test, socket_handler_read_to_eof_after_peer_hangup) {
    read_to_eof_after_peer_hangup(local_options(), local_socket_path());
}

TEST_F(socket_handler_test, socket_handler_ipv4_read_to_eof_after_peer_hangup) {
    read_to_eof_after_peer_hangup(ip_options(socket_domain::ipv4), "127.0.0.1");
}

TEST_F(socket_handler_test, socket_handler_ipv6_read_to_eof_after_peer_hangup) {
    read_to_eof_after_peer_hangup(ip_options(socket_domain::ipv6), "::1");
}

// ---------------------------------------------------------------------------- pinned loops

TEST_F(socket_handler_test, socket_pinned_event_loop) {
    side incoming;
    side outgoing;
    listener_state ls;
    const std::string path = local_socket_path();
    socket_listener *l = listen(local_options(), path, 0, incoming, ls);
    ASSERT_NE(l, nullptr);
    event_loop *pinned = group->get_loop_at(1);
    ASSERT_NE(pinned, nullptr);
    ASSERT_FALSE(connect(local_options(), path, 0, outgoing, pinned));
    ASSERT_TRUE(outgoing.wait_setup());
    ASSERT_TRUE(incoming.wait_setup());
    ASSERT_FALSE(outgoing.setup_error);
    EXPECT_TRUE(outgoing.setup_on_requested_loop);
    EXPECT_EQ(&outgoing.ch->loop(), pinned);
    ASSERT_FALSE(outgoing.ch->shutdown());
    ASSERT_TRUE(outgoing.wait_shutdown());
    ASSERT_TRUE(incoming.wait_shutdown());
    destroy_listener(l, ls);
}

namespace {

// A resolver answering from a fixed list (or failing), recording connection failures.
class fixed_resolver final : public host_resolver {
public:
    explicit fixed_resolver(std::vector<host_address> answer, std::error_code fail = {})
        : answer_(std::move(answer)), fail_(fail) {}

    std::error_code resolve_host(std::string_view host, on_host_resolved_fn on_resolved,
                                 const host_resolution_config &) override {
        // Answer from another thread, as a real resolver miss would.
        std::thread([this, h = std::string(host), cb = std::move(on_resolved)]() mutable {
            std::vector<host_address> out;
            if (!fail_) {
                for (auto a : answer_) {
                    a.host = h;
                    out.push_back(a);
                }
            }
            cb(fail_, h, out);
        }).detach();
        return {};
    }
    std::error_code record_connection_failure(const host_address &address) override {
        std::lock_guard<std::mutex> lock(mutex_);
        failures_.push_back(address.address);
        return {};
    }
    std::error_code purge_cache(on_complete_fn on_complete) override {
        if (on_complete) {
            on_complete();
        }
        return {};
    }
    std::error_code purge_host_cache(std::string_view, on_complete_fn on_complete) override {
        if (on_complete) {
            on_complete();
        }
        return {};
    }
    [[nodiscard]] std::size_t get_host_address_count(std::string_view, std::uint32_t) const override {
        return answer_.size();
    }
    [[nodiscard]] const host_resolution_config &default_resolution_config() const noexcept override {
        return config_;
    }
    std::vector<std::string> failures() {
        std::lock_guard<std::mutex> lock(mutex_);
        return failures_;
    }

private:
    std::vector<host_address> answer_;
    std::error_code fail_;
    host_resolution_config config_;
    std::mutex mutex_;
    std::vector<std::string> failures_;
};

host_address address_a(std::string addr) {
    host_address a;
    a.address = std::move(addr);
    a.record_type = address_record_type::a;
    return a;
}

std::shared_ptr<client_bootstrap> make_client(const std::shared_ptr<event_loop_group> &group,
                                              std::shared_ptr<host_resolver> resolver) {
    client_bootstrap_options co;
    co.event_loop_group = group;
    co.host_resolver = std::move(resolver);
    auto b = client_bootstrap::create(std::move(co));
    EXPECT_TRUE(b);
    return b ? *b : nullptr;
}

} // namespace

TEST_F(socket_handler_test, socket_pinned_event_loop_dns_failure) {
    auto resolver = std::make_shared<fixed_resolver>(std::vector<host_address>{},
                                                     make_error_code(io_errc::dns_invalid_name));
    client = make_client(group, resolver);
    ASSERT_TRUE(client);
    side outgoing;
    event_loop *pinned = group->get_loop_at(1);
    ASSERT_FALSE(connect(ip_options(socket_domain::ipv4), "notarealhost.invalid", 80, outgoing, pinned));
    ASSERT_TRUE(outgoing.wait_setup());
    EXPECT_EQ(outgoing.setup_error, io_errc::dns_invalid_name);
    EXPECT_TRUE(outgoing.setup_on_requested_loop);
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(outgoing.setup_calls, 1);
    EXPECT_EQ(outgoing.shutdown_calls, 0); // a failed setup is never followed by shutdown
}

TEST_F(socket_handler_test, pinned_event_loop_mismatch) {
    event_loop_group_options o;
    o.loop_count = 1;
    auto other = event_loop_group::create(std::move(o));
    ASSERT_TRUE(other);
    side outgoing;
    EXPECT_EQ(connect(local_options(), local_socket_path(), 0, outgoing, (*other)->get_loop_at(0)),
              io_errc::pinned_event_loop_mismatch);
    EXPECT_EQ(outgoing.setup_calls, 0);
}

TEST_F(socket_handler_test, new_socket_channel_rejects_missing_callbacks) {
    socket_channel_bootstrap_options co;
    co.host_name = "127.0.0.1";
    co.port = 1;
    EXPECT_EQ(client->new_socket_channel(std::move(co)), common_errc::invalid_argument);
    server_socket_channel_bootstrap_options so;
    so.host_name = "127.0.0.1";
    EXPECT_EQ(server->new_socket_listener(std::move(so)).error(), common_errc::invalid_argument);
    EXPECT_EQ(server->destroy_socket_listener(nullptr), common_errc::invalid_argument);
    EXPECT_EQ(client_bootstrap::create({}).error(), common_errc::invalid_argument);
    EXPECT_EQ(server_bootstrap::create({}).error(), common_errc::invalid_argument);
}

TEST_F(socket_handler_test, listener_on_port_in_use_fails) {
    side incoming;
    listener_state ls;
    socket_listener *l = listen(ip_options(socket_domain::ipv4), "127.0.0.1", 0, incoming, ls);
    ASSERT_NE(l, nullptr);
    server_socket_channel_bootstrap_options so;
    so.host_name = "127.0.0.1";
    so.port = l->bound_endpoint().port;
    so.socket_options = ip_options(socket_domain::ipv4);
    so.incoming_callback = [](std::error_code, channel *) {};
    so.shutdown_callback = [](std::error_code, channel &) {};
    EXPECT_EQ(server->new_socket_listener(std::move(so)).error(), io_errc::socket_address_in_use);
    destroy_listener(l, ls);
}

// ---------------------------------------------------------------------------- statistics

namespace {

struct stats_totals {
    std::mutex mutex;
    std::condition_variable cv;
    std::uint64_t bytes_read = 0;
    std::uint64_t bytes_written = 0;
};

class test_stats_handler final : public statistics_handler {
public:
    explicit test_stats_handler(std::shared_ptr<stats_totals> t) : totals_(std::move(t)) {}
    void process_statistics(const statistics_sample_interval &, const std::vector<statistics_base *> &stats,
                            channel &) override {
        {
            std::lock_guard<std::mutex> lock(totals_->mutex);
            for (statistics_base *s : stats) {
                if (s->category == static_cast<statistics_category>(io_statistics_category::socket)) {
                    totals_->bytes_read += static_cast<socket_statistics *>(s)->bytes_read;
                    totals_->bytes_written += static_cast<socket_statistics *>(s)->bytes_written;
                }
                totals_->cv.notify_all();
            }
        }
    }
    [[nodiscard]] std::uint64_t report_interval_ms() const override { return 1; }

private:
    std::shared_ptr<stats_totals> totals_;
};

} // namespace

TEST_F(socket_handler_test, open_channel_statistics_test) {
    // One loop with a clock the test drives.
    static std::atomic<std::uint64_t> now_ns{0};
    now_ns = 0;
    client.reset();
    server.reset();
    group.reset();
    wait_group_gone();
    event_loop_group_options o;
    o.loop_count = 1;
    o.clock_override = []() -> std::uint64_t { return now_ns.load(); };
    make_group(std::move(o));
    server = *server_bootstrap::create({group});
    client = make_client(group, nullptr);

    const std::string read_tag = "Some bytes";
    const std::string write_tag = "Fresh pressed Washington apples";
    side incoming;
    side outgoing;
    listener_state ls;
    const std::string path = local_socket_path();
    socket_listener *l = listen(local_options(), path, 0, incoming, ls);
    ASSERT_NE(l, nullptr);

    auto totals = std::make_shared<stats_totals>();
    socket_channel_bootstrap_options co;
    co.host_name = path;
    co.socket_options = local_options();
    co.creation_callback = [&outgoing, totals](std::error_code ec, channel &c) {
        EXPECT_FALSE(ec);
        EXPECT_EQ(c.first_slot(), nullptr); // before any handler
        EXPECT_FALSE(c.set_statistics_handler(std::make_unique<test_stats_handler>(totals)));
        std::lock_guard<std::mutex> lock(outgoing.mutex);
        outgoing.creation_called = true;
    };
    co.setup_callback = [&outgoing](std::error_code ec, channel *c) { outgoing.on_setup(ec, c); };
    co.shutdown_callback = [&outgoing](std::error_code ec, channel &) { outgoing.on_shutdown(ec); };
    ASSERT_FALSE(client->new_socket_channel(std::move(co)));
    ASSERT_TRUE(incoming.wait_setup());
    ASSERT_TRUE(outgoing.wait_setup());
    EXPECT_TRUE(outgoing.creation_called);

    outgoing.rw->write(write_tag);
    ASSERT_TRUE(incoming.rw_state->wait([&](auto &s) { return s.received.size() == write_tag.size(); }));
    incoming.rw->write(read_tag);
    ASSERT_TRUE(outgoing.rw_state->wait([&](auto &s) { return s.received.size() == read_tag.size(); }));

    now_ns = 1000000; // one report interval later
    // Wake the loop so the statistics task sees the new time.
    group->get_loop_at(0)->schedule_now([](task_status) {});
    {
        std::unique_lock<std::mutex> lock(totals->mutex);
        ASSERT_TRUE(totals->cv.wait_for(lock, wait_limit, [&] {
            return totals->bytes_read > 0 && totals->bytes_written > 0;
        }));
        EXPECT_EQ(totals->bytes_read, read_tag.size());
        EXPECT_EQ(totals->bytes_written, write_tag.size());
    }
    ASSERT_FALSE(incoming.ch->shutdown());
    ASSERT_TRUE(incoming.wait_shutdown());
    ASSERT_TRUE(outgoing.wait_shutdown());
    destroy_listener(l, ls);
}

// ---------------------------------------------------------------------------- several hosts

namespace {

// A listener on `host` whose accept queue is full: connects to it stay pending until they time
// out (a local stand-in for an unreachable host).
struct full_backlog_listener {
    int listen_fd = -1;
    int filler_fd = -1;
    std::uint16_t port = 0;

    bool open(const char *ip, std::uint16_t want_port) {
        listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(want_port);
        if (::inet_pton(AF_INET, ip, &a.sin_addr) != 1 ||
            ::bind(listen_fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0 || ::listen(listen_fd, 0) != 0) {
            return false;
        }
        socklen_t len = sizeof(a);
        ::getsockname(listen_fd, reinterpret_cast<sockaddr *>(&a), &len);
        port = ntohs(a.sin_port);
        filler_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        return ::connect(filler_fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0;
    }
    ~full_backlog_listener() {
        if (filler_fd >= 0) {
            ::close(filler_fd);
        }
        if (listen_fd >= 0) {
            ::close(listen_fd);
        }
    }
};

} // namespace

TEST_F(socket_handler_test, channel_connect_some_hosts_timeout) {
    // 127.0.0.2 times out (full backlog), 127.0.0.1 accepts on the same port: the connection
    // must succeed once, and the timed-out address is reported to the resolver.
    full_backlog_listener blackhole;
    ASSERT_TRUE(blackhole.open("127.0.0.2", 0));
    side incoming;
    listener_state ls;
    socket_listener *l = listen(ip_options(socket_domain::ipv4), "127.0.0.1", blackhole.port, incoming, ls);
    ASSERT_NE(l, nullptr);

    auto resolver = std::make_shared<fixed_resolver>(
        std::vector<host_address>{address_a("127.0.0.2"), address_a("127.0.0.1")});
    client = make_client(group, resolver);
    side outgoing;
    socket_options opts = ip_options(socket_domain::ipv4);
    opts.connect_timeout_ms = 200;
    ASSERT_FALSE(connect(opts, "some.test.host", blackhole.port, outgoing));
    ASSERT_TRUE(outgoing.wait_setup());
    ASSERT_FALSE(outgoing.setup_error) << outgoing.setup_error.message();
    ASSERT_TRUE(incoming.wait_setup());
    // The losing attempt is closed without a second setup.
    std::this_thread::sleep_for(400ms);
    EXPECT_EQ(outgoing.setup_calls, 1);
    ASSERT_FALSE(outgoing.ch->shutdown());
    ASSERT_TRUE(outgoing.wait_shutdown());
    ASSERT_TRUE(incoming.wait_shutdown());
    EXPECT_EQ(outgoing.shutdown_calls, 1);
    destroy_listener(l, ls);
}

TEST_F(socket_handler_test, channel_connect_all_hosts_fail_reports_each_to_resolver) {
    // Nothing listens on these ports of 127.0.0.3 / 127.0.0.4: both attempts are refused.
    full_backlog_listener probe; // only to find a free port number
    ASSERT_TRUE(probe.open("127.0.0.1", 0));
    const std::uint16_t port = probe.port;
    auto resolver = std::make_shared<fixed_resolver>(
        std::vector<host_address>{address_a("127.0.0.3"), address_a("127.0.0.4")});
    client = make_client(group, resolver);
    side outgoing;
    ASSERT_FALSE(connect(ip_options(socket_domain::ipv4), "refusing.test.host", port, outgoing));
    ASSERT_TRUE(outgoing.wait_setup());
    EXPECT_EQ(outgoing.setup_error, io_errc::socket_connection_refused);
    auto failures = resolver->failures();
    std::sort(failures.begin(), failures.end());
    EXPECT_EQ(failures, (std::vector<std::string>{"127.0.0.3", "127.0.0.4"}));
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(outgoing.setup_calls, 1);
    EXPECT_EQ(outgoing.shutdown_calls, 0);
}

TEST_F(socket_handler_test, client_uses_default_resolver_for_localhost_names) {
    side incoming;
    listener_state ls;
    socket_listener *l = listen(ip_options(socket_domain::ipv4), "127.0.0.1", 0, incoming, ls);
    ASSERT_NE(l, nullptr);
    side outgoing;
    ASSERT_FALSE(connect(ip_options(socket_domain::ipv4), "127.0.0.1", l->bound_endpoint().port, outgoing));
    ASSERT_TRUE(outgoing.wait_setup());
    ASSERT_FALSE(outgoing.setup_error);
    EXPECT_GE(client->resolver()->get_host_address_count("127.0.0.1", get_host_address_count_record_type_a), 1u);
    ASSERT_FALSE(outgoing.ch->shutdown());
    ASSERT_TRUE(outgoing.wait_shutdown());
    ASSERT_TRUE(incoming.wait_shutdown());
    destroy_listener(l, ls);
}

// ---------------------------------------------------------------------------- listener teardown

TEST_F(socket_handler_test, destroying_listener_shuts_down_its_channels_first) {
    side incoming;
    side outgoing;
    listener_state ls;
    const std::string path = local_socket_path();
    socket_listener *l = listen(local_options(), path, 0, incoming, ls);
    ASSERT_NE(l, nullptr);
    ASSERT_FALSE(connect(local_options(), path, 0, outgoing));
    ASSERT_TRUE(incoming.wait_setup());
    ASSERT_TRUE(outgoing.wait_setup());
    ASSERT_FALSE(server->destroy_socket_listener(l));
    ASSERT_TRUE(ls.wait_destroyed());
    // destroy_callback came after the incoming channel's shutdown callback.
    EXPECT_EQ(incoming.shutdown_calls, 1);
    ASSERT_TRUE(outgoing.wait_shutdown());
    // A second destroy of the same listener is refused.
    EXPECT_EQ(server->destroy_socket_listener(l), common_errc::invalid_argument);
}

TEST_F(socket_handler_test, connect_to_missing_local_socket_fails_setup_once) {
    side outgoing;
    ASSERT_FALSE(connect(local_options(), local_socket_path(), 0, outgoing));
    ASSERT_TRUE(outgoing.wait_setup());
    EXPECT_TRUE(outgoing.setup_error);
    EXPECT_EQ(outgoing.ch, nullptr);
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(outgoing.setup_calls, 1);
    EXPECT_EQ(outgoing.shutdown_calls, 0);
}

// ---------------------------------------------------------------------------- faults

namespace {

// A raw TCP peer on 127.0.0.1 for fault injection.
struct raw_listener {
    int fd = -1;
    std::uint16_t port = 0;
    raw_listener() {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)), 0);
        EXPECT_EQ(::listen(fd, 4), 0);
        socklen_t len = sizeof(a);
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
        port = ntohs(a.sin_port);
    }
    int accept_one() const { return ::accept(fd, nullptr, nullptr); }
    ~raw_listener() { ::close(fd); }
};

} // namespace

TEST_F(socket_handler_test, peer_reset_shuts_channel_down_with_socket_closed) {
    raw_listener peer;
    side outgoing;
    ASSERT_FALSE(connect(ip_options(socket_domain::ipv4), "127.0.0.1", peer.port, outgoing));
    const int conn = peer.accept_one();
    ASSERT_GE(conn, 0);
    ASSERT_TRUE(outgoing.wait_setup());
    ASSERT_FALSE(outgoing.setup_error);
    // SO_LINGER 0 makes close() send RST.
    linger lg{1, 0};
    ::setsockopt(conn, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    ::close(conn);
    ASSERT_TRUE(outgoing.wait_shutdown());
    EXPECT_EQ(outgoing.shutdown_error, io_errc::socket_closed) << outgoing.shutdown_error.message();
}

TEST_F(socket_handler_test, peer_half_close_delivers_data_then_socket_closed) {
    raw_listener peer;
    side outgoing;
    ASSERT_FALSE(connect(ip_options(socket_domain::ipv4), "127.0.0.1", peer.port, outgoing));
    const int conn = peer.accept_one();
    ASSERT_GE(conn, 0);
    ASSERT_TRUE(outgoing.wait_setup());
    const std::string msg = "last words";
    ASSERT_EQ(::write(conn, msg.data(), msg.size()), static_cast<ssize_t>(msg.size()));
    ::shutdown(conn, SHUT_WR); // half-close: we still accept data
    ASSERT_TRUE(outgoing.wait_shutdown());
    EXPECT_EQ(outgoing.rw_state->received_string(), msg);
    EXPECT_EQ(outgoing.shutdown_error, io_errc::socket_closed);
    ::close(conn);
}

TEST_F(socket_handler_test, slow_reader_receives_everything_through_back_pressure) {
    side incoming;
    side outgoing;
    incoming.back_pressure = true;
    incoming.window = 1000;
    listener_state ls;
    const std::string path = local_socket_path();
    socket_listener *l = listen(local_options(), path, 0, incoming, ls);
    ASSERT_NE(l, nullptr);
    ASSERT_FALSE(connect(local_options(), path, 0, outgoing));
    ASSERT_TRUE(incoming.wait_setup());
    ASSERT_TRUE(outgoing.wait_setup());

    std::vector<std::uint8_t> big(1 << 20);
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<std::uint8_t>(i * 7 + 3);
    }
    outgoing.rw->write(big);
    // The reader opens its window a little at a time; never more than granted may arrive.
    std::size_t granted = 1000;
    for (int rounds = 0; rounds < 100000 && incoming.rw_state->received_size() < big.size(); ++rounds) {
        ASSERT_TRUE(incoming.rw_state->wait([&](auto &s) { return s.received.size() >= std::min(granted, big.size()); }));
        ASSERT_LE(incoming.rw_state->received_size(), granted);
        incoming.rw->increment_window(64 * 1024);
        granted += 64 * 1024;
    }
    ASSERT_EQ(incoming.rw_state->received_size(), big.size());
    {
        std::lock_guard<std::mutex> lock(incoming.rw_state->mutex);
        EXPECT_TRUE(incoming.rw_state->received == big);
    }
    ASSERT_TRUE(outgoing.rw_state->wait([&](auto &s) { return s.write_completions == (big.size() + 16383) / 16384; }));
    EXPECT_FALSE(outgoing.rw_state->last_write_error);
    ASSERT_FALSE(outgoing.ch->shutdown());
    ASSERT_TRUE(outgoing.wait_shutdown());
    ASSERT_TRUE(incoming.wait_shutdown());
    destroy_listener(l, ls);
}
