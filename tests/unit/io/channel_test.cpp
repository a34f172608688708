// Ports aws-c-io's tests/channel_test.c (the loopback cases; channel_connect_some_hosts_timeout
// needs the internet) and adds checks of the shutdown order, window updates, statistics and
// slot bookkeeping.
#include <awsio/channel.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/io.hpp>
#include <awsio/testing/testing_channel.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace awsio;

namespace {

// Setup/shutdown notifications from the loop thread, waited for by the test thread.
struct channel_waiter {
    std::mutex mutex;
    std::condition_variable cv;
    bool setup_completed = false;
    int setup_calls = 0;
    std::error_code setup_error;
    bool shutdown_completed = false;
    int shutdown_calls = 0;
    std::error_code shutdown_error;

    channel_options options(event_loop &loop, bool with_shutdown = true) {
        channel_options o;
        o.loop = &loop;
        o.on_setup_completed = [this](channel &, std::error_code ec) {
            std::lock_guard<std::mutex> lock(mutex);
            setup_completed = true;
            ++setup_calls;
            setup_error = ec;
            cv.notify_all();
        };
        if (with_shutdown) {
            o.on_shutdown_completed = [this](channel &, std::error_code ec) {
                std::lock_guard<std::mutex> lock(mutex);
                shutdown_completed = true;
                ++shutdown_calls;
                shutdown_error = ec;
                cv.notify_all();
            };
        }
        return o;
    }

    std::shared_ptr<channel> create_and_wait(event_loop &loop, bool with_shutdown = true) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            setup_completed = false;
        }
        auto created = channel::create(options(loop, with_shutdown));
        EXPECT_TRUE(created.has_value());
        if (!created) {
            return nullptr;
        }
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait(lock, [this] { return setup_completed; });
        EXPECT_FALSE(setup_error);
        return std::move(created).value();
    }

    void wait_for_shutdown() {
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait(lock, [this] { return shutdown_completed; });
    }
};

std::unique_ptr<event_loop> make_running_loop() {
    auto loop = event_loop::create_default();
    EXPECT_TRUE(loop.has_value());
    if (!loop) {
        return nullptr;
    }
    EXPECT_FALSE((*loop)->run());
    return std::move(loop).value();
}

// Blocks until a task scheduled now on the loop has run: everything the test thread queued on
// the loop before this call has run by then (cross-thread submissions run in order).
void round_trip(event_loop &loop) {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    task t(
        [&](task_status) {
            std::lock_guard<std::mutex> lock(m);
            done = true;
            cv.notify_all();
        },
        "round_trip");
    loop.schedule_task_now(t);
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return done; });
}

// A handler that completes shutdown at once and reports its destruction.
class tracking_handler final : public channel_handler {
public:
    struct state {
        std::mutex mutex;
        std::condition_variable cv;
        bool destroyed = false;
        bool destroyed_on_loop_thread = false;
    };

    tracking_handler(state &s, event_loop &loop) : state_(s), loop_(loop) {}
    ~tracking_handler() override {
        std::lock_guard<std::mutex> lock(state_.mutex);
        state_.destroyed = true;
        state_.destroyed_on_loop_thread = loop_.is_on_callers_thread();
        state_.cv.notify_all();
    }

    std::error_code process_read_message(channel_slot &, message_ptr &&) override { return {}; }
    std::error_code process_write_message(channel_slot &, message_ptr &&) override { return {}; }
    std::error_code increment_read_window(channel_slot &, std::size_t) override { return {}; }
    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code error,
                             bool free_scarce) override {
        return slot.on_handler_shutdown_complete(dir, error, free_scarce);
    }
    std::size_t initial_window_size() const override { return 10000; }
    std::size_t message_overhead() const override { return 0; }

private:
    state &state_;
    event_loop &loop_;
};

} // namespace

TEST(channel, channel_setup) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    channel_waiter waiter;
    auto channel_1 = waiter.create_and_wait(*loop, false);
    auto channel_2 = waiter.create_and_wait(*loop, false);
    ASSERT_TRUE(channel_1);
    ASSERT_TRUE(channel_2);
    EXPECT_EQ(waiter.setup_calls, 2);
    channel_1.reset();
    channel_2.reset();
    loop.reset();
}

