// tls_memory_pair.hpp — an awsio TLS client and server connected back to back in memory (no
// sockets) for the engine's end-to-end tests: contexts from the X.509 fixtures in
// tests/resources/x509, a pump that moves output() of each side into the other's feed() and
// reads what arrives, bounded in rounds.
#pragma once

#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace awsio::tls::testing {

inline std::string fixture(const std::string &name) {
    return std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/" + name;
}

inline std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline tls_ctx_options server_options(const std::string &chain = "leaf_chain.pem", const std::string &key = "leaf.key") {
    return tls_ctx_options::default_server(slurp(fixture(chain)), slurp(fixture(key)));
}

inline tls_ctx_options client_options(const std::string &root = "root_ca.pem") {
    auto o = tls_ctx_options::default_client();
    EXPECT_TRUE(o.override_default_trust_store(slurp(fixture(root))));
    return o;
}

inline std::shared_ptr<const context> make_server(const tls_ctx_options &o) {
    auto c = context::create_server(o);
    EXPECT_TRUE(c) << c.error().message();
    return c ? *c : nullptr;
}

inline std::shared_ptr<const context> make_client(const tls_ctx_options &o) {
    auto c = context::create_client(o);
    EXPECT_TRUE(c) << c.error().message();
    return c ? *c : nullptr;
}

/// Moves pending output of `from` into `to`, `chunk` bytes per feed (0: all at once).
inline bool transfer(connection &from, connection &to, std::size_t chunk = 0) {
    auto out = from.output();
    if (out.empty()) {
        return false;
    }
    if (chunk == 0) {
        to.feed(out);
    } else {
        for (std::size_t i = 0; i < out.size(); i += chunk) {
            to.feed(out.subspan(i, std::min(chunk, out.size() - i)));
        }
    }
    from.consume_output(out.size());
    return true;
}

struct pump_result {
    std::error_code client;
    std::error_code server;
    std::string client_data;
    std::string server_data;
};

/// Runs both ends until neither has anything to send. Plaintext read is appended to the
/// result. Bounded: at most 100 rounds.
inline pump_result pump(connection &client, connection &server, std::size_t chunk = 0) {
    pump_result r;
    std::vector<std::uint8_t> buf(4096);
    auto drain = [&](connection &c, std::error_code &ec, std::string &data) {
        for (int i = 0; i < 10000 && !ec; ++i) {
            auto n = c.read(buf);
            if (!n) {
                ec = n.error();
                break;
            }
            data.append(reinterpret_cast<const char *>(buf.data()), *n);
            if (*n < buf.size()) {
                break;
            }
        }
    };
    for (int round = 0; round < 100; ++round) {
        bool moved = transfer(client, server, chunk);
        drain(server, r.server, r.server_data);
        moved = transfer(server, client, chunk) || moved;
        drain(client, r.client, r.client_data);
        if (!moved && client.output().empty() && server.output().empty()) {
            break;
        }
    }
    return r;
}

struct endpoints {
    connection client;
    connection server;
};

/// A client for `server_name` (SNI and name check) and a server; the client is not started.
inline endpoints make_endpoints(const std::shared_ptr<const context> &cctx, const std::shared_ptr<const context> &sctx,
                                std::string server_name = "localhost", std::vector<std::string> alpn = {}) {
    auto c = connection::client(cctx, {std::move(server_name), std::move(alpn)});
    auto s = connection::server(sctx);
    EXPECT_TRUE(c);
    EXPECT_TRUE(s);
    return {std::move(*c), std::move(*s)};
}

inline std::span<const std::uint8_t> bytes_of(const std::string &s) {
    return {reinterpret_cast<const std::uint8_t *>(s.data()), s.size()};
}

} // namespace awsio::tls::testing
