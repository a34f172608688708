// x509/oid.hpp — OBJECT IDENTIFIER constants used by the certificate code, as DER contents
// octets (what der::oid::bytes holds), so they compare with der::oid::equals() directly.
//
// Each constant's comment gives its dotted form and the RFC defining it.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace awsio::x509::oid {

using bytes = std::span<const std::uint8_t>;

// --- Signature algorithms -------------------------------------------------------------------
/// 1.2.840.113549.1.1.5 sha1WithRSAEncryption (RFC 3279)
inline constexpr std::array<std::uint8_t, 9> sha1_with_rsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05};
/// 1.2.840.113549.1.1.11 sha256WithRSAEncryption (RFC 4055)
inline constexpr std::array<std::uint8_t, 9> sha256_with_rsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
/// 1.2.840.113549.1.1.12 sha384WithRSAEncryption (RFC 4055)
inline constexpr std::array<std::uint8_t, 9> sha384_with_rsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c};
/// 1.2.840.113549.1.1.13 sha512WithRSAEncryption (RFC 4055)
inline constexpr std::array<std::uint8_t, 9> sha512_with_rsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d};
/// 1.2.840.113549.1.1.10 id-RSASSA-PSS (RFC 4055), both a signature and a key algorithm
inline constexpr std::array<std::uint8_t, 9> rsassa_pss{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};
/// 1.2.840.113549.1.1.8 id-mgf1 (RFC 4055)
inline constexpr std::array<std::uint8_t, 9> mgf1{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08};
/// 1.2.840.10045.4.3.2 ecdsa-with-SHA256 (RFC 5758)
inline constexpr std::array<std::uint8_t, 8> ecdsa_with_sha256{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
/// 1.2.840.10045.4.3.3 ecdsa-with-SHA384 (RFC 5758)
inline constexpr std::array<std::uint8_t, 8> ecdsa_with_sha384{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
/// 1.2.840.10045.4.3.4 ecdsa-with-SHA512 (RFC 5758)
inline constexpr std::array<std::uint8_t, 8> ecdsa_with_sha512{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};
/// 1.3.101.112 id-Ed25519 (RFC 8410), both a signature and a key algorithm
inline constexpr std::array<std::uint8_t, 3> ed25519{0x2b, 0x65, 0x70};

// --- Hash algorithms (RSASSA-PSS parameters) -------------------------------------------------
/// 1.3.14.3.2.26 id-sha1
inline constexpr std::array<std::uint8_t, 5> sha1{0x2b, 0x0e, 0x03, 0x02, 0x1a};
/// 2.16.840.1.101.3.4.2.1 id-sha256
inline constexpr std::array<std::uint8_t, 9> sha256{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
/// 2.16.840.1.101.3.4.2.2 id-sha384
inline constexpr std::array<std::uint8_t, 9> sha384{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
/// 2.16.840.1.101.3.4.2.3 id-sha512
inline constexpr std::array<std::uint8_t, 9> sha512{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03};

// --- Public key algorithms and curves ---------------------------------------------------------
/// 1.2.840.113549.1.1.1 rsaEncryption (RFC 3279)
inline constexpr std::array<std::uint8_t, 9> rsa_encryption{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
/// 1.2.840.10045.2.1 id-ecPublicKey (RFC 5480)
inline constexpr std::array<std::uint8_t, 7> ec_public_key{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
/// 1.2.840.10045.3.1.7 secp256r1 / prime256v1 (RFC 5480)
inline constexpr std::array<std::uint8_t, 8> secp256r1{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
/// 1.3.132.0.34 secp384r1 (RFC 5480)
inline constexpr std::array<std::uint8_t, 5> secp384r1{0x2b, 0x81, 0x04, 0x00, 0x22};

// --- Attribute types of distinguished names (RFC 5280 appendix A, RFC 4519) -----------------
/// 2.5.4.3 commonName
inline constexpr std::array<std::uint8_t, 3> common_name{0x55, 0x04, 0x03};
/// 2.5.4.4 surname
inline constexpr std::array<std::uint8_t, 3> surname{0x55, 0x04, 0x04};
/// 2.5.4.5 serialNumber
inline constexpr std::array<std::uint8_t, 3> serial_number{0x55, 0x04, 0x05};
/// 2.5.4.6 countryName
inline constexpr std::array<std::uint8_t, 3> country_name{0x55, 0x04, 0x06};
/// 2.5.4.7 localityName
inline constexpr std::array<std::uint8_t, 3> locality_name{0x55, 0x04, 0x07};
/// 2.5.4.8 stateOrProvinceName
inline constexpr std::array<std::uint8_t, 3> state_or_province_name{0x55, 0x04, 0x08};
/// 2.5.4.9 streetAddress
inline constexpr std::array<std::uint8_t, 3> street_address{0x55, 0x04, 0x09};
/// 2.5.4.10 organizationName
inline constexpr std::array<std::uint8_t, 3> organization_name{0x55, 0x04, 0x0a};
/// 2.5.4.11 organizationalUnitName
inline constexpr std::array<std::uint8_t, 3> organizational_unit_name{0x55, 0x04, 0x0b};
/// 2.5.4.12 title
inline constexpr std::array<std::uint8_t, 3> title{0x55, 0x04, 0x0c};
/// 2.5.4.42 givenName
inline constexpr std::array<std::uint8_t, 3> given_name{0x55, 0x04, 0x2a};
/// 0.9.2342.19200300.100.1.25 domainComponent (RFC 4519)
inline constexpr std::array<std::uint8_t, 10> domain_component{0x09, 0x92, 0x26, 0x89, 0x93,
                                                               0xf2, 0x2c, 0x64, 0x01, 0x19};
/// 0.9.2342.19200300.100.1.1 userId (RFC 4519)
inline constexpr std::array<std::uint8_t, 10> user_id{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01};
/// 1.2.840.113549.1.9.1 emailAddress (PKCS #9, legacy in subject names)
inline constexpr std::array<std::uint8_t, 9> email_address{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01};

// --- Certificate extensions (RFC 5280 4.2) -----------------------------------------------------
/// 2.5.29.14 subjectKeyIdentifier
inline constexpr std::array<std::uint8_t, 3> subject_key_identifier{0x55, 0x1d, 0x0e};
/// 2.5.29.15 keyUsage
inline constexpr std::array<std::uint8_t, 3> key_usage{0x55, 0x1d, 0x0f};
/// 2.5.29.17 subjectAltName
inline constexpr std::array<std::uint8_t, 3> subject_alt_name{0x55, 0x1d, 0x11};
/// 2.5.29.18 issuerAltName
inline constexpr std::array<std::uint8_t, 3> issuer_alt_name{0x55, 0x1d, 0x12};
/// 2.5.29.19 basicConstraints
inline constexpr std::array<std::uint8_t, 3> basic_constraints{0x55, 0x1d, 0x13};
/// 2.5.29.30 nameConstraints
inline constexpr std::array<std::uint8_t, 3> name_constraints{0x55, 0x1d, 0x1e};
/// 2.5.29.32 certificatePolicies
inline constexpr std::array<std::uint8_t, 3> certificate_policies{0x55, 0x1d, 0x20};
/// 2.5.29.32.0 anyPolicy
inline constexpr std::array<std::uint8_t, 4> any_policy{0x55, 0x1d, 0x20, 0x00};
/// 2.5.29.33 policyMappings
inline constexpr std::array<std::uint8_t, 3> policy_mappings{0x55, 0x1d, 0x21};
/// 2.5.29.35 authorityKeyIdentifier
inline constexpr std::array<std::uint8_t, 3> authority_key_identifier{0x55, 0x1d, 0x23};
/// 2.5.29.36 policyConstraints
inline constexpr std::array<std::uint8_t, 3> policy_constraints{0x55, 0x1d, 0x24};
/// 2.5.29.37 extKeyUsage
inline constexpr std::array<std::uint8_t, 3> ext_key_usage{0x55, 0x1d, 0x25};
/// 2.5.29.54 inhibitAnyPolicy
inline constexpr std::array<std::uint8_t, 3> inhibit_any_policy{0x55, 0x1d, 0x36};

// --- Extended key usage purposes (RFC 5280 4.2.1.12) -------------------------------------------
/// 2.5.29.37.0 anyExtendedKeyUsage
inline constexpr std::array<std::uint8_t, 4> any_extended_key_usage{0x55, 0x1d, 0x25, 0x00};
/// 1.3.6.1.5.5.7.3.1 id-kp-serverAuth
inline constexpr std::array<std::uint8_t, 8> kp_server_auth{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
/// 1.3.6.1.5.5.7.3.2 id-kp-clientAuth
inline constexpr std::array<std::uint8_t, 8> kp_client_auth{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};
/// 1.3.6.1.5.5.7.3.3 id-kp-codeSigning
inline constexpr std::array<std::uint8_t, 8> kp_code_signing{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03};
/// 1.3.6.1.5.5.7.3.4 id-kp-emailProtection
inline constexpr std::array<std::uint8_t, 8> kp_email_protection{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04};
/// 1.3.6.1.5.5.7.3.8 id-kp-timeStamping
inline constexpr std::array<std::uint8_t, 8> kp_time_stamping{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08};
/// 1.3.6.1.5.5.7.3.9 id-kp-OCSPSigning
inline constexpr std::array<std::uint8_t, 8> kp_ocsp_signing{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09};

/// Byte equality of OID contents octets.
constexpr bool equal(bytes a, bytes b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

} // namespace awsio::x509::oid
