// `awsio server --plain ...` and `awsio client --plain ...`: an echo server and a one-shot client
// built on the bootstraps and channels. Without --plain both run TLS (tls_cmd.cpp).
#include "tools/awsio/commands.hpp"
#include "tools/awsio/handlers.hpp"
#include "tools/awsio/net_util.hpp"

#include <awsio/bootstrap.hpp>
#include <awsio/error.hpp>
#include <awsio/io.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

namespace awsio::cli {

namespace {
bool has_plain(const std::vector<std::string> &args) {
    for (const std::string &a : args) {
        if (a == "--plain") {
            return true;
        }
    }
    return false;
}
} // namespace

int run_server(const std::vector<std::string> &args) {
    if (!has_plain(args)) {
        return run_tls_server(args);
    }
    std::string host = "127.0.0.1";
    std::uint32_t port = 0;
    bool plain = false;
    bool echo = false;
    std::uint32_t max_connections = 0;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "--plain") {
            plain = true;
        } else if (a == "--echo") {
            echo = true;
        } else if (a == "--port" && i + 1 < args.size() && parse_u32(args[i + 1], port) && port <= 65535) {
            ++i;
        } else if (a == "--host" && i + 1 < args.size()) {
            host = args[++i];
        } else if (a == "--max-connections" && i + 1 < args.size() && parse_u32(args[i + 1], max_connections)) {
            ++i;
        } else {
            std::fprintf(stderr, "awsio server: bad argument '%s'\n", a.c_str());
            return 2;
        }
    }
    (void)plain;
    (void)echo; // echo is the only behaviour of the plain server

    io_library lib;
    auto group = event_loop_group::create({});
    if (!group) {
        return fail_with(group.error());
    }
    auto server = server_bootstrap::create({*group});
    if (!server) {
        return fail_with(server.error());
    }
    std::atomic<std::uint32_t> finished{0};
    std::promise<void> destroyed;
    server_socket_channel_bootstrap_options so;
    so.host_name = host;
    so.port = port;
    so.socket_options.domain = domain_for(host);
    so.socket_options.connect_timeout_ms = 3000;
    so.incoming_callback = [](std::error_code ec, channel *ch) {
        if (ec) {
            std::fprintf(stderr, "awsio server: incoming connection failed: %s\n", error_name(ec).data());
            return;
        }
        channel_slot &slot = ch->new_slot();
        (void)ch->insert_end(slot);
        (void)slot.set_handler(std::make_unique<echo_handler>());
    };
    so.shutdown_callback = [&finished, max_connections](std::error_code, channel &) {
        if (finished.fetch_add(1) + 1 == max_connections) {
            stop_requested().store(true);
        }
    };
    so.destroy_callback = [&destroyed] { destroyed.set_value(); };
    auto listener = (*server)->new_socket_listener(std::move(so));
    if (!listener) {
        return fail_with(listener.error());
    }
    std::printf("listening on %s:%u\n", host.c_str(), (*listener)->bound_endpoint().port);
    std::fflush(stdout);
    wait_for_stop();
    (void)(*server)->destroy_socket_listener(*listener);
    destroyed.get_future().wait();
    return 0;
}

int run_client(const std::vector<std::string> &args) {
    if (!has_plain(args)) {
        return run_tls_client(args);
    }
    bool plain = false;
    std::string target;
    std::string text;
    bool have_text = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "--plain") {
            plain = true;
        } else if (a == "--send" && i + 1 < args.size()) {
            text = args[++i];
            have_text = true;
        } else if (target.empty() && !a.empty() && a[0] != '-') {
            target = a;
        } else {
            std::fprintf(stderr, "awsio client: bad argument '%s'\n", a.c_str());
            return 2;
        }
    }
    std::string host;
    std::uint32_t port = 0;
    if (!plain || !have_text || !split_host_port(target, host, port)) {
        std::fputs("usage: awsio client --plain HOST:PORT --send TEXT\n", stderr);
        return 2;
    }

    io_library lib;
    event_loop_group_options go;
    go.loop_count = 1;
    auto group = event_loop_group::create(std::move(go));
    if (!group) {
        return fail_with(group.error());
    }
    client_bootstrap_options cbo;
    cbo.event_loop_group = *group;
    auto client = client_bootstrap::create(std::move(cbo));
    if (!client) {
        return fail_with(client.error());
    }
    auto st = std::make_shared<collect_handler::state>();
    std::promise<std::error_code> setup;
    std::promise<void> shut;
    std::shared_ptr<channel> ch;
    socket_channel_bootstrap_options co;
    co.host_name = host;
    co.port = port;
    co.socket_options.domain = domain_for(host);
    co.socket_options.connect_timeout_ms = 5000;
    co.setup_callback = [&, st](std::error_code ec, channel *c) {
        if (!ec) {
            channel_slot &slot = c->new_slot();
            (void)c->insert_end(slot);
            auto h = std::make_unique<collect_handler>(st);
            collect_handler *raw = h.get();
            (void)slot.set_handler(std::move(h));
            ch = c->shared_from_this();
            ec = raw->send(text);
        }
        setup.set_value(ec);
    };
    co.shutdown_callback = [&](std::error_code, channel &) { shut.set_value(); };
    if (const std::error_code ec = (*client)->new_socket_channel(std::move(co))) {
        return fail_with(ec);
    }
    const std::error_code ec = setup.get_future().get();
    if (ec) {
        return fail_with(ec);
    }
    std::string got;
    {
        std::unique_lock<std::mutex> lock(st->mutex);
        st->cv.wait_for(lock, std::chrono::seconds(10),
                        [&] { return st->received.size() >= text.size() || st->closed; });
        got = st->received;
    }
    ch->loop().schedule_now([c = ch](task_status) { (void)c->shutdown(); });
    shut.get_future().wait();
    ch.reset();
    std::printf("%s\n", got.c_str());
    std::fflush(stdout);
    return got.size() >= text.size() ? 0 : 1;
}

} // namespace awsio::cli
