// Ports aws-c-io's tests/alpn_handler_test.c (alpn_successfully_negotiates,
// alpn_no_protocol_message, alpn_error_creating_handler) onto the testing channel, plus checks
// that the installed handler receives the reads that follow and that writes pass through.
#include <awsio/testing/testing_channel.hpp>
#include <awsio/tls/alpn.hpp>
#include <awsio/tls/channel_handler.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

using namespace awsio;

namespace {

struct negotiation_args {
    channel_slot *new_slot = nullptr;
    channel_handler *new_handler = nullptr;
    std::string protocol;
    int calls = 0;
};

// The callback of the aws-c-io test: records what it was given and returns a fresh handler.
tls::on_protocol_negotiated_fn successful_negotiation(negotiation_args &args) {
    return [&args](channel_slot &new_slot, std::string_view protocol) -> std::unique_ptr<channel_handler> {
        ++args.calls;
        auto handler = std::make_unique<testing_channel_handler>(16 * 1024);
        args.new_handler = handler.get();
        args.new_slot = &new_slot;
        args.protocol.assign(protocol);
        return handler;
    };
}

tls::on_protocol_negotiated_fn failed_negotiation(negotiation_args &args) {
    return [&args](channel_slot &, std::string_view) -> std::unique_ptr<channel_handler> {
        ++args.calls;
        return nullptr;
    };
}

// Puts an ALPN handler at the end of the testing channel and lets its window arrive.
channel_slot &install_alpn(testing_channel &tc, tls::on_protocol_negotiated_fn fn) {
    channel_slot &slot = tc.get_channel().new_slot();
    EXPECT_FALSE(tc.get_channel().insert_end(slot));
    EXPECT_FALSE(slot.set_handler(tls::new_alpn_handler(std::move(fn))));
    tc.drain_queued_tasks();
    return slot;
}

} // namespace

TEST(alpn_handler, alpn_successfully_negotiates) {
    testing_channel tc;
    negotiation_args args;
    channel_slot &alpn_slot = install_alpn(tc, successful_negotiation(args));
    ASSERT_EQ(tc.left_slot().adj_right(), &alpn_slot);

    message_ptr msg = tls::make_negotiated_protocol_message(tc.get_channel(), "h2");
    EXPECT_EQ(msg->message_tag, tls::negotiated_protocol_message_tag);
    EXPECT_EQ(tls::negotiated_protocol(*msg), "h2");
    ASSERT_FALSE(tc.push_read_message(std::move(msg)));

    // The new slot took the ALPN slot's place, holding the handler the callback returned.
    EXPECT_EQ(args.calls, 1);
    ASSERT_NE(args.new_slot, nullptr);
    EXPECT_EQ(tc.left_slot().adj_right(), args.new_slot);
    EXPECT_EQ(args.new_slot->adj_left(), &tc.left_slot());
    EXPECT_EQ(args.new_slot->handler(), args.new_handler);
    EXPECT_EQ(args.new_slot->adj_right(), nullptr);
    EXPECT_EQ(args.protocol, "h2");

    ASSERT_FALSE(tc.clean_up());
    EXPECT_TRUE(tc.is_shutdown_completed());
    EXPECT_FALSE(tc.shutdown_error_code());
}

TEST(alpn_handler, alpn_no_protocol_message) {
    testing_channel tc;
    negotiation_args args;
    channel_slot &alpn_slot = install_alpn(tc, successful_negotiation(args));

    // Ordinary data (tag 0) where the protocol message must come first.
    EXPECT_EQ(tc.push_read_str("h2"), io_errc::missing_alpn_message);
    EXPECT_EQ(args.calls, 0);
    EXPECT_EQ(tc.left_slot().adj_right(), &alpn_slot);

    ASSERT_FALSE(tc.clean_up());
    EXPECT_TRUE(tc.is_shutdown_completed());
}

TEST(alpn_handler, alpn_error_creating_handler) {
    testing_channel tc;
    negotiation_args args;
    channel_slot &alpn_slot = install_alpn(tc, failed_negotiation(args));

    EXPECT_EQ(tc.push_read_message(tls::make_negotiated_protocol_message(tc.get_channel(), "h2")),
              io_errc::unhandled_alpn_protocol_message);
    EXPECT_EQ(args.calls, 1);
    // Nothing changed: the ALPN handler is still in place and the unused slot is gone.
    EXPECT_EQ(tc.left_slot().adj_right(), &alpn_slot);
    EXPECT_EQ(alpn_slot.adj_right(), nullptr);

    ASSERT_FALSE(tc.clean_up());
    EXPECT_TRUE(tc.is_shutdown_completed());
}

TEST(alpn_handler, alpn_without_callback_is_unhandled) {
    testing_channel tc;
    install_alpn(tc, nullptr);
    EXPECT_EQ(tc.push_read_message(tls::make_negotiated_protocol_message(tc.get_channel(), "http/1.1")),
              io_errc::unhandled_alpn_protocol_message);
    ASSERT_FALSE(tc.clean_up());
}

TEST(alpn_handler, alpn_installed_handler_receives_following_reads) {
    testing_channel tc;
    negotiation_args args;
    install_alpn(tc, successful_negotiation(args));
    ASSERT_FALSE(tc.push_read_message(tls::make_negotiated_protocol_message(tc.get_channel(), "http/1.1")));
    EXPECT_EQ(args.protocol, "http/1.1");
    tc.drain_queued_tasks(); // the new handler's initial window

    ASSERT_FALSE(tc.push_read_str("GET / HTTP/1.1\r\n"));
    auto *app = dynamic_cast<testing_channel_handler *>(args.new_handler);
    ASSERT_NE(app, nullptr);
    ASSERT_EQ(app->messages().size(), 1u);
    EXPECT_EQ(testing_channel::drain_messages(app->messages()), "GET / HTTP/1.1\r\n");

    ASSERT_FALSE(tc.clean_up());
    EXPECT_FALSE(tc.shutdown_error_code());
}

TEST(alpn_handler, alpn_passes_writes_through) {
    testing_channel tc;
    negotiation_args args;
    channel_slot &alpn_slot = install_alpn(tc, successful_negotiation(args));

    message_ptr msg = tc.get_channel().acquire_message_from_pool(io_message_type::application_data, 8);
    ASSERT_FALSE(msg->message_data.append(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t *>("ping"), 4)));
    ASSERT_FALSE(alpn_slot.handler()->process_write_message(alpn_slot, std::move(msg)));
    EXPECT_TRUE(tc.check_written_message("ping"));

    ASSERT_FALSE(tc.clean_up());
}

TEST(alpn_handler, negotiated_protocol_of_other_messages_is_empty) {
    testing_channel tc;
    message_ptr msg = tc.get_channel().acquire_message_from_pool(io_message_type::application_data, 8);
    ASSERT_FALSE(msg->message_data.append(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t *>("h2"), 2)));
    EXPECT_EQ(tls::negotiated_protocol(*msg), "");
    msg.reset();
    ASSERT_FALSE(tc.clean_up());
}
