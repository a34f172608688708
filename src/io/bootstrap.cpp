// Client and server bootstraps: resolve, connect or accept, then build each channel with the
// socket handler and the negotiation hook, and report setup and shutdown exactly once.
#include <awsio/bootstrap.hpp>
#include <awsio/logging.hpp>
#include <awsio/socket_channel_handler.hpp>

#include "tls/negotiation_hook.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace awsio {

namespace {

// A channel's last reference must not be dropped inside one of its own callbacks: hand it to a
// loop task instead, which releases it once the callback has returned.
void release_channel_later(event_loop &loop, std::shared_ptr<channel> ch) {
    if (ch) {
        loop.schedule_now([c = std::move(ch)](task_status) mutable { c.reset(); }, "bootstrap_release_channel");
    }
}

bool uses_resolver(socket_domain d) noexcept { return d == socket_domain::ipv4 || d == socket_domain::ipv6; }

// The part of channel setup both bootstraps share: the socket handler goes into a new first
// slot, then the negotiation hook (if any) runs; on_ready is called once the channel may be
// handed to the user. Any failure shuts the channel down with its error, and the shutdown
// callback reports it as a failed setup.
void install_and_negotiate(channel &c, std::unique_ptr<socket> sock, const channel_negotiation_hook &hook,
                           unique_function<void()> on_ready) {
    channel_slot &slot = c.new_slot();
    auto installed = install_socket_handler(slot, std::move(sock));
    if (!installed) {
        (void)c.shutdown(installed.error());
        return;
    }
    if (!hook) {
        on_ready();
        return;
    }
    hook(c, slot, [&c, ready = std::move(on_ready)](std::error_code err) mutable {
        if (err) {
            (void)c.shutdown(err);
        } else {
            ready();
        }
    });
}

} // namespace

// ------------------------------------------------------------------------------------------
// client

// One new_socket_channel() call. After resolution everything runs on `loop`'s thread.
struct client_bootstrap::connection : std::enable_shared_from_this<connection> {
    std::shared_ptr<client_bootstrap> bootstrap;
    std::shared_ptr<host_resolver> resolver;
    socket_channel_bootstrap_options options;
    event_loop *loop = nullptr;

    struct attempt {
        std::unique_ptr<socket> sock;
        host_address address;
    };
    std::vector<attempt> attempts;
    std::size_t failures = 0;
    std::error_code last_error;
    bool connected = false;
    bool setup_reported = false;
    bool setup_succeeded = false;
    std::shared_ptr<channel> ch;

    void report_setup_failure(std::error_code ec) {
        if (setup_reported) {
            return;
        }
        setup_reported = true;
        AWSIO_LOGF_ERROR(log_subject::channel_bootstrap, "id=%p: connection to %s:%u failed: %s",
                         static_cast<void *>(bootstrap.get()), options.host_name.c_str(), options.port,
                         ec.message().c_str());
        auto cb = std::move(options.setup_callback);
        cb(ec, nullptr);
    }

    void start_direct() {
        attempts.push_back(attempt{nullptr, host_address{}});
        start_attempt(0, socket_endpoint{options.host_name, options.port}, options.socket_options);
        if (failures == attempts.size()) {
            report_setup_failure(last_error);
        }
    }

    void on_resolved(std::error_code ec, std::vector<host_address> addresses) {
        if (ec || addresses.empty()) {
            report_setup_failure(ec ? ec : make_error_code(io_errc::dns_query_failed));
            return;
        }
        if (addresses.size() > 2) {
            addresses.resize(2);
        }
        attempts.reserve(addresses.size());
        for (auto &a : addresses) {
            attempts.push_back(attempt{nullptr, a});
        }
        for (std::size_t i = 0; i < attempts.size(); ++i) {
            socket_options so = options.socket_options;
            so.domain = attempts[i].address.record_type == address_record_type::aaaa ? socket_domain::ipv6
                                                                                     : socket_domain::ipv4;
            start_attempt(i, socket_endpoint{attempts[i].address.address, options.port}, so);
            if (connected) {
                break;
            }
        }
        if (!connected && failures == attempts.size()) {
            report_setup_failure(last_error);
        }
    }

    void attempt_failed(std::size_t i, std::error_code ec) {
        ++failures;
        last_error = ec;
        if (uses_resolver(options.socket_options.domain) && resolver) {
            (void)resolver->record_connection_failure(attempts[i].address);
        }
    }

