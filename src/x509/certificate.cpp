// x509/certificate.cpp — RFC 5280 certificate parsing on top of the strict DER reader, the
// certificate error category, and signature verification through the crypto provider.
#include "x509/certificate.hpp"

#include "x509/der.hpp"
#include "x509/oid.hpp"

#include <awsio/logging.hpp>
#include <awsio/pem.hpp>

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

// Propagates the error of a result-returning expression; `var` holds the result on success.
#define AWSIO_X509_TRY(var, expr)                                                              \
    auto var = (expr);                                                                         \
    if (!var) {                                                                                \
        return ::awsio::unexpected(var.error());                                               \
    }
#define AWSIO_X509_TRY_VOID(expr)                                                              \
    do {                                                                                       \
        if (auto try_result_ = (expr); !try_result_) {                                         \
            return ::awsio::unexpected(try_result_.error());                                   \
        }                                                                                      \
    } while (0)

namespace awsio::x509 {

// --------------------------------------------------------------------------------------------
// Error category

namespace {

class certificate_category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "awsio-x509"; }
    std::string message(int ev) const override {
        switch (static_cast<certificate_errc>(ev)) {
        case certificate_errc::bad_version:
            return "certificate version is not v1, v2 or v3, or v1 is encoded explicitly";
        case certificate_errc::fields_not_allowed:
            return "unique identifiers or extensions not allowed in this certificate version";
        case certificate_errc::algorithm_mismatch:
            return "signatureAlgorithm differs from the TBSCertificate signature field";
        case certificate_errc::bad_algorithm_parameters:
            return "algorithm parameters do not match the algorithm";
        case certificate_errc::bad_serial:
            return "serial number longer than 20 octets";
        case certificate_errc::duplicate_extension:
            return "the same extension appears twice";
        case certificate_errc::bad_extension:
            return "extension value violates its definition";
        case certificate_errc::empty_sequence:
            return "a sequence that must hold at least one element is empty";
        }
        return "unknown certificate error";
    }
};

} // namespace

const std::error_category &certificate_category() noexcept {
    static const certificate_category_impl instance;
    return instance;
}

std::error_code to_bad_certificate(std::error_code ec) noexcept {
    if (ec.category() == certificate_category() || ec.category() == der::der_category()) {
        return make_error_code(io_errc::tls_bad_certificate);
    }
    return ec;
}

// --------------------------------------------------------------------------------------------
// Names of enum values

std::string_view to_string(signature_scheme s) noexcept {
    switch (s) {
    case signature_scheme::unknown:
        return "unknown";
    case signature_scheme::rsa_pkcs1_sha1:
        return "rsa_pkcs1_sha1";
    case signature_scheme::rsa_pkcs1_sha256:
        return "rsa_pkcs1_sha256";
    case signature_scheme::rsa_pkcs1_sha384:
        return "rsa_pkcs1_sha384";
    case signature_scheme::rsa_pkcs1_sha512:
        return "rsa_pkcs1_sha512";
    case signature_scheme::rsa_pss:
        return "rsa_pss";
    case signature_scheme::ecdsa_sha256:
        return "ecdsa_sha256";
    case signature_scheme::ecdsa_sha384:
        return "ecdsa_sha384";
    case signature_scheme::ecdsa_sha512:
        return "ecdsa_sha512";
    case signature_scheme::ed25519:
        return "ed25519";
    }
    return "unknown";
}

std::string_view to_string(key_algorithm k) noexcept {
    switch (k) {
    case key_algorithm::unknown:
        return "unknown";
    case key_algorithm::rsa:
        return "rsa";
    case key_algorithm::rsa_pss:
        return "rsa_pss";
    case key_algorithm::ec_p256:
        return "ec_p256";
    case key_algorithm::ec_p384:
        return "ec_p384";
    case key_algorithm::ec_unsupported_curve:
        return "ec_unsupported_curve";
    case key_algorithm::ed25519:
        return "ed25519";
    }
    return "unknown";
}

std::optional<crypto::signature_params> to_signature_params(const signature_algorithm_id &alg) noexcept {
    using crypto::hash_algorithm;
    using crypto::signature_algorithm;
    switch (alg.scheme) {
    case signature_scheme::unknown:
        return std::nullopt;
    case signature_scheme::rsa_pkcs1_sha1:
        return crypto::signature_params{signature_algorithm::rsa_pkcs1, hash_algorithm::sha1, std::nullopt};
    case signature_scheme::rsa_pkcs1_sha256:
        return crypto::signature_params{signature_algorithm::rsa_pkcs1, hash_algorithm::sha256, std::nullopt};
    case signature_scheme::rsa_pkcs1_sha384:
        return crypto::signature_params{signature_algorithm::rsa_pkcs1, hash_algorithm::sha384, std::nullopt};
    case signature_scheme::rsa_pkcs1_sha512:
        return crypto::signature_params{signature_algorithm::rsa_pkcs1, hash_algorithm::sha512, std::nullopt};
    case signature_scheme::rsa_pss:
        return crypto::signature_params{signature_algorithm::rsa_pss, alg.pss.hash, alg.pss.salt_length};
    case signature_scheme::ecdsa_sha256:
        return crypto::signature_params{signature_algorithm::ecdsa, hash_algorithm::sha256, std::nullopt};
    case signature_scheme::ecdsa_sha384:
        return crypto::signature_params{signature_algorithm::ecdsa, hash_algorithm::sha384, std::nullopt};
    case signature_scheme::ecdsa_sha512:
        return crypto::signature_params{signature_algorithm::ecdsa, hash_algorithm::sha512, std::nullopt};
    case signature_scheme::ed25519:
        return crypto::signature_params{signature_algorithm::ed25519, hash_algorithm::sha256, std::nullopt};
    }
    return std::nullopt;
}

