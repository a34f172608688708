// awsio/host_resolver.hpp — a caching, background-refreshing host resolver. Mirrors aws-c-io's
// host_resolver.h (aws_host_resolver, aws_host_resolver_new_default, aws_default_dns_resolve).
//
// The default resolver keeps, per host name, a cache of A and AAAA records and one background
// thread ("AwsHostResolver") that re-queries DNS every resolve frequency while the host is in
// use. Records expire max_ttl seconds after they were last seen (or earlier, when the DNS
// implementation reports a shorter TTL). Addresses whose connections failed move to a "bad" list
// that is only used when no good address is left, and that expires like the good one.
//
// Threads:
//   * every member function may be called from any thread;
//   * resolve_host() answers a cache hit synchronously on the calling thread, before it returns;
//     a miss is answered later from the host's resolver thread;
//   * purge completions and failed pending resolves are delivered from a resolver thread (or a
//     short-lived awsio managed thread when nothing was cached), never synchronously.
// Resolver threads are awsio managed threads: io_library_clean_up() joins them, so a program
// that used a resolver calls io_library_init()/io_library_clean_up() (or holds an io_library).
#pragma once

#include <awsio/error.hpp>
#include <awsio/export.hpp>
#include <awsio/io.hpp>
#include <awsio/result.hpp>
#include <awsio/unique_function.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace awsio {

/// aws_address_record_type.
enum class address_record_type : std::uint8_t {
    a,    ///< IPv4
    aaaa, ///< IPv6
};

/// aws_get_host_address_flags, for host_resolver::get_host_address_count().
inline constexpr std::uint32_t get_host_address_count_record_type_a = 0x1;
inline constexpr std::uint32_t get_host_address_count_record_type_aaaa = 0x2;

/// One resolved address (aws_host_address). A plain value: copy it freely.
struct host_address {
    std::string host;    ///< the host name it was resolved for
    std::string address; ///< textual address ("192.0.2.1", "2001:db8::1")
    address_record_type record_type = address_record_type::a;
    /// When the record expires, on the resolver's clock (nanoseconds). Set by the resolver;
    /// a DNS implementation leaves it 0.
    std::uint64_t expiry = 0;
    std::size_t use_count = 0;                ///< times the resolver handed it out
    std::size_t connection_failure_count = 0; ///< times record_connection_failure() named it
    std::uint8_t weight = 0;                  ///< reserved, as in aws-c-io
    /// The TTL (seconds) the DNS answer carried, when the implementation knows it (c-ares).
    /// getaddrinfo() reports none: the resolver then uses max_ttl.
    std::optional<std::uint32_t> ttl;
};

/// A DNS query: all A and AAAA addresses of a host, or an AWS_IO_DNS_* error. Called on the
/// resolver threads (possibly several at once for different hosts), so it must be thread-safe.
using dns_resolve_fn = std::function<result<std::vector<host_address>>(std::string_view host)>;

/// Which DNS implementation make_dns_resolve_fn() builds.
enum class dns_impl : std::uint8_t {
    getaddrinfo, ///< the system resolver (aws_default_dns_resolve); no TTLs
    cares,       ///< c-ares: real DNS queries with TTLs, optionally against given servers
};

/// Options of make_dns_resolve_fn().
struct dns_options {
    dns_impl impl = dns_impl::getaddrinfo;
    /// c-ares only: comma-separated servers "IP", "IP:PORT" or "[IPv6]:PORT". Empty uses the
    /// system configuration (/etc/resolv.conf). With servers given, /etc/hosts is not consulted.
    std::string servers;
    std::uint32_t timeout_ms = 2000; ///< c-ares only: per-try timeout
    std::uint32_t tries = 2;         ///< c-ares only: tries per server
};

/// aws_default_dns_resolve: getaddrinfo(AF_UNSPEC, SOCK_STREAM, AI_ALL | AI_V4MAPPED). Errors
/// come from dns_error_from_gai(): dns_invalid_name (EAI_NONAME), dns_query_again (EAI_AGAIN),
/// dns_query_failed (EAI_FAIL), dns_no_address_for_host (EAI_NODATA), oom. Blocks; any thread.
AWSIO_API result<std::vector<host_address>> default_dns_resolve(std::string_view host);

/// Resolution through c-ares (blocking, its own channel per call; any thread). Each address
/// carries the record TTL. c-ares statuses map as dns_error_from_ares() documents.
AWSIO_API result<std::vector<host_address>> cares_dns_resolve(std::string_view host,
                                                              const dns_options &options);

/// Maps a c-ares status (ARES_*) to the error awsio reports, mirroring dns_error_from_gai():
///   ARES_SUCCESS -> no error;
///   ARES_ENOTFOUND (NXDOMAIN: the name does not exist), ARES_EBADNAME, ARES_EBADFAMILY
///     -> dns_invalid_name (as getaddrinfo's EAI_NONAME);
///   ARES_ENODATA (the name exists but has no A/AAAA record) -> dns_no_address_for_host
///     (as EAI_NODATA);
///   ARES_ETIMEOUT, ARES_ECONNREFUSED -> dns_query_again (retryable, as EAI_AGAIN);
///   ARES_ENOMEM -> oom; ARES_ECANCELLED, ARES_EDESTRUCTION -> operation_cancelled;
///   anything else (ESERVFAIL, EREFUSED, EFORMERR, EBADRESP, ...) -> dns_query_failed.
AWSIO_API std::error_code dns_error_from_ares(int ares_status) noexcept;

