// client_tls12_test.cpp — the TLS 1.2 client handshake machine (src/tls/handshake/client_tls12.cpp):
//  * interop against `openssl s_server -tls1_2` on 127.0.0.1 through tls::connection: the six
//    ECDHE AEAD suites with ECDSA and RSA certificates, the three groups, ALPN, session-id and
//    ticket resumption, mutual TLS, the key log line (checked against s_server's -keylogfile);
//  * crafted ServerHellos fed to the client machine (a recorder stands in for the driver): every
//    check of the ServerHello and of a resumption answers with its alert, as do messages out of
//    order, a ChangeCipherSpec out of place and a KeyUpdate request.
#include "support/blocking_tls.hpp"
#include "support/openssl_peers.hpp"
#include "support/peer_process.hpp"
#include "support/tls_test_contexts.hpp"

#include "tls/codec/handshake.hpp"
#include "tls/codec/tls_error.hpp"
#include "tls/handshake/common.hpp"
#include "tls/key_schedule/tls12_keys.hpp"

#include <awsio/error.hpp>
#include <awsio/pem.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::testing;

namespace {

#define AWSIO_REQUIRE_OPENSSL()                                                                                       \
    if (!has_program("openssl")) GTEST_SKIP() << "openssl not installed"

// ------------------------------------------------------------------------------------------
// The peers: an awsio client offering TLS 1.2 and TLS 1.3 (TLS 1.2 only when max_version says
// so) and `openssl s_server -tls1_2 -rev` (reverses each line back)

client_config client_tls12_or_13() {
    client_config cc;
    cc.min_version = tls::tls_versions::tlsv1_2;
    return cc;
}

s_server_config s_server_tls12() {
    s_server_config cfg;
    cfg.version_flag = "-tls1_2";
    return cfg;
}

/// Connects, handshakes, sends a line and reads it back reversed, then closes.
client_outcome exchange_line(const std::shared_ptr<const tls::context> &ctx, std::uint16_t port,
                             const std::string &line = "hello from awsio over tls 1.2") {
    exchange_options x;
    x.lines = {line};
    return exchange_lines(ctx, port, x);
}

// ------------------------------------------------------------------------------------------
// Suites with their certificates

using suite_case = openssl_tls12_suite;

class tls12_suites : public ::testing::TestWithParam<suite_case> {};

TEST_P(tls12_suites, exchanges_data_with_s_server) {
    AWSIO_REQUIRE_OPENSSL();
    const auto &sc = GetParam();
    s_server_config cfg = s_server_tls12();
    if (sc.ecdsa) {
        cfg.chain = "ecdsa_p256_leaf_chain.pem";
        cfg.key = "ecdsa_p256_leaf.key";
    }
    cfg.extra = {"-cipher", sc.openssl};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();

    client_config cc = client_tls12_or_13();
    cc.ca = sc.ecdsa ? "ecdsa_p256_root_ca.pem" : "root_ca.pem";
    cc.suites = {sc.iana};
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_line(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.reply, reversed_line("hello from awsio over tls 1.2"));
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
    EXPECT_EQ(out.negotiated.cipher_suite, sc.iana);
    EXPECT_TRUE(out.negotiated.peer_verified);
    EXPECT_FALSE(out.negotiated.resumed);
    EXPECT_EQ(out.negotiated.server_name, "localhost");
    EXPECT_EQ(out.negotiated.peer_certificates.size(), 2u);
    if (sc.ecdsa) {
        EXPECT_EQ(out.negotiated.peer_signature_scheme, "ecdsa_secp256r1_sha256");
    } else {
        // OpenSSL prefers PSS with an RSA key when the client offers it.
        EXPECT_EQ(out.negotiated.peer_signature_scheme.rfind("rsa_", 0), 0u) << out.negotiated.peer_signature_scheme;
    }
    EXPECT_NE(srv.output().find(std::string("Ciphersuite: ") + sc.openssl), std::string::npos) << srv.describe();
}

INSTANTIATE_TEST_SUITE_P(
    client_tls12, tls12_suites,
    ::testing::ValuesIn(openssl_tls12_suites),
    [](const ::testing::TestParamInfo<suite_case> &info) { return std::string(info.param.iana); });

// ------------------------------------------------------------------------------------------
// Groups

struct group_case {
    const char *awsio;
    const char *openssl;
};

class tls12_groups : public ::testing::TestWithParam<group_case> {};

TEST_P(tls12_groups, key_exchange_with_s_server) {
    AWSIO_REQUIRE_OPENSSL();
    const auto &gc = GetParam();
    s_server_config cfg = s_server_tls12();
    cfg.extra = {"-groups", gc.openssl};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc = client_tls12_or_13();
    cc.groups = {gc.awsio};
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_line(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
    EXPECT_EQ(out.negotiated.group, gc.awsio);
    EXPECT_EQ(out.reply, reversed_line("hello from awsio over tls 1.2"));
}

INSTANTIATE_TEST_SUITE_P(client_tls12, tls12_groups,
                         ::testing::Values(group_case{"x25519", "X25519"}, group_case{"secp256r1", "P-256"},
                                           group_case{"secp384r1", "P-384"}),
                         [](const ::testing::TestParamInfo<group_case> &info) { return std::string(info.param.awsio); });

// ------------------------------------------------------------------------------------------
// Negotiation features

TEST(client_tls12, only_tls12_offered) {
    AWSIO_REQUIRE_OPENSSL();
    s_server srv(s_server_tls12());
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc = client_tls12_or_13();
    cc.max_version = tls::tls_versions::tlsv1_2;
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_line(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
}

TEST(client_tls12, alpn) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg = s_server_tls12();
    cfg.extra = {"-alpn", "http/1.1,h2"};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc = client_tls12_or_13();
    cc.alpn = "h2;http/1.1";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_line(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
    // s_server picks by its own preference among ours.
    EXPECT_EQ(out.negotiated.alpn, "http/1.1");
}

TEST(client_tls12, alpn_not_answered) {
    AWSIO_REQUIRE_OPENSSL();
    s_server srv(s_server_tls12());
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc = client_tls12_or_13();
    cc.alpn = "h2";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_line(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.alpn, "");
}

TEST(client_tls12, verification_failure_is_reported) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg = s_server_tls12();
    cfg.chain = "leaf_wrong_host_chain.pem";
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context(client_tls12_or_13());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_line(*ctx, srv.port());
    EXPECT_FALSE(out.handshake_ok);
    EXPECT_EQ(out.error, make_error_code(io_errc::tls_host_name_mismatch)) << describe_error(out.error);
}

// ------------------------------------------------------------------------------------------
// Resumption


/// The TLS 1.2 session the context cached for "localhost", if any.
std::optional<tls::tls12_session> cached_session(const std::shared_ptr<const tls::context> &ctx) {
    const auto &cfg = ctx->config();
    if (!cfg->sessions) {
        return std::nullopt;
    }
    return cfg->sessions->get12("localhost", cfg->provider->now_seconds());
}

TEST(client_tls12, resumes_with_session_id) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg = s_server_tls12();
    cfg.extra = {"-no_ticket", "-alpn", "h2"};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc = client_tls12_or_13();
    cc.alpn = "h2";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();

    auto first = exchange_line(*ctx, srv.port());
    ASSERT_FALSE(first.error) << describe_error(first.error) << "\n" << srv.describe();
    EXPECT_FALSE(first.negotiated.resumed);
    EXPECT_EQ(first.negotiated.alpn, "h2");
    auto session = cached_session(*ctx);
    ASSERT_TRUE(session.has_value());
    EXPECT_FALSE(session->session_id.empty());
    EXPECT_TRUE(session->ticket.empty());
    EXPECT_TRUE(session->extended_master_secret);
    EXPECT_EQ(session->lifetime_seconds, 7200u);
    EXPECT_EQ(session->alpn, "h2");

    auto second = exchange_line(*ctx, srv.port(), "resumed by id");
    ASSERT_FALSE(second.error) << describe_error(second.error) << "\n" << srv.describe();
    EXPECT_TRUE(second.negotiated.resumed) << srv.describe();
    EXPECT_EQ(second.negotiated.version, "TLSv1.2");
    EXPECT_EQ(second.reply, reversed_line("resumed by id"));
    EXPECT_EQ(second.negotiated.alpn, "h2");
    EXPECT_EQ(second.negotiated.cipher_suite, first.negotiated.cipher_suite);
    // The chain verified in the full handshake is reported again; nothing was signed.
    EXPECT_EQ(second.negotiated.peer_certificates, first.negotiated.peer_certificates);
    EXPECT_TRUE(second.negotiated.peer_verified);
    EXPECT_EQ(second.negotiated.peer_signature_scheme, "");
    EXPECT_EQ(second.negotiated.group, "");
    // s_server prints the peer's signature algorithms for full handshakes only.
    EXPECT_EQ(count_of(srv.output(), "Signature Algorithms:"), 1u) << srv.describe();
}

TEST(client_tls12, resumes_with_ticket) {
    AWSIO_REQUIRE_OPENSSL();
    s_server srv(s_server_tls12());
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context(client_tls12_or_13());
    ASSERT_TRUE(ctx) << ctx.error().message();

    auto first = exchange_line(*ctx, srv.port());
    ASSERT_FALSE(first.error) << describe_error(first.error) << "\n" << srv.describe();
    EXPECT_FALSE(first.negotiated.resumed);
    auto session = cached_session(*ctx);
    ASSERT_TRUE(session.has_value());
    EXPECT_FALSE(session->ticket.empty());
    EXPECT_GT(session->lifetime_seconds, 0u);

    auto second = exchange_line(*ctx, srv.port(), "resumed by ticket");
    ASSERT_FALSE(second.error) << describe_error(second.error) << "\n" << srv.describe();
    EXPECT_TRUE(second.negotiated.resumed) << srv.describe();
    EXPECT_EQ(second.reply, reversed_line("resumed by ticket"));
    EXPECT_EQ(second.negotiated.peer_certificates, first.negotiated.peer_certificates);

    // A third connection resumes too (with the ticket cached last).
    auto third = exchange_line(*ctx, srv.port(), "again");
    ASSERT_FALSE(third.error) << describe_error(third.error) << "\n" << srv.describe();
    EXPECT_TRUE(third.negotiated.resumed) << srv.describe();
    EXPECT_EQ(count_of(srv.output(), "Signature Algorithms:"), 1u) << srv.describe();
}

TEST(client_tls12, refused_session_falls_back_to_full_handshake) {
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_client_context(client_tls12_or_13());
    ASSERT_TRUE(ctx) << ctx.error().message();
    std::optional<tls::tls12_session> old;
    {
        s_server_config cfg = s_server_tls12();
        cfg.extra = {"-no_ticket"};
        s_server srv(cfg);
        ASSERT_TRUE(srv.ok()) << srv.why();
        auto first = exchange_line(*ctx, srv.port());
        ASSERT_FALSE(first.error) << describe_error(first.error) << "\n" << srv.describe();
        old = cached_session(*ctx);
        ASSERT_TRUE(old.has_value());
    }
    // Another process knows neither the session id nor the ticket key.
    s_server_config cfg = s_server_tls12();
    cfg.extra = {"-no_ticket"};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto second = exchange_line(*ctx, srv.port());
    ASSERT_FALSE(second.error) << describe_error(second.error) << "\n" << srv.describe();
    EXPECT_FALSE(second.negotiated.resumed);
    EXPECT_EQ(second.reply, reversed_line("hello from awsio over tls 1.2"));
    auto now = cached_session(*ctx);
    ASSERT_TRUE(now.has_value());
    EXPECT_NE(now->session_id, old->session_id);
}

// ------------------------------------------------------------------------------------------
// Mutual TLS

TEST(client_tls12, mutual_tls) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg = s_server_tls12();
    cfg.extra = {"-Verify", "1", "-verify_return_error", "-CAfile", x509_fixture("root_ca.pem")};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    client_config cc = client_tls12_or_13();
    cc.cert_chain = "client_chain.pem";
    cc.key = "client.key";
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_line(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();
    EXPECT_EQ(out.negotiated.version, "TLSv1.2");
    EXPECT_EQ(out.reply, reversed_line("hello from awsio over tls 1.2"));
    EXPECT_NE(srv.output().find("awsio test client"), std::string::npos) << srv.describe();
}

TEST(client_tls12, mutual_tls_without_certificate_is_refused) {
    AWSIO_REQUIRE_OPENSSL();
    s_server_config cfg = s_server_tls12();
    cfg.extra = {"-Verify", "1", "-verify_return_error", "-CAfile", x509_fixture("root_ca.pem")};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();
    auto ctx = make_client_context(client_tls12_or_13());
    ASSERT_TRUE(ctx) << ctx.error().message();
    // We answer with an empty Certificate; the server's alert comes before its Finished.
    auto out = exchange_line(*ctx, srv.port());
    EXPECT_FALSE(out.handshake_ok) << srv.describe();
    EXPECT_TRUE(out.error);
}

// ------------------------------------------------------------------------------------------
// Key log

TEST(client_tls12, key_log_matches_s_server) {
    AWSIO_REQUIRE_OPENSSL();
    temp_file server_log("");
    ASSERT_FALSE(server_log.path().empty());
    s_server_config cfg = s_server_tls12();
    cfg.extra = {"-keylogfile", server_log.path()};
    s_server srv(cfg);
    ASSERT_TRUE(srv.ok()) << srv.why();

    std::vector<std::string> lines;
    client_config cc = client_tls12_or_13();
    cc.key_log = [&lines](std::string_view label, std::span<const std::uint8_t> client_random,
                          std::span<const std::uint8_t> secret) {
        lines.push_back(tls::format_key_log_line(label, client_random, secret));
    };
    auto ctx = make_client_context(cc);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto out = exchange_line(*ctx, srv.port());
    ASSERT_FALSE(out.error) << describe_error(out.error) << "\n" << srv.describe();

    ASSERT_EQ(lines.size(), 1u);
    const std::string &line = lines.front();
    // "CLIENT_RANDOM <32 bytes hex> <48 bytes hex>\n"
    ASSERT_EQ(line.size(), std::string("CLIENT_RANDOM ").size() + 64 + 1 + 96 + 1) << line;
    EXPECT_EQ(line.rfind("CLIENT_RANDOM ", 0), 0u);
    EXPECT_EQ(line[14 + 64], ' ');
    EXPECT_EQ(line.back(), '\n');
    for (std::size_t i = 14; i + 1 < line.size(); ++i) {
        if (i != 14 + 64) {
            EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(line[i])) != 0) << line;
        }
    }
    // The same secret as the server's (case-insensitive hex).
    auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
        return s;
    };
    EXPECT_NE(lower(read_text_file(server_log.path())).find(lower(line)), std::string::npos)
        << line << "\n" << read_text_file(server_log.path());
}

