// awsio/event_loop.hpp — tasks, event loops and event-loop groups. Mirrors aws-c-io's
// event_loop.h and private/event_loop_impl.h (and aws-c-common's task_scheduler.h for tasks).
//
// Threading model (as aws-c-io): an event loop runs on one thread ("the loop thread"). Task
// functions and IO-event callbacks are only ever invoked on that thread — except that tasks
// still pending when a loop is destroyed run once, with task_status::canceled, on the thread
// that destroys the loop (which counts as the loop thread at that point).
#pragma once

#include <awsio/error.hpp>
#include <awsio/export.hpp>
#include <awsio/io.hpp>
#include <awsio/result.hpp>
#include <awsio/unique_function.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace awsio {

class event_loop;
class event_loop_group;
namespace detail {
class task_scheduler;
class task_list;
} // namespace detail

/// Why a task function is being called (aws_task_status).
enum class task_status : int { run_ready = 0, canceled = 1 };

/// A unit of work for an event loop (aws_task). The caller owns the task object and keeps it
/// alive (and unmoved) until its function has been called; scheduling never allocates. A task
/// may be scheduled again from inside its own function. A task must not be scheduled twice at
/// once.
class AWSIO_API task {
public:
    using function_type = unique_function<void(task_status)>;

    task() noexcept = default;
    explicit task(function_type fn, const char *type_tag = "task") noexcept
        : fn_(std::move(fn)), type_tag_(type_tag) {}
    task(const task &) = delete;
    task &operator=(const task &) = delete;
    task(task &&) = delete;
    task &operator=(task &&) = delete;
    ~task() = default;

    /// Replaces the function (only while not scheduled).
    void set_function(function_type fn, const char *type_tag = "task") noexcept {
        fn_ = std::move(fn);
        type_tag_ = type_tag;
    }
    /// Runs the function now with the given status (aws_task_run). Used by schedulers.
    void run(task_status status) { fn_(status); }

    [[nodiscard]] bool is_scheduled() const noexcept { return scheduled_; }
    /// Absolute run time in ns for future tasks; 0 for "now" tasks.
    [[nodiscard]] std::uint64_t timestamp() const noexcept { return timestamp_; }
    [[nodiscard]] const char *type_tag() const noexcept { return type_tag_; }

private:
    friend class detail::task_scheduler;
    friend class detail::task_list;
    static constexpr std::size_t no_index = static_cast<std::size_t>(-1);

    function_type fn_;
    const char *type_tag_ = "task";
    std::uint64_t timestamp_ = 0;
    std::uint64_t sequence_ = 0;      // FIFO tie-break among equal timestamps
    task *prev_ = nullptr;            // intrusive list hooks (now-queue, cross-thread queue)
    task *next_ = nullptr;
    detail::task_list *list_ = nullptr; // the list the task is linked into, if any
    std::size_t heap_index_ = no_index; // position in the timed heap
    bool scheduled_ = false;
};

/// aws_event_loop_type.
enum class event_loop_type : int { platform_default = 0, epoll, iocp, kqueue, dispatch_queue };

/// The type platform_default resolves to on this build (epoll on Linux).
AWSIO_API event_loop_type default_event_loop_type() noexcept;
/// True when a loop of this type can be created on this build.
AWSIO_API bool is_event_loop_type_supported(event_loop_type type) noexcept;

/// aws_io_event_type bits.
enum io_event_type : int {
    io_event_readable = 1,
    io_event_writable = 2,
    io_event_remote_hang_up = 4,
    io_event_closed = 8,
    io_event_error = 16,
};

/// Called on the loop thread with the io_event_type bits that fired.
using io_event_callback = unique_function<void(event_loop &loop, io_handle &handle, int events)>;

/// Options for creating a single loop (aws_event_loop_options).
struct event_loop_options {
    event_loop_type type = event_loop_type::platform_default;
    /// Clock override (tests). Empty = high_res_clock_ns.
    clock_fn clock;
    /// CPU to pin the loop thread to, if any.
    std::optional<int> cpu_id;
    /// Owning group, if any (set by event_loop_group).
    event_loop_group *parent_group = nullptr;
    /// Thread name; empty = "AwsEventLoop".
    const char *thread_name = nullptr;
};

