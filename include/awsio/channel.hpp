// awsio/channel.hpp — the channel: a pipeline of handlers bound to one event loop, through
// which messages flow (reads left to right, writes right to left). Mirrors aws-c-io's channel.h.
//
// Picture a client connection: [socket handler] <-> [TLS handler] <-> [application handler].
// The left-most slot talks to the OS; data read from it travels right (channel_direction::read)
// and data written by the application travels left (channel_direction::write).
//
// Threading: a channel lives on one event loop. Unless a function says otherwise it must be
// called on that loop's thread, and every handler callback and channel task runs there.
// Functions marked "any thread" may be called from anywhere.
//
// Lifetime: channels are shared (std::shared_ptr<channel>). The pointer channel::create hands
// out is the owner's reference; every copy is a "hold" (aws_channel_acquire_hold) that keeps
// the channel's memory alive, and dropping a copy releases it (aws_channel_release_hold /
// aws_channel_destroy). Pending channel tasks and the channel's own internal tasks take holds
// too, so a channel is never freed under a task that still has to run. When the last reference
// goes the channel is freed on its event-loop thread (synchronously if that is the releasing
// thread, else through a task), destroying its slots and handlers left to right.
// Shut a channel down (and wait for on_shutdown_completed) before dropping the last reference.
#pragma once

#include <awsio/error.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/export.hpp>
#include <awsio/message_pool.hpp>
#include <awsio/result.hpp>
#include <awsio/statistics.hpp>
#include <awsio/unique_function.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace awsio {

class channel;
class channel_slot;
class channel_handler;

/// aws_channel_direction: read = towards the application (left to right), write = towards the
/// network (right to left).
enum class channel_direction : int { read = 0, write = 1 };

/// aws_channel_state (private in aws-c-io). setting_up -> active -> shutting_down -> shut_down.
enum class channel_state : int { setting_up = 0, active, shutting_down, shut_down };

/// The largest message a channel hands out (g_aws_channel_max_fragment_size), 16 KiB by
/// default. Read when a channel is created (its window-update threshold is 4x this value) and
/// when an event loop's message pool is first created. Any thread.
AWSIO_API std::size_t channel_max_fragment_size() noexcept;
/// Changes the value above for channels and pools created afterwards (tests use it to force
/// fragmentation). Zero is ignored. Any thread.
AWSIO_API void set_channel_max_fragment_size(std::size_t size) noexcept;
inline constexpr std::size_t default_channel_max_fragment_size = 16 * 1024;

/// A task that runs on a channel's event-loop thread (aws_channel_task). Unlike a plain
/// awsio::task it knows its channel: it runs with task_status::canceled once the channel has
/// shut down, pending ones are canceled when shutdown completes, and while it is pending it
/// holds a reference to the channel. The caller owns the object and keeps it alive (and
/// unmoved) until its function has been called; a task may reschedule itself from inside its
/// function. Do not schedule one that is still pending.
class AWSIO_API channel_task {
public:
    using function_type = unique_function<void(task_status)>;

    channel_task() noexcept;
    explicit channel_task(function_type fn, const char *type_tag = "channel_task") noexcept;
    channel_task(const channel_task &) = delete;
    channel_task &operator=(const channel_task &) = delete;
    channel_task(channel_task &&) = delete;
    channel_task &operator=(channel_task &&) = delete;
    ~channel_task();

    /// Replaces the function (only while not pending).
    void set_function(function_type fn, const char *type_tag = "channel_task") noexcept;
    /// True from scheduling until the function is called.
    [[nodiscard]] bool is_pending() const noexcept { return owner_ != nullptr; }
    [[nodiscard]] const char *type_tag() const noexcept { return type_tag_; }

private:
    friend class channel;

    function_type fn_;
    const char *type_tag_ = "channel_task";
    task wrapper_;                   // what the event loop actually runs
    channel *owner_ = nullptr;       // set while pending
    std::shared_ptr<channel> hold_;  // keeps the channel alive while pending
    std::uint64_t run_at_ns_ = 0;    // 0 for "now" tasks
    channel_task *prev_ = nullptr;   // intrusive hooks: the channel's pending lists
    channel_task *next_ = nullptr;
    bool linked_ = false;
};

