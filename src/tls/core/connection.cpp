// tls/core/connection.cpp — the sans-IO driver under tls::connection: record framing and
// protection, the handshake message splitter, alerts, close_notify, application data and the
// handshake_output the state machines talk to. It decides nothing about the handshake itself.
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include "tls/codec/tls_error.hpp"
#include "tls/handshake/common.hpp"
#include "tls/record/deframer.hpp"
#include "tls/record/fragmenter.hpp"
#include "tls/record/record_protection.hpp"

#include <awsio/error.hpp>
#include <awsio/logging.hpp>

#include <algorithm>
#include <cstring>
#include <utility>

namespace awsio::tls {

namespace {

using codec::content_type;
using codec::protocol_version;

/// Compatibility change_cipher_spec records dropped before we give up (RFC 8446 5 says drop
/// them; a bound stops a peer from keeping us busy with them forever).
constexpr int max_compat_ccs = 8;

std::string version_string(protocol_version v) {
    switch (v) {
    case protocol_version::tls13:
        return "TLSv1.3";
    case protocol_version::tls12:
        return "TLSv1.2";
    case protocol_version::tls11:
        return "TLSv1.1";
    case protocol_version::tls10:
        return "TLSv1";
    default:
        return "unknown";
    }
}

} // namespace

struct connection::impl final : handshake_output {
    std::shared_ptr<const context> ctx;
    std::shared_ptr<const handshake_config> cfg;
    bool server = false;
    std::unique_ptr<handshake_machine> machine;

    record::deframer deframer{record::max_tls13_ciphertext_length};
    codec::handshake_splitter splitter;
    record::fragmenter fragmenter;
    std::unique_ptr<record::record_protection> read_protection;
    std::unique_ptr<record::record_protection> write_protection;
    std::optional<protocol_version> version;
    // legacy_record_version of what we send: 0x0301 for a client's first ClientHello (RFC 8446
    // 5.1 allows it and old middleboxes expect it), 0x0303 otherwise.
    std::uint16_t record_version = 0x0303;

    std::vector<std::uint8_t> out;
    std::size_t out_begin = 0;
    std::vector<std::uint8_t> plain;
    std::size_t plain_begin = 0;

    std::error_code error;
    bool started = false;
    bool connected = false;
    bool peer_closed = false;
    bool closed = false;
    int compat_ccs_seen = 0;
    std::size_t early_data_budget = 0;
    bool skip_plain_application_data = false;
    std::uint64_t key_updates_sent = 0;
    std::uint64_t key_updates_received = 0;
    std::uint64_t write_record_limit_override = 0;
    negotiated_parameters negotiated;

    // ---- handshake_output -----------------------------------------------------------------

    void send_handshake(bytes_view message) override {
        if (message.size() > 0 && static_cast<codec::handshake_type>(message[0]) == codec::handshake_type::key_update) {
            ++key_updates_sent;
        }
        emit(content_type::handshake, message);
        // RFC 8446 5.1: 0x0301 is for the initial ClientHello only; everything after it
        // (a change_cipher_spec, the ClientHello answering a HelloRetryRequest) says 0x0303.
        record_version = 0x0303;
    }

    void send_change_cipher_spec() override {
        static constexpr std::uint8_t one = 1;
        emit_plaintext(content_type::change_cipher_spec, bytes_view(&one, 1));
    }

    result<void> set_read_protection(std::unique_ptr<record::record_protection> p) override {
        // RFC 8446 5.1: handshake messages must not span a key change, and a key change must
        // come at a record boundary.
        if (splitter.has_partial()) {
            return unexpected(errc::unexpected_message);
        }
        read_protection = std::move(p);
        return {};
    }

    void set_write_protection(std::unique_ptr<record::record_protection> p) override {
        write_protection = std::move(p);
        if (write_protection && write_record_limit_override != 0) {
            write_protection->set_record_limit(write_record_limit_override);
        }
    }

    void set_version(protocol_version v) override {
        version = v;
        record_version = 0x0303;
        deframer.set_max_length(v == protocol_version::tls13 ? record::max_tls13_ciphertext_length
                                                             : record::max_tls12_ciphertext_length);
    }

    result<void> set_peer_record_size_limit(std::uint16_t limit) override {
        return fragmenter.apply_record_size_limit(limit, version.value_or(protocol_version::tls13) ==
                                                             protocol_version::tls13);
    }

    void skip_early_data(std::size_t max_bytes, bool after_hrr) override {
        early_data_budget = max_bytes;
        skip_plain_application_data = after_hrr;
    }

