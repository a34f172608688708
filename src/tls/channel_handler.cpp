// The TLS channel handler: drives a sans-IO tls::connection from channel messages (ciphertext in
// from the left, plaintext out to the right within the read window, sealed records out to the
// left), with the handshake timeout, statistics and negotiation callbacks of aws-c-io's TLS
// handlers. This is the one file that sees both the channel and the TLS engine.
#include <awsio/logging.hpp>
#include <awsio/tls/channel_handler.hpp>
#include <awsio/tls/connection.hpp>

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace awsio::tls {

namespace {

constexpr std::size_t max_record_plaintext = 16 * 1024;
// The largest record a peer may send (TLS 1.3: 2^14 + 256 bytes of protected payload, plus
// the 5-byte header). Records are decrypted whole, so this much must be able to arrive.
constexpr std::size_t max_record_wire_size = max_record_plaintext + 256 + 5;
constexpr std::uint64_t ns_per_ms = 1000 * 1000;

std::size_t add_saturating(std::size_t a, std::size_t b) noexcept {
    return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max() : a + b;
}

std::size_t mul_saturating(std::size_t a, std::size_t b) noexcept {
    if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) {
        return std::numeric_limits<std::size_t>::max();
    }
    return a * b;
}

enum class negotiation_state { ongoing, failed, succeeded };
enum class read_state { open, shutting_down, shut_down };

using completion_fn = unique_function<void(std::error_code)>;

class tls_handler final : public channel_handler {
public:
    tls_handler(const tls_connection_options &options, connection conn, bool server)
        : conn_(std::move(conn)), server_(server), on_negotiation_result_(options.on_negotiation_result),
          on_data_read_(options.on_data_read), on_error_(options.on_error),
          advertise_alpn_message_(options.advertise_alpn_message), timeout_ms_(options.timeout_ms) {}

    ~tls_handler() override = default;

    // ---------------------------------------------------------------------------------------
    // channel_handler

    std::error_code process_read_message(channel_slot &slot, message_ptr &&msg) override {
        if (read_state_ == read_state::shut_down) {
            return {}; // left in place: the caller's pointer frees it
        }
        if (state_ == negotiation_state::failed) {
            return io_errc::tls_error_negotiation_failure;
        }
        const std::span<const std::uint8_t> all = msg->message_data.span();
        const std::span<const std::uint8_t> data = all.subspan(std::min(msg->copy_mark, all.size()));
        conn_.feed(data);

        if (state_ == negotiation_state::ongoing) {
            if (!drive_negotiation()) {
                return {};
            }
            // Handshake bytes never reach the application: give their window back at once so a
            // long certificate flight keeps flowing.
            (void)slot.increment_read_window(data.size());
            if (state_ != negotiation_state::succeeded) {
                return {};
            }
        }
        deliver();
        return {};
    }

    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override {
        if (state_ != negotiation_state::succeeded) {
            return io_errc::tls_error_not_negotiated;
        }
        const std::span<const std::uint8_t> all = msg->message_data.span();
        const std::span<const std::uint8_t> data = all.subspan(std::min(msg->copy_mark, all.size()));
        channel &ch = slot.owner();

        // Zero-copy: seal straight into the message that goes left when it fits one.
        if (conn_.output().empty() && !data.empty()) {
            const std::size_t sealed = conn_.sealed_size(data.size());
            message_ptr out = ch.acquire_message_from_pool(io_message_type::application_data, sealed);
            if (out->message_data.capacity() >= sealed) {
                auto written = conn_.write_into(data, out->message_data.free_space().first(sealed));
                if (!written) {
                    on_engine_error(written.error());
                    return io_errc::tls_error_write_failure;
                }
                out->message_data.commit(*written);
                out->on_completion = std::move(msg->on_completion);
                if (const std::error_code ec = slot.send_message(std::move(out), channel_direction::write)) {
                    // The records are sealed (sequence numbers used): the stream cannot recover.
                    msg->on_completion = std::move(out->on_completion);
                    (void)ch.shutdown(ec);
                    return ec;
                }
                return {};
            }
        }

        if (auto w = conn_.write(data); !w) {
            on_engine_error(w.error());
            return io_errc::tls_error_write_failure;
        }
        completion_fn completion = std::move(msg->on_completion);
        if (const std::error_code ec = flush_output(&completion)) {
            msg->on_completion = std::move(completion);
            (void)ch.shutdown(ec);
            return ec;
        }
        if (completion) {
            // Nothing went out (an empty message): report success from a task, never from
            // inside the writer's call.
            ch.schedule_now(
                [c = std::move(completion)](task_status status) mutable {
                    c(status == task_status::run_ready ? std::error_code{} : make_error_code(io_errc::socket_closed));
                },
                "tls_handler_empty_write_completion");
        }
        return {};
    }

    std::error_code increment_read_window(channel_slot &slot, std::size_t size) override {
        (void)size;
        if (read_state_ == read_state::shut_down) {
            return {};
        }
        update_upstream_window(slot);
        if (state_ == negotiation_state::succeeded) {
            // Whole records may already be buffered: nothing else would wake them up.
            schedule_read();
        }
        return {};
    }

    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code error,
                             bool free_scarce_resources_immediately) override {
        if (dir == channel_direction::read) {
            AWSIO_LOGF_DEBUG(log_subject::tls, "id=%p: shutting down read direction (error %d)",
                             static_cast<void *>(this), error.value());
            if (state_ == negotiation_state::ongoing) {
                // It will not complete now.
                state_ = negotiation_state::failed;
                if (stats_.handshake_status == tls_negotiation_status::ongoing) {
                    stats_.handshake_status = tls_negotiation_status::failure;
                    stats_.handshake_end_ns = slot.owner().current_clock_time();
                }
            }
            if (!free_scarce_resources_immediately && state_ == negotiation_state::succeeded &&
                slot.adj_right() != nullptr && has_undelivered()) {
                // Deliver what was received before the shutdown moves on to the right.
                AWSIO_LOGF_DEBUG(log_subject::tls, "id=%p: delivering buffered data before the read shutdown",
                                 static_cast<void *>(this));
                read_state_ = read_state::shutting_down;
                shutdown_error_ = error;
                schedule_read();
                return {};
            }
            read_state_ = read_state::shut_down;
            return slot.on_handler_shutdown_complete(dir, error, free_scarce_resources_immediately);
        }

        AWSIO_LOGF_DEBUG(log_subject::tls, "id=%p: shutting down write direction (error %d)",
                         static_cast<void *>(this), error.value());
        if (!free_scarce_resources_immediately && error != make_error_code(io_errc::socket_closed) &&
            state_ == negotiation_state::succeeded && !conn_.error() && !conn_.closed()) {
            // Best effort: the socket may already be unable to take it.
            if (conn_.close()) {
                (void)flush_output(nullptr);
            }
        }
        return slot.on_handler_shutdown_complete(dir, error, free_scarce_resources_immediately);
    }

    [[nodiscard]] std::size_t initial_window_size() const override { return tls_initial_window_size; }
    [[nodiscard]] std::size_t message_overhead() const override { return tls_message_overhead; }

    void reset_statistics() override { stats_.reset(); }
    void gather_statistics(std::vector<statistics_base *> &stats) override { stats.push_back(&stats_); }

    // ---------------------------------------------------------------------------------------
    // public helpers

    [[nodiscard]] bool is_server() const noexcept { return server_; }
    [[nodiscard]] const std::string &protocol() const noexcept { return protocol_; }
    [[nodiscard]] const std::string &server_name() const noexcept { return server_name_; }
    [[nodiscard]] const negotiated_parameters *negotiated() const noexcept {
        return state_ == negotiation_state::succeeded ? &conn_.negotiated() : nullptr;
    }

    void start_negotiation() {
        channel &ch = slot()->owner();
        if (ch.is_on_callers_thread()) {
            if (state_ == negotiation_state::ongoing) {
                (void)drive_negotiation();
            }
            return;
        }
        if (negotiation_task_.is_pending()) {
            return;
        }
        negotiation_task_.set_function(
            [this](task_status status) {
                if (status == task_status::run_ready && state_ == negotiation_state::ongoing) {
                    (void)drive_negotiation();
                }
            },
            "tls_handler_negotiation");
        ch.schedule_task_now(negotiation_task_);
    }

private:
    // Handshake ----------------------------------------------------------------------------

    // Marks the handshake as started (statistics, timeout) the first time it is driven.
    void on_drive() {
        if (stats_.handshake_status != tls_negotiation_status::none) {
            return;
        }
        channel &ch = slot()->owner();
        stats_.handshake_status = tls_negotiation_status::ongoing;
        const std::uint64_t now = ch.current_clock_time();
        stats_.handshake_start_ns = now;
        if (timeout_ms_ > 0) {
            timeout_task_.set_function(
                [this](task_status status) {
                    if (status != task_status::run_ready ||
                        stats_.handshake_status != tls_negotiation_status::ongoing) {
                        return;
                    }
                    AWSIO_LOGF_WARN(log_subject::tls, "id=%p: negotiation timed out", static_cast<void *>(this));
                    (void)slot()->owner().shutdown(io_errc::tls_negotiation_timeout);
                },
                "tls_timeout");
            ch.schedule_task_future(timeout_task_, now + static_cast<std::uint64_t>(timeout_ms_) * ns_per_ms);
        }
    }

    // Runs the handshake on what is buffered. False when it failed (the channel is shutting down).
    bool drive_negotiation() {
        on_drive();
        if (!server_ && !started_) {
            started_ = true;
            AWSIO_LOGF_TRACE(log_subject::tls, "id=%p: starting the handshake", static_cast<void *>(this));
            if (auto s = conn_.start(); !s) {
                on_engine_error(s.error());
                return false;
            }
        }
        auto r = conn_.read(std::span<std::uint8_t>{});
        const std::error_code flushed = flush_output(nullptr);
        if (!r) {
            on_engine_error(r.error());
            return false;
        }
        if (flushed) {
            state_ = negotiation_state::failed;
            complete_negotiation(flushed);
            (void)slot()->owner().shutdown(flushed);
            return false;
        }
        if (conn_.is_connected()) {
            on_negotiated();
        }
        return state_ != negotiation_state::failed;
    }

    void on_negotiated() {
        state_ = negotiation_state::succeeded;
        const negotiated_parameters &params = conn_.negotiated();
        protocol_ = params.alpn;
        server_name_ = params.server_name;
        AWSIO_LOGF_DEBUG(log_subject::tls, "id=%p: negotiated %s %s, ALPN \"%s\", server name \"%s\"",
                         static_cast<void *>(this), params.version.c_str(), params.cipher_suite.c_str(),
                         protocol_.c_str(), server_name_.c_str());
        channel_slot &s = *slot();
        if (s.adj_right() != nullptr && advertise_alpn_message_ && !protocol_.empty()) {
            message_ptr msg = make_negotiated_protocol_message(s.owner(), protocol_);
            if (const std::error_code ec = s.send_message(std::move(msg), channel_direction::read)) {
                (void)s.owner().shutdown(ec);
                return;
            }
        }
        complete_negotiation({});
        if (has_undelivered()) {
            // Application data that came with the last handshake flight: deliver it once the
            // negotiation callbacks (which usually install the application handler) are done.
            schedule_read();
        }
    }

    void complete_negotiation(std::error_code error) {
        stats_.handshake_status = error ? tls_negotiation_status::failure : tls_negotiation_status::success;
        stats_.handshake_end_ns = slot()->owner().current_clock_time();
        if (on_negotiation_result_) {
            on_negotiation_result_(*this, *slot(), error);
        }
    }

    // A fatal engine error: send the alert it queued, report, shut the channel down.
    void on_engine_error(std::error_code engine_error) {
        const bool during_handshake = state_ == negotiation_state::ongoing;
        (void)flush_output(nullptr);
        const std::error_code error = to_io_error(engine_error, during_handshake);
        AWSIO_LOGF_WARN(log_subject::tls, "id=%p: TLS error %s (%s)", static_cast<void *>(this),
                        engine_error.message().c_str(), error.message().c_str());
        channel_slot &s = *slot();
        if (during_handshake) {
            state_ = negotiation_state::failed;
            complete_negotiation(error);
        } else if (on_error_) {
            on_error_(*this, s, error);
        }
        if (read_state_ == read_state::shutting_down) {
            read_state_ = read_state::shut_down;
            (void)s.on_handler_shutdown_complete(channel_direction::read, error, false);
            return;
        }
        (void)s.owner().shutdown(error);
    }

    // Reads --------------------------------------------------------------------------------

    // Plaintext or whole records waiting. A partly received record does not count (the engine
    // reports whole records only), nor do records after the peer's close_notify, which the
    // engine no longer reads.
    [[nodiscard]] bool has_undelivered() const noexcept {
        return conn_.pending_plaintext() != 0 || (conn_.has_buffered_records() && !conn_.peer_closed());
    }

    void schedule_read() {
        if (read_task_pending_) {
            return;
        }
        read_task_pending_ = true;
        read_task_.set_function(
            [this](task_status status) {
                read_task_pending_ = false;
                if (status == task_status::run_ready) {
                    deliver();
                }
            },
            "tls_handler_read");
        slot()->owner().schedule_task_now(read_task_);
    }

    // Asks upstream for what downstream may take plus the record overhead around it. While
    // downstream has room, at least one whole record must be able to arrive: a record is only
    // decrypted once complete, so a partly received one would otherwise wait forever for bytes
    // the window does not let in.
    void update_upstream_window(channel_slot &slot) {
        const std::size_t downstream = slot.downstream_read_window();
        const std::size_t records = downstream / max_record_plaintext + (downstream % max_record_plaintext != 0 ? 1 : 0);
        std::size_t desired = add_saturating(downstream, mul_saturating(records, tls_message_overhead));
        if (downstream > 0) {
            desired = std::max(desired, max_record_wire_size);
        }
        const std::size_t current = add_saturating(slot.window_size(), slot.current_window_update_batch_size());
        if (desired > current) {
            (void)slot.increment_read_window(desired - current);
        }
    }

    // Decrypts buffered records into read messages as long as the window allows.
    void deliver() {
        if (read_state_ == read_state::shut_down || state_ != negotiation_state::succeeded) {
            return;
        }
        channel_slot &s = *slot();
        channel &ch = s.owner();
        while (true) {
            const bool has_right = s.adj_right() != nullptr;
            if (!has_right && !on_data_read_) {
                // Nobody to give application data to yet: keep it buffered, but still act on
                // the records in front of it (close_notify, alerts, post-handshake messages).
                if (conn_.pending_plaintext() == 0 && conn_.has_buffered_records()) {
                    auto r = conn_.read(std::span<std::uint8_t>{});
                    (void)flush_output(nullptr);
                    if (!r) {
                        on_engine_error(r.error());
                        return;
                    }
                }
                break;
            }
            const std::size_t window = has_right ? s.downstream_read_window() : std::numeric_limits<std::size_t>::max();
            if (window == 0 || !has_undelivered()) {
                break;
            }
            message_ptr out =
                ch.acquire_message_from_pool(io_message_type::application_data, std::min(window, max_record_plaintext));
            auto n = conn_.read(out->message_data.free_space());
            (void)flush_output(nullptr); // post-handshake replies (KeyUpdate), alerts
            if (!n) {
                on_engine_error(n.error());
                return;
            }
            if (*n == 0) {
                break; // every whole record is processed
            }
            out->message_data.commit(*n);
            if (on_data_read_) {
                on_data_read_(*this, s, out->message_data.span());
            }
            if (s.adj_right() != nullptr) {
                if (const std::error_code ec = s.send_message(std::move(out), channel_direction::read)) {
                    (void)ch.shutdown(ec);
                    return;
                }
            }
        }

        if (read_state_ == read_state::open && s.adj_right() != nullptr) {
            update_upstream_window(s);
        }
        // The peer's close_notify ends the stream once everything before it was delivered; while
        // data waits for window, an increment_read_window comes back here.
        if (conn_.peer_closed() && !has_undelivered()) {
            finish_read(true);
            return;
        }
        if (read_state_ == read_state::shutting_down && !has_undelivered()) {
            finish_read(false);
        }
    }

    void finish_read(bool peer_closed) {
        channel_slot &s = *slot();
        if (read_state_ == read_state::shutting_down) {
            read_state_ = read_state::shut_down;
            (void)s.on_handler_shutdown_complete(channel_direction::read, shutdown_error_, false);
            return;
        }
        if (peer_closed && !peer_close_reported_) {
            // close_notify is the end of the stream: a clean shutdown, as aws-c-io reports it.
            peer_close_reported_ = true;
            AWSIO_LOGF_DEBUG(log_subject::tls, "id=%p: the peer closed the connection", static_cast<void *>(this));
            (void)s.owner().shutdown();
        }
    }

    // Writes -------------------------------------------------------------------------------

    // Sends everything the connection has queued to the left. With a completion, it moves to
    // the last message sent; it stays in *completion when nothing was sent or sending failed.
    std::error_code flush_output(completion_fn *completion) {
        channel_slot *s = slot();
        if (s == nullptr) {
            return common_errc::invalid_state;
        }
        channel &ch = s->owner();
        while (!conn_.output().empty()) {
            const std::span<const std::uint8_t> pending = conn_.output();
            message_ptr msg = ch.acquire_message_from_pool(io_message_type::application_data, pending.size());
            const std::size_t n = msg->message_data.append_partial(pending);
            conn_.consume_output(n);
            const bool last = conn_.output().empty();
            if (last && completion != nullptr && *completion) {
                msg->on_completion = std::move(*completion);
            }
            if (const std::error_code ec = s->send_message(std::move(msg), channel_direction::write)) {
                if (last && completion != nullptr && msg && msg->on_completion) {
                    *completion = std::move(msg->on_completion);
                }
                AWSIO_LOGF_ERROR(log_subject::tls, "id=%p: sending %zu bytes failed: %s", static_cast<void *>(this), n,
                                 ec.message().c_str());
                return ec;
            }
        }
        return {};
    }

    connection conn_;
    bool server_;
    negotiation_result_fn on_negotiation_result_;
    data_read_fn on_data_read_;
    error_fn on_error_;
    bool advertise_alpn_message_;
    std::uint32_t timeout_ms_;

    negotiation_state state_ = negotiation_state::ongoing;
    read_state read_state_ = read_state::open;
    std::error_code shutdown_error_;
    bool started_ = false;
    bool read_task_pending_ = false;
    bool peer_close_reported_ = false;
    std::string protocol_;
    std::string server_name_;
    tls_statistics stats_;

    channel_task read_task_;
    channel_task negotiation_task_;
    channel_task timeout_task_;
};

