// Ports aws-c-io's tests/io_testing_channel_test.c (io_testing_channel), plus checks of the
// testing channel's helpers: data push/check, write completion, off-thread path, clean-up.
#include <awsio/testing/testing_channel.hpp>

#include <gtest/gtest.h>

#include <vector>

using namespace awsio;

TEST(io_testing_channel, io_testing_channel) {
    testing_channel tc;
    ASSERT_TRUE(tc.setup_completed());

    // A downstream handler, so the two handlers can pass messages to each other.
    ASSERT_FALSE(tc.install_downstream_handler(16 * 1024));

    // A read message pushed in at the left reaches the downstream handler.
    message_ptr read_msg =
        tc.get_channel().acquire_message_from_pool(io_message_type::application_data, 64);
    ASSERT_TRUE(read_msg);
    io_message *read_raw = read_msg.get();
    ASSERT_FALSE(tc.push_read_message(std::move(read_msg)));
    ASSERT_FALSE(tc.read_messages().empty());
    EXPECT_EQ(tc.read_messages().front().get(), read_raw);

    // A write message pushed in at the right reaches the upstream handler.
    message_ptr write_msg =
        tc.get_channel().acquire_message_from_pool(io_message_type::application_data, 64);
    ASSERT_TRUE(write_msg);
    io_message *write_raw = write_msg.get();
    ASSERT_FALSE(tc.push_write_message(std::move(write_msg)));
    ASSERT_FALSE(tc.written_messages().empty());
    EXPECT_EQ(tc.written_messages().front().get(), write_raw);

    // Window updates travel left through a channel task.
    tc.drain_queued_tasks();
    ASSERT_FALSE(tc.increment_read_window(12345));
    tc.drain_queued_tasks();
    EXPECT_EQ(tc.last_window_update(), 12345u);

    ASSERT_FALSE(tc.clean_up());
    EXPECT_TRUE(tc.is_shutdown_completed());
    EXPECT_FALSE(tc.shutdown_error_code());
}

TEST(io_testing_channel, data_helpers_round_trip) {
    testing_channel tc;
    ASSERT_FALSE(tc.install_downstream_handler(1024));
    // The downstream handler's initial window arrives through a task.
    EXPECT_EQ(tc.push_read_str("hello "), io_errc::channel_read_would_exceed_window);
    tc.drain_queued_tasks();

    ASSERT_FALSE(tc.push_read_str("hello "));
    ASSERT_FALSE(tc.push_read_str("world"));
    EXPECT_TRUE(tc.check_midchannel_read_messages("hello world"));
    EXPECT_TRUE(tc.read_messages().empty());

    ASSERT_FALSE(tc.push_write_str("abc"));
    ASSERT_FALSE(tc.push_write_str("def"));
    EXPECT_TRUE(tc.check_written_message("abc"));
    EXPECT_EQ(tc.drain_written_messages(), "def");
    EXPECT_FALSE(tc.check_written_message("anything")); // nothing left
}

TEST(io_testing_channel, read_beyond_window_is_refused) {
    testing_channel tc;
    ASSERT_FALSE(tc.install_downstream_handler(4));
    tc.drain_queued_tasks();

    EXPECT_EQ(tc.push_read_str("12345"), io_errc::channel_read_would_exceed_window);
    EXPECT_FALSE(tc.push_read_str_ignore_errors("12345"));
    EXPECT_TRUE(tc.read_messages().empty());
    ASSERT_FALSE(tc.push_read_str("1234"));
    EXPECT_EQ(tc.right_slot()->window_size(), 0u);
    EXPECT_EQ(tc.push_read_str("5"), io_errc::channel_read_would_exceed_window);

    ASSERT_FALSE(tc.increment_read_window(1));
    tc.drain_queued_tasks();
    ASSERT_FALSE(tc.push_read_str("5"));
    EXPECT_TRUE(tc.check_midchannel_read_messages("12345"));
}