// --------------------------------------------------------------------------------------------
// Extension helpers

bool extended_key_usage::has(byte_view purpose_oid) const noexcept {
    return std::any_of(purposes.begin(), purposes.end(),
                       [&](byte_view p) { return oid::equal(p, purpose_oid); });
}
bool extended_key_usage::has_server_auth() const noexcept { return has(oid::kp_server_auth); }
bool extended_key_usage::has_client_auth() const noexcept { return has(oid::kp_client_auth); }
bool extended_key_usage::any() const noexcept { return has(oid::any_extended_key_usage); }

// --------------------------------------------------------------------------------------------
// The parsed data

struct certificate::data {
    std::vector<std::uint8_t> der;
    byte_view tbs;
    certificate_version ver = certificate_version::v1;
    byte_view serial;
    signature_algorithm_id sig_alg;
    name issuer_name;
    name subject_name;
    byte_view issuer_der;
    byte_view subject_der;
    std::int64_t not_before = 0;
    std::int64_t not_after = 0;
    byte_view spki;
    byte_view public_key;
    key_algorithm key_alg = key_algorithm::unknown;
    byte_view curve;
    byte_view signature;
    std::vector<extension> exts;
    bool unknown_critical = false;
    std::optional<x509::basic_constraints> bc;
    std::optional<x509::key_usage> ku;
    std::optional<x509::extended_key_usage> eku;
    bool has_san = false;
    std::vector<general_name> san;
    std::optional<x509::name_constraints> nc;
    std::optional<byte_view> aki;
    std::optional<byte_view> ski;
    std::optional<std::vector<byte_view>> policy_ids;
    std::optional<x509::policy_constraints> pc;
    std::optional<std::uint32_t> inhibit_any;
};

