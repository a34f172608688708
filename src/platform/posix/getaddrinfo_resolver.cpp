// getaddrinfo_resolver.cpp — the system DNS query (aws_default_dns_resolve) on POSIX.
#include <awsio/host_resolver.hpp>
#include <awsio/logging.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <string>

namespace awsio {

result<std::vector<host_address>> default_dns_resolve(std::string_view host) {
    if (host.empty()) {
        return io_errc::dns_invalid_name;
    }
    const std::string host_str(host);
    if (host_str.find('\0') != std::string::npos) {
        return io_errc::dns_invalid_name;
    }

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    // aws-c-io asks for AI_ALL | AI_V4MAPPED; with AF_UNSPEC glibc ignores the mapping, so IPv4
    // answers stay plain A records.
    hints.ai_flags = AI_ALL | AI_V4MAPPED;

    addrinfo *raw = nullptr;
    AWSIO_LOGF_DEBUG(log_subject::dns, "getaddrinfo: resolving host %s", host_str.c_str());
    const int rc = getaddrinfo(host_str.c_str(), nullptr, &hints, &raw);
    if (rc != 0) {
        AWSIO_LOGF_DEBUG(log_subject::dns, "getaddrinfo: %s failed: %s", host_str.c_str(),
                         gai_strerror(rc));
        return unexpected(dns_error_from_gai(rc));
    }
    std::unique_ptr<addrinfo, void (*)(addrinfo *)> list(raw, freeaddrinfo);

    std::vector<host_address> out;
    for (const addrinfo *ai = list.get(); ai != nullptr; ai = ai->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        host_address addr;
        addr.host = host_str;
        if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(sockaddr_in6)) {
            sockaddr_in6 sin6{};
            std::copy_n(reinterpret_cast<const unsigned char *>(ai->ai_addr), sizeof(sin6),
                        reinterpret_cast<unsigned char *>(&sin6));
            if (inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof(text)) == nullptr) {
                continue;
            }
            addr.record_type = address_record_type::aaaa;
        } else if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(sockaddr_in)) {
            sockaddr_in sin{};
            std::copy_n(reinterpret_cast<const unsigned char *>(ai->ai_addr), sizeof(sin),
                        reinterpret_cast<unsigned char *>(&sin));
            if (inet_ntop(AF_INET, &sin.sin_addr, text, sizeof(text)) == nullptr) {
                continue;
            }
            addr.record_type = address_record_type::a;
        } else {
            continue;
        }
        addr.address = text;
        // getaddrinfo can repeat an address (one per socket type on some systems).
        const bool seen = std::any_of(out.begin(), out.end(), [&](const host_address &a) {
            return a.record_type == addr.record_type && a.address == addr.address;
        });
        if (!seen) {
            out.push_back(std::move(addr));
        }
    }
    if (out.empty()) {
        return io_errc::dns_no_address_for_host;
    }
    return out;
}

} // namespace awsio
