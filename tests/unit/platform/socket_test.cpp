// Port of aws-c-io tests/socket_test.c: the scenarios that run on loopback (127.0.0.1, ::1,
// local sockets under the test temp dir, vsock when the kernel has it), plus state-machine and
// partial-write checks.
#include <awsio/channel.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/future.hpp>
#include <awsio/io.hpp>
#include <awsio/socket.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace awsio;
using namespace std::chrono_literals;
// awsio::socket, not the POSIX socket() function.
using io_socket = awsio::socket;

namespace {

constexpr auto wait_limit = 20s;

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<std::uint8_t> pattern(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        v[i] = static_cast<std::uint8_t>(i * 131 + 17);
    }
    return v;
}

// A unique path for a local (unix-domain) socket under the test temp dir.
std::string local_socket_path() {
    static std::atomic<int> counter{0};
    std::string dir = ::testing::TempDir();
    if (dir.empty() || dir.back() != '/') {
        dir += '/';
    }
    return dir + "awsio_sock_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".sock";
}

std::unique_ptr<event_loop> make_running_loop() {
    auto loop = event_loop::create_default();
    EXPECT_TRUE(loop);
    if (!loop) {
        return nullptr;
    }
    EXPECT_FALSE((*loop)->run());
    return std::move(*loop);
}

// Runs fn on the loop thread and waits for it.
template <typename F>
void run_on(event_loop &loop, F &&fn) {
    future<void> done;
    loop.schedule_now([&fn, done](task_status) mutable {
        fn();
        done.set_result();
    });
    ASSERT_TRUE(done.wait(wait_limit));
}

std::unique_ptr<io_socket> make_socket(const socket_options &options) {
    auto s = io_socket::create(options);
    EXPECT_TRUE(s) << s.error().message();
    return s ? std::move(*s) : nullptr;
}

// Writes data from the loop thread and waits for the completion.
std::pair<std::error_code, std::size_t> write_and_wait(event_loop &loop, io_socket &sock, std::span<const std::uint8_t> data) {
    future<std::pair<std::error_code, std::size_t>> done;
    run_on(loop, [&] {
        std::error_code ec = sock.write(data, [done](std::error_code e, std::size_t n) mutable {
            done.set_result(std::make_pair(e, n));
        });
        if (ec) {
            done.set_result(std::make_pair(ec, std::size_t{0}));
        }
    });
    EXPECT_TRUE(done.wait(wait_limit));
    return done.is_done() ? done.get_result() : std::make_pair(make_error_code(common_errc::unknown), std::size_t{0});
}

// Reads until n bytes arrived (or an error other than read_would_block), polling from a task
// that reschedules itself; bounded so a broken socket cannot hang the test.
struct reader {
    event_loop *loop = nullptr;
    io_socket *sock = nullptr;
    std::size_t want = 0;
    std::vector<std::uint8_t> got;
    std::error_code error;
    int polls_left = 2000000;
    future<void> done;
    task t;

    void start() {
        t.set_function([this](task_status status) { step(status); }, "test_reader");
        loop->schedule_task_now(t);
    }
    void step(task_status status) {
        if (status == task_status::canceled) {
            error = common_errc::unknown;
            done.set_result();
            return;
        }
        std::uint8_t buf[65536];
        while (got.size() < want) {
            auto n = sock->read(std::span<std::uint8_t>(buf, sizeof(buf)));
            if (!n) {
                if (n.error() == io_errc::read_would_block && --polls_left > 0) {
                    loop->schedule_task_now(t);
                    return;
                }
                error = n.error();
                break;
            }
            got.insert(got.end(), buf, buf + *n);
        }
        done.set_result();
    }
};

std::vector<std::uint8_t> read_exact(event_loop &loop, io_socket &sock, std::size_t n, std::error_code *error = nullptr) {
    auto r = std::make_unique<reader>();
    r->loop = &loop;
    r->sock = &sock;
    r->want = n;
    r->start();
    EXPECT_TRUE(r->done.wait(wait_limit));
    if (error != nullptr) {
        *error = r->error;
    } else {
        EXPECT_FALSE(r->error) << r->error.message();
    }
    return r->got;
}

// Accepted sockets and accept errors, recorded from the loop thread.
struct accept_recorder {
    future<void> first;
    std::mutex mutex;
    std::unique_ptr<io_socket> incoming;
    std::error_code error;
    socket_on_accept_result callback() {
        return [this](std::error_code ec, std::unique_ptr<io_socket> s) {
            {
                std::lock_guard<std::mutex> lock(mutex);
                if (!incoming && !error) {
                    error = ec;
                    incoming = std::move(s);
                }
            }
            first.set_result();
        };
    }
};

socket_on_connection_result record_into(future<std::error_code> done) {
    return [done](std::error_code ec) mutable { done.set_result(ec); };
}

// Closes and destroys a socket on the loop thread.
void destroy_on(event_loop &loop, std::unique_ptr<io_socket> &s) {
    if (s) {
        run_on(loop, [&] {
            EXPECT_FALSE(s->close());
            s.reset();
        });
    }
}

// s_test_socket_ex: listener (stream: listen + accept), outgoing connects (after binding to
// local if given), data both ways (stream) or one way (dgram), then close everything.
void test_socket_ex(const socket_options &options, const socket_endpoint *local, const socket_endpoint &endpoint) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);

    auto listener = make_socket(options);
    ASSERT_TRUE(listener);
    ASSERT_FALSE(listener->bind(endpoint));
    auto bound = listener->get_bound_address();
    ASSERT_TRUE(bound);
    EXPECT_EQ(bound->address, endpoint.address);
    if (endpoint.port != 0) {
        EXPECT_EQ(bound->port, endpoint.port);
    } else if (options.domain == socket_domain::ipv4 || options.domain == socket_domain::ipv6) {
        EXPECT_GT(bound->port, 0u);
    }

    accept_recorder acc;
    if (options.type == socket_type::stream) {
        ASSERT_FALSE(listener->listen(1024));
        ASSERT_FALSE(listener->start_accept(*loop, acc.callback()));
    }

    auto outgoing = make_socket(options);
    ASSERT_TRUE(outgoing);
    if (local != nullptr) {
        ASSERT_FALSE(outgoing->bind(*local));
    }
    future<std::error_code> connected;
    ASSERT_FALSE(outgoing->connect(*bound, *loop, record_into(connected)));

    if (options.type == socket_type::stream) {
        ASSERT_TRUE(acc.first.wait(wait_limit));
    }
    ASSERT_TRUE(connected.wait(wait_limit));
    EXPECT_FALSE(connected.get_result()) << connected.get_result().message();

    io_socket *server = listener.get();
    if (options.type == socket_type::stream) {
        std::lock_guard<std::mutex> lock(acc.mutex);
        ASSERT_FALSE(acc.error);
        ASSERT_TRUE(acc.incoming);
        EXPECT_EQ(acc.incoming->options().domain, options.domain);
        EXPECT_EQ(acc.incoming->options().type, options.type);
        server = acc.incoming.get();
    }
    EXPECT_EQ(outgoing->get_event_loop(), loop.get());

    run_on(*loop, [&] {
        EXPECT_FALSE(server->assign_to_event_loop(*loop));
        EXPECT_FALSE(server->subscribe_to_readable_events([](std::error_code) {}));
        EXPECT_FALSE(outgoing->subscribe_to_readable_events([](std::error_code) {}));
    });

    const auto message = bytes_of("I'm a little teapot");
    auto [wec, wn] = write_and_wait(*loop, *outgoing, message);
    EXPECT_FALSE(wec) << wec.message();
    EXPECT_EQ(wn, message.size());
    EXPECT_EQ(read_exact(*loop, *server, message.size()), message);

    if (options.type == socket_type::stream) {
        auto [wec2, wn2] = write_and_wait(*loop, *server, message);
        EXPECT_FALSE(wec2);
        EXPECT_EQ(wn2, message.size());
        EXPECT_EQ(read_exact(*loop, *outgoing, message.size()), message);
    }

    destroy_on(*loop, acc.incoming);
    destroy_on(*loop, outgoing);
    run_on(*loop, [&] { EXPECT_FALSE(listener->close()); });
    EXPECT_FALSE(listener->is_open());
    listener.reset();
    loop.reset();
}

