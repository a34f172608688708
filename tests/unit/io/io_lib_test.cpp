// Port of aws-c-io tests/io_lib_test.c plus the error model and logging.
#include <awsio/error.hpp>
#include <awsio/io.hpp>
#include <awsio/logging.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>
#include <netdb.h>
#include <set>
#include <string>

using namespace awsio;

TEST(io_lib, io_library_init) {
    io_library_init();
    EXPECT_TRUE(io_library_initialized());
    io_library_clean_up();
    EXPECT_FALSE(io_library_initialized());
}

TEST(io_lib, io_library_init_cleanup_init_cleanup) {
    io_library_init();
    io_library_clean_up();
    io_library_init();
    // nested: the inner clean-up does not tear down
    io_library_init();
    io_library_clean_up();
    EXPECT_TRUE(io_library_initialized());
    io_library_clean_up();
    EXPECT_FALSE(io_library_initialized());
    {
        io_library guard;
        EXPECT_TRUE(io_library_initialized());
    }
    EXPECT_FALSE(io_library_initialized());
}

TEST(io_lib, io_library_error_order) {
    io_library guard;
    EXPECT_EQ(1024, static_cast<int>(io_errc::channel_error_error_cant_accept_input));
    EXPECT_EQ(1067, static_cast<int>(io_errc::tls_negotiation_timeout));
    EXPECT_EQ(1194, static_cast<int>(io_errc::tls_host_name_mismatch));
    EXPECT_EQ(1195, static_cast<int>(io_errc::dns_query_again));
    EXPECT_EQ(172, io_errc_count);
    EXPECT_EQ(1078, static_cast<int>(io_errc::pkcs11_ckr_cancel));
    EXPECT_EQ(1170, static_cast<int>(io_errc::pkcs11_ckr_function_rejected));
    EXPECT_EQ(1171, static_cast<int>(io_errc::pinned_event_loop_mismatch));
    EXPECT_EQ(1179, static_cast<int>(io_errc::pem_malformed));
    EXPECT_EQ(1064, static_cast<int>(io_errc::deprecated_invalid_file_handle));
}

TEST(error_model, names_and_messages_are_complete_and_unique) {
    std::set<std::string> names;
    for (int v = io_errc_first; v <= io_errc_last; ++v) {
        const std::error_code ec(v, io_category());
        const std::string name(error_name(ec));
        EXPECT_NE(name, "UNKNOWN") << v;
        EXPECT_TRUE(name.rfind("AWS_", 0) == 0 || name.rfind("DEPRECATED_AWS_", 0) == 0) << name;
        EXPECT_FALSE(ec.message().empty());
        EXPECT_NE(ec.message(), "Unknown aws-c-io error");
        names.insert(name);
    }
    EXPECT_EQ(names.size(), static_cast<std::size_t>(io_errc_count));
    EXPECT_EQ(error_name(io_errc::tls_host_name_mismatch), "AWS_IO_TLS_HOST_NAME_MISMATCH");
    EXPECT_EQ(error_name(io_errc::pkcs11_ckr_cancel), "AWS_ERROR_PKCS11_CKR_CANCEL");
    EXPECT_EQ(error_name(io_errc::event_loop_thread_only), "AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY");
    EXPECT_EQ(error_name(io_errc::pem_malformed), "AWS_ERROR_PEM_MALFORMED");
    EXPECT_EQ(error_name(common_errc::invalid_argument), "AWS_ERROR_INVALID_ARGUMENT");
    EXPECT_EQ(error_name(std::error_code(1400, io_category())), "UNKNOWN");
    EXPECT_EQ(error_name(std::make_error_code(std::errc::io_error)), "UNKNOWN");
    EXPECT_EQ(error_name(std::error_code()), "AWS_ERROR_SUCCESS");
    EXPECT_STREQ(io_category().name(), "aws-c-io");
    EXPECT_STREQ(common_category().name(), "aws-c-common");
    EXPECT_EQ(std::error_code(io_errc::socket_closed).message(), "socket is closed.");
    EXPECT_EQ(error_str(io_errc::socket_timeout), "socket operation timed out.");
}

TEST(error_model, common_codes_keep_aws_c_common_numbers) {
    EXPECT_EQ(0, static_cast<int>(common_errc::success));
    EXPECT_EQ(1, static_cast<int>(common_errc::oom));
    EXPECT_EQ(3, static_cast<int>(common_errc::unknown));
    EXPECT_EQ(4, static_cast<int>(common_errc::short_buffer));
    EXPECT_EQ(34, static_cast<int>(common_errc::invalid_argument));
    EXPECT_EQ(38, static_cast<int>(common_errc::invalid_state));
    EXPECT_EQ(53, static_cast<int>(common_errc::platform_not_supported));
}

