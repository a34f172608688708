// result<T> and unique_function: the vocabulary types every API uses.
#include <awsio/result.hpp>
#include <awsio/unique_function.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

using namespace awsio;

namespace {
result<int> parse_digit(char c) {
    if (c < '0' || c > '9') {
        return common_errc::invalid_argument;
    }
    return c - '0';
}
result<void> check(bool ok) {
    if (!ok) {
        return io_errc::socket_closed;
    }
    return {};
}
} // namespace

TEST(result, value_and_error) {
    auto ok = parse_digit('7');
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok.has_value());
    EXPECT_EQ(*ok, 7);
    EXPECT_FALSE(ok.error());
    auto bad = parse_digit('x');
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), common_errc::invalid_argument);
    EXPECT_EQ(bad.value_or(-1), -1);
    EXPECT_TRUE(check(true));
    EXPECT_EQ(check(false).error(), io_errc::socket_closed);
    result<void> from_code = std::error_code();
    EXPECT_TRUE(from_code);
}

TEST(result, move_only_and_copy_semantics) {
    result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("abc");
    ASSERT_TRUE(r);
    result<std::unique_ptr<std::string>> moved = std::move(r);
    ASSERT_TRUE(moved);
    EXPECT_EQ(**moved, "abc");
    std::unique_ptr<std::string> taken = std::move(moved).value();
    EXPECT_EQ(*taken, "abc");

    result<std::string> a = std::string("x");
    result<std::string> b = a;
    EXPECT_EQ(*b, "x");
    b = result<std::string>(unexpected(io_errc::broken_pipe));
    EXPECT_FALSE(b);
    EXPECT_EQ(b.error(), io_errc::broken_pipe);
    b = a;
    EXPECT_EQ(*b, "x");
}

TEST(result, destroys_its_value_once) {
    auto counter = std::make_shared<int>(0);
    std::weak_ptr<int> weak = counter;
    {
        result<std::shared_ptr<int>> r = std::move(counter);
        result<std::shared_ptr<int>> r2 = r;
        EXPECT_EQ(weak.use_count(), 2);
    }
    EXPECT_TRUE(weak.expired());
}

TEST(unique_function, inline_heap_move_and_reset) {
    int calls = 0;
    unique_function<int(int)> small = [&calls](int x) {
        ++calls;
        return x + 1;
    };
    EXPECT_TRUE(small);
    EXPECT_EQ(small(1), 2);
    std::string big(1000, 'y'); // too big for inline storage
    auto owned = std::make_unique<int>(5);
    unique_function<std::size_t()> heap = [big, owned = std::move(owned)] { return big.size() + *owned; };
    EXPECT_EQ(heap(), 1005u);
    unique_function<std::size_t()> moved = std::move(heap);
    EXPECT_FALSE(heap); // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    EXPECT_EQ(moved(), 1005u);
    moved = nullptr;
    EXPECT_FALSE(moved);
    unique_function<void()> empty;
    EXPECT_FALSE(empty);
    void (*null_fn)() = nullptr;
    unique_function<void()> from_null = null_fn;
    EXPECT_FALSE(from_null);
    EXPECT_EQ(calls, 1);
}

TEST(unique_function, captured_state_is_destroyed_exactly_once) {
    auto token = std::make_shared<int>(1);
    std::weak_ptr<int> weak = token;
    {
        unique_function<void()> a = [token = std::move(token)] {};
        unique_function<void()> b = std::move(a);
        unique_function<void()> c;
        c = std::move(b);
        EXPECT_FALSE(weak.expired());
    }
    EXPECT_TRUE(weak.expired());
}
