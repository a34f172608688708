// testing_channel.cpp — the recording handler and the testing channel built on the fake loop.
#include <awsio/logging.hpp>
#include <awsio/testing/testing_channel.hpp>

namespace awsio {

namespace {

constexpr std::size_t left_handler_initial_window = 16 * 1024;

std::span<const std::uint8_t> as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t *>(s.data()), s.size()};
}

} // namespace

// ---------------------------------------------------------------------------------------------
// testing_channel_handler

testing_channel_handler::testing_channel_handler(std::size_t initial_window)
    : initial_window_(initial_window) {}

testing_channel_handler::~testing_channel_handler() = default;

std::error_code testing_channel_handler::process_read_message(channel_slot &slot,
                                                              message_ptr &&msg) {
    (void)slot;
    messages_.push_back(std::move(msg));
    return {};
}

std::error_code testing_channel_handler::process_write_message(channel_slot &slot,
                                                               message_ptr &&msg) {
    io_message &m = *msg;
    messages_.push_back(std::move(msg));
    // Only the left-most handler plays the socket, which is what completes writes.
    if (m.on_completion && slot.adj_left() == nullptr && complete_write_immediately_) {
        unique_function<void(std::error_code)> done = std::move(m.on_completion);
        m.on_completion = nullptr;
        done(complete_write_error_);
    }
    return {};
}

std::error_code testing_channel_handler::increment_read_window(channel_slot &slot,
                                                               std::size_t size) {
    (void)slot;
    latest_window_update_ = size;
    return {};
}

std::error_code testing_channel_handler::shutdown(channel_slot &slot, channel_direction dir,
                                                  std::error_code error,
                                                  bool free_scarce_resources_immediately) {
    if (on_shutdown_) {
        on_shutdown_(dir, error, free_scarce_resources_immediately);
    }
    if (dir == channel_direction::write && slot.adj_left() == nullptr) {
        // Writes still waiting for their completion will never reach the (pretend) socket.
        for (message_ptr &m : messages_) {
            if (m && m->on_completion) {
                unique_function<void(std::error_code)> done = std::move(m->on_completion);
                m->on_completion = nullptr;
                done(io_errc::socket_closed);
            }
        }
    }
    return slot.on_handler_shutdown_complete(dir, error, free_scarce_resources_immediately);
}

// ---------------------------------------------------------------------------------------------
// testing_channel

testing_channel::testing_channel(testing_channel_options options)
    : loop_(std::make_unique<testing_event_loop>(std::move(options.clock))) {
    channel_options args;
    args.loop = loop_.get();
    args.enable_read_back_pressure = true;
    args.on_setup_completed = [this](channel &, std::error_code ec) {
        setup_completed_ = !ec;
    };
    args.on_shutdown_completed = [this](channel &, std::error_code ec) {
        shutdown_completed_ = true;
        shutdown_error_ = ec;
        if (on_channel_shutdown_) {
            on_channel_shutdown_(ec);
        }
    };
    // Both arguments are set, so creation cannot fail.
    channel_ = std::move(channel::create(std::move(args))).value();
    loop_->drain_tasks();
    if (!setup_completed_) {
        AWSIO_LOGF_ERROR(log_subject::channel, "testing channel: setup did not complete");
    }

    left_slot_ = &channel_->new_slot();
    auto handler = std::make_unique<testing_channel_handler>(left_handler_initial_window);
    left_handler_ = handler.get();
    (void)left_slot_->set_handler(std::move(handler));
}

testing_channel::~testing_channel() { (void)clean_up(); }

std::error_code testing_channel::clean_up() {
    if (cleaned_up_) {
        return {};
    }
    cleaned_up_ = true;
    loop_->set_on_callers_thread(true);
    (void)channel_->shutdown({});
    loop_->drain_tasks();
    std::error_code result;
    if (!shutdown_completed_) {
        AWSIO_LOGF_ERROR(log_subject::channel, "testing channel: shutdown did not complete");
        result = common_errc::invalid_state;
    }
    // On the (simulated) loop thread the channel is freed right here, handlers included; a
    // channel whose shutdown is stuck is kept by its pending tasks until the loop cancels them.
    channel_.reset();
    left_slot_ = nullptr;
    left_handler_ = nullptr;
    right_slot_ = nullptr;
    right_handler_ = nullptr;
    loop_.reset();
    return result;
}

