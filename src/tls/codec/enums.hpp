// tls/codec/enums.hpp — TLS registry values used on the wire (IANA TLS parameters; RFC 8446,
// RFC 5246, RFC 8422, RFC 5077, RFC 6066, RFC 7301, RFC 7627, RFC 5746, RFC 8449).
//
// Every enum has a fixed underlying type equal to its wire width, so any received value,
// assigned or not, is representable and round-trips unchanged; the named enumerators are only
// the values this library knows. name() helpers return "unknown" for the rest.
#pragma once

#include <cstdint>
#include <string_view>

namespace awsio::tls::codec {

/// ContentType of a TLS record (RFC 8446 5.1).
enum class content_type : std::uint8_t {
    invalid = 0,
    change_cipher_spec = 20,
    alert = 21,
    handshake = 22,
    application_data = 23,
};

/// HandshakeType (RFC 8446 4, RFC 5246 7.4). message_hash is the synthetic message that replaces
/// ClientHello1 in the transcript after a HelloRetryRequest (RFC 8446 4.4.1).
enum class handshake_type : std::uint8_t {
    hello_request = 0,
    client_hello = 1,
    server_hello = 2,
    new_session_ticket = 4,
    end_of_early_data = 5,
    encrypted_extensions = 8,
    certificate = 11,
    server_key_exchange = 12,
    certificate_request = 13,
    server_hello_done = 14,
    certificate_verify = 15,
    client_key_exchange = 16,
    finished = 20,
    certificate_status = 22,
    key_update = 24,
    message_hash = 254,
};

/// ProtocolVersion (RFC 8446 4.1.2 legacy_version, 4.2.1 supported_versions).
enum class protocol_version : std::uint16_t {
    ssl30 = 0x0300,
    tls10 = 0x0301,
    tls11 = 0x0302,
    tls12 = 0x0303,
    tls13 = 0x0304,
};

/// CipherSuite: the suites this library implements plus the two signalling values.
enum class cipher_suite : std::uint16_t {
    // TLS 1.3 (RFC 8446 B.4)
    tls_aes_128_gcm_sha256 = 0x1301,
    tls_aes_256_gcm_sha384 = 0x1302,
    tls_chacha20_poly1305_sha256 = 0x1303,
    // TLS 1.2 ECDHE AEAD suites (RFC 5289, RFC 7905)
    tls_ecdhe_ecdsa_with_aes_128_gcm_sha256 = 0xc02b,
    tls_ecdhe_ecdsa_with_aes_256_gcm_sha384 = 0xc02c,
    tls_ecdhe_rsa_with_aes_128_gcm_sha256 = 0xc02f,
    tls_ecdhe_rsa_with_aes_256_gcm_sha384 = 0xc030,
    tls_ecdhe_rsa_with_chacha20_poly1305_sha256 = 0xcca8,
    tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256 = 0xcca9,
    // Signalling cipher suite values (RFC 5746 3.3, RFC 7507)
    tls_empty_renegotiation_info_scsv = 0x00ff,
    tls_fallback_scsv = 0x5600,
};

/// NamedGroup (RFC 8446 4.2.7, RFC 7919). Other values travel as raw u16s in the same enum.
enum class named_group : std::uint16_t {
    secp256r1 = 0x0017,
    secp384r1 = 0x0018,
    secp521r1 = 0x0019,
    x25519 = 0x001d,
    x448 = 0x001e,
    ffdhe2048 = 0x0100,
    ffdhe3072 = 0x0101,
    ffdhe4096 = 0x0102,
    ffdhe6144 = 0x0103,
    ffdhe8192 = 0x0104,
};

/// SignatureScheme (RFC 8446 4.2.3); in TLS 1.2 the same code points are the
/// SignatureAndHashAlgorithm pairs (hash, signature) of RFC 5246 7.4.1.4.1.
enum class signature_scheme : std::uint16_t {
    rsa_pkcs1_sha256 = 0x0401,
    rsa_pkcs1_sha384 = 0x0501,
    rsa_pkcs1_sha512 = 0x0601,
    ecdsa_secp256r1_sha256 = 0x0403,
    ecdsa_secp384r1_sha384 = 0x0503,
    ecdsa_secp521r1_sha512 = 0x0603,
    rsa_pss_rsae_sha256 = 0x0804,
    rsa_pss_rsae_sha384 = 0x0805,
    rsa_pss_rsae_sha512 = 0x0806,
    ed25519 = 0x0807,
    ed448 = 0x0808,
    rsa_pss_pss_sha256 = 0x0809,
    rsa_pss_pss_sha384 = 0x080a,
    rsa_pss_pss_sha512 = 0x080b,
    rsa_pkcs1_sha1 = 0x0201,
    ecdsa_sha1 = 0x0203,
};

/// ExtensionType (IANA "TLS ExtensionType Values").
enum class extension_type : std::uint16_t {
    server_name = 0,
    max_fragment_length = 1,
    status_request = 5,
    supported_groups = 10,
    ec_point_formats = 11,
    signature_algorithms = 13,
    use_srtp = 14,
    heartbeat = 15,
    application_layer_protocol_negotiation = 16,
    signed_certificate_timestamp = 18,
    client_certificate_type = 19,
    server_certificate_type = 20,
    padding = 21,
    encrypt_then_mac = 22,
    extended_master_secret = 23,
    compress_certificate = 27,
    record_size_limit = 28,
    session_ticket = 35,
    pre_shared_key = 41,
    early_data = 42,
    supported_versions = 43,
    cookie = 44,
    psk_key_exchange_modes = 45,
    certificate_authorities = 47,
    oid_filters = 48,
    post_handshake_auth = 49,
    signature_algorithms_cert = 50,
    key_share = 51,
    renegotiation_info = 0xff01,
};

/// PskKeyExchangeMode (RFC 8446 4.2.9).
enum class psk_key_exchange_mode : std::uint8_t {
    psk_ke = 0,
    psk_dhe_ke = 1,
};

/// ECPointFormat (RFC 8422 5.1.2).
enum class ec_point_format : std::uint8_t {
    uncompressed = 0,
    ansix962_compressed_prime = 1,
    ansix962_compressed_char2 = 2,
};

/// ECCurveType (RFC 8422 5.4); only named_curve is allowed.
enum class ec_curve_type : std::uint8_t {
    named_curve = 3,
};

/// KeyUpdateRequest (RFC 8446 4.6.3).
enum class key_update_request : std::uint8_t {
    update_not_requested = 0,
    update_requested = 1,
};

/// ClientCertificateType (RFC 5246 7.4.4, RFC 8422 5.5).
enum class client_certificate_type : std::uint8_t {
    rsa_sign = 1,
    ecdsa_sign = 64,
};

/// CertificateStatusType (RFC 6066 8).
enum class certificate_status_type : std::uint8_t {
    ocsp = 1,
};

/// NameType of server_name (RFC 6066 3).
enum class server_name_type : std::uint8_t {
    host_name = 0,
};

/// The TLS 1.3 suites.
constexpr bool is_tls13_suite(cipher_suite s) noexcept {
    return s == cipher_suite::tls_aes_128_gcm_sha256 || s == cipher_suite::tls_aes_256_gcm_sha384 ||
           s == cipher_suite::tls_chacha20_poly1305_sha256;
}

/// Names for logs ("TLS_AES_128_GCM_SHA256", "x25519", ...); "unknown" for unassigned values.
std::string_view name(handshake_type t) noexcept;
std::string_view name(cipher_suite s) noexcept;
std::string_view name(named_group g) noexcept;
std::string_view name(signature_scheme s) noexcept;
std::string_view name(extension_type t) noexcept;
std::string_view name(protocol_version v) noexcept;

} // namespace awsio::tls::codec
