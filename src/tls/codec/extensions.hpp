// tls/codec/extensions.hpp — typed TLS extensions (RFC 8446 4.2 and the TLS 1.2 extensions this
// library speaks), the list that carries them in wire order, and the per-message rules.
//
// Decoding an extension block (decode_extensions) enforces, for the message it came from:
//  - syntax of every recognised extension (lengths, non-empty lists) -> decode_error;
//  - no two extensions of one type -> illegal_parameter (RFC 8446 4.2);
//  - in TLS 1.3 messages, a recognised extension only where the RFC 8446 4.2 table allows it
//    -> illegal_parameter; TLS 1.2-only extensions (renegotiation_info, ec_point_formats,
//    extended_master_secret, session_ticket, encrypt_then_mac) count as recognised, so they are
//    rejected in EncryptedExtensions, Certificate, CertificateRequest, NewSessionTicket and the
//    TLS 1.3 ServerHello / HelloRetryRequest;
//  - pre_shared_key, if present in a ClientHello, is the last extension -> illegal_parameter
//    (RFC 8446 4.2.11);
//  - the semantic checks the RFCs tie to a single extension: record_size_limit >= 64
//    (RFC 8449 4), ec_point_formats contains uncompressed (RFC 8422 5.1.2), padding is all
//    zeros (RFC 7685 3), ALPN in a server message names exactly one protocol (RFC 7301 3.1),
//    server_name holds no duplicate or empty host_name (RFC 6066 3), one key_share per group
//    (RFC 8446 4.2.8), as many PSK binders as identities (RFC 8446 4.2.11) -> illegal_parameter.
// Extensions this library does not recognise are kept as raw {type, data} and otherwise ignored.
//
// TLS 1.2 rule (message_context::tls12_server_hello): RFC 5246 7.4.1.4 only forbids a server
// extension the client did not offer, which needs the ClientHello; the handshake layer checks that
// (unsupported_extension). Here a TLS 1.2 ServerHello may carry any TLS 1.2 extension, and the
// TLS 1.3-only ones (key_share, pre_shared_key, early_data, cookie, psk_key_exchange_modes, ...)
// are illegal_parameter. (A ServerHello carrying supported_versions is decoded as TLS 1.3, so
// that extension never reaches this context.) A ClientHello is one context for both versions: it
// may carry every extension of either version.
#pragma once

#include "tls/codec/enums.hpp"
#include "tls/codec/reader.hpp"
#include "tls/codec/writer.hpp"

#include <awsio/result.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace awsio::tls::codec {

/// The message an extension block belongs to (the columns of the RFC 8446 4.2 table, plus the
/// TLS 1.2 ServerHello).
enum class message_context : std::uint8_t {
    client_hello,
    server_hello,         ///< TLS 1.3 ServerHello
    hello_retry_request,
    encrypted_extensions,
    certificate,          ///< a TLS 1.3 CertificateEntry
    certificate_request,  ///< TLS 1.3
    new_session_ticket,   ///< TLS 1.3
    tls12_server_hello,
};

/// Whether a recognised extension type may appear in a message (see the file comment). Unknown
/// types return true: they are ignored rather than rejected.
bool extension_allowed(extension_type type, message_context ctx) noexcept;

/// True for the types this library recognises (typed below or known by name).
bool is_recognized_extension(extension_type type) noexcept;

