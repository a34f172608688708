// fuzz/tls_fuzz_common.hpp — what tls_server_fuzz and tls_client_fuzz share with the unit test
// that checks their seed corpora (tests/unit/tls/fuzz_seed_test.cpp): the fixed PKI (an Ed25519
// CA and leaf built in memory once, so every signature is deterministic), the client and server
// contexts over the insecure deterministic provider, and the drivers that feed one input to a
// connection.
//
// Reproducibility: each run builds fresh providers with fixed seeds, a fresh context (so fresh
// ticket keys and session cache) and a fresh connection. The same input therefore always takes
// the same path, and a peer built here with the same seeds produces exactly the flight the
// fuzzed side expects: that is how the seed corpora hold complete handshakes (Finished MACs and
// all) that the fuzzer can mutate past the ClientHello / ServerHello.
//
// Input layout (both targets): byte 0 chooses how the rest is split into feed() calls (0: one
// call; otherwise chunk lengths drawn from a small generator seeded by that byte, between 1 and
// 4 * byte 0); the rest is the byte stream the peer sent.
#pragma once

#include "crypto/deterministic_provider.hpp"
#include "tls/handshake/common.hpp"
#include "x509/builder.hpp"
#include "x509/trust_store.hpp"

#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace awsio::tls::fuzz {

/// Seeds of the providers the fuzzed connections use (the seed corpora depend on them).
inline constexpr std::uint64_t server_seed = 0x5e57e5;
inline constexpr std::uint64_t client_seed = 0xc11e47;
inline constexpr std::uint64_t ticket_seed = 0x71c6e7;
/// Time of every provider and of certificate verification (2023-11-14).
inline constexpr std::uint64_t now_seconds = crypto::insecure_deterministic_provider::default_now;
inline constexpr const char *host_name = "fuzz.example";

inline void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

/// The fixed PKI: a self-signed Ed25519 CA and an Ed25519 leaf for host_name it signed.
struct pki {
    crypto::private_key ca_key;
    crypto::private_key leaf_key;
    std::vector<std::uint8_t> ca_der;
    std::vector<std::uint8_t> leaf_der;
};

inline const pki &fixed_pki() {
    static const pki p = [] {
        crypto::provider &real = crypto::openssl_provider();
        pki out;
        std::vector<std::uint8_t> raw(32);
        for (std::size_t i = 0; i < raw.size(); ++i) {
            raw[i] = static_cast<std::uint8_t>(0x11 + i);
        }
        auto ca_key = real.import_raw_private_key(crypto::key_type::ed25519, raw);
        for (auto &b : raw) {
            b = static_cast<std::uint8_t>(b ^ 0xa5);
        }
        auto leaf_key = real.import_raw_private_key(crypto::key_type::ed25519, raw);
        check(ca_key.has_value() && leaf_key.has_value());
        out.ca_key = *ca_key;
        out.leaf_key = *leaf_key;

        x509::certificate_spec ca;
        ca.subject.common_name = "awsio fuzz CA";
        ca.not_before = 1577836800; // 2020-01-01
        ca.not_after = 4102444799;  // 2099-12-31
        ca.basic_constraints = x509::basic_constraints_spec{true, std::nullopt};
        ca.key_usage = x509::key_usage_bit::key_cert_sign | x509::key_usage_bit::crl_sign;
        auto ca_der = x509::build_self_signed(ca, out.ca_key, real);
        check(ca_der.has_value());
        out.ca_der = *ca_der;

        x509::certificate_spec leaf;
        leaf.serial = {0x02};
        leaf.subject.common_name = host_name;
        leaf.not_before = ca.not_before;
        leaf.not_after = ca.not_after;
        leaf.dns_names = {host_name};
        leaf.key_usage = x509::key_usage_bit::digital_signature;
        auto leaf_pub = real.public_key_of(out.leaf_key);
        check(leaf_pub.has_value());
        auto leaf_der = x509::build_certificate(leaf, *leaf_pub, x509::issuer_spec{ca.subject, {}, out.ca_key}, real);
        check(leaf_der.has_value());
        out.leaf_der = *leaf_der;
        return out;
    }();
    return p;
}

/// The providers of one run: the connection's and the one behind the server's ticket keys
/// (separate, so a ticket issued by one run opens in another whatever else drew randomness).
struct providers {
    explicit providers(std::uint64_t seed)
        : connection(seed, now_seconds), tickets(ticket_seed, now_seconds) {}
    crypto::insecure_deterministic_provider connection;
    crypto::insecure_deterministic_provider tickets;
};

/// Every suite both fuzzed sides enable: the TLS 1.3 ones, then the TLS 1.2 ECDHE-ECDSA ones (the
/// Ed25519 leaf serves them, RFC 8422 5.1.3).
inline std::vector<codec::cipher_suite> fuzz_suites() {
    return {codec::cipher_suite::tls_aes_128_gcm_sha256,
            codec::cipher_suite::tls_aes_256_gcm_sha384,
            codec::cipher_suite::tls_chacha20_poly1305_sha256,
            codec::cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256,
            codec::cipher_suite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384,
            codec::cipher_suite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256};
}

/// Server configuration: the leaf for host_name, TLS 1.3 and 1.2, ALPN h2 / http/1.1, tickets,
/// TLS 1.2 session ids, a record size limit answered when the client sends one. `tweak` adjusts it (seed generation uses it for
/// servers other than the fuzzed one).
inline std::shared_ptr<handshake_config> server_config(providers &p) {
    const pki &k = fixed_pki();
    auto cfg = std::make_shared<handshake_config>();
    cfg->provider = &p.connection;
    cfg->is_server = true;
    auto ck = std::make_shared<certified_key>();
    ck->chain = {k.leaf_der};
    ck->key = k.leaf_key;
    ck->dns_names = {host_name};
    cfg->certificates.push_back(std::move(ck));
    cfg->verify_peer = false;
    cfg->alpn = {"h2", "http/1.1"};
    cfg->record_size_limit = 16385;
    cfg->cipher_suites = fuzz_suites();
    cfg->tickets = std::make_shared<ticket_keys>(p.tickets);
    cfg->tls12_sessions = std::make_shared<tls12_session_store>();
    cfg->verify_time = static_cast<std::int64_t>(now_seconds);
    return cfg;
}

