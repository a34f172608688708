// Port of aws-c-io tests/default_host_resolver_test.c. The cases that query public DNS there
// (†) use literals through getaddrinfo or the scripted mock DNS here; TTL cases drive an
// injected clock and wait for resolver iterations instead of sleeping.
#include <awsio/host_resolver.hpp>
#include <awsio/io.hpp>

#include "support/mock_dns_resolver.hpp"

#include <ares.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

using namespace awsio;
using awsio::testing::make_host_address;
using awsio::testing::mock_dns_resolver;

namespace {

constexpr std::uint64_t ns_per_ms = 1000000ULL;
constexpr std::uint64_t ns_per_s = 1000000000ULL;
// A bound so a broken resolver fails the test instead of hanging it.
constexpr auto wait_bound = std::chrono::seconds(20);

// What the aws-c-io tests' default_host_callback_data records.
struct callback_data {
    std::mutex mutex;
    std::condition_variable cv;
    bool invoked = false;
    std::error_code error;
    std::optional<host_address> aaaa_address;
    std::optional<host_address> a_address;
    std::size_t count = 0;
    bool aaaa_first = true;
    std::thread::id thread;

    host_resolver::on_host_resolved_fn callback() {
        return [this](std::error_code ec, const std::string &, const std::vector<host_address> &addrs) {
            std::lock_guard<std::mutex> lock(mutex);
            error = ec;
            count = addrs.size();
            aaaa_address.reset();
            a_address.reset();
            for (const host_address &a : addrs) {
                (a.record_type == address_record_type::aaaa ? aaaa_address : a_address) = a;
            }
            aaaa_first = addrs.size() < 2 || addrs[0].record_type == address_record_type::aaaa;
            invoked = true;
            thread = std::this_thread::get_id();
            cv.notify_all();
        };
    }
    // Waits for the callback, then re-arms.
    bool wait() {
        std::unique_lock<std::mutex> lock(mutex);
        const bool ok = cv.wait_for(lock, wait_bound, [&] { return invoked; });
        invoked = false;
        return ok;
    }
};

struct purge_data {
    std::mutex mutex;
    std::condition_variable cv;
    bool invoked = false;
    std::thread::id thread;
    host_resolver::on_complete_fn callback() {
        return [this] {
            std::lock_guard<std::mutex> lock(mutex);
            invoked = true;
            thread = std::this_thread::get_id();
            cv.notify_all();
        };
    }
    bool wait() {
        std::unique_lock<std::mutex> lock(mutex);
        const bool ok = cv.wait_for(lock, wait_bound, [&] { return invoked; });
        invoked = false;
        return ok;
    }
};

// The clock the TTL cases inject (aws-c-io's s_clock_fn / s_set_time).
struct test_clock {
    std::shared_ptr<std::atomic<std::uint64_t>> now = std::make_shared<std::atomic<std::uint64_t>>(0);
    void set(std::uint64_t t) { now->store(t); }
    clock_fn fn() const {
        return [n = now] { return n->load(); };
    }
};

// A fixed DNS table standing in for public DNS.
dns_resolve_fn static_dns(std::map<std::string, std::vector<host_address>> table) {
    return [table = std::move(table)](std::string_view host) -> result<std::vector<host_address>> {
        auto it = table.find(std::string(host));
        if (it == table.end()) {
            return io_errc::dns_invalid_name;
        }
        return it->second;
    };
}

host_resolution_config config_with(dns_resolve_fn impl, std::size_t max_ttl,
                                   std::uint64_t frequency_ns = 1000000000ULL) {
    host_resolution_config c;
    c.impl = std::move(impl);
    c.max_ttl = max_ttl;
    c.resolve_frequency_ns = frequency_ns;
    return c;
}

std::shared_ptr<host_resolver> new_resolver(clock_fn clock = {}, std::size_t max_entries = 10) {
    default_host_resolver_options options;
    options.max_entries = max_entries;
    options.clock = std::move(clock);
    return make_default_host_resolver(std::move(options));
}

const host_address addr1_ipv4 = make_host_address("host_address", "address1ipv4", address_record_type::a);
const host_address addr1_ipv6 = make_host_address("host_address", "address1ipv6", address_record_type::aaaa);
const host_address addr2_ipv4 = make_host_address("host_address", "address2ipv4", address_record_type::a);
const host_address addr2_ipv6 = make_host_address("host_address", "address2ipv6", address_record_type::aaaa);

} // namespace