    void start_attempt(std::size_t i, const socket_endpoint &remote, const socket_options &so) {
        auto created = socket::create(so);
        if (!created) {
            attempt_failed(i, created.error());
            return;
        }
        attempts[i].sock = std::move(*created);
        AWSIO_LOGF_DEBUG(log_subject::channel_bootstrap, "id=%p: connecting to %s:%u",
                         static_cast<void *>(bootstrap.get()), remote.address.c_str(), remote.port);
        const std::error_code ec = attempts[i].sock->connect(remote, *loop, [self = shared_from_this(), i](std::error_code err) {
            self->on_connect_result(i, err);
        });
        if (ec) {
            attempts[i].sock.reset();
            attempt_failed(i, ec);
        }
    }

    void on_connect_result(std::size_t i, std::error_code ec) {
        if (ec) {
            // Destroying the socket inside its own callback is allowed.
            attempts[i].sock.reset();
            attempt_failed(i, ec);
            if (!connected && failures == attempts.size()) {
                report_setup_failure(ec);
            }
            return;
        }
        if (connected) {
            attempts[i].sock.reset();
            return;
        }
        connected = true;
        std::unique_ptr<socket> winner = std::move(attempts[i].sock);
        // The other attempts lose: closing a connecting socket cancels it without a callback.
        for (std::size_t j = 0; j < attempts.size(); ++j) {
            if (j != i) {
                attempts[j].sock.reset();
            }
        }
        create_channel(std::move(winner));
    }

    void create_channel(std::unique_ptr<socket> sock) {
        channel_options co;
        co.loop = loop;
        co.enable_read_back_pressure = options.enable_read_back_pressure;
        auto self = shared_from_this();
        co.on_setup_completed = [self, s = std::move(sock)](channel &c, std::error_code ec) mutable {
            self->on_channel_setup(c, ec, std::move(s));
        };
        co.on_shutdown_completed = [self](channel &c, std::error_code ec) { self->on_channel_shutdown(c, ec); };
        auto created = channel::create(std::move(co));
        if (!created) {
            report_setup_failure(created.error());
            return;
        }
        ch = std::move(*created);
    }

    void on_channel_setup(channel &c, std::error_code ec, std::unique_ptr<socket> sock) {
        if (ec) {
            report_setup_failure(ec);
            release_channel_later(*loop, std::move(ch));
            return;
        }
        if (options.creation_callback) {
            auto cb = std::move(options.creation_callback);
            cb({}, c);
        }
        install_and_negotiate(c, std::move(sock), options.negotiation_hook,
                              [self = shared_from_this(), &c] { self->report_setup_success(c); });
    }

    void report_setup_success(channel &c) {
        if (setup_reported) {
            return;
        }
        setup_reported = true;
        setup_succeeded = true;
        AWSIO_LOGF_DEBUG(log_subject::channel_bootstrap, "id=%p: channel %p set up to %s:%u",
                         static_cast<void *>(bootstrap.get()), static_cast<void *>(&c), options.host_name.c_str(),
                         options.port);
        auto cb = std::move(options.setup_callback);
        cb({}, &c);
    }

    void on_channel_shutdown(channel &c, std::error_code ec) {
        if (setup_succeeded) {
            auto cb = std::move(options.shutdown_callback);
            if (cb) {
                cb(ec, c);
            }
        } else {
            report_setup_failure(ec ? ec : make_error_code(common_errc::unknown));
        }
        release_channel_later(*loop, std::move(ch));
    }
};

client_bootstrap::client_bootstrap(client_bootstrap_options options)
    : group_(std::move(options.event_loop_group)), resolver_(std::move(options.host_resolver)),
      resolution_config_(std::move(options.host_resolution_config)),
      on_shutdown_complete_(std::move(options.on_shutdown_complete)) {}

client_bootstrap::~client_bootstrap() {
    AWSIO_LOGF_DEBUG(log_subject::channel_bootstrap, "id=%p: client bootstrap destroyed", static_cast<void *>(this));
    if (on_shutdown_complete_) {
        on_shutdown_complete_();
    }
}

result<std::shared_ptr<client_bootstrap>> client_bootstrap::create(client_bootstrap_options options) {
    if (!options.event_loop_group) {
        return common_errc::invalid_argument;
    }
    std::shared_ptr<client_bootstrap> b(new client_bootstrap(std::move(options)));
    AWSIO_LOGF_INFO(log_subject::channel_bootstrap, "id=%p: client bootstrap created", static_cast<void *>(b.get()));
    return b;
}