TEST(error_model, retryable_condition_matches_aws_io_error_code_is_retryable) {
    const std::set<io_errc> retryable = {
        io_errc::socket_closed,          io_errc::socket_connect_aborted,
        io_errc::socket_connection_refused, io_errc::socket_network_down,
        io_errc::dns_query_again,        io_errc::dns_no_address_for_host,
        io_errc::socket_timeout,         io_errc::tls_negotiation_timeout};
    for (int v = io_errc_first; v <= io_errc_last; ++v) {
        const auto e = static_cast<io_errc>(v);
        const std::error_code ec = e;
        EXPECT_EQ(is_retryable(ec), retryable.count(e) == 1) << error_name(ec);
        EXPECT_EQ(ec == io_condition::retryable, retryable.count(e) == 1) << error_name(ec);
    }
    EXPECT_FALSE(std::error_code(common_errc::oom) == io_condition::retryable);
}

TEST(error_model, tls_condition_matches_aws_error_code_is_tls) {
    int count = 0;
    for (int v = io_errc_first; v <= io_errc_last; ++v) {
        const std::error_code ec(v, io_category());
        if (ec == io_condition::tls) {
            ++count;
            EXPECT_TRUE(is_tls_error(ec));
        }
    }
    // 1029-1035 (7) + 1067-1068 (2) + 1071-1072 (2) + 1178 (1) + 1181-1194 (14)
    EXPECT_EQ(count, 26);
    EXPECT_TRUE(std::error_code(io_errc::tls_host_name_mismatch) == io_condition::tls);
    EXPECT_FALSE(std::error_code(io_errc::socket_closed) == io_condition::tls);
    EXPECT_TRUE(std::error_code(io_errc::dns_query_again) == io_condition::dns);
    EXPECT_TRUE(std::error_code(io_errc::dns_invalid_name) == io_condition::dns);
    EXPECT_FALSE(std::error_code(io_errc::stream_read_failed) == io_condition::dns);
}

TEST(error_model, errno_maps_as_aws_c_io_posix_socket) {
    EXPECT_EQ(socket_error_from_errno(ECONNREFUSED), io_errc::socket_connection_refused);
    EXPECT_EQ(socket_error_from_errno(ECONNRESET), io_errc::socket_closed);
    EXPECT_EQ(socket_error_from_errno(ETIMEDOUT), io_errc::socket_timeout);
    EXPECT_EQ(socket_error_from_errno(EHOSTUNREACH), io_errc::socket_no_route_to_host);
    EXPECT_EQ(socket_error_from_errno(ENETUNREACH), io_errc::socket_no_route_to_host);
    EXPECT_EQ(socket_error_from_errno(EADDRNOTAVAIL), io_errc::socket_invalid_address);
    EXPECT_EQ(socket_error_from_errno(ENETDOWN), io_errc::socket_network_down);
    EXPECT_EQ(socket_error_from_errno(ECONNABORTED), io_errc::socket_connect_aborted);
    EXPECT_EQ(socket_error_from_errno(EADDRINUSE), io_errc::socket_address_in_use);
    EXPECT_EQ(socket_error_from_errno(ENOMEM), common_errc::oom);
    EXPECT_EQ(socket_error_from_errno(EAGAIN), io_errc::read_would_block);
    EXPECT_EQ(socket_error_from_errno(EMFILE), common_errc::max_fds_exceeded);
    EXPECT_EQ(socket_error_from_errno(EAFNOSUPPORT), io_errc::socket_unsupported_address_family);
    EXPECT_EQ(socket_error_from_errno(EACCES), common_errc::no_permission);
    EXPECT_EQ(socket_error_from_errno(EPROTO), io_errc::socket_not_connected);
    EXPECT_EQ(io_error_from_errno(ENOENT), common_errc::file_invalid_path);
    EXPECT_EQ(io_error_from_errno(EACCES), common_errc::no_permission);
    EXPECT_EQ(io_error_from_errno(EIO), common_errc::sys_call_failure);
    EXPECT_FALSE(io_error_from_errno(0));
}

TEST(error_model, getaddrinfo_errors_map_to_dns_codes) {
    EXPECT_EQ(dns_error_from_gai(EAI_AGAIN), io_errc::dns_query_again);
    EXPECT_EQ(dns_error_from_gai(EAI_FAIL), io_errc::dns_query_failed);
    EXPECT_EQ(dns_error_from_gai(EAI_NONAME), io_errc::dns_invalid_name);
    EXPECT_EQ(dns_error_from_gai(EAI_MEMORY), common_errc::oom);
    EXPECT_FALSE(dns_error_from_gai(0));
}

namespace {
class capture_logger final : public logger {
public:
    explicit capture_logger(log_level l) : level_(l) {}
    log_level level() const noexcept override { return level_; }
    void log(log_level level, log_subject subject, std::string_view message) override {
        lines.push_back(std::string(log_level_name(level)) + " " +
                        std::string(log_subject_name(subject)) + " " + std::string(message));
    }
    std::vector<std::string> lines;

private:
    log_level level_;
};
} // namespace