TEST(channel, channel_single_slot_cleans_up) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    channel_waiter waiter;
    auto ch = waiter.create_and_wait(*loop, false);
    ASSERT_TRUE(ch);
    channel_slot &slot = ch->new_slot();
    EXPECT_EQ(ch->first_slot(), &slot);
    ch.reset();
    loop.reset();
}

TEST(channel, channel_slots_clean_up) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    channel_waiter waiter;
    auto ch = waiter.create_and_wait(*loop, false);
    ASSERT_TRUE(ch);

    channel_slot &slot_1 = ch->new_slot();
    channel_slot &slot_2 = ch->new_slot();
    channel_slot &slot_3 = ch->new_slot();
    channel_slot &slot_4 = ch->new_slot();
    channel_slot &slot_5 = ch->new_slot();

    ASSERT_FALSE(slot_1.insert_right(slot_2));
    ASSERT_FALSE(slot_2.insert_right(slot_3));
    ASSERT_FALSE(slot_3.insert_left(slot_4));
    ASSERT_FALSE(slot_2.remove());

    EXPECT_EQ(slot_4.adj_left(), &slot_1);
    EXPECT_EQ(slot_1.adj_right(), &slot_4);
    EXPECT_EQ(slot_1.adj_left(), nullptr);
    EXPECT_EQ(slot_3.adj_left(), &slot_4);
    EXPECT_EQ(slot_4.adj_right(), &slot_3);
    EXPECT_EQ(slot_3.adj_right(), nullptr);

    ASSERT_FALSE(slot_4.replace(slot_5));
    EXPECT_EQ(slot_5.adj_left(), &slot_1);
    EXPECT_EQ(slot_1.adj_right(), &slot_5);
    EXPECT_EQ(slot_3.adj_left(), &slot_5);
    EXPECT_EQ(slot_5.adj_right(), &slot_3);
    EXPECT_EQ(ch->first_slot(), &slot_1);

    ch.reset();
    loop.reset();
}

TEST(channel, channel_refcount_delays_clean_up) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    channel_waiter waiter;
    auto ch = waiter.create_and_wait(*loop);
    ASSERT_TRUE(ch);

    tracking_handler::state handler_state;
    channel_slot &slot = ch->new_slot();
    ASSERT_FALSE(slot.set_handler(std::make_unique<tracking_handler>(handler_state, *loop)));

    ASSERT_FALSE(ch->shutdown());
    waiter.wait_for_shutdown();

    // Two holds keep the memory (and the handler) alive after the owner lets go.
    std::shared_ptr<channel> hold_1 = ch;
    std::shared_ptr<channel> hold_2 = ch;
    ch.reset();
    round_trip(*loop);
    {
        std::lock_guard<std::mutex> lock(handler_state.mutex);
        EXPECT_FALSE(handler_state.destroyed);
    }

    hold_1.reset();
    round_trip(*loop);
    {
        std::lock_guard<std::mutex> lock(handler_state.mutex);
        EXPECT_FALSE(handler_state.destroyed);
    }

    // The last release frees the channel on its loop thread.
    hold_2.reset();
    {
        std::unique_lock<std::mutex> lock(handler_state.mutex);
        handler_state.cv.wait(lock, [&] { return handler_state.destroyed; });
        EXPECT_TRUE(handler_state.destroyed_on_loop_thread);
    }
    loop.reset();
}

namespace {

enum task_id { task_now_off_thread, task_now_on_thread, task_future_off_thread, task_future_on_thread, task_count };

struct tasks_run_data {
    std::mutex mutex;
    std::condition_variable cv;
    bool did_run[task_count] = {};
    bool did_fail[task_count] = {};
    std::unique_ptr<channel_task> tasks[task_count];
};

void channel_tasks_run_aux(bool serialized) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    channel_waiter waiter;
    auto ch = waiter.create_and_wait(*loop);
    ASSERT_TRUE(ch);

    tasks_run_data data;
    for (int i = 0; i < task_count; ++i) {
        data.tasks[i] = std::make_unique<channel_task>(
            [&data, i](task_status status) {
                std::lock_guard<std::mutex> lock(data.mutex);
                data.did_run[i] = true;
                data.did_fail[i] = status == task_status::canceled;
                data.cv.notify_all();
            },
            "test_channel_task");
    }

