// Interop with the openssl command line tool on 127.0.0.1: the awsio client against
// `openssl s_server` (suites, groups, HelloRetryRequest, ALPN, tickets, KeyUpdate, mutual TLS,
// certificate verification verdicts, key algorithms) and the awsio server against
// `openssl s_client`. TLS 1.2 in both roles: every suite x group, session-id and ticket
// resumption, mutual TLS, the 1.2 / 1.3 version matrix, the downgrade sentinel, FALLBACK_SCSV,
// CBC-only peers and refused renegotiation. Also checks the peer harness itself (s_client
// against s_server).
#include "support/blocking_tls.hpp"
#include "support/openssl_peers.hpp"
#include "support/peer_process.hpp"
#include "support/tls_test_contexts.hpp"

#include <awsio/error.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

using namespace awsio;
using namespace awsio::testing;
using namespace std::chrono_literals;

namespace {

// Guards the TLS 1.2 cases (switch off to skip them on a build without the TLS 1.2 machines).
constexpr bool tls12_implemented = true;

#define AWSIO_REQUIRE_TLS12()                                                                                         \
    if (!tls12_implemented) GTEST_SKIP() << "TLS 1.2 not implemented yet"
#define AWSIO_REQUIRE_OPENSSL()                                                                                       \
    if (!has_program("openssl")) GTEST_SKIP() << "openssl not installed"

// ------------------------------------------------------------------------------------------
// Harness self-test: openssl s_client against openssl s_server through peer_process.

TEST(openssl_interop, harness_s_client_against_s_server) {
    AWSIO_REQUIRE_OPENSSL();
    s_server srv({});
    ASSERT_TRUE(srv.ok()) << srv.why();
    peer_process::options o;
    o.argv = {"openssl", "s_client", "-tls1_3", "-connect", "127.0.0.1:" + std::to_string(srv.port()),
              "-CAfile", x509_fixture("root_ca.pem"), "-verify_return_error", "-servername", "localhost"};
    o.stdin_pipe = true;
    std::string why;
    auto cli = peer_process::spawn(o, &why);
    ASSERT_TRUE(cli) << why;
    ASSERT_TRUE(cli->write_stdin("harness check\n"));
    EXPECT_TRUE(cli->wait_for_output(reversed_line("harness check"))) << cli->describe() << srv.describe();
    cli->close_stdin();
    auto code = cli->wait_exit();
    ASSERT_TRUE(code.has_value()) << cli->describe();
    EXPECT_EQ(*code, 0) << cli->describe();
    EXPECT_NE(cli->output().find("Verification: OK"), std::string::npos) << cli->describe();
    EXPECT_NE(srv.output().find("Protocol version: TLSv1.3"), std::string::npos) << srv.describe();
    srv.process().stop();
    EXPECT_FALSE(srv.process().running());
}

TEST(openssl_interop, harness_stops_peer_that_ignores_stdin_eof) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.mode = ""; // interactive, keeps running
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    pid_t pid = srv.process().pid();
    ASSERT_GT(pid, 0);
    srv.process().stop();
    EXPECT_FALSE(srv.process().running());
    EXPECT_NE(::kill(pid, 0), 0); // reaped: the PID no longer names our child
}

TEST(openssl_interop, harness_free_port_and_missing_program) {
    EXPECT_NE(pick_free_port(), 0);
    EXPECT_FALSE(has_program("awsio-no-such-program-xyz"));
    EXPECT_TRUE(has_program("sh"));
    peer_process::options o;
    o.argv = {"awsio-no-such-program-xyz"};
    std::string why;
    EXPECT_EQ(peer_process::spawn(o, &why), nullptr);
    EXPECT_FALSE(why.empty());
}

// ------------------------------------------------------------------------------------------
// awsio client against s_server: suites x groups

using suite_group = std::tuple<std::string, std::string>;

struct group_names {
    const char *awsio;
    const char *openssl;
};
group_names names_of(const std::string &g) {
    if (g == "x25519") {
        return {"x25519", "X25519"};
    }
    if (g == "secp256r1") {
        return {"secp256r1", "P-256"};
    }
    return {"secp384r1", "P-384"};
}

class openssl_server_suites : public ::testing::TestWithParam<suite_group> {};

TEST_P(openssl_server_suites, client_exchanges_data) {
    AWSIO_REQUIRE_OPENSSL();
    const auto &[suite, group] = GetParam();
    s_server_config cfg;
    cfg.extra = {"-ciphersuites", suite, "-groups", names_of(group).openssl};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();

    client_config cc;
    cc.suites = {suite};
    cc.groups = {group};
    cc.key_share_groups = {group};
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    exchange_options x;
    x.lines = {"hello " + suite + " " + group, std::string(3000, 'a') + "b"};
    auto out = exchange_lines(*ctx, srv.port(), x);
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, expected_replies(x.lines));
    EXPECT_EQ(out.negotiated.version, "TLSv1.3");
    EXPECT_EQ(out.negotiated.cipher_suite, suite);
    EXPECT_EQ(out.negotiated.group, group);
    EXPECT_FALSE(out.negotiated.hello_retry);
    EXPECT_TRUE(out.negotiated.peer_verified);
    EXPECT_EQ(out.negotiated.peer_certificates.size(), 2u);
    EXPECT_NE(srv.output().find("Ciphersuite: " + suite), std::string::npos) << srv.describe();
}

INSTANTIATE_TEST_SUITE_P(openssl_interop, openssl_server_suites,
                         ::testing::Combine(::testing::Values("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                                              "TLS_CHACHA20_POLY1305_SHA256"),
                                            ::testing::Values("x25519", "secp256r1", "secp384r1")),
                         [](const ::testing::TestParamInfo<suite_group> &info) {
                             return std::get<0>(info.param) + "_" + std::get<1>(info.param);
                         });

// ------------------------------------------------------------------------------------------
// awsio client against s_server: negotiation features

TEST(openssl_interop, client_default_settings) {
    AWSIO_REQUIRE_OPENSSL();
    s_server srv({});
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, reversed_line("hello from awsio"));
    EXPECT_EQ(out.negotiated.version, "TLSv1.3");
    EXPECT_EQ(out.negotiated.server_name, "localhost");
    EXPECT_EQ(out.negotiated.peer_signature_scheme.rfind("rsa_pss_", 0), 0u) << out.negotiated.peer_signature_scheme;
}

TEST(openssl_interop, client_hello_retry_request) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.extra = {"-groups", "P-384"};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({}); // shares x25519 and secp256r1 first
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_TRUE(out.negotiated.hello_retry);
    EXPECT_EQ(out.negotiated.group, "secp384r1");
    EXPECT_EQ(out.reply, reversed_line("hello from awsio"));
}

TEST(openssl_interop, client_no_common_group_fails) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.extra = {"-groups", "P-521"};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    EXPECT_FALSE(out.handshake_ok);
    EXPECT_TRUE(out.error) << srv.describe();
    // openssl answers handshake_failure (40); the engine reports the peer's alert.
    EXPECT_EQ(tls::to_io_error(out.error, true), make_error_code(io_errc::tls_error_negotiation_failure))
        << describe_error(out.error);
}

TEST(openssl_interop, client_alpn) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.extra = {"-alpn", "h2,http/1.1"};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    for (const auto &[offer, expected] : std::vector<std::pair<std::string, std::string>>{
             {"h2;http/1.1", "h2"}, {"http/1.1", "http/1.1"}, {"foo;http/1.1", "http/1.1"}}) {
        client_config cc;
        cc.alpn = offer;
        auto ctx = make_client_context(cc);
        ASSERT_TRUE(ctx) << ctx.error().message();
        auto out = exchange_lines(*ctx, srv.port());
        ASSERT_FALSE(out.error) << offer << ": " << describe_error(out.error) << "\n" << srv.describe();
        EXPECT_EQ(out.negotiated.alpn, expected) << offer;
    }
}

