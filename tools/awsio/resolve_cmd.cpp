// `awsio resolve HOST [--family ipv4|ipv6] [--dns IP:PORT]`: prints the host's addresses with
// their TTLs, through getaddrinfo or, with --dns, through c-ares against the given server.
#include "tools/awsio/commands.hpp"

#include <awsio/error.hpp>
#include <awsio/host_resolver.hpp>

#include <cstdio>
#include <optional>
#include <string>

namespace awsio::cli {

namespace {

// getaddrinfo() reports no TTL; the resolver would keep such records for max_ttl.
std::size_t default_max_ttl() { return host_resolution_config{}.max_ttl; }

int resolve_usage() {
    std::fprintf(stderr,
                 "usage: awsio resolve HOST [--family ipv4|ipv6] [--dns IP:PORT]\n"
                 "  prints one line per address: ADDRESS A|AAAA TTL-SECONDS\n"
                 "  --dns IP:PORT   query that server with c-ares; the TTL is the record's\n"
                 "  (without --dns the system resolver is used; it reports no TTL, so the\n"
                 "   resolver's max_ttl of %zu s is printed)\n"
                 "  a name that does not resolve prints its error name and exits 1\n",
                 default_max_ttl());
    return 2;
}

} // namespace

int run_resolve(const std::vector<std::string> &args) {
    std::string host;
    std::optional<address_record_type> family;
    std::string dns_server;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "-h" || a == "--help") {
            resolve_usage();
            return 0;
        }
        if (a == "--family" && i + 1 < args.size()) {
            const std::string &f = args[++i];
            if (f == "ipv4") {
                family = address_record_type::a;
            } else if (f == "ipv6") {
                family = address_record_type::aaaa;
            } else {
                std::fprintf(stderr, "awsio resolve: unknown family '%s'\n", f.c_str());
                return resolve_usage();
            }
        } else if (a == "--dns" && i + 1 < args.size()) {
            dns_server = args[++i];
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "awsio resolve: unknown option '%s'\n", a.c_str());
            return resolve_usage();
        } else if (host.empty()) {
            host = a;
        } else {
            return resolve_usage();
        }
    }
    if (host.empty()) {
        return resolve_usage();
    }

    dns_options options;
    if (!dns_server.empty()) {
        options.impl = dns_impl::cares;
        options.servers = dns_server;
    }
    const dns_resolve_fn resolve = make_dns_resolve_fn(options);
    result<std::vector<host_address>> answer = resolve(host);
    if (!answer) {
        const std::string name(error_name(answer.error()));
        std::printf("%s\n", name.c_str());
        std::fprintf(stderr, "awsio resolve: %s: %s\n", host.c_str(), answer.error().message().c_str());
        return 1;
    }
    std::size_t printed = 0;
    // AAAA first, as the resolver hands addresses out.
    for (const address_record_type t : {address_record_type::aaaa, address_record_type::a}) {
        if (family && *family != t) {
            continue;
        }
        for (const host_address &addr : *answer) {
            if (addr.record_type != t) {
                continue;
            }
            const std::size_t ttl = addr.ttl ? *addr.ttl : default_max_ttl();
            std::printf("%s %s %zu\n", addr.address.c_str(), t == address_record_type::a ? "A" : "AAAA", ttl);
            ++printed;
        }
    }
    if (printed == 0) {
        std::printf("%s\n", std::string(error_name(make_error_code(io_errc::dns_no_address_for_host))).c_str());
        std::fprintf(stderr, "awsio resolve: %s: no %s address\n", host.c_str(),
                     family == address_record_type::a ? "IPv4" : "IPv6");
        return 1;
    }
    return 0;
}

} // namespace awsio::cli
