// Interop with the GnuTLS command line tools on 127.0.0.1: the awsio client against `gnutls-serv
// --echo` (suites, groups, HelloRetryRequest, ALPN, tickets, KeyUpdate, mutual TLS, server key
// algorithms, verification failures) and the awsio server against `gnutls-cli` (suites, groups,
// HelloRetryRequest, ALPN, resumption, KeyUpdate, mutual TLS, server key algorithms). TLS 1.2 in
// both roles: every suite x group, ticket and session-id resumption, mutual TLS, version choice.
//
// gnutls-serv has no option for its listening address: it listens on the wildcard address of a
// port picked free on 127.0.0.1, and the tests connect to 127.0.0.1 only.
#include "support/blocking_tls.hpp"
#include "support/peer_process.hpp"
#include "support/tls_test_contexts.hpp"

#include <awsio/error.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

using namespace awsio;
using namespace awsio::testing;
using namespace std::chrono_literals;

namespace {

#define AWSIO_REQUIRE_GNUTLS_SERV()                                                                                   \
    if (!has_program("gnutls-serv")) GTEST_SKIP() << "gnutls-serv not installed"
#define AWSIO_REQUIRE_GNUTLS_CLI()                                                                                    \
    if (!has_program("gnutls-cli")) GTEST_SKIP() << "gnutls-cli not installed"

// ------------------------------------------------------------------------------------------
// Names: awsio (IANA / RFC 8446) and GnuTLS priority-string spellings

struct suite_names {
    const char *iana;
    const char *gnutls; ///< cipher in a priority string
};
constexpr suite_names suites[] = {
    {"TLS_AES_128_GCM_SHA256", "AES-128-GCM"},
    {"TLS_AES_256_GCM_SHA384", "AES-256-GCM"},
    {"TLS_CHACHA20_POLY1305_SHA256", "CHACHA20-POLY1305"},
};

struct group_names {
    const char *awsio;
    const char *gnutls; ///< group in a priority string (after "GROUP-") and in gnutls-serv's report
};
constexpr group_names groups[] = {
    {"x25519", "X25519"},
    {"secp256r1", "SECP256R1"},
    {"secp384r1", "SECP384R1"},
};

const suite_names &suite_by_iana(const std::string &iana) {
    for (const auto &s : suites) {
        if (iana == s.iana) {
            return s;
        }
    }
    return suites[0];
}
const group_names &group_by_awsio(const std::string &name) {
    for (const auto &g : groups) {
        if (name == g.awsio) {
            return g;
        }
    }
    return groups[0];
}

/// A TLS 1.3-only priority string, optionally restricted to one cipher and a list of groups.
std::string tls13_priority(const std::string &cipher = "", const std::vector<std::string> &gnutls_groups = {}) {
    std::string p = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
    if (!cipher.empty()) {
        p += ":-CIPHER-ALL:+" + cipher;
    }
    if (!gnutls_groups.empty()) {
        p += ":-GROUP-ALL";
        for (const auto &g : gnutls_groups) {
            p += ":+GROUP-" + g;
        }
    }
    return p;
}

// ------------------------------------------------------------------------------------------
// gnutls-serv --echo

struct gnutls_serv_config {
    std::string chain = "leaf_chain.pem"; ///< leaf first, then intermediates
    std::string key = "leaf.key";
    std::string priority = tls13_priority();
    std::vector<std::string> extra;
};

class gnutls_serv {
public:
    /// Starts gnutls-serv in echo mode on a free port; check ok() (the failure text is in why()).
    explicit gnutls_serv(const gnutls_serv_config &cfg) {
        process_ = start_server_peer(
            [&](std::uint16_t port) {
                std::vector<std::string> argv = {"gnutls-serv", "--echo",
                                                 "--port", std::to_string(port),
                                                 "--x509certfile", x509_fixture(cfg.chain),
                                                 "--x509keyfile", x509_fixture(cfg.key),
                                                 "--priority", cfg.priority};
                argv.insert(argv.end(), cfg.extra.begin(), cfg.extra.end());
                // AWSIO_GNUTLS_DEBUG=<level>: GnuTLS's own trace in the output (for failures).
                if (const char *level = std::getenv("AWSIO_GNUTLS_DEBUG"); level != nullptr && *level != 0) {
                    argv.insert(argv.end(), {"--debug", level});
                }
                return argv;
            },
            port_, /*stdin_pipe=*/false, &why_);
    }

    [[nodiscard]] bool ok() const noexcept { return process_ != nullptr; }
    [[nodiscard]] const std::string &why() const noexcept { return why_; }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    peer_process &process() { return *process_; }
    [[nodiscard]] std::string output() const { return process_ ? process_->output() : std::string(); }
    [[nodiscard]] std::string describe() const { return process_ ? process_->describe() : why_; }

    /// How many times `needle` occurs in the output so far.
    [[nodiscard]] std::size_t count(std::string_view needle) const {
        const std::string log = output();
        std::size_t n = 0;
        for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + needle.size())) {
            ++n;
        }
        return n;
    }

private:
    std::unique_ptr<peer_process> process_;
    std::uint16_t port_ = 0;
    std::string why_;
};

std::string joined_lines(const std::vector<std::string> &lines) {
    std::string s;
    for (const auto &l : lines) {
        s += l + "\n";
    }
    return s;
}

// ------------------------------------------------------------------------------------------
// Harness self-test: gnutls-cli against gnutls-serv through peer_process.