// ------------------------------------------------------------------------------------------
// The machine fed crafted messages

using tls::codec::cipher_suite;
using tls::codec::handshake_type;
namespace ext = tls::codec::ext;

/// Stands in for the connection driver: records what the machine sends and reports.
class recorder final : public tls::handshake_output {
public:
    std::vector<tls::codec::handshake_message> sent;
    std::size_t ccs_sent = 0;
    std::size_t write_keys = 0;
    std::size_t read_keys = 0;
    std::vector<std::pair<tls::alert_level, tls::alert_description>> alerts;
    std::optional<tls::handshake_summary> summary;
    std::optional<tls::codec::protocol_version> version;
    std::vector<std::string> log_labels;

    void send_handshake(tls::bytes_view message) override {
        tls::codec::handshake_message m;
        m.type = static_cast<handshake_type>(message[0]);
        m.bytes.assign(message.begin(), message.end());
        sent.push_back(std::move(m));
    }
    void send_change_cipher_spec() override { ++ccs_sent; }
    result<void> set_read_protection(std::unique_ptr<tls::record::record_protection>) override {
        ++read_keys;
        return {};
    }
    void set_write_protection(std::unique_ptr<tls::record::record_protection>) override { ++write_keys; }
    void set_version(tls::codec::protocol_version v) override { version = v; }
    result<void> set_peer_record_size_limit(std::uint16_t) override { return {}; }
    void skip_early_data(std::size_t, bool) override {}
    void handshake_complete(tls::handshake_summary s) override { summary = std::move(s); }
    void log_secret(std::string_view label, tls::bytes_view, tls::bytes_view) override {
        log_labels.emplace_back(label);
    }
    void send_alert(tls::alert_level level, tls::alert_description description) override {
        alerts.emplace_back(level, description);
    }
};

