// Standard retry strategy (aws-c-io standard_retry_strategy.c behaviour): exponential backoff
// gated by a token bucket per partition. A transient failure costs 10 tokens, throttling and
// server errors cost 5; a success refunds what the token last paid (1 for a first attempt).
#include "io/retry/retry_internal.hpp"

#include <awsio/logging.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <string>

namespace awsio {
namespace detail {
namespace {

constexpr std::size_t default_bucket_capacity = 500;
constexpr std::size_t retry_cost = 5;
constexpr std::size_t transient_retry_cost = 10;
constexpr std::size_t first_attempt_refund = 1;

struct bucket {
    std::mutex mutex;
    std::size_t capacity;
    std::size_t max_capacity;
};

class standard_token final : public retry_token {
public:
    standard_token(std::shared_ptr<retry_strategy> owner, retry_token_ptr inner,
                   std::shared_ptr<bucket> b)
        : retry_token(std::move(owner)), inner_(std::move(inner)), bucket_(std::move(b)) {}

    retry_token_ptr inner_;
    std::shared_ptr<bucket> bucket_;
    std::size_t last_retry_cost_ = first_attempt_refund; // guarded by bucket_->mutex
};

std::string fold_case(std::string_view s) {
    std::string out(s);
    for (char &c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

class standard_strategy final : public retry_strategy {
public:
    standard_strategy(std::shared_ptr<retry_strategy> inner, std::size_t capacity,
                      unique_function<void()> on_shutdown)
        : inner_(std::move(inner)), capacity_(capacity), on_shutdown_(std::move(on_shutdown)) {}

    ~standard_strategy() override {
        auto cb = std::move(on_shutdown_);
        buckets_.clear();
        inner_.reset();
        if (cb) {
            cb();
        }
    }

    std::error_code acquire_retry_token(std::string_view partition_id,
                                        on_retry_token_acquired on_acquired,
                                        std::uint64_t timeout_ms) override {
        std::shared_ptr<bucket> b = bucket_for(partition_id);
        auto self = shared_from_this();
        return inner_->acquire_retry_token(
            partition_id,
            [self, b, cb = std::move(on_acquired)](std::error_code ec, retry_token_ptr inner) mutable {
                if (ec) {
                    cb(ec, nullptr);
                    return;
                }
                auto token = std::make_shared<standard_token>(self, std::move(inner), b);
                self.reset();
                cb({}, std::move(token));
            },
            timeout_ms);
    }

    std::error_code schedule_retry(const retry_token_ptr &token, retry_error_type type,
                                   on_retry_ready on_ready) override {
        auto t = std::dynamic_pointer_cast<standard_token>(token);
        if (!t || &t->strategy() != this) {
            return common_errc::invalid_argument;
        }
        if (type == retry_error_type::client_error) {
            return io_errc::retry_permission_denied;
        }
        std::size_t consumed = 0;
        std::size_t previous_cost = 0;
        {
            std::lock_guard<std::mutex> lock(t->bucket_->mutex);
            if (t->bucket_->capacity == 0) {
                AWSIO_LOGF_INFO(log_subject::standard_retry_strategy,
                                "token %p: retry bucket is empty, retry denied",
                                static_cast<void *>(t.get()));
                return io_errc::retry_permission_denied;
            }
            const std::size_t cost =
                type == retry_error_type::transient ? transient_retry_cost : retry_cost;
            consumed = std::min(t->bucket_->capacity, cost);
            previous_cost = t->last_retry_cost_;
            t->bucket_->capacity -= consumed;
            t->last_retry_cost_ = consumed;
        }
        std::error_code ec = inner_->schedule_retry(
            t->inner_, type,
            [t, cb = std::move(on_ready)](retry_token_ptr, std::error_code err) mutable {
                retry_token_ptr outer = t;
                t.reset();
                cb(std::move(outer), err);
            });
        if (ec) {
            // Nothing was scheduled: give the tokens back.
            std::lock_guard<std::mutex> lock(t->bucket_->mutex);
            t->bucket_->capacity += consumed;
            t->last_retry_cost_ = previous_cost;
        }
        return ec;
    }

    std::error_code record_success(const retry_token_ptr &token) override {
        auto t = std::dynamic_pointer_cast<standard_token>(token);
        if (!t || &t->strategy() != this) {
            return common_errc::invalid_argument;
        }
        std::lock_guard<std::mutex> lock(t->bucket_->mutex);
        t->bucket_->capacity =
            std::min(t->bucket_->max_capacity, t->bucket_->capacity + t->last_retry_cost_);
        t->last_retry_cost_ = 0;
        return {};
    }

private:
    std::shared_ptr<bucket> bucket_for(std::string_view partition_id) {
        std::lock_guard<std::mutex> lock(buckets_mutex_);
        const std::string key = fold_case(partition_id);
        auto it = buckets_.find(key);
        if (it == buckets_.end()) {
            auto b = std::make_shared<bucket>();
            b->capacity = capacity_;
            b->max_capacity = capacity_;
            it = buckets_.emplace(key, std::move(b)).first;
        }
        return it->second;
    }

    std::shared_ptr<retry_strategy> inner_;
    std::size_t capacity_;
    unique_function<void()> on_shutdown_;
    std::mutex buckets_mutex_;
    std::map<std::string, std::shared_ptr<bucket>> buckets_;
};

class no_retry_strategy final : public retry_strategy {
public:
    explicit no_retry_strategy(unique_function<void()> on_shutdown) : on_shutdown_(std::move(on_shutdown)) {}
    ~no_retry_strategy() override {
        if (on_shutdown_) {
            on_shutdown_();
        }
    }
    std::error_code acquire_retry_token(std::string_view, on_retry_token_acquired,
                                        std::uint64_t) override {
        return io_errc::retry_permission_denied;
    }
    // No token can exist, so these can only be reached with a foreign token.
    std::error_code schedule_retry(const retry_token_ptr &, retry_error_type, on_retry_ready) override {
        return io_errc::retry_permission_denied;
    }
    std::error_code record_success(const retry_token_ptr &) override {
        return io_errc::retry_permission_denied;
    }

private:
    unique_function<void()> on_shutdown_;
};

} // namespace
} // namespace detail

result<std::shared_ptr<retry_strategy>> make_standard_retry_strategy(standard_retry_options options) {
    exponential_backoff_retry_options &backoff = options.backoff_retry_options;
    if (backoff.max_retries == 0) {
        backoff.max_retries = 3;
    }
    unique_function<void()> on_shutdown = std::move(backoff.on_shutdown_complete);
    auto inner = make_exponential_backoff_retry_strategy(std::move(backoff));
    if (!inner) {
        return unexpected(inner.error());
    }
    const std::size_t capacity = options.initial_bucket_capacity != 0
                                     ? options.initial_bucket_capacity
                                     : detail::default_bucket_capacity;
    AWSIO_LOGF_INFO(log_subject::standard_retry_strategy, "standard retry strategy, bucket capacity %zu",
                    capacity);
    return std::shared_ptr<retry_strategy>(std::make_shared<detail::standard_strategy>(
        std::move(*inner), capacity, std::move(on_shutdown)));
}

result<std::shared_ptr<retry_strategy>> make_no_retry_strategy(no_retry_options options) {
    return std::shared_ptr<retry_strategy>(
        std::make_shared<detail::no_retry_strategy>(std::move(options.on_shutdown_complete)));
}

} // namespace awsio