/// Options for channel::create (aws_channel_options).
struct channel_options {
    /// The loop the channel lives on. Required. If it belongs to an event_loop_group the
    /// channel keeps that group alive until the channel is freed.
    event_loop *loop = nullptr;
    /// Required. Called once on the loop thread: with no error once the channel is active, or
    /// with io_errc::operation_cancelled when the loop was destroyed before setup ran.
    unique_function<void(channel &, std::error_code)> on_setup_completed;
    /// Optional. Called once on the loop thread when shutdown has completed in both directions,
    /// with the error that started the shutdown. Pending channel tasks have been canceled by then.
    unique_function<void(channel &, std::error_code)> on_shutdown_completed;
    /// With read back-pressure on, each slot has a read window: a handler may only send a
    /// read message no larger than the window of the slot to its right, and windows are
    /// replenished with increment_read_window. Off: windows are not tracked (unlimited).
    bool enable_read_back_pressure = false;
};

/// A channel handler (aws_channel_handler + its vtable). Owned by its slot (set_handler takes a
/// std::unique_ptr) and destroyed with it. Every member is called on the channel's thread.
///
/// Message ownership (process_read_message, process_write_message, channel_slot::send_message):
/// the message comes as message_ptr&&. On success the callee has taken it: it either moved
/// from the pointer (keeping or forwarding the message) or left it in place, in which case
/// the caller's message_ptr frees it; the caller must not use the message either way. On error
/// the callee must leave the pointer untouched: the caller still owns the message and may
/// retry, reroute or drop it.
class AWSIO_API channel_handler {
public:
    channel_handler() = default;
    channel_handler(const channel_handler &) = delete;
    channel_handler &operator=(const channel_handler &) = delete;
    virtual ~channel_handler();

    /// A read message from the slot to the left (already debited from this slot's window).
    virtual std::error_code process_read_message(channel_slot &slot, message_ptr &&msg) = 0;
    /// A write message from the slot to the right.
    virtual std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) = 0;
    /// The slot to the right granted `size` more bytes of read window; a handler passes on
    /// what it can (usually through slot.increment_read_window). An error shuts the channel down.
    virtual std::error_code increment_read_window(channel_slot &slot, std::size_t size) = 0;
    /// Shut down one direction. The handler must eventually (synchronously or later) call
    /// slot.on_handler_shutdown_complete(dir, error, free_scarce_resources_immediately) exactly
    /// once for this direction. With free_scarce_resources_immediately, OS resources (sockets,
    /// files) must be released before returning.
    virtual std::error_code shutdown(channel_slot &slot, channel_direction dir,
                                     std::error_code error,
                                     bool free_scarce_resources_immediately) = 0;
    /// Read window granted when the handler is installed.
    [[nodiscard]] virtual std::size_t initial_window_size() const = 0;
    /// Bytes this handler adds to each message written through it (for example TLS record
    /// overhead); handlers to its right size their writes with it.
    [[nodiscard]] virtual std::size_t message_overhead() const = 0;
    /// Start a new statistics interval (optional).
    virtual void reset_statistics() {}
    /// Append pointers to this handler's statistics records (optional); they must stay valid
    /// until the next reset_statistics.
    virtual void gather_statistics(std::vector<statistics_base *> &stats) { (void)stats; }
    /// Read from the source now if it can (left-most handlers; optional). channel::trigger_read.
    virtual void trigger_read() {}

    /// The slot the handler is installed in, or nullptr before set_handler.
    [[nodiscard]] channel_slot *slot() const noexcept { return slot_; }

private:
    friend class channel_slot;
    channel_slot *slot_ = nullptr;
};

/// A position in a channel's pipeline holding one handler (aws_channel_slot). Slots are
/// created with channel::new_slot, owned by the channel, and live until removed, replaced or
/// the channel is freed. References stay valid for that long.
class AWSIO_API channel_slot {
public:
    channel_slot(const channel_slot &) = delete;
    channel_slot &operator=(const channel_slot &) = delete;
    ~channel_slot();