void test_socket(const socket_options &options, const socket_endpoint &endpoint) {
    test_socket_ex(options, nullptr, endpoint);
}

int get_int_option(const io_socket &s, int level, int name) {
    int value = -1;
    socklen_t len = sizeof(value);
    EXPECT_EQ(::getsockopt(s.handle().fd, level, name, &value, &len), 0);
    return value;
}

bool running_as_root() { return ::geteuid() == 0; }

// A listener on 127.0.0.1 whose accept queue is full (backlog 0, one connection never
// accepted): the kernel drops further SYNs, so a connect to it stays pending — a local
// stand-in for aws-c-io's black-holed remote host.
struct full_backlog_listener {
    std::unique_ptr<io_socket> listener;
    std::unique_ptr<io_socket> filler;
    socket_endpoint endpoint;

    void open(event_loop &loop) {
        socket_options opts;
        opts.connect_timeout_ms = 10000;
        listener = make_socket(opts);
        ASSERT_TRUE(listener);
        ASSERT_FALSE(listener->bind({"127.0.0.1", 0}));
        endpoint = *listener->get_bound_address();
        ASSERT_FALSE(listener->listen(0));
        filler = make_socket(opts);
        ASSERT_TRUE(filler);
        future<std::error_code> connected;
        ASSERT_FALSE(filler->connect(endpoint, loop, record_into(connected)));
        ASSERT_TRUE(connected.wait(wait_limit));
        ASSERT_FALSE(connected.get_result());
    }
    void close(event_loop &loop) {
        destroy_on(loop, filler);
        listener.reset();
    }
};

} // namespace

// ---------------------------------------------------------------------------- creation

TEST(socket, socket_posix_creation) {
    EXPECT_EQ(default_socket_impl_type(), socket_impl_type::posix);
    for (auto impl : {socket_impl_type::platform_default, socket_impl_type::posix}) {
        socket_options opts;
        opts.impl_type = impl;
        auto s = io_socket::create(opts);
        ASSERT_TRUE(s);
        EXPECT_TRUE((*s)->is_open());
        EXPECT_GE((*s)->handle().fd, 0);
        EXPECT_EQ((*s)->get_event_loop(), nullptr);
        EXPECT_FALSE((*s)->get_error());
        EXPECT_EQ((*s)->get_bound_address().error(), io_errc::socket_illegal_operation_for_state);
        EXPECT_FALSE((*s)->close());
        EXPECT_FALSE((*s)->is_open());
        EXPECT_FALSE((*s)->close()); // idempotent
    }
    for (auto impl : {socket_impl_type::winsock, socket_impl_type::apple_network_framework}) {
        socket_options opts;
        opts.impl_type = impl;
        EXPECT_EQ(io_socket::create(opts).error(), common_errc::platform_not_supported);
    }
    // Every domain/type pair this platform has opens non-blocking and close-on-exec.
    for (auto domain : {socket_domain::ipv4, socket_domain::ipv6, socket_domain::local}) {
        for (auto type : {socket_type::stream, socket_type::dgram}) {
            socket_options opts;
            opts.domain = domain;
            opts.type = type;
            auto s = make_socket(opts);
            ASSERT_TRUE(s);
            EXPECT_EQ(s->options().domain, domain);
            EXPECT_EQ(s->options().type, type);
        }
    }
}

TEST(socket, local_socket_communication) {
    socket_options opts;
    opts.connect_timeout_ms = 3000;
    opts.domain = socket_domain::local;
    const socket_endpoint endpoint{local_socket_path(), 0};
    test_socket(opts, endpoint);
    ::unlink(endpoint.address.c_str());
}

TEST(socket, socket_tcp_nodelay) {
    socket_options opts;
    opts.connect_timeout_ms = 3000;
    opts.tcp_nodelay = socket_tcp_nodelay::on;
    {
        auto s = make_socket(opts);
        ASSERT_TRUE(s);
        EXPECT_EQ(get_int_option(*s, IPPROTO_TCP, TCP_NODELAY), 1);
        socket_options off = opts;
        off.tcp_nodelay = socket_tcp_nodelay::off;
        EXPECT_FALSE(s->set_options(off));
        EXPECT_EQ(get_int_option(*s, IPPROTO_TCP, TCP_NODELAY), 0);
        EXPECT_EQ(s->options().tcp_nodelay, socket_tcp_nodelay::off);
    }
    test_socket(opts, {"127.0.0.1", 0});
}

TEST(socket, tcp_socket_communication) {
    socket_options opts;
    opts.connect_timeout_ms = 3000;
    opts.keepalive = true;
    opts.keep_alive_interval_sec = 1000;
    opts.keep_alive_timeout_sec = 60000; // above the kernel's limit: only warned about
    test_socket(opts, {"127.0.0.1", 0});
}

TEST(socket, tcp_socket_keep_alive_options) {
    socket_options opts;
    opts.keepalive = true;
    opts.keep_alive_interval_sec = 30;
    opts.keep_alive_timeout_sec = 5;
    opts.keep_alive_max_failed_probes = 4;
    auto s = make_socket(opts);
    ASSERT_TRUE(s);
    EXPECT_EQ(get_int_option(*s, SOL_SOCKET, SO_KEEPALIVE), 1);
    EXPECT_EQ(get_int_option(*s, IPPROTO_TCP, TCP_KEEPIDLE), 30);
    EXPECT_EQ(get_int_option(*s, IPPROTO_TCP, TCP_KEEPINTVL), 5);
    EXPECT_EQ(get_int_option(*s, IPPROTO_TCP, TCP_KEEPCNT), 4);
    EXPECT_EQ(get_int_option(*s, SOL_SOCKET, SO_REUSEADDR), 1);

    // Idle/interval are only set as a pair.
    socket_options half;
    half.keep_alive_interval_sec = 77;
    auto h = make_socket(half);
    ASSERT_TRUE(h);
    EXPECT_NE(get_int_option(*h, IPPROTO_TCP, TCP_KEEPIDLE), 77);
    EXPECT_EQ(get_int_option(*h, SOL_SOCKET, SO_KEEPALIVE), 0);
}