TEST(default_host_resolver, test_default_with_ipv6_lookup) {
    callback_data cb;
    io_library io;
    const std::string host = "s3.dualstack.us-east-1.amazonaws.com";
    auto dns = static_dns({{host,
                            {make_host_address(host, "2600:1f18::1", address_record_type::aaaa),
                             make_host_address(host, "52.216.0.1", address_record_type::a)}}});
    auto resolver = new_resolver();
    ASSERT_FALSE(resolver->resolve_host(host, cb.callback(), config_with(dns, 10)));
    ASSERT_TRUE(cb.wait());
    ASSERT_FALSE(cb.error);
    ASSERT_EQ(cb.count, 2U);
    EXPECT_TRUE(cb.aaaa_first);
    ASSERT_TRUE(cb.aaaa_address);
    EXPECT_EQ(cb.aaaa_address->record_type, address_record_type::aaaa);
    EXPECT_EQ(cb.aaaa_address->host, host);
    EXPECT_GT(cb.aaaa_address->address.size(), 1U);
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->record_type, address_record_type::a);
    EXPECT_EQ(cb.a_address->host, host);
    EXPECT_GT(cb.a_address->address.size(), 1U);
    // A miss is answered from the host's resolver thread.
    EXPECT_NE(cb.thread, std::this_thread::get_id());
}

TEST(default_host_resolver, test_default_host_resolver_ipv6_address_variations) {
    callback_data cb;
    io_library io;
    auto resolver = new_resolver();
    const std::pair<const char *, const char *> cases[] = {
        {"0:0::1", "::1"},
        {"::1", "::1"},
        {"0:0:0:0:0:0:0:1", "::1"},
        {"fd00:ec2:0:0:0:0:0:23", "fd00:ec2::23"},
    };
    for (const auto &[input, expected] : cases) {
        SCOPED_TRACE(input);
        ASSERT_FALSE(resolver->resolve_host(input, cb.callback(), config_with({}, 10)));
        ASSERT_TRUE(cb.wait());
        ASSERT_FALSE(cb.error) << cb.error.message();
        ASSERT_TRUE(cb.aaaa_address);
        EXPECT_FALSE(cb.a_address);
        EXPECT_EQ(cb.aaaa_address->address, expected);
        EXPECT_EQ(cb.aaaa_address->host, input);
    }
}

TEST(default_host_resolver, test_resolver_ipv6_address_lookup) {
    callback_data cb;
    io_library io;
    auto resolver = new_resolver();
    ASSERT_FALSE(resolver->resolve_host("::1", cb.callback(), config_with(default_dns_resolve, 10)));
    ASSERT_TRUE(cb.wait());
    ASSERT_FALSE(cb.error);
    EXPECT_FALSE(cb.a_address);
    ASSERT_TRUE(cb.aaaa_address);
    EXPECT_EQ(cb.aaaa_address->record_type, address_record_type::aaaa);
    EXPECT_EQ(cb.aaaa_address->host, "::1");
    EXPECT_EQ(cb.aaaa_address->address, "::1");
}

TEST(default_host_resolver, test_default_with_multiple_lookups) {
    callback_data cb;
    io_library io;
    const std::string host1 = "ec2.us-east-1.api.aws";
    const std::string host2 = "ec2.us-east-1.amazonaws.com";
    auto dns = static_dns({
        {host1,
         {make_host_address(host1, "2600:1f18:4000::10", address_record_type::aaaa),
          make_host_address(host1, "3.236.0.10", address_record_type::a)}},
        {host2, {make_host_address(host2, "3.236.0.20", address_record_type::a)}},
    });
    auto resolver = new_resolver();
    const auto config = config_with(dns, 10);

    ASSERT_FALSE(resolver->resolve_host(host1, cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address);
    const host_address host1_original_ipv6 = *cb.aaaa_address;

    ASSERT_FALSE(resolver->resolve_host(host2, cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_FALSE(cb.aaaa_address);
    const host_address host2_original_ipv4 = *cb.a_address;

    // Cached now: answered on this thread before resolve_host returns.
    ASSERT_FALSE(resolver->resolve_host(host1, cb.callback(), config));
    {
        std::lock_guard<std::mutex> lock(cb.mutex);
        EXPECT_TRUE(cb.invoked);
        EXPECT_EQ(cb.thread, std::this_thread::get_id());
    }
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address);
    EXPECT_EQ(cb.aaaa_address->address, host1_original_ipv6.address);

    ASSERT_FALSE(resolver->resolve_host(host2, cb.callback(), config));
    {
        std::lock_guard<std::mutex> lock(cb.mutex);
        EXPECT_TRUE(cb.invoked);
    }
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->address, host2_original_ipv4.address);
}

TEST(default_host_resolver, test_resolver_ipv4_address_lookup) {
    callback_data cb;
    io_library io;
    auto resolver = new_resolver();
    ASSERT_FALSE(resolver->resolve_host("127.0.0.1", cb.callback(), config_with(default_dns_resolve, 10)));
    ASSERT_TRUE(cb.wait());
    ASSERT_FALSE(cb.error);
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->record_type, address_record_type::a);
    EXPECT_EQ(cb.a_address->host, "127.0.0.1");
    EXPECT_EQ(cb.a_address->address, "127.0.0.1");
    EXPECT_FALSE(cb.aaaa_address);
}

