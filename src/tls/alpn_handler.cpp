// The ALPN handler: turns the TLS handler's negotiated_protocol message into the protocol's own
// handler, which takes the ALPN handler's place in the channel.
#include <awsio/logging.hpp>
#include <awsio/tls/alpn.hpp>

#include <limits>
#include <string>
#include <utility>

namespace awsio::tls {

namespace {

class alpn_handler final : public channel_handler {
public:
    explicit alpn_handler(on_protocol_negotiated_fn fn) : on_protocol_negotiated_(std::move(fn)) {}

    std::error_code process_read_message(channel_slot &slot, message_ptr &&msg) override {
        if (!msg || msg->message_tag != negotiated_protocol_message_tag) {
            AWSIO_LOGF_ERROR(log_subject::tls, "id=%p: the first read message is not the negotiated protocol",
                             static_cast<void *>(this));
            return io_errc::missing_alpn_message;
        }
        // The message is consumed here, before this handler's slot goes away.
        const std::string protocol(negotiated_protocol(*msg));
        msg.reset();
        channel &ch = slot.owner();
        channel_slot &new_slot = ch.new_slot();
        std::unique_ptr<channel_handler> next;
        if (on_protocol_negotiated_) {
            next = on_protocol_negotiated_(new_slot, protocol);
        }
        if (!next) {
            AWSIO_LOGF_ERROR(log_subject::tls, "id=%p: no handler for the negotiated protocol \"%.*s\"",
                             static_cast<void *>(this), static_cast<int>(protocol.size()), protocol.data());
            (void)new_slot.remove();
            return io_errc::unhandled_alpn_protocol_message;
        }
        AWSIO_LOGF_DEBUG(log_subject::tls, "id=%p: installing the handler for \"%.*s\"", static_cast<void *>(this),
                         static_cast<int>(protocol.size()), protocol.data());
        // replace() destroys this handler together with its slot: touch no member afterwards.
        (void)slot.replace(new_slot);
        return new_slot.set_handler(std::move(next));
    }

    // Application writes before the protocol handler exists go straight on towards the network.
    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override {
        return slot.send_message(std::move(msg), channel_direction::write);
    }

    // The window is unlimited (SIZE_MAX): nothing to pass on.
    std::error_code increment_read_window(channel_slot &, std::size_t) override { return {}; }

    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code error,
                             bool free_scarce_resources_immediately) override {
        return slot.on_handler_shutdown_complete(dir, error, free_scarce_resources_immediately);
    }

    [[nodiscard]] std::size_t initial_window_size() const override { return std::numeric_limits<std::size_t>::max(); }
    [[nodiscard]] std::size_t message_overhead() const override { return 0; }

private:
    on_protocol_negotiated_fn on_protocol_negotiated_;
};

} // namespace

std::unique_ptr<channel_handler> new_alpn_handler(on_protocol_negotiated_fn on_protocol_negotiated) {
    return std::make_unique<alpn_handler>(std::move(on_protocol_negotiated));
}

} // namespace awsio::tls