tls::codec::handshake_message message_of(std::vector<std::uint8_t> bytes) {
    tls::codec::handshake_message m;
    m.type = static_cast<handshake_type>(bytes.at(0));
    m.bytes = std::move(bytes);
    return m;
}

tls::codec::handshake_message bare(handshake_type type) {
    return message_of({static_cast<std::uint8_t>(type), 0, 0, 0});
}

std::error_code err(tls::errc e) { return make_error_code(e); }

struct machine_fixture {
    std::shared_ptr<tls::handshake_config> config;
    std::unique_ptr<tls::handshake_machine> machine;
    recorder out;
    tls::codec::client_hello hello;
    std::vector<std::uint8_t> hello_bytes;

    explicit machine_fixture(const std::function<void(tls::handshake_config &)> &adjust = {}) {
        config = std::make_shared<tls::handshake_config>();
        config->min_version = tls::codec::protocol_version::tls12;
        config->max_version = tls::codec::protocol_version::tls13;
        config->cipher_suites = {cipher_suite::tls_aes_128_gcm_sha256,
                                 cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256,
                                 cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256};
        config->verify_peer = false;
        config->sessions = std::make_shared<tls::session_cache>();
        if (adjust) {
            adjust(*config);
        }
    }

    /// Creates the machine and sends the ClientHello.
    void start() {
        machine = tls::make_client_machine(config, {"example.com", {}});
        ASSERT_TRUE(machine);
        ASSERT_TRUE(machine->start(out));
        ASSERT_EQ(out.sent.size(), 1u);
        hello_bytes = out.sent.front().bytes;
        auto ch = tls::codec::decode_client_hello(out.sent.front().body());
        ASSERT_TRUE(ch);
        hello = std::move(*ch);
        out.sent.clear();
    }

