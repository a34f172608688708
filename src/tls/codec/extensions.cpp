// Typed TLS extensions: per-type wire encoding and decoding, and the per-message rules of
// RFC 8446 4.2 (which extension may appear where, no duplicates, pre_shared_key last).
#include "tls/codec/extensions.hpp"

#include <algorithm>
#include <optional>

namespace awsio::tls::codec {

namespace {

constexpr unsigned bit(message_context c) noexcept { return 1u << static_cast<unsigned>(c); }

constexpr unsigned ch = bit(message_context::client_hello);
constexpr unsigned sh = bit(message_context::server_hello);
constexpr unsigned hrr = bit(message_context::hello_retry_request);
constexpr unsigned ee = bit(message_context::encrypted_extensions);
constexpr unsigned ct = bit(message_context::certificate);
constexpr unsigned cr = bit(message_context::certificate_request);
constexpr unsigned nst = bit(message_context::new_session_ticket);
constexpr unsigned sh12 = bit(message_context::tls12_server_hello);

// The RFC 8446 4.2 table (plus RFC 8449 and RFC 8879 for record_size_limit and
// compress_certificate), extended with the TLS 1.2 ServerHello column. TLS 1.2-only extensions
// appear in CH and SH12 only, so any TLS 1.3 message carrying them is rejected.
std::optional<unsigned> allowed_mask(extension_type t) noexcept {
    switch (t) {
    case extension_type::server_name: return ch | ee | sh12;
    case extension_type::max_fragment_length: return ch | ee | sh12;
    case extension_type::status_request: return ch | cr | ct | sh12;
    case extension_type::supported_groups: return ch | ee;
    case extension_type::ec_point_formats: return ch | sh12;
    case extension_type::signature_algorithms: return ch | cr;
    case extension_type::use_srtp: return ch | ee | sh12;
    case extension_type::heartbeat: return ch | ee | sh12;
    case extension_type::application_layer_protocol_negotiation: return ch | ee | sh12;
    case extension_type::signed_certificate_timestamp: return ch | cr | ct | sh12;
    case extension_type::client_certificate_type: return ch | ee | sh12;
    case extension_type::server_certificate_type: return ch | ee | sh12;
    case extension_type::padding: return ch;
    case extension_type::encrypt_then_mac: return ch | sh12;
    case extension_type::extended_master_secret: return ch | sh12;
    case extension_type::compress_certificate: return ch | cr;
    case extension_type::record_size_limit: return ch | ee | sh12;
    case extension_type::session_ticket: return ch | sh12;
    case extension_type::pre_shared_key: return ch | sh;
    case extension_type::early_data: return ch | ee | nst;
    case extension_type::supported_versions: return ch | sh | hrr;
    case extension_type::cookie: return ch | hrr;
    case extension_type::psk_key_exchange_modes: return ch;
    case extension_type::certificate_authorities: return ch | cr;
    case extension_type::oid_filters: return cr;
    case extension_type::post_handshake_auth: return ch;
    case extension_type::signature_algorithms_cert: return ch | cr;
    case extension_type::key_share: return ch | sh | hrr;
    case extension_type::renegotiation_info: return ch | sh12;
    }
    return std::nullopt;
}

std::vector<std::uint8_t> copy(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

// ---- encoders (bodies only) ----

void encode_body(writer &w, const ext::server_name &e) {
    if (e.host_name.empty()) {
        return; // the server's empty acknowledgement
    }
    auto list = w.scope16(1);
    w.u8(static_cast<std::uint8_t>(server_name_type::host_name));
    auto name = w.scope16(1);
    w.bytes(e.host_name);
}

void encode_body(writer &w, const ext::supported_versions_client &e) {
    auto s = w.scope8(2, 254);
    for (auto v : e.versions) {
        w.u16(static_cast<std::uint16_t>(v));
    }
}

void encode_body(writer &w, const ext::supported_versions_server &e) { w.u16(static_cast<std::uint16_t>(e.selected)); }

void encode_body(writer &w, const ext::supported_groups &e) {
    auto s = w.scope16(2);
    for (auto g : e.groups) {
        w.u16(static_cast<std::uint16_t>(g));
    }
}

void encode_entry(writer &w, const ext::key_share_entry &e) {
    w.u16(static_cast<std::uint16_t>(e.group));
    w.vec16(e.key_exchange, 1);
}

void encode_body(writer &w, const ext::key_share_client &e) {
    auto s = w.scope16();
    for (const auto &k : e.shares) {
        encode_entry(w, k);
    }
}

void encode_body(writer &w, const ext::key_share_server &e) { encode_entry(w, e.share); }

void encode_body(writer &w, const ext::key_share_hrr &e) { w.u16(static_cast<std::uint16_t>(e.selected_group)); }

void encode_schemes(writer &w, const std::vector<signature_scheme> &schemes) {
    auto s = w.scope16(2, 0xfffe);
    for (auto v : schemes) {
        w.u16(static_cast<std::uint16_t>(v));
    }
}

void encode_body(writer &w, const ext::signature_algorithms &e) { encode_schemes(w, e.schemes); }
void encode_body(writer &w, const ext::signature_algorithms_cert &e) { encode_schemes(w, e.schemes); }

void encode_body(writer &w, const ext::alpn &e) {
    auto s = w.scope16(2);
    for (const auto &p : e.protocols) {
        auto name = w.scope8(1);
        w.bytes(p);
    }
}

void encode_body(writer &w, const ext::psk_key_exchange_modes &e) {
    auto s = w.scope8(1);
    for (auto m : e.modes) {
        w.u8(static_cast<std::uint8_t>(m));
    }
}

void encode_body(writer &w, const ext::pre_shared_key_client &e) {
    {
        auto ids = w.scope16(7);
        for (const auto &id : e.identities) {
            w.vec16(id.identity, 1);
            w.u32(id.obfuscated_ticket_age);
        }
    }
    auto binders = w.scope16(33);
    for (const auto &b : e.binders) {
        w.vec8(b, 32, 255);
    }
}

void encode_body(writer &w, const ext::pre_shared_key_server &e) { w.u16(e.selected_identity); }
void encode_body(writer &, const ext::early_data &) {}
void encode_body(writer &w, const ext::early_data_ticket &e) { w.u32(e.max_early_data_size); }
void encode_body(writer &w, const ext::cookie &e) { w.vec16(e.value, 1); }
void encode_body(writer &w, const ext::record_size_limit &e) { w.u16(e.limit); }
void encode_body(writer &w, const ext::status_request &e) { w.bytes(e.data); }

void encode_body(writer &w, const ext::padding &e) {
    for (std::size_t i = 0; i < e.length; ++i) {
        w.u8(0);
    }
}

void encode_body(writer &, const ext::extended_master_secret &) {}
void encode_body(writer &w, const ext::renegotiation_info &e) { w.vec8(e.renegotiated_connection); }
void encode_body(writer &w, const ext::session_ticket &e) { w.bytes(e.ticket); }

void encode_body(writer &w, const ext::ec_point_formats &e) {
    auto s = w.scope8(1);
    for (auto f : e.formats) {
        w.u8(static_cast<std::uint8_t>(f));
    }
}

void encode_body(writer &w, const ext::raw &e) { w.bytes(e.data); }

// ---- decoders (bodies only; each consumes all of `r`) ----

result<extension> finish(reader &r, extension e) {
    AWSIO_CODEC_CHECK(r.expect_empty());
    return e;
}

result<extension> decode_server_name(reader &r, message_context ctx) {
    if (ctx != message_context::client_hello) {
        // Servers acknowledge SNI with an empty extension (RFC 6066 3).
        return finish(r, ext::server_name{});
    }
    AWSIO_CODEC_TRY(list, r.sub16(1));
    ext::server_name out;
    bool have_host = false;
    while (!list.empty()) {
        AWSIO_CODEC_TRY(name_type, list.u8());
        if (name_type != static_cast<std::uint8_t>(server_name_type::host_name)) {
            // Only host_name is defined; the list syntax of other types is unknown (RFC 6066 3
            // errata), so the rest cannot be parsed reliably.
            return errc::illegal_parameter;
        }
        AWSIO_CODEC_TRY(name, list.vec16(1));
        if (have_host) {
            return errc::illegal_parameter; // at most one name per type
        }
        if (std::find(name.begin(), name.end(), std::uint8_t{0}) != name.end()) {
            return errc::illegal_parameter;
        }
        out.host_name.assign(name.begin(), name.end());
        have_host = true;
    }
    return finish(r, std::move(out));
}

result<extension> decode_supported_versions(reader &r, message_context ctx) {
    if (ctx == message_context::client_hello) {
        AWSIO_CODEC_TRY(list, r.sub8(2, 254));
        if (list.remaining() % 2 != 0) {
            return errc::decode_error;
        }
        ext::supported_versions_client out;
        while (!list.empty()) {
            AWSIO_CODEC_TRY(v, list.u16());
            out.versions.push_back(static_cast<protocol_version>(v));
        }
        return finish(r, std::move(out));
    }
    AWSIO_CODEC_TRY(v, r.u16());
    return finish(r, ext::supported_versions_server{static_cast<protocol_version>(v)});
}

result<std::vector<std::uint16_t>> decode_u16_list(reader &r, std::size_t max) {
    AWSIO_CODEC_TRY(list, r.sub16(2, max));
    if (list.remaining() % 2 != 0) {
        return errc::decode_error;
    }
    std::vector<std::uint16_t> out;
    out.reserve(list.remaining() / 2);
    while (!list.empty()) {
        AWSIO_CODEC_TRY(v, list.u16());
        out.push_back(v);
    }
    return out;
}

result<extension> decode_supported_groups(reader &r) {
    AWSIO_CODEC_TRY(list, decode_u16_list(r, 0xffff));
    ext::supported_groups out;
    for (auto v : list) {
        out.groups.push_back(static_cast<named_group>(v));
    }
    return finish(r, std::move(out));
}

result<ext::key_share_entry> decode_key_share_entry(reader &r) {
    AWSIO_CODEC_TRY(group, r.u16());
    AWSIO_CODEC_TRY(key, r.vec16(1));
    return ext::key_share_entry{static_cast<named_group>(group), copy(key)};
}

result<extension> decode_key_share(reader &r, message_context ctx) {
    if (ctx == message_context::client_hello) {
        AWSIO_CODEC_TRY(list, r.sub16());
        ext::key_share_client out;
        while (!list.empty()) {
            AWSIO_CODEC_TRY(entry, decode_key_share_entry(list));
            for (const auto &prev : out.shares) {
                if (prev.group == entry.group) {
                    return errc::illegal_parameter; // RFC 8446 4.2.8: one share per group
                }
            }
            out.shares.push_back(std::move(entry));
        }
        return finish(r, std::move(out));
    }
    if (ctx == message_context::hello_retry_request) {
        AWSIO_CODEC_TRY(group, r.u16());
        return finish(r, ext::key_share_hrr{static_cast<named_group>(group)});
    }
    AWSIO_CODEC_TRY(entry, decode_key_share_entry(r));
    return finish(r, ext::key_share_server{std::move(entry)});
}

result<std::vector<signature_scheme>> decode_schemes(reader &r) {
    AWSIO_CODEC_TRY(list, decode_u16_list(r, 0xfffe));
    std::vector<signature_scheme> out;
    out.reserve(list.size());
    for (auto v : list) {
        out.push_back(static_cast<signature_scheme>(v));
    }
    return out;
}

result<extension> decode_alpn(reader &r, message_context ctx) {
    AWSIO_CODEC_TRY(list, r.sub16(2));
    ext::alpn out;
    while (!list.empty()) {
        AWSIO_CODEC_TRY(name, list.vec8(1)); // empty names are forbidden (RFC 7301 3.1)
        out.protocols.emplace_back(name.begin(), name.end());
    }
    if (ctx != message_context::client_hello && out.protocols.size() != 1) {
        return errc::illegal_parameter; // a server selects exactly one protocol
    }
    return finish(r, std::move(out));
}

result<extension> decode_psk_modes(reader &r) {
    AWSIO_CODEC_TRY(list, r.sub8(1));
    ext::psk_key_exchange_modes out;
    while (!list.empty()) {
        AWSIO_CODEC_TRY(m, list.u8());
        out.modes.push_back(static_cast<psk_key_exchange_mode>(m));
    }
    return finish(r, std::move(out));
}

result<extension> decode_pre_shared_key(reader &r, message_context ctx) {
    if (ctx != message_context::client_hello) {
        AWSIO_CODEC_TRY(index, r.u16());
        return finish(r, ext::pre_shared_key_server{index});
    }
    ext::pre_shared_key_client out;
    AWSIO_CODEC_TRY(ids, r.sub16(7));
    while (!ids.empty()) {
        AWSIO_CODEC_TRY(identity, ids.vec16(1));
        AWSIO_CODEC_TRY(age, ids.u32());
        out.identities.push_back({copy(identity), age});
    }
    AWSIO_CODEC_TRY(binders, r.sub16(33));
    while (!binders.empty()) {
        AWSIO_CODEC_TRY(binder, binders.vec8(32, 255));
        out.binders.push_back(copy(binder));
    }
    if (out.binders.size() != out.identities.size()) {
        return errc::illegal_parameter; // RFC 8446 4.2.11: one binder per identity
    }
    return finish(r, std::move(out));
}

result<extension> decode_status_request(reader &r, message_context ctx) {
    const auto all = r.rest();
    // RFC 8446 4.4.2.1: a server asks for the client's OCSP response with an *empty*
    // status_request in its CertificateRequest (GnuTLS always sends one).
    const bool empty_in_certificate_request = ctx == message_context::certificate_request && all.empty();
    if (ctx == message_context::client_hello ||
        (ctx == message_context::certificate_request && !empty_in_certificate_request)) {
        // CertificateStatusRequest (RFC 6066 8): status_type, then for ocsp the responder ids
        // and request extensions. Other status types are opaque to us.
        AWSIO_CODEC_TRY(status_type, r.u8());
        if (status_type == static_cast<std::uint8_t>(certificate_status_type::ocsp)) {
            AWSIO_CODEC_TRY(responders, r.sub16());
            while (!responders.empty()) {
                AWSIO_CODEC_TRY(id, responders.vec16(1));
                (void)id;
            }
            AWSIO_CODEC_TRY(request_exts, r.vec16());
            (void)request_exts;
        } else {
            (void)r.bytes(r.remaining());
        }
    } else if (ctx == message_context::certificate) {
        // CertificateStatus (RFC 8446 4.4.2.1, RFC 6066 8): ocsp + OCSPResponse<1..2^24-1>.
        AWSIO_CODEC_TRY(status_type, r.u8());
        if (status_type != static_cast<std::uint8_t>(certificate_status_type::ocsp)) {
            return errc::illegal_parameter;
        }
        AWSIO_CODEC_TRY(response, r.vec24(1));
        (void)response;
    }
    // A TLS 1.2 ServerHello acknowledges with an empty body; finish() enforces that.
    AWSIO_CODEC_CHECK(r.expect_empty());
    return extension(ext::status_request{copy(all)});
}

result<extension> decode_padding(reader &r) {
    const auto all = r.rest();
    if (std::any_of(all.begin(), all.end(), [](std::uint8_t b) { return b != 0; })) {
        return errc::illegal_parameter; // RFC 7685 3: the padding is all zeros
    }
    (void)r.bytes(all.size());
    return extension(ext::padding{all.size()});
}

result<extension> decode_ec_point_formats(reader &r) {
    AWSIO_CODEC_TRY(list, r.vec8(1));
    ext::ec_point_formats out;
    out.formats.clear();
    bool uncompressed = false;
    for (auto f : list) {
        uncompressed = uncompressed || f == static_cast<std::uint8_t>(ec_point_format::uncompressed);
        out.formats.push_back(static_cast<ec_point_format>(f));
    }
    if (!uncompressed) {
        return errc::illegal_parameter; // RFC 8422 5.1.2
    }
    return finish(r, std::move(out));
}

} // namespace

bool extension_allowed(extension_type type, message_context ctx) noexcept {
    const auto mask = allowed_mask(type);
    return !mask || (*mask & bit(ctx)) != 0;
}

bool is_recognized_extension(extension_type type) noexcept { return allowed_mask(type).has_value(); }

std::size_t ext::pre_shared_key_client::binders_wire_length() const noexcept {
    std::size_t n = 2;
    for (const auto &b : binders) {
        n += 1 + b.size();
    }
    return n;
}

extension_type type_of(const extension &e) noexcept {
    return std::visit(
        [](const auto &v) -> extension_type {
            using T = std::remove_cvref_t<decltype(v)>;
            if constexpr (std::is_same_v<T, ext::raw>) {
                return v.ext_type;
            } else {
                return T::type;
            }
        },
        e);
}

const extension *extension_list::find(extension_type type) const noexcept {
    for (const auto &e : entries) {
        if (type_of(e) == type) {
            return &e;
        }
    }
    return nullptr;
}

void encode(writer &w, const extension &e) {
    w.u16(static_cast<std::uint16_t>(type_of(e)));
    auto body = w.scope16();
    std::visit([&w](const auto &v) { encode_body(w, v); }, e);
}

void encode(writer &w, const extension_list &list) {
    auto block = w.scope16();
    for (const auto &e : list.entries) {
        encode(w, e);
    }
}

result<extension> decode_extension(extension_type type, std::span<const std::uint8_t> data, message_context ctx) {
    reader r(data);
    switch (type) {
    case extension_type::server_name: return decode_server_name(r, ctx);
    case extension_type::supported_versions: return decode_supported_versions(r, ctx);
    case extension_type::supported_groups: return decode_supported_groups(r);
    case extension_type::key_share: return decode_key_share(r, ctx);
    case extension_type::signature_algorithms: {
        AWSIO_CODEC_TRY(schemes, decode_schemes(r));
        return finish(r, ext::signature_algorithms{std::move(schemes)});
    }
    case extension_type::signature_algorithms_cert: {
        AWSIO_CODEC_TRY(schemes, decode_schemes(r));
        return finish(r, ext::signature_algorithms_cert{std::move(schemes)});
    }
    case extension_type::application_layer_protocol_negotiation: return decode_alpn(r, ctx);
    case extension_type::psk_key_exchange_modes: return decode_psk_modes(r);
    case extension_type::pre_shared_key: return decode_pre_shared_key(r, ctx);
    case extension_type::early_data:
        if (ctx == message_context::new_session_ticket) {
            AWSIO_CODEC_TRY(max, r.u32());
            return finish(r, ext::early_data_ticket{max});
        }
        return finish(r, ext::early_data{});
    case extension_type::cookie: {
        AWSIO_CODEC_TRY(value, r.vec16(1));
        return finish(r, ext::cookie{copy(value)});
    }
    case extension_type::record_size_limit: {
        AWSIO_CODEC_TRY(limit, r.u16());
        AWSIO_CODEC_CHECK(r.expect_empty());
        if (limit < 64) {
            return errc::illegal_parameter; // RFC 8449 4
        }
        return extension(ext::record_size_limit{limit});
    }
    case extension_type::status_request: return decode_status_request(r, ctx);
    case extension_type::padding: return decode_padding(r);
    case extension_type::extended_master_secret: return finish(r, ext::extended_master_secret{});
    case extension_type::renegotiation_info: {
        AWSIO_CODEC_TRY(conn, r.vec8());
        return finish(r, ext::renegotiation_info{copy(conn)});
    }
    case extension_type::session_ticket: {
        auto all = r.rest();
        (void)r.bytes(all.size());
        return extension(ext::session_ticket{copy(all)});
    }
    case extension_type::ec_point_formats: return decode_ec_point_formats(r);
    default: break;
    }
    return extension(ext::raw{type, copy(data)});
}

result<extension_list> decode_extensions(reader &r, message_context ctx, std::size_t min_length) {
    AWSIO_CODEC_TRY(block, r.sub16(min_length));
    extension_list out;
    std::vector<std::uint16_t> seen;
    while (!block.empty()) {
        AWSIO_CODEC_TRY(type_value, block.u16());
        AWSIO_CODEC_TRY(data, block.vec16());
        const auto type = static_cast<extension_type>(type_value);
        // Duplicates first: a repeated type is wrong whatever its contents (RFC 8446 4.2).
        const auto pos = std::lower_bound(seen.begin(), seen.end(), type_value);
        if (pos != seen.end() && *pos == type_value) {
            return errc::illegal_parameter;
        }
        seen.insert(pos, type_value);
        if (!extension_allowed(type, ctx)) {
            return errc::illegal_parameter;
        }
        if (type == extension_type::pre_shared_key && ctx == message_context::client_hello && !block.empty()) {
            return errc::illegal_parameter; // RFC 8446 4.2.11: must be the last extension
        }
        AWSIO_CODEC_TRY(e, decode_extension(type, data, ctx));
        out.entries.push_back(std::move(e));
    }
    return out;
}

} // namespace awsio::tls::codec
