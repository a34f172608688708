// connection_test.cpp — the sans-IO TLS engine end to end: an awsio client and an awsio server
// connected back to back in memory (no sockets), through contexts built from the X.509
// fixtures in tests/resources/x509.
#include <awsio/error.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include "tls/codec/tls_error.hpp"
#include "tls/handshake/common.hpp"
#include "support/tls_memory_pair.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace awsio::tls {
namespace {

using namespace awsio::tls::testing;

TEST(tls_connection, handshake_and_echo_rsa_chain) {
    auto sctx = make_server(server_options());
    auto cctx = make_client(client_options());
    ASSERT_TRUE(sctx && cctx);
    auto [client, server] = make_endpoints(cctx, sctx);
    ASSERT_TRUE(client.start());
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    ASSERT_TRUE(client.is_connected());
    ASSERT_TRUE(server.is_connected());
    EXPECT_EQ(client.negotiated().version, "TLSv1.3");
    EXPECT_EQ(client.negotiated().cipher_suite, "TLS_AES_128_GCM_SHA256");
    EXPECT_EQ(client.negotiated().group, "x25519");
    EXPECT_TRUE(client.negotiated().peer_verified);
    EXPECT_EQ(client.negotiated().peer_certificates.size(), 2u);
    EXPECT_EQ(client.negotiated().peer_signature_scheme, "rsa_pss_rsae_sha256");
    EXPECT_EQ(server.negotiated().server_name, "localhost");
    EXPECT_FALSE(client.negotiated().resumed);

    ASSERT_TRUE(client.write(bytes_of("ping from client")));
    ASSERT_TRUE(server.write(bytes_of("pong from server")));
    r = pump(client, server);
    EXPECT_EQ(r.server_data, "ping from client");
    EXPECT_EQ(r.client_data, "pong from server");
}

TEST(tls_connection, every_suite_and_group) {
    const char *suites[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
    const char *groups[] = {"x25519", "secp256r1", "secp384r1"};
    auto sctx = make_server(server_options("ecdsa_p256_leaf_chain.pem", "ecdsa_p256_leaf.key"));
    ASSERT_TRUE(sctx);
    for (const char *suite : suites) {
        for (const char *group : groups) {
            SCOPED_TRACE(std::string(suite) + " " + group);
            auto o = client_options("ecdsa_p256_root_ca.pem");
            o.cipher_suites = {suite};
            o.groups = {group};
            o.key_share_groups = {group};
            auto cctx = make_client(o);
            ASSERT_TRUE(cctx);
            auto [client, server] = make_endpoints(cctx, sctx);
            auto r = pump(client, server);
            ASSERT_FALSE(r.client) << r.client.message();
            ASSERT_FALSE(r.server) << r.server.message();
            ASSERT_TRUE(client.is_connected());
            EXPECT_EQ(client.negotiated().cipher_suite, suite);
            EXPECT_EQ(server.negotiated().cipher_suite, suite);
            EXPECT_EQ(client.negotiated().group, group);
            EXPECT_FALSE(client.negotiated().hello_retry);
            EXPECT_EQ(client.negotiated().peer_signature_scheme, "ecdsa_secp256r1_sha256");
            std::string big(70000, 'x');
            for (std::size_t i = 0; i < big.size(); ++i) {
                big[i] = static_cast<char>('a' + i % 26);
            }
            ASSERT_TRUE(client.write(bytes_of(big)));
            r = pump(client, server);
            EXPECT_EQ(r.server_data, big);
        }
    }
}

TEST(tls_connection, hello_retry_request_when_server_wants_another_group) {
    auto so = server_options();
    so.groups = {"secp384r1"};
    auto sctx = make_server(so);
    auto cctx = make_client(client_options());
    ASSERT_TRUE(sctx && cctx);
    auto [client, server] = make_endpoints(cctx, sctx);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    EXPECT_TRUE(client.negotiated().hello_retry);
    EXPECT_TRUE(server.negotiated().hello_retry);
    EXPECT_EQ(client.negotiated().group, "secp384r1");
}

TEST(tls_connection, no_common_group_fails) {
    auto so = server_options();
    so.groups = {"secp384r1"};
    auto co = client_options();
    co.groups = {"x25519"};
    co.key_share_groups = {"x25519"};
    auto sctx = make_server(so);
    auto cctx = make_client(co);
    auto [client, server] = make_endpoints(cctx, sctx);
    auto r = pump(client, server);
    EXPECT_EQ(r.server, make_error_code(errc::handshake_failure));
    EXPECT_EQ(r.client, peer_alert_error(static_cast<std::uint8_t>(alert_description::handshake_failure)));
    EXPECT_EQ(to_io_error(r.client, true), make_error_code(io_errc::tls_error_negotiation_failure));
}

TEST(tls_connection, alpn_negotiation) {
    auto so = server_options();
    ASSERT_TRUE(so.set_alpn_list("http/1.1;h2"));
    auto sctx = make_server(so);
    auto co = client_options();
    ASSERT_TRUE(co.set_alpn_list("h2;http/1.1"));
    auto cctx = make_client(co);
    auto [client, server] = make_endpoints(cctx, sctx);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    // Server preference wins.
    EXPECT_EQ(client.negotiated().alpn, "http/1.1");
    EXPECT_EQ(server.negotiated().alpn, "http/1.1");

    // A per-connection override replaces the context's list.
    auto [c2, s2] = make_endpoints(cctx, sctx, "localhost", {"h2"});
    r = pump(c2, s2);
    ASSERT_FALSE(r.client) << r.client.message();
    EXPECT_EQ(c2.negotiated().alpn, "h2");

    auto [c3, s3] = make_endpoints(cctx, sctx, "localhost", {"spdy/3"});
    r = pump(c3, s3);
    EXPECT_EQ(r.server, make_error_code(errc::no_application_protocol));
    EXPECT_EQ(r.client, peer_alert_error(static_cast<std::uint8_t>(alert_description::no_application_protocol)));
}

TEST(tls_connection, resumption_with_tickets) {
    auto sctx = make_server(server_options());
    auto cctx = make_client(client_options());
    {
        auto [client, server] = make_endpoints(cctx, sctx);
        auto r = pump(client, server);
        ASSERT_FALSE(r.client) << r.client.message();
        EXPECT_FALSE(client.negotiated().resumed);
    }
    auto [client, server] = make_endpoints(cctx, sctx);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    EXPECT_TRUE(client.negotiated().resumed);
    EXPECT_TRUE(server.negotiated().resumed);
    EXPECT_EQ(client.negotiated().peer_certificates.size(), 2u);
    ASSERT_TRUE(client.write(bytes_of("resumed data")));
    r = pump(client, server);
    EXPECT_EQ(r.server_data, "resumed data");

    // Another server name has no ticket: full handshake.
    auto [c3, s3] = make_endpoints(cctx, sctx, "www.example.com");
    r = pump(c3, s3);
    ASSERT_FALSE(r.client) << r.client.message();
    EXPECT_FALSE(c3.negotiated().resumed);
}

TEST(tls_connection, mutual_tls) {
    auto so = server_options();
    so.verify_peer = true;
    ASSERT_TRUE(so.override_default_trust_store(slurp(fixture("root_ca.pem"))));
    auto sctx = make_server(so);
    auto co = tls_ctx_options::client_mtls(slurp(fixture("client_chain.pem")), slurp(fixture("client.key")));
    ASSERT_TRUE(co.override_default_trust_store(slurp(fixture("root_ca.pem"))));
    auto cctx = make_client(co);
    ASSERT_TRUE(sctx && cctx);
    auto [client, server] = make_endpoints(cctx, sctx);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    EXPECT_TRUE(server.negotiated().peer_verified);
    EXPECT_EQ(server.negotiated().peer_certificates.size(), 2u);

    // No client certificate while the server requires one.
    auto plain = make_client(client_options());
    auto [c2, s2] = make_endpoints(plain, sctx);
    r = pump(c2, s2);
    EXPECT_EQ(r.server, make_error_code(errc::certificate_required));
    EXPECT_EQ(r.client, peer_alert_error(static_cast<std::uint8_t>(alert_description::certificate_required)));
}

TEST(tls_connection, key_update_both_ways) {
    auto sctx = make_server(server_options());
    auto cctx = make_client(client_options());
    auto [client, server] = make_endpoints(cctx, sctx);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_TRUE(client.key_update(true));
    ASSERT_TRUE(client.write(bytes_of("after update")));
    r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    EXPECT_EQ(r.server_data, "after update");
    EXPECT_EQ(client.key_updates_sent(), 1u);
    EXPECT_EQ(server.key_updates_received(), 1u);
    // update_requested: the server answered with its own KeyUpdate.
    EXPECT_EQ(server.key_updates_sent(), 1u);
    EXPECT_EQ(client.key_updates_received(), 1u);
    ASSERT_TRUE(server.write(bytes_of("server after update")));
    r = pump(client, server);
    EXPECT_EQ(r.client_data, "server after update");
}

TEST(tls_connection, key_update_requested_by_server) {
    auto sctx = make_server(server_options());
    auto cctx = make_client(client_options());
    auto [client, server] = make_endpoints(cctx, sctx);
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_TRUE(server.key_update(true));
    ASSERT_TRUE(server.write(bytes_of("server after update")));
    r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    EXPECT_EQ(r.client_data, "server after update");
    EXPECT_EQ(client.key_updates_received(), 1u);
    // The client's answer: update_not_requested, so the server does not answer again.
    EXPECT_EQ(client.key_updates_sent(), 1u);
    EXPECT_EQ(server.key_updates_received(), 1u);
    EXPECT_EQ(server.key_updates_sent(), 1u);
    ASSERT_TRUE(client.write(bytes_of("client after update")));
    r = pump(client, server);
    ASSERT_FALSE(r.server) << r.server.message();
    EXPECT_EQ(r.server_data, "client after update");
}

TEST(tls_connection, automatic_key_update_at_record_limit) {
    auto sctx = make_server(server_options());
    auto cctx = make_client(client_options());
    auto [client, server] = make_endpoints(cctx, sctx);
    ASSERT_FALSE(pump(client, server).client);
    client.set_write_record_limit(3);
    std::string expected;
    for (int i = 0; i < 10; ++i) {
        const std::string msg = "message " + std::to_string(i) + ";";
        expected += msg;
        ASSERT_TRUE(client.write(bytes_of(msg)));
    }
    auto r = pump(client, server);
    ASSERT_FALSE(r.server) << r.server.message();
    EXPECT_EQ(r.server_data, expected);
    EXPECT_GE(client.key_updates_sent(), 3u);
    EXPECT_EQ(server.key_updates_received(), client.key_updates_sent());
}

TEST(tls_connection, close_notify) {
    auto sctx = make_server(server_options());
    auto cctx = make_client(client_options());
    auto [client, server] = make_endpoints(cctx, sctx);
    ASSERT_FALSE(pump(client, server).client);
    ASSERT_TRUE(client.write(bytes_of("last words")));
    ASSERT_TRUE(client.close());
    EXPECT_TRUE(client.closed());
    EXPECT_EQ(client.write(bytes_of("x")).error(), make_error_code(io_errc::tls_closed_graceful));
    auto r = pump(client, server);
    EXPECT_FALSE(r.server);
    EXPECT_EQ(r.server_data, "last words");
    EXPECT_TRUE(server.peer_closed());
}

TEST(tls_connection, close_notify_during_handshake_fails_the_handshake) {
    auto sctx = make_server(server_options());
    auto cctx = make_client(client_options());
    auto [client, server] = make_endpoints(cctx, sctx);
    std::vector<std::uint8_t> buf(256);
    ASSERT_TRUE(client.read(buf)); // starts the handshake: the ClientHello
    ASSERT_TRUE(transfer(client, server));
    // A plaintext close_notify alert record (warning level), as a peer giving up would send it.
    const std::vector<std::uint8_t> close_notify = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00};
    server.feed(close_notify);
    auto n = server.read(buf);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error(), make_error_code(errc::handshake_failure));
    EXPECT_EQ(to_io_error(n.error(), true), make_error_code(io_errc::tls_error_negotiation_failure));
    EXPECT_FALSE(server.is_connected());
}

