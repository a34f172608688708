// tls/handshake/client_tls13.cpp — the TLS 1.3 client handshake (RFC 8446 sections 2 and 4) and
// its post-handshake messages, as a state machine over types: each state owns only what it
// needs, and each handler consumes its state and returns the next one or an error.
//
// Legal transitions (state, message received -> next state). Every other pair is answered with
// unexpected_message:
//
//   state                                       message received       next state
//   ------------------------------------------  ---------------------  ------------------------------------------
//   idle                                        (start(): ClientHello)  expect_server_hello
//   expect_server_hello                         HelloRetryRequest [1]  expect_server_hello (second ClientHello sent)
//   expect_server_hello                         ServerHello            expect_encrypted_extensions
//   expect_encrypted_extensions                 EncryptedExtensions    expect_certificate_or_certificate_request,
//                                                                      or expect_finished when our PSK was accepted
//   expect_certificate_or_certificate_request   CertificateRequest     expect_certificate
//   expect_certificate_or_certificate_request   Certificate            expect_certificate_verify
//   expect_certificate                          Certificate            expect_certificate_verify
//   expect_certificate_verify                   CertificateVerify      expect_finished
//   expect_finished                             Finished               connected (our flight sent)
//   connected                                   NewSessionTicket       connected
//   connected                                   KeyUpdate              connected
//   closed (after an error)                     anything               unexpected_message
//
//   [1] a ServerHello carrying the HelloRetryRequest random; at most one per handshake.
//
// TLS 1.2: when the configuration enables it (and has a TLS 1.2 suite), the ClientHello offers
// it too: TLS 1.2 suites after the TLS 1.3 ones, extended_master_secret, renegotiation_info,
// ec_point_formats, session_ticket, and a cached TLS 1.2 session. A ServerHello selecting TLS 1.2
// goes through select_legacy_version(), the single place that hands the connection over to the
// TLS 1.2 client machine (tls12.hpp) after the downgrade sentinel check (RFC 8446 4.1.3); every
// later call is forwarded to that machine.
#include "tls/handshake/client_tls13.hpp"

#include "tls/handshake/tls12.hpp"

