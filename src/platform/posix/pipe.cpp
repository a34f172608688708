// POSIX pipes on event loops: the read end subscribes for readable events on demand; the write
// end stays subscribed for writable events and drains a FIFO of write requests.
#include <awsio/logging.hpp>
#include <awsio/pipe.hpp>

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

namespace awsio {
namespace {

std::error_code pipe_error_from_errno(int e) {
    return e == EPIPE ? make_error_code(io_errc::broken_pipe) : io_error_from_errno(e);
}

// A destroyed end must not leave a subscription or a pending task behind on its loop.
[[noreturn]] void fatal_off_thread_destroy(const char *what) {
    AWSIO_LOGF_FATAL(log_subject::io_general,
                     "%s destroyed off its event-loop thread without clean_up()", what);
    std::abort();
}

} // namespace

// ---------------------------------------------------------------------------- read end

pipe_read_end::~pipe_read_end() {
    if (closed_) {
        return;
    }
    if (!loop_.is_on_callers_thread()) {
        if (subscribed_) {
            fatal_off_thread_destroy("pipe_read_end");
        }
        ::close(handle_.fd);
        return;
    }
    (void)clean_up();
}

result<std::size_t> pipe_read_end::read(std::span<std::uint8_t> dst) {
    if (closed_) {
        return io_errc::broken_pipe;
    }
    if (!loop_.is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    if (dst.empty()) {
        return std::size_t{0};
    }
    const ssize_t n = ::read(handle_.fd, dst.data(), dst.size());
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return io_errc::read_would_block;
        }
        return unexpected(pipe_error_from_errno(errno));
    }
    if (n == 0) {
        return io_errc::broken_pipe; // end of file: the write end is gone
    }
    return static_cast<std::size_t>(n);
}