result<std::unique_ptr<channel_handler>> make_handler(const tls_connection_options &options, bool server) {
    if (!options.ctx) {
        return common_errc::invalid_argument;
    }
    if (options.ctx->is_server() != server) {
        return io_errc::tls_ctx_error;
    }
    if (server) {
        auto conn = connection::server(options.ctx);
        if (!conn) {
            return unexpected(conn.error());
        }
        return std::unique_ptr<channel_handler>(std::make_unique<tls_handler>(options, std::move(*conn), true));
    }
    connection_options co;
    co.server_name = options.server_name;
    if (!options.alpn_list.empty()) {
        auto alpn = parse_alpn_list(options.alpn_list);
        if (!alpn) {
            return unexpected(alpn.error());
        }
        co.alpn = std::move(*alpn);
    }
    auto conn = connection::client(options.ctx, std::move(co));
    if (!conn) {
        return unexpected(conn.error());
    }
    return std::unique_ptr<channel_handler>(std::make_unique<tls_handler>(options, std::move(*conn), false));
}

} // namespace

result<std::unique_ptr<channel_handler>> new_client_handler(const tls_connection_options &options, channel_slot &slot) {
    (void)slot; // the handler learns its slot when installed (channel_slot::set_handler)
    return make_handler(options, false);
}

