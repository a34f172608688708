// Exponential backoff retry strategy (aws-c-io exponential_backoff_retry_strategy.c
// behaviour): tokens are pinned to one loop of the group; each retry waits
// min(2^n * scale, max) with optional full or decorrelated jitter.
#include "io/retry/retry_internal.hpp"

#include <awsio/logging.hpp>

#include <algorithm>
#include <limits>
#include <mutex>
#include <random>

namespace awsio {
namespace detail {
namespace {

std::uint64_t mul_saturating(std::uint64_t a, std::uint64_t b) noexcept {
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
        return std::numeric_limits<std::uint64_t>::max();
    }
    return a * b;
}

std::uint64_t os_random_u64() {
    thread_local std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ static_cast<std::uint64_t>(device());
}

} // namespace

backoff_token::backoff_token(std::shared_ptr<retry_strategy> owner, const backoff_config &config,
                             event_loop &loop)
    : retry_token(std::move(owner)), config_(config), loop_(loop) {
    task_.set_function([this](task_status status) { on_task(status); },
                       "exponential_backoff_retry_task");
}

backoff_token::~backoff_token() = default;

namespace {
std::uint64_t random_in_range(std::uint64_t from, std::uint64_t to,
                              const std::function<std::uint64_t()> &rng) {
    const std::uint64_t hi = std::max(from, to);
    const std::uint64_t lo = std::min(from, to);
    const std::uint64_t diff = hi - lo;
    if (diff == 0) {
        return 0;
    }
    const std::uint64_t r = rng ? rng() : os_random_u64();
    return lo + r % diff;
}
} // namespace

std::uint64_t compute_backoff_ns(const backoff_config &config, std::size_t retry_count,
                                 std::uint64_t last_backoff_ns) {
    const std::uint64_t count = std::min<std::uint64_t>(retry_count, 63);
    const std::uint64_t no_jitter =
        std::min(mul_saturating(std::uint64_t{1} << count, config.scale_ns), config.max_ns);
    switch (config.jitter) {
    case exponential_backoff_jitter_mode::none:
        return no_jitter;
    case exponential_backoff_jitter_mode::decorrelated:
        if (last_backoff_ns != 0) {
            const std::uint64_t upper = std::min(config.max_ns, mul_saturating(last_backoff_ns, 3));
            return random_in_range(config.scale_ns, upper, config.generate_random);
        }
        return random_in_range(0, no_jitter, config.generate_random);
    case exponential_backoff_jitter_mode::default_mode:
    case exponential_backoff_jitter_mode::full:
        break;
    }
    return random_in_range(0, no_jitter, config.generate_random);
}

void backoff_token::start_acquire(std::shared_ptr<backoff_token> self, on_retry_token_acquired cb) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        acquired_ = std::move(cb);
        self_hold_ = std::move(self);
    }
    loop_.schedule_task_now(task_);
}

std::error_code backoff_token::schedule(std::shared_ptr<backoff_token> self, retry_error_type type,
                                        on_retry_ready cb) {
    std::uint64_t run_at = 0;
    std::lock_guard<std::mutex> lock(mutex_);
    if (self_hold_) {
        AWSIO_LOGF_ERROR(log_subject::exponential_backoff_retry_strategy,
                         "token %p: a retry is already scheduled", static_cast<void *>(this));
        return common_errc::invalid_state;
    }
    // Client errors answer a badly formed request: they do not spend the retry budget and the
    // retry may run at once.
    if (type != retry_error_type::client_error) {
        if (retry_count_ >= config_.max_retries) {
            AWSIO_LOGF_WARN(log_subject::exponential_backoff_retry_strategy,
                            "token %p: retries exhausted (%zu of %zu)", static_cast<void *>(this),
                            retry_count_, config_.max_retries);
            return io_errc::max_retries_exceeded;
        }
        const std::uint64_t backoff = compute_backoff_ns(config_, retry_count_, last_backoff_ns_);
        run_at = loop_.current_clock_time() + backoff;
        last_backoff_ns_ = backoff;
        ++retry_count_;
        AWSIO_LOGF_DEBUG(log_subject::exponential_backoff_retry_strategy,
                         "token %p: backoff %llu ns", static_cast<void *>(this),
                         static_cast<unsigned long long>(backoff));
    }
    ready_ = std::move(cb);
    self_hold_ = std::move(self);
    loop_.schedule_task_future(task_, run_at);
    return {};
}

