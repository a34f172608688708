// tls/key_schedule/transcript_hash.hpp — the running hash of the handshake messages
// (RFC 8446 4.4.1, RFC 5246 7.4.9), including the HelloRetryRequest rewrite and buffering of
// messages sent or received before the cipher suite (and so the hash) is known.
//
// Messages are added whole, with their 4-byte handshake header, exactly as on the wire.
// Errors: crypto provider errors are passed through; asking for a digest before the algorithm
// is known, or switching algorithms, is a caller bug reported as tls::errc::internal_error.
// Threads: a plain single-threaded value; move-only (clone() copies explicitly).
#pragma once

#include "crypto/provider.hpp"

#include <awsio/result.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace awsio::tls {

class transcript_hash {
public:
    /// Hash algorithm not known yet: messages are buffered until set_algorithm().
    explicit transcript_hash(const crypto::provider &provider) noexcept;

    transcript_hash(transcript_hash &&) noexcept = default;
    transcript_hash &operator=(transcript_hash &&) noexcept = default;
    transcript_hash(const transcript_hash &) = delete;
    transcript_hash &operator=(const transcript_hash &) = delete;

    /// A transcript with its algorithm chosen.
    static result<transcript_hash> create(const crypto::provider &provider, crypto::hash_algorithm h);

    /// Fixes the hash algorithm (once the suite is chosen) and hashes what was buffered. Calling
    /// it again with the same algorithm does nothing; with another one: internal_error.
    result<void> set_algorithm(crypto::hash_algorithm h);
    [[nodiscard]] bool has_algorithm() const noexcept { return ctx_ != nullptr; }
    [[nodiscard]] std::optional<crypto::hash_algorithm> algorithm() const noexcept;

    /// Adds one handshake message (header included).
    void update(std::span<const std::uint8_t> message);

    /// Also keep a copy of every message, for TLS 1.2 CertificateVerify, which signs the raw
    /// handshake messages rather than their hash. Enable before the first update().
    void keep_messages(bool keep) noexcept { keep_messages_ = keep; }
    /// The messages kept (all of them so far while the algorithm is unknown).
    [[nodiscard]] std::span<const std::uint8_t> messages() const noexcept { return buffer_; }

    /// Transcript-Hash of the messages so far; the transcript keeps running.
    [[nodiscard]] result<crypto::digest> current() const;
    /// Transcript-Hash of the messages so far followed by `extra` (which is not added): the PSK
    /// binder hash over a truncated ClientHello (RFC 8446 4.2.11.2).
    [[nodiscard]] result<crypto::digest> current_with(std::span<const std::uint8_t> extra) const;

    /// An independent copy (e.g. to compute a hash at a point the handshake continues from).
    [[nodiscard]] result<transcript_hash> clone() const;

    /// RFC 8446 4.4.1: on HelloRetryRequest, the transcript so far (ClientHello1) is replaced by
    /// the synthetic message_hash message: 0xFE 00 00 Hash.length || Hash(ClientHello1). Call it
    /// after set_algorithm() and before adding the HelloRetryRequest itself.
    result<void> rewrite_for_hello_retry();

    /// The server-side form for a stateless HelloRetryRequest: restarts the transcript as the
    /// message_hash message of a ClientHello1 hash recovered from a cookie. `client_hello1_hash`
    /// must be Hash.length bytes (else internal_error).
    result<void> restart_from_message_hash(std::span<const std::uint8_t> client_hello1_hash);

private:
    const crypto::provider *provider_;
    std::unique_ptr<crypto::hash_context> ctx_;
    std::vector<std::uint8_t> buffer_;
    bool keep_messages_ = false;
};

} // namespace awsio::tls
