// tls/codec/handshake.hpp — TLS 1.2 / 1.3 handshake messages as plain structs, their wire
// encoding and decoding, and the handshake framing layer (splitting a stream of handshake bytes
// into messages).
//
// Shape of the API, per message T:
//   void encode(writer&, const T&)                writes the body (no 4-byte header);
//   void encode_message(writer&, const T&)        writes header + body (T::type is the type);
//   std::vector<uint8_t> serialize(const T&)      header + body in a fresh vector (the bytes a
//                                                 transcript hash consumes);
//   result<T> decode_xxx(std::span body [, ...])  decodes a body; the whole span must be used.
// Decoding owns its data (vectors are copied out of the input). Failures are tls::errc values
// whose number is the alert to send: decode_error for malformed syntax (bad lengths, trailing
// bytes, empty lists where the RFC forbids them), illegal_parameter for well-formed but invalid
// values (see extensions.hpp for the extension rules), missing_extension where a message's own
// definition requires one.
//
// Version-dependent messages have one struct per form (certificate_tls13 / certificate_tls12,
// ...); the handshake state machine knows which version it speaks and calls the matching decoder.
// Checks that need negotiation state (cipher suite offered, extension solicited, version
// selected) belong to the handshake layer, not here.
//
// Thread safety: all functions are reentrant; handshake_splitter is a plain value (one per
// connection direction, used from one thread at a time).
#pragma once

#include "tls/codec/enums.hpp"
#include "tls/codec/extensions.hpp"
#include "tls/codec/reader.hpp"
#include "tls/codec/writer.hpp"

#include <awsio/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace awsio::tls::codec {

using random_bytes = std::array<std::uint8_t, 32>;

/// The ServerHello.random that marks a HelloRetryRequest: SHA-256("HelloRetryRequest")
/// (RFC 8446 4.1.3).
inline constexpr random_bytes hello_retry_request_random = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/// The last 8 bytes of ServerHello.random a TLS 1.3 server sets when it negotiates TLS 1.2, or
/// TLS 1.1 and below (RFC 8446 4.1.3 downgrade protection).
inline constexpr std::array<std::uint8_t, 8> downgrade_sentinel_tls12 = {0x44, 0x4f, 0x57, 0x4e,
                                                                           0x47, 0x52, 0x44, 0x01};
inline constexpr std::array<std::uint8_t, 8> downgrade_sentinel_tls11 = {0x44, 0x4f, 0x57, 0x4e,
                                                                           0x47, 0x52, 0x44, 0x00};

/// Size of the handshake message header: msg_type (1) + length (3).
inline constexpr std::size_t handshake_header_size = 4;

// ---------------------------------------------------------------------------------------------
// Messages

/// ClientHello (RFC 8446 4.1.2; RFC 5246 7.4.1.2). One struct for both versions.
struct client_hello {
    static constexpr handshake_type type = handshake_type::client_hello;
    protocol_version legacy_version = protocol_version::tls12;
    random_bytes random{};
    std::vector<std::uint8_t> legacy_session_id;                   ///< 0..32 bytes
    std::vector<cipher_suite> cipher_suites;                       ///< non-empty
    std::vector<std::uint8_t> legacy_compression_methods{0};       ///< non-empty
    /// May be empty; an empty list is encoded by omitting the block (legal in TLS 1.2; a TLS
    /// 1.3 ClientHello always carries supported_versions).
    extension_list extensions;
    bool operator==(const client_hello &) const = default;
};

/// ServerHello (RFC 8446 4.1.3; RFC 5246 7.4.1.3), including the HelloRetryRequest form.
struct server_hello {
    static constexpr handshake_type type = handshake_type::server_hello;
    protocol_version legacy_version = protocol_version::tls12;
    random_bytes random{};
    std::vector<std::uint8_t> legacy_session_id_echo;  ///< 0..32 bytes
    codec::cipher_suite cipher_suite = codec::cipher_suite::tls_aes_128_gcm_sha256;
    std::uint8_t legacy_compression_method = 0;
    extension_list extensions;  ///< empty list -> block omitted (TLS 1.2 only)
    bool operator==(const server_hello &) const = default;

    /// True when random is the special HelloRetryRequest value.
    [[nodiscard]] bool is_hello_retry_request() const noexcept { return random == hello_retry_request_random; }
    /// The version the message negotiates: supported_versions.selected when present (TLS 1.3 and
    /// HelloRetryRequest), legacy_version otherwise.
    [[nodiscard]] protocol_version negotiated_version() const noexcept;
};

/// True for a HelloRetryRequest.
inline bool is_hello_retry_request(const server_hello &sh) noexcept { return sh.is_hello_retry_request(); }