TEST(default_host_resolver, test_resolver_purge_host_cache) {
    callback_data cb;
    purge_data purged;
    io_library io;
    auto resolver = new_resolver();
    const std::string host = "127.0.0.1";
    const auto config = config_with(default_dns_resolve, 10);
    const std::uint32_t both = get_host_address_count_record_type_a | get_host_address_count_record_type_aaaa;

    ASSERT_FALSE(resolver->resolve_host(host, cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_FALSE(cb.aaaa_address);
    EXPECT_EQ(resolver->get_host_address_count(host, both), 1U);

    ASSERT_FALSE(resolver->purge_host_cache(host, purged.callback()));
    ASSERT_TRUE(purged.wait());
    EXPECT_NE(purged.thread, std::this_thread::get_id());
    // The host is really gone.
    EXPECT_EQ(resolver->get_host_address_count(host, both), 0U);

    // Purging an unknown host completes too.
    ASSERT_FALSE(resolver->purge_host_cache(host, purged.callback()));
    ASSERT_TRUE(purged.wait());

    // And it can be added again.
    ASSERT_FALSE(resolver->resolve_host(host, cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->host, host);
    EXPECT_FALSE(cb.aaaa_address);
    EXPECT_EQ(resolver->get_host_address_count(host, both), 1U);
}

TEST(default_host_resolver, test_resolver_purge_cache) {
    callback_data cb;
    purge_data purged;
    io_library io;
    auto resolver = new_resolver();
    const std::string host1 = "127.0.0.1";
    const std::string host2 = "127.0.0.2";
    const auto config = config_with(default_dns_resolve, 10);
    const std::uint32_t both = get_host_address_count_record_type_a | get_host_address_count_record_type_aaaa;

    ASSERT_FALSE(resolver->resolve_host(host1, cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->host, host1);
    ASSERT_FALSE(resolver->resolve_host(host2, cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->host, host2);
    EXPECT_FALSE(cb.aaaa_address);
    EXPECT_EQ(resolver->get_host_address_count(host1, both), 1U);
    EXPECT_EQ(resolver->get_host_address_count(host2, both), 1U);

    ASSERT_FALSE(resolver->purge_cache(purged.callback()));
    ASSERT_TRUE(purged.wait());
    EXPECT_EQ(resolver->get_host_address_count(host1, both), 0U);
    EXPECT_EQ(resolver->get_host_address_count(host2, both), 0U);

    ASSERT_FALSE(resolver->purge_cache(purged.callback()));
    ASSERT_TRUE(purged.wait());

    ASSERT_FALSE(resolver->resolve_host(host1, cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->host, host1);
    EXPECT_EQ(resolver->get_host_address_count(host1, both), 1U);
}

TEST(default_host_resolver, test_default_with_ipv4_only_lookup) {
    callback_data cb;
    io_library io;
    const std::string host = "s3.us-east-1.amazonaws.com";
    auto dns = static_dns({{host, {make_host_address(host, "52.217.0.1", address_record_type::a)}}});
    auto resolver = new_resolver();
    ASSERT_FALSE(resolver->resolve_host(host, cb.callback(), config_with(dns, 10)));
    ASSERT_TRUE(cb.wait());
    ASSERT_FALSE(cb.error);
    EXPECT_FALSE(cb.aaaa_address);
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->record_type, address_record_type::a);
    EXPECT_EQ(cb.a_address->host, host);
    EXPECT_GT(cb.a_address->address.size(), 1U);
}

TEST(default_host_resolver, test_resolver_ttls) {
    callback_data cb;
    io_library io;
    test_clock clock;
    auto resolver = new_resolver(clock.fn());
    mock_dns_resolver mock(2);
    mock.append_address_list({addr1_ipv6, addr1_ipv4});
    mock.append_address_list({addr2_ipv6, addr2_ipv4});
    const auto config = config_with(mock.resolve_fn(), 2, 500 * ns_per_ms);

    // t = 0 s
    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr1_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr1_ipv4.address);

    // t = 1.5 s, close to addr1's expiry; the next query adds addr2, expiring at 3.5 s.
    clock.set(1500 * ns_per_ms);
    ASSERT_TRUE(mock.wait_for_calls(3));

    // addr1 is still first: addr2 entered the cache as most recently used.
    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr1_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr1_ipv4.address);

    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr2_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr2_ipv4.address);

    // t = 2.001 s: addr1 expired and the next iteration culls it.
    clock.set(2001 * ns_per_ms);
    ASSERT_TRUE(mock.wait_for_calls(mock.call_count() + 2));
    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr2_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr2_ipv4.address);

    // t = 4 s: everything expired, but the last record of each family stays (DNS is failing).
    clock.set(4 * ns_per_s);
    ASSERT_TRUE(mock.wait_for_calls(mock.call_count() + 2));
    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr2_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr2_ipv4.address);
}

