// tls/key_schedule/tls13_key_schedule.hpp — the TLS 1.3 key schedule (RFC 8446 7.1) as a
// typestate: early secret -> handshake secret -> master secret, each a move-only class that can
// only be turned into the next by consuming it (`std::move(es).into_handshake_secret(...)`), so
// a secret cannot be used at the wrong stage or after it was superseded. Every secret lives in a
// crypto::secret_buffer and is wiped when dropped.
//
// Also: HKDF-Expand-Label / Derive-Secret, traffic key and IV derivation (7.3), KeyUpdate (7.2),
// Finished and binder computation (4.4.4, 4.2.11.2), the resumption PSK (4.6.1) and exporters
// (7.5).
//
// Transcript hashes are passed in already hashed (see transcript_hash.hpp). Only SHA-256 and
// SHA-384 are TLS 1.3 hashes; others give tls::errc::internal_error. Crypto provider errors are
// passed through. Threads: plain single-threaded values. The provider must outlive them.
#pragma once

#include "crypto/provider.hpp"

#include <awsio/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace awsio::tls {

using bytes_view = std::span<const std::uint8_t>;

// --------------------------------------------------------------------------------------------
// Building blocks (RFC 8446 7.1)

/// HKDF-Expand-Label(secret, label, context, out.size()); `label` without the "tls13 " prefix.
/// Label longer than 249 bytes, context longer than 255 or output longer than 65535:
/// internal_error.
result<void> hkdf_expand_label(const crypto::provider &p, crypto::hash_algorithm h, bytes_view secret,
                               std::string_view label, bytes_view context, crypto::mutable_bytes out);

/// Same, into a new secret_buffer of `length` bytes.
result<crypto::secret_buffer> hkdf_expand_label(const crypto::provider &p, crypto::hash_algorithm h,
                                                bytes_view secret, std::string_view label,
                                                bytes_view context, std::size_t length);

/// Derive-Secret(secret, label, Messages) with Transcript-Hash(Messages) given as
/// `transcript_hash` (Hash.length bytes, else internal_error).
result<crypto::secret_buffer> derive_secret(const crypto::provider &p, crypto::hash_algorithm h,
                                            bytes_view secret, std::string_view label,
                                            bytes_view transcript_hash);

/// A record protection key and IV (RFC 8446 7.3). The IV is 12 bytes for every TLS 1.3 AEAD.
struct traffic_keys {
    crypto::secret_buffer key;
    crypto::secret_buffer iv;
};

/// [sender]_write_key / [sender]_write_iv from a traffic secret.
result<traffic_keys> derive_traffic_keys(const crypto::provider &p, crypto::hash_algorithm h,
                                         crypto::aead_algorithm a, bytes_view traffic_secret);

/// application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length)
/// (RFC 8446 7.2, KeyUpdate).
result<crypto::secret_buffer> next_application_traffic_secret(const crypto::provider &p, crypto::hash_algorithm h,
                                                              bytes_view traffic_secret);

/// finished_key = HKDF-Expand-Label(base_key, "finished", "", Hash.length) (RFC 8446 4.4.4).
result<crypto::secret_buffer> finished_key(const crypto::provider &p, crypto::hash_algorithm h, bytes_view base_key);

/// verify_data = HMAC(finished_key(base_key), transcript_hash). `base_key` is the sender's
/// handshake traffic secret for Finished, or a binder key for PSK binders.
result<crypto::digest> finished_verify_data(const crypto::provider &p, crypto::hash_algorithm h,
                                            bytes_view base_key, bytes_view transcript_hash);

/// True when `received` equals the expected verify_data (constant time). Errors computing it
/// are reported as a mismatch's opposite: use this only with a computed digest in hand.
bool verify_data_matches(const crypto::digest &expected, bytes_view received) noexcept;

/// PSK for a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce,
/// Hash.length) (RFC 8446 4.6.1).
result<crypto::secret_buffer> resumption_psk(const crypto::provider &p, crypto::hash_algorithm h,
                                             bytes_view resumption_master_secret, bytes_view ticket_nonce);

/// TLS-Exporter(label, context_value, key_length) (RFC 8446 7.5) from an exporter master secret
/// (or the early exporter master secret). Note an absent context and an empty one are the same
/// in TLS 1.3.
result<crypto::secret_buffer> export_keying_material(const crypto::provider &p, crypto::hash_algorithm h,
                                                     bytes_view exporter_master_secret, std::string_view label,
                                                     bytes_view context, std::size_t length);

// --------------------------------------------------------------------------------------------
// The typestate

class tls13_handshake_secret;
class tls13_master_secret;

/// Which binder key a PSK uses (RFC 8446 7.1): "ext binder" for external PSKs, "res binder"
/// for resumption PSKs from tickets.
enum class psk_binder_kind : std::uint8_t { external, resumption };

/// Early Secret = HKDF-Extract(0, PSK), PSK all zeros when none is in use.
class tls13_early_secret {
public:
    /// `psk` empty means no PSK (a full handshake).
    static result<tls13_early_secret> create(const crypto::provider &p, crypto::hash_algorithm h,
                                             bytes_view psk = {});

    tls13_early_secret(tls13_early_secret &&) noexcept = default;
    tls13_early_secret &operator=(tls13_early_secret &&) noexcept = default;