    /// A TLS 1.2 ServerHello answering the ClientHello: ECDHE_ECDSA AES-128, EMS and
    /// renegotiation_info, a fresh session id.
    [[nodiscard]] tls::codec::server_hello server_hello() const {
        tls::codec::server_hello sh;
        sh.legacy_version = tls::codec::protocol_version::tls12;
        sh.random.fill(0x5a);
        sh.legacy_session_id_echo.assign(32, 0xee);
        sh.cipher_suite = cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256;
        sh.extensions.add(ext::extended_master_secret{});
        sh.extensions.add(ext::renegotiation_info{});
        return sh;
    }

    result<void> feed(const tls::codec::server_hello &sh) { return feed(tls::codec::serialize(sh)); }
    result<void> feed(std::vector<std::uint8_t> bytes) { return machine->handle(message_of(std::move(bytes)), out); }
};

std::error_code server_hello_error(const std::function<void(tls::codec::server_hello &)> &edit,
                                   const std::function<void(tls::handshake_config &)> &adjust = {}) {
    machine_fixture f(adjust);
    f.start();
    auto sh = f.server_hello();
    edit(sh);
    auto r = f.feed(sh);
    return r ? std::error_code{} : r.error();
}

TEST(client_tls12_machine, well_formed_server_hello_is_accepted) {
    machine_fixture f;
    f.start();
    ASSERT_TRUE(f.feed(f.server_hello()));
    EXPECT_EQ(f.out.version, tls::codec::protocol_version::tls12);
    EXPECT_FALSE(f.machine->is_connected());
    EXPECT_FALSE(f.machine->accepts_compat_ccs());
    // Full handshake: a Certificate is next, not a ServerHelloDone.
    EXPECT_EQ(f.machine->handle(bare(handshake_type::server_hello_done), f.out).error(),
              err(tls::errc::unexpected_message));
    // The machine stays failed.
    EXPECT_EQ(f.machine->handle(bare(handshake_type::certificate), f.out).error(), err(tls::errc::unexpected_message));
}

TEST(client_tls12_machine, unoffered_suite) {
    EXPECT_EQ(server_hello_error(
                  [](auto &sh) { sh.cipher_suite = cipher_suite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384; }),
              err(tls::errc::illegal_parameter));
}

TEST(client_tls12_machine, tls13_suite_in_tls12_server_hello) {
    EXPECT_EQ(server_hello_error([](auto &sh) { sh.cipher_suite = cipher_suite::tls_aes_128_gcm_sha256; }),
              err(tls::errc::illegal_parameter));
}

