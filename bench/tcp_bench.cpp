// `awsio bench tcp`: one-way bulk transfer over loopback TCP through two awsio channels (client
// bootstrap -> server bootstrap), next to the floor: the same transfer with plain blocking
// sockets on two threads. Each awsio side has its own one-loop group (its own thread), like
// the two plain-socket threads. Reports MB/s and the process CPU seconds spent.
#include "bench/bench.hpp"

#include <awsio/bootstrap.hpp>
#include <awsio/io.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace awsio::bench {
namespace {

double cpu_seconds() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct measurement {
    double seconds = 0;
    double cpu = 0;
    bool ok = false;
};

// Counts what arrives; signals once `total` bytes came in.
class sink_handler final : public channel_handler {
public:
    sink_handler(std::uint64_t total, std::promise<std::chrono::steady_clock::time_point> &done)
        : total_(total), done_(done) {}
    std::error_code process_read_message(channel_slot &, message_ptr &&msg) override {
        received_ += msg->message_data.size();
        if (!signalled_ && received_ >= total_) {
            signalled_ = true;
            done_.set_value(std::chrono::steady_clock::now());
        }
        return {};
    }
    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override {
        return slot.send_message(std::move(msg), channel_direction::write);
    }
    std::error_code increment_read_window(channel_slot &slot, std::size_t n) override {
        return slot.increment_read_window(n);
    }
    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code ec, bool now) override {
        return slot.on_handler_shutdown_complete(dir, ec, now);
    }
    [[nodiscard]] std::size_t initial_window_size() const override { return SIZE_MAX; }
    [[nodiscard]] std::size_t message_overhead() const override { return 0; }

private:
    std::uint64_t total_;
    std::uint64_t received_ = 0;
    bool signalled_ = false;
    std::promise<std::chrono::steady_clock::time_point> &done_;
};

// Keeps `in_flight` max-size writes queued until `total` bytes were handed to the socket.
class source_handler final : public channel_handler {
public:
    source_handler(std::uint64_t total, std::size_t in_flight) : remaining_(total), in_flight_(in_flight) {}
    std::error_code process_read_message(channel_slot &, message_ptr &&) override { return {}; }
    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override {
        return slot.send_message(std::move(msg), channel_direction::write);
    }
    std::error_code increment_read_window(channel_slot &slot, std::size_t n) override {
        return slot.increment_read_window(n);
    }
    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code ec, bool now) override {
        stopped_ = true;
        return slot.on_handler_shutdown_complete(dir, ec, now);
    }
    [[nodiscard]] std::size_t initial_window_size() const override { return SIZE_MAX; }
    [[nodiscard]] std::size_t message_overhead() const override { return 0; }

    void start() {
        for (std::size_t i = 0; i < in_flight_; ++i) {
            send_one();
        }
    }

private:
    void send_one() {
        if (remaining_ == 0 || stopped_) {
            return;
        }
        message_ptr msg = slot()->acquire_max_message_for_write();
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, msg->message_data.capacity()));
        std::memset(msg->message_data.free_space().data(), 0x5a, n);
        msg->message_data.commit(n);
        remaining_ -= n;
        msg->on_completion = [this](std::error_code ec) {
            if (!ec) {
                send_one();
            }
        };
        if (slot()->send_message(std::move(msg), channel_direction::write)) {
            stopped_ = true;
        }
    }

    std::uint64_t remaining_;
    std::size_t in_flight_;
    bool stopped_ = false;
};

