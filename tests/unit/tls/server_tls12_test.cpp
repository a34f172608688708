// server_tls12_test.cpp — the TLS 1.2 server machine (src/tls/handshake/server_tls12.cpp).
//
// Part 1 drives the machine message by message (no record layer) with a minimal TLS 1.2 client
// written here from the RFCs: ClientHello checks and their alerts, the ServerHello it answers,
// a full handshake checked against independently computed Finished values, session-id and ticket
// resumption, RFC 7627 5.3, renegotiation refusal, undeclared (state, message) pairs, and the
// strictness of the ticket state format.
//
// Part 2 runs `openssl s_client -tls1_2` on 127.0.0.1 against an awsio server: every suite with
// ECDSA and RSA certificates, every group, ALPN, session-id and ticket resumption, mutual TLS,
// CBC-only clients, clients without the extended master secret, TLS_FALLBACK_SCSV and
// renegotiation.
#include "support/blocking_tls.hpp"
#include "support/openssl_peers.hpp"
#include "support/peer_process.hpp"
#include "support/tls_test_contexts.hpp"

#include "tls/codec/handshake.hpp"
#include "tls/codec/tls_error.hpp"
#include "tls/handshake/common.hpp"
#include "tls/handshake/server_tls13.hpp"
#include "tls/handshake/tls12.hpp"
#include "tls/key_schedule/tls12_keys.hpp"
#include "tls/key_schedule/transcript_hash.hpp"

#include <awsio/error.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace awsio::tls {
namespace {

using codec::cipher_suite;
using codec::handshake_type;
using codec::named_group;
using codec::signature_scheme;
namespace ext = codec::ext;
using awsio::testing::x509_fixture;

std::shared_ptr<handshake_config> server_config(const std::string &chain = "ecdsa_p256_leaf_chain.pem",
                                                const std::string &key = "ecdsa_p256_leaf.key") {
    auto opts = tls_ctx_options::default_server(awsio::testing::read_text_file(x509_fixture(chain)),
                                                awsio::testing::read_text_file(x509_fixture(key)));
    auto ctx = context::create_server(opts);
    EXPECT_TRUE(ctx) << ctx.error().message();
    if (!ctx) {
        return nullptr;
    }
    return std::make_shared<handshake_config>(*(*ctx)->config());
}

/// Records what the machine does; record protection is not modelled.
class recorder final : public handshake_output {
public:
    std::vector<codec::handshake_message> sent;
    std::vector<std::pair<alert_level, alert_description>> alerts;
    int ccs_sent = 0;
    int read_keys = 0;
    int write_keys = 0;
    std::optional<handshake_summary> summary;
    std::optional<codec::protocol_version> version;
    std::vector<std::uint8_t> logged_master;

    void send_handshake(bytes_view message) override {
        codec::handshake_message m;
        m.type = static_cast<handshake_type>(message[0]);
        m.bytes.assign(message.begin(), message.end());
        sent.push_back(std::move(m));
    }
    void send_change_cipher_spec() override { ++ccs_sent; }
    result<void> set_read_protection(std::unique_ptr<record::record_protection> p) override {
        EXPECT_TRUE(p);
        ++read_keys;
        return {};
    }
    void set_write_protection(std::unique_ptr<record::record_protection> p) override {
        EXPECT_TRUE(p);
        ++write_keys;
    }
    void set_version(codec::protocol_version v) override { version = v; }
    result<void> set_peer_record_size_limit(std::uint16_t) override { return {}; }
    void skip_early_data(std::size_t, bool) override {}
    void handshake_complete(handshake_summary s) override { summary = std::move(s); }
    void log_secret(std::string_view label, bytes_view, bytes_view secret) override {
        if (label == "CLIENT_RANDOM") {
            logged_master.assign(secret.begin(), secret.end());
        }
    }
    void send_alert(alert_level l, alert_description d) override { alerts.emplace_back(l, d); }

    std::vector<codec::handshake_message> take() { return std::exchange(sent, {}); }
};

codec::handshake_message message_of(std::vector<std::uint8_t> bytes) {
    codec::handshake_message m;
    m.type = static_cast<handshake_type>(bytes.at(0));
    m.bytes = std::move(bytes);
    return m;
}

template <typename T>
codec::handshake_message message(const T &m) {
    return message_of(codec::serialize(m));
}

codec::handshake_message bare(handshake_type type) {
    return message_of({static_cast<std::uint8_t>(type), 0, 0, 0});
}

/// A TLS 1.2 ClientHello like a modern client's.
codec::client_hello tls12_hello() {
    codec::client_hello ch;
    ch.legacy_version = codec::protocol_version::tls12;
    for (std::size_t i = 0; i < ch.random.size(); ++i) {
        ch.random[i] = static_cast<std::uint8_t>(i + 1);
    }
    ch.cipher_suites = {cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256,
                        cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256,
                        cipher_suite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384,
                        cipher_suite::tls_empty_renegotiation_info_scsv};
    ch.extensions.add(ext::supported_groups{{named_group::x25519, named_group::secp256r1}});
    ch.extensions.add(ext::signature_algorithms{{signature_scheme::ecdsa_secp256r1_sha256,
                                                 signature_scheme::rsa_pss_rsae_sha256,
                                                 signature_scheme::rsa_pkcs1_sha256}});
    ch.extensions.add(ext::extended_master_secret{});
    return ch;
}

/// Feeds one ClientHello to a fresh machine.
std::error_code hello_error(std::shared_ptr<handshake_config> cfg, const codec::client_hello &ch,
                            recorder *rec_out = nullptr) {
    auto m = make_server_tls12_machine(std::move(cfg));
    recorder rec;
    auto r = m->handle(message(ch), rec_out != nullptr ? *rec_out : rec);
    return r ? std::error_code() : r.error();
}

std::error_code tls_err(errc e) { return make_error_code(e); }

/// The client side of a TLS 1.2 handshake, computed here from RFC 5246 / 7627 / 8422.
struct test_client {
    std::shared_ptr<handshake_config> cfg;
    std::unique_ptr<handshake_machine> server;
    recorder rec;
    codec::client_hello ch;
    codec::server_hello sh;
    std::optional<transcript_hash> transcript;
    crypto::secret_buffer master;
    suite_params suite;
    std::vector<std::uint8_t> ticket; ///< the NewSessionTicket received, if any

