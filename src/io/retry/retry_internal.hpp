// Internals shared by the retry strategies: the exponential backoff token and its settings.
#pragma once

#include <awsio/retry_strategy.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

namespace awsio::detail {

struct backoff_config {
    std::size_t max_retries = 5;
    std::uint64_t scale_ns = 0;
    std::uint64_t max_ns = 0;
    exponential_backoff_jitter_mode jitter = exponential_backoff_jitter_mode::default_mode;
    std::function<std::uint64_t()> generate_random;
};

/// Validates options and fills in aws-c-io's defaults (max_retries 0 -> default_max_retries).
result<backoff_config> make_backoff_config(const exponential_backoff_retry_options &options,
                                           std::size_t default_max_retries);

/// The next backoff in ns for a token that has retried retry_count times and last waited
/// last_backoff_ns (aws-c-io's formulas; see exponential_backoff_jitter_mode).
std::uint64_t compute_backoff_ns(const backoff_config &config, std::size_t retry_count,
                                 std::uint64_t last_backoff_ns);

/// An exponential-backoff token: pinned to one loop; one pending callback at a time. While a
/// callback is pending the token holds itself (self_hold_) so its task outlives the caller's
/// references.
class backoff_token final : public retry_token {
public:
    backoff_token(std::shared_ptr<retry_strategy> owner, const backoff_config &config, event_loop &loop);
    ~backoff_token() override;

    void start_acquire(std::shared_ptr<backoff_token> self, on_retry_token_acquired cb);
    std::error_code schedule(std::shared_ptr<backoff_token> self, retry_error_type type, on_retry_ready cb);

private:
    void on_task(task_status status);

    backoff_config config_;
    event_loop &loop_;
    task task_;
    std::mutex mutex_;
    std::size_t retry_count_ = 0;
    std::uint64_t last_backoff_ns_ = 0;
    on_retry_token_acquired acquired_;
    on_retry_ready ready_;
    std::shared_ptr<backoff_token> self_hold_;
};

} // namespace awsio::detail