TEST(default_host_resolver, test_resolver_connect_failure_recording) {
    callback_data cb;
    io_library io;
    auto resolver = new_resolver();
    mock_dns_resolver mock(1000);
    mock.append_address_list({addr1_ipv6, addr2_ipv6, addr1_ipv4, addr2_ipv4});
    const auto config = config_with(mock.resolve_fn(), 30, 250 * ns_per_ms);

    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr1_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr1_ipv4.address);

    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr2_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr2_ipv4.address);

    ASSERT_FALSE(resolver->record_connection_failure(addr1_ipv6));
    ASSERT_FALSE(resolver->record_connection_failure(addr1_ipv4));

    // By LRU order address 1 is next, but it failed: address 2 comes back.
    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr2_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr2_ipv4.address);

    ASSERT_FALSE(resolver->record_connection_failure(addr2_ipv6));
    ASSERT_FALSE(resolver->record_connection_failure(addr2_ipv4));

    // Everything failed: the least recently used bad address (1) is promoted and returned.
    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr1_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr1_ipv4.address);
    EXPECT_EQ(cb.aaaa_address->connection_failure_count, 1U);

    // After another query address 2 is still bad: address 1 again.
    ASSERT_TRUE(mock.wait_for_calls(mock.call_count() + 2));
    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr1_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr1_ipv4.address);
}

TEST(default_host_resolver, test_resolver_ttl_refreshes_on_resolve) {
    callback_data cb;
    io_library io;
    test_clock clock;
    auto resolver = new_resolver(clock.fn());
    mock_dns_resolver mock(1000);
    mock.append_address_list({addr1_ipv6, addr2_ipv6, addr1_ipv4, addr2_ipv4});
    const auto config = config_with(mock.resolve_fn(), 30, 250 * ns_per_ms);

    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr1_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr1_ipv4.address);
    const std::uint64_t address_1_expiry = cb.aaaa_address->expiry;
    EXPECT_EQ(address_1_expiry, 30 * ns_per_s);

    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr2_ipv6.address);
    const std::uint64_t address_2_expiry = cb.aaaa_address->expiry;

    // One second later the background query refreshes every record's expiry.
    clock.set(1 * ns_per_s);
    ASSERT_TRUE(mock.wait_for_calls(mock.call_count() + 2));

    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr1_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr1_ipv4.address);
    EXPECT_LT(address_1_expiry, cb.aaaa_address->expiry);
    EXPECT_LT(address_1_expiry, cb.a_address->expiry);

    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.aaaa_address && cb.a_address);
    EXPECT_EQ(cb.aaaa_address->address, addr2_ipv6.address);
    EXPECT_EQ(cb.a_address->address, addr2_ipv4.address);
    EXPECT_LT(address_2_expiry, cb.aaaa_address->expiry);
    EXPECT_LT(address_2_expiry, cb.a_address->expiry);
}

