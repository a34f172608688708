// `awsio verify`: builds and validates a certificate path with awsio's own X.509 code and prints
// OK or the aws-c-io error name.
#include "tools/awsio/commands.hpp"

#include <awsio/error.hpp>

#include "crypto/provider.hpp"
#include "x509/pki.hpp"
#include "x509/trust_store.hpp"
#include "x509/verifier.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace awsio::cli {
namespace {

int print_error(std::error_code ec) {
    // Every certificate-decoding failure is reported as a bad certificate, like a TLS peer would.
    std::printf("%s\n", error_name(x509::to_bad_certificate(ec)).data());
    return 1;
}

void verify_usage() {
    std::fputs("usage: awsio verify --chain CHAIN.pem [--cafile ROOTS.pem | --capath DIR] [--host NAME]\n"
               "                    [--purpose server|client] [--at UNIX_SECONDS]\n",
               stderr);
}

} // namespace

int run_verify(const std::vector<std::string> &args) {
    std::string chain_path;
    std::string ca_file;
    std::string ca_path;
    x509::verify_options options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        const bool has_value = i + 1 < args.size();
        if (a == "--chain" && has_value) {
            chain_path = args[++i];
        } else if (a == "--cafile" && has_value) {
            ca_file = args[++i];
        } else if (a == "--capath" && has_value) {
            ca_path = args[++i];
        } else if (a == "--host" && has_value) {
            options.host = args[++i];
        } else if (a == "--purpose" && has_value) {
            const std::string &p = args[++i];
            if (p == "server") {
                options.usage = x509::purpose::server_auth;
            } else if (p == "client") {
                options.usage = x509::purpose::client_auth;
            } else {
                verify_usage();
                return 2;
            }
        } else if (a == "--at" && has_value) {
            const std::string &v = args[++i];
            char *end = nullptr;
            const long long t = std::strtoll(v.c_str(), &end, 10);
            if (v.empty() || end == nullptr || *end != '\0') {
                verify_usage();
                return 2;
            }
            options.at = static_cast<std::int64_t>(t);
        } else {
            verify_usage();
            return 2;
        }
    }
    if (chain_path.empty() || (!ca_file.empty() && !ca_path.empty())) {
        verify_usage();
        return 2;
    }
    auto chain = x509::load_certificate_chain_file(chain_path);
    if (!chain) {
        // The loader reports a CERTIFICATE block that is not one DER certificate as a context
        // error (what a TLS context creation reports); here it is an undecodable certificate.
        return print_error(chain.error() == io_errc::tls_ctx_error ? make_error_code(io_errc::tls_bad_certificate)
                                                                   : chain.error());
    }
    result<x509::trust_store> anchors = !ca_file.empty()   ? x509::trust_store::from_ca_file(ca_file)
                                        : !ca_path.empty() ? x509::trust_store::from_ca_dir(ca_path)
                                                           : x509::trust_store::from_system();
    if (!anchors) {
        return print_error(anchors.error());
    }
    auto verified = x509::verify_chain_der(*chain, *anchors, options, crypto::openssl_provider());
    if (!verified) {
        return print_error(verified.error());
    }
    std::printf("OK\n");
    return 0;
}

} // namespace awsio::cli