    explicit test_client(std::shared_ptr<handshake_config> c, codec::client_hello hello)
        : cfg(std::move(c)), server(make_server_tls12_machine(cfg)), ch(std::move(hello)) {}

    crypto::provider &p() { return *cfg->provider; }

    /// ClientHello -> ServerHello flight. Returns the handshake types received.
    std::vector<handshake_type> hello() {
        auto chm = message(ch);
        auto r = server->handle(chm, rec);
        EXPECT_TRUE(r) << (r ? "" : r.error().message());
        auto flight = rec.take();
        std::vector<handshake_type> types;
        for (const auto &m : flight) {
            types.push_back(m.type);
        }
        if (flight.empty() || flight[0].type != handshake_type::server_hello) {
            ADD_FAILURE() << "no ServerHello";
            return types;
        }
        auto decoded = codec::decode_server_hello(flight[0].body());
        EXPECT_TRUE(decoded);
        sh = *decoded;
        suite = *lookup_suite(sh.cipher_suite);
        transcript.emplace(*transcript_hash::create(p(), suite.hash));
        transcript->update(chm.bytes);
        for (const auto &m : flight) {
            if (m.type == handshake_type::server_key_exchange) {
                auto ske = codec::decode_server_key_exchange_ecdhe(m.body());
                EXPECT_TRUE(ske);
                ske_ = *ske;
            }
            if (m.type == handshake_type::finished) {
                check_server_finished(m); // abbreviated handshake
            }
            if (m.type == handshake_type::new_session_ticket) {
                take_ticket(m);
            }
            transcript->update(m.bytes);
        }
        return types;
    }

    void take_ticket(const codec::handshake_message &m) {
        auto nst = codec::decode_new_session_ticket_tls12(m.body());
        ASSERT_TRUE(nst);
        ticket = nst->ticket;
    }

    void check_server_finished(const codec::handshake_message &m) {
        auto h = transcript->current();
        ASSERT_TRUE(h);
        auto expected = tls12_finished_verify_data(p(), tls12_prf_hash(suite.aead), master.view(),
                                                   tls12_finished_sender::server, h->view());
        ASSERT_TRUE(expected);
        auto fin = codec::decode_finished(m.body(), 12);
        ASSERT_TRUE(fin);
        EXPECT_TRUE(std::equal(expected->begin(), expected->end(), fin->verify_data.begin(), fin->verify_data.end()))
            << "server Finished does not verify";
        server_finished_checked = true;
    }

    /// The ClientKeyExchange message (and the master secret it leads to).
    codec::handshake_message key_exchange() {
        auto kp = p().generate_key_exchange(*to_crypto_group(ske_.group));
        EXPECT_TRUE(kp);
        auto shared = p().key_agreement(kp->key, ske_.public_key);
        EXPECT_TRUE(shared);
        auto cke = message(codec::client_key_exchange_ecdhe{kp->public_bytes});
        transcript->update(cke.bytes);
        const bool ems = sh.extensions.contains(codec::extension_type::extended_master_secret);
        if (ems) {
            auto h = transcript->current();
            master = std::move(*tls12_extended_master_secret(p(), tls12_prf_hash(suite.aead), shared->view(), h->view()));
        } else {
            master = std::move(*tls12_master_secret(p(), tls12_prf_hash(suite.aead), shared->view(), ch.random,
                                                    sh.random));
        }
        return cke;
    }

    codec::handshake_message client_finished(bool corrupt = false) {
        auto h = transcript->current();
        auto vd = tls12_finished_verify_data(p(), tls12_prf_hash(suite.aead), master.view(),
                                             tls12_finished_sender::client, h->view());
        codec::finished f{std::vector<std::uint8_t>(vd->begin(), vd->end())};
        if (corrupt) {
            f.verify_data[0] ^= 1;
        }
        auto m = message(f);
        transcript->update(m.bytes);
        return m;
    }

    /// After the server flight of a full handshake: CKE, CCS, Finished; then the server's
    /// [NewSessionTicket] and Finished are checked.
    void finish_full() {
        ASSERT_TRUE(server->handle(key_exchange(), rec));
        ASSERT_TRUE(server->handle_change_cipher_spec(rec));
        ASSERT_TRUE(server->handle(client_finished(), rec));
        finish_server_side();
    }

    void finish_server_side() {
        for (const auto &m : rec.take()) {
            if (m.type == handshake_type::new_session_ticket) {
                take_ticket(m);
            } else if (m.type == handshake_type::finished) {
                check_server_finished(m);
            }
            transcript->update(m.bytes);
        }
    }