std::shared_ptr<host_resolver> client_bootstrap::resolver() {
    std::lock_guard<std::mutex> lock(resolver_lock_);
    if (!resolver_) {
        resolver_ = make_default_host_resolver();
    }
    return resolver_;
}

std::error_code client_bootstrap::new_socket_channel(socket_channel_bootstrap_options options) {
    if (!options.setup_callback || !options.shutdown_callback || options.host_name.empty()) {
        return common_errc::invalid_argument;
    }
    if (options.tls_options) {
        if (options.negotiation_hook || !options.tls_options->ctx || options.tls_options->ctx->is_server()) {
            return common_errc::invalid_argument;
        }
        if (options.tls_options->server_name.empty()) {
            options.tls_options->server_name = options.host_name;
        }
        options.negotiation_hook = tls::detail::make_negotiation_hook(std::move(*options.tls_options), false,
                                                                      std::move(options.on_protocol_negotiated));
        options.tls_options.reset();
    }
    event_loop *loop = options.requested_event_loop;
    if (loop != nullptr) {
        if (!group_->contains(loop)) {
            AWSIO_LOGF_ERROR(log_subject::channel_bootstrap,
                             "id=%p: the requested event loop does not belong to the bootstrap's group",
                             static_cast<void *>(this));
            return io_errc::pinned_event_loop_mismatch;
        }
    } else {
        loop = group_->get_next_loop();
    }
    const socket_domain domain = options.socket_options.domain;
    if (!uses_resolver(domain) && options.host_name.size() >= socket_address_max_len) {
        return io_errc::socket_invalid_address;
    }

    auto conn = std::make_shared<connection>();
    conn->bootstrap = shared_from_this();
    conn->loop = loop;
    conn->options = std::move(options);

    if (!uses_resolver(domain)) {
        loop->schedule_now([conn](task_status status) {
            if (status == task_status::canceled) {
                conn->report_setup_failure(io_errc::event_loop_shutdown);
                return;
            }
            conn->start_direct();
        },
                           "bootstrap_connect");
        return {};
    }

    conn->resolver = resolver();
    const host_resolution_config config = conn->options.host_resolution_override_config
                                              ? *conn->options.host_resolution_override_config
                                              : (resolution_config_ ? *resolution_config_
                                                                    : conn->resolver->default_resolution_config());
    // The answer may come synchronously (cache hit) or from a resolver thread: either way the
    // connection continues on its loop.
    const std::string host = conn->options.host_name;
    return conn->resolver->resolve_host(
        host,
        [conn](std::error_code ec, const std::string &, const std::vector<host_address> &addresses) {
            conn->loop->schedule_now(
                [conn, ec, addrs = addresses](task_status status) mutable {
                    if (status == task_status::canceled) {
                        conn->report_setup_failure(io_errc::event_loop_shutdown);
                        return;
                    }
                    conn->on_resolved(ec, std::move(addrs));
                },
                "bootstrap_resolved");
        },
        config);
}

// ------------------------------------------------------------------------------------------
// server

struct socket_listener::state : std::enable_shared_from_this<socket_listener::state> {
    std::shared_ptr<server_bootstrap> bootstrap;
    std::shared_ptr<event_loop_group> group;
    server_socket_channel_bootstrap_options options;
    std::unique_ptr<socket> listener;
    event_loop *accept_loop = nullptr;

    std::mutex lock;
    std::unordered_map<const channel *, std::shared_ptr<channel>> channels; // alive (setting up or active)
    bool destroying = false;
    bool listener_closed = false;
    bool destroy_reported = false;

    struct incoming {
        bool incoming_reported = false;
        bool succeeded = false;
    };

