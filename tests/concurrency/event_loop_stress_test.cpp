// Concurrency stress for the event loop (run under ThreadSanitizer too): cross-thread scheduling
// of every kind, cancellation churn, subscription churn on pipes and event-loop-group churn.
// Counts are bounded so each case takes a few seconds at most even under TSan.
#include <awsio/event_loop.hpp>
#include <awsio/io.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace awsio;
using namespace std::chrono_literals;

namespace {

struct waiter {
    std::mutex mutex;
    std::condition_variable cv;
    template <typename Pred>
    bool wait(Pred pred) {
        std::unique_lock<std::mutex> lock(mutex);
        return cv.wait_for(lock, 60s, pred);
    }
    void notify() {
        std::lock_guard<std::mutex> lock(mutex);
        cv.notify_all();
    }
};

std::unique_ptr<event_loop> make_running_loop() {
    auto loop = event_loop::create_default();
    EXPECT_TRUE(loop.has_value());
    if (!loop) {
        return nullptr;
    }
    EXPECT_FALSE((*loop)->run());
    return std::move(*loop);
}

void run_on_loop(event_loop &loop, std::function<void()> fn) {
    auto w = std::make_shared<waiter>();
    auto done = std::make_shared<std::atomic<bool>>(false);
    loop.schedule_now([w, done, fn = std::move(fn)](task_status) {
        fn();
        done->store(true);
        w->notify();
    });
    ASSERT_TRUE(w->wait([&] { return done->load(); }));
}

// A task that counts its runs and checks it runs on the loop thread.
struct counted_task {
    task t;
    std::atomic<int> runs{0};
    std::atomic<int> canceled{0};
};

} // namespace

TEST(event_loop_stress, concurrent_scheduling_runs_every_task_once_on_loop_thread) {
    io_library lib;
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);

    constexpr int threads = 4;
    constexpr int per_thread = 2500;
    std::vector<std::unique_ptr<counted_task>> tasks;
    tasks.reserve(threads * per_thread);
    std::atomic<int> total{0};
    std::atomic<int> off_thread{0};
    waiter w;
    for (int i = 0; i < threads * per_thread; ++i) {
        auto ct = std::make_unique<counted_task>();
        counted_task *raw = ct.get();
        raw->t.set_function([raw, &loop, &total, &off_thread, &w](task_status s) {
            if (!loop->is_on_callers_thread()) {
                off_thread.fetch_add(1);
            }
            if (s == task_status::run_ready) {
                raw->runs.fetch_add(1);
            } else {
                raw->canceled.fetch_add(1);
            }
            if (total.fetch_add(1) + 1 == threads * per_thread) {
                w.notify();
            }
        });
        tasks.push_back(std::move(ct));
    }

    std::vector<std::thread> producers;
    for (int th = 0; th < threads; ++th) {
        producers.emplace_back([&, th] {
            for (int i = 0; i < per_thread; ++i) {
                task &t = tasks[static_cast<std::size_t>(th * per_thread + i)]->t;
                switch (i % 3) {
                case 0:
                    loop->schedule_task_now(t);
                    break;
                case 1:
                    loop->schedule_task_now_serialized(t);
                    break;
                default:
                    loop->schedule_task_future(t, loop->current_clock_time() +
                                                      static_cast<std::uint64_t>(i % 7) * 100000);
                    break;
                }
            }
        });
    }
    for (auto &p : producers) {
        p.join();
    }
    ASSERT_TRUE(w.wait([&] { return total.load() == threads * per_thread; }));
    EXPECT_EQ(off_thread.load(), 0);
    for (const auto &ct : tasks) {
        EXPECT_EQ(ct->runs.load(), 1);
        EXPECT_EQ(ct->canceled.load(), 0);
    }
}

