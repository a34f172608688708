// Port of aws-c-io tests/async_stream_test.c (5 cases) over the scripted test stream.
#include "support/async_stream_tester.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

using namespace awsio;
using namespace awsio::testing_support;
using namespace std::chrono_literals;

namespace {

const std::string source = "123456789012345678901234567890"; // 30 bytes

void fill_test(completion_strategy how) {
    async_stream_tester_options o;
    o.source = source;
    o.completion = how;
    o.max_bytes_per_read = 4;
    auto stream = std::make_shared<async_stream_tester>(o);
    // Fill a buffer smaller than the source, then one that takes the rest.
    std::vector<std::uint8_t> s1(10), s2(100);
    byte_buf b1(s1.data(), s1.size());
    future<bool> f1 = stream->read_to_fill(b1);
    ASSERT_TRUE(f1.wait(10s));
    ASSERT_FALSE(f1.get_error());
    EXPECT_FALSE(f1.get_result()); // buffer full, not the end
    EXPECT_EQ(std::string(reinterpret_cast<char *>(b1.data()), b1.size()), source.substr(0, 10));
    byte_buf b2(s2.data(), s2.size());
    future<bool> f2 = stream->read_to_fill(b2);
    ASSERT_TRUE(f2.wait(10s));
    ASSERT_FALSE(f2.get_error());
    EXPECT_TRUE(f2.get_result()); // reached the end
    EXPECT_EQ(std::string(reinterpret_cast<char *>(b2.data()), b2.size()), source.substr(10));
}

} // namespace

TEST(async_stream, async_input_stream_fill_completes_on_thread) {
    fill_test(completion_strategy::on_another_thread);
}

TEST(async_stream, async_input_stream_fill_completes_immediately) {
    fill_test(completion_strategy::immediate);
    // Many immediate completions iterate instead of recursing: a long source with 1-byte reads.
    async_stream_tester_options o;
    o.source = std::string(200000, 'z');
    o.max_bytes_per_read = 1;
    auto stream = std::make_shared<async_stream_tester>(o);
    std::vector<std::uint8_t> storage(200000);
    byte_buf b(storage.data(), storage.size());
    future<bool> f = stream->read_to_fill(b);
    ASSERT_TRUE(f.is_done());
    EXPECT_TRUE(f.get_result());
    EXPECT_EQ(b.size(), 200000u);
}

TEST(async_stream, async_input_stream_fill_completes_randomly) {
    for (unsigned seed = 1; seed <= 20; ++seed) {
        async_stream_tester_options o;
        o.source = source;
        o.completion = completion_strategy::random;
        o.max_bytes_per_read = 3;
        o.random_seed = seed;
        auto stream = std::make_shared<async_stream_tester>(o);
        std::vector<std::uint8_t> storage(64);
        byte_buf b(storage.data(), storage.size());
        future<bool> f = stream->read_to_fill(b);
        ASSERT_TRUE(f.wait(10s));
        ASSERT_FALSE(f.get_error());
        EXPECT_TRUE(f.get_result());
        EXPECT_EQ(std::string(reinterpret_cast<char *>(b.data()), b.size()), source);
    }
}

TEST(async_stream, async_input_stream_fill_eof_requires_extra_read) {
    async_stream_tester_options o;
    o.source = source;
    o.eof_requires_extra_read = true;
    auto stream = std::make_shared<async_stream_tester>(o);
    std::vector<std::uint8_t> storage(source.size() + 5);
    byte_buf b(storage.data(), storage.size());
    future<bool> f = stream->read_to_fill(b);
    ASSERT_TRUE(f.wait(10s));
    ASSERT_FALSE(f.get_error());
    EXPECT_TRUE(f.get_result());
    EXPECT_EQ(b.size(), source.size());
    EXPECT_EQ(stream->reads(), 2u); // one read with the data, one empty read reporting the end
}

TEST(async_stream, async_input_stream_fill_reports_error) {
    for (auto how : {completion_strategy::immediate, completion_strategy::on_another_thread}) {
        async_stream_tester_options o;
        o.source = source;
        o.completion = how;
        o.max_bytes_per_read = 4;
        o.fail_at_byte = 9;
        auto stream = std::make_shared<async_stream_tester>(o);
        std::vector<std::uint8_t> storage(64);
        byte_buf b(storage.data(), storage.size());
        future<bool> f = stream->read_to_fill(b);
        ASSERT_TRUE(f.wait(10s));
        EXPECT_EQ(f.get_error(), io_errc::stream_read_failed);
        EXPECT_EQ(b.size(), 9u);
    }
}

TEST(async_stream, read_on_full_buffer_is_short_buffer) {
    async_stream_tester_options o;
    o.source = source;
    auto stream = std::make_shared<async_stream_tester>(o);
    std::uint8_t storage[2];
    byte_buf full(storage, sizeof(storage));
    full.commit(2);
    future<bool> f = stream->read(full);
    ASSERT_TRUE(f.is_done());
    EXPECT_EQ(f.get_error(), common_errc::short_buffer);
    future<bool> g = stream->read_to_fill(full);
    ASSERT_TRUE(g.is_done());
    EXPECT_EQ(g.get_error(), common_errc::short_buffer);
    EXPECT_EQ(stream->reads(), 0u);
}