/// EncryptedExtensions (RFC 8446 4.3.1).
struct encrypted_extensions {
    static constexpr handshake_type type = handshake_type::encrypted_extensions;
    extension_list extensions;
    bool operator==(const encrypted_extensions &) const = default;
};

/// CertificateEntry of a TLS 1.3 Certificate (X.509 form).
struct certificate_entry {
    std::vector<std::uint8_t> cert_data;  ///< DER, non-empty
    extension_list extensions;            ///< context message_context::certificate
    bool operator==(const certificate_entry &) const = default;
};

/// Certificate, TLS 1.3 form (RFC 8446 4.4.2). An empty list means "no certificate" (client).
struct certificate_tls13 {
    static constexpr handshake_type type = handshake_type::certificate;
    std::vector<std::uint8_t> certificate_request_context;  ///< 0..255 bytes
    std::vector<certificate_entry> entries;
    bool operator==(const certificate_tls13 &) const = default;
};

/// Certificate, TLS 1.2 form (RFC 5246 7.4.2): DER certificates, leaf first.
struct certificate_tls12 {
    static constexpr handshake_type type = handshake_type::certificate;
    std::vector<std::vector<std::uint8_t>> certificate_list;
    bool operator==(const certificate_tls12 &) const = default;
};

/// CertificateRequest, TLS 1.3 form (RFC 8446 4.3.2). signature_algorithms is required.
struct certificate_request_tls13 {
    static constexpr handshake_type type = handshake_type::certificate_request;
    std::vector<std::uint8_t> certificate_request_context;  ///< 0..255 bytes
    extension_list extensions;
    bool operator==(const certificate_request_tls13 &) const = default;
};

/// CertificateRequest, TLS 1.2 form (RFC 5246 7.4.4).
struct certificate_request_tls12 {
    static constexpr handshake_type type = handshake_type::certificate_request;
    std::vector<client_certificate_type> certificate_types;             ///< non-empty
    std::vector<signature_scheme> supported_signature_algorithms;       ///< non-empty
    std::vector<std::vector<std::uint8_t>> certificate_authorities;     ///< DER names, each non-empty
    bool operator==(const certificate_request_tls12 &) const = default;
};

/// CertificateVerify (RFC 8446 4.4.3); also the TLS 1.2 CertificateVerify (RFC 5246 7.4.8),
/// whose digitally-signed struct has the same layout.
struct certificate_verify {
    static constexpr handshake_type type = handshake_type::certificate_verify;
    signature_scheme algorithm = signature_scheme::ecdsa_secp256r1_sha256;
    std::vector<std::uint8_t> signature;
    bool operator==(const certificate_verify &) const = default;
};

/// Finished (RFC 8446 4.4.4: Hash.length bytes; RFC 5246 7.4.9: 12 bytes).
struct finished {
    static constexpr handshake_type type = handshake_type::finished;
    std::vector<std::uint8_t> verify_data;
    bool operator==(const finished &) const = default;
};

/// NewSessionTicket, TLS 1.3 form (RFC 8446 4.6.1).
struct new_session_ticket_tls13 {
    static constexpr handshake_type type = handshake_type::new_session_ticket;
    std::uint32_t ticket_lifetime = 0;
    std::uint32_t ticket_age_add = 0;
    std::vector<std::uint8_t> ticket_nonce;  ///< 0..255 bytes
    std::vector<std::uint8_t> ticket;        ///< non-empty
    extension_list extensions;               ///< may hold ext::early_data_ticket
    bool operator==(const new_session_ticket_tls13 &) const = default;

    /// max_early_data_size from the early_data extension, if present.
    [[nodiscard]] std::optional<std::uint32_t> max_early_data_size() const noexcept;
};

/// NewSessionTicket, TLS 1.2 form (RFC 5077 3.3).
struct new_session_ticket_tls12 {
    static constexpr handshake_type type = handshake_type::new_session_ticket;
    std::uint32_t ticket_lifetime_hint = 0;
    std::vector<std::uint8_t> ticket;  ///< may be empty
    bool operator==(const new_session_ticket_tls12 &) const = default;
};

/// KeyUpdate (RFC 8446 4.6.3).
struct key_update {
    static constexpr handshake_type type = handshake_type::key_update;
    key_update_request request_update = key_update_request::update_not_requested;
    bool operator==(const key_update &) const = default;
};

/// EndOfEarlyData (RFC 8446 4.5); empty.
struct end_of_early_data {
    static constexpr handshake_type type = handshake_type::end_of_early_data;
    bool operator==(const end_of_early_data &) const = default;
};