TEST(event_loop_stress, scheduling_races_with_destroy_runs_every_task_exactly_once) {
    io_library lib;
    for (int round = 0; round < 10; ++round) {
        auto loop = make_running_loop();
        ASSERT_TRUE(loop);
        constexpr int threads = 3;
        constexpr int per_thread = 200;
        std::vector<std::unique_ptr<counted_task>> tasks;
        for (int i = 0; i < threads * per_thread; ++i) {
            auto ct = std::make_unique<counted_task>();
            counted_task *raw = ct.get();
            raw->t.set_function([raw](task_status s) {
                (s == task_status::run_ready ? raw->runs : raw->canceled).fetch_add(1);
            });
            tasks.push_back(std::move(ct));
        }
        std::atomic<bool> go{false};
        std::vector<std::thread> producers;
        for (int th = 0; th < threads; ++th) {
            producers.emplace_back([&, th] {
                while (!go.load()) {
                    std::this_thread::yield();
                }
                for (int i = 0; i < per_thread; ++i) {
                    task &t = tasks[static_cast<std::size_t>(th * per_thread + i)]->t;
                    if (i % 2 == 0) {
                        loop->schedule_task_now(t);
                    } else {
                        // Far future: these are still pending at destruction.
                        loop->schedule_task_future(t, loop->current_clock_time() + 3600ULL * 1000000000ULL);
                    }
                    if (i % 50 == 0) {
                        (void)loop->stop(); // concurrent, repeated stops
                    }
                }
            });
        }
        go = true;
        for (auto &p : producers) {
            p.join();
        }
        loop.reset(); // everything still pending runs canceled here
        for (const auto &ct : tasks) {
            EXPECT_EQ(ct->runs.load() + ct->canceled.load(), 1);
        }
    }
}

TEST(event_loop_stress, cancellation_churn_while_other_threads_schedule) {
    io_library lib;
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);

    constexpr int victims = 16;
    constexpr int rounds = 1000;
    std::vector<std::unique_ptr<counted_task>> victim_tasks;
    for (int i = 0; i < victims; ++i) {
        auto ct = std::make_unique<counted_task>();
        counted_task *raw = ct.get();
        raw->t.set_function([raw](task_status s) {
            (s == task_status::run_ready ? raw->runs : raw->canceled).fetch_add(1);
        });
        victim_tasks.push_back(std::move(ct));
    }

    // Loop-thread driver: each round schedules every victim (future, now, or through the
    // cross-thread queue) and cancels it again before it can run.
    std::atomic<int> rounds_done{0};
    std::atomic<int> cancel_errors{0};
    waiter w;
    task driver;
    driver.set_function([&](task_status s) {
        if (s != task_status::run_ready) {
            return;
        }
        for (int i = 0; i < victims; ++i) {
            task &v = victim_tasks[static_cast<std::size_t>(i)]->t;
            switch ((i + rounds_done.load()) % 3) {
            case 0:
                loop->schedule_task_future(v, loop->current_clock_time() + 3600ULL * 1000000000ULL);
                break;
            case 1:
                loop->schedule_task_now(v);
                break;
            default:
                loop->schedule_task_now_serialized(v);
                break;
            }
            if (loop->cancel_task(v)) {
                cancel_errors.fetch_add(1);
            }
        }
        if (rounds_done.fetch_add(1) + 1 < rounds) {
            loop->schedule_task_now(driver);
        } else {
            w.notify();
        }
    });

    // Meanwhile other threads keep the cross-thread queue busy.
    constexpr int producers_count = 3;
    constexpr int per_producer = 1500;
    std::vector<std::unique_ptr<counted_task>> work;
    for (int i = 0; i < producers_count * per_producer; ++i) {
        auto ct = std::make_unique<counted_task>();
        counted_task *raw = ct.get();
        raw->t.set_function([raw](task_status s) {
            (s == task_status::run_ready ? raw->runs : raw->canceled).fetch_add(1);
        });
        work.push_back(std::move(ct));
    }
    loop->schedule_task_now(driver);
    std::vector<std::thread> producers;
    for (int th = 0; th < producers_count; ++th) {
        producers.emplace_back([&, th] {
            for (int i = 0; i < per_producer; ++i) {
                task &t = work[static_cast<std::size_t>(th * per_producer + i)]->t;
                if (i % 2 == 0) {
                    loop->schedule_task_now_serialized(t);
                } else {
                    loop->schedule_task_future(t, loop->current_clock_time() + 50000);
                }
            }
        });
    }
    for (auto &p : producers) {
        p.join();
    }
    ASSERT_TRUE(w.wait([&] { return rounds_done.load() == rounds; }));
    // The future producer tasks are due 50 us after scheduling; round trips through the loop
    // (bounded) until every producer task has run.
    for (int attempt = 0; attempt < 10000; ++attempt) {
        int left = 0;
        for (const auto &ct : work) {
            left += ct->runs.load() == 1 ? 0 : 1;
        }
        if (left == 0) {
            break;
        }
        run_on_loop(*loop, [] {});
    }
    EXPECT_EQ(cancel_errors.load(), 0);
    for (const auto &v : victim_tasks) {
        EXPECT_EQ(v->runs.load(), 0);
        EXPECT_EQ(v->canceled.load(), rounds);
    }
    for (const auto &ct : work) {
        EXPECT_EQ(ct->runs.load(), 1);
        EXPECT_EQ(ct->canceled.load(), 0);
    }
}

