// event_loop_group.cpp — N running event loops behind one shared handle: creation (optionally
// pinned to a NUMA node's CPUs), best-of-two load balancing, and asynchronous shutdown on a
// managed thread once the last reference is gone.
#include <awsio/event_loop.hpp>
#include <awsio/logging.hpp>

#include <charconv>
#include <fstream>
#include <random>
#include <string>
#include <thread>

namespace awsio {

namespace {

// Thread names are limited to 15 characters on Linux; past that use the bare prefix.
std::string loop_thread_name(std::size_t index) {
    std::string name = "AwsEventLoop " + std::to_string(index + 1);
    if (name.size() > 15) {
        name = "AwsEventLoop";
    }
    return name;
}

// Parses a sysfs cpulist such as "0-3,8,10-11". Malformed input yields what parsed so far.
std::vector<int> parse_cpu_list(const std::string &text) {
    std::vector<int> cpus;
    const char *p = text.data();
    const char *end = p + text.size();
    while (p < end) {
        int first = 0;
        auto r = std::from_chars(p, end, first);
        if (r.ec != std::errc() || first < 0) {
            break;
        }
        p = r.ptr;
        int last = first;
        if (p < end && *p == '-') {
            r = std::from_chars(p + 1, end, last);
            if (r.ec != std::errc() || last < first) {
                break;
            }
            p = r.ptr;
        }
        // A node never has anywhere near this many CPUs; the cap keeps bad input cheap.
        for (int c = first; c <= last && cpus.size() < 4096; ++c) {
            cpus.push_back(c);
        }
        if (p < end && *p == ',') {
            ++p;
        } else {
            break;
        }
    }
    return cpus;
}

// The CPUs of NUMA node `node`, or nothing when the node does not exist here.
std::vector<int> cpus_of_numa_node(std::uint16_t node) {
    std::ifstream in("/sys/devices/system/node/node" + std::to_string(node) + "/cpulist");
    std::string line;
    if (!in || !std::getline(in, line)) {
        return {};
    }
    return parse_cpu_list(line);
}

std::uint32_t random_u32() {
    // Seeded once per thread from the OS entropy source; balancing does not need more.
    thread_local std::minstd_rand engine = [] {
        std::uint32_t seed = 0;
        try {
            std::random_device rd;
            seed = rd();
        } catch (...) {
            seed = static_cast<std::uint32_t>(high_res_clock_ns());
        }
        return std::minstd_rand(seed == 0 ? 1U : seed);
    }();
    // minstd_rand yields 31 bits; combine two draws for 32.
    const auto hi = static_cast<std::uint32_t>(engine());
    const auto lo = static_cast<std::uint32_t>(engine());
    return (hi << 16) ^ lo;
}

} // namespace

result<std::shared_ptr<event_loop_group>> event_loop_group::create(event_loop_group_options options) {
    if (!is_event_loop_type_supported(options.type)) {
        AWSIO_LOGF_ERROR(log_subject::event_loop, "event loop group: type %d not supported",
                         static_cast<int>(options.type));
        return common_errc::platform_not_supported;
    }

    std::vector<int> cpus;
    if (options.cpu_group) {
        cpus = cpus_of_numa_node(*options.cpu_group);
        if (cpus.empty()) {
            AWSIO_LOGF_WARN(log_subject::event_loop,
                            "event loop group: NUMA node %u not found, loops will not be pinned",
                            static_cast<unsigned>(*options.cpu_group));
        }
    }

    std::size_t count = options.loop_count;
    if (count == 0) {
        count = !cpus.empty() ? cpus.size() : std::thread::hardware_concurrency();
        if (count == 0) {
            count = 1;
        }
    }

    std::unique_ptr<event_loop_group> group(new event_loop_group());
    group->type_ = options.type == event_loop_type::platform_default ? default_event_loop_type()
                                                                     : options.type;
    group->loops_.reserve(count);

    auto fail = [&group](std::error_code ec) -> result<std::shared_ptr<event_loop_group>> {
        // Nothing was handed out yet: tear down synchronously, without the shutdown callback.
        group.reset();
        return unexpected(ec);
    };

    for (std::size_t i = 0; i < count; ++i) {
        const std::string name = loop_thread_name(i);
        event_loop_options lo;
        lo.type = options.type;
        lo.clock = options.clock_override;
        lo.parent_group = group.get();
        lo.thread_name = name.c_str();
        if (!cpus.empty()) {
            lo.cpu_id = cpus[i % cpus.size()];
        }
        auto loop = event_loop::create(lo);
        if (!loop) {
            return fail(loop.error());
        }
        group->loops_.push_back(std::move(*loop));
        if (std::error_code ec = group->loops_.back()->run()) {
            return fail(ec);
        }
    }

    group->on_shutdown_complete_ = std::move(options.on_shutdown_complete);
    AWSIO_LOGF_INFO(log_subject::event_loop, "id=%p: event loop group created with %zu loops",
                    static_cast<void *>(group.get()), group->loops_.size());

    // The last reference may be dropped on one of the group's own loop threads, which cannot
    // join itself; so destruction always happens on a separate managed thread.
    return std::shared_ptr<event_loop_group>(group.release(), [](event_loop_group *g) {
        spawn_managed_thread(
            [g] {
                unique_function<void()> done = std::move(g->on_shutdown_complete_);
                delete g;
                if (done) {
                    done();
                }
            },
            "EvntLoopCleanup");
    });
}

event_loop_group::~event_loop_group() {
    AWSIO_LOGF_DEBUG(log_subject::event_loop, "id=%p: destroying event loop group",
                     static_cast<void *>(this));
    // Ask every loop to stop first so they wind down in parallel, then destroy back to front.
    for (auto &loop : loops_) {
        (void)loop->stop();
    }
    while (!loops_.empty()) {
        loops_.pop_back();
    }
}

event_loop *event_loop_group::get_next_loop() noexcept {
    const std::size_t n = loops_.size();
    if (n == 0) {
        return nullptr;
    }
    // One random draw feeds both picks: low 16 bits choose A, high 16 bits choose B; the less
    // loaded of the two wins (ties go to B).
    const std::uint32_t r = random_u32();
    const std::size_t a = static_cast<std::uint16_t>(r) % n;
    const std::size_t b = static_cast<std::uint16_t>(r >> 16) % n;
    event_loop *loop_a = loops_[a].get();
    event_loop *loop_b = loops_[b].get();
    return loop_a->load_factor() < loop_b->load_factor() ? loop_a : loop_b;
}

event_loop *event_loop_group::get_loop_at(std::size_t index) const noexcept {
    return index < loops_.size() ? loops_[index].get() : nullptr;
}

bool event_loop_group::contains(const event_loop *loop) const noexcept {
    if (loop == nullptr) {
        return false;
    }
    for (const auto &l : loops_) {
        if (l.get() == loop) {
            return true;
        }
    }
    return false;
}

} // namespace awsio
