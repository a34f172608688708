// x509/pki.cpp — certificate chains and private keys from PEM: picks the objects by label,
// checks certificates are single DER elements, hands key DER to the crypto provider, and wipes
// key text read from files.
#include "x509/pki.hpp"

#include "crypto/secret_buffer.hpp"
#include "x509/der.hpp"

#include <awsio/error.hpp>
#include <awsio/logging.hpp>
#include <awsio/pem.hpp>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

namespace awsio::x509 {

namespace {

void wipe(std::string &s) noexcept {
    if (!s.empty()) {
        crypto::secure_wipe(s.data(), s.size());
    }
}

// A certificate object must at least be one complete DER SEQUENCE; parsing its contents is left
// to the certificate parser, but truncated or concatenated blobs are caught here.
bool is_single_sequence(const std::vector<std::uint8_t> &der) noexcept {
    der::reader r(der);
    auto seq = r.read(der::tag::sequence);
    return seq.has_value() && r.expect_empty().has_value();
}

// Legacy PEM encryption (RFC 1421 headers) as OpenSSL writes it for "RSA PRIVATE KEY" and
// "EC PRIVATE KEY": a "Proc-Type: 4,ENCRYPTED" line inside the block.
bool has_encrypted_header(std::string_view text) noexcept {
    std::size_t pos = 0;
    while ((pos = text.find("Proc-Type:", pos)) != std::string_view::npos) {
        const std::size_t eol = text.find('\n', pos);
        const std::string_view line = text.substr(pos, eol == std::string_view::npos ? text.size() - pos : eol - pos);
        if (line.find("ENCRYPTED") != std::string_view::npos) {
            return true;
        }
        pos += 10;
    }
    return false;
}

bool is_private_key_label(pem_object_type t) noexcept {
    switch (t) {
    case pem_object_type::evp_pkey:
    case pem_object_type::private_rsa_pkcs1:
    case pem_object_type::private_dsa_pkcs1:
    case pem_object_type::private_pkcs8_encrypted:
    case pem_object_type::private_pkcs8:
    case pem_object_type::ec_private:
        return true;
    default:
        return false;
    }
}

} // namespace

namespace detail {

result<std::string> read_file(const std::string &path) {
    std::FILE *f = std::fopen(path.c_str(), "rbe");
    if (f == nullptr) {
        const int err = errno;
        AWSIO_LOGF_ERROR(log_subject::pki, "static: cannot open \"%s\" (errno %d)", path.c_str(), err);
        return unexpected(io_error_from_errno(err));
    }
    // Reserve the whole size up front: growing the string while reading would leave copies of
    // key material in freed memory that the final wipe cannot reach.
    // (Only regular files have a size; the cap keeps a bogus size from exhausting memory.)
    std::string contents;
    std::error_code size_ec;
    const auto size = std::filesystem::file_size(path, size_ec);
    if (!size_ec && size < (std::uintmax_t{64} << 20)) {
        contents.reserve(static_cast<std::size_t>(size) + 1);
    }
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
        contents.append(buf, n);
    }
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    crypto::secure_wipe(buf, sizeof(buf));
    if (failed) {
        wipe(contents);
        AWSIO_LOGF_ERROR(log_subject::pki, "static: cannot read \"%s\"", path.c_str());
        return common_errc::sys_call_failure;
    }
    return contents;
}

} // namespace detail

result<std::vector<der_certificate>> load_certificate_chain_pem(std::string_view pem) {
    auto objects = pem_parse(pem);
    if (!objects) {
        AWSIO_LOGF_ERROR(log_subject::pki, "static: certificate chain is not valid PEM");
        return unexpected(objects.error());
    }
    std::vector<der_certificate> chain;
    for (const auto &object : *objects) {
        if (object.type != pem_object_type::x509 && object.type != pem_object_type::x509_old) {
            continue;
        }
        if (!is_single_sequence(object.data)) {
            AWSIO_LOGF_ERROR(log_subject::pki, "static: certificate %zu of the chain is not one DER SEQUENCE",
                             chain.size());
            return io_errc::tls_ctx_error;
        }
        chain.push_back(object.data);
    }
    if (chain.empty()) {
        AWSIO_LOGF_ERROR(log_subject::pki, "static: no CERTIFICATE object in PEM input");
        return io_errc::tls_ctx_error;
    }
    return chain;
}

result<std::vector<der_certificate>> load_certificate_chain_file(const std::string &path) {
    auto text = detail::read_file(path);
    if (!text) {
        return unexpected(text.error());
    }
    return load_certificate_chain_pem(*text);
}

result<crypto::private_key> load_private_key_pem(std::string_view pem, crypto::provider &provider) {
    if (has_encrypted_header(pem)) {
        AWSIO_LOGF_ERROR(log_subject::pki, "static: encrypted (Proc-Type ENCRYPTED) private keys are not supported");
        return common_errc::unsupported_operation;
    }
    auto objects = pem_parse(pem);
    if (!objects) {
        AWSIO_LOGF_ERROR(log_subject::pki, "static: private key is not valid PEM");
        return unexpected(objects.error());
    }
    for (const auto &object : *objects) {
        if (!is_private_key_label(object.type)) {
            continue;
        }
        switch (object.type) {
        case pem_object_type::private_pkcs8:
        case pem_object_type::ec_private:
        case pem_object_type::private_rsa_pkcs1:
            break;
        case pem_object_type::private_pkcs8_encrypted:
            AWSIO_LOGF_ERROR(log_subject::pki, "static: encrypted PKCS#8 private keys are not supported");
            return common_errc::unsupported_operation;
        default:
            AWSIO_LOGF_ERROR(log_subject::pki, "static: unsupported private key type \"%s\"",
                             object.type_string.c_str());
            return io_errc::tls_ctx_error;
        }
        auto key = provider.import_private_key_der(object.data);
        if (!key) {
            AWSIO_LOGF_ERROR(log_subject::pki, "static: \"%s\" object refused: %s", object.type_string.c_str(),
                             key.error().message().c_str());
            return io_errc::tls_ctx_error;
        }
        return std::move(*key);
    }
    AWSIO_LOGF_ERROR(log_subject::pki, "static: no private key object in PEM input");
    return io_errc::tls_ctx_error;
}

result<crypto::private_key> load_private_key_file(const std::string &path, crypto::provider &provider) {
    auto text = detail::read_file(path);
    if (!text) {
        return unexpected(text.error());
    }
    auto key = load_private_key_pem(*text, provider);
    wipe(*text);
    return key;
}

} // namespace awsio::x509