TEST(socket, tcp_socket_communication_ipv6) {
    socket_options opts;
    opts.connect_timeout_ms = 3000;
    opts.domain = socket_domain::ipv6;
    auto probe = io_socket::create(opts);
    if (!probe || (*probe)->bind({"::1", 0})) {
        GTEST_SKIP() << "no IPv6 loopback";
    }
    probe->reset();
    test_socket(opts, {"::1", 0});
}

TEST(socket, udp_socket_communication) {
    socket_options opts;
    opts.connect_timeout_ms = 3000;
    opts.type = socket_type::dgram;
    test_socket(opts, {"127.0.0.1", 0});
}

TEST(socket, udp_bind_connect_communication) {
    socket_options opts;
    opts.connect_timeout_ms = 3000;
    opts.type = socket_type::dgram;
    const socket_endpoint local{"127.0.0.1", 0};
    test_socket_ex(opts, &local, {"127.0.0.1", 0});
}

TEST(socket, test_socket_with_bind_to_interface) {
    socket_options opts;
    opts.connect_timeout_ms = 3000;
    opts.network_interface_name = "lo";
    auto probe = io_socket::create(opts);
    if (!probe && probe.error() == io_errc::socket_invalid_options) {
        GTEST_SKIP() << "SO_BINDTODEVICE needs CAP_NET_RAW before Linux 5.7";
    }
    ASSERT_TRUE(probe);
    probe->reset();
    test_socket(opts, {"127.0.0.1", 0});
    opts.type = socket_type::dgram;
    test_socket(opts, {"127.0.0.1", 0});
}

TEST(socket, test_socket_with_bind_to_invalid_interface) {
    socket_options opts;
    opts.network_interface_name = "invalid";
    EXPECT_EQ(io_socket::create(opts).error(), io_errc::socket_invalid_options);
    opts.network_interface_name = std::string(network_interface_name_max, 'a'); // no room for NUL
    EXPECT_EQ(io_socket::create(opts).error(), io_errc::socket_invalid_options);
    opts.network_interface_name = std::string("lo\0x", 4);
    EXPECT_EQ(io_socket::create(opts).error(), io_errc::socket_invalid_options);
}

TEST(socket, test_is_network_interface_name_valid) {
    EXPECT_TRUE(is_network_interface_name_valid("lo"));
    EXPECT_FALSE(is_network_interface_name_valid("invalid_name"));
    EXPECT_FALSE(is_network_interface_name_valid(""));
    EXPECT_FALSE(is_network_interface_name_valid(std::string(64, 'x')));
}

// ---------------------------------------------------------------------------- connect errors

TEST(socket, connect_timeout) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    full_backlog_listener target;
    target.open(*loop);
    ASSERT_TRUE(target.listener);

    socket_options opts;
    opts.connect_timeout_ms = 300;
    auto outgoing = make_socket(opts);
    ASSERT_TRUE(outgoing);
    future<std::error_code> result;
    ASSERT_FALSE(outgoing->connect(target.endpoint, *loop, record_into(result)));
    ASSERT_TRUE(result.wait(wait_limit));
    EXPECT_EQ(result.get_result(), io_errc::socket_timeout);
    EXPECT_FALSE(outgoing->is_open()); // the timeout closed it
    EXPECT_EQ(outgoing->get_event_loop(), nullptr);
    outgoing.reset();
    target.close(*loop);
    loop.reset();
}

TEST(socket, connect_timeout_zero_fires_at_once) {
    // connect_timeout_ms = 0: the timeout task is due immediately, so a TCP connect that has to
    // wait even one round trip loses the race (aws-c-io's POSIX semantics).
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    full_backlog_listener target;
    target.open(*loop);
    ASSERT_TRUE(target.listener);
    socket_options opts;
    opts.connect_timeout_ms = 0;
    auto outgoing = make_socket(opts);
    ASSERT_TRUE(outgoing);
    future<std::error_code> result;
    ASSERT_FALSE(outgoing->connect(target.endpoint, *loop, record_into(result)));
    ASSERT_TRUE(result.wait(wait_limit));
    EXPECT_EQ(result.get_result(), io_errc::socket_timeout);
    outgoing.reset();
    target.close(*loop);
    loop.reset();
}

TEST(socket, connect_timeout_cancelation) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    full_backlog_listener target;
    target.open(*loop);
    ASSERT_TRUE(target.listener);
    destroy_on(*loop, target.filler);

    socket_options opts;
    opts.connect_timeout_ms = 60000;
    auto outgoing = make_socket(opts);
    ASSERT_TRUE(outgoing);
    future<std::error_code> result;
    ASSERT_FALSE(outgoing->connect(target.endpoint, *loop, record_into(result)));
    // Destroying the loop runs the pending timeout task as canceled on this thread.
    loop.reset();
    ASSERT_TRUE(result.is_done());
    EXPECT_EQ(result.get_result(), io_errc::event_loop_shutdown);
    EXPECT_FALSE(outgoing->is_open());
    outgoing.reset();
    target.listener.reset();
}

TEST(socket, cleanup_before_connect_or_timeout_doesnt_explode) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    full_backlog_listener target;
    target.open(*loop);
    ASSERT_TRUE(target.listener);

    socket_options opts;
    opts.connect_timeout_ms = 200;
    auto outgoing = make_socket(opts);
    ASSERT_TRUE(outgoing);
    std::atomic<int> callbacks{0};
    ASSERT_FALSE(outgoing->connect(target.endpoint, *loop, [&callbacks](std::error_code) { ++callbacks; }));
    run_on(*loop, [&] { outgoing.reset(); });
    // Let the (now orphaned) timeout task come due and run: it must only free its record.
    std::this_thread::sleep_for(500ms);
    run_on(*loop, [] {});
    EXPECT_EQ(callbacks.load(), 0);
    target.close(*loop);
    loop.reset();
}

TEST(socket, outgoing_local_sock_errors) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    socket_options opts;
    opts.connect_timeout_ms = 1000;
    opts.domain = socket_domain::local;
    for (const std::string &path : {std::string(), local_socket_path()}) {
        auto outgoing = make_socket(opts);
        ASSERT_TRUE(outgoing);
        bool called = false;
        const std::error_code ec = outgoing->connect({path, 0}, *loop, [&called](std::error_code) { called = true; });
        EXPECT_TRUE(ec == io_errc::socket_connection_refused || ec == common_errc::file_invalid_path) << ec.message();
        EXPECT_EQ(outgoing->get_event_loop(), nullptr);
        outgoing.reset();
        EXPECT_FALSE(called);
    }
    socket_endpoint too_long{std::string(socket_address_max_len, 'p'), 0};
    auto s = make_socket(opts);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->connect(too_long, *loop, [](std::error_code) {}), common_errc::c_string_buffer_not_null_terminated);
    s.reset();
    loop.reset();
}

