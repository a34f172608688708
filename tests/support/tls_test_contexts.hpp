// tls_test_contexts.hpp — awsio TLS contexts and blocking-socket helpers shared by the TLS tests
// that talk to real peers on 127.0.0.1 (openssl / GnuTLS interop, the TLS 1.2 machine tests, the
// TLS channel tests):
//  * client_config / server_config and make_client_context / make_server_context: contexts from
//    X.509 fixture names (tests/resources/x509), versions, suites, groups, ALPN, mutual TLS and
//    the resumption switches;
//  * exchange_lines: an awsio client (blocking_tls) that sends lines and reads one reply line for
//    each, and echo_lines: the matching handler for a tls_server_thread;
//  * describe_error and the alert checks used in failure messages and assertions.
//
// Errors: the builders return the context's own error (awsio::result). Threads: every helper is
// used by one thread at a time; an echo_lines handler runs on its tls_server_thread.
#pragma once

#include "support/blocking_tls.hpp"
#include "support/peer_process.hpp"

#include <awsio/error.hpp>
#include <awsio/result.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace awsio::testing {

// ------------------------------------------------------------------------------------------
// Contexts

/// An awsio client context. The fields stand in the order designated initializers need.
struct client_config {
    tls::tls_versions min_version = tls::tls_versions::tlsv1_3;
    tls::tls_versions max_version = tls::tls_versions::sys_defaults;
    std::string ca = "root_ca.pem"; ///< trust anchor fixture ("" = the system store)
    bool verify = true;
    std::vector<std::string> suites;
    std::vector<std::string> groups;
    std::vector<std::string> key_share_groups;
    std::string alpn;       ///< "h2;http/1.1"
    std::string cert_chain; ///< mutual TLS: our chain and key
    std::string key;
    tls::key_log_callback key_log;
};

inline result<std::shared_ptr<const tls::context>> make_client_context(const client_config &c) {
    auto opts = c.cert_chain.empty()
                    ? tls::tls_ctx_options::default_client()
                    : tls::tls_ctx_options::client_mtls(read_text_file(x509_fixture(c.cert_chain)),
                                                        read_text_file(x509_fixture(c.key)));
    opts.minimum_tls_version = c.min_version;
    opts.maximum_tls_version = c.max_version;
    if (!c.ca.empty()) {
        if (auto r = opts.override_default_trust_store_from_path("", x509_fixture(c.ca)); !r) {
            return unexpected(r.error());
        }
    }
    opts.verify_peer = c.verify;
    opts.cipher_suites = c.suites;
    opts.groups = c.groups;
    opts.key_share_groups = c.key_share_groups;
    opts.key_log = c.key_log;
    if (!c.alpn.empty()) {
        if (auto r = opts.set_alpn_list(c.alpn); !r) {
            return unexpected(r.error());
        }
    }
    return tls::context::create_client(opts);
}

/// An awsio server context. The fields stand in the order designated initializers need.
struct server_config {
    tls::tls_versions min_version = tls::tls_versions::tlsv1_3;
    tls::tls_versions max_version = tls::tls_versions::sys_defaults;
    std::string chain = "leaf_chain.pem";
    std::string key = "leaf.key";
    std::string alpn;
    std::vector<std::string> groups;
    std::vector<std::string> suites;
    std::string client_ca; ///< non-empty: mutual TLS required, verified against this anchor
    bool session_tickets = true;
    bool tls12_session_ids = true;
};

inline result<std::shared_ptr<const tls::context>> make_server_context(const server_config &s) {
    auto opts = tls::tls_ctx_options::default_server(read_text_file(x509_fixture(s.chain)),
                                                     read_text_file(x509_fixture(s.key)));
    opts.minimum_tls_version = s.min_version;
    opts.maximum_tls_version = s.max_version;
    opts.session_tickets = s.session_tickets;
    opts.tls12_session_ids = s.tls12_session_ids;
    opts.groups = s.groups;
    opts.cipher_suites = s.suites;
    if (!s.alpn.empty()) {
        if (auto r = opts.set_alpn_list(s.alpn); !r) {
            return unexpected(r.error());
        }
    }
    if (!s.client_ca.empty()) {
        opts.verify_peer = true;
        if (auto r = opts.override_default_trust_store_from_path("", x509_fixture(s.client_ca)); !r) {
            return unexpected(r.error());
        }
    }
    return tls::context::create_server(opts);
}

/// A client offering TLS 1.2 only.
inline client_config tls12_client_config() {
    client_config cc;
    cc.min_version = tls::tls_versions::tlsv1_2;
    cc.max_version = tls::tls_versions::tlsv1_2;
    return cc;
}

/// A server accepting TLS 1.2 only.
inline server_config tls12_server_config() {
    server_config sc;
    sc.min_version = tls::tls_versions::tlsv1_2;
    sc.max_version = tls::tls_versions::tlsv1_2;
    return sc;
}

