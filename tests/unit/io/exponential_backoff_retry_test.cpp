// Port of aws-c-io tests/exponential_backoff_retry_test.c (8 cases) plus jitter-formula checks
// with an injected random source.
#include <awsio/event_loop.hpp>
#include <awsio/io.hpp>
#include <awsio/retry_strategy.hpp>

#include "io/retry/retry_internal.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

using namespace awsio;

namespace {

result<std::shared_ptr<event_loop_group>> one_loop_group() {
    event_loop_group_options o;
    o.loop_count = 1;
    return event_loop_group::create(std::move(o));
}

struct retry_test_data {
    std::mutex mutex;
    std::condition_variable cv;
    std::size_t retry_count = 0;
    std::size_t client_error_count = 0;
    std::error_code failure;
    std::vector<std::uint64_t> ready_times; // loop clock at each retry_ready
    event_loop *loop = nullptr;
};

void on_retry_ready(retry_test_data &d, retry_token_ptr token, std::error_code) {
    retry_error_type type = retry_error_type::server_error;
    {
        std::lock_guard<std::mutex> lock(d.mutex);
        d.retry_count += 1;
        if (d.loop != nullptr) {
            d.ready_times.push_back(d.loop->current_clock_time());
        }
        if (d.client_error_count > 0) {
            type = retry_error_type::client_error;
            --d.client_error_count;
        }
    }
    retry_strategy &s = token->strategy();
    std::error_code ec = s.schedule_retry(token, type, [&d](retry_token_ptr t, std::error_code e) {
        on_retry_ready(d, std::move(t), e);
    });
    if (ec) {
        std::lock_guard<std::mutex> lock(d.mutex);
        d.failure = ec;
        d.cv.notify_all();
    }
}

void start(retry_strategy &s, retry_test_data &d) {
    ASSERT_FALSE(s.acquire_retry_token("", [&d](std::error_code ec, retry_token_ptr token) {
        ASSERT_FALSE(ec);
        ASSERT_NE(token, nullptr);
        retry_strategy &strat = token->strategy();
        std::error_code e = strat.schedule_retry(token, retry_error_type::server_error,
                                                 [&d](retry_token_ptr t, std::error_code err) {
                                                     on_retry_ready(d, std::move(t), err);
                                                 });
        ASSERT_FALSE(e);
    }));
}

void wait_failed(retry_test_data &d) {
    std::unique_lock<std::mutex> lock(d.mutex);
    ASSERT_TRUE(d.cv.wait_for(lock, std::chrono::seconds(60), [&] { return bool(d.failure); }));
}

void too_many_retries_for_jitter_mode(exponential_backoff_jitter_mode mode) {
    io_library lib;
    auto group = one_loop_group();
    ASSERT_TRUE(group);
    exponential_backoff_retry_options config;
    config.max_retries = 3;
    config.jitter_mode = mode;
    config.backoff_scale_factor_ms = 10;
    config.el_group = *group;
    auto strategy = make_exponential_backoff_retry_strategy(std::move(config));
    ASSERT_TRUE(strategy);
    retry_test_data data;
    start(**strategy, data);
    wait_failed(data);
    EXPECT_EQ(data.retry_count, 3u);
    EXPECT_EQ(data.failure, io_errc::max_retries_exceeded);
}

} // namespace

TEST(exponential_backoff_retry, test_exponential_backoff_retry_too_many_retries_no_jitter) {
    too_many_retries_for_jitter_mode(exponential_backoff_jitter_mode::none);
}

TEST(exponential_backoff_retry, test_exponential_backoff_retry_too_many_retries_full_jitter) {
    too_many_retries_for_jitter_mode(exponential_backoff_jitter_mode::full);
}

TEST(exponential_backoff_retry, test_exponential_backoff_retry_too_many_retries_decorrelated_jitter) {
    too_many_retries_for_jitter_mode(exponential_backoff_jitter_mode::decorrelated);
}

TEST(exponential_backoff_retry, test_exponential_backoff_retry_too_many_retries_default_jitter) {
    too_many_retries_for_jitter_mode(exponential_backoff_jitter_mode::default_mode);
}

TEST(exponential_backoff_retry, test_exponential_backoff_retry_client_errors_do_not_count) {
    io_library lib;
    auto group = one_loop_group();
    ASSERT_TRUE(group);
    exponential_backoff_retry_options config;
    config.max_retries = 3;
    config.backoff_scale_factor_ms = 10;
    config.el_group = *group;
    auto strategy = make_exponential_backoff_retry_strategy(std::move(config));
    ASSERT_TRUE(strategy);
    retry_test_data data;
    data.client_error_count = 2;
    start(**strategy, data);
    wait_failed(data);
    EXPECT_EQ(data.retry_count, 3u + 2u);
    EXPECT_EQ(data.failure, io_errc::max_retries_exceeded);
}

