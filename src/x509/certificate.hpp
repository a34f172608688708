// x509/certificate.hpp — a parsed X.509 v1/v2/v3 certificate (RFC 5280 section 4): the fields
// and extensions path validation and hostname verification need, and verification of one
// certificate's signature by another's key through the crypto provider.
//
// Ownership: a certificate owns one immutable copy of its DER, shared by all copies of the
// object (copying is a reference-count increment). Every span an accessor returns points into
// that copy and stays valid as long as any copy of the certificate lives.
//
// Errors: parse() reports every malformed or non-conforming encoding as
// io_errc::tls_bad_certificate; pass `detail` to learn the precise reason (a der::errc for
// encoding problems, a certificate_errc for structural ones). verify_signature_by() reports
// crypto_errc values (bad_signature, invalid_key, unsupported) for the caller to map.
//
// Thread safety: immutable after parse(); any number of threads may read one certificate.
#pragma once

#include "crypto/provider.hpp"
#include "x509/name.hpp"

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

namespace awsio::x509 {

using byte_view = std::span<const std::uint8_t>;

// --------------------------------------------------------------------------------------------
// Detailed structural errors (the DER reader's der::errc covers encoding errors)

/// Why a well-formed DER structure is not an acceptable certificate. Category
/// "awsio-x509"; every value maps to io_errc::tls_bad_certificate (to_bad_certificate()).
enum class certificate_errc : int {
    bad_version = 1,        ///< version not v1/v2/v3, or v1 encoded explicitly (not DER)
    fields_not_allowed,     ///< unique identifiers in v1, or extensions before v3
    algorithm_mismatch,     ///< signatureAlgorithm differs from tbsCertificate.signature
    bad_algorithm_parameters, ///< parameters not as the algorithm's RFC prescribes
    bad_serial,             ///< serial number longer than 20 octets
    duplicate_extension,    ///< the same extension OID twice
    bad_extension,          ///< an extension's value violates its RFC 5280 definition
    empty_sequence,         ///< a SEQUENCE SIZE (1..MAX) with no element
};

const std::error_category &certificate_category() noexcept;

inline std::error_code make_error_code(certificate_errc e) noexcept {
    return {static_cast<int>(e), certificate_category()};
}

} // namespace awsio::x509

template <>
struct std::is_error_code_enum<awsio::x509::certificate_errc> : std::true_type {};

