// Interop with the curl command line tool: the awsio TLS 1.3 server (a blocking server thread on
// 127.0.0.1 answering minimal HTTP/1.1 responses) against `curl --tlsv1.3 --http1.1` (curl's TLS
// backend is whatever libcurl was built with). Checks the body, ALPN, mutual TLS, resumption
// across two connections of one curl run, a large multi-record response, and curl refusing a
// certificate it cannot verify (exit 60) while the server reports curl's alert.
#include "support/blocking_tls.hpp"
#include "support/peer_process.hpp"
#include "support/tls_test_contexts.hpp"

#include <awsio/error.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::testing;

namespace {

#define AWSIO_REQUIRE_CURL()                                                                                          \
    if (!has_program("curl")) GTEST_SKIP() << "curl not installed"

/// Server behaviour: reads one HTTP/1.1 request head (recorded in session.received), answers
/// `200 OK` with `body` and `Connection: close`, then close_notify.
tls_server_thread::handler http_responder(std::string body) {
    return [body = std::move(body)](blocking_tls &c, server_session &s) -> std::error_code {
        auto request = c.read_until("\r\n\r\n", 64 * 1024);
        if (!request) {
            return request.error();
        }
        s.received = *request;
        if (request->find("\r\n\r\n") == std::string::npos) {
            return make_error_code(io_errc::socket_closed); // closed before a whole request head
        }
        const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                                     std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        if (auto ec = c.write_all(response)) {
            return ec;
        }
        return c.close();
    };
}

/// curl for https://localhost:<port>/<path> resolved to 127.0.0.1, trusting `ca`; no config
/// file, no proxy, every wait bounded.
std::vector<std::string> curl_argv(std::uint16_t port, const std::string &ca = "root_ca.pem",
                                   const std::vector<std::string> &paths = {"/"}) {
    const std::string p = std::to_string(port);
    std::vector<std::string> argv = {"curl",      "-q",          "--silent",  "--show-error", "--tlsv1.3",
                                     "--http1.1", "--noproxy",   "*",         "--max-time",   "20",
                                     "--cacert",  x509_fixture(ca), "--resolve", "localhost:" + p + ":127.0.0.1"};
    for (const auto &path : paths) {
        argv.push_back("https://localhost:" + p + path);
    }
    return argv;
}

struct curl_run {
    std::string output; ///< stdout and stderr
    std::optional<int> exit_code;
    bool spawned = false;
};

/// Runs curl to completion (bounded) and stops it if it does not exit.
curl_run run_curl(std::vector<std::string> argv) {
    curl_run run;
    peer_process::options o;
    o.argv = std::move(argv);
    std::string why;
    auto p = peer_process::spawn(o, &why);
    if (!p) {
        run.output = why;
        return run;
    }
    run.spawned = true;
    run.exit_code = p->wait_exit(std::chrono::seconds(30));
    p->stop();
    run.output = p->output();
    return run;
}

TEST(curl_interop, server_answers_get) {
    AWSIO_REQUIRE_CURL();
    auto ctx = make_server_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, http_responder("hello from awsio\n"));
    ASSERT_TRUE(srv) << srv.error().message();
    const std::uint16_t port = (*srv)->port();
    auto run = run_curl(curl_argv(port));
    auto sessions = (*srv)->join();
    ASSERT_TRUE(run.spawned) << run.output;
    EXPECT_EQ(run.exit_code, std::optional<int>(0)) << run.output;
    EXPECT_EQ(run.output, "hello from awsio\n");
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_FALSE(sessions[0].handler_error) << describe_error(sessions[0].handler_error);
    EXPECT_EQ(sessions[0].received.rfind("GET / HTTP/1.1\r\n", 0), 0u) << sessions[0].received;
    EXPECT_NE(sessions[0].received.find("Host: localhost:" + std::to_string(port) + "\r\n"), std::string::npos)
        << sessions[0].received;
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.3");
    EXPECT_EQ(sessions[0].negotiated.server_name, "localhost");
    EXPECT_FALSE(sessions[0].negotiated.resumed);
}

