// Error categories for io_errc / common_errc, their names and messages, the classifiers, and
// the errno / getaddrinfo mappings aws-c-io applies on POSIX.
#include <awsio/error.hpp>

#include <array>
#include <cerrno>
#include <netdb.h>
#include <string>

namespace awsio {
namespace {

struct error_info {
    std::string_view name;
    std::string_view message;
};

constexpr std::array<error_info, io_errc_count> io_infos = {{
#define AWSIO_X(member, value, name, message) {name, message},
    AWSIO_IO_ERROR_LIST(AWSIO_X)
#undef AWSIO_X
}};

constexpr error_info common_infos[] = {
#define AWSIO_X(member, value, name, message) {name, message},
    AWSIO_COMMON_ERROR_LIST(AWSIO_X)
#undef AWSIO_X
};
constexpr int common_count = static_cast<int>(std::size(common_infos));

// The X-macro order is the numbering: make sure no entry was dropped or reordered.
#define AWSIO_X(member, value, name, message)                                                  \
    static_assert(static_cast<int>(io_errc::member) == value);
AWSIO_IO_ERROR_LIST(AWSIO_X)
#undef AWSIO_X
static_assert(static_cast<int>(io_errc::dns_query_again) == io_errc_last);

const error_info *io_info(int value) noexcept {
    if (value < io_errc_first || value > io_errc_last) {
        return nullptr;
    }
    return &io_infos[static_cast<std::size_t>(value - io_errc_first)];
}

const error_info *common_info(int value) noexcept {
    if (value < 0 || value >= common_count) {
        return nullptr;
    }
    return &common_infos[value];
}

class io_category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "aws-c-io"; }
    std::string message(int value) const override {
        const error_info *info = io_info(value);
        return info ? std::string(info->message) : std::string("Unknown aws-c-io error");
    }
    std::error_condition default_error_condition(int value) const noexcept override {
        return {value, *this};
    }
    bool equivalent(int value, const std::error_condition &cond) const noexcept override {
        if (cond.category() == io_condition_category()) {
            std::error_code ec(value, *this);
            switch (static_cast<io_condition>(cond.value())) {
            case io_condition::retryable:
                return is_retryable(ec);
            case io_condition::tls:
                return is_tls_error(ec);
            case io_condition::dns:
                return is_dns_error(ec);
            }
            return false;
        }
        return std::error_category::equivalent(value, cond);
    }
};

class common_category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "aws-c-common"; }
    std::string message(int value) const override {
        const error_info *info = common_info(value);
        return info ? std::string(info->message) : std::string("Unknown aws-c-common error");
    }
};

class condition_category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "awsio-condition"; }
    std::string message(int value) const override {
        switch (static_cast<io_condition>(value)) {
        case io_condition::retryable:
            return "retryable IO error";
        case io_condition::tls:
            return "TLS error";
        case io_condition::dns:
            return "DNS error";
        }
        return "unknown condition";
    }
};

} // namespace

const std::error_category &io_category() noexcept {
    static const io_category_impl instance;
    return instance;
}

const std::error_category &common_category() noexcept {
    static const common_category_impl instance;
    return instance;
}

const std::error_category &io_condition_category() noexcept {
    static const condition_category_impl instance;
    return instance;
}

std::string_view error_name(std::error_code ec) noexcept {
    if (!ec) {
        return "AWS_ERROR_SUCCESS";
    }
    const error_info *info = nullptr;
    if (ec.category() == io_category()) {
        info = io_info(ec.value());
    } else if (ec.category() == common_category()) {
        info = common_info(ec.value());
    }
    return info ? info->name : std::string_view("UNKNOWN");
}

std::string_view error_str(std::error_code ec) noexcept {
    if (!ec) {
        return "Success.";
    }
    const error_info *info = nullptr;
    if (ec.category() == io_category()) {
        info = io_info(ec.value());
    } else if (ec.category() == common_category()) {
        info = common_info(ec.value());
    }
    return info ? info->message : std::string_view("Unknown error");
}