namespace ext {

/// server_name (RFC 6066 3). In a ClientHello: one host_name (non-empty, no NUL). In a server's
/// message (EncryptedExtensions, TLS 1.2 ServerHello) the extension is empty: host_name == "".
struct server_name {
    static constexpr extension_type type = extension_type::server_name;
    std::string host_name;
    bool operator==(const server_name &) const = default;
};

/// supported_versions in a ClientHello: the offered versions (RFC 8446 4.2.1).
struct supported_versions_client {
    static constexpr extension_type type = extension_type::supported_versions;
    std::vector<protocol_version> versions;
    bool operator==(const supported_versions_client &) const = default;
};

/// supported_versions in a ServerHello / HelloRetryRequest: the selected version.
struct supported_versions_server {
    static constexpr extension_type type = extension_type::supported_versions;
    protocol_version selected = protocol_version::tls13;
    bool operator==(const supported_versions_server &) const = default;
};

/// supported_groups (RFC 8446 4.2.7); non-empty.
struct supported_groups {
    static constexpr extension_type type = extension_type::supported_groups;
    std::vector<named_group> groups;
    bool operator==(const supported_groups &) const = default;
};

/// KeyShareEntry (RFC 8446 4.2.8): a group and a non-empty public value.
struct key_share_entry {
    named_group group = named_group::x25519;
    std::vector<std::uint8_t> key_exchange;
    bool operator==(const key_share_entry &) const = default;
};

/// key_share in a ClientHello: zero or more entries, at most one per group.
struct key_share_client {
    static constexpr extension_type type = extension_type::key_share;
    std::vector<key_share_entry> shares;
    bool operator==(const key_share_client &) const = default;
};

/// key_share in a ServerHello: the one share the server chose.
struct key_share_server {
    static constexpr extension_type type = extension_type::key_share;
    key_share_entry share;
    bool operator==(const key_share_server &) const = default;
};

/// key_share in a HelloRetryRequest: the group the client must use.
struct key_share_hrr {
    static constexpr extension_type type = extension_type::key_share;
    named_group selected_group = named_group::x25519;
    bool operator==(const key_share_hrr &) const = default;
};

/// signature_algorithms (RFC 8446 4.2.3); non-empty.
struct signature_algorithms {
    static constexpr extension_type type = extension_type::signature_algorithms;
    std::vector<signature_scheme> schemes;
    bool operator==(const signature_algorithms &) const = default;
};

/// signature_algorithms_cert (RFC 8446 4.2.3); non-empty.
struct signature_algorithms_cert {
    static constexpr extension_type type = extension_type::signature_algorithms_cert;
    std::vector<signature_scheme> schemes;
    bool operator==(const signature_algorithms_cert &) const = default;
};

/// application_layer_protocol_negotiation (RFC 7301): non-empty names; exactly one when sent by
/// a server.
struct alpn {
    static constexpr extension_type type = extension_type::application_layer_protocol_negotiation;
    std::vector<std::string> protocols;
    bool operator==(const alpn &) const = default;
};

/// psk_key_exchange_modes (RFC 8446 4.2.9); non-empty.
struct psk_key_exchange_modes {
    static constexpr extension_type type = extension_type::psk_key_exchange_modes;
    std::vector<psk_key_exchange_mode> modes;
    bool operator==(const psk_key_exchange_modes &) const = default;
};

/// PskIdentity (RFC 8446 4.2.11).
struct psk_identity {
    std::vector<std::uint8_t> identity;  ///< non-empty
    std::uint32_t obfuscated_ticket_age = 0;
    bool operator==(const psk_identity &) const = default;
};

/// pre_shared_key in a ClientHello: identities and one binder (32..255 bytes) per identity.
/// Must be the last extension of the ClientHello.
struct pre_shared_key_client {
    static constexpr extension_type type = extension_type::pre_shared_key;
    std::vector<psk_identity> identities;
    std::vector<std::vector<std::uint8_t>> binders;
    bool operator==(const pre_shared_key_client &) const = default;

    /// Wire length of the binders list including its 2-byte length prefix: the bytes that
    /// follow the truncated ClientHello (RFC 8446 4.2.11.2).
    [[nodiscard]] std::size_t binders_wire_length() const noexcept;
};

/// pre_shared_key in a ServerHello: the chosen identity's index.
struct pre_shared_key_server {
    static constexpr extension_type type = extension_type::pre_shared_key;
    std::uint16_t selected_identity = 0;
    bool operator==(const pre_shared_key_server &) const = default;
};

/// early_data in a ClientHello or EncryptedExtensions (empty; RFC 8446 4.2.10).
struct early_data {
    static constexpr extension_type type = extension_type::early_data;
    bool operator==(const early_data &) const = default;
};

/// early_data in a NewSessionTicket: max_early_data_size.
struct early_data_ticket {
    static constexpr extension_type type = extension_type::early_data;
    std::uint32_t max_early_data_size = 0;
    bool operator==(const early_data_ticket &) const = default;
};

/// cookie (RFC 8446 4.2.2); non-empty.
struct cookie {
    static constexpr extension_type type = extension_type::cookie;
    std::vector<std::uint8_t> value;
    bool operator==(const cookie &) const = default;
};

/// record_size_limit (RFC 8449); at least 64.
struct record_size_limit {
    static constexpr extension_type type = extension_type::record_size_limit;
    std::uint16_t limit = 16385;
    bool operator==(const record_size_limit &) const = default;
};

/// status_request (RFC 6066 8; RFC 8446 4.4.2.1), validated and kept raw. In a ClientHello or
/// CertificateRequest: a CertificateStatusRequest; in a CertificateEntry: a CertificateStatus
/// (the OCSP response); in a TLS 1.2 ServerHello: empty.
struct status_request {
    static constexpr extension_type type = extension_type::status_request;
    std::vector<std::uint8_t> data;
    bool operator==(const status_request &) const = default;
};

/// padding (RFC 7685): `length` zero bytes.
struct padding {
    static constexpr extension_type type = extension_type::padding;
    std::size_t length = 0;
    bool operator==(const padding &) const = default;
};

/// extended_master_secret (RFC 7627); empty.
struct extended_master_secret {
    static constexpr extension_type type = extension_type::extended_master_secret;
    bool operator==(const extended_master_secret &) const = default;
};

/// renegotiation_info (RFC 5746): renegotiated_connection<0..255>.
struct renegotiation_info {
    static constexpr extension_type type = extension_type::renegotiation_info;
    std::vector<std::uint8_t> renegotiated_connection;
    bool operator==(const renegotiation_info &) const = default;
};

/// session_ticket (RFC 5077 3.2): the opaque ticket, possibly empty.
struct session_ticket {
    static constexpr extension_type type = extension_type::session_ticket;
    std::vector<std::uint8_t> ticket;
    bool operator==(const session_ticket &) const = default;
};

/// ec_point_formats (RFC 8422 5.1.2); must list uncompressed.
struct ec_point_formats {
    static constexpr extension_type type = extension_type::ec_point_formats;
    std::vector<ec_point_format> formats{ec_point_format::uncompressed};
    bool operator==(const ec_point_formats &) const = default;
};

/// Any other extension, unparsed.
struct raw {
    extension_type ext_type = extension_type::server_name;
    std::vector<std::uint8_t> data;
    bool operator==(const raw &) const = default;
};

} // namespace ext

