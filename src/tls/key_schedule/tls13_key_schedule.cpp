// tls/key_schedule/tls13_key_schedule.cpp — RFC 8446 7.1 derivations over the crypto provider.
#include "tls/key_schedule/tls13_key_schedule.hpp"

#include "tls/codec/tls_error.hpp"

#include <algorithm>
#include <array>

namespace awsio::tls {

namespace {

constexpr std::string_view label_prefix = "tls13 ";
// HkdfLabel.label is opaque<7..255> including the prefix.
constexpr std::size_t max_label = 255 - label_prefix.size();
// HkdfLabel: uint16 length, 1 + 255 label, 1 + 255 context.
constexpr std::size_t max_hkdf_label = 2 + 1 + 255 + 1 + 255;

bool is_tls13_hash(crypto::hash_algorithm h) noexcept {
    return h == crypto::hash_algorithm::sha256 || h == crypto::hash_algorithm::sha384;
}

// Hash("") for Derive-Secret(., "derived", "") and the binder keys.
result<crypto::digest> empty_hash(const crypto::provider &p, crypto::hash_algorithm h) {
    return p.hash(h, {});
}

result<crypto::secret_buffer> derive_with_empty(const crypto::provider &p, crypto::hash_algorithm h,
                                                bytes_view secret, std::string_view label) {
    auto e = empty_hash(p, h);
    if (!e) {
        return unexpected(e.error());
    }
    return derive_secret(p, h, secret, label, e->view());
}

// HKDF-Extract(Derive-Secret(secret, "derived", ""), ikm) — the step between two stages.
result<crypto::secret_buffer> next_stage(const crypto::provider &p, crypto::hash_algorithm h, bytes_view secret,
                                         bytes_view ikm) {
    auto salt = derive_with_empty(p, h, secret, "derived");
    if (!salt) {
        return unexpected(salt.error());
    }
    const std::array<std::uint8_t, crypto::max_digest_size> zeros{};
    if (ikm.empty()) {
        ikm = bytes_view(zeros.data(), crypto::digest_size(h));
    }
    auto extracted = p.hkdf_extract(h, salt->view(), ikm);
    if (!extracted) {
        return unexpected(extracted.error());
    }
    return crypto::secret_buffer(extracted->view());
}

} // namespace

result<void> hkdf_expand_label(const crypto::provider &p, crypto::hash_algorithm h, bytes_view secret,
                               std::string_view label, bytes_view context, crypto::mutable_bytes out) {
    if (label.size() > max_label || context.size() > 255 || out.size() > 0xffff) {
        return errc::internal_error;
    }
    // struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; }
    std::array<std::uint8_t, max_hkdf_label> info{};
    std::size_t n = 0;
    info[n++] = static_cast<std::uint8_t>(out.size() >> 8);
    info[n++] = static_cast<std::uint8_t>(out.size());
    info[n++] = static_cast<std::uint8_t>(label_prefix.size() + label.size());
    for (char c : label_prefix) {
        info[n++] = static_cast<std::uint8_t>(c);
    }
    for (char c : label) {
        info[n++] = static_cast<std::uint8_t>(c);
    }
    info[n++] = static_cast<std::uint8_t>(context.size());
    n = static_cast<std::size_t>(std::copy(context.begin(), context.end(), info.begin() + static_cast<std::ptrdiff_t>(n)) - info.begin());
    return p.hkdf_expand(h, secret, bytes_view(info.data(), n), out);
}

result<crypto::secret_buffer> hkdf_expand_label(const crypto::provider &p, crypto::hash_algorithm h,
                                                bytes_view secret, std::string_view label,
                                                bytes_view context, std::size_t length) {
    crypto::secret_buffer out(length);
    if (auto r = hkdf_expand_label(p, h, secret, label, context, out.span()); !r) {
        return unexpected(r.error());
    }
    return out;
}

result<crypto::secret_buffer> derive_secret(const crypto::provider &p, crypto::hash_algorithm h,
                                            bytes_view secret, std::string_view label,
                                            bytes_view transcript_hash) {
    if (!is_tls13_hash(h) || transcript_hash.size() != crypto::digest_size(h)) {
        return errc::internal_error;
    }
    return hkdf_expand_label(p, h, secret, label, transcript_hash, crypto::digest_size(h));
}

result<traffic_keys> derive_traffic_keys(const crypto::provider &p, crypto::hash_algorithm h,
                                         crypto::aead_algorithm a, bytes_view traffic_secret) {
    auto key = hkdf_expand_label(p, h, traffic_secret, "key", {}, crypto::aead_key_size(a));
    if (!key) {
        return unexpected(key.error());
    }
    auto iv = hkdf_expand_label(p, h, traffic_secret, "iv", {}, crypto::aead_context::nonce_size);
    if (!iv) {
        return unexpected(iv.error());
    }
    return traffic_keys{std::move(*key), std::move(*iv)};
}

result<crypto::secret_buffer> next_application_traffic_secret(const crypto::provider &p, crypto::hash_algorithm h,
                                                              bytes_view traffic_secret) {
    if (!is_tls13_hash(h)) {
        return errc::internal_error;
    }
    return hkdf_expand_label(p, h, traffic_secret, "traffic upd", {}, crypto::digest_size(h));
}

result<crypto::secret_buffer> finished_key(const crypto::provider &p, crypto::hash_algorithm h, bytes_view base_key) {
    if (!is_tls13_hash(h)) {
        return errc::internal_error;
    }
    return hkdf_expand_label(p, h, base_key, "finished", {}, crypto::digest_size(h));
}

result<crypto::digest> finished_verify_data(const crypto::provider &p, crypto::hash_algorithm h,
                                            bytes_view base_key, bytes_view transcript_hash) {
    if (transcript_hash.size() != crypto::digest_size(h)) {
        return errc::internal_error;
    }
    auto key = finished_key(p, h, base_key);
    if (!key) {
        return unexpected(key.error());
    }
    return p.hmac(h, key->view(), transcript_hash);
}

bool verify_data_matches(const crypto::digest &expected, bytes_view received) noexcept {
    return crypto::constant_time_equal(expected.view(), received);
}

result<crypto::secret_buffer> resumption_psk(const crypto::provider &p, crypto::hash_algorithm h,
                                             bytes_view resumption_master_secret, bytes_view ticket_nonce) {
    if (!is_tls13_hash(h)) {
        return errc::internal_error;
    }
    return hkdf_expand_label(p, h, resumption_master_secret, "resumption", ticket_nonce, crypto::digest_size(h));
}

result<crypto::secret_buffer> export_keying_material(const crypto::provider &p, crypto::hash_algorithm h,
                                                     bytes_view exporter_master_secret, std::string_view label,
                                                     bytes_view context, std::size_t length) {
    // TLS-Exporter = HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context), length)
    auto per_label = derive_with_empty(p, h, exporter_master_secret, label);
    if (!per_label) {
        return unexpected(per_label.error());
    }
    auto context_hash = p.hash(h, context);
    if (!context_hash) {
        return unexpected(context_hash.error());
    }
    return hkdf_expand_label(p, h, per_label->view(), "exporter", context_hash->view(), length);
}

// --------------------------------------------------------------------------------------------
// Early secret

result<tls13_early_secret> tls13_early_secret::create(const crypto::provider &p, crypto::hash_algorithm h,
                                                      bytes_view psk) {
    if (!is_tls13_hash(h)) {
        return errc::internal_error;
    }
    const std::array<std::uint8_t, crypto::max_digest_size> zeros{};
    if (psk.empty()) {
        psk = bytes_view(zeros.data(), crypto::digest_size(h));
    }
    // The salt "0" is Hash.length zero bytes; the provider treats an empty salt that way.
    auto extracted = p.hkdf_extract(h, {}, psk);
    if (!extracted) {
        return unexpected(extracted.error());
    }
    return tls13_early_secret(p, h, crypto::secret_buffer(extracted->view()));
}

result<crypto::secret_buffer> tls13_early_secret::binder_key(psk_binder_kind kind) const {
    return derive_with_empty(*provider_, hash_, secret_.view(),
                             kind == psk_binder_kind::external ? "ext binder" : "res binder");
}

result<crypto::digest> tls13_early_secret::binder(psk_binder_kind kind, bytes_view truncated_hello_hash) const {
    auto key = binder_key(kind);
    if (!key) {
        return unexpected(key.error());
    }
    return finished_verify_data(*provider_, hash_, key->view(), truncated_hello_hash);
}

result<crypto::secret_buffer> tls13_early_secret::client_early_traffic_secret(bytes_view client_hello_hash) const {
    return derive_secret(*provider_, hash_, secret_.view(), "c e traffic", client_hello_hash);
}

result<crypto::secret_buffer> tls13_early_secret::early_exporter_master_secret(bytes_view client_hello_hash) const {
    return derive_secret(*provider_, hash_, secret_.view(), "e exp master", client_hello_hash);
}

result<tls13_handshake_secret> tls13_early_secret::into_handshake_secret(bytes_view ecdhe) && {
    auto s = next_stage(*provider_, hash_, secret_.view(), ecdhe);
    if (!s) {
        return unexpected(s.error());
    }
    secret_.clear();
    return tls13_handshake_secret(*provider_, hash_, std::move(*s));
}

// --------------------------------------------------------------------------------------------
// Handshake secret

result<crypto::secret_buffer> tls13_handshake_secret::client_handshake_traffic_secret(bytes_view hello_hash) const {
    return derive_secret(*provider_, hash_, secret_.view(), "c hs traffic", hello_hash);
}

result<crypto::secret_buffer> tls13_handshake_secret::server_handshake_traffic_secret(bytes_view hello_hash) const {
    return derive_secret(*provider_, hash_, secret_.view(), "s hs traffic", hello_hash);
}

result<tls13_handshake_traffic_secrets> tls13_handshake_secret::handshake_traffic_secrets(bytes_view hello_hash) const {
    auto c = client_handshake_traffic_secret(hello_hash);
    if (!c) {
        return unexpected(c.error());
    }
    auto s = server_handshake_traffic_secret(hello_hash);
    if (!s) {
        return unexpected(s.error());
    }
    return tls13_handshake_traffic_secrets{std::move(*c), std::move(*s)};
}

result<tls13_master_secret> tls13_handshake_secret::into_master_secret() && {
    auto s = next_stage(*provider_, hash_, secret_.view(), {});
    if (!s) {
        return unexpected(s.error());
    }
    secret_.clear();
    return tls13_master_secret(*provider_, hash_, std::move(*s));
}

// --------------------------------------------------------------------------------------------
// Master secret

result<crypto::secret_buffer> tls13_master_secret::client_application_traffic_secret(bytes_view server_finished_hash) const {
    return derive_secret(*provider_, hash_, secret_.view(), "c ap traffic", server_finished_hash);
}

result<crypto::secret_buffer> tls13_master_secret::server_application_traffic_secret(bytes_view server_finished_hash) const {
    return derive_secret(*provider_, hash_, secret_.view(), "s ap traffic", server_finished_hash);
}

result<crypto::secret_buffer> tls13_master_secret::exporter_master_secret(bytes_view server_finished_hash) const {
    return derive_secret(*provider_, hash_, secret_.view(), "exp master", server_finished_hash);
}

result<tls13_application_secrets> tls13_master_secret::application_secrets(bytes_view server_finished_hash) const {
    auto c = client_application_traffic_secret(server_finished_hash);
    if (!c) {
        return unexpected(c.error());
    }
    auto s = server_application_traffic_secret(server_finished_hash);
    if (!s) {
        return unexpected(s.error());
    }
    auto e = exporter_master_secret(server_finished_hash);
    if (!e) {
        return unexpected(e.error());
    }
    return tls13_application_secrets{std::move(*c), std::move(*s), std::move(*e)};
}

result<crypto::secret_buffer> tls13_master_secret::resumption_master_secret(bytes_view client_finished_hash) const {
    return derive_secret(*provider_, hash_, secret_.view(), "res master", client_finished_hash);
}

} // namespace awsio::tls