namespace {

using data = certificate::data;

// A parsed AlgorithmIdentifier: the OID and the optional parameters element.
struct algorithm_identifier {
    der::oid id;
    std::optional<der::tlv> params;
    byte_view encoded;
};

result<algorithm_identifier> read_algorithm_identifier(der::reader &parent) {
    AWSIO_X509_TRY(t, parent.read(der::tag::sequence));
    AWSIO_X509_TRY(r, parent.child(t->value));
    AWSIO_X509_TRY(id, r->read_oid());
    algorithm_identifier out{*id, std::nullopt, t->encoded};
    if (!r->empty()) {
        AWSIO_X509_TRY(p, r->read_any());
        out.params = *p;
    }
    AWSIO_X509_TRY_VOID(r->expect_empty());
    return out;
}

bool is_null(const std::optional<der::tlv> &p) noexcept {
    return p && p->tag == der::tag::null && p->value.empty();
}

// RFC 4055 2.1: hash AlgorithmIdentifiers carry NULL parameters, or none (both are deployed).
std::optional<crypto::hash_algorithm> hash_from_identifier(const algorithm_identifier &alg) noexcept {
    if (alg.params && !is_null(alg.params)) {
        return std::nullopt;
    }
    if (alg.id.equals(oid::sha1)) {
        return crypto::hash_algorithm::sha1;
    }
    if (alg.id.equals(oid::sha256)) {
        return crypto::hash_algorithm::sha256;
    }
    if (alg.id.equals(oid::sha384)) {
        return crypto::hash_algorithm::sha384;
    }
    if (alg.id.equals(oid::sha512)) {
        return crypto::hash_algorithm::sha512;
    }
    return std::nullopt;
}

// RSASSA-PSS-params (RFC 4055 3.1). Structural errors fail the parse; well-formed parameters
// the provider cannot honour (another hash, another MGF, MGF1 hash differing from the message
// hash, a trailer other than 1) leave the scheme unknown so validation refuses it.
result<signature_scheme> parse_pss_params(const der::tlv &params, pss_parameters &out) {
    if (params.tag != der::tag::sequence) {
        return certificate_errc::bad_algorithm_parameters;
    }
    der::reader top(params.encoded);
    AWSIO_X509_TRY(r, top.read_sequence());
    bool supported = true;
    AWSIO_X509_TRY(hash_field, r->read_optional_explicit(0));
    if (*hash_field) {
        AWSIO_X509_TRY(alg, read_algorithm_identifier(**hash_field));
        AWSIO_X509_TRY_VOID((*hash_field)->expect_empty());
        const auto h = hash_from_identifier(*alg);
        if (h) {
            out.hash = *h;
        } else {
            supported = false;
        }
    }
    AWSIO_X509_TRY(mgf_field, r->read_optional_explicit(1));
    if (*mgf_field) {
        AWSIO_X509_TRY(mgf, read_algorithm_identifier(**mgf_field));
        AWSIO_X509_TRY_VOID((*mgf_field)->expect_empty());
        if (!mgf->id.equals(oid::mgf1) || !mgf->params || mgf->params->tag != der::tag::sequence) {
            supported = false;
        } else {
            der::reader mgf_reader(mgf->params->encoded);
            AWSIO_X509_TRY(mgf_hash, read_algorithm_identifier(mgf_reader));
            AWSIO_X509_TRY_VOID(mgf_reader.expect_empty());
            const auto h = hash_from_identifier(*mgf_hash);
            if (h) {
                out.mgf1_hash = *h;
            } else {
                supported = false;
            }
        }
    }
    AWSIO_X509_TRY(salt_field, r->read_optional_explicit(2));
    if (*salt_field) {
        AWSIO_X509_TRY(salt, (*salt_field)->read_int64());
        AWSIO_X509_TRY_VOID((*salt_field)->expect_empty());
        if (*salt < 0) {
            return certificate_errc::bad_algorithm_parameters;
        }
        out.salt_length = static_cast<std::size_t>(*salt);
    }
    AWSIO_X509_TRY(trailer_field, r->read_optional_explicit(3));
    if (*trailer_field) {
        AWSIO_X509_TRY(trailer, (*trailer_field)->read_int64());
        AWSIO_X509_TRY_VOID((*trailer_field)->expect_empty());
        if (*trailer != 1) {
            supported = false;
        }
    }
    AWSIO_X509_TRY_VOID(r->expect_empty());
    if (out.mgf1_hash != out.hash) {
        supported = false;
    }
    return supported ? signature_scheme::rsa_pss : signature_scheme::unknown;
}

result<signature_algorithm_id> parse_signature_algorithm(const algorithm_identifier &alg) {
    signature_algorithm_id out;
    out.oid = alg.id.bytes;
    out.encoded = alg.encoded;

    struct simple {
        byte_view id;
        signature_scheme scheme;
        bool rsa; // RSA PKCS#1 takes NULL parameters; ECDSA and Ed25519 take none
    };
    static const simple table[] = {
        {oid::sha1_with_rsa, signature_scheme::rsa_pkcs1_sha1, true},
        {oid::sha256_with_rsa, signature_scheme::rsa_pkcs1_sha256, true},
        {oid::sha384_with_rsa, signature_scheme::rsa_pkcs1_sha384, true},
        {oid::sha512_with_rsa, signature_scheme::rsa_pkcs1_sha512, true},
        {oid::ecdsa_with_sha256, signature_scheme::ecdsa_sha256, false},
        {oid::ecdsa_with_sha384, signature_scheme::ecdsa_sha384, false},
        {oid::ecdsa_with_sha512, signature_scheme::ecdsa_sha512, false},
        {oid::ed25519, signature_scheme::ed25519, false},
    };
    for (const auto &entry : table) {
        if (!alg.id.equals(entry.id)) {
            continue;
        }
        // RFC 4055 5 requires NULL for the RSA PKCS#1 identifiers (absent is tolerated, as
        // some encoders omit it); RFC 5758 3.2 and RFC 8410 3 require absent parameters.
        const bool ok = entry.rsa ? (!alg.params || is_null(alg.params)) : !alg.params;
        if (!ok) {
            return certificate_errc::bad_algorithm_parameters;
        }
        out.scheme = entry.scheme;
        return out;
    }
    if (alg.id.equals(oid::rsassa_pss)) {
        // RFC 4055 3.1: parameters MUST be present next to a signature value.
        if (!alg.params) {
            return certificate_errc::bad_algorithm_parameters;
        }
        AWSIO_X509_TRY(scheme, parse_pss_params(*alg.params, out.pss));
        out.scheme = *scheme;
        return out;
    }
    out.scheme = signature_scheme::unknown;
    return out;
}

result<void> parse_spki(data &d, der::reader &parent) {
    AWSIO_X509_TRY(t, parent.read(der::tag::sequence));
    d.spki = t->encoded;
    AWSIO_X509_TRY(r, parent.child(t->value));
    AWSIO_X509_TRY(alg, read_algorithm_identifier(*r));
    AWSIO_X509_TRY(bits, r->read_bit_string());
    AWSIO_X509_TRY_VOID(r->expect_empty());
    AWSIO_X509_TRY(key, bits->octets());
    d.public_key = *key;

    if (alg->id.equals(oid::rsa_encryption)) {
        // RFC 3279 2.3.1: NULL parameters (absent tolerated).
        if (alg->params && !is_null(alg->params)) {
            return certificate_errc::bad_algorithm_parameters;
        }
        d.key_alg = key_algorithm::rsa;
    } else if (alg->id.equals(oid::rsassa_pss)) {
        // RFC 4055 1.2: parameters absent or RSASSA-PSS-params restricting the key.
        if (alg->params && alg->params->tag != der::tag::sequence) {
            return certificate_errc::bad_algorithm_parameters;
        }
        d.key_alg = key_algorithm::rsa_pss;
    } else if (alg->id.equals(oid::ec_public_key)) {
        // RFC 5480 2.1.1: ECParameters are required; only namedCurve is allowed in PKIX, so
        // implicitCurve and specifiedCurve keys are recorded as unsupported.
        if (!alg->params) {
            return certificate_errc::bad_algorithm_parameters;
        }
        d.key_alg = key_algorithm::ec_unsupported_curve;
        if (alg->params->tag == der::tag::oid) {
            AWSIO_X509_TRY(curve, der::decode_oid(alg->params->value));
            d.curve = curve->bytes;
            if (curve->equals(oid::secp256r1)) {
                d.key_alg = key_algorithm::ec_p256;
            } else if (curve->equals(oid::secp384r1)) {
                d.key_alg = key_algorithm::ec_p384;
            }
        }
    } else if (alg->id.equals(oid::ed25519)) {
        if (alg->params) {
            return certificate_errc::bad_algorithm_parameters;
        }
        d.key_alg = key_algorithm::ed25519;
    } else {
        d.key_alg = key_algorithm::unknown;
    }
    return {};
}

// --- GeneralName -------------------------------------------------------------------------------

// Address-and-mask of a name-constraint iPAddress: the mask must be a prefix of one bits
// (RFC 5280 4.2.1.10 describes it as a CIDR range).
bool is_contiguous_mask(byte_view mask) noexcept {
    bool zero_seen = false;
    for (const std::uint8_t b : mask) {
        for (int i = 7; i >= 0; --i) {
            const bool one = ((b >> i) & 1) != 0;
            if (one && zero_seen) {
                return false;
            }
            if (!one) {
                zero_seen = true;
            }
        }
    }
    return true;
}

// `in_constraint`: iPAddress holds address+mask (nameConstraints) rather than an address.
result<general_name> read_general_name(der::reader &r, bool in_constraint) {
    AWSIO_X509_TRY(t, r.read_any());
    if ((t->tag & der::tag::class_mask) != der::tag::class_context) {
        return der::errc::unexpected_tag;
    }
    const unsigned number = t->tag & der::tag::number_mask;
    const bool constructed = (t->tag & der::tag::constructed_bit) != 0;
    if (number > 8) {
        return der::errc::unexpected_tag;
    }
    general_name out;
    out.type = static_cast<general_name::kind>(number);
    out.value = t->value;
    // otherName, x400Address, directoryName and ediPartyName are constructed (SEQUENCE types,
    // or the EXPLICIT tag CHOICE Name needs); the others are IMPLICIT primitive types.
    const bool want_constructed = number == 0 || number == 3 || number == 4 || number == 5;
    if (constructed != want_constructed) {
        return der::errc::unexpected_tag;
    }
    switch (out.type) {
    case general_name::kind::rfc822_name:
    case general_name::kind::dns_name:
    case general_name::kind::uri: {
        AWSIO_X509_TRY(text, der::decode_string(der::tag::ia5_string, t->value));
        out.text = std::move(*text);
        break;
    }
    case general_name::kind::directory_name: {
        // [4] EXPLICIT Name: the contents are exactly one Name.
        AWSIO_X509_TRY(inner, name::parse(t->value));
        (void)inner;
        break;
    }
    case general_name::kind::ip_address: {
        const std::size_t n = t->value.size();
        if (in_constraint) {
            if ((n != 8 && n != 32) || !is_contiguous_mask(t->value.subspan(n / 2))) {
                return certificate_errc::bad_extension;
            }
        } else if (n != 4 && n != 16) {
            return certificate_errc::bad_extension;
        }
        break;
    }
    case general_name::kind::registered_id: {
        AWSIO_X509_TRY(id, der::decode_oid(t->value));
        (void)id;
        break;
    }
    default:
        break;
    }
    return out;
}

// GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName, from a reader positioned on it.
result<std::vector<general_name>> read_general_names(der::reader &seq) {
    std::vector<general_name> out;
    while (!seq.empty()) {
        AWSIO_X509_TRY(gn, read_general_name(seq, false));
        out.push_back(std::move(*gn));
    }
    if (out.empty()) {
        return certificate_errc::empty_sequence;
    }
    return out;
}

// --- Extensions ------------------------------------------------------------------------------

result<std::uint32_t> read_small_unsigned(der::reader &r, std::uint8_t t) {
    AWSIO_X509_TRY(v, r.read_int64(t));
    if (*v < 0 || *v > std::numeric_limits<std::uint32_t>::max()) {
        return certificate_errc::bad_extension;
    }
    return static_cast<std::uint32_t>(*v);
}

result<void> parse_basic_constraints(data &d, der::reader &top) {
    AWSIO_X509_TRY(r, top.read_sequence());
    x509::basic_constraints bc;
    if (r->peek(der::tag::boolean)) {
        AWSIO_X509_TRY(ca, r->read_boolean());
        bc.ca = *ca;
    }
    if (r->peek(der::tag::integer)) {
        AWSIO_X509_TRY(len, read_small_unsigned(*r, der::tag::integer));
        bc.path_len = *len;
    }
    AWSIO_X509_TRY_VOID(r->expect_empty());
    d.bc = bc;
    return {};
}

result<void> parse_key_usage(data &d, der::reader &top) {
    AWSIO_X509_TRY(bits, top.read_bit_string());
    x509::key_usage ku;
    for (std::size_t i = 0; i < 9; ++i) {
        if (bits->bit(i)) {
            ku.bits = static_cast<std::uint16_t>(ku.bits | (1u << i));
        }
    }
    // RFC 5280 4.2.1.3: when present, at least one bit MUST be set.
    if (ku.bits == 0) {
        return certificate_errc::bad_extension;
    }
    d.ku = ku;
    return {};
}

result<void> parse_ext_key_usage(data &d, der::reader &top) {
    AWSIO_X509_TRY(r, top.read_sequence());
    x509::extended_key_usage eku;
    while (!r->empty()) {
        AWSIO_X509_TRY(id, r->read_oid());
        eku.purposes.push_back(id->bytes);
    }
    if (eku.purposes.empty()) {
        return certificate_errc::empty_sequence;
    }
    d.eku = std::move(eku);
    return {};
}

result<void> parse_subject_alt_name(data &d, der::reader &top) {
    AWSIO_X509_TRY(r, top.read_sequence());
    AWSIO_X509_TRY(names, read_general_names(*r));
    d.san = std::move(*names);
    d.has_san = true;
    return {};
}

result<void> parse_issuer_alt_name(der::reader &top) {
    AWSIO_X509_TRY(r, top.read_sequence());
    AWSIO_X509_TRY(names, read_general_names(*r));
    (void)names;
    return {};
}

// GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree, the contents of [0] or [1].
result<std::vector<general_name>> read_subtrees(der::reader &subtrees) {
    std::vector<general_name> out;
    while (!subtrees.empty()) {
        AWSIO_X509_TRY(sub, subtrees.read_sequence());
        AWSIO_X509_TRY(base, read_general_name(*sub, true));
        // RFC 5280 4.2.1.10: minimum MUST be zero (so, in DER, absent) and maximum absent.
        if (!sub->empty()) {
            return certificate_errc::bad_extension;
        }
        out.push_back(std::move(*base));
    }
    if (out.empty()) {
        return certificate_errc::empty_sequence;
    }
    return out;
}

result<void> parse_name_constraints(data &d, der::reader &top) {
    AWSIO_X509_TRY(r, top.read_sequence());
    x509::name_constraints nc;
    bool any = false;
    // [0] and [1] IMPLICIT GeneralSubtrees (constructed, since the base type is a SEQUENCE).
    AWSIO_X509_TRY(permitted, r->read_optional(der::context_tag(0, true)));
    if (*permitted) {
        AWSIO_X509_TRY(sub, r->child((*permitted)->value));
        AWSIO_X509_TRY(list, read_subtrees(*sub));
        nc.permitted = std::move(*list);
        any = true;
    }
    AWSIO_X509_TRY(excluded, r->read_optional(der::context_tag(1, true)));
    if (*excluded) {
        AWSIO_X509_TRY(sub, r->child((*excluded)->value));
        AWSIO_X509_TRY(list, read_subtrees(*sub));
        nc.excluded = std::move(*list);
        any = true;
    }
    AWSIO_X509_TRY_VOID(r->expect_empty());
    // RFC 5280 4.2.1.10: an empty NameConstraints sequence MUST NOT be issued.
    if (!any) {
        return certificate_errc::bad_extension;
    }
    d.nc = std::move(nc);
    return {};
}

result<void> parse_authority_key_identifier(data &d, der::reader &top) {
    AWSIO_X509_TRY(r, top.read_sequence());
    AWSIO_X509_TRY(key_id, r->read_optional(der::context_tag(0, false)));
    if (*key_id) {
        d.aki = (*key_id)->value;
    }
    AWSIO_X509_TRY(issuer_names, r->read_optional(der::context_tag(1, true)));
    if (*issuer_names) {
        AWSIO_X509_TRY(sub, r->child((*issuer_names)->value));
        AWSIO_X509_TRY(names, read_general_names(*sub));
        (void)names;
    }
    AWSIO_X509_TRY(serial, r->read_optional(der::context_tag(2, false)));
    if (*serial) {
        AWSIO_X509_TRY(value, der::decode_integer((*serial)->value));
        (void)value;
    }
    AWSIO_X509_TRY_VOID(r->expect_empty());
    return {};
}

result<void> parse_subject_key_identifier(data &d, der::reader &top) {
    AWSIO_X509_TRY(id, top.read_octet_string());
    d.ski = *id;
    return {};
}

result<void> parse_certificate_policies(data &d, der::reader &top) {
    AWSIO_X509_TRY(r, top.read_sequence());
    std::vector<byte_view> ids;
    while (!r->empty()) {
        AWSIO_X509_TRY(info, r->read_sequence());
        AWSIO_X509_TRY(id, info->read_oid());
        // RFC 5280 4.2.1.4: a policy OID MUST NOT appear more than once.
        for (const auto &seen : ids) {
            if (oid::equal(seen, id->bytes)) {
                return certificate_errc::bad_extension;
            }
        }
        ids.push_back(id->bytes);
        if (!info->empty()) {
            // policyQualifiers: kept opaque, only checked to be a SEQUENCE.
            AWSIO_X509_TRY(qualifiers, info->read(der::tag::sequence));
            (void)qualifiers;
        }
        AWSIO_X509_TRY_VOID(info->expect_empty());
    }
    if (ids.empty()) {
        return certificate_errc::empty_sequence;
    }
    d.policy_ids = std::move(ids);
    return {};
}

result<void> parse_policy_constraints(data &d, der::reader &top) {
    AWSIO_X509_TRY(r, top.read_sequence());
    x509::policy_constraints pc;
    if (r->peek(der::context_tag(0, false))) {
        AWSIO_X509_TRY(v, read_small_unsigned(*r, der::context_tag(0, false)));
        pc.require_explicit_policy = *v;
    }
    if (r->peek(der::context_tag(1, false))) {
        AWSIO_X509_TRY(v, read_small_unsigned(*r, der::context_tag(1, false)));
        pc.inhibit_policy_mapping = *v;
    }
    AWSIO_X509_TRY_VOID(r->expect_empty());
    // RFC 5280 4.2.1.11: the empty sequence MUST NOT be issued.
    if (!pc.require_explicit_policy && !pc.inhibit_policy_mapping) {
        return certificate_errc::bad_extension;
    }
    d.pc = pc;
    return {};
}

result<void> parse_inhibit_any_policy(data &d, der::reader &top) {
    AWSIO_X509_TRY(v, read_small_unsigned(top, der::tag::integer));
    d.inhibit_any = *v;
    return {};
}

result<void> parse_extension(data &d, const extension &ext) {
    der::reader top(ext.value);
    result<void> parsed;
    const byte_view id = ext.oid;
    if (oid::equal(id, oid::basic_constraints)) {
        parsed = parse_basic_constraints(d, top);
    } else if (oid::equal(id, oid::key_usage)) {
        parsed = parse_key_usage(d, top);
    } else if (oid::equal(id, oid::ext_key_usage)) {
        parsed = parse_ext_key_usage(d, top);
    } else if (oid::equal(id, oid::subject_alt_name)) {
        parsed = parse_subject_alt_name(d, top);
    } else if (oid::equal(id, oid::issuer_alt_name)) {
        parsed = parse_issuer_alt_name(top);
    } else if (oid::equal(id, oid::name_constraints)) {
        parsed = parse_name_constraints(d, top);
    } else if (oid::equal(id, oid::authority_key_identifier)) {
        parsed = parse_authority_key_identifier(d, top);
    } else if (oid::equal(id, oid::subject_key_identifier)) {
        parsed = parse_subject_key_identifier(d, top);
    } else if (oid::equal(id, oid::certificate_policies)) {
        parsed = parse_certificate_policies(d, top);
    } else if (oid::equal(id, oid::policy_constraints)) {
        parsed = parse_policy_constraints(d, top);
    } else if (oid::equal(id, oid::inhibit_any_policy)) {
        parsed = parse_inhibit_any_policy(d, top);
    } else {
        // RFC 5280 4.2: a critical extension the verifier does not recognize makes the
        // certificate unusable; that is decided by validation, the parse records it.
        if (ext.critical) {
            d.unknown_critical = true;
        }
        return {};
    }
    if (!parsed) {
        return parsed;
    }
    return top.expect_empty();
}

result<void> parse_extensions(data &d, der::reader &exts) {
    while (!exts.empty()) {
        AWSIO_X509_TRY(e, exts.read_sequence());
        AWSIO_X509_TRY(id, e->read_oid());
        bool critical = false;
        if (e->peek(der::tag::boolean)) {
            // DER omits the DEFAULT FALSE; an explicit FALSE is tolerated (deployed CAs emit it).
            AWSIO_X509_TRY(c, e->read_boolean());
            critical = *c;
        }
        AWSIO_X509_TRY(value, e->read_octet_string());
        AWSIO_X509_TRY_VOID(e->expect_empty());
        // RFC 5280 4.2: a certificate MUST NOT include more than one instance of an extension.
        for (const auto &seen : d.exts) {
            if (oid::equal(seen.oid, id->bytes)) {
                return certificate_errc::duplicate_extension;
            }
        }
        d.exts.push_back(extension{id->bytes, critical, *value});
        AWSIO_X509_TRY_VOID(parse_extension(d, d.exts.back()));
    }
    if (d.exts.empty()) {
        return certificate_errc::empty_sequence;
    }
    return {};
}

// --- The certificate -----------------------------------------------------------------------

result<void> parse_tbs(data &d, der::reader &tbs) {
    AWSIO_X509_TRY(version_field, tbs.read_optional_explicit(0));
    if (*version_field) {
        AWSIO_X509_TRY(v, (*version_field)->read_int64());
        AWSIO_X509_TRY_VOID((*version_field)->expect_empty());
        // The DEFAULT v1 is never encoded in DER, so an explicit 0 is refused as well.
        if (*v == 1) {
            d.ver = certificate_version::v2;
        } else if (*v == 2) {
            d.ver = certificate_version::v3;
        } else {
            return certificate_errc::bad_version;
        }
    }

    // RFC 5280 4.1.2.2: at most 20 octets of value; one more is the sign octet of a positive
    // number whose top bit is set. Zero and negative serials are tolerated.
    AWSIO_X509_TRY(serial, tbs.read_integer());
    if (serial->size() > 21 || (serial->size() == 21 && (*serial)[0] != 0)) {
        return certificate_errc::bad_serial;
    }
    d.serial = *serial;

    AWSIO_X509_TRY(inner_alg, read_algorithm_identifier(tbs));
    AWSIO_X509_TRY(sig_alg, parse_signature_algorithm(*inner_alg));
    d.sig_alg = *sig_alg;

    AWSIO_X509_TRY(issuer, tbs.read(der::tag::sequence));
    d.issuer_der = issuer->encoded;
    AWSIO_X509_TRY(issuer_name, name::parse(issuer->encoded));
    d.issuer_name = std::move(*issuer_name);

    AWSIO_X509_TRY(validity, tbs.read_sequence());
    AWSIO_X509_TRY(not_before, validity->read_time());
    AWSIO_X509_TRY(not_after, validity->read_time());
    AWSIO_X509_TRY_VOID(validity->expect_empty());
    d.not_before = *not_before;
    d.not_after = *not_after;

    AWSIO_X509_TRY(subject, tbs.read(der::tag::sequence));
    d.subject_der = subject->encoded;
    AWSIO_X509_TRY(subject_name, name::parse(subject->encoded));
    d.subject_name = std::move(*subject_name);

    AWSIO_X509_TRY_VOID(parse_spki(d, tbs));

    // issuerUniqueID [1] and subjectUniqueID [2]: IMPLICIT BIT STRING, v2 and v3 only.
    for (unsigned n = 1; n <= 2; ++n) {
        const std::uint8_t t = der::context_tag(n, false);
        if (tbs.peek(t)) {
            if (d.ver == certificate_version::v1) {
                return certificate_errc::fields_not_allowed;
            }
            AWSIO_X509_TRY(unique_id, tbs.read_bit_string(t));
            (void)unique_id;
        }
    }

    AWSIO_X509_TRY(ext_field, tbs.read_optional_explicit(3));
    if (*ext_field) {
        if (d.ver != certificate_version::v3) {
            return certificate_errc::fields_not_allowed;
        }
        AWSIO_X509_TRY(exts, (*ext_field)->read_sequence());
        AWSIO_X509_TRY_VOID((*ext_field)->expect_empty());
        AWSIO_X509_TRY_VOID(parse_extensions(d, *exts));
    }
    return tbs.expect_empty();
}

result<void> parse_certificate(data &d) {
    der::reader top(d.der);
    AWSIO_X509_TRY(cert, top.read_sequence());
    AWSIO_X509_TRY_VOID(top.expect_empty());

    AWSIO_X509_TRY(tbs_tlv, cert->read(der::tag::sequence));
    d.tbs = tbs_tlv->encoded;
    AWSIO_X509_TRY(outer_alg, read_algorithm_identifier(*cert));
    AWSIO_X509_TRY(sig_bits, cert->read_bit_string());
    AWSIO_X509_TRY_VOID(cert->expect_empty());
    AWSIO_X509_TRY(sig_octets, sig_bits->octets());
    d.signature = *sig_octets;

    AWSIO_X509_TRY(tbs, cert->child(tbs_tlv->value));
    AWSIO_X509_TRY_VOID(parse_tbs(d, *tbs));

    // RFC 5280 4.1.1.2: signatureAlgorithm MUST be the same identifier as tbsCertificate's
    // signature field. Compared as encodings, so a NULL-vs-absent difference is refused too.
    if (!std::equal(outer_alg->encoded.begin(), outer_alg->encoded.end(), d.sig_alg.encoded.begin(),
                    d.sig_alg.encoded.end())) {
        return certificate_errc::algorithm_mismatch;
    }
    return {};
}

} // namespace