TEST(client_tls12_machine, missing_extended_master_secret) {
    auto drop_ems = [](tls::codec::server_hello &sh) {
        std::erase_if(sh.extensions.entries, [](const tls::codec::extension &e) {
            return std::holds_alternative<ext::extended_master_secret>(e);
        });
    };
    EXPECT_EQ(server_hello_error(drop_ems), err(tls::errc::handshake_failure));
    // Allowed when the configuration does not require it.
    EXPECT_EQ(server_hello_error(drop_ems, [](auto &c) { c.require_extended_master_secret = false; }),
              std::error_code{});
}

TEST(client_tls12_machine, unoffered_extension) {
    // record_size_limit was not offered (the configuration sets no limit).
    EXPECT_EQ(server_hello_error([](auto &sh) { sh.extensions.add(ext::record_size_limit{1024}); }),
              err(tls::errc::unsupported_extension));
    // An extension type we do not know at all.
    EXPECT_EQ(server_hello_error([](auto &sh) {
                  sh.extensions.add(ext::raw{static_cast<tls::codec::extension_type>(0x4242), {}});
              }),
              err(tls::errc::unsupported_extension));
    // ALPN while we offered none.
    EXPECT_EQ(server_hello_error([](auto &sh) { sh.extensions.add(ext::alpn{{"h2"}}); }),
              err(tls::errc::unsupported_extension));
}

TEST(client_tls12_machine, alpn_must_be_offered) {
    auto with_alpn = [](auto &c) { c.alpn = {"h2", "http/1.1"}; };
    EXPECT_EQ(server_hello_error([](auto &sh) { sh.extensions.add(ext::alpn{{"spdy/3"}}); }, with_alpn),
              err(tls::errc::illegal_parameter));
    EXPECT_EQ(server_hello_error([](auto &sh) { sh.extensions.add(ext::alpn{{"http/1.1"}}); }, with_alpn),
              std::error_code{});
}

TEST(client_tls12_machine, renegotiation_info_must_be_empty) {
    EXPECT_EQ(server_hello_error([](tls::codec::server_hello &sh) {
                  sh.extensions.get<ext::renegotiation_info>()->renegotiated_connection = {1, 2, 3};
              }),
              err(tls::errc::handshake_failure));
}

TEST(client_tls12_machine, downgrade_sentinel_when_tls13_offered) {
    auto sentinel = [](tls::codec::server_hello &sh) {
        std::copy(tls::codec::downgrade_sentinel_tls12.begin(), tls::codec::downgrade_sentinel_tls12.end(),
                  sh.random.end() - 8);
    };
    EXPECT_EQ(server_hello_error(sentinel), err(tls::errc::illegal_parameter));
    // A client that offered only TLS 1.2 has nothing to detect.
    EXPECT_EQ(server_hello_error(sentinel, [](auto &c) { c.max_version = tls::codec::protocol_version::tls12; }),
              std::error_code{});
}

TEST(client_tls12_machine, server_version_tls11) {
    EXPECT_EQ(server_hello_error([](auto &sh) { sh.legacy_version = static_cast<tls::codec::protocol_version>(0x0302); }),
              err(tls::errc::protocol_version));
}

TEST(client_tls12_machine, echo_of_unoffered_session) {
    // In compatibility mode the ClientHello carries a random session id; echoing it claims a
    // resumption of a session never offered.
    machine_fixture f;
    f.start();
    ASSERT_EQ(f.hello.legacy_session_id.size(), 32u);
    auto sh = f.server_hello();
    sh.legacy_session_id_echo = f.hello.legacy_session_id;
    EXPECT_EQ(f.feed(sh).error(), err(tls::errc::illegal_parameter));
}

TEST(client_tls12_machine, key_update_and_misplaced_change_cipher_spec) {
    machine_fixture f;
    f.start();
    ASSERT_TRUE(f.feed(f.server_hello()));
    EXPECT_EQ(f.machine->send_key_update(false, f.out).error(), err(tls::errc::unexpected_message));
    EXPECT_EQ(f.machine->handle_change_cipher_spec(f.out).error(), err(tls::errc::unexpected_message));
}

// --- resumption, computed end to end with a known master secret ---

constexpr std::uint8_t master_byte = 0x3c;

struct resumption_fixture : machine_fixture {
    std::vector<std::uint8_t> id = std::vector<std::uint8_t>(32, 0x77);

    explicit resumption_fixture(bool ems = true,
                                const std::function<void(tls::handshake_config &)> &adjust = {})
        : machine_fixture(adjust) {
        tls::tls12_session s;
        s.suite = cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256;
        s.session_id = id;
        s.master_secret = std::make_shared<const crypto::secret_buffer>(std::vector<std::uint8_t>(48, master_byte));
        s.extended_master_secret = ems;
        s.lifetime_seconds = 3600;
        s.received_at_seconds = config->provider->now_seconds();
        s.alpn = "h2";
        s.peer_chain = {{1, 2, 3}};
        config->sessions->put12("example.com", std::move(s));
    }

    [[nodiscard]] tls::codec::server_hello resuming_hello() const {
        auto sh = server_hello();
        sh.legacy_session_id_echo = id;
        return sh;
    }

