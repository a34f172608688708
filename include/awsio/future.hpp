// awsio/future.hpp — future<T>: a value (or error) that arrives later. Mirrors aws-c-io's
// future.h (aws_future<T>): one shared state used by producer and consumer alike, first
// completion wins, one callback, event-loop callbacks always scheduled, wait with a timeout —
// plus `co_await` for C++20 coroutines.
//
// Threading: every member may be called from any thread. Callbacks registered with
// register_callback() run on the thread that completes the future (outside its lock), or
// synchronously in register_callback() when the future is already done.
// Ownership: future<T> is a cheap copyable handle (a std::shared_ptr to the state, like
// aws_future_acquire/release); the result lives as long as the last handle.
#pragma once

#include <awsio/channel.hpp>
#include <awsio/error.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/result.hpp>
#include <awsio/unique_function.hpp>

#include <cassert>
#include <chrono>
#include <condition_variable>
#include <coroutine>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace awsio {

namespace detail {

template <typename T>
using future_storage_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <typename T>
struct future_state {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    bool result_moved = false;
    bool callback_registered = false;
    std::error_code error;
    std::optional<future_storage_t<T>> value;
    unique_function<void()> callback;
};

} // namespace detail

/// A future result of type T (T may be void or move-only).
template <typename T>
class future {
    using storage_t = detail::future_storage_t<T>;

public:
    using value_type = T;

    /// A new, pending future.
    future() : state_(std::make_shared<detail::future_state<T>>()) {}

    /// Completes with a value. Ignored when already done (the value is destroyed at once).
    template <typename U = T>
        requires(!std::is_void_v<U>)
    void set_result(U value) {
        complete(std::error_code(), storage_t(std::move(value)));
    }
    /// Completes a future<void>. Ignored when already done.
    template <typename U = T>
        requires std::is_void_v<U>
    void set_result() {
        complete(std::error_code(), storage_t());
    }
    /// Completes with an error; a zero code becomes common_errc::unknown (aws-c-io's rule).
    /// Ignored when already done.
    void set_error(std::error_code ec) {
        if (!ec) {
            ec = common_errc::unknown;
        }
        complete(ec, std::nullopt);
    }
    template <typename E>
        requires std::is_error_code_enum_v<E>
    void set_error(E e) {
        set_error(make_error_code(e));
    }

    [[nodiscard]] bool is_done() const {
        std::lock_guard<std::mutex> lock(state_->mutex);
        return state_->done;
    }

    /// The error (zero when it completed with a result). Must be done.
    [[nodiscard]] std::error_code get_error() const {
        std::lock_guard<std::mutex> lock(state_->mutex);
        assert(state_->done && "future::get_error on a future that is not done");
        return state_->error;
    }

    /// The result. Must be done, without error, and not moved out.
    template <typename U = T>
        requires(!std::is_void_v<U>)
    [[nodiscard]] const U &get_result() const {
        std::lock_guard<std::mutex> lock(state_->mutex);
        assert(state_->done && !state_->error && !state_->result_moved);
        return *state_->value;
    }
    /// The result, moved out (later reads are invalid). Must be done, without error.
    template <typename U = T>
        requires(!std::is_void_v<U>)
    [[nodiscard]] U get_result_by_move() {
        std::lock_guard<std::mutex> lock(state_->mutex);
        assert(state_->done && !state_->error && !state_->result_moved);
        state_->result_moved = true;
        return std::move(*state_->value);
    }
    /// A pointer to the result, or nullptr when not done, failed or moved out.
    template <typename U = T>
        requires(!std::is_void_v<U>)
    [[nodiscard]] const U *peek_result() const {
        std::lock_guard<std::mutex> lock(state_->mutex);
        if (!state_->done || state_->error || state_->result_moved) {
            return nullptr;
        }
        return &*state_->value;
    }

    /// Registers the one completion callback. Already done -> runs now, on this thread.
    /// A second registration -> common_errc::invalid_state (the callback is dropped).
    std::error_code register_callback(unique_function<void()> cb) {
        std::unique_lock<std::mutex> lock(state_->mutex);
        if (state_->callback_registered) {
            return common_errc::invalid_state;
        }
        state_->callback_registered = true;
        if (state_->done) {
            lock.unlock();
            cb();
            return {};
        }
        state_->callback = std::move(cb);
        return {};
    }