// A bad-listed address leaves the bad list when it expires, so once DNS announces it again it
// is back in rotation (instead of staying "bad" forever).
TEST(default_host_resolver, test_resolver_bad_list_expires_eventually) {
    callback_data cb;
    io_library io;
    test_clock clock;
    auto resolver = new_resolver(clock.fn());
    mock_dns_resolver mock(1000);
    mock.append_address_list({addr1_ipv4, addr2_ipv4});
    const auto config = config_with(mock.resolve_fn(), 2, 200 * ns_per_ms);
    const std::uint32_t a_only = get_host_address_count_record_type_a;

    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->address, addr1_ipv4.address);

    // address 1 fails (bad list, expiring at t = 2 s) and DNS stops announcing it.
    ASSERT_FALSE(resolver->record_connection_failure(addr1_ipv4));
    mock.replace_address_lists({{addr2_ipv4}});
    EXPECT_EQ(resolver->get_host_address_count("host_address", a_only), 1U);

    clock.set(1500 * ns_per_ms);
    ASSERT_TRUE(mock.wait_for_calls(mock.call_count() + 2));
    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->address, addr2_ipv4.address);
    EXPECT_EQ(resolver->get_host_address_count("host_address", a_only), 1U);

    // t = 3 s: address 1's bad-list record expired and is dropped.
    clock.set(3 * ns_per_s);
    ASSERT_TRUE(mock.wait_for_calls(mock.call_count() + 2));

    // DNS announces address 1 again: it is a new, good address.
    mock.replace_address_lists({{addr1_ipv4, addr2_ipv4}});
    ASSERT_TRUE(mock.wait_for_calls(mock.call_count() + 2));
    EXPECT_EQ(resolver->get_host_address_count("host_address", a_only), 2U);

    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->address, addr2_ipv4.address);
    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->address, addr1_ipv4.address);
    EXPECT_EQ(cb.a_address->connection_failure_count, 0U);
}