TEST(gnutls_interop, harness_gnutls_cli_against_gnutls_serv) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    AWSIO_REQUIRE_GNUTLS_CLI();
    gnutls_serv srv({});
    ASSERT_TRUE(srv.ok()) << srv.why();
    peer_process::options o;
    o.argv = {"gnutls-cli", "--port", std::to_string(srv.port()), "--x509cafile", x509_fixture("root_ca.pem"),
              "--sni-hostname", "localhost", "--verify-hostname", "localhost", "127.0.0.1"};
    o.stdin_pipe = true;
    std::string why;
    auto cli = peer_process::spawn(o, &why);
    ASSERT_TRUE(cli) << why;
    ASSERT_TRUE(cli->wait_for_output("Handshake was completed")) << cli->describe() << srv.describe();
    ASSERT_TRUE(cli->write_stdin("harness check\n"));
    EXPECT_TRUE(cli->wait_for_output("harness check")) << cli->describe() << srv.describe();
    cli->close_stdin();
    auto code = cli->wait_exit();
    ASSERT_TRUE(code.has_value()) << cli->describe();
    EXPECT_EQ(*code, 0) << cli->describe();
    EXPECT_NE(cli->output().find("The certificate is trusted"), std::string::npos) << cli->describe();
    EXPECT_NE(srv.output().find("Version: TLS1.3"), std::string::npos) << srv.describe();
    srv.process().stop();
    EXPECT_FALSE(srv.process().running());
}

// ------------------------------------------------------------------------------------------
// awsio client against gnutls-serv: suites x groups

using suite_group = std::tuple<std::string, std::string>;

std::string suite_group_name(const ::testing::TestParamInfo<suite_group> &info) {
    return std::get<0>(info.param) + "_" + std::get<1>(info.param);
}

class gnutls_server_suites : public ::testing::TestWithParam<suite_group> {};

TEST_P(gnutls_server_suites, client_exchanges_data) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    const auto &[suite, group] = GetParam();
    gnutls_serv_config cfg;
    cfg.priority = tls13_priority(suite_by_iana(suite).gnutls, {group_by_awsio(group).gnutls});
    gnutls_serv srv(cfg);
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
    EXPECT_EQ(out.reply, joined_lines(x.lines));
    EXPECT_EQ(out.negotiated.version, "TLSv1.3");
    EXPECT_EQ(out.negotiated.cipher_suite, suite);
    EXPECT_EQ(out.negotiated.group, group);
    EXPECT_FALSE(out.negotiated.hello_retry);
    EXPECT_TRUE(out.negotiated.peer_verified);
    EXPECT_EQ(out.negotiated.peer_certificates.size(), 2u);
    EXPECT_TRUE(srv.process().wait_for_output(std::string("Cipher: ") + suite_by_iana(suite).gnutls, 5s))
        << srv.describe();
    EXPECT_NE(srv.output().find(std::string("Using curve: ") + group_by_awsio(group).gnutls), std::string::npos)
        << srv.describe();
}

INSTANTIATE_TEST_SUITE_P(gnutls_interop, gnutls_server_suites,
                         ::testing::Combine(::testing::Values("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                                              "TLS_CHACHA20_POLY1305_SHA256"),
                                            ::testing::Values("x25519", "secp256r1", "secp384r1")),
                         suite_group_name);

// ------------------------------------------------------------------------------------------
// awsio client against gnutls-serv: negotiation features

TEST(gnutls_interop, client_default_settings) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    // gnutls-serv asks for a client certificate (optional) by default: the client answers with
    // an empty Certificate and no CertificateVerify.
    gnutls_serv srv({});
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    exchange_options x;
    x.lines = {"hello from awsio", "second line"};
    auto out = exchange_lines(*ctx, srv.port(), x);
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, joined_lines(x.lines));
    EXPECT_EQ(out.negotiated.version, "TLSv1.3");
    EXPECT_EQ(out.negotiated.server_name, "localhost");
    EXPECT_FALSE(out.negotiated.resumed);
    EXPECT_EQ(out.negotiated.peer_signature_scheme.rfind("rsa_pss_", 0), 0u) << out.negotiated.peer_signature_scheme;
    EXPECT_TRUE(srv.process().wait_for_output("Given server name[1]: localhost", 5s)) << srv.describe();
}

TEST(gnutls_interop, client_hello_retry_request) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg;
    cfg.priority = tls13_priority("", {"SECP384R1"});
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({}); // shares x25519 and secp256r1
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_TRUE(out.negotiated.hello_retry);
    EXPECT_EQ(out.negotiated.group, "secp384r1");
    EXPECT_EQ(out.reply, "hello from awsio\n");
    EXPECT_TRUE(srv.process().wait_for_output("Using curve: SECP384R1", 5s)) << srv.describe();
}

TEST(gnutls_interop, client_no_common_group_fails) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg;
    cfg.priority = tls13_priority("", {"SECP521R1"});
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    EXPECT_FALSE(out.handshake_ok);
    EXPECT_TRUE(is_peer_alert(out.error, alert_handshake_failure)) << describe_error(out.error) << "\n"
                                                                    << srv.describe();
    EXPECT_EQ(tls::to_io_error(out.error, true), make_error_code(io_errc::tls_error_negotiation_failure))
        << describe_error(out.error);
}

TEST(gnutls_interop, client_alpn) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg;
    cfg.extra = {"--alpn", "h2", "--alpn", "http/1.1"};
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    // GnuTLS picks the client's most preferred protocol that it supports.
    for (const auto &[offer, expected] : std::vector<std::pair<std::string, std::string>>{
             {"h2;http/1.1", "h2"}, {"http/1.1;h2", "http/1.1"}, {"foo;http/1.1", "http/1.1"}}) {
        client_config cc;
        cc.alpn = offer;
        auto ctx = make_client_context(cc);
        ASSERT_TRUE(ctx) << ctx.error().message();
        auto out = exchange_lines(*ctx, srv.port());
        ASSERT_FALSE(out.error) << offer << ": " << describe_error(out.error) << "\n" << srv.describe();
        EXPECT_EQ(out.negotiated.alpn, expected) << offer;
        EXPECT_EQ(out.reply, "hello from awsio\n");
    }
}

TEST(gnutls_interop, client_alpn_no_overlap_without_fatal_is_empty) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg;
    cfg.extra = {"--alpn", "h2"};
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.alpn = "foo";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.alpn, "");
}