/// An event loop (aws_event_loop). Created stopped; run() starts its thread.
class AWSIO_API event_loop {
public:
    /// Creates a loop of options.type. A type not built here -> common_errc::platform_not_supported.
    static result<std::unique_ptr<event_loop>> create(const event_loop_options &options);
    /// Creates a platform_default loop with the default clock.
    static result<std::unique_ptr<event_loop>> create_default();

    /// Destroys the loop: stops it, waits for the thread, then runs every task still pending
    /// (scheduled ones first, then cross-thread queued ones) with task_status::canceled on the
    /// destroying thread, and finally removes local objects. Call from outside the loop thread.
    virtual ~event_loop();
    event_loop(const event_loop &) = delete;
    event_loop &operator=(const event_loop &) = delete;

    /// Starts the loop thread. Restartable after stop() + wait_for_stop_completion(). Already
    /// running (or stopped but not yet waited for) -> common_errc::invalid_state; the thread
    /// cannot be created -> common_errc::thread_insufficient_resource. A stop() issued while
    /// the loop is not running takes effect on the next run().
    virtual std::error_code run() = 0;
    /// Asks the loop to stop (idempotent, any thread, returns immediately).
    virtual std::error_code stop() = 0;
    /// Blocks until the loop thread has exited (returns at once if it is not running). From the
    /// loop thread itself -> common_errc::thread_deadlock_detected.
    virtual std::error_code wait_for_stop_completion() = 0;

    /// Runs the task as soon as possible, any thread. On the loop thread it goes straight to
    /// the scheduler; from another thread through the locked cross-thread queue.
    virtual void schedule_task_now(task &t) = 0;
    /// Like schedule_task_now but always through the cross-thread queue, so tasks run in the
    /// order of submission, whatever the submitting thread.
    virtual void schedule_task_now_serialized(task &t) = 0;
    /// Runs the task at or after run_at_ns (on current_clock_time()'s scale), any thread.
    /// Tasks due at the same time run in the order scheduled.
    virtual void schedule_task_future(task &t, std::uint64_t run_at_ns) = 0;
    /// Loop thread only: removes a scheduled task (including one still waiting in the
    /// cross-thread queue) and runs it synchronously with task_status::canceled. Not scheduled
    /// on this loop -> nothing happens. Off-thread -> io_errc::event_loop_thread_only.
    virtual std::error_code cancel_task(task &t) = 0;

    /// Convenience: schedules a heap-allocated task running fn (freed after it runs).
    void schedule_now(task::function_type fn, const char *type_tag = "task");
    /// Convenience: schedules a heap-allocated task at run_at_ns.
    void schedule_future(task::function_type fn, std::uint64_t run_at_ns,
                         const char *type_tag = "task");

    /// Subscribes handle for events (io_event_readable | io_event_writable; error and
    /// hang-up are always reported). Edge-triggered. Any thread; the callback runs on the loop
    /// thread. Already subscribed (handle.additional_data set, or the fd already registered)
    /// -> io_errc::already_subscribed; the kernel refuses the fd -> common_errc::sys_call_failure.
    /// Every subscription must be ended with unsubscribe_from_io_events before the loop dies.
    virtual std::error_code subscribe_to_io_events(io_handle &handle, int events,
                                                   io_event_callback on_event) = 0;
    /// Loop thread only. Not subscribed -> io_errc::not_subscribed; epoll refuses the removal
    /// (fd already closed) -> common_errc::sys_call_failure, the subscription is gone anyway;
    /// off-thread ->
    /// io_errc::event_loop_thread_only. No callback for the handle runs after it returns.
    virtual std::error_code unsubscribe_from_io_events(io_handle &handle) = 0;
    /// Frees what subscribe left in handle.additional_data (no-op on epoll).
    virtual void free_io_event_resources(io_handle &handle) { (void)handle; }

    /// True on the loop thread (or on the destroying thread during destruction).
    [[nodiscard]] virtual bool is_on_callers_thread() const noexcept = 0;

    /// Loop clock in ns (the override, if any, else high_res_clock_ns). Any thread.
    [[nodiscard]] std::uint64_t current_clock_time() const;

