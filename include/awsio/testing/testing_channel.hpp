// awsio/testing/testing_channel.hpp — a channel on a fake loop for unit-testing channel
// handlers (aws-c-io's include/aws/testing/io_testing_channel.h). No threads, no sockets: the
// test pushes messages in, drives tasks by hand and inspects what came out.
//
// Layout: [left recording handler] <-> [handler(s) under test] <-> [optional right recording
// handler]. The left handler stands in for the socket: it records every write message that
// reaches it (and completes it, by default successfully) and the latest window update it was
// granted. The right handler, installed with install_downstream_handler, stands in for the
// application: it records every read message and lets the test grant read window.
//
//     awsio::testing_channel tc;
//     auto &slot = tc.get_channel().new_slot();
//     tc.get_channel().insert_end(slot);
//     slot.set_handler(std::make_unique<my_handler>());
//     tc.install_downstream_handler(16 * 1024);
//     tc.push_read_str("hello");
//     tc.drain_queued_tasks();
//     EXPECT_TRUE(tc.check_midchannel_read_messages("hello"));
//
// Threading: use it from one thread. Read back-pressure is on.
#pragma once

#include <awsio/channel.hpp>
#include <awsio/export.hpp>
#include <awsio/message_pool.hpp>
#include <awsio/statistics.hpp>
#include <awsio/testing/testing_event_loop.hpp>
#include <awsio/unique_function.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace awsio {

/// Called by a testing_channel_handler each time it is asked to shut down a direction, before
/// it completes (aws testing_channel_handler_on_shutdown_fn).
using testing_shutdown_fn =
    unique_function<void(channel_direction dir, std::error_code error, bool free_scarce_resources_immediately)>;

/// The recording handler at either end of a testing_channel. Usable on its own in any channel.
class AWSIO_API testing_channel_handler final : public channel_handler {
public:
    explicit testing_channel_handler(std::size_t initial_window);
    ~testing_channel_handler() override;

    /// Queues the message (takes it).
    std::error_code process_read_message(channel_slot &slot, message_ptr &&msg) override;
    /// Queues the message (takes it). In the left-most slot, with complete_immediately on (the
    /// default), calls its on_completion with the configured error and clears it.
    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override;
    /// Records size as the latest window update.
    std::error_code increment_read_window(channel_slot &slot, std::size_t size) override;
    /// Calls the on_shutdown callback if set; in the write direction a left-most handler then
    /// completes every queued message still carrying an on_completion with
    /// io_errc::socket_closed. Completes the shutdown synchronously.
    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code error,
                             bool free_scarce_resources_immediately) override;
    [[nodiscard]] std::size_t initial_window_size() const override { return initial_window_; }
    [[nodiscard]] std::size_t message_overhead() const override { return 0; }
    void reset_statistics() override { stats_.reset(); }
    void gather_statistics(std::vector<statistics_base *> &stats) override { stats.push_back(&stats_); }

    /// Messages received, oldest first. The test may pop (and so own) them.
    [[nodiscard]] std::deque<message_ptr> &messages() noexcept { return messages_; }
    [[nodiscard]] std::size_t latest_window_update() const noexcept { return latest_window_update_; }
    void set_complete_write_immediately(bool complete, std::error_code error = {}) noexcept {
        complete_write_immediately_ = complete;
        complete_write_error_ = error;
    }
    void set_on_shutdown(testing_shutdown_fn fn) noexcept { on_shutdown_ = std::move(fn); }
    [[nodiscard]] socket_statistics &statistics() noexcept { return stats_; }

private:
    std::deque<message_ptr> messages_;
    std::size_t latest_window_update_ = 0;
    std::size_t initial_window_;
    bool complete_write_immediately_ = true;
    std::error_code complete_write_error_;
    testing_shutdown_fn on_shutdown_;
    socket_statistics stats_;
};

/// Options for a testing_channel (aws_testing_channel_options).
struct testing_channel_options {
    /// Clock for the fake loop; empty = its manual clock (testing_event_loop::set_time).
    clock_fn clock;
};

/// The testing channel (aws-c-io's struct testing_channel and its testing_channel_* helpers).
/// Construction creates the loop and the channel, runs setup and installs the left recording
/// handler (initial window 16 KiB). Destruction (or clean_up) shuts the channel down, drains
/// the tasks, frees the channel and then the loop. Neither copyable nor movable.
class AWSIO_API testing_channel {
public:
    explicit testing_channel(testing_channel_options options = {});
    ~testing_channel();
    testing_channel(const testing_channel &) = delete;
    testing_channel &operator=(const testing_channel &) = delete;

    [[nodiscard]] channel &get_channel() const noexcept { return *channel_; }
    [[nodiscard]] const std::shared_ptr<channel> &channel_ptr() const noexcept { return channel_; }
    [[nodiscard]] testing_event_loop &loop() const noexcept { return *loop_; }
    [[nodiscard]] bool setup_completed() const noexcept { return setup_completed_; }