TEST(gnutls_interop, client_alpn_no_overlap_fatal) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg;
    cfg.extra = {"--alpn", "h2", "--alpn-fatal"};
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.alpn = "foo";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    EXPECT_FALSE(out.handshake_ok);
    EXPECT_TRUE(is_peer_alert(out.error, alert_no_application_protocol))
        << describe_error(out.error) << "\n"
        << srv.describe();
}

TEST(gnutls_interop, client_resumes_with_ticket) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv srv({});
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto first = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(first.error) << describe_error(first.error) << "\n" << srv.describe();
    EXPECT_FALSE(first.negotiated.resumed);
    auto second = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(second.error) << describe_error(second.error) << "\n" << srv.describe();
    EXPECT_TRUE(second.negotiated.resumed) << srv.describe();
    EXPECT_EQ(second.reply, "hello from awsio\n");
    EXPECT_EQ(second.negotiated.cipher_suite, first.negotiated.cipher_suite);
    EXPECT_EQ(second.negotiated.peer_signature_scheme, "");
    // The server's certificate is reported again on resumption.
    EXPECT_EQ(second.negotiated.peer_certificates.size(), first.negotiated.peer_certificates.size());
    EXPECT_TRUE(srv.process().wait_for_output("This is a resumed session", 5s)) << srv.describe();
    EXPECT_EQ(srv.count("This is a resumed session"), 1u) << srv.describe();
}

TEST(gnutls_interop, client_resumption_with_tickets_refused) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg;
    cfg.extra = {"--noticket"};
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    for (int i = 0; i < 2; ++i) {
        auto out = exchange_lines(*ctx, srv.port());
        ASSERT_FALSE(out.error) << i << ": " << describe_error(out.error) << "\n" << srv.describe();
        EXPECT_FALSE(out.negotiated.resumed) << i;
        EXPECT_EQ(out.reply, "hello from awsio\n");
    }
}

TEST(gnutls_interop, client_key_update) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv srv({});
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    exchange_options x;
    x.key_update_before_data = true;
    x.lines = {"after key update", "and again"};
    auto out = exchange_lines(*ctx, srv.port(), x);
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, joined_lines(x.lines));
    EXPECT_EQ(out.key_updates_sent, 1u);
    // update_requested: GnuTLS answers with its own KeyUpdate.
    EXPECT_EQ(out.key_updates_received, 1u);
}

TEST(gnutls_interop, client_automatic_key_update_at_record_limit) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv srv({});
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
    EXPECT_EQ(out.reply, joined_lines(x.lines));
    EXPECT_GE(out.key_updates_sent, 2u);
}

gnutls_serv_config mtls_server_config() {
    gnutls_serv_config cfg;
    cfg.extra = {"--require-client-cert", "--verify-client-cert", "--x509cafile", x509_fixture("root_ca.pem")};
    return cfg;
}

TEST(gnutls_interop, client_mutual_tls) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv srv(mtls_server_config());
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.cert_chain = "client_chain.pem";
    cc.key = "client.key";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, "hello from awsio\n");
    EXPECT_TRUE(srv.process().wait_for_output("awsio test client", 5s)) << srv.describe();
}

/// Where a refusal by the server showed up: the error, and whether it ended the handshake.
struct refusal {
    std::error_code error;
    bool during_handshake = false;
    std::string unexpected_data;
};

/// Handshakes, then reads (writing nothing) until the server's verdict arrives. In TLS 1.3 our
/// Finished goes out before the server has judged our Certificate, so its alert arrives at the
/// end of the handshake or at the first read. Nothing is written: data the server never reads
/// would turn its close into a TCP reset that can overtake the alert.
refusal await_refusal(const std::shared_ptr<const tls::context> &ctx, std::uint16_t port) {
    refusal out;
    auto c = blocking_tls::connect_client(ctx, {.server_name = "localhost", .alpn = {}}, port);
    if (!c) {
        out.error = c.error();
        return out;
    }
    out.error = c->handshake();
    out.during_handshake = static_cast<bool>(out.error);
    if (!out.error) {
        auto r = c->read_until("\n");
        if (r) {
            out.unexpected_data = *r;
        } else {
            out.error = r.error();
        }
    }
    return out;
}

TEST(gnutls_interop, client_mutual_tls_without_certificate_is_refused) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv srv(mtls_server_config());
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto r = await_refusal(*ctx, srv.port());
    EXPECT_EQ(r.unexpected_data, "");
    EXPECT_TRUE(is_peer_alert(r.error, alert_certificate_required)) << describe_error(r.error) << "\n"
                                                                    << srv.describe();
    EXPECT_TRUE(is_tls_error(tls::to_io_error(r.error, r.during_handshake))) << describe_error(r.error);
}

TEST(gnutls_interop, client_mutual_tls_untrusted_client_certificate_is_refused) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg = mtls_server_config();
    cfg.extra.back() = x509_fixture("ecdsa_p256_root_ca.pem"); // does not anchor client.pem
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.cert_chain = "client_chain.pem";
    cc.key = "client.key";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto r = await_refusal(*ctx, srv.port());
    EXPECT_EQ(r.unexpected_data, "");
    EXPECT_TRUE(r.error) << srv.describe();
    EXPECT_TRUE(std::strcmp(r.error.category().name(), "awsio-tls-peer-alert") == 0)
        << describe_error(r.error) << "\n"
        << srv.describe();
}

// ------------------------------------------------------------------------------------------
// awsio client against gnutls-serv: server key algorithms and verification verdicts

struct algorithm_case {
    const char *name;
    const char *chain;
    const char *key;
    const char *ca;
    const char *scheme; ///< the server's CertificateVerify scheme
};