TEST(tls_connection, byte_by_byte_delivery) {
    auto sctx = make_server(server_options());
    auto cctx = make_client(client_options());
    auto [client, server] = make_endpoints(cctx, sctx);
    auto r = pump(client, server, 1);
    ASSERT_FALSE(r.client) << r.client.message();
    ASSERT_FALSE(r.server) << r.server.message();
    ASSERT_TRUE(client.write(bytes_of("split into single bytes")));
    r = pump(client, server, 1);
    EXPECT_EQ(r.server_data, "split into single bytes");
}

TEST(tls_connection, small_reads_keep_the_rest) {
    auto sctx = make_server(server_options());
    auto cctx = make_client(client_options());
    auto [client, server] = make_endpoints(cctx, sctx);
    ASSERT_FALSE(pump(client, server).client);
    std::string big(40000, 'q');
    ASSERT_TRUE(client.write(bytes_of(big)));
    transfer(client, server);
    std::string got;
    std::uint8_t small[7];
    for (int i = 0; i < 100000 && got.size() < big.size(); ++i) {
        auto n = server.read(small);
        ASSERT_TRUE(n);
        got.append(reinterpret_cast<const char *>(small), *n);
        if (*n == 0) {
            break;
        }
    }
    EXPECT_EQ(got, big);
}