    // From outside the channel's thread...
    if (serialized) {
        ch->schedule_task_now_serialized(*data.tasks[task_now_off_thread]);
    } else {
        ch->schedule_task_now(*data.tasks[task_now_off_thread]);
    }
    ch->schedule_task_future(*data.tasks[task_future_off_thread], 1);

    // ... and from a task on it.
    channel *raw = ch.get();
    task on_thread(
        [&data, raw, serialized](task_status) {
            if (serialized) {
                raw->schedule_task_now_serialized(*data.tasks[task_now_on_thread]);
            } else {
                raw->schedule_task_now(*data.tasks[task_now_on_thread]);
            }
            raw->schedule_task_future(*data.tasks[task_future_on_thread], 1);
        },
        "schedule_on_thread_tasks");
    loop->schedule_task_now(on_thread);

    {
        std::unique_lock<std::mutex> lock(data.mutex);
        data.cv.wait(lock, [&] {
            for (bool ran : data.did_run) {
                if (!ran) {
                    return false;
                }
            }
            return true;
        });
        for (int i = 0; i < task_count; ++i) {
            EXPECT_FALSE(data.did_fail[i]) << "task " << i;
        }
    }
    ch.reset();
    loop.reset();
}

} // namespace

TEST(channel, channel_tasks_run) { channel_tasks_run_aux(false); }

TEST(channel, channel_tasks_serialized_run) { channel_tasks_run_aux(true); }

TEST(channel, channel_rejects_post_shutdown_tasks) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    channel_waiter waiter;
    auto ch = waiter.create_and_wait(*loop);
    ASSERT_TRUE(ch);

    ASSERT_FALSE(ch->shutdown());
    waiter.wait_for_shutdown();

    int status = 100;
    channel_task t([&status](task_status s) { status = static_cast<int>(s); }, "channel_post_shutdown");
    ch->schedule_task_now(t);
    EXPECT_EQ(status, static_cast<int>(task_status::canceled));
    EXPECT_FALSE(t.is_pending());

    ch.reset();
    loop.reset();
}

TEST(channel, channel_cancels_pending_tasks) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    channel_waiter waiter;
    auto ch = waiter.create_and_wait(*loop);
    ASSERT_TRUE(ch);

    int status = 100; // written on the loop thread before on_shutdown_completed, under waiter.mutex
    channel_task t(
        [&](task_status s) {
            std::lock_guard<std::mutex> lock(waiter.mutex);
            status = static_cast<int>(s);
        },
        "channel_post_shutdown_cancellation");
    // Way in the future.
    ch->schedule_task_future(t, std::numeric_limits<std::uint64_t>::max() - 1);
    {
        std::lock_guard<std::mutex> lock(waiter.mutex);
        EXPECT_EQ(status, 100);
    }

    ASSERT_FALSE(ch->shutdown());
    waiter.wait_for_shutdown();
    {
        std::lock_guard<std::mutex> lock(waiter.mutex);
        EXPECT_EQ(status, static_cast<int>(task_status::canceled));
    }
    ch.reset();
    loop.reset();
}

TEST(channel, channel_duplicate_shutdown) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    channel_waiter waiter;
    auto ch = waiter.create_and_wait(*loop);
    ASSERT_TRUE(ch);

    ASSERT_FALSE(ch->shutdown());
    waiter.wait_for_shutdown();
    // A second shutdown is accepted and ignored.
    ASSERT_FALSE(ch->shutdown(io_errc::socket_closed));
    round_trip(*loop);
    {
        std::lock_guard<std::mutex> lock(waiter.mutex);
        EXPECT_EQ(waiter.shutdown_calls, 1);
        EXPECT_FALSE(waiter.shutdown_error);
    }
    ch.reset();
    loop.reset();
}

namespace {

// [left recorder] <-> [middle recorder, initial window middle_window] <-> [right recorder,
// initial window right_window], with the initial windows delivered.
struct three_slot_channel {
    testing_channel tc;
    testing_channel_handler *middle = nullptr;
    channel_slot *middle_slot = nullptr;

