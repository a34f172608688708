// TLS handshake message codecs (RFC 8446 4, RFC 5246 7.4, RFC 8422 5, RFC 5077 3.3), the PSK
// binder helpers, the handshake message splitter, and registry names for logs.
#include "tls/codec/handshake.hpp"

#include <algorithm>
#include <cstring>

namespace awsio::tls::codec {

namespace {

std::vector<std::uint8_t> copy(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

template <typename T>
result<T> finish(reader &r, T value) {
    AWSIO_CODEC_CHECK(r.expect_empty());
    return value;
}

result<random_bytes> read_random(reader &r) {
    AWSIO_CODEC_TRY(b, r.bytes(32));
    random_bytes out{};
    std::copy(b.begin(), b.end(), out.begin());
    return out;
}

// Whether an extension block (not yet validated) names `type`. Used only to pick the decoding
// context of a ServerHello; a malformed block is reported by the real decode that follows.
bool block_mentions(reader r, extension_type type) {
    auto block = r.sub16();
    if (!block) {
        return false;
    }
    while (!block->empty()) {
        auto t = block->u16();
        auto data = block->vec16();
        if (!t || !data) {
            return false;
        }
        if (*t == static_cast<std::uint16_t>(type)) {
            return true;
        }
    }
    return false;
}

void encode_scheme_list(writer &w, const std::vector<signature_scheme> &schemes) {
    auto s = w.scope16(2, 0xfffe);
    for (auto v : schemes) {
        w.u16(static_cast<std::uint16_t>(v));
    }
}

result<std::vector<signature_scheme>> decode_scheme_list(reader &r) {
    AWSIO_CODEC_TRY(list, r.sub16(2, 0xfffe));
    if (list.remaining() % 2 != 0) {
        return errc::decode_error;
    }
    std::vector<signature_scheme> out;
    out.reserve(list.remaining() / 2);
    while (!list.empty()) {
        AWSIO_CODEC_TRY(v, list.u16());
        out.push_back(static_cast<signature_scheme>(v));
    }
    return out;
}

// Parses a full ClientHello message (header + body).
result<client_hello> decode_full_client_hello(std::span<const std::uint8_t> full) {
    reader r(full);
    AWSIO_CODEC_TRY(type, r.u8());
    if (type != static_cast<std::uint8_t>(handshake_type::client_hello)) {
        return errc::unexpected_message;
    }
    AWSIO_CODEC_TRY(body, r.vec24());
    AWSIO_CODEC_CHECK(r.expect_empty());
    return decode_client_hello(body);
}

} // namespace

// ---- ClientHello ----

void encode(writer &w, const client_hello &m) {
    w.u16(static_cast<std::uint16_t>(m.legacy_version));
    w.bytes(m.random);
    w.vec8(m.legacy_session_id, 0, 32);
    {
        auto suites = w.scope16(2, 0xfffe);
        for (auto s : m.cipher_suites) {
            w.u16(static_cast<std::uint16_t>(s));
        }
    }
    w.vec8(m.legacy_compression_methods, 1);
    if (!m.extensions.empty()) {
        encode(w, m.extensions);
    }
}

result<client_hello> decode_client_hello(std::span<const std::uint8_t> body) {
    reader r(body);
    client_hello m;
    AWSIO_CODEC_TRY(version, r.u16());
    m.legacy_version = static_cast<protocol_version>(version);
    AWSIO_CODEC_TRY(random, read_random(r));
    m.random = random;
    AWSIO_CODEC_TRY(session_id, r.vec8(0, 32));
    m.legacy_session_id = copy(session_id);
    AWSIO_CODEC_TRY(suites, r.sub16(2, 0xfffe));
    if (suites.remaining() % 2 != 0) {
        return errc::decode_error;
    }
    while (!suites.empty()) {
        AWSIO_CODEC_TRY(s, suites.u16());
        m.cipher_suites.push_back(static_cast<cipher_suite>(s));
    }
    AWSIO_CODEC_TRY(compression, r.vec8(1));
    m.legacy_compression_methods = copy(compression);
    // TLS 1.2 allows a ClientHello without an extension block (RFC 5246 7.4.1.2).
    if (!r.empty()) {
        AWSIO_CODEC_TRY(exts, decode_extensions(r, message_context::client_hello));
        m.extensions = std::move(exts);
    }
    return finish(r, std::move(m));
}

// ---- ServerHello / HelloRetryRequest ----

protocol_version server_hello::negotiated_version() const noexcept {
    if (const auto *sv = extensions.get<ext::supported_versions_server>()) {
        return sv->selected;
    }
    return legacy_version;
}

void encode(writer &w, const server_hello &m) {
    w.u16(static_cast<std::uint16_t>(m.legacy_version));
    w.bytes(m.random);
    w.vec8(m.legacy_session_id_echo, 0, 32);
    w.u16(static_cast<std::uint16_t>(m.cipher_suite));
    w.u8(m.legacy_compression_method);
    if (!m.extensions.empty()) {
        encode(w, m.extensions);
    }
}

result<server_hello> decode_server_hello(std::span<const std::uint8_t> body) {
    reader r(body);
    server_hello m;
    AWSIO_CODEC_TRY(version, r.u16());
    m.legacy_version = static_cast<protocol_version>(version);
    AWSIO_CODEC_TRY(random, read_random(r));
    m.random = random;
    AWSIO_CODEC_TRY(session_id, r.vec8(0, 32));
    m.legacy_session_id_echo = copy(session_id);
    AWSIO_CODEC_TRY(suite, r.u16());
    m.cipher_suite = static_cast<cipher_suite>(suite);
    AWSIO_CODEC_TRY(compression, r.u8());
    m.legacy_compression_method = compression;
    if (r.empty()) {
        // Only a TLS 1.2 ServerHello may omit the block; without supported_versions this is
        // TLS 1.2 (or an incomplete HelloRetryRequest, which the handshake layer rejects for
        // lacking supported_versions).
        return m;
    }
    message_context ctx = message_context::tls12_server_hello;
    if (m.is_hello_retry_request()) {
        ctx = message_context::hello_retry_request;
    } else if (block_mentions(r, extension_type::supported_versions)) {
        ctx = message_context::server_hello;
    }
    AWSIO_CODEC_TRY(exts, decode_extensions(r, ctx));
    m.extensions = std::move(exts);
    if (ctx != message_context::tls12_server_hello && m.legacy_compression_method != 0) {
        return errc::illegal_parameter; // RFC 8446 4.1.3: legacy_compression_method MUST be 0
    }
    return finish(r, std::move(m));
}

// ---- EncryptedExtensions ----

void encode(writer &w, const encrypted_extensions &m) { encode(w, m.extensions); }

result<encrypted_extensions> decode_encrypted_extensions(std::span<const std::uint8_t> body) {
    reader r(body);
    AWSIO_CODEC_TRY(exts, decode_extensions(r, message_context::encrypted_extensions));
    return finish(r, encrypted_extensions{std::move(exts)});
}

// ---- Certificate ----

void encode(writer &w, const certificate_tls13 &m) {
    w.vec8(m.certificate_request_context);
    auto list = w.scope24();
    for (const auto &e : m.entries) {
        w.vec24(e.cert_data, 1);
        encode(w, e.extensions);
    }
}

result<certificate_tls13> decode_certificate_tls13(std::span<const std::uint8_t> body) {
    reader r(body);
    certificate_tls13 m;
    AWSIO_CODEC_TRY(context, r.vec8());
    m.certificate_request_context = copy(context);
    AWSIO_CODEC_TRY(list, r.sub24());
    while (!list.empty()) {
        certificate_entry e;
        AWSIO_CODEC_TRY(cert, list.vec24(1));
        e.cert_data = copy(cert);
        AWSIO_CODEC_TRY(exts, decode_extensions(list, message_context::certificate));
        e.extensions = std::move(exts);
        m.entries.push_back(std::move(e));
    }
    return finish(r, std::move(m));
}

void encode(writer &w, const certificate_tls12 &m) {
    auto list = w.scope24();
    for (const auto &c : m.certificate_list) {
        w.vec24(c, 1);
    }
}

result<certificate_tls12> decode_certificate_tls12(std::span<const std::uint8_t> body) {
    reader r(body);
    certificate_tls12 m;
    AWSIO_CODEC_TRY(list, r.sub24());
    while (!list.empty()) {
        AWSIO_CODEC_TRY(cert, list.vec24(1));
        m.certificate_list.push_back(copy(cert));
    }
    return finish(r, std::move(m));
}

// ---- CertificateRequest ----

void encode(writer &w, const certificate_request_tls13 &m) {
    w.vec8(m.certificate_request_context);
    encode(w, m.extensions);
}

result<certificate_request_tls13> decode_certificate_request_tls13(std::span<const std::uint8_t> body) {
    reader r(body);
    certificate_request_tls13 m;
    AWSIO_CODEC_TRY(context, r.vec8());
    m.certificate_request_context = copy(context);
    AWSIO_CODEC_TRY(exts, decode_extensions(r, message_context::certificate_request, 2));
    m.extensions = std::move(exts);
    AWSIO_CODEC_CHECK(r.expect_empty());
    if (m.extensions.get<ext::signature_algorithms>() == nullptr) {
        return errc::missing_extension; // RFC 8446 4.3.2: signature_algorithms MUST be specified
    }
    return m;
}

void encode(writer &w, const certificate_request_tls12 &m) {
    {
        auto types = w.scope8(1);
        for (auto t : m.certificate_types) {
            w.u8(static_cast<std::uint8_t>(t));
        }
    }
    encode_scheme_list(w, m.supported_signature_algorithms);
    auto cas = w.scope16();
    for (const auto &dn : m.certificate_authorities) {
        w.vec16(dn, 1);
    }
}

result<certificate_request_tls12> decode_certificate_request_tls12(std::span<const std::uint8_t> body) {
    reader r(body);
    certificate_request_tls12 m;
    AWSIO_CODEC_TRY(types, r.vec8(1));
    for (auto t : types) {
        m.certificate_types.push_back(static_cast<client_certificate_type>(t));
    }
    AWSIO_CODEC_TRY(schemes, decode_scheme_list(r));
    m.supported_signature_algorithms = std::move(schemes);
    AWSIO_CODEC_TRY(cas, r.sub16());
    while (!cas.empty()) {
        AWSIO_CODEC_TRY(dn, cas.vec16(1));
        m.certificate_authorities.push_back(copy(dn));
    }
    return finish(r, std::move(m));
}

// ---- CertificateVerify / Finished ----

void encode(writer &w, const certificate_verify &m) {
    w.u16(static_cast<std::uint16_t>(m.algorithm));
    w.vec16(m.signature);
}

result<certificate_verify> decode_certificate_verify(std::span<const std::uint8_t> body) {
    reader r(body);
    AWSIO_CODEC_TRY(alg, r.u16());
    AWSIO_CODEC_TRY(sig, r.vec16());
    return finish(r, certificate_verify{static_cast<signature_scheme>(alg), copy(sig)});
}

void encode(writer &w, const finished &m) { w.bytes(m.verify_data); }

result<finished> decode_finished(std::span<const std::uint8_t> body, std::size_t verify_data_length) {
    if (body.size() != verify_data_length) {
        return errc::decode_error;
    }
    return finished{copy(body)};
}

// ---- NewSessionTicket ----

std::optional<std::uint32_t> new_session_ticket_tls13::max_early_data_size() const noexcept {
    if (const auto *ed = extensions.get<ext::early_data_ticket>()) {
        return ed->max_early_data_size;
    }
    return std::nullopt;
}

void encode(writer &w, const new_session_ticket_tls13 &m) {
    w.u32(m.ticket_lifetime);
    w.u32(m.ticket_age_add);
    w.vec8(m.ticket_nonce);
    w.vec16(m.ticket, 1);
    encode(w, m.extensions);
}

result<new_session_ticket_tls13> decode_new_session_ticket_tls13(std::span<const std::uint8_t> body) {
    reader r(body);
    new_session_ticket_tls13 m;
    AWSIO_CODEC_TRY(lifetime, r.u32());
    m.ticket_lifetime = lifetime;
    AWSIO_CODEC_TRY(age_add, r.u32());
    m.ticket_age_add = age_add;
    AWSIO_CODEC_TRY(nonce, r.vec8());
    m.ticket_nonce = copy(nonce);
    AWSIO_CODEC_TRY(ticket, r.vec16(1));
    m.ticket = copy(ticket);
    AWSIO_CODEC_TRY(exts, decode_extensions(r, message_context::new_session_ticket, 0));
    m.extensions = std::move(exts);
    return finish(r, std::move(m));
}

void encode(writer &w, const new_session_ticket_tls12 &m) {
    w.u32(m.ticket_lifetime_hint);
    w.vec16(m.ticket);
}

result<new_session_ticket_tls12> decode_new_session_ticket_tls12(std::span<const std::uint8_t> body) {
    reader r(body);
    AWSIO_CODEC_TRY(hint, r.u32());
    AWSIO_CODEC_TRY(ticket, r.vec16());
    return finish(r, new_session_ticket_tls12{hint, copy(ticket)});
}

// ---- KeyUpdate / EndOfEarlyData / empty TLS 1.2 messages ----

void encode(writer &w, const key_update &m) { w.u8(static_cast<std::uint8_t>(m.request_update)); }

result<key_update> decode_key_update(std::span<const std::uint8_t> body) {
    reader r(body);
    AWSIO_CODEC_TRY(v, r.u8());
    AWSIO_CODEC_CHECK(r.expect_empty());
    if (v > static_cast<std::uint8_t>(key_update_request::update_requested)) {
        return errc::illegal_parameter; // RFC 8446 4.6.3
    }
    return key_update{static_cast<key_update_request>(v)};
}

void encode(writer &, const end_of_early_data &) {}
void encode(writer &, const server_hello_done &) {}
void encode(writer &, const hello_request &) {}

result<end_of_early_data> decode_end_of_early_data(std::span<const std::uint8_t> body) {
    reader r(body);
    return finish(r, end_of_early_data{});
}

result<server_hello_done> decode_server_hello_done(std::span<const std::uint8_t> body) {
    reader r(body);
    return finish(r, server_hello_done{});
}

result<hello_request> decode_hello_request(std::span<const std::uint8_t> body) {
    reader r(body);
    return finish(r, hello_request{});
}

// ---- TLS 1.2 ECDHE key exchange ----

void encode_ecdhe_params(writer &w, const server_key_exchange_ecdhe &m) {
    w.u8(static_cast<std::uint8_t>(ec_curve_type::named_curve));
    w.u16(static_cast<std::uint16_t>(m.group));
    w.vec8(m.public_key, 1);
}

void encode(writer &w, const server_key_exchange_ecdhe &m) {
    encode_ecdhe_params(w, m);
    w.u16(static_cast<std::uint16_t>(m.algorithm));
    w.vec16(m.signature);
}

result<server_key_exchange_ecdhe> decode_server_key_exchange_ecdhe(std::span<const std::uint8_t> body) {
    reader r(body);
    server_key_exchange_ecdhe m;
    AWSIO_CODEC_TRY(curve_type, r.u8());
    if (curve_type != static_cast<std::uint8_t>(ec_curve_type::named_curve)) {
        // explicit_prime / explicit_char2 are deprecated (RFC 8422 5.4).
        return errc::illegal_parameter;
    }
    AWSIO_CODEC_TRY(group, r.u16());
    m.group = static_cast<named_group>(group);
    AWSIO_CODEC_TRY(point, r.vec8(1));
    m.public_key = copy(point);
    AWSIO_CODEC_TRY(alg, r.u16());
    m.algorithm = static_cast<signature_scheme>(alg);
    AWSIO_CODEC_TRY(sig, r.vec16());
    m.signature = copy(sig);
    return finish(r, std::move(m));
}

void encode(writer &w, const client_key_exchange_ecdhe &m) { w.vec8(m.public_key, 1); }

result<client_key_exchange_ecdhe> decode_client_key_exchange_ecdhe(std::span<const std::uint8_t> body) {
    reader r(body);
    AWSIO_CODEC_TRY(point, r.vec8(1));
    return finish(r, client_key_exchange_ecdhe{copy(point)});
}

// ---- message_hash ----

void encode(writer &w, const message_hash &m) { w.bytes(m.hash); }

result<message_hash> decode_message_hash(std::span<const std::uint8_t> body) {
    if (body.empty()) {
        return errc::decode_error;
    }
    return message_hash{copy(body)};
}

std::vector<std::uint8_t> make_message_hash(std::span<const std::uint8_t> client_hello1_hash) {
    return serialize(message_hash{copy(client_hello1_hash)});
}

// ---- PSK binders ----

result<std::size_t> truncated_client_hello_length(std::span<const std::uint8_t> full_client_hello) {
    AWSIO_CODEC_TRY(ch, decode_full_client_hello(full_client_hello));
    const auto *psk = ch.extensions.get<ext::pre_shared_key_client>();
    if (psk == nullptr) {
        return errc::missing_extension;
    }
    // pre_shared_key is the last extension (enforced by the decoder) and the extension block
    // ends the message, so the binders list is the message's final bytes.
    return full_client_hello.size() - psk->binders_wire_length();
}

result<std::span<const std::uint8_t>> truncated_client_hello(std::span<const std::uint8_t> full_client_hello) {
    AWSIO_CODEC_TRY(len, truncated_client_hello_length(full_client_hello));
    return full_client_hello.first(len);
}

std::error_code patch_binders(std::vector<std::uint8_t> &full_client_hello,
                              std::span<const std::vector<std::uint8_t>> binders) {
    auto ch = decode_full_client_hello(full_client_hello);
    if (!ch) {
        return ch.error();
    }
    const auto *psk = ch->extensions.get<ext::pre_shared_key_client>();
    if (psk == nullptr) {
        return make_error_code(errc::missing_extension);
    }
    if (psk->binders.size() != binders.size()) {
        return make_error_code(errc::internal_error);
    }
    for (std::size_t i = 0; i < binders.size(); ++i) {
        if (psk->binders[i].size() != binders[i].size()) {
            return make_error_code(errc::internal_error);
        }
    }
    std::size_t pos = full_client_hello.size() - psk->binders_wire_length() + 2;
    for (const auto &b : binders) {
        pos += 1; // the binder's length byte, unchanged
        std::copy(b.begin(), b.end(), full_client_hello.begin() + static_cast<std::ptrdiff_t>(pos));
        pos += b.size();
    }
    return {};
}

// ---- splitter ----

std::error_code handshake_splitter::check_header() noexcept {
    if (error_ || buffered() < handshake_header_size) {
        return error_;
    }
    const std::uint8_t *h = buffer_.data() + start_;
    const std::size_t len = (std::size_t{h[1]} << 16) | (std::size_t{h[2]} << 8) | std::size_t{h[3]};
    const std::size_t limit = h[0] == static_cast<std::uint8_t>(handshake_type::certificate)
                                  ? limits_.max_certificate_size
                                  : limits_.max_message_size;
    if (len > limit) {
        // Refuse before buffering the body, so a peer cannot make us hold 16 MiB per message.
        error_ = make_error_code(errc::illegal_parameter);
    }
    return error_;
}

std::error_code handshake_splitter::feed(std::span<const std::uint8_t> data) {
    if (error_) {
        return error_;
    }
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    return check_header();
}

result<std::optional<handshake_message>> handshake_splitter::pop() {
    if (const auto ec = check_header()) {
        return unexpected(ec);
    }
    if (buffered() < handshake_header_size) {
        return std::optional<handshake_message>();
    }
    const std::uint8_t *h = buffer_.data() + start_;
    const std::size_t len = (std::size_t{h[1]} << 16) | (std::size_t{h[2]} << 8) | std::size_t{h[3]};
    const std::size_t total = handshake_header_size + len;
    if (buffered() < total) {
        return std::optional<handshake_message>();
    }
    handshake_message msg;
    msg.type = static_cast<handshake_type>(h[0]);
    const auto first = buffer_.begin() + static_cast<std::ptrdiff_t>(start_);
    msg.bytes.assign(first, first + static_cast<std::ptrdiff_t>(total));
    start_ += total;
    if (start_ == buffer_.size()) {
        buffer_.clear();
        start_ = 0;
    } else if (start_ >= 4096 && start_ * 2 >= buffer_.size()) {
        // Drop consumed bytes once they dominate the buffer (amortised O(1) per byte).
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
        start_ = 0;
    }
    return std::optional<handshake_message>(std::move(msg));
}

// ---- names ----

std::string_view name(handshake_type t) noexcept {
    switch (t) {
    case handshake_type::hello_request: return "hello_request";
    case handshake_type::client_hello: return "client_hello";
    case handshake_type::server_hello: return "server_hello";
    case handshake_type::new_session_ticket: return "new_session_ticket";
    case handshake_type::end_of_early_data: return "end_of_early_data";
    case handshake_type::encrypted_extensions: return "encrypted_extensions";
    case handshake_type::certificate: return "certificate";
    case handshake_type::server_key_exchange: return "server_key_exchange";
    case handshake_type::certificate_request: return "certificate_request";
    case handshake_type::server_hello_done: return "server_hello_done";
    case handshake_type::certificate_verify: return "certificate_verify";
    case handshake_type::client_key_exchange: return "client_key_exchange";
    case handshake_type::finished: return "finished";
    case handshake_type::certificate_status: return "certificate_status";
    case handshake_type::key_update: return "key_update";
    case handshake_type::message_hash: return "message_hash";
    }
    return "unknown";
}

std::string_view name(cipher_suite s) noexcept {
    switch (s) {
    case cipher_suite::tls_aes_128_gcm_sha256: return "TLS_AES_128_GCM_SHA256";
    case cipher_suite::tls_aes_256_gcm_sha384: return "TLS_AES_256_GCM_SHA384";
    case cipher_suite::tls_chacha20_poly1305_sha256: return "TLS_CHACHA20_POLY1305_SHA256";
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256: return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384: return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256: return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case cipher_suite::tls_ecdhe_rsa_with_aes_256_gcm_sha384: return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    case cipher_suite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256:
        return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case cipher_suite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256:
        return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case cipher_suite::tls_empty_renegotiation_info_scsv: return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    case cipher_suite::tls_fallback_scsv: return "TLS_FALLBACK_SCSV";
    }
    return "unknown";
}

std::string_view name(named_group g) noexcept {
    switch (g) {
    case named_group::secp256r1: return "secp256r1";
    case named_group::secp384r1: return "secp384r1";
    case named_group::secp521r1: return "secp521r1";
    case named_group::x25519: return "x25519";
    case named_group::x448: return "x448";
    case named_group::ffdhe2048: return "ffdhe2048";
    case named_group::ffdhe3072: return "ffdhe3072";
    case named_group::ffdhe4096: return "ffdhe4096";
    case named_group::ffdhe6144: return "ffdhe6144";
    case named_group::ffdhe8192: return "ffdhe8192";
    }
    return "unknown";
}

std::string_view name(signature_scheme s) noexcept {
    switch (s) {
    case signature_scheme::rsa_pkcs1_sha256: return "rsa_pkcs1_sha256";
    case signature_scheme::rsa_pkcs1_sha384: return "rsa_pkcs1_sha384";
    case signature_scheme::rsa_pkcs1_sha512: return "rsa_pkcs1_sha512";
    case signature_scheme::ecdsa_secp256r1_sha256: return "ecdsa_secp256r1_sha256";
    case signature_scheme::ecdsa_secp384r1_sha384: return "ecdsa_secp384r1_sha384";
    case signature_scheme::ecdsa_secp521r1_sha512: return "ecdsa_secp521r1_sha512";
    case signature_scheme::rsa_pss_rsae_sha256: return "rsa_pss_rsae_sha256";
    case signature_scheme::rsa_pss_rsae_sha384: return "rsa_pss_rsae_sha384";
    case signature_scheme::rsa_pss_rsae_sha512: return "rsa_pss_rsae_sha512";
    case signature_scheme::ed25519: return "ed25519";
    case signature_scheme::ed448: return "ed448";
    case signature_scheme::rsa_pss_pss_sha256: return "rsa_pss_pss_sha256";
    case signature_scheme::rsa_pss_pss_sha384: return "rsa_pss_pss_sha384";
    case signature_scheme::rsa_pss_pss_sha512: return "rsa_pss_pss_sha512";
    case signature_scheme::rsa_pkcs1_sha1: return "rsa_pkcs1_sha1";
    case signature_scheme::ecdsa_sha1: return "ecdsa_sha1";
    }
    return "unknown";
}

std::string_view name(extension_type t) noexcept {
    switch (t) {
    case extension_type::server_name: return "server_name";
    case extension_type::max_fragment_length: return "max_fragment_length";
    case extension_type::status_request: return "status_request";
    case extension_type::supported_groups: return "supported_groups";
    case extension_type::ec_point_formats: return "ec_point_formats";
    case extension_type::signature_algorithms: return "signature_algorithms";
    case extension_type::use_srtp: return "use_srtp";
    case extension_type::heartbeat: return "heartbeat";
    case extension_type::application_layer_protocol_negotiation: return "application_layer_protocol_negotiation";
    case extension_type::signed_certificate_timestamp: return "signed_certificate_timestamp";
    case extension_type::client_certificate_type: return "client_certificate_type";
    case extension_type::server_certificate_type: return "server_certificate_type";
    case extension_type::padding: return "padding";
    case extension_type::encrypt_then_mac: return "encrypt_then_mac";
    case extension_type::extended_master_secret: return "extended_master_secret";
    case extension_type::compress_certificate: return "compress_certificate";
    case extension_type::record_size_limit: return "record_size_limit";
    case extension_type::session_ticket: return "session_ticket";
    case extension_type::pre_shared_key: return "pre_shared_key";
    case extension_type::early_data: return "early_data";
    case extension_type::supported_versions: return "supported_versions";
    case extension_type::cookie: return "cookie";
    case extension_type::psk_key_exchange_modes: return "psk_key_exchange_modes";
    case extension_type::certificate_authorities: return "certificate_authorities";
    case extension_type::oid_filters: return "oid_filters";
    case extension_type::post_handshake_auth: return "post_handshake_auth";
    case extension_type::signature_algorithms_cert: return "signature_algorithms_cert";
    case extension_type::key_share: return "key_share";
    case extension_type::renegotiation_info: return "renegotiation_info";
    }
    return "unknown";
}

std::string_view name(protocol_version v) noexcept {
    switch (v) {
    case protocol_version::ssl30: return "SSLv3";
    case protocol_version::tls10: return "TLSv1.0";
    case protocol_version::tls11: return "TLSv1.1";
    case protocol_version::tls12: return "TLSv1.2";
    case protocol_version::tls13: return "TLSv1.3";
    }
    return "unknown";
}

} // namespace awsio::tls::codec
