// Tests for detail::task_scheduler and detail::task_list (ports the ordering, cancellation and
// run-all scenarios of aws-c-common's task_scheduler_test.c).
#include "io/task_scheduler.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

using namespace awsio;
using awsio::detail::task_list;
using awsio::detail::task_scheduler;

namespace {

struct recorder {
    std::vector<std::pair<int, task_status>> runs;
    task make(int id) {
        return task([this, id](task_status s) { runs.emplace_back(id, s); });
    }
    void bind(task &t, int id) {
        t.set_function([this, id](task_status s) { runs.emplace_back(id, s); });
    }
    std::vector<int> ids() const {
        std::vector<int> out;
        for (const auto &r : runs) {
            out.push_back(r.first);
        }
        return out;
    }
};

} // namespace

TEST(task_scheduler, empty_scheduler_has_no_tasks) {
    task_scheduler s;
    EXPECT_FALSE(s.has_tasks());
    EXPECT_FALSE(s.next_task_time().has_value());
    s.run_all(1000); // nothing to do
}

TEST(task_scheduler, scheduler_ordering) {
    recorder rec;
    task t1, t2, t3, now1, now2;
    rec.bind(t1, 1);
    rec.bind(t2, 2);
    rec.bind(t3, 3);
    rec.bind(now1, 10);
    rec.bind(now2, 11);

    task_scheduler s;
    s.schedule_future(t2, 20);
    s.schedule_future(t1, 10);
    s.schedule_future(t3, 30);
    s.schedule_now(now1);
    s.schedule_now(now2);
    EXPECT_TRUE(s.has_tasks());
    ASSERT_TRUE(s.next_task_time().has_value());
    EXPECT_EQ(*s.next_task_time(), 0U); // "now" tasks are due at once
    EXPECT_TRUE(t1.is_scheduled());
    EXPECT_TRUE(now1.is_scheduled());

    s.run_all(5);
    EXPECT_EQ(rec.ids(), (std::vector<int>{10, 11}));
    ASSERT_TRUE(s.next_task_time().has_value());
    EXPECT_EQ(*s.next_task_time(), 10U);
    EXPECT_FALSE(now1.is_scheduled());

    s.run_all(20);
    EXPECT_EQ(rec.ids(), (std::vector<int>{10, 11, 1, 2}));
    EXPECT_EQ(*s.next_task_time(), 30U);

    s.run_all(100);
    EXPECT_EQ(rec.ids(), (std::vector<int>{10, 11, 1, 2, 3}));
    EXPECT_FALSE(s.has_tasks());
    for (const auto &r : rec.runs) {
        EXPECT_EQ(r.second, task_status::run_ready);
    }
    EXPECT_EQ(t3.timestamp(), 30U);
}

TEST(task_scheduler, scheduler_same_timestamp_runs_in_scheduling_order) {
    recorder rec;
    std::vector<std::unique_ptr<task>> tasks;
    task_scheduler s;
    for (int i = 0; i < 50; ++i) {
        tasks.push_back(std::make_unique<task>());
        rec.bind(*tasks.back(), i);
        // Interleave two timestamps so the heap has to reorder.
        s.schedule_future(*tasks.back(), (i % 2 == 0) ? 100U : 50U);
    }
    s.run_all(1000);
    std::vector<int> expected;
    for (int i = 1; i < 50; i += 2) {
        expected.push_back(i);
    }
    for (int i = 0; i < 50; i += 2) {
        expected.push_back(i);
    }
    EXPECT_EQ(rec.ids(), expected);
}

TEST(task_scheduler, scheduler_heap_orders_many_timestamps) {
    recorder rec;
    std::vector<std::unique_ptr<task>> tasks;
    task_scheduler s;
    // A fixed pseudo-random permutation of timestamps.
    std::uint64_t x = 12345;
    std::vector<std::uint64_t> stamps;
    for (int i = 0; i < 200; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        stamps.push_back((x >> 33) % 1000);
        tasks.push_back(std::make_unique<task>());
        rec.bind(*tasks.back(), i);
        s.schedule_future(*tasks.back(), stamps.back());
    }
    // Cancel a few from the middle of the heap.
    int canceled = 0;
    for (int i = 0; i < 200; i += 17) {
        EXPECT_TRUE(s.cancel(*tasks[static_cast<std::size_t>(i)]));
        ++canceled;
    }
    EXPECT_EQ(rec.runs.size(), static_cast<std::size_t>(canceled));
    rec.runs.clear();
    s.run_all(1000);
    ASSERT_EQ(rec.runs.size(), static_cast<std::size_t>(200 - canceled));
    for (std::size_t i = 1; i < rec.runs.size(); ++i) {
        const auto prev = static_cast<std::size_t>(rec.runs[i - 1].first);
        const auto cur = static_cast<std::size_t>(rec.runs[i].first);
        ASSERT_TRUE(stamps[prev] < stamps[cur] || (stamps[prev] == stamps[cur] && prev < cur))
            << "out of order at " << i;
    }
}

TEST(task_scheduler, scheduler_cancel_runs_task_canceled) {
    recorder rec;
    task now_task, future_task, never;
    rec.bind(now_task, 1);
    rec.bind(future_task, 2);
    rec.bind(never, 3);

    task_scheduler s;
    s.schedule_now(now_task);
    s.schedule_future(future_task, 100);

    EXPECT_TRUE(s.cancel(future_task));
    EXPECT_TRUE(s.cancel(now_task));
    EXPECT_FALSE(s.cancel(never)); // not scheduled: left alone
    EXPECT_FALSE(s.contains(never));
    ASSERT_EQ(rec.runs.size(), 2U);
    EXPECT_EQ(rec.runs[0], std::make_pair(2, task_status::canceled));
    EXPECT_EQ(rec.runs[1], std::make_pair(1, task_status::canceled));
    EXPECT_FALSE(s.has_tasks());
    EXPECT_FALSE(future_task.is_scheduled());

    s.run_all(1000);
    EXPECT_EQ(rec.runs.size(), 2U);
}

