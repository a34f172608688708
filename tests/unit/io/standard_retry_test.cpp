// Port of aws-c-io tests/standard_retry_test.c (3 cases).
#include <awsio/event_loop.hpp>
#include <awsio/io.hpp>
#include <awsio/retry_strategy.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

using namespace awsio;

namespace {

class standard_retry : public ::testing::Test {
protected:
    void SetUp() override {
        event_loop_group_options o;
        o.loop_count = 1;
        o.on_shutdown_complete = [this] {
            std::lock_guard<std::mutex> l(mutex_);
            group_shutdown_ = true;
            cv_.notify_all();
        };
        auto g = event_loop_group::create(std::move(o));
        ASSERT_TRUE(g);
        standard_retry_options options;
        options.initial_bucket_capacity = 15;
        options.backoff_retry_options.el_group = *g;
        options.backoff_retry_options.backoff_scale_factor_ms = 5;
        auto s = make_standard_retry_strategy(std::move(options));
        ASSERT_TRUE(s);
        strategy_ = *s;
    }
    void TearDown() override {
        strategy_.reset();
        std::unique_lock<std::mutex> lock(mutex_);
        EXPECT_TRUE(cv_.wait_for(lock, std::chrono::seconds(30), [&] { return group_shutdown_; }));
    }

    retry_token_ptr acquire(std::string_view partition) {
        std::unique_lock<std::mutex> lock(mutex_);
        retry_token_ptr token;
        std::error_code err;
        bool done = false;
        EXPECT_FALSE(strategy_->acquire_retry_token(partition, [&](std::error_code ec, retry_token_ptr t) {
            std::lock_guard<std::mutex> l(mutex_);
            err = ec;
            token = std::move(t);
            done = true;
            cv_.notify_all();
        }));
        EXPECT_TRUE(cv_.wait_for(lock, std::chrono::seconds(30), [&] { return done; }));
        EXPECT_FALSE(err);
        if (token) {
            EXPECT_EQ(&token->strategy(), strategy_.get());
        }
        return token;
    }

    // Schedules a retry and waits for it; returns the schedule error (then nothing runs).
    std::error_code retry(const retry_token_ptr &token, retry_error_type type) {
        std::unique_lock<std::mutex> lock(mutex_);
        bool done = false;
        retry_token_ptr seen;
        std::error_code ready_error;
        std::error_code ec = strategy_->schedule_retry(token, type, [&](retry_token_ptr t, std::error_code e) {
            std::lock_guard<std::mutex> l(mutex_);
            seen = std::move(t);
            ready_error = e;
            done = true;
            cv_.notify_all();
        });
        if (ec) {
            return ec;
        }
        EXPECT_TRUE(cv_.wait_for(lock, std::chrono::seconds(30), [&] { return done; }));
        EXPECT_EQ(seen, token);
        EXPECT_FALSE(ready_error);
        return {};
    }

    std::shared_ptr<retry_strategy> strategy_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool group_shutdown_ = false;
};

} // namespace

TEST_F(standard_retry, test_standard_retry_strategy_setup_shutdown) {
    EXPECT_NE(strategy_, nullptr);
}

TEST_F(standard_retry, test_standard_retry_strategy_failure_exhausts_bucket) {
    const std::string partition = "us-east-1:super-badly-named-aws-service";
    auto token = acquire(partition);
    ASSERT_NE(token, nullptr);
    // the same partition again uses the existing bucket
    auto dup = acquire(partition);
    ASSERT_NE(dup, nullptr);
    EXPECT_FALSE(retry(token, retry_error_type::transient));   // -10
    EXPECT_FALSE(retry(dup, retry_error_type::server_error));  // -5
    // 15 spent although 3 retries are allowed per token
    EXPECT_EQ(retry(token, retry_error_type::server_error), io_errc::retry_permission_denied);
    EXPECT_EQ(retry(dup, retry_error_type::server_error), io_errc::retry_permission_denied);
    token.reset();
    dup.reset();
    // other partitions are unaffected (and partitions are case-insensitive)
    auto separate = acquire("");
    ASSERT_NE(separate, nullptr);
    EXPECT_FALSE(retry(separate, retry_error_type::server_error));
    auto upper = acquire("US-EAST-1:SUPER-BADLY-NAMED-AWS-SERVICE");
    EXPECT_EQ(retry(upper, retry_error_type::server_error), io_errc::retry_permission_denied);
}

TEST_F(standard_retry, test_standard_retry_strategy_failure_recovers) {
    const std::string partition = "us-west-2:elastic-something-something-manager-manager";
    auto token = acquire(partition);
    ASSERT_NE(token, nullptr);
    EXPECT_FALSE(retry(token, retry_error_type::transient));  // -10
    EXPECT_FALSE(retry(token, retry_error_type::server_error)); // -5
    EXPECT_EQ(retry(token, retry_error_type::server_error), io_errc::retry_permission_denied);
    token.reset();
    // pay back 5: each first-attempt success refunds 1
    for (int i = 0; i < 5; ++i) {
        auto t = acquire(partition);
        ASSERT_NE(t, nullptr);
        EXPECT_FALSE(strategy_->record_success(t));
    }
    auto again = acquire(partition);
    EXPECT_FALSE(retry(again, retry_error_type::server_error));
    EXPECT_EQ(retry(again, retry_error_type::server_error), io_errc::retry_permission_denied);
}

TEST_F(standard_retry, client_errors_are_denied_and_cost_nothing) {
    auto token = acquire("client");
    EXPECT_EQ(retry(token, retry_error_type::client_error), io_errc::retry_permission_denied);
    EXPECT_FALSE(retry(token, retry_error_type::transient)); // still 15 available: -10
    EXPECT_FALSE(retry(token, retry_error_type::throttling)); // -5
    EXPECT_EQ(retry(token, retry_error_type::throttling), io_errc::retry_permission_denied);
}