TEST(tls_connection, write_into_matches_sealed_size) {
    auto sctx = make_server(server_options());
    auto cctx = make_client(client_options());
    auto [client, server] = make_endpoints(cctx, sctx);
    ASSERT_FALSE(pump(client, server).client);
    std::string data(33000, 'z');
    std::vector<std::uint8_t> buf(client.sealed_size(data.size()));
    auto n = client.write_into(bytes_of(data), buf);
    ASSERT_TRUE(n) << n.error().message();
    EXPECT_EQ(*n, buf.size());
    server.feed(buf);
    std::vector<std::uint8_t> plain(data.size() + 10);
    auto got = server.read(plain);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, data.size());
}

TEST(tls_connection, verification_failures) {
    struct row {
        const char *chain;
        const char *key;
        const char *host;
        io_errc expected;
        alert_description alert;
    };
    const row rows[] = {
        {"leaf_expired_chain.pem", "leaf.key", "localhost", io_errc::tls_certificate_expired,
         alert_description::certificate_expired},
        {"leaf_chain.pem", "leaf.key", "wrong.host.test", io_errc::tls_host_name_mismatch,
         alert_description::certificate_unknown},
        {"leaf_self_signed.pem", "leaf_self_signed.key", "localhost", io_errc::tls_unknown_root_certificate,
         alert_description::unknown_ca},
        {"leaf_untrusted_root.pem", "leaf.key", "localhost", io_errc::tls_unknown_root_certificate,
         alert_description::unknown_ca},
        {"leaf_incomplete_chain.pem", "leaf.key", "localhost", io_errc::tls_unknown_root_certificate,
         alert_description::unknown_ca},
    };
    auto cctx = make_client(client_options());
    auto no_verify_opts = client_options();
    no_verify_opts.verify_peer = false;
    auto no_verify = make_client(no_verify_opts);
    for (const row &x : rows) {
        SCOPED_TRACE(x.chain);
        auto sctx = make_server(server_options(x.chain, x.key));
        ASSERT_TRUE(sctx);
        auto [client, server] = make_endpoints(cctx, sctx, x.host);
        auto r = pump(client, server);
        EXPECT_EQ(r.client, make_error_code(x.expected));
        EXPECT_EQ(r.server, peer_alert_error(static_cast<std::uint8_t>(x.alert)));
        EXPECT_FALSE(client.is_connected());

        auto [c2, s2] = make_endpoints(no_verify, sctx, x.host);
        r = pump(c2, s2);
        EXPECT_FALSE(r.client) << r.client.message();
        EXPECT_TRUE(c2.is_connected());
        EXPECT_FALSE(c2.negotiated().peer_verified);
    }
}

