// awsio/io.hpp — library initialisation, the monotonic clock and the io_handle / io_message
// basics. Mirrors aws-c-io's io.h.
#pragma once

#include <awsio/error.hpp>
#include <awsio/export.hpp>
#include <awsio/unique_function.hpp>

#include <cstdint>
#include <functional>

namespace awsio {

/// Initialises awsio: installs a stderr logger when AWSIO_LOG_LEVEL is set and none is
/// installed. Idempotent and nestable: every call must be paired with io_library_clean_up(),
/// and only the last clean-up tears down (joins managed threads). Any thread.
AWSIO_API void io_library_init();
/// Undoes one io_library_init(). The last one joins every managed thread (for example the
/// threads that finish an event_loop_group's asynchronous shutdown). Never call it from a
/// managed thread or an event-loop thread.
AWSIO_API void io_library_clean_up();
/// True between the first init and the last clean-up.
AWSIO_API bool io_library_initialized() noexcept;

/// RAII guard for io_library_init / io_library_clean_up.
class io_library {
public:
    io_library() { io_library_init(); }
    ~io_library() { io_library_clean_up(); }
    io_library(const io_library &) = delete;
    io_library &operator=(const io_library &) = delete;
};

/// Monotonic clock in nanoseconds (CLOCK_MONOTONIC). Any thread.
AWSIO_API std::uint64_t high_res_clock_ns() noexcept;

/// A clock source. Event loops and the things built on them take one so tests can drive time.
using clock_fn = std::function<std::uint64_t()>;

/// An OS handle registered with an event loop. additional_data belongs to the loop that the
/// handle is subscribed to (it keeps its subscription record there).
struct io_handle {
    int fd = -1;
    void *additional_data = nullptr;
};

/// Starts a thread that io_library_clean_up() (or join_all_managed_threads()) joins. Used for
/// work that must finish after its owner is gone, like an event_loop_group's shutdown.
AWSIO_API void spawn_managed_thread(unique_function<void()> fn, const char *name);
/// Joins every managed thread started so far (and any they start). Returns once none runs.
AWSIO_API void join_all_managed_threads();

namespace detail {
/// Managed threads not yet joined (finished ones are reaped when the next one is spawned).
AWSIO_API std::size_t managed_thread_count();
/// Names the calling thread (truncated to 15 characters, the Linux limit).
AWSIO_API void set_current_thread_name(const char *name) noexcept;
} // namespace detail

} // namespace awsio