TEST(openssl_interop, client_alpn_not_offered_by_server) {
    AWSIO_REQUIRE_OPENSSL();
    s_server srv({});
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.alpn = "h2";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.alpn, "");
}

TEST(openssl_interop, client_resumes_with_ticket) {
    AWSIO_REQUIRE_OPENSSL();
    s_server srv({});
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto first = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(first.error) << describe_error(first.error) << "\n" << srv.describe();
    EXPECT_FALSE(first.negotiated.resumed);
    auto second = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(second.error) << describe_error(second.error) << "\n" << srv.describe();
    EXPECT_TRUE(second.negotiated.resumed) << srv.describe();
    EXPECT_EQ(second.reply, reversed_line("hello from awsio"));
    // The server's certificate is reported again on resumption.
    EXPECT_EQ(second.negotiated.peer_certificates.size(), first.negotiated.peer_certificates.size());
    // s_server prints the peer's signature algorithms only for a full handshake: one of two.
    const std::string log = srv.output();
    std::size_t full_handshakes = 0;
    for (std::size_t at = log.find("Signature Algorithms:"); at != std::string::npos;
         at = log.find("Signature Algorithms:", at + 1)) {
        ++full_handshakes;
    }
    EXPECT_EQ(full_handshakes, 1u) << srv.describe();
}

TEST(openssl_interop, client_resumption_refused_falls_back_to_full_handshake) {
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    {
        s_server srv({});
        ASSERT_TRUE(srv.ok()) << srv.why();
        auto first = exchange_lines(*ctx, srv.port());
        ASSERT_FALSE(first.error) << describe_error(first.error) << "\n" << srv.describe();
    }
    // A new server process has other ticket keys: the ticket is ignored, a full handshake follows.
    s_server srv({});
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto second = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(second.error) << describe_error(second.error) << "\n" << srv.describe();
    EXPECT_FALSE(second.negotiated.resumed);
    EXPECT_EQ(second.reply, reversed_line("hello from awsio"));
}

TEST(openssl_interop, client_key_update) {
    AWSIO_REQUIRE_OPENSSL();
    s_server srv({});
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    exchange_options x;
    x.key_update_before_data = true;
    x.lines = {"after key update", "and again"};
    auto out = exchange_lines(*ctx, srv.port(), x);
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, expected_replies(x.lines));
    EXPECT_GE(out.key_updates_sent, 1u);
    // update_requested: openssl answers with its own KeyUpdate before its next record.
    EXPECT_GE(out.key_updates_received, 1u);
}

TEST(openssl_interop, client_automatic_key_update_at_record_limit) {
    AWSIO_REQUIRE_OPENSSL();
    s_server srv({});
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    exchange_options x;
    x.write_record_limit = 2;
    for (int i = 0; i < 8; ++i) {
        x.lines.push_back("line " + std::to_string(i));
    }
    auto out = exchange_lines(*ctx, srv.port(), x);
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, expected_replies(x.lines));
    EXPECT_GE(out.key_updates_sent, 2u);
}

TEST(openssl_interop, client_key_update_requested_by_s_server_command) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.mode = ""; // interactive: "K" on stdin sends KeyUpdate(update_requested)
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto c = blocking_tls::connect_client(*ctx, {.server_name = "localhost", .alpn = {}}, srv.port());
    ASSERT_TRUE(c) << c.error().message();
    ASSERT_FALSE(c->handshake()) << srv.describe();
    ASSERT_FALSE(c->write_all("before update\n"));
    ASSERT_TRUE(srv.process().wait_for_output("before update")) << srv.describe();

    ASSERT_TRUE(srv.process().write_stdin("K\n"));
    // s_server acts on "K" only when it is the whole stdin read, and its "KEY UPDATE" notice sits
    // in a stdio buffer: give it a moment to read the command on its own before the next line.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_TRUE(srv.process().write_stdin("from server\n"));
    auto r = c->read_until("\n");
    ASSERT_TRUE(r) << describe_error(r.error()) << "\n" << srv.describe();
    EXPECT_EQ(*r, "from server\n");
    EXPECT_EQ(c->conn().key_updates_received(), 1u);
    EXPECT_GE(c->conn().key_updates_sent(), 1u); // the requested answer

    ASSERT_FALSE(c->write_all("after update\n"));
    EXPECT_TRUE(srv.process().wait_for_output("after update")) << srv.describe();
    EXPECT_FALSE(c->close());
}

TEST(openssl_interop, client_mutual_tls) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.extra = {"-Verify", "2", "-verify_return_error", "-CAfile", x509_fixture("root_ca.pem")};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.cert_chain = "client_chain.pem";
    cc.key = "client.key";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, reversed_line("hello from awsio"));
    EXPECT_NE(srv.output().find("awsio test client"), std::string::npos) << srv.describe();
}

TEST(openssl_interop, client_mutual_tls_without_certificate_is_refused) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.extra = {"-Verify", "2", "-verify_return_error", "-CAfile", x509_fixture("root_ca.pem")};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    // TLS 1.3: our Finished goes out before the server has judged it; its certificate_required
    // alert arrives at the handshake or at the first read.
    auto out = exchange_lines(*ctx, srv.port());
    EXPECT_TRUE(out.error) << srv.describe();
    EXPECT_TRUE(out.reply.empty());
    EXPECT_TRUE(is_tls_error(tls::to_io_error(out.error, !out.handshake_ok))) << describe_error(out.error);
}

// ------------------------------------------------------------------------------------------
// awsio client against s_server: certificate verification

struct verify_case {
    const char *name;
    const char *chain;
    const char *key;
    const char *ca;
    const char *server_name;
    io_errc expected; ///< verify on; io_errc{} means success
};

class openssl_server_verification : public ::testing::TestWithParam<verify_case> {};

TEST_P(openssl_server_verification, client_verdict) {
    AWSIO_REQUIRE_OPENSSL();
    const auto &vc = GetParam();
    s_server_config cfg;
    cfg.chain = vc.chain;
    cfg.key = vc.key;
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.ca = vc.ca;
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    exchange_options x;
    x.server_name = vc.server_name;
    auto out = exchange_lines(*ctx, srv.port(), x);
    if (vc.expected == io_errc{}) {
        ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
        EXPECT_TRUE(out.negotiated.peer_verified);
        EXPECT_EQ(out.reply, reversed_line("hello from awsio"));
    } else {
        EXPECT_FALSE(out.handshake_ok);
        EXPECT_EQ(tls::to_io_error(out.error, true), make_error_code(vc.expected))
            << describe_error(out.error) << "\n" << srv.describe();
        // The server saw the handshake fail (our alert).
        EXPECT_TRUE(srv.process().wait_for_output("alert", 5s)) << srv.describe();
    }
}

TEST_P(openssl_server_verification, client_verify_peer_off_succeeds) {
    AWSIO_REQUIRE_OPENSSL();
    const auto &vc = GetParam();
    s_server_config cfg;
    cfg.chain = vc.chain;
    cfg.key = vc.key;
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.ca = vc.ca;
    cc.verify = false;
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    exchange_options x;
    x.server_name = vc.server_name;
    auto out = exchange_lines(*ctx, srv.port(), x);
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, reversed_line("hello from awsio"));
    EXPECT_FALSE(out.negotiated.peer_certificates.empty());
}

