// tls/handshake/session_cache.cpp — the client's session cache (common.hpp): TLS 1.3 tickets
// filed by server name, each handed out once, bounded in names and in tickets per name; one TLS
// 1.2 session per name. And the server's TLS 1.2 session-id store.
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

bool expired12(std::uint64_t received_at, std::uint32_t lifetime, std::uint64_t now_seconds) noexcept {
    const std::uint64_t age = now_seconds > received_at ? now_seconds - received_at : 0;
    return age >= lifetime;
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

void session_cache::put12(const std::string &server_name, tls12_session s) {
    if (max_names_ == 0) {
        return;
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find_if(entries12_.begin(), entries12_.end(), [&](const auto &e) { return e.first == server_name; });
    if (it != entries12_.end()) {
        entries12_.erase(it);
    } else if (entries12_.size() >= max_names_) {
        entries12_.erase(entries12_.begin());
    }
    entries12_.emplace_back(server_name, std::move(s));
}

std::optional<tls12_session> session_cache::get12(const std::string &server_name, std::uint64_t now_seconds) const {
    const std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find_if(entries12_.begin(), entries12_.end(), [&](const auto &e) { return e.first == server_name; });
    if (it == entries12_.end() || expired12(it->second.received_at_seconds, it->second.lifetime_seconds, now_seconds)) {
        return std::nullopt;
    }
    return it->second;
}

void session_cache::erase12(const std::string &server_name) {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::erase_if(entries12_, [&](const auto &e) { return e.first == server_name; });
}

std::size_t session_cache::size() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::size_t n = entries12_.size();
    for (const auto &e : entries_) {
        n += e.second.size();
    }
    return n;
}

void session_cache::clear() {
    const std::lock_guard<std::mutex> lock(mutex_);
    entries_.clear();
    entries12_.clear();
}

// ---- server: TLS 1.2 session ids ------------------------------------------------------------

void tls12_session_store::put(std::vector<std::uint8_t> id, tls12_server_session s) {
    if (max_entries_ == 0 || id.empty()) {
        return;
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    std::erase_if(entries_, [&](const auto &e) { return e.first == id; });
    while (entries_.size() >= max_entries_) {
        entries_.erase(entries_.begin());
    }
    entries_.emplace_back(std::move(id), std::move(s));
}

std::optional<tls12_server_session> tls12_session_store::find(bytes_view id, std::uint64_t now_seconds) const {
    if (id.empty()) {
        return std::nullopt;
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    for (const auto &e : entries_) {
        if (std::equal(e.first.begin(), e.first.end(), id.begin(), id.end())) {
            if (expired12(e.second.created_at_seconds, lifetime_seconds_, now_seconds)) {
                return std::nullopt;
            }
            return e.second;
        }
    }
    return std::nullopt;
}

void tls12_session_store::erase(bytes_view id) {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::erase_if(entries_, [&](const auto &e) { return std::equal(e.first.begin(), e.first.end(), id.begin(), id.end()); });
}

std::size_t tls12_session_store::size() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
}

} // namespace awsio::tls
