// Benchmark entry points for `awsio bench ...`. Each runs awsio and one or more reference
// implementations in the same process and reports through bench::reporter.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace awsio::bench {

/// Prints results either as a table or, with --json, one JSON object per line:
/// {"bench": "...", "impl": "...", "metric": "...", "value": number, "unit": "..."}
class reporter {
public:
    explicit reporter(bool json) : json_(json) {}
    void report(std::string_view bench, std::string_view impl, std::string_view metric,
                double value, std::string_view unit) const {
        if (json_) {
            std::printf("{\"bench\": \"%.*s\", \"impl\": \"%.*s\", \"metric\": \"%.*s\", "
                        "\"value\": %.6g, \"unit\": \"%.*s\"}\n",
                        static_cast<int>(bench.size()), bench.data(), static_cast<int>(impl.size()),
                        impl.data(), static_cast<int>(metric.size()), metric.data(), value,
                        static_cast<int>(unit.size()), unit.data());
        } else {
            std::printf("%-8.*s %-10.*s %-28.*s %14.1f %.*s\n", static_cast<int>(bench.size()),
                        bench.data(), static_cast<int>(impl.size()), impl.data(),
                        static_cast<int>(metric.size()), metric.data(), value,
                        static_cast<int>(unit.size()), unit.data());
        }
        std::fflush(stdout);
    }
    bool json() const { return json_; }

private:
    bool json_;
};

/// `awsio bench loop [--json] [--tasks N]`: event-loop task and timer throughput for awsio,
/// libuv and Asio. Returns the process exit code.
int run_loop_bench(const std::vector<std::string> &args, const reporter &out);

/// `awsio bench tcp [--json] [--bytes N]`: one-way loopback transfer (1 GiB by default) through
/// two awsio channels and, as the floor, through plain blocking sockets.
int run_tcp_bench(const std::vector<std::string> &args, const reporter &out);

/// `awsio bench x509 [--json] [--iterations N]`: certificate parses/s, chain validations/s, and
/// signature verifies/s next to the same verifies straight on libcrypto.
int run_x509_bench(const std::vector<std::string> &args, const reporter &out);

/// `awsio bench tls [--json] [--quick] [--seconds S] [--bytes N] [--connections N]`: TLS 1.3
/// with awsio's engine next to OpenSSL's libssl: in-memory full and resumed handshakes/s, bulk
/// MB/s per suite, loopback handshakes/s and transfer MB/s, idle memory per connection.
int run_tls_bench(const std::vector<std::string> &args, const reporter &out);

} // namespace awsio::bench
