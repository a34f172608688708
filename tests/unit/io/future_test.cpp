// Port of aws-c-io tests/future_test.c (18 cases) plus co_await and move-only results.
#include <awsio/channel.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/future.hpp>
#include <awsio/io.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <coroutine>
#include <string>
#include <thread>

using namespace awsio;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<event_loop> running_loop() {
    auto loop = event_loop::create_default();
    EXPECT_TRUE(loop);
    EXPECT_FALSE((*loop)->run());
    return std::move(*loop);
}

// A fire-and-forget coroutine for the co_await tests.
struct detached {
    struct promise_type {
        detached get_return_object() { return {}; }
        std::suspend_never initial_suspend() noexcept { return {}; }
        std::suspend_never final_suspend() noexcept { return {}; }
        void return_void() {}
        void unhandled_exception() { std::terminate(); }
    };
};

} // namespace

TEST(future, future_by_value) {
    future<int> f;
    EXPECT_FALSE(f.is_done());
    EXPECT_EQ(f.peek_result(), nullptr);
    f.set_result(7);
    EXPECT_TRUE(f.is_done());
    EXPECT_FALSE(f.get_error());
    EXPECT_EQ(f.get_result(), 7);
    ASSERT_NE(f.peek_result(), nullptr);
    EXPECT_EQ(*f.peek_result(), 7);
    future<int> copy = f; // acquire
    EXPECT_EQ(copy.get_result(), 7);
    EXPECT_TRUE(copy == f);
}

TEST(future, future_void) {
    future<void> f;
    EXPECT_FALSE(f.is_done());
    f.set_result();
    EXPECT_TRUE(f.is_done());
    EXPECT_FALSE(f.get_error());
}

TEST(future, future_callback_fires_immediately) {
    future<bool> f;
    f.set_result(true);
    bool fired = false;
    const auto caller = std::this_thread::get_id();
    std::thread::id fired_on;
    EXPECT_FALSE(f.register_callback([&] {
        fired = true;
        fired_on = std::this_thread::get_id();
    }));
    EXPECT_TRUE(fired);
    EXPECT_EQ(fired_on, caller);
}

TEST(future, future_callback_fires_on_another_thread) {
    future<int> f;
    std::atomic<bool> fired{false};
    std::thread::id fired_on;
    future<void> observed;
    EXPECT_FALSE(f.register_callback([&] {
        fired_on = std::this_thread::get_id();
        fired = true;
        observed.set_result();
    }));
    EXPECT_FALSE(fired);
    std::thread::id setter;
    std::thread t([&] {
        setter = std::this_thread::get_id();
        f.set_result(3);
    });
    t.join();
    ASSERT_TRUE(observed.wait(10s));
    EXPECT_EQ(fired_on, setter);
    EXPECT_EQ(f.get_result(), 3);
}

TEST(future, future_register_callback_if_not_done) {
    future<int> pending;
    bool fired = false;
    EXPECT_TRUE(pending.register_callback_if_not_done([&] { fired = true; }));
    EXPECT_FALSE(fired);
    pending.set_result(1);
    EXPECT_TRUE(fired);

    future<int> done;
    done.set_result(2);
    bool fired2 = false;
    EXPECT_FALSE(done.register_callback_if_not_done([&] { fired2 = true; }));
    EXPECT_FALSE(fired2);
}

TEST(future, future_register_event_loop_callback_after_done) {
    auto loop = running_loop();
    future<int> f;
    f.set_result(5);
    future<bool> on_loop;
    EXPECT_FALSE(f.register_event_loop_callback(*loop, [&] { on_loop.set_result(loop->is_on_callers_thread()); }));
    ASSERT_TRUE(on_loop.wait(10s));
    EXPECT_TRUE(on_loop.get_result());
}

TEST(future, future_register_event_loop_callback_before_done) {
    auto loop = running_loop();
    future<int> f;
    future<bool> on_loop;
    EXPECT_FALSE(f.register_event_loop_callback(*loop, [&] { on_loop.set_result(loop->is_on_callers_thread()); }));
    EXPECT_FALSE(on_loop.wait(10ms));
    std::thread t([&] { f.set_result(9); });
    t.join();
    ASSERT_TRUE(on_loop.wait(10s));
    EXPECT_TRUE(on_loop.get_result());
}

