// testing_event_loop.cpp — the fake loop behind awsio's testing channel: a task scheduler run
// by hand, a manual clock, and a switch for "is this the loop thread".
#include <awsio/testing/testing_event_loop.hpp>

#include "io/task_scheduler.hpp"

namespace awsio {

namespace {

event_loop_options make_options(const clock_fn &clock,
                                const std::shared_ptr<std::atomic<std::uint64_t>> &manual_now) {
    event_loop_options options;
    options.type = event_loop_type::platform_default;
    if (clock) {
        options.clock = clock;
    } else {
        // The clock must not capture the loop itself: the base class stores it before the
        // derived members exist.
        options.clock = [manual_now] { return manual_now->load(std::memory_order_relaxed); };
    }
    return options;
}

} // namespace

testing_event_loop::testing_event_loop(clock_fn clock)
    : testing_event_loop(std::move(clock), std::make_shared<std::atomic<std::uint64_t>>(0)) {}

testing_event_loop::testing_event_loop(clock_fn clock,
                                       std::shared_ptr<std::atomic<std::uint64_t>> manual_now)
    : event_loop(make_options(clock, manual_now)),
      scheduler_(std::make_unique<detail::task_scheduler>()),
      manual_now_(std::move(manual_now)) {}

testing_event_loop::~testing_event_loop() {
    // The destroying thread is the loop thread from here on, as for real loops.
    on_callers_thread_ = true;
    scheduler_->clean_up();
    clear_local_objects();
}

void testing_event_loop::schedule_task_now(task &t) { scheduler_->schedule_now(t); }

void testing_event_loop::schedule_task_now_serialized(task &t) { scheduler_->schedule_now(t); }

void testing_event_loop::schedule_task_future(task &t, std::uint64_t run_at_ns) {
    scheduler_->schedule_future(t, run_at_ns);
}

std::error_code testing_event_loop::cancel_task(task &t) {
    if (!on_callers_thread_) {
        return io_errc::event_loop_thread_only;
    }
    (void)scheduler_->cancel(t);
    return {};
}

std::error_code testing_event_loop::subscribe_to_io_events(io_handle &handle, int events,
                                                           io_event_callback on_event) {
    (void)handle;
    (void)events;
    (void)on_event;
    return common_errc::platform_not_supported;
}

std::error_code testing_event_loop::unsubscribe_from_io_events(io_handle &handle) {
    (void)handle;
    return io_errc::not_subscribed;
}

bool testing_event_loop::is_on_callers_thread() const noexcept { return on_callers_thread_; }

void testing_event_loop::set_on_callers_thread(bool on_callers_thread) noexcept {
    on_callers_thread_ = on_callers_thread;
}

void testing_event_loop::run_tasks() { scheduler_->run_all(current_clock_time()); }

std::size_t testing_event_loop::drain_tasks(std::size_t max_passes) {
    std::size_t passes = 0;
    while (passes < max_passes) {
        const std::optional<std::uint64_t> next = scheduler_->next_task_time();
        if (!next || *next > current_clock_time()) {
            break;
        }
        scheduler_->run_all(current_clock_time());
        ++passes;
    }
    return passes;
}

bool testing_event_loop::has_tasks() const noexcept { return scheduler_->has_tasks(); }

std::optional<std::uint64_t> testing_event_loop::next_task_time() const noexcept {
    return scheduler_->next_task_time();
}

void testing_event_loop::set_time(std::uint64_t now_ns) noexcept {
    manual_now_->store(now_ns, std::memory_order_relaxed);
}

void testing_event_loop::advance_time(std::uint64_t delta_ns) noexcept {
    manual_now_->fetch_add(delta_ns, std::memory_order_relaxed);
}

} // namespace awsio