    bool server_finished_checked = false;
    codec::server_key_exchange_ecdhe ske_;
};

// ---- ClientHello checks ---------------------------------------------------------------------

TEST(server_tls12, refuses_versions_below_tls12) {
    auto ch = tls12_hello();
    ch.legacy_version = codec::protocol_version::tls11;
    EXPECT_EQ(hello_error(server_config(), ch), tls_err(errc::protocol_version));
}

TEST(server_tls12, fallback_scsv_while_tls13_enabled_is_inappropriate_fallback) {
    auto ch = tls12_hello();
    ch.cipher_suites.push_back(cipher_suite::tls_fallback_scsv);
    EXPECT_EQ(hello_error(server_config(), ch), tls_err(errc::inappropriate_fallback));
    // A server capped at TLS 1.2 is not being downgraded.
    auto cfg = server_config();
    cfg->max_version = codec::protocol_version::tls12;
    EXPECT_EQ(hello_error(cfg, ch), std::error_code());
}

TEST(server_tls12, client_without_extended_master_secret) {
    auto ch = tls12_hello();
    ch.extensions.entries.erase(std::remove_if(ch.extensions.entries.begin(), ch.extensions.entries.end(),
                                               [](const codec::extension &e) {
                                                   return codec::type_of(e) ==
                                                          codec::extension_type::extended_master_secret;
                                               }),
                                ch.extensions.entries.end());
    EXPECT_EQ(hello_error(server_config(), ch), tls_err(errc::handshake_failure));

    // Allowed when not required: the handshake completes with the RFC 5246 master secret.
    auto cfg = server_config();
    cfg->require_extended_master_secret = false;
    test_client c(cfg, ch);
    c.hello();
    EXPECT_FALSE(c.sh.extensions.contains(codec::extension_type::extended_master_secret));
    c.finish_full();
    EXPECT_TRUE(c.server_finished_checked);
    EXPECT_TRUE(c.rec.summary);
    EXPECT_EQ(cfg->tls12_sessions->size(), 0u) << "a session without EMS is never resumable";
}

TEST(server_tls12, cbc_only_client_gets_handshake_failure) {
    auto ch = tls12_hello();
    ch.cipher_suites = {static_cast<cipher_suite>(0xc013), static_cast<cipher_suite>(0xc014),
                        static_cast<cipher_suite>(0x002f)};
    EXPECT_EQ(hello_error(server_config(), ch), tls_err(errc::handshake_failure));
}

TEST(server_tls12, suite_needs_a_matching_certificate_key) {
    auto ch = tls12_hello();
    ch.cipher_suites = {cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256};
    EXPECT_EQ(hello_error(server_config(), ch), tls_err(errc::handshake_failure)); // ECDSA certificate
    EXPECT_EQ(hello_error(server_config("leaf_chain.pem", "leaf.key"), ch), std::error_code());
}

TEST(server_tls12, refuses_non_empty_renegotiation_info_in_initial_handshake) {
    auto ch = tls12_hello();
    ch.extensions.add(ext::renegotiation_info{{1, 2, 3}});
    EXPECT_EQ(hello_error(server_config(), ch), tls_err(errc::handshake_failure));
}

TEST(server_tls12, needs_signature_algorithms_and_a_common_group) {
    auto no_sigs = tls12_hello();
    no_sigs.extensions.entries.erase(std::remove_if(no_sigs.extensions.entries.begin(),
                                                    no_sigs.extensions.entries.end(),
                                                    [](const codec::extension &e) {
                                                        return std::holds_alternative<ext::signature_algorithms>(e);
                                                    }),
                                     no_sigs.extensions.entries.end());
    EXPECT_EQ(hello_error(server_config(), no_sigs), tls_err(errc::handshake_failure));

    auto rsa_only_sigs = tls12_hello();
    rsa_only_sigs.extensions.get<ext::signature_algorithms>()->schemes = {signature_scheme::rsa_pkcs1_sha256};
    EXPECT_EQ(hello_error(server_config(), rsa_only_sigs), tls_err(errc::handshake_failure));

    auto odd_group = tls12_hello();
    odd_group.extensions.get<ext::supported_groups>()->groups = {named_group::secp521r1};
    EXPECT_EQ(hello_error(server_config(), odd_group), tls_err(errc::handshake_failure));
}

TEST(server_tls12, alpn_without_overlap_is_no_application_protocol) {
    auto cfg = server_config();
    cfg->alpn = {"h2"};
    auto ch = tls12_hello();
    ch.extensions.add(ext::alpn{{"http/1.1"}});
    EXPECT_EQ(hello_error(cfg, ch), tls_err(errc::no_application_protocol));
    ch.extensions.get<ext::alpn>()->protocols = {"http/1.1", "h2"};
    test_client c(cfg, ch);
    c.hello();
    ASSERT_NE(c.sh.extensions.get<ext::alpn>(), nullptr);
    EXPECT_EQ(c.sh.extensions.get<ext::alpn>()->protocols, std::vector<std::string>{"h2"});
}

TEST(server_tls12, server_hello_answers_only_what_was_offered) {
    auto ch = tls12_hello();
    ch.cipher_suites.pop_back(); // no SCSV, no renegotiation_info
    test_client c(server_config(), ch);
    const auto types = c.hello();
    EXPECT_EQ(types, (std::vector<handshake_type>{handshake_type::server_hello, handshake_type::certificate,
                                                  handshake_type::server_key_exchange,
                                                  handshake_type::server_hello_done}));
    ASSERT_EQ(c.sh.extensions.size(), 1u);
    EXPECT_TRUE(c.sh.extensions.contains(codec::extension_type::extended_master_secret));
    EXPECT_EQ(c.sh.cipher_suite, cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256);
    EXPECT_EQ(c.sh.legacy_session_id_echo.size(), 32u);
    EXPECT_EQ(c.rec.version, std::optional(codec::protocol_version::tls12));
    // TLS 1.3 is enabled: the downgrade sentinel ends the random (RFC 8446 4.1.3).
    EXPECT_TRUE(std::equal(codec::downgrade_sentinel_tls12.begin(), codec::downgrade_sentinel_tls12.end(),
                           c.sh.random.end() - 8));
    EXPECT_EQ(c.ske_.group, named_group::x25519);
    EXPECT_EQ(c.ske_.algorithm, signature_scheme::ecdsa_secp256r1_sha256);

    auto full = tls12_hello();
    full.extensions.add(ext::ec_point_formats{});
    full.extensions.add(ext::session_ticket{});
    full.extensions.add(ext::server_name{"localhost"});
    full.extensions.get<ext::supported_groups>()->groups = {named_group::secp384r1, named_group::secp256r1};
    auto cfg = server_config();
    cfg->max_version = codec::protocol_version::tls12;
    test_client c2(cfg, full);
    c2.hello();
    EXPECT_TRUE(c2.sh.extensions.contains(codec::extension_type::renegotiation_info));
    EXPECT_TRUE(c2.sh.extensions.contains(codec::extension_type::ec_point_formats));
    EXPECT_TRUE(c2.sh.extensions.contains(codec::extension_type::session_ticket));
    EXPECT_FALSE(std::equal(codec::downgrade_sentinel_tls12.begin(), codec::downgrade_sentinel_tls12.end(),
                            c2.sh.random.end() - 8));
    EXPECT_EQ(c2.ske_.group, named_group::secp256r1) << "our order among the client's groups";
}

// ---- full handshake, resumption, connected --------------------------------------------------

TEST(server_tls12, full_handshake_matches_independent_computation) {
    auto cfg = server_config();
    auto ch = tls12_hello();
    ch.extensions.add(ext::server_name{"localhost"});
    test_client c(cfg, ch);
    c.hello();
    c.finish_full();
    EXPECT_TRUE(c.server_finished_checked);
    EXPECT_EQ(c.rec.ccs_sent, 1);
    EXPECT_EQ(c.rec.read_keys, 1);
    EXPECT_EQ(c.rec.write_keys, 1);
    ASSERT_TRUE(c.rec.summary);
    EXPECT_EQ(c.rec.summary->version, codec::protocol_version::tls12);
    EXPECT_EQ(c.rec.summary->suite, cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256);
    EXPECT_EQ(c.rec.summary->group, std::optional(named_group::x25519));
    EXPECT_EQ(c.rec.summary->server_name, "localhost");
    EXPECT_FALSE(c.rec.summary->resumed);
    EXPECT_TRUE(c.server->is_connected());
    EXPECT_EQ(c.rec.logged_master, std::vector<std::uint8_t>(c.master.view().begin(), c.master.view().end()));
    EXPECT_EQ(cfg->tls12_sessions->size(), 1u);
    EXPECT_EQ(c.server->send_key_update(false, c.rec).error(), tls_err(errc::unexpected_message));
}

TEST(server_tls12, bad_finished_is_decrypt_error_and_bad_point_illegal_parameter) {
    {
        test_client c(server_config(), tls12_hello());
        c.hello();
        ASSERT_TRUE(c.server->handle(c.key_exchange(), c.rec));
        ASSERT_TRUE(c.server->handle_change_cipher_spec(c.rec));
        EXPECT_EQ(c.server->handle(c.client_finished(true), c.rec).error(), tls_err(errc::decrypt_error));
    }
    {
        test_client c(server_config(), tls12_hello());
        c.hello();
        std::vector<std::uint8_t> zero(32, 0); // X25519 low-order point: all-zero shared secret
        EXPECT_EQ(c.server->handle(message(codec::client_key_exchange_ecdhe{zero}), c.rec).error(),
                  tls_err(errc::illegal_parameter));
    }
}

TEST(server_tls12, resumes_by_session_id) {
    auto cfg = server_config();
    test_client first(cfg, tls12_hello());
    first.hello();
    first.finish_full();
    ASSERT_TRUE(first.rec.summary);

    auto ch = tls12_hello();
    ch.random[0] ^= 0xff;
    ch.legacy_session_id = first.sh.legacy_session_id_echo;
    test_client second(cfg, ch);
    second.master = first.master.clone();
    const auto types = second.hello();
    EXPECT_EQ(types, (std::vector<handshake_type>{handshake_type::server_hello, handshake_type::finished}));
    EXPECT_EQ(second.sh.legacy_session_id_echo, ch.legacy_session_id);
    EXPECT_TRUE(second.server_finished_checked);
    EXPECT_EQ(second.rec.ccs_sent, 1);
    ASSERT_TRUE(second.server->handle_change_cipher_spec(second.rec));
    ASSERT_TRUE(second.server->handle(second.client_finished(), second.rec));
    ASSERT_TRUE(second.rec.summary);
    EXPECT_TRUE(second.rec.summary->resumed);
    EXPECT_EQ(second.rec.summary->suite, first.rec.summary->suite);

    // An unknown id: silently a full handshake with a new id.
    auto third_ch = tls12_hello();
    third_ch.legacy_session_id = std::vector<std::uint8_t>(32, 0x5a);
    test_client third(cfg, third_ch);
    const auto third_types = third.hello();
    EXPECT_EQ(third_types.size(), 4u);
    EXPECT_NE(third.sh.legacy_session_id_echo, third_ch.legacy_session_id);
}

TEST(server_tls12, resumes_by_ticket_and_renews_it) {
    auto cfg = server_config();
    cfg->tls12_sessions = nullptr; // tickets only: no session id assigned
    auto ch = tls12_hello();
    ch.extensions.add(ext::session_ticket{});
    test_client first(cfg, ch);
    first.hello();
    EXPECT_TRUE(first.sh.legacy_session_id_echo.empty());
    EXPECT_TRUE(first.sh.extensions.contains(codec::extension_type::session_ticket));
    first.finish_full();
    ASSERT_FALSE(first.ticket.empty());

    auto ch2 = tls12_hello();
    ch2.random[1] ^= 0xff;
    ch2.legacy_session_id = std::vector<std::uint8_t>(32, 0x11);
    ch2.extensions.add(ext::session_ticket{first.ticket});
    test_client second(cfg, ch2);
    second.master = first.master.clone();
    const auto types = second.hello();
    EXPECT_EQ(types, (std::vector<handshake_type>{handshake_type::server_hello, handshake_type::new_session_ticket,
                                                  handshake_type::finished}));
    EXPECT_EQ(second.sh.legacy_session_id_echo, ch2.legacy_session_id);
    EXPECT_TRUE(second.server_finished_checked);
    EXPECT_FALSE(second.ticket.empty());
    ASSERT_TRUE(second.server->handle_change_cipher_spec(second.rec));
    ASSERT_TRUE(second.server->handle(second.client_finished(), second.rec));
    ASSERT_TRUE(second.rec.summary);
    EXPECT_TRUE(second.rec.summary->resumed);

    // RFC 7627 5.3: the EMS session offered without EMS is refused outright.
    auto cfg_lax = std::make_shared<handshake_config>(*cfg);
    cfg_lax->require_extended_master_secret = false;
    auto ch3 = ch2;
    ch3.extensions.entries.erase(std::remove_if(ch3.extensions.entries.begin(), ch3.extensions.entries.end(),
                                                [](const codec::extension &e) {
                                                    return std::holds_alternative<ext::extended_master_secret>(e);
                                                }),
                                 ch3.extensions.entries.end());
    EXPECT_EQ(hello_error(cfg_lax, ch3), tls_err(errc::handshake_failure));

    // A forged ticket: silently a full handshake.
    auto ch4 = ch2;
    ch4.extensions.get<ext::session_ticket>()->ticket[20] ^= 1;
    test_client fourth(cfg, ch4);
    EXPECT_EQ(fourth.hello().size(), 4u);
}

TEST(server_tls12, connected_refuses_renegotiation_and_other_messages) {
    test_client c(server_config(), tls12_hello());
    c.hello();
    c.finish_full();
    ASSERT_TRUE(c.server->is_connected());
    ASSERT_TRUE(c.server->handle(message(tls12_hello()), c.rec));
    ASSERT_EQ(c.rec.alerts.size(), 1u);
    EXPECT_EQ(c.rec.alerts[0], std::make_pair(alert_level::warning, alert_description::no_renegotiation));
    EXPECT_TRUE(c.server->is_connected());
    EXPECT_EQ(c.server->handle(bare(handshake_type::finished), c.rec).error(), tls_err(errc::unexpected_message));
}

TEST(server_tls12, every_undeclared_pair_is_unexpected_message) {
    const std::vector<handshake_type> all = {
        handshake_type::hello_request,       handshake_type::client_hello,      handshake_type::server_hello,
        handshake_type::new_session_ticket,  handshake_type::certificate,       handshake_type::server_key_exchange,
        handshake_type::certificate_request, handshake_type::server_hello_done, handshake_type::certificate_verify,
        handshake_type::client_key_exchange, handshake_type::finished,          handshake_type::key_update};
    // expect_client_key_exchange
    for (const auto t : all) {
        if (t == handshake_type::client_key_exchange) {
            continue;
        }
        test_client c(server_config(), tls12_hello());
        c.hello();
        EXPECT_EQ(c.server->handle(bare(t), c.rec).error(), tls_err(errc::unexpected_message))
            << codec::name(t);
        EXPECT_EQ(c.server->handle(c.key_exchange(), c.rec).error(), tls_err(errc::unexpected_message))
            << "stays failed";
    }
    // expect_change_cipher_spec: no handshake message at all.
    for (const auto t : all) {
        test_client c(server_config(), tls12_hello());
        c.hello();
        ASSERT_TRUE(c.server->handle(c.key_exchange(), c.rec));
        EXPECT_EQ(c.server->handle(bare(t), c.rec).error(), tls_err(errc::unexpected_message)) << codec::name(t);
    }
    // expect_client_hello: only a ClientHello, and no ChangeCipherSpec.
    for (const auto t : all) {
        if (t == handshake_type::client_hello) {
            continue;
        }
        auto m = make_server_tls12_machine(server_config());
        recorder rec;
        EXPECT_EQ(m->handle(bare(t), rec).error(), tls_err(errc::unexpected_message)) << codec::name(t);
    }
    {
        auto m = make_server_tls12_machine(server_config());
        recorder rec;
        EXPECT_EQ(m->handle_change_cipher_spec(rec).error(), tls_err(errc::unexpected_message));
    }
    // ChangeCipherSpec before ClientKeyExchange.
    {
        test_client c(server_config(), tls12_hello());
        c.hello();
        EXPECT_EQ(c.server->handle_change_cipher_spec(c.rec).error(), tls_err(errc::unexpected_message));
    }
    // expect_client_certificate (client auth): a ClientKeyExchange instead.
    {
        auto cfg = server_config();
        cfg->client_auth = client_auth_mode::required;
        test_client c(cfg, tls12_hello());
        const auto types = c.hello();
        EXPECT_NE(std::find(types.begin(), types.end(), handshake_type::certificate_request), types.end());
        EXPECT_EQ(c.server->handle(c.key_exchange(), c.rec).error(), tls_err(errc::unexpected_message));
    }
    // Empty client certificate while required.
    {
        auto cfg = server_config();
        cfg->client_auth = client_auth_mode::required;
        test_client c(cfg, tls12_hello());
        c.hello();
        EXPECT_EQ(c.server->handle(message(codec::certificate_tls12{}), c.rec).error(),
                  tls_err(errc::handshake_failure));
    }
}

// ---- ticket state ---------------------------------------------------------------------------

tls12_server_session sample_session() {
    tls12_server_session s;
    s.suite = cipher_suite::tls_ecdhe_rsa_with_aes_256_gcm_sha384;
    std::vector<std::uint8_t> ms(48);
    for (std::size_t i = 0; i < ms.size(); ++i) {
        ms[i] = static_cast<std::uint8_t>(i * 7);
    }
    s.master_secret = std::make_shared<const crypto::secret_buffer>(ms);
    s.extended_master_secret = true;
    s.created_at_seconds = 0x0102030405060708ULL;
    s.alpn = "h2";
    s.server_name = "example.com";
    s.client_chain = {{1, 2, 3}, {4, 5}};
    s.client_verified = true;
    return s;
}

std::vector<std::uint8_t> bytes_of(const crypto::secret_buffer &b) { return {b.view().begin(), b.view().end()}; }

TEST(server_tls12, ticket_state_round_trip) {
    const auto s = sample_session();
    const auto bytes = serialize_tls12_ticket_state(s);
    ASSERT_FALSE(bytes.empty());
    auto back = parse_tls12_ticket_state(bytes.view());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->suite, s.suite);
    EXPECT_TRUE(*back->master_secret == *s.master_secret);
    EXPECT_EQ(back->extended_master_secret, s.extended_master_secret);
    EXPECT_EQ(back->created_at_seconds, s.created_at_seconds);
    EXPECT_EQ(back->alpn, s.alpn);
    EXPECT_EQ(back->server_name, s.server_name);
    EXPECT_EQ(back->client_chain, s.client_chain);
    EXPECT_EQ(back->client_verified, s.client_verified);
}