bool is_retryable(std::error_code ec) noexcept {
    if (ec.category() != io_category()) {
        return false;
    }
    switch (static_cast<io_errc>(ec.value())) {
    case io_errc::socket_closed:
    case io_errc::socket_connect_aborted:
    case io_errc::socket_connection_refused:
    case io_errc::socket_network_down:
    case io_errc::dns_query_again:
    case io_errc::dns_no_address_for_host:
    case io_errc::socket_timeout:
    case io_errc::tls_negotiation_timeout:
        return true;
    default:
        return false;
    }
}

bool is_tls_error(std::error_code ec) noexcept {
    if (ec.category() != io_category()) {
        return false;
    }
    const int v = ec.value();
    return (v >= 1029 && v <= 1035) || (v >= 1067 && v <= 1068) || (v >= 1071 && v <= 1072) ||
           v == 1178 || (v >= 1181 && v <= 1194);
}

bool is_dns_error(std::error_code ec) noexcept {
    if (ec.category() != io_category()) {
        return false;
    }
    const int v = ec.value();
    return (v >= static_cast<int>(io_errc::dns_query_failed) &&
            v <= static_cast<int>(io_errc::dns_host_removed_from_cache)) ||
           v == static_cast<int>(io_errc::dns_query_again);
}

std::error_code socket_error_from_errno(int e) noexcept {
    switch (e) {
    case ECONNREFUSED:
        return io_errc::socket_connection_refused;
    case ECONNRESET:
    case EPIPE:
        return io_errc::socket_closed;
    case ETIMEDOUT:
        return io_errc::socket_timeout;
    case EHOSTUNREACH:
    case ENETUNREACH:
        return io_errc::socket_no_route_to_host;
    case EADDRNOTAVAIL:
        return io_errc::socket_invalid_address;
    case ENETDOWN:
        return io_errc::socket_network_down;
    case ECONNABORTED:
        return io_errc::socket_connect_aborted;
    case EADDRINUSE:
        return io_errc::socket_address_in_use;
    case ENOBUFS:
    case ENOMEM:
        return common_errc::oom;
    case EAGAIN:
        return io_errc::read_would_block;
    case EMFILE:
    case ENFILE:
        return common_errc::max_fds_exceeded;
    case ENOENT:
    case EINVAL:
        return common_errc::file_invalid_path;
    case EAFNOSUPPORT:
        return io_errc::socket_unsupported_address_family;
    case EACCES:
        return common_errc::no_permission;
    default:
        return io_errc::socket_not_connected;
    }
}

std::error_code io_error_from_errno(int e) noexcept {
    switch (e) {
    case 0:
        return {};
    case ENOENT:
    case ENAMETOOLONG:
    case EINVAL:
    case ENOTDIR:
    case EISDIR:
        return common_errc::file_invalid_path;
    case EMFILE:
    case ENFILE:
        return common_errc::max_fds_exceeded;
    case ENOMEM:
        return common_errc::oom;
    case ENOSPC:
        return common_errc::no_space;
    case EACCES:
    case EPERM:
        return common_errc::no_permission;
    case EBADF:
        return common_errc::invalid_file_handle;
    case ENOTEMPTY:
        return common_errc::directory_not_empty;
    case EINTR:
        return common_errc::operation_interupted;
    default:
        return common_errc::sys_call_failure;
    }
}

std::error_code dns_error_from_gai(int g) noexcept {
    switch (g) {
    case 0:
        return {};
    case EAI_AGAIN:
        return io_errc::dns_query_again;
    case EAI_FAIL:
        return io_errc::dns_query_failed;
    case EAI_NONAME:
    case EAI_SERVICE:
        return io_errc::dns_invalid_name;
#ifdef EAI_NODATA
    case EAI_NODATA:
        return io_errc::dns_no_address_for_host;
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
        return io_errc::dns_no_address_for_host;
#endif
    case EAI_MEMORY:
        return common_errc::oom;
    case EAI_SYSTEM:
        return io_error_from_errno(errno);
    default:
        return io_errc::dns_query_failed;
    }
}

} // namespace awsio
