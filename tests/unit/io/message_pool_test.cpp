// memory_pool and message_pool: sizing, reuse up to the ideal count, field reset.
#include <awsio/message_pool.hpp>

#include <gtest/gtest.h>

#include <set>

using namespace awsio;

TEST(memory_pool, preallocates_and_reuses_up_to_the_ideal_count) {
    memory_pool pool(64, 2);
    EXPECT_EQ(pool.cached_segment_count(), 2u);
    void *a = pool.acquire();
    void *b = pool.acquire();
    EXPECT_EQ(pool.cached_segment_count(), 0u);
    void *c = pool.acquire(); // beyond the cache: fresh allocation
    EXPECT_NE(c, nullptr);
    std::set<void *> distinct{a, b, c};
    EXPECT_EQ(distinct.size(), 3u);
    pool.release(a);
    pool.release(b);
    pool.release(c); // cache full: freed
    EXPECT_EQ(pool.cached_segment_count(), 2u);
    void *again = pool.acquire();
    EXPECT_TRUE(again == a || again == b);
    pool.release(again);
    pool.release(nullptr);
    EXPECT_EQ(pool.cached_segment_count(), 2u);
}

TEST(message_pool, picks_pool_by_hint_and_clamps_capacity) {
    message_pool pool; // 4 x 16 KiB, 4 x 128 B
    auto small = pool.acquire(io_message_type::application_data, 100);
    EXPECT_EQ(small->message_data.capacity(), 100u);
    EXPECT_EQ(pool.small_block_pool().cached_segment_count(), 3u);
    auto exact_small = pool.acquire(io_message_type::application_data, 128);
    EXPECT_EQ(exact_small->message_data.capacity(), 128u);
    auto big = pool.acquire(io_message_type::application_data, 129);
    EXPECT_EQ(big->message_data.capacity(), 129u);
    EXPECT_EQ(pool.application_data_pool().cached_segment_count(), 3u);
    auto huge = pool.acquire(io_message_type::application_data, 1 << 20);
    EXPECT_EQ(huge->message_data.capacity(), 16u * 1024u);
    small.reset();
    exact_small.reset();
    big.reset();
    huge.reset();
    EXPECT_EQ(pool.small_block_pool().cached_segment_count(), 4u);
    EXPECT_EQ(pool.application_data_pool().cached_segment_count(), 4u);
}

TEST(message_pool, fields_are_reset_on_reuse_and_completion_not_leaked) {
    message_pool_creation_args args;
    args.application_data_msg_count = 1;
    message_pool pool(args);
    auto held = std::make_shared<int>(1);
    std::weak_ptr<int> weak = held;
    {
        auto m = pool.acquire(io_message_type::application_data, 4096);
        const std::uint8_t bytes[] = {1, 2, 3};
        EXPECT_FALSE(m->message_data.append(bytes));
        m->message_tag = 7;
        m->copy_mark = 2;
        m->on_completion = [held = std::move(held)](std::error_code) {};
    }
    EXPECT_TRUE(weak.expired()); // the completion callback was destroyed with the message
    auto m = pool.acquire(io_message_type::application_data, 4096);
    EXPECT_EQ(m->message_data.size(), 0u);
    EXPECT_EQ(m->message_tag, 0);
    EXPECT_EQ(m->copy_mark, 0u);
    EXPECT_FALSE(m->on_completion);
    EXPECT_EQ(m->owning_channel, nullptr);
}

TEST(message_pool, many_cycles_and_standalone_messages) {
    message_pool pool;
    for (int i = 0; i < 1000; ++i) {
        std::vector<message_ptr> msgs;
        for (int j = 0; j < 10; ++j) {
            msgs.push_back(pool.acquire(io_message_type::application_data, (j % 2) ? 64 : 8192));
        }
    }
    EXPECT_EQ(pool.small_block_pool().cached_segment_count(), 4u);
    EXPECT_EQ(pool.application_data_pool().cached_segment_count(), 4u);
    auto standalone = make_standalone_message(10);
    EXPECT_EQ(standalone->message_data.capacity(), 10u);
    const std::uint8_t too_much[11] = {};
    EXPECT_EQ(standalone->message_data.append(too_much), common_errc::short_buffer);
    EXPECT_EQ(standalone->message_data.size(), 0u);
    EXPECT_EQ(standalone->message_data.append_partial(too_much), 10u);
}
