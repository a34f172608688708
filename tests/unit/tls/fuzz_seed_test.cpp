// fuzz_seed_test.cpp — the seed corpora of fuzz/tls_server_fuzz and fuzz/tls_client_fuzz are
// real recorded flights: each is produced here by an in-memory handshake between the exact
// connection a fuzz target drives (same providers, seeds and configuration, from
// fuzz/tls_fuzz_common.hpp) and a peer, then
//   * replayed through the fuzz target's own driver, which must complete the handshake with the
//     expected outcome (so the fuzzers start from deep states, not from the first message), and
//   * compared byte for byte with the file in fuzz/corpus/<target>/.
// A change in what the engine sends changes the flights; rerun this test with
// AWSIO_WRITE_FUZZ_SEEDS=1 in the environment to rewrite the files, then check them in.
#include "../../../fuzz/tls_fuzz_common.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <iterator>
#include <string>
#include <vector>

namespace awsio::tls {
namespace {

namespace fz = fuzz;
using bytes = std::vector<std::uint8_t>;

constexpr std::uint64_t peer_seed = 0x9ee4;
constexpr std::size_t max_seed_size = 4096;

std::filesystem::path corpus_dir(const std::string &target) {
    return std::filesystem::path(AWSIO_TEST_RESOURCES_DIR) / ".." / ".." / "fuzz" / "corpus" / target;
}

/// Reads until nothing more comes; the server side echoes application data like the fuzz driver.
void drain(connection &c, bool echo) {
    std::uint8_t buf[2048];
    for (int i = 0; i < 64; ++i) {
        auto n = c.read(buf);
        ASSERT_TRUE(n.has_value()) << n.error().message();
        if (*n == 0) {
            return;
        }
        if (echo) {
            ASSERT_TRUE(c.write(std::span<const std::uint8_t>(buf, *n)).has_value());
        }
    }
}

/// Everything each side sent, in order.
struct recording {
    bytes client_to_server;
    bytes server_to_client;
};

/// Moves bytes both ways until neither side has anything to send.
void exchange(connection &client, connection &server, recording &rec) {
    for (int round = 0; round < 32; ++round) {
        bool moved = false;
        if (auto out = client.output(); !out.empty()) {
            rec.client_to_server.insert(rec.client_to_server.end(), out.begin(), out.end());
            server.feed(out);
            client.consume_output(out.size());
            moved = true;
        }
        drain(server, true);
        if (auto out = server.output(); !out.empty()) {
            rec.server_to_client.insert(rec.server_to_client.end(), out.begin(), out.end());
            client.feed(out);
            server.consume_output(out.size());
            moved = true;
        }
        drain(client, false);
        if (!moved) {
            return;
        }
    }
    FAIL() << "handshake did not settle";
}

/// One full connection: handshake, a message from the client (echoed), close_notify both ways
/// (the server's after the client's).
recording converse(connection &client, connection &server, bool server_key_update = false) {
    recording rec;
    EXPECT_TRUE(client.start().has_value());
    exchange(client, server, rec);
    EXPECT_TRUE(client.is_connected());
    EXPECT_TRUE(server.is_connected());
    static constexpr std::uint8_t ping[] = {'p', 'i', 'n', 'g'};
    EXPECT_TRUE(client.write(ping).has_value());
    if (server_key_update) {
        EXPECT_TRUE(server.key_update(true).has_value());
    }
    exchange(client, server, rec);
    EXPECT_TRUE(client.close().has_value());
    exchange(client, server, rec);
    EXPECT_TRUE(server.peer_closed());
    EXPECT_TRUE(server.close().has_value());
    exchange(client, server, rec);
    EXPECT_FALSE(client.error());
    EXPECT_FALSE(server.error());
    return rec;
}

bytes with_control(std::uint8_t control, const bytes &stream) {
    bytes out{control};
    out.insert(out.end(), stream.begin(), stream.end());
    return out;
}

struct seed {
    std::string name;
    bytes data;
    bool resumed = false;
    bool hello_retry = false;
    std::string alpn;
    std::string version = "TLSv1.3";
};

/// Client flights for the fuzzed server.
std::vector<seed> server_seeds() {
    std::vector<seed> out;
    struct variant {
        std::string name;
        std::vector<std::string> alpn;
        std::optional<std::vector<codec::named_group>> key_shares;
        std::uint16_t record_size_limit = 0;
        std::uint8_t control = 0;
        bool hello_retry = false;
    };
    const std::vector<variant> variants = {
        {"client_default", {}, {}, 0, 0, false},
        {"client_default_split5", {}, {}, 0, 5, false},
        {"client_alpn", {"http/1.1", "h2"}, {}, 0, 0, false},
        {"client_record_size_limit", {}, {}, 1024, 1, false},
        // No key share at all: the server asks for x25519 with a HelloRetryRequest.
        {"client_hello_retry", {}, std::vector<codec::named_group>{}, 0, 0, true},
    };
    for (const auto &v : variants) {
        fz::providers client_p(peer_seed);
        auto ccfg = fz::client_config(client_p);
        ccfg->alpn = v.alpn;
        ccfg->record_size_limit = v.record_size_limit;
        if (v.key_shares) {
            ccfg->key_share_groups = *v.key_shares;
        }
        fz::providers server_p(fz::server_seed);
        auto client = connection::client(context::from_config(ccfg), fz::client_options());
        auto server = connection::server(context::from_config(fz::server_config(server_p)));
        EXPECT_TRUE(client && server);
        if (!client || !server) {
            return out;
        }
        const recording rec = converse(*client, *server);
        out.push_back({v.name, with_control(v.control, rec.client_to_server), false, v.hello_retry,
                       v.alpn.empty() ? "" : "h2"});
    }

    // Resumption: a first connection leaves a ticket in the client's cache; the second offers it
    // to a fresh server, whose ticket keys come out the same (fixed ticket seed).
    fz::providers client_p(peer_seed + 1);
    auto ccfg = fz::client_config(client_p);
    ccfg->alpn.clear();
    auto cctx = context::from_config(ccfg);
    for (int i = 0; i < 2; ++i) {
        fz::providers server_p(fz::server_seed);
        auto client = connection::client(cctx, fz::client_options());
        auto server = connection::server(context::from_config(fz::server_config(server_p)));
        EXPECT_TRUE(client && server);
        if (!client || !server) {
            return out;
        }
        const recording rec = converse(*client, *server);
        EXPECT_EQ(client->negotiated().resumed, i == 1);
        if (i == 1) {
            out.push_back({"client_psk_resumption", with_control(0, rec.client_to_server), true, false, ""});
        }
    }

    // TLS 1.2: a client limited to it, then its ticket resumption (the fuzzed server's ticket
    // keys come out the same, so the second flight's ticket opens).
    fz::providers client12_p(peer_seed + 2);
    auto ccfg12 = fz::client_config(client12_p);
    ccfg12->max_version = codec::protocol_version::tls12;
    auto cctx12 = context::from_config(ccfg12);
    for (int i = 0; i < 2; ++i) {
        fz::providers server_p(fz::server_seed);
        auto client = connection::client(cctx12, fz::client_options());
        auto server = connection::server(context::from_config(fz::server_config(server_p)));
        EXPECT_TRUE(client && server);
        if (!client || !server) {
            return out;
        }
        const recording rec = converse(*client, *server);
        EXPECT_EQ(client->negotiated().version, "TLSv1.2");
        EXPECT_EQ(client->negotiated().resumed, i == 1);
        out.push_back({i == 0 ? "client_tls12" : "client_tls12_ticket_resumption",
                       with_control(i == 0 ? 0 : 3, rec.client_to_server), i == 1, false, "h2", "TLSv1.2"});
    }
    return out;
}

/// Server flights for the fuzzed client's ClientHello.
std::vector<seed> client_seeds() {
    std::vector<seed> out;
    struct variant {
        std::string name;
        std::vector<std::string> alpn;
        std::vector<codec::named_group> groups;
        std::uint8_t control = 0;
        bool key_update = false;
        bool hello_retry = false;
        bool tls12 = false;
        client_auth_mode client_auth = client_auth_mode::none;
    };
    const std::vector<variant> variants = {
        {"server_default", {"h2", "http/1.1"}, {}, 0, false, false},
        {"server_default_split9", {"h2", "http/1.1"}, {}, 9, false, false},
        {"server_no_alpn_key_update", {}, {}, 0, true, false},
        // Only secp384r1, for which the client sent no share: HelloRetryRequest.
        {"server_hello_retry",
         {"http/1.1"},
         {codec::named_group::secp384r1},
         0,
         false,
         true},
        // TLS 1.2: a server limited to it; then one asking for an (optional) client certificate,
        // which the fuzzed client, having none, answers with an empty Certificate.
        {"server_tls12", {"h2", "http/1.1"}, {}, 0, false, false, true},
        {"server_tls12_certificate_request", {}, {codec::named_group::secp256r1}, 7, false, false, true,
         client_auth_mode::optional},
    };
    for (const auto &v : variants) {
        fz::providers client_p(fz::client_seed);
        fz::providers server_p(peer_seed);
        auto scfg = fz::server_config(server_p);
        scfg->alpn = v.alpn;
        if (!v.groups.empty()) {
            scfg->groups = v.groups;
        }
        if (v.tls12) {
            scfg->max_version = codec::protocol_version::tls12;
        }
        scfg->client_auth = v.client_auth;
        if (v.client_auth != client_auth_mode::none) {
            auto trust = std::make_shared<x509::trust_store>();
            EXPECT_TRUE(trust->add_der(fz::fixed_pki().ca_der).has_value());
            scfg->trust = std::move(trust);
        }
        auto client = connection::client(context::from_config(fz::client_config(client_p)), fz::client_options());
        auto server = connection::server(context::from_config(scfg));
        EXPECT_TRUE(client && server);
        if (!client || !server) {
            return out;
        }
        const recording rec = converse(*client, *server, v.key_update);
        EXPECT_EQ(client->negotiated().version, v.tls12 ? "TLSv1.2" : "TLSv1.3");
        out.push_back({v.name, with_control(v.control, rec.server_to_client), false, v.hello_retry,
                       v.alpn.empty() ? "" : v.alpn.front(), v.tls12 ? "TLSv1.2" : "TLSv1.3"});
    }
    return out;
}

bytes read_file(const std::filesystem::path &p) {
    std::ifstream in(p, std::ios::binary);
    return bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void check_corpus(const std::string &target, const std::vector<seed> &seeds,
                  fz::run_result (*run)(std::span<const std::uint8_t>)) {
    const bool write = std::getenv("AWSIO_WRITE_FUZZ_SEEDS") != nullptr;
    ASSERT_GE(seeds.size(), 4u);
    for (const auto &s : seeds) {
        SCOPED_TRACE(target + "/" + s.name);
        EXPECT_LT(s.data.size(), max_seed_size);
        // The fuzz driver completes the handshake from the seed.
        const fz::run_result r = run(s.data);
        EXPECT_TRUE(r.connected);
        EXPECT_FALSE(r.error) << r.error.message();
        EXPECT_EQ(r.resumed, s.resumed);
        EXPECT_EQ(r.hello_retry, s.hello_retry);
        EXPECT_EQ(r.alpn, s.alpn);
        EXPECT_EQ(r.version, s.version);
        const auto path = corpus_dir(target) / s.name;
        if (write) {
            std::ofstream(path, std::ios::binary)
                .write(reinterpret_cast<const char *>(s.data.data()), static_cast<std::streamsize>(s.data.size()));
        }
        EXPECT_TRUE(read_file(path) == s.data) << path << " is stale: rerun with AWSIO_WRITE_FUZZ_SEEDS=1";
    }
}

TEST(tls_fuzz_seeds, recorded_flights_are_deterministic) {
    // Two generations give the same bytes: nothing depends on real randomness.
    const auto a = server_seeds();
    const auto b = server_seeds();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_TRUE(a[i].data == b[i].data) << a[i].name;
    }
    const auto c = client_seeds();
    const auto d = client_seeds();
    ASSERT_EQ(c.size(), d.size());
    for (std::size_t i = 0; i < c.size(); ++i) {
        EXPECT_TRUE(c[i].data == d[i].data) << c[i].name;
    }
}

TEST(tls_fuzz_seeds, server_corpus_is_recorded_client_flights) {
    check_corpus("tls_server_fuzz", server_seeds(), &fz::run_server);
}

TEST(tls_fuzz_seeds, client_corpus_is_recorded_server_flights) {
    check_corpus("tls_client_fuzz", client_seeds(), &fz::run_client);
}

TEST(tls_fuzz_seeds, truncated_flights_fail_cleanly) {
    // Every prefix of a recorded flight leaves the server waiting for bytes or failed with a
    // known error.
    const auto seeds = server_seeds();
    ASSERT_FALSE(seeds.empty());
    const bytes &full = seeds.front().data;
    for (std::size_t n = 1; n < full.size(); n += 37) {
        const fz::run_result r = fz::run_server(std::span<const std::uint8_t>(full).first(n));
        if (r.error) {
            EXPECT_TRUE(fz::known_category(r.error));
        }
    }
    // Flipping a byte of the ClientHello random changes the server's transcript and so its
    // handshake keys: the client's encrypted Finished no longer opens.
    bytes corrupt = full;
    corrupt[1 + 5 + 4 + 2 + 3] ^= 0x01;
    const fz::run_result r = fz::run_server(corrupt);
    EXPECT_FALSE(r.connected);
    EXPECT_EQ(r.error, make_error_code(errc::bad_record_mac));
}

} // namespace
} // namespace awsio::tls
