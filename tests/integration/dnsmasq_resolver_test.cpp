// The c-ares DNS implementation and the default resolver against a real DNS server: a private
// dnsmasq on 127.0.0.1 serving a test zone with a 2 s TTL. No other network is used.
#include <awsio/host_resolver.hpp>
#include <awsio/io.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char **environ;

using namespace awsio;

namespace {

constexpr const char *dnsmasq_path = "/usr/sbin/dnsmasq";
constexpr std::uint64_t ns_per_s = 1000000000ULL;
constexpr std::uint64_t ns_per_ms = 1000000ULL;
constexpr auto wait_bound = std::chrono::seconds(20);

// A port free for both UDP and TCP on 127.0.0.1 (dnsmasq listens on both).
int pick_free_port() {
    for (int attempt = 0; attempt < 20; ++attempt) {
        const int udp = socket(AF_INET, SOCK_DGRAM, 0);
        if (udp < 0) {
            return -1;
        }
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sin.sin_port = 0;
        socklen_t len = sizeof(sin);
        if (bind(udp, reinterpret_cast<sockaddr *>(&sin), sizeof(sin)) != 0 ||
            getsockname(udp, reinterpret_cast<sockaddr *>(&sin), &len) != 0) {
            close(udp);
            continue;
        }
        const int tcp = socket(AF_INET, SOCK_STREAM, 0);
        const bool tcp_ok = tcp >= 0 && bind(tcp, reinterpret_cast<sockaddr *>(&sin), sizeof(sin)) == 0;
        if (tcp >= 0) {
            close(tcp);
        }
        close(udp);
        if (tcp_ok) {
            return ntohs(sin.sin_port);
        }
    }
    return -1;
}

// Runs dnsmasq for the test zone; the destructor always kills and reaps it.
class dnsmasq_server {
public:
    dnsmasq_server() = default;
    dnsmasq_server(const dnsmasq_server &) = delete;
    dnsmasq_server &operator=(const dnsmasq_server &) = delete;
    ~dnsmasq_server() { stop(); }

    // Empty on success, else why it failed.
    std::string start() {
        if (access(dnsmasq_path, X_OK) != 0) {
            return std::string(dnsmasq_path) +
                   " is missing: install Debian's dnsmasq-base (./dev installs it)";
        }
        port_ = pick_free_port();
        if (port_ <= 0) {
            return "no free port on 127.0.0.1";
        }
        dir_ = std::filesystem::path(::testing::TempDir()) /
               ("awsio-dnsmasq-" + std::to_string(getpid()) + "-" + std::to_string(port_));
        std::filesystem::create_directories(dir_);
        const std::vector<std::string> args = {
            dnsmasq_path,
            "--no-daemon",
            "--no-resolv",
            "--no-hosts",
            "--conf-file=/dev/null",
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            "--port=" + std::to_string(port_),
            "--pid-file=" + (dir_ / "dnsmasq.pid").string(),
            "--local=/awsio.internal/",
            "--host-record=test.awsio.internal,127.0.0.2,::2",
            "--host-record=v4only.awsio.internal,127.0.0.3",
            "--txt-record=txt.awsio.internal,no-address-here",
            "--local-ttl=2",
        };
        std::vector<char *> argv;
        argv.reserve(args.size() + 1);
        for (const std::string &a : args) {
            argv.push_back(const_cast<char *>(a.c_str()));
        }
        argv.push_back(nullptr);
        pid_t pid = 0;
        if (const int rc = posix_spawn(&pid, dnsmasq_path, nullptr, nullptr, argv.data(), environ); rc != 0) {
            return "posix_spawn(dnsmasq) failed: " + std::to_string(rc);
        }
        pid_ = pid;
        // Ready once it answers.
        for (int i = 0; i < 100; ++i) {
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return "dnsmasq exited early (status " + std::to_string(status) +
                       "); its messages are on stderr";
            }
            if (cares_dns_resolve("test.awsio.internal", options())) {
                return {};
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return "dnsmasq never answered on port " + std::to_string(port_);
    }

    void stop() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int status = 0;
            waitpid(pid_, &status, 0);
            pid_ = -1;
        }
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
            dir_.clear();
        }
    }

    [[nodiscard]] dns_options options() const {
        dns_options o;
        o.impl = dns_impl::cares;
        o.servers = "127.0.0.1:" + std::to_string(port_);
        o.timeout_ms = 1000;
        return o;
    }

private:
    pid_t pid_ = -1;
    int port_ = -1;
    std::filesystem::path dir_;
};

struct resolved {
    std::mutex mutex;
    std::condition_variable cv;
    bool invoked = false;
    std::error_code error;
    std::vector<host_address> addresses;
    host_resolver::on_host_resolved_fn callback() {
        return [this](std::error_code ec, const std::string &, const std::vector<host_address> &a) {
            std::lock_guard<std::mutex> lock(mutex);
            error = ec;
            addresses = a;
            invoked = true;
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

class dnsmasq_resolver : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string why = server_.start();
        ASSERT_TRUE(why.empty()) << why;
    }
    void TearDown() override { server_.stop(); }

    dnsmasq_server server_;
};

} // namespace