// The server reads with the client's handshake keys once its flight is out: the client's alert
// about that flight (here: an untrusted certificate) must be protected with them.
TEST(tls_connection, client_alert_after_server_hello_is_encrypted) {
    auto sctx = make_server(server_options("leaf_self_signed.pem", "leaf_self_signed.key"));
    auto cctx = make_client(client_options());
    auto [client, server] = make_endpoints(cctx, sctx);
    std::vector<std::uint8_t> buf(256);
    ASSERT_TRUE(client.read(buf));
    ASSERT_TRUE(transfer(client, server));
    ASSERT_TRUE(server.read(buf));
    ASSERT_TRUE(transfer(server, client));
    auto n = client.read(buf);
    ASSERT_FALSE(n);
    EXPECT_EQ(to_io_error(n.error(), true), make_error_code(io_errc::tls_unknown_root_certificate));
    // The client's output: the compatibility change_cipher_spec record in clear, then the alert
    // as an application_data record of 2 + 1 + 16 bytes (alert, inner type, AEAD tag).
    const auto out = client.output();
    const std::vector<std::uint8_t> wire(out.begin(), out.end());
    ASSERT_EQ(wire.size(), 6u + 5u + 19u);
    EXPECT_EQ(wire[0], 0x14);
    EXPECT_EQ(wire[6], 0x17);
    EXPECT_EQ(wire[9], 0x00);
    EXPECT_EQ(wire[10], 19);
    client.consume_output(out.size());
    server.feed(wire);
    auto s = server.read(buf);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), peer_alert_error(static_cast<std::uint8_t>(alert_description::unknown_ca)));
}