/// ServerKeyExchange for ECDHE suites in TLS 1.2 (RFC 8422 5.4, with the RFC 5246 7.4.1.4.1
/// signature algorithm): ServerECDHParams (named_curve only) followed by the signature.
struct server_key_exchange_ecdhe {
    static constexpr handshake_type type = handshake_type::server_key_exchange;
    named_group group = named_group::x25519;
    std::vector<std::uint8_t> public_key;  ///< ECPoint, 1..255 bytes
    signature_scheme algorithm = signature_scheme::ecdsa_secp256r1_sha256;
    std::vector<std::uint8_t> signature;
    bool operator==(const server_key_exchange_ecdhe &) const = default;
};

/// ClientKeyExchange for ECDHE suites (RFC 8422 5.7): the client's ephemeral public point.
struct client_key_exchange_ecdhe {
    static constexpr handshake_type type = handshake_type::client_key_exchange;
    std::vector<std::uint8_t> public_key;  ///< 1..255 bytes
    bool operator==(const client_key_exchange_ecdhe &) const = default;
};

/// ServerHelloDone (RFC 5246 7.4.5); empty.
struct server_hello_done {
    static constexpr handshake_type type = handshake_type::server_hello_done;
    bool operator==(const server_hello_done &) const = default;
};

/// HelloRequest (RFC 5246 7.4.1.1); empty.
struct hello_request {
    static constexpr handshake_type type = handshake_type::hello_request;
    bool operator==(const hello_request &) const = default;
};

/// The synthetic message_hash message (RFC 8446 4.4.1): replaces ClientHello1 in the transcript
/// after a HelloRetryRequest; its body is Hash(ClientHello1).
struct message_hash {
    static constexpr handshake_type type = handshake_type::message_hash;
    std::vector<std::uint8_t> hash;
    bool operator==(const message_hash &) const = default;
};

// ---------------------------------------------------------------------------------------------
// Encoding

void encode(writer &w, const client_hello &m);
void encode(writer &w, const server_hello &m);
void encode(writer &w, const encrypted_extensions &m);
void encode(writer &w, const certificate_tls13 &m);
void encode(writer &w, const certificate_tls12 &m);
void encode(writer &w, const certificate_request_tls13 &m);
void encode(writer &w, const certificate_request_tls12 &m);
void encode(writer &w, const certificate_verify &m);
void encode(writer &w, const finished &m);
void encode(writer &w, const new_session_ticket_tls13 &m);
void encode(writer &w, const new_session_ticket_tls12 &m);
void encode(writer &w, const key_update &m);
void encode(writer &w, const end_of_early_data &m);
void encode(writer &w, const server_key_exchange_ecdhe &m);
void encode(writer &w, const client_key_exchange_ecdhe &m);
void encode(writer &w, const server_hello_done &m);
void encode(writer &w, const hello_request &m);
void encode(writer &w, const message_hash &m);

/// The ServerECDHParams bytes (curve_type, group, point) that the ServerKeyExchange signature
/// covers after client_random || server_random (RFC 8422 5.4).
void encode_ecdhe_params(writer &w, const server_key_exchange_ecdhe &m);

/// Writes the 4-byte handshake header and the body of m.
template <typename T>
void encode_message(writer &w, const T &m) {
    w.u8(static_cast<std::uint8_t>(T::type));
    auto body = w.scope24();
    encode(w, m);
}

