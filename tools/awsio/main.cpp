// The awsio command-line tool. `awsio demo` shows the most complete thing awsio does today;
// `awsio bench <name> [--json]` measures awsio next to reference implementations; `awsio server`
// and `awsio client` run TLS (or plain TCP with --plain) over the bootstraps.
#include "tools/awsio/commands.hpp"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

void usage() {
    std::fputs("usage: awsio <command> [options]\n"
               "  demo                      run the awsio demonstration\n"
               "  bench loop [--json]       event-loop throughput: awsio vs libuv vs Asio\n"
               "  server --plain --port P [--host H] --echo [--max-connections N]\n"
               "                            echo server (port 0: the OS picks; printed at start)\n"
               "  client --plain HOST:PORT --send TEXT\n"
               "                            sends TEXT, prints what comes back\n"
               "  server --port P [--host 127.0.0.1] --cert CHAIN.pem --key KEY.pem [--alpn LIST]\n"
               "         [--client-ca CA.pem] [--echo | --http-reply TEXT] [--max-connections N]\n"
               "                            TLS server until killed (port printed at start); --cert\n"
               "                            holds the chain leaf first; --client-ca requires and\n"
               "                            verifies client certificates; --http-reply answers each\n"
               "                            HTTP request with 200 and TEXT\n"
               "  client HOST:PORT | https://HOST[:PORT]/PATH [--cafile F] [--capath D] [--insecure]\n"
               "         [--servername N] [--alpn LIST] [--tls-min 1.2|1.3] [--tls-max 1.2|1.3]\n"
               "         [--cert F --key F] [--send TEXT] [--keylog F]\n"
               "                            TLS client: prints the negotiated version, suite, group,\n"
               "                            ALPN, peer chain and verification to stderr; an https URL\n"
               "                            is fetched with GET (body to stdout); --send writes TEXT and\n"
               "                            prints the answer; errors: the error name, exit 1\n"
               "  bench tcp [--json] [--bytes N]\n"
               "                            one-way loopback throughput: awsio channels vs plain sockets\n"
               "  verify --chain CHAIN.pem [--cafile ROOTS.pem | --capath DIR] [--host NAME]\n"
               "         [--purpose server|client] [--at UNIX_SECONDS]\n"
               "                            validates a certificate path: OK or the error name\n"
               "  errors                    list every io_errc with its number and name\n"
               "  resolve HOST [--family ipv4|ipv6] [--dns IP:PORT]\n"
               "                            addresses and TTLs (seconds); without --dns the system\n"
               "                            resolver, which has no TTL: max_ttl (30) is printed\n",
               stderr);
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        usage();
        return 2;
    }
    const std::string cmd = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    if (cmd == "demo") {
        return awsio::cli::run_demo(args);
    }
    if (cmd == "bench") {
        return awsio::cli::run_bench(args);
    }
    if (cmd == "errors") {
        return awsio::cli::run_errors(args);
    }
    if (cmd == "server") {
        return awsio::cli::run_server(args);
    }
    if (cmd == "client") {
        return awsio::cli::run_client(args);
    }
    if (cmd == "verify") {
        return awsio::cli::run_verify(args);
    }
    if (cmd == "resolve") {
        return awsio::cli::run_resolve(args);
    }
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
        usage();
        return 0;
    }
    std::fprintf(stderr, "awsio: unknown command '%s'\n", cmd.c_str());
    usage();
    return 2;
}