    [[nodiscard]] channel_slot &left_slot() const noexcept { return *left_slot_; }
    [[nodiscard]] testing_channel_handler &left_handler() const noexcept { return *left_handler_; }
    /// Null until install_downstream_handler.
    [[nodiscard]] channel_slot *right_slot() const noexcept { return right_slot_; }
    [[nodiscard]] testing_channel_handler *right_handler() const noexcept { return right_handler_; }

    /// Installs the right recording handler at the end of the channel. Twice ->
    /// common_errc::invalid_state.
    std::error_code install_downstream_handler(std::size_t initial_window);

    /// Sends msg right from the left slot, as a socket would (ownership as
    /// channel_slot::send_message).
    std::error_code push_read_message(message_ptr &&msg);
    /// Sends msg left from the right slot, as an application would. No downstream handler ->
    /// common_errc::invalid_state.
    std::error_code push_write_message(message_ptr &&msg);
    /// Messages written out of the left end, oldest first.
    [[nodiscard]] std::deque<message_ptr> &written_messages() noexcept;
    /// Messages read into the right handler (empty without a downstream handler).
    [[nodiscard]] std::deque<message_ptr> &read_messages() noexcept;
    /// Whether written messages are completed at once (default yes, with no error).
    void complete_written_messages_immediately(bool complete, std::error_code error = {}) noexcept;
    /// The latest window update the left handler received.
    [[nodiscard]] std::size_t last_window_update() const noexcept;
    /// Grants read window from the right slot (as an application would). No downstream handler
    /// -> common_errc::invalid_state.
    std::error_code increment_read_window(std::size_t size);

    /// Runs the tasks due now, once (testing_channel_run_currently_queued_tasks).
    void run_currently_queued_tasks();
    /// Runs tasks until only future ones remain (testing_channel_drain_queued_tasks).
    void drain_queued_tasks();
    /// Simulate calls from outside the loop thread (false) or from it (true, the default).
    void set_is_on_users_thread(bool on_users_thread) noexcept;

    /// Whether on_shutdown_completed ran, and with which error.
    [[nodiscard]] bool is_shutdown_completed() const noexcept { return shutdown_completed_; }
    [[nodiscard]] std::error_code shutdown_error_code() const noexcept { return shutdown_error_; }
    /// Called from the channel's on_shutdown_completed.
    void set_channel_shutdown_callback(unique_function<void(std::error_code)> fn) noexcept {
        on_channel_shutdown_ = std::move(fn);
    }
    /// Injects actions into the right handler's shutdown (read and write). No downstream
    /// handler -> common_errc::invalid_state.
    std::error_code set_downstream_handler_shutdown_callback(testing_shutdown_fn fn);

    /// Shuts down with no error, drains tasks and frees channel and loop. The shutdown did not
    /// complete -> common_errc::invalid_state (the channel and loop are freed anyway). Calling
    /// it again does nothing; nothing but the shutdown state may be used afterwards.
    std::error_code clean_up();

    /// Copies data into a pool message and sends it read (from the left) or write (from the
    /// right). Larger than one message -> common_errc::short_buffer. With ignore_errors a send
    /// failure is swallowed (the message is freed) and success returned.
    std::error_code send_data(std::span<const std::uint8_t> data, channel_direction dir,
                              bool ignore_errors = false);
    std::error_code push_read_data(std::span<const std::uint8_t> data);
    std::error_code push_read_str(std::string_view str);
    std::error_code push_read_str_ignore_errors(std::string_view str);
    std::error_code push_write_data(std::span<const std::uint8_t> data);
    std::error_code push_write_str(std::string_view str);

    /// Pops the oldest written message and compares its bytes with expected. False when there
    /// is none or it differs.
    [[nodiscard]] bool check_written_message(std::string_view expected);
    /// Pops every written message and compares their concatenated bytes with expected.
    [[nodiscard]] bool check_written_messages(std::string_view expected);
    /// Pops every message read into the right handler and compares their concatenation.
    [[nodiscard]] bool check_midchannel_read_messages(std::string_view expected);
    /// Pops every written / read message and returns their concatenated bytes.
    std::string drain_written_messages();
    std::string drain_read_messages();
    /// Pops every message of msgs and returns their concatenated bytes.
    static std::string drain_messages(std::deque<message_ptr> &msgs);

private:
    std::unique_ptr<testing_event_loop> loop_;
    std::shared_ptr<channel> channel_;
    channel_slot *left_slot_ = nullptr;
    testing_channel_handler *left_handler_ = nullptr;
    channel_slot *right_slot_ = nullptr;
    testing_channel_handler *right_handler_ = nullptr;
    std::deque<message_ptr> no_messages_;
    unique_function<void(std::error_code)> on_channel_shutdown_;
    bool setup_completed_ = false;
    bool shutdown_completed_ = false;
    std::error_code shutdown_error_;
    bool cleaned_up_ = false;
};

} // namespace awsio