TEST(task_scheduler, scheduler_cancel_pending_task_of_same_batch) {
    // A running task cancels one that is due later in the same run_all.
    task_scheduler s;
    std::vector<std::pair<int, task_status>> runs;
    task victim([&](task_status st) { runs.emplace_back(2, st); });
    task killer([&](task_status st) {
        runs.emplace_back(1, st);
        EXPECT_TRUE(s.cancel(victim));
    });
    s.schedule_now(killer);
    s.schedule_future(victim, 5);
    s.run_all(10);
    ASSERT_EQ(runs.size(), 2U);
    EXPECT_EQ(runs[0], std::make_pair(1, task_status::run_ready));
    EXPECT_EQ(runs[1], std::make_pair(2, task_status::canceled));
    EXPECT_FALSE(s.has_tasks());
}

TEST(task_scheduler, scheduler_reentrant_reschedule) {
    // A task reschedules itself from inside its function; it runs once per run_all.
    task_scheduler s;
    int runs = 0;
    task t;
    t.set_function([&](task_status st) {
        ASSERT_EQ(st, task_status::run_ready);
        EXPECT_FALSE(t.is_scheduled());
        if (++runs < 3) {
            s.schedule_now(t);
        }
    });
    s.schedule_now(t);
    s.run_all(0);
    EXPECT_EQ(runs, 1);
    EXPECT_TRUE(t.is_scheduled());
    s.run_all(0);
    EXPECT_EQ(runs, 2);
    s.run_all(0);
    EXPECT_EQ(runs, 3);
    EXPECT_FALSE(s.has_tasks());
}

TEST(task_scheduler, scheduler_run_all_snapshot_semantics) {
    // Tasks scheduled while run_all runs (now or already due) wait for the next call.
    task_scheduler s;
    std::vector<int> order;
    task late_now([&](task_status) { order.push_back(2); });
    task late_due([&](task_status) { order.push_back(3); });
    task first([&](task_status) {
        order.push_back(1);
        s.schedule_now(late_now);
        s.schedule_future(late_due, 1); // already due at now=100
    });
    s.schedule_now(first);
    s.run_all(100);
    EXPECT_EQ(order, (std::vector<int>{1}));
    EXPECT_TRUE(s.has_tasks());
    s.run_all(100);
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(task_scheduler, scheduler_cleanup_runs_leftovers_canceled) {
    task_scheduler s;
    std::vector<std::pair<int, task_status>> runs;
    task a([&](task_status st) { runs.emplace_back(1, st); });
    task b([&](task_status st) { runs.emplace_back(2, st); });
    task spawned([&](task_status st) { runs.emplace_back(4, st); });
    task c([&](task_status st) {
        runs.emplace_back(3, st);
        s.schedule_now(spawned); // scheduled during clean-up: also canceled
    });
    s.schedule_future(a, 1000);
    s.schedule_now(b);
    s.schedule_future(c, 5000);
    s.clean_up();
    ASSERT_EQ(runs.size(), 4U);
    EXPECT_EQ(runs[0], std::make_pair(2, task_status::canceled));
    EXPECT_EQ(runs[1], std::make_pair(1, task_status::canceled));
    EXPECT_EQ(runs[2], std::make_pair(3, task_status::canceled));
    EXPECT_EQ(runs[3], std::make_pair(4, task_status::canceled));
    EXPECT_FALSE(s.has_tasks());
}

TEST(task_scheduler, scheduler_destructor_cancels_leftovers) {
    int canceled = 0;
    task t([&](task_status st) { canceled += st == task_status::canceled ? 1 : 0; });
    {
        task_scheduler s;
        s.schedule_future(t, 99);
    }
    EXPECT_EQ(canceled, 1);
    EXPECT_FALSE(t.is_scheduled());
}

TEST(task_scheduler, scheduler_task_may_free_itself) {
    // A heap task deleting itself from inside its function must be fine for the scheduler.
    task_scheduler s;
    int ran = 0;
    auto *t = new task;
    t->set_function([t, &ran](task_status) {
        ++ran;
        delete t;
    });
    s.schedule_future(*t, 1);
    s.run_all(1);
    EXPECT_EQ(ran, 1);
}

TEST(task_scheduler, task_list_fifo_and_remove) {
    task_list list;
    task a, b, c;
    EXPECT_TRUE(list.empty());
    list.push_back(a, 7);
    list.push_back(b);
    list.push_back(c);
    EXPECT_EQ(list.size(), 3U);
    EXPECT_TRUE(list.contains(b));
    EXPECT_TRUE(b.is_scheduled());
    EXPECT_EQ(a.timestamp(), 7U);
    list.remove(b);
    EXPECT_FALSE(list.contains(b));
    EXPECT_FALSE(b.is_scheduled());

    task_list other;
    other.push_back(b);
    list.splice_back(other);
    EXPECT_TRUE(other.empty());
    EXPECT_TRUE(list.contains(b));
    EXPECT_EQ(list.pop_front(), &a);
    EXPECT_EQ(list.pop_front(), &c);
    EXPECT_EQ(list.pop_front(), &b);
    EXPECT_EQ(list.pop_front(), nullptr);
}
