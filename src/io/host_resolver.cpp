// host_resolver.cpp — the default caching host resolver (aws_host_resolver_new_default): per-host
// A/AAAA caches with good and bad lists, one refresh thread per host in use, an LRU host table.
#include <awsio/host_resolver.hpp>
#include <awsio/io.hpp>
#include <awsio/logging.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace awsio {

host_resolver::~host_resolver() = default;

dns_resolve_fn make_dns_resolve_fn(const dns_options &options) {
    if (options.impl == dns_impl::cares) {
        return [options](std::string_view host) { return cares_dns_resolve(host, options); };
    }
    return [](std::string_view host) { return default_dns_resolve(host); };
}

namespace detail {
namespace {

constexpr std::uint64_t ns_per_sec = 1000000000ULL;
// After each refresh the thread first sleeps this long deaf to requests, so a burst of requests
// for an address-less host cannot turn the thread into a busy DNS loop.
constexpr std::uint64_t shutdown_only_wait_ns = 100000000ULL;

std::size_t family_index(address_record_type t) noexcept {
    return t == address_record_type::aaaa ? 1 : 0;
}

// Addresses of one family, least recently used first. Small (bounded by max_ttl, as in
// aws-c-io), so linear search is fine.
class address_lru {
public:
    explicit address_lru(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

    host_address *find(const std::string &address) {
        auto it = locate(address);
        return it == items_.end() ? nullptr : &*it;
    }
    bool erase(const std::string &address) {
        auto it = locate(address);
        if (it == items_.end()) {
            return false;
        }
        items_.erase(it);
        return true;
    }
    // Inserts as most recently used, evicting the least recently used beyond capacity.
    void put(host_address a) {
        erase(a.address);
        items_.push_back(std::move(a));
        while (items_.size() > capacity_) {
            items_.pop_front();
        }
    }
    // The least recently used address, which becomes the most recently used.
    host_address *use_lru() {
        if (items_.empty()) {
            return nullptr;
        }
        items_.splice(items_.end(), items_, items_.begin());
        return &items_.back();
    }
    host_address *lru() { return items_.empty() ? nullptr : &items_.front(); }
    template <typename Pred>
    void remove_if(Pred pred) {
        items_.remove_if(pred);
    }
    // Drops expired addresses from the LRU end, but never the last one.
    void expire_keep_one(std::uint64_t now, const std::string &host) {
        for (auto it = items_.begin(); it != items_.end() && items_.size() > 1;) {
            if (it->expiry < now) {
                AWSIO_LOGF_DEBUG(log_subject::dns, "purging expired record %s for %s",
                                 it->address.c_str(), host.c_str());
                it = items_.erase(it);
            } else {
                ++it;
            }
        }
    }
    [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
    [[nodiscard]] bool empty() const noexcept { return items_.empty(); }

private:
    std::list<host_address>::iterator locate(const std::string &address) {
        return std::find_if(items_.begin(), items_.end(),
                            [&](const host_address &a) { return a.address == address; });
    }

    std::list<host_address> items_;
    std::size_t capacity_;
};

// Runs a purge's completion callback when the last host it waits for is gone.
class purge_completion {
public:
    explicit purge_completion(host_resolver::on_complete_fn fn) : fn_(std::move(fn)) {}
    purge_completion(const purge_completion &) = delete;
    purge_completion &operator=(const purge_completion &) = delete;
    ~purge_completion() {
        if (fn_) {
            fn_();
        }
    }

private:
    host_resolver::on_complete_fn fn_;
};

struct host_entry {
    host_entry(std::string h, host_resolution_config cfg, std::uint64_t now)
        : host(std::move(h)), config(std::move(cfg)),
          good{address_lru(config.max_ttl), address_lru(config.max_ttl)},
          bad{address_lru(config.max_ttl), address_lru(config.max_ttl)}, last_request_ns(now) {}

    const std::string host;
    const host_resolution_config config;

    std::mutex mutex;
    std::condition_variable signal;
    // Indexed by family_index(): [0] = A, [1] = AAAA.
    std::array<address_lru, 2> good;
    std::array<address_lru, 2> bad;
    std::deque<host_resolver::on_host_resolved_fn> pending;
    std::uint64_t resolves_since_last_request = 0;
    std::uint64_t last_request_ns;
    bool shutting_down = false;
    std::vector<std::shared_ptr<purge_completion>> purge_waiters;
};

using entry_ptr = std::shared_ptr<host_entry>;

// State shared by the resolver object and its host threads; outlives the resolver object
// until the last thread ends.
struct resolver_core {
    std::mutex mutex; // guards everything below; taken before any entry's mutex
    clock_fn clock;
    dns_resolve_fn default_impl;
    std::size_t max_entries = 64;
    std::list<entry_ptr> lru; // hosts, least recently used first
    std::unordered_map<std::string, std::list<entry_ptr>::iterator> table;
    std::size_t live_threads = 0;
    bool destroyed = false;
    host_resolver::on_complete_fn on_shutdown_complete;

    std::uint64_t now() const { return clock ? clock() : high_res_clock_ns(); }

    // Caller holds `mutex`.
    entry_ptr find(std::string_view host) {
        auto it = table.find(std::string(host));
        if (it == table.end()) {
            return nullptr;
        }
        lru.splice(lru.end(), lru, it->second);
        return *it->second;
    }
    // Caller holds `mutex`. Removes `e` from the table if it is still the entry for its host.
    void remove(const entry_ptr &e) {
        auto it = table.find(e->host);
        if (it != table.end() && *it->second == e) {
            lru.erase(it->second);
            table.erase(it);
        }
    }
};

void shut_down_entry(const entry_ptr &e, const std::shared_ptr<purge_completion> &waiter) {
    std::lock_guard<std::mutex> lock(e->mutex);
    e->shutting_down = true;
    if (waiter) {
        e->purge_waiters.push_back(waiter);
    }
    e->signal.notify_all();
}

// Caller holds e.mutex. Fresh answers refresh the expiry of known addresses (good or bad) and
// enter the good list as most recently used when new.
void update_cache(host_entry &e, const std::vector<host_address> &fresh, std::uint64_t now) {
    for (const host_address &a : fresh) {
        const std::size_t f = family_index(a.record_type);
        std::uint64_t ttl = e.config.max_ttl;
        if (a.ttl) {
            ttl = std::min<std::uint64_t>(*a.ttl, ttl);
        }
        const std::uint64_t expiry = now + ttl * ns_per_sec;
        if (host_address *known = e.good[f].find(a.address)) {
            known->expiry = expiry;
            known->ttl = a.ttl;
        } else if (host_address *known_bad = e.bad[f].find(a.address)) {
            known_bad->expiry = expiry;
            known_bad->ttl = a.ttl;
        } else {
            host_address n;
            n.host = e.host;
            n.address = a.address;
            n.record_type = a.record_type;
            n.expiry = expiry;
            n.ttl = a.ttl;
            AWSIO_LOGF_DEBUG(log_subject::dns, "new address %s for host %s", n.address.c_str(),
                             e.host.c_str());
            e.good[f].put(std::move(n));
        }
    }
}

// Caller holds e.mutex. Runs after every query, successful or not.
void process_records(host_entry &e, std::size_t f, std::uint64_t now) {
    // Expired good records go, except the last one: after a query that could not refresh it,
    // a stale address beats no address (a DNS outage).
    e.good[f].expire_keep_one(now, e.host);
    // Bad records go when they expire, so an address that recovers and is announced again comes
    // back as good instead of staying bad forever.
    e.bad[f].remove_if([now](const host_address &a) { return now >= a.expiry; });
    // With no good record left, give the least recently used bad one (not expired) another
    // chance; one per query.
    if (e.good[f].empty()) {
        if (host_address *b = e.bad[f].lru()) {
            host_address promoted = *b;
            e.bad[f].erase(promoted.address);
            AWSIO_LOGF_INFO(log_subject::dns, "promoting spotty record %s for %s back to good list",
                            promoted.address.c_str(), e.host.c_str());
            e.good[f].put(std::move(promoted));
        }
    }
}

// Caller holds e.mutex. Appends the least recently used address of a family (good first, then
// bad), making it the most recently used.
void vend(host_entry &e, std::size_t f, bool allow_bad, std::vector<host_address> &out) {
    host_address *a = e.good[f].use_lru();
    if (a == nullptr && allow_bad) {
        a = e.bad[f].use_lru();
    }
    if (a != nullptr) {
        ++a->use_count;
        out.push_back(*a);
    }
}

void host_thread(std::shared_ptr<resolver_core> core, entry_ptr e) {
    const std::size_t max_ttl = e->config.max_ttl;
    // The host's thread ends once nobody asked for it for this long (and this many queries).
    const std::uint64_t unsolicited_max = std::max<std::size_t>(max_ttl, 1);
    const std::uint64_t idle_ns = unsolicited_max * ns_per_sec;
    std::uint64_t frequency_ns = e->config.resolve_frequency_ns == 0 ? ns_per_sec
                                                                     : e->config.resolve_frequency_ns;
    if (max_ttl > 0) {
        frequency_ns = std::min<std::uint64_t>(frequency_ns, max_ttl * ns_per_sec);
    }
    const std::uint64_t first_wait_ns = std::min(frequency_ns, shutdown_only_wait_ns);
    const std::uint64_t second_wait_ns = frequency_ns - first_wait_ns;

    bool keep_going = true;
    while (keep_going) {
        result<std::vector<host_address>> answer = e->config.impl(e->host);
        if (answer) {
            AWSIO_LOGF_DEBUG(log_subject::dns, "resolving host %s successful, returned %zu addresses",
                             e->host.c_str(), answer->size());
        } else {
            AWSIO_LOGF_WARN(log_subject::dns, "resolving host %s failed: %s", e->host.c_str(),
                            answer.error().message().c_str());
        }
        const std::uint64_t now = core->now();

        std::deque<host_resolver::on_host_resolved_fn> to_notify;
        {
            std::lock_guard<std::mutex> lock(e->mutex);
            if (answer) {
                update_cache(*e, *answer, now);
            }
            process_records(*e, 1, now);
            process_records(*e, 0, now);
            to_notify.swap(e->pending);
        }

        for (auto &cb : to_notify) {
            std::vector<host_address> out;
            {
                std::lock_guard<std::mutex> lock(e->mutex);
                vend(*e, 1, true, out);
                vend(*e, 0, true, out);
            }
            if (!out.empty()) {
                cb(std::error_code(), e->host, out);
            } else {
                const std::error_code ec =
                    answer ? make_error_code(io_errc::dns_query_failed) : answer.error();
                cb(ec, e->host, out);
            }
        }
        to_notify.clear();

        {
            std::unique_lock<std::mutex> lock(e->mutex);
            ++e->resolves_since_last_request;
            e->signal.wait_for(lock, std::chrono::nanoseconds(first_wait_ns),
                               [&] { return e->shutting_down; });
            if (second_wait_ns > 0) {
                // A request that found no usable address wakes us early (low resolve
                // frequencies must not starve it).
                e->signal.wait_for(lock, std::chrono::nanoseconds(second_wait_ns),
                                   [&] { return e->shutting_down || !e->pending.empty(); });
            }
        }

        {
            std::lock_guard<std::mutex> core_lock(core->mutex);
            std::lock_guard<std::mutex> lock(e->mutex);
            const std::uint64_t t = core->now();
            // Two conditions, time and query count, so an odd clock alone cannot end the thread
            // while it is in use; pending requests always get another query.
            if (!e->shutting_down && e->pending.empty() &&
                e->resolves_since_last_request > unsolicited_max &&
                e->last_request_ns + idle_ns < t) {
                AWSIO_LOGF_DEBUG(log_subject::dns, "host %s unused for its max ttl, ending its thread",
                                 e->host.c_str());
                e->shutting_down = true;
                core->remove(e);
            }
            keep_going = !e->shutting_down;
        }
    }

    std::deque<host_resolver::on_host_resolved_fn> orphans;
    std::vector<std::shared_ptr<purge_completion>> waiters;
    {
        std::lock_guard<std::mutex> lock(e->mutex);
        orphans.swap(e->pending);
        waiters.swap(e->purge_waiters);
    }
    const std::vector<host_address> none;
    for (auto &cb : orphans) {
        cb(make_error_code(io_errc::dns_host_removed_from_cache), e->host, none);
    }
    orphans.clear();
    waiters.clear(); // the last holder runs the purge completion

    host_resolver::on_complete_fn on_shutdown;
    {
        std::lock_guard<std::mutex> lock(core->mutex);
        --core->live_threads;
        if (core->destroyed && core->live_threads == 0) {
            on_shutdown = std::move(core->on_shutdown_complete);
        }
    }
    if (on_shutdown) {
        on_shutdown();
    }
}

class default_host_resolver final : public host_resolver {
public:
    explicit default_host_resolver(default_host_resolver_options options)
        : core_(std::make_shared<resolver_core>()) {
        core_->clock = std::move(options.clock);
        core_->default_impl = make_dns_resolve_fn(options.dns);
        core_->max_entries = options.max_entries == 0 ? 64 : options.max_entries;
        core_->on_shutdown_complete = std::move(options.on_shutdown_complete);
        default_config_ = std::move(options.default_config);
        if (!default_config_.impl) {
            default_config_.impl = core_->default_impl;
        }
        AWSIO_LOGF_INFO(log_subject::dns, "default host resolver with %zu max host entries",
                        core_->max_entries);
    }

    default_host_resolver(const default_host_resolver &) = delete;
    default_host_resolver &operator=(const default_host_resolver &) = delete;

    ~default_host_resolver() override {
        std::vector<entry_ptr> entries;
        on_complete_fn on_shutdown;
        {
            std::lock_guard<std::mutex> lock(core_->mutex);
            core_->destroyed = true;
            entries.assign(core_->lru.begin(), core_->lru.end());
            core_->table.clear();
            core_->lru.clear();
            for (const entry_ptr &e : entries) {
                shut_down_entry(e, nullptr);
            }
            if (core_->live_threads == 0) {
                on_shutdown = std::move(core_->on_shutdown_complete);
            }
        }
        if (on_shutdown) {
            on_shutdown();
        }
    }

    std::error_code resolve_host(std::string_view host, on_host_resolved_fn on_resolved,
                                 const host_resolution_config &config) override {
        if (host.empty() || !on_resolved) {
            return common_errc::invalid_argument;
        }
        AWSIO_LOGF_DEBUG(log_subject::dns, "host resolution requested for %.*s",
                         static_cast<int>(host.size()), host.data());
        const std::uint64_t now = core_->now();

        std::unique_lock<std::mutex> core_lock(core_->mutex);
        entry_ptr e = core_->find(host);
        if (!e) {
            start_entry(host, std::move(on_resolved), config, now);
            return {};
        }

        std::unique_lock<std::mutex> lock(e->mutex);
        // Holding the entry lock keeps the entry alive and its thread from deciding to end; the
        // table is no longer needed.
        core_lock.unlock();
        e->last_request_ns = now;
        e->resolves_since_last_request = 0;

        std::vector<host_address> out;
        vend(*e, 1, false, out);
        vend(*e, 0, false, out);
        if (!out.empty()) {
            lock.unlock();
            // A cache hit is answered right here, on the caller's thread (as aws-c-io does).
            const std::string host_name = e->host;
            on_resolved(std::error_code(), host_name, out);
            return {};
        }
        e->pending.push_back(std::move(on_resolved));
        e->signal.notify_all();
        return {};
    }

    std::error_code record_connection_failure(const host_address &address) override {
        AWSIO_LOGF_INFO(log_subject::dns, "recording failure for record %s for %s, moving to bad list",
                        address.address.c_str(), address.host.c_str());
        std::unique_lock<std::mutex> core_lock(core_->mutex);
        auto it = core_->table.find(address.host);
        if (it == core_->table.end()) {
            return {};
        }
        entry_ptr e = *it->second;
        std::lock_guard<std::mutex> lock(e->mutex);
        core_lock.unlock();
        const std::size_t f = family_index(address.record_type);
        if (host_address *g = e->good[f].find(address.address)) {
            host_address moved = *g;
            e->good[f].erase(moved.address);
            ++moved.connection_failure_count;
            e->bad[f].put(std::move(moved));
        } else if (host_address *b = e->bad[f].find(address.address)) {
            ++b->connection_failure_count;
        }
        return {};
    }

    std::error_code purge_cache(on_complete_fn on_complete) override {
        AWSIO_LOGF_INFO(log_subject::dns, "purging the whole cache");
        auto waiter = on_complete ? std::make_shared<purge_completion>(std::move(on_complete))
                                  : nullptr;
        std::vector<entry_ptr> entries;
        {
            std::lock_guard<std::mutex> lock(core_->mutex);
            entries.assign(core_->lru.begin(), core_->lru.end());
            core_->table.clear();
            core_->lru.clear();
            for (const entry_ptr &e : entries) {
                shut_down_entry(e, waiter);
            }
        }
        release_purge_waiter(std::move(waiter));
        return {};
    }

    std::error_code purge_host_cache(std::string_view host, on_complete_fn on_complete) override {
        AWSIO_LOGF_INFO(log_subject::dns, "purging record for %.*s", static_cast<int>(host.size()),
                        host.data());
        auto waiter = on_complete ? std::make_shared<purge_completion>(std::move(on_complete))
                                  : nullptr;
        {
            std::lock_guard<std::mutex> lock(core_->mutex);
            auto it = core_->table.find(std::string(host));
            if (it != core_->table.end()) {
                entry_ptr e = *it->second;
                core_->lru.erase(it->second);
                core_->table.erase(it);
                shut_down_entry(e, waiter);
            }
        }
        release_purge_waiter(std::move(waiter));
        return {};
    }

    std::size_t get_host_address_count(std::string_view host, std::uint32_t flags) const override {
        std::unique_lock<std::mutex> core_lock(core_->mutex);
        auto it = core_->table.find(std::string(host));
        if (it == core_->table.end()) {
            return 0;
        }
        entry_ptr e = *it->second;
        std::lock_guard<std::mutex> lock(e->mutex);
        core_lock.unlock();
        std::size_t count = 0;
        if ((flags & get_host_address_count_record_type_a) != 0) {
            count += e->good[0].size();
        }
        if ((flags & get_host_address_count_record_type_aaaa) != 0) {
            count += e->good[1].size();
        }
        return count;
    }

    const host_resolution_config &default_resolution_config() const noexcept override {
        return default_config_;
    }

private:
    // Caller holds core_->mutex.
    void start_entry(std::string_view host, on_host_resolved_fn on_resolved,
                     const host_resolution_config &config, std::uint64_t now) {
        host_resolution_config cfg = config;
        if (!cfg.impl) {
            cfg.impl = core_->default_impl;
        }
        // The table is an LRU bounded by max_entries: make room by dropping the host used least
        // recently (its pending requests fail with dns_host_removed_from_cache).
        while (core_->table.size() >= core_->max_entries && !core_->lru.empty()) {
            entry_ptr victim = core_->lru.front();
            AWSIO_LOGF_DEBUG(log_subject::dns, "evicting host %s from a full cache", victim->host.c_str());
            core_->table.erase(victim->host);
            core_->lru.pop_front();
            shut_down_entry(victim, nullptr);
        }
        auto e = std::make_shared<host_entry>(std::string(host), std::move(cfg), now);
        e->pending.push_back(std::move(on_resolved));
        core_->lru.push_back(e);
        core_->table.emplace(e->host, std::prev(core_->lru.end()));
        ++core_->live_threads;
        AWSIO_LOGF_DEBUG(log_subject::dns, "no cached entries for %s, starting a resolver thread",
                         e->host.c_str());
        spawn_managed_thread([core = core_, e]() mutable { host_thread(std::move(core), std::move(e)); },
                             "AwsHostResolver");
    }

    // The caller's reference is dropped on a managed thread, so the completion never runs on the
    // purging thread, even when no host was cached or every host thread already ended.
    static void release_purge_waiter(std::shared_ptr<purge_completion> waiter) {
        if (waiter) {
            spawn_managed_thread([w = std::move(waiter)]() mutable { w.reset(); }, "AwsHostPurge");
        }
    }

    std::shared_ptr<resolver_core> core_;
    host_resolution_config default_config_;
};

} // namespace
} // namespace detail

std::shared_ptr<host_resolver> make_default_host_resolver(default_host_resolver_options options) {
    return std::make_shared<detail::default_host_resolver>(std::move(options));
}

} // namespace awsio
