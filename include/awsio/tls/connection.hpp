// awsio/tls/connection.hpp — the sans-IO TLS engine for one connection: bytes in, bytes out,
// plus state. It knows no socket, loop or channel (tls::channel_handler drives it inside a
// channel; tests and benchmarks drive two of them back to back in memory).
//
// Use:
//   auto c = connection::client(ctx, {.server_name = "example.com"});
//   c->start();                                      // the ClientHello is now in output
//   loop {
//     send(c->output()); c->consume_output(n);       // whatever is pending
//     c->feed(bytes_received);
//     auto n = c->read(buffer);                      // handshake progresses here; plaintext out
//     if (c->is_connected()) c->write(plaintext);    // sealed records appended to output
//   }
//   c->close();                                      // close_notify into output
//
// Errors: every fallible call returns result<>. A protocol failure is fatal: the connection
// queues the alert it owes the peer in output() (flush it), and every later call returns the same
// error. Errors are tls::errc (local, the value is the alert sent), the peer-alert category
// (fatal alert received), or io_errc from certificate verification (tls_unknown_root_certificate,
// tls_host_name_mismatch, ...). to_io_error() maps any of them to aws-c-io's io_errc.
//
// Threads: one thread at a time; no callbacks except the context's key log (on the calling
// thread). Move-only.
#pragma once

#include <awsio/export.hpp>
#include <awsio/result.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace awsio::tls {

class context;

/// Per-connection options (the engine half of aws_tls_connection_options).
struct connection_options {
    /// Client: SNI and the name the server's certificate must match. Empty: no SNI, and no
    /// name check.
    std::string server_name;
    /// Overrides the context's ALPN list when non-empty ("h2;http/1.1" form already split).
    std::vector<std::string> alpn;
};

/// What the handshake negotiated (valid once is_connected()).
struct negotiated_parameters {
    std::string version;        ///< "TLSv1.3" / "TLSv1.2"
    std::string cipher_suite;   ///< IANA name
    std::string group;          ///< "x25519", ... ("" for psk_ke resumption)
    std::string alpn;           ///< "" when none
    std::string server_name;    ///< SNI sent (client) or received (server)
    std::string peer_signature_scheme; ///< "" when the peer did not sign (resumption)
    std::vector<std::vector<std::uint8_t>> peer_certificates; ///< DER, leaf first
    bool peer_verified = false;
    bool resumed = false;
    bool hello_retry = false;
};

/// aws-c-io's error for an engine error: tls_error_negotiation_failure (protocol errors during
/// the handshake), tls_error_read_failure (after it), tls_alert_not_graceful (alerts received
/// after the handshake), the certificate codes as they are, tls_closed_abort, ... The full table
/// is in docs/tls.md.
AWSIO_API std::error_code to_io_error(std::error_code engine_error, bool during_handshake) noexcept;

class AWSIO_API connection {
public:
    /// A client for `ctx` (a client context). Errors: tls_ctx_error for a server context.
    static result<connection> client(std::shared_ptr<const context> ctx, connection_options options = {});
    /// A server for `ctx` (a server context).
    static result<connection> server(std::shared_ptr<const context> ctx);

    connection(connection &&) noexcept;
    connection &operator=(connection &&) noexcept;
    ~connection();

    /// Client: queues the ClientHello. Server: no-op. Call once.
    result<void> start();

    /// Buffers received bytes (any split of the record stream). Nothing is processed until read().
    void feed(std::span<const std::uint8_t> bytes);
    /// Zero-copy feed: a writable area of at least `n` bytes, then commit(k).
    std::span<std::uint8_t> prepare(std::size_t n);
    void commit(std::size_t n) noexcept;

    /// Processes buffered records: handshake messages drive the handshake (replies go to
    /// output()), application data is decrypted into `out`. Returns the plaintext bytes written;
    /// stops when `out` is full (what is left stays buffered for the next call) or no complete
    /// record remains. 0 with an empty `out` still processes handshake records.
    result<std::size_t> read(std::span<std::uint8_t> out);
    /// Plaintext already decrypted and not yet returned (part of a record), and whether
    /// read() has a whole record (or a malformed header to report) waiting; part of a record
    /// does not count.
    [[nodiscard]] std::size_t pending_plaintext() const noexcept;
    [[nodiscard]] bool has_buffered_records() const noexcept;

    /// Seals `plaintext` as application data records into output(). Before the handshake is
    /// complete: tls_error_not_negotiated (io_errc); after close(): io_errc::tls_closed_graceful...
    result<void> write(std::span<const std::uint8_t> plaintext);
    /// Zero-copy write: seals `plaintext` directly into `out` (which must hold
    /// sealed_size(plaintext.size()) bytes) when output() is empty; returns the bytes written.
    result<std::size_t> write_into(std::span<const std::uint8_t> plaintext, std::span<std::uint8_t> out);
    /// Bytes write_into() needs for `n` bytes of plaintext.
    [[nodiscard]] std::size_t sealed_size(std::size_t n) const noexcept;

    /// Bytes waiting to be sent to the peer.
    [[nodiscard]] std::span<const std::uint8_t> output() const noexcept;
    void consume_output(std::size_t n) noexcept;

    /// Queues close_notify; nothing more can be written.
    result<void> close();
    /// TLS 1.3: sends a KeyUpdate (update_requested when `request_peer`).
    result<void> key_update(bool request_peer = false);

    [[nodiscard]] bool is_server() const noexcept;
    [[nodiscard]] bool is_handshaking() const noexcept;
    [[nodiscard]] bool is_connected() const noexcept;
    /// The peer sent close_notify (no more data will be read).
    [[nodiscard]] bool peer_closed() const noexcept;
    /// We sent close_notify.
    [[nodiscard]] bool closed() const noexcept;
    /// The fatal error, if one happened.
    [[nodiscard]] std::error_code error() const noexcept;
    /// Valid once connected.
    [[nodiscard]] const negotiated_parameters &negotiated() const noexcept;

    /// Records sealed / opened under the current keys (tests of KeyUpdate).
    [[nodiscard]] std::uint64_t write_sequence() const noexcept;
    [[nodiscard]] std::uint64_t read_sequence() const noexcept;
    /// Number of KeyUpdates sent and received.
    [[nodiscard]] std::uint64_t key_updates_sent() const noexcept;
    [[nodiscard]] std::uint64_t key_updates_received() const noexcept;
    /// Sets the write key's record limit (tests: force an automatic KeyUpdate early).
    void set_write_record_limit(std::uint64_t records) noexcept;

    struct impl;

private:
    explicit connection(std::unique_ptr<impl> p) noexcept;
    std::unique_ptr<impl> impl_;
};

} // namespace awsio::tls