TEST(socket, outgoing_tcp_sock_error) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    socket_options opts;
    opts.connect_timeout_ms = 50000;
    // A port nobody listens on: bind one, note it, close it.
    socket_endpoint endpoint;
    {
        auto holder = make_socket(opts);
        ASSERT_TRUE(holder);
        ASSERT_FALSE(holder->bind({"127.0.0.1", 0}));
        endpoint = *holder->get_bound_address();
    }
    auto outgoing = make_socket(opts);
    ASSERT_TRUE(outgoing);
    future<std::error_code> result;
    io_socket *raw = outgoing.get();
    // TCP connect is non-blocking: it succeeds here and the error arrives in the callback,
    // which closes the socket (as aws-c-io's test does).
    ASSERT_FALSE(outgoing->connect(endpoint, *loop, [raw, result](std::error_code ec) mutable {
        EXPECT_FALSE(raw->close());
        result.set_result(ec);
    }));
    ASSERT_TRUE(result.wait(wait_limit));
    EXPECT_EQ(result.get_result(), io_errc::socket_connection_refused);
    EXPECT_FALSE(outgoing->is_open());
    outgoing.reset();
    loop.reset();
}

TEST(socket, incoming_tcp_sock_errors) {
    if (running_as_root()) {
        GTEST_SKIP() << "running as root: binding a privileged port succeeds";
    }
    socket_options opts;
    opts.connect_timeout_ms = 1000;
    auto incoming = make_socket(opts);
    ASSERT_TRUE(incoming);
    EXPECT_EQ(incoming->bind({"127.0.0.1", 80}), common_errc::no_permission);
}

TEST(socket, incoming_duplicate_tcp_bind_errors) {
    socket_options opts;
    opts.connect_timeout_ms = 1000;
    auto incoming = make_socket(opts);
    ASSERT_TRUE(incoming);
    ASSERT_FALSE(incoming->bind({"127.0.0.1", 0}));
    ASSERT_FALSE(incoming->listen(1024));
    auto duplicate = make_socket(opts);
    ASSERT_TRUE(duplicate);
    EXPECT_EQ(duplicate->bind(*incoming->get_bound_address()), io_errc::socket_address_in_use);
    // A failed bind leaves the socket in its error state.
    EXPECT_EQ(duplicate->listen(1024), io_errc::socket_illegal_operation_for_state);
    EXPECT_FALSE(duplicate->close());
    EXPECT_FALSE(incoming->close());
}

namespace {
void test_bind_on_zero_port(socket_type type, socket_domain domain, const char *address) {
    socket_options opts;
    opts.connect_timeout_ms = 1000;
    opts.type = type;
    opts.domain = domain;
    auto incoming = make_socket(opts);
    ASSERT_TRUE(incoming);
    EXPECT_EQ(incoming->get_bound_address().error(), io_errc::socket_illegal_operation_for_state);
    ASSERT_FALSE(incoming->bind({address, 0}));
    auto first = incoming->get_bound_address();
    ASSERT_TRUE(first);
    if (type != socket_type::dgram) {
        ASSERT_FALSE(incoming->listen(1024));
    }
    EXPECT_GT(first->port, 0u);
    EXPECT_EQ(first->address, address);
    auto second = incoming->get_bound_address();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->port, first->port);
    EXPECT_EQ(second->address, first->address);
    EXPECT_FALSE(incoming->close());
}
} // namespace

TEST(socket, bind_on_zero_port_tcp_ipv4) { test_bind_on_zero_port(socket_type::stream, socket_domain::ipv4, "127.0.0.1"); }

TEST(socket, bind_on_zero_port_udp_ipv4) { test_bind_on_zero_port(socket_type::dgram, socket_domain::ipv4, "127.0.0.1"); }

TEST(socket, incoming_udp_sock_errors) {
    socket_options opts;
    opts.connect_timeout_ms = 1000;
    opts.type = socket_type::dgram;
    auto incoming = make_socket(opts);
    ASSERT_TRUE(incoming);
    const std::error_code ec = incoming->bind({"127.0", 80});
    EXPECT_TRUE(ec == io_errc::socket_invalid_address || ec == common_errc::no_permission) << ec.message();
    // Parse failures do not consume the socket: a good address still binds.
    EXPECT_FALSE(incoming->bind({"127.0.0.1", 0}));
}

TEST(socket, wrong_thread_read_write_fails) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    socket_options opts;
    opts.connect_timeout_ms = 1000;
    opts.type = socket_type::dgram;
    auto sock = make_socket(opts);
    ASSERT_TRUE(sock);
    ASSERT_FALSE(sock->bind({"127.0.0.1", 0}));
    ASSERT_FALSE(sock->assign_to_event_loop(*loop));
    EXPECT_EQ(sock->assign_to_event_loop(*loop), io_errc::event_loop_already_assigned);
    ASSERT_FALSE(sock->subscribe_to_readable_events([](std::error_code) {}));
    EXPECT_EQ(sock->subscribe_to_readable_events([](std::error_code) {}), io_errc::already_subscribed);
    std::uint8_t buf[8];
    EXPECT_EQ(sock->read(buf).error(), io_errc::event_loop_thread_only);
    bool called = false;
    EXPECT_EQ(sock->write(std::span<const std::uint8_t>(buf, 1), [&called](std::error_code, std::size_t) { called = true; }),
              io_errc::event_loop_thread_only);
    EXPECT_EQ(sock->write(std::vector<std::uint8_t>{1, 2}, [&called](std::error_code, std::size_t) { called = true; }),
              io_errc::event_loop_thread_only);
    // A non-listening socket can only be closed on its loop.
    EXPECT_EQ(sock->close(), io_errc::socket_illegal_operation_for_state);
    destroy_on(*loop, sock);
    EXPECT_FALSE(called);
    loop.reset();
}

// ---------------------------------------------------------------------------- re-entrancy