namespace {

struct churn_pipe {
    io_handle read_end;
    io_handle write_end;
    bool subscribed = false; // loop thread only
    churn_pipe() {
        int fds[2] = {-1, -1};
        EXPECT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
        read_end.fd = fds[0];
        write_end.fd = fds[1];
    }
    ~churn_pipe() {
        ::close(read_end.fd);
        ::close(write_end.fd);
    }
    churn_pipe(const churn_pipe &) = delete;
    churn_pipe &operator=(const churn_pipe &) = delete;
};

void drain(int fd) {
    char buf[512];
    while (::read(fd, buf, sizeof(buf)) > 0) {
    }
}

} // namespace

TEST(event_loop_stress, subscribe_unsubscribe_churn_on_pipes) {
    io_library lib;
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);

    constexpr int pipes_count = 8;
    constexpr int rounds = 1000;
    std::vector<std::unique_ptr<churn_pipe>> pipes;
    for (int i = 0; i < pipes_count; ++i) {
        pipes.push_back(std::make_unique<churn_pipe>());
    }
    std::atomic<int> events{0};
    std::atomic<int> bad_events{0}; // off-thread, or for a handle not subscribed
    std::atomic<int> errors{0};

    auto make_callback = [&](churn_pipe *p) {
        return [&, p](event_loop &l, io_handle &h, int) {
            if (!l.is_on_callers_thread() || !p->subscribed || &h != &p->read_end) {
                bad_events.fetch_add(1);
            }
            events.fetch_add(1);
            drain(h.fd);
            // Sometimes unsubscribe from inside the callback itself.
            if (events.load() % 5 == 0) {
                if (l.unsubscribe_from_io_events(h)) {
                    errors.fetch_add(1);
                }
                p->subscribed = false;
            }
        };
    };

    std::atomic<bool> writers_stop{false};
    std::vector<std::thread> writers;
    for (int th = 0; th < 2; ++th) {
        writers.emplace_back([&, th] {
            const char b = 'x';
            std::size_t i = static_cast<std::size_t>(th);
            while (!writers_stop.load()) {
                ssize_t ignored = ::write(pipes[i % pipes_count]->write_end.fd, &b, 1);
                (void)ignored;
                i += 3;
                if (i % 16 == 0) {
                    std::this_thread::yield();
                }
            }
        });
    }

    std::atomic<int> rounds_done{0};
    waiter w;
    task driver;
    driver.set_function([&](task_status s) {
        if (s != task_status::run_ready) {
            return;
        }
        for (auto &p : pipes) {
            if (p->subscribed) {
                if (loop->unsubscribe_from_io_events(p->read_end)) {
                    errors.fetch_add(1);
                }
                p->subscribed = false;
            } else {
                if (loop->subscribe_to_io_events(p->read_end, io_event_readable, make_callback(p.get()))) {
                    errors.fetch_add(1);
                }
                p->subscribed = true;
            }
        }
        if (rounds_done.fetch_add(1) + 1 < rounds) {
            loop->schedule_task_now(driver);
        } else {
            w.notify();
        }
    });
    loop->schedule_task_now(driver);
    ASSERT_TRUE(w.wait([&] { return rounds_done.load() == rounds; }));
    writers_stop = true;
    for (auto &t : writers) {
        t.join();
    }
    run_on_loop(*loop, [&] {
        for (auto &p : pipes) {
            if (p->subscribed) {
                if (loop->unsubscribe_from_io_events(p->read_end)) {
                    errors.fetch_add(1);
                }
                p->subscribed = false;
            }
        }
    });
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(bad_events.load(), 0);
    EXPECT_GT(events.load(), 0);
}