TEST(future, future_register_event_loop_callback_always_scheduled) {
    // Even when registered from the loop thread on a done future, the callback runs later, as
    // its own task, not inside register_event_loop_callback.
    auto loop = running_loop();
    future<bool> result;
    loop->schedule_now([&](task_status) {
        future<int> f;
        f.set_result(1);
        auto keep = std::make_shared<bool>(false);
        EXPECT_FALSE(f.register_event_loop_callback(*loop, [&result, keep] {
            result.set_result(*keep);
        }));
        *keep = true; // set after registration: a callback run inline would have seen false
    });
    ASSERT_TRUE(result.wait(10s));
    EXPECT_TRUE(result.get_result());
}

TEST(future, future_register_channel_callback) {
    auto loop = running_loop();
    future<void> setup;
    future<std::error_code> shut_down;
    channel_options options;
    options.loop = loop.get();
    options.on_setup_completed = [setup](channel &, std::error_code ec) mutable {
        if (ec) {
            setup.set_error(ec);
        } else {
            setup.set_result();
        }
    };
    options.on_shutdown_completed = [shut_down](channel &, std::error_code ec) mutable {
        shut_down.set_result(ec);
    };
    auto ch = channel::create(std::move(options));
    ASSERT_TRUE(ch);
    ASSERT_TRUE(setup.wait(10s));
    ASSERT_FALSE(setup.get_error());

    // Registered before the future completes: runs later as a channel task on the loop thread.
    future<int> f;
    future<bool> ran_on_channel_thread;
    channel *raw = ch->get();
    ASSERT_FALSE(f.register_channel_callback(**ch, [raw, ran_on_channel_thread]() mutable {
        ran_on_channel_thread.set_result(raw->is_on_callers_thread());
    }));
    EXPECT_FALSE(ran_on_channel_thread.wait(10ms));
    std::thread t([&] { f.set_result(5); });
    t.join();
    ASSERT_TRUE(ran_on_channel_thread.wait(10s));
    EXPECT_TRUE(ran_on_channel_thread.get_result());

    // Registered on a done future from the channel thread: still not inline.
    future<bool> later;
    (*ch)->schedule_now([&, raw](task_status) {
        future<int> done;
        done.set_result(1);
        auto flag = std::make_shared<bool>(false);
        EXPECT_FALSE(done.register_channel_callback(*raw, [later, flag]() mutable { later.set_result(*flag); }));
        *flag = true;
    });
    ASSERT_TRUE(later.wait(10s));
    EXPECT_TRUE(later.get_result());

    (*ch)->shutdown();
    ASSERT_TRUE(shut_down.wait(10s));
    EXPECT_FALSE(shut_down.get_result());
    ch->reset();
}

TEST(future, future_wait_timeout) {
    future<int> f;
    EXPECT_FALSE(f.wait(1ms));
    EXPECT_FALSE(f.is_done());
    f.set_result(1);
    EXPECT_TRUE(f.wait(1ms));
}

TEST(future, future_wait_timeout_max) {
    future<int> f;
    std::thread t([&] {
        std::this_thread::sleep_for(5ms);
        f.set_result(4);
    });
    EXPECT_TRUE(f.wait(std::chrono::nanoseconds::max()));
    t.join();
    EXPECT_EQ(f.get_result(), 4);
}

namespace {
struct counting_deleter {
    int *count;
    void operator()(int *p) const {
        ++*count;
        delete p;
    }
};
} // namespace

TEST(future, future_pointer_with_destroy) {
    int destroyed = 0;
    {
        future<std::unique_ptr<int, counting_deleter>> f;
        f.set_result(std::unique_ptr<int, counting_deleter>(new int(5), counting_deleter{&destroyed}));
        EXPECT_EQ(*f.get_result(), 5);
        EXPECT_EQ(destroyed, 0);
    }
    EXPECT_EQ(destroyed, 1); // the owned result is destroyed with the future
}

TEST(future, future_pointer_with_release) {
    auto shared = std::make_shared<int>(8);
    std::weak_ptr<int> weak = shared;
    {
        future<std::shared_ptr<int>> f;
        f.set_result(std::move(shared));
        EXPECT_EQ(weak.use_count(), 1);
    }
    EXPECT_TRUE(weak.expired()); // released when the future dies
}

