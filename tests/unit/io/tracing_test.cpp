// Tracing hooks: an installed tracer sees loop ticks, IO-event batches and task runs; the loop
// behaves the same with and without it; with none installed nothing is recorded.
#include <awsio/event_loop.hpp>
#include <awsio/io.hpp>
#include <awsio/tracing.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

using namespace awsio;

namespace {

class recording_tracer final : public tracer {
public:
    void on_trace(const trace_record &r) noexcept override {
        std::lock_guard<std::mutex> lock(mutex);
        records.push_back(r);
    }
    std::vector<trace_record> snapshot() {
        std::lock_guard<std::mutex> lock(mutex);
        return records;
    }
    std::mutex mutex;
    std::vector<trace_record> records;
};

// Runs a fixed workload: 3 tasks (one future), one pipe read event. Returns the order in which
// the tasks ran and the bytes read.
std::vector<int> run_workload(std::string &read_out) {
    auto loop_r = event_loop::create_default();
    EXPECT_TRUE(loop_r);
    auto &loop = *loop_r;
    EXPECT_FALSE(loop->run());
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    io_handle read_handle{fds[0], nullptr};
    std::mutex m;
    std::condition_variable cv;
    std::vector<int> order;
    bool got_data = false;
    EXPECT_FALSE(loop->subscribe_to_io_events(read_handle, io_event_readable,
                                              [&](event_loop &, io_handle &h, int events) {
                                                  if ((events & io_event_readable) == 0) {
                                                      return;
                                                  }
                                                  char buf[16] = {};
                                                  const ssize_t n = ::read(h.fd, buf, sizeof(buf));
                                                  std::lock_guard<std::mutex> lock(m);
                                                  if (n > 0) {
                                                      read_out.assign(buf, static_cast<std::size_t>(n));
                                                      got_data = true;
                                                      cv.notify_all();
                                                  }
                                              }));
    task t1([&](task_status) { std::lock_guard<std::mutex> l(m); order.push_back(1); }, "trace_test_one");
    task t2([&](task_status) { std::lock_guard<std::mutex> l(m); order.push_back(2); }, "trace_test_two");
    task t3(
        [&](task_status) {
            std::lock_guard<std::mutex> l(m);
            order.push_back(3);
            cv.notify_all();
        },
        "trace_test_three");
    loop->schedule_task_future(t3, loop->current_clock_time() + 5'000'000);
    loop->schedule_task_now(t1);
    loop->schedule_task_now(t2);
    EXPECT_EQ(::write(fds[1], "hello", 5), 5);
    {
        std::unique_lock<std::mutex> lock(m);
        EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return got_data && order.size() == 3; }));
    }
    task unsub([&](task_status) { EXPECT_FALSE(loop->unsubscribe_from_io_events(read_handle)); }, "unsub");
    loop->schedule_task_now(unsub);
    loop->stop();
    loop->wait_for_stop_completion();
    loop.reset();
    ::close(fds[0]);
    ::close(fds[1]);
    return order;
}

} // namespace

TEST(tracing, installed_tracer_sees_ticks_events_and_tasks) {
    io_library lib;
    auto rec = std::make_shared<recording_tracer>();
    set_tracer(rec);
    std::string data;
    const std::vector<int> order = run_workload(data);
    set_tracer(nullptr);
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(data, "hello");

    const auto records = rec->snapshot();
    int tick_begin = 0, tick_end = 0, events_begin = 0, events_end = 0;
    bool saw_one = false, saw_two = false, saw_three = false, saw_io = false;
    int open_tasks = 0;
    for (const trace_record &r : records) {
        switch (r.kind) {
        case trace_kind::loop_tick_begin: ++tick_begin; break;
        case trace_kind::loop_tick_end: ++tick_end; break;
        case trace_kind::io_events_begin:
            ++events_begin;
            saw_io = saw_io || r.value > 0;
            break;
        case trace_kind::io_events_end: ++events_end; break;
        case trace_kind::task_run_begin:
            ++open_tasks;
            saw_one = saw_one || std::strcmp(r.name, "trace_test_one") == 0;
            saw_two = saw_two || std::strcmp(r.name, "trace_test_two") == 0;
            saw_three = saw_three || std::strcmp(r.name, "trace_test_three") == 0;
            if (std::strncmp(r.name, "trace_test_", 11) == 0) {
                EXPECT_EQ(r.value, 0u) << r.name; // run_ready, not canceled
            }
            break;
        case trace_kind::task_run_end: --open_tasks; EXPECT_EQ(open_tasks, 0); break;
        default: break;
        }
    }
    EXPECT_GT(tick_begin, 0);
    EXPECT_EQ(tick_begin, tick_end);
    EXPECT_EQ(events_begin, events_end);
    EXPECT_TRUE(saw_io);
    EXPECT_TRUE(saw_one && saw_two && saw_three);
}

TEST(tracing, behaviour_is_the_same_without_a_tracer_and_nothing_is_recorded) {
    io_library lib;
    auto rec = std::make_shared<recording_tracer>();
    set_tracer(rec);
    set_tracer(nullptr); // installed then removed: receives nothing more
    EXPECT_EQ(get_tracer(), nullptr);
    std::string data;
    EXPECT_EQ(run_workload(data), (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(data, "hello");
    EXPECT_TRUE(rec->snapshot().empty());
}

TEST(tracing, canceled_task_runs_are_marked) {
    io_library lib;
    auto rec = std::make_shared<recording_tracer>();
    task t([](task_status) {}, "trace_canceled_task");
    {
        auto loop = event_loop::create_default();
        ASSERT_TRUE(loop);
        // never run: the task stays pending and is canceled when the loop is destroyed
        (*loop)->schedule_task_future(t, (*loop)->current_clock_time() + 3'600'000'000'000ULL);
        set_tracer(rec);
    }
    set_tracer(nullptr);
    bool canceled_seen = false;
    for (const trace_record &r : rec->snapshot()) {
        if (r.kind == trace_kind::task_run_begin && std::strcmp(r.name, "trace_canceled_task") == 0) {
            canceled_seen = r.value == 1;
        }
    }
    EXPECT_TRUE(canceled_seen);
}
