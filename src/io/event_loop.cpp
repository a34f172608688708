// event_loop.cpp — what every event loop backend shares: clock, local objects, the load factor
// that event_loop_group balances on, heap-allocated convenience tasks, and the type factory.
#include <awsio/event_loop.hpp>
#include <awsio/logging.hpp>

#include "platform/linux/epoll_event_loop.hpp"

#include <algorithm>
#include <limits>

namespace awsio {

namespace {

constexpr std::uint64_t ns_per_s = 1000000000ULL;
// A loop that published nothing for this long is treated as idle: a loop that was busy and then
// went quiet stops ticking, so its last published figure would otherwise stick forever.
constexpr std::uint64_t load_factor_stale_s = 10;

// A task that owns itself: it frees its storage before calling the user function, so the
// function may do anything, including destroying objects that scheduled it.
struct heap_task {
    task t;
    task::function_type fn;
};

task &make_heap_task(task::function_type fn, const char *type_tag) {
    auto *h = new heap_task;
    h->fn = std::move(fn);
    h->t.set_function(
        [h](task_status status) {
            task::function_type user_fn = std::move(h->fn);
            delete h; // nothing below touches h (or this lambda's captures) again
            if (user_fn) {
                user_fn(status);
            }
        },
        type_tag);
    return h->t;
}

} // namespace

event_loop_type default_event_loop_type() noexcept { return event_loop_type::epoll; }

bool is_event_loop_type_supported(event_loop_type type) noexcept {
    return type == event_loop_type::platform_default || type == event_loop_type::epoll;
}

event_loop::event_loop(const event_loop_options &options)
    : clock_(options.clock ? options.clock : clock_fn(&high_res_clock_ns)),
      type_(options.type == event_loop_type::platform_default ? default_event_loop_type()
                                                              : options.type),
      group_(options.parent_group) {}

event_loop::~event_loop() {
    // Backends clear local objects themselves once pending tasks have run; this only catches
    // a backend that did not.
    clear_local_objects();
}

result<std::unique_ptr<event_loop>> event_loop::create(const event_loop_options &options) {
    switch (options.type) {
    case event_loop_type::platform_default:
    case event_loop_type::epoll: {
        event_loop_options resolved = options;
        resolved.type = event_loop_type::epoll;
        return detail::new_epoll_event_loop(resolved);
    }
    case event_loop_type::iocp:
    case event_loop_type::kqueue:
    case event_loop_type::dispatch_queue:
        break;
    }
    AWSIO_LOGF_ERROR(log_subject::event_loop, "event loop type %d is not supported on this platform",
                     static_cast<int>(options.type));
    return common_errc::platform_not_supported;
}

result<std::unique_ptr<event_loop>> event_loop::create_default() {
    return create(event_loop_options{});
}

std::uint64_t event_loop::current_clock_time() const { return clock_(); }

void event_loop::schedule_now(task::function_type fn, const char *type_tag) {
    schedule_task_now(make_heap_task(std::move(fn), type_tag));
}

void event_loop::schedule_future(task::function_type fn, std::uint64_t run_at_ns,
                                 const char *type_tag) {
    schedule_task_future(make_heap_task(std::move(fn), type_tag), run_at_ns);
}

// ---------------------------------------------------------------------------------------------
// Local objects. A handful per loop at most, so a vector beats a hash table.

result<void *> event_loop::fetch_local_object(const void *key) {
    if (!is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    for (const local_object &o : local_objects_) {
        if (o.key == key) {
            return o.object;
        }
    }
    return common_errc::hashtbl_item_not_found;
}

std::error_code event_loop::put_local_object(const void *key, void *object,
                                             unique_function<void(void *)> on_removed) {
    if (!is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    for (local_object &o : local_objects_) {
        if (o.key == key) {
            // Replacing counts as removing the old object: its owner gets it back.
            void *old_object = o.object;
            unique_function<void(void *)> old_removed = std::move(o.on_removed);
            o.object = object;
            o.on_removed = std::move(on_removed);
            if (old_removed) {
                old_removed(old_object);
            }
            return {};
        }
    }
    local_objects_.push_back(local_object{key, object, std::move(on_removed)});
    return {};
}

std::error_code event_loop::remove_local_object(const void *key) {
    if (!is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    auto it = std::find_if(local_objects_.begin(), local_objects_.end(),
                           [key](const local_object &o) { return o.key == key; });
    if (it == local_objects_.end()) {
        return common_errc::hashtbl_item_not_found;
    }
    local_object removed = std::move(*it);
    local_objects_.erase(it);
    // Called after the entry is gone so the callback may put a new object under the same key.
    if (removed.on_removed) {
        removed.on_removed(removed.object);
    }
    return {};
}

void event_loop::clear_local_objects() {
    // Callbacks may touch the table (remove or put); take entries out one at a time.
    while (!local_objects_.empty()) {
        local_object removed = std::move(local_objects_.back());
        local_objects_.pop_back();
        if (removed.on_removed) {
            removed.on_removed(removed.object);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Load factor. Measured with the real monotonic clock (never the override): it reports how busy
// the thread actually is. Only the loop thread writes the accumulator; readers see the figure
// published once per second through an atomic.

void event_loop::register_tick_start() { tick_start_ns_ = high_res_clock_ns(); }

void event_loop::register_tick_end() {
    const std::uint64_t end_ns = high_res_clock_ns();
    const std::uint64_t elapsed = end_ns >= tick_start_ns_ ? end_ns - tick_start_ns_ : 0;
    current_tick_sum_ns_ = (std::numeric_limits<std::uint64_t>::max() - current_tick_sum_ns_ < elapsed)
                               ? std::numeric_limits<std::uint64_t>::max()
                               : current_tick_sum_ns_ + elapsed;
    tick_start_ns_ = 0;

    const std::uint64_t end_s = end_ns / ns_per_s;
    // next_flush_s_ holds the second after which the next publish is due.
    if (end_s > next_flush_s_) {
        const std::uint64_t published =
            std::min<std::uint64_t>(current_tick_sum_ns_, std::numeric_limits<std::size_t>::max());
        published_load_.store(static_cast<std::size_t>(published), std::memory_order_relaxed);
        last_publish_s_.store(end_s, std::memory_order_release);
        current_tick_sum_ns_ = 0;
        next_flush_s_ = end_s + 1;
    }
}

std::size_t event_loop::load_factor() const noexcept {
    const std::uint64_t now_s = high_res_clock_ns() / ns_per_s;
    const std::uint64_t last_s = last_publish_s_.load(std::memory_order_acquire);
    // The next publish was due at last_s + 1; more than 10 s past that means the loop is idle.
    if (now_s > last_s + 1 + load_factor_stale_s) {
        return 0;
    }
    return published_load_.load(std::memory_order_relaxed);
}

} // namespace awsio