TEST(curl_interop, server_tls12_get_and_session_resumption) {
    // curl limited to TLS 1.2 against a server that also speaks TLS 1.3; a second URL on a new
    // connection ("Connection: close") resumes the first session.
    AWSIO_REQUIRE_CURL();
    server_config sc;
    sc.min_version = tls::tls_versions::tlsv1_2;
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 2, http_responder("over tls 1.2\n"));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = curl_argv((*srv)->port(), "root_ca.pem", {"/first", "/second"});
    for (auto &a : argv) {
        if (a == "--tlsv1.3") {
            a = "--tlsv1.2";
        }
    }
    argv.insert(argv.begin() + 1, {"--tls-max", "1.2"});
    auto run = run_curl(argv);
    auto sessions = (*srv)->join();
    EXPECT_EQ(run.exit_code, std::optional<int>(0)) << run.output;
    EXPECT_EQ(run.output, "over tls 1.2\nover tls 1.2\n");
    ASSERT_EQ(sessions.size(), 2u);
    for (const auto &s : sessions) {
        ASSERT_FALSE(s.handshake_error) << describe_error(s.handshake_error) << "\n" << run.output;
        EXPECT_EQ(s.negotiated.version, "TLSv1.2");
        EXPECT_FALSE(s.negotiated.cipher_suite.empty());
    }
    EXPECT_FALSE(sessions[0].negotiated.resumed);
    EXPECT_TRUE(sessions[1].negotiated.resumed);
}

TEST(curl_interop, server_negotiates_alpn_http11) {
    AWSIO_REQUIRE_CURL();
    server_config sc;
    sc.alpn = "h2;http/1.1";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, http_responder("alpn ok\n"));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = curl_argv((*srv)->port());
    argv.push_back("--verbose");
    auto run = run_curl(argv);
    auto sessions = (*srv)->join();
    EXPECT_EQ(run.exit_code, std::optional<int>(0)) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    // --http1.1 offers http/1.1 only.
    EXPECT_EQ(sessions[0].negotiated.alpn, "http/1.1");
    EXPECT_NE(run.output.find("server accepted http/1.1"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("alpn ok\n"), std::string::npos) << run.output;
}

TEST(curl_interop, server_large_response) {
    AWSIO_REQUIRE_CURL();
    auto ctx = make_server_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    std::string body;
    for (int i = 0; body.size() < 200000; ++i) {
        body += "line " + std::to_string(i) + "\n";
    }
    auto srv = tls_server_thread::start(*ctx, 1, http_responder(body));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_curl(curl_argv((*srv)->port()));
    auto sessions = (*srv)->join();
    EXPECT_EQ(run.exit_code, std::optional<int>(0)) << run.output.substr(0, 2000);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_FALSE(sessions[0].handler_error) << describe_error(sessions[0].handler_error);
    EXPECT_EQ(run.output.size(), body.size());
    EXPECT_TRUE(run.output == body);
}

TEST(curl_interop, server_resumes_second_connection) {
    AWSIO_REQUIRE_CURL();
    auto ctx = make_server_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 2, http_responder("resumable\n"));
    ASSERT_TRUE(srv) << srv.error().message();
    // "Connection: close" makes curl open a second connection for the second URL; it offers the
    // ticket of the first.
    auto run = run_curl(curl_argv((*srv)->port(), "root_ca.pem", {"/first", "/second"}));
    auto sessions = (*srv)->join();
    EXPECT_EQ(run.exit_code, std::optional<int>(0)) << run.output;
    EXPECT_EQ(run.output, "resumable\nresumable\n");
    ASSERT_EQ(sessions.size(), 2u) << run.output;
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error);
    ASSERT_FALSE(sessions[1].handshake_error) << describe_error(sessions[1].handshake_error);
    EXPECT_EQ(sessions[0].received.rfind("GET /first HTTP/1.1\r\n", 0), 0u) << sessions[0].received;
    EXPECT_EQ(sessions[1].received.rfind("GET /second HTTP/1.1\r\n", 0), 0u) << sessions[1].received;
    EXPECT_FALSE(sessions[0].negotiated.resumed);
    EXPECT_TRUE(sessions[1].negotiated.resumed);
}

