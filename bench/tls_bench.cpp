// `awsio bench tls`: awsio's TLS stack next to OpenSSL's libssl (the reference, linked into
// the CLI only when benchmarks are built), with the same parameters on both sides: TLS 1.3 only
// (except the tls12_ workloads),
// x25519 only (one key share), an ECDSA P-256 server chain (leaf + intermediate) verified by the
// client against its root and the name "localhost", TLS_AES_128_GCM_SHA256 unless the workload
// names another suite. The certificates are made in-process with the certificate builder.
//
// Workloads:
//   in memory (no sockets): the awsio pair is two tls::connection objects whose output() is
//     fed to the other side; the OpenSSL pair is two SSL objects on a BIO pair.
//     - full handshakes/s: no session tickets on either side (OpenSSL: num_tickets 0, no
//       session cache), a fresh client and server per handshake;
//     - resumed handshakes/s: tickets on (psk_dhe_ke with x25519), each handshake resumes
//       with a ticket from the previous one and reads the new tickets;
//     - bulk MB/s per suite: one way, 16 KiB records, batches of four records, for --seconds/2.
//     - the same three for TLS 1.2 (metrics prefixed tls12_): ECDHE-ECDSA suites, x25519 (both
//       sides also list P-256, the certificate's curve), extended master secret; full handshakes without tickets or a client session cache,
//       resumed ones with RFC 5077 tickets.
//   loopback (127.0.0.1): awsio through the client and server bootstraps with tls_options (one
//     channel per connection: socket -> TLS -> bench handler), each bootstrap on its own
//     one-loop group; OpenSSL on blocking sockets, a server thread and a client thread.
//     - handshakes/s: sequential connections (connect, handshake, close_notify, close), each
//       started and awaited by the calling thread; and for awsio also "chained": each connection
//       opened from the previous one's shutdown callback on the client's event loop, the way an
//       asynchronous client runs (no other thread in the chain). TCP_NODELAY on both sides;
//     - one-way transfer of --bytes through one connection (MB/s and process CPU seconds).
//   idle memory: --connections established in-memory pairs (no tickets), heap bytes in use
//     measured with mallinfo2() (uordblks + hblkhd, all arenas; under AddressSanitizer its
//     allocated-bytes counter) before and after; the client
//     and server shares are told apart by freeing the servers first. OpenSSL's BIO pairs are
//     replaced by null BIOs before measuring (the transport's buffers are not TLS state).
#include "bench/bench.hpp"

#include <awsio/bootstrap.hpp>
#include <awsio/io.hpp>
#include <awsio/pem.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>
#include <awsio/tls/options.hpp>