    /// verify_data over SHA-256 of `messages` with the known master secret.
    static std::vector<std::uint8_t> verify_data(tls::tls12_finished_sender sender,
                                                 const std::vector<std::uint8_t> &messages) {
        auto &p = crypto::openssl_provider();
        auto h = p.hash(crypto::hash_algorithm::sha256, messages);
        EXPECT_TRUE(h);
        const std::vector<std::uint8_t> master(48, master_byte);
        auto v = tls::tls12_finished_verify_data(p, crypto::hash_algorithm::sha256, master, sender, h->view());
        EXPECT_TRUE(v);
        return {v->begin(), v->end()};
    }
};

TEST(client_tls12_machine, resumption_offers_cached_session) {
    resumption_fixture f;
    f.start();
    EXPECT_EQ(f.hello.legacy_session_id, f.id);
}

TEST(client_tls12_machine, resumption_with_other_suite) {
    resumption_fixture f;
    f.start();
    auto sh = f.resuming_hello();
    sh.cipher_suite = cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256;
    EXPECT_EQ(f.feed(sh).error(), err(tls::errc::illegal_parameter));
}

TEST(client_tls12_machine, resumption_with_other_ems_use) {
    // RFC 7627 5.3, both directions.
    {
        resumption_fixture f(true, [](auto &c) { c.require_extended_master_secret = false; });
        f.start();
        auto sh = f.resuming_hello();
        std::erase_if(sh.extensions.entries, [](const tls::codec::extension &e) {
            return std::holds_alternative<ext::extended_master_secret>(e);
        });
        EXPECT_EQ(f.feed(sh).error(), err(tls::errc::handshake_failure));
    }
    {
        resumption_fixture f(false, [](auto &c) { c.require_extended_master_secret = false; });
        f.start();
        ASSERT_EQ(f.hello.legacy_session_id, f.id);
        EXPECT_EQ(f.feed(f.resuming_hello()).error(), err(tls::errc::handshake_failure));
    }
}

TEST(client_tls12_machine, refused_session_is_forgotten) {
    resumption_fixture f;
    f.start();
    ASSERT_TRUE(f.feed(f.server_hello())); // another session id: full handshake
    EXPECT_FALSE(f.config->sessions->get12("example.com", f.config->provider->now_seconds()).has_value());
}

TEST(client_tls12_machine, abbreviated_handshake) {
    resumption_fixture f;
    f.start();
    const auto sh_bytes = tls::codec::serialize(f.resuming_hello());
    ASSERT_TRUE(f.feed(sh_bytes));
    // The server's Finished must come after its ChangeCipherSpec.
    std::vector<std::uint8_t> transcript = f.hello_bytes;
    transcript.insert(transcript.end(), sh_bytes.begin(), sh_bytes.end());
    const auto server_verify = resumption_fixture::verify_data(tls::tls12_finished_sender::server, transcript);
    const auto server_finished = tls::codec::serialize(tls::codec::finished{server_verify});

    ASSERT_TRUE(f.machine->handle_change_cipher_spec(f.out));
    EXPECT_EQ(f.out.read_keys, 1u);
    EXPECT_EQ(f.out.write_keys, 0u);
    ASSERT_TRUE(f.feed(server_finished));
    ASSERT_TRUE(f.machine->is_connected());

    // Our ChangeCipherSpec and Finished, over ClientHello .. server Finished.
    EXPECT_EQ(f.out.ccs_sent, 1u);
    EXPECT_EQ(f.out.write_keys, 1u);
    ASSERT_EQ(f.out.sent.size(), 1u);
    transcript.insert(transcript.end(), server_finished.begin(), server_finished.end());
    EXPECT_EQ(f.out.sent[0].bytes,
              tls::codec::serialize(tls::codec::finished{
                  resumption_fixture::verify_data(tls::tls12_finished_sender::client, transcript)}));

    ASSERT_TRUE(f.out.summary.has_value());
    EXPECT_EQ(f.out.summary->version, tls::codec::protocol_version::tls12);
    EXPECT_TRUE(f.out.summary->resumed);
    EXPECT_EQ(f.out.summary->suite, cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256);
    EXPECT_EQ(f.out.summary->server_name, "example.com");
    EXPECT_EQ(f.out.summary->peer_chain, (std::vector<std::vector<std::uint8_t>>{{1, 2, 3}}));
    EXPECT_FALSE(f.out.summary->group.has_value());
    // The session's master secret, under this connection's client random.
    EXPECT_EQ(f.out.log_labels, std::vector<std::string>{"CLIENT_RANDOM"});

    // Connected: a HelloRequest is refused with a warning; the connection stays up.
    ASSERT_TRUE(f.machine->handle(bare(handshake_type::hello_request), f.out));
    ASSERT_EQ(f.out.alerts.size(), 1u);
    EXPECT_EQ(f.out.alerts[0].first, tls::alert_level::warning);
    EXPECT_EQ(f.out.alerts[0].second, tls::alert_description::no_renegotiation);
    EXPECT_TRUE(f.machine->is_connected());
    EXPECT_EQ(f.machine->send_key_update(true, f.out).error(), err(tls::errc::unexpected_message));
    EXPECT_EQ(f.machine->handle_change_cipher_spec(f.out).error(), err(tls::errc::unexpected_message));
}

