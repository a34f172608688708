// state_machine_test.cpp — the TLS 1.3 client and server state machines driven message by
// message (no record layer): a real handshake between an awsio client machine and an awsio
// server machine is replayed up to every state each side passes through, and there every
// handshake type the transition table does not declare for that state is delivered instead of
// the expected message. Each must be answered with unexpected_message, and the machine must
// stay failed afterwards.
#include <awsio/tls/context.hpp>

#include "tls/codec/handshake.hpp"
#include "tls/codec/tls_error.hpp"
#include "tls/handshake/common.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace awsio::tls {
namespace {

using codec::handshake_type;

std::string slurp(const std::string &name) {
    std::ifstream in(std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Collects what a machine sends; record protection and the rest are not modelled.
class recorder final : public handshake_output {
public:
    std::vector<codec::handshake_message> sent;
    bool complete = false;

    void send_handshake(bytes_view message) override {
        codec::handshake_message m;
        m.type = static_cast<handshake_type>(message[0]);
        m.bytes.assign(message.begin(), message.end());
        sent.push_back(std::move(m));
    }
    void send_change_cipher_spec() override {}
    result<void> set_read_protection(std::unique_ptr<record::record_protection>) override { return {}; }
    void set_write_protection(std::unique_ptr<record::record_protection>) override {}
    void set_version(codec::protocol_version) override {}
    result<void> set_peer_record_size_limit(std::uint16_t) override { return {}; }
    void skip_early_data(std::size_t, bool) override {}
    void handshake_complete(handshake_summary) override { complete = true; }
    void log_secret(std::string_view, bytes_view, bytes_view) override {}
    void send_alert(alert_level, alert_description) override {}

    /// Takes everything sent so far.
    std::vector<codec::handshake_message> take() { return std::exchange(sent, {}); }
};

/// Every handshake type a TLS 1.3 peer could put on the wire.
const std::vector<handshake_type> all_types = {
    handshake_type::hello_request,        handshake_type::client_hello,
    handshake_type::server_hello,         handshake_type::new_session_ticket,
    handshake_type::end_of_early_data,    handshake_type::encrypted_extensions,
    handshake_type::certificate,          handshake_type::server_key_exchange,
    handshake_type::certificate_request,  handshake_type::server_hello_done,
    handshake_type::certificate_verify,   handshake_type::client_key_exchange,
    handshake_type::finished,             handshake_type::certificate_status,
    handshake_type::key_update,           handshake_type::message_hash,
};

/// A message of `type` with an empty body: the type alone must decide.
codec::handshake_message bare(handshake_type type) {
    codec::handshake_message m;
    m.type = type;
    m.bytes = {static_cast<std::uint8_t>(type), 0, 0, 0};
    return m;
}

struct scenario {
    bool mutual_tls = false;
    bool hello_retry = false;
};

struct contexts {
    std::shared_ptr<const context> client;
    std::shared_ptr<const context> server;
};

contexts make_contexts(const scenario &sc) {
    auto so = tls_ctx_options::default_server(slurp("ecdsa_p256_leaf_chain.pem"), slurp("ecdsa_p256_leaf.key"));
    if (sc.mutual_tls) {
        so.verify_peer = true;
        EXPECT_TRUE(so.override_default_trust_store(slurp("root_ca.pem")));
    }
    if (sc.hello_retry) {
        so.groups = {"secp384r1"};
    }
    auto co = sc.mutual_tls ? tls_ctx_options::client_mtls(slurp("client_chain.pem"), slurp("client.key"))
                            : tls_ctx_options::default_client();
    EXPECT_TRUE(co.override_default_trust_store(slurp("ecdsa_p256_root_ca.pem")));
    auto s = context::create_server(so);
    auto c = context::create_client(co);
    EXPECT_TRUE(s) << s.error().message();
    EXPECT_TRUE(c) << c.error().message();
    return {c ? *c : nullptr, s ? *s : nullptr};
}

/// One run of a handshake, message by message. `intercept(side, index, machine, out)` is asked
/// before the index-th message a side receives (counting from 0 over the whole run) and may
/// stop the run by returning true.
struct handshake_run {
    std::unique_ptr<handshake_machine> client;
    std::unique_ptr<handshake_machine> server;
    recorder client_out;
    recorder server_out;

    explicit handshake_run(const contexts &ctx) {
        // No server name: no ticket is cached, so every run is a full handshake like the first.
        client = make_client_machine(ctx.client->config(), connection_params{"", {}});
        server = make_server_machine(ctx.server->config());
    }

    using interceptor = std::function<bool(bool to_client, std::size_t index, handshake_machine &m, recorder &out)>;

    /// Plays the handshake to the end (both connected, tickets delivered) unless stopped.
    /// Returns the types each side received, in order.
    std::pair<std::vector<handshake_type>, std::vector<handshake_type>> play(const interceptor &intercept) {
        std::vector<handshake_type> to_client;
        std::vector<handshake_type> to_server;
        EXPECT_TRUE(client->start(client_out));
        for (int round = 0; round < 10; ++round) {
            bool moved = false;
            for (auto &m : client_out.take()) {
                moved = true;
                if (intercept && intercept(false, to_server.size(), *server, server_out)) {
                    return {to_client, to_server};
                }
                to_server.push_back(m.type);
                auto r = server->handle(m, server_out);
                EXPECT_TRUE(r) << "server, message " << to_server.size() << ": " << r.error().message();
                if (!r) {
                    return {to_client, to_server};
                }
            }
            for (auto &m : server_out.take()) {
                moved = true;
                if (intercept && intercept(true, to_client.size(), *client, client_out)) {
                    return {to_client, to_server};
                }
                to_client.push_back(m.type);
                auto r = client->handle(m, client_out);
                EXPECT_TRUE(r) << "client, message " << to_client.size() << ": " << r.error().message();
                if (!r) {
                    return {to_client, to_server};
                }
            }
            if (!moved) {
                break;
            }
        }
        // Connected: one more slot per side where only post-handshake messages are legal.
        if (intercept) {
            (void)intercept(true, to_client.size(), *client, client_out);
            (void)intercept(false, to_server.size(), *server, server_out);
        }
        return {to_client, to_server};
    }
};

/// What each side may receive at each point: the message the real handshake delivers there, and
/// after the handshake the post-handshake messages.
std::set<handshake_type> legal_at(const std::vector<handshake_type> &received, std::size_t index, bool client_side) {
    if (index < received.size()) {
        std::set<handshake_type> legal{received[index]};
        const handshake_type expected = received[index];
        // Where the server may either ask for a certificate or send its own, both are declared.
        if (client_side && (expected == handshake_type::certificate_request ||
                            (expected == handshake_type::certificate && index > 0 &&
                             received[index - 1] == handshake_type::encrypted_extensions))) {
            legal.insert(handshake_type::certificate_request);
            legal.insert(handshake_type::certificate);
        }
        // Once connected, NewSessionTicket and KeyUpdate are always legal for a client.
        if (client_side && expected == handshake_type::new_session_ticket) {
            legal.insert(handshake_type::key_update);
        }
        return legal;
    }
    if (client_side) {
        return {handshake_type::new_session_ticket, handshake_type::key_update};
    }
    return {handshake_type::key_update};
}

void check_every_undeclared_pair(const scenario &sc) {
    const contexts ctx = make_contexts(sc);
    ASSERT_TRUE(ctx.client && ctx.server);

    // A clean run first: what each side receives, in order.
    handshake_run reference(ctx);
    auto [to_client, to_server] = reference.play({});
    ASSERT_TRUE(reference.client->is_connected());
    ASSERT_TRUE(reference.server->is_connected());
    if (sc.hello_retry) {
        ASSERT_EQ(std::count(to_client.begin(), to_client.end(), handshake_type::server_hello), 2);
    }
    if (sc.mutual_tls) {
        ASSERT_NE(std::find(to_client.begin(), to_client.end(), handshake_type::certificate_request),
                  to_client.end());
    }

    std::size_t checked = 0;
    for (const bool client_side : {true, false}) {
        const auto &received = client_side ? to_client : to_server;
        for (std::size_t index = 0; index <= received.size(); ++index) {
            const auto legal = legal_at(received, index, client_side);
            for (const handshake_type wrong : all_types) {
                if (legal.count(wrong) != 0) {
                    continue;
                }
                handshake_run run(ctx);
                bool delivered = false;
                (void)run.play([&](bool to_client_side, std::size_t at, handshake_machine &m, recorder &out) {
                    if (to_client_side != client_side || at != index || delivered) {
                        return false;
                    }
                    delivered = true;
                    auto r = m.handle(bare(wrong), out);
                    EXPECT_FALSE(r) << (client_side ? "client" : "server") << " at message " << index << " accepted type "
                                    << static_cast<int>(wrong);
                    if (!r) {
                        EXPECT_EQ(r.error(), make_error_code(errc::unexpected_message))
                            << (client_side ? "client" : "server") << " at message " << index << ", type "
                            << static_cast<int>(wrong) << ": " << r.error().message();
                    }
                    // A failed machine accepts nothing more, not even the right message.
                    if (index < received.size()) {
                        EXPECT_FALSE(m.handle(bare(received[index]), out));
                    }
                    return true;
                });
                EXPECT_TRUE(delivered) << "no slot " << index << " on the " << (client_side ? "client" : "server");
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 50u);
}

TEST(tls13_state_machines, every_undeclared_pair_is_unexpected_message) { check_every_undeclared_pair({}); }

TEST(tls13_state_machines, every_undeclared_pair_is_unexpected_message_with_client_auth) {
    check_every_undeclared_pair({.mutual_tls = true});
}

TEST(tls13_state_machines, every_undeclared_pair_is_unexpected_message_after_hello_retry) {
    check_every_undeclared_pair({.hello_retry = true});
}

TEST(tls13_state_machines, key_update_before_connected_is_internal_error) {
    const contexts ctx = make_contexts({});
    ASSERT_TRUE(ctx.client && ctx.server);
    handshake_run run(ctx);
    ASSERT_TRUE(run.client->start(run.client_out));
    EXPECT_EQ(run.client->send_key_update(false, run.client_out).error(), make_error_code(errc::internal_error));
    EXPECT_EQ(run.server->send_key_update(false, run.server_out).error(), make_error_code(errc::internal_error));
}

TEST(tls13_state_machines, compat_change_cipher_spec_window) {
    const contexts ctx = make_contexts({});
    ASSERT_TRUE(ctx.client && ctx.server);
    handshake_run run(ctx);
    EXPECT_FALSE(run.server->accepts_compat_ccs()); // before any ClientHello
    (void)run.play([](bool, std::size_t, handshake_machine &, recorder &) { return false; });
    ASSERT_TRUE(run.client->is_connected());
    ASSERT_TRUE(run.server->is_connected());
    // After the peer's Finished no change_cipher_spec is acceptable on either side.
    EXPECT_FALSE(run.client->accepts_compat_ccs());
    EXPECT_FALSE(run.server->accepts_compat_ccs());
    EXPECT_EQ(run.client->handle_change_cipher_spec(run.client_out).error(), make_error_code(errc::unexpected_message));
}

} // namespace
} // namespace awsio::tls