#include "crypto/provider.hpp"
#include "x509/builder.hpp"
#include "x509/oid.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#    define AWSIO_BENCH_ASAN 1
#elif defined(__has_feature)
#    if __has_feature(address_sanitizer)
#        define AWSIO_BENCH_ASAN 1
#    endif
#endif
#if defined(AWSIO_BENCH_ASAN)
// The AddressSanitizer runtime's heap counter (GCC's and Clang's runtimes both export it; only
// Clang ships the header that declares it).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace awsio::bench {
namespace {

using clock_type = std::chrono::steady_clock;

constexpr const char *k_host = "localhost";
constexpr const char *k_default_suite = "TLS_AES_128_GCM_SHA256";
constexpr std::size_t k_record = 16384;
constexpr std::size_t k_batch_records = 4;

struct settings {
    double seconds = 1.0;                 // per handshake measurement; bulk runs half of it
    std::uint64_t bytes = 1ULL << 30;     // loopback transfer
    std::size_t connections = 1000;       // idle memory
};

double cpu_seconds() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// Runs `op` (returns false on failure) until `seconds` passed; operations per second, or -1
/// when an operation failed. One untimed warm-up call first.
template <typename F>
double rate_for(double seconds, F &&op) {
    if (!op()) {
        return -1;
    }
    std::size_t n = 0;
    const auto t0 = clock_type::now();
    double elapsed = 0;
    do {
        if (!op()) {
            return -1;
        }
        ++n;
        elapsed = since(t0);
    } while (elapsed < seconds);
    return static_cast<double>(n) / elapsed;
}

/// Runs `batch` (returns the bytes moved, 0 on failure) until `seconds` passed; MB/s or -1.
template <typename F>
double throughput_for(double seconds, F &&batch) {
    if (batch() == 0) {
        return -1;
    }
    std::uint64_t total = 0;
    const auto t0 = clock_type::now();
    double elapsed = 0;
    do {
        const std::size_t n = batch();
        if (n == 0) {
            return -1;
        }
        total += n;
        elapsed = since(t0);
    } while (elapsed < seconds);
    return static_cast<double>(total) / (1024.0 * 1024.0) / elapsed;
}

/// Heap bytes in use: glibc's mallinfo2() (small chunks in every arena + mmapped chunks); under
/// AddressSanitizer, which replaces malloc, its own counter.
std::size_t heap_in_use() {
#if defined(AWSIO_BENCH_ASAN)
    return __sanitizer_get_current_allocated_bytes();
#else
    const struct mallinfo2 mi = ::mallinfo2();
    return mi.uordblks + mi.hblkhd;
#endif
}

// --------------------------------------------------------------------------------------------
// Certificates

struct pki {
    std::string chain_pem; // leaf, intermediate
    std::string key_pem;   // leaf key, PKCS#8
    std::string root_pem;
};

std::string pem_armour(const char *label, std::span<const std::uint8_t> der) {
    const std::string b64 = base64_encode(der);
    std::string out = std::string("-----BEGIN ") + label + "-----\n";
    for (std::size_t i = 0; i < b64.size(); i += 64) {
        out.append(b64, i, 64);
        out.push_back('\n');
    }
    out += std::string("-----END ") + label + "-----\n";
    return out;
}

bool make_pki(pki &out) {
    crypto::provider &p = crypto::openssl_provider();
    auto root_key = p.generate_private_key(crypto::key_type::ec_p256);
    auto int_key = p.generate_private_key(crypto::key_type::ec_p256);
    auto leaf_key = p.generate_private_key(crypto::key_type::ec_p256);
    if (!root_key || !int_key || !leaf_key) {
        return false;
    }
    const std::int64_t nb = 1577836800; // 2020-01-01
    const std::int64_t na = 4102444800; // 2100-01-01
    x509::certificate_spec root;
    root.subject.common_name = "awsio bench root";
    root.not_before = nb;
    root.not_after = na;
    root.basic_constraints = x509::basic_constraints_spec{true, std::nullopt};
    root.key_usage = x509::key_usage_bit::key_cert_sign | x509::key_usage_bit::crl_sign;
    auto root_der = x509::build_self_signed(root, *root_key, p);

    x509::certificate_spec inter;
    inter.serial = {0x02};
    inter.subject.common_name = "awsio bench intermediate";
    inter.not_before = nb;
    inter.not_after = na;
    inter.basic_constraints = x509::basic_constraints_spec{true, 0};
    inter.key_usage = x509::key_usage_bit::key_cert_sign | x509::key_usage_bit::crl_sign;
    auto int_pub = p.public_key_of(*int_key);
    auto leaf_pub = p.public_key_of(*leaf_key);
    if (!root_der || !int_pub || !leaf_pub) {
        return false;
    }
    auto int_der = x509::build_certificate(inter, *int_pub, x509::issuer_spec{root.subject, {}, *root_key}, p);

    x509::certificate_spec leaf;
    leaf.serial = {0x03};
    leaf.subject.common_name = k_host;
    leaf.not_before = nb;
    leaf.not_after = na;
    leaf.dns_names = {k_host};
    leaf.ip_addresses = {{127, 0, 0, 1}};
    leaf.key_usage = x509::key_usage_bit::digital_signature;
    leaf.extended_key_usage = {
        std::vector<std::uint8_t>(x509::oid::kp_server_auth.begin(), x509::oid::kp_server_auth.end())};
    auto leaf_der = x509::build_certificate(leaf, *leaf_pub, x509::issuer_spec{inter.subject, {}, *int_key}, p);
    auto leaf_pkcs8 = p.export_private_key_pkcs8(*leaf_key);
    if (!int_der || !leaf_der || !leaf_pkcs8) {
        return false;
    }
    out.chain_pem = pem_armour("CERTIFICATE", *leaf_der) + pem_armour("CERTIFICATE", *int_der);
    out.key_pem = pem_armour("PRIVATE KEY", leaf_pkcs8->view());
    out.root_pem = pem_armour("CERTIFICATE", *root_der);
    return true;
}

// --------------------------------------------------------------------------------------------
// awsio, in memory

struct awsio_contexts {
    std::shared_ptr<const tls::context> client;
    std::shared_ptr<const tls::context> server;
};

bool make_awsio_contexts(const pki &keys, bool tickets, const std::string &suite, awsio_contexts &out,
                         bool tls12 = false) {
    tls::tls_ctx_options so = tls::tls_ctx_options::default_server(keys.chain_pem, keys.key_pem);
    tls::tls_ctx_options co = tls::tls_ctx_options::default_client();
    if (!co.override_default_trust_store(keys.root_pem)) {
        return false;
    }
    for (tls::tls_ctx_options *o : {&so, &co}) {
        o->minimum_tls_version = tls12 ? tls::tls_versions::tlsv1_2 : tls::tls_versions::tlsv1_3;
        o->maximum_tls_version = o->minimum_tls_version;
        o->cipher_suites = {suite};
        o->groups = {"x25519"};
        if (tls12) {
            // RFC 8422 5.1.1: the client's supported_groups also covers the certificate's curve
            // (P-256); the key exchange stays x25519 (first on both sides).
            o->groups.push_back("secp256r1");
        }
        o->key_share_groups = {"x25519"};
        o->session_tickets = tickets;
    }
    auto s = tls::context::create_server(so);
    auto c = tls::context::create_client(co);
    if (!s || !c) {
        std::fprintf(stderr, "awsio bench tls: awsio context: %s\n",
                     (!s ? s.error() : c.error()).message().c_str());
        return false;
    }
    out.server = *s;
    out.client = *c;
    return true;
}

struct awsio_pair {
    tls::connection client;
    tls::connection server;
};

std::optional<awsio_pair> new_awsio_pair(const awsio_contexts &ctx) {
    auto c = tls::connection::client(ctx.client, {k_host, {}});
    auto s = tls::connection::server(ctx.server);
    if (!c || !s) {
        return std::nullopt;
    }
    return awsio_pair{std::move(*c), std::move(*s)};
}

bool move_output(tls::connection &from, tls::connection &to) {
    const auto out = from.output();
    if (out.empty()) {
        return false;
    }
    to.feed(out);
    from.consume_output(out.size());
    return true;
}

/// Reads everything `c` can deliver into `scratch`; the plaintext byte count, or -1 on error.
long long drain(tls::connection &c, std::vector<std::uint8_t> &scratch) {
    long long total = 0;
    for (int i = 0; i < 100000; ++i) {
        auto n = c.read(scratch);
        if (!n) {
            return -1;
        }
        total += static_cast<long long>(*n);
        if (*n == 0) {
            break;
        }
    }
    return total;
}

/// Runs the handshake (and the tickets that follow it) to the end. Bounded rounds.
bool awsio_handshake(awsio_pair &p, std::vector<std::uint8_t> &scratch) {
    if (!p.client.start()) {
        return false;
    }
    for (int round = 0; round < 16; ++round) {
        bool moved = move_output(p.client, p.server);
        if (drain(p.server, scratch) < 0) {
            return false;
        }
        moved = move_output(p.server, p.client) || moved;
        if (drain(p.client, scratch) < 0) {
            return false;
        }
        if (!moved && p.client.output().empty() && p.server.output().empty()) {
            break;
        }
    }
    return p.client.is_connected() && p.server.is_connected();
}

double awsio_handshake_rate(const awsio_contexts &ctx, double seconds, bool expect_resumed) {
    std::vector<std::uint8_t> scratch(64 * 1024);
    if (expect_resumed) {
        // Prime the client's ticket cache.
        auto p = new_awsio_pair(ctx);
        if (!p || !awsio_handshake(*p, scratch)) {
            return -1;
        }
    }
    return rate_for(seconds, [&] {
        auto p = new_awsio_pair(ctx);
        return p && awsio_handshake(*p, scratch) && p->client.negotiated().resumed == expect_resumed &&
               p->server.negotiated().resumed == expect_resumed;
    });
}

double awsio_bulk(const awsio_contexts &ctx, const std::string &suite, double seconds) {
    std::vector<std::uint8_t> scratch(64 * 1024);
    auto p = new_awsio_pair(ctx);
    if (!p || !awsio_handshake(*p, scratch) || p->client.negotiated().cipher_suite != suite) {
        return -1;
    }
    std::vector<std::uint8_t> record(k_record, 0x5a);
    return throughput_for(seconds, [&]() -> std::size_t {
        for (std::size_t i = 0; i < k_batch_records; ++i) {
            if (!p->client.write(record)) {
                return 0;
            }
        }
        move_output(p->client, p->server);
        const long long got = drain(p->server, scratch);
        return got == static_cast<long long>(k_batch_records * k_record) ? static_cast<std::size_t>(got) : 0;
    });
}

struct memory_figures {
    double client_kib = -1;
    double server_kib = -1;
};

memory_figures awsio_idle_memory(const awsio_contexts &ctx, std::size_t count) {
    memory_figures m;
    std::vector<std::uint8_t> scratch(64 * 1024);
    std::vector<tls::connection> clients;
    std::vector<tls::connection> servers;
    clients.reserve(count);
    servers.reserve(count);
    const std::size_t base = heap_in_use();
    for (std::size_t i = 0; i < count; ++i) {
        auto p = new_awsio_pair(ctx);
        if (!p || !awsio_handshake(*p, scratch)) {
            return m;
        }
        clients.push_back(std::move(p->client));
        servers.push_back(std::move(p->server));
    }
    const std::size_t both = heap_in_use();
    servers.clear(); // the vector's own storage (reserved before `base`) stays
    const std::size_t clients_only = heap_in_use();
    m.server_kib = (static_cast<double>(both) - static_cast<double>(clients_only)) / 1024.0 / static_cast<double>(count);
    m.client_kib = (static_cast<double>(clients_only) - static_cast<double>(base)) / 1024.0 / static_cast<double>(count);
    return m;
}

// --------------------------------------------------------------------------------------------
// OpenSSL, in memory

struct ssl_ctx_deleter {
    void operator()(SSL_CTX *c) const noexcept { SSL_CTX_free(c); }
};
struct ssl_deleter {
    void operator()(SSL *s) const noexcept { SSL_free(s); }
};
struct session_deleter {
    void operator()(SSL_SESSION *s) const noexcept { SSL_SESSION_free(s); }
};
using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, ssl_ctx_deleter>;
using ssl_ptr = std::unique_ptr<SSL, ssl_deleter>;
using session_ptr = std::unique_ptr<SSL_SESSION, session_deleter>;

void print_openssl_errors(const char *what) {
    char buf[256];
    unsigned long e = 0;
    std::fprintf(stderr, "awsio bench tls: openssl %s failed\n", what);
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        std::fprintf(stderr, "  %s\n", buf);
    }
}