std::error_code pipe_read_end::subscribe_to_readable_events(pipe_on_readable on_readable) {
    if (closed_) {
        return io_errc::broken_pipe;
    }
    if (!loop_.is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    if (subscribed_) {
        return io_errc::already_subscribed;
    }
    if (!on_readable) {
        return common_errc::invalid_argument;
    }
    on_readable_ = std::move(on_readable);
    std::error_code ec = loop_.subscribe_to_io_events(
        handle_, io_event_readable, [this](event_loop &, io_handle &, int events) { on_event(events); });
    if (ec) {
        on_readable_ = nullptr;
        return ec;
    }
    subscribed_ = true;
    return {};
}

std::error_code pipe_read_end::unsubscribe_from_readable_events() {
    if (closed_) {
        return io_errc::broken_pipe;
    }
    if (!loop_.is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    if (!subscribed_) {
        return io_errc::not_subscribed;
    }
    if (std::error_code ec = loop_.unsubscribe_from_io_events(handle_)) {
        return ec;
    }
    subscribed_ = false;
    // The callback may be running right now (unsubscribe from inside it): destroy it later.
    pipe_on_readable old = std::move(on_readable_);
    if (old) {
        loop_.schedule_now([old = std::move(old)](task_status) {}, "pipe_release_callback");
    }
    return {};
}

std::error_code pipe_read_end::clean_up() {
    if (closed_) {
        return io_errc::broken_pipe;
    }
    if (!loop_.is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    if (subscribed_) {
        if (std::error_code ec = unsubscribe_from_readable_events()) {
            return ec;
        }
    }
    if (cleaned_up_in_callback_ != nullptr) {
        *cleaned_up_in_callback_ = true;
    }
    ::close(handle_.fd);
    handle_.fd = -1;
    closed_ = true;
    return {};
}

void pipe_read_end::on_event(int events) {
    bool cleaned_up = false;
    cleaned_up_in_callback_ = &cleaned_up;
    // Readable first, even when error bits came with it: the data is still there to read.
    if ((events & io_event_readable) != 0 && on_readable_) {
        on_readable_(*this, {});
        if (cleaned_up) {
            return; // *this may be gone
        }
        events &= ~io_event_readable;
    }
    if (events != 0 && subscribed_ && on_readable_) {
        on_readable_(*this, make_error_code(io_errc::broken_pipe));
        if (cleaned_up) {
            return;
        }
    }
    cleaned_up_in_callback_ = nullptr;
}

// ---------------------------------------------------------------------------- write end

pipe_write_end::~pipe_write_end() {
    if (closed_) {
        return;
    }
    if (!loop_.is_on_callers_thread()) {
        fatal_off_thread_destroy("pipe_write_end"); // still subscribed for writable events
    }
    (void)clean_up();
}

std::error_code pipe_write_end::write(std::span<const std::uint8_t> src, pipe_on_write_completed on_completed) {
    if (closed_) {
        return io_errc::broken_pipe;
    }
    if (!loop_.is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    requests_.push_back(request{src, src, std::move(on_completed)});
    schedule_processing();
    return {};
}

void pipe_write_end::schedule_processing() {
    // Completions never run inside write(): processing happens in a task (or on a writable
    // event), and only one is pending at a time.
    if (writable_ && !processing_ && !process_task_.is_scheduled()) {
        loop_.schedule_task_now(process_task_);
    }
}

void pipe_write_end::process_requests() {
    processing_ = true;
    bool cleaned_up = false;
    cleaned_up_in_callback_ = &cleaned_up;
    while (!requests_.empty() && writable_) {
        request &front = requests_.front();
        std::error_code result_ec;
        if (!front.remaining.empty()) {
            const ssize_t n = ::write(handle_.fd, front.remaining.data(), front.remaining.size());
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    writable_ = false; // wait for the writable event
                    break;
                }
                result_ec = pipe_error_from_errno(errno);
            } else {
                front.remaining = front.remaining.subspan(static_cast<std::size_t>(n));
                if (!front.remaining.empty()) {
                    continue; // partial write: try the rest
                }
            }
        }
        request done = std::move(front);
        requests_.pop_front();
        if (done.on_completed) {
            done.on_completed(this, result_ec, done.original);
            if (cleaned_up) {
                return; // clean_up() completed the rest; *this may be gone
            }
        }
    }
    cleaned_up_in_callback_ = nullptr;
    processing_ = false;
}

void pipe_write_end::on_event(int events) {
    if ((events & io_event_writable) == 0) {
        return;
    }
    writable_ = true;
    if (!processing_) {
        process_requests();
    }
}

std::error_code pipe_write_end::clean_up() {
    if (closed_) {
        return io_errc::broken_pipe;
    }
    if (!loop_.is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    if (std::error_code ec = loop_.unsubscribe_from_io_events(handle_)) {
        return ec;
    }
    (void)loop_.cancel_task(process_task_); // runs it as canceled: a no-op
    ::close(handle_.fd);
    handle_.fd = -1;
    closed_ = true;
    if (cleaned_up_in_callback_ != nullptr) {
        *cleaned_up_in_callback_ = true;
        cleaned_up_in_callback_ = nullptr;
    }
    // Outstanding writes fail; the end is gone as far as their callbacks are concerned.
    std::deque<request> pending = std::move(requests_);
    requests_.clear();
    for (request &r : pending) {
        if (r.on_completed) {
            r.on_completed(nullptr, make_error_code(io_errc::broken_pipe), r.original);
        }
    }
    return {};
}

// ---------------------------------------------------------------------------- creation

result<std::pair<std::unique_ptr<pipe_read_end>, std::unique_ptr<pipe_write_end>>>
create_pipe(event_loop &read_loop, event_loop &write_loop) {
    int fds[2] = {-1, -1};
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        return unexpected(io_error_from_errno(errno));
    }
    std::unique_ptr<pipe_read_end> read_end(new pipe_read_end(read_loop, fds[0]));
    std::unique_ptr<pipe_write_end> write_end(new pipe_write_end(write_loop, fds[1]));
    pipe_write_end *w = write_end.get();
    w->process_task_.set_function(
        [w](task_status status) {
            if (status == task_status::run_ready && !w->closed_ && !w->processing_) {
                w->process_requests();
            }
        },
        "pipe_write_process");
    std::error_code ec = write_loop.subscribe_to_io_events(
        w->handle_, io_event_writable, [w](event_loop &, io_handle &, int events) { w->on_event(events); });
    if (ec) {
        // Nothing is registered: close both descriptors without touching any loop.
        ::close(fds[0]);
        ::close(fds[1]);
        read_end->closed_ = true;
        write_end->closed_ = true;
        return unexpected(ec);
    }
    return std::make_pair(std::move(read_end), std::move(write_end));
}

} // namespace awsio