TEST(socket, cleanup_in_accept_doesnt_explode) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    socket_options opts;
    opts.connect_timeout_ms = 3000;
    opts.keepalive = true;
    opts.keep_alive_interval_sec = 1000;
    opts.keep_alive_timeout_sec = 60000;
    auto listener = make_socket(opts);
    ASSERT_TRUE(listener);
    ASSERT_FALSE(listener->bind({"127.0.0.1", 0}));
    const socket_endpoint endpoint = *listener->get_bound_address();
    ASSERT_FALSE(listener->listen(1024));

    future<void> accepted;
    std::unique_ptr<io_socket> incoming;
    std::error_code accept_error;
    ASSERT_FALSE(listener->start_accept(*loop, [&, accepted](std::error_code ec, std::unique_ptr<io_socket> s) mutable {
        accept_error = ec;
        incoming = std::move(s);
        listener.reset(); // destroys the listener from inside its own accept callback
        accepted.set_result();
    }));

    auto outgoing = make_socket(opts);
    ASSERT_TRUE(outgoing);
    future<std::error_code> connected;
    ASSERT_FALSE(outgoing->connect(endpoint, *loop, record_into(connected)));
    ASSERT_TRUE(accepted.wait(wait_limit));
    ASSERT_TRUE(connected.wait(wait_limit));
    EXPECT_FALSE(connected.get_result());
    run_on(*loop, [&] {
        EXPECT_FALSE(accept_error);
        ASSERT_TRUE(incoming);
        EXPECT_EQ(incoming->options().domain, opts.domain);
        EXPECT_EQ(incoming->options().type, opts.type);
        EXPECT_EQ(incoming->remote_endpoint().address, "127.0.0.1");
        EXPECT_EQ(incoming->remote_endpoint().port, outgoing->local_endpoint().port);
        EXPECT_EQ(listener, nullptr);
    });
    destroy_on(*loop, incoming);
    destroy_on(*loop, outgoing);
    loop.reset();
}

namespace {
// A connected TCP pair on loop: client (connected) and server (accepted, assigned).
struct tcp_pair {
    std::unique_ptr<io_socket> listener;
    std::unique_ptr<io_socket> client;
    std::unique_ptr<io_socket> server;

    void open(event_loop &loop, socket_options opts = {}) {
        if (opts.connect_timeout_ms == 0) {
            opts.connect_timeout_ms = 3000;
        }
        listener = make_socket(opts);
        ASSERT_TRUE(listener);
        if (opts.domain == socket_domain::local) {
            ASSERT_FALSE(listener->bind({local_socket_path(), 0}));
        } else {
            ASSERT_FALSE(listener->bind({"127.0.0.1", 0}));
        }
        ASSERT_FALSE(listener->listen(16));
        accept_recorder acc;
        ASSERT_FALSE(listener->start_accept(loop, acc.callback()));
        client = make_socket(opts);
        ASSERT_TRUE(client);
        future<std::error_code> connected;
        ASSERT_FALSE(client->connect(*listener->get_bound_address(), loop, record_into(connected)));
        ASSERT_TRUE(acc.first.wait(wait_limit));
        ASSERT_TRUE(connected.wait(wait_limit));
        ASSERT_FALSE(connected.get_result());
        {
            std::lock_guard<std::mutex> lock(acc.mutex);
            ASSERT_TRUE(acc.incoming);
            server = std::move(acc.incoming);
        }
        run_on(loop, [&] {
            EXPECT_FALSE(server->assign_to_event_loop(loop));
            EXPECT_FALSE(server->subscribe_to_readable_events([](std::error_code) {}));
            EXPECT_FALSE(client->subscribe_to_readable_events([](std::error_code) {}));
        });
    }
    void close(event_loop &loop) {
        destroy_on(loop, server);
        destroy_on(loop, client);
        if (listener) {
            const std::string path =
                listener->options().domain == socket_domain::local ? listener->local_endpoint().address : "";
            EXPECT_FALSE(listener->close()); // off-thread close of a listener blocks on the loop
            listener.reset();
            if (!path.empty()) {
                ::unlink(path.c_str());
            }
        }
    }
};
} // namespace

TEST(socket, cleanup_in_write_cb_doesnt_explode) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    tcp_pair pair;
    pair.open(*loop);
    ASSERT_TRUE(pair.server);

    const auto message = bytes_of("I'm a little teapot");
    future<std::pair<std::error_code, std::size_t>> first;
    run_on(*loop, [&] {
        EXPECT_FALSE(pair.client->write(message, [&pair, first](std::error_code ec, std::size_t n) mutable {
            pair.client.reset(); // destroys the socket inside its own write callback
            first.set_result(std::make_pair(ec, n));
        }));
    });
    ASSERT_TRUE(first.wait(wait_limit));
    EXPECT_FALSE(first.get_result().first);
    EXPECT_EQ(first.get_result().second, message.size());

    // The peer is gone; the first write towards it is still accepted by the kernel.
    auto [ec, n] = write_and_wait(*loop, *pair.server, message);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(n, message.size());
    pair.close(*loop);
    loop.reset();
}

namespace {
// sock_write_cb_is_async: A's callback writes D, B's callback destroys the socket, C may
// succeed or fail, D completes last; no callback runs inside write().
enum class async_role { a_callback_writes_d, b_callback_cleans_up_socket, c_is_last_from_initial_batch, d_got_written_via_callback };

struct async_tester {
    event_loop *loop = nullptr;
    std::unique_ptr<io_socket> write_socket;
    std::unique_ptr<io_socket> read_socket;
    bool currently_writing = false;
    int next_expected = 0;
    bool failed = false;
    future<void> writes_done;
    future<void> reads_done;
    task reader;
    int polls_left = 2000000;

    socket_on_write_completed completion(async_role role) {
        return [this, role](std::error_code ec, std::size_t n) { on_written(role, ec, n); };
    }
    void on_written(async_role role, std::error_code ec, std::size_t n) {
        if (currently_writing || static_cast<int>(role) != next_expected) {
            failed = true; // synchronous or out of order
        }
        ++next_expected;
        switch (role) {
        case async_role::a_callback_writes_d: {
            failed |= ec || n != 1;
            currently_writing = true;
            failed |= static_cast<bool>(write_socket->write(bytes_of("D"), completion(async_role::d_got_written_via_callback)));
            currently_writing = false;
            break;
        }
        case async_role::b_callback_cleans_up_socket:
            failed |= ec || n != 1;
            write_socket.reset();
            break;
        case async_role::c_is_last_from_initial_batch:
            break; // may succeed or fail: the socket died after B
        case async_role::d_got_written_via_callback:
            writes_done.set_result();
            break;
        }
    }
    void start_writes() {
        currently_writing = true;
        failed |= static_cast<bool>(write_socket->write(bytes_of("A"), completion(async_role::a_callback_writes_d)));
        failed |= static_cast<bool>(write_socket->write(bytes_of("B"), completion(async_role::b_callback_cleans_up_socket)));
        failed |= static_cast<bool>(write_socket->write(bytes_of("C"), completion(async_role::c_is_last_from_initial_batch)));
        currently_writing = false;
    }
    // Reads until the writer hangs up.
    void read_step() {
        std::uint8_t buf[100];
        for (;;) {
            auto r = read_socket->read(buf);
            if (r) {
                continue;
            }
            if (r.error() == io_errc::read_would_block && --polls_left > 0) {
                loop->schedule_task_now(reader);
                return;
            }
            read_socket.reset();
            reads_done.set_result();
            return;
        }
    }
};
} // namespace