TEST(tls_connection, sni_selects_certificate) {
    auto so = server_options();
    so.add_certificate(slurp(fixture("leaf_wrong_host_chain.pem")), slurp(fixture("leaf.key")));
    auto sctx = make_server(so);
    auto cctx = make_client(client_options());
    auto [client, server] = make_endpoints(cctx, sctx, "wrong.host.test");
    auto r = pump(client, server);
    ASSERT_FALSE(r.client) << r.client.message();
    EXPECT_EQ(server.negotiated().server_name, "wrong.host.test");
    auto [c2, s2] = make_endpoints(cctx, sctx, "localhost");
    r = pump(c2, s2);
    ASSERT_FALSE(r.client) << r.client.message();
    EXPECT_NE(client.negotiated().peer_certificates.front(), c2.negotiated().peer_certificates.front());
}

TEST(tls_connection, write_before_handshake_is_refused) {
    auto cctx = make_client(client_options());
    auto c = connection::client(cctx, {"localhost", {}});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->write(bytes_of("early")).error(), make_error_code(io_errc::tls_error_not_negotiated));
    ASSERT_TRUE(c->start());
    EXPECT_FALSE(c->output().empty());
    EXPECT_TRUE(c->is_handshaking());
}

TEST(tls_connection, application_data_before_handshake_is_unexpected) {
    auto sctx = make_server(server_options());
    auto s = connection::server(sctx);
    ASSERT_TRUE(s);
    const std::uint8_t record[] = {23, 3, 3, 0, 2, 'h', 'i'};
    s->feed(record);
    std::uint8_t buf[16];
    auto n = s->read(buf);
    EXPECT_EQ(n.error(), make_error_code(errc::unexpected_message));
    // The alert is queued: 21 3 3 0 2 2 10.
    const auto out = s->output();
    ASSERT_EQ(out.size(), 7u);
    EXPECT_EQ(out[0], 21);
    EXPECT_EQ(out[5], 2);
    EXPECT_EQ(out[6], 10);
    // Sticky.
    EXPECT_EQ(s->read(buf).error(), make_error_code(errc::unexpected_message));
}

TEST(tls_connection, plain_http_to_server_fails_on_first_byte) {
    auto sctx = make_server(server_options());
    auto s = connection::server(sctx);
    ASSERT_TRUE(s);
    const std::string req = "GET / HTTP/1.1\r\n\r\n";
    s->feed(bytes_of(req));
    std::uint8_t buf[16];
    EXPECT_EQ(s->read(buf).error(), make_error_code(errc::unexpected_message));
}

TEST(tls_connection, bad_change_cipher_spec_is_unexpected) {
    auto sctx = make_server(server_options());
    auto s = connection::server(sctx);
    ASSERT_TRUE(s);
    // A compatibility CCS before any ClientHello is not allowed.
    const std::uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    s->feed(ccs);
    std::uint8_t buf[16];
    EXPECT_EQ(s->read(buf).error(), make_error_code(errc::unexpected_message));
}

TEST(tls_connection, oversized_plaintext_record_is_record_overflow) {
    auto sctx = make_server(server_options());
    auto s = connection::server(sctx);
    ASSERT_TRUE(s);
    std::vector<std::uint8_t> rec = {22, 3, 1, 0x40, 0x01};
    rec.resize(5 + 0x4001, 0);
    s->feed(rec);
    std::uint8_t buf[16];
    EXPECT_EQ(s->read(buf).error(), make_error_code(errc::record_overflow));
}

TEST(tls_connection, key_log_lines) {
    std::vector<std::string> labels;
    auto co = client_options();
    co.key_log = [&](std::string_view label, std::span<const std::uint8_t> random, std::span<const std::uint8_t> secret) {
        labels.emplace_back(label);
        EXPECT_EQ(random.size(), 32u);
        EXPECT_EQ(secret.size(), 32u);
    };
    auto cctx = make_client(co);
    auto sctx = make_server(server_options());
    auto [client, server] = make_endpoints(cctx, sctx);
    ASSERT_FALSE(pump(client, server).client);
    const std::vector<std::string> want = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                           "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"};
    for (const auto &w : want) {
        EXPECT_NE(std::find(labels.begin(), labels.end(), w), labels.end()) << w;
    }
}

TEST(tls_connection, server_context_cannot_make_a_client) {
    auto sctx = make_server(server_options());
    auto c = connection::client(sctx, {});
    EXPECT_EQ(c.error(), make_error_code(io_errc::tls_ctx_error));
    auto cctx = make_client(client_options());
    auto s = connection::server(cctx);
    EXPECT_EQ(s.error(), make_error_code(io_errc::tls_ctx_error));
}

} // namespace
} // namespace awsio::tls