/// The server identity a TLS 1.2 ECDHE suite needs: chain, key and the root that anchors it.
struct identity {
    const char *chain;
    const char *key;
    const char *ca;
};
inline identity identity_for_suite(bool ecdsa) {
    return ecdsa ? identity{"ecdsa_p256_leaf_chain.pem", "ecdsa_p256_leaf.key", "ecdsa_p256_root_ca.pem"}
                 : identity{"leaf_chain.pem", "leaf.key", "root_ca.pem"};
}

// ------------------------------------------------------------------------------------------
// An awsio client sending lines over a blocking socket

/// The outcome of one exchange_lines connection.
struct client_outcome {
    std::error_code error; ///< first failure (handshake or data)
    bool handshake_ok = false;
    tls::negotiated_parameters negotiated;
    std::string reply;
    std::uint64_t key_updates_sent = 0;
    std::uint64_t key_updates_received = 0;
};

struct exchange_options {
    std::string server_name = "localhost";
    std::vector<std::string> lines = {"hello from awsio"};
    bool key_update_before_data = false;
    std::uint64_t write_record_limit = 0;
};

/// Connects to 127.0.0.1:port, handshakes, sends each line and reads one reply line for it
/// (appended to reply), then closes.
inline client_outcome exchange_lines(const std::shared_ptr<const tls::context> &ctx, std::uint16_t port,
                                     const exchange_options &x = {}) {
    client_outcome out;
    auto c = blocking_tls::connect_client(ctx, {.server_name = x.server_name, .alpn = {}}, port);
    if (!c) {
        out.error = c.error();
        return out;
    }
    out.error = c->handshake();
    if (out.error) {
        return out;
    }
    out.handshake_ok = true;
    out.negotiated = c->negotiated();
    if (x.write_record_limit != 0) {
        c->conn().set_write_record_limit(x.write_record_limit);
    }
    if (x.key_update_before_data) {
        if ((out.error = c->key_update(true))) {
            return out;
        }
    }
    for (const auto &line : x.lines) {
        if ((out.error = c->write_all(line + "\n"))) {
            return out;
        }
        auto r = c->read_until("\n");
        if (!r) {
            out.error = r.error();
            return out;
        }
        out.reply += *r;
    }
    out.key_updates_sent = c->conn().key_updates_sent();
    out.key_updates_received = c->conn().key_updates_received();
    out.error = c->close();
    return out;
}

// ------------------------------------------------------------------------------------------
// Server-side handler for tls_server_thread

/// Answers each line with "echo: <line>" until `lines` lines or the peer closes, then sends
/// close_notify. With key_update_after_first: a KeyUpdate(update_requested) after the first reply.
///
/// `until_peer_closes`: after the lines, keep reading until the peer's close_notify (or end of
/// stream) before closing, so that everything the peer sent after its last line (a KeyUpdate
/// answering ours, say) has been processed when the session is reported.
inline tls_server_thread::handler echo_lines(int lines, bool key_update_after_first = false,
                                             bool until_peer_closes = false) {
    return [lines, key_update_after_first, until_peer_closes](blocking_tls &c, server_session &s) -> std::error_code {
        for (int i = 0; i < lines; ++i) {
            auto r = c.read_until("\n");
            if (!r) {
                return r.error();
            }
            if (r->empty()) {
                break; // peer closed
            }
            s.received += *r;
            if (auto ec = c.write_all("echo: " + *r)) {
                return ec;
            }
            if (i == 0 && key_update_after_first) {
                if (auto ec = c.key_update(true)) {
                    return ec;
                }
            }
        }
        if (until_peer_closes) {
            for (;;) {
                auto r = c.read_until("\n");
                if (!r || r->empty()) {
                    break;
                }
                s.received += *r;
            }
        }
        return c.close();
    };
}

// ------------------------------------------------------------------------------------------
// Errors

/// "<category>:<value> <message> (io: <io_errc name>)", or "success".
inline std::string describe_error(std::error_code ec) {
    return ec ? ec.category().name() + std::string(":") + std::to_string(ec.value()) + " " + ec.message() +
                    " (io: " + std::string(error_name(tls::to_io_error(ec, true))) + ")"
              : std::string("success");
}

/// True when `ec` is a fatal alert received from the peer with this description.
inline bool is_peer_alert(std::error_code ec, int description) {
    return ec && std::strcmp(ec.category().name(), "awsio-tls-peer-alert") == 0 && ec.value() == description;
}

/// True when `ec` is a failure detected here whose alert (sent to the peer) is `description`.
inline bool is_local_alert(std::error_code ec, int description) {
    return ec && std::strcmp(ec.category().name(), "awsio-tls") == 0 && ec.value() == description;
}

/// Alert descriptions (RFC 8446 6 / RFC 5246 7.2) the tests look for.
inline constexpr int alert_handshake_failure = 40;
inline constexpr int alert_unknown_ca = 48;
inline constexpr int alert_inappropriate_fallback = 86;
inline constexpr int alert_certificate_required = 116;
inline constexpr int alert_no_application_protocol = 120;

} // namespace awsio::testing
