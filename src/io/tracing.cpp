// Process-wide tracer slot behind the tracing hooks.
#include <awsio/tracing.hpp>

#include <mutex>

namespace awsio {
namespace {

std::mutex &tracer_mutex() {
    static std::mutex m;
    return m;
}

std::shared_ptr<tracer> &tracer_slot() {
    static std::shared_ptr<tracer> slot;
    return slot;
}

} // namespace

namespace detail {
std::atomic<bool> tracer_installed{false};

void emit_trace(trace_kind kind, const char *name, const void *object, std::uint64_t value) noexcept {
    std::shared_ptr<tracer> t = get_tracer();
    if (t) {
        t->on_trace(trace_record{kind, name, object, value});
    }
}
} // namespace detail

tracer::~tracer() = default;

void set_tracer(std::shared_ptr<tracer> t) {
    std::lock_guard<std::mutex> lock(tracer_mutex());
    detail::tracer_installed.store(t != nullptr, std::memory_order_relaxed);
    tracer_slot() = std::move(t);
}

std::shared_ptr<tracer> get_tracer() {
    std::lock_guard<std::mutex> lock(tracer_mutex());
    return tracer_slot();
}

} // namespace awsio
