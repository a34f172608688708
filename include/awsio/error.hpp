// awsio/error.hpp — error values. Mirrors aws-c-io's io.h error enum (aws_io_errors) and the
// aws-c-common codes aws-c-io reports (aws_common_error).
//
// Every fallible awsio call reports a std::error_code. Codes raised by awsio belong to one of
// two categories:
//   * io_category()     name "aws-c-io": io_errc, aws-c-io's 172 values 1024..1195, same
//                       numbers and order as aws_io_errors.
//   * common_category() name "aws-c-common": common_errc, aws-c-common's values 0..55 that
//                       aws-c-io itself raises (invalid_argument, invalid_state, ...).
// Error conditions (io_condition) group codes the way aws-c-io's classifiers do:
//   retryable  == aws_io_error_code_is_retryable()
//   tls        == aws_error_code_is_tls()
//   dns        == the AWS_IO_DNS_* codes
#pragma once

#include <awsio/detail/error_list.inc>
#include <awsio/export.hpp>

#include <string_view>
#include <system_error>

namespace awsio {

/// aws-c-io's error codes (enum aws_io_errors). Member = aws-c-io name without its
/// AWS_IO_ / AWS_ERROR_IO_ / AWS_ERROR_ prefix, in lower case.
enum class io_errc : int {
#define AWSIO_X(member, value, name, message) member = value,
    AWSIO_IO_ERROR_LIST(AWSIO_X)
#undef AWSIO_X
};

/// The aws-c-common codes that aws-c-io reports (enum aws_common_error, 0..55).
enum class common_errc : int {
#define AWSIO_X(member, value, name, message) member = value,
    AWSIO_COMMON_ERROR_LIST(AWSIO_X)
#undef AWSIO_X
};

/// First and last io_errc values (AWS_ERROR_ENUM_BEGIN_RANGE(1) and the last defined code).
inline constexpr int io_errc_first = 1024;
inline constexpr int io_errc_last = 1195;
inline constexpr int io_errc_count = io_errc_last - io_errc_first + 1;

/// Groupings used by retry logic and callers (aws-c-io's classifier functions).
enum class io_condition : int {
    retryable = 1, ///< aws_io_error_code_is_retryable
    tls,           ///< aws_error_code_is_tls
    dns,           ///< AWS_IO_DNS_*
};

/// Category of io_errc; name() is "aws-c-io". Thread-safe, a singleton.
AWSIO_API const std::error_category &io_category() noexcept;
/// Category of common_errc; name() is "aws-c-common".
AWSIO_API const std::error_category &common_category() noexcept;
/// Category of io_condition; name() is "awsio-condition".
AWSIO_API const std::error_category &io_condition_category() noexcept;

inline std::error_code make_error_code(io_errc e) noexcept {
    return {static_cast<int>(e), io_category()};
}
inline std::error_code make_error_code(common_errc e) noexcept {
    return {static_cast<int>(e), common_category()};
}
inline std::error_condition make_error_condition(io_condition c) noexcept {
    return {static_cast<int>(c), io_condition_category()};
}

/// The aws-c-io / aws-c-common upper-case name of a code ("AWS_IO_TLS_HOST_NAME_MISMATCH").
/// Codes of other categories give "UNKNOWN"; a zero code gives "AWS_ERROR_SUCCESS".
AWSIO_API std::string_view error_name(std::error_code ec) noexcept;

/// The aws-c-io message of a code (same as ec.message() for awsio's categories).
AWSIO_API std::string_view error_str(std::error_code ec) noexcept;

/// aws_io_error_code_is_retryable: SOCKET_CLOSED, SOCKET_CONNECT_ABORTED,
/// SOCKET_CONNECTION_REFUSED, SOCKET_NETWORK_DOWN, DNS_QUERY_AGAIN, DNS_NO_ADDRESS_FOR_HOST,
/// SOCKET_TIMEOUT, TLS_NEGOTIATION_TIMEOUT.
AWSIO_API bool is_retryable(std::error_code ec) noexcept;
/// aws_error_code_is_tls: TLS codes 1029–1035, 1067–1068, 1071–1072, 1178, 1181–1194.
AWSIO_API bool is_tls_error(std::error_code ec) noexcept;
/// The AWS_IO_DNS_* codes (1058–1061, 1195).
AWSIO_API bool is_dns_error(std::error_code ec) noexcept;

/// Maps an errno value the way aws-c-io's POSIX socket code does (ECONNREFUSED ->
/// socket_connection_refused, ECONNRESET -> socket_closed, ...; unknown -> socket_not_connected).
AWSIO_API std::error_code socket_error_from_errno(int errno_value) noexcept;
/// Maps an errno value the way aws-c-common's aws_translate_and_raise_io_error does for file
/// and general IO (ENOENT -> file_invalid_path, EACCES -> no_permission, ...; unknown ->
/// sys_call_failure).
AWSIO_API std::error_code io_error_from_errno(int errno_value) noexcept;
/// Maps a getaddrinfo() result (EAI_*) to the AWS_IO_DNS_* code aws-c-io reports.
AWSIO_API std::error_code dns_error_from_gai(int gai_error) noexcept;

} // namespace awsio

template <>
struct std::is_error_code_enum<awsio::io_errc> : std::true_type {};
template <>
struct std::is_error_code_enum<awsio::common_errc> : std::true_type {};
template <>
struct std::is_error_condition_enum<awsio::io_condition> : std::true_type {};
