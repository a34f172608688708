// tls/handshake/client_tls12.cpp — the TLS 1.2 client handshake (RFC 5246 7.3 / 7.4) with
// ECDHE (RFC 8422), the extended master secret (RFC 7627), secure renegotiation signalling with
// renegotiation refused (RFC 5746), and resumption by session id or RFC 5077 ticket. The TLS 1.3
// client (client_tls13.cpp) sends the ClientHello and hands over at the ServerHello; this machine
// is a state machine over types: each state owns what it needs, and each handler consumes its
// state and returns the next one or an error.
//
// Legal transitions (state, message received -> next state). Every other pair, and a
// ChangeCipherSpec anywhere but in expect_change_cipher_spec, is answered with
// unexpected_message:
//
//   state                                 message received     next state
//   ------------------------------------  -------------------  ---------------------------------------------
//   expect_server_hello                   ServerHello          expect_certificate (full handshake), or
//                                                              expect_new_session_ticket / expect_change_
//                                                              cipher_spec when the offered session resumes
//   expect_certificate                    Certificate          expect_server_key_exchange
//   expect_server_key_exchange            ServerKeyExchange    expect_certificate_request_or_done
//   expect_certificate_request_or_done    CertificateRequest   expect_server_hello_done
//   expect_certificate_request_or_done    ServerHelloDone      expect_new_session_ticket [1] or
//                                                              expect_change_cipher_spec (our flight sent)
//   expect_server_hello_done              ServerHelloDone      as above
//   expect_new_session_ticket             NewSessionTicket     expect_change_cipher_spec
//   expect_change_cipher_spec             (ChangeCipherSpec)   expect_finished
//   expect_finished                       Finished             connected (resumption: our CCS + Finished sent)
//   connected                             HelloRequest         connected (no_renegotiation warning sent)
//   any state before connected            HelloRequest         the same state (ignored, RFC 5246 7.4.1.1)
//   closed (after an error)               anything             unexpected_message
//
//   [1] when the ServerHello acknowledged session_ticket (RFC 5077 3.2: the NewSessionTicket is
//       then mandatory).
//
// Our flight in a full handshake: [Certificate] ClientKeyExchange [CertificateVerify]
// ChangeCipherSpec Finished, sent at the ServerHelloDone. In a resumption it follows the
// server's Finished: ChangeCipherSpec Finished.
//
// Errors: tls::errc values (their number is the alert), certificate verification failures keep
// their io_errc (see common.hpp). Threads: one connection's thread at a time.
#include "tls/handshake/tls12.hpp"