TEST(io_testing_channel, message_larger_than_a_fragment_is_refused) {
    testing_channel tc;
    ASSERT_FALSE(tc.install_downstream_handler(1 << 20));
    tc.drain_queued_tasks();
    std::vector<std::uint8_t> big(channel_max_fragment_size() + 1, 'x');
    EXPECT_EQ(tc.push_read_data(big), common_errc::short_buffer);
}

TEST(io_testing_channel, written_messages_complete) {
    testing_channel tc;
    ASSERT_FALSE(tc.install_downstream_handler(1024));

    std::vector<std::error_code> completions;
    auto send = [&] {
        message_ptr msg = tc.get_channel().acquire_message_from_pool(io_message_type::application_data, 8);
        msg->on_completion = [&completions](std::error_code ec) { completions.push_back(ec); };
        return tc.push_write_message(std::move(msg));
    };

    ASSERT_FALSE(send());
    ASSERT_EQ(completions.size(), 1u);
    EXPECT_FALSE(completions[0]);

    tc.complete_written_messages_immediately(true, io_errc::socket_closed);
    ASSERT_FALSE(send());
    ASSERT_EQ(completions.size(), 2u);
    EXPECT_EQ(completions[1], io_errc::socket_closed);

    // Left pending: completed with socket_closed when the left handler shuts down writing.
    tc.complete_written_messages_immediately(false);
    ASSERT_FALSE(send());
    EXPECT_EQ(completions.size(), 2u);
    ASSERT_FALSE(tc.clean_up());
    ASSERT_EQ(completions.size(), 3u);
    EXPECT_EQ(completions[2], io_errc::socket_closed);
}

TEST(io_testing_channel, off_thread_tasks_wait_for_the_loop) {
    testing_channel tc;
    tc.drain_queued_tasks();

    std::vector<task_status> runs;
    channel_task t([&runs](task_status s) { runs.push_back(s); }, "off_thread");
    tc.set_is_on_users_thread(false);
    tc.get_channel().schedule_task_now(t);
    EXPECT_TRUE(t.is_pending());
    EXPECT_TRUE(runs.empty());
    tc.set_is_on_users_thread(true);
    tc.drain_queued_tasks();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0], task_status::run_ready);
    EXPECT_FALSE(t.is_pending());
}

TEST(io_testing_channel, future_tasks_follow_the_manual_clock) {
    testing_channel tc;
    tc.drain_queued_tasks();

    int runs = 0;
    channel_task t([&runs](task_status s) { runs += s == task_status::run_ready ? 1 : 100; });
    tc.get_channel().schedule_task_future(t, 5000);
    tc.drain_queued_tasks();
    EXPECT_EQ(runs, 0);
    tc.loop().set_time(4999);
    tc.drain_queued_tasks();
    EXPECT_EQ(runs, 0);
    tc.loop().advance_time(1);
    tc.drain_queued_tasks();
    EXPECT_EQ(runs, 1);
}

TEST(io_testing_channel, downstream_shutdown_callback_sees_both_directions) {
    testing_channel tc;
    EXPECT_EQ(tc.set_downstream_handler_shutdown_callback(nullptr), common_errc::invalid_state);
    ASSERT_FALSE(tc.install_downstream_handler(1024));
    std::vector<channel_direction> dirs;
    ASSERT_FALSE(tc.set_downstream_handler_shutdown_callback(
        [&dirs](channel_direction dir, std::error_code, bool) { dirs.push_back(dir); }));
    int shutdown_calls = 0;
    tc.set_channel_shutdown_callback([&shutdown_calls](std::error_code) { ++shutdown_calls; });

    ASSERT_FALSE(tc.get_channel().shutdown(io_errc::socket_closed));
    tc.drain_queued_tasks();
    ASSERT_EQ(dirs.size(), 2u);
    EXPECT_EQ(dirs[0], channel_direction::read);
    EXPECT_EQ(dirs[1], channel_direction::write);
    EXPECT_TRUE(tc.is_shutdown_completed());
    EXPECT_EQ(tc.shutdown_error_code(), io_errc::socket_closed);
    ASSERT_FALSE(tc.clean_up());
    EXPECT_EQ(shutdown_calls, 1);
}