    void handshake_complete(handshake_summary s) override {
        connected = true;
        negotiated.version = version_string(s.version);
        negotiated.cipher_suite = std::string(suite_name(s.suite));
        negotiated.group = s.group ? std::string(group_name(*s.group)) : std::string();
        negotiated.alpn = std::move(s.alpn);
        negotiated.server_name = std::move(s.server_name);
        negotiated.peer_signature_scheme =
            s.peer_signature_scheme ? std::string(scheme_name(*s.peer_signature_scheme)) : std::string();
        negotiated.peer_certificates = std::move(s.peer_chain);
        negotiated.peer_verified = s.peer_verified;
        negotiated.resumed = s.resumed;
        negotiated.hello_retry = s.hello_retry;
        AWSIO_LOGF_DEBUG(log_subject::tls, "%s handshake complete: %s %s %s alpn='%s'%s", server ? "server" : "client",
                         negotiated.version.c_str(), negotiated.cipher_suite.c_str(), negotiated.group.c_str(),
                         negotiated.alpn.c_str(), negotiated.resumed ? " (resumed)" : "");
    }

    void log_secret(std::string_view label, bytes_view client_random, bytes_view secret) override {
        if (cfg->key_log) {
            cfg->key_log(label, client_random, secret);
        }
    }

    // ---- output ---------------------------------------------------------------------------

    void compact_output() {
        if (out_begin == out.size()) {
            out.clear();
            out_begin = 0;
        }
    }

    void emit_plaintext(content_type type, bytes_view data) {
        compact_output();
        const std::size_t at = out.size();
        out.resize(at + fragmenter.plaintext_records_size(data.size()));
        auto written = fragmenter.write_plaintext_records(type, record_version, data,
                                                          std::span<std::uint8_t>(out).subspan(at));
        out.resize(written ? at + *written : at);
    }

    /// Seals `data` as records of `type` appended to out (protected when keys are installed).
    void emit(content_type type, bytes_view data) {
        if (!write_protection) {
            emit_plaintext(type, data);
            return;
        }
        compact_output();
        bytes_view remaining = data;
        do {
            auto frag = fragmenter.next_fragment(remaining);
            const std::size_t at = out.size();
            const std::size_t size = write_protection->sealed_size(frag.size());
            out.resize(at + size);
            auto record = std::span<std::uint8_t>(out).subspan(at, size);
            if (!frag.empty()) {
                std::memcpy(record.data() + write_protection->prefix_size(), frag.data(), frag.size());
            }
            auto sealed = write_protection->seal(type, record, frag.size());
            if (!sealed) {
                out.resize(at);
                fail(sealed.error());
                return;
            }
        } while (!remaining.empty());
    }

    void send_alert(alert_level level, alert_description desc) override {
        const std::uint8_t body[2] = {static_cast<std::uint8_t>(level), static_cast<std::uint8_t>(desc)};
        if (write_protection) {
            emit(content_type::alert, bytes_view(body, 2));
        } else {
            emit_plaintext(content_type::alert, bytes_view(body, 2));
        }
    }

    /// Records a fatal error once and queues the alert we owe (none for alerts received).
    std::error_code fail(std::error_code ec) {
        if (error) {
            return error;
        }
        error = ec;
        AWSIO_LOGF_DEBUG(log_subject::tls, "%s connection failed: %s (%s)", server ? "server" : "client",
                         ec.message().c_str(), ec.category().name());
        if (ec.category() != peer_alert_category()) {
            send_alert(alert_level::fatal, verification_alert(ec));
        }
        return ec;
    }

    // ---- input ----------------------------------------------------------------------------

    result<void> deliver_handshake(bytes_view payload) {
        if (payload.empty()) {
            return unexpected(errc::unexpected_message); // RFC 8446 5.1: no empty handshake fragments
        }
        if (auto ec = splitter.feed(payload)) {
            return unexpected(ec);
        }
        for (;;) {
            auto msg = splitter.pop();
            if (!msg) {
                return unexpected(msg.error());
            }
            if (!*msg) {
                return {};
            }
            if ((*msg)->type == codec::handshake_type::key_update) {
                ++key_updates_received;
            }
            if (auto r = machine->handle(**msg, *this); !r) {
                return r;
            }
            if (error) {
                return unexpected(error);
            }
        }
    }