TEST(server_tls12, ticket_state_parsing_is_strict) {
    const auto good = bytes_of(serialize_tls12_ticket_state(sample_session()));
    ASSERT_TRUE(parse_tls12_ticket_state(good));
    // Every truncation fails.
    for (std::size_t n = 0; n < good.size(); ++n) {
        EXPECT_FALSE(parse_tls12_ticket_state(std::span(good).first(n))) << "truncated to " << n;
    }
    // Trailing bytes.
    auto longer = good;
    longer.push_back(0);
    EXPECT_FALSE(parse_tls12_ticket_state(longer));
    // Another version byte (1 is the TLS 1.3 ticket state's).
    for (const std::uint8_t v : {0x00, 0x01, 0x13, 0xff}) {
        auto other = good;
        other[0] = v;
        EXPECT_FALSE(parse_tls12_ticket_state(other)) << int(v);
    }
    // Master secret length other than 48.
    auto bad_len = good;
    bad_len[3] = 47;
    EXPECT_FALSE(parse_tls12_ticket_state(bad_len));
    // Flag byte not 0/1 (extended_master_secret follows the master secret).
    auto bad_flag = good;
    bad_flag[3 + 1 + 48] = 2;
    EXPECT_FALSE(parse_tls12_ticket_state(bad_flag));
    // A TLS 1.3 or unknown suite.
    auto tls13_suite = good;
    tls13_suite[1] = 0x13;
    tls13_suite[2] = 0x01;
    EXPECT_FALSE(parse_tls12_ticket_state(tls13_suite));
    // Neither version's format accepts the other's.
    server_ticket_state t13;
    t13.psk = crypto::secret_buffer(std::vector<std::uint8_t>(32, 9));
    const auto t13_bytes = serialize_ticket_state(t13);
    ASSERT_FALSE(t13_bytes.empty());
    EXPECT_FALSE(parse_tls12_ticket_state(t13_bytes.view()));
    EXPECT_FALSE(parse_ticket_state(good));
    // Without a 48-byte master secret nothing is serialized.
    auto no_ms = sample_session();
    no_ms.master_secret = nullptr;
    EXPECT_TRUE(serialize_tls12_ticket_state(no_ms).empty());
}

} // namespace
} // namespace awsio::tls

