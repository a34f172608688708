// epoll_event_loop.cpp — the Linux event loop: one thread blocked in epoll_wait, edge-triggered
// IO subscriptions, a task scheduler owned by that thread, and a locked cross-thread queue that
// other threads hand tasks over through (woken by an eventfd, or a pipe where eventfd fails).
#include "platform/linux/epoll_event_loop.hpp"

#include "io/task_scheduler.hpp"

#include <awsio/tracing.hpp>
#include <awsio/logging.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <sched.h>
#include <string>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <fcntl.h>
#include <vector>

namespace awsio::detail {
namespace {

// Longest epoll_wait when no task is pending, and events taken per tick (aws-c-io's values).
constexpr int default_timeout_ms = 100 * 1000;
constexpr int max_events = 100;
constexpr std::uint64_t ns_per_ms = 1000000ULL;

// What a subscription leaves in io_handle::additional_data; epoll hands it back in data.ptr.
struct epoll_subscription {
    io_handle *handle = nullptr;
    io_event_callback on_event;
    // Cleared on unsubscribe so events already fetched in the same tick are skipped. Set with
    // release ordering after the record is complete: a subscription made off the loop thread
    // is then fully visible to the loop thread that reads it with acquire.
    std::atomic<bool> subscribed{false};
};

int to_io_event_mask(std::uint32_t epoll_events) noexcept {
    int mask = 0;
    if ((epoll_events & EPOLLIN) != 0U) {
        mask |= io_event_readable;
    }
    if ((epoll_events & EPOLLOUT) != 0U) {
        mask |= io_event_writable;
    }
    if ((epoll_events & EPOLLRDHUP) != 0U) {
        mask |= io_event_remote_hang_up;
    }
    if ((epoll_events & EPOLLHUP) != 0U) {
        mask |= io_event_closed;
    }
    if ((epoll_events & EPOLLERR) != 0U) {
        mask |= io_event_error;
    }
    return mask;
}

void close_fd(int fd) noexcept {
    if (fd >= 0) {
        ::close(fd);
    }
}

class epoll_event_loop final : public event_loop {
public:
    epoll_event_loop(const event_loop_options &options, int epoll_fd, int wake_read_fd,
                     int wake_write_fd, bool uses_eventfd)
        : event_loop(options),
          epoll_fd_(epoll_fd),
          wake_read_fd_(wake_read_fd),
          wake_write_fd_(wake_write_fd),
          uses_eventfd_(uses_eventfd),
          cpu_id_(options.cpu_id),
          thread_name_(options.thread_name != nullptr ? options.thread_name : "AwsEventLoop"),
          stop_task_([this](task_status status) { on_stop_task(status); }, "epoll_event_loop_stop") {}

    ~epoll_event_loop() override;

    std::error_code run() override;
    std::error_code stop() override;
    std::error_code wait_for_stop_completion() override;

    void schedule_task_now(task &t) override;
    void schedule_task_now_serialized(task &t) override;
    void schedule_task_future(task &t, std::uint64_t run_at_ns) override;
    std::error_code cancel_task(task &t) override;

    std::error_code subscribe_to_io_events(io_handle &handle, int events,
                                           io_event_callback on_event) override;
    std::error_code unsubscribe_from_io_events(io_handle &handle) override;

    [[nodiscard]] bool is_on_callers_thread() const noexcept override {
        return running_thread_id_.load(std::memory_order_acquire) == std::this_thread::get_id();
    }

private:
    void thread_main();
    void on_stop_task(task_status status);
    void push_cross_thread(task &t, std::uint64_t run_at_ns);
    void process_cross_thread_queue();
    void drain_wake_fd() noexcept;
    void free_deferred_subscriptions() noexcept;
    int next_timeout_ms();
    void join_thread();

    task_scheduler scheduler_; // loop thread only

    std::mutex queue_mutex_;
    task_list cross_thread_queue_; // guarded by queue_mutex_

    int epoll_fd_;
    int wake_read_fd_;
    int wake_write_fd_; // same as wake_read_fd_ for an eventfd
    bool uses_eventfd_;

    std::optional<int> cpu_id_;
    std::string thread_name_;

    std::mutex thread_mutex_; // serialises run / join
    std::thread thread_;
    std::atomic<std::thread::id> running_thread_id_{};

    // Loop-thread state.
    bool should_continue_ = false;
    bool should_process_queue_ = false;
    bool dispatching_ = false;
    std::vector<epoll_subscription *> deferred_free_;