TEST(client_tls12_machine, hello_request_during_the_handshake_is_ignored) {
    // RFC 5246 7.4.1.1: ignored while negotiating, and not part of the transcript.
    resumption_fixture f;
    f.start();
    const auto sh_bytes = tls::codec::serialize(f.resuming_hello());
    ASSERT_TRUE(f.feed(sh_bytes));
    ASSERT_TRUE(f.machine->handle(bare(handshake_type::hello_request), f.out));
    EXPECT_TRUE(f.out.alerts.empty());
    std::vector<std::uint8_t> transcript = f.hello_bytes;
    transcript.insert(transcript.end(), sh_bytes.begin(), sh_bytes.end());
    ASSERT_TRUE(f.machine->handle_change_cipher_spec(f.out));
    ASSERT_TRUE(f.machine->handle(bare(handshake_type::hello_request), f.out));
    ASSERT_TRUE(f.feed(tls::codec::serialize(tls::codec::finished{
        resumption_fixture::verify_data(tls::tls12_finished_sender::server, transcript)})));
    EXPECT_TRUE(f.machine->is_connected());
    EXPECT_TRUE(f.out.alerts.empty());
}

TEST(client_tls12_machine, abbreviated_handshake_with_new_ticket) {
    resumption_fixture f;
    f.start();
    auto sh = f.resuming_hello();
    sh.extensions.add(ext::session_ticket{});
    const auto sh_bytes = tls::codec::serialize(sh);
    ASSERT_TRUE(f.feed(sh_bytes));
    // The NewSessionTicket announced by the ServerHello is mandatory.
    {
        resumption_fixture g;
        g.start();
        ASSERT_TRUE(g.feed(sh_bytes));
        EXPECT_EQ(g.machine->handle_change_cipher_spec(g.out).error(), err(tls::errc::unexpected_message));
    }
    const auto nst = tls::codec::serialize(tls::codec::new_session_ticket_tls12{0, {9, 9, 9, 9}});
    ASSERT_TRUE(f.feed(nst));
    std::vector<std::uint8_t> transcript = f.hello_bytes;
    transcript.insert(transcript.end(), sh_bytes.begin(), sh_bytes.end());
    transcript.insert(transcript.end(), nst.begin(), nst.end());
    ASSERT_TRUE(f.machine->handle_change_cipher_spec(f.out));
    ASSERT_TRUE(f.feed(tls::codec::serialize(tls::codec::finished{
        resumption_fixture::verify_data(tls::tls12_finished_sender::server, transcript)})));
    ASSERT_TRUE(f.machine->is_connected());
    // The session is kept with its new ticket (lifetime hint 0: the default).
    auto s = f.config->sessions->get12("example.com", f.config->provider->now_seconds());
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->ticket, (std::vector<std::uint8_t>{9, 9, 9, 9}));
    EXPECT_EQ(s->session_id, f.id);
    EXPECT_EQ(s->lifetime_seconds, 7200u);
}

TEST(client_tls12_machine, abbreviated_handshake_bad_finished) {
    resumption_fixture f;
    f.start();
    ASSERT_TRUE(f.feed(f.resuming_hello()));
    ASSERT_TRUE(f.machine->handle_change_cipher_spec(f.out));
    EXPECT_EQ(f.feed(tls::codec::serialize(tls::codec::finished{std::vector<std::uint8_t>(12, 0)})).error(),
              err(tls::errc::decrypt_error));
    EXPECT_FALSE(f.machine->is_connected());
    EXPECT_FALSE(f.out.summary.has_value());
}

// --- the server's full-handshake flight ---

/// DER objects of a fixture PEM file.
std::vector<std::vector<std::uint8_t>> der_objects(const std::string &name) {
    std::vector<std::vector<std::uint8_t>> out;
    auto objs = pem_parse(read_text_file(x509_fixture(name)));
    EXPECT_TRUE(objs) << name;
    if (objs) {
        for (auto &o : *objs) {
            out.push_back(o.data);
        }
    }
    return out;
}

/// A started machine past a full-handshake ServerHello for `suite`.
struct full_fixture : machine_fixture {
    tls::codec::server_hello sh;

    explicit full_fixture(cipher_suite suite = cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256) {
        start();
        sh = server_hello();
        sh.cipher_suite = suite;
        EXPECT_TRUE(feed(sh));
    }

    result<void> feed_ecdsa_certificate() {
        return feed(tls::codec::serialize(tls::codec::certificate_tls12{der_objects("ecdsa_p256_leaf_chain.pem")}));
    }

    /// A ServerKeyExchange for x25519 signed with the ECDSA leaf's key (`corrupt`: a flipped
    /// signature byte).
    tls::codec::server_key_exchange_ecdhe key_exchange(bool corrupt = false) {
        auto &p = *config->provider;
        tls::codec::server_key_exchange_ecdhe ske;
        ske.group = tls::codec::named_group::x25519;
        auto kp = p.generate_key_exchange(crypto::key_exchange_group::x25519);
        EXPECT_TRUE(kp);
        ske.public_key = kp->public_bytes;
        ske.algorithm = tls::codec::signature_scheme::ecdsa_secp256r1_sha256;
        std::vector<std::uint8_t> content(hello.random.begin(), hello.random.end());
        content.insert(content.end(), sh.random.begin(), sh.random.end());
        tls::codec::writer w(content);
        tls::codec::encode_ecdhe_params(w, ske);
        auto key = p.import_private_key_der(der_objects("ecdsa_p256_leaf.key").at(0));
        EXPECT_TRUE(key);
        auto sig = p.sign(*key, {crypto::signature_algorithm::ecdsa, crypto::hash_algorithm::sha256, std::nullopt},
                          content);
        EXPECT_TRUE(sig);
        ske.signature = *sig;
        if (corrupt) {
            ske.signature[ske.signature.size() / 2] ^= 0x01;
        }
        return ske;
    }
};