TEST(curl_interop, server_mutual_tls) {
    AWSIO_REQUIRE_CURL();
    server_config sc;
    sc.client_ca = "root_ca.pem";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, http_responder("client verified\n"));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = curl_argv((*srv)->port());
    argv.insert(argv.end() - 1,
                {"--cert", x509_fixture("client_chain.pem"), "--key", x509_fixture("client.key")});
    auto run = run_curl(argv);
    auto sessions = (*srv)->join();
    EXPECT_EQ(run.exit_code, std::optional<int>(0)) << run.output;
    EXPECT_EQ(run.output, "client verified\n");
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_TRUE(sessions[0].negotiated.peer_verified);
    EXPECT_EQ(sessions[0].negotiated.peer_certificates.size(), 2u);
}

TEST(curl_interop, server_mutual_tls_without_client_certificate) {
    AWSIO_REQUIRE_CURL();
    server_config sc;
    sc.client_ca = "root_ca.pem";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, http_responder("unreachable\n"));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_curl(curl_argv((*srv)->port()));
    auto sessions = (*srv)->join();
    ASSERT_TRUE(run.exit_code.has_value()) << run.output;
    EXPECT_NE(*run.exit_code, 0) << run.output;
    EXPECT_EQ(run.output.find("unreachable"), std::string::npos) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(tls::to_io_error(sessions[0].handshake_error, true), make_error_code(io_errc::tls_error_negotiation_failure))
        << describe_error(sessions[0].handshake_error) << "\n"
        << run.output;
}

TEST(curl_interop, curl_refuses_self_signed_certificate) {
    AWSIO_REQUIRE_CURL();
    server_config sc;
    sc.chain = "leaf_self_signed.pem";
    sc.key = "leaf_self_signed.key";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, http_responder("must not be read\n"));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_curl(curl_argv((*srv)->port()));
    auto sessions = (*srv)->join();
    // CURLE_PEER_FAILED_VERIFICATION.
    EXPECT_EQ(run.exit_code, std::optional<int>(60)) << run.output;
    EXPECT_EQ(run.output.find("must not be read"), std::string::npos) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    // The client's unknown_ca alert ends the server's handshake.
    EXPECT_TRUE(is_peer_alert(sessions[0].handshake_error, alert_unknown_ca))
        << describe_error(sessions[0].handshake_error) << "\n"
        << run.output;
    EXPECT_EQ(tls::to_io_error(sessions[0].handshake_error, true), make_error_code(io_errc::tls_error_negotiation_failure))
        << describe_error(sessions[0].handshake_error);
}

TEST(curl_interop, curl_accepts_self_signed_certificate_as_its_own_anchor) {
    AWSIO_REQUIRE_CURL();
    server_config sc;
    sc.chain = "leaf_self_signed.pem";
    sc.key = "leaf_self_signed.key";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, http_responder("pinned\n"));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_curl(curl_argv((*srv)->port(), "leaf_self_signed.pem"));
    auto sessions = (*srv)->join();
    EXPECT_EQ(run.exit_code, std::optional<int>(0)) << run.output;
    EXPECT_EQ(run.output, "pinned\n");
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error);
}

TEST(curl_interop, curl_refuses_wrong_host_certificate) {
    AWSIO_REQUIRE_CURL();
    server_config sc;
    sc.chain = "leaf_wrong_host_chain.pem";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, http_responder("must not be read\n"));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_curl(curl_argv((*srv)->port()));
    auto sessions = (*srv)->join();
    EXPECT_EQ(run.exit_code, std::optional<int>(60)) << run.output;
    EXPECT_EQ(run.output.find("must not be read"), std::string::npos) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    // Depending on the TLS backend, curl checks the name inside the handshake (an alert) or
    // right after it (the connection is dropped before the request): either way no request.
    EXPECT_TRUE(sessions[0].handshake_error || sessions[0].handler_error) << run.output;
    EXPECT_EQ(sessions[0].received.find("GET"), std::string::npos) << sessions[0].received;
}

} // namespace