result<certificate> certificate::parse(byte_view der_bytes, std::error_code *detail) {
    auto d = std::make_shared<data>();
    d->der.assign(der_bytes.begin(), der_bytes.end());
    auto parsed = parse_certificate(*d);
    if (detail != nullptr) {
        *detail = parsed.error();
    }
    if (!parsed) {
        AWSIO_LOGF_DEBUG(log_subject::pki, "certificate rejected: %s (%s)",
                         parsed.error().message().c_str(), parsed.error().category().name());
        return unexpected(to_bad_certificate(parsed.error()));
    }
    return certificate(std::shared_ptr<const data>(std::move(d)));
}

result<std::vector<certificate>> certificate::parse_pem(std::string_view text) {
    auto objects = pem_parse(text);
    if (!objects) {
        return unexpected(objects.error());
    }
    std::vector<certificate> out;
    for (const auto &obj : *objects) {
        if (obj.type != pem_object_type::x509 && obj.type != pem_object_type::x509_old) {
            continue;
        }
        auto cert = parse(obj.data);
        if (!cert) {
            return unexpected(cert.error());
        }
        out.push_back(std::move(*cert));
    }
    if (out.empty()) {
        return io_errc::pem_malformed;
    }
    return out;
}

byte_view certificate::der() const noexcept { return d_->der; }
byte_view certificate::tbs_der() const noexcept { return d_->tbs; }
certificate_version certificate::version() const noexcept { return d_->ver; }
byte_view certificate::serial() const noexcept { return d_->serial; }
const signature_algorithm_id &certificate::signature_algorithm() const noexcept { return d_->sig_alg; }
const name &certificate::issuer() const noexcept { return d_->issuer_name; }
const name &certificate::subject() const noexcept { return d_->subject_name; }
byte_view certificate::issuer_der() const noexcept { return d_->issuer_der; }
byte_view certificate::subject_der() const noexcept { return d_->subject_der; }
std::int64_t certificate::not_before() const noexcept { return d_->not_before; }
std::int64_t certificate::not_after() const noexcept { return d_->not_after; }
bool certificate::is_self_issued() const { return d_->subject_name.matches(d_->issuer_name); }
byte_view certificate::spki_der() const noexcept { return d_->spki; }
byte_view certificate::public_key_bytes() const noexcept { return d_->public_key; }
key_algorithm certificate::public_key_algorithm() const noexcept { return d_->key_alg; }
byte_view certificate::ec_curve_oid() const noexcept { return d_->curve; }
byte_view certificate::signature_value() const noexcept { return d_->signature; }
const std::vector<extension> &certificate::extensions() const noexcept { return d_->exts; }