    [[nodiscard]] channel &owner() const noexcept { return *channel_; }
    [[nodiscard]] channel_slot *adj_left() const noexcept { return adj_left_; }
    [[nodiscard]] channel_slot *adj_right() const noexcept { return adj_right_; }
    [[nodiscard]] channel_handler *handler() const noexcept { return handler_.get(); }
    /// Bytes this slot's handler may still receive (read back-pressure on).
    [[nodiscard]] std::size_t window_size() const noexcept { return window_size_; }
    /// Window granted to this slot but not yet passed to its left neighbour.
    [[nodiscard]] std::size_t current_window_update_batch_size() const noexcept {
        return window_update_batch_;
    }
    /// Sum of message_overhead() of every handler to the left.
    [[nodiscard]] std::size_t upstream_message_overhead() const noexcept {
        return upstream_message_overhead_;
    }

    /// Installs handler (aws_channel_slot_set_handler): links it to this slot, recomputes the
    /// channel's message overheads and grants handler->initial_window_size() of read window.
    /// Null -> common_errc::invalid_argument; a handler is already installed ->
    /// common_errc::invalid_state.
    std::error_code set_handler(std::unique_ptr<channel_handler> handler);
    /// Unlinks this slot and destroys it with its handler. Do not use the slot afterwards.
    std::error_code remove();
    /// Puts new_slot where this slot is, then destroys this slot and its handler.
    /// new_slot == this -> common_errc::invalid_argument.
    std::error_code replace(channel_slot &new_slot);
    /// Links to_add directly to the right / left of this slot. to_add == this ->
    /// common_errc::invalid_argument.
    std::error_code insert_right(channel_slot &to_add);
    std::error_code insert_left(channel_slot &to_add);

    /// Passes msg to the neighbour in direction dir: read -> the slot to the right (its
    /// process_read_message), write -> the slot to the left (process_write_message). See
    /// channel_handler for the ownership rule. Errors: no neighbour (or it has no handler) ->
    /// common_errc::invalid_state; read back-pressure on and the message is larger than the
    /// right slot's window -> io_errc::channel_read_would_exceed_window (msg untouched);
    /// msg null -> common_errc::invalid_argument; otherwise whatever the handler returns.
    std::error_code send_message(message_ptr &&msg, channel_direction dir);
    /// A pool message sized for the largest write that fits one fragment after the overhead of
    /// the handlers to the left (channel_max_fragment_size() - upstream_message_overhead()).
    [[nodiscard]] message_ptr acquire_max_message_for_write();
    /// Grants `window` more bytes of read window to this slot. The grant is batched and passed
    /// to the left neighbour's handler by a channel task once the scarcest window in the
    /// channel falls to 4 x max fragment size or below. No-op with back-pressure off or once the
    /// channel has shut down.
    std::error_code increment_read_window(std::size_t window);
    /// Called by this slot's handler when it finished shutting down direction dir. Read: shuts
    /// down the handler to the right, or at the right end schedules the write direction. Write:
    /// shuts down the handler to the left, or at the left end completes the channel's shutdown.
    /// A second completion for the same direction, and any after the channel shut down, is
    /// ignored.
    std::error_code on_handler_shutdown_complete(channel_direction dir, std::error_code error,
                                                 bool free_scarce_resources_immediately);
    /// Calls this slot's handler's shutdown. No handler -> common_errc::invalid_state.
    std::error_code shutdown(channel_direction dir, std::error_code error,
                             bool free_scarce_resources_immediately);
    /// The window of the slot to the right: SIZE_MAX when back-pressure is off, 0 when there
    /// is no slot to the right.
    [[nodiscard]] std::size_t downstream_read_window() const noexcept;

private:
    friend class channel;
    explicit channel_slot(channel &owner) noexcept : channel_(&owner) {}

    channel *channel_;
    channel_slot *adj_left_ = nullptr;
    channel_slot *adj_right_ = nullptr;
    std::unique_ptr<channel_handler> handler_;
    std::size_t window_size_ = 0;
    std::size_t window_update_batch_ = 0;
    std::size_t upstream_message_overhead_ = 0;
    bool read_shutdown_completed_ = false;
    bool write_shutdown_completed_ = false;
};

