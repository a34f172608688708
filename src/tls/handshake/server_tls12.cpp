// tls/handshake/server_tls12.cpp — the TLS 1.2 server handshake (RFC 5246) with ECDHE key
// exchange (RFC 8422) and the AEAD suites, the extended master secret (RFC 7627), secure
// renegotiation signalling with renegotiation refused (RFC 5746), session ids and session tickets
// (RFC 5077), ALPN (RFC 7301), record_size_limit (RFC 8449) and client authentication.
//
// server_tls13 hands the first ClientHello over when TLS 1.3 is not both offered and enabled.
//
// Legal transitions (state, message received -> next state). Every other pair, and any message
// after a failure, is unexpected_message. "CCS" is a ChangeCipherSpec record, delivered through
// handle_change_cipher_spec().
//
//   state                              message             next state
//   ---------------------------------  ------------------  -----------------------------------
//   expect_client_hello                ClientHello         expect_client_certificate (CertificateRequest sent)
//                                                          expect_client_key_exchange
//                                                          expect_change_cipher_spec (abbreviated: our
//                                                            CCS and Finished sent)
//   expect_client_certificate          Certificate         expect_client_key_exchange
//   expect_client_key_exchange         ClientKeyExchange   expect_client_certificate_verify (client certificate)
//                                                          expect_change_cipher_spec
//   expect_client_certificate_verify   CertificateVerify   expect_change_cipher_spec
//   expect_change_cipher_spec          CCS                 expect_finished (client keys installed)
//   expect_finished                    Finished            connected (full: [NewSessionTicket], CCS,
//                                                            Finished sent)
//   connected                          ClientHello         connected (no_renegotiation warning sent)
//
// Errors are tls::errc values (the alert to send); certificate verification failures keep their
// io_errc. Threads: one connection's thread at a time (see common.hpp).
#include "tls/handshake/tls12.hpp"

#include "tls/codec/reader.hpp"
#include "tls/codec/writer.hpp"
#include "tls/key_schedule/tls12_keys.hpp"
#include "tls/key_schedule/transcript_hash.hpp"
#include "x509/certificate.hpp"
#include "x509/verifier.hpp"

#include <awsio/logging.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <variant>

namespace awsio::tls {

namespace {

namespace ext = codec::ext;
using codec::handshake_type;

/// Version byte of the TLS 1.2 ticket state (the TLS 1.3 ticket state uses 1).
constexpr std::uint8_t tls12_ticket_state_version = 0x12;

/// Session ids we assign (RFC 5246 7.4.1.3 allows up to 32 bytes).
constexpr std::size_t session_id_size = 32;

// ---------------------------------------------------------------------------------------------
// Data carried from the ServerHello on

struct negotiated {
    negotiated(const suite_params &s, transcript_hash t) : suite(s), transcript(std::move(t)) {}