#include "tls/key_schedule/tls13_key_schedule.hpp"
#include "tls/key_schedule/transcript_hash.hpp"
#include "x509/certificate.hpp"
#include "x509/hostname.hpp"
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
#define AWSIO_CLIENT_TRY(var, expr)                                                                \
    auto var##_try_ = (expr);                                                                      \
    if (!var##_try_) {                                                                             \
        return ::awsio::unexpected(var##_try_.error());                                            \
    }                                                                                              \
    auto var = std::move(*var##_try_)

#define AWSIO_CLIENT_CHECK(expr)                                                                   \
    do {                                                                                           \
        const std::error_code awsio_client_ec_ = ::awsio::tls::codec::to_error(expr);             \
        if (awsio_client_ec_) {                                                                    \
            return ::awsio::unexpected(awsio_client_ec_);                                          \
        }                                                                                          \
    } while (false)

using codec::extension_type;
using codec::handshake_type;
namespace ext = codec::ext;
using der_chain = std::vector<std::vector<std::uint8_t>>;

/// RFC 8446 4.6.1: ticket lifetimes above seven days are illegal.
constexpr std::uint32_t max_ticket_lifetime_seconds = 604800;

template <typename T>
bool contains(const std::vector<T> &v, const T &x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

std::vector<std::uint8_t> to_vector(bytes_view b) { return {b.begin(), b.end()}; }

std::unique_ptr<record::record_protection> boxed(record::tls13_record_protection &&p) {
    return std::make_unique<record::tls13_record_protection>(std::move(p));
}

// ---------------------------------------------------------------------------------------------
// What the states carry

/// An ephemeral key for one key_share entry we sent.
struct offered_share {
    codec::named_group group = codec::named_group::x25519;
    crypto::private_key key;
};

/// What the hellos settled and what the rest of the handshake reports.
struct negotiated {
    suite_params suite;
    std::optional<codec::named_group> group;
    bool hello_retry = false;
    /// The ticket the server accepted (resumption), if any.
    std::optional<tls13_session> resumed_session;
    std::string alpn;
    /// The server answered our record_size_limit (so it applies to what it sends).
    bool record_size_limit_acknowledged = false;
};

/// The handshake-phase key schedule and transcript.
struct handshake_keys {
    transcript_hash transcript;
    tls13_handshake_secret secret;
    crypto::secret_buffer client_traffic;
    crypto::secret_buffer server_traffic;
};

/// A CertificateRequest to answer in our second flight.
struct client_auth_request {
    std::vector<std::uint8_t> context;
    std::vector<codec::signature_scheme> schemes;
};

struct idle {};

struct expect_server_hello {
    transcript_hash transcript;
    /// Our ClientHello before adjust_client_hello and without pre_shared_key: the base of the
    /// second ClientHello after a HelloRetryRequest.
    codec::client_hello hello;
    std::vector<offered_share> shares;
    /// The ticket offered in pre_shared_key, if any.
    std::optional<tls13_session> session;
    /// Set once a HelloRetryRequest was received: the suite it selected.
    std::optional<codec::cipher_suite> retry_suite;
};

struct expect_encrypted_extensions {
    handshake_keys keys;
    negotiated neg;
};

struct expect_certificate_or_certificate_request {
    handshake_keys keys;
    negotiated neg;
};

struct expect_certificate {
    handshake_keys keys;
    negotiated neg;
    client_auth_request request;
};

struct expect_certificate_verify {
    handshake_keys keys;
    negotiated neg;
    std::optional<client_auth_request> request;
    der_chain chain;
    crypto::public_key peer_key;
    bool verified = false;
};

struct expect_finished {
    handshake_keys keys;
    negotiated neg;
    std::optional<client_auth_request> request;
    der_chain chain;
    bool verified = false;
    std::optional<codec::signature_scheme> peer_scheme;
};

struct connected {
    suite_params suite;
    crypto::secret_buffer client_traffic;
    crypto::secret_buffer server_traffic;
    crypto::secret_buffer resumption_master;
    std::string alpn;
    der_chain chain;
};

/// After an error: the machine is not to be used again.
struct closed {};

using client_state = std::variant<idle, expect_server_hello, expect_encrypted_extensions,
                                  expect_certificate_or_certificate_request, expect_certificate,
                                  expect_certificate_verify, expect_finished, connected, closed>;

// ---------------------------------------------------------------------------------------------
// The machine

class client_tls13 final : public handshake_machine {
public:
    client_tls13(std::shared_ptr<const handshake_config> config, connection_params params,
                 client_tls13_options options)
        : config_(std::move(config)), params_(std::move(params)), options_(std::move(options)),
          provider_(*config_->provider) {}

    result<void> start(handshake_output &out) override;
    result<void> handle(const codec::handshake_message &msg, handshake_output &out) override;
    [[nodiscard]] bool is_connected() const noexcept override {
        return tls12_ ? tls12_->is_connected() : std::holds_alternative<connected>(state_);
    }
    [[nodiscard]] bool accepts_compat_ccs() const noexcept override {
        if (tls12_) {
            return false;
        }
        // RFC 8446 5: from the first ClientHello until the peer's Finished.
        return !std::holds_alternative<idle>(state_) && !std::holds_alternative<connected>(state_) &&
               !std::holds_alternative<closed>(state_);
    }
    result<void> handle_change_cipher_spec(handshake_output &out) override {
        if (tls12_) {
            return tls12_->handle_change_cipher_spec(out);
        }
        return errc::unexpected_message;
    }
    result<void> send_key_update(bool request_peer, handshake_output &out) override;

private:
    // One handler per state (the message type is checked inside against the table above).
    result<client_state> on(idle &&s, const codec::handshake_message &msg, handshake_output &out);
    result<client_state> on(expect_server_hello &&s, const codec::handshake_message &msg, handshake_output &out);
    result<client_state> on(expect_encrypted_extensions &&s, const codec::handshake_message &msg,
                            handshake_output &out);
    result<client_state> on(expect_certificate_or_certificate_request &&s, const codec::handshake_message &msg,
                            handshake_output &out);
    result<client_state> on(expect_certificate &&s, const codec::handshake_message &msg, handshake_output &out);
    result<client_state> on(expect_certificate_verify &&s, const codec::handshake_message &msg,
                            handshake_output &out);
    result<client_state> on(expect_finished &&s, const codec::handshake_message &msg, handshake_output &out);
    result<client_state> on(connected &&s, const codec::handshake_message &msg, handshake_output &out);
    result<client_state> on(closed &&s, const codec::handshake_message &msg, handshake_output &out);

    result<client_state> on_hello_retry(expect_server_hello &&s, const codec::server_hello &hrr,
                                        const suite_params &suite, const codec::handshake_message &msg,
                                        handshake_output &out);
    result<client_state> select_legacy_version(expect_server_hello &&s, const codec::server_hello &sh,
                                               const codec::handshake_message &msg, handshake_output &out);
    result<client_state> on_server_certificate(handshake_keys &&keys, negotiated &&neg,
                                               std::optional<client_auth_request> &&request,
                                               const codec::handshake_message &msg);
    result<void> send_client_certificate(handshake_keys &keys, const client_auth_request &request,
                                         handshake_output &out);
    result<void> on_new_session_ticket(const connected &s, const codec::handshake_message &msg);
    result<void> on_key_update(connected &s, const codec::handshake_message &msg, handshake_output &out);
    result<void> update_write_key(connected &s, bool request_peer, handshake_output &out);

    /// Serializes a ClientHello from `base`: runs adjust_client_hello, appends pre_shared_key
    /// for `session` and fills in its binder over `transcript` (empty before a
    /// HelloRetryRequest) plus the truncated message.
    result<std::vector<std::uint8_t>> finish_client_hello(const codec::client_hello &base,
                                                          const std::optional<tls13_session> &session,
                                                          const transcript_hash &transcript);
    result<offered_share> make_share(codec::named_group g);
    [[nodiscard]] bool offered(extension_type t) const noexcept { return contains(offered_extensions_, t); }
    [[nodiscard]] bool offered_suite(codec::cipher_suite s) const noexcept { return contains(offered_suites_, s); }
    void log_secret(handshake_output &out, std::string_view label, bytes_view secret) const {
        out.log_secret(label, client_random_, secret);
    }
    result<void> install_read(handshake_output &out, const suite_params &suite, bytes_view secret,
                              bool apply_own_limit);
    result<void> install_write(handshake_output &out, const suite_params &suite, bytes_view secret);

    std::shared_ptr<const handshake_config> config_;
    connection_params params_;
    client_tls13_options options_;
    crypto::provider &provider_;

    // Fixed by start(): what our ClientHello offered.
    codec::random_bytes client_random_{};
    std::vector<std::uint8_t> session_id_;
    std::string sni_;
    std::vector<codec::cipher_suite> offered_suites_;
    std::vector<std::string> offered_alpn_;
    std::vector<extension_type> offered_extensions_;
    bool ccs_sent_ = false;
    bool offer13_ = true;
    bool offer12_ = false;
    /// TLS 1.2 offer: the ClientHello as sent and the session offered.
    std::vector<std::uint8_t> client_hello_bytes_;
    std::optional<tls12_session> session12_;

    client_state state_;
    /// Set once the server picked TLS 1.2: every call goes there.
    std::unique_ptr<handshake_machine> tls12_;
};

// ---------------------------------------------------------------------------------------------
// ClientHello

result<offered_share> client_tls13::make_share(codec::named_group g) {
    const auto cg = to_crypto_group(g);
    if (!cg) {
        return errc::internal_error;
    }
    AWSIO_CLIENT_TRY(kp, provider_.generate_key_exchange(*cg));
    return offered_share{g, std::move(kp.key)};
}

result<std::vector<std::uint8_t>> client_tls13::finish_client_hello(const codec::client_hello &base,
                                                                     const std::optional<tls13_session> &session,
                                                                     const transcript_hash &transcript) {
    codec::client_hello ch = base;
    if (options_.adjust_client_hello) {
        options_.adjust_client_hello(ch);
    }
    std::optional<suite_params> psk_suite;
    if (session) {
        psk_suite = lookup_suite(session->suite);
        if (!psk_suite) {
            return errc::internal_error;
        }
        // RFC 8446 4.2.11.1: the age in milliseconds plus ticket_age_add, modulo 2^32.
        const std::uint64_t now = provider_.now_seconds();
        const std::uint64_t age_seconds = now > session->received_at_seconds ? now - session->received_at_seconds : 0;
        const auto obfuscated = static_cast<std::uint32_t>(age_seconds * 1000 + session->ticket_age_add);
        ext::pre_shared_key_client psk;
        psk.identities.push_back({session->ticket, obfuscated});
        // Placeholder of the final length; patched once the binder is known.
        psk.binders.emplace_back(crypto::digest_size(psk_suite->hash), std::uint8_t{0});
        ch.extensions.add(std::move(psk));
    }
    offered_extensions_.clear();
    for (const auto &e : ch.extensions.entries) {
        offered_extensions_.push_back(codec::type_of(e));
    }
    std::vector<std::uint8_t> bytes = codec::serialize(ch);
    if (bytes.empty()) {
        return errc::internal_error;
    }
    if (session) {
        // RFC 8446 4.2.11.2: the binder covers the transcript so far (ClientHello1 and the
        // HelloRetryRequest, when there was one) and the ClientHello up to the binders.
        AWSIO_CLIENT_TRY(truncated, codec::truncated_client_hello(bytes));
        crypto::digest hash;
        if (transcript.has_algorithm()) {
            AWSIO_CLIENT_TRY(h, transcript.current_with(truncated));
            hash = h;
        } else {
            AWSIO_CLIENT_TRY(h, provider_.hash(psk_suite->hash, truncated));
            hash = h;
        }
        AWSIO_CLIENT_TRY(early, tls13_early_secret::create(provider_, psk_suite->hash, session->psk->view()));
        AWSIO_CLIENT_TRY(binder, early.binder(psk_binder_kind::resumption, hash.view()));
        const std::vector<std::vector<std::uint8_t>> binders{to_vector(binder.view())};
        AWSIO_CLIENT_CHECK(codec::patch_binders(bytes, binders));
    }
    return bytes;
}

result<void> client_tls13::start(handshake_output &out) {
    if (!std::holds_alternative<idle>(state_)) {
        return errc::internal_error;
    }
    state_ = closed{};
    const handshake_config &cfg = *config_;
    const auto has_suite = [&](bool tls13) {
        return std::any_of(cfg.cipher_suites.begin(), cfg.cipher_suites.end(), [&](codec::cipher_suite cs) {
            const auto sp = lookup_suite(cs);
            return sp && sp->tls13 == tls13;
        });
    };
    offer13_ = cfg.max_version >= codec::protocol_version::tls13 && cfg.min_version <= codec::protocol_version::tls13;
    // TLS 1.2 is offered only with a TLS 1.2 suite to offer (a TLS 1.3-only suite list keeps the
    // ClientHello a pure TLS 1.3 one).
    offer12_ = cfg.max_version >= codec::protocol_version::tls12 &&
               cfg.min_version <= codec::protocol_version::tls12 && has_suite(false);
    if (!offer13_ && !offer12_) {
        return errc::protocol_version;
    }
    // TLS 1.3 suites first: a server that speaks both prefers TLS 1.3 anyway.
    for (const bool tls13 : {true, false}) {
        if ((tls13 && !offer13_) || (!tls13 && !offer12_)) {
            continue;
        }
        for (const auto cs : cfg.cipher_suites) {
            const auto sp = lookup_suite(cs);
            if (sp && sp->tls13 == tls13 && !offered_suite(cs)) {
                offered_suites_.push_back(cs);
            }
        }
    }
    if (offered_suites_.empty() || cfg.groups.empty() || cfg.signature_schemes.empty()) {
        return errc::handshake_failure;
    }

    AWSIO_CLIENT_CHECK(provider_.random_bytes(client_random_));
    if (options_.compat_mode && offer13_) {
        // RFC 8446 D.4: a non-empty session id makes the handshake look like a TLS 1.2 resumption.
        session_id_.resize(32);
        AWSIO_CLIENT_CHECK(provider_.random_bytes(session_id_));
    }

    // A cached TLS 1.2 session: its id goes in legacy_session_id (RFC 8446 4.1.2 allows that in
    // a TLS 1.3 ClientHello too), its ticket in session_ticket. With a ticket but no id we send a
    // random id so that the server's echo tells a resumption apart (RFC 5077 3.4).
    const bool tickets_usable = cfg.sessions != nullptr && !params_.server_name.empty();
    if (offer12_ && tickets_usable) {
        if (auto cached = cfg.sessions->get12(params_.server_name, provider_.now_seconds())) {
            const auto sp = lookup_suite(cached->suite);
            const bool usable = sp && !sp->tls13 && offered_suite(cached->suite) && cached->master_secret &&
                                (cached->extended_master_secret || !cfg.require_extended_master_secret) &&
                                (!cached->session_id.empty() || !cached->ticket.empty()) &&
                                cached->session_id.size() <= 32;
            if (usable) {
                if (!cached->session_id.empty()) {
                    session_id_ = cached->session_id;
                } else if (session_id_.empty()) {
                    session_id_.resize(32);
                    AWSIO_CLIENT_CHECK(provider_.random_bytes(session_id_));
                }
                session12_ = std::move(cached);
            }
        }
    }

    expect_server_hello next{transcript_hash(provider_), {}, {}, {}, {}};
    for (const auto g : cfg.key_share_groups) {
        if (!offer13_) {
            break;
        }
        if (contains(cfg.groups, g) && to_crypto_group(g) &&
            std::none_of(next.shares.begin(), next.shares.end(), [g](const offered_share &o) { return o.group == g; })) {
            AWSIO_CLIENT_TRY(share, make_share(g));
            next.shares.push_back(std::move(share));
        }
    }

    codec::client_hello &ch = next.hello;
    ch.legacy_version = codec::protocol_version::tls12;
    ch.random = client_random_;
    ch.legacy_session_id = session_id_;
    ch.cipher_suites = offered_suites_;
    ch.legacy_compression_methods = {0};

    // SNI carries DNS names only (RFC 6066 3: literal IPv4 and IPv6 addresses are not permitted).
    if (!params_.server_name.empty() && !x509::parse_ip_literal(params_.server_name)) {
        sni_ = params_.server_name;
        ch.extensions.add(ext::server_name{sni_});
    }
    ch.extensions.add(ext::supported_groups{cfg.groups});
    if (offer13_) {
        ext::key_share_client shares;
        for (const auto &s : next.shares) {
            AWSIO_CLIENT_TRY(pub, provider_.key_exchange_public_bytes(s.key));
            shares.shares.push_back({s.group, std::move(pub)});
        }
        ch.extensions.add(std::move(shares));
        ext::supported_versions_client versions{{codec::protocol_version::tls13}};
        if (offer12_) {
            versions.versions.push_back(codec::protocol_version::tls12);
        }
        ch.extensions.add(std::move(versions));
    }
    if (offer12_) {
        ch.extensions.add(ext::ec_point_formats{});
        ch.extensions.add(ext::extended_master_secret{});
        // RFC 5746 3.4: an empty renegotiation_info in the initial handshake.
        ch.extensions.add(ext::renegotiation_info{});
        if (tickets_usable) {
            ext::session_ticket st;
            if (session12_) {
                st.ticket = session12_->ticket;
            }
            ch.extensions.add(std::move(st));
        }
    }
    std::vector<codec::signature_scheme> schemes = cfg.signature_schemes;
    if (offer12_) {
        // RFC 8446 4.2.3 lets a ClientHello list rsa_pkcs1_* for TLS 1.2 servers; TLS 1.3
        // handshake signatures never accept them (lookup_scheme with tls13).
        for (const auto extra : tls12_rsa_pkcs1_schemes) {
            if (!contains(schemes, extra)) {
                schemes.push_back(extra);
            }
        }
    }
    ch.extensions.add(ext::signature_algorithms{std::move(schemes)});
    if (!cfg.certificate_signature_schemes.empty()) {
        ch.extensions.add(ext::signature_algorithms_cert{cfg.certificate_signature_schemes});
    }
    offered_alpn_ = !params_.alpn.empty() ? params_.alpn : cfg.alpn;
    if (!offered_alpn_.empty()) {
        ch.extensions.add(ext::alpn{offered_alpn_});
    }
    // psk_key_exchange_modes goes out whenever tickets can be stored, not only when one is
    // offered: servers issue tickets only to clients that announce a mode (RFC 8446 4.2.9).
    if (tickets_usable && offer13_) {
        ch.extensions.add(ext::psk_key_exchange_modes{{codec::psk_key_exchange_mode::psk_dhe_ke}});
    }
    if (cfg.record_size_limit != 0) {
        ch.extensions.add(ext::record_size_limit{cfg.record_size_limit});
    }

    if (tickets_usable && offer13_) {
        if (auto session = cfg.sessions->take(params_.server_name, provider_.now_seconds())) {
            // A ticket is usable only with an offered suite of the same hash (RFC 8446 4.2.11).
            const auto ticket_suite = lookup_suite(session->suite);
            const bool usable = ticket_suite && ticket_suite->tls13 && session->psk && !session->ticket.empty() &&
                                std::any_of(offered_suites_.begin(), offered_suites_.end(), [&](codec::cipher_suite s) {
                                    const auto sp = lookup_suite(s);
                                    return sp && sp->hash == ticket_suite->hash;
                                });
            if (usable) {
                next.session = std::move(session);
            }
        }
    }

    AWSIO_CLIENT_TRY(bytes, finish_client_hello(next.hello, next.session, next.transcript));
    out.send_handshake(bytes);
    next.transcript.update(bytes);
    if (offer12_) {
        client_hello_bytes_ = bytes;
    }
    state_ = std::move(next);
    return {};
}

// ---------------------------------------------------------------------------------------------
// Dispatch

result<void> client_tls13::handle(const codec::handshake_message &msg, handshake_output &out) {
    if (tls12_) {
        return tls12_->handle(msg, out);
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

result<client_state> client_tls13::on(idle && /*s*/, const codec::handshake_message & /*msg*/,
                                      handshake_output & /*out*/) {
    return errc::unexpected_message;
}

result<client_state> client_tls13::on(closed && /*s*/, const codec::handshake_message & /*msg*/,
                                      handshake_output & /*out*/) {
    return errc::unexpected_message;
}

// ---------------------------------------------------------------------------------------------
// ServerHello / HelloRetryRequest

result<client_state> client_tls13::select_legacy_version(expect_server_hello &&s, const codec::server_hello &sh,
                                                         const codec::handshake_message &msg, handshake_output &out) {
    if (sh.legacy_version != codec::protocol_version::tls12 || !offer12_) {
        // TLS 1.1 and older are never accepted; TLS 1.2 only when offered.
        return errc::protocol_version;
    }
    // RFC 8446 4.1.3: a client offering TLS 1.3 that sees a lower version checks the downgrade
    // sentinels; finding one means an attacker removed 1.3 from our offer.
    const auto tail = std::span<const std::uint8_t>(sh.random).last<8>();
    if (offer13_ && (std::equal(tail.begin(), tail.end(), codec::downgrade_sentinel_tls12.begin()) ||
                     std::equal(tail.begin(), tail.end(), codec::downgrade_sentinel_tls11.begin()))) {
        return errc::illegal_parameter;
    }
    // After a HelloRetryRequest the server has committed to TLS 1.3 (RFC 8446 4.1.4).
    if (s.retry_suite) {
        return errc::illegal_parameter;
    }
    tls12_client_offer offer;
    offer.client_random = client_random_;
    offer.session_id = session_id_;
    offer.client_hello = std::move(client_hello_bytes_);
    offer.suites = offered_suites_;
    offer.alpn = offered_alpn_;
    offer.sni = sni_;
    offer.extensions = offered_extensions_;
    offer.session = std::move(session12_);
    tls12_ = make_client_tls12_machine(config_, params_, std::move(offer));
    if (!tls12_) {
        return errc::internal_error;
    }
    AWSIO_CLIENT_CHECK(tls12_->handle(msg, out));
    return closed{};
}

result<client_state> client_tls13::on(expect_server_hello &&s, const codec::handshake_message &msg,
                                      handshake_output &out) {
    if (msg.type != handshake_type::server_hello) {
        return errc::unexpected_message;
    }
    AWSIO_CLIENT_TRY(sh, codec::decode_server_hello(msg.body()));
    const auto *sv = sh.extensions.get<ext::supported_versions_server>();
    if (sv == nullptr) {
        return select_legacy_version(std::move(s), sh, msg, out);
    }
    if (!offer13_) {
        // supported_versions answers an offer we did not make (RFC 5246 7.4.1.4).
        return errc::unsupported_extension;
    }
    if (sh.legacy_version != codec::protocol_version::tls12) {
        return errc::protocol_version;
    }
    // RFC 8446 4.2.1: a version we did not offer, or one below TLS 1.3, is illegal_parameter.
    if (sv->selected != codec::protocol_version::tls13) {
        return errc::illegal_parameter;
    }
    // RFC 8446 4.1.3 / 4.1.4: echo of our session id, no compression, a suite we offered.
    if (sh.legacy_session_id_echo != session_id_ || sh.legacy_compression_method != 0 ||
        !offered_suite(sh.cipher_suite)) {
        return errc::illegal_parameter;
    }
    const auto suite = lookup_suite(sh.cipher_suite);
    if (!suite) {
        return errc::illegal_parameter;
    }
    if (sh.is_hello_retry_request()) {
        return on_hello_retry(std::move(s), sh, *suite, msg, out);
    }
    // RFC 8446 4.1.4: the ServerHello keeps the suite the HelloRetryRequest chose.
    if (s.retry_suite && *s.retry_suite != sh.cipher_suite) {
        return errc::illegal_parameter;
    }
    for (const auto &e : sh.extensions.entries) {
        const auto t = codec::type_of(e);
        // Anything but these was not asked for (RFC 8446 4.2); the decoder already refused
        // recognized extensions that do not belong in a ServerHello.
        if (t != extension_type::supported_versions && t != extension_type::key_share &&
            !(t == extension_type::pre_shared_key && s.session)) {
            return errc::unsupported_extension;
        }
    }
    // We never offer psk_ke, so the server must answer with a key share (RFC 8446 4.2.8).
    const auto *ks = sh.extensions.get<ext::key_share_server>();
    if (ks == nullptr) {
        return errc::missing_extension;
    }
    auto own = std::find_if(s.shares.begin(), s.shares.end(),
                            [&](const offered_share &o) { return o.group == ks->share.group; });
    if (own == s.shares.end()) {
        return errc::illegal_parameter;
    }
    bool psk_accepted = false;
    if (const auto *psk = sh.extensions.get<ext::pre_shared_key_server>()) {
        // One identity offered; its suite's hash must be the negotiated one (RFC 8446 4.2.11).
        const auto ticket_suite = lookup_suite(s.session->suite);
        if (psk->selected_identity != 0 || !ticket_suite || ticket_suite->hash != suite->hash) {
            return errc::illegal_parameter;
        }
        psk_accepted = true;
    }
    auto ecdhe = provider_.key_agreement(own->key, ks->share.key_exchange);
    if (!ecdhe) {
        return errc::illegal_parameter;
    }

    AWSIO_CLIENT_CHECK(s.transcript.set_algorithm(suite->hash));
    s.transcript.update(msg.bytes);
    const bytes_view psk_bytes = psk_accepted ? s.session->psk->view() : bytes_view{};
    AWSIO_CLIENT_TRY(early, tls13_early_secret::create(provider_, suite->hash, psk_bytes));
    AWSIO_CLIENT_TRY(hs, std::move(early).into_handshake_secret(ecdhe->view()));
    AWSIO_CLIENT_TRY(hello_hash, s.transcript.current());
    AWSIO_CLIENT_TRY(traffic, hs.handshake_traffic_secrets(hello_hash.view()));
    log_secret(out, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", traffic.client.view());
    log_secret(out, "SERVER_HANDSHAKE_TRAFFIC_SECRET", traffic.server.view());

    out.set_version(codec::protocol_version::tls13);
    AWSIO_CLIENT_CHECK(install_read(out, *suite, traffic.server.view(), false));
    // Our write keys change now too (after the compatibility change_cipher_spec): the server
    // reads with our handshake keys from the end of its flight on, so an alert we send while
    // processing that flight must already be protected with them.
    if (options_.compat_mode && !ccs_sent_) {
        out.send_change_cipher_spec();
        ccs_sent_ = true;
    }
    AWSIO_CLIENT_CHECK(install_write(out, *suite, traffic.client.view()));

    negotiated neg;
    neg.suite = *suite;
    neg.group = ks->share.group;
    neg.hello_retry = s.retry_suite.has_value();
    if (psk_accepted) {
        neg.resumed_session = std::move(s.session);
    }
    return expect_encrypted_extensions{
        handshake_keys{std::move(s.transcript), std::move(hs), std::move(traffic.client), std::move(traffic.server)},
        std::move(neg)};
}

result<client_state> client_tls13::on_hello_retry(expect_server_hello &&s, const codec::server_hello &hrr,
                                                  const suite_params &suite, const codec::handshake_message &msg,
                                                  handshake_output &out) {
    if (s.retry_suite) {
        return errc::unexpected_message;
    }
    for (const auto &e : hrr.extensions.entries) {
        const auto t = codec::type_of(e);
        if (t != extension_type::supported_versions && t != extension_type::key_share && t != extension_type::cookie) {
            return errc::unsupported_extension;
        }
    }
    const auto *ks = hrr.extensions.get<ext::key_share_hrr>();
    const auto *cookie = hrr.extensions.get<ext::cookie>();
    // RFC 8446 4.1.4: a HelloRetryRequest that would not change the ClientHello is illegal.
    if (ks == nullptr && cookie == nullptr) {
        return errc::illegal_parameter;
    }
    codec::client_hello &ch = s.hello;
    if (ks != nullptr) {
        // The group must be one we support but did not already send a share for.
        const auto g = ks->selected_group;
        if (!contains(config_->groups, g) ||
            std::any_of(s.shares.begin(), s.shares.end(), [g](const offered_share &o) { return o.group == g; })) {
            return errc::illegal_parameter;
        }
        if (!to_crypto_group(g)) {
            // Listed in supported_groups by configuration but not implemented.
            return errc::handshake_failure;
        }
        AWSIO_CLIENT_TRY(share, make_share(g));
        AWSIO_CLIENT_TRY(pub, provider_.key_exchange_public_bytes(share.key));
        s.shares.clear();
        s.shares.push_back(std::move(share));
        if (auto *kc = ch.extensions.get<ext::key_share_client>()) {
            kc->shares = {ext::key_share_entry{g, std::move(pub)}};
        }
    }
    if (cookie != nullptr) {
        // Echo the cookie right after key_share (any position before pre_shared_key is valid).
        auto &entries = ch.extensions.entries;
        auto at = std::find_if(entries.begin(), entries.end(), [](const codec::extension &e) {
            return codec::type_of(e) == extension_type::key_share;
        });
        entries.insert(at == entries.end() ? entries.end() : at + 1, codec::extension{*cookie});
    }

    AWSIO_CLIENT_CHECK(s.transcript.set_algorithm(suite.hash));
    AWSIO_CLIENT_CHECK(s.transcript.rewrite_for_hello_retry());
    s.transcript.update(msg.bytes);
    s.retry_suite = hrr.cipher_suite;

    // RFC 8446 4.1.4: keep only PSKs whose hash matches the suite the server chose.
    if (s.session) {
        const auto ticket_suite = lookup_suite(s.session->suite);
        if (!ticket_suite || ticket_suite->hash != suite.hash) {
            s.session.reset();
        }
    }
    if (options_.compat_mode && !ccs_sent_) {
        out.send_change_cipher_spec();
        ccs_sent_ = true;
    }
    AWSIO_CLIENT_TRY(bytes, finish_client_hello(ch, s.session, s.transcript));
    out.send_handshake(bytes);
    s.transcript.update(bytes);
    return std::move(s);
}

// ---------------------------------------------------------------------------------------------
// Server's encrypted flight

result<client_state> client_tls13::on(expect_encrypted_extensions &&s, const codec::handshake_message &msg,
                                      handshake_output &out) {
    if (msg.type != handshake_type::encrypted_extensions) {
        return errc::unexpected_message;
    }
    AWSIO_CLIENT_TRY(ee, codec::decode_encrypted_extensions(msg.body()));
    for (const auto &e : ee.extensions.entries) {
        // RFC 8446 4.2: a response to an extension we did not send is unsupported_extension
        // (this includes early_data, which we never offer).
        if (!offered(codec::type_of(e))) {
            return errc::unsupported_extension;
        }
        if (const auto *alpn = std::get_if<ext::alpn>(&e)) {
            // RFC 7301 3.1: the server picks one of ours.
            if (alpn->protocols.size() != 1 || !contains(offered_alpn_, alpn->protocols.front())) {
                return errc::illegal_parameter;
            }
            s.neg.alpn = alpn->protocols.front();
        } else if (const auto *limit = std::get_if<ext::record_size_limit>(&e)) {
            AWSIO_CLIENT_CHECK(out.set_peer_record_size_limit(limit->limit));
            s.neg.record_size_limit_acknowledged = true;
        } else if (std::holds_alternative<ext::early_data>(e)) {
            return errc::unsupported_extension;
        }
        // server_name (empty acknowledgement) and supported_groups (the server's preference,
        // RFC 8446 4.2.7) need nothing.
    }
    s.keys.transcript.update(msg.bytes);
    if (s.neg.resumed_session) {
        // PSK handshake: no certificate messages (RFC 8446 2.2); the chain is the one verified
        // when the ticket's session was established.
        der_chain chain = s.neg.resumed_session->peer_chain;
        const bool verified = config_->verify_peer && !chain.empty();
        return expect_finished{std::move(s.keys), std::move(s.neg), std::nullopt, std::move(chain), verified,
                               std::nullopt};
    }
    return expect_certificate_or_certificate_request{std::move(s.keys), std::move(s.neg)};
}

result<client_state> client_tls13::on(expect_certificate_or_certificate_request &&s,
                                      const codec::handshake_message &msg, handshake_output & /*out*/) {
    if (msg.type == handshake_type::certificate) {
        return on_server_certificate(std::move(s.keys), std::move(s.neg), std::nullopt, msg);
    }
    if (msg.type != handshake_type::certificate_request) {
        return errc::unexpected_message;
    }
    AWSIO_CLIENT_TRY(cr, codec::decode_certificate_request_tls13(msg.body()));
    // RFC 8446 4.3.2: the context is empty unless the request is post-handshake.
    if (!cr.certificate_request_context.empty()) {
        return errc::illegal_parameter;
    }
    const auto *sa = cr.extensions.get<ext::signature_algorithms>();
    if (sa == nullptr) {
        return errc::missing_extension;
    }
    // Other CertificateRequest extensions (certificate_authorities, oid_filters, ...) only
    // narrow the choice; with one configured chain there is nothing to choose.
    client_auth_request request{std::move(cr.certificate_request_context), sa->schemes};
    s.keys.transcript.update(msg.bytes);
    return expect_certificate{std::move(s.keys), std::move(s.neg), std::move(request)};
}

result<client_state> client_tls13::on(expect_certificate &&s, const codec::handshake_message &msg,
                                      handshake_output & /*out*/) {
    if (msg.type != handshake_type::certificate) {
        return errc::unexpected_message;
    }
    return on_server_certificate(std::move(s.keys), std::move(s.neg), std::move(s.request), msg);
}

result<client_state> client_tls13::on_server_certificate(handshake_keys &&keys, negotiated &&neg,
                                                         std::optional<client_auth_request> &&request,
                                                         const codec::handshake_message &msg) {
    AWSIO_CLIENT_TRY(cert, codec::decode_certificate_tls13(msg.body()));
    // RFC 8446 4.4.2: empty context for server authentication, and a server always sends a chain.
    if (!cert.certificate_request_context.empty()) {
        return errc::illegal_parameter;
    }
    if (cert.entries.empty()) {
        return errc::decode_error;
    }
    der_chain chain;
    chain.reserve(cert.entries.size());
    for (auto &entry : cert.entries) {
        // Per-certificate extensions answer ClientHello extensions (status_request, SCT);
        // we offered none of those.
        for (const auto &e : entry.extensions.entries) {
            if (!offered(codec::type_of(e))) {
                return errc::unsupported_extension;
            }
        }
        chain.push_back(std::move(entry.cert_data));
    }

    crypto::public_key peer_key;
    bool verified = false;
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
        AWSIO_CLIENT_TRY(path, x509::verify_chain_der(chain, *config_->trust, opts, provider_));
        auto key = provider_.import_public_key_spki(path.certificates.front().spki_der());
        if (!key) {
            return errc::unsupported_certificate;
        }
        peer_key = std::move(*key);
        verified = true;
    } else {
        // Unverified, but CertificateVerify still proves the server holds the leaf's key.
        auto leaf = x509::certificate::parse(chain.front());
        if (!leaf) {
            return errc::bad_certificate;
        }
        auto key = provider_.import_public_key_spki(leaf->spki_der());
        if (!key) {
            return errc::bad_certificate;
        }
        peer_key = std::move(*key);
    }
    keys.transcript.update(msg.bytes);
    return expect_certificate_verify{std::move(keys),     std::move(neg), std::move(request),
                                     std::move(chain),    std::move(peer_key), verified};
}

result<client_state> client_tls13::on(expect_certificate_verify &&s, const codec::handshake_message &msg,
                                      handshake_output & /*out*/) {
    if (msg.type != handshake_type::certificate_verify) {
        return errc::unexpected_message;
    }
    AWSIO_CLIENT_TRY(cv, codec::decode_certificate_verify(msg.body()));
    // RFC 8446 4.4.3: a scheme we offered, usable in TLS 1.3, and matching the leaf's key.
    const auto sp = lookup_scheme(cv.algorithm, true);
    if (!contains(config_->signature_schemes, cv.algorithm) || !sp || sp->key != s.peer_key.type()) {
        return errc::illegal_parameter;
    }
    AWSIO_CLIENT_TRY(hash, s.keys.transcript.current());
    const std::vector<std::uint8_t> content = certificate_verify_content(true, hash.view());
    if (!provider_.verify(s.peer_key, sp->params, content, cv.signature)) {
        return errc::decrypt_error;
    }
    s.keys.transcript.update(msg.bytes);
    return expect_finished{std::move(s.keys),  std::move(s.neg), std::move(s.request),
                           std::move(s.chain), s.verified,       cv.algorithm};
}

result<void> client_tls13::send_client_certificate(handshake_keys &keys, const client_auth_request &request,
                                                   handshake_output &out) {
    // Our chain when we have one and a scheme the server accepts; otherwise an empty
    // Certificate, and the server decides whether that is acceptable (RFC 8446 4.4.2).
    const certified_key *ours = config_->certificates.empty() ? nullptr : config_->certificates.front().get();
    std::optional<codec::signature_scheme> scheme;
    if (ours != nullptr && !ours->chain.empty()) {
        scheme = choose_scheme(ours->key, config_->signature_schemes, request.schemes, true);
    }
    codec::certificate_tls13 cert;
    cert.certificate_request_context = request.context;
    if (scheme) {
        for (const auto &der : ours->chain) {
            cert.entries.push_back({der, {}});
        }
    }
    const std::vector<std::uint8_t> cert_bytes = codec::serialize(cert);
    if (cert_bytes.empty()) {
        return errc::internal_error;
    }
    out.send_handshake(cert_bytes);
    keys.transcript.update(cert_bytes);
    if (!scheme) {
        return {};
    }
    const auto sp = lookup_scheme(*scheme, true);
    if (!sp) {
        return errc::internal_error;
    }
    AWSIO_CLIENT_TRY(hash, keys.transcript.current());
    AWSIO_CLIENT_TRY(signature, provider_.sign(ours->key, sp->params, certificate_verify_content(false, hash.view())));
    const std::vector<std::uint8_t> cv_bytes = codec::serialize(codec::certificate_verify{*scheme, std::move(signature)});
    if (cv_bytes.empty()) {
        return errc::internal_error;
    }
    out.send_handshake(cv_bytes);
    keys.transcript.update(cv_bytes);
    return {};
}

result<client_state> client_tls13::on(expect_finished &&s, const codec::handshake_message &msg,
                                      handshake_output &out) {
    if (msg.type != handshake_type::finished) {
        return errc::unexpected_message;
    }
    const suite_params suite = s.neg.suite;
    AWSIO_CLIENT_TRY(fin, codec::decode_finished(msg.body(), crypto::digest_size(suite.hash)));
    AWSIO_CLIENT_TRY(hash, s.keys.transcript.current());
    AWSIO_CLIENT_TRY(expected, finished_verify_data(provider_, suite.hash, s.keys.server_traffic.view(), hash.view()));
    if (!verify_data_matches(expected, fin.verify_data)) {
        return errc::decrypt_error;
    }
    s.keys.transcript.update(msg.bytes);

    // Application secrets over ClientHello..server Finished (RFC 8446 7.1).
    AWSIO_CLIENT_TRY(server_finished_hash, s.keys.transcript.current());
    AWSIO_CLIENT_TRY(master, std::move(s.keys.secret).into_master_secret());
    AWSIO_CLIENT_TRY(app, master.application_secrets(server_finished_hash.view()));
    log_secret(out, "CLIENT_TRAFFIC_SECRET_0", app.client.view());
    log_secret(out, "SERVER_TRAFFIC_SECRET_0", app.server.view());
    log_secret(out, "EXPORTER_SECRET", app.exporter.view());
    AWSIO_CLIENT_CHECK(install_read(out, suite, app.server.view(), s.neg.record_size_limit_acknowledged));

    // Our second flight, under the handshake keys installed at the ServerHello:
    // [Certificate CertificateVerify] Finished.
    if (s.request) {
        AWSIO_CLIENT_CHECK(send_client_certificate(s.keys, *s.request, out));
    }
    AWSIO_CLIENT_TRY(client_hash, s.keys.transcript.current());
    AWSIO_CLIENT_TRY(verify, finished_verify_data(provider_, suite.hash, s.keys.client_traffic.view(), client_hash.view()));
    const std::vector<std::uint8_t> finished_bytes = codec::serialize(codec::finished{to_vector(verify.view())});
    out.send_handshake(finished_bytes);
    s.keys.transcript.update(finished_bytes);
    AWSIO_CLIENT_CHECK(install_write(out, suite, app.client.view()));

    AWSIO_CLIENT_TRY(client_finished_hash, s.keys.transcript.current());
    AWSIO_CLIENT_TRY(resumption, master.resumption_master_secret(client_finished_hash.view()));

    handshake_summary summary;
    summary.version = codec::protocol_version::tls13;
    summary.suite = suite.suite;
    summary.group = s.neg.group;
    summary.alpn = s.neg.alpn;
    summary.server_name = sni_;
    summary.peer_chain = s.chain;
    summary.peer_verified = s.verified;
    summary.resumed = s.neg.resumed_session.has_value();
    summary.hello_retry = s.neg.hello_retry;
    summary.peer_signature_scheme = s.peer_scheme;
    out.handshake_complete(std::move(summary));

    return connected{suite, std::move(app.client), std::move(app.server), std::move(resumption),
                     std::move(s.neg.alpn), std::move(s.chain)};
}

// ---------------------------------------------------------------------------------------------
// Post-handshake

result<client_state> client_tls13::on(connected &&s, const codec::handshake_message &msg, handshake_output &out) {
    switch (msg.type) {
    case handshake_type::new_session_ticket:
        AWSIO_CLIENT_CHECK(on_new_session_ticket(s, msg));
        return std::move(s);
    case handshake_type::key_update:
        AWSIO_CLIENT_CHECK(on_key_update(s, msg, out));
        return std::move(s);
    default:
        // Includes a post-handshake CertificateRequest: we never offer post_handshake_auth.
        return errc::unexpected_message;
    }
}

result<void> client_tls13::on_new_session_ticket(const connected &s, const codec::handshake_message &msg) {
    AWSIO_CLIENT_TRY(nst, codec::decode_new_session_ticket_tls13(msg.body()));
    if (nst.ticket_lifetime > max_ticket_lifetime_seconds) {
        return errc::illegal_parameter;
    }
    // Lifetime 0: the ticket must be discarded at once (RFC 8446 4.6.1). Without a cache or a
    // name to file it under there is nothing to do either.
    if (nst.ticket_lifetime == 0 || !config_->sessions || params_.server_name.empty()) {
        return {};
    }
    AWSIO_CLIENT_TRY(psk, resumption_psk(provider_, s.suite.hash, s.resumption_master.view(), nst.ticket_nonce));
    tls13_session session;
    session.suite = s.suite.suite;
    session.ticket = std::move(nst.ticket);
    session.psk = std::make_shared<const crypto::secret_buffer>(std::move(psk));
    session.ticket_age_add = nst.ticket_age_add;
    session.lifetime_seconds = nst.ticket_lifetime;
    session.received_at_seconds = provider_.now_seconds();
    session.alpn = s.alpn;
    session.peer_chain = s.chain;
    config_->sessions->put(params_.server_name, std::move(session));
    return {};
}

result<void> client_tls13::on_key_update(connected &s, const codec::handshake_message &msg, handshake_output &out) {
    AWSIO_CLIENT_TRY(ku, codec::decode_key_update(msg.body()));
    AWSIO_CLIENT_TRY(next_read, next_application_traffic_secret(provider_, s.suite.hash, s.server_traffic.view()));
    AWSIO_CLIENT_CHECK(install_read(out, s.suite, next_read.view(), false));
    s.server_traffic = std::move(next_read);
    if (ku.request_update == codec::key_update_request::update_requested) {
        // RFC 8446 4.6.3: answer with update_not_requested, so the exchange cannot loop.
        AWSIO_CLIENT_CHECK(update_write_key(s, false, out));
    }
    return {};
}

result<void> client_tls13::send_key_update(bool request_peer, handshake_output &out) {
    if (tls12_) {
        return tls12_->send_key_update(request_peer, out);
    }
    auto *s = std::get_if<connected>(&state_);
    if (s == nullptr) {
        return errc::internal_error;
    }
    return update_write_key(*s, request_peer, out);
}

// Takes the state by reference: while a message is being handled the machine's own variant
// holds no connected state (it was moved into the handler).
result<void> client_tls13::update_write_key(connected &s, bool request_peer, handshake_output &out) {
    const codec::key_update ku{request_peer ? codec::key_update_request::update_requested
                                            : codec::key_update_request::update_not_requested};
    AWSIO_CLIENT_TRY(next_write, next_application_traffic_secret(provider_, s.suite.hash, s.client_traffic.view()));
    // The KeyUpdate itself goes out under the old key; everything after under the new one.
    out.send_handshake(codec::serialize(ku));
    AWSIO_CLIENT_CHECK(install_write(out, s.suite, next_write.view()));
    s.client_traffic = std::move(next_write);
    return {};
}

// ---------------------------------------------------------------------------------------------
// Record protection

result<void> client_tls13::install_read(handshake_output &out, const suite_params &suite, bytes_view secret,
                                        bool apply_own_limit) {
    AWSIO_CLIENT_TRY(p, record::tls13_record_protection::create(provider_, suite.aead, suite.hash, secret));
    if (apply_own_limit && config_->record_size_limit != 0) {
        // RFC 8449 4: in TLS 1.3 the limit counts the inner content type byte.
        p.set_max_plaintext(static_cast<std::size_t>(config_->record_size_limit) - 1);
    }
    return out.set_read_protection(boxed(std::move(p)));
}

result<void> client_tls13::install_write(handshake_output &out, const suite_params &suite, bytes_view secret) {
    AWSIO_CLIENT_TRY(p, record::tls13_record_protection::create(provider_, suite.aead, suite.hash, secret));
    out.set_write_protection(boxed(std::move(p)));
    return {};
}

#undef AWSIO_CLIENT_TRY
#undef AWSIO_CLIENT_CHECK

} // namespace

std::unique_ptr<handshake_machine> make_client_machine_for_test(std::shared_ptr<const handshake_config> config,
                                                                connection_params params,
                                                                client_tls13_options options) {
    return std::make_unique<client_tls13>(std::move(config), std::move(params), std::move(options));
}

std::unique_ptr<handshake_machine> make_client_machine(std::shared_ptr<const handshake_config> config,
                                                       connection_params params) {
    return std::make_unique<client_tls13>(std::move(config), std::move(params), client_tls13_options{});
}

} // namespace awsio::tls