/// The channel (aws_channel). See the top of this file for threading and lifetime.
class AWSIO_API channel : public std::enable_shared_from_this<channel> {
public:
    /// Creates a channel on options.loop (aws_channel_new). Setup finishes in a task on the
    /// loop (it fetches or creates the loop's message pool, enters channel_state::active and
    /// calls on_setup_completed). Any thread. Missing loop or on_setup_completed ->
    /// common_errc::invalid_argument.
    static result<std::shared_ptr<channel>> create(channel_options options);

    channel(const channel &) = delete;
    channel &operator=(const channel &) = delete;
    ~channel();

    /// Starts shutting the channel down (aws_channel_shutdown); any thread, returns at once.
    /// A task then shuts the handlers down: read direction left to right, then (from a new
    /// task) write direction right to left; finally on_shutdown_completed(error) runs. With no
    /// handler installed the channel shuts down directly. Only the first call has an effect.
    std::error_code shutdown(std::error_code error = {},
                             bool free_scarce_resources_immediately = false);

    /// A new slot (aws_channel_slot_new), owned by the channel. The first slot ever created
    /// becomes the first slot of the pipeline; link later ones with insert_right/insert_left/
    /// insert_end.
    channel_slot &new_slot();
    /// Links to_add at the right end of the pipeline (aws_channel_slot_insert_end). No first
    /// slot yet, or to_add is the first slot -> common_errc::invalid_state.
    std::error_code insert_end(channel_slot &to_add);
    /// The left-most slot, or nullptr.
    [[nodiscard]] channel_slot *first_slot() const noexcept { return first_; }

    [[nodiscard]] event_loop &loop() const noexcept { return *loop_; }
    /// The loop's clock, ns. Any thread.
    [[nodiscard]] std::uint64_t current_clock_time() const { return loop_->current_clock_time(); }
    /// True on the channel's event-loop thread. Any thread.
    [[nodiscard]] bool is_on_callers_thread() const noexcept { return loop_->is_on_callers_thread(); }
    /// Loop-thread state. Read it on the loop thread only.
    [[nodiscard]] channel_state state() const noexcept { return state_; }
    [[nodiscard]] bool read_back_pressure_enabled() const noexcept { return back_pressure_; }

    /// The loop's local objects (see event_loop::fetch_local_object); loop thread only.
    result<void *> fetch_local_object(const void *key) { return loop_->fetch_local_object(key); }
    std::error_code put_local_object(const void *key, void *object,
                                     unique_function<void(void *)> on_removed = nullptr) {
        return loop_->put_local_object(key, object, std::move(on_removed));
    }
    std::error_code remove_local_object(const void *key) { return loop_->remove_local_object(key); }

    /// A message with capacity min(size_hint, the pool's segment size) (16 KiB by default),
    /// owning_channel set to this channel. On the loop thread it comes from the loop's shared
    /// message pool (created on first use); elsewhere, a standalone message of the same
    /// capacity. Never null.
    [[nodiscard]] message_ptr acquire_message_from_pool(io_message_type type, std::size_t size_hint);

    /// Runs t on the loop thread as soon as possible (aws_channel_schedule_task_now). Any thread.
    /// On the loop thread it goes straight to the loop; from elsewhere through the channel's
    /// cross-thread list, which one pump task drains in order. Once the channel has shut down t
    /// runs immediately (on the calling thread) with task_status::canceled.
    void schedule_task_now(channel_task &t);
    /// Like schedule_task_now but always through the cross-thread list, so tasks run in the
    /// order they were submitted whatever the submitting thread. Any thread.
    void schedule_task_now_serialized(channel_task &t);
    /// Runs t at or after run_at_ns (current_clock_time() scale). Any thread.
    void schedule_task_future(channel_task &t, std::uint64_t run_at_ns);
    /// Convenience: a heap-allocated channel task running fn, freed after it runs.
    void schedule_now(channel_task::function_type fn, const char *type_tag = "channel_task");
    void schedule_future(channel_task::function_type fn, std::uint64_t run_at_ns,
                         const char *type_tag = "channel_task");