TEST(logging, subjects_keep_aws_c_io_ids_and_names) {
    EXPECT_EQ(static_cast<int>(log_subject::io_general), 1024);
    EXPECT_EQ(log_subject_name(log_subject::io_general), "aws-c-io");
    EXPECT_EQ(log_subject_name(log_subject::event_loop), "event-loop");
    EXPECT_EQ(log_subject_name(log_subject::tls), "tls-handler");
    EXPECT_EQ(log_subject_name(log_subject::standard_retry_strategy), "standard-retry-strategy");
    EXPECT_EQ(static_cast<int>(log_subject::pem), 1039);
    EXPECT_EQ(log_subject_name(log_subject::pem), "pem");
    EXPECT_EQ(log_subject_name(static_cast<log_subject>(2000)), "unknown");
}

TEST(logging, level_filtering_and_formatting) {
    auto cap = std::make_shared<capture_logger>(log_level::info);
    set_logger(cap);
    AWSIO_LOGF_INFO(log_subject::socket, "fd=%d", 7);
    AWSIO_LOGF_DEBUG(log_subject::socket, "hidden %d", 1);
    int evaluated = 0;
    AWSIO_LOGF_TRACE(log_subject::socket, "%d", ++evaluated); // arguments not evaluated
    const std::string big(2000, 'x');
    AWSIO_LOGF_ERROR(log_subject::tls, "%s", big.c_str());
    set_logger(nullptr);
    AWSIO_LOGF_FATAL(log_subject::socket, "after uninstall");
    ASSERT_EQ(cap->lines.size(), 2u);
    EXPECT_EQ(cap->lines[0], "INFO socket fd=7");
    EXPECT_EQ(cap->lines[1], "ERROR tls-handler " + big);
    EXPECT_EQ(evaluated, 0);
}

TEST(logging, parse_levels_and_env) {
    EXPECT_EQ(parse_log_level("trace"), log_level::trace);
    EXPECT_EQ(parse_log_level("WARN"), log_level::warn);
    EXPECT_EQ(parse_log_level("Warning"), log_level::warn);
    EXPECT_EQ(parse_log_level("4"), log_level::info);
    EXPECT_EQ(parse_log_level("loud"), std::nullopt);
    EXPECT_EQ(parse_log_level("7"), std::nullopt);
    ::setenv("AWSIO_LOG_LEVEL", "debug", 1);
    EXPECT_EQ(log_level_from_env(), log_level::debug);
    ASSERT_EQ(get_logger(), nullptr);
    io_library_init();
    auto l = get_logger();
    ASSERT_NE(l, nullptr);
    EXPECT_EQ(l->level(), log_level::debug);
    io_library_clean_up();
    EXPECT_EQ(get_logger(), nullptr);
    ::unsetenv("AWSIO_LOG_LEVEL");
}

TEST(logging, file_logger_writes_lines) {
    const std::string path = ::testing::TempDir() + "awsio_log_test.txt";
    std::remove(path.c_str());
    {
        auto fl = std::make_shared<file_logger>(log_level::warn, path);
        ASSERT_TRUE(fl->ok());
        set_logger(fl);
        AWSIO_LOGF_WARN(log_subject::dns, "lookup %s failed", "example");
        AWSIO_LOGF_INFO(log_subject::dns, "not written");
        set_logger(nullptr);
    }
    std::FILE *f = std::fopen(path.c_str(), "r");
    ASSERT_NE(f, nullptr);
    char buf[512] = {};
    const std::size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
    std::fclose(f);
    const std::string text(buf, n);
    EXPECT_NE(text.find("[WARN]"), std::string::npos);
    EXPECT_NE(text.find("[dns] - lookup example failed"), std::string::npos);
    EXPECT_EQ(text.find("not written"), std::string::npos);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
    file_logger bad(log_level::info, "/nonexistent-dir/x/y.log");
    EXPECT_FALSE(bad.ok());
}

TEST(io_lib, managed_threads_are_reaped_and_joined) {
    io_library guard;
    std::atomic<int> ran{0};
    for (int i = 0; i < 50; ++i) {
        spawn_managed_thread([&ran] { ++ran; }, "AwsioTestThread");
        // let it finish so the next spawn can reap it
        for (int spin = 0; spin < 100000 && ran.load() <= i; ++spin) {
            std::this_thread::yield();
        }
    }
    // Finished threads do not pile up: each spawn reaps the ones that are done, so the count
    // drops back to a handful (bounded retries; no timing assumption).
    int spawned = 50;
    for (int attempt = 0; attempt < 2000 && detail::managed_thread_count() > 2; ++attempt) {
        spawn_managed_thread([&ran] { ++ran; }, "AwsioTestThread");
        ++spawned;
        std::this_thread::yield();
    }
    EXPECT_LE(detail::managed_thread_count(), 2u);
    join_all_managed_threads();
    EXPECT_EQ(ran.load(), spawned);
    EXPECT_EQ(detail::managed_thread_count(), 0u);
}