    /// Registers the callback only if not done yet; false (and nothing registered) when done.
    /// A second registration -> false as well.
    bool register_callback_if_not_done(unique_function<void()> cb) {
        std::lock_guard<std::mutex> lock(state_->mutex);
        if (state_->done || state_->callback_registered) {
            return false;
        }
        state_->callback_registered = true;
        state_->callback = std::move(cb);
        return true;
    }

    /// Runs cb as a task on loop once done — always scheduled, never inline, even when the
    /// future is already done. The task runs even if the loop is destroyed first (then on the
    /// destroying thread), but the loop must still exist when the future completes.
    /// A second registration -> common_errc::invalid_state.
    std::error_code register_event_loop_callback(event_loop &loop, unique_function<void()> cb) {
        event_loop *l = &loop;
        return register_callback([l, cb = std::move(cb)]() mutable {
            l->schedule_now([cb = std::move(cb)](task_status) mutable { cb(); },
                            "future_event_loop_callback");
        });
    }

    /// Runs cb as a channel task on ch once done (aws_future_register_channel_callback): always
    /// scheduled, never inline. The registration holds the channel (a std::shared_ptr) until
    /// the callback has run, so a future that never completes keeps its channel alive. If the
    /// channel has shut down by then, cb still runs once (the channel runs the task as
    /// canceled). A second registration -> common_errc::invalid_state.
    std::error_code register_channel_callback(channel &ch, unique_function<void()> cb) {
        std::shared_ptr<channel> hold = ch.shared_from_this();
        return register_callback([hold = std::move(hold), cb = std::move(cb)]() mutable {
            channel *c = hold.get();
            c->schedule_now([hold = std::move(hold), cb = std::move(cb)](task_status) mutable { cb(); },
                            "future_channel_callback");
        });
    }

    /// Blocks until done or the timeout passes; true when done.
    bool wait(std::chrono::nanoseconds timeout) const {
        std::unique_lock<std::mutex> lock(state_->mutex);
        // Very long timeouts (aws-c-io's UINT64_MAX) mean "forever"; avoid clock overflow.
        if (timeout >= std::chrono::hours(24 * 365 * 100)) {
            state_->cv.wait(lock, [this] { return state_->done; });
            return true;
        }
        return state_->cv.wait_for(lock, timeout, [this] { return state_->done; });
    }
    /// Blocks until done.
    void wait() const {
        std::unique_lock<std::mutex> lock(state_->mutex);
        state_->cv.wait(lock, [this] { return state_->done; });
    }

    /// `co_await fut` suspends until the future is done and yields result<T>: the value
    /// (moved out) or the error. The coroutine resumes on the completing thread, or does not
    /// suspend at all when the future is already done. Uses the future's one callback.
    auto operator co_await() const {
        struct awaiter {
            std::shared_ptr<detail::future_state<T>> state;
            bool await_ready() const {
                std::lock_guard<std::mutex> lock(state->mutex);
                return state->done;
            }
            bool await_suspend(std::coroutine_handle<> h) {
                future f(state);
                return f.register_callback_if_not_done([h]() mutable { h.resume(); });
            }
            result<T> await_resume() {
                std::lock_guard<std::mutex> lock(state->mutex);
                if (state->error) {
                    return unexpected(state->error);
                }
                if constexpr (std::is_void_v<T>) {
                    return {};
                } else {
                    state->result_moved = true;
                    return std::move(*state->value);
                }
            }
        };
        return awaiter{state_};
    }

    friend bool operator==(const future &a, const future &b) noexcept { return a.state_ == b.state_; }

private:
    explicit future(std::shared_ptr<detail::future_state<T>> s) : state_(std::move(s)) {}

    void complete(std::error_code ec, std::optional<storage_t> value) {
        unique_function<void()> cb;
        {
            std::lock_guard<std::mutex> lock(state_->mutex);
            if (state_->done) {
                return; // first completion wins; `value` is destroyed on return
            }
            state_->done = true;
            state_->error = ec;
            if (!ec) {
                state_->value = std::move(value);
            }
            cb = std::move(state_->callback);
            state_->cv.notify_all();
        }
        if (cb) {
            cb();
        }
    }

    std::shared_ptr<detail::future_state<T>> state_;
};

} // namespace awsio