    result<void> deliver_alert(bytes_view payload) {
        if (payload.size() != 2) {
            return unexpected(errc::decode_error);
        }
        const auto level = payload[0];
        const auto desc = payload[1];
        if (desc == static_cast<std::uint8_t>(alert_description::close_notify)) {
            peer_closed = true;
            if (!connected) {
                // The peer gave up before the handshake finished: a failed negotiation, not
                // the end of a stream.
                error = make_error_code(errc::handshake_failure);
                return unexpected(error);
            }
            return {};
        }
        const bool tls13 = version.value_or(protocol_version::tls13) == protocol_version::tls13;
        // RFC 8446 6: in TLS 1.3 every alert but close_notify and user_canceled is fatal,
        // whatever its level says. TLS 1.2 warnings (no_renegotiation, ...) are ignored.
        if (desc == static_cast<std::uint8_t>(alert_description::user_canceled) ||
            (!tls13 && level == static_cast<std::uint8_t>(alert_level::warning))) {
            return {};
        }
        AWSIO_LOGF_DEBUG(log_subject::tls, "received fatal alert %s", std::string(alert_name(desc)).c_str());
        error = peer_alert_error(desc);
        return unexpected(error);
    }

    /// Handles one record; plaintext application data goes to `dst` (advancing `written`) and any
    /// excess to `plain`.
    result<void> handle_record(record::record_view &rec, std::span<std::uint8_t> dst, std::size_t &written) {
        content_type type = rec.type;
        std::span<std::uint8_t> payload = rec.fragment;

        if (type == content_type::change_cipher_spec) {
            if (version == protocol_version::tls12) {
                if (payload.size() != 1 || payload[0] != 1 || splitter.has_partial()) {
                    return unexpected(errc::unexpected_message);
                }
                return machine->handle_change_cipher_spec(*this);
            }
            // RFC 8446 5: one byte 0x01, unprotected, between the first ClientHello and the
            // peer's Finished: dropped. Anything else is unexpected_message.
            if (payload.size() != 1 || payload[0] != 1 || !machine->accepts_compat_ccs() ||
                ++compat_ccs_seen > max_compat_ccs) {
                return unexpected(errc::unexpected_message);
            }
            return {};
        }

        const bool plaintext_alert_allowed = type == content_type::alert && !connected;
        if (read_protection && !plaintext_alert_allowed) {
            if (type != content_type::application_data && version == protocol_version::tls13) {
                return unexpected(errc::unexpected_message);
            }
            if (type == content_type::application_data || version == protocol_version::tls12) {
                auto opened = read_protection->open(rec);
                if (!opened) {
                    // A refused 0-RTT flight is skipped (RFC 8446 4.2.10), within a budget.
                    if (early_data_budget > 0 && opened.error() == make_error_code(errc::bad_record_mac) &&
                        rec.fragment.size() <= early_data_budget) {
                        early_data_budget -= rec.fragment.size();
                        return {};
                    }
                    return unexpected(opened.error());
                }
                early_data_budget = 0;
                type = opened->type;
                payload = opened->content;
            }
        } else {
            if (type == content_type::application_data) {
                if (skip_plain_application_data && early_data_budget >= payload.size()) {
                    early_data_budget -= payload.size();
                    return {};
                }
                return unexpected(errc::unexpected_message);
            }
            if (payload.size() > record::max_plaintext_length) {
                return unexpected(errc::record_overflow);
            }
        }

        // No other content between the fragments of one handshake message (RFC 8446 5.1).
        if (type != content_type::handshake && splitter.has_partial()) {
            return unexpected(errc::unexpected_message);
        }

        switch (type) {
        case content_type::handshake:
            return deliver_handshake(payload);
        case content_type::alert:
            return deliver_alert(payload);
        case content_type::application_data: {
            if (!connected) {
                return unexpected(errc::unexpected_message);
            }
            const std::size_t n = std::min(payload.size(), dst.size() - written);
            if (n > 0) {
                std::memcpy(dst.data() + written, payload.data(), n);
                written += n;
            }
            if (n < payload.size()) {
                plain.assign(payload.begin() + static_cast<std::ptrdiff_t>(n), payload.end());
                plain_begin = 0;
            }
            return {};
        }
        default:
            return unexpected(errc::unexpected_message);
        }
    }

    result<std::size_t> read(std::span<std::uint8_t> dst) {
        if (error) {
            return unexpected(error);
        }
        std::size_t written = 0;
        if (plain_begin < plain.size()) {
            const std::size_t n = std::min(plain.size() - plain_begin, dst.size());
            std::memcpy(dst.data(), plain.data() + plain_begin, n);
            plain_begin += n;
            written = n;
            if (plain_begin == plain.size()) {
                plain.clear();
                plain_begin = 0;
            }
        }
        while (!peer_closed && plain_begin >= plain.size()) {
            // Once the caller's buffer is full, stop at application data; handshake and alert
            // records keep being processed only while there is room (they may precede data).
            if (connected && !dst.empty() && written == dst.size()) {
                break;
            }
            auto rec = deframer.next();
            if (!rec) {
                return unexpected(fail(rec.error()));
            }
            if (!*rec) {
                break;
            }
            if (auto r = handle_record(**rec, dst, written); !r) {
                return unexpected(fail(r.error()));
            }
            if (error) {
                return unexpected(error);
            }
            if (connected && dst.empty() && plain_begin < plain.size()) {
                break;
            }
        }
        return written;
    }

