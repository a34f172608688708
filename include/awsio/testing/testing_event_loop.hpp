// awsio/testing/testing_event_loop.hpp — a fake event loop for deterministic unit tests of
// channel handlers: no thread, no IO, a task scheduler you drive by hand and a settable clock.
// The loop half of aws-c-io's include/aws/testing/io_testing_channel.h.
//
// Threading: everything happens on the thread that calls run_tasks()/drain_tasks(). Whether
// that thread counts as "the loop thread" is a switch (set_on_callers_thread), so tests can
// exercise both the on-thread and the cross-thread paths of the code under test. The object
// itself is not thread-safe: use it from one thread.
#pragma once

#include <awsio/event_loop.hpp>
#include <awsio/export.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace awsio {

class AWSIO_API testing_event_loop final : public event_loop {
public:
    /// With an empty clock the loop uses its own manual clock, starting at 0 and moved only by
    /// set_time/advance_time. With a clock given, that clock is used and set_time has no effect.
    explicit testing_event_loop(clock_fn clock = {});
    /// Runs every task still pending with task_status::canceled (as the loop thread), then
    /// removes the local objects.
    ~testing_event_loop() override;

    /// No-ops: there is no thread to start or stop. They always succeed.
    std::error_code run() override { return {}; }
    std::error_code stop() override { return {}; }
    std::error_code wait_for_stop_completion() override { return {}; }

    /// All three queue into the one scheduler; nothing runs until run_tasks()/drain_tasks().
    void schedule_task_now(task &t) override;
    void schedule_task_now_serialized(task &t) override;
    void schedule_task_future(task &t, std::uint64_t run_at_ns) override;
    /// Runs t canceled if it is pending. Off the (simulated) loop thread ->
    /// io_errc::event_loop_thread_only.
    std::error_code cancel_task(task &t) override;

    /// A fake loop watches no descriptors: common_errc::platform_not_supported.
    std::error_code subscribe_to_io_events(io_handle &handle, int events,
                                           io_event_callback on_event) override;
    /// io_errc::not_subscribed (nothing can be subscribed).
    std::error_code unsubscribe_from_io_events(io_handle &handle) override;

    /// Whether the calling thread counts as the loop thread (default true).
    [[nodiscard]] bool is_on_callers_thread() const noexcept override;
    void set_on_callers_thread(bool on_callers_thread) noexcept;

    /// Runs the tasks due now (one scheduler pass: tasks they schedule wait for the next call).
    void run_tasks();
    /// Runs passes until no task is due now; returns the number of passes. Stops after
    /// max_passes passes so a task that keeps rescheduling itself cannot hang a test.
    std::size_t drain_tasks(std::size_t max_passes = 100000);
    [[nodiscard]] bool has_tasks() const noexcept;
    /// When the next task is due (0 for a "now" task), nothing if none is pending.
    [[nodiscard]] std::optional<std::uint64_t> next_task_time() const noexcept;

    /// Manual clock (only when constructed without a clock).
    void set_time(std::uint64_t now_ns) noexcept;
    void advance_time(std::uint64_t delta_ns) noexcept;

private:
    testing_event_loop(clock_fn clock, std::shared_ptr<std::atomic<std::uint64_t>> manual_now);

    std::unique_ptr<detail::task_scheduler> scheduler_;
    std::shared_ptr<std::atomic<std::uint64_t>> manual_now_;
    bool on_callers_thread_ = true;
};

} // namespace awsio