/// Builds a thread-safe dns_resolve_fn for the chosen implementation.
AWSIO_API dns_resolve_fn make_dns_resolve_fn(const dns_options &options);

/// aws_host_resolution_config: how a host is resolved and refreshed. Taken when a host's cache
/// entry is created (the first resolve_host() for it); later calls do not change it.
struct host_resolution_config {
    /// The DNS query. Empty: the resolver's own (default_host_resolver_options::dns).
    dns_resolve_fn impl;
    /// Seconds a record stays valid after it was last seen (a shorter DNS TTL wins). Also the
    /// per-family capacity of the address caches (as aws-c-io) and the idle time after which an
    /// unused host's thread ends (at least 1 s).
    std::size_t max_ttl = 30;
    /// Time between background queries, in nanoseconds; 0 means 1 s. Capped at max_ttl.
    std::uint64_t resolve_frequency_ns = 1000000000ULL;
};

/// aws_host_resolver: the interface bootstraps use. Hold it through std::shared_ptr; any thread.
class AWSIO_API host_resolver {
public:
    /// (error, host, addresses). On success `addresses` holds one or two entries: the AAAA one
    /// first, then the A one (each the least recently used of its family). On failure it is
    /// empty and `error` is an AWS_IO_DNS_* code (dns_host_removed_from_cache when the host was
    /// purged, evicted or the resolver destroyed before an answer).
    using on_host_resolved_fn = unique_function<void(
        std::error_code error, const std::string &host, const std::vector<host_address> &addresses)>;
    using on_complete_fn = unique_function<void()>;

    virtual ~host_resolver();
    host_resolver(const host_resolver &) = delete;
    host_resolver &operator=(const host_resolver &) = delete;

    /// Resolves `host`. Returns an error only when the request could not be accepted
    /// (invalid_argument for an empty host or a missing callback); otherwise `on_resolved` is
    /// called exactly once (see the threading notes at the top of this file).
    virtual std::error_code resolve_host(std::string_view host, on_host_resolved_fn on_resolved,
                                         const host_resolution_config &config) = 0;
    /// resolve_host() with default_resolution_config().
    std::error_code resolve(std::string_view host, on_host_resolved_fn on_resolved) {
        return resolve_host(host, std::move(on_resolved), default_resolution_config());
    }

    /// Moves `address` (matched by host, family and address text) to its host's bad list and
    /// counts the failure. Unknown hosts or addresses are ignored (success).
    virtual std::error_code record_connection_failure(const host_address &address) = 0;

    /// Drops every cached host (aws_host_resolver_purge_cache_with_callback). Their pending
    /// resolves fail with dns_host_removed_from_cache; `on_complete` (optional) runs once every
    /// dropped host's thread has finished.
    virtual std::error_code purge_cache(on_complete_fn on_complete = {}) = 0;
    /// Drops one host (aws_host_resolver_purge_host_cache); `on_complete` as above (also called,
    /// asynchronously, when the host was not cached).
    virtual std::error_code purge_host_cache(std::string_view host,
                                             on_complete_fn on_complete = {}) = 0;

    /// Number of good (not bad-listed) cached addresses of `host` in the families selected by
    /// get_host_address_count_record_type_a / _aaaa.
    [[nodiscard]] virtual std::size_t get_host_address_count(std::string_view host,
                                                             std::uint32_t flags) const = 0;

    /// The configuration resolve() uses.
    [[nodiscard]] virtual const host_resolution_config &default_resolution_config() const noexcept = 0;

protected:
    host_resolver() = default;
};

/// aws_host_resolver_default_options.
struct default_host_resolver_options {
    /// Most hosts cached at once; resolving a new host beyond it evicts the least recently used
    /// host (its pending resolves fail with dns_host_removed_from_cache). 0 means 64.
    std::size_t max_entries = 64;
    /// Clock for record expiry and idle detection (nanoseconds); empty = high_res_clock_ns.
    /// Waits between queries always use real time.
    clock_fn clock;
    /// The DNS implementation used when a host_resolution_config has no impl.
    dns_options dns;
    /// The configuration resolve() uses (its empty impl means `dns`).
    host_resolution_config default_config;
    /// Called once the resolver object is gone and every resolver thread has finished: from
    /// the last such thread, or from the destructor when none ran.
    unique_function<void()> on_shutdown_complete;
};

/// aws_host_resolver_new_default. Never fails (no OS resources are taken until a host is
/// resolved). Destroying the last reference stops every resolver thread asynchronously.
AWSIO_API std::shared_ptr<host_resolver> make_default_host_resolver(
    default_host_resolver_options options = {});

} // namespace awsio