    [[nodiscard]] crypto::hash_algorithm hash() const noexcept { return hash_; }
    /// The secret itself (tests, SSLKEYLOGFILE-style debugging). Do not copy it around.
    [[nodiscard]] bytes_view secret() const noexcept { return secret_.view(); }

    /// binder_key = Derive-Secret(Early Secret, "ext binder" | "res binder", "").
    [[nodiscard]] result<crypto::secret_buffer> binder_key(psk_binder_kind kind) const;
    /// The PSK binder value over the hash of the truncated ClientHello (plus, after a
    /// HelloRetryRequest, the earlier messages): finished_verify_data(binder_key, hash).
    [[nodiscard]] result<crypto::digest> binder(psk_binder_kind kind, bytes_view truncated_hello_hash) const;
    /// client_early_traffic_secret = Derive-Secret(., "c e traffic", ClientHello).
    [[nodiscard]] result<crypto::secret_buffer> client_early_traffic_secret(bytes_view client_hello_hash) const;
    /// early_exporter_master_secret = Derive-Secret(., "e exp master", ClientHello).
    [[nodiscard]] result<crypto::secret_buffer> early_exporter_master_secret(bytes_view client_hello_hash) const;

    /// Handshake Secret = HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE). `ecdhe` empty
    /// means psk_ke mode (no key exchange), in which the IKM is Hash.length zeros.
    [[nodiscard]] result<tls13_handshake_secret> into_handshake_secret(bytes_view ecdhe) &&;

private:
    tls13_early_secret(const crypto::provider &p, crypto::hash_algorithm h, crypto::secret_buffer s) noexcept
        : provider_(&p), hash_(h), secret_(std::move(s)) {}

    const crypto::provider *provider_;
    crypto::hash_algorithm hash_;
    crypto::secret_buffer secret_;
};

/// The handshake traffic secrets of both directions, derived together from ClientHello..ServerHello.
struct tls13_handshake_traffic_secrets {
    crypto::secret_buffer client;
    crypto::secret_buffer server;
};

class tls13_handshake_secret {
public:
    tls13_handshake_secret(tls13_handshake_secret &&) noexcept = default;
    tls13_handshake_secret &operator=(tls13_handshake_secret &&) noexcept = default;

    [[nodiscard]] crypto::hash_algorithm hash() const noexcept { return hash_; }
    [[nodiscard]] bytes_view secret() const noexcept { return secret_.view(); }

    /// "c hs traffic" / "s hs traffic" over Transcript-Hash(ClientHello..ServerHello).
    [[nodiscard]] result<crypto::secret_buffer> client_handshake_traffic_secret(bytes_view hello_hash) const;
    [[nodiscard]] result<crypto::secret_buffer> server_handshake_traffic_secret(bytes_view hello_hash) const;
    [[nodiscard]] result<tls13_handshake_traffic_secrets> handshake_traffic_secrets(bytes_view hello_hash) const;

    /// Master Secret = HKDF-Extract(Derive-Secret(., "derived", ""), 0).
    [[nodiscard]] result<tls13_master_secret> into_master_secret() &&;

private:
    friend class tls13_early_secret;
    tls13_handshake_secret(const crypto::provider &p, crypto::hash_algorithm h, crypto::secret_buffer s) noexcept
        : provider_(&p), hash_(h), secret_(std::move(s)) {}

    const crypto::provider *provider_;
    crypto::hash_algorithm hash_;
    crypto::secret_buffer secret_;
};

/// The application traffic secrets of both directions and the exporter master secret, all
/// derived from ClientHello..server Finished.
struct tls13_application_secrets {
    crypto::secret_buffer client;
    crypto::secret_buffer server;
    crypto::secret_buffer exporter;
};

class tls13_master_secret {
public:
    tls13_master_secret(tls13_master_secret &&) noexcept = default;
    tls13_master_secret &operator=(tls13_master_secret &&) noexcept = default;

    [[nodiscard]] crypto::hash_algorithm hash() const noexcept { return hash_; }
    [[nodiscard]] bytes_view secret() const noexcept { return secret_.view(); }

    /// "c ap traffic" / "s ap traffic" / "exp master" over ClientHello..server Finished.
    [[nodiscard]] result<crypto::secret_buffer> client_application_traffic_secret(bytes_view server_finished_hash) const;
    [[nodiscard]] result<crypto::secret_buffer> server_application_traffic_secret(bytes_view server_finished_hash) const;
    [[nodiscard]] result<crypto::secret_buffer> exporter_master_secret(bytes_view server_finished_hash) const;
    [[nodiscard]] result<tls13_application_secrets> application_secrets(bytes_view server_finished_hash) const;
    /// "res master" over ClientHello..client Finished.
    [[nodiscard]] result<crypto::secret_buffer> resumption_master_secret(bytes_view client_finished_hash) const;

private:
    friend class tls13_handshake_secret;
    tls13_master_secret(const crypto::provider &p, crypto::hash_algorithm h, crypto::secret_buffer s) noexcept
        : provider_(&p), hash_(h), secret_(std::move(s)) {}

    const crypto::provider *provider_;
    crypto::hash_algorithm hash_;
    crypto::secret_buffer secret_;
};

} // namespace awsio::tls