    three_slot_channel(std::size_t middle_window, std::size_t right_window) {
        channel_slot &slot = tc.get_channel().new_slot();
        EXPECT_FALSE(tc.get_channel().insert_end(slot));
        auto handler = std::make_unique<testing_channel_handler>(middle_window);
        middle = handler.get();
        EXPECT_FALSE(slot.set_handler(std::move(handler)));
        middle_slot = &slot;
        EXPECT_FALSE(tc.install_downstream_handler(right_window));
        tc.drain_queued_tasks();
        EXPECT_EQ(middle_slot->window_size(), middle_window);
        EXPECT_EQ(tc.right_slot()->window_size(), right_window);
        EXPECT_EQ(middle->latest_window_update(), right_window);
        EXPECT_EQ(tc.last_window_update(), middle_window);
        EXPECT_FALSE(tc.loop().has_tasks());
    }
};

constexpr std::size_t threshold = 4 * default_channel_max_fragment_size; // 64 KiB

} // namespace

TEST(channel, channel_window_update_gates_on_scarcest_slot) {
    // The right slot is roomy, the middle one nearly closed: a grant from the right must still
    // flow, because the middle slot is what limits the pipeline.
    three_slot_channel c(1024, 1024 * 1024);
    ASSERT_FALSE(c.tc.increment_read_window(1000));
    EXPECT_EQ(c.tc.right_slot()->current_window_update_batch_size(), 1000u);
    EXPECT_TRUE(c.tc.loop().has_tasks());
    c.tc.drain_queued_tasks();
    EXPECT_EQ(c.middle->latest_window_update(), 1000u);
    EXPECT_EQ(c.tc.right_slot()->window_size(), 1024u * 1024 + 1000);
    EXPECT_EQ(c.tc.right_slot()->current_window_update_batch_size(), 0u);
}

TEST(channel, channel_window_update_batches_while_all_slots_roomy) {
    three_slot_channel c(1024 * 1024, 1024 * 1024);
    ASSERT_FALSE(c.tc.increment_read_window(1000));
    ASSERT_FALSE(c.tc.increment_read_window(2000));
    // Every window is far above the threshold: nothing is emitted, the grants pile up.
    EXPECT_FALSE(c.tc.loop().has_tasks());
    c.tc.drain_queued_tasks();
    EXPECT_EQ(c.middle->latest_window_update(), 1024u * 1024);
    EXPECT_EQ(c.tc.right_slot()->current_window_update_batch_size(), 3000u);
    EXPECT_EQ(c.tc.right_slot()->window_size(), 1024u * 1024);
}

TEST(channel, channel_window_update_emitted_when_debit_starves_slot) {
    const std::size_t fragment = default_channel_max_fragment_size;
    three_slot_channel c(threshold + fragment, 1024 * 1024);
    ASSERT_FALSE(c.tc.increment_read_window(1000));
    EXPECT_FALSE(c.tc.loop().has_tasks()); // held back: every window is above the threshold

    // A full fragment into the middle slot leaves its window at the threshold.
    std::string payload(fragment, 'x');
    ASSERT_FALSE(c.tc.push_read_str(payload));
    EXPECT_EQ(c.middle_slot->window_size(), threshold);
    EXPECT_TRUE(c.tc.loop().has_tasks());
    c.tc.drain_queued_tasks();
    EXPECT_EQ(c.middle->latest_window_update(), 1000u);
    EXPECT_EQ(c.tc.right_slot()->current_window_update_batch_size(), 0u);
}

TEST(channel, channel_keeps_event_loop_group_alive) {
    io_library lib;
    std::mutex m;
    std::condition_variable cv;
    bool group_shut_down = false;

    event_loop_group_options group_options;
    group_options.loop_count = 1;
    group_options.on_shutdown_complete = [&] {
        std::lock_guard<std::mutex> lock(m);
        group_shut_down = true;
        cv.notify_all();
    };
    auto created = event_loop_group::create(std::move(group_options));
    ASSERT_TRUE(created.has_value());
    std::shared_ptr<event_loop_group> group = std::move(created).value();
    event_loop *loop = group->get_loop_at(0);
    ASSERT_NE(loop, nullptr);

    channel_waiter waiter;
    auto ch = waiter.create_and_wait(*loop);
    ASSERT_TRUE(ch);

    // Drop the only outside reference to the group: the channel keeps it (and its loop) alive.
    group.reset();
    round_trip(*loop);
    {
        std::lock_guard<std::mutex> lock(m);
        EXPECT_FALSE(group_shut_down);
    }

    // The loop still runs the channel's tasks.
    std::atomic<bool> ran{false};
    ch->schedule_now([&](task_status s) {
        ran = s == task_status::run_ready;
        std::lock_guard<std::mutex> lock(m);
        cv.notify_all();
    });
    {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return ran.load(); });
    }

    ASSERT_FALSE(ch->shutdown());
    waiter.wait_for_shutdown();
    ch.reset();

    // With the channel gone, so is the group.
    {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return group_shut_down; });
    }
    join_all_managed_threads();
}

