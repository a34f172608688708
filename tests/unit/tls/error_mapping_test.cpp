// error_mapping_test.cpp — tls::to_io_error: every engine error (local failures, received
// alerts, verifier codes, crypto and X.509 decoding errors) maps to the io_errc aws-c-io reports
// in that situation; the failure table of docs/tls.md agrees with the function; and real
// handshakes that fail (in memory, no sockets) report the codes the table promises.
#include <awsio/error.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include "crypto/crypto_error.hpp"
#include "tls/codec/tls_error.hpp"
#include "x509/certificate.hpp"
#include "x509/der.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace awsio::tls {
namespace {

std::error_code io(io_errc e) { return make_error_code(e); }

std::error_code local(alert_description a) { return make_error_code(static_cast<errc>(a)); }

std::error_code received(alert_description a) { return peer_alert_error(static_cast<std::uint8_t>(a)); }

/// Every alert description with a name (close_notify included).
std::vector<std::uint8_t> all_alerts() {
    std::vector<std::uint8_t> out;
    for (int v = 0; v < 256; ++v) {
        if (alert_name(static_cast<std::uint8_t>(v)) != "unknown_alert") {
            out.push_back(static_cast<std::uint8_t>(v));
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The function itself

TEST(tls_error_mapping, success_stays_success) {
    EXPECT_FALSE(to_io_error({}, true));
    EXPECT_FALSE(to_io_error({}, false));
}

TEST(tls_error_mapping, io_errc_codes_pass_through) {
    // The verifier's certificate codes, tls_negotiation_timeout, tls_error_not_negotiated, ...
    for (int v = io_errc_first; v <= io_errc_last; ++v) {
        const std::error_code ec(v, io_category());
        EXPECT_EQ(to_io_error(ec, true), ec) << v;
        EXPECT_EQ(to_io_error(ec, false), ec) << v;
    }
}

TEST(tls_error_mapping, certificate_verification_codes_are_reported_as_they_are) {
    for (auto e : {io_errc::tls_unknown_root_certificate, io_errc::tls_no_root_certificate_found,
                   io_errc::tls_certificate_expired, io_errc::tls_certificate_not_yet_valid,
                   io_errc::tls_bad_certificate, io_errc::tls_invalid_certificate_chain,
                   io_errc::tls_host_name_mismatch, io_errc::tls_negotiation_timeout}) {
        EXPECT_EQ(to_io_error(io(e), true), io(e));
    }
}

TEST(tls_error_mapping, local_protocol_errors) {
    // s2n: a failed negotiation is AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, a failed s2n_recv
    // AWS_IO_TLS_ERROR_READ_FAILURE.
    for (auto a : {alert_description::unexpected_message, alert_description::bad_record_mac,
                   alert_description::record_overflow, alert_description::handshake_failure,
                   alert_description::illegal_parameter, alert_description::decode_error,
                   alert_description::decrypt_error, alert_description::protocol_version,
                   alert_description::missing_extension, alert_description::unsupported_extension,
                   alert_description::certificate_required, alert_description::no_application_protocol,
                   alert_description::unknown_ca, alert_description::insufficient_security}) {
        EXPECT_EQ(to_io_error(local(a), true), io(io_errc::tls_error_negotiation_failure)) << alert_name(
            static_cast<std::uint8_t>(a));
        EXPECT_EQ(to_io_error(local(a), false), io(io_errc::tls_error_read_failure))
            << alert_name(static_cast<std::uint8_t>(a));
    }
}

TEST(tls_error_mapping, local_internal_error_is_tls_internal_error) {
    // errSSLInternal -> AWS_IO_TLS_INTERNAL_ERROR, whatever the phase.
    EXPECT_EQ(to_io_error(local(alert_description::internal_error), true), io(io_errc::tls_internal_error));
    EXPECT_EQ(to_io_error(local(alert_description::internal_error), false), io(io_errc::tls_internal_error));
}

TEST(tls_error_mapping, local_certificate_errors_are_bad_certificate) {
    // The peer's certificate does not parse or holds an unusable key: errSSLBadCert ->
    // AWS_IO_TLS_BAD_CERTIFICATE, the code the verifier gives an undecodable certificate.
    for (auto a : {alert_description::bad_certificate, alert_description::unsupported_certificate}) {
        EXPECT_EQ(to_io_error(local(a), true), io(io_errc::tls_bad_certificate));
        EXPECT_EQ(to_io_error(local(a), false), io(io_errc::tls_bad_certificate));
    }
}

TEST(tls_error_mapping, received_certificate_alerts_keep_their_codes) {
    // Secure Transport: errSSLPeerBadCert / PeerCertExpired / PeerCertRevoked / PeerCertUnknown.
    // In both phases: a TLS 1.3 client learns that its certificate was refused after its side of
    // the handshake completed.
    const std::map<alert_description, io_errc> want = {
        {alert_description::bad_certificate, io_errc::tls_bad_peer_certificate},
        {alert_description::unsupported_certificate, io_errc::tls_bad_peer_certificate},
        {alert_description::certificate_expired, io_errc::tls_peer_certificate_expired},
        {alert_description::certificate_revoked, io_errc::tls_peer_certificate_revoked},
        {alert_description::certificate_unknown, io_errc::tls_peer_certificate_unknown},
    };
    for (const auto &[a, e] : want) {
        EXPECT_EQ(to_io_error(received(a), true), io(e)) << alert_name(static_cast<std::uint8_t>(a));
        EXPECT_EQ(to_io_error(received(a), false), io(e)) << alert_name(static_cast<std::uint8_t>(a));
    }
}

TEST(tls_error_mapping, other_received_alerts) {
    // During the handshake a failed negotiation (errSSLPeerHandshakeFail,
    // errSSLPeerProtocolVersion -> AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE); after it the connection
    // ends "not gracefully" (SChannel's AWS_IO_TLS_ALERT_NOT_GRACEFUL).
    for (auto a : {alert_description::handshake_failure, alert_description::protocol_version,
                   alert_description::unknown_ca, alert_description::decode_error,
                   alert_description::internal_error, alert_description::unexpected_message,
                   alert_description::bad_record_mac, alert_description::no_application_protocol,
                   alert_description::certificate_required, alert_description::access_denied}) {
        EXPECT_EQ(to_io_error(received(a), true), io(io_errc::tls_error_negotiation_failure))
            << alert_name(static_cast<std::uint8_t>(a));
        EXPECT_EQ(to_io_error(received(a), false), io(io_errc::tls_alert_not_graceful))
            << alert_name(static_cast<std::uint8_t>(a));
    }
}

TEST(tls_error_mapping, close_notify_is_not_an_error) {
    // close_notify has the value 0: as an error_code it is "no error", and to_io_error keeps it
    // so. The engine reports it through connection::peer_closed() instead.
    const std::error_code close = received(alert_description::close_notify);
    EXPECT_FALSE(close);
    EXPECT_FALSE(to_io_error(close, true));
    EXPECT_FALSE(to_io_error(close, false));
}

TEST(tls_error_mapping, unassigned_alert_values) {
    // An alert description nobody defined is still a fatal alert.
    const std::error_code odd = peer_alert_error(200);
    EXPECT_EQ(to_io_error(odd, true), io(io_errc::tls_error_negotiation_failure));
    EXPECT_EQ(to_io_error(odd, false), io(io_errc::tls_alert_not_graceful));
    const std::error_code odd_local(201, tls_category());
    EXPECT_EQ(to_io_error(odd_local, true), io(io_errc::tls_error_negotiation_failure));
    EXPECT_EQ(to_io_error(odd_local, false), io(io_errc::tls_error_read_failure));
}

TEST(tls_error_mapping, crypto_failures_are_internal_errors) {
    for (int v = 1; v <= static_cast<int>(crypto::crypto_errc::internal); ++v) {
        const std::error_code ec = make_error_code(static_cast<crypto::crypto_errc>(v));
        EXPECT_EQ(to_io_error(ec, true), io(io_errc::tls_internal_error)) << v;
        EXPECT_EQ(to_io_error(ec, false), io(io_errc::tls_internal_error)) << v;
    }
}

TEST(tls_error_mapping, x509_decoding_failures_are_bad_certificate) {
    for (int v = 1; v <= static_cast<int>(x509::der::errc::bad_string); ++v) {
        const std::error_code ec = x509::der::make_error_code(static_cast<x509::der::errc>(v));
        EXPECT_EQ(to_io_error(ec, true), io(io_errc::tls_bad_certificate)) << v;
    }
    for (int v = 1; v <= static_cast<int>(x509::certificate_errc::empty_sequence); ++v) {
        const std::error_code ec = make_error_code(static_cast<x509::certificate_errc>(v));
        EXPECT_EQ(to_io_error(ec, true), io(io_errc::tls_bad_certificate)) << v;
    }
}

TEST(tls_error_mapping, other_categories_pass_through) {
    const std::error_code common = make_error_code(common_errc::invalid_argument);
    EXPECT_EQ(to_io_error(common, true), common);
    const std::error_code generic = std::make_error_code(std::errc::connection_reset);
    EXPECT_EQ(to_io_error(generic, false), generic);
}

TEST(tls_error_mapping, every_engine_error_becomes_a_tls_error) {
    // Whatever the TLS engine reports in its own categories, the caller gets an
    // aws_error_code_is_tls code, never a retryable one.
    std::vector<std::error_code> engine;
    for (auto v : all_alerts()) {
        if (v != 0) { // close_notify is no error (see above)
            engine.push_back(peer_alert_error(v));
            engine.emplace_back(v, tls_category());
        }
    }
    engine.push_back(make_error_code(crypto::crypto_errc::internal));
    engine.push_back(x509::der::make_error_code(x509::der::errc::truncated));
    engine.push_back(make_error_code(x509::certificate_errc::bad_version));
    for (const auto &ec : engine) {
        for (bool hs : {true, false}) {
            const std::error_code mapped = to_io_error(ec, hs);
            EXPECT_EQ(&mapped.category(), &io_category()) << ec.message();
            EXPECT_TRUE(is_tls_error(mapped)) << ec.message() << " -> " << error_name(mapped);
            EXPECT_FALSE(is_retryable(mapped)) << ec.message();
            EXPECT_NE(mapped, io(io_errc::tls_error_alert_received)); // aws-c-io never raises it
        }
    }
}

// ---------------------------------------------------------------------------------------------
// docs/tls.md's table

struct doc_row {
    std::string engine;
    std::string during;
    std::string after;
    int line = 0;
};

std::string backticked(const std::string &cell) {
    const auto a = cell.find('`');
    if (a == std::string::npos) {
        return cell;
    }
    const auto b = cell.find('`', a + 1);
    return b == std::string::npos ? cell.substr(a + 1) : cell.substr(a + 1, b - a - 1);
}

std::string trim(const std::string &s) {
    const auto a = s.find_first_not_of(" \t");
    const auto b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

/// The rows of the table whose header starts "| engine error | during the handshake | after
/// the handshake |".
std::vector<doc_row> read_doc_table(const std::string &path) {
    std::ifstream in(path);
    std::vector<doc_row> rows;
    std::string line;
    bool in_table = false;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.rfind("| engine error | during the handshake | after the handshake |", 0) == 0) {
            in_table = true;
            continue;
        }
        if (!in_table) {
            continue;
        }
        if (line.empty() || line[0] != '|') {
            break;
        }
        if (line.rfind("|---", 0) == 0) {
            continue;
        }
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        std::string cell;
        while (std::getline(ss, cell, '|')) {
            cells.push_back(trim(cell));
        }
        if (cells.size() < 3) {
            ADD_FAILURE() << path << ":" << n << ": fewer than 3 cells";
            continue;
        }
        rows.push_back({backticked(cells[0]), backticked(cells[1]), backticked(cells[2]), n});
    }
    return rows;
}

std::optional<std::error_code> io_errc_by_name(const std::string &name) {
    static const std::map<std::string, io_errc> names = {
#define AWSIO_X(member, value, name, message) {#member, io_errc::member},
        AWSIO_IO_ERROR_LIST(AWSIO_X)
#undef AWSIO_X
    };
    const auto it = names.find(name);
    if (it == names.end()) {
        return std::nullopt;
    }
    return make_error_code(it->second);
}

std::optional<std::uint8_t> alert_by_name(const std::string &name) {
    for (auto v : all_alerts()) {
        if (alert_name(v) == name) {
            return v;
        }
    }
    return std::nullopt;
}

/// The engine errors a row's first cell stands for.
std::vector<std::error_code> engine_errors_of(const std::string &key) {
    std::vector<std::error_code> out;
    auto range = [&](auto make, int last) {
        for (int v = 1; v <= last; ++v) {
            out.push_back(make(v));
        }
    };
    if (key == "io_errc::*") {
        for (int v = io_errc_first; v <= io_errc_last; ++v) {
            out.emplace_back(v, io_category());
        }
    } else if (key == "crypto_errc::*") {
        range([](int v) { return make_error_code(static_cast<crypto::crypto_errc>(v)); },
              static_cast<int>(crypto::crypto_errc::internal));
    } else if (key == "der::errc::*") {
        range([](int v) { return x509::der::make_error_code(static_cast<x509::der::errc>(v)); },
              static_cast<int>(x509::der::errc::bad_string));
    } else if (key == "certificate_errc::*") {
        range([](int v) { return make_error_code(static_cast<x509::certificate_errc>(v)); },
              static_cast<int>(x509::certificate_errc::empty_sequence));
    } else if (key == "other") {
        out.push_back(make_error_code(common_errc::invalid_argument));
        out.push_back(std::make_error_code(std::errc::io_error));
    } else if (key.rfind("errc::", 0) == 0) {
        if (auto a = alert_by_name(key.substr(6)); a && *a != 0) {
            out.emplace_back(*a, tls_category());
        }
    } else if (key.rfind("alert::", 0) == 0) {
        if (auto a = alert_by_name(key.substr(7)); a && *a != 0) {
            out.push_back(peer_alert_error(*a));
        }
    }
    return out;
}

TEST(tls_error_mapping, docs_table_matches_to_io_error) {
    const std::string path = std::string(AWSIO_TEST_RESOURCES_DIR) + "/../../docs/tls.md";
    const auto rows = read_doc_table(path);
    ASSERT_FALSE(rows.empty()) << "no failure table in " << path;

    std::set<std::string> keys;
    for (const auto &row : rows) {
        SCOPED_TRACE(path + ":" + std::to_string(row.line) + " " + row.engine);
        EXPECT_TRUE(keys.insert(row.engine).second) << "duplicate row";
        const auto errors = engine_errors_of(row.engine);
        ASSERT_FALSE(errors.empty()) << "unknown engine error";
        for (const auto &ec : errors) {
            for (const bool hs : {true, false}) {
                const std::string &cell = hs ? row.during : row.after;
                const std::error_code got = to_io_error(ec, hs);
                if (cell == "unchanged") {
                    EXPECT_EQ(got, ec) << (hs ? "during" : "after");
                    continue;
                }
                const auto want = io_errc_by_name(cell);
                ASSERT_TRUE(want) << "unknown io_errc name " << cell;
                EXPECT_EQ(got, *want) << ec.message() << (hs ? " during" : " after") << ": code gives "
                                      << error_name(got) << ", docs say " << cell;
            }
        }
    }

    // Complete: every alert (close_notify is never an error) as a local error and as a
    // received alert, and every other category.
    for (auto v : all_alerts()) {
        if (v == 0) {
            continue;
        }
        const std::string name(alert_name(v));
        EXPECT_TRUE(keys.count("errc::" + name)) << "no row for errc::" << name;
        EXPECT_TRUE(keys.count("alert::" + name)) << "no row for alert::" << name;
    }
    for (const char *k : {"io_errc::*", "crypto_errc::*", "der::errc::*", "certificate_errc::*", "other"}) {
        EXPECT_TRUE(keys.count(k)) << "no row for " << k;
    }
}

// ---------------------------------------------------------------------------------------------
// Real handshakes (in memory)

std::string fixture(const std::string &name) { return std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/" + name; }

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::shared_ptr<const context> server_ctx(const std::string &chain, const std::string &key,
                                          const std::string &client_ca = "") {
    auto o = tls_ctx_options::default_server(slurp(fixture(chain)), slurp(fixture(key)));
    if (!client_ca.empty()) {
        o.set_verify_peer(true);
        EXPECT_TRUE(o.override_default_trust_store(slurp(fixture(client_ca))));
    }
    auto c = context::create_server(o);
    EXPECT_TRUE(c) << c.error().message();
    return c ? *c : nullptr;
}

std::shared_ptr<const context> client_ctx(const std::string &root, const std::string &chain = "",
                                          const std::string &key = "") {
    auto o = chain.empty() ? tls_ctx_options::default_client()
                           : tls_ctx_options::client_mtls(slurp(fixture(chain)), slurp(fixture(key)));
    EXPECT_TRUE(o.override_default_trust_store(slurp(fixture(root))));
    auto c = context::create_client(o);
    EXPECT_TRUE(c) << c.error().message();
    return c ? *c : nullptr;
}

/// One side's outcome: its engine error and whether its handshake had completed before it.
struct outcome {
    std::error_code error;
    bool connected_before_error = false;
    [[nodiscard]] std::error_code mapped() const { return to_io_error(error, !connected_before_error); }
};

struct pair_outcome {
    outcome client;
    outcome server;
};

/// Runs a client and a server against each other until neither has anything to send (at most
/// 50 rounds).
pair_outcome run(const std::shared_ptr<const context> &cctx, const std::shared_ptr<const context> &sctx,
                 const std::string &server_name = "localhost") {
    auto c = connection::client(cctx, {server_name, {}});
    auto s = connection::server(sctx);
    EXPECT_TRUE(c && s);
    pair_outcome r;
    if (!c || !s) {
        return r;
    }
    EXPECT_TRUE(c->start());
    std::vector<std::uint8_t> buf(4096);
    auto step = [&](connection &from, connection &to, outcome &to_outcome) {
        const auto out = from.output();
        if (out.empty()) {
            return false;
        }
        to.feed(out);
        from.consume_output(out.size());
        if (!to_outcome.error) {
            const bool was_connected = to.is_connected();
            auto n = to.read(buf);
            if (!n) {
                to_outcome.error = n.error();
                to_outcome.connected_before_error = was_connected;
            }
        }
        return true;
    };
    for (int round = 0; round < 50; ++round) {
        const bool a = step(*c, *s, r.server);
        const bool b = step(*s, *c, r.client);
        if (!a && !b) {
            break;
        }
    }
    return r;
}

TEST(tls_error_mapping, handshake_wrong_host) {
    // The client's verifier: tls_host_name_mismatch; the server hears certificate_unknown: the
    // client refused its certificate.
    auto r = run(client_ctx("root_ca.pem"), server_ctx("leaf_wrong_host_chain.pem", "leaf.key"));
    EXPECT_EQ(r.client.mapped(), io(io_errc::tls_host_name_mismatch)) << r.client.error.message();
    EXPECT_EQ(r.server.error, received(alert_description::certificate_unknown)) << r.server.error.message();
    EXPECT_EQ(r.server.mapped(), io(io_errc::tls_peer_certificate_unknown));
}

TEST(tls_error_mapping, handshake_expired_server_certificate) {
    auto r = run(client_ctx("root_ca.pem"), server_ctx("leaf_expired_chain.pem", "leaf.key"));
    EXPECT_EQ(r.client.mapped(), io(io_errc::tls_certificate_expired)) << r.client.error.message();
    EXPECT_EQ(r.server.mapped(), io(io_errc::tls_peer_certificate_expired)) << r.server.error.message();
}

TEST(tls_error_mapping, handshake_untrusted_root) {
    // unknown_ca has no code of its own in aws-c-io: the server sees a failed negotiation.
    auto r = run(client_ctx("untrusted_root_ca.pem"), server_ctx("leaf_chain.pem", "leaf.key"));
    EXPECT_EQ(r.client.mapped(), io(io_errc::tls_unknown_root_certificate)) << r.client.error.message();
    EXPECT_EQ(r.server.error, received(alert_description::unknown_ca)) << r.server.error.message();
    EXPECT_EQ(r.server.mapped(), io(io_errc::tls_error_negotiation_failure));
}

TEST(tls_error_mapping, handshake_no_common_alpn_protocol) {
    auto so = tls_ctx_options::default_server(slurp(fixture("leaf_chain.pem")), slurp(fixture("leaf.key")));
    ASSERT_TRUE(so.set_alpn_list("h2"));
    auto sctx = context::create_server(so);
    ASSERT_TRUE(sctx);
    auto co = tls_ctx_options::default_client();
    ASSERT_TRUE(co.override_default_trust_store(slurp(fixture("root_ca.pem"))));
    ASSERT_TRUE(co.set_alpn_list("http/1.1"));
    auto cctx = context::create_client(co);
    ASSERT_TRUE(cctx);
    auto r = run(*cctx, *sctx);
    EXPECT_EQ(r.server.error, local(alert_description::no_application_protocol)) << r.server.error.message();
    EXPECT_EQ(r.server.mapped(), io(io_errc::tls_error_negotiation_failure));
    EXPECT_EQ(r.client.mapped(), io(io_errc::tls_error_negotiation_failure)) << r.client.error.message();
}

TEST(tls_error_mapping, mutual_tls_client_certificate_refused_after_client_finished) {
    // TLS 1.3: the client has sent its Finished (its handshake is complete) when the server
    // refuses the expired client certificate; the alert still maps to its own code.
    auto r = run(client_ctx("root_ca.pem", "leaf_expired_chain.pem", "leaf.key"),
                 server_ctx("leaf_chain.pem", "leaf.key", "root_ca.pem"));
    EXPECT_EQ(r.server.mapped(), io(io_errc::tls_certificate_expired)) << r.server.error.message();
    EXPECT_EQ(r.client.error, received(alert_description::certificate_expired)) << r.client.error.message();
    EXPECT_TRUE(r.client.connected_before_error);
    EXPECT_EQ(r.client.mapped(), io(io_errc::tls_peer_certificate_expired));
}

TEST(tls_error_mapping, mutual_tls_untrusted_client_certificate) {
    auto r = run(client_ctx("root_ca.pem", "leaf_untrusted_root.pem", "leaf.key"),
                 server_ctx("leaf_chain.pem", "leaf.key", "root_ca.pem"));
    EXPECT_EQ(r.server.mapped(), io(io_errc::tls_unknown_root_certificate)) << r.server.error.message();
    EXPECT_EQ(r.client.error, received(alert_description::unknown_ca)) << r.client.error.message();
    EXPECT_TRUE(r.client.connected_before_error);
    EXPECT_EQ(r.client.mapped(), io(io_errc::tls_alert_not_graceful));
}

TEST(tls_error_mapping, plaintext_to_a_server_is_a_failed_negotiation) {
    auto s = connection::server(server_ctx("leaf_chain.pem", "leaf.key"));
    ASSERT_TRUE(s);
    const std::string http = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    s->feed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t *>(http.data()), http.size()));
    std::vector<std::uint8_t> buf(256);
    auto n = s->read(buf);
    ASSERT_FALSE(n);
    EXPECT_EQ(&n.error().category(), &tls_category()) << n.error().message();
    EXPECT_EQ(to_io_error(n.error(), true), io(io_errc::tls_error_negotiation_failure));
}

} // namespace
} // namespace awsio::tls