    suite_params suite;
    transcript_hash transcript;
    codec::random_bytes client_random{};
    codec::random_bytes server_random{};
    /// The 48-byte master secret (from ClientKeyExchange, or the resumed session).
    crypto::secret_buffer master_secret;
    bool extended_master_secret = true;
    /// The session id of this handshake (ours for a full handshake, the client's echoed on
    /// resumption); empty when none.
    std::vector<std::uint8_t> session_id;
    /// We announced session_ticket in the ServerHello: a NewSessionTicket follows.
    bool issue_ticket = false;
    /// record_size_limit we announced (0: none): the largest plaintext we accept.
    std::size_t read_limit = 0;
    /// The session's creation time (kept from the original on resumption).
    std::uint64_t created_at_seconds = 0;
    tls12_key_block keys;
    handshake_summary summary;
};

// ---------------------------------------------------------------------------------------------
// States (each owns only its data; `expects` is the one handshake message legal in it)

struct expect_client_hello {
    static constexpr handshake_type expects = handshake_type::client_hello;
};

struct expect_client_certificate {
    static constexpr handshake_type expects = handshake_type::certificate;
    negotiated n;
    crypto::private_key ecdhe;
};

struct expect_client_key_exchange {
    static constexpr handshake_type expects = handshake_type::client_key_exchange;
    negotiated n;
    crypto::private_key ecdhe;
    /// The client's certificate key, when it sent one (CertificateVerify follows).
    std::optional<crypto::public_key> client_key;
};

struct expect_client_certificate_verify {
    static constexpr handshake_type expects = handshake_type::certificate_verify;
    negotiated n;
    crypto::public_key client_key;
};

/// Waiting for the client's ChangeCipherSpec: no handshake message is legal.
struct expect_change_cipher_spec {
    negotiated n;
    /// Abbreviated handshake: our Finished is already out.
    bool resumed = false;
};

struct expect_finished {
    static constexpr handshake_type expects = handshake_type::finished;
    negotiated n;
    bool resumed = false;
};

struct connected {
    static constexpr handshake_type expects = handshake_type::client_hello;
};

struct failed {};

using state = std::variant<expect_client_hello, expect_client_certificate, expect_client_key_exchange,
                           expect_client_certificate_verify, expect_change_cipher_spec, expect_finished, connected,
                           failed>;

// ---------------------------------------------------------------------------------------------
// Helpers

template <typename C, typename V>
bool contains(const C &c, const V &v) {
    return std::find(std::begin(c), std::end(c), v) != std::end(c);
}

/// Our TLS 1.2 signature schemes in preference order: the configured ones usable in TLS 1.2,
/// then rsa_pkcs1_sha256/384/512.
std::vector<codec::signature_scheme> tls12_schemes(const handshake_config &c) {
    std::vector<codec::signature_scheme> out;
    for (const auto s : c.signature_schemes) {
        if (lookup_scheme(s, false) && !contains(out, s)) {
            out.push_back(s);
        }
    }
    for (const auto s : tls12_rsa_pkcs1_schemes) {
        if (!contains(out, s)) {
            out.push_back(s);
        }
    }
    return out;
}

/// Whether a certificate key can serve a TLS 1.2 suite: ECDSA suites need a P-256/P-384 key on a
/// curve the client lists in supported_groups (RFC 8422 5.1.1: the extension covers the
/// certificate's curve too; absent: any) or an Ed25519 key (RFC 8422 5.1.3; the client's
/// signature_algorithms decides, through choose_scheme); RSA suites an RSA key.
bool key_fits_suite(const crypto::private_key &key, const suite_params &suite, const ext::supported_groups *groups) {
    if (!key.valid()) {
        return false;
    }
    const auto t = key.type();
    if (suite.tls12_ecdsa) {
        const auto curve_listed = [groups](codec::named_group g) {
            return groups == nullptr || std::find(groups->groups.begin(), groups->groups.end(), g) != groups->groups.end();
        };
        return (t == crypto::key_type::ec_p256 && curve_listed(codec::named_group::secp256r1)) ||
               (t == crypto::key_type::ec_p384 && curve_listed(codec::named_group::secp384r1)) ||
               t == crypto::key_type::ed25519;
    }
    return t == crypto::key_type::rsa || t == crypto::key_type::rsa_pss;
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

std::vector<std::uint8_t> to_vector(bytes_view b) { return {b.begin(), b.end()}; }

/// The suite, certificate and ServerKeyExchange scheme of a full handshake.
struct chosen_credentials {
    suite_params suite;
    const certified_key *cert = nullptr;
    codec::signature_scheme scheme = codec::signature_scheme::ecdsa_secp256r1_sha256;
    bool sni_matched = false;
};

// ---------------------------------------------------------------------------------------------
// The machine

class server_tls12_machine final : public handshake_machine {
public:
    explicit server_tls12_machine(std::shared_ptr<const handshake_config> config)
        : config_(std::move(config)), provider_(config_->provider) {}

    result<void> start(handshake_output & /*out*/) override { return {}; }

    result<void> handle(const codec::handshake_message &msg, handshake_output &out) override {
        state current = std::move(state_);
        state_ = failed{};
        auto next = std::visit(
            [&](auto &&s) -> result<state> {
                using S = std::decay_t<decltype(s)>;
                if constexpr (std::is_same_v<S, failed> || std::is_same_v<S, expect_change_cipher_spec>) {
                    AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: unexpected %s", codec::name(msg.type).data());
                    return errc::unexpected_message;
                } else {
                    if (msg.type != S::expects) {
                        AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: unexpected %s",
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

    [[nodiscard]] bool is_connected() const noexcept override { return std::holds_alternative<connected>(state_); }

    [[nodiscard]] bool accepts_compat_ccs() const noexcept override { return false; }

    result<void> handle_change_cipher_spec(handshake_output &out) override {
        auto *s = std::get_if<expect_change_cipher_spec>(&state_);
        if (s == nullptr) {
            state_ = failed{};
            return errc::unexpected_message;
        }
        expect_change_cipher_spec current = std::move(*s);
        state_ = failed{};
        auto &n = current.n;
        AWSIO_CODEC_TRY(read, record::tls12_record_protection::create(*provider_, n.suite.aead,
                                                                      n.keys.client_write_key.view(),
                                                                      n.keys.client_write_iv.view()));
        auto p = std::make_unique<record::tls12_record_protection>(std::move(read));
        if (n.read_limit != 0) {
            p->set_max_plaintext(n.read_limit);
        }
        AWSIO_CODEC_CHECK(out.set_read_protection(std::move(p)));
        n.keys.client_write_key.clear();
        n.keys.client_write_iv.clear();
        state_ = expect_finished{std::move(current.n), current.resumed};
        return {};
    }

    result<void> send_key_update(bool /*request_peer*/, handshake_output & /*out*/) override {
        return errc::unexpected_message; // TLS 1.2 has no KeyUpdate
    }

private:
    result<state> on(expect_client_hello &&s, const codec::handshake_message &msg, handshake_output &out);
    result<state> on(expect_client_certificate &&s, const codec::handshake_message &msg, handshake_output &out);
    result<state> on(expect_client_key_exchange &&s, const codec::handshake_message &msg, handshake_output &out);
    result<state> on(expect_client_certificate_verify &&s, const codec::handshake_message &msg,
                     handshake_output &out);
    result<state> on(expect_finished &&s, const codec::handshake_message &msg, handshake_output &out);
    result<state> on(connected &&s, const codec::handshake_message &msg, handshake_output &out);

    std::optional<tls12_server_session> find_session(const codec::client_hello &ch, std::string_view sni,
                                                     bool client_offers_ems, const std::string &alpn,
                                                     bool &refuse) const;
    std::optional<chosen_credentials> choose_credentials(const codec::client_hello &ch, std::string_view sni,
                                                         std::span<const codec::signature_scheme> peer) const;
    result<std::string> choose_alpn(const codec::client_hello &ch) const;
    result<void> derive_keys(negotiated &n) const;
    result<void> send_ticket(negotiated &n, handshake_output &out);
    result<void> send_finished(negotiated &n, handshake_output &out);
    tls12_server_session session_of(const negotiated &n) const;

    std::shared_ptr<const handshake_config> config_;
    crypto::provider *provider_;
    state state_ = expect_client_hello{};
};

// ---- ClientHello ----------------------------------------------------------------------------

std::optional<chosen_credentials> server_tls12_machine::choose_credentials(
    const codec::client_hello &ch, std::string_view sni, std::span<const codec::signature_scheme> peer) const {
    // Certificates naming the SNI first, then the rest (default first); within each, our suite
    // order; the first certificate whose key serves the suite and signs a scheme the client
    // accepts.
    const auto schemes = tls12_schemes(*config_);
    for (const bool want_match : {true, false}) {
        if (want_match && sni.empty()) {
            continue;
        }
        for (const auto s : config_->cipher_suites) {
            const auto params = lookup_suite(s);
            if (!params || params->tls13 || !contains(ch.cipher_suites, s)) {
                continue;
            }
            for (const auto &ck : config_->certificates) {
                if (!ck) {
                    continue;
                }
                const bool matched = !sni.empty() && certificate_matches(*ck, sni);
                if (matched != want_match || !key_fits_suite(ck->key, *params, ch.extensions.get<ext::supported_groups>())) {
                    continue;
                }
                if (auto scheme = choose_scheme(ck->key, schemes, peer, false)) {
                    return chosen_credentials{*params, ck.get(), *scheme, matched};
                }
            }
        }
    }
    return std::nullopt;
}

result<std::string> server_tls12_machine::choose_alpn(const codec::client_hello &ch) const {
    const auto *offered = ch.extensions.get<ext::alpn>();
    if (config_->alpn.empty() || offered == nullptr) {
        return std::string();
    }
    for (const auto &p : config_->alpn) {
        if (contains(offered->protocols, p)) {
            return p;
        }
    }
    return errc::no_application_protocol; // RFC 7301 3.2
}

std::optional<tls12_server_session> server_tls12_machine::find_session(const codec::client_hello &ch,
                                                                       std::string_view sni, bool client_offers_ems,
                                                                       const std::string &alpn, bool &refuse) const {
    refuse = false;
    const std::uint64_t now = provider_->now_seconds();
    std::optional<tls12_server_session> session;
    const char *how = "";
    if (const auto *t = ch.extensions.get<ext::session_ticket>(); t != nullptr && !t->ticket.empty() && config_->tickets) {
        if (auto plain = config_->tickets->open(t->ticket)) {
            if (auto parsed = parse_tls12_ticket_state(plain->view())) {
                const bool expired = now >= parsed->created_at_seconds &&
                                     now - parsed->created_at_seconds > config_->ticket_lifetime_seconds;
                if (!expired) {
                    session = std::move(parsed);
                    how = "ticket";
                }
            }
        }
    }
    if (!session && !ch.legacy_session_id.empty() && config_->tls12_sessions) {
        session = config_->tls12_sessions->find(ch.legacy_session_id, now);
        how = "session id";
    }
    if (!session) {
        return std::nullopt;
    }
    // RFC 7627 5.3: a session with the extended master secret is never resumed without it; one
    // without it is not resumed at all (a full handshake follows).
    if (session->extended_master_secret && !client_offers_ems) {
        refuse = true;
        return std::nullopt;
    }
    if (!session->extended_master_secret) {
        return std::nullopt;
    }
    const auto suite = lookup_suite(session->suite);
    if (!suite || suite->tls13 || !contains(ch.cipher_suites, session->suite) ||
        !contains(config_->cipher_suites, session->suite) || !session->master_secret ||
        session->master_secret->size() != tls12_master_secret_size) {
        return std::nullopt;
    }
    // A session belongs to the name it was established for (RFC 6066 3), keeps its ALPN
    // protocol, and carries a client certificate whenever one is required.
    if (!iequal(session->server_name, sni) || session->alpn != alpn ||
        (config_->client_auth == client_auth_mode::required && session->client_chain.empty())) {
        return std::nullopt;
    }
    AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: resuming by %s", how);
    return session;
}

result<state> server_tls12_machine::on(expect_client_hello && /*s*/, const codec::handshake_message &msg,
                                       handshake_output &out) {
    auto &p = *provider_;
    AWSIO_CODEC_TRY(ch, codec::decode_client_hello(msg.body()));

    if (static_cast<std::uint16_t>(ch.legacy_version) < static_cast<std::uint16_t>(codec::protocol_version::tls12)) {
        AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: client version 0x%04x too old",
                         static_cast<unsigned>(ch.legacy_version));
        return errc::protocol_version;
    }
    if (const auto *sv = ch.extensions.get<ext::supported_versions_client>();
        sv != nullptr && !contains(sv->versions, codec::protocol_version::tls12)) {
        return errc::protocol_version;
    }
    // RFC 7507: a fallback retry while we support a higher version is an attack or a bug.
    if (contains(ch.cipher_suites, codec::cipher_suite::tls_fallback_scsv) &&
        config_->max_version > codec::protocol_version::tls12) {
        AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: TLS_FALLBACK_SCSV while TLS 1.3 is enabled");
        return errc::inappropriate_fallback;
    }
    if (!contains(ch.legacy_compression_methods, std::uint8_t{0})) {
        return errc::illegal_parameter; // RFC 5246 7.4.1.2: null compression must be offered
    }

    // RFC 5746 3.6: the SCSV or an empty renegotiation_info; anything else in an initial
    // handshake is an attack.
    const auto *reneg = ch.extensions.get<ext::renegotiation_info>();
    if (reneg != nullptr && !reneg->renegotiated_connection.empty()) {
        return errc::handshake_failure;
    }
    const bool secure_renegotiation =
        reneg != nullptr || contains(ch.cipher_suites, codec::cipher_suite::tls_empty_renegotiation_info_scsv);

    const bool client_ems = ch.extensions.contains(codec::extension_type::extended_master_secret);
    if (!client_ems && config_->require_extended_master_secret) {
        AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: client does not offer the extended master secret");
        return errc::handshake_failure;
    }

    std::string sni;
    if (const auto *sn = ch.extensions.get<ext::server_name>()) {
        sni = sn->host_name;
    }
    AWSIO_CODEC_TRY(alpn, choose_alpn(ch));

    // Resumption first: anything unusable means a full handshake.
    bool refuse = false;
    auto session = find_session(ch, sni, client_ems, alpn, refuse);
    if (refuse) {
        AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: session with extended master secret offered without it");
        return errc::handshake_failure;
    }

    std::optional<chosen_credentials> creds;
    std::optional<codec::named_group> group;
    suite_params suite;
    if (session) {
        suite = *lookup_suite(session->suite);
    } else {
        const auto *sigs = ch.extensions.get<ext::signature_algorithms>();
        if (sigs == nullptr) {
            AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: no signature_algorithms");
            return errc::handshake_failure;
        }
        creds = choose_credentials(ch, sni, sigs->schemes);
        if (!creds) {
            AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: no common cipher suite for our certificates");
            return errc::handshake_failure;
        }
        suite = creds->suite;
        // RFC 8422 4: without supported_groups, the client is assumed to support every curve.
        const auto *groups = ch.extensions.get<ext::supported_groups>();
        for (const auto g : config_->groups) {
            if (to_crypto_group(g) && (groups == nullptr || contains(groups->groups, g))) {
                group = g;
                break;
            }
        }
        if (!group) {
            AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: no common group");
            return errc::handshake_failure;
        }
    }

    AWSIO_CODEC_TRY(transcript, transcript_hash::create(p, suite.hash));
    const bool request_client_cert = !session && config_->client_auth != client_auth_mode::none;
    // The client CertificateVerify signs the raw handshake messages (RFC 5246 7.4.8).
    transcript.keep_messages(request_client_cert);
    transcript.update(msg.bytes);

    negotiated n(suite, std::move(transcript));
    n.client_random = ch.random;
    n.extended_master_secret = true;
    if (!client_ems) {
        n.extended_master_secret = false;
    }
    n.issue_ticket = config_->tickets != nullptr && ch.extensions.contains(codec::extension_type::session_ticket);
    n.summary.version = codec::protocol_version::tls12;
    n.summary.suite = suite.suite;
    n.summary.alpn = alpn;
    n.summary.server_name = sni;
    n.summary.resumed = session.has_value();

    // ServerHello.
    codec::server_hello sh;
    sh.legacy_version = codec::protocol_version::tls12;
    AWSIO_CODEC_CHECK(p.random_bytes(sh.random));
    if (config_->max_version >= codec::protocol_version::tls13) {
        // RFC 8446 4.1.3 downgrade protection.
        std::copy(codec::downgrade_sentinel_tls12.begin(), codec::downgrade_sentinel_tls12.end(),
                  sh.random.end() - static_cast<std::ptrdiff_t>(codec::downgrade_sentinel_tls12.size()));
    }
    n.server_random = sh.random;
    if (session) {
        n.session_id = ch.legacy_session_id; // RFC 5246 7.4.1.3, RFC 5077 3.4
    } else if (config_->tls12_sessions) {
        n.session_id.resize(session_id_size);
        AWSIO_CODEC_CHECK(p.random_bytes(n.session_id));
    }
    sh.legacy_session_id_echo = n.session_id;
    sh.cipher_suite = suite.suite;
    if (secure_renegotiation) {
        sh.extensions.add(ext::renegotiation_info{});
    }
    if (n.extended_master_secret) {
        sh.extensions.add(ext::extended_master_secret{});
    }
    if (ch.extensions.contains(codec::extension_type::ec_point_formats)) {
        sh.extensions.add(ext::ec_point_formats{});
    }
    if (creds && creds->sni_matched) {
        sh.extensions.add(ext::server_name{}); // the name was used (RFC 6066 3)
    }
    if (n.issue_ticket) {
        sh.extensions.add(ext::session_ticket{});
    }
    if (!alpn.empty()) {
        sh.extensions.add(ext::alpn{{alpn}});
    }
    const auto *rsl = ch.extensions.get<ext::record_size_limit>();
    if (rsl != nullptr && config_->record_size_limit != 0) {
        // RFC 8449 4: in TLS 1.2 the limit counts plaintext only and cannot exceed 2^14.
        const auto limit = std::min<std::uint16_t>(config_->record_size_limit, 16384);
        sh.extensions.add(ext::record_size_limit{limit});
        n.read_limit = limit;
    }
    AWSIO_CODEC_CHECK(send_message(out, &n.transcript, sh));
    out.set_version(codec::protocol_version::tls12);
    if (rsl != nullptr) {
        AWSIO_CODEC_CHECK(out.set_peer_record_size_limit(rsl->limit));
    }

    if (session) {
        // Abbreviated handshake (RFC 5246 7.3): [NewSessionTicket], CCS, Finished.
        n.master_secret = session->master_secret->clone();
        n.created_at_seconds = session->created_at_seconds;
        n.summary.peer_chain = std::move(session->client_chain);
        n.summary.peer_verified = session->client_verified;
        out.log_secret("CLIENT_RANDOM", n.client_random, n.master_secret.view());
        AWSIO_CODEC_CHECK(derive_keys(n));
        if (n.issue_ticket) {
            AWSIO_CODEC_CHECK(send_ticket(n, out));
        }
        AWSIO_CODEC_CHECK(send_finished(n, out));
        AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: %s resumed", suite_name(suite.suite).data());
        return expect_change_cipher_spec{std::move(n), true};
    }

    n.summary.group = group;
    n.created_at_seconds = p.now_seconds();

    // Certificate.
    codec::certificate_tls12 cert_msg;
    cert_msg.certificate_list = creds->cert->chain;
    AWSIO_CODEC_CHECK(send_message(out, &n.transcript, cert_msg));

    // ServerKeyExchange: a fresh ECDHE key, signed over both randoms and the params (RFC 8422 5.4).
    const auto crypto_group = to_crypto_group(*group);
    const auto scheme = lookup_scheme(creds->scheme, false);
    if (!crypto_group || !scheme) {
        return errc::internal_error;
    }
    AWSIO_CODEC_TRY(keypair, p.generate_key_exchange(*crypto_group));
    codec::server_key_exchange_ecdhe ske;
    ske.group = *group;
    ske.public_key = keypair.public_bytes;
    ske.algorithm = creds->scheme;
    std::vector<std::uint8_t> signed_content;
    {
        codec::writer w(signed_content);
        w.bytes(n.client_random);
        w.bytes(n.server_random);
        codec::encode_ecdhe_params(w, ske);
        if (!w.ok()) {
            return errc::internal_error;
        }
    }
    AWSIO_CODEC_TRY(signature, p.sign(creds->cert->key, scheme->params, signed_content));
    ske.signature = std::move(signature);
    AWSIO_CODEC_CHECK(send_message(out, &n.transcript, ske));

    if (request_client_cert) {
        codec::certificate_request_tls12 cr;
        cr.certificate_types = {codec::client_certificate_type::ecdsa_sign, codec::client_certificate_type::rsa_sign};
        cr.supported_signature_algorithms = tls12_schemes(*config_);
        AWSIO_CODEC_CHECK(send_message(out, &n.transcript, cr));
    }
    AWSIO_CODEC_CHECK(send_message(out, &n.transcript, codec::server_hello_done{}));
    AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: %s with %s, %s%s", suite_name(suite.suite).data(),
                     group_name(*group).data(), scheme_name(creds->scheme).data(),
                     n.extended_master_secret ? ", extended master secret" : "");
    if (request_client_cert) {
        return expect_client_certificate{std::move(n), std::move(keypair.key)};
    }
    return expect_client_key_exchange{std::move(n), std::move(keypair.key), std::nullopt};
}

// ---- client authentication ------------------------------------------------------------------

result<state> server_tls12_machine::on(expect_client_certificate &&s, const codec::handshake_message &msg,
                                       handshake_output & /*out*/) {
    AWSIO_CODEC_TRY(c, codec::decode_certificate_tls12(msg.body()));
    s.n.transcript.update(msg.bytes);
    if (c.certificate_list.empty()) {
        if (config_->client_auth == client_auth_mode::required) {
            AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: client sent no certificate");
            return errc::handshake_failure; // RFC 5246 7.4.6
        }
        return expect_client_key_exchange{std::move(s.n), std::move(s.ecdhe), std::nullopt};
    }
    auto chain = std::move(c.certificate_list);
    AWSIO_CODEC_TRY(checked, check_client_chain(*config_, *provider_, chain));
    s.n.summary.peer_chain = std::move(chain);
    s.n.summary.peer_verified = checked.verified;
    return expect_client_key_exchange{std::move(s.n), std::move(s.ecdhe), std::move(checked.key)};
}

// ---- ClientKeyExchange ----------------------------------------------------------------------

result<state> server_tls12_machine::on(expect_client_key_exchange &&s, const codec::handshake_message &msg,
                                       handshake_output &out) {
    auto &n = s.n;
    AWSIO_CODEC_TRY(cke, codec::decode_client_key_exchange_ecdhe(msg.body()));
    auto pre_master = provider_->key_agreement(s.ecdhe, cke.public_key);
    if (!pre_master) {
        AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: invalid client ECDHE point");
        return errc::illegal_parameter;
    }
    s.ecdhe = crypto::private_key{};
    n.transcript.update(msg.bytes);
    const auto prf = tls12_prf_hash(n.suite.aead);
    if (n.extended_master_secret) {
        // RFC 7627 3: the session hash covers ClientHello .. ClientKeyExchange.
        AWSIO_CODEC_TRY(session_hash, n.transcript.current());
        AWSIO_CODEC_TRY(ms, tls12_extended_master_secret(*provider_, prf, pre_master->view(), session_hash.view()));
        n.master_secret = std::move(ms);
    } else {
        AWSIO_CODEC_TRY(ms, tls12_master_secret(*provider_, prf, pre_master->view(), n.client_random, n.server_random));
        n.master_secret = std::move(ms);
    }
    pre_master->clear();
    out.log_secret("CLIENT_RANDOM", n.client_random, n.master_secret.view());
    AWSIO_CODEC_CHECK(derive_keys(n));
    if (s.client_key) {
        return expect_client_certificate_verify{std::move(n), std::move(*s.client_key)};
    }
    return expect_change_cipher_spec{std::move(n), false};
}

result<state> server_tls12_machine::on(expect_client_certificate_verify &&s, const codec::handshake_message &msg,
                                       handshake_output & /*out*/) {
    AWSIO_CODEC_TRY(cv, codec::decode_certificate_verify(msg.body()));
    const auto advertised = tls12_schemes(*config_);
    const auto scheme = lookup_scheme(cv.algorithm, false);
    if (!contains(advertised, cv.algorithm) || !scheme || scheme->key != s.client_key.type()) {
        return errc::illegal_parameter; // a scheme we did not offer, or not for this key
    }
    // RFC 5246 7.4.8: the signature covers every handshake message so far.
    if (!provider_->verify(s.client_key, scheme->params, s.n.transcript.messages(), cv.signature)) {
        AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: client CertificateVerify does not verify");
        return errc::decrypt_error;
    }
    s.n.transcript.update(msg.bytes);
    s.n.transcript.keep_messages(false);
    s.n.summary.peer_signature_scheme = cv.algorithm;
    return expect_change_cipher_spec{std::move(s.n), false};
}

// ---- Finished -------------------------------------------------------------------------------

result<void> server_tls12_machine::derive_keys(negotiated &n) const {
    AWSIO_CODEC_TRY(kb, tls12_derive_key_block(*provider_, n.suite.aead, tls12_prf_hash(n.suite.aead),
                                               n.master_secret.view(), n.client_random, n.server_random));
    n.keys = std::move(kb);
    return {};
}

result<void> server_tls12_machine::send_finished(negotiated &n, handshake_output &out) {
    AWSIO_CODEC_TRY(write, record::tls12_record_protection::create(*provider_, n.suite.aead,
                                                                   n.keys.server_write_key.view(),
                                                                   n.keys.server_write_iv.view()));
    n.keys.server_write_key.clear();
    n.keys.server_write_iv.clear();
    AWSIO_CODEC_TRY(h, n.transcript.current());
    AWSIO_CODEC_TRY(verify_data, tls12_finished_verify_data(*provider_, tls12_prf_hash(n.suite.aead),
                                                            n.master_secret.view(), tls12_finished_sender::server,
                                                            h.view()));
    out.send_change_cipher_spec();
    out.set_write_protection(std::make_unique<record::tls12_record_protection>(std::move(write)));
    return send_message(out, &n.transcript, codec::finished{to_vector(verify_data)});
}

tls12_server_session server_tls12_machine::session_of(const negotiated &n) const {
    tls12_server_session s;
    s.suite = n.suite.suite;
    s.master_secret = std::make_shared<const crypto::secret_buffer>(n.master_secret.clone());
    s.extended_master_secret = n.extended_master_secret;
    s.created_at_seconds = n.created_at_seconds;
    s.alpn = n.summary.alpn;
    s.server_name = n.summary.server_name;
    s.client_chain = n.summary.peer_chain;
    s.client_verified = n.summary.peer_verified;
    return s;
}

result<void> server_tls12_machine::send_ticket(negotiated &n, handshake_output &out) {
    codec::new_session_ticket_tls12 nst;
    nst.ticket_lifetime_hint = config_->ticket_lifetime_seconds;
    if (n.extended_master_secret) {
        const auto plain = serialize_tls12_ticket_state(session_of(n));
        if (!plain.empty()) {
            auto sealed = config_->tickets->seal(plain.view());
            if (sealed) {
                nst.ticket = std::move(*sealed);
            } else {
                AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: ticket sealing failed: %s",
                                 sealed.error().message().c_str());
            }
        }
    }
    // RFC 5077 3.3: having announced a ticket, a server that has none sends an empty one.
    if (nst.ticket.empty()) {
        nst.ticket_lifetime_hint = 0;
    }
    return send_message(out, &n.transcript, nst);
}

result<state> server_tls12_machine::on(expect_finished &&s, const codec::handshake_message &msg,
                                       handshake_output &out) {
    auto &n = s.n;
    AWSIO_CODEC_TRY(fin, codec::decode_finished(msg.body(), tls12_verify_data_size));
    AWSIO_CODEC_TRY(h, n.transcript.current());
    AWSIO_CODEC_TRY(expected, tls12_finished_verify_data(*provider_, tls12_prf_hash(n.suite.aead),
                                                         n.master_secret.view(), tls12_finished_sender::client,
                                                         h.view()));
    if (!crypto::constant_time_equal(expected, fin.verify_data)) {
        AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: client Finished mismatch");
        return errc::decrypt_error;
    }
    n.transcript.update(msg.bytes);
    if (!s.resumed) {
        if (n.issue_ticket) {
            AWSIO_CODEC_CHECK(send_ticket(n, out));
        }
        AWSIO_CODEC_CHECK(send_finished(n, out));
        if (config_->tls12_sessions && !n.session_id.empty() && n.extended_master_secret) {
            config_->tls12_sessions->put(n.session_id, session_of(n));
        }
    }
    out.handshake_complete(n.summary);
    AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: handshake complete%s", s.resumed ? " (resumed)" : "");
    return connected{};
}

// ---- connected ------------------------------------------------------------------------------

result<state> server_tls12_machine::on(connected &&s, const codec::handshake_message & /*msg*/,
                                       handshake_output &out) {
    // RFC 5746 4.4 / RFC 5246 7.2.2: renegotiation is refused with a warning; the connection
    // stays up.
    AWSIO_LOGF_DEBUG(log_subject::tls, "tls12 server: renegotiation refused");
    out.send_alert(alert_level::warning, alert_description::no_renegotiation);
    return std::move(s);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Ticket state: u8 version (0x12) | u16 suite | opaque master_secret<48> (u8 length) |
// u8 extended_master_secret | u64 created_at | opaque alpn<0..255> |
// opaque server_name<0..2^16-1> | u8 client_verified | opaque chain<0..2^24-1> of
// opaque cert<1..2^24-1>.

crypto::secret_buffer serialize_tls12_ticket_state(const tls12_server_session &s) {
    if (!s.master_secret || s.master_secret->size() != tls12_master_secret_size) {
        return {};
    }
    std::vector<std::uint8_t> buf;
    {
        codec::writer w(buf);
        w.u8(tls12_ticket_state_version);
        w.u16(static_cast<std::uint16_t>(s.suite));
        w.vec8(s.master_secret->view(), tls12_master_secret_size, tls12_master_secret_size);
        w.u8(s.extended_master_secret ? 1 : 0);
        w.u32(static_cast<std::uint32_t>(s.created_at_seconds >> 32));
        w.u32(static_cast<std::uint32_t>(s.created_at_seconds));
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

std::optional<tls12_server_session> parse_tls12_ticket_state(bytes_view bytes) {
    codec::reader r(bytes);
    auto version = r.u8();
    if (!version || *version != tls12_ticket_state_version) {
        return std::nullopt;
    }
    auto suite = r.u16();
    auto master = r.vec8(tls12_master_secret_size, tls12_master_secret_size);
    auto ems = r.u8();
    auto created_hi = r.u32();
    auto created_lo = r.u32();
    auto alpn = r.vec8();
    auto name = r.vec16();
    auto verified = r.u8();
    auto chain = r.sub24();
    if (!suite || !master || !ems || !created_hi || !created_lo || !alpn || !name || !verified || !chain ||
        *ems > 1 || *verified > 1 || r.expect_empty()) {
        return std::nullopt;
    }
    const auto params = lookup_suite(static_cast<codec::cipher_suite>(*suite));
    if (!params || params->tls13) {
        return std::nullopt;
    }
    tls12_server_session s;
    s.suite = static_cast<codec::cipher_suite>(*suite);
    s.master_secret = std::make_shared<const crypto::secret_buffer>(*master);
    s.extended_master_secret = *ems == 1;
    s.created_at_seconds = (std::uint64_t{*created_hi} << 32) | *created_lo;
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
    if (s.client_verified && s.client_chain.empty()) {
        return std::nullopt;
    }
    return s;
}

std::unique_ptr<handshake_machine> make_server_tls12_machine(std::shared_ptr<const handshake_config> config) {
    if (!config) {
        return nullptr;
    }
    return std::make_unique<server_tls12_machine>(std::move(config));
}

} // namespace awsio::tls
