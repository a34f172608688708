// tls/handshake/server_tls13.cpp — the TLS 1.3 server handshake (RFC 8446): ClientHello
// processing (suite, group, certificate, ALPN, ticket resumption), HelloRetryRequest, the server
// flight, optional client authentication, the client Finished, tickets and KeyUpdate.
//
// Legal transitions (state, message received -> next state). Every other pair, and any message
// after a failure, is unexpected_message.
//
//   state                              message             next state
//   ---------------------------------  ------------------  -----------------------------------
//   expect_client_hello                ClientHello         expect_second_client_hello (HRR sent)
//                                                          expect_client_certificate (CertificateRequest sent)
//                                                          expect_client_finished
//   expect_second_client_hello         ClientHello         expect_client_certificate
//                                                          expect_client_finished
//   expect_client_certificate          Certificate         expect_client_certificate_verify
//                                                          expect_client_finished (empty, auth optional)
//   expect_client_certificate_verify   CertificateVerify   expect_client_finished
//   expect_client_finished             Finished            connected (tickets sent)
//   connected                          KeyUpdate           connected
//
// Early data is never accepted, so EndOfEarlyData is never legal.
//
// A ClientHello that does not offer TLS 1.3 (or a configuration without it) is handed over to
// the TLS 1.2 server machine (tls12.hpp) in hand_over_to_tls12(); every later call is forwarded
// to that machine.
#include "tls/handshake/server_tls13.hpp"

#include "tls/handshake/tls12.hpp"

#include "tls/codec/reader.hpp"
#include "tls/codec/writer.hpp"
#include "tls/key_schedule/tls13_key_schedule.hpp"
#include "tls/key_schedule/transcript_hash.hpp"
#include "x509/certificate.hpp"
#include "x509/verifier.hpp"

#include <awsio/logging.hpp>

#include <algorithm>
#include <cctype>
#include <variant>

namespace awsio::tls {

namespace {

namespace ext = codec::ext;
using codec::handshake_type;

/// How much refused 0-RTT data the driver may skip: a client cannot have sent more than one
/// flight of early data before it sees our ServerHello, and we never announce a
/// max_early_data_size, so a few full records is generous.
constexpr std::size_t early_data_skip_limit = 16 * (16384 + 256);

/// Ticket lifetimes are capped at seven days (RFC 8446 4.6.1).
constexpr std::uint32_t max_ticket_lifetime = 604800;

/// Version byte of the ticket state format.
constexpr std::uint8_t ticket_state_version = 1;

// ---------------------------------------------------------------------------------------------
// Data carried from the ServerHello on

/// What the handshake established once the server flight is out; moved from state to state.
struct negotiated {
    negotiated(const suite_params &s, transcript_hash t) : suite(s), transcript(std::move(t)) {}

    suite_params suite;
    transcript_hash transcript;
    codec::random_bytes client_random{};
    crypto::secret_buffer client_handshake_secret;
    std::optional<tls13_master_secret> master;
    crypto::secret_buffer client_application_secret;
    crypto::secret_buffer server_application_secret;
    /// Largest plaintext we accept from the client (the record_size_limit we sent, minus the
    /// inner content type byte); 0: the default 2^14.
    std::size_t read_limit = 0;
    /// The client listed psk_dhe_ke, so tickets are of use to it (RFC 8446 4.2.9).
    bool client_accepts_tickets = false;
    handshake_summary summary;
};

// ---------------------------------------------------------------------------------------------
// States (each owns only its data; `expects` is the one message legal in it)

struct expect_client_hello {
    static constexpr handshake_type expects = handshake_type::client_hello;
};

struct expect_second_client_hello {
    static constexpr handshake_type expects = handshake_type::client_hello;
    transcript_hash transcript; // message_hash(ClientHello1) || HelloRetryRequest
    suite_params suite;
    codec::named_group group = codec::named_group::x25519;
    codec::random_bytes client_random{};
    std::vector<std::uint8_t> session_id;
    std::vector<codec::cipher_suite> offered_suites;
    bool ccs_sent = false;
    /// The cookie our HelloRetryRequest carried (RFC 8446 4.2.2), if any.
    std::optional<std::vector<std::uint8_t>> cookie;
};

struct expect_client_certificate {
    static constexpr handshake_type expects = handshake_type::certificate;
    negotiated n;
};

struct expect_client_certificate_verify {
    static constexpr handshake_type expects = handshake_type::certificate_verify;
    negotiated n;
    crypto::public_key client_key;
};

struct expect_client_finished {
    static constexpr handshake_type expects = handshake_type::finished;
    negotiated n;
};

struct connected {
    static constexpr handshake_type expects = handshake_type::key_update;
    suite_params suite;
    crypto::secret_buffer client_secret;
    crypto::secret_buffer server_secret;
    std::size_t read_limit = 0;
};

/// After an error: nothing is legal any more.
struct failed {};

using state = std::variant<expect_client_hello, expect_second_client_hello, expect_client_certificate,
                           expect_client_certificate_verify, expect_client_finished, connected, failed>;

// ---------------------------------------------------------------------------------------------
// Helpers

bool contains_version(const codec::client_hello &ch, codec::protocol_version v) {
    const auto *sv = ch.extensions.get<ext::supported_versions_client>();
    return sv != nullptr && std::find(sv->versions.begin(), sv->versions.end(), v) != sv->versions.end();
}

/// The schemes we accept in a client CertificateVerify (and list in CertificateRequest).
std::vector<codec::signature_scheme> tls13_schemes(const handshake_config &c) {
    std::vector<codec::signature_scheme> out;
    for (const auto s : c.signature_schemes) {
        if (lookup_scheme(s, true)) {
            out.push_back(s);
        }
    }
    return out;
}

template <typename T>
result<void> send_message(handshake_output &out, transcript_hash *transcript, const T &m) {
    auto bytes = codec::serialize(m);
    if (bytes.empty()) {
        return errc::internal_error;
    }
    if (transcript != nullptr) {
        transcript->update(bytes);
    }
    out.send_handshake(bytes);
    return {};
}

/// The certificate chosen for the handshake.
struct chosen_certificate {
    const certified_key *key = nullptr;
    codec::signature_scheme scheme = codec::signature_scheme::ecdsa_secp256r1_sha256;
    bool sni_matched = false;
};

/// A ticket that passed every check, binder included.
struct accepted_psk {
    std::uint16_t index = 0;
    server_ticket_state ticket;
    tls13_early_secret early;
};

// ---------------------------------------------------------------------------------------------
// The machine

class server_machine final : public handshake_machine {
public:
    server_machine(std::shared_ptr<const handshake_config> config, server_tls13_options options)
        : config_(std::move(config)), options_(std::move(options)), provider_(config_->provider) {}