    result<void> maybe_auto_key_update() {
        if (!write_protection || !write_protection->needs_key_update() || !machine->is_connected()) {
            return {};
        }
        if (version == protocol_version::tls13) {
            if (auto r = machine->send_key_update(false, *this); !r) {
                return unexpected(fail(r.error()));
            }
            return {};
        }
        // TLS 1.2 cannot change keys without renegotiation (which this library refuses): at
        // the AEAD usage limit the connection ends with close_notify, and the write is refused.
        if (!closed) {
            AWSIO_LOGF_INFO(log_subject::tls, "TLS 1.2 write key reached its record limit: closing");
            closed = true;
            send_alert(alert_level::warning, alert_description::close_notify);
        }
        return unexpected(make_error_code(io_errc::tls_closed_graceful));
    }

    result<void> check_writable() const {
        if (error) {
            return unexpected(error);
        }
        if (closed) {
            return unexpected(io_errc::tls_closed_graceful);
        }
        if (!connected || !write_protection) {
            return unexpected(io_errc::tls_error_not_negotiated);
        }
        return {};
    }
};

// ---- connection -----------------------------------------------------------------------------

connection::connection(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
connection::connection(connection &&) noexcept = default;
connection &connection::operator=(connection &&) noexcept = default;
connection::~connection() = default;

result<connection> connection::client(std::shared_ptr<const context> ctx, connection_options options) {
    if (!ctx || !ctx->config() || ctx->config()->is_server) {
        return unexpected(io_errc::tls_ctx_error);
    }
    auto p = std::make_unique<impl>();
    p->ctx = std::move(ctx);
    p->cfg = p->ctx->config();
    p->server = false;
    p->record_version = 0x0301;
    p->splitter.set_limits(p->cfg->limits);
    p->fragmenter.set_max_fragment(p->cfg->max_fragment_size);
    connection_params params;
    params.server_name = std::move(options.server_name);
    params.alpn = std::move(options.alpn);
    p->machine = make_client_machine(p->cfg, std::move(params));
    if (!p->machine) {
        return unexpected(io_errc::tls_ctx_error);
    }
    return connection(std::move(p));
}

result<connection> connection::server(std::shared_ptr<const context> ctx) {
    if (!ctx || !ctx->config() || !ctx->config()->is_server) {
        return unexpected(io_errc::tls_ctx_error);
    }
    auto p = std::make_unique<impl>();
    p->ctx = std::move(ctx);
    p->cfg = p->ctx->config();
    p->server = true;
    p->splitter.set_limits(p->cfg->limits);
    p->fragmenter.set_max_fragment(p->cfg->max_fragment_size);
    // Until a ClientHello arrives, records are plaintext and at most 2^14 bytes; the deframer's
    // ciphertext limit is looser, and handle_record() checks the plaintext one.
    p->machine = make_server_machine(p->cfg);
    if (!p->machine) {
        return unexpected(io_errc::tls_ctx_error);
    }
    return connection(std::move(p));
}

result<void> connection::start() {
    impl &s = *impl_;
    if (s.error) {
        return unexpected(s.error);
    }
    if (s.started) {
        return {};
    }
    s.started = true;
    if (auto r = s.machine->start(s); !r) {
        return unexpected(s.fail(r.error()));
    }
    return {};
}

void connection::feed(std::span<const std::uint8_t> bytes) { impl_->deframer.feed(bytes); }
std::span<std::uint8_t> connection::prepare(std::size_t n) { return impl_->deframer.prepare(n); }
void connection::commit(std::size_t n) noexcept { impl_->deframer.commit(n); }

result<std::size_t> connection::read(std::span<std::uint8_t> out) {
    if (!impl_->started) {
        if (auto r = start(); !r) {
            return unexpected(r.error());
        }
    }
    return impl_->read(out);
}

std::size_t connection::pending_plaintext() const noexcept { return impl_->plain.size() - impl_->plain_begin; }
bool connection::has_buffered_records() const noexcept { return impl_->deframer.has_complete_record(); }

result<void> connection::write(std::span<const std::uint8_t> plaintext) {
    impl &s = *impl_;
    if (auto r = s.check_writable(); !r) {
        return r;
    }
    std::span<const std::uint8_t> remaining = plaintext;
    do {
        if (auto r = s.maybe_auto_key_update(); !r) {
            return r;
        }
        // One record at a time so an automatic KeyUpdate can fall between records.
        auto frag = s.fragmenter.next_fragment(remaining);
        s.emit(content_type::application_data, frag);
        if (s.error) {
            return unexpected(s.error);
        }
    } while (!remaining.empty());
    return {};
}

std::size_t connection::sealed_size(std::size_t n) const noexcept {
    const impl &s = *impl_;
    if (!s.write_protection) {
        return 0;
    }
    const std::size_t records = std::max<std::size_t>(1, s.fragmenter.record_count(n));
    return n + records * (s.write_protection->prefix_size() + s.write_protection->suffix_size());
}

result<std::size_t> connection::write_into(std::span<const std::uint8_t> plaintext, std::span<std::uint8_t> out) {
    impl &s = *impl_;
    if (auto r = s.check_writable(); !r) {
        return unexpected(r.error());
    }
    if (s.out_begin < s.out.size() || out.size() < sealed_size(plaintext.size())) {
        return unexpected(common_errc::invalid_argument);
    }
    std::size_t at = 0;
    std::span<const std::uint8_t> remaining = plaintext;
    do {
        if (auto r = s.maybe_auto_key_update(); !r) {
            return unexpected(r.error());
        }
        if (s.out_begin < s.out.size()) {
            // A KeyUpdate was queued: it must precede the data; the caller sends output() first.
            return unexpected(common_errc::invalid_argument);
        }
        auto frag = s.fragmenter.next_fragment(remaining);
        auto &wp = *s.write_protection;
        const std::size_t size = wp.sealed_size(frag.size());
        auto record = out.subspan(at, size);
        if (!frag.empty()) {
            std::memcpy(record.data() + wp.prefix_size(), frag.data(), frag.size());
        }
        auto sealed = wp.seal(content_type::application_data, record, frag.size());
        if (!sealed) {
            return unexpected(s.fail(sealed.error()));
        }
        at += *sealed;
    } while (!remaining.empty());
    return at;
}

std::span<const std::uint8_t> connection::output() const noexcept {
    return std::span<const std::uint8_t>(impl_->out).subspan(impl_->out_begin);
}

void connection::consume_output(std::size_t n) noexcept {
    impl &s = *impl_;
    s.out_begin = std::min(s.out.size(), s.out_begin + n);
    s.compact_output();
}

result<void> connection::close() {
    impl &s = *impl_;
    if (s.closed) {
        return {};
    }
    s.closed = true;
    if (s.error) {
        return unexpected(s.error);
    }
    s.send_alert(alert_level::warning, alert_description::close_notify);
    return {};
}

result<void> connection::key_update(bool request_peer) {
    impl &s = *impl_;
    if (auto r = s.check_writable(); !r) {
        return r;
    }
    if (s.version != codec::protocol_version::tls13) {
        return unexpected(common_errc::unsupported_operation);
    }
    if (auto r = s.machine->send_key_update(request_peer, s); !r) {
        return unexpected(s.fail(r.error()));
    }
    return {};
}

bool connection::is_server() const noexcept { return impl_->server; }
bool connection::is_handshaking() const noexcept { return !impl_->connected && !impl_->error; }
bool connection::is_connected() const noexcept { return impl_->connected && !impl_->error; }
bool connection::peer_closed() const noexcept { return impl_->peer_closed; }
bool connection::closed() const noexcept { return impl_->closed; }
std::error_code connection::error() const noexcept { return impl_->error; }
const negotiated_parameters &connection::negotiated() const noexcept { return impl_->negotiated; }
std::uint64_t connection::write_sequence() const noexcept {
    return impl_->write_protection ? impl_->write_protection->sequence() : 0;
}
std::uint64_t connection::read_sequence() const noexcept {
    return impl_->read_protection ? impl_->read_protection->sequence() : 0;
}
std::uint64_t connection::key_updates_sent() const noexcept { return impl_->key_updates_sent; }
std::uint64_t connection::key_updates_received() const noexcept { return impl_->key_updates_received; }
void connection::set_write_record_limit(std::uint64_t records) noexcept {
    impl_->write_record_limit_override = records;
    if (impl_->write_protection) {
        impl_->write_protection->set_record_limit(records);
    }
}

} // namespace awsio::tls
