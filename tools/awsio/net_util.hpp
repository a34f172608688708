// Argument parsing, error reporting and stop signals shared by `awsio server` and `awsio client`.
#pragma once

#include <awsio/error.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/socket.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <system_error>
#include <thread>

namespace awsio::cli {

inline bool parse_u32(const std::string &s, std::uint32_t &out) {
    if (s.empty() || s.size() > 10) {
        return false;
    }
    char *end = nullptr;
    const unsigned long v = std::strtoul(s.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || v > 0xffffffffUL || s[0] == '-' || s[0] == '+') {
        return false;
    }
    out = static_cast<std::uint32_t>(v);
    return true;
}

/// "host:port", "[v6]:port" or "v6::addr:port" (the last colon splits).
inline bool split_host_port(const std::string &s, std::string &host, std::uint32_t &port) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        return false;
    }
    host = s.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    return parse_u32(s.substr(colon + 1), port) && port > 0 && port <= 65535;
}

inline socket_domain domain_for(const std::string &host) {
    return host.find(':') != std::string::npos ? socket_domain::ipv6 : socket_domain::ipv4;
}

/// Prints the upper-case error name (AWS_IO_...) on stdout; the exit status of a failure.
inline int fail_with(std::error_code ec) {
    std::printf("%s\n", std::string(error_name(ec)).c_str());
    std::fflush(stdout);
    return 1;
}

/// Runs body(group) with a new event-loop group of `loops` loops (0: one per core) and returns
/// its result once the group has shut down completely: its loop threads have finished, so no
/// connection work (and no per-thread crypto state) outlives the command. body must drop every
/// reference to the group (bootstraps, channels) before it returns.
template <class Body>
int with_event_loop_group(std::uint16_t loops, Body &&body) {
    auto gone = std::make_shared<std::promise<void>>();
    std::future<void> gone_future = gone->get_future();
    int rc = 0;
    {
        event_loop_group_options options;
        options.loop_count = loops;
        options.on_shutdown_complete = [gone] { gone->set_value(); };
        auto group = event_loop_group::create(std::move(options));
        if (!group) {
            return fail_with(group.error());
        }
        std::shared_ptr<event_loop_group> g = std::move(*group);
        rc = body(std::move(g));
    }
    if (gone_future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
        std::fputs("awsio: event loop group did not shut down\n", stderr);
        return rc == 0 ? 1 : rc;
    }
    return rc;
}

inline std::atomic<bool> &stop_requested() {
    static std::atomic<bool> flag{false};
    return flag;
}

extern "C" inline void cli_on_stop_signal(int) { stop_requested().store(true); }

/// SIGINT and SIGTERM set stop_requested() from now on.
inline void install_stop_signals() {
    std::signal(SIGINT, cli_on_stop_signal);
    std::signal(SIGTERM, cli_on_stop_signal);
}

/// Returns once SIGINT or SIGTERM arrived or stop_requested() was set.
inline void wait_for_stop() {
    install_stop_signals();
    while (!stop_requested().load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

} // namespace awsio::cli