TEST(exponential_backoff_retry, test_exponential_backoff_retry_no_jitter_time_taken) {
    // The loop never runs a future task early, so on the loop's own clock each retry comes at
    // least scale * 2^n after the previous one.
    io_library lib;
    auto group = one_loop_group();
    ASSERT_TRUE(group);
    exponential_backoff_retry_options config;
    config.max_retries = 3;
    config.jitter_mode = exponential_backoff_jitter_mode::none;
    config.backoff_scale_factor_ms = 20;
    config.el_group = *group;
    auto strategy = make_exponential_backoff_retry_strategy(std::move(config));
    ASSERT_TRUE(strategy);
    retry_test_data data;
    data.loop = (*group)->get_loop_at(0);
    const std::uint64_t before = data.loop->current_clock_time();
    start(**strategy, data);
    wait_failed(data);
    ASSERT_EQ(data.ready_times.size(), 3u);
    const std::uint64_t scale = 20'000'000;
    EXPECT_GE(data.ready_times[0] - before, 1 * scale);
    EXPECT_GE(data.ready_times[1] - data.ready_times[0], 2 * scale);
    EXPECT_GE(data.ready_times[2] - data.ready_times[1], 4 * scale);
    EXPECT_GE(data.ready_times[2] - before, 7 * scale);
    EXPECT_EQ(data.failure, io_errc::max_retries_exceeded);
}

