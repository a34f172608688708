// channel.cpp — the channel pipeline: slots and their links, message passing with read
// back-pressure, channel tasks (on-thread and cross-thread), the two-pass shutdown, batched
// window updates and periodic statistics. Behaviour follows aws-c-io's channel.c.
#include <awsio/channel.hpp>
#include <awsio/logging.hpp>
#include <awsio/tracing.hpp>

#include <algorithm>
#include <cassert>
#include <atomic>
#include <limits>

namespace awsio {

namespace {

std::atomic<std::size_t> g_max_fragment_size{default_channel_max_fragment_size};

// Its address keys the per-loop message pool among the loop's local objects.
const char message_pool_key = 0;

// Read windows saturate instead of wrapping: SIZE_MAX means "unlimited".
std::size_t add_saturating(std::size_t a, std::size_t b) noexcept {
    const std::size_t sum = a + b;
    return sum < a ? std::numeric_limits<std::size_t>::max() : sum;
}

constexpr std::uint64_t ns_per_ms = 1000000ULL;

const char *direction_name(channel_direction dir) noexcept {
    return dir == channel_direction::read ? "read" : "write";
}

// A self-owning channel task for channel::schedule_now / schedule_future.
struct heap_channel_task {
    channel_task t;
};

} // namespace

std::size_t channel_max_fragment_size() noexcept {
    return g_max_fragment_size.load(std::memory_order_relaxed);
}

void set_channel_max_fragment_size(std::size_t size) noexcept {
    if (size != 0) {
        g_max_fragment_size.store(size, std::memory_order_relaxed);
    }
}

// ---------------------------------------------------------------------------------------------
// channel_task

channel_task::channel_task() noexcept {
    wrapper_.set_function([this](task_status s) { channel::invoke_task(*this, s); }, type_tag_);
}

channel_task::channel_task(function_type fn, const char *type_tag) noexcept
    : fn_(std::move(fn)), type_tag_(type_tag) {
    wrapper_.set_function([this](task_status s) { channel::invoke_task(*this, s); }, type_tag_);
}

channel_task::~channel_task() = default;

void channel_task::set_function(function_type fn, const char *type_tag) noexcept {
    fn_ = std::move(fn);
    type_tag_ = type_tag;
    wrapper_.set_function([this](task_status s) { channel::invoke_task(*this, s); }, type_tag_);
}

// ---------------------------------------------------------------------------------------------
// pending_list: intrusive FIFO through channel_task::prev_/next_ (no allocation per task).

void channel::pending_list::push_back(channel_task &t) noexcept {
    t.prev_ = tail;
    t.next_ = nullptr;
    t.linked_ = true;
    if (tail != nullptr) {
        tail->next_ = &t;
    } else {
        head = &t;
    }
    tail = &t;
}

channel_task *channel::pending_list::pop_front() noexcept {
    channel_task *t = head;
    if (t != nullptr) {
        remove(*t);
    }
    return t;
}

void channel::pending_list::remove(channel_task &t) noexcept {
    if (t.prev_ != nullptr) {
        t.prev_->next_ = t.next_;
    } else {
        head = t.next_;
    }
    if (t.next_ != nullptr) {
        t.next_->prev_ = t.prev_;
    } else {
        tail = t.prev_;
    }
    t.prev_ = nullptr;
    t.next_ = nullptr;
    t.linked_ = false;
}

// ---------------------------------------------------------------------------------------------
// Creation and destruction

channel_handler::~channel_handler() = default;

channel::channel(channel_options &options)
    : loop_(options.loop),
      on_setup_completed_(std::move(options.on_setup_completed)),
      on_shutdown_completed_(std::move(options.on_shutdown_completed)),
      back_pressure_(options.enable_read_back_pressure) {
    if (event_loop_group *group = loop_->group()) {
        // The channel's loop must outlive it; holding the group guarantees that.
        group_hold_ = group->weak_from_this().lock();
    }
    if (back_pressure_) {
        // Room for several fragments, so handlers that need head-room (TLS) do not stall
        // waiting for an update that is held back until windows run low.
        window_update_threshold_ = 4 * channel_max_fragment_size();
    }
    window_update_task_.set_function([this](task_status s) { on_window_update_task(s); },
                                     "window_update");
    shutdown_task_.set_function([this](task_status s) { on_shutdown_task(s); }, "channel_shutdown");
    setup_task_.set_function([this](task_status s) { on_setup_task(s); }, "on_channel_setup_complete");
    write_direction_task_.set_function([this](task_status) { on_write_direction_task(); },
                                       "channel_shutdown_write_direction");
    completion_task_.set_function([this](task_status) { on_shutdown_completion_task(); },
                                  "channel_shutdown_complete");
    pump_task_.set_function([this](task_status s) { pump_cross_thread_tasks(s); },
                            "schedule_cross_thread_tasks");
    stats_task_.set_function([this](task_status s) { on_statistics_task(s); }, "gather_statistics");
}

result<std::shared_ptr<channel>> channel::create(channel_options options) {
    if (options.loop == nullptr || !options.on_setup_completed) {
        return common_errc::invalid_argument;
    }
    std::shared_ptr<channel> ch(new channel(options), &channel::release);
    AWSIO_LOGF_DEBUG(log_subject::channel, "id=%p: beginning creation and setup of new channel",
                     static_cast<void *>(ch.get()));
    // The setup task holds the channel, like aws-c-io's initial reference count of 2.
    ch->setup_hold_ = ch;
    ch->loop_->schedule_task_now(ch->setup_task_);
    return ch;
}

void channel::release(channel *ch) noexcept {
    // Handlers expect to be destroyed on their own thread.
    if (ch->loop_->is_on_callers_thread()) {
        delete ch;
        return;
    }
    ch->deletion_task_.set_function([ch](task_status) { delete ch; }, "final_channel_deletion");
    ch->loop_->schedule_task_now(ch->deletion_task_);
}

channel::~channel() {
    AWSIO_LOGF_DEBUG(log_subject::channel, "id=%p: destroying channel", static_cast<void *>(this));
    if (stats_task_.is_scheduled()) {
        (void)loop_->cancel_task(stats_task_);
    }
    stats_handler_.reset();

    bool has_handlers = false;
    for (const auto &s : slots_) {
        has_handlers = has_handlers || s->handler_ != nullptr;
    }
    if (has_handlers && state_ != channel_state::shut_down) {
        AWSIO_LOGF_WARN(log_subject::channel,
                        "id=%p: freed without completing shutdown; destroying handlers anyway",
                        static_cast<void *>(this));
    }
    // Left to right along the pipeline, then whatever was never linked in.
    for (channel_slot *s = first_; s != nullptr;) {
        channel_slot *next = s->adj_right_;
        destroy_slot(*s);
        s = next;
    }
    first_ = nullptr;
    slots_.clear();
}

void channel::on_setup_task(task_status status) {
    std::shared_ptr<channel> hold = std::move(setup_hold_);
    unique_function<void(channel &, std::error_code)> cb = std::move(on_setup_completed_);
    if (status != task_status::run_ready) {
        AWSIO_LOGF_DEBUG(log_subject::channel, "id=%p: setup canceled", static_cast<void *>(this));
        cb(*this, io_errc::operation_cancelled);
        return;
    }
    ensure_message_pool();
    if (state_ == channel_state::setting_up) {
        state_ = channel_state::active;
    }
    AWSIO_LOGF_DEBUG(log_subject::channel, "id=%p: setup complete, notifying caller",
                     static_cast<void *>(this));
    cb(*this, {});
    // `hold` goes last: if it was the final reference the channel is freed here.
}

void channel::ensure_message_pool() {
    if (pool_ != nullptr || !loop_->is_on_callers_thread()) {
        return;
    }
    if (auto found = loop_->fetch_local_object(&message_pool_key)) {
        pool_ = static_cast<message_pool *>(*found);
        return;
    }
    message_pool_creation_args args;
    args.application_data_msg_data_size = channel_max_fragment_size();
    args.application_data_msg_count = 4;
    args.small_block_msg_data_size = 128;
    args.small_block_msg_count = 4;
    auto *pool = new message_pool(args);
    // The loop owns the pool from here on and frees it when the loop is destroyed, after every
    // channel on it is gone.
    if (loop_->put_local_object(&message_pool_key, pool,
                                [](void *p) { delete static_cast<message_pool *>(p); })) {
        delete pool;
        return;
    }
    AWSIO_LOGF_DEBUG(log_subject::channel, "id=%p: created message pool %p for the event loop",
                     static_cast<void *>(this), static_cast<void *>(pool));
    pool_ = pool;
}

message_ptr channel::acquire_message_from_pool(io_message_type type, std::size_t size_hint) {
    message_ptr msg;
    // Pools are single-threaded: off the loop thread hand out a standalone message instead.
    if (loop_->is_on_callers_thread()) {
        ensure_message_pool();
        if (pool_ != nullptr) {
            msg = pool_->acquire(type, size_hint);
        }
    }
    if (!msg) {
        msg = make_standalone_message(std::min(size_hint, channel_max_fragment_size()), type);
    }
    msg->owning_channel = this;
    return msg;
}

// ---------------------------------------------------------------------------------------------
// Channel tasks

void channel::invoke_task(channel_task &t, task_status status) {
    channel *owner = t.owner_;
    if (owner != nullptr) {
        owner->run_channel_task(t, status);
    }
}

namespace {

// Runs a channel task's function. The task's hold is released only after the function
// returned, so the function may drop the last outside reference; nothing touches the task
// afterwards (it may have freed or rescheduled itself).
void finish_channel_task(std::shared_ptr<channel> hold, unique_function<void(task_status)> &fn,
                         task_status status) {
    fn(status);
    (void)hold;
}

} // namespace

void channel::run_channel_task(channel_task &t, task_status status) {
    if (t.linked_) {
        on_thread_tasks_.remove(t);
    }
    // A task that fires after shutdown completed is reported canceled.
    if (state_ == channel_state::shut_down) {
        status = task_status::canceled;
    }
    std::shared_ptr<channel> hold = std::move(t.hold_);
    t.owner_ = nullptr;
    finish_channel_task(std::move(hold), t.fn_, status);
}

void channel::register_task(channel_task &t, std::uint64_t run_at_ns, bool serialized) {
    assert(t.owner_ == nullptr && "channel task scheduled while still pending");
    t.run_at_ns_ = run_at_ns;
    t.hold_ = weak_from_this().lock();
    if (!t.hold_) {
        // The channel is being freed; nothing can run on it any more.
        t.owner_ = nullptr;
        t.fn_(task_status::canceled);
        return;
    }
    t.owner_ = this;
    if (!serialized && loop_->is_on_callers_thread()) {
        register_on_thread(t);
    } else {
        register_cross_thread(t);
    }
}

void channel::register_on_thread(channel_task &t) {
    if (state_ == channel_state::shut_down) {
        AWSIO_LOGF_DEBUG(log_subject::channel,
                         "id=%p: running %s channel task as canceled: the channel is shut down",
                         static_cast<void *>(this), t.type_tag_);
        std::shared_ptr<channel> hold = std::move(t.hold_);
        t.owner_ = nullptr;
        finish_channel_task(std::move(hold), t.fn_, task_status::canceled);
        return;
    }
    on_thread_tasks_.push_back(t);
    if (t.run_at_ns_ == 0) {
        loop_->schedule_task_now(t.wrapper_);
    } else {
        loop_->schedule_task_future(t.wrapper_, t.run_at_ns_);
    }
}

void channel::register_cross_thread(channel_task &t) {
    bool cancel = false;
    {
        std::lock_guard<std::mutex> lock(cross_thread_mutex_);
        if (cross_thread_shut_down_) {
            cancel = true;
        } else {
            const bool was_empty = cross_thread_tasks_.empty();
            cross_thread_tasks_.push_back(t);
            // One pump task drains the whole list; only the push that makes it non-empty
            // schedules it.
            if (was_empty) {
                pump_hold_ = t.hold_;
                loop_->schedule_task_now(pump_task_);
            }
        }
    }
    if (cancel) {
        // Outside the lock: the function may schedule more tasks.
        std::shared_ptr<channel> hold = std::move(t.hold_);
        t.owner_ = nullptr;
        finish_channel_task(std::move(hold), t.fn_, task_status::canceled);
    }
}

void channel::pump_cross_thread_tasks(task_status status) {
    pending_list batch;
    std::shared_ptr<channel> hold;
    {
        std::lock_guard<std::mutex> lock(cross_thread_mutex_);
        batch = cross_thread_tasks_;
        cross_thread_tasks_ = pending_list{};
        hold = std::move(pump_hold_);
    }
    while (channel_task *t = batch.pop_front()) {
        // Checked per task: a shutdown task earlier in this batch may have completed shutdown.
        const task_status s = state_ == channel_state::shut_down ? task_status::canceled : status;
        if (t->run_at_ns_ == 0 || s == task_status::canceled) {
            std::shared_ptr<channel> task_hold = std::move(t->hold_);
            t->owner_ = nullptr;
            finish_channel_task(std::move(task_hold), t->fn_, s);
        } else {
            on_thread_tasks_.push_back(*t);
            loop_->schedule_task_future(t->wrapper_, t->run_at_ns_);
        }
    }
}

void channel::schedule_task_now(channel_task &t) { register_task(t, 0, false); }

void channel::schedule_task_now_serialized(channel_task &t) { register_task(t, 0, true); }

void channel::schedule_task_future(channel_task &t, std::uint64_t run_at_ns) {
    register_task(t, run_at_ns, false);
}

void channel::schedule_now(channel_task::function_type fn, const char *type_tag) {
    schedule_future(std::move(fn), 0, type_tag);
}

void channel::schedule_future(channel_task::function_type fn, std::uint64_t run_at_ns,
                              const char *type_tag) {
    auto *h = new heap_channel_task;
    h->t.set_function(
        [h, user_fn = std::move(fn)](task_status status) mutable {
            channel_task::function_type f = std::move(user_fn);
            delete h; // nothing below touches h or this lambda's captures again
            if (f) {
                f(status);
            }
        },
        type_tag);
    if (run_at_ns == 0) {
        schedule_task_now(h->t);
    } else {
        schedule_task_future(h->t, run_at_ns);
    }
}

void channel::schedule_internal(task &t, std::shared_ptr<channel> &hold_slot) {
    hold_slot = weak_from_this().lock();
    if (!hold_slot) {
        // Only while the channel is being freed: run in place rather than leave a dangling task.
        t.run(task_status::canceled);
        return;
    }
    loop_->schedule_task_now(t);
}

// ---------------------------------------------------------------------------------------------
// Shutdown

std::error_code channel::shutdown(std::error_code error, bool free_scarce_resources_immediately) {
    {
        std::lock_guard<std::mutex> lock(cross_thread_mutex_);
        if (shutdown_requested_) {
            AWSIO_LOGF_DEBUG(log_subject::channel,
                             "id=%p: shutdown already pending, not scheduling another",
                             static_cast<void *>(this));
            return {};
        }
        shutdown_requested_ = true;
        requested_shutdown_error_ = error;
        requested_free_scarce_ = free_scarce_resources_immediately;
    }
    schedule_task_now(shutdown_task_);
    return {};
}

void channel::on_shutdown_task(task_status status) {
    (void)status; // a shutdown requested before the loop died still runs while it is destroyed
    if (!loop_->is_on_callers_thread() || state_ >= channel_state::shutting_down) {
        return;
    }
    std::error_code error;
    bool free_scarce = false;
    {
        std::lock_guard<std::mutex> lock(cross_thread_mutex_);
        error = requested_shutdown_error_;
        free_scarce = requested_free_scarce_;
    }
    AWSIO_LOGF_DEBUG(log_subject::channel, "id=%p: beginning shutdown process",
                     static_cast<void *>(this));
    state_ = channel_state::shutting_down;
    if (first_ != nullptr && first_->handler_) {
        (void)first_->handler_->shutdown(*first_, channel_direction::read, error, free_scarce);
        return;
    }
    complete_shutdown(error);
}

void channel::complete_shutdown(std::error_code error) {
    state_ = channel_state::shut_down;
    {
        std::lock_guard<std::mutex> lock(cross_thread_mutex_);
        cross_thread_shut_down_ = true;
    }
    AWSIO_LOGF_DEBUG(log_subject::channel, "id=%p: shutdown completed", static_cast<void *>(this));
    shutdown_error_ = error;
    schedule_internal(completion_task_, completion_hold_);
}

void channel::on_shutdown_completion_task() {
    std::shared_ptr<channel> hold = std::move(completion_hold_);

    // Cancel what is scheduled with the loop; each canceled task unlinks itself.
    while (channel_task *t = on_thread_tasks_.head) {
        AWSIO_LOGF_DEBUG(log_subject::channel, "id=%p: during shutdown, canceling task %p",
                         static_cast<void *>(this), static_cast<void *>(t));
        (void)loop_->cancel_task(t->wrapper_);
        if (on_thread_tasks_.head == t) {
            // The loop did not know the task; it will still run canceled when it fires,
            // because the channel is shut down.
            on_thread_tasks_.remove(*t);
        }
    }
    // Then what has not reached the loop thread yet: canceling the pump runs them canceled.
    bool cross_thread_pending = false;
    {
        std::lock_guard<std::mutex> lock(cross_thread_mutex_);
        cross_thread_pending = !cross_thread_tasks_.empty();
    }
    if (cross_thread_pending) {
        (void)loop_->cancel_task(pump_task_);
    }

    unique_function<void(channel &, std::error_code)> cb = std::move(on_shutdown_completed_);
    if (cb) {
        cb(*this, shutdown_error_);
    }
}

void channel::on_write_direction_task() {
    std::shared_ptr<channel> hold = std::move(write_direction_hold_);
    channel_slot *slot = write_direction_slot_;
    write_direction_slot_ = nullptr;
    if (slot != nullptr && slot->handler_ && state_ != channel_state::shut_down) {
        (void)slot->handler_->shutdown(*slot, channel_direction::write, write_direction_error_,
                                       write_direction_free_scarce_);
    }
}

std::error_code channel::slot_on_handler_shutdown_complete(channel_slot &slot,
                                                           channel_direction dir,
                                                           std::error_code error,
                                                           bool free_scarce) {
    AWSIO_LOGF_DEBUG(log_subject::channel, "id=%p: handler %p shutdown in %s dir completed",
                     static_cast<void *>(this), static_cast<void *>(slot.handler_.get()),
                     direction_name(dir));
    if (state_ == channel_state::shut_down) {
        return {};
    }
    bool &completed = dir == channel_direction::read ? slot.read_shutdown_completed_
                                                     : slot.write_shutdown_completed_;
    if (completed) {
        AWSIO_LOGF_WARN(log_subject::channel,
                        "id=%p: handler %p completed %s shutdown twice; ignoring the second",
                        static_cast<void *>(this), static_cast<void *>(slot.handler_.get()),
                        direction_name(dir));
        return {};
    }
    completed = true;

    if (dir == channel_direction::read) {
        channel_slot *right = slot.adj_right_;
        if (right != nullptr && right->handler_) {
            return right->handler_->shutdown(*right, channel_direction::read, error, free_scarce);
        }
        // The write pass starts from a fresh task so that no handler sees its memory change
        // under a call it is still inside of.
        write_direction_slot_ = &slot;
        write_direction_error_ = error;
        write_direction_free_scarce_ = free_scarce;
        schedule_internal(write_direction_task_, write_direction_hold_);
        return {};
    }

    channel_slot *left = slot.adj_left_;
    if (left != nullptr && left->handler_) {
        return left->handler_->shutdown(*left, channel_direction::write, error, free_scarce);
    }
    if (&slot == first_) {
        complete_shutdown(error);
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Slots

channel_slot &channel::new_slot() {
    slots_.push_back(std::unique_ptr<channel_slot>(new channel_slot(*this)));
    channel_slot &slot = *slots_.back();
    AWSIO_LOGF_TRACE(log_subject::channel, "id=%p: creating new slot %p", static_cast<void *>(this),
                     static_cast<void *>(&slot));
    if (first_ == nullptr) {
        first_ = &slot;
    }
    return slot;
}

void channel::destroy_slot(channel_slot &slot) {
    auto it = std::find_if(slots_.begin(), slots_.end(),
                           [&slot](const std::unique_ptr<channel_slot> &p) { return p.get() == &slot; });
    if (it == slots_.end()) {
        return;
    }
    // Move it out first so a handler destructor that looks at the channel sees a consistent list.
    std::unique_ptr<channel_slot> doomed = std::move(*it);
    slots_.erase(it);
    doomed.reset();
}

void channel::update_message_overheads() noexcept {
    std::size_t overhead = 0;
    for (channel_slot *s = first_; s != nullptr; s = s->adj_right_) {
        s->upstream_message_overhead_ = overhead;
        if (s->handler_) {
            overhead += s->handler_->message_overhead();
        }
    }
}

void channel::remove_slot(channel_slot &slot) {
    if (slot.adj_right_ != nullptr) {
        slot.adj_right_->adj_left_ = slot.adj_left_;
        if (&slot == first_) {
            first_ = slot.adj_right_;
        }
    }
    if (slot.adj_left_ != nullptr) {
        slot.adj_left_->adj_right_ = slot.adj_right_;
    }
    if (&slot == first_) {
        first_ = nullptr;
    }
    update_message_overheads();
    destroy_slot(slot);
}

std::error_code channel::insert_end(channel_slot &to_add) {
    if (first_ == nullptr || first_ == &to_add) {
        return common_errc::invalid_state;
    }
    channel_slot *last = first_;
    while (last->adj_right_ != nullptr) {
        last = last->adj_right_;
    }
    return last->insert_right(to_add);
}

channel_slot::~channel_slot() {
    // The handler goes first, while its slot still exists.
    handler_.reset();
}

std::error_code channel_slot::set_handler(std::unique_ptr<channel_handler> handler) {
    if (!handler) {
        return common_errc::invalid_argument;
    }
    if (handler_) {
        return common_errc::invalid_state;
    }
    handler_ = std::move(handler);
    handler_->slot_ = this;
    channel_->update_message_overheads();
    return increment_read_window(handler_->initial_window_size());
}

std::error_code channel_slot::remove() {
    channel_->remove_slot(*this); // destroys *this
    return {};
}

std::error_code channel_slot::replace(channel_slot &new_slot) {
    if (&new_slot == this) {
        return common_errc::invalid_argument;
    }
    channel &ch = *channel_;
    new_slot.adj_left_ = adj_left_;
    if (adj_left_ != nullptr) {
        adj_left_->adj_right_ = &new_slot;
    }
    new_slot.adj_right_ = adj_right_;
    if (adj_right_ != nullptr) {
        adj_right_->adj_left_ = &new_slot;
    }
    if (ch.first_ == this) {
        ch.first_ = &new_slot;
    }
    adj_left_ = nullptr;
    adj_right_ = nullptr;
    ch.update_message_overheads();
    ch.destroy_slot(*this); // destroys *this
    ch.maybe_schedule_window_update();
    return {};
}

std::error_code channel_slot::insert_right(channel_slot &to_add) {
    if (&to_add == this) {
        return common_errc::invalid_argument;
    }
    to_add.adj_right_ = adj_right_;
    if (adj_right_ != nullptr) {
        adj_right_->adj_left_ = &to_add;
    }
    adj_right_ = &to_add;
    to_add.adj_left_ = this;
    channel_->update_message_overheads();
    channel_->maybe_schedule_window_update();
    return {};
}

std::error_code channel_slot::insert_left(channel_slot &to_add) {
    if (&to_add == this) {
        return common_errc::invalid_argument;
    }
    to_add.adj_left_ = adj_left_;
    if (adj_left_ != nullptr) {
        adj_left_->adj_right_ = &to_add;
    }
    adj_left_ = &to_add;
    to_add.adj_right_ = this;
    if (channel_->first_ == this) {
        channel_->first_ = &to_add;
    }
    channel_->update_message_overheads();
    channel_->maybe_schedule_window_update();
    return {};
}

std::error_code channel_slot::send_message(message_ptr &&msg, channel_direction dir) {
    if (!msg) {
        return common_errc::invalid_argument;
    }
    const std::size_t len = msg->message_data.size();
    if (dir == channel_direction::read) {
        channel_slot *right = adj_right_;
        if (right == nullptr || !right->handler_) {
            return common_errc::invalid_state;
        }
        if (channel_->back_pressure_) {
            if (right->window_size_ < len) {
                AWSIO_LOGF_ERROR(log_subject::channel,
                                 "id=%p: read message of size %zu from slot %p would exceed the "
                                 "window (%zu) of slot %p; this is always a programming error",
                                 static_cast<void *>(channel_), len, static_cast<void *>(this),
                                 right->window_size_, static_cast<void *>(right));
                return io_errc::channel_read_would_exceed_window;
            }
            right->window_size_ -= len;
            // A debit may leave the scarcest window low enough to release a held-back batch.
            channel_->maybe_schedule_window_update();
        }
        detail::trace(trace_kind::channel_read, "channel_read", channel_, len);
        return right->handler_->process_read_message(*right, std::move(msg));
    }
    channel_slot *left = adj_left_;
    if (left == nullptr || !left->handler_) {
        return common_errc::invalid_state;
    }
    detail::trace(trace_kind::channel_write, "channel_write", channel_, len);
    return left->handler_->process_write_message(*left, std::move(msg));
}

message_ptr channel_slot::acquire_max_message_for_write() {
    const std::size_t max = channel_max_fragment_size();
    std::size_t hint = 0;
    if (upstream_message_overhead_ < max) {
        hint = max - upstream_message_overhead_;
    } else {
        AWSIO_LOGF_ERROR(log_subject::channel,
                         "id=%p: upstream overhead %zu leaves no room in a %zu-byte message",
                         static_cast<void *>(channel_), upstream_message_overhead_, max);
    }
    return channel_->acquire_message_from_pool(io_message_type::application_data, hint);
}

std::error_code channel_slot::increment_read_window(std::size_t window) {
    channel_->slot_increment_read_window(*this, window);
    return {};
}

std::error_code channel_slot::on_handler_shutdown_complete(channel_direction dir,
                                                           std::error_code error,
                                                           bool free_scarce_resources_immediately) {
    return channel_->slot_on_handler_shutdown_complete(*this, dir, error,
                                                       free_scarce_resources_immediately);
}

std::error_code channel_slot::shutdown(channel_direction dir, std::error_code error,
                                       bool free_scarce_resources_immediately) {
    if (!handler_) {
        return common_errc::invalid_state;
    }
    AWSIO_LOGF_TRACE(log_subject::channel,
                     "id=%p: shutting down slot %p, with handler %p in %s direction with error %d",
                     static_cast<void *>(channel_), static_cast<void *>(this),
                     static_cast<void *>(handler_.get()), direction_name(dir), error.value());
    return handler_->shutdown(*this, dir, error, free_scarce_resources_immediately);
}

std::size_t channel_slot::downstream_read_window() const noexcept {
    if (!channel_->back_pressure_) {
        return std::numeric_limits<std::size_t>::max();
    }
    return adj_right_ != nullptr ? adj_right_->window_size_ : 0;
}

// ---------------------------------------------------------------------------------------------
// Window updates

void channel::slot_increment_read_window(channel_slot &slot, std::size_t window) {
    if (!back_pressure_ || state_ == channel_state::shut_down) {
        return;
    }
    slot.window_update_batch_ = add_saturating(slot.window_update_batch_, window);
    maybe_schedule_window_update();
}

bool channel::needs_window_update() const noexcept {
    if (first_ == nullptr) {
        return false;
    }
    // The left-most slot's window is never consumed (nothing sends into it), so only the
    // slots to its right count.
    bool has_batch = false;
    std::size_t min_window = std::numeric_limits<std::size_t>::max();
    for (const channel_slot *s = first_->adj_right_; s != nullptr; s = s->adj_right_) {
        has_batch = has_batch || s->window_update_batch_ != 0;
        min_window = std::min(min_window, s->window_size_);
    }
    // Gate on the scarcest window: one roomy slot must not hold back a grant that a starving
    // slot elsewhere in the pipeline is waiting for.
    return has_batch && min_window <= window_update_threshold_;
}

void channel::maybe_schedule_window_update() {
    if (!back_pressure_ || window_update_scheduled_ || state_ == channel_state::shut_down ||
        !needs_window_update()) {
        return;
    }
    window_update_scheduled_ = true;
    schedule_task_now(window_update_task_);
}

void channel::on_window_update_task(task_status status) {
    window_update_scheduled_ = false;
    if (status != task_status::run_ready || state_ == channel_state::shut_down || first_ == nullptr) {
        return;
    }
    channel_slot *slot = first_;
    while (slot->adj_right_ != nullptr) {
        slot = slot->adj_right_;
    }
    // Right to left, so each handler sees its downstream grant before passing its own on.
    for (; slot->adj_left_ != nullptr; slot = slot->adj_left_) {
        channel_slot *upstream = slot->adj_left_;
        if (!upstream->handler_) {
            continue;
        }
        const std::size_t update = slot->window_update_batch_;
        slot->window_update_batch_ = 0;
        slot->window_size_ = add_saturating(slot->window_size_, update);
        if (update == 0) {
            continue;
        }
        if (std::error_code ec = upstream->handler_->increment_read_window(*upstream, update)) {
            AWSIO_LOGF_ERROR(log_subject::channel, "id=%p: window update failed with error %d (%s)",
                             static_cast<void *>(this), ec.value(), ec.message().c_str());
            (void)shutdown(ec);
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Statistics, trigger_read

void channel::reset_statistics() {
    for (channel_slot *s = first_; s != nullptr; s = s->adj_right_) {
        if (s->handler_) {
            s->handler_->reset_statistics();
        }
    }
}

void channel::on_statistics_task(task_status status) {
    if (status != task_status::run_ready || !stats_handler_) {
        return;
    }
    if (state_ == channel_state::shutting_down || state_ == channel_state::shut_down) {
        return;
    }
    const std::uint64_t now_ns = current_clock_time();
    const std::uint64_t now_ms = now_ns / ns_per_ms;

    stats_list_.clear();
    for (channel_slot *s = first_; s != nullptr; s = s->adj_right_) {
        if (s->handler_) {
            s->handler_->gather_statistics(stats_list_);
        }
    }
    const statistics_sample_interval interval{stats_interval_start_ms_, now_ms};
    stats_handler_->process_statistics(interval, stats_list_, *this);
    reset_statistics();

    if (stats_handler_) {
        loop_->schedule_task_future(stats_task_,
                                    now_ns + stats_handler_->report_interval_ms() * ns_per_ms);
    }
    stats_interval_start_ms_ = now_ms;
}

std::error_code channel::set_statistics_handler(std::unique_ptr<statistics_handler> handler) {
    if (!loop_->is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    if (stats_task_.is_scheduled()) {
        (void)loop_->cancel_task(stats_task_);
    }
    stats_handler_ = std::move(handler);
    if (stats_handler_) {
        const std::uint64_t now_ns = current_clock_time();
        stats_interval_start_ms_ = now_ns / ns_per_ms;
        reset_statistics();
        loop_->schedule_task_future(stats_task_,
                                    now_ns + stats_handler_->report_interval_ms() * ns_per_ms);
    }
    return {};
}

std::error_code channel::trigger_read() {
    if (!loop_->is_on_callers_thread() || first_ == nullptr || !first_->handler_) {
        return common_errc::invalid_state;
    }
    first_->handler_->trigger_read();
    return {};
}

} // namespace awsio