INSTANTIATE_TEST_SUITE_P(
    openssl_interop, openssl_server_verification,
    ::testing::Values(
        verify_case{"valid", "leaf_chain.pem", "leaf.key", "root_ca.pem", "localhost", io_errc{}},
        verify_case{"valid_ip_name", "leaf_chain.pem", "leaf.key", "root_ca.pem", "127.0.0.1", io_errc{}},
        verify_case{"full_chain_sent", "leaf_fullchain.pem", "leaf.key", "root_ca.pem", "localhost", io_errc{}},
        verify_case{"no_cn", "leaf_no_cn_chain.pem", "leaf.key", "root_ca.pem", "localhost", io_errc{}},
        verify_case{"empty_subject", "leaf_empty_subject_chain.pem", "leaf.key", "root_ca.pem", "localhost",
                    io_errc{}},
        verify_case{"expired", "leaf_expired_chain.pem", "leaf.key", "root_ca.pem", "localhost",
                    io_errc::tls_certificate_expired},
        verify_case{"not_yet_valid", "leaf_not_yet_valid_chain.pem", "leaf.key", "root_ca.pem", "localhost",
                    io_errc::tls_certificate_not_yet_valid},
        verify_case{"wrong_host", "leaf_wrong_host_chain.pem", "leaf.key", "root_ca.pem", "localhost",
                    io_errc::tls_host_name_mismatch},
        verify_case{"self_signed", "leaf_self_signed.pem", "leaf_self_signed.key", "root_ca.pem", "localhost",
                    io_errc::tls_unknown_root_certificate},
        verify_case{"untrusted_root", "leaf_untrusted_root.pem", "leaf.key", "root_ca.pem", "localhost",
                    io_errc::tls_unknown_root_certificate},
        verify_case{"incomplete_chain", "leaf_incomplete_chain.pem", "leaf.key", "root_ca.pem", "localhost",
                    io_errc::tls_unknown_root_certificate},
        verify_case{"other_anchor", "leaf_chain.pem", "leaf.key", "ecdsa_p256_root_ca.pem", "localhost",
                    io_errc::tls_unknown_root_certificate},
        verify_case{"client_only_eku", "leaf_eku_client_only_chain.pem", "leaf.key", "root_ca.pem", "localhost",
                    io_errc::tls_invalid_certificate_chain}),
    [](const ::testing::TestParamInfo<verify_case> &info) { return std::string(info.param.name); });

// ------------------------------------------------------------------------------------------
// awsio client against s_server: server key algorithms

struct algorithm_case {
    const char *name;
    const char *chain;
    const char *key;
    const char *ca;
    const char *scheme; ///< the server's CertificateVerify scheme
};

/// One case per certificate key type of the fixtures; rsa4096 only where `with_rsa4096`.
std::vector<algorithm_case> algorithm_cases(bool with_rsa4096) {
    std::vector<algorithm_case> cases{
        {"rsa2048", "rsa2048_leaf_chain.pem", "rsa2048_leaf.key", "rsa2048_root_ca.pem", "rsa_pss_rsae_sha256"},
        {"ecc256", "ecdsa_p256_leaf_chain.pem", "ecdsa_p256_leaf.key", "ecdsa_p256_root_ca.pem",
         "ecdsa_secp256r1_sha256"},
        {"ecc384", "ecdsa_p384_leaf_chain.pem", "ecdsa_p384_leaf.key", "ecdsa_p384_root_ca.pem",
         "ecdsa_secp384r1_sha384"},
        {"ed25519", "ed25519_leaf_chain.pem", "ed25519_leaf.key", "ed25519_root_ca.pem", "ed25519"},
        {"rsa_pss", "rsa_pss_leaf_chain.pem", "rsa_pss_leaf.key", "rsa_pss_root_ca.pem", "rsa_pss_pss_sha256"},
    };
    if (with_rsa4096) {
        cases.insert(cases.begin() + 1, algorithm_case{"rsa4096", "rsa4096_leaf_chain.pem", "rsa4096_leaf.key",
                                                       "rsa4096_root_ca.pem", "rsa_pss_rsae_sha256"});
    }
    return cases;
}

class openssl_server_algorithms : public ::testing::TestWithParam<algorithm_case> {};

TEST_P(openssl_server_algorithms, client_verifies_server_signature) {
    AWSIO_REQUIRE_OPENSSL();
    const auto &ac = GetParam();
    s_server_config cfg;
    cfg.chain = ac.chain;
    cfg.key = ac.key;
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.ca = ac.ca;
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_TRUE(out.negotiated.peer_verified);
    EXPECT_EQ(out.negotiated.peer_signature_scheme, ac.scheme);
    EXPECT_EQ(out.reply, reversed_line("hello from awsio"));
}

INSTANTIATE_TEST_SUITE_P(
    openssl_interop, openssl_server_algorithms, ::testing::ValuesIn(algorithm_cases(true)),
    [](const ::testing::TestParamInfo<algorithm_case> &info) { return std::string(info.param.name); });

// ------------------------------------------------------------------------------------------
// awsio server against s_client

TEST(openssl_interop, server_default_settings) {
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_server_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(2));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_s_client(s_client_argv((*srv)->port()), {"hello from s_client", "second line"});
    auto sessions = (*srv)->join();
    ASSERT_TRUE(run.process);
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_FALSE(sessions[0].handler_error) << describe_error(sessions[0].handler_error);
    EXPECT_EQ(sessions[0].received, "hello from s_client\nsecond line\n");
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.3");
    EXPECT_EQ(sessions[0].negotiated.server_name, "localhost");
    EXPECT_NE(run.output.find("Verification: OK"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("New, TLSv1.3"), std::string::npos) << run.output;
    EXPECT_EQ(run.exit_code, std::optional<int>(0)) << run.output;
}

class openssl_client_suites : public ::testing::TestWithParam<suite_group> {};

TEST_P(openssl_client_suites, server_exchanges_data) {
    AWSIO_REQUIRE_OPENSSL();
    const auto &[suite, group] = GetParam();
    server_config sc;
    sc.suites = {suite};
    sc.groups = {group};
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_argv((*srv)->port());
    argv.insert(argv.end(), {"-ciphersuites", suite, "-groups", names_of(group).openssl});
    auto run = run_s_client(argv, {"hello " + suite});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.cipher_suite, suite);
    EXPECT_EQ(sessions[0].negotiated.group, group);
    EXPECT_FALSE(sessions[0].negotiated.hello_retry);
    EXPECT_NE(run.output.find("Cipher is " + suite), std::string::npos) << run.output;
}