result<std::unique_ptr<channel_handler>> new_server_handler(const tls_connection_options &options, channel_slot &slot) {
    (void)slot;
    return make_handler(options, true);
}

std::error_code client_handler_start_negotiation(channel_handler &handler) {
    auto *tls = dynamic_cast<tls_handler *>(&handler);
    if (tls == nullptr || tls->is_server() || tls->slot() == nullptr) {
        return common_errc::invalid_argument;
    }
    tls->start_negotiation();
    return {};
}

std::string_view handler_protocol(const channel_handler &handler) noexcept {
    const auto *tls = dynamic_cast<const tls_handler *>(&handler);
    return tls != nullptr ? std::string_view(tls->protocol()) : std::string_view();
}

std::string_view handler_server_name(const channel_handler &handler) noexcept {
    const auto *tls = dynamic_cast<const tls_handler *>(&handler);
    return tls != nullptr ? std::string_view(tls->server_name()) : std::string_view();
}

const negotiated_parameters *handler_negotiated_parameters(const channel_handler &handler) noexcept {
    const auto *tls = dynamic_cast<const tls_handler *>(&handler);
    return tls != nullptr ? tls->negotiated() : nullptr;
}

std::error_code channel_setup_client_tls(channel_slot &right_of_slot, const tls_connection_options &options) {
    channel &ch = right_of_slot.owner();
    channel_slot &tls_slot = ch.new_slot();
    auto handler = new_client_handler(options, tls_slot);
    if (!handler) {
        (void)tls_slot.remove();
        return handler.error();
    }
    channel_handler *raw = handler->get();
    if (const std::error_code ec = right_of_slot.insert_right(tls_slot)) {
        (void)tls_slot.remove();
        return ec;
    }
    if (const std::error_code ec = tls_slot.set_handler(std::move(*handler))) {
        return ec;
    }
    return client_handler_start_negotiation(*raw);
}

} // namespace awsio::tls
