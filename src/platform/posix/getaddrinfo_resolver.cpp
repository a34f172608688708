// getaddrinfo_resolver.cpp — the system DNS query (aws_default_dns_resolve) on POSIX.
#include <awsio/host_resolver.hpp>
#include <awsio/logging.hpp>

#include "platform/posix/resolved_address.hpp"

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
        host_address addr;
        addr.host = host_str;
        if (!detail::sockaddr_to_host_address(ai->ai_family, ai->ai_addr,
                                              static_cast<std::size_t>(ai->ai_addrlen), addr)) {
            continue;
        }
        detail::append_unique_address(out, std::move(addr));
    }
    if (out.empty()) {
        return io_errc::dns_no_address_for_host;
    }
    return out;
}

} // namespace awsio
