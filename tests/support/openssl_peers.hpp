// openssl_peers.hpp — the `openssl` command line tool as a TLS peer on 127.0.0.1 for interop tests:
//  * s_server: `openssl s_server` serving an X.509 fixture chain on a free port (line-reversing
//    with -rev by default, -www, or interactive with a stdin pipe), any version flag and extra
//    arguments; output capture and stop through peer_process;
//  * s_client_argv / run_s_client: an `openssl s_client` command line for an awsio server, and
//    a run that sends lines and waits for each "echo: <line>" (see echo_lines in
//    tls_test_contexts.hpp), with the s_client commands "K" (KeyUpdate) and "R" (renegotiate).
//  * OpenSSL's names for the TLS 1.2 suites awsio implements.
//
// Every wait is bounded (peer_process); a peer that does not come up is reported by ok()/why().
// Threads: one object is used by one thread at a time.
#pragma once

#include "support/peer_process.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace awsio::testing {

// ------------------------------------------------------------------------------------------
// openssl s_server

/// The fields stand in the order designated initializers need.
struct s_server_config {
    std::string chain = "leaf_chain.pem"; ///< leaf first, then intermediates
    std::string key = "leaf.key";
    /// "-rev" (reverses each line back), "-www", or "" (interactive: stdin is a pipe).
    std::string mode = "-rev";
    std::string version_flag = "-tls1_3";
    std::vector<std::string> extra;
};

class s_server {
public:
    /// Starts s_server; check ok() (the failure text is in why()).
    explicit s_server(const s_server_config &cfg) {
        files_ = split_chain(x509_fixture(cfg.chain));
        bool interactive = cfg.mode.empty();
        process_ = start_server_peer(
            [&](std::uint16_t port) {
                std::vector<std::string> argv = {"openssl", "s_server", cfg.version_flag,
                                                 "-accept", "127.0.0.1:" + std::to_string(port),
                                                 "-cert", files_.leaf.path(),
                                                 "-key", x509_fixture(cfg.key)};
                if (!files_.rest.path().empty()) {
                    argv.insert(argv.end(), {"-cert_chain", files_.rest.path()});
                }
                if (!cfg.mode.empty()) {
                    argv.push_back(cfg.mode);
                }
                argv.insert(argv.end(), cfg.extra.begin(), cfg.extra.end());
                return argv;
            },
            port_, interactive, &why_);
    }

    [[nodiscard]] bool ok() const noexcept { return process_ != nullptr; }
    [[nodiscard]] const std::string &why() const noexcept { return why_; }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    peer_process &process() { return *process_; }
    [[nodiscard]] std::string output() const { return process_ ? process_->output() : std::string(); }
    [[nodiscard]] std::string describe() const { return process_ ? process_->describe() : why_; }

private:
    split_chain_files files_;
    std::unique_ptr<peer_process> process_;
    std::uint16_t port_ = 0;
    std::string why_;
};

/// What s_server -rev answers to `line`.
inline std::string reversed_line(std::string line) {
    std::reverse(line.begin(), line.end());
    return line + "\n";
}

/// What s_server -rev answers to each of `lines`, concatenated.
inline std::string expected_replies(const std::vector<std::string> &lines) {
    std::string s;
    for (const auto &l : lines) {
        s += reversed_line(l);
    }
    return s;
}

/// How many times `needle` occurs in `text` (a peer's output), counting non-overlapping matches.
inline std::size_t count_of(const std::string &text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) {
        ++n;
    }
    return n;
}

// ------------------------------------------------------------------------------------------
// OpenSSL's names

/// A TLS 1.2 ECDHE AEAD suite: its IANA name, OpenSSL's name, and whether it needs an ECDSA
/// certificate (otherwise RSA).
struct openssl_tls12_suite {
    const char *iana;
    const char *openssl;
    bool ecdsa;
};

/// The six TLS 1.2 suites awsio implements.
inline constexpr openssl_tls12_suite openssl_tls12_suites[] = {
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", true},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", true},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", true},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", false},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", false},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", false},
};

/// The entry for an IANA name (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 for an unknown one).
inline const openssl_tls12_suite &openssl_tls12_suite_by_iana(const std::string &iana) {
    for (const auto &s : openssl_tls12_suites) {
        if (iana == s.iana) {
            return s;
        }
    }
    return openssl_tls12_suites[3];
}

// ------------------------------------------------------------------------------------------
// openssl s_client

/// s_client connecting to 127.0.0.1:port as "localhost", verifying against the fixture `ca`.
/// argv[2] is the version flag.
inline std::vector<std::string> s_client_argv(std::uint16_t port, const std::string &ca = "root_ca.pem",
                                              const std::string &version_flag = "-tls1_3") {
    return {"openssl", "s_client", version_flag, "-connect", "127.0.0.1:" + std::to_string(port), "-CAfile",
            x509_fixture(ca), "-verify_return_error", "-servername", "localhost"};
}

struct s_client_run {
    std::unique_ptr<peer_process> process;
    std::string output;
    std::optional<int> exit_code;
    bool all_echoed = false;
};

/// Runs s_client: sends each line and waits for its "echo: <line>", then closes stdin and waits
/// for the exit. The line "K" is s_client's KeyUpdate(update_requested) command (waits for
/// "KEYUPDATE"); "R" asks for a renegotiation (waits for `wait_after_r`).
inline s_client_run run_s_client(std::vector<std::string> argv, const std::vector<std::string> &lines,
                                 const std::string &wait_after_r = "RENEGOTIATING") {
    s_client_run run;
    peer_process::options o;
    o.argv = std::move(argv);
    o.stdin_pipe = true;
    run.process = peer_process::spawn(o);
    if (!run.process) {
        return run;
    }
    run.all_echoed = true;
    for (const auto &line : lines) {
        if (line == "K" || line == "R") {
            run.process->write_stdin(line + "\n");
            run.all_echoed = run.process->wait_for_output(line == "K" ? "KEYUPDATE" : wait_after_r) && run.all_echoed;
            continue;
        }
        if (!run.process->write_stdin(line + "\n") || !run.process->wait_for_output("echo: " + line)) {
            run.all_echoed = false;
            break;
        }
    }
    run.process->close_stdin();
    run.exit_code = run.process->wait_exit();
    run.output = run.process->output();
    return run;
}

} // namespace awsio::testing