// =============================================================================================
// Part 2: openssl s_client -tls1_2 against an awsio server

namespace {

using namespace awsio;
using namespace awsio::testing;

#define AWSIO_REQUIRE_OPENSSL()                                                                                       \
    if (!has_program("openssl")) GTEST_SKIP() << "openssl not installed"

/// The awsio server of these tests accepts TLS 1.2 and TLS 1.3 (TLS 1.2 only with max_version).
server_config server_tls12_or_13() {
    server_config so;
    so.min_version = tls::tls_versions::tlsv1_2;
    return so;
}

std::vector<std::string> s_client12(std::uint16_t port, const std::string &ca = "root_ca.pem") {
    return s_client_argv(port, ca, "-tls1_2");
}

bool has(const std::string &text, const std::string &needle) { return text.find(needle) != std::string::npos; }

// ---- suites and groups ----------------------------------------------------------------------

using suite_case = openssl_tls12_suite;

class tls12_s_client_suites : public ::testing::TestWithParam<suite_case> {};

TEST_P(tls12_s_client_suites, server_exchanges_data) {
    AWSIO_REQUIRE_OPENSSL();
    const auto &sc = GetParam();
    server_config so = server_tls12_or_13();
    if (sc.ecdsa) {
        so.chain = "ecdsa_p256_leaf_chain.pem";
        so.key = "ecdsa_p256_leaf.key";
    }
    auto ctx = make_server_context(so);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client12((*srv)->port(), sc.ecdsa ? "ecdsa_p256_root_ca.pem" : "root_ca.pem");
    argv.insert(argv.end(), {"-cipher", sc.openssl});
    auto run = run_s_client(argv, {std::string("hello ") + sc.iana});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
    EXPECT_EQ(sessions[0].negotiated.cipher_suite, sc.iana);
    EXPECT_EQ(sessions[0].negotiated.server_name, "localhost");
    EXPECT_TRUE(has(run.output, std::string("Cipher is ") + sc.openssl)) << run.output;
    EXPECT_TRUE(has(run.output, "Verification: OK")) << run.output;
    EXPECT_TRUE(has(run.output, "Extended master secret: yes")) << run.output;
}

INSTANTIATE_TEST_SUITE_P(
    server_tls12, tls12_s_client_suites,
    ::testing::ValuesIn(openssl_tls12_suites),
    [](const ::testing::TestParamInfo<suite_case> &info) { return std::string(info.param.iana); });

class tls12_s_client_groups : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(tls12_s_client_groups, server_uses_group) {
    AWSIO_REQUIRE_OPENSSL();
    const auto &[ours, openssl_name] = GetParam();
    auto ctx = make_server_context(server_tls12_or_13());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client12((*srv)->port());
    argv.insert(argv.end(), {"-groups", openssl_name});
    auto run = run_s_client(argv, {"group " + ours});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.group, ours);
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
}

