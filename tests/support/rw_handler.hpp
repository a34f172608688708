// rw_handler.hpp — a scriptable application handler for channel tests (the role of aws-c-io's
// tests/read_write_test_handler.{c,h}): it records what it reads, writes on request from any
// thread, optionally echoes, and with back-pressure on only grants window when told to.
#pragma once

#include <awsio/channel.hpp>
#include <awsio/future.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace awsio::testing {

class rw_handler final : public channel_handler {
public:
    struct shared_state {
        std::mutex mutex;
        std::condition_variable cv;
        std::vector<std::uint8_t> received;
        std::size_t read_calls = 0;
        std::size_t write_completions = 0;
        std::error_code last_write_error;
        bool shutdown_read = false;
        bool shutdown_write = false;

        template <typename Pred>
        bool wait(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
            std::unique_lock<std::mutex> lock(mutex);
            return cv.wait_for(lock, limit, [&] { return pred(*this); });
        }
        std::size_t received_size() {
            std::lock_guard<std::mutex> lock(mutex);
            return received.size();
        }
        std::string received_string() {
            std::lock_guard<std::mutex> lock(mutex);
            return {received.begin(), received.end()};
        }
    };

    /// back_pressure: reads do not re-open the window (the test grants it with
    /// increment_window()); otherwise each read re-grants what it consumed.
    rw_handler(std::shared_ptr<shared_state> state, bool back_pressure, std::size_t initial_window,
               bool echo = false)
        : state_(std::move(state)), back_pressure_(back_pressure), initial_window_(initial_window), echo_(echo) {}

    std::error_code process_read_message(channel_slot &slot, message_ptr &&msg) override {
        const auto data = msg->message_data.span();
        {
            std::lock_guard<std::mutex> lock(state_->mutex);
            state_->received.insert(state_->received.end(), data.begin(), data.end());
            ++state_->read_calls;
            state_->cv.notify_all();
        }
        const std::size_t n = data.size();
        if (echo_) {
            write_now(slot, std::vector<std::uint8_t>(data.begin(), data.end()));
        }
        if (!back_pressure_) {
            (void)slot.increment_read_window(n);
        }
        return {};
    }

    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override {
        return slot.send_message(std::move(msg), channel_direction::write);
    }

    std::error_code increment_read_window(channel_slot &slot, std::size_t size) override {
        return slot.increment_read_window(size);
    }

    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code error,
                             bool free_scarce_resources_immediately) override {
        {
            std::lock_guard<std::mutex> lock(state_->mutex);
            (dir == channel_direction::read ? state_->shutdown_read : state_->shutdown_write) = true;
            state_->cv.notify_all();
        }
        return slot.on_handler_shutdown_complete(dir, error, free_scarce_resources_immediately);
    }

    [[nodiscard]] std::size_t initial_window_size() const override { return initial_window_; }
    [[nodiscard]] std::size_t message_overhead() const override { return 0; }

    /// Writes bytes from the channel's thread (scheduled from any thread), in max-size pieces.
    void write(std::vector<std::uint8_t> bytes) {
        channel &ch = slot()->owner();
        ch.schedule_now([this, b = std::move(bytes)](task_status status) mutable {
            if (status == task_status::run_ready) {
                write_now(*slot(), std::move(b));
            }
        });
    }
    void write(std::string_view s) { write(std::vector<std::uint8_t>(s.begin(), s.end())); }

    /// Grants read window from the channel's thread.
    void increment_window(std::size_t n) {
        slot()->owner().schedule_now([this, n](task_status status) {
            if (status == task_status::run_ready) {
                (void)slot()->increment_read_window(n);
            }
        });
    }

private:
    void write_now(channel_slot &slot, std::vector<std::uint8_t> bytes) {
        std::size_t off = 0;
        while (off < bytes.size()) {
            message_ptr msg = slot.acquire_max_message_for_write();
            const std::size_t n = msg->message_data.append_partial(
                std::span<const std::uint8_t>(bytes.data() + off, bytes.size() - off));
            off += n;
            auto st = state_;
            msg->on_completion = [st](std::error_code ec) {
                {
                    std::lock_guard<std::mutex> lock(st->mutex);
                    ++st->write_completions;
                    if (ec) {
                        st->last_write_error = ec;
                    }
                    st->cv.notify_all();
                }
            };
            if (const std::error_code ec = slot.send_message(std::move(msg), channel_direction::write)) {
                std::lock_guard<std::mutex> lock(state_->mutex);
                state_->last_write_error = ec;
                return;
            }
        }
    }

    std::shared_ptr<shared_state> state_;
    bool back_pressure_;
    std::size_t initial_window_;
    bool echo_;
};

} // namespace awsio::testing