struct openssl_contexts {
    ssl_ctx_ptr client;
    ssl_ctx_ptr server;
};

/// OpenSSL's name of a TLS 1.2 suite (IANA name in, "" when unknown).
std::string openssl_tls12_name(const std::string &iana) {
    static const std::pair<const char *, const char *> names[] = {
        {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
        {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
        {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    };
    for (const auto &[a, b] : names) {
        if (iana == a) {
            return b;
        }
    }
    return {};
}

bool make_openssl_contexts(const pki &keys, bool tickets, const std::string &suite, openssl_contexts &out,
                           bool tls12 = false) {
    out.server.reset(SSL_CTX_new(TLS_server_method()));
    out.client.reset(SSL_CTX_new(TLS_client_method()));
    if (!out.server || !out.client) {
        print_openssl_errors("SSL_CTX_new");
        return false;
    }
    const int version = tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    for (SSL_CTX *c : {out.server.get(), out.client.get()}) {
        const bool suite_set = tls12 ? SSL_CTX_set_cipher_list(c, openssl_tls12_name(suite).c_str()) == 1
                                     : SSL_CTX_set_ciphersuites(c, suite.c_str()) == 1;
        if (SSL_CTX_set_min_proto_version(c, version) != 1 || SSL_CTX_set_max_proto_version(c, version) != 1 ||
            !suite_set || SSL_CTX_set1_groups_list(c, tls12 ? "X25519:P-256" : "X25519") != 1) {
            print_openssl_errors("context setup");
            return false;
        }
        SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    }
    if (!tickets) {
        SSL_CTX_set_num_tickets(out.server.get(), 0);
        SSL_CTX_set_options(out.server.get(), SSL_OP_NO_TICKET);
    }
    // Server chain and key.
    BIO *b = BIO_new_mem_buf(keys.chain_pem.data(), static_cast<int>(keys.chain_pem.size()));
    X509 *leaf = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
    bool ok = leaf != nullptr && SSL_CTX_use_certificate(out.server.get(), leaf) == 1;
    X509_free(leaf);
    while (ok) {
        X509 *extra = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
        if (extra == nullptr) {
            break;
        }
        ok = SSL_CTX_add0_chain_cert(out.server.get(), extra) == 1;
    }
    BIO_free(b);
    ERR_clear_error(); // the end-of-input "no start line"
    BIO *kb = BIO_new_mem_buf(keys.key_pem.data(), static_cast<int>(keys.key_pem.size()));
    EVP_PKEY *key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
    ok = ok && key != nullptr && SSL_CTX_use_PrivateKey(out.server.get(), key) == 1 &&
         SSL_CTX_check_private_key(out.server.get()) == 1;
    EVP_PKEY_free(key);
    BIO_free(kb);
    // Client trust.
    BIO *rb = BIO_new_mem_buf(keys.root_pem.data(), static_cast<int>(keys.root_pem.size()));
    X509 *root = PEM_read_bio_X509(rb, nullptr, nullptr, nullptr);
    ok = ok && root != nullptr && X509_STORE_add_cert(SSL_CTX_get_cert_store(out.client.get()), root) == 1;
    X509_free(root);
    BIO_free(rb);
    SSL_CTX_set_verify(out.client.get(), SSL_VERIFY_PEER, nullptr);
    if (!ok) {
        print_openssl_errors("certificate setup");
    }
    return ok;
}

struct openssl_pair {
    ssl_ptr client;
    ssl_ptr server;
};

/// SNI and the name the certificate must match (SSL_set_tlsext_host_name without its C cast).
bool set_host(SSL *s) {
    return SSL_ctrl(s, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char *>(k_host)) == 1 &&
           SSL_set1_host(s, k_host) == 1;
}

/// A client and a server joined by a BIO pair of `buffer` bytes each way.
std::optional<openssl_pair> new_openssl_pair(const openssl_contexts &ctx, std::size_t buffer) {
    openssl_pair p{ssl_ptr(SSL_new(ctx.client.get())), ssl_ptr(SSL_new(ctx.server.get()))};
    BIO *cb = nullptr;
    BIO *sb = nullptr;
    if (!p.client || !p.server || BIO_new_bio_pair(&cb, buffer, &sb, buffer) != 1) {
        return std::nullopt;
    }
    SSL_set_bio(p.client.get(), cb, cb);
    SSL_set_bio(p.server.get(), sb, sb);
    SSL_set_connect_state(p.client.get());
    SSL_set_accept_state(p.server.get());
    if (!set_host(p.client.get())) {
        return std::nullopt;
    }
    return p;
}

/// Marks the client as closed without sending close_notify (awsio's pairs are dropped the same
/// way). Without it SSL_free() would mark the client's session not resumable.
void drop_quietly(openssl_pair &p) {
    SSL_set_shutdown(p.client.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

bool want_more(SSL *s, int rc) {
    const int e = SSL_get_error(s, rc);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

/// Runs the handshake to the end and lets the client read the tickets. Bounded rounds.
bool openssl_handshake(openssl_pair &p) {
    bool client_done = false;
    bool server_done = false;
    for (int round = 0; round < 16 && !(client_done && server_done); ++round) {
        if (!client_done) {
            const int rc = SSL_do_handshake(p.client.get());
            client_done = rc == 1;
            if (!client_done && !want_more(p.client.get(), rc)) {
                return false;
            }
        }
        if (!server_done) {
            const int rc = SSL_do_handshake(p.server.get());
            server_done = rc == 1;
            if (!server_done && !want_more(p.server.get(), rc)) {
                return false;
            }
        }
    }
    if (!client_done || !server_done) {
        return false;
    }
    // Post-handshake messages (tickets), if any.
    unsigned char byte = 0;
    const int rc = SSL_read(p.client.get(), &byte, 1);
    return rc <= 0 && SSL_get_error(p.client.get(), rc) == SSL_ERROR_WANT_READ;
}

constexpr std::size_t k_handshake_bio = 32 * 1024;

double openssl_handshake_rate(const openssl_contexts &ctx, double seconds, bool expect_resumed) {
    session_ptr session;
    if (expect_resumed) {
        auto p = new_openssl_pair(ctx, k_handshake_bio);
        if (!p || !openssl_handshake(*p)) {
            return -1;
        }
        session.reset(SSL_get1_session(p->client.get()));
        drop_quietly(*p);
    }
    return rate_for(seconds, [&] {
        auto p = new_openssl_pair(ctx, k_handshake_bio);
        if (!p) {
            return false;
        }
        if (expect_resumed && SSL_set_session(p->client.get(), session.get()) != 1) {
            return false;
        }
        if (!openssl_handshake(*p)) {
            return false;
        }
        const bool resumed = SSL_session_reused(p->client.get()) == 1 && SSL_session_reused(p->server.get()) == 1;
        if (expect_resumed) {
            session.reset(SSL_get1_session(p->client.get())); // the newest ticket
        }
        drop_quietly(*p);
        return resumed == expect_resumed;
    });
}

double openssl_bulk(const openssl_contexts &ctx, const std::string &suite, double seconds) {
    auto p = new_openssl_pair(ctx, k_batch_records * (k_record + 256));
    if (!p || !openssl_handshake(*p) || suite != SSL_CIPHER_standard_name(SSL_get_current_cipher(p->client.get()))) {
        return -1;
    }
    std::vector<std::uint8_t> record(k_record, 0x5a);
    std::vector<std::uint8_t> scratch(64 * 1024);
    return throughput_for(seconds, [&]() -> std::size_t {
        for (std::size_t i = 0; i < k_batch_records; ++i) {
            if (SSL_write(p->client.get(), record.data(), static_cast<int>(record.size())) != static_cast<int>(k_record)) {
                return 0;
            }
        }
        std::size_t got = 0;
        while (got < k_batch_records * k_record) {
            const int n = SSL_read(p->server.get(), scratch.data(), static_cast<int>(scratch.size()));
            if (n <= 0) {
                return 0;
            }
            got += static_cast<std::size_t>(n);
        }
        return got;
    });
}

memory_figures openssl_idle_memory(const openssl_contexts &ctx, std::size_t count) {
    memory_figures m;
    std::vector<ssl_ptr> clients;
    std::vector<ssl_ptr> servers;
    clients.reserve(count);
    servers.reserve(count);
    const std::size_t base = heap_in_use();
    for (std::size_t i = 0; i < count; ++i) {
        auto p = new_openssl_pair(ctx, k_handshake_bio);
        if (!p || !openssl_handshake(*p)) {
            return m;
        }
        // Drop the in-memory transport: a socket BIO holds no buffers.
        BIO *nc = BIO_new(BIO_s_null());
        BIO *ns = BIO_new(BIO_s_null());
        SSL_set_bio(p->client.get(), nc, nc);
        SSL_set_bio(p->server.get(), ns, ns);
        clients.push_back(std::move(p->client));
        servers.push_back(std::move(p->server));
    }
    const std::size_t both = heap_in_use();
    servers.clear();
    const std::size_t clients_only = heap_in_use();
    m.server_kib = (static_cast<double>(both) - static_cast<double>(clients_only)) / 1024.0 / static_cast<double>(count);
    m.client_kib = (static_cast<double>(clients_only) - static_cast<double>(base)) / 1024.0 / static_cast<double>(count);
    return m;
}

// --------------------------------------------------------------------------------------------
// awsio over loopback: bootstraps with tls_options

struct loopback_result {
    double handshakes_per_sec = -1;
    /// awsio only: handshakes chained from the event loop (awsio_chained_handshake_rate).
    double chained_handshakes_per_sec = -1;
    double mb_per_sec = -1;
    double cpu = -1;
};

// Counts what arrives; once `total` bytes came in, takes the promise out of `done` (shared by
// every accepted channel: only the transfer's channel carries data) and fulfils it.
class sink_handler final : public channel_handler {
public:
    sink_handler(std::uint64_t total, std::atomic<std::promise<clock_type::time_point> *> &done,
                 std::atomic<std::uint64_t> &progress)
        : total_(total), done_(done), progress_(progress) {}
    std::error_code process_read_message(channel_slot &, message_ptr &&msg) override {
        const std::size_t n = msg->message_data.size();
        received_ += n;
        progress_.fetch_add(n, std::memory_order_relaxed);
        msg.reset();
        if (received_ >= total_ && !signalled_) {
            signalled_ = true;
            if (std::promise<clock_type::time_point> *p = done_.exchange(nullptr)) {
                p->set_value(clock_type::now());
            }
        }
        return {};
    }
    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override {
        return slot.send_message(std::move(msg), channel_direction::write);
    }
    std::error_code increment_read_window(channel_slot &slot, std::size_t n) override {
        return slot.increment_read_window(n);
    }
    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code ec, bool now) override {
        return slot.on_handler_shutdown_complete(dir, ec, now);
    }
    [[nodiscard]] std::size_t initial_window_size() const override { return SIZE_MAX; }
    [[nodiscard]] std::size_t message_overhead() const override { return 0; }

private:
    std::uint64_t total_;
    std::uint64_t received_ = 0;
    bool signalled_ = false;
    std::atomic<std::promise<clock_type::time_point> *> &done_;
    std::atomic<std::uint64_t> &progress_;
};

// Keeps `in_flight` max-size writes queued until `total` bytes were handed to the TLS handler.
class source_handler final : public channel_handler {
public:
    source_handler(std::uint64_t total, std::size_t in_flight) : remaining_(total), in_flight_(in_flight) {}
    std::error_code process_read_message(channel_slot &, message_ptr &&) override { return {}; }
    std::error_code process_write_message(channel_slot &slot, message_ptr &&msg) override {
        return slot.send_message(std::move(msg), channel_direction::write);
    }
    std::error_code increment_read_window(channel_slot &slot, std::size_t n) override {
        return slot.increment_read_window(n);
    }
    std::error_code shutdown(channel_slot &slot, channel_direction dir, std::error_code ec, bool now) override {
        stopped_ = true;
        return slot.on_handler_shutdown_complete(dir, ec, now);
    }
    [[nodiscard]] std::size_t initial_window_size() const override { return SIZE_MAX; }
    [[nodiscard]] std::size_t message_overhead() const override { return 0; }

    void start() {
        for (std::size_t i = 0; i < in_flight_; ++i) {
            send_one();
        }
    }

private:
    void send_one() {
        if (remaining_ == 0 || stopped_) {
            return;
        }
        message_ptr msg = slot()->acquire_max_message_for_write();
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, msg->message_data.capacity()));
        std::memset(msg->message_data.free_space().data(), 0x5a, n);
        msg->message_data.commit(n);
        remaining_ -= n;
        msg->on_completion = [this](std::error_code ec) {
            if (!ec) {
                send_one();
            }
        };
        if (slot()->send_message(std::move(msg), channel_direction::write)) {
            stopped_ = true;
        }
    }

    std::uint64_t remaining_;
    std::size_t in_flight_;
    bool stopped_ = false;
};

/// One client connection through the bootstrap: waits for setup (after the handshake), runs
/// `on_setup` on the channel's thread, and returns the channel (nullptr on failure).
struct awsio_loopback {
    // One loop (thread) for the server side, one for the client side, as the OpenSSL run has
    // one thread per side.
    std::shared_ptr<event_loop_group> server_group;
    std::shared_ptr<event_loop_group> client_group;
    std::shared_ptr<server_bootstrap> server;
    std::shared_ptr<client_bootstrap> client;
    socket_listener *listener = nullptr;
    std::promise<void> listener_gone;
    // Server side: every accepted channel gets a sink right of its TLS handler; the one that
    // receives sink_total bytes fulfils *sink_done.
    std::atomic<std::promise<clock_type::time_point> *> sink_done{nullptr};
    std::atomic<std::uint64_t> sink_total{0};
    // Bytes received by all sinks (stall detection).
    std::atomic<std::uint64_t> sink_progress{0};
};

bool start_awsio_loopback(awsio_loopback &lb, const awsio_contexts &ctx) {
    event_loop_group_options sgo;
    sgo.loop_count = 1;
    auto server_group = event_loop_group::create(std::move(sgo));
    event_loop_group_options cgo;
    cgo.loop_count = 1;
    auto client_group = event_loop_group::create(std::move(cgo));
    if (!server_group || !client_group) {
        return false;
    }
    lb.server_group = *server_group;
    lb.client_group = *client_group;
    auto server = server_bootstrap::create({lb.server_group});
    client_bootstrap_options cbo;
    cbo.event_loop_group = lb.client_group;
    auto client = client_bootstrap::create(std::move(cbo));
    if (!server || !client) {
        return false;
    }
    lb.server = *server;
    lb.client = *client;
    server_socket_channel_bootstrap_options so;
    so.host_name = "127.0.0.1";
    so.socket_options.connect_timeout_ms = 3000;
    so.socket_options.tcp_nodelay = socket_tcp_nodelay::on; // as the OpenSSL run's sockets
    so.tls_options = tls::tls_connection_options::from_ctx(ctx.server);
    so.incoming_callback = [&lb](std::error_code ec, channel *ch) {
        if (ec || ch == nullptr) {
            return;
        }
        channel_slot &slot = ch->new_slot();
        (void)ch->insert_end(slot);
        (void)slot.set_handler(std::make_unique<sink_handler>(lb.sink_total.load(), lb.sink_done, lb.sink_progress));
    };
    so.shutdown_callback = [](std::error_code, channel &) {};
    so.destroy_callback = [&lb] { lb.listener_gone.set_value(); };
    auto listener = lb.server->new_socket_listener(std::move(so));
    if (!listener) {
        return false;
    }
    lb.listener = *listener;
    return true;
}

/// A teardown that does not finish cannot be undone safely (the loops still use the state):
/// report and leave.
[[noreturn]] void abandon(const char *what) {
    std::fflush(stdout);
    std::fprintf(stderr, "awsio bench tls: %s did not finish within 10 s; exiting\n", what);
    std::_Exit(1);
}

void stop_awsio_loopback(awsio_loopback &lb) {
    if (lb.listener != nullptr) {
        auto gone = lb.listener_gone.get_future();
        if (!lb.server->destroy_socket_listener(lb.listener) &&
            gone.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
            abandon("destroying the awsio listener");
        }
        lb.listener = nullptr;
    }
}

/// Connects once; `on_setup` runs on the channel's thread after the handshake. Returns the
/// channel (kept alive) and a future for its shutdown, or nullptr.
struct client_channel {
    std::shared_ptr<channel> ch;
    std::shared_future<void> down;
};

client_channel awsio_connect(awsio_loopback &lb, const awsio_contexts &ctx,
                             std::function<void(channel &)> on_setup) {
    auto setup = std::make_shared<std::promise<std::shared_ptr<channel>>>();
    auto down = std::make_shared<std::promise<void>>();
    client_channel out;
    out.down = down->get_future().share();
    socket_channel_bootstrap_options co;
    co.host_name = "127.0.0.1";
    co.port = lb.listener->bound_endpoint().port;
    co.socket_options.connect_timeout_ms = 3000;
    co.socket_options.tcp_nodelay = socket_tcp_nodelay::on;
    auto tls_opts = tls::tls_connection_options::from_ctx(ctx.client);
    tls_opts.set_server_name(k_host);
    co.tls_options = std::move(tls_opts);
    co.setup_callback = [setup, on_setup = std::move(on_setup)](std::error_code ec, channel *ch) {
        if (ec || ch == nullptr) {
            if (ec) {
                std::fprintf(stderr, "awsio bench tls: awsio connection setup: %s\n", ec.message().c_str());
            }
            setup->set_value(nullptr);
            return;
        }
        if (on_setup) {
            on_setup(*ch);
        }
        setup->set_value(ch->shared_from_this());
    };
    co.shutdown_callback = [down](std::error_code, channel &) { down->set_value(); };
    auto f = setup->get_future();
    if (lb.client->new_socket_channel(std::move(co))) {
        return out;
    }
    if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        return out;
    }
    out.ch = f.get();
    return out;
}

void awsio_close(client_channel &c) {
    if (!c.ch) {
        return;
    }
    c.ch->loop().schedule_now([ch = c.ch](task_status) { (void)ch->shutdown(); });
    if (c.down.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        abandon("an awsio channel shutdown");
    }
    c.ch.reset();
}

/// Sequential handshakes driven from the client's event loop: each connection is opened from the
/// previous one's shutdown callback, set up (handshake), shut down (close_notify), with no other
/// thread in the chain. Handshakes per second over `seconds`, or -1 on a failure or a stall.
double awsio_chained_handshake_rate(awsio_loopback &lb, const awsio_contexts &ctx, double seconds) {
    struct chain : std::enable_shared_from_this<chain> {
        awsio_loopback *lb = nullptr;
        const awsio_contexts *ctx = nullptr;
        clock_type::time_point deadline;
        std::uint64_t completed = 0;
        bool failed = false;
        std::promise<void> finished;

        void next() {
            socket_channel_bootstrap_options co;
            co.host_name = "127.0.0.1";
            co.port = lb->listener->bound_endpoint().port;
            co.socket_options.connect_timeout_ms = 3000;
            co.socket_options.tcp_nodelay = socket_tcp_nodelay::on;
            auto tls_opts = tls::tls_connection_options::from_ctx(ctx->client);
            tls_opts.set_server_name(k_host);
            co.tls_options = std::move(tls_opts);
            auto self = shared_from_this();
            co.setup_callback = [self](std::error_code ec, channel *ch) {
                if (ec || ch == nullptr) {
                    self->failed = true;
                    self->finished.set_value();
                    return;
                }
                ch->loop().schedule_now([c = ch->shared_from_this()](task_status) { (void)c->shutdown(); });
            };
            co.shutdown_callback = [self](std::error_code, channel &) {
                if (self->failed) {
                    return;
                }
                ++self->completed;
                if (clock_type::now() < self->deadline) {
                    self->next();
                } else {
                    self->finished.set_value();
                }
            };
            if (lb->client->new_socket_channel(std::move(co))) {
                failed = true;
                finished.set_value();
            }
        }
    };
    auto c = std::make_shared<chain>();
    c->lb = &lb;
    c->ctx = &ctx;
    auto done = c->finished.get_future();
    const auto t0 = clock_type::now();
    c->deadline = t0 + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
    c->next();
    if (done.wait_for(std::chrono::duration<double>(seconds + 10)) != std::future_status::ready) {
        abandon("the chained awsio handshakes");
    }
    const double elapsed = since(t0);
    return c->failed ? -1 : static_cast<double>(c->completed) / elapsed;
}

loopback_result awsio_loopback_run(const awsio_contexts &ctx, double seconds, std::uint64_t bytes) {
    loopback_result r;
    io_library lib;
    awsio_loopback lb;
    lb.sink_total.store(bytes);
    if (!start_awsio_loopback(lb, ctx)) {
        stop_awsio_loopback(lb);
        return r;
    }
    r.handshakes_per_sec = rate_for(seconds, [&] {
        client_channel c = awsio_connect(lb, ctx, {});
        const bool ok = c.ch != nullptr;
        awsio_close(c);
        return ok;
    });
    if (r.handshakes_per_sec > 0) {
        r.chained_handshakes_per_sec = awsio_chained_handshake_rate(lb, ctx, seconds);
    }

    std::promise<clock_type::time_point> received_all;
    lb.sink_done.store(&received_all);
    clock_type::time_point t0;
    const double cpu0 = cpu_seconds();
    client_channel c = awsio_connect(lb, ctx, [&t0, bytes](channel &ch) {
        channel_slot &slot = ch.new_slot();
        (void)ch.insert_end(slot);
        auto h = std::make_unique<source_handler>(bytes, 8);
        source_handler *raw = h.get();
        (void)slot.set_handler(std::move(h));
        t0 = clock_type::now();
        raw->start();
    });
    auto done = received_all.get_future();
    // Waits while bytes keep arriving; 10 s without progress is a stall.
    bool finished = false;
    std::uint64_t seen = 0;
    auto last_progress = clock_type::now();
    while (c.ch && !finished) {
        finished = done.wait_for(std::chrono::milliseconds(500)) == std::future_status::ready;
        const std::uint64_t now_seen = lb.sink_progress.load();
        if (now_seen != seen) {
            seen = now_seen;
            last_progress = clock_type::now();
        } else if (!finished && since(last_progress) > 10) {
            std::fprintf(stderr, "awsio bench tls: awsio loopback transfer stalled after %llu of %llu bytes\n",
                         static_cast<unsigned long long>(seen), static_cast<unsigned long long>(bytes));
            break;
        }
    }
    if (finished) {
        const auto t1 = done.get();
        r.cpu = cpu_seconds() - cpu0;
        r.mb_per_sec = static_cast<double>(bytes) / (1024.0 * 1024.0) /
                       std::chrono::duration<double>(t1 - t0).count();
    }
    awsio_close(c);
    stop_awsio_loopback(lb);
    return r;
}

// --------------------------------------------------------------------------------------------
// OpenSSL over loopback: blocking sockets, a server thread

int tcp_listen(std::uint16_t &port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0 || ::listen(fd, 128) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return -1;
    }
    port = ntohs(a.sin_port);
    return fd;
}

int tcp_connect(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

/// Accepts with a 100 ms poll so the server thread can notice `stop`; -1 when stopping.
int tcp_accept(int lfd, const std::atomic<bool> &stop) {
    while (!stop.load()) {
        pollfd p{lfd, POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
            const int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) {
                int one = 1;
                ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                return fd;
            }
        }
    }
    return -1;
}

loopback_result openssl_loopback_run(const openssl_contexts &ctx, double seconds, std::uint64_t bytes) {
    loopback_result r;
    std::uint16_t port = 0;
    const int lfd = tcp_listen(port);
    if (lfd < 0) {
        return r;
    }
    std::atomic<bool> stop{false};
    // Server thread: handshake connections, then one transfer sink (after `transfer_next`).
    std::atomic<bool> transfer_next{false};
    std::promise<clock_type::time_point> received_all;
    std::thread server([&] {
        std::vector<std::uint8_t> buf(64 * 1024);
        while (true) {
            const int fd = tcp_accept(lfd, stop);
            if (fd < 0) {
                return;
            }
            ssl_ptr s(SSL_new(ctx.server.get()));
            SSL_set_fd(s.get(), fd);
            if (SSL_accept(s.get()) == 1) {
                if (transfer_next.load()) {
                    std::uint64_t got = 0;
                    while (got < bytes) {
                        const int n = SSL_read(s.get(), buf.data(), static_cast<int>(buf.size()));
                        if (n <= 0) {
                            break;
                        }
                        got += static_cast<std::uint64_t>(n);
                    }
                    if (got >= bytes) {
                        received_all.set_value(clock_type::now());
                    }
                } else {
                    // Until the client's close_notify.
                    while (SSL_read(s.get(), buf.data(), static_cast<int>(buf.size())) > 0) {
                    }
                }
                SSL_shutdown(s.get());
            }
            s.reset();
            ::close(fd);
        }
    });
    auto connect_ssl = [&](int &fd) -> ssl_ptr {
        fd = tcp_connect(port);
        if (fd < 0) {
            return nullptr;
        }
        ssl_ptr c(SSL_new(ctx.client.get()));
        SSL_set_fd(c.get(), fd);
        if (!set_host(c.get()) || SSL_connect(c.get()) != 1) {
            print_openssl_errors("loopback SSL_connect");
            return nullptr;
        }
        return c;
    };
    r.handshakes_per_sec = rate_for(seconds, [&] {
        int fd = -1;
        ssl_ptr c = connect_ssl(fd);
        const bool ok = c != nullptr;
        if (c) {
            SSL_shutdown(c.get());
        }
        c.reset();
        if (fd >= 0) {
            ::close(fd);
        }
        return ok;
    });

    if (r.handshakes_per_sec > 0) {
        transfer_next.store(true);
        const double cpu0 = cpu_seconds();
        int fd = -1;
        ssl_ptr c = connect_ssl(fd);
        auto done = received_all.get_future();
        if (c) {
            const auto t0 = clock_type::now();
            std::vector<std::uint8_t> record(k_record, 0x5a);
            std::uint64_t left = bytes;
            bool ok = true;
            while (left > 0 && ok) {
                const int n = static_cast<int>(std::min<std::uint64_t>(left, record.size()));
                ok = SSL_write(c.get(), record.data(), n) == n;
                left -= static_cast<std::uint64_t>(n);
            }
            if (ok && done.wait_for(std::chrono::seconds(600)) == std::future_status::ready) {
                const auto t1 = done.get();
                r.cpu = cpu_seconds() - cpu0;
                r.mb_per_sec = static_cast<double>(bytes) / (1024.0 * 1024.0) /
                               std::chrono::duration<double>(t1 - t0).count();
            }
            SSL_shutdown(c.get());
        }
        c.reset();
        if (fd >= 0) {
            ::close(fd);
        }
    }
    stop.store(true);
    server.join();
    ::close(lfd);
    return r;
}

// --------------------------------------------------------------------------------------------


bool report_all(const reporter &out, const char *impl, const char *metric, double value, const char *unit) {
    out.report("tls", impl, metric, value, unit);
    if (value < 0) {
        std::fprintf(stderr, "awsio bench tls: %s %s failed\n", impl, metric);
        return false;
    }
    return true;
}

} // namespace

