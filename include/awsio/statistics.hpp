// awsio/statistics.hpp — per-connection statistics records and the handler that receives them
// on an interval. Mirrors aws-c-io's statistics.h (and aws-c-common's statistics.h, which
// defines the handler and the sample interval).
//
// Flow: a channel with a statistics_handler installed (channel::set_statistics_handler) wakes
// up every report_interval_ms() on its event-loop thread, asks each channel handler to append
// pointers to its statistics records (channel_handler::gather_statistics), passes them to
// process_statistics together with the sampled interval, and then asks every handler to reset
// its records (channel_handler::reset_statistics).
#pragma once

#include <awsio/export.hpp>

#include <cstdint>
#include <vector>

namespace awsio {

class channel;

/// A statistics category (aws_crt_statistics_category). Each library owns a range of 1024
/// values starting at 1024 * its package id; aws-c-io (package 1) owns 1024..2047.
using statistics_category = std::uint32_t;

/// aws_crt_io_statistics_category.
enum class io_statistics_category : statistics_category {
    socket = 1024, ///< AWSCRT_STAT_CAT_SOCKET: socket_statistics
    tls = 1025,    ///< AWSCRT_STAT_CAT_TLS: tls_statistics
};

/// Every statistics record starts with its category (aws_crt_statistics_base), so a consumer
/// can tell records apart and downcast: category == io_statistics_category::socket means the
/// object is a socket_statistics, and so on.
struct AWSIO_API statistics_base {
    explicit statistics_base(statistics_category c) noexcept : category(c) {}
    statistics_category category;
};

/// Bytes moved by a socket channel handler during the current interval
/// (aws_crt_statistics_socket).
struct AWSIO_API socket_statistics : statistics_base {
    socket_statistics() noexcept
        : statistics_base(static_cast<statistics_category>(io_statistics_category::socket)) {}
    std::uint64_t bytes_read = 0;
    std::uint64_t bytes_written = 0;

    /// Zeroes the byte counts (aws_crt_statistics_socket_reset); the category stays.
    void reset() noexcept;
};

/// State of a TLS handshake (aws_tls_negotiation_status).
enum class tls_negotiation_status : int { none = 0, ongoing, success, failure };

/// Handshake timing of a TLS channel handler (aws_crt_statistics_tls). Times are on the
/// channel's clock (ns); zero means "not yet".
struct AWSIO_API tls_statistics : statistics_base {
    tls_statistics() noexcept
        : statistics_base(static_cast<statistics_category>(io_statistics_category::tls)) {}
    std::uint64_t handshake_start_ns = 0;
    std::uint64_t handshake_end_ns = 0;
    tls_negotiation_status handshake_status = tls_negotiation_status::none;

    /// Nothing to reset: the handshake happens once per connection
    /// (aws_crt_statistics_tls_reset is a no-op too).
    void reset() noexcept;
};

/// The time span a report covers, in milliseconds of the channel's clock
/// (aws_crt_statistics_sample_interval). The first report starts when the handler was
/// installed; each later one starts where the previous one ended.
struct statistics_sample_interval {
    std::uint64_t begin_time_ms = 0;
    std::uint64_t end_time_ms = 0;
};

/// Receives a channel's statistics every report_interval_ms() (aws_crt_statistics_handler).
/// Owned by the channel it is installed on (std::unique_ptr), destroyed on that channel's
/// event-loop thread when replaced or when the channel is freed.
class AWSIO_API statistics_handler {
public:
    statistics_handler() = default;
    statistics_handler(const statistics_handler &) = delete;
    statistics_handler &operator=(const statistics_handler &) = delete;
    virtual ~statistics_handler();

    /// Called on the channel's event-loop thread with the records the channel's handlers
    /// gathered, left to right. The pointers stay valid only during the call (handlers reset
    /// and reuse their records afterwards); copy what must be kept. Not called while the
    /// channel is shutting down or shut down.
    virtual void process_statistics(const statistics_sample_interval &interval,
                                    const std::vector<statistics_base *> &stats,
                                    channel &context) = 0;

    /// How often to report, in milliseconds. Read when the handler is installed and after
    /// each report.
    [[nodiscard]] virtual std::uint64_t report_interval_ms() const = 0;
};

} // namespace awsio
