// awsio/pipe.hpp — a unidirectional OS pipe whose ends live on event loops. Mirrors aws-c-io's
// pipe.h (aws_pipe_init, aws_pipe_read, aws_pipe_write, readable-event subscription).
//
// Threading: each end belongs to one event loop and every operation on it (except loop()) must
// run on that loop's thread, else io_errc::event_loop_thread_only. Callbacks run on that
// thread. Ownership: create_pipe() returns the ends as std::unique_ptr (callbacks refer to
// them, so their address must not change). Clean an end up on its loop thread — clean_up(), or
// destroy it there; after clean-up every operation fails with io_errc::broken_pipe.
#pragma once

#include <awsio/error.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/export.hpp>
#include <awsio/result.hpp>
#include <awsio/unique_function.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <utility>

namespace awsio {

class pipe_read_end;
class pipe_write_end;

/// (read end, error): zero error = try to read (edge-triggered: read until read_would_block);
/// io_errc::broken_pipe = the write end closed (or another error occurred on the pipe).
using pipe_on_readable = unique_function<void(pipe_read_end &end, std::error_code error)>;
/// (write end or nullptr if it was cleaned up first, error, the bytes given to write()).
using pipe_on_write_completed =
    unique_function<void(pipe_write_end *end, std::error_code error, std::span<const std::uint8_t> src)>;

/// The read end (aws_pipe_read_end).
class AWSIO_API pipe_read_end {
public:
    ~pipe_read_end();
    pipe_read_end(const pipe_read_end &) = delete;
    pipe_read_end &operator=(const pipe_read_end &) = delete;

    /// The loop this end belongs to. Any thread.
    [[nodiscard]] event_loop &loop() const noexcept { return loop_; }

    /// Reads into dst: the bytes read (> 0 unless dst is empty). Nothing available ->
    /// io_errc::read_would_block; write end closed and drained -> io_errc::broken_pipe.
    result<std::size_t> read(std::span<std::uint8_t> dst);

    /// Starts readable notifications: one event when data becomes available (also at once if
    /// data is already there), the next only after new data arrives. Already subscribed ->
    /// io_errc::already_subscribed.
    std::error_code subscribe_to_readable_events(pipe_on_readable on_readable);
    /// Stops them. Not subscribed -> io_errc::not_subscribed.
    std::error_code unsubscribe_from_readable_events();
    /// Unsubscribes and closes the descriptor (aws_pipe_clean_up_read_end). Safe from inside the
    /// readable callback.
    std::error_code clean_up();

private:
    friend result<std::pair<std::unique_ptr<pipe_read_end>, std::unique_ptr<pipe_write_end>>>
    create_pipe(event_loop &, event_loop &);
    pipe_read_end(event_loop &loop, int fd) noexcept : loop_(loop), handle_{fd, nullptr} {}
    void on_event(int events);

    event_loop &loop_;
    io_handle handle_;
    pipe_on_readable on_readable_;
    bool subscribed_ = false;
    bool closed_ = false;
    bool *cleaned_up_in_callback_ = nullptr;
};

/// The write end (aws_pipe_write_end).
class AWSIO_API pipe_write_end {
public:
    ~pipe_write_end();
    pipe_write_end(const pipe_write_end &) = delete;
    pipe_write_end &operator=(const pipe_write_end &) = delete;

    [[nodiscard]] event_loop &loop() const noexcept { return loop_; }

    /// Queues src for writing; the caller keeps those bytes alive until on_completed runs.
    /// Writes complete in order, never inside this call (always from a later task or writable
    /// event), partial writes continue when the pipe drains. A write issued from a completion
    /// callback is queued behind the rest.
    std::error_code write(std::span<const std::uint8_t> src, pipe_on_write_completed on_completed);
    /// Unsubscribes and closes the descriptor; pending writes complete with
    /// io_errc::broken_pipe and a null end (aws_pipe_clean_up_write_end).
    std::error_code clean_up();

private:
    friend result<std::pair<std::unique_ptr<pipe_read_end>, std::unique_ptr<pipe_write_end>>>
    create_pipe(event_loop &, event_loop &);
    pipe_write_end(event_loop &loop, int fd) noexcept : loop_(loop), handle_{fd, nullptr} {}
    void on_event(int events);
    void process_requests();
    void schedule_processing();

    struct request {
        std::span<const std::uint8_t> original;
        std::span<const std::uint8_t> remaining;
        pipe_on_write_completed on_completed;
    };

    event_loop &loop_;
    io_handle handle_;
    std::deque<request> requests_;
    task process_task_;
    bool writable_ = true;
    bool processing_ = false;
    bool closed_ = false;
    bool *cleaned_up_in_callback_ = nullptr;
};

/// Opens a non-blocking, close-on-exec pipe (aws_pipe_init): the read end on read_loop, the
/// write end on write_loop (which may be the same loop). Any thread. OS failures map through
/// io_error_from_errno.
AWSIO_API result<std::pair<std::unique_ptr<pipe_read_end>, std::unique_ptr<pipe_write_end>>>
create_pipe(event_loop &read_loop, event_loop &write_loop);

} // namespace awsio