    void on_accept(std::error_code ec, std::unique_ptr<socket> sock) {
        if (ec) {
            AWSIO_LOGF_WARN(log_subject::channel_bootstrap, "id=%p: accept failed: %s",
                            static_cast<void *>(bootstrap.get()), ec.message().c_str());
            return;
        }
        {
            std::lock_guard<std::mutex> g(lock);
            if (destroying) {
                return; // the socket is closed as it goes out of scope
            }
        }
        event_loop *loop = group->get_next_loop();
        auto self = shared_from_this();
        auto inc = std::make_shared<incoming>();
        channel_options co;
        co.loop = loop;
        co.enable_read_back_pressure = options.enable_read_back_pressure;
        co.on_setup_completed = [self, inc, loop, s = std::move(sock)](channel &c, std::error_code err) mutable {
            self->on_channel_setup(c, err, *loop, std::move(s), inc);
        };
        co.on_shutdown_completed = [self, inc, loop](channel &c, std::error_code err) {
            self->on_channel_shutdown(c, err, *loop, inc);
        };
        // The channel sets up on its own loop, which may finish (and drop the channel from the
        // map) before this thread gets here: register it under the lock it is dropped under.
        // channel::create only schedules the setup task, it never runs it in place.
        std::unique_lock<std::mutex> g(lock);
        auto created = channel::create(std::move(co));
        if (!created) {
            g.unlock();
            options.incoming_callback(created.error(), nullptr);
            return;
        }
        channel *raw = created->get();
        channels.emplace(raw, std::move(*created));
    }

    void on_channel_setup(channel &c, std::error_code ec, event_loop &loop, std::unique_ptr<socket> sock,
                          const std::shared_ptr<incoming> &inc) {
        if (ec) {
            report_incoming_failure(ec, inc);
            drop_channel(c, loop);
            return;
        }
        if (const std::error_code aerr = sock->assign_to_event_loop(loop)) {
            (void)c.shutdown(aerr);
            return;
        }
        install_and_negotiate(c, std::move(sock), options.negotiation_hook, [self = shared_from_this(), inc, &c] {
            {
                std::lock_guard<std::mutex> g(self->lock);
                if (self->destroying) {
                    (void)c.shutdown(); // the listener is going away: do not hand the channel out
                    return;
                }
            }
            self->report_incoming_success(c, inc);
        });
    }

    void report_incoming_success(channel &c, const std::shared_ptr<incoming> &inc) {
        if (inc->incoming_reported) {
            return;
        }
        inc->incoming_reported = true;
        inc->succeeded = true;
        options.incoming_callback({}, &c);
    }

    void report_incoming_failure(std::error_code ec, const std::shared_ptr<incoming> &inc) {
        if (inc->incoming_reported) {
            return;
        }
        inc->incoming_reported = true;
        options.incoming_callback(ec, nullptr);
    }

    void on_channel_shutdown(channel &c, std::error_code ec, event_loop &loop, const std::shared_ptr<incoming> &inc) {
        if (inc->succeeded) {
            options.shutdown_callback(ec, c);
        } else {
            report_incoming_failure(ec ? ec : make_error_code(common_errc::unknown), inc);
        }
        drop_channel(c, loop);
    }

    void drop_channel(channel &c, event_loop &loop) {
        std::shared_ptr<channel> ref;
        {
            std::lock_guard<std::mutex> g(lock);
            auto it = channels.find(&c);
            if (it != channels.end()) {
                ref = std::move(it->second);
                channels.erase(it);
            }
        }
        release_channel_later(loop, std::move(ref));
        maybe_report_destroyed();
    }

    // Runs on the accept loop: stop accepting, close the listener, shut the channels down.
    void destroy_on_loop() {
        if (listener) {
            (void)listener->stop_accept();
            (void)listener->close();
            listener.reset();
        }
        std::vector<std::shared_ptr<channel>> to_shutdown;
        {
            std::lock_guard<std::mutex> g(lock);
            listener_closed = true;
            to_shutdown.reserve(channels.size());
            for (auto &entry : channels) {
                to_shutdown.push_back(entry.second);
            }
        }
        for (const std::shared_ptr<channel> &c : to_shutdown) {
            if (c != nullptr) {
                (void)c->shutdown();
            }
        }
        maybe_report_destroyed();
    }

    void maybe_report_destroyed() {
        unique_function<void()> cb;
        std::shared_ptr<server_bootstrap> keep;
        {
            std::lock_guard<std::mutex> g(lock);
            if (!destroying || !listener_closed || !channels.empty() || destroy_reported) {
                return;
            }
            destroy_reported = true;
            cb = std::move(options.destroy_callback);
            keep = bootstrap;
        }
        AWSIO_LOGF_DEBUG(log_subject::channel_bootstrap, "id=%p: listener destroyed", static_cast<void *>(keep.get()));
        if (cb) {
            cb();
        }
        keep->forget_listener(this);
    }
};

socket_listener::socket_listener(std::shared_ptr<state> s) noexcept : state_(std::move(s)) {}
socket_listener::~socket_listener() = default;

server_bootstrap::server_bootstrap(std::shared_ptr<awsio::event_loop_group> group) noexcept
    : group_(std::move(group)) {}

