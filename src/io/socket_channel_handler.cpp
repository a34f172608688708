// The socket channel handler: socket reads become read messages, write messages become socket
// writes, and the socket's end shuts the channel down.
#include <awsio/logging.hpp>
#include <awsio/socket_channel_handler.hpp>
#include <awsio/statistics.hpp>

#include <algorithm>
#include <limits>

namespace awsio {
namespace {

class socket_handler final : public channel_handler {
public:
    socket_handler(std::unique_ptr<socket> sock, std::size_t max_read_size)
        : socket_(std::move(sock)), max_rw_size_(max_read_size) {}

    ~socket_handler() override {
        // The channel is going away: make sure no socket callback can reach this handler.
        if (socket_ && socket_->is_open()) {
            (void)socket_->close();
        }
    }

    std::error_code start(channel_slot &slot) {
        slot_ = &slot;
        return socket_->subscribe_to_readable_events([this](std::error_code ec) { on_readable(ec); });
    }

    [[nodiscard]] socket *sock() const noexcept { return socket_.get(); }

    std::error_code process_read_message(channel_slot &, message_ptr &&) override {
        AWSIO_LOGF_FATAL(log_subject::socket_handler, "id=%p: the socket handler must be the left-most handler",
                         static_cast<void *>(this));
        return io_errc::channel_error_error_cant_accept_input;
    }

    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override {
        if (!socket_->is_open()) {
            return io_errc::socket_closed;
        }
        io_message *raw = msg.get();
        const std::span<const std::uint8_t> bytes = raw->message_data.span().subspan(
            std::min(raw->copy_mark, raw->message_data.size()));
        // The socket calls back exactly once for an accepted write (close() settles pending
        // ones), so the completion takes ownership of the message only once write() accepted it;
        // on a refusal the caller keeps it, as the handler contract asks.
        std::shared_ptr<channel> hold = slot.owner().shared_from_this();
        const message_deleter deleter = msg.get_deleter();
        const std::error_code ec = socket_->write(
            bytes, [this, raw, deleter, hold = std::move(hold)](std::error_code err, std::size_t written) {
                on_write_completed(message_ptr(raw, deleter), err, written);
            });
        if (ec) {
            return ec;
        }
        (void)msg.release();
        return {};
    }

    std::error_code increment_read_window(channel_slot &, std::size_t) override {
        if (!shutdown_in_progress_) {
            schedule_read_task();
        }
        return {};
    }

    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code error,
                             bool free_scarce_resources_immediately) override {
        shutdown_in_progress_ = true;
        if (dir == channel_direction::read) {
            AWSIO_LOGF_DEBUG(log_subject::socket_handler, "id=%p: shutting down read direction (error %d)",
                             static_cast<void *>(this), error.value());
            if (free_scarce_resources_immediately && socket_->is_open()) {
                (void)socket_->close();
            }
            return slot.on_handler_shutdown_complete(dir, error, free_scarce_resources_immediately);
        }
        AWSIO_LOGF_DEBUG(log_subject::socket_handler, "id=%p: shutting down write direction (error %d)",
                         static_cast<void *>(this), error.value());
        if (socket_->is_open()) {
            (void)socket_->close();
        }
        // Complete from a task: a read task already queued must run (and see the shutdown) while
        // this handler still exists.
        shutdown_error_ = error;
        shutdown_task_.set_function(
            [this](task_status) {
                (void)slot_->on_handler_shutdown_complete(channel_direction::write, shutdown_error_, false);
            },
            "socket_handler_close");
        slot.owner().schedule_task_now(shutdown_task_);
        return {};
    }

    [[nodiscard]] std::size_t initial_window_size() const override { return std::numeric_limits<std::size_t>::max(); }
    [[nodiscard]] std::size_t message_overhead() const override { return 0; }

    void reset_statistics() override { stats_.reset(); }
    void gather_statistics(std::vector<statistics_base *> &stats) override { stats.push_back(&stats_); }

    void trigger_read() override {
        if (!shutdown_in_progress_) {
            do_read();
        }
    }

private:
    void on_readable(std::error_code ec) {
        AWSIO_LOGF_TRACE(log_subject::socket_handler, "id=%p: readable notification (error %d)",
                         static_cast<void *>(this), ec.value());
        // Read whatever the notification says: bytes sent just before a hang-up are still
        // there, and the read itself reports the end.
        do_read();
    }

