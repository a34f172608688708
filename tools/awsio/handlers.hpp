// Small application handlers the awsio tool puts at the right end of its channels: an echo
// handler for `awsio server --echo` and a collecting handler for `awsio client`.
#pragma once

#include <awsio/channel.hpp>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace awsio::cli {

/// Writes bytes to the left of `slot` in as many max-size messages as needed (channel thread).
inline std::error_code write_all(channel_slot &slot, std::span<const std::uint8_t> bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
        message_ptr out = slot.acquire_max_message_for_write();
        off += out->message_data.append_partial(bytes.subspan(off));
        if (const std::error_code ec = slot.send_message(std::move(out), channel_direction::write)) {
            return ec;
        }
    }
    return {};
}

/// Writes every read message back to the peer (re-granting the window it consumed).
class echo_handler final : public channel_handler {
public:
    std::error_code process_read_message(channel_slot &slot, message_ptr &&msg) override {
        const auto data = msg->message_data.span();
        const std::size_t n = data.size();
        if (const std::error_code ec = write_all(slot, data)) {
            return ec;
        }
        return slot.increment_read_window(n);
    }
    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override {
        return slot.send_message(std::move(msg), channel_direction::write);
    }
    std::error_code increment_read_window(channel_slot &slot, std::size_t size) override {
        return slot.increment_read_window(size);
    }
    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code error,
                             bool free_scarce_resources_immediately) override {
        return slot.on_handler_shutdown_complete(dir, error, free_scarce_resources_immediately);
    }
    [[nodiscard]] std::size_t initial_window_size() const override { return 256 * 1024; }
    [[nodiscard]] std::size_t message_overhead() const override { return 0; }
};

/// Collects what is read and lets another thread wait for a condition on it.
class collect_handler final : public channel_handler {
public:
    struct state {
        std::mutex mutex;
        std::condition_variable cv;
        std::string received;
        bool closed = false;
        std::error_code close_error;
    };
    explicit collect_handler(std::shared_ptr<state> s) : state_(std::move(s)) {}

    std::error_code process_read_message(channel_slot &slot, message_ptr &&msg) override {
        const auto data = msg->message_data.span();
        {
            std::lock_guard<std::mutex> lock(state_->mutex);
            state_->received.append(reinterpret_cast<const char *>(data.data()), data.size());
            state_->cv.notify_all();
        }
        return slot.increment_read_window(data.size());
    }
    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override {
        return slot.send_message(std::move(msg), channel_direction::write);
    }
    std::error_code increment_read_window(channel_slot &slot, std::size_t size) override {
        return slot.increment_read_window(size);
    }
    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code error,
                             bool free_scarce_resources_immediately) override {
        if (dir == channel_direction::write) {
            std::lock_guard<std::mutex> lock(state_->mutex);
            state_->closed = true;
            state_->close_error = error;
            state_->cv.notify_all();
        }
        return slot.on_handler_shutdown_complete(dir, error, free_scarce_resources_immediately);
    }
    [[nodiscard]] std::size_t initial_window_size() const override { return 256 * 1024; }
    [[nodiscard]] std::size_t message_overhead() const override { return 0; }

    /// Writes bytes (channel thread).
    std::error_code send(std::string_view text) {
        return write_all(*slot(), std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t *>(text.data()),
                                                               text.size()));
    }

private:
    std::shared_ptr<state> state_;
};

} // namespace awsio::cli