std::vector<algorithm_case> algorithm_cases() {
    return {
        {"rsa2048", "rsa2048_leaf_chain.pem", "rsa2048_leaf.key", "rsa2048_root_ca.pem", "rsa_pss_rsae_sha256"},
        {"rsa4096", "rsa4096_leaf_chain.pem", "rsa4096_leaf.key", "rsa4096_root_ca.pem", "rsa_pss_rsae_sha256"},
        {"ecc256", "ecdsa_p256_leaf_chain.pem", "ecdsa_p256_leaf.key", "ecdsa_p256_root_ca.pem",
         "ecdsa_secp256r1_sha256"},
        {"ecc384", "ecdsa_p384_leaf_chain.pem", "ecdsa_p384_leaf.key", "ecdsa_p384_root_ca.pem",
         "ecdsa_secp384r1_sha384"},
        {"ed25519", "ed25519_leaf_chain.pem", "ed25519_leaf.key", "ed25519_root_ca.pem", "ed25519"},
        {"rsa_pss", "rsa_pss_leaf_chain.pem", "rsa_pss_leaf.key", "rsa_pss_root_ca.pem", "rsa_pss_pss_sha256"},
    };
}

std::string algorithm_case_name(const ::testing::TestParamInfo<algorithm_case> &info) {
    return info.param.name;
}

class gnutls_server_algorithms : public ::testing::TestWithParam<algorithm_case> {};

TEST_P(gnutls_server_algorithms, client_verifies_server_signature) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    const auto &ac = GetParam();
    gnutls_serv_config cfg;
    cfg.chain = ac.chain;
    cfg.key = ac.key;
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.ca = ac.ca;
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_TRUE(out.negotiated.peer_verified);
    EXPECT_EQ(out.negotiated.peer_signature_scheme, ac.scheme);
    EXPECT_EQ(out.reply, "hello from awsio\n");
}

INSTANTIATE_TEST_SUITE_P(gnutls_interop, gnutls_server_algorithms, ::testing::ValuesIn(algorithm_cases()),
                         algorithm_case_name);

struct verify_case {
    const char *name;
    const char *chain;
    const char *key;
    const char *server_name;
    io_errc expected;
};

class gnutls_server_verification : public ::testing::TestWithParam<verify_case> {};

TEST_P(gnutls_server_verification, client_verdict) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    const auto &vc = GetParam();
    gnutls_serv_config cfg;
    cfg.chain = vc.chain;
    cfg.key = vc.key;
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    exchange_options x;
    x.server_name = vc.server_name;
    auto out = exchange_lines(*ctx, srv.port(), x);
    if (vc.expected == io_errc{}) {
        ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
        EXPECT_TRUE(out.negotiated.peer_verified);
        EXPECT_EQ(out.reply, "hello from awsio\n");
    } else {
        EXPECT_FALSE(out.handshake_ok);
        EXPECT_EQ(tls::to_io_error(out.error, true), make_error_code(vc.expected))
            << describe_error(out.error) << "\n"
            << srv.describe();
        // The server saw the handshake fail. Our alert goes out unprotected (RFC 8446 A.1: the
        // client's sending key becomes the handshake key only once the server's Finished is in);
        // GnuTLS expects protected records after its ServerHello and reports a decryption
        // failure instead of the alert.
        EXPECT_TRUE(srv.process().wait_for_output("Error in handshake", 5s)) << srv.describe();
    }
}

INSTANTIATE_TEST_SUITE_P(
    gnutls_interop, gnutls_server_verification,
    ::testing::Values(
        verify_case{"valid_ip_name", "leaf_chain.pem", "leaf.key", "127.0.0.1", io_errc{}},
        verify_case{"expired", "leaf_expired_chain.pem", "leaf.key", "localhost", io_errc::tls_certificate_expired},
        verify_case{"wrong_host", "leaf_wrong_host_chain.pem", "leaf.key", "localhost",
                    io_errc::tls_host_name_mismatch},
        verify_case{"self_signed", "leaf_self_signed.pem", "leaf_self_signed.key", "localhost",
                    io_errc::tls_unknown_root_certificate},
        verify_case{"incomplete_chain", "leaf_incomplete_chain.pem", "leaf.key", "localhost",
                    io_errc::tls_unknown_root_certificate}),
    [](const ::testing::TestParamInfo<verify_case> &info) { return std::string(info.param.name); });

// ------------------------------------------------------------------------------------------
// awsio server against gnutls-cli

std::vector<std::string> gnutls_cli_argv(std::uint16_t port, const std::string &ca = "root_ca.pem",
                                         const std::string &priority = tls13_priority()) {
    return {"gnutls-cli",      "--port",     std::to_string(port), "--x509cafile", x509_fixture(ca),
            "--sni-hostname",  "localhost",  "--verify-hostname",  "localhost",    "--priority",
            priority,          "127.0.0.1"};
}

/// Runs gnutls-cli: waits for the handshake, sends each line (waiting for its echo; "^rekey^"
/// and "^rekey1^" are inline KeyUpdate commands), then stdin EOF; waits for the exit.
struct gnutls_cli_run {
    std::unique_ptr<peer_process> process;
    std::string output;
    std::optional<int> exit_code;
    bool handshake_done = false;
    bool all_echoed = false;
};
gnutls_cli_run run_gnutls_cli(std::vector<std::string> argv, const std::vector<std::string> &lines) {
    gnutls_cli_run run;
    peer_process::options o;
    o.argv = std::move(argv);
    o.stdin_pipe = true;
    run.process = peer_process::spawn(o);
    if (!run.process) {
        return run;
    }
    run.handshake_done = run.process->wait_for_output("Handshake was completed");
    run.all_echoed = run.handshake_done;
    for (const auto &line : lines) {
        if (!run.all_echoed) {
            break;
        }
        if (line.front() == '^') {
            run.all_echoed = run.process->write_stdin(line + "\n") &&
                             run.process->wait_for_output("Rekey was completed");
            continue;
        }
        run.all_echoed = run.process->write_stdin(line + "\n") && run.process->wait_for_output("echo: " + line);
    }
    run.process->close_stdin();
    run.exit_code = run.process->wait_exit();
    run.output = run.process->output();
    return run;
}