TEST(future, future_get_result_by_move) {
    future<std::string> f;
    f.set_result(std::string(100, 'x'));
    std::string s = f.get_result_by_move();
    EXPECT_EQ(s.size(), 100u);
    EXPECT_EQ(f.peek_result(), nullptr); // moved out
    future<std::unique_ptr<int>> g;
    g.set_result(std::make_unique<int>(3));
    auto p = g.get_result_by_move();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(*p, 3);
}

TEST(future, future_can_die_incomplete) {
    bool fired = false;
    {
        future<std::string> f;
        EXPECT_FALSE(f.register_callback([&] { fired = true; }));
    }
    EXPECT_FALSE(fired);
}

TEST(future, future_by_pointer_accepts_null_result) {
    future<std::unique_ptr<int>> f;
    f.set_result(nullptr);
    EXPECT_TRUE(f.is_done());
    EXPECT_FALSE(f.get_error());
    EXPECT_EQ(f.get_result(), nullptr);
}

TEST(future, future_set_multiple_times) {
    int destroyed = 0;
    future<std::unique_ptr<int, counting_deleter>> f;
    f.set_result(std::unique_ptr<int, counting_deleter>(new int(1), counting_deleter{&destroyed}));
    // later results are destroyed at once; later errors ignored
    f.set_result(std::unique_ptr<int, counting_deleter>(new int(2), counting_deleter{&destroyed}));
    EXPECT_EQ(destroyed, 1);
    f.set_error(io_errc::socket_closed);
    EXPECT_FALSE(f.get_error());
    EXPECT_EQ(*f.get_result(), 1);

    future<int> e;
    e.set_error(io_errc::socket_timeout);
    e.set_result(3);
    e.set_error(io_errc::socket_closed);
    EXPECT_EQ(e.get_error(), io_errc::socket_timeout);
    EXPECT_EQ(e.peek_result(), nullptr);
}

TEST(future, future_set_error) {
    future<int> f;
    bool fired = false;
    EXPECT_FALSE(f.register_callback([&] { fired = true; }));
    f.set_error(io_errc::dns_query_failed);
    EXPECT_TRUE(fired);
    EXPECT_TRUE(f.is_done());
    EXPECT_EQ(f.get_error(), io_errc::dns_query_failed);
    future<void> zero;
    zero.set_error(std::error_code()); // a zero error becomes "unknown"
    EXPECT_EQ(zero.get_error(), common_errc::unknown);
}

TEST(future, second_callback_registration_is_invalid_state) {
    future<int> f;
    int fired = 0;
    EXPECT_FALSE(f.register_callback([&] { ++fired; }));
    EXPECT_EQ(f.register_callback([&] { fired += 10; }), common_errc::invalid_state);
    EXPECT_FALSE(f.register_callback_if_not_done([&] { fired += 100; }));
    f.set_result(1);
    EXPECT_EQ(fired, 1);
}

TEST(future, co_await_yields_value_and_error) {
    future<std::unique_ptr<int>> value;
    future<int> failing;
    future<void> finished;
    std::unique_ptr<int> got;
    std::error_code got_error;
    auto coro = [&]() -> detached {
        auto r = co_await value;
        if (r) {
            got = std::move(*r);
        }
        auto e = co_await failing;
        got_error = e.error();
        finished.set_result();
    };
    coro();
    EXPECT_FALSE(finished.is_done());
    std::thread t([&] { value.set_result(std::make_unique<int>(11)); });
    t.join();
    failing.set_error(io_errc::socket_connection_refused);
    ASSERT_TRUE(finished.wait(10s));
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(*got, 11);
    EXPECT_EQ(got_error, io_errc::socket_connection_refused);
}

TEST(future, co_await_on_done_future_does_not_suspend) {
    future<int> f;
    f.set_result(21);
    int seen = 0;
    auto coro = [&]() -> detached {
        auto r = co_await f;
        seen = r ? *r : -1;
    };
    coro();
    EXPECT_EQ(seen, 21); // resumed synchronously: no suspension happened
}