    result<void> start(handshake_output & /*out*/) override { return {}; }

    result<void> handle(const codec::handshake_message &msg, handshake_output &out) override {
        if (tls12_) {
            return tls12_->handle(msg, out);
        }
        state current = std::move(state_);
        state_ = failed{};
        auto next = std::visit(
            [&](auto &&s) -> result<state> {
                using S = std::decay_t<decltype(s)>;
                if constexpr (std::is_same_v<S, failed>) {
                    return errc::unexpected_message;
                } else {
                    if (msg.type != S::expects) {
                        AWSIO_LOGF_DEBUG(log_subject::tls, "tls13 server: unexpected %s",
                                         codec::name(msg.type).data());
                        return errc::unexpected_message;
                    }
                    return on(std::move(s), msg, out);
                }
            },
            std::move(current));
        if (!next) {
            return next.error();
        }
        state_ = std::move(*next);
        return {};
    }

    [[nodiscard]] bool is_connected() const noexcept override {
        return tls12_ ? tls12_->is_connected() : std::holds_alternative<connected>(state_);
    }

    [[nodiscard]] bool accepts_compat_ccs() const noexcept override {
        return !tls12_ && (std::holds_alternative<expect_second_client_hello>(state_) ||
                           std::holds_alternative<expect_client_certificate>(state_) ||
                           std::holds_alternative<expect_client_certificate_verify>(state_) ||
                           std::holds_alternative<expect_client_finished>(state_));
    }

    result<void> handle_change_cipher_spec(handshake_output &out) override {
        if (tls12_) {
            return tls12_->handle_change_cipher_spec(out);
        }
        return errc::unexpected_message;
    }

    result<void> send_key_update(bool request_peer, handshake_output &out) override {
        if (tls12_) {
            return tls12_->send_key_update(request_peer, out);
        }
        auto *c = std::get_if<connected>(&state_);
        if (c == nullptr) {
            return errc::internal_error;
        }
        auto r = update_write_key(*c, request_peer, out);
        if (!r) {
            state_ = failed{};
        }
        return r;
    }

private:
    result<state> on(expect_client_hello &&s, const codec::handshake_message &msg, handshake_output &out);
    result<state> on(expect_second_client_hello &&s, const codec::handshake_message &msg, handshake_output &out);
    result<state> on(expect_client_certificate &&s, const codec::handshake_message &msg, handshake_output &out);
    result<state> on(expect_client_certificate_verify &&s, const codec::handshake_message &msg,
                     handshake_output &out);
    result<state> on(expect_client_finished &&s, const codec::handshake_message &msg, handshake_output &out);
    result<state> on(connected &&s, const codec::handshake_message &msg, handshake_output &out);

    /// Everything after the ClientHello that gets a ServerHello: PSK, certificate, ALPN, keys,
    /// and the server flight.
    result<state> negotiate(const codec::client_hello &ch, const codec::handshake_message &msg, transcript_hash transcript,
                            const suite_params &suite, codec::named_group group, const ext::key_share_entry &share,
                            bool hello_retry, bool ccs_sent, handshake_output &out);

    /// The point where a ClientHello that does not offer TLS 1.3 (or a configuration without
    /// it) leaves this machine: the TLS 1.2 server machine takes over, starting with this
    /// ClientHello.
    result<state> hand_over_to_tls12(const codec::client_hello & /*ch*/, const codec::handshake_message &msg,
                                     handshake_output &out) {
        if (config_->min_version > codec::protocol_version::tls12) {
            return errc::protocol_version;
        }
        tls12_ = make_server_tls12_machine(config_);
        if (!tls12_) {
            return errc::internal_error;
        }
        if (auto r = tls12_->handle(msg, out); !r) {
            return unexpected(r.error());
        }
        return failed{};
    }