TEST(gnutls_interop, server_default_settings) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    auto ctx = make_server_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(2));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_gnutls_cli(gnutls_cli_argv((*srv)->port()), {"hello from gnutls-cli", "second line"});
    auto sessions = (*srv)->join();
    ASSERT_TRUE(run.process);
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_FALSE(sessions[0].handler_error) << describe_error(sessions[0].handler_error);
    EXPECT_EQ(sessions[0].received, "hello from gnutls-cli\nsecond line\n");
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.3");
    EXPECT_EQ(sessions[0].negotiated.server_name, "localhost");
    EXPECT_NE(run.output.find("The certificate is trusted"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("(TLS1.3-X.509)"), std::string::npos) << run.output;
    EXPECT_EQ(run.exit_code, std::optional<int>(0)) << run.output;
}

class gnutls_client_suites : public ::testing::TestWithParam<suite_group> {};

TEST_P(gnutls_client_suites, server_exchanges_data) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    const auto &[suite, group] = GetParam();
    server_config sc;
    sc.suites = {suite};
    sc.groups = {group};
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    const std::string cipher = suite_by_iana(suite).gnutls;
    const std::string gnutls_group = group_by_awsio(group).gnutls;
    auto run = run_gnutls_cli(gnutls_cli_argv((*srv)->port(), "root_ca.pem", tls13_priority(cipher, {gnutls_group})),
                              {"hello " + suite});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.cipher_suite, suite);
    EXPECT_EQ(sessions[0].negotiated.group, group);
    EXPECT_FALSE(sessions[0].negotiated.hello_retry);
    EXPECT_NE(run.output.find("(ECDHE-" + gnutls_group + ")"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("-(" + cipher + ")"), std::string::npos) << run.output;
}

INSTANTIATE_TEST_SUITE_P(gnutls_interop, gnutls_client_suites,
                         ::testing::Combine(::testing::Values("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                                              "TLS_CHACHA20_POLY1305_SHA256"),
                                            ::testing::Values("x25519", "secp256r1", "secp384r1")),
                         suite_group_name);

TEST(gnutls_interop, server_hello_retry_request) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    server_config sc;
    sc.groups = {"secp384r1"};
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = gnutls_cli_argv((*srv)->port(), "root_ca.pem", tls13_priority("", {"X25519", "SECP384R1"}));
    argv.insert(argv.end() - 1, "--single-key-share"); // shares X25519 only
    auto run = run_gnutls_cli(argv, {"after retry"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_TRUE(sessions[0].negotiated.hello_retry);
    EXPECT_EQ(sessions[0].negotiated.group, "secp384r1");
    EXPECT_NE(run.output.find("(ECDHE-SECP384R1)"), std::string::npos) << run.output;
}

TEST(gnutls_interop, server_alpn) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    server_config sc;
    sc.alpn = "http/1.1;h2";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = gnutls_cli_argv((*srv)->port());
    argv.insert(argv.end() - 1, {"--alpn", "h2"});
    auto run = run_gnutls_cli(argv, {"alpn"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.alpn, "h2");
    EXPECT_NE(run.output.find("Application protocol: h2"), std::string::npos) << run.output;
}

TEST(gnutls_interop, server_resumption) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    auto ctx = make_server_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 2, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = gnutls_cli_argv((*srv)->port());
    argv.insert(argv.end() - 1, {"--resume", "--waitresumption"});
    auto run = run_gnutls_cli(argv, {"resumed"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 2u) << run.output;
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    ASSERT_FALSE(sessions[1].handshake_error) << describe_error(sessions[1].handshake_error) << "\n" << run.output;
    EXPECT_FALSE(sessions[0].negotiated.resumed);
    EXPECT_TRUE(sessions[1].negotiated.resumed);
    EXPECT_EQ(sessions[1].received, "resumed\n");
    EXPECT_NE(run.output.find("This is a resumed session"), std::string::npos) << run.output;
}

TEST(gnutls_interop, server_key_update_requested_by_gnutls_cli) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    auto ctx = make_server_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(2));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = gnutls_cli_argv((*srv)->port());
    argv.insert(argv.end() - 1, "--inline-commands");
    auto run = run_gnutls_cli(argv, {"before", "^rekey^", "after"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error);
    EXPECT_FALSE(sessions[0].handler_error) << describe_error(sessions[0].handler_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].received, "before\nafter\n");
    EXPECT_EQ(sessions[0].key_updates_received, 1u);
    // ^rekey^ asks the peer to update too.
    EXPECT_EQ(sessions[0].key_updates_sent, 1u);
}

TEST(gnutls_interop, server_key_update_sent_mid_stream) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    auto ctx = make_server_context({});
    ASSERT_TRUE(ctx) << ctx.error().message();
    // Reads on until gnutls-cli closes: its answering KeyUpdate may follow the second line.
    auto srv = tls_server_thread::start(*ctx, 1,
                                        echo_lines(2, /*key_update_after_first=*/true, /*until_peer_closes=*/true));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_gnutls_cli(gnutls_cli_argv((*srv)->port()), {"one", "two"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_FALSE(sessions[0].handler_error) << describe_error(sessions[0].handler_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].received, "one\ntwo\n");
    EXPECT_EQ(sessions[0].key_updates_sent, 1u);
    // GnuTLS answers update_requested with its own KeyUpdate.
    EXPECT_EQ(sessions[0].key_updates_received, 1u);
}

