// Process-wide logger, subject names and the stderr/file loggers.
#include <awsio/logging.hpp>

#include <array>
#include <cctype>
#include <cstdarg>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <mutex>
#include <thread>

namespace awsio {

namespace detail {
std::atomic<int> log_threshold{static_cast<int>(log_level::none)};
} // namespace detail

namespace {

constexpr std::array<std::string_view, log_subject_count> subject_names = {
    "aws-c-io",       "event-loop",     "socket",         "socket-handler",
    "tls-handler",    "alpn",           "dns",            "pki-utils",
    "channel",        "channel-bootstrap", "file-utils",  "shared-library",
    "exp-backoff-strategy", "standard-retry-strategy", "pkcs11", "pem",
};

constexpr std::array<std::string_view, 7> level_names = {"NONE",  "FATAL", "ERROR", "WARN",
                                                         "INFO",  "DEBUG", "TRACE"};

std::mutex &logger_mutex() {
    static std::mutex m;
    return m;
}

std::shared_ptr<logger> &logger_slot() {
    static std::shared_ptr<logger> slot;
    return slot;
}

} // namespace

logger::~logger() = default;

std::string_view log_subject_name(log_subject s) noexcept {
    const auto v = static_cast<std::uint32_t>(s);
    if (v < log_subject_first || v >= log_subject_first + log_subject_count) {
        return "unknown";
    }
    return subject_names[v - log_subject_first];
}

std::string_view log_level_name(log_level l) noexcept {
    const auto v = static_cast<int>(l);
    if (v < 0 || v >= static_cast<int>(level_names.size())) {
        return "UNKNOWN";
    }
    return level_names[static_cast<std::size_t>(v)];
}

std::optional<log_level> parse_log_level(std::string_view text) noexcept {
    if (text.size() == 1 && text[0] >= '0' && text[0] <= '6') {
        return static_cast<log_level>(text[0] - '0');
    }
    for (std::size_t i = 0; i < level_names.size(); ++i) {
        const std::string_view name = level_names[i];
        if (name.size() != text.size()) {
            continue;
        }
        bool same = true;
        for (std::size_t j = 0; j < name.size() && same; ++j) {
            same = std::toupper(static_cast<unsigned char>(text[j])) == name[j];
        }
        if (same) {
            return static_cast<log_level>(i);
        }
    }
    if (text.size() == 7) { // aws-c-common also accepts "warning"
        std::string upper(text);
        for (char &c : upper) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (upper == "WARNING") {
            return log_level::warn;
        }
    }
    return std::nullopt;
}

std::optional<log_level> log_level_from_env() noexcept {
    const char *v = std::getenv("AWSIO_LOG_LEVEL");
    if (v == nullptr) {
        return std::nullopt;
    }
    return parse_log_level(v);
}

stream_logger::stream_logger(log_level level, std::FILE *stream) noexcept
    : level_(level), stream_(stream) {}

void stream_logger::log(log_level level, log_subject subject, std::string_view message) {
    if (stream_ == nullptr) {
        return;
    }
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm utc{};
    gmtime_r(&ts.tv_sec, &utc);
    char when[64];
    std::snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  ts.tv_nsec / 1000000);
    const auto tid = std::hash<std::thread::id>{}(std::this_thread::get_id());
    const std::string_view lvl = log_level_name(level);
    const std::string_view subj = log_subject_name(subject);
    static std::mutex write_mutex;
    std::lock_guard<std::mutex> lock(write_mutex);
    std::fprintf(stream_, "[%.*s] [%s] [%016zx] [%.*s] - %.*s\n", static_cast<int>(lvl.size()),
                 lvl.data(), when, static_cast<std::size_t>(tid), static_cast<int>(subj.size()),
                 subj.data(), static_cast<int>(message.size()), message.data());
    std::fflush(stream_);
}

file_logger::file_logger(log_level level, const std::string &path)
    : stream_logger(level, nullptr), file_(std::fopen(path.c_str(), "ae")) {
    set_stream(file_);
}

file_logger::~file_logger() {
    if (file_ != nullptr) {
        std::fclose(file_);
    }
}

void set_logger(std::shared_ptr<logger> l) {
    std::lock_guard<std::mutex> lock(logger_mutex());
    const int threshold = l ? static_cast<int>(l->level()) : static_cast<int>(log_level::none);
    logger_slot() = std::move(l);
    detail::log_threshold.store(threshold, std::memory_order_relaxed);
}

std::shared_ptr<logger> get_logger() {
    std::lock_guard<std::mutex> lock(logger_mutex());
    return logger_slot();
}

namespace detail {

void log_printf(log_level level, log_subject subject, const char *fmt, ...) {
    std::shared_ptr<logger> l = get_logger();
    if (!l || static_cast<int>(level) > static_cast<int>(l->level())) {
        return;
    }
    char stack_buf[512];
    va_list args;
    va_start(args, fmt);
    va_list copy;
    va_copy(copy, args);
    const int needed = std::vsnprintf(stack_buf, sizeof(stack_buf), fmt, args);
    va_end(args);
    if (needed < 0) {
        va_end(copy);
        return;
    }
    if (static_cast<std::size_t>(needed) < sizeof(stack_buf)) {
        va_end(copy);
        l->log(level, subject, std::string_view(stack_buf, static_cast<std::size_t>(needed)));
        return;
    }
    std::string big(static_cast<std::size_t>(needed) + 1, '\0');
    std::vsnprintf(big.data(), big.size(), fmt, copy);
    va_end(copy);
    big.resize(static_cast<std::size_t>(needed));
    l->log(level, subject, big);
}

} // namespace detail
} // namespace awsio