TEST(channel, shutdown_runs_each_handler_once_read_left_to_right_then_write_right_to_left) {
    three_slot_channel c(1024, 1024);
    std::vector<std::string> events;
    auto record = [&events](const char *name) {
        return [&events, name](channel_direction dir, std::error_code, bool) {
            events.push_back(std::string(name) + (dir == channel_direction::read ? ":read" : ":write"));
        };
    };
    c.tc.left_handler().set_on_shutdown(record("left"));
    c.middle->set_on_shutdown(record("middle"));
    ASSERT_FALSE(c.tc.set_downstream_handler_shutdown_callback(record("right")));
    int shutdown_calls = 0;
    c.tc.set_channel_shutdown_callback([&shutdown_calls](std::error_code) { ++shutdown_calls; });

    ASSERT_FALSE(c.tc.get_channel().shutdown(io_errc::socket_closed));
    ASSERT_FALSE(c.tc.get_channel().shutdown()); // ignored
    EXPECT_TRUE(events.empty()); // shutdown is asynchronous

    // Pass 1: the shutdown task runs the read direction synchronously, left to right.
    c.tc.run_currently_queued_tasks();
    EXPECT_EQ(events, (std::vector<std::string>{"left:read", "middle:read", "right:read"}));
    EXPECT_EQ(c.tc.get_channel().state(), channel_state::shutting_down);

    // Pass 2: a separate task starts the write direction at the right end.
    c.tc.run_currently_queued_tasks();
    EXPECT_EQ(events, (std::vector<std::string>{"left:read", "middle:read", "right:read",
                                                "right:write", "middle:write", "left:write"}));
    EXPECT_EQ(c.tc.get_channel().state(), channel_state::shut_down);
    EXPECT_FALSE(c.tc.is_shutdown_completed());

    // Pass 3: the completion task.
    c.tc.run_currently_queued_tasks();
    EXPECT_TRUE(c.tc.is_shutdown_completed());
    EXPECT_EQ(c.tc.shutdown_error_code(), io_errc::socket_closed);

    // Late or repeated completions are ignored.
    EXPECT_FALSE(c.tc.left_slot().on_handler_shutdown_complete(channel_direction::write, {}, false));
    ASSERT_FALSE(c.tc.clean_up());
    EXPECT_EQ(events.size(), 6u);
    EXPECT_EQ(shutdown_calls, 1);
}

TEST(channel, shutdown_without_handlers_completes_directly) {
    testing_event_loop loop;
    int setup_calls = 0;
    int shutdown_calls = 0;
    channel_options o;
    o.loop = &loop;
    o.on_setup_completed = [&](channel &, std::error_code ec) {
        EXPECT_FALSE(ec);
        ++setup_calls;
    };
    o.on_shutdown_completed = [&](channel &, std::error_code ec) {
        EXPECT_EQ(ec, io_errc::socket_closed);
        ++shutdown_calls;
    };
    auto ch = std::move(channel::create(std::move(o))).value();
    EXPECT_EQ(ch->state(), channel_state::setting_up);
    loop.drain_tasks();
    EXPECT_EQ(setup_calls, 1);
    EXPECT_EQ(ch->state(), channel_state::active);
    (void)ch->new_slot(); // a slot without a handler does not take part in shutdown
    ASSERT_FALSE(ch->shutdown(io_errc::socket_closed));
    loop.drain_tasks();
    EXPECT_EQ(ch->state(), channel_state::shut_down);
    EXPECT_EQ(shutdown_calls, 1);
}

TEST(channel, create_rejects_missing_arguments) {
    testing_event_loop loop;
    channel_options no_loop;
    no_loop.on_setup_completed = [](channel &, std::error_code) {};
    EXPECT_EQ(channel::create(std::move(no_loop)).error(), common_errc::invalid_argument);
    channel_options no_callback;
    no_callback.loop = &loop;
    EXPECT_EQ(channel::create(std::move(no_callback)).error(), common_errc::invalid_argument);
}