void backoff_token::on_task(task_status status) {
    const std::error_code ec =
        status == task_status::run_ready ? std::error_code() : make_error_code(io_errc::operation_cancelled);
    on_retry_token_acquired acquired;
    on_retry_ready ready;
    std::shared_ptr<backoff_token> hold;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        acquired = std::move(acquired_);
        ready = std::move(ready_);
        hold = std::move(self_hold_);
    }
    if (acquired) {
        acquired(ec, ec ? nullptr : hold);
    } else if (ready) {
        ready(hold, ec);
    }
}

class exponential_backoff_strategy final : public retry_strategy {
public:
    exponential_backoff_strategy(std::shared_ptr<event_loop_group> group, backoff_config config,
                                 unique_function<void()> on_shutdown)
        : group_(std::move(group)), config_(std::move(config)), on_shutdown_(std::move(on_shutdown)) {}

    ~exponential_backoff_strategy() override {
        auto cb = std::move(on_shutdown_);
        group_.reset();
        if (cb) {
            cb();
        }
    }

    std::error_code acquire_retry_token(std::string_view partition_id,
                                        on_retry_token_acquired on_acquired,
                                        std::uint64_t timeout_ms) override {
        (void)partition_id; // no shared resource: partitions and timeouts do not matter here
        (void)timeout_ms;
        event_loop *loop = group_->get_next_loop();
        if (loop == nullptr) {
            return io_errc::event_loop_shutdown;
        }
        auto token = std::make_shared<backoff_token>(shared_from_this(), config_, *loop);
        token->start_acquire(token, std::move(on_acquired));
        return {};
    }

    std::error_code schedule_retry(const retry_token_ptr &token, retry_error_type type,
                                   on_retry_ready on_ready) override {
        auto t = std::dynamic_pointer_cast<backoff_token>(token);
        if (!t || &t->strategy() != this) {
            return common_errc::invalid_argument;
        }
        return t->schedule(t, type, std::move(on_ready));
    }

    std::error_code record_success(const retry_token_ptr &token) override {
        if (!token || &token->strategy() != this) {
            return common_errc::invalid_argument;
        }
        return {}; // no bookkeeping in this strategy
    }

private:
    std::shared_ptr<event_loop_group> group_;
    backoff_config config_;
    unique_function<void()> on_shutdown_;
};

result<backoff_config> make_backoff_config(const exponential_backoff_retry_options &o,
                                           std::size_t default_max_retries) {
    if (!o.el_group || o.max_retries > 63 ||
        static_cast<int>(o.jitter_mode) < 0 ||
        static_cast<int>(o.jitter_mode) > static_cast<int>(exponential_backoff_jitter_mode::decorrelated)) {
        return common_errc::invalid_argument;
    }
    backoff_config c;
    c.max_retries = o.max_retries != 0 ? o.max_retries : default_max_retries;
    c.scale_ns = static_cast<std::uint64_t>(o.backoff_scale_factor_ms != 0 ? o.backoff_scale_factor_ms : 500) *
                 1000000ULL;
    c.max_ns = static_cast<std::uint64_t>(o.max_backoff_secs != 0 ? o.max_backoff_secs : 20) *
               1000000000ULL;
    c.jitter = o.jitter_mode;
    c.generate_random = o.generate_random;
    return c;
}

} // namespace detail

retry_token::~retry_token() = default;
retry_strategy::~retry_strategy() = default;

result<std::shared_ptr<retry_strategy>>
make_exponential_backoff_retry_strategy(exponential_backoff_retry_options options) {
    auto config = detail::make_backoff_config(options, 5);
    if (!config) {
        return unexpected(config.error());
    }
    AWSIO_LOGF_INFO(log_subject::exponential_backoff_retry_strategy,
                    "exponential backoff: scale %llu ns, max %llu ns, jitter %d, max retries %zu",
                    static_cast<unsigned long long>(config->scale_ns),
                    static_cast<unsigned long long>(config->max_ns),
                    static_cast<int>(config->jitter), config->max_retries);
    return std::shared_ptr<retry_strategy>(std::make_shared<detail::exponential_backoff_strategy>(
        std::move(options.el_group), std::move(*config), std::move(options.on_shutdown_complete)));
}

} // namespace awsio