const extension *certificate::find_extension(byte_view id) const noexcept {
    for (const auto &e : d_->exts) {
        if (oid::equal(e.oid, id)) {
            return &e;
        }
    }
    return nullptr;
}

bool certificate::has_unknown_critical_extension() const noexcept { return d_->unknown_critical; }
const std::optional<basic_constraints> &certificate::basic_constraints_ext() const noexcept { return d_->bc; }
const std::optional<key_usage> &certificate::key_usage_ext() const noexcept { return d_->ku; }
const std::optional<extended_key_usage> &certificate::extended_key_usage_ext() const noexcept {
    return d_->eku;
}
bool certificate::has_subject_alt_name() const noexcept { return d_->has_san; }
const std::vector<general_name> &certificate::subject_alt_names() const noexcept { return d_->san; }

std::vector<std::string_view> certificate::dns_names() const {
    std::vector<std::string_view> out;
    for (const auto &gn : d_->san) {
        if (gn.type == general_name::kind::dns_name) {
            out.emplace_back(gn.text);
        }
    }
    return out;
}

std::vector<byte_view> certificate::ip_addresses() const {
    std::vector<byte_view> out;
    for (const auto &gn : d_->san) {
        if (gn.type == general_name::kind::ip_address) {
            out.push_back(gn.value);
        }
    }
    return out;
}

