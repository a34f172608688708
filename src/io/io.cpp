// Library init/clean-up (nestable), the monotonic clock and managed threads.
#include <awsio/io.hpp>
#include <awsio/logging.hpp>

#include <atomic>
#include <ctime>
#include <memory>
#include <list>
#include <mutex>
#include <pthread.h>
#include <thread>

namespace awsio {
namespace {

std::mutex init_mutex;
int init_count = 0;
bool installed_env_logger = false;

struct managed_thread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
};

struct managed_threads {
    std::mutex mutex;
    std::list<managed_thread> threads;
    // At exit, threads nobody joined (no io_library_clean_up) are joined here rather than left
    // joinable, which would terminate the process.
    ~managed_threads() {
        for (managed_thread &t : threads) {
            if (t.thread.joinable()) {
                t.thread.join();
            }
        }
    }
    // Joins threads whose function has returned (an immediate join), so a long-running process
    // that keeps spawning managed threads does not accumulate finished ones. Lock held.
    void reap_finished() {
        for (auto it = threads.begin(); it != threads.end();) {
            if (it->finished->load(std::memory_order_acquire) &&
                it->thread.get_id() != std::this_thread::get_id()) {
                it->thread.join();
                it = threads.erase(it);
            } else {
                ++it;
            }
        }
    }
};

managed_threads &managed() {
    static managed_threads m;
    return m;
}

} // namespace

void io_library_init() {
    std::lock_guard<std::mutex> lock(init_mutex);
    if (init_count++ > 0) {
        return;
    }
    if (!get_logger()) {
        if (auto level = log_level_from_env(); level && *level != log_level::none) {
            set_logger(std::make_shared<stream_logger>(*level, stderr));
            installed_env_logger = true;
        }
    }
    AWSIO_LOGF_DEBUG(log_subject::io_general, "awsio library initialised");
}

void io_library_clean_up() {
    {
        std::lock_guard<std::mutex> lock(init_mutex);
        if (init_count == 0) {
            return;
        }
        if (--init_count > 0) {
            return;
        }
    }
    join_all_managed_threads();
    std::lock_guard<std::mutex> lock(init_mutex);
    if (init_count == 0 && installed_env_logger) {
        set_logger(nullptr);
        installed_env_logger = false;
    }
}

bool io_library_initialized() noexcept {
    std::lock_guard<std::mutex> lock(init_mutex);
    return init_count > 0;
}

std::uint64_t high_res_clock_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

void spawn_managed_thread(unique_function<void()> fn, const char *name) {
    managed_threads &m = managed();
    std::lock_guard<std::mutex> lock(m.mutex);
    m.reap_finished();
    auto finished = std::make_shared<std::atomic<bool>>(false);
    std::thread t([fn = std::move(fn), name, finished]() mutable {
        detail::set_current_thread_name(name);
        fn();
        fn = nullptr; // release captures before reporting completion
        finished->store(true, std::memory_order_release);
    });
    m.threads.push_back(managed_thread{std::move(t), std::move(finished)});
}

void join_all_managed_threads() {
    managed_threads &m = managed();
    for (;;) {
        std::list<managed_thread> to_join;
        {
            std::unique_lock<std::mutex> lock(m.mutex);
            if (m.threads.empty()) {
                return;
            }
            to_join.swap(m.threads);
        }
        for (managed_thread &t : to_join) {
            if (t.thread.get_id() == std::this_thread::get_id()) {
                t.thread.detach(); // a managed thread cannot join itself
            } else if (t.thread.joinable()) {
                t.thread.join();
            }
        }
    }
}

namespace detail {
std::size_t managed_thread_count() {
    managed_threads &m = managed();
    std::lock_guard<std::mutex> lock(m.mutex);
    return m.threads.size();
}

void set_current_thread_name(const char *name) noexcept {
    if (name == nullptr) {
        return;
    }
    char buf[16];
    std::size_t i = 0;
    for (; name[i] != '\0' && i < sizeof(buf) - 1; ++i) {
        buf[i] = name[i];
    }
    buf[i] = '\0';
    pthread_setname_np(pthread_self(), buf);
}
} // namespace detail

} // namespace awsio