    task stop_task_;
    std::atomic<bool> stop_scheduled_{false};
};

epoll_event_loop::~epoll_event_loop() {
    AWSIO_LOGF_DEBUG(log_subject::event_loop, "id=%p: destroying event loop", static_cast<void *>(this));
    // Someone else may or may not have stopped the loop; stopping twice is harmless.
    (void)stop();
    join_thread();

    // From here the destroying thread stands in for the loop thread, so canceled tasks may
    // schedule, cancel and unsubscribe as they would on the loop.
    running_thread_id_.store(std::this_thread::get_id(), std::memory_order_release);
    for (;;) {
        scheduler_.clean_up();
        task_list leftovers;
        {
            std::lock_guard<std::mutex> lock(queue_mutex_);
            leftovers.splice_back(cross_thread_queue_);
        }
        if (leftovers.empty()) {
            break;
        }
        while (task *t = leftovers.pop_front()) {
            run_task(*t, task_status::canceled);
        }
    }
    free_deferred_subscriptions();
    clear_local_objects();
    running_thread_id_.store(std::thread::id(), std::memory_order_release);

    close_fd(epoll_fd_);
    close_fd(wake_read_fd_);
    if (!uses_eventfd_) {
        close_fd(wake_write_fd_);
    }
}

std::error_code epoll_event_loop::run() {
    std::lock_guard<std::mutex> lock(thread_mutex_);
    if (thread_.joinable()) {
        // Running, or stopped but not yet waited for: run() needs wait_for_stop_completion first.
        return common_errc::invalid_state;
    }
    AWSIO_LOGF_INFO(log_subject::event_loop, "id=%p: starting event loop thread", static_cast<void *>(this));
    // Written before the thread starts, so the new thread sees it.
    should_continue_ = true;
    try {
        thread_ = std::thread([this] { thread_main(); });
    } catch (const std::system_error &e) {
        should_continue_ = false;
        AWSIO_LOGF_FATAL(log_subject::event_loop, "id=%p: thread creation failed: %s",
                         static_cast<void *>(this), e.what());
        return common_errc::thread_insufficient_resource;
    }
    return {};
}

void epoll_event_loop::on_stop_task(task_status status) {
    // Cleared first: a stop() after this point schedules a fresh stop task.
    stop_scheduled_.store(false, std::memory_order_release);
    if (status == task_status::run_ready) {
        should_continue_ = false;
    }
}

std::error_code epoll_event_loop::stop() {
    bool expected = false;
    if (!stop_scheduled_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
        return {}; // a stop task is already on its way
    }
    AWSIO_LOGF_INFO(log_subject::event_loop, "id=%p: stopping event loop thread", static_cast<void *>(this));
    schedule_task_now(stop_task_);
    return {};
}

std::error_code epoll_event_loop::wait_for_stop_completion() {
    if (is_on_callers_thread()) {
        // The loop thread would be joining itself.
        return common_errc::thread_deadlock_detected;
    }
    join_thread();
    return {};
}

void epoll_event_loop::join_thread() {
    std::lock_guard<std::mutex> lock(thread_mutex_);
    if (thread_.joinable()) {
        thread_.join();
    }
}

void epoll_event_loop::schedule_task_now(task &t) {
    if (is_on_callers_thread()) {
        scheduler_.schedule_now(t);
        return;
    }
    push_cross_thread(t, 0);
}

void epoll_event_loop::schedule_task_now_serialized(task &t) { push_cross_thread(t, 0); }

void epoll_event_loop::schedule_task_future(task &t, std::uint64_t run_at_ns) {
    if (is_on_callers_thread()) {
        scheduler_.schedule_future(t, run_at_ns);
        return;
    }
    // Timestamp 0 in the queue means "now"; a future task due at 0 is due now anyway.
    push_cross_thread(t, run_at_ns);
}

void epoll_event_loop::push_cross_thread(task &t, std::uint64_t run_at_ns) {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    const bool was_empty = cross_thread_queue_.empty();
    cross_thread_queue_.push_back(t, run_at_ns);
    // Only the first task needs to wake the loop: until the loop drains the queue (under this
    // mutex) a wake-up is already pending. A failed write (EAGAIN: counter/pipe full) likewise
    // means a wake-up is pending.
    if (was_empty) {
        if (uses_eventfd_) {
            const std::uint64_t one = 1;
            ssize_t ignored = ::write(wake_write_fd_, &one, sizeof(one));
            (void)ignored;
        } else {
            const char byte = 1;
            ssize_t ignored = ::write(wake_write_fd_, &byte, 1);
            (void)ignored;
        }
    }
}

void epoll_event_loop::drain_wake_fd() noexcept {
    // Edge-triggered: read until empty so the next write produces a new edge.
    if (uses_eventfd_) {
        std::uint64_t counter = 0;
        while (::read(wake_read_fd_, &counter, sizeof(counter)) > 0) {
        }
    } else {
        char buf[64];
        while (::read(wake_read_fd_, buf, sizeof(buf)) > 0) {
        }
    }
}

void epoll_event_loop::process_cross_thread_queue() {
    should_process_queue_ = false;
    task_list pending;
    {
        std::lock_guard<std::mutex> lock(queue_mutex_);
        drain_wake_fd();
        pending.splice_back(cross_thread_queue_);
    }
    while (task *t = pending.pop_front()) {
        const std::uint64_t run_at = t->timestamp();
        if (run_at == 0) {
            scheduler_.schedule_now(*t);
        } else {
            scheduler_.schedule_future(*t, run_at);
        }
    }
}

std::error_code epoll_event_loop::cancel_task(task &t) {
    if (!is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    if (scheduler_.cancel(t)) {
        return {};
    }
    // Still in the cross-thread queue (handed over but not yet drained).
    bool found = false;
    {
        std::lock_guard<std::mutex> lock(queue_mutex_);
        if (cross_thread_queue_.contains(t)) {
            cross_thread_queue_.remove(t);
            found = true;
        }
    }
    if (found) {
        run_task(t, task_status::canceled);
    }
    return {};
}

std::error_code epoll_event_loop::subscribe_to_io_events(io_handle &handle, int events,
                                                         io_event_callback on_event) {
    if (handle.additional_data != nullptr) {
        return io_errc::already_subscribed;
    }
    AWSIO_LOGF_TRACE(log_subject::event_loop, "id=%p: subscribing to events on fd %d",
                     static_cast<void *>(this), handle.fd);
    auto *sub = new epoll_subscription;
    sub->handle = &handle;
    sub->on_event = std::move(on_event);
    handle.additional_data = sub;
    sub->subscribed.store(true, std::memory_order_release);

    // Everyone gets edge-triggered hang-up, remote hang-up and error notifications.
    epoll_event ev{};
    ev.events = EPOLLET | EPOLLHUP | EPOLLRDHUP | EPOLLERR;
    if ((events & io_event_readable) != 0) {
        ev.events |= EPOLLIN;
    }
    if ((events & io_event_writable) != 0) {
        ev.events |= EPOLLOUT;
    }
    ev.data.ptr = sub;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, handle.fd, &ev) != 0) {
        const int err = errno;
        handle.additional_data = nullptr;
        delete sub;
        AWSIO_LOGF_ERROR(log_subject::event_loop, "id=%p: failed to subscribe to events on fd %d: %s",
                         static_cast<void *>(this), handle.fd, std::strerror(err));
        if (err == EEXIST) {
            return io_errc::already_subscribed;
        }
        return common_errc::sys_call_failure;
    }
    return {};
}

std::error_code epoll_event_loop::unsubscribe_from_io_events(io_handle &handle) {
    if (!is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    auto *sub = static_cast<epoll_subscription *>(handle.additional_data);
    if (sub == nullptr) {
        return io_errc::not_subscribed;
    }
    AWSIO_LOGF_TRACE(log_subject::event_loop, "id=%p: unsubscribing from events on fd %d",
                     static_cast<void *>(this), handle.fd);
    epoll_event ignored{};
    const int rc = ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, handle.fd, &ignored);
    const int err = errno;

    // The record goes away either way: if the kernel refused (the fd was already closed, which
    // drops the registration by itself) there is nothing left to deliver events for it.
    sub->subscribed.store(false, std::memory_order_relaxed);
    handle.additional_data = nullptr;
    if (dispatching_) {
        // Events fetched this tick may still point at it (or we are inside its callback).
        deferred_free_.push_back(sub);
    } else {
        delete sub;
    }
    if (rc != 0) {
        AWSIO_LOGF_ERROR(log_subject::event_loop, "id=%p: failed to unsubscribe fd %d: %s",
                         static_cast<void *>(this), handle.fd, std::strerror(err));
        return common_errc::sys_call_failure;
    }
    return {};
}

void epoll_event_loop::free_deferred_subscriptions() noexcept {
    for (epoll_subscription *sub : deferred_free_) {
        delete sub;
    }
    deferred_free_.clear();
}

int epoll_event_loop::next_timeout_ms() {
    if (should_process_queue_) {
        return 0;
    }
    const std::optional<std::uint64_t> next = scheduler_.next_task_time();
    if (!next) {
        return default_timeout_ms;
    }
    const std::uint64_t now = current_clock_time();
    if (*next <= now) {
        return 0;
    }
    // Round up: rounding down would spin with a zero timeout for up to a millisecond.
    const std::uint64_t wait_ms = (*next - now + ns_per_ms - 1) / ns_per_ms;
    return wait_ms > static_cast<std::uint64_t>(default_timeout_ms) ? default_timeout_ms
                                                                    : static_cast<int>(wait_ms);
}

void epoll_event_loop::thread_main() {
    running_thread_id_.store(std::this_thread::get_id(), std::memory_order_release);
    detail::set_current_thread_name(thread_name_.c_str());
    if (cpu_id_) {
        cpu_set_t set;
        CPU_ZERO(&set);
        if (*cpu_id_ >= 0 && *cpu_id_ < CPU_SETSIZE) {
            CPU_SET(static_cast<std::size_t>(*cpu_id_), &set);
            const int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
            if (rc != 0) {
                AWSIO_LOGF_WARN(log_subject::event_loop, "id=%p: could not pin thread to cpu %d: %s",
                                static_cast<void *>(this), *cpu_id_, std::strerror(rc));
            }
        }
    }
    AWSIO_LOGF_INFO(log_subject::event_loop, "id=%p: main loop started (default timeout %d ms, %d events per tick)",
                    static_cast<void *>(this), default_timeout_ms, max_events);

    // Whatever was queued while the loop was stopped is picked up on the first tick.
    should_process_queue_ = true;
    epoll_event events[max_events];
    int timeout = 0;

    while (should_continue_) {
        int count = ::epoll_wait(epoll_fd_, events, max_events, timeout);
        register_tick_start();
        detail::trace(trace_kind::loop_tick_begin, "event_loop_tick", this);
        if (count < 0) {
            if (errno != EINTR) {
                AWSIO_LOGF_ERROR(log_subject::event_loop, "id=%p: epoll_wait failed: %s",
                                 static_cast<void *>(this), std::strerror(errno));
            }
            count = 0;
        }

        dispatching_ = true;
        detail::trace(trace_kind::io_events_begin, "event_loop_events", this,
                      static_cast<std::uint64_t>(count));
        for (int i = 0; i < count; ++i) {
            auto *sub = static_cast<epoll_subscription *>(events[i].data.ptr);
            if (sub == nullptr) { // the wake-up descriptor
                should_process_queue_ = true;
                continue;
            }
            if (!sub->subscribed.load(std::memory_order_acquire)) {
                continue; // unsubscribed earlier in this tick
            }
            sub->on_event(*this, *sub->handle, to_io_event_mask(events[i].events));
        }
        dispatching_ = false;
        detail::trace(trace_kind::io_events_end, "event_loop_events", this);
        free_deferred_subscriptions();

        if (should_process_queue_) {
            process_cross_thread_queue();
        }
        scheduler_.run_all(current_clock_time());
        free_deferred_subscriptions();

        timeout = next_timeout_ms();
        detail::trace(trace_kind::loop_tick_end, "event_loop_tick", this);
        register_tick_end();
    }

    AWSIO_LOGF_INFO(log_subject::event_loop, "id=%p: main loop exited", static_cast<void *>(this));
    running_thread_id_.store(std::thread::id(), std::memory_order_release);
}

} // namespace