namespace awsio::x509 {

/// io_errc::tls_bad_certificate for der::errc and certificate_errc codes; any other code
/// unchanged.
std::error_code to_bad_certificate(std::error_code ec) noexcept;

// --------------------------------------------------------------------------------------------
// Algorithms

/// The certificate's signature algorithm (RFC 3279, 4055, 5758, 8410).
enum class signature_scheme : std::uint8_t {
    unknown,          ///< any other algorithm or unsupported parameters: validation rejects it
    rsa_pkcs1_sha1,   ///< legacy; whether to accept is a validation policy decision
    rsa_pkcs1_sha256,
    rsa_pkcs1_sha384,
    rsa_pkcs1_sha512,
    rsa_pss,          ///< RSASSA-PSS, parameters in signature_algorithm_id::pss
    ecdsa_sha256,
    ecdsa_sha384,
    ecdsa_sha512,
    ed25519,
};

std::string_view to_string(signature_scheme s) noexcept;

/// RSASSA-PSS-params (RFC 4055 3.1) with the defaults applied (SHA-1, MGF1-SHA-1, salt 20).
struct pss_parameters {
    crypto::hash_algorithm hash = crypto::hash_algorithm::sha1;
    crypto::hash_algorithm mgf1_hash = crypto::hash_algorithm::sha1;
    std::size_t salt_length = 20;
};

/// A parsed AlgorithmIdentifier of a signature.
struct signature_algorithm_id {
    signature_scheme scheme = signature_scheme::unknown;
    /// Meaningful when scheme == rsa_pss. A PSS identifier whose MGF1 hash differs from the
    /// message hash, or whose trailer field is not 1, is recorded as unknown.
    pss_parameters pss;
    /// The algorithm OID (contents octets) and the whole AlgorithmIdentifier encoding.
    byte_view oid;
    byte_view encoded;
};

/// How crypto::provider::verify must be called for a scheme; nullopt for unknown.
std::optional<crypto::signature_params> to_signature_params(const signature_algorithm_id &alg) noexcept;

/// The subject public key's algorithm (RFC 3279, 4055, 5480, 8410).
enum class key_algorithm : std::uint8_t {
    unknown,                 ///< any other algorithm
    rsa,                     ///< rsaEncryption
    rsa_pss,                 ///< id-RSASSA-PSS
    ec_p256,                 ///< id-ecPublicKey on secp256r1
    ec_p384,                 ///< id-ecPublicKey on secp384r1
    ec_unsupported_curve,    ///< id-ecPublicKey on another named curve or explicit parameters
    ed25519,                 ///< id-Ed25519
};

std::string_view to_string(key_algorithm k) noexcept;

// --------------------------------------------------------------------------------------------
// Extensions

/// One extension as found in the certificate (views into the certificate's DER).
struct extension {
    byte_view oid;   ///< extnID contents octets
    bool critical = false;
    byte_view value; ///< the contents of extnValue (the extension's own DER)
};

/// basicConstraints (RFC 5280 4.2.1.9).
struct basic_constraints {
    bool ca = false;
    std::optional<std::uint32_t> path_len;
};

/// keyUsage bits (RFC 5280 4.2.1.3), as masks of key_usage::bits.
struct key_usage {
    enum bit : std::uint16_t {
        digital_signature = 1u << 0,
        non_repudiation = 1u << 1, ///< contentCommitment
        key_encipherment = 1u << 2,
        data_encipherment = 1u << 3,
        key_agreement = 1u << 4,
        key_cert_sign = 1u << 5,
        crl_sign = 1u << 6,
        encipher_only = 1u << 7,
        decipher_only = 1u << 8,
    };
    std::uint16_t bits = 0;
    [[nodiscard]] bool has(bit b) const noexcept { return (bits & b) != 0; }
};

/// extKeyUsage (RFC 5280 4.2.1.12): the purpose OIDs (contents octets).
struct extended_key_usage {
    std::vector<byte_view> purposes;
    [[nodiscard]] bool has(byte_view purpose_oid) const noexcept;
    [[nodiscard]] bool has_server_auth() const noexcept;
    [[nodiscard]] bool has_client_auth() const noexcept;
    /// anyExtendedKeyUsage present.
    [[nodiscard]] bool any() const noexcept;
};

/// One GeneralName (RFC 5280 4.2.1.6). The kind is its context tag number.
struct general_name {
    enum class kind : std::uint8_t {
        other_name = 0,
        rfc822_name = 1,
        dns_name = 2,
        x400_address = 3,
        directory_name = 4,
        edi_party_name = 5,
        uri = 6,
        ip_address = 7,
        registered_id = 8,
    };
    kind type = kind::other_name;
    /// The text of rfc822Name, dNSName and uniformResourceIdentifier (IA5String, checked).
    std::string text;
    /// The contents octets: the address for iPAddress (4 or 16 bytes in a SAN; address then
    /// mask, 8 or 32 bytes, in name constraints), the Name SEQUENCE for directoryName, and
    /// the raw contents for the other kinds.
    byte_view value;
};

/// nameConstraints (RFC 5280 4.2.1.10). GeneralSubtree minimum/maximum must be absent
/// (the profile says so), so only the bases are kept.
struct name_constraints {
    std::vector<general_name> permitted;
    std::vector<general_name> excluded;
};

/// policyConstraints (RFC 5280 4.2.1.11).
struct policy_constraints {
    std::optional<std::uint32_t> require_explicit_policy;
    std::optional<std::uint32_t> inhibit_policy_mapping;
};

/// X.509 version.
enum class certificate_version : std::uint8_t { v1 = 1, v2 = 2, v3 = 3 };

// --------------------------------------------------------------------------------------------
// The certificate

class certificate {
public:
    /// Parses one DER certificate. The input is copied. Refused (tls_bad_certificate, with
    /// the reason in *detail when given): any DER error, trailing bytes after the
    /// certificate, a version other than v1/v2/v3 or an explicitly encoded v1, unique IDs in
    /// v1 or extensions before v3, an empty extension list, inner and outer signature
    /// algorithms not byte-identical, a serial longer than 20 octets, a signature that is not
    /// a whole number of octets, a duplicate extension, a malformed known extension.
    ///
    /// Tolerated (deployed certificates have them): zero and negative serial numbers, an
    /// explicitly encoded critical=FALSE, GeneralizedTime before 2050, NULL-less RSA
    /// AlgorithmIdentifiers. Left to path validation: an empty issuer or subject name,
    /// validity ordering, pathLen on a non-CA, key sizes.
    ///
    /// Unknown extensions are kept in extensions(); if one is critical the parse succeeds
    /// and has_unknown_critical_extension() is true, so that path validation rejects the
    /// certificate (io_errc::tls_invalid_certificate_chain) as RFC 5280 4.2 requires.
    static result<certificate> parse(byte_view der, std::error_code *detail = nullptr);

    /// Every CERTIFICATE / X509 CERTIFICATE block of PEM text, in order (other PEM blocks are
    /// skipped). Errors: io_errc::pem_malformed from the PEM layer, tls_bad_certificate for a
    /// block that does not parse, and io_errc::pem_malformed when no certificate block exists.
    static result<std::vector<certificate>> parse_pem(std::string_view text);

    // --- encodings ----------------------------------------------------------------------
    [[nodiscard]] byte_view der() const noexcept;
    /// The exact TBSCertificate encoding (header included): what the signature covers.
    [[nodiscard]] byte_view tbs_der() const noexcept;