    /// Installs (or with nullptr removes) the statistics handler; the channel owns it. Reports
    /// start report_interval_ms() from now. Loop thread only, else io_errc::event_loop_thread_only.
    std::error_code set_statistics_handler(std::unique_ptr<statistics_handler> handler);

    /// Asks the left-most handler to read (aws_channel_trigger_read). Off the loop thread, or no
    /// slot / handler -> common_errc::invalid_state.
    std::error_code trigger_read();

private:
    friend class channel_slot;
    friend class channel_task;

    struct pending_list {
        channel_task *head = nullptr;
        channel_task *tail = nullptr;
        [[nodiscard]] bool empty() const noexcept { return head == nullptr; }
        void push_back(channel_task &t) noexcept;
        channel_task *pop_front() noexcept;
        void remove(channel_task &t) noexcept;
    };

    explicit channel(channel_options &options);
    static void release(channel *ch) noexcept;

    void on_setup_task(task_status status);
    void ensure_message_pool();
    void register_task(channel_task &t, std::uint64_t run_at_ns, bool serialized);
    void register_on_thread(channel_task &t);
    void register_cross_thread(channel_task &t);
    void run_channel_task(channel_task &t, task_status status);
    static void invoke_task(channel_task &t, task_status status);
    void pump_cross_thread_tasks(task_status status);
    void on_shutdown_task(task_status status);
    void complete_shutdown(std::error_code error);
    void on_shutdown_completion_task();
    void on_write_direction_task();
    void schedule_internal(task &t, std::shared_ptr<channel> &hold_slot);

    void remove_slot(channel_slot &slot);
    void destroy_slot(channel_slot &slot);
    void update_message_overheads() noexcept;
    void slot_increment_read_window(channel_slot &slot, std::size_t window);
    void maybe_schedule_window_update();
    [[nodiscard]] bool needs_window_update() const noexcept;
    void on_window_update_task(task_status status);
    void on_statistics_task(task_status status);
    void reset_statistics();
    std::error_code slot_on_handler_shutdown_complete(channel_slot &slot, channel_direction dir,
                                                      std::error_code error, bool free_scarce);

    event_loop *loop_;
    std::shared_ptr<event_loop_group> group_hold_;
    unique_function<void(channel &, std::error_code)> on_setup_completed_;
    unique_function<void(channel &, std::error_code)> on_shutdown_completed_;
    bool back_pressure_;
    std::size_t window_update_threshold_ = 0;
    bool window_update_scheduled_ = false;
    channel_task window_update_task_;

    channel_state state_ = channel_state::setting_up;
    message_pool *pool_ = nullptr;
    channel_slot *first_ = nullptr;
    std::vector<std::unique_ptr<channel_slot>> slots_;

    // Internal loop tasks; each takes a hold (the matching *_hold_) while scheduled.
    task setup_task_;
    std::shared_ptr<channel> setup_hold_;
    task write_direction_task_;
    std::shared_ptr<channel> write_direction_hold_;
    channel_slot *write_direction_slot_ = nullptr;
    std::error_code write_direction_error_;
    bool write_direction_free_scarce_ = false;
    task completion_task_;
    std::shared_ptr<channel> completion_hold_;
    std::error_code shutdown_error_;
    task deletion_task_;

    // Statistics (loop thread). The statistics task holds no reference: the destructor cancels it.
    std::unique_ptr<statistics_handler> stats_handler_;
    task stats_task_;
    std::uint64_t stats_interval_start_ms_ = 0;
    std::vector<statistics_base *> stats_list_;

    pending_list on_thread_tasks_; // loop thread only: tasks scheduled with the loop

    // Cross-thread state, guarded by cross_thread_mutex_.
    std::mutex cross_thread_mutex_;
    pending_list cross_thread_tasks_;
    task pump_task_;
    std::shared_ptr<channel> pump_hold_;
    bool cross_thread_shut_down_ = false;
    bool shutdown_requested_ = false;
    std::error_code requested_shutdown_error_;
    bool requested_free_scarce_ = false;
    channel_task shutdown_task_;
};

} // namespace awsio
