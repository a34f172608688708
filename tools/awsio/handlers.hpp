// Small application handlers the awsio tool puts at the right end of its channels: an echo
// handler for `awsio server --echo`, an HTTP answering handler for `awsio server --http-reply`
// and a collecting handler for `awsio client`.
#pragma once

#include <awsio/channel.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace awsio::cli {

/// Writes bytes to the left of `slot` in as many max-size messages as needed (channel thread).
/// `on_written`, when given, becomes the last message's completion (called once the bytes were
/// written to the socket, or failed).
inline std::error_code write_all(channel_slot &slot, std::span<const std::uint8_t> bytes,
                                 unique_function<void(std::error_code)> on_written = nullptr) {
    std::size_t off = 0;
    while (off < bytes.size()) {
        message_ptr out = slot.acquire_max_message_for_write();
        off += out->message_data.append_partial(bytes.subspan(off));
        if (off == bytes.size() && on_written) {
            out->on_completion = std::move(on_written);
        }
        if (const std::error_code ec = slot.send_message(std::move(out), channel_direction::write)) {
            return ec;
        }
    }
    return {};
}

inline std::span<const std::uint8_t> as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t *>(text.data()), text.size()};
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

/// Answers every HTTP/1.x request read with "200 OK" and a fixed body (`awsio server
/// --http-reply`). Requests may be pipelined; a request body announced by Content-Length is
/// skipped. After a request asking for "Connection: close" (or an HTTP/1.0 request without
/// keep-alive) the channel is shut down once the answer was written. Malformed or oversized
/// request heads get "400 Bad Request" and the connection is closed.
class http_reply_handler final : public channel_handler {
public:
    explicit http_reply_handler(std::string body) : body_(std::move(body)) {}

    std::error_code process_read_message(channel_slot &slot, message_ptr &&msg) override {
        const auto data = msg->message_data.span();
        const std::size_t n = data.size();
        if (!closing_) {
            pending_.append(reinterpret_cast<const char *>(data.data()), n);
            if (const std::error_code ec = serve(slot)) {
                return ec;
            }
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

private:
    static constexpr std::size_t max_head = 64 * 1024;

    static std::string lower(std::string_view s) {
        std::string out(s);
        for (char &c : out) {
            if (c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
        }
        return out;
    }

    static std::string_view trim(std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
            s.remove_prefix(1);
        }
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
            s.remove_suffix(1);
        }
        return s;
    }

    std::error_code serve(channel_slot &slot) {
        for (;;) {
            if (skip_ > 0) {
                const std::size_t k = std::min<std::size_t>(skip_, pending_.size());
                pending_.erase(0, k);
                skip_ -= k;
                if (skip_ > 0) {
                    return {};
                }
            }
            const auto end = pending_.find("\r\n\r\n");
            if (end == std::string::npos) {
                if (pending_.size() > max_head) {
                    return answer(slot, "400 Bad Request", "request head too large\n", true);
                }
                return {};
            }
            const std::string head = pending_.substr(0, end);
            pending_.erase(0, end + 4);
            const auto line_end = head.find("\r\n");
            const std::string_view request_line = std::string_view(head).substr(0, line_end);
            const auto sp1 = request_line.find(' ');
            const auto sp2 = request_line.rfind(' ');
            if (sp1 == std::string_view::npos || sp2 == sp1 || request_line.substr(sp2 + 1).substr(0, 5) != "HTTP/") {
                return answer(slot, "400 Bad Request", "malformed request\n", true);
            }
            const bool http10 = request_line.substr(sp2 + 1) == "HTTP/1.0";
            bool close = http10;
            std::size_t content_length = 0;
            std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
            while (pos < head.size()) {
                auto next = head.find("\r\n", pos);
                if (next == std::string::npos) {
                    next = head.size();
                }
                const std::string_view line = std::string_view(head).substr(pos, next - pos);
                pos = next + 2;
                const auto colon = line.find(':');
                if (colon == std::string_view::npos) {
                    continue;
                }
                const std::string field = lower(trim(line.substr(0, colon)));
                const std::string value = lower(trim(line.substr(colon + 1)));
                if (field == "connection") {
                    if (value.find("close") != std::string::npos) {
                        close = true;
                    } else if (value.find("keep-alive") != std::string::npos) {
                        close = false;
                    }
                } else if (field == "content-length") {
                    content_length = static_cast<std::size_t>(std::strtoull(value.c_str(), nullptr, 10));
                }
            }
            skip_ = content_length;
            if (const std::error_code ec = answer(slot, "200 OK", body_, close)) {
                return ec;
            }
            if (closing_) {
                return {};
            }
        }
    }

    std::error_code answer(channel_slot &slot, std::string_view status, std::string_view body, bool close) {
        std::string reply = "HTTP/1.1 ";
        reply.append(status);
        reply.append("\r\nContent-Type: text/plain\r\nContent-Length: ");
        reply.append(std::to_string(body.size()));
        reply.append(close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n");
        reply.append(body);
        unique_function<void(std::error_code)> then;
        if (close) {
            closing_ = true;
            pending_.clear();
            std::weak_ptr<channel> weak = slot.owner().shared_from_this();
            then = [weak](std::error_code) {
                if (auto ch = weak.lock()) {
                    (void)ch->shutdown();
                }
            };
        }
        return write_all(slot, as_bytes(reply), std::move(then));
    }

    std::string body_;
    std::string pending_;
    std::size_t skip_ = 0;
    bool closing_ = false;
};

} // namespace awsio::cli