const std::optional<name_constraints> &certificate::name_constraints_ext() const noexcept { return d_->nc; }
std::optional<byte_view> certificate::authority_key_id() const noexcept { return d_->aki; }
std::optional<byte_view> certificate::subject_key_id() const noexcept { return d_->ski; }
const std::optional<std::vector<byte_view>> &certificate::policies() const noexcept { return d_->policy_ids; }
const std::optional<policy_constraints> &certificate::policy_constraints_ext() const noexcept { return d_->pc; }
std::optional<std::uint32_t> certificate::inhibit_any_policy() const noexcept { return d_->inhibit_any; }

bool operator==(const certificate &a, const certificate &b) noexcept {
    return a.d_ == b.d_ || a.d_->der == b.d_->der;
}

// --------------------------------------------------------------------------------------------
// Signature verification

result<void> verify_signature_with(const certificate &subject, const crypto::public_key &issuer_key,
                                   const crypto::provider &provider) {
    const auto params = to_signature_params(subject.signature_algorithm());
    if (!params) {
        return crypto::crypto_errc::unsupported;
    }
    return provider.verify(issuer_key, *params, subject.tbs_der(), subject.signature_value());
}

result<void> verify_signature_by(const certificate &subject, const certificate &issuer,
                                 const crypto::provider &provider) {
    auto key = provider.import_public_key_spki(issuer.spki_der());
    if (!key) {
        return unexpected(key.error());
    }
    return verify_signature_with(subject, *key, provider);
}

} // namespace awsio::x509

#undef AWSIO_X509_TRY
#undef AWSIO_X509_TRY_VOID