/// Client configuration: TLS 1.3 and 1.2, verifies the server against the fixed CA, caches
/// tickets and TLS 1.2 sessions.
inline std::shared_ptr<handshake_config> client_config(providers &p) {
    auto cfg = std::make_shared<handshake_config>();
    cfg->provider = &p.connection;
    cfg->is_server = false;
    cfg->verify_peer = true;
    auto trust = std::make_shared<x509::trust_store>();
    check(trust->add_der(fixed_pki().ca_der).has_value());
    cfg->trust = std::move(trust);
    cfg->verify_time = static_cast<std::int64_t>(now_seconds);
    cfg->sessions = std::make_shared<session_cache>();
    cfg->alpn = {"h2", "http/1.1"};
    cfg->cipher_suites = fuzz_suites();
    return cfg;
}

/// Client connection options of the fuzzed client.
inline connection_options client_options() {
    connection_options o;
    o.server_name = host_name;
    return o;
}

/// What a run did.
struct run_result {
    bool connected = false;
    bool resumed = false;
    bool hello_retry = false;
    std::string alpn;
    /// "TLSv1.3" or "TLSv1.2" once connected.
    std::string version;
    std::error_code error;
    /// Application data received.
    std::vector<std::uint8_t> received;
};

/// Deterministic chunk lengths for the feed() calls.
class splitter {
public:
    explicit splitter(std::uint8_t control) : control_(control), state_(0x9e3779b9u ^ control) {}
    std::size_t next(std::size_t remaining) {
        if (control_ == 0) {
            return remaining;
        }
        state_ = state_ * 1664525u + 1013904223u;
        const std::size_t limit = 4u * control_;
        const std::size_t n = 1 + static_cast<std::size_t>((state_ >> 8) % limit);
        return n < remaining ? n : remaining;
    }

private:
    std::uint8_t control_;
    std::uint32_t state_;
};

inline bool known_category(std::error_code ec) {
    return ec.category() == tls_category() || ec.category() == peer_alert_category() ||
           ec.category() == io_category() || ec.category() == common_category();
}

/// Processes what was fed: reads (echoing application data once connected) until nothing
/// more happens. Returns false once the connection failed.
inline bool pump(connection &c, run_result &r, bool echo) {
    std::uint8_t buf[2048];
    for (;;) {
        auto n = c.read(buf);
        if (!n) {
            r.error = n.error();
            check(known_category(r.error));
            // Errors are sticky.
            check(c.error() == r.error);
            check(!c.read(buf).has_value() && c.read(buf).error() == r.error);
            c.consume_output(c.output().size());
            return false;
        }
        if (c.is_connected() && !r.connected) {
            r.connected = true;
            const auto &neg = c.negotiated();
            r.resumed = neg.resumed;
            r.hello_retry = neg.hello_retry;
            r.alpn = neg.alpn;
            r.version = neg.version;
            check(neg.version == "TLSv1.3" || neg.version == "TLSv1.2");
        }
        if (*n == 0) {
            break;
        }
        r.received.insert(r.received.end(), buf, buf + *n);
        if (echo) {
            if (auto w = c.write(std::span<const std::uint8_t>(buf, *n)); !w) {
                r.error = w.error();
                return false;
            }
        }
    }
    c.consume_output(c.output().size());
    return true;
}

/// Feeds `input` (layout above) to `c` and drives it; `c` must be started already.
inline void feed_all(connection &c, std::span<const std::uint8_t> input, run_result &r, bool echo) {
    if (input.empty()) {
        return;
    }
    splitter split(input[0]);
    std::span<const std::uint8_t> stream = input.subspan(1);
    while (!stream.empty()) {
        const std::size_t n = split.next(stream.size());
        c.feed(stream.first(n));
        stream = stream.subspan(n);
        if (!pump(c, r, echo)) {
            return;
        }
    }
    if (c.is_connected() && !c.error()) {
        if (!c.is_server() && r.version == "TLSv1.3") {
            // Post-handshake: a KeyUpdate asking the server to update too.
            check(c.key_update(true).has_value());
        }
        static constexpr std::uint8_t bye[] = {'b', 'y', 'e'};
        check(c.write(bye).has_value());
        check(c.close().has_value());
        check(c.closed());
        // Writing after close is refused.
        check(!c.write(bye).has_value());
    }
}

/// tls_server_fuzz: the input is what a client sent to a fresh server.
inline run_result run_server(std::span<const std::uint8_t> input) {
    providers p(server_seed);
    auto ctx = context::from_config(server_config(p));
    auto c = connection::server(ctx);
    check(c.has_value());
    run_result r;
    check(c->start().has_value());
    feed_all(*c, input, r, true);
    return r;
}

/// tls_client_fuzz: a fresh client sends its ClientHello; the input is the server's answer.
inline run_result run_client(std::span<const std::uint8_t> input) {
    providers p(client_seed);
    auto ctx = context::from_config(client_config(p));
    auto c = connection::client(ctx, client_options());
    check(c.has_value());
    run_result r;
    check(c->start().has_value());
    check(!c->output().empty());
    c->consume_output(c->output().size());
    feed_all(*c, input, r, false);
    return r;
}

} // namespace awsio::tls::fuzz