TEST(channel, setup_canceled_when_loop_dies_first) {
    auto loop = std::make_unique<testing_event_loop>();
    std::error_code setup_error;
    int setup_calls = 0;
    channel_options o;
    o.loop = loop.get();
    o.on_setup_completed = [&](channel &, std::error_code ec) {
        setup_error = ec;
        ++setup_calls;
    };
    {
        auto ch = std::move(channel::create(std::move(o))).value();
        // The setup task holds the channel after the owner lets go.
    }
    loop.reset();
    EXPECT_EQ(setup_calls, 1);
    EXPECT_EQ(setup_error, io_errc::operation_cancelled);
}

namespace {

class overhead_handler final : public channel_handler {
public:
    std::error_code process_read_message(channel_slot &slot, message_ptr &&msg) override {
        return slot.send_message(std::move(msg), channel_direction::read);
    }
    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override {
        return slot.send_message(std::move(msg), channel_direction::write);
    }
    std::error_code increment_read_window(channel_slot &slot, std::size_t size) override {
        return slot.increment_read_window(size);
    }
    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code error,
                             bool free_scarce) override {
        return slot.on_handler_shutdown_complete(dir, error, free_scarce);
    }
    std::size_t initial_window_size() const override { return 0; }
    std::size_t message_overhead() const override { return 100; }
};

class counting_stats_handler final : public statistics_handler {
public:
    struct report {
        statistics_sample_interval interval;
        std::vector<statistics_category> categories;
        std::uint64_t bytes_read = 0;
    };
    explicit counting_stats_handler(std::vector<report> &reports) : reports_(reports) {}
    void process_statistics(const statistics_sample_interval &interval,
                            const std::vector<statistics_base *> &stats, channel &) override {
        report r;
        r.interval = interval;
        for (statistics_base *s : stats) {
            r.categories.push_back(s->category);
            if (s->category == static_cast<statistics_category>(io_statistics_category::socket)) {
                r.bytes_read += static_cast<socket_statistics *>(s)->bytes_read;
            }
        }
        reports_.push_back(r);
    }
    std::uint64_t report_interval_ms() const override { return 1000; }

private:
    std::vector<report> &reports_;
};

} // namespace

TEST(channel, pass_through_handler_and_message_overhead) {
    testing_channel tc;
    channel_slot &mid = tc.get_channel().new_slot();
    ASSERT_FALSE(tc.get_channel().insert_end(mid));
    ASSERT_FALSE(mid.set_handler(std::make_unique<overhead_handler>()));
    EXPECT_EQ(mid.set_handler(std::make_unique<overhead_handler>()), common_errc::invalid_state);
    EXPECT_EQ(mid.set_handler(nullptr), common_errc::invalid_argument);
    ASSERT_FALSE(tc.install_downstream_handler(100));
    tc.drain_queued_tasks();

    EXPECT_EQ(tc.right_slot()->upstream_message_overhead(), 100u);
    EXPECT_EQ(mid.upstream_message_overhead(), 0u);
    message_ptr big = tc.right_slot()->acquire_max_message_for_write();
    EXPECT_EQ(big->message_data.capacity(), default_channel_max_fragment_size - 100);
    EXPECT_EQ(big->owning_channel, &tc.get_channel());

    // The pass-through handler forwards the right slot's window to the left.
    EXPECT_EQ(tc.last_window_update(), 100u);
    ASSERT_FALSE(tc.push_read_str("ping"));
    EXPECT_TRUE(tc.check_midchannel_read_messages("ping"));
    ASSERT_FALSE(tc.push_write_str("pong"));
    EXPECT_TRUE(tc.check_written_messages("pong"));

    EXPECT_EQ(tc.get_channel().insert_end(tc.left_slot()), common_errc::invalid_state);
    EXPECT_EQ(tc.left_slot().send_message(nullptr, channel_direction::read),
              common_errc::invalid_argument);
    message_ptr orphan = tc.get_channel().acquire_message_from_pool(io_message_type::application_data, 8);
    EXPECT_EQ(tc.left_slot().send_message(std::move(orphan), channel_direction::write),
              common_errc::invalid_state);
    EXPECT_TRUE(orphan); // refused: the caller still owns it
    EXPECT_EQ(tc.right_slot()->downstream_read_window(), 0u);
    EXPECT_EQ(tc.get_channel().trigger_read(), std::error_code{});
}