TEST(default_host_resolver, test_resolver_low_frequency_starvation) {
    callback_data cb;
    io_library io;
    auto resolver = new_resolver();
    mock_dns_resolver mock(1000);
    mock.append_address_list({addr1_ipv4});
    // Queries every 120 s (capped at max_ttl = 30 s).
    const auto config = config_with(mock.resolve_fn(), 30, 120 * ns_per_s);

    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->address, addr1_ipv4.address);
    EXPECT_EQ(mock.call_count(), 1U);

    // With its only address bad-listed, a request must wake the thread for a new query rather
    // than wait out the 30 s sleep (cb.wait() gives up well before that).
    ASSERT_FALSE(resolver->record_connection_failure(addr1_ipv4));
    ASSERT_FALSE(resolver->resolve_host("host_address", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_FALSE(cb.error);
    ASSERT_TRUE(cb.a_address);
    EXPECT_EQ(cb.a_address->address, addr1_ipv4.address);
    EXPECT_EQ(mock.call_count(), 2U);
}

// ---- awsio additions ----------------------------------------------------------------------

// Requests still waiting when their host is purged fail with dns_host_removed_from_cache; the
// query's own error reaches requests that it answers.
TEST(default_host_resolver, purge_fails_pending_resolves) {
    callback_data second;
    purge_data purged;
    std::mutex gate_mutex;
    std::condition_variable gate_cv;
    bool first_called = false;
    bool release_first = false;
    std::error_code first_error;
    io_library io;
    auto resolver = new_resolver();
    auto failing = [](std::string_view) -> result<std::vector<host_address>> {
        return io_errc::dns_invalid_name;
    };
    const auto config = config_with(failing, 30, 50 * ns_per_ms);

    // The first callback runs on the resolver thread; holding it there keeps the thread
    // between its query and its wait while the second request arrives and the host is purged.
    ASSERT_FALSE(resolver->resolve_host(
        "nowhere.test",
        [&](std::error_code ec, const std::string &, const std::vector<host_address> &addrs) {
            std::unique_lock<std::mutex> lock(gate_mutex);
            first_error = ec;
            EXPECT_TRUE(addrs.empty());
            first_called = true;
            gate_cv.notify_all();
            gate_cv.wait_for(lock, wait_bound, [&] { return release_first; });
        },
        config));
    {
        std::unique_lock<std::mutex> lock(gate_mutex);
        ASSERT_TRUE(gate_cv.wait_for(lock, wait_bound, [&] { return first_called; }));
    }
    ASSERT_FALSE(resolver->resolve_host("nowhere.test", second.callback(), config));
    ASSERT_FALSE(resolver->purge_host_cache("nowhere.test", purged.callback()));
    {
        std::lock_guard<std::mutex> lock(gate_mutex);
        release_first = true;
        gate_cv.notify_all();
    }
    ASSERT_TRUE(second.wait());
    EXPECT_EQ(second.error, make_error_code(io_errc::dns_host_removed_from_cache));
    EXPECT_EQ(second.count, 0U);
    ASSERT_TRUE(purged.wait());
    EXPECT_EQ(first_error, make_error_code(io_errc::dns_invalid_name));
}

TEST(default_host_resolver, lru_evicts_least_recently_used_host) {
    callback_data cb;
    io_library io;
    auto resolver = new_resolver({}, 2);
    const auto config = config_with(default_dns_resolve, 30);
    const std::uint32_t both = get_host_address_count_record_type_a | get_host_address_count_record_type_aaaa;
    for (const char *host : {"127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.3"}) {
        ASSERT_FALSE(resolver->resolve_host(host, cb.callback(), config));
        ASSERT_TRUE(cb.wait());
        ASSERT_TRUE(cb.a_address);
        EXPECT_EQ(cb.a_address->address, host);
    }
    // 127.0.0.2 was the least recently used when 127.0.0.3 arrived.
    EXPECT_EQ(resolver->get_host_address_count("127.0.0.1", both), 1U);
    EXPECT_EQ(resolver->get_host_address_count("127.0.0.2", both), 0U);
    EXPECT_EQ(resolver->get_host_address_count("127.0.0.3", both), 1U);
}

TEST(default_host_resolver, shutdown_callback_after_threads_end) {
    purge_data done;
    callback_data cb;
    io_library io;
    default_host_resolver_options options;
    options.on_shutdown_complete = done.callback();
    auto resolver = make_default_host_resolver(std::move(options));
    ASSERT_FALSE(resolver->resolve("127.0.0.1", cb.callback()));
    ASSERT_TRUE(cb.wait());
    EXPECT_EQ(resolver->default_resolution_config().max_ttl, 30U);
    resolver.reset();
    ASSERT_TRUE(done.wait());
}

TEST(default_host_resolver, bad_arguments_are_rejected) {
    io_library io;
    auto resolver = new_resolver();
    callback_data cb;
    EXPECT_EQ(resolver->resolve("", cb.callback()), make_error_code(common_errc::invalid_argument));
    EXPECT_EQ(resolver->resolve("127.0.0.1", {}), make_error_code(common_errc::invalid_argument));
    // Unknown hosts and addresses are ignored.
    EXPECT_FALSE(resolver->record_connection_failure(addr1_ipv4));
    EXPECT_EQ(default_dns_resolve("").error(), make_error_code(io_errc::dns_invalid_name));
}

TEST(default_host_resolver, cares_status_mapping) {
    EXPECT_FALSE(dns_error_from_ares(ARES_SUCCESS));
    EXPECT_EQ(dns_error_from_ares(ARES_ENOTFOUND), make_error_code(io_errc::dns_invalid_name));
    EXPECT_EQ(dns_error_from_ares(ARES_EBADNAME), make_error_code(io_errc::dns_invalid_name));
    EXPECT_EQ(dns_error_from_ares(ARES_ENODATA), make_error_code(io_errc::dns_no_address_for_host));
    EXPECT_EQ(dns_error_from_ares(ARES_ETIMEOUT), make_error_code(io_errc::dns_query_again));
    EXPECT_EQ(dns_error_from_ares(ARES_ESERVFAIL), make_error_code(io_errc::dns_query_failed));
    EXPECT_EQ(dns_error_from_ares(ARES_EREFUSED), make_error_code(io_errc::dns_query_failed));
    EXPECT_EQ(dns_error_from_ares(ARES_ENOMEM), make_error_code(common_errc::oom));
    EXPECT_TRUE(is_retryable(dns_error_from_ares(ARES_ETIMEOUT)));
    EXPECT_TRUE(is_dns_error(dns_error_from_ares(ARES_ENODATA)));
}
