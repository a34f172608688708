// cares_resolver.cpp — DNS queries through c-ares: unlike getaddrinfo() they report each record's
// TTL, and they can be sent to a chosen server (used by `awsio resolve --dns` and the tests).
#include <awsio/host_resolver.hpp>
#include <awsio/logging.hpp>

#include "platform/posix/resolved_address.hpp"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <climits>
#include <mutex>
#include <string>

namespace awsio {

std::error_code dns_error_from_ares(int status) noexcept {
    switch (status) {
    case ARES_SUCCESS:
        return {};
    case ARES_ENOTFOUND: // NXDOMAIN: like getaddrinfo's EAI_NONAME
    case ARES_EBADNAME:
    case ARES_EBADFAMILY:
        return io_errc::dns_invalid_name;
    case ARES_ENODATA: // the name exists without A/AAAA records: like EAI_NODATA
        return io_errc::dns_no_address_for_host;
    case ARES_ETIMEOUT: // no answer in time: worth retrying, like EAI_AGAIN
    case ARES_ECONNREFUSED:
        return io_errc::dns_query_again;
    case ARES_ENOMEM:
        return common_errc::oom;
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
        return io_errc::operation_cancelled;
    default:
        return io_errc::dns_query_failed;
    }
}

namespace {

std::once_flag g_ares_init_once;
int g_ares_init_status = ARES_SUCCESS;

// ares_library_init is not thread-safe and only needs to run once per process.
int ensure_ares_library() {
    std::call_once(g_ares_init_once, [] { g_ares_init_status = ares_library_init(ARES_LIB_INIT_ALL); });
    return g_ares_init_status;
}

struct query_state {
    bool done = false;
    int status = ARES_SUCCESS;
    std::string host;
    std::vector<host_address> addresses;
};

void on_addrinfo(void *arg, int status, int /*timeouts*/, ares_addrinfo *res) {
    auto *state = static_cast<query_state *>(arg);
    state->done = true;
    state->status = status;
    if (status != ARES_SUCCESS || res == nullptr) {
        if (res != nullptr) {
            ares_freeaddrinfo(res);
        }
        return;
    }
    for (const ares_addrinfo_node *node = res->nodes; node != nullptr; node = node->ai_next) {
        host_address addr;
        addr.host = state->host;
        if (!detail::sockaddr_to_host_address(node->ai_family, node->ai_addr,
                                              static_cast<std::size_t>(node->ai_addrlen), addr)) {
            continue;
        }
        addr.ttl = static_cast<std::uint32_t>(std::max(node->ai_ttl, 0));
        detail::append_unique_address(state->addresses, std::move(addr));
    }
    ares_freeaddrinfo(res);
}

// Owns one channel; destroying it cancels whatever is still in flight.
struct channel_holder {
    ares_channel channel = nullptr;
    channel_holder() = default;
    channel_holder(const channel_holder &) = delete;
    channel_holder &operator=(const channel_holder &) = delete;
    ~channel_holder() {
        if (channel != nullptr) {
            ares_destroy(channel);
        }
    }
};

// Drives the channel until the query completes: poll() on c-ares' sockets with its own timeout,
// so a dead server ends in ARES_ETIMEOUT after timeout_ms * tries rather than hanging.
void run_until_done(ares_channel channel, const query_state &state) {
    while (!state.done) {
        std::array<ares_socket_t, ARES_GETSOCK_MAXNUM> socks{};
        const int bits = ares_getsock(channel, socks.data(), ARES_GETSOCK_MAXNUM);
        std::array<pollfd, ARES_GETSOCK_MAXNUM> fds{};
        nfds_t nfds = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
            const bool readable = (bits & (1 << i)) != 0;
            const bool writable = (bits & (1 << (i + ARES_GETSOCK_MAXNUM))) != 0;
            if (!readable && !writable) {
                continue;
            }
            pollfd &p = fds[nfds++];
            p.fd = socks[static_cast<std::size_t>(i)];
            p.events = static_cast<short>((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
        }
        timeval max_tv{1, 0};
        timeval tv{};
        const timeval *wait = ares_timeout(channel, &max_tv, &tv);
        const long long ms_ll =
            static_cast<long long>(wait->tv_sec) * 1000 + static_cast<long long>(wait->tv_usec) / 1000;
        const int ms = static_cast<int>(std::clamp<long long>(ms_ll, 0, INT_MAX));
        const int n = poll(fds.data(), nfds, ms);
        if (n <= 0) {
            // Timeout (or EINTR): let c-ares handle its timers.
            ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            continue;
        }
        for (nfds_t i = 0; i < nfds && !state.done; ++i) {
            const short re = fds[i].revents;
            if (re == 0) {
                continue;
            }
            const bool rd = (re & (POLLIN | POLLERR | POLLHUP)) != 0;
            const bool wr = (re & POLLOUT) != 0;
            ares_process_fd(channel, rd ? fds[i].fd : ARES_SOCKET_BAD, wr ? fds[i].fd : ARES_SOCKET_BAD);
        }
    }
}

} // namespace

result<std::vector<host_address>> cares_dns_resolve(std::string_view host, const dns_options &options) {
    if (host.empty() || host.find('\0') != std::string_view::npos) {
        return io_errc::dns_invalid_name;
    }
    if (const int st = ensure_ares_library(); st != ARES_SUCCESS) {
        return unexpected(dns_error_from_ares(st));
    }

    ares_options opts{};
    int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    opts.timeout = static_cast<int>(std::clamp<std::uint32_t>(options.timeout_ms, 1, 60000));
    opts.tries = static_cast<int>(std::clamp<std::uint32_t>(options.tries, 1, 10));
    char lookups[] = "b";
    if (!options.servers.empty()) {
        // An explicit server is the whole truth: no /etc/hosts, no search-domain suffixes.
        opts.lookups = lookups;
        opts.domains = nullptr;
        opts.ndomains = 0;
        mask |= ARES_OPT_LOOKUPS | ARES_OPT_DOMAINS;
    }

    channel_holder holder;
    if (const int st = ares_init_options(&holder.channel, &opts, mask); st != ARES_SUCCESS) {
        holder.channel = nullptr;
        AWSIO_LOGF_ERROR(log_subject::dns, "c-ares: channel init failed: %s", ares_strerror(st));
        return unexpected(dns_error_from_ares(st));
    }
    if (!options.servers.empty()) {
        if (const int st = ares_set_servers_ports_csv(holder.channel, options.servers.c_str());
            st != ARES_SUCCESS) {
            AWSIO_LOGF_ERROR(log_subject::dns, "c-ares: bad server list '%s': %s",
                             options.servers.c_str(), ares_strerror(st));
            return common_errc::invalid_argument;
        }
    }

    query_state state;
    state.host = std::string(host);
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    // No RFC 6724 sorting: it would open a UDP socket per address just to pick a source.
    hints.ai_flags = ARES_AI_NOSORT;
    AWSIO_LOGF_DEBUG(log_subject::dns, "c-ares: resolving host %s", state.host.c_str());
    ares_getaddrinfo(holder.channel, state.host.c_str(), nullptr, &hints, on_addrinfo, &state);
    run_until_done(holder.channel, state);

    if (state.status != ARES_SUCCESS) {
        AWSIO_LOGF_DEBUG(log_subject::dns, "c-ares: %s failed: %s", state.host.c_str(),
                         ares_strerror(state.status));
        return unexpected(dns_error_from_ares(state.status));
    }
    if (state.addresses.empty()) {
        return io_errc::dns_no_address_for_host;
    }
    return std::move(state.addresses);
}

} // namespace awsio
