// tls12_connection_test.cpp — TLS 1.2 through the sans-IO engine end to end: an awsio client
// and an awsio server back to back in memory (no sockets), contexts built from the X.509 fixtures
// in tests/resources/x509. Covers every TLS 1.2 suite and group, the version matrix between TLS
// 1.2 and 1.3, the downgrade sentinel, resumption by session id and by ticket, mutual TLS, ALPN,
// close_notify, the key log and record tampering.
#include <awsio/error.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include "tls/codec/tls_error.hpp"
#include "tls/handshake/common.hpp"
#include "support/tls_memory_pair.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace awsio::tls {
namespace {

using namespace awsio::tls::testing;

/// Limits options to TLS 1.2 only.
tls_ctx_options only12(tls_ctx_options o) {
    o.minimum_tls_version = tls_versions::tlsv1_2;
    o.maximum_tls_version = tls_versions::tlsv1_2;
    return o;
}

/// A client for `server_name` and a server, the client started (its ClientHello queued).
endpoints make_started(const std::shared_ptr<const context> &cctx, const std::shared_ptr<const context> &sctx,
                       std::string server_name = "localhost", std::vector<std::string> alpn = {}) {
    auto e = make_endpoints(cctx, sctx, std::move(server_name), std::move(alpn));
    EXPECT_TRUE(e.client.start());
    return e;
}

TEST(tls12_connection, handshake_and_echo_rsa_chain) {
    auto sctx = make_server(only12(server_options()));
    auto cctx = make_client(client_options());
    ASSERT_TRUE(sctx && cctx);
    auto [client, server] = make_started(cctx, sctx);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    ASSERT_TRUE(client.is_connected());
    ASSERT_TRUE(server.is_connected());
    EXPECT_EQ(client.negotiated().version, "TLSv1.2");
    EXPECT_EQ(server.negotiated().version, "TLSv1.2");
    EXPECT_EQ(client.negotiated().cipher_suite, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    EXPECT_EQ(client.negotiated().cipher_suite, server.negotiated().cipher_suite);
    EXPECT_EQ(client.negotiated().group, "x25519");
    EXPECT_TRUE(client.negotiated().peer_verified);
    EXPECT_EQ(client.negotiated().peer_certificates.size(), 2u);
    EXPECT_FALSE(client.negotiated().peer_signature_scheme.empty());
    EXPECT_EQ(server.negotiated().server_name, "localhost");
    EXPECT_FALSE(client.negotiated().resumed);

    ASSERT_TRUE(client.write(bytes_of("ping from client")));
    ASSERT_TRUE(server.write(bytes_of("pong from server")));
    r = pump(client, server);
    EXPECT_EQ(r.server_data, "ping from client");
    EXPECT_EQ(r.client_data, "pong from server");
}

struct suite_case {
    const char *suite;
    bool ecdsa;
};

TEST(tls12_connection, every_suite_and_group) {
    const suite_case suites[] = {
        {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", true},
        {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", true},
        {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", true},
        {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false},
        {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false},
        {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false},
    };
    const char *groups[] = {"x25519", "secp256r1", "secp384r1"};
    const std::string big(70000, 'z'); // several records each way
    for (const auto &sc : suites) {
        for (const char *group : groups) {
            SCOPED_TRACE(std::string(sc.suite) + " " + group);
            // The server speaks only the group under test; the client also lists P-256, the
            // curve of the ECDSA certificate (RFC 8422 5.1.1: supported_groups covers it too).
            auto so = sc.ecdsa ? server_options("ecdsa_p256_leaf_chain.pem", "ecdsa_p256_leaf.key") : server_options();
            so.groups = {group};
            auto sctx = make_server(only12(so));
            auto o = client_options(sc.ecdsa ? "ecdsa_p256_root_ca.pem" : "root_ca.pem");
            o.cipher_suites = {sc.suite};
            o.groups = {group};
            if (std::string(group) != "secp256r1") {
                o.groups.push_back("secp256r1");
            }
            o.key_share_groups = {group};
            o.session_tickets = false;
            auto cctx = make_client(o);
            ASSERT_TRUE(cctx && sctx);
            auto [client, server] = make_started(cctx, sctx);
            auto r = pump(client, server);
            ASSERT_FALSE(r.client) << r.client.message();
            ASSERT_FALSE(r.server) << r.server.message();
            EXPECT_EQ(client.negotiated().version, "TLSv1.2");
            EXPECT_EQ(client.negotiated().cipher_suite, sc.suite);
            EXPECT_EQ(server.negotiated().cipher_suite, sc.suite);
            EXPECT_EQ(client.negotiated().group, group);
            EXPECT_EQ(server.negotiated().group, group);
            ASSERT_TRUE(client.write(bytes_of(big)));
            ASSERT_TRUE(server.write(bytes_of("reply")));
            r = pump(client, server);
            EXPECT_EQ(r.server_data, big);
            EXPECT_EQ(r.client_data, "reply");
        }
    }
}

TEST(tls12_connection, ecdsa_certificate_needs_a_curve_the_client_lists) {
    // RFC 8422 5.1.1: a P-256 certificate is usable only if the client lists secp256r1; with no
    // other certificate the server has nothing to offer (handshake_failure).
    auto sctx = make_server(only12(server_options("ecdsa_p256_leaf_chain.pem", "ecdsa_p256_leaf.key")));
    auto o = client_options("ecdsa_p256_root_ca.pem");
    o.groups = {"x25519", "secp384r1"};
    o.key_share_groups = {"x25519"};
    auto cctx = make_client(o);
    ASSERT_TRUE(sctx && cctx);
    auto [client, server] = make_started(cctx, sctx);
    auto r = pump(client, server);
    EXPECT_EQ(r.server, make_error_code(errc::handshake_failure));
    EXPECT_TRUE(r.client);
}

TEST(tls12_connection, ecdsa_p384_server) {
    auto sctx = make_server(only12(server_options("ecdsa_p384_leaf_chain.pem", "ecdsa_p384_leaf.key")));
    auto cctx = make_client(client_options("ecdsa_p384_root_ca.pem"));
    ASSERT_TRUE(sctx && cctx);
    auto [client, server] = make_started(cctx, sctx);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    EXPECT_EQ(client.negotiated().peer_signature_scheme, "ecdsa_secp384r1_sha384");
}

struct version_case {
    const char *name;
    int client; // 12, 13 or 0 (both)
    int server;
    const char *want; // "" for a failed handshake
};

tls_ctx_options with_versions(tls_ctx_options o, int v) {
    if (v == 12) {
        return only12(std::move(o));
    }
    if (v == 13) {
        o.minimum_tls_version = tls_versions::tlsv1_3;
        o.maximum_tls_version = tls_versions::tlsv1_3;
        return o;
    }
    o.minimum_tls_version = tls_versions::tlsv1_2;
    o.maximum_tls_version = tls_versions::tlsv1_3;
    return o;
}

TEST(tls12_connection, version_matrix) {
    const version_case cases[] = {
        {"1.2 vs 1.2", 12, 12, "TLSv1.2"},  {"1.2 vs 1.3", 12, 13, ""},         {"1.2 vs both", 12, 0, "TLSv1.2"},
        {"1.3 vs 1.2", 13, 12, ""},         {"1.3 vs 1.3", 13, 13, "TLSv1.3"},  {"1.3 vs both", 13, 0, "TLSv1.3"},
        {"both vs 1.2", 0, 12, "TLSv1.2"},  {"both vs 1.3", 0, 13, "TLSv1.3"},  {"both vs both", 0, 0, "TLSv1.3"},
    };
    for (const auto &vc : cases) {
        SCOPED_TRACE(vc.name);
        auto sctx = make_server(with_versions(server_options(), vc.server));
        auto cctx = make_client(with_versions(client_options(), vc.client));
        ASSERT_TRUE(sctx && cctx);
        auto [client, server] = make_started(cctx, sctx);
        auto r = pump(client, server);
        if (std::string(vc.want).empty()) {
            // No common version: the server answers protocol_version (RFC 8446 4.2.1, RFC 5246
            // E.1), which the client receives as that alert.
            EXPECT_EQ(r.server, make_error_code(errc::protocol_version));
            EXPECT_EQ(r.client, peer_alert_error(static_cast<std::uint8_t>(alert_description::protocol_version)));
            EXPECT_FALSE(client.is_connected());
            EXPECT_FALSE(server.is_connected());
        } else {
            ASSERT_FALSE(r.client) << r.client.message();
            ASSERT_FALSE(r.server) << r.server.message();
            EXPECT_EQ(client.negotiated().version, vc.want);
            EXPECT_EQ(server.negotiated().version, vc.want);
        }
    }
}

/// The last 8 bytes of the ServerHello random in the first record the server sends.
std::string server_random_tail(connection &client, connection &server) {
    transfer(client, server);
    std::vector<std::uint8_t> buf(64);
    (void)server.read(buf);
    auto out = server.output();
    // record header (5) + handshake header (4) + version (2) + random (32)
    if (out.size() < 43 || out[0] != 22 || out[5] != 2) {
        return {};
    }
    return std::string(reinterpret_cast<const char *>(out.data()) + 35, 8);
}

TEST(tls12_connection, downgrade_sentinel_only_from_a_tls13_capable_server) {
    const std::string sentinel("DOWNGRD\x01", 8);
    auto client12 = make_client(only12(client_options()));
    {
        // A server that could do TLS 1.3 answering a TLS 1.2-only client marks its random.
        auto sctx = make_server(server_options());
        auto [client, server] = make_started(client12, sctx);
        EXPECT_EQ(server_random_tail(client, server), sentinel);
        // The TLS 1.2-only client does not look at it: the handshake completes.
        auto r = pump(client, server);
        ASSERT_FALSE(r.client) << r.client.message();
        EXPECT_EQ(client.negotiated().version, "TLSv1.2");
    }
    {
        // A TLS 1.2-only server does not.
        auto sctx = make_server(only12(server_options()));
        auto [client, server] = make_started(client12, sctx);
        const auto tail = server_random_tail(client, server);
        ASSERT_EQ(tail.size(), 8u);
        EXPECT_NE(tail, sentinel);
    }
}

TEST(tls12_connection, resumption_with_session_ids) {
    auto so = only12(server_options());
    so.session_tickets = false; // session ids only
    auto sctx = make_server(so);
    auto cctx = make_client(client_options());
    ASSERT_TRUE(sctx && cctx);
    {
        auto [client, server] = make_started(cctx, sctx);
        auto r = pump(client, server);
        ASSERT_FALSE(r.client) << r.client.message();
        EXPECT_FALSE(client.negotiated().resumed);
    }
    auto [client, server] = make_started(cctx, sctx);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    EXPECT_TRUE(client.negotiated().resumed);
    EXPECT_TRUE(server.negotiated().resumed);
    EXPECT_EQ(client.negotiated().version, "TLSv1.2");
    EXPECT_EQ(client.negotiated().peer_certificates.size(), 2u);
    ASSERT_TRUE(client.write(bytes_of("resumed data")));
    ASSERT_TRUE(server.write(bytes_of("resumed reply")));
    r = pump(client, server);
    EXPECT_EQ(r.server_data, "resumed data");
    EXPECT_EQ(r.client_data, "resumed reply");

    // Another server name has no session: full handshake.
    auto [c3, s3] = make_started(cctx, sctx, "www.example.com");
    r = pump(c3, s3);
    ASSERT_FALSE(r.client) << r.client.message();
    EXPECT_FALSE(c3.negotiated().resumed);
}

TEST(tls12_connection, resumption_with_tickets) {
    auto so = only12(server_options());
    so.tls12_session_ids = false; // tickets only
    auto sctx = make_server(so);
    auto cctx = make_client(client_options());
    ASSERT_TRUE(sctx && cctx);
    for (int i = 0; i < 3; ++i) {
        SCOPED_TRACE(i);
        auto [client, server] = make_started(cctx, sctx);
        auto r = pump(client, server);
        ASSERT_FALSE(r.client) << r.client.message();
        ASSERT_FALSE(r.server) << r.server.message();
        EXPECT_EQ(client.negotiated().resumed, i > 0);
        EXPECT_EQ(server.negotiated().resumed, i > 0);
        ASSERT_TRUE(client.write(bytes_of("data")));
        r = pump(client, server);
        EXPECT_EQ(r.server_data, "data");
    }
    // A server with other ticket keys cannot open the ticket: full handshake, no error.
    auto other = make_server(so);
    auto [client, server] = make_started(cctx, other);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    EXPECT_FALSE(client.negotiated().resumed);
}

TEST(tls12_connection, no_resumption_when_client_disables_it) {
    auto sctx = make_server(only12(server_options()));
    auto co = client_options();
    co.session_tickets = false;
    auto cctx = make_client(co);
    for (int i = 0; i < 2; ++i) {
        auto [client, server] = make_started(cctx, sctx);
        auto r = pump(client, server);
        ASSERT_FALSE(r.client) << r.client.message();
        EXPECT_FALSE(client.negotiated().resumed);
    }
}

TEST(tls12_connection, mutual_tls) {
    auto so = only12(server_options());
    so.verify_peer = true;
    ASSERT_TRUE(so.override_default_trust_store(slurp(fixture("root_ca.pem"))));
    auto sctx = make_server(so);
    auto co = tls_ctx_options::client_mtls(slurp(fixture("client_chain.pem")), slurp(fixture("client.key")));
    ASSERT_TRUE(co.override_default_trust_store(slurp(fixture("root_ca.pem"))));
    auto cctx = make_client(co);
    ASSERT_TRUE(sctx && cctx);
    auto [client, server] = make_started(cctx, sctx);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    EXPECT_EQ(server.negotiated().version, "TLSv1.2");
    EXPECT_TRUE(server.negotiated().peer_verified);
    EXPECT_EQ(server.negotiated().peer_certificates.size(), 2u);
    EXPECT_FALSE(server.negotiated().peer_signature_scheme.empty());
    ASSERT_TRUE(client.write(bytes_of("authenticated")));
    r = pump(client, server);
    EXPECT_EQ(r.server_data, "authenticated");

    // No client certificate while the server requires one: both sides fail.
    auto plain = make_client(client_options());
    auto [c2, s2] = make_started(plain, sctx);
    r = pump(c2, s2);
    EXPECT_TRUE(r.server);
    EXPECT_TRUE(r.client);
    EXPECT_FALSE(s2.is_connected());
}

TEST(tls12_connection, alpn_negotiation) {
    auto so = only12(server_options());
    so.alpn_list = "h2;http/1.1";
    auto sctx = make_server(so);
    auto cctx = make_client(client_options());
    auto [client, server] = make_started(cctx, sctx, "localhost", {"http/1.1", "h2"});
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    EXPECT_EQ(client.negotiated().alpn, "h2"); // the server's preference
    EXPECT_EQ(server.negotiated().alpn, "h2");

    auto [c2, s2] = make_started(cctx, sctx, "localhost", {"spdy/3"});
    r = pump(c2, s2);
    EXPECT_TRUE(r.server);
    EXPECT_TRUE(r.client);
}

TEST(tls12_connection, byte_by_byte_delivery) {
    auto sctx = make_server(only12(server_options()));
    auto cctx = make_client(client_options());
    auto [client, server] = make_started(cctx, sctx);
    auto r = pump(client, server, 1);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    ASSERT_TRUE(client.write(bytes_of("split across many feeds")));
    r = pump(client, server, 3);
    EXPECT_EQ(r.server_data, "split across many feeds");
}

TEST(tls12_connection, close_notify) {
    auto sctx = make_server(only12(server_options()));
    auto cctx = make_client(client_options());
    auto [client, server] = make_started(cctx, sctx);
    ASSERT_FALSE(pump(client, server).client);
    ASSERT_TRUE(client.write(bytes_of("last words")));
    ASSERT_TRUE(client.close());
    auto r = pump(client, server);
    EXPECT_FALSE(r.server);
    EXPECT_EQ(r.server_data, "last words");
    EXPECT_TRUE(server.peer_closed());
}

TEST(tls12_connection, key_update_is_unsupported) {
    auto sctx = make_server(only12(server_options()));
    auto cctx = make_client(client_options());
    auto [client, server] = make_started(cctx, sctx);
    ASSERT_FALSE(pump(client, server).client);
    EXPECT_EQ(client.key_update(false).error(), make_error_code(common_errc::unsupported_operation));
    EXPECT_TRUE(client.is_connected());
}

TEST(tls12_connection, record_limit_closes_the_connection) {
    // TLS 1.2 has no KeyUpdate: once the write key protected its record limit the connection is
    // closed with close_notify and further writes are refused.
    auto sctx = make_server(only12(server_options()));
    auto cctx = make_client(client_options());
    auto [client, server] = make_started(cctx, sctx);
    ASSERT_FALSE(pump(client, server).client);
    client.set_write_record_limit(3);
    std::string sent;
    for (int i = 0; i < 10; ++i) {
        const std::string msg = "message " + std::to_string(i) + ";";
        auto w = client.write(bytes_of(msg));
        if (!w) {
            EXPECT_EQ(w.error(), make_error_code(io_errc::tls_closed_graceful));
            break;
        }
        sent += msg;
    }
    EXPECT_TRUE(client.closed());
    // The key already protected the client's Finished (sequence 0): two data records, then the
    // close_notify.
    EXPECT_EQ(client.write_sequence(), 4u);
    auto r = pump(client, server);
    EXPECT_FALSE(r.server);
    EXPECT_EQ(r.server_data, sent);
    EXPECT_EQ(sent, "message 0;message 1;");
    EXPECT_TRUE(server.peer_closed());
}

/// The largest record (header included) in a stream of records.
std::size_t largest_record(std::span<const std::uint8_t> stream) {
    std::size_t largest = 0;
    for (std::size_t at = 0; at + 5 <= stream.size();) {
        const std::size_t len = (std::size_t{stream[at + 3]} << 8) | stream[at + 4];
        largest = std::max(largest, 5 + len);
        at += 5 + len;
    }
    return largest;
}

TEST(tls12_connection, record_size_limit_both_ways) {
    // RFC 8449 in TLS 1.2: each side's limit bounds the plaintext of the records the other sends
    // (AES-128-GCM adds 8 + 16 bytes and the 5-byte header).
    auto sbase = make_server(only12(server_options()));
    auto cbase = make_client(client_options());
    ASSERT_TRUE(sbase && cbase);
    auto scfg = std::make_shared<handshake_config>(*sbase->config());
    scfg->record_size_limit = 2048;
    auto ccfg = std::make_shared<handshake_config>(*cbase->config());
    ccfg->record_size_limit = 1024;
    ccfg->cipher_suites = {codec::cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256};
    auto [client, server] = make_started(context::from_config(ccfg), context::from_config(scfg));
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    const std::string big(10000, 'q');
    ASSERT_TRUE(server.write(bytes_of(big)));
    EXPECT_EQ(largest_record(server.output()), 5u + 1024u + 8u + 16u);
    ASSERT_TRUE(client.write(bytes_of(big)));
    EXPECT_EQ(largest_record(client.output()), 5u + 2048u + 8u + 16u);
    r = pump(client, server);
    EXPECT_EQ(r.client_data, big);
    EXPECT_EQ(r.server_data, big);
}

TEST(tls12_connection, tampered_record_is_bad_record_mac) {
    auto sctx = make_server(only12(server_options()));
    auto cctx = make_client(client_options());
    auto [client, server] = make_started(cctx, sctx);
    ASSERT_FALSE(pump(client, server).client);
    ASSERT_TRUE(client.write(bytes_of("integrity")));
    auto out = client.output();
    std::vector<std::uint8_t> copy(out.begin(), out.end());
    client.consume_output(out.size());
    copy.back() ^= 0x01;
    server.feed(copy);
    std::vector<std::uint8_t> buf(64);
    auto n = server.read(buf);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error(), make_error_code(errc::bad_record_mac));
}

TEST(tls12_connection, key_log_client_random) {
    std::vector<std::string> labels;
    auto co = only12(client_options());
    co.key_log = [&](std::string_view label, std::span<const std::uint8_t> random, std::span<const std::uint8_t> secret) {
        labels.emplace_back(label);
        EXPECT_EQ(random.size(), 32u);
        EXPECT_EQ(secret.size(), 48u); // the master secret
    };
    auto cctx = make_client(co);
    auto sctx = make_server(server_options());
    auto [client, server] = make_started(cctx, sctx);
    ASSERT_FALSE(pump(client, server).client);
    EXPECT_EQ(labels, std::vector<std::string>{"CLIENT_RANDOM"});
}

TEST(tls12_connection, extended_master_secret_can_be_optional) {
    // Both sides accept a peer without it; with both supporting it nothing changes.
    auto so = only12(server_options());
    so.require_extended_master_secret = false;
    auto co = client_options();
    co.require_extended_master_secret = false;
    auto sctx = make_server(so);
    auto cctx = make_client(co);
    auto [client, server] = make_started(cctx, sctx);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
}

} // namespace
} // namespace awsio::tls