result<std::unique_ptr<event_loop>> new_epoll_event_loop(const event_loop_options &options) {
    const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) {
        AWSIO_LOGF_FATAL(log_subject::event_loop, "epoll_create1 failed: %s", std::strerror(errno));
        return common_errc::sys_call_failure;
    }

    int wake_read = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int wake_write = wake_read;
    bool uses_eventfd = true;
    if (wake_read < 0) {
        // Kernels or sandboxes without eventfd: a non-blocking pipe does the same job.
        AWSIO_LOGF_WARN(log_subject::event_loop, "eventfd failed (%s), falling back to a pipe",
                        std::strerror(errno));
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
            AWSIO_LOGF_FATAL(log_subject::event_loop, "pipe2 failed: %s", std::strerror(errno));
            ::close(epoll_fd);
            return common_errc::sys_call_failure;
        }
        wake_read = fds[0];
        wake_write = fds[1];
        uses_eventfd = false;
    }

    // The wake-up descriptor is registered once for the loop's lifetime, marked by a null
    // data.ptr (no subscription record is ever null).
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.ptr = nullptr;
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_read, &ev) != 0) {
        AWSIO_LOGF_FATAL(log_subject::event_loop, "registering the wake-up descriptor failed: %s",
                         std::strerror(errno));
        ::close(epoll_fd);
        ::close(wake_read);
        if (!uses_eventfd) {
            ::close(wake_write);
        }
        return common_errc::sys_call_failure;
    }

    std::unique_ptr<event_loop> loop(
        new epoll_event_loop(options, epoll_fd, wake_read, wake_write, uses_eventfd));
    AWSIO_LOGF_DEBUG(log_subject::event_loop, "id=%p: created epoll event loop",
                     static_cast<void *>(loop.get()));
    return loop;
}

} // namespace awsio::detail