INSTANTIATE_TEST_SUITE_P(openssl_interop, openssl_client_suites,
                         ::testing::Combine(::testing::Values("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                                              "TLS_CHACHA20_POLY1305_SHA256"),
                                            ::testing::Values("x25519", "secp256r1", "secp384r1")),
                         [](const ::testing::TestParamInfo<suite_group> &info) {
                             return std::get<0>(info.param) + "_" + std::get<1>(info.param);
                         });

TEST(openssl_interop, server_hello_retry_request) {
    AWSIO_REQUIRE_OPENSSL();
    server_config sc;
    sc.groups = {"secp384r1"};
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_argv((*srv)->port());
    argv.insert(argv.end(), {"-groups", "X25519:P-384"}); // shares X25519 only
    auto run = run_s_client(argv, {"after retry"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_TRUE(sessions[0].negotiated.hello_retry);
    EXPECT_EQ(sessions[0].negotiated.group, "secp384r1");
}

TEST(openssl_interop, server_alpn) {
    AWSIO_REQUIRE_OPENSSL();
    server_config sc;
    sc.alpn = "http/1.1;h2";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_argv((*srv)->port());
    argv.insert(argv.end(), {"-alpn", "h2"});
    auto run = run_s_client(argv, {"alpn"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.alpn, "h2");
    EXPECT_NE(run.output.find("ALPN protocol: h2"), std::string::npos) << run.output;
}

TEST(openssl_interop, server_resumption) {
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_server_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 2, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    temp_file session_file("");
    ASSERT_FALSE(session_file.path().empty());
    auto argv1 = s_client_argv((*srv)->port());
    argv1.insert(argv1.end(), {"-sess_out", session_file.path()});
    auto run1 = run_s_client(argv1, {"first"});
    EXPECT_TRUE(run1.all_echoed) << run1.output;
    EXPECT_NE(read_text_file(session_file.path()).find("BEGIN SSL SESSION PARAMETERS"), std::string::npos)
        << run1.output;
    auto argv2 = s_client_argv((*srv)->port());
    argv2.insert(argv2.end(), {"-sess_in", session_file.path()});
    auto run2 = run_s_client(argv2, {"second"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run2.all_echoed) << run2.output;
    ASSERT_EQ(sessions.size(), 2u);
    ASSERT_FALSE(sessions[1].handshake_error) << describe_error(sessions[1].handshake_error) << "\n" << run2.output;
    EXPECT_FALSE(sessions[0].negotiated.resumed);
    EXPECT_TRUE(sessions[1].negotiated.resumed);
    EXPECT_NE(run2.output.find("Reused, TLSv1.3"), std::string::npos) << run2.output;
}

TEST(openssl_interop, server_key_update_requested_by_s_client) {
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_server_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(2));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_s_client(s_client_argv((*srv)->port()), {"before", "K", "after"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error);
    EXPECT_FALSE(sessions[0].handler_error) << describe_error(sessions[0].handler_error);
    EXPECT_EQ(sessions[0].received, "before\nafter\n");
    EXPECT_EQ(sessions[0].key_updates_received, 1u);
    EXPECT_GE(sessions[0].key_updates_sent, 1u);
}

TEST(openssl_interop, server_key_update_sent_mid_stream) {
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_server_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(2, /*key_update_after_first=*/true));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_s_client(s_client_argv((*srv)->port()), {"one", "two"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_FALSE(sessions[0].handler_error) << describe_error(sessions[0].handler_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].received, "one\ntwo\n");
    EXPECT_EQ(sessions[0].key_updates_sent, 1u);
    // openssl answers update_requested with its own KeyUpdate before its next record.
    EXPECT_EQ(sessions[0].key_updates_received, 1u);
}

TEST(openssl_interop, server_mutual_tls) {
    AWSIO_REQUIRE_OPENSSL();
    server_config sc;
    sc.client_ca = "root_ca.pem";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto client = split_chain(x509_fixture("client_chain.pem"));
    auto argv = s_client_argv((*srv)->port());
    argv.insert(argv.end(), {"-cert", client.leaf.path(), "-cert_chain", client.rest.path(), "-key",
                             x509_fixture("client.key")});
    auto run = run_s_client(argv, {"with client certificate"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_TRUE(sessions[0].negotiated.peer_verified);
    EXPECT_EQ(sessions[0].negotiated.peer_certificates.size(), 2u);
}

TEST(openssl_interop, server_mutual_tls_without_client_certificate) {
    AWSIO_REQUIRE_OPENSSL();
    server_config sc;
    sc.client_ca = "root_ca.pem";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_s_client(s_client_argv((*srv)->port()), {"no certificate"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_TRUE(sessions[0].handshake_error) << run.output;
    EXPECT_NE(run.output.find("alert certificate required"), std::string::npos) << run.output;
}

TEST(openssl_interop, server_mutual_tls_untrusted_client_certificate) {
    AWSIO_REQUIRE_OPENSSL();
    server_config sc;
    sc.client_ca = "ecdsa_p256_root_ca.pem"; // does not anchor client.pem
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto client = split_chain(x509_fixture("client_chain.pem"));
    auto argv = s_client_argv((*srv)->port());
    argv.insert(argv.end(), {"-cert", client.leaf.path(), "-cert_chain", client.rest.path(), "-key",
                             x509_fixture("client.key")});
    auto run = run_s_client(argv, {"untrusted"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(tls::to_io_error(sessions[0].handshake_error, true), make_error_code(io_errc::tls_unknown_root_certificate))
        << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_NE(run.output.find("alert unknown ca"), std::string::npos) << run.output;
}

class openssl_client_algorithms : public ::testing::TestWithParam<algorithm_case> {};

TEST_P(openssl_client_algorithms, server_signs_with_its_key) {
    AWSIO_REQUIRE_OPENSSL();
    const auto &ac = GetParam();
    server_config sc;
    sc.chain = ac.chain;
    sc.key = ac.key;
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_s_client(s_client_argv((*srv)->port(), ac.ca), {std::string("signed by ") + ac.name});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_NE(run.output.find("Verification: OK"), std::string::npos) << run.output;
}

INSTANTIATE_TEST_SUITE_P(
    openssl_interop, openssl_client_algorithms, ::testing::ValuesIn(algorithm_cases(false)),
    [](const ::testing::TestParamInfo<algorithm_case> &info) { return std::string(info.param.name); });

// ------------------------------------------------------------------------------------------
// TLS 1.2 (written, skipped until the TLS 1.2 state machines exist)

TEST(openssl_interop, tls12_client_against_s_server) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    for (const char *suite : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                              "ECDHE-RSA-CHACHA20-POLY1305"}) {
        s_server_config cfg;
        cfg.version_flag = "-tls1_2";
        cfg.extra = {"-cipher", suite};
        s_server srv(cfg);
        ASSERT_TRUE(srv.ok()) << srv.why();
        client_config cc;
        cc.min_version = tls::tls_versions::tlsv1_2;
        auto ctx = make_client_context(cc);
        ASSERT_TRUE(ctx) << ctx.error().message();
        auto out = exchange_lines(*ctx, srv.port());
        ASSERT_FALSE(out.error) << suite << ": " << describe_error(out.error) << "\n" << srv.describe();
        EXPECT_EQ(out.negotiated.version, "TLSv1.2");
        EXPECT_EQ(out.reply, reversed_line("hello from awsio"));
    }
}

TEST(openssl_interop, tls12_client_ecdsa_against_s_server) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    cfg.chain = "ecdsa_p256_leaf_chain.pem";
    cfg.key = "ecdsa_p256_leaf.key";
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.ca = "ecdsa_p256_root_ca.pem";
    cc.min_version = tls::tls_versions::tlsv1_2;
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
    EXPECT_EQ(out.negotiated.cipher_suite.find("ECDHE_ECDSA"), 4u) << out.negotiated.cipher_suite;
}

TEST(openssl_interop, tls12_client_resumption_and_alpn) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    cfg.extra = {"-alpn", "h2,http/1.1"};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.min_version = tls::tls_versions::tlsv1_2;
    cc.alpn = "h2;http/1.1";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto first = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(first.error) << describe_error(first.error) << "\n" << srv.describe();
    EXPECT_EQ(first.negotiated.alpn, "h2");
    auto second = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(second.error) << describe_error(second.error) << "\n" << srv.describe();
    EXPECT_TRUE(second.negotiated.resumed);
}

TEST(openssl_interop, tls12_server_against_s_client) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    auto opts = tls::tls_ctx_options::default_server(read_text_file(x509_fixture("leaf_chain.pem")),
                                                     read_text_file(x509_fixture("leaf.key")));
    opts.minimum_tls_version = tls::tls_versions::tlsv1_2;
    auto ctx = tls::context::create_server(opts);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_argv((*srv)->port());
    argv[2] = "-tls1_2";
    auto run = run_s_client(argv, {"tls 1.2"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
    EXPECT_NE(run.output.find("New, TLSv1.2"), std::string::npos) << run.output;
}

TEST(openssl_interop, tls12_client_when_server_caps_at_tls12) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    // A TLS 1.3-capable client negotiates 1.2 with a 1.2-only server (no downgrade alarm).
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.min_version = tls::tls_versions::tlsv1_2;
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
}

TEST(openssl_interop, client_tls13_only_refuses_tls12_server) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({}); // minimum TLS 1.3
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    EXPECT_FALSE(out.handshake_ok);
    EXPECT_TRUE(out.error) << srv.describe();
}

// ------------------------------------------------------------------------------------------
// TLS 1.2: helpers

/// How s_client reports the server's ephemeral key for a group ("Server Temp Key: ...").
std::string openssl_temp_key(const std::string &group) {
    if (group == "x25519") {
        return "Server Temp Key: X25519";
    }
    if (group == "secp256r1") {
        return "Server Temp Key: ECDH, prime256v1";
    }
    return "Server Temp Key: ECDH, secp384r1";
}

/// The ServerHello message (header included) from `openssl s_client -msg` output: the hex dump
/// lines after "<<< ... ServerHello". Empty when there is none.
std::vector<std::uint8_t> server_hello_from_msg_dump(const std::string &output) {
    std::vector<std::uint8_t> bytes;
    auto at = output.find(", ServerHello\n");
    if (at == std::string::npos) {
        return bytes;
    }
    std::size_t line_start = output.find('\n', at) + 1;
    while (line_start < output.size()) {
        std::size_t line_end = output.find('\n', line_start);
        if (line_end == std::string::npos) {
            line_end = output.size();
        }
        std::string line = output.substr(line_start, line_end - line_start);
        if (line.rfind("    ", 0) != 0) {
            break; // the dump is indented; the next message header is not
        }
        for (std::size_t i = 0; i + 1 < line.size(); ++i) {
            if (std::isxdigit(static_cast<unsigned char>(line[i])) != 0 &&
                std::isxdigit(static_cast<unsigned char>(line[i + 1])) != 0) {
                bytes.push_back(static_cast<std::uint8_t>(std::stoi(line.substr(i, 2), nullptr, 16)));
                ++i;
            }
        }
        line_start = line_end + 1;
    }
    return bytes;
}

/// RFC 8446 4.1.3: the last 8 bytes of ServerHello.random of a TLS 1.3 server negotiating TLS 1.2.
constexpr std::uint8_t downgrade_sentinel_tls12[8] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01};

/// Whether the ServerHello in an `s_client -msg` dump carries the TLS 1.2 downgrade sentinel;
/// std::nullopt when no ServerHello could be read.
std::optional<bool> has_downgrade_sentinel(const std::string &output) {
    auto hello = server_hello_from_msg_dump(output);
    // type (1) + length (3) + legacy_version (2) + random (32)
    if (hello.size() < 38 || hello[0] != 2) {
        return std::nullopt;
    }
    return std::equal(hello.begin() + 30, hello.begin() + 38, std::begin(downgrade_sentinel_tls12));
}

std::vector<std::string> s_client_tls12_argv(std::uint16_t port, const std::string &ca = "root_ca.pem") {
    return s_client_argv(port, ca, "-tls1_2");
}

// ------------------------------------------------------------------------------------------
// TLS 1.2: every suite x every group, both roles

std::string tls12_suite_group_name(const ::testing::TestParamInfo<suite_group> &info) {
    return std::get<0>(info.param) + "_" + std::get<1>(info.param);
}

const auto tls12_suite_values =
    ::testing::Values("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

class openssl_server_tls12_suites : public ::testing::TestWithParam<suite_group> {};

TEST_P(openssl_server_tls12_suites, client_exchanges_data) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    const auto &[suite, group] = GetParam();
    const auto &names = openssl_tls12_suite_by_iana(suite);
    const identity id = identity_for_suite(names.ecdsa);
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    cfg.chain = id.chain;
    cfg.key = id.key;
    cfg.extra = {"-cipher", names.openssl, "-groups", names_of(group).openssl};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();

    client_config cc = tls12_client_config();
    cc.ca = id.ca;
    cc.suites = {suite};
    cc.groups = {group};
    // RFC 8422 5.1: the client's supported groups also bound the curve of an ECDSA server
    // certificate (P-256 here). s_server's -groups alone picks the ECDHE group.
    if (names.ecdsa && group != "secp256r1") {
        cc.groups.push_back("secp256r1");
    }
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    exchange_options x;
    x.lines = {"hello " + suite + " " + group, std::string(3000, 'a') + "b"};
    auto out = exchange_lines(*ctx, srv.port(), x);
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, expected_replies(x.lines));
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
    EXPECT_EQ(out.negotiated.cipher_suite, suite);
    EXPECT_EQ(out.negotiated.group, group);
    EXPECT_FALSE(out.negotiated.resumed);
    EXPECT_TRUE(out.negotiated.peer_verified);
    EXPECT_EQ(out.negotiated.peer_certificates.size(), 2u);
    EXPECT_NE(srv.output().find(std::string("Ciphersuite: ") + names.openssl), std::string::npos) << srv.describe();
    EXPECT_NE(srv.output().find("Protocol version: TLSv1.2"), std::string::npos) << srv.describe();
}

INSTANTIATE_TEST_SUITE_P(openssl_interop, openssl_server_tls12_suites,
                         ::testing::Combine(tls12_suite_values, ::testing::Values("x25519", "secp256r1", "secp384r1")),
                         tls12_suite_group_name);

class openssl_client_tls12_suites : public ::testing::TestWithParam<suite_group> {};

TEST_P(openssl_client_tls12_suites, server_exchanges_data) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    const auto &[suite, group] = GetParam();
    const auto &names = openssl_tls12_suite_by_iana(suite);
    const identity id = identity_for_suite(names.ecdsa);
    server_config sc = tls12_server_config();
    sc.chain = id.chain;
    sc.key = id.key;
    sc.suites = {suite};
    sc.groups = {group};
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(2));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_tls12_argv((*srv)->port(), id.ca);
    // The ECDSA certificate's curve must be among the client's groups (RFC 8422 5.1); the
    // server's group list alone picks the ECDHE group.
    std::string client_groups = names_of(group).openssl;
    if (names.ecdsa && group != "secp256r1") {
        client_groups += ":P-256";
    }
    argv.insert(argv.end(), {"-cipher", names.openssl, "-groups", client_groups});
    auto run = run_s_client(argv, {"hello " + suite, std::string(3000, 'z') + "y"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_FALSE(sessions[0].handler_error) << describe_error(sessions[0].handler_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].received, "hello " + suite + "\n" + std::string(3000, 'z') + "y\n");
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
    EXPECT_EQ(sessions[0].negotiated.cipher_suite, suite);
    EXPECT_EQ(sessions[0].negotiated.group, group);
    EXPECT_NE(run.output.find(std::string("New, TLSv1.2, Cipher is ") + names.openssl), std::string::npos)
        << run.output;
    EXPECT_NE(run.output.find(openssl_temp_key(group)), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("Extended master secret: yes"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("Secure Renegotiation IS supported"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("Verification: OK"), std::string::npos) << run.output;
}

INSTANTIATE_TEST_SUITE_P(openssl_interop, openssl_client_tls12_suites,
                         ::testing::Combine(tls12_suite_values, ::testing::Values("x25519", "secp256r1", "secp384r1")),
                         tls12_suite_group_name);

// RFC 8422 5.1: a client whose supported groups leave out the curve of the server's only (ECDSA
// P-256) certificate gets no ECDHE_ECDSA suite: the server refuses with handshake_failure.
TEST(openssl_interop, tls12_server_ecdsa_certificate_curve_not_offered_by_client) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    server_config sc = tls12_server_config();
    sc.chain = "ecdsa_p256_leaf_chain.pem";
    sc.key = "ecdsa_p256_leaf.key";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_tls12_argv((*srv)->port(), "ecdsa_p256_root_ca.pem");
    argv.insert(argv.end(), {"-groups", "X25519:P-384"});
    auto run = run_s_client(argv, {"no usable certificate"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_TRUE(is_local_alert(sessions[0].handshake_error, alert_handshake_failure))
        << describe_error(sessions[0].handshake_error) << "\n"
        << run.output;
    EXPECT_NE(run.output.find("alert handshake failure"), std::string::npos) << run.output;
}

// ------------------------------------------------------------------------------------------
// TLS 1.2: resumption (session ids and RFC 5077 tickets), both roles

TEST(openssl_interop, tls12_client_resumes_with_session_id) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    cfg.extra = {"-no_ticket"}; // session cache only
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context(tls12_client_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto first = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(first.error) << describe_error(first.error) << "\n" << srv.describe();
    EXPECT_FALSE(first.negotiated.resumed);
    auto second = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(second.error) << describe_error(second.error) << "\n" << srv.describe();
    EXPECT_TRUE(second.negotiated.resumed) << srv.describe();
    EXPECT_EQ(second.negotiated.version, "TLSv1.2");
    EXPECT_EQ(second.negotiated.cipher_suite, first.negotiated.cipher_suite);
    EXPECT_EQ(second.reply, reversed_line("hello from awsio"));
    // s_server prints the peer's signature algorithms for full handshakes only.
    EXPECT_EQ(count_of(srv.output(), "Signature Algorithms:"), 1u) << srv.describe();
}

TEST(openssl_interop, tls12_client_resumes_with_ticket) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    cfg.extra = {"-no_cache"}; // no server-side session cache: only a ticket can resume
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context(tls12_client_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto first = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(first.error) << describe_error(first.error) << "\n" << srv.describe();
    EXPECT_FALSE(first.negotiated.resumed);
    auto second = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(second.error) << describe_error(second.error) << "\n" << srv.describe();
    EXPECT_TRUE(second.negotiated.resumed) << srv.describe();
    EXPECT_EQ(second.reply, reversed_line("hello from awsio"));
    EXPECT_EQ(count_of(srv.output(), "Signature Algorithms:"), 1u) << srv.describe();
}

TEST(openssl_interop, tls12_client_resumption_refused_falls_back_to_full_handshake) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_client_context(tls12_client_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    {
        s_server srv(cfg);
        ASSERT_TRUE(srv.ok()) << srv.why();
        auto first = exchange_lines(*ctx, srv.port());
        ASSERT_FALSE(first.error) << describe_error(first.error) << "\n" << srv.describe();
    }
    // A new process knows neither the session id nor the ticket key.
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto second = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(second.error) << describe_error(second.error) << "\n" << srv.describe();
    EXPECT_FALSE(second.negotiated.resumed);
    EXPECT_EQ(second.reply, reversed_line("hello from awsio"));
}

/// Two s_client runs against one awsio server: the first saves its session, the second offers it.
struct resumption_runs {
    s_client_run first;
    s_client_run second;
    std::vector<server_session> sessions;
    std::string saved_session; ///< what the first run wrote with -sess_out
};
resumption_runs run_s_client_resumption(const server_config &sc, const std::vector<std::string> &extra = {}) {
    resumption_runs r;
    auto ctx = make_server_context(sc);
    if (!ctx) {
        ADD_FAILURE() << ctx.error().message();
        return r;
    }
    auto srv = tls_server_thread::start(*ctx, 2, echo_lines(1));
    if (!srv) {
        ADD_FAILURE() << srv.error().message();
        return r;
    }
    temp_file session_file("");
    auto argv1 = s_client_tls12_argv((*srv)->port());
    argv1.insert(argv1.end(), extra.begin(), extra.end());
    argv1.insert(argv1.end(), {"-sess_out", session_file.path()});
    r.first = run_s_client(argv1, {"first"});
    r.saved_session = read_text_file(session_file.path());
    auto argv2 = s_client_tls12_argv((*srv)->port());
    argv2.insert(argv2.end(), extra.begin(), extra.end());
    argv2.insert(argv2.end(), {"-sess_in", session_file.path()});
    r.second = run_s_client(argv2, {"second"});
    r.sessions = (*srv)->join();
    return r;
}

TEST(openssl_interop, tls12_server_resumes_with_session_id) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    server_config sc = tls12_server_config();
    sc.session_tickets = false;
    auto r = run_s_client_resumption(sc);
    EXPECT_TRUE(r.first.all_echoed) << r.first.output;
    EXPECT_TRUE(r.second.all_echoed) << r.second.output;
    ASSERT_EQ(r.sessions.size(), 2u) << r.first.output << r.second.output;
    ASSERT_FALSE(r.sessions[1].handshake_error) << describe_error(r.sessions[1].handshake_error) << "\n"
                                                << r.second.output;
    EXPECT_FALSE(r.sessions[0].negotiated.resumed);
    EXPECT_TRUE(r.sessions[1].negotiated.resumed);
    EXPECT_EQ(r.first.output.find("TLS session ticket lifetime hint"), std::string::npos) << r.first.output;
    EXPECT_NE(r.second.output.find("Reused, TLSv1.2"), std::string::npos) << r.second.output;
}

TEST(openssl_interop, tls12_server_resumes_with_ticket) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    server_config sc = tls12_server_config();
    sc.tls12_session_ids = false;
    auto r = run_s_client_resumption(sc);
    EXPECT_TRUE(r.first.all_echoed) << r.first.output;
    EXPECT_TRUE(r.second.all_echoed) << r.second.output;
    ASSERT_EQ(r.sessions.size(), 2u) << r.first.output << r.second.output;
    ASSERT_FALSE(r.sessions[1].handshake_error) << describe_error(r.sessions[1].handshake_error) << "\n"
                                                << r.second.output;
    EXPECT_FALSE(r.sessions[0].negotiated.resumed);
    EXPECT_TRUE(r.sessions[1].negotiated.resumed);
    EXPECT_NE(r.first.output.find("TLS session ticket lifetime hint"), std::string::npos) << r.first.output;
    EXPECT_NE(r.second.output.find("Reused, TLSv1.2"), std::string::npos) << r.second.output;
}

TEST(openssl_interop, tls12_server_without_resumption_does_full_handshakes) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    server_config sc = tls12_server_config();
    sc.tls12_session_ids = false;
    sc.session_tickets = false;
    auto r = run_s_client_resumption(sc);
    EXPECT_TRUE(r.first.all_echoed) << r.first.output;
    ASSERT_GE(r.sessions.size(), 1u) << r.first.output;
    ASSERT_FALSE(r.sessions[0].handshake_error) << describe_error(r.sessions[0].handshake_error) << "\n"
                                                << r.first.output;
    EXPECT_FALSE(r.sessions[0].negotiated.resumed);
    // Neither a session id nor a ticket: s_client has no resumable session to save.
    EXPECT_NE(r.first.output.find("Session-ID: \n"), std::string::npos) << r.first.output;
    EXPECT_EQ(r.first.output.find("TLS session ticket lifetime hint"), std::string::npos) << r.first.output;
    EXPECT_EQ(r.saved_session.find("BEGIN SSL SESSION PARAMETERS"), std::string::npos) << r.saved_session;
    for (std::size_t i = 1; i < r.sessions.size(); ++i) {
        EXPECT_FALSE(r.sessions[i].negotiated.resumed) << r.second.output;
    }
}

// ------------------------------------------------------------------------------------------
// TLS 1.2: mutual TLS, both roles

TEST(openssl_interop, tls12_client_mutual_tls) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    cfg.extra = {"-Verify", "2", "-verify_return_error", "-CAfile", x509_fixture("root_ca.pem")};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc = tls12_client_config();
    cc.cert_chain = "client_chain.pem";
    cc.key = "client.key";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
    EXPECT_EQ(out.reply, reversed_line("hello from awsio"));
    EXPECT_NE(srv.output().find("awsio test client"), std::string::npos) << srv.describe();
}

TEST(openssl_interop, tls12_client_mutual_tls_without_certificate_is_refused) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    cfg.extra = {"-Verify", "2", "-verify_return_error", "-CAfile", x509_fixture("root_ca.pem")};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context(tls12_client_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    // TLS 1.2: the server judges our (empty) Certificate before its Finished, so the refusal
    // ends the handshake.
    auto out = exchange_lines(*ctx, srv.port());
    EXPECT_FALSE(out.handshake_ok) << srv.describe();
    EXPECT_TRUE(out.reply.empty());
    EXPECT_TRUE(std::strcmp(out.error.category().name(), "awsio-tls-peer-alert") == 0)
        << describe_error(out.error) << "\n"
        << srv.describe();
    EXPECT_TRUE(is_tls_error(tls::to_io_error(out.error, true))) << describe_error(out.error);
}

TEST(openssl_interop, tls12_server_mutual_tls) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    server_config sc = tls12_server_config();
    sc.client_ca = "root_ca.pem";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto client = split_chain(x509_fixture("client_chain.pem"));
    auto argv = s_client_tls12_argv((*srv)->port());
    argv.insert(argv.end(), {"-cert", client.leaf.path(), "-cert_chain", client.rest.path(), "-key",
                             x509_fixture("client.key")});
    auto run = run_s_client(argv, {"with client certificate"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
    EXPECT_TRUE(sessions[0].negotiated.peer_verified);
    EXPECT_EQ(sessions[0].negotiated.peer_certificates.size(), 2u);
}

TEST(openssl_interop, tls12_server_mutual_tls_without_client_certificate) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    server_config sc = tls12_server_config();
    sc.client_ca = "root_ca.pem";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_s_client(s_client_tls12_argv((*srv)->port()), {"no certificate"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_TRUE(sessions[0].handshake_error) << run.output;
    EXPECT_TRUE(std::strcmp(sessions[0].handshake_error.category().name(), "awsio-tls") == 0)
        << describe_error(sessions[0].handshake_error);
    EXPECT_NE(run.output.find("alert"), std::string::npos) << run.output;
}

TEST(openssl_interop, tls12_server_mutual_tls_untrusted_client_certificate) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    server_config sc = tls12_server_config();
    sc.client_ca = "ecdsa_p256_root_ca.pem"; // does not anchor client.pem
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto client = split_chain(x509_fixture("client_chain.pem"));
    auto argv = s_client_tls12_argv((*srv)->port());
    argv.insert(argv.end(), {"-cert", client.leaf.path(), "-cert_chain", client.rest.path(), "-key",
                             x509_fixture("client.key")});
    auto run = run_s_client(argv, {"untrusted"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(tls::to_io_error(sessions[0].handshake_error, true), make_error_code(io_errc::tls_unknown_root_certificate))
        << describe_error(sessions[0].handshake_error) << "\n"
        << run.output;
    EXPECT_NE(run.output.find("alert unknown ca"), std::string::npos) << run.output;
}

// ------------------------------------------------------------------------------------------
// TLS 1.2 / 1.3 version matrix, both roles: the highest common version, or a failure

enum class version_set { tls12, tls13, both };

struct version_case {
    version_set peer;
    version_set awsio;
    const char *expected; ///< "" when no common version exists
};

const char *version_set_name(version_set v) {
    switch (v) {
    case version_set::tls12:
        return "tls12";
    case version_set::tls13:
        return "tls13";
    case version_set::both:
        return "both";
    }
    return "?";
}

/// The openssl flag for a version set. "both": "-no_ssl3", a no-op that leaves openssl's default
/// range (TLS 1.3 down to what its security level allows). A "-no_tls1_1" would leave a hole in
/// the range, and openssl then enables only the versions below the hole.
std::string openssl_version_flag(version_set v) {
    switch (v) {
    case version_set::tls12:
        return "-tls1_2";
    case version_set::tls13:
        return "-tls1_3";
    case version_set::both:
        break;
    }
    return "-no_ssl3";
}

std::pair<tls::tls_versions, tls::tls_versions> awsio_versions(version_set v) {
    switch (v) {
    case version_set::tls12:
        return {tls::tls_versions::tlsv1_2, tls::tls_versions::tlsv1_2};
    case version_set::tls13:
        return {tls::tls_versions::tlsv1_3, tls::tls_versions::tlsv1_3};
    case version_set::both:
        break;
    }
    return {tls::tls_versions::tlsv1_2, tls::tls_versions::tlsv1_3};
}

std::vector<version_case> version_cases() {
    using v = version_set;
    return {
        {v::tls12, v::tls12, "TLSv1.2"}, {v::tls12, v::tls13, ""},        {v::tls12, v::both, "TLSv1.2"},
        {v::tls13, v::tls12, ""},        {v::tls13, v::tls13, "TLSv1.3"}, {v::tls13, v::both, "TLSv1.3"},
        {v::both, v::tls12, "TLSv1.2"},  {v::both, v::tls13, "TLSv1.3"},  {v::both, v::both, "TLSv1.3"},
    };
}

std::string version_case_name(const ::testing::TestParamInfo<version_case> &info) {
    return std::string("peer_") + version_set_name(info.param.peer) + "_awsio_" + version_set_name(info.param.awsio);
}

class openssl_server_versions : public ::testing::TestWithParam<version_case> {};

// peer both / awsio 1.2-only: s_server, able to do TLS 1.3, puts the TLS 1.2 downgrade sentinel
// in its random; a client without TLS 1.3 must not take it for an attack.
TEST_P(openssl_server_versions, client_negotiates_highest_common_version) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    const auto &vc = GetParam();
    s_server_config cfg;
    cfg.version_flag = openssl_version_flag(vc.peer);
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    std::tie(cc.min_version, cc.max_version) = awsio_versions(vc.awsio);
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    if (*vc.expected != 0) {
        ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
        EXPECT_EQ(out.negotiated.version, vc.expected);
        EXPECT_EQ(out.reply, reversed_line("hello from awsio"));
        EXPECT_NE(srv.output().find(std::string("Protocol version: ") + vc.expected), std::string::npos)
            << srv.describe();
    } else {
        EXPECT_FALSE(out.handshake_ok) << out.negotiated.version;
        EXPECT_EQ(tls::to_io_error(out.error, true), make_error_code(io_errc::tls_error_negotiation_failure))
            << describe_error(out.error) << "\n"
            << srv.describe();
    }
}

INSTANTIATE_TEST_SUITE_P(openssl_interop, openssl_server_versions, ::testing::ValuesIn(version_cases()),
                         version_case_name);

class openssl_client_versions : public ::testing::TestWithParam<version_case> {};

TEST_P(openssl_client_versions, server_negotiates_highest_common_version) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    const auto &vc = GetParam();
    server_config sc;
    std::tie(sc.min_version, sc.max_version) = awsio_versions(vc.awsio);
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_argv((*srv)->port());
    argv[2] = openssl_version_flag(vc.peer);
    auto run = run_s_client(argv, {"version check"});
    auto sessions = (*srv)->join();
    ASSERT_EQ(sessions.size(), 1u) << run.output;
    if (*vc.expected != 0) {
        EXPECT_TRUE(run.all_echoed) << run.output;
        ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n"
                                                  << run.output;
        EXPECT_EQ(sessions[0].negotiated.version, vc.expected);
        EXPECT_NE(run.output.find(std::string("New, ") + vc.expected), std::string::npos) << run.output;
    } else {
        EXPECT_FALSE(run.all_echoed) << run.output;
        EXPECT_TRUE(sessions[0].handshake_error) << run.output;
        EXPECT_EQ(tls::to_io_error(sessions[0].handshake_error, true),
                  make_error_code(io_errc::tls_error_negotiation_failure))
            << describe_error(sessions[0].handshake_error) << "\n"
            << run.output;
        EXPECT_NE(run.exit_code, std::optional<int>(0)) << run.output;
    }
}

INSTANTIATE_TEST_SUITE_P(openssl_interop, openssl_client_versions, ::testing::ValuesIn(version_cases()),
                         version_case_name);

// ------------------------------------------------------------------------------------------
// TLS 1.2: downgrade protection (RFC 8446 4.1.3), TLS_FALLBACK_SCSV (RFC 7507)

// The ServerHello of an awsio server that could have done TLS 1.3 ends its random with
// "DOWNGRD\x01" (s_client, a TLS 1.2-only client, does not check it: read from its -msg dump).
TEST(openssl_interop, tls12_server_with_tls13_enabled_sets_downgrade_sentinel) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    server_config sc;
    sc.min_version = tls::tls_versions::tlsv1_2;
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_tls12_argv((*srv)->port());
    argv.push_back("-msg");
    auto run = run_s_client(argv, {"downgraded"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
    EXPECT_EQ(has_downgrade_sentinel(run.output), std::optional<bool>(true)) << run.output;
}

// A server limited to TLS 1.2 is no TLS 1.3 server: no sentinel (a TLS 1.3 client would abort).
TEST(openssl_interop, tls12_only_server_sets_no_downgrade_sentinel) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_server_context(tls12_server_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_argv((*srv)->port());
    argv[2] = "-no_ssl3"; // s_client's default range: it offers TLS 1.3 too
    argv.push_back("-msg");
    auto run = run_s_client(argv, {"tls 1.2 only"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
    EXPECT_EQ(has_downgrade_sentinel(run.output), std::optional<bool>(false)) << run.output;
    EXPECT_NE(run.output.find("New, TLSv1.2"), std::string::npos) << run.output;
}

// s_client -fallback_scsv says "I already failed with a higher version": a server that supports
// a higher version than the one offered refuses with inappropriate_fallback.
TEST(openssl_interop, tls12_server_refuses_fallback_scsv_when_tls13_enabled) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    server_config sc;
    sc.min_version = tls::tls_versions::tlsv1_2;
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_tls12_argv((*srv)->port());
    argv.push_back("-fallback_scsv");
    auto run = run_s_client(argv, {"fallback"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_TRUE(is_local_alert(sessions[0].handshake_error, alert_inappropriate_fallback))
        << describe_error(sessions[0].handshake_error) << "\n"
        << run.output;
    EXPECT_NE(run.output.find("alert inappropriate fallback"), std::string::npos) << run.output;
}

// The same SCSV is fine when TLS 1.2 is the server's highest version.
TEST(openssl_interop, tls12_only_server_accepts_fallback_scsv) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_server_context(tls12_server_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_tls12_argv((*srv)->port());
    argv.push_back("-fallback_scsv");
    auto run = run_s_client(argv, {"fallback to the top"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
}

// ------------------------------------------------------------------------------------------
// TLS 1.2: peers with CBC suites only (not implemented here: no common suite)

class openssl_client_cbc_only : public ::testing::TestWithParam<std::string> {};

TEST_P(openssl_client_cbc_only, server_refuses_with_handshake_failure) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    server_config sc;
    sc.min_version = tls::tls_versions::tlsv1_2;
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client_tls12_argv((*srv)->port());
    argv.insert(argv.end(), {"-cipher", GetParam()});
    auto run = run_s_client(argv, {"cbc"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_TRUE(is_local_alert(sessions[0].handshake_error, alert_handshake_failure))
        << describe_error(sessions[0].handshake_error) << "\n"
        << run.output;
    EXPECT_EQ(tls::to_io_error(sessions[0].handshake_error, true),
              make_error_code(io_errc::tls_error_negotiation_failure));
    EXPECT_NE(run.output.find("alert handshake failure"), std::string::npos) << run.output;
}

INSTANTIATE_TEST_SUITE_P(openssl_interop, openssl_client_cbc_only,
                         ::testing::Values("AES128-SHA256", "ECDHE-RSA-AES128-SHA256"),
                         [](const ::testing::TestParamInfo<std::string> &info) {
                             std::string n = info.param;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

TEST(openssl_interop, tls12_client_against_cbc_only_server_fails) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    cfg.extra = {"-cipher", "ECDHE-RSA-AES128-SHA256:AES128-SHA256"};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context(tls12_client_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    EXPECT_FALSE(out.handshake_ok);
    EXPECT_TRUE(is_peer_alert(out.error, alert_handshake_failure)) << describe_error(out.error) << "\n"
                                                                   << srv.describe();
    EXPECT_EQ(tls::to_io_error(out.error, true), make_error_code(io_errc::tls_error_negotiation_failure));
    EXPECT_TRUE(srv.process().wait_for_output("no shared cipher", 5s)) << srv.describe();
}

// ------------------------------------------------------------------------------------------
// TLS 1.2: renegotiation refused (RFC 5746 is supported for the initial handshake only)

// s_client's "R" command starts a renegotiation (a ClientHello under the session keys). The awsio
// server answers with a no_renegotiation warning; OpenSSL treats a refused renegotiation it asked
// for as fatal (it sends handshake_failure and reports "no renegotiation").
TEST(openssl_interop, tls12_server_refuses_client_renegotiation) {
    AWSIO_REQUIRE_TLS12();
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_server_context(tls12_server_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(2));
    ASSERT_TRUE(srv) << srv.error().message();
    peer_process::options o;
    o.argv = s_client_tls12_argv((*srv)->port());
    o.stdin_pipe = true;
    std::string why;
    auto cli = peer_process::spawn(o, &why);
    ASSERT_TRUE(cli) << why;
    ASSERT_TRUE(cli->write_stdin("before\n"));
    ASSERT_TRUE(cli->wait_for_output("echo: before")) << cli->describe();
    // s_client acts on "R" only when it is the whole stdin read.
    std::this_thread::sleep_for(300ms);
    ASSERT_TRUE(cli->write_stdin("R\n"));
    EXPECT_TRUE(cli->wait_for_output("RENEGOTIATING")) << cli->describe();
    EXPECT_TRUE(cli->wait_for_output("no renegotiation", 5s)) << cli->describe();
    cli->close_stdin();
    auto code = cli->wait_exit();
    auto sessions = (*srv)->join();
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error);
    EXPECT_EQ(sessions[0].received, "before\n");
    // The server kept going after its warning; what ended the connection is the client's alert.
    EXPECT_TRUE(is_peer_alert(sessions[0].handler_error, alert_handshake_failure))
        << describe_error(sessions[0].handler_error) << "\n"
        << cli->describe();
    EXPECT_TRUE(code.has_value()) << cli->describe();
}

} // namespace
