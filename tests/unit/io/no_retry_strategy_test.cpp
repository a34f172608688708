// Port of aws-c-io tests/no_retry_strategy_test.c.
#include <awsio/io.hpp>
#include <awsio/retry_strategy.hpp>

#include <gtest/gtest.h>

using namespace awsio;

TEST(no_retry_strategy, test_no_retries) {
    io_library lib;
    bool shut_down = false;
    {
        no_retry_options options;
        options.on_shutdown_complete = [&] { shut_down = true; };
        auto strategy = make_no_retry_strategy(std::move(options));
        ASSERT_TRUE(strategy);
        bool called = false;
        EXPECT_EQ((*strategy)->acquire_retry_token("", [&](std::error_code, retry_token_ptr) { called = true; }),
                  io_errc::retry_permission_denied);
        EXPECT_FALSE(called);
    }
    EXPECT_TRUE(shut_down);
}
