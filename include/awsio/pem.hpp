// awsio/pem.hpp — PEM armour: parsing objects out of text, DER -> PEM, and the base64 codec
// under it. Mirrors aws-c-io's pem.h and private/pem_utils.h (aws_sanitize_pem).
//
// Threading: pure functions, any thread. Parsed objects wipe their bytes on destruction
// (they often hold private keys).
#pragma once

#include <awsio/error.hpp>
#include <awsio/export.hpp>
#include <awsio/result.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace awsio {

/// aws_pem_object_type, same order. Labels as OpenSSL writes them.
enum class pem_object_type : int {
    unknown = 0,
    x509_old,                ///< "X509 CERTIFICATE"
    x509,                    ///< "CERTIFICATE"
    x509_trusted,            ///< "TRUSTED CERTIFICATE"
    x509_req_old,            ///< "NEW CERTIFICATE REQUEST"
    x509_req,                ///< "CERTIFICATE REQUEST"
    x509_crl,                ///< "X509 CRL"
    evp_pkey,                ///< "ANY PRIVATE KEY"
    public_key,              ///< "PUBLIC KEY"
    private_rsa_pkcs1,       ///< "RSA PRIVATE KEY"
    public_rsa_pkcs1,        ///< "RSA PUBLIC KEY"
    private_dsa_pkcs1,       ///< "DSA PRIVATE KEY"
    public_dsa_pkcs1,        ///< "DSA PUBLIC KEY"
    pkcs7,                   ///< "PKCS7"
    pkcs7_signed_data,       ///< "PKCS #7 SIGNED DATA"
    private_pkcs8_encrypted, ///< "ENCRYPTED PRIVATE KEY"
    private_pkcs8,           ///< "PRIVATE KEY"
    dh_parameters,           ///< "DH PARAMETERS"
    dh_parameters_x942,      ///< "X9.42 DH PARAMETERS"
    ssl_session_parameters,  ///< "SSL SESSION PARAMETERS"
    dsa_parameters,          ///< "DSA PARAMETERS"
    ecdsa_public,            ///< "ECDSA PUBLIC KEY"
    ec_parameters,           ///< "EC PARAMETERS"
    ec_private,              ///< "EC PRIVATE KEY"
    parameters,              ///< "PARAMETERS"
    cms,                     ///< "CMS"
    sm2_parameters,          ///< "SM2 PARAMETERS"
};

/// The label of a type ("" for unknown).
AWSIO_API std::string_view pem_type_label(pem_object_type type) noexcept;
/// The type of a label; unknown for labels this list does not have.
AWSIO_API pem_object_type pem_type_from_label(std::string_view label) noexcept;

/// One decoded PEM object (aws_pem_object). data is wiped when the object is destroyed.
struct AWSIO_API pem_object {
    pem_object_type type = pem_object_type::unknown;
    std::string type_string; ///< the label as found, also for unknown types
    std::vector<std::uint8_t> data;

    pem_object() = default;
    pem_object(pem_object_type t, std::string label, std::vector<std::uint8_t> bytes)
        : type(t), type_string(std::move(label)), data(std::move(bytes)) {}
    pem_object(const pem_object &) = default;
    pem_object(pem_object &&) noexcept = default;
    pem_object &operator=(const pem_object &) = default;
    pem_object &operator=(pem_object &&) noexcept = default;
    ~pem_object();
};

/// Parses every "-----BEGIN <label>-----" ... "-----END <label>-----" block in text, in order
/// (aws_pem_objects_init_from_file_contents). Text around blocks is ignored, lines may end in
/// CRLF and carry surrounding whitespace. As aws-c-io does, a malformed BEGIN line after at
/// least one good object ends parsing and returns the objects so far. Errors
/// (io_errc::pem_malformed): no object, a block without its END line, an END label that does not
/// match its BEGIN, bad base64.
AWSIO_API result<std::vector<pem_object>> pem_parse(std::string_view text);
/// pem_parse on a file's contents; file errors map through io_error_from_errno.
AWSIO_API result<std::vector<pem_object>> pem_parse_file(const std::string &path);

/// DER certificate -> "-----BEGIN CERTIFICATE-----" armour with 64-character lines
/// (aws_der_cert_to_pem). Empty input -> common_errc::invalid_argument.
AWSIO_API result<std::string> der_cert_to_pem(std::span<const std::uint8_t> der);

/// Keeps only the armoured blocks of text, each END line followed by '\n' (aws_sanitize_pem).
/// Empty input, nothing armoured, or a block left open -> common_errc::invalid_argument.
AWSIO_API result<std::string> sanitize_pem(std::string_view text);

/// Standard base64 (RFC 4648, with padding).
AWSIO_API std::string base64_encode(std::span<const std::uint8_t> bytes);
/// Strict decoding: length a multiple of 4, '=' only as final padding, zero unused bits, no
/// other characters (whitespace included) -> common_errc::invalid_base64_str.
AWSIO_API result<std::vector<std::uint8_t>> base64_decode(std::string_view text);

} // namespace awsio