TEST(socket, sock_write_cb_is_async) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    socket_options opts;
    opts.domain = socket_domain::local;
    opts.keepalive = true;
    tcp_pair pair;
    pair.open(*loop, opts);
    ASSERT_TRUE(pair.server);

    async_tester t;
    t.loop = loop.get();
    t.write_socket = std::move(pair.client);
    t.read_socket = std::move(pair.server);
    t.reader.set_function([&t](task_status) { t.read_step(); }, "async_test_read_task");
    run_on(*loop, [&] { t.start_writes(); });
    loop->schedule_task_now(t.reader);
    ASSERT_TRUE(t.writes_done.wait(wait_limit));
    ASSERT_TRUE(t.reads_done.wait(wait_limit));
    run_on(*loop, [&] {
        EXPECT_FALSE(t.failed);
        EXPECT_EQ(t.next_expected, 4);
        EXPECT_EQ(t.write_socket, nullptr);
    });
    pair.close(*loop);
    loop.reset();
}

// ---------------------------------------------------------------------------- writes

TEST(socket, tcp_large_writes_are_fifo_and_resume_after_partial_writes) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    tcp_pair pair;
    pair.open(*loop);
    ASSERT_TRUE(pair.server);

    // Far more than the socket buffers hold: the writes must resume on writable events.
    const auto big = pattern(8 * 1024 * 1024);
    std::vector<int> order;
    future<void> all_written;
    std::vector<std::pair<std::error_code, std::size_t>> results;
    run_on(*loop, [&] {
        EXPECT_FALSE(pair.client->write(std::span<const std::uint8_t>(big.data(), big.size() / 2),
                                        [&](std::error_code ec, std::size_t n) {
                                            order.push_back(1);
                                            results.emplace_back(ec, n);
                                        }));
        EXPECT_FALSE(pair.client->write(std::vector<std::uint8_t>(big.begin() + static_cast<std::ptrdiff_t>(big.size() / 2), big.end()),
                                        [&, all_written](std::error_code ec, std::size_t n) mutable {
                                            order.push_back(2);
                                            results.emplace_back(ec, n);
                                            all_written.set_result();
                                        }));
        EXPECT_TRUE(order.empty()); // never synchronous
    });
    EXPECT_EQ(read_exact(*loop, *pair.server, big.size()), big);
    ASSERT_TRUE(all_written.wait(wait_limit));
    run_on(*loop, [&] {
        EXPECT_EQ(order, (std::vector<int>{1, 2}));
        ASSERT_EQ(results.size(), 2u);
        EXPECT_FALSE(results[0].first);
        EXPECT_EQ(results[0].second, big.size() / 2);
        EXPECT_FALSE(results[1].first);
        EXPECT_EQ(results[1].second, big.size() - big.size() / 2);
    });
    pair.close(*loop);
    loop.reset();
}

TEST(socket, close_completes_pending_writes_with_socket_closed) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    tcp_pair pair;
    pair.open(*loop);
    ASSERT_TRUE(pair.server);
    const auto big = pattern(16 * 1024 * 1024); // never read: stays partly queued
    std::vector<std::pair<std::error_code, std::size_t>> results;
    run_on(*loop, [&] {
        EXPECT_FALSE(pair.client->write(big, [&](std::error_code ec, std::size_t n) { results.emplace_back(ec, n); }));
        EXPECT_FALSE(pair.client->write(big, [&](std::error_code ec, std::size_t n) { results.emplace_back(ec, n); }));
        EXPECT_FALSE(pair.client->close());
        // close() settled both before returning.
        ASSERT_EQ(results.size(), 2u);
        EXPECT_EQ(results[0].first, io_errc::socket_closed);
        EXPECT_LT(results[0].second, big.size());
        EXPECT_EQ(results[1].first, io_errc::socket_closed);
        EXPECT_EQ(results[1].second, 0u);
        // Closed: IO now fails without callbacks.
        EXPECT_EQ(pair.client->write(big, [&](std::error_code ec, std::size_t n) { results.emplace_back(ec, n); }),
                  io_errc::event_loop_thread_only);
    });
    EXPECT_EQ(results.size(), 2u);
    pair.close(*loop);
    loop.reset();
}

TEST(socket, read_reports_peer_close_and_readable_events) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    tcp_pair pair;
    pair.open(*loop);
    ASSERT_TRUE(pair.server);
    std::uint8_t buf[16];
    run_on(*loop, [&] {
        EXPECT_EQ(pair.server->read(buf).error(), io_errc::read_would_block);
        EXPECT_EQ(pair.server->read(std::span<std::uint8_t>()).value_or(99), 0u);
    });
    // Shut down the client's write side: the server reads EOF as socket_closed.
    run_on(*loop, [&] { EXPECT_FALSE(pair.client->shutdown_dir(channel_direction::write)); });
    std::error_code ec;
    auto got = read_exact(*loop, *pair.server, 1, &ec);
    EXPECT_TRUE(got.empty());
    EXPECT_EQ(ec, io_errc::socket_closed);
    run_on(*loop, [&] {
        std::uint8_t one = 1;
        EXPECT_EQ(pair.client->write(std::span<const std::uint8_t>(&one, 1), [](std::error_code, std::size_t) {}),
                  io_errc::socket_not_connected);
    });
    pair.close(*loop);
    loop.reset();
}

TEST(socket, readable_callback_fires_on_data_and_hang_up) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    socket_options opts;
    opts.connect_timeout_ms = 3000;
    auto listener = make_socket(opts);
    ASSERT_TRUE(listener);
    ASSERT_FALSE(listener->bind({"127.0.0.1", 0}));
    ASSERT_FALSE(listener->listen(4));
    accept_recorder acc;
    ASSERT_FALSE(listener->start_accept(*loop, acc.callback()));
    auto client = make_socket(opts);
    future<std::error_code> connected;
    ASSERT_FALSE(client->connect(*listener->get_bound_address(), *loop, record_into(connected)));
    ASSERT_TRUE(acc.first.wait(wait_limit));
    ASSERT_TRUE(connected.wait(wait_limit));
    std::unique_ptr<io_socket> server;
    {
        std::lock_guard<std::mutex> lock(acc.mutex);
        server = std::move(acc.incoming);
    }
    ASSERT_TRUE(server);

    future<void> got_data;
    future<std::error_code> got_error;
    std::vector<std::uint8_t> received;
    run_on(*loop, [&] {
        EXPECT_FALSE(server->assign_to_event_loop(*loop));
        EXPECT_FALSE(server->subscribe_to_readable_events([&, got_data, got_error](std::error_code ec) mutable {
            if (ec) {
                got_error.set_result(ec);
                return;
            }
            std::uint8_t buf[64];
            for (;;) {
                auto n = server->read(buf);
                if (!n) {
                    break;
                }
                received.insert(received.end(), buf, buf + *n);
            }
            if (received.size() >= 5) {
                got_data.set_result();
            }
        }));
    });
    const auto hello = bytes_of("hello");
    auto [wec, wn] = write_and_wait(*loop, *client, hello);
    EXPECT_FALSE(wec);
    EXPECT_EQ(wn, hello.size());
    ASSERT_TRUE(got_data.wait(wait_limit));
    run_on(*loop, [&] { EXPECT_EQ(received, hello); });
    destroy_on(*loop, client);
    ASSERT_TRUE(got_error.wait(wait_limit));
    EXPECT_EQ(got_error.get_result(), io_errc::socket_closed);
    destroy_on(*loop, server);
    listener.reset();
    loop.reset();
}