TEST_F(dnsmasq_resolver, cares_reports_addresses_and_ttl) {
    auto r = cares_dns_resolve("test.awsio.internal", server_.options());
    ASSERT_TRUE(r) << r.error().message();
    bool saw_a = false;
    bool saw_aaaa = false;
    for (const host_address &a : *r) {
        EXPECT_EQ(a.host, "test.awsio.internal");
        ASSERT_TRUE(a.ttl);
        EXPECT_EQ(*a.ttl, 2U);
        if (a.record_type == address_record_type::a) {
            EXPECT_EQ(a.address, "127.0.0.2");
            saw_a = true;
        } else {
            EXPECT_EQ(a.address, "::2");
            saw_aaaa = true;
        }
    }
    EXPECT_TRUE(saw_a);
    EXPECT_TRUE(saw_aaaa);

    auto v4 = cares_dns_resolve("v4only.awsio.internal", server_.options());
    ASSERT_TRUE(v4);
    ASSERT_EQ(v4->size(), 1U);
    EXPECT_EQ((*v4)[0].record_type, address_record_type::a);
    EXPECT_EQ((*v4)[0].address, "127.0.0.3");
}

TEST_F(dnsmasq_resolver, cares_error_mapping) {
    // NXDOMAIN
    EXPECT_EQ(cares_dns_resolve("missing.awsio.internal", server_.options()).error(),
              make_error_code(io_errc::dns_invalid_name));
    // The name exists, without A or AAAA records.
    EXPECT_EQ(cares_dns_resolve("txt.awsio.internal", server_.options()).error(),
              make_error_code(io_errc::dns_no_address_for_host));
    dns_options bad = server_.options();
    bad.servers = "not an address";
    EXPECT_EQ(cares_dns_resolve("test.awsio.internal", bad).error(),
              make_error_code(common_errc::invalid_argument));
}

TEST_F(dnsmasq_resolver, resolver_honours_ttl_and_refreshes_after_expiry) {
    resolved cb; // outlives the resolver and its threads
    io_library io;
    auto now = std::make_shared<std::atomic<std::uint64_t>>(0);
    auto queries = std::make_shared<std::atomic<int>>(0);
    default_host_resolver_options options;
    options.clock = [now] { return now->load(); };
    options.dns = server_.options();
    auto resolver = make_default_host_resolver(std::move(options));

    const dns_resolve_fn cares = make_dns_resolve_fn(server_.options());
    host_resolution_config config;
    config.max_ttl = 30;
    config.resolve_frequency_ns = 200 * ns_per_ms;
    config.impl = [cares, queries](std::string_view host) {
        auto r = cares(host);
        queries->fetch_add(1);
        return r;
    };
    auto wait_for_queries = [&](int n) {
        for (int i = 0; i < 400 && queries->load() < n; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return queries->load() >= n;
    };

    ASSERT_FALSE(resolver->resolve_host("test.awsio.internal", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_FALSE(cb.error) << cb.error.message();
    ASSERT_EQ(cb.addresses.size(), 2U);
    EXPECT_EQ(cb.addresses[0].record_type, address_record_type::aaaa);
    EXPECT_EQ(cb.addresses[0].address, "::2");
    EXPECT_EQ(cb.addresses[1].address, "127.0.0.2");
    for (const host_address &a : cb.addresses) {
        ASSERT_TRUE(a.ttl);
        EXPECT_EQ(*a.ttl, 2U);
        // The record's 2 s TTL wins over max_ttl (30 s).
        EXPECT_EQ(a.expiry, 2 * ns_per_s);
    }

    // Past the record's expiry: the next background query refreshes it from the server.
    now->store(3 * ns_per_s);
    ASSERT_TRUE(wait_for_queries(queries->load() + 2));
    ASSERT_FALSE(resolver->resolve_host("test.awsio.internal", cb.callback(), config));
    ASSERT_TRUE(cb.wait());
    ASSERT_EQ(cb.addresses.size(), 2U);
    for (const host_address &a : cb.addresses) {
        EXPECT_EQ(a.expiry, 5 * ns_per_s);
    }

    // max_ttl caps the record TTL.
    host_resolution_config short_config = config;
    short_config.max_ttl = 1;
    ASSERT_FALSE(resolver->resolve_host("v4only.awsio.internal", cb.callback(), short_config));
    ASSERT_TRUE(cb.wait());
    ASSERT_EQ(cb.addresses.size(), 1U);
    EXPECT_EQ(cb.addresses[0].expiry, 3 * ns_per_s + 1 * ns_per_s);

    // A name the server does not know fails with the mapped error.
    ASSERT_FALSE(resolver->resolve("missing.awsio.internal", cb.callback()));
    ASSERT_TRUE(cb.wait());
    EXPECT_EQ(cb.error, make_error_code(io_errc::dns_invalid_name));
    EXPECT_TRUE(cb.addresses.empty());
}