TEST(gnutls_interop, server_mutual_tls) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    server_config sc;
    sc.client_ca = "root_ca.pem";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = gnutls_cli_argv((*srv)->port());
    argv.insert(argv.end() - 1, {"--x509certfile", x509_fixture("client_chain.pem"), "--x509keyfile",
                                 x509_fixture("client.key")});
    auto run = run_gnutls_cli(argv, {"with client certificate"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_TRUE(sessions[0].negotiated.peer_verified);
    EXPECT_EQ(sessions[0].negotiated.peer_certificates.size(), 2u);
    EXPECT_NE(run.output.find("Successfully sent 2 certificate(s) to server"), std::string::npos) << run.output;
}

TEST(gnutls_interop, server_mutual_tls_without_client_certificate) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    server_config sc;
    sc.client_ca = "root_ca.pem";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_gnutls_cli(gnutls_cli_argv((*srv)->port()), {"no certificate"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_TRUE(sessions[0].handshake_error) << run.output;
    EXPECT_NE(run.output.find("Certificate is required"), std::string::npos) << run.output;
    EXPECT_NE(run.exit_code, std::optional<int>(0)) << run.output;
}

TEST(gnutls_interop, server_mutual_tls_untrusted_client_certificate) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    server_config sc;
    sc.client_ca = "ecdsa_p256_root_ca.pem"; // does not anchor client.pem
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = gnutls_cli_argv((*srv)->port());
    argv.insert(argv.end() - 1, {"--x509certfile", x509_fixture("client_chain.pem"), "--x509keyfile",
                                 x509_fixture("client.key")});
    auto run = run_gnutls_cli(argv, {"untrusted"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(tls::to_io_error(sessions[0].handshake_error, true), make_error_code(io_errc::tls_unknown_root_certificate))
        << describe_error(sessions[0].handshake_error) << "\n"
        << run.output;
    EXPECT_NE(run.exit_code, std::optional<int>(0)) << run.output;
}

class gnutls_client_algorithms : public ::testing::TestWithParam<algorithm_case> {};

TEST_P(gnutls_client_algorithms, server_signs_with_its_key) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    const auto &ac = GetParam();
    server_config sc;
    sc.chain = ac.chain;
    sc.key = ac.key;
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_gnutls_cli(gnutls_cli_argv((*srv)->port(), ac.ca), {std::string("signed by ") + ac.name});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_NE(run.output.find("The certificate is trusted"), std::string::npos) << run.output;
}

INSTANTIATE_TEST_SUITE_P(gnutls_interop, gnutls_client_algorithms, ::testing::ValuesIn(algorithm_cases()),
                         algorithm_case_name);

// ------------------------------------------------------------------------------------------
// TLS 1.2: names and configurations

struct tls12_suite_names {
    const char *iana;
    const char *gnutls_cipher; ///< cipher in a priority string and in the peers' reports
    const char *gnutls_kx;     ///< key exchange in a priority string ("ECDHE-RSA")
    bool ecdsa;                ///< needs an ECDSA certificate
};
constexpr tls12_suite_names tls12_suites[] = {
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "AES-128-GCM", "ECDHE-ECDSA", true},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "AES-128-GCM", "ECDHE-RSA", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "AES-256-GCM", "ECDHE-ECDSA", true},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "AES-256-GCM", "ECDHE-RSA", false},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "CHACHA20-POLY1305", "ECDHE-ECDSA", true},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "CHACHA20-POLY1305", "ECDHE-RSA", false},
};
const tls12_suite_names &tls12_suite_by_iana(const std::string &iana) {
    for (const auto &s : tls12_suites) {
        if (iana == s.iana) {
            return s;
        }
    }
    return tls12_suites[1];
}

/// A TLS 1.2-only priority string, optionally restricted to one suite and one group.
std::string tls12_priority(const tls12_suite_names *suite = nullptr, const std::string &gnutls_group = "") {
    std::string p = "NORMAL:-VERS-ALL:+VERS-TLS1.2";
    if (suite != nullptr) {
        p += std::string(":-CIPHER-ALL:+") + suite->gnutls_cipher + ":-KX-ALL:+" + suite->gnutls_kx;
    }
    if (!gnutls_group.empty()) {
        p += ":-GROUP-ALL:+GROUP-" + gnutls_group;
    }
    return p;
}

const auto tls12_suite_values =
    ::testing::Values("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

// ------------------------------------------------------------------------------------------
// TLS 1.2: every suite x every group, both roles

class gnutls_server_tls12_suites : public ::testing::TestWithParam<suite_group> {};

TEST_P(gnutls_server_tls12_suites, client_exchanges_data) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    const auto &[suite, group] = GetParam();
    const auto &names = tls12_suite_by_iana(suite);
    const identity id = identity_for_suite(names.ecdsa);
    const std::string gnutls_group = group_by_awsio(group).gnutls;
    gnutls_serv_config cfg;
    cfg.chain = id.chain;
    cfg.key = id.key;
    cfg.priority = tls12_priority(&names, gnutls_group);
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();

    client_config cc = tls12_client_config();
    cc.ca = id.ca;
    cc.suites = {suite};
    cc.groups = {group};
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    exchange_options x;
    x.lines = {"hello " + suite + " " + group, std::string(3000, 'a') + "b"};
    auto out = exchange_lines(*ctx, srv.port(), x);
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, joined_lines(x.lines));
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
    EXPECT_EQ(out.negotiated.cipher_suite, suite);
    EXPECT_EQ(out.negotiated.group, group);
    EXPECT_FALSE(out.negotiated.resumed);
    EXPECT_TRUE(out.negotiated.peer_verified);
    EXPECT_EQ(out.negotiated.peer_certificates.size(), 2u);
    EXPECT_TRUE(srv.process().wait_for_output(std::string("Cipher: ") + names.gnutls_cipher, 5s)) << srv.describe();
    EXPECT_NE(srv.output().find("Version: TLS1.2"), std::string::npos) << srv.describe();
    EXPECT_NE(srv.output().find(std::string("Key Exchange: ") + names.gnutls_kx), std::string::npos)
        << srv.describe();
    EXPECT_NE(srv.output().find("Using curve: " + gnutls_group), std::string::npos) << srv.describe();
    EXPECT_NE(srv.output().find("extended master secret, safe renegotiation"), std::string::npos)
        << srv.describe();
}