// ---------------------------------------------------------------------------- state machine

TEST(socket, state_machine_rejects_illegal_operations) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    socket_options opts;
    opts.connect_timeout_ms = 1000;
    auto s = make_socket(opts);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->listen(16), io_errc::socket_illegal_operation_for_state);
    EXPECT_EQ(s->start_accept(*loop, [](std::error_code, std::unique_ptr<io_socket>) {}),
              io_errc::socket_illegal_operation_for_state);
    EXPECT_EQ(s->stop_accept(), io_errc::socket_illegal_operation_for_state);
    EXPECT_EQ(s->subscribe_to_readable_events([](std::error_code) {}), io_errc::socket_not_connected);
    socket_options other = opts;
    other.type = socket_type::dgram;
    EXPECT_EQ(s->set_options(other), io_errc::socket_invalid_options);
    other = opts;
    other.domain = socket_domain::ipv6;
    EXPECT_EQ(s->set_options(other), io_errc::socket_invalid_options);
    EXPECT_EQ(s->connect({"127.0.0.1", 0}, *loop, [](std::error_code) {}), io_errc::socket_invalid_address);
    EXPECT_EQ(s->connect({"127.0.0.1", 70000}, *loop, [](std::error_code) {}), io_errc::socket_invalid_address);
    EXPECT_EQ(s->connect({"not-an-ip", 80}, *loop, [](std::error_code) {}), io_errc::socket_invalid_address);
    EXPECT_EQ(s->connect({"127.0.0.1", 80}, *loop, nullptr), common_errc::invalid_argument);
    EXPECT_EQ(s->bind({"127.0.0.1", 70000}), io_errc::socket_invalid_address);
    EXPECT_EQ(s->bind({"::1", 0}), io_errc::socket_invalid_address);

    ASSERT_FALSE(s->bind({"127.0.0.1", 0}));
    EXPECT_EQ(s->bind({"127.0.0.1", 0}), io_errc::socket_illegal_operation_for_state);
    EXPECT_EQ(s->connect({"127.0.0.1", 9}, *loop, [](std::error_code) {}), io_errc::socket_illegal_operation_for_state);
    ASSERT_FALSE(s->listen(16));
    EXPECT_EQ(s->listen(16), io_errc::socket_illegal_operation_for_state);
    ASSERT_FALSE(s->start_accept(*loop, [](std::error_code, std::unique_ptr<io_socket>) {}));
    EXPECT_EQ(s->start_accept(*loop, [](std::error_code, std::unique_ptr<io_socket>) {}),
              io_errc::event_loop_already_assigned);
    EXPECT_EQ(s->get_event_loop(), loop.get());
    // Off the loop thread stop_accept blocks until the loop has done it.
    EXPECT_FALSE(s->stop_accept());
    EXPECT_EQ(s->get_event_loop(), nullptr);
    ASSERT_FALSE(s->start_accept(*loop, [](std::error_code, std::unique_ptr<io_socket>) {}));
    EXPECT_FALSE(s->close()); // listener: allowed off-thread
    EXPECT_FALSE(s->is_open());
    EXPECT_EQ(s->get_event_loop(), nullptr);
    s.reset();
    loop.reset();
}

// ---------------------------------------------------------------------------- helpers

TEST(socket, socket_validate_port) {
    // IPv4 / IPv6
    for (auto d : {socket_domain::ipv4, socket_domain::ipv6}) {
        EXPECT_FALSE(validate_port_for_connect(80, d));
        EXPECT_FALSE(validate_port_for_bind(80, d));
        EXPECT_EQ(validate_port_for_connect(0, d), io_errc::socket_invalid_address);
        EXPECT_FALSE(validate_port_for_bind(0, d));
        EXPECT_FALSE(validate_port_for_connect(65535, d));
        EXPECT_FALSE(validate_port_for_bind(65535, d));
        EXPECT_EQ(validate_port_for_connect(65536, d), io_errc::socket_invalid_address);
        EXPECT_EQ(validate_port_for_bind(65536, d), io_errc::socket_invalid_address);
        EXPECT_EQ(validate_port_for_connect(0xFFFFFFFFu, d), io_errc::socket_invalid_address);
        EXPECT_EQ(validate_port_for_bind(0xFFFFFFFFu, d), io_errc::socket_invalid_address);
    }
    // Local: the port is ignored.
    for (std::uint32_t p : {0u, 80u, 65536u, 0xFFFFFFFFu}) {
        EXPECT_FALSE(validate_port_for_connect(p, socket_domain::local));
        EXPECT_FALSE(validate_port_for_bind(p, socket_domain::local));
    }
    // VSOCK: any 32-bit port, but "any" (-1U) cannot be connected to.
    EXPECT_FALSE(validate_port_for_connect(80, socket_domain::vsock));
    EXPECT_FALSE(validate_port_for_connect(0, socket_domain::vsock));
    EXPECT_FALSE(validate_port_for_connect(65536, socket_domain::vsock));
    EXPECT_EQ(validate_port_for_connect(0xFFFFFFFFu, socket_domain::vsock), io_errc::socket_invalid_address);
    EXPECT_FALSE(validate_port_for_bind(0xFFFFFFFFu, socket_domain::vsock));
    EXPECT_FALSE(validate_port_for_bind(0, socket_domain::vsock));
    // Unknown domain.
    EXPECT_EQ(validate_port_for_bind(80, static_cast<socket_domain>(99)), io_errc::socket_invalid_address);
    EXPECT_EQ(validate_port_for_connect(80, static_cast<socket_domain>(99)), io_errc::socket_invalid_address);
}

namespace {
std::uint32_t network_order(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    std::uint32_t v = 0;
    const std::uint8_t bytes[4] = {a, b, c, d};
    std::memcpy(&v, bytes, 4);
    return v;
}
} // namespace

TEST(socket, parse_ipv4_valid_addresses) {
    struct {
        const char *text;
        std::uint32_t expected;
    } cases[] = {
        {"127.0.0.1", network_order(127, 0, 0, 1)},
        {"0.0.0.0", network_order(0, 0, 0, 0)},
        {"255.255.255.255", network_order(255, 255, 255, 255)},
        {"192.168.1.1", network_order(192, 168, 1, 1)},
        {"10.0.0.1", network_order(10, 0, 0, 1)},
        {"1.2.3.4", network_order(1, 2, 3, 4)},
        {"172.16.254.100", network_order(172, 16, 254, 100)},
    };
    for (const auto &c : cases) {
        auto r = parse_ipv4_address(c.text);
        ASSERT_TRUE(r) << c.text;
        EXPECT_EQ(*r, c.expected) << c.text;
        // Same answer as the OS parser.
        in_addr os{};
        ASSERT_EQ(::inet_pton(AF_INET, c.text, &os), 1);
        EXPECT_EQ(*r, os.s_addr);
    }
}

