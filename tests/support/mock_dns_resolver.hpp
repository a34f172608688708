// mock_dns_resolver.hpp — a scripted DNS implementation for host resolver tests (the role of
// aws-c-io's tests/mock_dns_resolver.{c,h}): answers rotate through the appended address lists,
// and after max_resolves successful answers every query fails with dns_query_failed.
#pragma once

#include <awsio/host_resolver.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace awsio::testing {

inline host_address make_host_address(std::string host, std::string address, address_record_type type) {
    host_address a;
    a.host = std::move(host);
    a.address = std::move(address);
    a.record_type = type;
    return a;
}

class mock_dns_resolver {
public:
    explicit mock_dns_resolver(std::size_t max_resolves) : state_(std::make_shared<state>()) {
        state_->max_resolves = max_resolves;
    }

    /// Adds one answer to the rotation.
    void append_address_list(std::vector<host_address> list) {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->lists.push_back(std::move(list));
    }

    /// Replaces the rotation (and restarts it) — "DNS now says something else".
    void replace_address_lists(std::vector<std::vector<host_address>> lists) {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->lists = std::move(lists);
        state_->index = 0;
    }

    /// The dns_resolve_fn to put in a host_resolution_config. It shares the mock's state, so it
    /// stays valid after the mock object is gone.
    [[nodiscard]] dns_resolve_fn resolve_fn() const {
        return [s = state_](std::string_view) -> result<std::vector<host_address>> {
            std::lock_guard<std::mutex> lock(s->mutex);
            ++s->calls;
            s->changed.notify_all();
            if (s->resolve_count >= s->max_resolves || s->lists.empty()) {
                return io_errc::dns_query_failed;
            }
            std::vector<host_address> out = s->lists[s->index];
            s->index = (s->index + 1) % s->lists.size();
            ++s->resolve_count;
            return out;
        };
    }

    /// Queries made so far, failed ones included.
    [[nodiscard]] std::size_t call_count() const {
        std::lock_guard<std::mutex> lock(state_->mutex);
        return state_->calls;
    }

    /// Waits (at most `bound`) until at least `n` queries were made. Waiting for one query more
    /// than an iteration of interest guarantees that iteration finished its processing.
    bool wait_for_calls(std::size_t n, std::chrono::milliseconds bound = std::chrono::seconds(20)) {
        std::unique_lock<std::mutex> lock(state_->mutex);
        return state_->changed.wait_for(lock, bound, [&] { return state_->calls >= n; });
    }

private:
    struct state {
        std::mutex mutex;
        std::condition_variable changed;
        std::vector<std::vector<host_address>> lists;
        std::size_t index = 0;
        std::size_t resolve_count = 0;
        std::size_t max_resolves = 0;
        std::size_t calls = 0;
    };
    std::shared_ptr<state> state_;
};

} // namespace awsio::testing
