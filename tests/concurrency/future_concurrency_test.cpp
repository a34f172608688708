// Races on a future: many threads completing and registering at once. The callback runs exactly
// once, the first completion wins, waiters all wake.
#include <awsio/future.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace awsio;
using namespace std::chrono_literals;

TEST(future_concurrency, racing_setters_and_callback_run_once_first_wins) {
    for (int round = 0; round < 200; ++round) {
        future<int> f;
        std::atomic<int> fired{0};
        std::atomic<int> go{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i) {
            threads.emplace_back([&, i] {
                while (go.load() == 0) {
                }
                if (i == 3) {
                    f.set_error(std::error_code(io_errc::socket_closed));
                } else {
                    f.set_result(i);
                }
            });
        }
        threads.emplace_back([&] {
            while (go.load() == 0) {
            }
            EXPECT_FALSE(f.register_callback([&] { ++fired; }));
        });
        threads.emplace_back([&] {
            while (go.load() == 0) {
            }
            EXPECT_TRUE(f.wait(10s));
        });
        go = 1;
        for (auto &t : threads) {
            t.join();
        }
        EXPECT_EQ(fired.load(), 1);
        ASSERT_TRUE(f.is_done());
        if (f.get_error()) {
            EXPECT_EQ(f.get_error(), io_errc::socket_closed);
        } else {
            EXPECT_GE(f.get_result(), 0);
            EXPECT_LE(f.get_result(), 2);
        }
    }
}
