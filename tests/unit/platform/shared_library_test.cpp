// Port of aws-c-io tests/shared_library_test.c (4 cases).
#include <awsio/shared_library.hpp>

#include <gtest/gtest.h>

#include <cstring>

using namespace awsio;

TEST(shared_library, shared_library_open_failure) {
    auto lib = shared_library::open("not-a-real-library.so");
    ASSERT_FALSE(lib);
    EXPECT_EQ(lib.error(), io_errc::shared_library_load_failure);
}

TEST(shared_library, shared_library_open_success) {
    auto lib = shared_library::open("libc.so.6");
    ASSERT_TRUE(lib);
    EXPECT_TRUE(lib->is_open());
    auto self = shared_library::open("");
    ASSERT_TRUE(self);
    shared_library moved = std::move(*self);
    EXPECT_TRUE(moved.is_open());
    EXPECT_FALSE(self->is_open());
}

TEST(shared_library, shared_library_find_function_failure) {
    auto lib = shared_library::open("libc.so.6");
    ASSERT_TRUE(lib);
    auto fn = lib->find_function("not_a_real_function_awsio");
    ASSERT_FALSE(fn);
    EXPECT_EQ(fn.error(), io_errc::shared_library_find_symbol_failure);
}

TEST(shared_library, shared_library_find_function_success) {
    auto lib = shared_library::open("libc.so.6");
    ASSERT_TRUE(lib);
    auto len = lib->find<std::size_t (*)(const char *)>("strlen");
    ASSERT_TRUE(len);
    EXPECT_EQ((*len)("awsio"), 5u);
}