int run_tls_bench(const std::vector<std::string> &args, const reporter &out) {
    settings s;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--quick") {
            s.seconds = 0.1;
            s.bytes = 8ULL << 20;
            s.connections = 100;
        } else if (args[i] == "--bytes" && i + 1 < args.size()) {
            s.bytes = std::strtoull(args[++i].c_str(), nullptr, 10);
        } else if (args[i] == "--seconds" && i + 1 < args.size()) {
            s.seconds = std::strtod(args[++i].c_str(), nullptr);
        } else if (args[i] == "--connections" && i + 1 < args.size()) {
            s.connections = std::strtoul(args[++i].c_str(), nullptr, 10);
        } else {
            std::fprintf(stderr, "awsio bench tls: bad argument '%s'\n", args[i].c_str());
            return 2;
        }
    }
    if (s.bytes == 0 || s.connections == 0 || !(s.seconds > 0)) {
        std::fputs("awsio bench tls: --bytes, --connections and --seconds must be positive\n", stderr);
        return 2;
    }
    pki keys;
    if (!make_pki(keys)) {
        std::fputs("awsio bench tls: could not build the test certificates\n", stderr);
        return 1;
    }
    awsio_contexts a_full;
    awsio_contexts a_resume;
    openssl_contexts o_full;
    openssl_contexts o_resume;
    if (!make_awsio_contexts(keys, false, k_default_suite, a_full) ||
        !make_awsio_contexts(keys, true, k_default_suite, a_resume) ||
        !make_openssl_contexts(keys, false, k_default_suite, o_full) ||
        !make_openssl_contexts(keys, true, k_default_suite, o_resume)) {
        return 1;
    }
    bool ok = true;
    ok &= report_all(out, "awsio", "mem_full_handshakes", awsio_handshake_rate(a_full, s.seconds, false), "hs/s");
    ok &= report_all(out, "openssl", "mem_full_handshakes", openssl_handshake_rate(o_full, s.seconds, false), "hs/s");
    ok &= report_all(out, "awsio", "mem_resumed_handshakes", awsio_handshake_rate(a_resume, s.seconds, true), "hs/s");
    ok &= report_all(out, "openssl", "mem_resumed_handshakes", openssl_handshake_rate(o_resume, s.seconds, true),
                     "hs/s");
    const std::pair<const char *, const char *> suites[] = {
        {"TLS_AES_128_GCM_SHA256", "mem_bulk_aes128_gcm"},
        {"TLS_AES_256_GCM_SHA384", "mem_bulk_aes256_gcm"},
        {"TLS_CHACHA20_POLY1305_SHA256", "mem_bulk_chacha20_poly1305"},
    };
    for (const auto &[suite_name, metric_name] : suites) {
        const std::string suite = suite_name;
        const std::string metric = metric_name;
        awsio_contexts a;
        openssl_contexts o;
        if (!make_awsio_contexts(keys, false, suite, a) || !make_openssl_contexts(keys, false, suite, o)) {
            return 1;
        }
        ok &= report_all(out, "awsio", metric.c_str(), awsio_bulk(a, suite, s.seconds / 2), "MB/s");
        ok &= report_all(out, "openssl", metric.c_str(), openssl_bulk(o, suite, s.seconds / 2), "MB/s");
    }

    // TLS 1.2 (ECDHE-ECDSA: the bench certificates are P-256): handshakes, then bulk per suite.
    {
        const std::string suite12 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        awsio_contexts a12_full;
        awsio_contexts a12_resume;
        openssl_contexts o12_full;
        openssl_contexts o12_resume;
        if (!make_awsio_contexts(keys, false, suite12, a12_full, true) ||
            !make_awsio_contexts(keys, true, suite12, a12_resume, true) ||
            !make_openssl_contexts(keys, false, suite12, o12_full, true) ||
            !make_openssl_contexts(keys, true, suite12, o12_resume, true)) {
            return 1;
        }
        ok &= report_all(out, "awsio", "tls12_mem_full_handshakes", awsio_handshake_rate(a12_full, s.seconds, false),
                         "hs/s");
        ok &= report_all(out, "openssl", "tls12_mem_full_handshakes",
                         openssl_handshake_rate(o12_full, s.seconds, false), "hs/s");
        ok &= report_all(out, "awsio", "tls12_mem_resumed_handshakes",
                         awsio_handshake_rate(a12_resume, s.seconds, true), "hs/s");
        ok &= report_all(out, "openssl", "tls12_mem_resumed_handshakes",
                         openssl_handshake_rate(o12_resume, s.seconds, true), "hs/s");
        const std::pair<const char *, const char *> suites12[] = {
            {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "tls12_mem_bulk_aes128_gcm"},
            {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "tls12_mem_bulk_aes256_gcm"},
            {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "tls12_mem_bulk_chacha20_poly1305"},
        };
        for (const auto &[suite_name, metric_name] : suites12) {
            awsio_contexts a;
            openssl_contexts o;
            if (!make_awsio_contexts(keys, false, suite_name, a, true) ||
                !make_openssl_contexts(keys, false, suite_name, o, true)) {
                return 1;
            }
            ok &= report_all(out, "awsio", metric_name, awsio_bulk(a, suite_name, s.seconds / 2), "MB/s");
            ok &= report_all(out, "openssl", metric_name, openssl_bulk(o, suite_name, s.seconds / 2), "MB/s");
        }
    }

    const loopback_result al = awsio_loopback_run(a_full, s.seconds, s.bytes);
    ok &= report_all(out, "awsio", "loopback_handshakes", al.handshakes_per_sec, "hs/s");
    ok &= report_all(out, "awsio", "loopback_chained_handshakes", al.chained_handshakes_per_sec, "hs/s");
    ok &= report_all(out, "awsio", "loopback_throughput", al.mb_per_sec, "MB/s");
    ok &= report_all(out, "awsio", "loopback_cpu_time", al.cpu, "s");
    const loopback_result ol = openssl_loopback_run(o_full, s.seconds, s.bytes);
    ok &= report_all(out, "openssl", "loopback_handshakes", ol.handshakes_per_sec, "hs/s");
    ok &= report_all(out, "openssl", "loopback_throughput", ol.mb_per_sec, "MB/s");
    ok &= report_all(out, "openssl", "loopback_cpu_time", ol.cpu, "s");

    const memory_figures am = awsio_idle_memory(a_full, s.connections);
    ok &= report_all(out, "awsio", "idle_client_memory", am.client_kib, "KiB/conn");
    ok &= report_all(out, "awsio", "idle_server_memory", am.server_kib, "KiB/conn");
    const memory_figures om = openssl_idle_memory(o_full, s.connections);
    ok &= report_all(out, "openssl", "idle_client_memory", om.client_kib, "KiB/conn");
    ok &= report_all(out, "openssl", "idle_server_memory", om.server_kib, "KiB/conn");
    return ok ? 0 : 1;
}

} // namespace awsio::bench