/// Header + body in a new vector. An unencodable message (a length over its limit) yields an
/// empty vector; callers building their own messages never hit this with valid inputs.
template <typename T>
std::vector<std::uint8_t> serialize(const T &m) {
    std::vector<std::uint8_t> out;
    writer w(out);
    encode_message(w, m);
    if (!w.ok()) {
        out.clear();
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding (bodies; the whole span must be consumed)

result<client_hello> decode_client_hello(std::span<const std::uint8_t> body);
/// Chooses the TLS 1.3 (server_hello / hello_retry_request) or TLS 1.2 extension context from
/// the message itself: HelloRetryRequest by its random, TLS 1.3 by the presence of
/// supported_versions.
result<server_hello> decode_server_hello(std::span<const std::uint8_t> body);
result<encrypted_extensions> decode_encrypted_extensions(std::span<const std::uint8_t> body);
result<certificate_tls13> decode_certificate_tls13(std::span<const std::uint8_t> body);
result<certificate_tls12> decode_certificate_tls12(std::span<const std::uint8_t> body);
result<certificate_request_tls13> decode_certificate_request_tls13(std::span<const std::uint8_t> body);
result<certificate_request_tls12> decode_certificate_request_tls12(std::span<const std::uint8_t> body);
result<certificate_verify> decode_certificate_verify(std::span<const std::uint8_t> body);
/// verify_data must be exactly `verify_data_length` bytes (the suite's hash length in TLS 1.3,
/// 12 in TLS 1.2), otherwise decode_error.
result<finished> decode_finished(std::span<const std::uint8_t> body, std::size_t verify_data_length);
result<new_session_ticket_tls13> decode_new_session_ticket_tls13(std::span<const std::uint8_t> body);
result<new_session_ticket_tls12> decode_new_session_ticket_tls12(std::span<const std::uint8_t> body);
result<key_update> decode_key_update(std::span<const std::uint8_t> body);
result<end_of_early_data> decode_end_of_early_data(std::span<const std::uint8_t> body);
result<server_key_exchange_ecdhe> decode_server_key_exchange_ecdhe(std::span<const std::uint8_t> body);
result<client_key_exchange_ecdhe> decode_client_key_exchange_ecdhe(std::span<const std::uint8_t> body);
result<server_hello_done> decode_server_hello_done(std::span<const std::uint8_t> body);
result<hello_request> decode_hello_request(std::span<const std::uint8_t> body);
result<message_hash> decode_message_hash(std::span<const std::uint8_t> body);

/// The transcript stand-in for ClientHello1 (RFC 8446 4.4.1): message_hash header + the hash.
std::vector<std::uint8_t> make_message_hash(std::span<const std::uint8_t> client_hello1_hash);

// ---------------------------------------------------------------------------------------------
// PSK binders (RFC 8446 4.2.11.2)

/// Length of the "truncated ClientHello": the full ClientHello message (4-byte header
/// included) up to but excluding the binders list of its pre_shared_key extension, which must
/// be last. `full_client_hello` is header + body. Errors: the message does not decode
/// (its decode error), or has no pre_shared_key -> missing_extension.
result<std::size_t> truncated_client_hello_length(std::span<const std::uint8_t> full_client_hello);

/// The truncated ClientHello itself (a prefix view of the input).
result<std::span<const std::uint8_t>> truncated_client_hello(std::span<const std::uint8_t> full_client_hello);

/// Overwrites the binders at the end of a serialized ClientHello (header + body, built with
/// placeholder binders of the final lengths) with `binders`, in order. Returns
/// missing_extension without a pre_shared_key, internal_error when the count or a length
/// differs from the placeholders.
std::error_code patch_binders(std::vector<std::uint8_t> &full_client_hello,
                              std::span<const std::vector<std::uint8_t>> binders);

// ---------------------------------------------------------------------------------------------
// Framing

/// A complete handshake message as received.
struct handshake_message {
    handshake_type type = handshake_type::hello_request;
    std::vector<std::uint8_t> bytes;  ///< header + body, exactly as on the wire (for transcripts)

    [[nodiscard]] std::span<const std::uint8_t> body() const noexcept {
        return std::span<const std::uint8_t>(bytes).subspan(handshake_header_size);
    }
};

/// Size limits on incoming handshake messages (body length, header excluded).
struct handshake_limits {
    /// Any message but Certificate.
    std::size_t max_message_size = 64 * 1024;
    /// Certificate messages (chains can be large).
    std::size_t max_certificate_size = 128 * 1024;
};

/// Reassembles handshake messages from the payloads of handshake records: a message may be
/// fragmented across records, and one record may carry several messages (RFC 8446 5.1).
///
/// feed() the plaintext of each handshake record, then pop() until it yields no message. A
/// header announcing a body larger than the limit for its type fails as soon as the header is
/// complete, with illegal_parameter (the error is sticky: every later call repeats it).
/// Record-level rules (no zero-length handshake fragments, no interleaving with other content
/// types, no message spanning a key change: check has_partial() before switching keys) are
/// the record layer's and handshake driver's business.
class handshake_splitter {
public:
    explicit handshake_splitter(handshake_limits limits = {}) noexcept : limits_(limits) {}

    void set_limits(handshake_limits limits) noexcept { limits_ = limits; }
    [[nodiscard]] const handshake_limits &limits() const noexcept { return limits_; }

    /// Appends record payload bytes. Returns the sticky error if one occurred (a header over
    /// the limit may be detected here).
    std::error_code feed(std::span<const std::uint8_t> data);

    /// The next complete message, std::nullopt when more bytes are needed, or the error.
    result<std::optional<handshake_message>> pop();

    /// Whether buffered bytes form a partial message (used to enforce that handshake messages
    /// do not span key changes, RFC 8446 5.1).
    [[nodiscard]] bool has_partial() const noexcept { return buffer_.size() > start_; }
    /// Bytes buffered but not yet popped.
    [[nodiscard]] std::size_t buffered() const noexcept { return buffer_.size() - start_; }

private:
    std::error_code check_header() noexcept;

    handshake_limits limits_;
    std::vector<std::uint8_t> buffer_;
    std::size_t start_ = 0;
    std::error_code error_;
};

} // namespace awsio::tls::codec