measurement run_awsio(std::uint64_t total) {
    measurement m;
    io_library lib;
    // One single-loop group per side: each end runs on its own thread (a shared two-loop group
    // may place both ends of the connection on one loop).
    event_loop_group_options sgo;
    sgo.loop_count = 1;
    auto server_group = event_loop_group::create(std::move(sgo));
    event_loop_group_options cgo;
    cgo.loop_count = 1;
    auto client_group = event_loop_group::create(std::move(cgo));
    if (!server_group || !client_group) {
        return m;
    }
    auto server = *server_bootstrap::create({*server_group});
    client_bootstrap_options cbo;
    cbo.event_loop_group = *client_group;
    auto client = *client_bootstrap::create(std::move(cbo));

    std::promise<std::chrono::steady_clock::time_point> received_all;
    std::promise<void> server_down;
    std::promise<void> client_down;
    std::promise<void> listener_gone;
    std::promise<std::chrono::steady_clock::time_point> started;
    std::shared_ptr<channel> client_channel;

    server_socket_channel_bootstrap_options so;
    so.host_name = "127.0.0.1";
    so.socket_options.connect_timeout_ms = 3000;
    so.incoming_callback = [&](std::error_code ec, channel *ch) {
        if (ec) {
            return;
        }
        channel_slot &slot = ch->new_slot();
        (void)ch->insert_end(slot);
        (void)slot.set_handler(std::make_unique<sink_handler>(total, received_all));
    };
    so.shutdown_callback = [&](std::error_code, channel &) { server_down.set_value(); };
    so.destroy_callback = [&] { listener_gone.set_value(); };
    auto listener = server->new_socket_listener(std::move(so));
    if (!listener) {
        return m;
    }
    socket_channel_bootstrap_options co;
    co.host_name = "127.0.0.1";
    co.port = (*listener)->bound_endpoint().port;
    co.socket_options.connect_timeout_ms = 3000;
    co.setup_callback = [&](std::error_code ec, channel *ch) {
        if (ec) {
            return;
        }
        channel_slot &slot = ch->new_slot();
        (void)ch->insert_end(slot);
        auto h = std::make_unique<source_handler>(total, 8);
        source_handler *raw = h.get();
        (void)slot.set_handler(std::move(h));
        client_channel = ch->shared_from_this();
        started.set_value(std::chrono::steady_clock::now());
        raw->start();
    };
    co.shutdown_callback = [&](std::error_code, channel &) { client_down.set_value(); };
    const double cpu0 = cpu_seconds();
    if (client->new_socket_channel(std::move(co))) {
        return m;
    }
    auto start_f = started.get_future();
    auto done_f = received_all.get_future();
    if (start_f.wait_for(std::chrono::seconds(10)) != std::future_status::ready ||
        done_f.wait_for(std::chrono::seconds(300)) != std::future_status::ready) {
        return m;
    }
    const auto t0 = start_f.get();
    const auto t1 = done_f.get();
    m.cpu = cpu_seconds() - cpu0;
    m.seconds = std::chrono::duration<double>(t1 - t0).count();
    m.ok = true;
    client_channel->loop().schedule_now([c = client_channel](task_status) { (void)c->shutdown(); });
    client_down.get_future().wait();
    server_down.get_future().wait();
    (void)server->destroy_socket_listener(*listener);
    listener_gone.get_future().wait();
    client_channel.reset();
    return m;
}

measurement run_plain(std::uint64_t total) {
    measurement m;
    const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (::bind(lfd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0 || ::listen(lfd, 1) != 0 ||
        ::getsockname(lfd, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
        ::close(lfd);
        return m;
    }
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::thread writer([a, total] {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&a), sizeof(a)) != 0) {
            ::close(fd);
            return;
        }
        std::vector<char> buf(64 * 1024, 0x5a);
        std::uint64_t left = total;
        while (left > 0) {
            const ssize_t n = ::write(fd, buf.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size())));
            if (n <= 0) {
                break;
            }
            left -= static_cast<std::uint64_t>(n);
        }
        ::close(fd);
    });
    const int cfd = ::accept(lfd, nullptr, nullptr);
    std::vector<char> buf(64 * 1024);
    std::uint64_t got = 0;
    while (cfd >= 0 && got < total) {
        const ssize_t n = ::read(cfd, buf.data(), buf.size());
        if (n <= 0) {
            break;
        }
        got += static_cast<std::uint64_t>(n);
    }
    const auto t1 = std::chrono::steady_clock::now();
    writer.join();
    m.cpu = cpu_seconds() - cpu0;
    m.seconds = std::chrono::duration<double>(t1 - t0).count();
    m.ok = got == total;
    if (cfd >= 0) {
        ::close(cfd);
    }
    ::close(lfd);
    return m;
}

} // namespace

int run_tcp_bench(const std::vector<std::string> &args, const reporter &out) {
    std::uint64_t total = 1ULL << 30;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--bytes" && i + 1 < args.size()) {
            total = std::strtoull(args[++i].c_str(), nullptr, 10);
        } else {
            std::fprintf(stderr, "awsio bench tcp: bad argument '%s'\n", args[i].c_str());
            return 2;
        }
    }
    if (total == 0) {
        std::fputs("awsio bench tcp: --bytes must be positive\n", stderr);
        return 2;
    }
    const double mb = static_cast<double>(total) / (1024.0 * 1024.0);
    const measurement ours = run_awsio(total);
    if (!ours.ok) {
        std::fputs("awsio bench tcp: the awsio transfer failed\n", stderr);
        return 1;
    }
    out.report("tcp", "awsio", "one_way_throughput", mb / ours.seconds, "MB/s");
    out.report("tcp", "awsio", "cpu_time", ours.cpu, "s");
    const measurement plain = run_plain(total);
    if (!plain.ok) {
        std::fputs("awsio bench tcp: the plain transfer failed\n", stderr);
        return 1;
    }
    out.report("tcp", "plain", "one_way_throughput", mb / plain.seconds, "MB/s");
    out.report("tcp", "plain", "cpu_time", plain.cpu, "s");
    return 0;
}

} // namespace awsio::bench