TEST(exponential_backoff_retry, test_exponential_max_backoff_retry_no_jitter) {
    // Backoffs double from the scale factor and stop growing at max_backoff.
    detail::backoff_config c;
    c.jitter = exponential_backoff_jitter_mode::none;
    c.scale_ns = 500'000'000;  // the default scale, 500 ms
    c.max_ns = 3'000'000'000;  // 3 s
    EXPECT_EQ(detail::compute_backoff_ns(c, 0, 0), 500'000'000u);
    EXPECT_EQ(detail::compute_backoff_ns(c, 1, 0), 1'000'000'000u);
    EXPECT_EQ(detail::compute_backoff_ns(c, 2, 0), 2'000'000'000u);
    EXPECT_EQ(detail::compute_backoff_ns(c, 3, 0), 3'000'000'000u);
    EXPECT_EQ(detail::compute_backoff_ns(c, 62, 0), 3'000'000'000u);
    EXPECT_EQ(detail::compute_backoff_ns(c, 1000, 0), 3'000'000'000u); // saturates, no overflow

    // End to end: a cap below the scale bounds every wait; the budget still ends the same way.
    io_library lib;
    auto group = one_loop_group();
    ASSERT_TRUE(group);
    exponential_backoff_retry_options config;
    config.max_retries = 3;
    config.jitter_mode = exponential_backoff_jitter_mode::none;
    config.backoff_scale_factor_ms = 60'000;
    config.max_backoff_secs = 1; // without the cap the retries would take minutes
    config.el_group = *group;
    auto strategy = make_exponential_backoff_retry_strategy(std::move(config));
    ASSERT_TRUE(strategy);
    retry_test_data data;
    data.loop = (*group)->get_loop_at(0);
    const std::uint64_t before = data.loop->current_clock_time();
    start(**strategy, data);
    wait_failed(data);
    ASSERT_EQ(data.ready_times.size(), 3u);
    EXPECT_GE(data.ready_times[2] - before, 3'000'000'000u);
    EXPECT_EQ(data.failure, io_errc::max_retries_exceeded);
}

TEST(exponential_backoff_retry, jitter_formulas) {
    std::uint64_t next = 0;
    detail::backoff_config c;
    c.scale_ns = 100;
    c.max_ns = 100'000;
    c.generate_random = [&next] { return next; };
    c.jitter = exponential_backoff_jitter_mode::full;
    next = 1234;
    EXPECT_EQ(detail::compute_backoff_ns(c, 3, 0), 1234u % 800u); // rand % (2^3 * scale)
    c.jitter = exponential_backoff_jitter_mode::default_mode;
    EXPECT_EQ(detail::compute_backoff_ns(c, 3, 0), 1234u % 800u);
    c.jitter = exponential_backoff_jitter_mode::decorrelated;
    EXPECT_EQ(detail::compute_backoff_ns(c, 0, 0), 1234u % 100u); // first: full jitter
    // then lo + rand % (hi - lo) with lo = scale, hi = min(max, 3 * last)
    EXPECT_EQ(detail::compute_backoff_ns(c, 1, 500), 100u + 1234u % 1400u);
    EXPECT_EQ(detail::compute_backoff_ns(c, 1, 50'000), 100u + 1234u % (100'000u - 100u));
    // lo == hi gives 0
    EXPECT_EQ(detail::compute_backoff_ns(c, 1, 0) , 1234u % 200u);
    c.scale_ns = 300;
    EXPECT_EQ(detail::compute_backoff_ns(c, 1, 100), 0u);
}

TEST(exponential_backoff_retry, test_exponential_backoff_retry_invalid_options) {
    io_library lib;
    auto group = one_loop_group();
    ASSERT_TRUE(group);
    exponential_backoff_retry_options config;
    config.max_retries = 64;
    config.el_group = *group;
    auto strategy = make_exponential_backoff_retry_strategy(std::move(config));
    ASSERT_FALSE(strategy);
    EXPECT_EQ(strategy.error(), common_errc::invalid_argument);

    exponential_backoff_retry_options no_group;
    auto s2 = make_exponential_backoff_retry_strategy(std::move(no_group));
    ASSERT_FALSE(s2);
    EXPECT_EQ(s2.error(), common_errc::invalid_argument);

    exponential_backoff_retry_options bad_jitter;
    bad_jitter.el_group = *group;
    bad_jitter.jitter_mode = static_cast<exponential_backoff_jitter_mode>(9);
    auto s3 = make_exponential_backoff_retry_strategy(std::move(bad_jitter));
    ASSERT_FALSE(s3);
    EXPECT_EQ(s3.error(), common_errc::invalid_argument);
}

TEST(exponential_backoff_retry, double_schedule_is_invalid_state_and_shutdown_callback_runs) {
    io_library lib;
    auto group = one_loop_group();
    ASSERT_TRUE(group);
    std::mutex m;
    std::condition_variable cv;
    bool strategy_gone = false;
    retry_token_ptr token;
    {
        exponential_backoff_retry_options config;
        config.el_group = *group;
        config.backoff_scale_factor_ms = 50;
        config.on_shutdown_complete = [&] {
            std::lock_guard<std::mutex> l(m);
            strategy_gone = true;
            cv.notify_all();
        };
        auto strategy = make_exponential_backoff_retry_strategy(std::move(config));
        ASSERT_TRUE(strategy);
        ASSERT_FALSE((*strategy)->acquire_retry_token("p", [&](std::error_code ec, retry_token_ptr t) {
            std::lock_guard<std::mutex> l(m);
            EXPECT_FALSE(ec);
            token = std::move(t);
            cv.notify_all();
        }));
        std::unique_lock<std::mutex> lock(m);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return token != nullptr; }));
    }
    bool ready = false;
    ASSERT_FALSE(token->strategy().schedule_retry(token, retry_error_type::transient,
                                                  [&](retry_token_ptr, std::error_code ec) {
                                                      std::lock_guard<std::mutex> l(m);
                                                      EXPECT_FALSE(ec);
                                                      ready = true;
                                                      cv.notify_all();
                                                  }));
    EXPECT_EQ(token->strategy().schedule_retry(token, retry_error_type::transient,
                                               [](retry_token_ptr, std::error_code) {}),
              common_errc::invalid_state);
    {
        std::unique_lock<std::mutex> lock(m);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return ready; }));
        EXPECT_FALSE(strategy_gone); // the token keeps its strategy alive
    }
    token.reset();
    std::unique_lock<std::mutex> lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return strategy_gone; }));
}

TEST(exponential_backoff_retry, jitter_uses_the_injected_random_source) {
    // With a random source returning a fixed value the full-jitter delay is rand % backoff, so the
    // scheduled retries run essentially at once (rand = 0) and the count is unaffected.
    io_library lib;
    auto group = one_loop_group();
    ASSERT_TRUE(group);
    std::atomic<int> calls{0};
    exponential_backoff_retry_options config;
    config.max_retries = 4;
    config.jitter_mode = exponential_backoff_jitter_mode::full;
    config.backoff_scale_factor_ms = 60'000; // a minute: only a zero jitter lets this finish
    config.generate_random = [&calls] {
        ++calls;
        return std::uint64_t{0};
    };
    config.el_group = *group;
    auto strategy = make_exponential_backoff_retry_strategy(std::move(config));
    ASSERT_TRUE(strategy);
    retry_test_data data;
    start(**strategy, data);
    wait_failed(data);
    EXPECT_EQ(data.retry_count, 4u);
    EXPECT_EQ(calls.load(), 4);
}
