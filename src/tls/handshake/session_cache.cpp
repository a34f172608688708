// tls/handshake/session_cache.cpp — the client's TLS 1.3 ticket cache (common.hpp): tickets
// filed by server name, each handed out once, bounded in names and in tickets per name.
#include "tls/handshake/common.hpp"

#include <algorithm>

namespace awsio::tls {

namespace {

// A ticket is usable while its lifetime (counted from receipt) has not run out. A clock that
// went backwards makes the age zero rather than huge.
bool expired(const tls13_session &s, std::uint64_t now_seconds) noexcept {
    const std::uint64_t age = now_seconds > s.received_at_seconds ? now_seconds - s.received_at_seconds : 0;
    return age >= s.lifetime_seconds;
}

} // namespace

void session_cache::put(const std::string &server_name, tls13_session s) {
    if (max_names_ == 0 || per_name_ == 0) {
        return;
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto &e) { return e.first == server_name; });
    std::vector<tls13_session> tickets;
    if (it != entries_.end()) {
        // The name was just used: move it to the young end of the eviction order.
        tickets = std::move(it->second);
        entries_.erase(it);
    } else if (entries_.size() >= max_names_) {
        entries_.erase(entries_.begin());
    }
    tickets.push_back(std::move(s));
    if (tickets.size() > per_name_) {
        tickets.erase(tickets.begin(), tickets.begin() + static_cast<std::ptrdiff_t>(tickets.size() - per_name_));
    }
    entries_.emplace_back(server_name, std::move(tickets));
}

std::optional<tls13_session> session_cache::take(const std::string &server_name, std::uint64_t now_seconds) {
    const std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto &e) { return e.first == server_name; });
    if (it == entries_.end()) {
        return std::nullopt;
    }
    auto &tickets = it->second;
    tickets.erase(std::remove_if(tickets.begin(), tickets.end(),
                                 [now_seconds](const tls13_session &t) { return expired(t, now_seconds); }),
                  tickets.end());
    std::optional<tls13_session> out;
    if (!tickets.empty()) {
        // Newest first: it carries the most recent state and the longest remaining lifetime.
        out = std::move(tickets.back());
        tickets.pop_back();
    }
    if (tickets.empty()) {
        entries_.erase(it);
    }
    return out;
}

std::size_t session_cache::size() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::size_t n = 0;
    for (const auto &e : entries_) {
        n += e.second.size();
    }
    return n;
}

void session_cache::clear() {
    const std::lock_guard<std::mutex> lock(mutex_);
    entries_.clear();
}

} // namespace awsio::tls