INSTANTIATE_TEST_SUITE_P(server_tls12, tls12_s_client_groups,
                         ::testing::Values(std::make_tuple("x25519", "X25519"), std::make_tuple("secp256r1", "P-256"),
                                           std::make_tuple("secp384r1", "P-384")),
                         [](const auto &info) { return std::get<0>(info.param); });

TEST(server_tls12_interop, alpn) {
    AWSIO_REQUIRE_OPENSSL();
    server_config so = server_tls12_or_13();
    so.alpn = "http/1.1;h2";
    auto ctx = make_server_context(so);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client12((*srv)->port());
    argv.insert(argv.end(), {"-alpn", "h2"});
    auto run = run_s_client(argv, {"alpn"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_EQ(sessions[0].negotiated.alpn, "h2");
    EXPECT_TRUE(has(run.output, "ALPN protocol: h2")) << run.output;
}

// ---- resumption -----------------------------------------------------------------------------

void check_resumption(const std::vector<std::string> &extra) {
    server_config so = server_tls12_or_13();
    so.alpn = "h2";
    auto ctx = make_server_context(so);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 2, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    temp_file session_file("");
    ASSERT_FALSE(session_file.path().empty());
    auto argv1 = s_client12((*srv)->port());
    argv1.insert(argv1.end(), extra.begin(), extra.end());
    argv1.insert(argv1.end(), {"-alpn", "h2", "-sess_out", session_file.path()});
    auto run1 = run_s_client(argv1, {"first"});
    EXPECT_TRUE(run1.all_echoed) << run1.output;
    EXPECT_TRUE(has(run1.output, "New, TLSv1.2")) << run1.output;
    auto argv2 = s_client12((*srv)->port());
    argv2.insert(argv2.end(), extra.begin(), extra.end());
    argv2.insert(argv2.end(), {"-alpn", "h2", "-sess_in", session_file.path()});
    auto run2 = run_s_client(argv2, {"second"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run2.all_echoed) << run2.output;
    ASSERT_EQ(sessions.size(), 2u);
    ASSERT_FALSE(sessions[1].handshake_error) << describe_error(sessions[1].handshake_error) << "\n" << run2.output;
    EXPECT_FALSE(sessions[0].negotiated.resumed);
    EXPECT_TRUE(sessions[1].negotiated.resumed);
    EXPECT_EQ(sessions[1].negotiated.alpn, "h2");
    EXPECT_EQ(sessions[1].negotiated.version, "TLSv1.2");
    EXPECT_TRUE(has(run2.output, "Reused, TLSv1.2")) << run2.output;
}

TEST(server_tls12_interop, session_id_resumption) {
    AWSIO_REQUIRE_OPENSSL();
    check_resumption({"-no_ticket"});
}

TEST(server_tls12_interop, ticket_resumption) {
    AWSIO_REQUIRE_OPENSSL();
    check_resumption({});
}

TEST(server_tls12_interop, ticket_issued) {
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_server_context(server_tls12_or_13());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_s_client(s_client12((*srv)->port()), {"ticket"});
    (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    EXPECT_TRUE(has(run.output, "TLS session ticket lifetime hint: 7200")) << run.output;
}

// ---- mutual TLS -----------------------------------------------------------------------------

TEST(server_tls12_interop, mutual_tls) {
    AWSIO_REQUIRE_OPENSSL();
    server_config so = server_tls12_or_13();
    so.client_ca = "root_ca.pem";
    auto ctx = make_server_context(so);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto client = split_chain(x509_fixture("client_chain.pem"));
    auto argv = s_client12((*srv)->port());
    argv.insert(argv.end(), {"-cert", client.leaf.path(), "-cert_chain", client.rest.path(), "-key",
                             x509_fixture("client.key")});
    auto run = run_s_client(argv, {"with client certificate"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    ASSERT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_TRUE(sessions[0].negotiated.peer_verified);
    EXPECT_EQ(sessions[0].negotiated.peer_certificates.size(), 2u);
    EXPECT_FALSE(sessions[0].negotiated.peer_signature_scheme.empty());
    EXPECT_EQ(sessions[0].negotiated.version, "TLSv1.2");
}

TEST(server_tls12_interop, mutual_tls_without_client_certificate) {
    AWSIO_REQUIRE_OPENSSL();
    server_config so = server_tls12_or_13();
    so.client_ca = "root_ca.pem";
    auto ctx = make_server_context(so);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto run = run_s_client(s_client12((*srv)->port()), {"no certificate"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].handshake_error, tls::make_error_code(tls::errc::handshake_failure))
        << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_TRUE(has(run.output, "alert handshake failure")) << run.output;
}

TEST(server_tls12_interop, mutual_tls_untrusted_client_certificate) {
    AWSIO_REQUIRE_OPENSSL();
    server_config so = server_tls12_or_13();
    so.client_ca = "ecdsa_p256_root_ca.pem"; // does not anchor client.pem
    auto ctx = make_server_context(so);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto client = split_chain(x509_fixture("client_chain.pem"));
    auto argv = s_client12((*srv)->port());
    argv.insert(argv.end(), {"-cert", client.leaf.path(), "-cert_chain", client.rest.path(), "-key",
                             x509_fixture("client.key")});
    auto run = run_s_client(argv, {"untrusted"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(tls::to_io_error(sessions[0].handshake_error, true),
              make_error_code(io_errc::tls_unknown_root_certificate))
        << describe_error(sessions[0].handshake_error) << "\n" << run.output;
    EXPECT_TRUE(has(run.output, "alert unknown ca")) << run.output;
}

// ---- refusals -------------------------------------------------------------------------------

/// One s_client run expected to fail the handshake; returns the server's handshake error.
std::error_code refused(const std::vector<std::string> &argv_extra, const std::string &alert_text,
                        const std::vector<std::string> &prefix = {}, const server_config &so = server_tls12_or_13()) {
    auto ctx = make_server_context(so);
    EXPECT_TRUE(ctx) << ctx.error().message();
    if (!ctx) {
        return {};
    }
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    EXPECT_TRUE(srv) << srv.error().message();
    if (!srv) {
        return {};
    }
    auto argv = prefix;
    auto base = s_client12((*srv)->port());
    argv.insert(argv.end(), base.begin(), base.end());
    argv.insert(argv.end(), argv_extra.begin(), argv_extra.end());
    auto run = run_s_client(argv, {"refused"});
    auto sessions = (*srv)->join();
    EXPECT_FALSE(run.all_echoed) << run.output;
    EXPECT_TRUE(has(run.output, alert_text)) << run.output;
    EXPECT_EQ(sessions.size(), 1u);
    return sessions.empty() ? std::error_code() : sessions[0].handshake_error;
}

TEST(server_tls12_interop, cbc_only_client_gets_handshake_failure) {
    AWSIO_REQUIRE_OPENSSL();
    EXPECT_EQ(refused({"-cipher", "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA"}, "alert handshake failure"),
              tls::make_error_code(tls::errc::handshake_failure));
}

TEST(server_tls12_interop, fallback_scsv_gets_inappropriate_fallback) {
    AWSIO_REQUIRE_OPENSSL();
    EXPECT_EQ(refused({"-fallback_scsv"}, "alert inappropriate fallback"),
              tls::make_error_code(tls::errc::inappropriate_fallback));
}

TEST(server_tls12_interop, fallback_scsv_accepted_when_tls12_is_our_maximum) {
    AWSIO_REQUIRE_OPENSSL();
    server_config so = server_tls12_or_13();
    so.max_version = tls::tls_versions::tlsv1_2;
    auto ctx = make_server_context(so);
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(1));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client12((*srv)->port());
    argv.push_back("-fallback_scsv");
    auto run = run_s_client(argv, {"fallback ok"});
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error);
}

TEST(server_tls12_interop, client_without_extended_master_secret_is_refused) {
    AWSIO_REQUIRE_OPENSSL();
    if (!has_program("env")) {
        GTEST_SKIP() << "env not installed";
    }
    // This OpenSSL's s_client has no -no_ems; the SSL_CONF option turns EMS off.
    temp_file conf("openssl_conf = conf_init\n[conf_init]\nssl_conf = ssl_sect\n[ssl_sect]\n"
                   "system_default = sys_sect\n[sys_sect]\nOptions = -ExtendedMasterSecret\n");
    ASSERT_FALSE(conf.path().empty());
    EXPECT_EQ(refused({}, "alert handshake failure", {"env", "OPENSSL_CONF=" + conf.path()}),
              tls::make_error_code(tls::errc::handshake_failure));
}

TEST(server_tls12_interop, renegotiation_is_refused_with_a_warning) {
    AWSIO_REQUIRE_OPENSSL();
    auto ctx = make_server_context(server_tls12_or_13());
    ASSERT_TRUE(ctx) << ctx.error().message();
    auto srv = tls_server_thread::start(*ctx, 1, echo_lines(2));
    ASSERT_TRUE(srv) << srv.error().message();
    auto argv = s_client12((*srv)->port());
    argv.push_back("-msg");
    auto run = run_s_client(argv, {"before", "R"}, "no_renegotiation");
    auto sessions = (*srv)->join();
    EXPECT_TRUE(run.all_echoed) << run.output;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_FALSE(sessions[0].handshake_error) << describe_error(sessions[0].handshake_error);
    EXPECT_EQ(sessions[0].received.substr(0, 7), "before\n");
    EXPECT_TRUE(has(run.output, "warning no_renegotiation")) << run.output;
}

} // namespace
