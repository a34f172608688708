// x509/builder.hpp — builds DER X.509 v3 certificates (RFC 5280) from a short description:
// names, serial, validity, SANs, basic constraints, key usages, key identifiers; self-signed or
// signed by an issuer key through the crypto provider. For tests, tools and the demo: it makes
// test hierarchies without files or the openssl CLI. It is not a CA (no CSR handling, no
// policy checks beyond refusing encodings RFC 5280 forbids).
//
// Thread safety: the functions are reentrant; the provider must be usable from the calling
// thread (openssl_provider() is usable from any thread).
#pragma once

#include "crypto/provider.hpp"

#include <awsio/result.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace awsio::x509 {

/// A distinguished name to encode. Each non-empty field becomes one RDN, in the order
/// C, O, OU, CN (C as PrintableString, the others as UTF8String). All fields empty gives the
/// empty Name (a SEQUENCE with no RDNs).
struct name_spec {
    std::string country;             ///< two letters (PrintableString), or empty
    std::string organization;        ///< O
    std::string organizational_unit; ///< OU
    std::string common_name;         ///< CN
};

/// KeyUsage bits (RFC 5280 4.2.1.3), combinable with |.
namespace key_usage_bit {
inline constexpr std::uint16_t digital_signature = 1u << 0;
inline constexpr std::uint16_t non_repudiation = 1u << 1;
inline constexpr std::uint16_t key_encipherment = 1u << 2;
inline constexpr std::uint16_t data_encipherment = 1u << 3;
inline constexpr std::uint16_t key_agreement = 1u << 4;
inline constexpr std::uint16_t key_cert_sign = 1u << 5;
inline constexpr std::uint16_t crl_sign = 1u << 6;
inline constexpr std::uint16_t encipher_only = 1u << 7;
inline constexpr std::uint16_t decipher_only = 1u << 8;
} // namespace key_usage_bit

/// basicConstraints (RFC 5280 4.2.1.9); always written critical.
struct basic_constraints_spec {
    bool ca = false;
    std::optional<std::uint32_t> path_len; ///< only meaningful with ca
};

/// Any other extension, value given as its DER (the contents of extnValue's OCTET STRING).
struct extension_spec {
    std::vector<std::uint8_t> oid; ///< contents octets (x509/oid.hpp or der::oid_from_string)
    bool critical = false;
    std::vector<std::uint8_t> value;
};

/// What to put in a certificate.
struct certificate_spec {
    /// serialNumber as a big-endian magnitude (a positive INTEGER; RFC 5280 allows up to 20
    /// octets). Empty, all-zero, or longer than 20 octets: common_errc::invalid_argument.
    std::vector<std::uint8_t> serial{0x01};
    name_spec subject;
    /// Validity in seconds since the Unix epoch; written as UTCTime through 2049 and
    /// GeneralizedTime otherwise (RFC 5280 4.1.2.5). not_after < not_before, or a year outside
    /// 0..9999: common_errc::invalid_argument.
    std::int64_t not_before = 0;
    std::int64_t not_after = 0;
    /// subjectAltName dNSName entries (IA5 text, written as given).
    std::vector<std::string> dns_names;
    /// subjectAltName iPAddress entries, 4 or 16 octets each (see parse_ip_address()).
    std::vector<std::vector<std::uint8_t>> ip_addresses;
    /// Written when set.
    std::optional<basic_constraints_spec> basic_constraints;
    /// keyUsage bits (key_usage_bit::...); written (critical) when non-zero.
    std::uint16_t key_usage = 0;
    /// extKeyUsage purposes as OID contents octets (oid::kp_server_auth, ...); written
    /// (non-critical) when non-empty.
    std::vector<std::vector<std::uint8_t>> extended_key_usage;
    /// subjectKeyIdentifier: SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2 method 1).
    bool subject_key_identifier = true;
    /// authorityKeyIdentifier [0] keyIdentifier: the same hash of the issuer's key. Not
    /// written for self-signed certificates.
    bool authority_key_identifier = true;
    /// Appended after the extensions above, in order.
    std::vector<extension_spec> extra_extensions;
    /// Hash used with RSA and ECDSA issuer keys (sha256, sha384, sha512). Ignored for Ed25519.
    crypto::hash_algorithm signature_hash = crypto::hash_algorithm::sha256;
    /// With an RSA (rsaEncryption) issuer key, sign RSASSA-PSS instead of PKCS#1 v1.5. Keys of
    /// type rsa_pss always sign PSS. PSS uses MGF1 with the same hash and a salt of the hash
    /// length.
    bool rsa_pss = false;
};

/// The issuer side: its name as written in its own certificate's subject, and its key.
struct issuer_spec {
    name_spec name;
    /// The issuer's subject Name DER when it did not come from a name_spec (e.g. the raw
    /// subject of a certificate made elsewhere); used instead of `name` when non-empty.
    std::vector<std::uint8_t> raw_name;
    crypto::private_key key;
};

/// Name DER for a name_spec (the SEQUENCE OF RelativeDistinguishedName).
std::vector<std::uint8_t> encode_name(const name_spec &name);

/// "127.0.0.1" -> 4 octets, "::1" or "2001:db8::1" -> 16 octets (RFC 4291 2.2 text forms 1
/// and 2; the embedded-IPv4 form 3 is also accepted). common_errc::invalid_argument otherwise.
result<std::vector<std::uint8_t>> parse_ip_address(std::string_view text);

/// A certificate for `subject_key`, signed by `issuer.key`. The subject key's
/// SubjectPublicKeyInfo comes from provider.export_public_key_spki().
/// Errors: common_errc::invalid_argument for a spec RFC 5280 forbids (see the fields above,
/// an IP address not 4 or 16 octets, path_len without ca, an empty subject with no SAN) or an
/// unusable hash; crypto_errc values from the provider (unsupported key, refused RSA size).
result<std::vector<std::uint8_t>> build_certificate(const certificate_spec &spec, const crypto::public_key &subject_key,
                                                    const issuer_spec &issuer, crypto::provider &provider);

/// A self-signed certificate: issuer = subject, signed by `key` (whose public half is the
/// subject key); no authorityKeyIdentifier. Errors as build_certificate().
result<std::vector<std::uint8_t>> build_self_signed(const certificate_spec &spec, const crypto::private_key &key,
                                                    crypto::provider &provider);

} // namespace awsio::x509
