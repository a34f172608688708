// awsio/tracing.hpp — optional tracing hooks. Mirrors aws-c-io's private/tracing.h, which
// marks event-loop iterations, task runs and IO events for a profiler.
//
// A tracer installed with set_tracer() receives a span begin/end pair for each event-loop tick,
// each batch of IO events, each task run (named by its type tag) and instant events for channel
// reads and writes. With no tracer installed a hook costs one relaxed atomic load and a branch.
// Hooks run on the thread doing the work (usually an event-loop thread); tracers must be
// thread-safe and must not call back into awsio.
#pragma once

#include <awsio/export.hpp>

#include <atomic>
#include <cstdint>
#include <memory>

namespace awsio {

/// What a trace record marks.
enum class trace_kind : std::uint8_t {
    loop_tick_begin,   ///< an event-loop iteration starts (after the wait)
    loop_tick_end,     ///< it ends (before the next wait)
    io_events_begin,   ///< dispatch of value IO events starts
    io_events_end,
    task_run_begin,    ///< a task runs; name = its type tag, value = 1 when canceled
    task_run_end,
    channel_read,      ///< a message of value bytes moved along a channel in the read direction
    channel_write,     ///< ... in the write direction
};

/// One trace record. name is a static string; object identifies the loop / channel / task.
struct trace_record {
    trace_kind kind;
    const char *name;
    const void *object;
    std::uint64_t value;
};

/// Receives trace records.
class AWSIO_API tracer {
public:
    virtual ~tracer();
    virtual void on_trace(const trace_record &record) noexcept = 0;
};

/// Installs the process-wide tracer (nullptr uninstalls). Any thread. A record being delivered
/// while the tracer is replaced still reaches the old tracer, which stays alive until then.
AWSIO_API void set_tracer(std::shared_ptr<tracer> t);
/// The installed tracer, or nullptr.
AWSIO_API std::shared_ptr<tracer> get_tracer();

namespace detail {
AWSIO_API extern std::atomic<bool> tracer_installed;
AWSIO_API void emit_trace(trace_kind kind, const char *name, const void *object,
                          std::uint64_t value) noexcept;
inline void trace(trace_kind kind, const char *name, const void *object,
                  std::uint64_t value = 0) noexcept {
    if (tracer_installed.load(std::memory_order_relaxed)) {
        emit_trace(kind, name, object, value);
    }
}
} // namespace detail

} // namespace awsio