    /// Local objects: loop-thread-only storage keyed by pointer (aws_event_loop_local_object).
    /// on_removed runs when the object is replaced, removed, or the loop is destroyed.
    /// Off-thread -> io_errc::event_loop_thread_only; unknown key (fetch, remove) ->
    /// common_errc::hashtbl_item_not_found. Putting an existing key replaces the object and
    /// calls the old on_removed.
    result<void *> fetch_local_object(const void *key);
    std::error_code put_local_object(const void *key, void *object,
                                     unique_function<void(void *)> on_removed = nullptr);
    std::error_code remove_local_object(const void *key);

    /// Sum of tick durations (ns) over the last published second; 0 if nothing was
    /// published for more than 10 s. Any thread.
    [[nodiscard]] std::size_t load_factor() const noexcept;

    [[nodiscard]] event_loop_type type() const noexcept { return type_; }
    /// The group that owns this loop, or nullptr.
    [[nodiscard]] event_loop_group *group() const noexcept { return group_; }

protected:
    explicit event_loop(const event_loop_options &options);
    /// Backends call these around each tick to feed load_factor().
    void register_tick_start();
    void register_tick_end();
    /// Removes all local objects, calling their on_removed (backends call it on destroy).
    void clear_local_objects();

private:
    struct local_object {
        const void *key;
        void *object;
        unique_function<void(void *)> on_removed;
    };

    clock_fn clock_;
    event_loop_type type_;
    event_loop_group *group_;
    std::vector<local_object> local_objects_;
    std::uint64_t tick_start_ns_ = 0;
    std::uint64_t current_tick_sum_ns_ = 0;
    std::uint64_t next_flush_s_ = 0; // second after which the next publish is due
    std::atomic<std::size_t> published_load_{0};
    std::atomic<std::uint64_t> last_publish_s_{0};
};

/// Options for an event_loop_group (aws_event_loop_group_options).
struct event_loop_group_options {
    /// Number of loops; 0 = the number of cores (std::thread::hardware_concurrency), or the
    /// number of CPUs of cpu_group's node when that node exists. Threads: "AwsEventLoop <i+1>".
    std::uint16_t loop_count = 0;
    event_loop_type type = event_loop_type::platform_default;
    /// Pin loop i to CPU i % n of this NUMA node's n CPUs (read from
    /// /sys/devices/system/node/node<N>/cpulist), if set. A node that does not exist -> the
    /// loops run unpinned.
    std::optional<std::uint16_t> cpu_group;
    /// Clock for every loop (tests). Empty = high_res_clock_ns.
    clock_fn clock_override;
    /// Called once, on a managed thread, after every loop has been destroyed.
    unique_function<void()> on_shutdown_complete;
};

/// N event loops, one thread each (aws_event_loop_group). Lifetime is shared: every holder
/// keeps a std::shared_ptr (channels hold their group). When the last reference goes, a managed
/// thread named "EvntLoopCleanup" destroys the loops (back to front) and then calls
/// on_shutdown_complete; io_library_clean_up() / join_all_managed_threads() waits for it.
class AWSIO_API event_loop_group : public std::enable_shared_from_this<event_loop_group> {
public:
    /// Creates the loops and starts them. Unsupported type -> common_errc::platform_not_supported.
    static result<std::shared_ptr<event_loop_group>> create(event_loop_group_options options);

    event_loop_group(const event_loop_group &) = delete;
    event_loop_group &operator=(const event_loop_group &) = delete;
    ~event_loop_group();

    /// Best of two random loops by load factor (aws_event_loop_group_get_next_loop).
    [[nodiscard]] event_loop *get_next_loop() noexcept;
    /// The loop at index, nullptr when out of range.
    [[nodiscard]] event_loop *get_loop_at(std::size_t index) const noexcept;
    [[nodiscard]] std::size_t loop_count() const noexcept { return loops_.size(); }
    [[nodiscard]] event_loop_type type() const noexcept { return type_; }
    /// True when loop belongs to this group.
    [[nodiscard]] bool contains(const event_loop *loop) const noexcept;

private:
    event_loop_group() = default;
    friend struct event_loop_group_access;

    std::vector<std::unique_ptr<event_loop>> loops_;
    event_loop_type type_ = event_loop_type::platform_default;
    unique_function<void()> on_shutdown_complete_;
};

} // namespace awsio