    // --- TBSCertificate fields -----------------------------------------------------------
    [[nodiscard]] certificate_version version() const noexcept;
    /// The serial number's INTEGER contents octets as encoded (two's complement, minimal).
    [[nodiscard]] byte_view serial() const noexcept;
    [[nodiscard]] const signature_algorithm_id &signature_algorithm() const noexcept;
    [[nodiscard]] const name &issuer() const noexcept;
    [[nodiscard]] const name &subject() const noexcept;
    /// The issuer / subject Name encodings (SEQUENCE header included).
    [[nodiscard]] byte_view issuer_der() const noexcept;
    [[nodiscard]] byte_view subject_der() const noexcept;
    /// Validity in seconds since the Unix epoch (UTCTime years 50-99 are 19xx).
    [[nodiscard]] std::int64_t not_before() const noexcept;
    [[nodiscard]] std::int64_t not_after() const noexcept;
    /// True when the subject and issuer names match (RFC 5280 7.1); a candidate for
    /// self-signed, not a proof.
    [[nodiscard]] bool is_self_issued() const;

    // --- public key -----------------------------------------------------------------------
    /// The complete SubjectPublicKeyInfo encoding (for crypto::provider::import_public_key_spki).
    [[nodiscard]] byte_view spki_der() const noexcept;
    /// The subjectPublicKey BIT STRING's octets (the key itself; what key identifiers hash).
    [[nodiscard]] byte_view public_key_bytes() const noexcept;
    [[nodiscard]] key_algorithm public_key_algorithm() const noexcept;
    /// The namedCurve OID of an EC key (empty otherwise or for explicit parameters).
    [[nodiscard]] byte_view ec_curve_oid() const noexcept;

    // --- signature ------------------------------------------------------------------------
    [[nodiscard]] byte_view signature_value() const noexcept;

    // --- extensions -----------------------------------------------------------------------
    /// All extensions in encoded order (empty for v1/v2).
    [[nodiscard]] const std::vector<extension> &extensions() const noexcept;
    /// The extension with this OID, or nullptr.
    [[nodiscard]] const extension *find_extension(byte_view oid) const noexcept;
    /// True when a critical extension this parser does not know is present. Known:
    /// basicConstraints, keyUsage, extKeyUsage, subjectAltName, issuerAltName,
    /// nameConstraints, authorityKeyIdentifier, subjectKeyIdentifier, certificatePolicies,
    /// policyConstraints, inhibitAnyPolicy.
    [[nodiscard]] bool has_unknown_critical_extension() const noexcept;

    [[nodiscard]] const std::optional<basic_constraints> &basic_constraints_ext() const noexcept;
    [[nodiscard]] const std::optional<key_usage> &key_usage_ext() const noexcept;
    [[nodiscard]] const std::optional<extended_key_usage> &extended_key_usage_ext() const noexcept;
    /// True when a subjectAltName extension is present (even if it holds no DNS/IP names).
    [[nodiscard]] bool has_subject_alt_name() const noexcept;
    /// The subjectAltName entries (empty when the extension is absent).
    [[nodiscard]] const std::vector<general_name> &subject_alt_names() const noexcept;
    /// The dNSName entries of subjectAltName, in order.
    [[nodiscard]] std::vector<std::string_view> dns_names() const;
    /// The iPAddress entries of subjectAltName (4 or 16 bytes each), in order.
    [[nodiscard]] std::vector<byte_view> ip_addresses() const;
    [[nodiscard]] const std::optional<name_constraints> &name_constraints_ext() const noexcept;
    /// authorityKeyIdentifier keyIdentifier, if present.
    [[nodiscard]] std::optional<byte_view> authority_key_id() const noexcept;
    /// subjectKeyIdentifier, if present.
    [[nodiscard]] std::optional<byte_view> subject_key_id() const noexcept;
    /// certificatePolicies policy identifiers; nullopt when the extension is absent.
    [[nodiscard]] const std::optional<std::vector<byte_view>> &policies() const noexcept;
    [[nodiscard]] const std::optional<policy_constraints> &policy_constraints_ext() const noexcept;
    /// inhibitAnyPolicy SkipCerts, if present.
    [[nodiscard]] std::optional<std::uint32_t> inhibit_any_policy() const noexcept;

    /// Same DER encoding.
    friend bool operator==(const certificate &a, const certificate &b) noexcept;

    struct data;

private:
    explicit certificate(std::shared_ptr<const data> d) noexcept : d_(std::move(d)) {}
    std::shared_ptr<const data> d_;
};

/// Verifies that `subject`'s signature was made by the key in `issuer`'s
/// SubjectPublicKeyInfo, over subject.tbs_der() with subject's signature algorithm.
/// Errors (crypto_errc): bad_signature for a wrong or malformed signature; unsupported for a
/// signature_scheme::unknown algorithm; invalid_key / unsupported when the issuer key cannot
/// be imported, does not fit the algorithm, or is a refused RSA size. Name chaining, key
/// usage and validity are the path validator's business, not this function's.
result<void> verify_signature_by(const certificate &subject, const certificate &issuer,
                                 const crypto::provider &provider);

/// Same with an already imported issuer key (trust anchors keep theirs imported).
result<void> verify_signature_with(const certificate &subject, const crypto::public_key &issuer_key,
                                   const crypto::provider &provider);

} // namespace awsio::x509