TEST(channel, statistics_handler_reports_each_interval) {
    testing_channel tc;
    std::vector<counting_stats_handler::report> reports;
    tc.loop().set_time(5'000'000'000ULL);
    ASSERT_FALSE(tc.get_channel().set_statistics_handler(std::make_unique<counting_stats_handler>(reports)));
    tc.left_handler().statistics().bytes_read = 42;

    tc.drain_queued_tasks();
    EXPECT_TRUE(reports.empty());
    tc.loop().advance_time(1'000'000'000ULL);
    tc.drain_queued_tasks();
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].interval.begin_time_ms, 5000u);
    EXPECT_EQ(reports[0].interval.end_time_ms, 6000u);
    EXPECT_EQ(reports[0].categories, std::vector<statistics_category>{1024});
    EXPECT_EQ(reports[0].bytes_read, 42u);
    EXPECT_EQ(tc.left_handler().statistics().bytes_read, 0u); // reset after the report

    tc.loop().advance_time(1'000'000'000ULL);
    tc.drain_queued_tasks();
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[1].interval.begin_time_ms, 6000u);
    EXPECT_EQ(reports[1].interval.end_time_ms, 7000u);

    tc.set_is_on_users_thread(false);
    EXPECT_EQ(tc.get_channel().set_statistics_handler(nullptr), io_errc::event_loop_thread_only);
    EXPECT_EQ(tc.get_channel().trigger_read(), common_errc::invalid_state);
    tc.set_is_on_users_thread(true);

    // No reports while shutting down.
    ASSERT_FALSE(tc.clean_up());
    EXPECT_EQ(reports.size(), 2u);
}

TEST(channel, max_fragment_size_is_settable) {
    EXPECT_EQ(channel_max_fragment_size(), default_channel_max_fragment_size);
    set_channel_max_fragment_size(1024);
    EXPECT_EQ(channel_max_fragment_size(), 1024u);
    set_channel_max_fragment_size(0); // ignored
    EXPECT_EQ(channel_max_fragment_size(), 1024u);
    {
        testing_channel tc;
        message_ptr msg = tc.get_channel().acquire_message_from_pool(io_message_type::application_data, 4096);
        EXPECT_EQ(msg->message_data.capacity(), 1024u);
    }
    set_channel_max_fragment_size(default_channel_max_fragment_size);
}

TEST(channel, pending_task_holds_the_channel) {
    testing_event_loop loop;
    channel_options o;
    o.loop = &loop;
    o.on_setup_completed = [](channel &, std::error_code) {};
    auto ch = std::move(channel::create(std::move(o))).value();
    loop.drain_tasks();
    std::weak_ptr<channel> weak = ch;

    task_status seen = task_status::canceled;
    channel_task t([&seen](task_status s) { seen = s; });
    ch->schedule_task_future(t, 1000);
    ch.reset();
    EXPECT_FALSE(weak.expired()); // the pending task keeps it
    loop.set_time(1000);
    loop.drain_tasks();
    EXPECT_EQ(seen, task_status::run_ready);
    EXPECT_TRUE(weak.expired());
}

TEST(channel, cross_thread_tasks_run_exactly_once_around_shutdown) {
    auto loop = make_running_loop();
    ASSERT_TRUE(loop);
    channel_waiter waiter;
    auto ch = waiter.create_and_wait(*loop);
    ASSERT_TRUE(ch);

    constexpr int threads = 4;
    constexpr int per_thread = 200;
    std::atomic<int> ran{0};
    std::atomic<int> canceled{0};
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) {
        workers.emplace_back([&, i] {
            for (int j = 0; j < per_thread; ++j) {
                auto fn = [&](task_status s) { (s == task_status::run_ready ? ran : canceled)++; };
                if ((i + j) % 2 == 0) {
                    ch->schedule_now(fn);
                } else {
                    ch->schedule_future(fn, ch->current_clock_time() + 1000);
                }
                if (i == 0 && j == per_thread / 2) {
                    (void)ch->shutdown();
                }
            }
        });
    }
    for (auto &w : workers) {
        w.join();
    }
    waiter.wait_for_shutdown();
    round_trip(*loop);
    EXPECT_EQ(ran.load() + canceled.load(), threads * per_thread);
    EXPECT_GT(canceled.load(), 0);
    ch.reset();
    loop.reset();
}