#include "tls/key_schedule/tls12_keys.hpp"
#include "tls/key_schedule/transcript_hash.hpp"
#include "x509/certificate.hpp"
#include "x509/verifier.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace awsio::tls {
namespace {

// Propagates the error of a result<T> (declaring `var` with its value on success).
#define AWSIO_CLIENT12_TRY(var, expr)                                                              \
    auto var##_try_ = (expr);                                                                      \
    if (!var##_try_) {                                                                             \
        return ::awsio::unexpected(var##_try_.error());                                            \
    }                                                                                              \
    auto var = std::move(*var##_try_)

#define AWSIO_CLIENT12_CHECK(expr)                                                                 \
    do {                                                                                           \
        const std::error_code awsio_client12_ec_ = ::awsio::tls::codec::to_error(expr);           \
        if (awsio_client12_ec_) {                                                                  \
            return ::awsio::unexpected(awsio_client12_ec_);                                        \
        }                                                                                          \
    } while (false)

using codec::extension_type;
using codec::handshake_type;
namespace ext = codec::ext;
using der_chain = std::vector<std::vector<std::uint8_t>>;

/// Lifetime given to a session whose ticket carries no hint, or that has only a session id
/// (RFC 5077 3.3: a hint of 0 means "unspecified").
constexpr std::uint32_t default_session_lifetime_seconds = 7200;

template <typename T>
bool contains(const std::vector<T> &v, const T &x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

/// The key types a suite's authentication accepts (RFC 8422 5.3 / RFC 5246 7.4.2): ECDSA
/// suites take EC (and Ed25519, RFC 8422 2.1) keys, RSA suites RSA keys (PSS-only keys sign
/// with rsa_pss_pss_*, RFC 8446 4.2.3 applied to TLS 1.2).
bool key_fits_suite(crypto::key_type k, const suite_params &suite) noexcept {
    if (suite.tls12_ecdsa) {
        return k == crypto::key_type::ec_p256 || k == crypto::key_type::ec_p384 || k == crypto::key_type::ed25519;
    }
    return k == crypto::key_type::rsa || k == crypto::key_type::rsa_pss;
}

/// The CertificateRequest certificate_type a key answers (RFC 5246 7.4.4, RFC 8422 5.5).
codec::client_certificate_type certificate_type_of(crypto::key_type k) noexcept {
    return k == crypto::key_type::rsa || k == crypto::key_type::rsa_pss ? codec::client_certificate_type::rsa_sign
                                                                        : codec::client_certificate_type::ecdsa_sign;
}

// ---------------------------------------------------------------------------------------------
// What the states carry

/// What the ServerHello settled.
struct negotiated {
    suite_params suite;
    crypto::hash_algorithm prf_hash = crypto::hash_algorithm::sha256;
    codec::random_bytes server_random{};
    /// The session id the server assigned (full handshake) or echoed (resumption).
    std::vector<std::uint8_t> session_id;
    bool extended_master_secret = false;
    /// The server acknowledged session_ticket: a NewSessionTicket precedes its ChangeCipherSpec.
    bool ticket_expected = false;
    std::string alpn;
    bool record_size_limit_acknowledged = false;
    /// The session resumed (abbreviated handshake), if any.
    std::optional<tls12_session> resumed;
};

/// What we know of the server's authentication.
struct peer_info {
    der_chain chain;
    bool verified = false;
    std::optional<codec::signature_scheme> scheme;
    std::optional<codec::named_group> group;
};

/// The master secret and the keys derived from it.
struct session_keys {
    crypto::secret_buffer master;
    tls12_key_block block;
};

/// The ECDHE exchange settled by the ServerKeyExchange: our public value and the premaster.
struct key_exchange {
    std::vector<std::uint8_t> public_bytes;
    crypto::secret_buffer premaster;
};

struct expect_server_hello {
    transcript_hash transcript;
};

struct expect_certificate {
    transcript_hash transcript;
    negotiated neg;
};

struct expect_server_key_exchange {
    transcript_hash transcript;
    negotiated neg;
    peer_info peer;
    crypto::public_key peer_key;
};

struct expect_certificate_request_or_done {
    transcript_hash transcript;
    negotiated neg;
    peer_info peer;
    key_exchange kx;
};

struct expect_server_hello_done {
    transcript_hash transcript;
    negotiated neg;
    peer_info peer;
    key_exchange kx;
    codec::certificate_request_tls12 request;
};

struct expect_new_session_ticket {
    transcript_hash transcript;
    negotiated neg;
    peer_info peer;
    session_keys keys;
};

struct expect_change_cipher_spec {
    transcript_hash transcript;
    negotiated neg;
    peer_info peer;
    session_keys keys;
    /// The NewSessionTicket received, if any.
    std::optional<codec::new_session_ticket_tls12> ticket;
};

struct expect_finished {
    transcript_hash transcript;
    negotiated neg;
    peer_info peer;
    session_keys keys;
    std::optional<codec::new_session_ticket_tls12> ticket;
};

struct connected {};

/// After an error: the machine is not to be used again.
struct closed {};

using client_state =
    std::variant<expect_server_hello, expect_certificate, expect_server_key_exchange,
                 expect_certificate_request_or_done, expect_server_hello_done, expect_new_session_ticket,
                 expect_change_cipher_spec, expect_finished, connected, closed>;

// ---------------------------------------------------------------------------------------------
// The machine

class client_tls12 final : public handshake_machine {
public:
    client_tls12(std::shared_ptr<const handshake_config> config, connection_params params, tls12_client_offer offer,
                 transcript_hash transcript)
        : config_(std::move(config)), params_(std::move(params)), offer_(std::move(offer)),
          provider_(*config_->provider), state_(expect_server_hello{std::move(transcript)}) {
        offered_schemes_ = config_->signature_schemes;
        // The ClientHello's signature_algorithms (client_tls13) adds rsa_pkcs1_* for TLS 1.2.
        for (const auto extra : {codec::signature_scheme::rsa_pkcs1_sha256, codec::signature_scheme::rsa_pkcs1_sha384,
                                 codec::signature_scheme::rsa_pkcs1_sha512}) {
            if (!contains(offered_schemes_, extra)) {
                offered_schemes_.push_back(extra);
            }
        }
    }

    result<void> start(handshake_output & /*out*/) override {
        // The ClientHello was sent by the TLS 1.3 machine that created this one.
        return errc::internal_error;
    }
    result<void> handle(const codec::handshake_message &msg, handshake_output &out) override;
    [[nodiscard]] bool is_connected() const noexcept override { return std::holds_alternative<connected>(state_); }
    [[nodiscard]] bool accepts_compat_ccs() const noexcept override { return false; }
    result<void> handle_change_cipher_spec(handshake_output &out) override;
    result<void> send_key_update(bool /*request_peer*/, handshake_output & /*out*/) override {
        // TLS 1.2 has no KeyUpdate.
        return errc::unexpected_message;
    }

private:
    result<client_state> on(expect_server_hello &&s, const codec::handshake_message &msg, handshake_output &out);
    result<client_state> on(expect_certificate &&s, const codec::handshake_message &msg, handshake_output &out);
    result<client_state> on(expect_server_key_exchange &&s, const codec::handshake_message &msg,
                            handshake_output &out);
    result<client_state> on(expect_certificate_request_or_done &&s, const codec::handshake_message &msg,
                            handshake_output &out);
    result<client_state> on(expect_server_hello_done &&s, const codec::handshake_message &msg,
                            handshake_output &out);
    result<client_state> on(expect_new_session_ticket &&s, const codec::handshake_message &msg,
                            handshake_output &out);
    result<client_state> on(expect_change_cipher_spec &&s, const codec::handshake_message &msg,
                            handshake_output &out);
    result<client_state> on(expect_finished &&s, const codec::handshake_message &msg, handshake_output &out);
    result<client_state> on(connected &&s, const codec::handshake_message &msg, handshake_output &out);
    result<client_state> on(closed &&s, const codec::handshake_message &msg, handshake_output &out);

    /// ServerHelloDone received: sends our flight and moves on.
    result<client_state> send_client_flight(transcript_hash &&transcript, negotiated &&neg, peer_info &&peer,
                                            key_exchange &&kx,
                                            const std::optional<codec::certificate_request_tls12> &request,
                                            const codec::handshake_message &done, handshake_output &out);
    /// The key block for `master`.
    result<session_keys> derive_keys(const negotiated &neg, crypto::secret_buffer master);
    /// Sends ChangeCipherSpec, installs our write keys and sends Finished over the transcript.
    result<void> send_ccs_and_finished(transcript_hash &transcript, const negotiated &neg, const session_keys &keys,
                                       handshake_output &out);
    void complete(const negotiated &neg, const peer_info &peer, handshake_output &out);
    void store_session(negotiated &&neg, peer_info &&peer, session_keys &&keys,
                       std::optional<codec::new_session_ticket_tls12> &&ticket);

    [[nodiscard]] bool offered(extension_type t) const noexcept { return contains(offer_.extensions, t); }
    [[nodiscard]] bool offered_suite(codec::cipher_suite s) const noexcept { return contains(offer_.suites, s); }

    std::shared_ptr<const handshake_config> config_;
    connection_params params_;
    tls12_client_offer offer_;
    crypto::provider &provider_;
    std::vector<codec::signature_scheme> offered_schemes_;
    client_state state_;
};

// ---------------------------------------------------------------------------------------------
// Dispatch

result<void> client_tls12::handle(const codec::handshake_message &msg, handshake_output &out) {
    if (msg.type == handshake_type::hello_request && !std::holds_alternative<connected>(state_) &&
        !std::holds_alternative<closed>(state_)) {
        // RFC 5246 7.4.1.1: ignored while a handshake is under way, and never part of the
        // transcript.
        if (auto r = codec::decode_hello_request(msg.body()); !r) {
            state_ = closed{};
            return r.error();
        }
        return {};
    }
    client_state current = std::move(state_);
    state_ = closed{};
    result<client_state> next = std::visit(
        [&](auto &&s) -> result<client_state> { return on(std::move(s), msg, out); }, std::move(current));
    if (!next) {
        return next.error();
    }
    state_ = std::move(*next);
    return {};
}

result<void> client_tls12::handle_change_cipher_spec(handshake_output &out) {
    client_state current = std::move(state_);
    state_ = closed{};
    auto *s = std::get_if<expect_change_cipher_spec>(&current);
    if (s == nullptr) {
        return errc::unexpected_message;
    }
    // RFC 5246 7.1: records after the server's ChangeCipherSpec are under its write keys.
    AWSIO_CLIENT12_TRY(p, record::tls12_record_protection::create(provider_, s->neg.suite.aead,
                                                                   s->keys.block.server_write_key.view(),
                                                                   s->keys.block.server_write_iv.view()));
    if (s->neg.record_size_limit_acknowledged && config_->record_size_limit != 0) {
        // RFC 8449 4: in TLS 1.2 the limit is the plaintext size.
        p.set_max_plaintext(config_->record_size_limit);
    }
    AWSIO_CLIENT12_CHECK(out.set_read_protection(std::make_unique<record::tls12_record_protection>(std::move(p))));
    state_ = expect_finished{std::move(s->transcript), std::move(s->neg), std::move(s->peer), std::move(s->keys),
                             std::move(s->ticket)};
    return {};
}

result<client_state> client_tls12::on(closed && /*s*/, const codec::handshake_message & /*msg*/,
                                      handshake_output & /*out*/) {
    return errc::unexpected_message;
}

// ---------------------------------------------------------------------------------------------
// ServerHello

result<client_state> client_tls12::on(expect_server_hello &&s, const codec::handshake_message &msg,
                                      handshake_output &out) {
    if (msg.type != handshake_type::server_hello) {
        return errc::unexpected_message;
    }
    AWSIO_CLIENT12_TRY(sh, codec::decode_server_hello(msg.body()));
    if (sh.legacy_version != codec::protocol_version::tls12 ||
        sh.extensions.contains(extension_type::supported_versions)) {
        return errc::protocol_version;
    }
    out.set_version(codec::protocol_version::tls12);
    // RFC 5246 7.4.1.3: a suite we offered, and here a TLS 1.2 one; no compression.
    const auto suite = lookup_suite(sh.cipher_suite);
    if (!offered_suite(sh.cipher_suite) || !suite || suite->tls13 || sh.legacy_compression_method != 0) {
        return errc::illegal_parameter;
    }

    negotiated neg;
    neg.suite = *suite;
    neg.prf_hash = tls12_prf_hash(suite->aead);
    neg.server_random = sh.random;
    neg.session_id = sh.legacy_session_id_echo;
    for (const auto &e : sh.extensions.entries) {
        // RFC 5246 7.4.1.4: only extensions the ClientHello carried may be answered.
        if (!offered(codec::type_of(e))) {
            return errc::unsupported_extension;
        }
        if (std::holds_alternative<ext::extended_master_secret>(e)) {
            neg.extended_master_secret = true;
        } else if (const auto *ri = std::get_if<ext::renegotiation_info>(&e)) {
            // RFC 5746 3.4: an initial handshake's renegotiated_connection is empty.
            if (!ri->renegotiated_connection.empty()) {
                return errc::handshake_failure;
            }
        } else if (const auto *alpn = std::get_if<ext::alpn>(&e)) {
            // RFC 7301 3.1: exactly one of the protocols we offered.
            if (alpn->protocols.size() != 1 || !contains(offer_.alpn, alpn->protocols.front())) {
                return errc::illegal_parameter;
            }
            neg.alpn = alpn->protocols.front();
        } else if (const auto *st = std::get_if<ext::session_ticket>(&e)) {
            // RFC 5077 3.2: the server's SessionTicket extension is empty.
            if (!st->ticket.empty()) {
                return errc::illegal_parameter;
            }
            neg.ticket_expected = true;
        } else if (const auto *limit = std::get_if<ext::record_size_limit>(&e)) {
            AWSIO_CLIENT12_CHECK(out.set_peer_record_size_limit(limit->limit));
            neg.record_size_limit_acknowledged = true;
        }
        // server_name (empty acknowledgement) and ec_point_formats (uncompressed is listed, the
        // decoder checks) need nothing.
    }
    // RFC 7627 5.2: without the extended master secret the session is open to the triple
    // handshake attack; refused unless the configuration allows it.
    if (!neg.extended_master_secret && config_->require_extended_master_secret) {
        return errc::handshake_failure;
    }

    AWSIO_CLIENT12_CHECK(s.transcript.set_algorithm(neg.prf_hash));
    s.transcript.update(msg.bytes);

    // RFC 5246 7.4.1.3 / RFC 5077 3.4: echoing our non-empty session id means resumption.
    const bool echoed = !sh.legacy_session_id_echo.empty() && sh.legacy_session_id_echo == offer_.session_id;
    if (echoed && !offer_.session) {
        // A session we never offered (the id was a TLS 1.3 compatibility-mode random value).
        return errc::illegal_parameter;
    }
    if (echoed) {
        tls12_session &session = *offer_.session;
        if (session.suite != sh.cipher_suite) {
            return errc::illegal_parameter;
        }
        // RFC 7627 5.3: a resumption keeps the original session's extended master secret use.
        if (session.extended_master_secret != neg.extended_master_secret) {
            return errc::handshake_failure;
        }
        if (!session.master_secret) {
            return errc::internal_error;
        }
        AWSIO_CLIENT12_TRY(keys, derive_keys(neg, session.master_secret->clone()));
        // Logged again under this connection's client random: that is what a key log reader
        // matches records by.
        out.log_secret("CLIENT_RANDOM", offer_.client_random, keys.master.view());
        neg.resumed = std::move(offer_.session);
        offer_.session.reset();
        peer_info peer;
        peer.chain = neg.resumed->peer_chain;
        peer.verified = config_->verify_peer && !peer.chain.empty();
        if (neg.ticket_expected) {
            return expect_new_session_ticket{std::move(s.transcript), std::move(neg), std::move(peer),
                                             std::move(keys)};
        }
        return expect_change_cipher_spec{std::move(s.transcript), std::move(neg), std::move(peer), std::move(keys),
                                         std::nullopt};
    }
    if (offer_.session) {
        // The server refused the session: forget it (a full handshake replaces it).
        if (config_->sessions && !params_.server_name.empty()) {
            config_->sessions->erase12(params_.server_name);
        }
        offer_.session.reset();
    }
    return expect_certificate{std::move(s.transcript), std::move(neg)};
}

// ---------------------------------------------------------------------------------------------
// The server's full-handshake flight

result<client_state> client_tls12::on(expect_certificate &&s, const codec::handshake_message &msg,
                                      handshake_output & /*out*/) {
    if (msg.type != handshake_type::certificate) {
        return errc::unexpected_message;
    }
    AWSIO_CLIENT12_TRY(cert, codec::decode_certificate_tls12(msg.body()));
    // RFC 5246 7.4.2: the server always sends a chain with ECDHE_ECDSA / ECDHE_RSA.
    if (cert.certificate_list.empty()) {
        return errc::decode_error;
    }
    peer_info peer;
    peer.chain = std::move(cert.certificate_list);

    crypto::public_key peer_key;
    if (config_->verify_peer) {
        if (!config_->trust) {
            return errc::internal_error;
        }
        x509::verify_options opts;
        if (!params_.server_name.empty()) {
            opts.host = params_.server_name;
        }
        opts.usage = x509::purpose::server_auth;
        opts.at = config_->verify_time;
        // Failures keep their io_errc (the driver picks the alert with verification_alert()).
        AWSIO_CLIENT12_TRY(path, x509::verify_chain_der(peer.chain, *config_->trust, opts, provider_));
        auto key = provider_.import_public_key_spki(path.certificates.front().spki_der());
        if (!key) {
            return errc::unsupported_certificate;
        }
        peer_key = std::move(*key);
        peer.verified = true;
    } else {
        // Unverified, but the ServerKeyExchange signature still proves the server holds the key.
        auto leaf = x509::certificate::parse(peer.chain.front());
        if (!leaf) {
            return errc::bad_certificate;
        }
        auto key = provider_.import_public_key_spki(leaf->spki_der());
        if (!key) {
            return errc::bad_certificate;
        }
        peer_key = std::move(*key);
    }
    // The suite the server chose names the key its certificate must hold.
    if (!key_fits_suite(peer_key.type(), s.neg.suite)) {
        return errc::illegal_parameter;
    }
    s.transcript.update(msg.bytes);
    return expect_server_key_exchange{std::move(s.transcript), std::move(s.neg), std::move(peer),
                                      std::move(peer_key)};
}

result<client_state> client_tls12::on(expect_server_key_exchange &&s, const codec::handshake_message &msg,
                                      handshake_output & /*out*/) {
    if (msg.type != handshake_type::server_key_exchange) {
        return errc::unexpected_message;
    }
    AWSIO_CLIENT12_TRY(ske, codec::decode_server_key_exchange_ecdhe(msg.body()));
    // RFC 8422 5.4: a curve from our supported_groups.
    const auto group = to_crypto_group(ske.group);
    if (!contains(config_->groups, ske.group) || !group) {
        return errc::illegal_parameter;
    }
    // RFC 5246 7.4.1.4.1: a scheme from our signature_algorithms, usable with the leaf's key.
    const auto sp = lookup_scheme(ske.algorithm, false);
    if (!contains(offered_schemes_, ske.algorithm) || !sp || sp->key != s.peer_key.type()) {
        return errc::illegal_parameter;
    }
    // RFC 8422 5.4: the signature covers client_random + server_random + ServerECDHParams.
    std::vector<std::uint8_t> signed_content;
    signed_content.reserve(2 * tls12_random_size + 4 + ske.public_key.size());
    signed_content.insert(signed_content.end(), offer_.client_random.begin(), offer_.client_random.end());
    signed_content.insert(signed_content.end(), s.neg.server_random.begin(), s.neg.server_random.end());
    {
        codec::writer w(signed_content);
        codec::encode_ecdhe_params(w, ske);
        if (!w.ok()) {
            return errc::internal_error;
        }
    }
    if (!provider_.verify(s.peer_key, sp->params, signed_content, ske.signature)) {
        return errc::decrypt_error;
    }

    AWSIO_CLIENT12_TRY(kp, provider_.generate_key_exchange(*group));
    auto premaster = provider_.key_agreement(kp.key, ske.public_key);
    if (!premaster) {
        // Off the curve, wrong size or form (RFC 8422 5.11 / RFC 7748 6.1).
        return errc::illegal_parameter;
    }
    s.peer.scheme = ske.algorithm;
    s.peer.group = ske.group;
    s.transcript.update(msg.bytes);
    return expect_certificate_request_or_done{std::move(s.transcript), std::move(s.neg), std::move(s.peer),
                                              key_exchange{std::move(kp.public_bytes), std::move(*premaster)}};
}

result<client_state> client_tls12::on(expect_certificate_request_or_done &&s, const codec::handshake_message &msg,
                                      handshake_output &out) {
    if (msg.type == handshake_type::server_hello_done) {
        return send_client_flight(std::move(s.transcript), std::move(s.neg), std::move(s.peer), std::move(s.kx),
                                  std::nullopt, msg, out);
    }
    if (msg.type != handshake_type::certificate_request) {
        return errc::unexpected_message;
    }
    AWSIO_CLIENT12_TRY(cr, codec::decode_certificate_request_tls12(msg.body()));
    s.transcript.update(msg.bytes);
    return expect_server_hello_done{std::move(s.transcript), std::move(s.neg), std::move(s.peer), std::move(s.kx),
                                    std::move(cr)};
}

result<client_state> client_tls12::on(expect_server_hello_done &&s, const codec::handshake_message &msg,
                                      handshake_output &out) {
    if (msg.type != handshake_type::server_hello_done) {
        return errc::unexpected_message;
    }
    return send_client_flight(std::move(s.transcript), std::move(s.neg), std::move(s.peer), std::move(s.kx),
                              std::optional<codec::certificate_request_tls12>(std::move(s.request)), msg, out);
}

// ---------------------------------------------------------------------------------------------
// Our flight

result<client_state> client_tls12::send_client_flight(transcript_hash &&transcript, negotiated &&neg,
                                                      peer_info &&peer, key_exchange &&kx,
                                                      const std::optional<codec::certificate_request_tls12> &request,
                                                      const codec::handshake_message &done, handshake_output &out) {
    AWSIO_CLIENT12_TRY(done_msg, codec::decode_server_hello_done(done.body()));
    static_cast<void>(done_msg);
    transcript.update(done.bytes);

    // RFC 5246 7.4.6: asked for a certificate, we send our chain when its key fits a requested
    // certificate_type and a scheme the server accepts, otherwise an empty Certificate and the
    // server decides.
    const certified_key *ours = nullptr;
    std::optional<codec::signature_scheme> scheme;
    if (request) {
        const certified_key *candidate = config_->certificates.empty() ? nullptr : config_->certificates.front().get();
        if (candidate != nullptr && !candidate->chain.empty() && candidate->key.valid() &&
            contains(request->certificate_types, certificate_type_of(candidate->key.type()))) {
            scheme = choose_scheme(candidate->key, offered_schemes_, request->supported_signature_algorithms, false);
            if (scheme) {
                ours = candidate;
            }
        }
        codec::certificate_tls12 cert;
        if (ours != nullptr) {
            cert.certificate_list = ours->chain;
        }
        const std::vector<std::uint8_t> cert_bytes = codec::serialize(cert);
        if (cert_bytes.empty()) {
            return errc::internal_error;
        }
        out.send_handshake(cert_bytes);
        transcript.update(cert_bytes);
    }

    const std::vector<std::uint8_t> cke_bytes = codec::serialize(codec::client_key_exchange_ecdhe{kx.public_bytes});
    if (cke_bytes.empty()) {
        return errc::internal_error;
    }
    out.send_handshake(cke_bytes);
    transcript.update(cke_bytes);

    // RFC 7627 4: the session hash covers ClientHello .. ClientKeyExchange.
    crypto::secret_buffer master;
    if (neg.extended_master_secret) {
        AWSIO_CLIENT12_TRY(session_hash, transcript.current());
        AWSIO_CLIENT12_TRY(ms, tls12_extended_master_secret(provider_, neg.prf_hash, kx.premaster.view(),
                                                            session_hash.view()));
        master = std::move(ms);
    } else {
        AWSIO_CLIENT12_TRY(ms, tls12_master_secret(provider_, neg.prf_hash, kx.premaster.view(),
                                                   offer_.client_random, neg.server_random));
        master = std::move(ms);
    }
    kx.premaster.clear();
    out.log_secret("CLIENT_RANDOM", offer_.client_random, master.view());

    if (ours != nullptr) {
        // RFC 5246 7.4.8: the signature covers every handshake message so far, as sent.
        const auto sp = lookup_scheme(*scheme, false);
        if (!sp) {
            return errc::internal_error;
        }
        AWSIO_CLIENT12_TRY(signature, provider_.sign(ours->key, sp->params, transcript.messages()));
        const std::vector<std::uint8_t> cv_bytes =
            codec::serialize(codec::certificate_verify{*scheme, std::move(signature)});
        if (cv_bytes.empty()) {
            return errc::internal_error;
        }
        out.send_handshake(cv_bytes);
        transcript.update(cv_bytes);
    }

    AWSIO_CLIENT12_TRY(keys, derive_keys(neg, std::move(master)));
    AWSIO_CLIENT12_CHECK(send_ccs_and_finished(transcript, neg, keys, out));
    if (neg.ticket_expected) {
        return expect_new_session_ticket{std::move(transcript), std::move(neg), std::move(peer), std::move(keys)};
    }
    return expect_change_cipher_spec{std::move(transcript), std::move(neg), std::move(peer), std::move(keys),
                                     std::nullopt};
}

result<session_keys> client_tls12::derive_keys(const negotiated &neg, crypto::secret_buffer master) {
    AWSIO_CLIENT12_TRY(block, tls12_derive_key_block(provider_, neg.suite.aead, neg.prf_hash, master.view(),
                                                     offer_.client_random, neg.server_random));
    return session_keys{std::move(master), std::move(block)};
}

result<void> client_tls12::send_ccs_and_finished(transcript_hash &transcript, const negotiated &neg,
                                                 const session_keys &keys, handshake_output &out) {
    out.send_change_cipher_spec();
    AWSIO_CLIENT12_TRY(p, record::tls12_record_protection::create(provider_, neg.suite.aead,
                                                                   keys.block.client_write_key.view(),
                                                                   keys.block.client_write_iv.view()));
    out.set_write_protection(std::make_unique<record::tls12_record_protection>(std::move(p)));
    AWSIO_CLIENT12_TRY(hash, transcript.current());
    AWSIO_CLIENT12_TRY(verify, tls12_finished_verify_data(provider_, neg.prf_hash, keys.master.view(),
                                                          tls12_finished_sender::client, hash.view()));
    const std::vector<std::uint8_t> finished_bytes =
        codec::serialize(codec::finished{std::vector<std::uint8_t>(verify.begin(), verify.end())});
    if (finished_bytes.empty()) {
        return errc::internal_error;
    }
    out.send_handshake(finished_bytes);
    transcript.update(finished_bytes);
    return {};
}

// ---------------------------------------------------------------------------------------------
// The server's final flight: [NewSessionTicket] ChangeCipherSpec Finished

result<client_state> client_tls12::on(expect_new_session_ticket &&s, const codec::handshake_message &msg,
                                      handshake_output & /*out*/) {
    if (msg.type != handshake_type::new_session_ticket) {
        return errc::unexpected_message;
    }
    AWSIO_CLIENT12_TRY(nst, codec::decode_new_session_ticket_tls12(msg.body()));
    s.transcript.update(msg.bytes);
    // RFC 5077 3.3: an empty ticket means the server issues none after all.
    std::optional<codec::new_session_ticket_tls12> ticket;
    if (!nst.ticket.empty()) {
        ticket = std::move(nst);
    }
    return expect_change_cipher_spec{std::move(s.transcript), std::move(s.neg), std::move(s.peer), std::move(s.keys),
                                     std::move(ticket)};
}

result<client_state> client_tls12::on(expect_change_cipher_spec && /*s*/, const codec::handshake_message & /*msg*/,
                                      handshake_output & /*out*/) {
    // RFC 5246 7.4.9: the server's Finished must follow its ChangeCipherSpec.
    return errc::unexpected_message;
}

result<client_state> client_tls12::on(expect_finished &&s, const codec::handshake_message &msg,
                                      handshake_output &out) {
    if (msg.type != handshake_type::finished) {
        return errc::unexpected_message;
    }
    AWSIO_CLIENT12_TRY(fin, codec::decode_finished(msg.body(), tls12_verify_data_size));
    AWSIO_CLIENT12_TRY(hash, s.transcript.current());
    AWSIO_CLIENT12_TRY(expected, tls12_finished_verify_data(provider_, s.neg.prf_hash, s.keys.master.view(),
                                                            tls12_finished_sender::server, hash.view()));
    if (!crypto::constant_time_equal(expected, fin.verify_data)) {
        return errc::decrypt_error;
    }
    s.transcript.update(msg.bytes);
    if (s.neg.resumed) {
        // Abbreviated handshake (RFC 5246 7.3): our ChangeCipherSpec and Finished come last.
        AWSIO_CLIENT12_CHECK(send_ccs_and_finished(s.transcript, s.neg, s.keys, out));
    }
    complete(s.neg, s.peer, out);
    store_session(std::move(s.neg), std::move(s.peer), std::move(s.keys), std::move(s.ticket));
    return connected{};
}

void client_tls12::complete(const negotiated &neg, const peer_info &peer, handshake_output &out) {
    handshake_summary summary;
    summary.version = codec::protocol_version::tls12;
    summary.suite = neg.suite.suite;
    summary.group = peer.group;
    summary.alpn = neg.alpn;
    summary.server_name = offer_.sni;
    summary.peer_chain = peer.chain;
    summary.peer_verified = peer.verified;
    summary.resumed = neg.resumed.has_value();
    summary.peer_signature_scheme = peer.scheme;
    out.handshake_complete(std::move(summary));
}

void client_tls12::store_session(negotiated &&neg, peer_info &&peer, session_keys &&keys,
                                 std::optional<codec::new_session_ticket_tls12> &&ticket) {
    if (!config_->sessions || params_.server_name.empty()) {
        return;
    }
    if (neg.resumed) {
        // The cached session stays as it is unless the server issued a new ticket for it.
        if (!ticket) {
            return;
        }
        tls12_session session = std::move(*neg.resumed);
        session.ticket = std::move(ticket->ticket);
        session.lifetime_seconds =
            ticket->ticket_lifetime_hint != 0 ? ticket->ticket_lifetime_hint : default_session_lifetime_seconds;
        session.received_at_seconds = provider_.now_seconds();
        config_->sessions->put12(params_.server_name, std::move(session));
        return;
    }
    if (neg.session_id.empty() && !ticket) {
        return; // nothing to resume with
    }
    tls12_session session;
    session.suite = neg.suite.suite;
    session.session_id = std::move(neg.session_id);
    session.master_secret = std::make_shared<const crypto::secret_buffer>(std::move(keys.master));
    session.extended_master_secret = neg.extended_master_secret;
    session.lifetime_seconds = default_session_lifetime_seconds;
    if (ticket) {
        session.ticket = std::move(ticket->ticket);
        if (ticket->ticket_lifetime_hint != 0) {
            session.lifetime_seconds = ticket->ticket_lifetime_hint;
        }
    }
    session.received_at_seconds = provider_.now_seconds();
    session.alpn = std::move(neg.alpn);
    session.peer_chain = std::move(peer.chain);
    config_->sessions->put12(params_.server_name, std::move(session));
}

// ---------------------------------------------------------------------------------------------
// Connected

result<client_state> client_tls12::on(connected &&s, const codec::handshake_message &msg, handshake_output &out) {
    if (msg.type != handshake_type::hello_request) {
        return errc::unexpected_message;
    }
    AWSIO_CLIENT12_TRY(request, codec::decode_hello_request(msg.body()));
    static_cast<void>(request);
    // RFC 5746 4.5 / RFC 5246 7.2.2: renegotiation is refused with a warning; the connection
    // stays up.
    out.send_alert(alert_level::warning, alert_description::no_renegotiation);
    return std::move(s);
}

#undef AWSIO_CLIENT12_TRY
#undef AWSIO_CLIENT12_CHECK

} // namespace

std::unique_ptr<handshake_machine> make_client_tls12_machine(std::shared_ptr<const handshake_config> config,
                                                             connection_params params, tls12_client_offer offer) {
    if (!config || config->provider == nullptr || offer.client_hello.empty()) {
        return nullptr;
    }
    transcript_hash transcript(*config->provider);
    // A TLS 1.2 CertificateVerify signs the raw messages: keep them when we may have to sign.
    transcript.keep_messages(!config->certificates.empty());
    transcript.update(offer.client_hello);
    return std::make_unique<client_tls12>(std::move(config), std::move(params), std::move(offer),
                                          std::move(transcript));
}

} // namespace awsio::tls
