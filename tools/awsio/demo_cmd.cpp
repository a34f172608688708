// `awsio demo`: the most complete thing awsio does today — an event-loop group running
// cross-thread tasks, ordered timers, a pipe between loops, a retry strategy with exponential
// backoff, a loopback echo through client and server bootstraps, and verified TLS 1.3 and TLS 1.2
// connections with a certificate made in memory.
#include "tools/awsio/commands.hpp"
#include "tools/awsio/handlers.hpp"
#include "tools/awsio/tls_util.hpp"

#include <awsio/bootstrap.hpp>

#include <awsio/error.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/future.hpp>
#include <awsio/io.hpp>
#include <awsio/pipe.hpp>
#include <awsio/retry_strategy.hpp>
#include <awsio/tls/channel_handler.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>
#include <awsio/tls/options.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace awsio::cli {
namespace {

struct waiter {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    void signal() {
        std::lock_guard<std::mutex> lock(mutex);
        done = true;
        cv.notify_all();
    }
    bool wait() {
        std::unique_lock<std::mutex> lock(mutex);
        return cv.wait_for(lock, std::chrono::seconds(10), [this] { return done; });
    }
};

int demo_tasks(event_loop_group &group) {
    constexpr int per_loop = 10000;
    std::atomic<int> ran{0};
    std::atomic<int> off_thread{0};
    waiter all_done;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < group.loop_count(); ++i) {
        event_loop *loop = group.get_loop_at(i);
        for (int n = 0; n < per_loop; ++n) {
            loop->schedule_now([&, loop](task_status status) {
                if (status != task_status::run_ready) {
                    return;
                }
                if (!loop->is_on_callers_thread()) {
                    ++off_thread;
                }
                if (++ran == per_loop * static_cast<int>(group.loop_count())) {
                    all_done.signal();
                }
            });
        }
    }
    if (!all_done.wait()) {
        std::printf("  tasks: timed out\n");
        return 1;
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("  %d cross-thread tasks on %zu loops in %.1f ms, %d ran off their loop thread\n",
                ran.load(), group.loop_count(), ms, off_thread.load());
    return off_thread == 0 ? 0 : 1;
}

int demo_timers(event_loop_group &group) {
    event_loop *loop = group.get_next_loop();
    std::mutex m;
    std::vector<int> order;
    waiter done;
    const std::uint64_t now = loop->current_clock_time();
    const int delays_ms[] = {30, 10, 20, 10, 0};
    for (int i = 0; i < 5; ++i) {
        const std::uint64_t at = now + static_cast<std::uint64_t>(delays_ms[i]) * 1000000ULL;
        loop->schedule_future(
            [&, i](task_status) {
                std::lock_guard<std::mutex> lock(m);
                order.push_back(i);
                if (order.size() == 5) {
                    done.signal();
                }
            },
            at);
    }
    if (!done.wait()) {
        std::printf("  timers: timed out\n");
        return 1;
    }
    std::printf("  timers scheduled at +30,+10,+20,+10,+0 ms ran in order:");
    for (int i : order) {
        std::printf(" #%d(+%d)", i, delays_ms[i]);
    }
    std::printf("\n");
    // Due order, ties in scheduling order: #4, #1, #3, #2, #0.
    return order == std::vector<int>{4, 1, 3, 2, 0} ? 0 : 1;
}

int demo_retry(const std::shared_ptr<event_loop_group> &group) {
    exponential_backoff_retry_options options;
    options.el_group = group;
    options.max_retries = 3;
    options.backoff_scale_factor_ms = 20;
    options.jitter_mode = exponential_backoff_jitter_mode::none;
    auto strategy = make_exponential_backoff_retry_strategy(std::move(options));
    if (!strategy) {
        std::printf("  retry strategy: %s\n", error_name(strategy.error()).data());
        return 1;
    }
    struct state {
        waiter done;
        std::error_code final_error;
        std::vector<double> waits_ms;
        std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
    } st;
    // A request that always fails with a server error: retry until the budget is spent.
    std::function<void(retry_token_ptr)> attempt = [&](retry_token_ptr token) {
        std::error_code ec = token->strategy().schedule_retry(
            token, retry_error_type::server_error, [&](retry_token_ptr t, std::error_code err) {
                const auto now = std::chrono::steady_clock::now();
                st.waits_ms.push_back(std::chrono::duration<double, std::milli>(now - st.last).count());
                st.last = now;
                if (err) {
                    st.final_error = err;
                    st.done.signal();
                    return;
                }
                attempt(std::move(t));
            });
        if (ec) {
            st.final_error = ec;
            st.done.signal();
        }
    };
    std::error_code ec = (*strategy)->acquire_retry_token("demo", [&](std::error_code e, retry_token_ptr token) {
        if (e) {
            st.final_error = e;
            st.done.signal();
            return;
        }
        st.last = std::chrono::steady_clock::now();
        attempt(std::move(token));
    });
    if (ec || !st.done.wait()) {
        std::printf("  retry: could not run\n");
        return 1;
    }
    std::printf("  exponential backoff (scale 20 ms, no jitter): waited");
    for (double w : st.waits_ms) {
        std::printf(" %.0f ms", w);
    }
    std::printf(", then %s\n", error_name(st.final_error).data());
    return st.final_error == io_errc::max_retries_exceeded && st.waits_ms.size() == 3 ? 0 : 1;
}

// A pipe whose write end lives on one loop and read end on another; the bytes come back
// through a future.
int demo_pipe(event_loop_group &group) {
    event_loop *reader_loop = group.get_loop_at(0);
    event_loop *writer_loop = group.get_loop_at(group.loop_count() > 1 ? 1 : 0);
    auto ends = create_pipe(*reader_loop, *writer_loop);
    if (!ends) {
        std::printf("  pipe: %s\n", error_name(ends.error()).data());
        return 1;
    }
    auto &[reader, writer] = *ends;
    static const std::string message = "hello through an awsio pipe";
    future<std::string> received;
    future<void> subscribed;
    reader_loop->schedule_now([&](task_status) {
        auto buffer = std::make_shared<std::string>();
        (void)reader->subscribe_to_readable_events([buffer, received](pipe_read_end &end, std::error_code ec) mutable {
            std::uint8_t chunk[64];
            while (!ec) {
                auto n = end.read(chunk);
                if (!n) {
                    break;
                }
                buffer->append(reinterpret_cast<const char *>(chunk), *n);
            }
            if (buffer->size() >= message.size()) {
                received.set_result(*buffer);
            }
        });
        subscribed.set_result();
    });
    subscribed.wait();
    writer_loop->schedule_now([&](task_status) {
        (void)writer->write({reinterpret_cast<const std::uint8_t *>(message.data()), message.size()},
                            [](pipe_write_end *, std::error_code, std::span<const std::uint8_t>) {});
    });
    const bool ok = received.wait(std::chrono::seconds(10)) && !received.get_error() &&
                    received.get_result() == message;
    std::printf("  pipe from loop %d to loop 0: %s\n", group.loop_count() > 1 ? 1 : 0,
                ok ? ("\"" + received.get_result() + "\"").c_str() : "FAILED");
    // Ends are cleaned up on their own loops.
    future<void> r_done, w_done;
    reader_loop->schedule_now([&](task_status) {
        reader.reset();
        r_done.set_result();
    });
    writer_loop->schedule_now([&](task_status) {
        writer.reset();
        w_done.set_result();
    });
    r_done.wait();
    w_done.wait();
    return ok ? 0 : 1;
}

// A loopback echo through the bootstraps: a server channel with an echo handler, a client
// channel that sends a line and collects the answer.
int demo_echo(const std::shared_ptr<event_loop_group> &group) {
    auto server = server_bootstrap::create({group});
    client_bootstrap_options cbo;
    cbo.event_loop_group = group;
    auto client = client_bootstrap::create(std::move(cbo));
    if (!server || !client) {
        std::printf("  bootstrap: FAILED\n");
        return 1;
    }
    waiter listener_gone;
    waiter server_closed;
    server_socket_channel_bootstrap_options so;
    so.host_name = "127.0.0.1";
    so.socket_options.connect_timeout_ms = 3000;
    so.incoming_callback = [](std::error_code ec, channel *ch) {
        if (!ec) {
            channel_slot &slot = ch->new_slot();
            (void)ch->insert_end(slot);
            (void)slot.set_handler(std::make_unique<echo_handler>());
        }
    };
    so.shutdown_callback = [&](std::error_code, channel &) { server_closed.signal(); };
    so.destroy_callback = [&] { listener_gone.signal(); };
    auto listener = (*server)->new_socket_listener(std::move(so));
    if (!listener) {
        std::printf("  listener: %s\n", error_name(listener.error()).data());
        return 1;
    }
    const std::string message = "hello from an awsio channel";
    auto st = std::make_shared<collect_handler::state>();
    future<void> setup_done;
    waiter client_closed;
    std::shared_ptr<channel> ch;
    socket_channel_bootstrap_options co;
    co.host_name = "127.0.0.1";
    co.port = (*listener)->bound_endpoint().port;
    co.socket_options.connect_timeout_ms = 3000;
    co.setup_callback = [&, st](std::error_code ec, channel *c) {
        if (ec) {
            setup_done.set_error(ec);
            return;
        }
        channel_slot &slot = c->new_slot();
        (void)c->insert_end(slot);
        auto h = std::make_unique<collect_handler>(st);
        collect_handler *raw = h.get();
        (void)slot.set_handler(std::move(h));
        ch = c->shared_from_this();
        (void)raw->send(message);
        setup_done.set_result();
    };
    co.shutdown_callback = [&](std::error_code, channel &) { client_closed.signal(); };
    bool ok = !(*client)->new_socket_channel(std::move(co)) && setup_done.wait(std::chrono::seconds(10)) &&
              !setup_done.get_error();
    std::string got;
    if (ok) {
        std::unique_lock<std::mutex> lock(st->mutex);
        ok = st->cv.wait_for(lock, std::chrono::seconds(10), [&] { return st->received.size() >= message.size(); });
        got = st->received;
    }
    std::printf("  echo over 127.0.0.1:%u through client and server bootstraps: %s\n",
                (*listener)->bound_endpoint().port, ok && got == message ? ("\"" + got + "\"").c_str() : "FAILED");
    if (ch) {
        ch->loop().schedule_now([c = ch](task_status) { (void)c->shutdown(); });
        ok = client_closed.wait() && server_closed.wait() && ok;
        ch.reset();
    }
    (void)(*server)->destroy_socket_listener(*listener);
    ok = listener_gone.wait() && ok;
    return ok && got == message ? 0 : 1;
}

// TLS over loopback (1.3, or 1.2 when `tls12`): a server with a key and self-signed certificate
// made in memory, a client that verifies it (trusting exactly that certificate), data echoed
// both ways.
int demo_tls(const std::shared_ptr<event_loop_group> &group, bool tls12) {
    const tls::tls_versions version = tls12 ? tls::tls_versions::tlsv1_2 : tls::tls_versions::tlsv1_3;
    const char *const version_label = tls12 ? "TLS 1.2" : "TLS 1.3";
    const char *const version_name = tls12 ? "TLSv1.2" : "TLSv1.3";
    auto identity = make_self_signed_certificate("localhost");
    if (!identity) {
        std::printf("  TLS: certificate: %s\n", error_name(identity.error()).data());
        return 1;
    }
    tls::tls_ctx_options server_options =
        tls::tls_ctx_options::default_server(identity->certificate_pem, identity->private_key_pem);
    server_options.minimum_tls_version = version;
    server_options.maximum_tls_version = version;
    (void)server_options.set_alpn_list("awsio-demo");
    tls::tls_ctx_options client_options = tls::tls_ctx_options::default_client();
    client_options.minimum_tls_version = version;
    client_options.maximum_tls_version = version;
    (void)client_options.set_alpn_list("awsio-demo");
    if (auto r = client_options.override_default_trust_store(identity->certificate_pem); !r) {
        std::printf("  TLS: trust store: %s\n", error_name(r.error()).data());
        return 1;
    }
    auto server_ctx = tls::context::create_server(server_options);
    auto client_ctx = tls::context::create_client(client_options);
    if (!server_ctx || !client_ctx) {
        std::printf("  TLS: context: %s\n",
                    error_name(!server_ctx ? server_ctx.error() : client_ctx.error()).data());
        return 1;
    }
    auto server = server_bootstrap::create({group});
    client_bootstrap_options cbo;
    cbo.event_loop_group = group;
    auto client = client_bootstrap::create(std::move(cbo));
    if (!server || !client) {
        std::printf("  TLS bootstrap: FAILED\n");
        return 1;
    }
    waiter listener_gone;
    waiter server_closed;
    server_socket_channel_bootstrap_options so;
    so.host_name = "127.0.0.1";
    so.socket_options.connect_timeout_ms = 3000;
    so.tls_options = tls::tls_connection_options::from_ctx(*server_ctx);
    so.incoming_callback = [](std::error_code ec, channel *ch) {
        if (!ec) {
            channel_slot &slot = ch->new_slot();
            (void)ch->insert_end(slot);
            (void)slot.set_handler(std::make_unique<echo_handler>());
        }
    };
    so.shutdown_callback = [&](std::error_code, channel &) { server_closed.signal(); };
    so.destroy_callback = [&] { listener_gone.signal(); };
    auto listener = (*server)->new_socket_listener(std::move(so));
    if (!listener) {
        std::printf("  TLS listener: %s\n", error_name(listener.error()).data());
        return 1;
    }
    const std::uint16_t port = (*listener)->bound_endpoint().port;

    // 4 MiB of a non-repeating pattern, sent by the client and echoed back by the server.
    constexpr std::size_t payload_size = 4 * 1024 * 1024;
    std::string payload(payload_size, '\0');
    std::uint32_t x = 2463534242u;
    for (char &c : payload) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x & 0xff);
    }
    auto st = std::make_shared<collect_handler::state>();
    std::optional<tls::negotiated_parameters> negotiated;
    future<void> setup_done;
    waiter client_closed;
    std::shared_ptr<channel> ch;
    std::chrono::steady_clock::time_point started;
    tls::tls_connection_options tls_options = tls::tls_connection_options::from_ctx(*client_ctx);
    tls_options.server_name = "localhost";
    tls_options.on_negotiation_result = [&negotiated](channel_handler &handler, channel_slot &, std::error_code ec) {
        if (!ec) {
            if (const tls::negotiated_parameters *p = tls::handler_negotiated_parameters(handler)) {
                negotiated = *p;
            }
        }
    };
    socket_channel_bootstrap_options co;
    co.host_name = "127.0.0.1";
    co.port = port;
    co.socket_options.connect_timeout_ms = 3000;
    co.tls_options = std::move(tls_options);
    co.setup_callback = [&, st](std::error_code ec, channel *c) {
        if (ec) {
            setup_done.set_error(ec);
            return;
        }
        channel_slot &slot = c->new_slot();
        (void)c->insert_end(slot);
        auto h = std::make_unique<collect_handler>(st);
        collect_handler *raw = h.get();
        (void)slot.set_handler(std::move(h));
        ch = c->shared_from_this();
        started = std::chrono::steady_clock::now();
        (void)raw->send(payload);
        setup_done.set_result();
    };
    co.shutdown_callback = [&](std::error_code, channel &) { client_closed.signal(); };
    bool ok = !(*client)->new_socket_channel(std::move(co)) && setup_done.wait(std::chrono::seconds(10)) &&
              !setup_done.get_error();
    if (!ok && setup_done.is_done() && setup_done.get_error()) {
        std::printf("  TLS handshake: %s\n", error_name(setup_done.get_error()).data());
    }
    bool same = false;
    double seconds = 0;
    if (ok) {
        std::unique_lock<std::mutex> lock(st->mutex);
        ok = st->cv.wait_for(lock, std::chrono::seconds(60),
                             [&] { return st->received.size() >= payload_size || st->closed; });
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        same = st->received == payload;
    }
    if (ok && negotiated) {
        std::printf("  %s over 127.0.0.1:%u, certificate and key made in memory, client verifying:\n", version_label,
                    port);
        print_negotiated(stdout, *negotiated, true, "    ");
    }
    if (ok && same) {
        const double mib = static_cast<double>(payload_size) / (1024.0 * 1024.0);
        std::printf("    echoed %.0f MiB both ways in %.1f ms: %.1f MiB/s each way\n", mib, seconds * 1000.0,
                    seconds > 0 ? mib / seconds : 0.0);
    } else {
        std::printf("  TLS echo: FAILED\n");
    }
    if (ch) {
        ch->loop().schedule_now([c = ch](task_status) { (void)c->shutdown(); });
        ok = client_closed.wait() && server_closed.wait() && ok;
        ch.reset();
    }
    (void)(*server)->destroy_socket_listener(*listener);
    ok = listener_gone.wait() && ok;
    return ok && same && negotiated && negotiated->version == version_name && negotiated->peer_verified ? 0 : 1;
}

} // namespace

int run_demo(const std::vector<std::string> &args) {
    (void)args;
    io_library lib;
    std::printf("awsio demo\n");
    waiter group_gone;
    int rc = 0;
    {
        event_loop_group_options options;
        options.loop_count = 2;
        options.on_shutdown_complete = [&group_gone] { group_gone.signal(); };
        auto group = event_loop_group::create(std::move(options));
        if (!group) {
            std::printf("event loop group: %s\n", error_name(group.error()).data());
            return 1;
        }
        std::printf("event loop group: %zu epoll loops\n", (*group)->loop_count());
        rc |= demo_tasks(**group);
        rc |= demo_timers(**group);
        rc |= demo_pipe(**group);
        rc |= demo_retry(*group);
        rc |= demo_echo(*group);
        rc |= demo_tls(*group, false);
        rc |= demo_tls(*group, true);
    }
    const bool shut_down = group_gone.wait();
    std::printf("event loop group shut down asynchronously: %s\n", shut_down ? "yes" : "no");
    std::printf("demo %s\n", rc == 0 && shut_down ? "ok" : "FAILED");
    return rc == 0 && shut_down ? 0 : 1;
}

} // namespace awsio::cli