std::error_code testing_channel::install_downstream_handler(std::size_t initial_window) {
    if (right_slot_ != nullptr) {
        return common_errc::invalid_state;
    }
    channel_slot &slot = channel_->new_slot();
    if (std::error_code ec = channel_->insert_end(slot)) {
        (void)slot.remove();
        return ec;
    }
    auto handler = std::make_unique<testing_channel_handler>(initial_window);
    testing_channel_handler *raw = handler.get();
    if (std::error_code ec = slot.set_handler(std::move(handler))) {
        return ec;
    }
    right_slot_ = &slot;
    right_handler_ = raw;
    return {};
}

std::error_code testing_channel::push_read_message(message_ptr &&msg) {
    return left_slot_->send_message(std::move(msg), channel_direction::read);
}

std::error_code testing_channel::push_write_message(message_ptr &&msg) {
    if (right_slot_ == nullptr) {
        return common_errc::invalid_state;
    }
    return right_slot_->send_message(std::move(msg), channel_direction::write);
}

std::deque<message_ptr> &testing_channel::written_messages() noexcept {
    return left_handler_->messages();
}

std::deque<message_ptr> &testing_channel::read_messages() noexcept {
    return right_handler_ != nullptr ? right_handler_->messages() : no_messages_;
}

void testing_channel::complete_written_messages_immediately(bool complete,
                                                            std::error_code error) noexcept {
    left_handler_->set_complete_write_immediately(complete, error);
}

std::size_t testing_channel::last_window_update() const noexcept {
    return left_handler_->latest_window_update();
}

std::error_code testing_channel::increment_read_window(std::size_t size) {
    if (right_slot_ == nullptr) {
        return common_errc::invalid_state;
    }
    return right_slot_->increment_read_window(size);
}

void testing_channel::run_currently_queued_tasks() { loop_->run_tasks(); }

void testing_channel::drain_queued_tasks() { loop_->drain_tasks(); }

void testing_channel::set_is_on_users_thread(bool on_users_thread) noexcept {
    loop_->set_on_callers_thread(on_users_thread);
}

std::error_code testing_channel::set_downstream_handler_shutdown_callback(testing_shutdown_fn fn) {
    if (right_handler_ == nullptr) {
        return common_errc::invalid_state;
    }
    right_handler_->set_on_shutdown(std::move(fn));
    return {};
}

std::error_code testing_channel::send_data(std::span<const std::uint8_t> data,
                                           channel_direction dir, bool ignore_errors) {
    message_ptr msg =
        channel_->acquire_message_from_pool(io_message_type::application_data, data.size());
    if (std::error_code ec = msg->message_data.append(data)) {
        return ec;
    }
    std::error_code ec = dir == channel_direction::read ? push_read_message(std::move(msg))
                                                        : push_write_message(std::move(msg));
    // On failure msg still owns the message and frees it here.
    return ignore_errors ? std::error_code{} : ec;
}

std::error_code testing_channel::push_read_data(std::span<const std::uint8_t> data) {
    return send_data(data, channel_direction::read);
}

std::error_code testing_channel::push_read_str(std::string_view str) {
    return send_data(as_bytes(str), channel_direction::read);
}

std::error_code testing_channel::push_read_str_ignore_errors(std::string_view str) {
    return send_data(as_bytes(str), channel_direction::read, true);
}

std::error_code testing_channel::push_write_data(std::span<const std::uint8_t> data) {
    return send_data(data, channel_direction::write);
}

std::error_code testing_channel::push_write_str(std::string_view str) {
    return send_data(as_bytes(str), channel_direction::write);
}

std::string testing_channel::drain_messages(std::deque<message_ptr> &msgs) {
    std::string out;
    while (!msgs.empty()) {
        message_ptr m = std::move(msgs.front());
        msgs.pop_front();
        if (m) {
            auto bytes = m->message_data.span();
            out.append(reinterpret_cast<const char *>(bytes.data()), bytes.size());
        }
    }
    return out;
}

bool testing_channel::check_written_message(std::string_view expected) {
    std::deque<message_ptr> &msgs = written_messages();
    if (msgs.empty()) {
        return false;
    }
    message_ptr m = std::move(msgs.front());
    msgs.pop_front();
    if (!m) {
        return false;
    }
    auto bytes = m->message_data.span();
    return std::string_view(reinterpret_cast<const char *>(bytes.data()), bytes.size()) == expected;
}

bool testing_channel::check_written_messages(std::string_view expected) {
    return drain_written_messages() == expected;
}

bool testing_channel::check_midchannel_read_messages(std::string_view expected) {
    return drain_read_messages() == expected;
}

std::string testing_channel::drain_written_messages() { return drain_messages(written_messages()); }

std::string testing_channel::drain_read_messages() { return drain_messages(read_messages()); }

} // namespace awsio
