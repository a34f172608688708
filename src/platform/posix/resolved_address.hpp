// Turning a resolved sockaddr into a host_address, shared by the getaddrinfo and c-ares
// backends.
#pragma once

#include <awsio/host_resolver.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <vector>

namespace awsio::detail {

/// Fills addr's text form and record type from a sockaddr of the given family and length.
/// False for other families, short lengths or an unprintable address.
inline bool sockaddr_to_host_address(int family, const void *sa, std::size_t len, host_address &addr) {
    char text[INET6_ADDRSTRLEN] = {};
    const auto *bytes = static_cast<const unsigned char *>(sa);
    if (family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
        sockaddr_in6 sin6{};
        std::copy_n(bytes, sizeof(sin6), reinterpret_cast<unsigned char *>(&sin6));
        if (inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof(text)) == nullptr) {
            return false;
        }
        addr.record_type = address_record_type::aaaa;
    } else if (family == AF_INET && len >= sizeof(sockaddr_in)) {
        sockaddr_in sin{};
        std::copy_n(bytes, sizeof(sin), reinterpret_cast<unsigned char *>(&sin));
        if (inet_ntop(AF_INET, &sin.sin_addr, text, sizeof(text)) == nullptr) {
            return false;
        }
        addr.record_type = address_record_type::a;
    } else {
        return false;
    }
    addr.address = text;
    return true;
}

/// Appends addr unless the same (type, address) is already there: resolvers can repeat an
/// address (one per socket type on some systems).
inline void append_unique_address(std::vector<host_address> &out, host_address addr) {
    const bool seen = std::any_of(out.begin(), out.end(), [&](const host_address &a) {
        return a.record_type == addr.record_type && a.address == addr.address;
    });
    if (!seen) {
        out.push_back(std::move(addr));
    }
}

} // namespace awsio::detail