    result<std::optional<accepted_psk>> try_resume(const codec::client_hello &ch, const codec::handshake_message &msg,
                                                   const transcript_hash &transcript, const suite_params &suite,
                                                   std::string_view sni);
    std::optional<chosen_certificate> choose_certificate(std::string_view sni,
                                                         std::span<const codec::signature_scheme> peer) const;
    result<std::string> choose_alpn(const codec::client_hello &ch) const;
    result<std::unique_ptr<record::record_protection>> protection(const suite_params &suite, bytes_view secret,
                                                                  std::size_t max_plaintext) const;
    result<void> update_write_key(connected &c, bool request_peer, handshake_output &out);
    result<void> send_tickets(negotiated &n, handshake_output &out);

    std::shared_ptr<const handshake_config> config_;
    server_tls13_options options_;
    crypto::provider *provider_;
    state state_ = expect_client_hello{};
    std::uint64_t tickets_sent_ = 0;
    /// Set once the client's hello led to TLS 1.2: every call goes there.
    std::unique_ptr<handshake_machine> tls12_;
};

result<std::unique_ptr<record::record_protection>> server_machine::protection(const suite_params &suite,
                                                                              bytes_view secret,
                                                                              std::size_t max_plaintext) const {
    AWSIO_CODEC_TRY(p, record::tls13_record_protection::create(*provider_, suite.aead, suite.hash, secret));
    auto ptr = std::make_unique<record::tls13_record_protection>(std::move(p));
    if (max_plaintext != 0) {
        ptr->set_max_plaintext(max_plaintext);
    }
    return std::unique_ptr<record::record_protection>(std::move(ptr));
}

// ---- ClientHello ----------------------------------------------------------------------------

result<state> server_machine::on(expect_client_hello && /*s*/, const codec::handshake_message &msg,
                                 handshake_output &out) {
    AWSIO_CODEC_TRY(ch, codec::decode_client_hello(msg.body()));

    // Only supported_versions decides (RFC 8446 4.2.1): legacy_version is 0x0303 in a TLS 1.3
    // ClientHello and is not otherwise looked at.
    const bool offers_tls13 = contains_version(ch, codec::protocol_version::tls13) &&
                              config_->max_version >= codec::protocol_version::tls13 &&
                              config_->min_version <= codec::protocol_version::tls13;
    if (!offers_tls13) {
        return hand_over_to_tls12(ch, msg, out);
    }

    if (ch.legacy_compression_methods.size() != 1 || ch.legacy_compression_methods[0] != 0) {
        return errc::illegal_parameter; // RFC 8446 4.1.2
    }

    // Suite: our order among what the client offers.
    std::optional<suite_params> suite;
    for (const auto s : config_->cipher_suites) {
        const auto params = lookup_suite(s);
        if (params && params->tls13 &&
            std::find(ch.cipher_suites.begin(), ch.cipher_suites.end(), s) != ch.cipher_suites.end()) {
            suite = params;
            break;
        }
    }
    if (!suite) {
        AWSIO_LOGF_DEBUG(log_subject::tls, "tls13 server: no common cipher suite");
        return errc::handshake_failure;
    }

    // Groups (RFC 8446 4.2.7, 4.2.8, 9.2): both extensions or neither; every share for a group
    // the client lists.
    const auto *groups = ch.extensions.get<ext::supported_groups>();
    const auto *shares = ch.extensions.get<ext::key_share_client>();
    if (groups == nullptr || shares == nullptr) {
        return errc::missing_extension;
    }
    for (const auto &share : shares->shares) {
        if (std::find(groups->groups.begin(), groups->groups.end(), share.group) == groups->groups.end()) {
            return errc::illegal_parameter;
        }
    }
    std::optional<codec::named_group> retry_group;
    for (const auto g : config_->groups) {
        if (!to_crypto_group(g) || std::find(groups->groups.begin(), groups->groups.end(), g) == groups->groups.end()) {
            continue;
        }
        for (const auto &share : shares->shares) {
            if (share.group == g) {
                auto t = transcript_hash::create(*provider_, suite->hash);
                if (!t) {
                    return unexpected(t.error());
                }
                return negotiate(ch, msg, std::move(*t), *suite, g, share, false, false, out);
            }
        }
        if (!retry_group) {
            retry_group = g;
        }
    }
    if (!retry_group) {
        AWSIO_LOGF_DEBUG(log_subject::tls, "tls13 server: no common group");
        return errc::handshake_failure;
    }

    // HelloRetryRequest (RFC 8446 4.1.4): the transcript restarts from message_hash(ClientHello1).
    AWSIO_CODEC_TRY(transcript, transcript_hash::create(*provider_, suite->hash));
    transcript.update(msg.bytes);
    AWSIO_CODEC_CHECK(transcript.rewrite_for_hello_retry());
    codec::server_hello hrr;
    hrr.legacy_version = codec::protocol_version::tls12;
    hrr.random = codec::hello_retry_request_random;
    hrr.legacy_session_id_echo = ch.legacy_session_id;
    hrr.cipher_suite = suite->suite;
    hrr.extensions.add(ext::key_share_hrr{*retry_group});
    hrr.extensions.add(ext::supported_versions_server{codec::protocol_version::tls13});
    if (options_.adjust_hello_retry_request) {
        options_.adjust_hello_retry_request(hrr);
    }
    std::optional<std::vector<std::uint8_t>> cookie;
    if (const auto *c = hrr.extensions.get<ext::cookie>()) {
        cookie = c->value;
    }
    AWSIO_CODEC_CHECK(send_message(out, &transcript, hrr));
    const bool ccs = !ch.legacy_session_id.empty();
    if (ccs) {
        out.send_change_cipher_spec();
    }
    if (ch.extensions.contains(codec::extension_type::early_data)) {
        out.skip_early_data(early_data_skip_limit, true);
    }
    AWSIO_LOGF_DEBUG(log_subject::tls, "tls13 server: HelloRetryRequest for %s", group_name(*retry_group).data());
    return expect_second_client_hello{std::move(transcript), *suite,         *retry_group,
                                      ch.random,             ch.legacy_session_id, ch.cipher_suites,
                                      ccs,                   std::move(cookie)};
}

result<state> server_machine::on(expect_second_client_hello &&s, const codec::handshake_message &msg,
                                 handshake_output &out) {
    AWSIO_CODEC_TRY(ch, codec::decode_client_hello(msg.body()));
    // RFC 8446 4.1.2: the second ClientHello repeats the first but for the key share, early
    // data, cookie, binders and padding.
    if (!contains_version(ch, codec::protocol_version::tls13) || ch.random != s.client_random ||
        ch.legacy_session_id != s.session_id || ch.cipher_suites != s.offered_suites ||
        ch.legacy_compression_methods.size() != 1 || ch.legacy_compression_methods[0] != 0 ||
        ch.extensions.contains(codec::extension_type::early_data)) {
        return errc::illegal_parameter;
    }
    // RFC 8446 4.2.2: the cookie of the HelloRetryRequest comes back unchanged; a client cannot
    // send one it was not given.
    const auto *cookie = ch.extensions.get<ext::cookie>();
    if (s.cookie.has_value() != (cookie != nullptr)) {
        return s.cookie ? errc::missing_extension : errc::illegal_parameter;
    }
    if (cookie != nullptr && cookie->value != *s.cookie) {
        return errc::illegal_parameter;
    }
    const auto *groups = ch.extensions.get<ext::supported_groups>();
    const auto *shares = ch.extensions.get<ext::key_share_client>();
    if (groups == nullptr || shares == nullptr) {
        return errc::missing_extension;
    }
    if (shares->shares.size() != 1 || shares->shares[0].group != s.group ||
        std::find(groups->groups.begin(), groups->groups.end(), s.group) == groups->groups.end()) {
        return errc::illegal_parameter; // RFC 8446 4.2.8
    }
    return negotiate(ch, msg, std::move(s.transcript), s.suite, s.group, shares->shares[0], true, s.ccs_sent, out);
}

result<std::optional<accepted_psk>> server_machine::try_resume(const codec::client_hello &ch,
                                                               const codec::handshake_message &msg,
                                                               const transcript_hash &transcript,
                                                               const suite_params &suite, std::string_view sni) {
    const auto *offered = ch.extensions.get<ext::pre_shared_key_client>();
    if (offered == nullptr) {
        return std::optional<accepted_psk>();
    }
    const auto *modes = ch.extensions.get<ext::psk_key_exchange_modes>();
    if (modes == nullptr) {
        return errc::missing_extension; // RFC 8446 4.2.9
    }
    // psk_ke (no key exchange) is not offered by this server: no forward secrecy.
    if (!config_->tickets || std::find(modes->modes.begin(), modes->modes.end(),
                                       codec::psk_key_exchange_mode::psk_dhe_ke) == modes->modes.end()) {
        return std::optional<accepted_psk>();
    }
    const std::uint64_t now = provider_->now_seconds();
    for (std::size_t i = 0; i < offered->identities.size() && i < offered->binders.size(); ++i) {
        std::optional<server_ticket_state> ticket;
        if (options_.open_ticket) {
            ticket = options_.open_ticket(offered->identities[i].identity);
        } else if (auto plain = config_->tickets->open(offered->identities[i].identity)) {
            ticket = parse_ticket_state(plain->view());
        }
        if (!ticket) {
            continue;
        }
        const auto ticket_suite = lookup_suite(ticket->suite);
        // RFC 8446 4.2.11: a PSK is usable only with a suite of the same hash.
        if (!ticket_suite || !ticket_suite->tls13 || ticket_suite->hash != suite.hash ||
            ticket->psk.size() != crypto::digest_size(suite.hash)) {
            continue;
        }
        if (now >= ticket->issued_at_seconds && now - ticket->issued_at_seconds > ticket->lifetime_seconds) {
            continue;
        }
        // A session belongs to the name it was established for (RFC 6066 3).
        if (!iequal(ticket->server_name, sni)) {
            continue;
        }
        if (config_->client_auth == client_auth_mode::required && ticket->client_chain.empty()) {
            continue;
        }
        // The binder covers the ClientHello up to the binders, after whatever precedes it in
        // the transcript (message_hash and HelloRetryRequest after a retry).
        AWSIO_CODEC_TRY(truncated, codec::truncated_client_hello(msg.bytes));
        AWSIO_CODEC_TRY(binder_hash, transcript.current_with(truncated));
        AWSIO_CODEC_TRY(early, tls13_early_secret::create(*provider_, suite.hash, ticket->psk.view()));
        AWSIO_CODEC_TRY(expected, early.binder(psk_binder_kind::resumption, binder_hash.view()));
        if (!verify_data_matches(expected, offered->binders[i])) {
            AWSIO_LOGF_DEBUG(log_subject::tls, "tls13 server: PSK binder mismatch");
            return errc::decrypt_error;
        }
        return std::optional<accepted_psk>(
            accepted_psk{static_cast<std::uint16_t>(i), std::move(*ticket), std::move(early)});
    }
    return std::optional<accepted_psk>();
}

std::optional<chosen_certificate> server_machine::choose_certificate(
    std::string_view sni, std::span<const codec::signature_scheme> peer) const {
    // Certificates naming the SNI first (in configuration order), then the rest with the
    // default (first) one leading; the first whose key can sign something the client accepts.
    const auto &certs = config_->certificates;
    for (const bool want_match : {true, false}) {
        if (want_match && sni.empty()) {
            continue;
        }
        for (const auto &ck : certs) {
            if (!ck) {
                continue;
            }
            const bool matched = !sni.empty() && certificate_matches(*ck, sni);
            if (matched != want_match) {
                continue;
            }
            if (auto scheme = choose_scheme(ck->key, config_->signature_schemes, peer, true)) {
                return chosen_certificate{ck.get(), *scheme, matched};
            }
        }
    }
    return std::nullopt;
}

result<std::string> server_machine::choose_alpn(const codec::client_hello &ch) const {
    const auto *offered = ch.extensions.get<ext::alpn>();
    if (config_->alpn.empty() || offered == nullptr) {
        return std::string();
    }
    for (const auto &p : config_->alpn) {
        if (std::find(offered->protocols.begin(), offered->protocols.end(), p) != offered->protocols.end()) {
            return p;
        }
    }
    return errc::no_application_protocol; // RFC 7301 3.2
}

result<state> server_machine::negotiate(const codec::client_hello &ch, const codec::handshake_message &msg,
                                        transcript_hash transcript, const suite_params &suite,
                                        codec::named_group group, const ext::key_share_entry &share,
                                        bool hello_retry, bool ccs_sent, handshake_output &out) {
    auto &p = *provider_;
    std::string sni;
    if (const auto *sn = ch.extensions.get<ext::server_name>()) {
        sni = sn->host_name;
    }

    // Authentication: a ticket, or a certificate.
    AWSIO_CODEC_TRY(psk, try_resume(ch, msg, transcript, suite, sni));
    std::optional<chosen_certificate> cert;
    if (!psk) {
        const auto *sigs = ch.extensions.get<ext::signature_algorithms>();
        if (sigs == nullptr) {
            return errc::missing_extension; // RFC 8446 4.2.3
        }
        cert = choose_certificate(sni, sigs->schemes);
        if (!cert) {
            AWSIO_LOGF_DEBUG(log_subject::tls, "tls13 server: no certificate for the client's signature schemes");
            return errc::handshake_failure;
        }
    }

    AWSIO_CODEC_TRY(alpn, choose_alpn(ch));

    std::size_t read_limit = 0;
    bool send_record_size_limit = false;
    if (const auto *rsl = ch.extensions.get<ext::record_size_limit>()) {
        AWSIO_CODEC_CHECK(out.set_peer_record_size_limit(rsl->limit));
        if (config_->record_size_limit != 0) {
            send_record_size_limit = true;
            // RFC 8449 4: in TLS 1.3 the limit counts the inner content type byte.
            read_limit = std::size_t{config_->record_size_limit} - 1;
        }
    }

    // Key exchange.
    const auto crypto_group = to_crypto_group(group);
    if (!crypto_group) {
        return errc::internal_error;
    }
    AWSIO_CODEC_TRY(keypair, p.generate_key_exchange(*crypto_group));
    auto shared = p.key_agreement(keypair.key, share.key_exchange);
    if (!shared) {
        AWSIO_LOGF_DEBUG(log_subject::tls, "tls13 server: invalid client key share");
        return errc::illegal_parameter;
    }

    // ServerHello.
    codec::server_hello sh;
    sh.legacy_version = codec::protocol_version::tls12;
    AWSIO_CODEC_CHECK(p.random_bytes(sh.random));
    sh.legacy_session_id_echo = ch.legacy_session_id;
    sh.cipher_suite = suite.suite;
    if (psk) {
        sh.extensions.add(ext::pre_shared_key_server{psk->index});
    }
    sh.extensions.add(ext::key_share_server{ext::key_share_entry{group, keypair.public_bytes}});
    sh.extensions.add(ext::supported_versions_server{codec::protocol_version::tls13});
    transcript.update(msg.bytes);
    AWSIO_CODEC_CHECK(send_message(out, &transcript, sh));
    out.set_version(codec::protocol_version::tls13);
    if (!ccs_sent && !ch.legacy_session_id.empty()) {
        out.send_change_cipher_spec(); // RFC 8446 D.4
    }
    if (!hello_retry && ch.extensions.contains(codec::extension_type::early_data)) {
        out.skip_early_data(early_data_skip_limit, false);
    }

    // Handshake keys. The client's handshake key goes in now even when it offered early data:
    // the driver skips the early records it cannot decrypt.
    result<tls13_early_secret> early =
        psk ? result<tls13_early_secret>(std::move(psk->early)) : tls13_early_secret::create(p, suite.hash);
    if (!early) {
        return unexpected(early.error());
    }
    AWSIO_CODEC_TRY(hs, std::move(*early).into_handshake_secret(shared->view()));
    AWSIO_CODEC_TRY(hello_hash, transcript.current());
    AWSIO_CODEC_TRY(hs_secrets, hs.handshake_traffic_secrets(hello_hash.view()));
    AWSIO_CODEC_TRY(hs_write, protection(suite, hs_secrets.server.view(), 0));
    out.set_write_protection(std::move(hs_write));
    AWSIO_CODEC_TRY(hs_read, protection(suite, hs_secrets.client.view(), read_limit));
    AWSIO_CODEC_CHECK(out.set_read_protection(std::move(hs_read)));
    out.log_secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", ch.random, hs_secrets.client.view());
    out.log_secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", ch.random, hs_secrets.server.view());

    // EncryptedExtensions.
    codec::encrypted_extensions ee;
    if (send_record_size_limit) {
        ee.extensions.add(ext::record_size_limit{config_->record_size_limit});
    }
    if (cert && cert->sni_matched) {
        ee.extensions.add(ext::server_name{}); // the name was used (RFC 6066 3)
    }
    if (!alpn.empty()) {
        ee.extensions.add(ext::alpn{{alpn}});
    }
    if (options_.adjust_encrypted_extensions) {
        options_.adjust_encrypted_extensions(ee);
    }
    AWSIO_CODEC_CHECK(send_message(out, &transcript, ee));

    // Certificate-based authentication (never with a PSK, RFC 8446 4.3.2).
    const bool request_client_cert = !psk && config_->client_auth != client_auth_mode::none;
    if (request_client_cert) {
        codec::certificate_request_tls13 cr;
        cr.extensions.add(ext::signature_algorithms{tls13_schemes(*config_)});
        if (options_.adjust_certificate_request) {
            options_.adjust_certificate_request(cr);
        }
        AWSIO_CODEC_CHECK(send_message(out, &transcript, cr));
    }
    if (cert) {
        codec::certificate_tls13 c;
        for (const auto &der : cert->key->chain) {
            c.entries.push_back(codec::certificate_entry{der, {}});
        }
        AWSIO_CODEC_CHECK(send_message(out, &transcript, c));

        const auto scheme = lookup_scheme(cert->scheme, true);
        if (!scheme) {
            return errc::internal_error;
        }
        AWSIO_CODEC_TRY(cv_hash, transcript.current());
        const auto content = certificate_verify_content(true, cv_hash.view());
        AWSIO_CODEC_TRY(signature, p.sign(cert->key->key, scheme->params, content));
        AWSIO_CODEC_CHECK(send_message(out, &transcript, codec::certificate_verify{cert->scheme, std::move(signature)}));
    }

    // Finished, then our application key at once (RFC 8446 4.4.4: the server may send data
    // before the client's Finished).
    AWSIO_CODEC_TRY(fin_hash, transcript.current());
    AWSIO_CODEC_TRY(verify_data, finished_verify_data(p, suite.hash, hs_secrets.server.view(), fin_hash.view()));
    AWSIO_CODEC_CHECK(send_message(
        out, &transcript, codec::finished{std::vector<std::uint8_t>(verify_data.view().begin(), verify_data.view().end())}));

    AWSIO_CODEC_TRY(master, std::move(hs).into_master_secret());
    AWSIO_CODEC_TRY(server_finished_hash, transcript.current());
    AWSIO_CODEC_TRY(app, master.application_secrets(server_finished_hash.view()));
    AWSIO_CODEC_TRY(app_write, protection(suite, app.server.view(), 0));
    out.set_write_protection(std::move(app_write));
    out.log_secret("CLIENT_TRAFFIC_SECRET_0", ch.random, app.client.view());
    out.log_secret("SERVER_TRAFFIC_SECRET_0", ch.random, app.server.view());
    out.log_secret("EXPORTER_SECRET", ch.random, app.exporter.view());

    negotiated n(suite, std::move(transcript));
    n.client_random = ch.random;
    n.client_handshake_secret = std::move(hs_secrets.client);
    n.master.emplace(std::move(master));
    n.client_application_secret = std::move(app.client);
    n.server_application_secret = std::move(app.server);
    n.read_limit = read_limit;
    if (const auto *modes = ch.extensions.get<ext::psk_key_exchange_modes>()) {
        n.client_accepts_tickets = std::find(modes->modes.begin(), modes->modes.end(),
                                             codec::psk_key_exchange_mode::psk_dhe_ke) != modes->modes.end();
    }
    auto &sum = n.summary;
    sum.version = codec::protocol_version::tls13;
    sum.suite = suite.suite;
    sum.group = group;
    sum.alpn = alpn;
    sum.server_name = sni;
    sum.hello_retry = hello_retry;
    sum.resumed = psk.has_value();
    if (psk) {
        sum.peer_chain = std::move(psk->ticket.client_chain);
        sum.peer_verified = psk->ticket.client_verified;
    }
    AWSIO_LOGF_DEBUG(log_subject::tls, "tls13 server: %s with %s%s%s", suite_name(suite.suite).data(),
                     group_name(group).data(), psk ? ", resumed" : "", hello_retry ? ", after HelloRetryRequest" : "");
    if (request_client_cert) {
        return expect_client_certificate{std::move(n)};
    }
    return expect_client_finished{std::move(n)};
}

// ---- client authentication ------------------------------------------------------------------

result<state> server_machine::on(expect_client_certificate &&s, const codec::handshake_message &msg,
                                 handshake_output & /*out*/) {
    AWSIO_CODEC_TRY(c, codec::decode_certificate_tls13(msg.body()));
    // Our CertificateRequest had an empty context (RFC 8446 4.4.2).
    if (!c.certificate_request_context.empty()) {
        return errc::illegal_parameter;
    }
    s.n.transcript.update(msg.bytes);
    if (c.entries.empty()) {
        if (config_->client_auth == client_auth_mode::required) {
            return errc::certificate_required; // RFC 8446 4.4.2.4
        }
        return expect_client_finished{std::move(s.n)};
    }
    std::vector<std::vector<std::uint8_t>> chain;
    chain.reserve(c.entries.size());
    for (auto &e : c.entries) {
        chain.push_back(std::move(e.cert_data));
    }
    AWSIO_CODEC_TRY(checked, check_client_chain(*config_, *provider_, chain));
    s.n.summary.peer_chain = std::move(chain);
    s.n.summary.peer_verified = checked.verified;
    return expect_client_certificate_verify{std::move(s.n), std::move(checked.key)};
}

result<state> server_machine::on(expect_client_certificate_verify &&s, const codec::handshake_message &msg,
                                 handshake_output & /*out*/) {
    AWSIO_CODEC_TRY(cv, codec::decode_certificate_verify(msg.body()));
    const auto advertised = tls13_schemes(*config_);
    const auto scheme = lookup_scheme(cv.algorithm, true);
    if (std::find(advertised.begin(), advertised.end(), cv.algorithm) == advertised.end() || !scheme ||
        scheme->key != s.client_key.type()) {
        return errc::illegal_parameter; // RFC 8446 4.4.3: a scheme we did not offer
    }
    AWSIO_CODEC_TRY(h, s.n.transcript.current());
    const auto content = certificate_verify_content(false, h.view());
    if (!provider_->verify(s.client_key, scheme->params, content, cv.signature)) {
        return errc::decrypt_error;
    }
    s.n.transcript.update(msg.bytes);
    s.n.summary.peer_signature_scheme = cv.algorithm;
    return expect_client_finished{std::move(s.n)};
}

// ---- client Finished ------------------------------------------------------------------------

result<state> server_machine::on(expect_client_finished &&s, const codec::handshake_message &msg,
                                 handshake_output &out) {
    auto &n = s.n;
    AWSIO_CODEC_TRY(fin, codec::decode_finished(msg.body(), crypto::digest_size(n.suite.hash)));
    AWSIO_CODEC_TRY(h, n.transcript.current());
    AWSIO_CODEC_TRY(expected, finished_verify_data(*provider_, n.suite.hash, n.client_handshake_secret.view(), h.view()));
    if (!verify_data_matches(expected, fin.verify_data)) {
        return errc::decrypt_error;
    }
    n.transcript.update(msg.bytes);
    AWSIO_CODEC_TRY(app_read, protection(n.suite, n.client_application_secret.view(), n.read_limit));
    AWSIO_CODEC_CHECK(out.set_read_protection(std::move(app_read)));
    out.handshake_complete(n.summary);

    if (config_->tickets && config_->tickets_per_handshake > 0 && n.client_accepts_tickets) {
        AWSIO_CODEC_CHECK(send_tickets(n, out));
    }
    return connected{n.suite, std::move(n.client_application_secret), std::move(n.server_application_secret),
                     n.read_limit};
}

result<void> server_machine::send_tickets(negotiated &n, handshake_output &out) {
    auto &p = *provider_;
    AWSIO_CODEC_TRY(h, n.transcript.current());
    AWSIO_CODEC_TRY(rms, n.master->resumption_master_secret(h.view()));
    const std::uint32_t lifetime = std::min(config_->ticket_lifetime_seconds, max_ticket_lifetime);
    for (std::size_t i = 0; i < config_->tickets_per_handshake; ++i) {
        // The nonce only has to be unique within the connection (RFC 8446 4.6.1).
        codec::new_session_ticket_tls13 nst;
        const std::uint64_t counter = tickets_sent_++;
        for (int shift = 56; shift >= 0; shift -= 8) {
            nst.ticket_nonce.push_back(static_cast<std::uint8_t>(counter >> shift));
        }
        std::array<std::uint8_t, 4> age_add{};
        AWSIO_CODEC_CHECK(p.random_bytes(age_add));
        nst.ticket_age_add = (std::uint32_t{age_add[0]} << 24) | (std::uint32_t{age_add[1]} << 16) |
                             (std::uint32_t{age_add[2]} << 8) | std::uint32_t{age_add[3]};
        nst.ticket_lifetime = lifetime;
        if (options_.adjust_new_session_ticket) {
            options_.adjust_new_session_ticket(nst);
        }
        AWSIO_CODEC_TRY(psk, resumption_psk(p, n.suite.hash, rms.view(), nst.ticket_nonce));
        if (!nst.ticket.empty()) {
            AWSIO_CODEC_CHECK(send_message(out, nullptr, nst));
            continue;
        }

        server_ticket_state st;
        st.suite = n.suite.suite;
        st.psk = std::move(psk);
        st.ticket_age_add = nst.ticket_age_add;
        st.issued_at_seconds = p.now_seconds();
        st.lifetime_seconds = lifetime;
        st.alpn = n.summary.alpn;
        st.server_name = n.summary.server_name;
        st.client_chain = n.summary.peer_chain;
        st.client_verified = n.summary.peer_verified;
        const auto plain = serialize_ticket_state(st);
        if (plain.empty()) {
            return errc::internal_error;
        }
        auto sealed = config_->tickets->seal(plain.view());
        if (!sealed) {
            // Tickets are an optimisation: the connection stays up without them.
            AWSIO_LOGF_DEBUG(log_subject::tls, "tls13 server: ticket sealing failed: %s",
                             sealed.error().message().c_str());
            return {};
        }
        nst.ticket = std::move(*sealed);
        AWSIO_CODEC_CHECK(send_message(out, nullptr, nst));
    }
    return {};
}

// ---- post-handshake -------------------------------------------------------------------------

result<state> server_machine::on(connected &&s, const codec::handshake_message &msg, handshake_output &out) {
    AWSIO_CODEC_TRY(ku, codec::decode_key_update(msg.body()));
    AWSIO_CODEC_TRY(next, next_application_traffic_secret(*provider_, s.suite.hash, s.client_secret.view()));
    AWSIO_CODEC_TRY(read, protection(s.suite, next.view(), s.read_limit));
    AWSIO_CODEC_CHECK(out.set_read_protection(std::move(read)));
    s.client_secret = std::move(next);
    if (ku.request_update == codec::key_update_request::update_requested) {
        // RFC 8446 4.6.3: answer with our own update, not asking for another.
        AWSIO_CODEC_CHECK(update_write_key(s, false, out));
    }
    return std::move(s);
}

result<void> server_machine::update_write_key(connected &c, bool request_peer, handshake_output &out) {
    const codec::key_update ku{request_peer ? codec::key_update_request::update_requested
                                            : codec::key_update_request::update_not_requested};
    AWSIO_CODEC_TRY(next, next_application_traffic_secret(*provider_, c.suite.hash, c.server_secret.view()));
    AWSIO_CODEC_TRY(write, protection(c.suite, next.view(), 0));
    AWSIO_CODEC_CHECK(send_message(out, nullptr, ku)); // under the old key
    out.set_write_protection(std::move(write));
    c.server_secret = std::move(next);
    return {};
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Ticket state: u8 version | u16 suite | opaque psk<1..255> | u32 age_add | u64 issued_at |
// u32 lifetime | opaque alpn<0..255> | opaque server_name<0..2^16-1> | u8 client_verified |
// opaque chain<0..2^24-1> of opaque cert<1..2^24-1>.

crypto::secret_buffer serialize_ticket_state(const server_ticket_state &s) {
    std::vector<std::uint8_t> buf;
    {
        codec::writer w(buf);
        w.u8(ticket_state_version);
        w.u16(static_cast<std::uint16_t>(s.suite));
        w.vec8(s.psk.view(), 1);
        w.u32(s.ticket_age_add);
        w.u32(static_cast<std::uint32_t>(s.issued_at_seconds >> 32));
        w.u32(static_cast<std::uint32_t>(s.issued_at_seconds));
        w.u32(s.lifetime_seconds);
        w.vec8(crypto::as_bytes(s.alpn));
        w.vec16(crypto::as_bytes(s.server_name));
        w.u8(s.client_verified ? 1 : 0);
        {
            auto chain = w.scope24();
            for (const auto &c : s.client_chain) {
                w.vec24(c, 1);
            }
        }
        if (!w.ok()) {
            crypto::secure_wipe(buf);
            return {};
        }
    }
    crypto::secret_buffer out(buf);
    crypto::secure_wipe(buf);
    return out;
}

std::optional<server_ticket_state> parse_ticket_state(bytes_view bytes) {
    codec::reader r(bytes);
    server_ticket_state s;
    auto version = r.u8();
    if (!version || *version != ticket_state_version) {
        return std::nullopt;
    }
    auto suite = r.u16();
    auto psk = r.vec8(1);
    auto age_add = r.u32();
    auto issued_hi = r.u32();
    auto issued_lo = r.u32();
    auto lifetime = r.u32();
    auto alpn = r.vec8();
    auto name = r.vec16();
    auto verified = r.u8();
    auto chain = r.sub24();
    if (!suite || !psk || !age_add || !issued_hi || !issued_lo || !lifetime || !alpn || !name || !verified ||
        !chain || *verified > 1 || r.expect_empty()) {
        return std::nullopt;
    }
    s.suite = static_cast<codec::cipher_suite>(*suite);
    s.psk = crypto::secret_buffer(*psk);
    s.ticket_age_add = *age_add;
    s.issued_at_seconds = (std::uint64_t{*issued_hi} << 32) | *issued_lo;
    s.lifetime_seconds = *lifetime;
    s.alpn.assign(alpn->begin(), alpn->end());
    s.server_name.assign(name->begin(), name->end());
    s.client_verified = *verified == 1;
    while (!chain->empty()) {
        auto cert = chain->vec24(1);
        if (!cert) {
            return std::nullopt;
        }
        s.client_chain.emplace_back(cert->begin(), cert->end());
    }
    return s;
}

std::unique_ptr<handshake_machine> make_server_machine_for_test(std::shared_ptr<const handshake_config> config,
                                                                server_tls13_options options) {
    return std::make_unique<server_machine>(std::move(config), std::move(options));
}

std::unique_ptr<handshake_machine> make_server_machine(std::shared_ptr<const handshake_config> config) {
    return make_server_machine_for_test(std::move(config), {});
}

} // namespace awsio::tls