INSTANTIATE_TEST_SUITE_P(gnutls_interop, gnutls_server_tls12_suites,
                         ::testing::Combine(tls12_suite_values, ::testing::Values("x25519", "secp256r1", "secp384r1")),
                         suite_group_name);

class gnutls_client_tls12_suites : public ::testing::TestWithParam<suite_group> {};

TEST_P(gnutls_client_tls12_suites, server_exchanges_data) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    const auto &[suite, group] = GetParam();
    const auto &names = tls12_suite_by_iana(suite);
    const identity id = identity_for_suite(names.ecdsa);
    const std::string gnutls_group = group_by_awsio(group).gnutls;
    server_config sc = tls12_server_config();
    sc.chain = id.chain;
    sc.key = id.key;
    sc.suites = {suite};
    sc.groups = {group};
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(2));
    ASSERT_TRUE(srv) << srv.error().message();
    // RFC 8422 5.1.1: supported_groups also names the curves the server's certificate may use,
    // so the client lists P-256 (the certificate's curve) after the group under test; the
    // server, limited to that group, still picks it for the key exchange.
    std::string priority = tls12_priority(&names, gnutls_group);
    if (names.ecdsa && group != std::string("secp256r1")) {
        priority += ":+GROUP-SECP256R1";
    }
    auto run = run_gnutls_cli(gnutls_cli_argv((*srv)->port(), id.ca, priority),
                              {"hello " + suite, std::string(3000, 'z') + "y"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_FALSE(sessions[0].handler_error) << describe_error(sessions[0].handler_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].received, "hello " + suite + "\n" + std::string(3000, 'z') + "y\n");
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
    EXPECT_EQ(sessions[0].negotiated.cipher_suite, suite);
    EXPECT_EQ(sessions[0].negotiated.group, group);
    EXPECT_NE(run.output.find("(TLS1.2-X.509)-(ECDHE-" + gnutls_group + ")"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find(std::string("-(") + names.gnutls_cipher + ")"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("extended master secret, safe renegotiation"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("The certificate is trusted"), std::string::npos) << run.output;
}

INSTANTIATE_TEST_SUITE_P(gnutls_interop, gnutls_client_tls12_suites,
                         ::testing::Combine(tls12_suite_values, ::testing::Values("x25519", "secp256r1", "secp384r1")),
                         suite_group_name);

// ------------------------------------------------------------------------------------------
// TLS 1.2: version choice against peers that also do TLS 1.3

TEST(gnutls_interop, tls12_client_against_tls13_capable_server) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg;
    cfg.priority = "NORMAL"; // TLS 1.2 and 1.3: its TLS 1.2 ServerHello carries the downgrade sentinel
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context(tls12_client_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
    EXPECT_EQ(out.reply, "hello from awsio\n");
    EXPECT_TRUE(srv.process().wait_for_output("Version: TLS1.2", 5s)) << srv.describe();
}

TEST(gnutls_interop, tls12_and_tls13_client_against_tls12_server) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg;
    cfg.priority = tls12_priority();
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc;
    cc.min_version = tls::tls_versions::tlsv1_2;
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
    EXPECT_EQ(out.reply, "hello from awsio\n");
}

TEST(gnutls_interop, tls12_server_against_tls13_capable_client) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    auto ctx = make_server_context(tls12_server_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    // A TLS 1.3 client checks the downgrade sentinel: a 1.2-only server must not send it.
    auto run = run_gnutls_cli(gnutls_cli_argv((*srv)->port(), "root_ca.pem", "NORMAL"), {"one two"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
    EXPECT_NE(run.output.find("(TLS1.2-X.509)"), std::string::npos) << run.output;
}

TEST(gnutls_interop, tls12_and_tls13_server_against_tls12_client) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    server_config sc;
    sc.min_version = tls::tls_versions::tlsv1_2;
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_gnutls_cli(gnutls_cli_argv((*srv)->port(), "root_ca.pem", tls12_priority()), {"downgraded"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
}

// ------------------------------------------------------------------------------------------
// TLS 1.2: resumption, both roles

TEST(gnutls_interop, tls12_client_resumes_with_ticket) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg;
    cfg.priority = tls12_priority();
    cfg.extra = {"--nodb"}; // no session cache: only a ticket can resume
    gnutls_serv srv(cfg);
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
    EXPECT_EQ(second.reply, "hello from awsio\n");
    EXPECT_TRUE(srv.process().wait_for_output("This is a resumed session", 5s)) << srv.describe();
    EXPECT_EQ(srv.count("This is a resumed session"), 1u) << srv.describe();
}

TEST(gnutls_interop, tls12_client_resumes_with_session_id) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg;
    cfg.priority = tls12_priority();
    cfg.extra = {"--noticket"};
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context(tls12_client_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto first = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(first.error) << describe_error(first.error) << "\n" << srv.describe();
    EXPECT_FALSE(first.negotiated.resumed);
    auto second = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(second.error) << describe_error(second.error) << "\n" << srv.describe();
    EXPECT_TRUE(second.negotiated.resumed) << srv.describe();
    EXPECT_EQ(second.reply, "hello from awsio\n");
    EXPECT_TRUE(srv.process().wait_for_output("This is a resumed session", 5s)) << srv.describe();
    EXPECT_EQ(srv.count("This is a resumed session"), 1u) << srv.describe();
}

/// gnutls-cli --resume against an awsio server: a full handshake, then a resumed one that
/// carries one line.
struct resumption_result {
    gnutls_cli_run run;
    std::vector<server_session> sessions;
};
resumption_result run_gnutls_cli_resumption(const server_config &sc, const std::vector<std::string> &extra) {
    resumption_result r;
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
    auto argv = gnutls_cli_argv((*srv)->port(), "root_ca.pem", tls12_priority());
    argv.insert(argv.end() - 1, "--resume");
    argv.insert(argv.end() - 1, extra.begin(), extra.end());
    r.run = run_gnutls_cli(argv, {"resumed"});
    r.sessions = (*srv)->join();
    return r;
}

TEST(gnutls_interop, tls12_server_resumes_with_ticket) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    server_config sc = tls12_server_config();
    sc.tls12_session_ids = false;
    auto r = run_gnutls_cli_resumption(sc, {});
    EXPECT_TRUE(r.run.all_echoed) << r.run.output;
    ASSERT_EQ(r.sessions.size(), 2u) << r.run.output;
    ASSERT_FALSE(r.sessions[0].handshake_error) << describe_error(r.sessions[0].handshake_error) << "\n"
                                                << r.run.output;
    ASSERT_FALSE(r.sessions[1].handshake_error) << describe_error(r.sessions[1].handshake_error) << "\n"
                                                << r.run.output;
    EXPECT_FALSE(r.sessions[0].negotiated.resumed);
    EXPECT_TRUE(r.sessions[1].negotiated.resumed);
    EXPECT_EQ(r.sessions[1].negotiated.version, "TLSv1.2");
    EXPECT_EQ(r.sessions[1].received, "resumed\n");
    EXPECT_NE(r.run.output.find("This is a resumed session"), std::string::npos) << r.run.output;
}

TEST(gnutls_interop, tls12_server_resumes_with_session_id) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    server_config sc = tls12_server_config();
    sc.session_tickets = false;
    auto r = run_gnutls_cli_resumption(sc, {"--noticket"});
    EXPECT_TRUE(r.run.all_echoed) << r.run.output;
    ASSERT_EQ(r.sessions.size(), 2u) << r.run.output;
    ASSERT_FALSE(r.sessions[1].handshake_error) << describe_error(r.sessions[1].handshake_error) << "\n"
                                                << r.run.output;
    EXPECT_FALSE(r.sessions[0].negotiated.resumed);
    EXPECT_TRUE(r.sessions[1].negotiated.resumed);
    EXPECT_EQ(r.sessions[1].received, "resumed\n");
    EXPECT_NE(r.run.output.find("This is a resumed session"), std::string::npos) << r.run.output;
}

TEST(gnutls_interop, tls12_server_without_resumption_does_full_handshakes) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    server_config sc = tls12_server_config();
    sc.session_tickets = false;
    sc.tls12_session_ids = false;
    auto r = run_gnutls_cli_resumption(sc, {});
    EXPECT_TRUE(r.run.all_echoed) << r.run.output;
    ASSERT_EQ(r.sessions.size(), 2u) << r.run.output;
    ASSERT_FALSE(r.sessions[1].handshake_error) << describe_error(r.sessions[1].handshake_error) << "\n"
                                                << r.run.output;
    EXPECT_FALSE(r.sessions[1].negotiated.resumed);
    EXPECT_NE(r.run.output.find("Resume Handshake was completed"), std::string::npos) << r.run.output;
    EXPECT_EQ(r.run.output.find("This is a resumed session"), std::string::npos) << r.run.output;
}

// ------------------------------------------------------------------------------------------
// TLS 1.2: mutual TLS, both roles

TEST(gnutls_interop, tls12_client_mutual_tls) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg = mtls_server_config();
    cfg.priority = tls12_priority();
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc = tls12_client_config();
    cc.cert_chain = "client_chain.pem";
    cc.key = "client.key";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_lines(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
    EXPECT_EQ(out.reply, "hello from awsio\n");
    EXPECT_TRUE(srv.process().wait_for_output("awsio test client", 5s)) << srv.describe();
}

TEST(gnutls_interop, tls12_client_mutual_tls_without_certificate_is_refused) {
    AWSIO_REQUIRE_GNUTLS_SERV();
    gnutls_serv_config cfg = mtls_server_config();
    cfg.priority = tls12_priority();
    gnutls_serv srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context(tls12_client_config());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto r = await_refusal(*ctx, srv.port());
    // TLS 1.2: the server judges our empty Certificate before its Finished.
    EXPECT_TRUE(r.during_handshake) << describe_error(r.error) << "\n" << srv.describe();
    EXPECT_EQ(r.unexpected_data, "");
    EXPECT_TRUE(std::strcmp(r.error.category().name(), "awsio-tls-peer-alert") == 0)
        << describe_error(r.error) << "\n"
        << srv.describe();
    EXPECT_TRUE(is_tls_error(tls::to_io_error(r.error, r.during_handshake))) << describe_error(r.error);
}

TEST(gnutls_interop, tls12_server_mutual_tls) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    server_config sc = tls12_server_config();
    sc.client_ca = "root_ca.pem";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = gnutls_cli_argv((*srv)->port(), "root_ca.pem", tls12_priority());
    argv.insert(argv.end() - 1, {"--x509certfile", x509_fixture("client_chain.pem"), "--x509keyfile",
                                 x509_fixture("client.key")});
    auto run = run_gnutls_cli(argv, {"with client certificate"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
    EXPECT_TRUE(sessions[0].negotiated.peer_verified);
    EXPECT_EQ(sessions[0].negotiated.peer_certificates.size(), 2u);
    EXPECT_NE(run.output.find("Successfully sent 2 certificate(s) to server"), std::string::npos) << run.output;
}

TEST(gnutls_interop, tls12_server_mutual_tls_without_client_certificate) {
    AWSIO_REQUIRE_GNUTLS_CLI();
    server_config sc = tls12_server_config();
    sc.client_ca = "root_ca.pem";
    auto ctx = make_server_context(sc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_gnutls_cli(gnutls_cli_argv((*srv)->port(), "root_ca.pem", tls12_priority()), {"no certificate"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_TRUE(sessions[0].handshake_error) << run.output;
    EXPECT_TRUE(std::strcmp(sessions[0].handshake_error.category().name(), "awsio-tls") == 0)
        << describe_error(sessions[0].handshake_error);
    EXPECT_NE(run.exit_code, std::optional<int>(0)) << run.output;
}

} // namespace