    void schedule_read_task() {
        if (read_task_pending_) {
            return;
        }
        read_task_pending_ = true;
        read_task_.set_function(
            [this](task_status status) {
                read_task_pending_ = false;
                if (status == task_status::run_ready && !shutdown_in_progress_) {
                    do_read();
                }
            },
            "socket_handler_re_read");
        slot_->owner().schedule_task_now(read_task_);
    }

    void do_read() {
        if (shutdown_in_progress_ || slot_ == nullptr) {
            return;
        }
        channel &ch = slot_->owner();
        const std::size_t window = slot_->downstream_read_window();
        const std::size_t max_to_read = std::min(window, max_rw_size_);
        if (max_to_read == 0) {
            return;
        }
        std::size_t total_read = 0;
        std::error_code last_error;
        while (total_read < max_to_read && !shutdown_in_progress_) {
            const std::size_t want = max_to_read - total_read;
            message_ptr msg = ch.acquire_message_from_pool(io_message_type::application_data, want);
            auto space = msg->message_data.free_space();
            if (space.size() > want) {
                space = space.first(want);
            }
            result<std::size_t> r = socket_->read(space);
            if (!r) {
                last_error = r.error();
                break;
            }
            msg->message_data.commit(*r);
            total_read += *r;
            stats_.bytes_read += *r;
            AWSIO_LOGF_TRACE(log_subject::socket_handler, "id=%p: read %zu bytes", static_cast<void *>(this), *r);
            if (const std::error_code ec = slot_->send_message(std::move(msg), channel_direction::read)) {
                (void)ch.shutdown(ec);
                return;
            }
        }
        if (shutdown_in_progress_) {
            return;
        }
        if (total_read < max_to_read) {
            if (last_error != make_error_code(io_errc::read_would_block)) {
                AWSIO_LOGF_DEBUG(log_subject::socket_handler, "id=%p: read ended with %s, shutting the channel down",
                                 static_cast<void *>(this), last_error.message().c_str());
                (void)ch.shutdown(last_error);
            }
            return;
        }
        // The whole budget was used: continue in a task so other channels on this loop get a turn.
        if (total_read == max_rw_size_) {
            schedule_read_task();
        }
    }

    void on_write_completed(message_ptr msg, std::error_code ec, std::size_t written) {
        if (!ec) {
            stats_.bytes_written += written;
        }
        if (msg->on_completion) {
            auto cb = std::move(msg->on_completion);
            cb(ec);
        }
        msg.reset();
        if (ec && slot_ != nullptr && !shutdown_in_progress_) {
            AWSIO_LOGF_DEBUG(log_subject::socket_handler, "id=%p: write failed: %s", static_cast<void *>(this),
                             ec.message().c_str());
            (void)slot_->owner().shutdown(ec);
        }
    }

    std::unique_ptr<socket> socket_;
    std::size_t max_rw_size_;
    channel_slot *slot_ = nullptr;
    socket_statistics stats_;
    channel_task read_task_;
    channel_task shutdown_task_;
    std::error_code shutdown_error_;
    bool read_task_pending_ = false;
    bool shutdown_in_progress_ = false;
};

} // namespace

result<channel_handler *> install_socket_handler(channel_slot &slot, std::unique_ptr<socket> sock,
                                                 std::size_t max_read_size) {
    if (!sock || max_read_size == 0) {
        return common_errc::invalid_argument;
    }
    if (slot.handler() != nullptr) {
        return common_errc::invalid_state;
    }
    auto handler = std::make_unique<socket_handler>(std::move(sock), max_read_size);
    socket_handler *raw = handler.get();
    if (const std::error_code ec = raw->start(slot)) {
        return unexpected(ec);
    }
    if (const std::error_code ec = slot.set_handler(std::move(handler))) {
        return unexpected(ec);
    }
    AWSIO_LOGF_DEBUG(log_subject::socket_handler, "id=%p: socket handler installed (max read %zu)",
                     static_cast<void *>(raw), max_read_size);
    return static_cast<channel_handler *>(raw);
}

socket *socket_handler_get_socket(channel_handler &handler) noexcept {
    auto *h = dynamic_cast<socket_handler *>(&handler);
    return h != nullptr ? h->sock() : nullptr;
}

} // namespace awsio