TEST(socket, parse_ipv4_invalid_addresses) {
    const char *cases[] = {
        "",           "256.0.0.1",    "1.2.3",         "1.2.3.4.5",   "1.2.3.",      ".1.2.3",     "1..2.3",
        "a.b.c.d",    "127.0.0.1 ",   " 127.0.0.1",    "127.0.0.01",  "1234.1.1.1",  "1.2.3.-4",   "::1",
        "127.0.0.1/8", "0x7f.0.0.1", "127.0.0.1:80", "999.999.999.999", "1.2.3.256", "localhost",
    };
    for (const char *c : cases) {
        EXPECT_EQ(parse_ipv4_address(c).error(), io_errc::socket_invalid_address) << '"' << c << '"';
        in_addr os{};
        EXPECT_NE(::inet_pton(AF_INET, c, &os), 1) << c;
    }
    EXPECT_EQ(parse_ipv4_address(std::string_view("1.2.3.4\0", 8)).error(), io_errc::socket_invalid_address);
}

TEST(socket, parse_ipv6_valid_addresses) {
    const char *cases[] = {
        "::1",
        "::",
        "2001:db8::1",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "2001:db8:85a3::8a2e:370:7334",
        "fe80::1",
        "FE80::ABCD:ef01",
        "1::",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6::8",
        "::ffff:192.168.1.1",
        "::ffff:c0a8:101",
        "64:ff9b::192.0.2.33",
        "1:2:3:4:5:6:1.2.3.4",
        "ff02::2",
    };
    for (const char *c : cases) {
        std::vector<std::uint8_t> out{0xAA}; // appended after what is already there
        ASSERT_FALSE(parse_ipv6_address(c, out)) << c;
        ASSERT_EQ(out.size(), 17u) << c;
        EXPECT_EQ(out[0], 0xAA);
        in6_addr os{};
        ASSERT_EQ(::inet_pton(AF_INET6, c, &os), 1) << c;
        EXPECT_EQ(0, std::memcmp(out.data() + 1, &os, 16)) << c;
    }
    std::vector<std::uint8_t> loopback;
    ASSERT_FALSE(parse_ipv6_address("::1", loopback));
    std::vector<std::uint8_t> expected(16, 0);
    expected[15] = 1;
    EXPECT_EQ(loopback, expected);
}

TEST(socket, parse_ipv6_invalid_addresses) {
    const char *cases[] = {
        "",
        ":",
        ":::",
        "1:::2",
        "1::2::3",
        ":1",
        "1:",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8",
        "12345::1",
        "g::1",
        "::1 ",
        " ::1",
        "127.0.0.1",
        "::ffff:256.1.1.1",
        "::1.2.3",
        "1.2.3.4::",
        "fe80::1%lo",
        "[::1]",
        "1:2:3:4:5:6:7:1.2.3.4",
    };
    for (const char *c : cases) {
        std::vector<std::uint8_t> out;
        EXPECT_EQ(parse_ipv6_address(c, out), io_errc::socket_invalid_address) << '"' << c << '"';
        EXPECT_TRUE(out.empty()) << c;
        in6_addr os{};
        EXPECT_NE(::inet_pton(AF_INET6, c, &os), 1) << c;
    }
}

// ---------------------------------------------------------------------------- vsock

namespace {
bool vsock_available() {
    socket_options opts;
    opts.domain = socket_domain::vsock;
    return static_cast<bool>(io_socket::create(opts));
}
} // namespace

TEST(socket, vsock_socket_creation_bind_listen) {
    if (!vsock_available()) {
        GTEST_SKIP() << "AF_VSOCK is not available on this kernel";
    }
    socket_options opts;
    opts.domain = socket_domain::vsock;
    auto s = make_socket(opts);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->bind({"not-a-cid", 5000}), io_errc::socket_invalid_address);
    // "-1" is VMADDR_CID_ANY; the port comes from the OS when it is the any-port value.
    ASSERT_FALSE(s->bind({"-1", 0xFFFFFFFFu}));
    auto bound = s->get_bound_address();
    ASSERT_TRUE(bound);
    EXPECT_NE(bound->port, 0xFFFFFFFFu);
    EXPECT_FALSE(s->listen(16));
    EXPECT_FALSE(s->close());
}

TEST(socket, vsock_loopback_socket_communication) {
    if (!vsock_available()) {
        GTEST_SKIP() << "AF_VSOCK is not available on this kernel";
    }
    // A loopback connection needs the vsock_loopback transport, which this kernel may lack;
    // probe it with a short connect first.
    socket_options opts;
    opts.domain = socket_domain::vsock;
    opts.connect_timeout_ms = 2000;
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    auto listener = make_socket(opts);
    ASSERT_TRUE(listener);
    if (listener->bind({"1", 0xFFFFFFFFu}) || listener->listen(4)) {
        listener.reset();
        loop.reset();
        GTEST_SKIP() << "no vsock loopback on this kernel";
    }
    const socket_endpoint endpoint = *listener->get_bound_address();
    accept_recorder acc;
    ASSERT_FALSE(listener->start_accept(*loop, acc.callback()));
    auto probe = make_socket(opts);
    ASSERT_TRUE(probe);
    future<std::error_code> connected;
    const std::error_code immediate = probe->connect(endpoint, *loop, record_into(connected));
    const bool ok = !immediate && connected.wait(wait_limit) && !connected.get_result();
    if (!ok) {
        if (probe->get_event_loop() != nullptr) {
            destroy_on(*loop, probe);
        }
        probe.reset();
        EXPECT_FALSE(listener->close());
        listener.reset();
        loop.reset();
        GTEST_SKIP() << "no vsock loopback on this kernel";
    }
    ASSERT_TRUE(acc.first.wait(wait_limit));
    std::unique_ptr<io_socket> server;
    {
        std::lock_guard<std::mutex> lock(acc.mutex);
        server = std::move(acc.incoming);
    }
    ASSERT_TRUE(server);
    EXPECT_EQ(server->options().domain, socket_domain::vsock);
    run_on(*loop, [&] { EXPECT_FALSE(server->assign_to_event_loop(*loop)); });
    const auto message = bytes_of("I'm a little teapot");
    auto [ec, n] = write_and_wait(*loop, *probe, message);
    EXPECT_FALSE(ec);
    EXPECT_EQ(n, message.size());
    EXPECT_EQ(read_exact(*loop, *server, message.size()), message);
    destroy_on(*loop, server);
    destroy_on(*loop, probe);
    EXPECT_FALSE(listener->close());
    listener.reset();
    loop.reset();
}
