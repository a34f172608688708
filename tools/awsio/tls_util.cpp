// TLS helpers of the awsio tool (see tls_util.hpp).
#include "tools/awsio/tls_util.hpp"

#include <awsio/error.hpp>
#include <awsio/pem.hpp>

#include "crypto/provider.hpp"
#include "x509/builder.hpp"
#include "x509/certificate.hpp"
#include "x509/oid.hpp"

#include <cerrno>
#include <ctime>
#include <memory>
#include <mutex>

namespace awsio::cli {

std::optional<tls::tls_versions> parse_tls_version(std::string_view text) {
    if (text == "1.2") {
        return tls::tls_versions::tlsv1_2;
    }
    if (text == "1.3") {
        return tls::tls_versions::tlsv1_3;
    }
    return std::nullopt;
}

result<tls::key_log_callback> make_key_log_file(const std::string &path) {
    std::FILE *f = std::fopen(path.c_str(), "a");
    if (f == nullptr) {
        return unexpected(io_error_from_errno(errno));
    }
    struct file_state {
        std::FILE *file;
        std::mutex mutex;
        explicit file_state(std::FILE *fp) : file(fp) {}
        file_state(const file_state &) = delete;
        file_state &operator=(const file_state &) = delete;
        ~file_state() { (void)std::fclose(file); }
    };
    auto state = std::make_shared<file_state>(f);
    return tls::key_log_callback([state](std::string_view label, std::span<const std::uint8_t> client_random,
                                         std::span<const std::uint8_t> secret) {
        const std::string line = tls::format_key_log_line(label, client_random, secret);
        std::lock_guard<std::mutex> lock(state->mutex);
        (void)std::fwrite(line.data(), 1, line.size(), state->file);
        (void)std::fflush(state->file);
    });
}

std::string certificate_subject(std::span<const std::uint8_t> der) {
    auto cert = x509::certificate::parse(der);
    if (!cert) {
        return "(undecodable certificate)";
    }
    std::string subject = cert->subject().to_string();
    return subject.empty() ? std::string("(empty subject)") : subject;
}

void print_negotiated(std::FILE *out, const tls::negotiated_parameters &params, bool verify_enabled,
                      std::string_view indent) {
    const auto line = [&](const char *name, const std::string &value) {
        std::fprintf(out, "%.*s%s: %s\n", static_cast<int>(indent.size()), indent.data(), name,
                     value.empty() ? "(none)" : value.c_str());
    };
    line("version", params.version);
    line("cipher suite", params.cipher_suite);
    line("group", params.group);
    line("ALPN", params.alpn);
    line("server name", params.server_name);
    if (!params.peer_signature_scheme.empty()) {
        line("peer signature", params.peer_signature_scheme);
    }
    if (params.resumed) {
        line("resumed", "yes");
    }
    if (params.hello_retry) {
        line("hello retry", "yes");
    }
    if (params.peer_certificates.empty()) {
        line("peer certificates", "");
    }
    for (std::size_t i = 0; i < params.peer_certificates.size(); ++i) {
        const std::string name = "peer certificate " + std::to_string(i);
        line(name.c_str(), certificate_subject(params.peer_certificates[i]));
    }
    std::string verdict;
    if (params.peer_verified) {
        verdict = "OK";
    } else if (!verify_enabled) {
        verdict = "not verified (verification off)";
    } else if (params.peer_certificates.empty()) {
        verdict = "no peer certificate";
    } else {
        verdict = "not verified";
    }
    line("verification", verdict);
    std::fflush(out);
}

result<tls::certificate_and_key> make_self_signed_certificate(const std::string &host) {
    crypto::provider &p = crypto::openssl_provider();
    auto key = p.generate_private_key(crypto::key_type::ec_p256);
    if (!key) {
        return unexpected(key.error());
    }
    x509::certificate_spec spec;
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    spec.serial = {0x01, static_cast<std::uint8_t>(now & 0x7f), static_cast<std::uint8_t>((now >> 8) & 0xff)};
    spec.subject = {"", "awsio demo", "", host};
    spec.not_before = now - 3600;
    spec.not_after = now + 24 * 3600;
    spec.dns_names = {host};
    spec.ip_addresses = {{127, 0, 0, 1}};
    spec.basic_constraints = x509::basic_constraints_spec{false, std::nullopt};
    spec.key_usage = x509::key_usage_bit::digital_signature;
    spec.extended_key_usage = {
        std::vector<std::uint8_t>(x509::oid::kp_server_auth.begin(), x509::oid::kp_server_auth.end())};
    auto der = x509::build_self_signed(spec, *key, p);
    if (!der) {
        return unexpected(der.error());
    }
    auto cert_pem = der_cert_to_pem(*der);
    if (!cert_pem) {
        return unexpected(cert_pem.error());
    }
    auto pkcs8 = p.export_private_key_pkcs8(*key);
    if (!pkcs8) {
        return unexpected(pkcs8.error());
    }
    const std::string b64 = base64_encode(std::span<const std::uint8_t>(pkcs8->data(), pkcs8->size()));
    tls::certificate_and_key out;
    out.certificate_pem = std::move(*cert_pem);
    out.private_key_pem = "-----BEGIN PRIVATE KEY-----\n";
    for (std::size_t i = 0; i < b64.size(); i += 64) {
        out.private_key_pem.append(b64, i, 64);
        out.private_key_pem.push_back('\n');
    }
    out.private_key_pem.append("-----END PRIVATE KEY-----\n");
    return out;
}

} // namespace awsio::cli