server_bootstrap::~server_bootstrap() {
    AWSIO_LOGF_DEBUG(log_subject::channel_bootstrap, "id=%p: server bootstrap destroyed", static_cast<void *>(this));
}

result<std::shared_ptr<server_bootstrap>> server_bootstrap::create(server_bootstrap_options options) {
    if (!options.event_loop_group) {
        return common_errc::invalid_argument;
    }
    std::shared_ptr<server_bootstrap> b(new server_bootstrap(std::move(options.event_loop_group)));
    AWSIO_LOGF_INFO(log_subject::channel_bootstrap, "id=%p: server bootstrap created", static_cast<void *>(b.get()));
    return b;
}

result<socket_listener *> server_bootstrap::new_socket_listener(server_socket_channel_bootstrap_options options) {
    if (!options.incoming_callback || !options.shutdown_callback) {
        return common_errc::invalid_argument;
    }
    if (options.tls_options) {
        if (options.negotiation_hook || !options.tls_options->ctx || !options.tls_options->ctx->is_server()) {
            return common_errc::invalid_argument;
        }
        options.negotiation_hook = tls::detail::make_negotiation_hook(std::move(*options.tls_options), true,
                                                                      std::move(options.on_protocol_negotiated));
        options.tls_options.reset();
    }
    auto created = socket::create(options.socket_options);
    if (!created) {
        return unexpected(created.error());
    }
    std::unique_ptr<socket> sock = std::move(*created);
    if (const std::error_code ec = sock->bind(socket_endpoint{options.host_name, options.port})) {
        return unexpected(ec);
    }
    if (options.socket_options.type == socket_type::stream) {
        if (const std::error_code ec = sock->listen(1024)) {
            return unexpected(ec);
        }
    }
    auto bound = sock->get_bound_address();
    if (!bound) {
        return unexpected(bound.error());
    }
    auto st = std::make_shared<socket_listener::state>();
    st->bootstrap = shared_from_this();
    st->group = group_;
    st->options = std::move(options);
    st->accept_loop = group_->get_next_loop();
    st->listener = std::move(sock);
    std::unique_ptr<socket_listener> l(new socket_listener(st));
    l->bound_ = *bound;
    socket_listener *raw = l.get();
    {
        std::lock_guard<std::mutex> g(lock_);
        listeners_.push_back(std::move(l));
    }
    std::weak_ptr<socket_listener::state> weak = st;
    if (const std::error_code ec = st->listener->start_accept(
            *st->accept_loop, [weak](std::error_code err, std::unique_ptr<socket> s) {
                if (auto locked = weak.lock()) {
                    locked->on_accept(err, std::move(s));
                }
            })) {
        std::lock_guard<std::mutex> g(lock_);
        st->bootstrap.reset();
        listeners_.pop_back();
        return unexpected(ec);
    }
    AWSIO_LOGF_INFO(log_subject::channel_bootstrap, "id=%p: listening on %s:%u", static_cast<void *>(this),
                    raw->bound_.address.c_str(), raw->bound_.port);
    return raw;
}

std::error_code server_bootstrap::destroy_socket_listener(socket_listener *listener) {
    std::shared_ptr<socket_listener::state> st;
    {
        std::lock_guard<std::mutex> g(lock_);
        auto it = std::find_if(listeners_.begin(), listeners_.end(),
                               [&](const std::unique_ptr<socket_listener> &p) { return p.get() == listener; });
        if (it == listeners_.end()) {
            return common_errc::invalid_argument;
        }
        st = (*it)->state_;
    }
    {
        std::lock_guard<std::mutex> g(st->lock);
        if (st->destroying) {
            return common_errc::invalid_argument;
        }
        st->destroying = true;
    }
    st->accept_loop->schedule_now([st](task_status) { st->destroy_on_loop(); }, "bootstrap_destroy_listener");
    return {};
}

void server_bootstrap::forget_listener(const socket_listener::state *st) {
    std::unique_ptr<socket_listener> gone;
    {
        std::lock_guard<std::mutex> g(lock_);
        auto it = std::find_if(listeners_.begin(), listeners_.end(),
                               [&](const std::unique_ptr<socket_listener> &p) { return p->state_.get() == st; });
        if (it != listeners_.end()) {
            gone = std::move(*it);
            listeners_.erase(it);
        }
    }
    // `gone` releases the listener's reference to its state here; the caller still holds one.
}

} // namespace awsio