TEST(event_loop_stress, subscribe_from_other_threads_then_unsubscribe_on_loop) {
    io_library lib;
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    constexpr int threads = 3;
    constexpr int rounds = 250;
    std::atomic<int> errors{0};
    std::atomic<int> off_thread{0};
    std::vector<std::thread> workers;
    for (int th = 0; th < threads; ++th) {
        workers.emplace_back([&] {
            churn_pipe p;
            for (int r = 0; r < rounds; ++r) {
                auto w = std::make_shared<waiter>();
                auto got_event = std::make_shared<std::atomic<bool>>(false);
                // Writable at once: the callback runs on the loop while this thread waits.
                if (loop->subscribe_to_io_events(p.write_end, io_event_writable,
                                                 [&, w, got_event](event_loop &l, io_handle &, int) {
                                                     if (!l.is_on_callers_thread()) {
                                                         off_thread.fetch_add(1);
                                                     }
                                                     got_event->store(true);
                                                     w->notify();
                                                 })) {
                    errors.fetch_add(1);
                    continue;
                }
                if (!w->wait([&] { return got_event->load(); })) {
                    errors.fetch_add(1);
                }
                run_on_loop(*loop, [&] {
                    if (loop->unsubscribe_from_io_events(p.write_end)) {
                        errors.fetch_add(1);
                    }
                });
            }
        });
    }
    for (auto &t : workers) {
        t.join();
    }
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(off_thread.load(), 0);
}

TEST(event_loop_stress, event_loop_group_create_destroy_churn) {
    io_library lib;
    constexpr int iterations = 20;
    std::atomic<int> shutdowns{0};
    std::atomic<int> ran{0};
    std::atomic<int> expected_runs{0};
    for (int it = 0; it < iterations; ++it) {
        event_loop_group_options options;
        options.loop_count = 2;
        options.on_shutdown_complete = [&] { shutdowns.fetch_add(1); };
        auto created = event_loop_group::create(std::move(options));
        ASSERT_TRUE(created);
        std::shared_ptr<event_loop_group> group = std::move(*created);

        // Several threads pick loops and schedule work while holding references.
        std::vector<std::thread> users;
        for (int th = 0; th < 3; ++th) {
            users.emplace_back([group, &ran, &expected_runs] {
                for (int i = 0; i < 20; ++i) {
                    event_loop *l = group->get_next_loop();
                    expected_runs.fetch_add(1);
                    l->schedule_now([&ran](task_status) { ran.fetch_add(1); });
                }
            });
        }
        for (auto &u : users) {
            u.join();
        }
        if (it % 2 == 0) {
            // Drop the last reference on one of the group's own loop threads.
            event_loop *l = group->get_loop_at(0);
            auto holder = std::make_shared<std::shared_ptr<event_loop_group>>(std::move(group));
            l->schedule_now([holder](task_status) { holder->reset(); });
        } else {
            group.reset();
        }
    }
    join_all_managed_threads();
    EXPECT_EQ(shutdowns.load(), iterations);
    // Each scheduled task ran exactly once (run_ready or canceled at shutdown).
    EXPECT_EQ(ran.load(), expected_runs.load());
}
