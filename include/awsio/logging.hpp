// awsio/logging.hpp — log levels, aws-c-io's log subjects, the logger interface and the
// stderr / file loggers. Mirrors aws-c-io's logging.h (subjects) and aws-c-common's logging.h.
//
// A disabled log statement costs one relaxed atomic load and one branch: AWSIO_LOG* compares
// the level against the installed logger's threshold before formatting anything.
// Threading: every function here may be called from any thread. Loggers must be thread-safe.
#pragma once

#include <awsio/export.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace awsio {

/// aws_log_level: NONE..TRACE, same numbers.
enum class log_level : int { none = 0, fatal = 1, error = 2, warn = 3, info = 4, debug = 5, trace = 6 };

/// aws_io_log_subject, same ids (1024 = "aws-c-io" ... 1039 = "pem").
enum class log_subject : std::uint32_t {
    io_general = 1024,
    event_loop,
    socket,
    socket_handler,
    tls,
    alpn,
    dns,
    pki,
    channel,
    channel_bootstrap,
    file_utils,
    shared_library,
    exponential_backoff_retry_strategy,
    standard_retry_strategy,
    pkcs11,
    pem,
};
inline constexpr std::uint32_t log_subject_first = 1024;
inline constexpr std::uint32_t log_subject_count = 16;

/// The aws-c-io name of a subject ("event-loop"); "unknown" for ids outside the range.
AWSIO_API std::string_view log_subject_name(log_subject s) noexcept;
/// "NONE", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE".
AWSIO_API std::string_view log_level_name(log_level l) noexcept;
/// Parses a level name (any case) or its number ("4"); nullopt when unrecognised.
AWSIO_API std::optional<log_level> parse_log_level(std::string_view text) noexcept;

/// A log sink. level() is the threshold: statements above it are discarded before formatting.
class AWSIO_API logger {
public:
    virtual ~logger();
    virtual log_level level() const noexcept = 0;
    /// Writes one already formatted message. Called from any thread.
    virtual void log(log_level level, log_subject subject, std::string_view message) = 0;
};

/// Writes lines "[LEVEL] [YYYY-MM-DDTHH:MM:SS.mmmZ] [thread] [subject] - message" to a FILE*
/// it does not own (stderr by default). Serialises writers with a mutex.
class AWSIO_API stream_logger : public logger {
public:
    explicit stream_logger(log_level level, std::FILE *stream = stderr) noexcept;
    log_level level() const noexcept override { return level_; }
    void log(log_level level, log_subject subject, std::string_view message) override;

protected:
    void set_stream(std::FILE *stream) noexcept { stream_ = stream; }

private:
    log_level level_;
    std::FILE *stream_;
};

/// Like stream_logger but opens (appends to) and owns a file. If the file cannot be opened,
/// ok() is false and messages are dropped.
class AWSIO_API file_logger final : public stream_logger {
public:
    file_logger(log_level level, const std::string &path);
    ~file_logger() override;
    file_logger(const file_logger &) = delete;
    file_logger &operator=(const file_logger &) = delete;
    bool ok() const noexcept { return file_ != nullptr; }

private:
    std::FILE *file_;
};

/// Installs the process-wide logger (nullptr uninstalls; logging becomes a no-op).
AWSIO_API void set_logger(std::shared_ptr<logger> l);
/// The installed logger, or nullptr.
AWSIO_API std::shared_ptr<logger> get_logger();
/// The level in AWSIO_LOG_LEVEL (a name or a number), or nullopt when unset or invalid.
AWSIO_API std::optional<log_level> log_level_from_env() noexcept;

namespace detail {
/// Threshold of the installed logger (log_level::none when there is none).
AWSIO_API extern std::atomic<int> log_threshold;
AWSIO_API void log_printf(log_level level, log_subject subject, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
inline bool log_enabled(log_level level) noexcept {
    return log_threshold.load(std::memory_order_relaxed) >= static_cast<int>(level);
}
} // namespace detail

} // namespace awsio

/// printf-style logging: AWSIO_LOGF(log_level::debug, log_subject::socket, "fd=%d", fd).
#define AWSIO_LOGF(level, subject, ...)                                                        \
    do {                                                                                       \
        if (::awsio::detail::log_enabled(level)) {                                             \
            ::awsio::detail::log_printf((level), (subject), __VA_ARGS__);                      \
        }                                                                                      \
    } while (0)
#define AWSIO_LOGF_FATAL(subject, ...) AWSIO_LOGF(::awsio::log_level::fatal, subject, __VA_ARGS__)
#define AWSIO_LOGF_ERROR(subject, ...) AWSIO_LOGF(::awsio::log_level::error, subject, __VA_ARGS__)
#define AWSIO_LOGF_WARN(subject, ...) AWSIO_LOGF(::awsio::log_level::warn, subject, __VA_ARGS__)
#define AWSIO_LOGF_INFO(subject, ...) AWSIO_LOGF(::awsio::log_level::info, subject, __VA_ARGS__)
#define AWSIO_LOGF_DEBUG(subject, ...) AWSIO_LOGF(::awsio::log_level::debug, subject, __VA_ARGS__)
#define AWSIO_LOGF_TRACE(subject, ...) AWSIO_LOGF(::awsio::log_level::trace, subject, __VA_ARGS__)