/// One extension, in the form its message gives it.
using extension =
    std::variant<ext::server_name, ext::supported_versions_client, ext::supported_versions_server,
                 ext::supported_groups, ext::key_share_client, ext::key_share_server, ext::key_share_hrr,
                 ext::signature_algorithms, ext::signature_algorithms_cert, ext::alpn,
                 ext::psk_key_exchange_modes, ext::pre_shared_key_client, ext::pre_shared_key_server,
                 ext::early_data, ext::early_data_ticket, ext::cookie, ext::record_size_limit,
                 ext::status_request, ext::padding, ext::extended_master_secret, ext::renegotiation_info,
                 ext::session_ticket, ext::ec_point_formats, ext::raw>;

/// The ExtensionType an extension is sent under.
extension_type type_of(const extension &e) noexcept;

/// The extensions of one message, in wire order.
struct extension_list {
    std::vector<extension> entries;

    bool operator==(const extension_list &) const = default;

    [[nodiscard]] bool empty() const noexcept { return entries.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return entries.size(); }

    /// The first entry holding alternative T, or nullptr.
    template <typename T>
    [[nodiscard]] const T *get() const noexcept {
        for (const auto &e : entries) {
            if (const T *p = std::get_if<T>(&e)) {
                return p;
            }
        }
        return nullptr;
    }
    template <typename T>
    [[nodiscard]] T *get() noexcept {
        for (auto &e : entries) {
            if (T *p = std::get_if<T>(&e)) {
                return p;
            }
        }
        return nullptr;
    }

    /// The entry sent under `type` (typed or raw), or nullptr.
    [[nodiscard]] const extension *find(extension_type type) const noexcept;
    [[nodiscard]] bool contains(extension_type type) const noexcept { return find(type) != nullptr; }

    /// Appends an extension (encoders do not check for duplicates; decoders do).
    template <typename T>
    void add(T &&e) {
        entries.emplace_back(std::forward<T>(e));
    }
};

/// Writes one extension: type, u16 length, body.
void encode(writer &w, const extension &e);
/// Writes an extension block: u16 length, then every extension in order.
void encode(writer &w, const extension_list &list);

/// Decodes the body of one extension of `type` received in `ctx`. Does not check whether the
/// type is allowed in ctx (decode_extensions does).
result<extension> decode_extension(extension_type type, std::span<const std::uint8_t> data, message_context ctx);

/// Reads a u16-length-prefixed extension block from `r` and applies every rule in the file
/// comment. `min_length` is the block's lower bound from the message's definition where it is
/// version-independent (2 for a TLS 1.3 CertificateRequest); messages shared with TLS 1.2 pass 0.
/// Errors: decode_error, illegal_parameter (see above). After a failure the reader's position
/// is unspecified; the message is to be abandoned.
result<extension_list> decode_extensions(reader &r, message_context ctx, std::size_t min_length = 0);

} // namespace awsio::tls::codec