TEST(client_tls12_machine, certificate_key_must_fit_suite) {
    full_fixture f(cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256);
    EXPECT_EQ(f.feed_ecdsa_certificate().error(), err(tls::errc::illegal_parameter));
    full_fixture g;
    EXPECT_TRUE(g.feed_ecdsa_certificate());
}

TEST(client_tls12_machine, empty_server_certificate) {
    full_fixture f;
    EXPECT_EQ(f.feed(tls::codec::serialize(tls::codec::certificate_tls12{})).error(), err(tls::errc::decode_error));
}

TEST(client_tls12_machine, server_key_exchange_group_not_offered) {
    full_fixture f;
    ASSERT_TRUE(f.feed_ecdsa_certificate());
    auto ske = f.key_exchange();
    ske.group = tls::codec::named_group::x448;
    EXPECT_EQ(f.feed(tls::codec::serialize(ske)).error(), err(tls::errc::illegal_parameter));
}

TEST(client_tls12_machine, server_key_exchange_scheme_not_for_key) {
    full_fixture f;
    ASSERT_TRUE(f.feed_ecdsa_certificate());
    auto ske = f.key_exchange();
    ske.algorithm = tls::codec::signature_scheme::rsa_pkcs1_sha256;
    EXPECT_EQ(f.feed(tls::codec::serialize(ske)).error(), err(tls::errc::illegal_parameter));
}

TEST(client_tls12_machine, server_key_exchange_bad_signature) {
    full_fixture f;
    ASSERT_TRUE(f.feed_ecdsa_certificate());
    EXPECT_EQ(f.feed(tls::codec::serialize(f.key_exchange(true))).error(), err(tls::errc::decrypt_error));
}

TEST(client_tls12_machine, full_flight_after_server_hello_done) {
    full_fixture f;
    ASSERT_TRUE(f.feed_ecdsa_certificate());
    ASSERT_TRUE(f.feed(tls::codec::serialize(f.key_exchange())));
    EXPECT_TRUE(f.out.sent.empty());
    ASSERT_TRUE(f.feed(tls::codec::serialize(tls::codec::server_hello_done{})));
    // ClientKeyExchange, then ChangeCipherSpec and Finished under the new write keys.
    ASSERT_EQ(f.out.sent.size(), 2u);
    EXPECT_EQ(f.out.sent[0].type, handshake_type::client_key_exchange);
    auto cke = tls::codec::decode_client_key_exchange_ecdhe(f.out.sent[0].body());
    ASSERT_TRUE(cke);
    EXPECT_EQ(cke->public_key.size(), 32u);
    EXPECT_EQ(f.out.sent[1].type, handshake_type::finished);
    EXPECT_EQ(f.out.sent[1].bytes.size(), 4u + 12u);
    EXPECT_EQ(f.out.ccs_sent, 1u);
    EXPECT_EQ(f.out.write_keys, 1u);
    EXPECT_EQ(f.out.read_keys, 0u);
    EXPECT_EQ(f.out.log_labels, std::vector<std::string>{"CLIENT_RANDOM"});
    // The server's Finished cannot come before its ChangeCipherSpec.
    EXPECT_EQ(f.feed(tls::codec::serialize(tls::codec::finished{std::vector<std::uint8_t>(12, 0)})).error(),
              err(tls::errc::unexpected_message));
}

TEST(client_tls12_machine, certificate_request_without_our_certificate) {
    full_fixture f;
    ASSERT_TRUE(f.feed_ecdsa_certificate());
    ASSERT_TRUE(f.feed(tls::codec::serialize(f.key_exchange())));
    tls::codec::certificate_request_tls12 cr;
    cr.certificate_types = {tls::codec::client_certificate_type::ecdsa_sign};
    cr.supported_signature_algorithms = {tls::codec::signature_scheme::ecdsa_secp256r1_sha256};
    ASSERT_TRUE(f.feed(tls::codec::serialize(cr)));
    // A second CertificateRequest is out of order.
    {
        full_fixture g;
        ASSERT_TRUE(g.feed_ecdsa_certificate());
        ASSERT_TRUE(g.feed(tls::codec::serialize(g.key_exchange())));
        ASSERT_TRUE(g.feed(tls::codec::serialize(cr)));
        EXPECT_EQ(g.feed(tls::codec::serialize(cr)).error(), err(tls::errc::unexpected_message));
    }
    ASSERT_TRUE(f.feed(tls::codec::serialize(tls::codec::server_hello_done{})));
    // No certificate configured: an empty Certificate, no CertificateVerify.
    ASSERT_EQ(f.out.sent.size(), 3u);
    EXPECT_EQ(f.out.sent[0].bytes, tls::codec::serialize(tls::codec::certificate_tls12{}));
    EXPECT_EQ(f.out.sent[1].type, handshake_type::client_key_exchange);
    EXPECT_EQ(f.out.sent[2].type, handshake_type::finished);
}

} // namespace
