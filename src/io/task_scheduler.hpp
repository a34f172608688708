// task_scheduler.hpp — the loop-independent task scheduler behind every event loop (the role of
// aws-c-common's aws_task_scheduler): a FIFO of "now" tasks plus a min-heap of timed tasks.
#pragma once

#include <awsio/event_loop.hpp>
#include <awsio/export.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace awsio::detail {

/// An intrusive FIFO of tasks linked through task::prev_/next_. A task knows the list it is in
/// (task::list_), so removal and membership tests are O(1) and need no search. Pushing marks
/// the task scheduled; popping or removing marks it unscheduled. Not thread-safe: the owner
/// synchronises (event loops guard their cross-thread queue with a mutex).
/// Runs a task with the given status, between the task_run_begin / task_run_end tracing hooks.
/// Every place that runs a task goes through here. The task may free itself while running.
AWSIO_API void run_task(task &t, task_status status);

class AWSIO_API task_list {
public:
    task_list() noexcept = default;
    task_list(const task_list &) = delete;
    task_list &operator=(const task_list &) = delete;
    /// Unlinks (without running) whatever is still linked.
    ~task_list();

    [[nodiscard]] bool empty() const noexcept { return head_ == nullptr; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    /// Appends t (which must not be in any list) and records timestamp on it.
    void push_back(task &t, std::uint64_t timestamp = 0) noexcept;
    /// Removes and returns the first task, or nullptr when empty.
    task *pop_front() noexcept;
    /// Removes t, which must be in this list.
    void remove(task &t) noexcept;
    /// True when t is linked into this list.
    [[nodiscard]] bool contains(const task &t) const noexcept { return t.list_ == this; }
    /// Moves every task of other to the back of this list, keeping their order.
    void splice_back(task_list &other) noexcept;

private:
    task *head_ = nullptr;
    task *tail_ = nullptr;
    std::size_t size_ = 0;
};

/// Runs tasks in order: every "now" task in FIFO order, then timed tasks by timestamp, ties
/// broken by scheduling order. Single-threaded: the owning loop calls every member from its
/// own thread. Scheduling never runs a task; only run_all, cancel and clean_up do.
class AWSIO_API task_scheduler {
public:
    task_scheduler() = default;
    task_scheduler(const task_scheduler &) = delete;
    task_scheduler &operator=(const task_scheduler &) = delete;
    /// Runs leftovers canceled (clean_up).
    ~task_scheduler();

    /// Queues t to run on the next run_all. t must not be scheduled already.
    void schedule_now(task &t) noexcept;
    /// Queues t to run on the first run_all whose now >= time_ns. t must not be scheduled.
    void schedule_future(task &t, std::uint64_t time_ns);
    /// If t is pending here, removes it and runs it with task_status::canceled; returns whether
    /// it was. A task that is not pending here is left alone.
    bool cancel(task &t);
    /// True when t is pending in this scheduler.
    [[nodiscard]] bool contains(const task &t) const noexcept;

    [[nodiscard]] bool has_tasks() const noexcept;
    /// When the next task is due: 0 if a "now" task is queued, the earliest timestamp otherwise,
    /// nothing when no task is pending.
    [[nodiscard]] std::optional<std::uint64_t> next_task_time() const noexcept;

    /// Runs every queued "now" task, then every timed task due at now, each with
    /// task_status::run_ready. Tasks scheduled while these run wait for the next call.
    void run_all(std::uint64_t now);
    /// Runs every pending task (and any they schedule meanwhile) with task_status::canceled.
    void clean_up();

private:
    void run_all_with(std::uint64_t now, task_status status);
    [[nodiscard]] static bool earlier(const task *a, const task *b) noexcept;
    void heap_push(task &t);
    task *heap_pop() noexcept;
    void heap_remove(task &t) noexcept;
    void sift_up(std::size_t index) noexcept;
    void sift_down(std::size_t index) noexcept;
    void heap_place(std::size_t index, task *t) noexcept;

    task_list now_queue_;
    // Tasks taken out of now_queue_/heap_ by the current run_all; a member (not a local) so
    // that a running task can still cancel one that is due later in the same batch.
    task_list running_;
    std::vector<task *> heap_;
    std::uint64_t next_sequence_ = 0;
};

} // namespace awsio::detail
