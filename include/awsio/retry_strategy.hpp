// awsio/retry_strategy.hpp — retry strategies: exponential backoff, standard (token bucket)
// and no-retry. Mirrors aws-c-io's retry_strategy.h.
//
// Flow: acquire_retry_token() once per logical request; after a failed attempt call
// schedule_retry() with the failure's retry_error_type — on_retry_ready runs when the attempt
// may be made again; after a success call record_success(). Strategies and tokens are shared
// (std::shared_ptr): a token keeps its strategy alive, a strategy keeps its event-loop group
// alive. Callbacks never run synchronously inside the call that registers them; they run on
// the event-loop thread the token is bound to.
#pragma once

#include <awsio/error.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/export.hpp>
#include <awsio/result.hpp>
#include <awsio/unique_function.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace awsio {

/// aws_retry_error_type: how a failed attempt failed.
enum class retry_error_type : int {
    transient = 0,    ///< connection / IO failures
    throttling = 1,   ///< the server asked us to slow down
    server_error = 2, ///< the server failed (5xx)
    client_error = 3, ///< the request was bad; never counted against the retry budget
};

class retry_strategy;

/// A retry token (aws_retry_token): the per-request retry state.
class AWSIO_API retry_token {
public:
    virtual ~retry_token();
    retry_token(const retry_token &) = delete;
    retry_token &operator=(const retry_token &) = delete;

    /// The strategy that vended this token.
    [[nodiscard]] retry_strategy &strategy() const noexcept { return *strategy_; }

protected:
    explicit retry_token(std::shared_ptr<retry_strategy> strategy) noexcept
        : strategy_(std::move(strategy)) {}

private:
    std::shared_ptr<retry_strategy> strategy_;
};

using retry_token_ptr = std::shared_ptr<retry_token>;

/// (error, token): error is zero on success, io_errc::operation_cancelled when the loop shut
/// down first; token is null on error.
using on_retry_token_acquired = unique_function<void(std::error_code, retry_token_ptr)>;
/// (token, error): error is zero when the retry may proceed, io_errc::operation_cancelled
/// when the loop shut down first.
using on_retry_ready = unique_function<void(retry_token_ptr, std::error_code)>;

/// A retry strategy (aws_retry_strategy).
class AWSIO_API retry_strategy : public std::enable_shared_from_this<retry_strategy> {
public:
    virtual ~retry_strategy();
    retry_strategy(const retry_strategy &) = delete;
    retry_strategy &operator=(const retry_strategy &) = delete;

    /// Asks for a token for a request in partition_id (empty = the global partition).
    /// on_acquired is called later on an event-loop thread. Any thread.
    /// No-retry strategy: io_errc::retry_permission_denied, returned here.
    virtual std::error_code acquire_retry_token(std::string_view partition_id,
                                                on_retry_token_acquired on_acquired,
                                                std::uint64_t timeout_ms = 0) = 0;
    /// Schedules the next attempt. Errors returned here (no callback follows):
    /// io_errc::max_retries_exceeded (budget spent), io_errc::retry_permission_denied
    /// (standard strategy: bucket empty or client error), common_errc::invalid_state (a retry
    /// is already scheduled on this token). Any thread.
    virtual std::error_code schedule_retry(const retry_token_ptr &token, retry_error_type type,
                                           on_retry_ready on_ready) = 0;
    /// Records that the request succeeded (refills the standard strategy's bucket).
    virtual std::error_code record_success(const retry_token_ptr &token) = 0;

protected:
    retry_strategy() = default;
};

/// aws_exponential_backoff_jitter_mode.
enum class exponential_backoff_jitter_mode : int {
    default_mode = 0, ///< same as full
    none = 1,         ///< backoff = min(2^retries * scale, max)
    full = 2,         ///< random in [0, none-jitter backoff)
    decorrelated = 3, ///< random in [scale, 3 * previous backoff), capped
};

/// aws_exponential_backoff_retry_options.
struct exponential_backoff_retry_options {
    /// Loops the retries are scheduled on (required; the strategy keeps it alive).
    std::shared_ptr<event_loop_group> el_group;
    /// Retries allowed per token; 0 = 5. More than 63 -> common_errc::invalid_argument.
    std::size_t max_retries = 0;
    /// Backoff scale factor in ms; 0 = 500.
    std::uint32_t backoff_scale_factor_ms = 0;
    /// Upper bound of one backoff in seconds; 0 = 20.
    std::uint32_t max_backoff_secs = 0;
    exponential_backoff_jitter_mode jitter_mode = exponential_backoff_jitter_mode::default_mode;
    /// Random source for jitter (tests inject one); empty = the OS CSPRNG.
    std::function<std::uint64_t()> generate_random;
    /// Called once when the strategy has been destroyed (after its last token).
    unique_function<void()> on_shutdown_complete;
};

/// aws_standard_retry_options.
struct standard_retry_options {
    /// The inner exponential backoff; its max_retries 0 means 3 here.
    exponential_backoff_retry_options backoff_retry_options;
    /// Tokens per partition bucket; 0 = 500.
    std::size_t initial_bucket_capacity = 0;
};

/// aws_no_retry_options.
struct no_retry_options {
    unique_function<void()> on_shutdown_complete;
};

/// aws_retry_strategy_new_exponential_backoff. Missing el_group, max_retries > 63 or an
/// invalid jitter mode -> common_errc::invalid_argument.
AWSIO_API result<std::shared_ptr<retry_strategy>>
make_exponential_backoff_retry_strategy(exponential_backoff_retry_options options);
/// aws_retry_strategy_new_standard: token bucket per partition (capacity 500; a transient
/// failure costs 10, throttling / server errors 5; a success refunds what the token last paid).
AWSIO_API result<std::shared_ptr<retry_strategy>>
make_standard_retry_strategy(standard_retry_options options);
/// aws_retry_strategy_new_no_retry: every acquire fails with io_errc::retry_permission_denied.
AWSIO_API result<std::shared_ptr<retry_strategy>> make_no_retry_strategy(no_retry_options options = {});

} // namespace awsio
