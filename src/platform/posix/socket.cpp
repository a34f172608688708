// POSIX sockets on event loops (the behaviour of aws-c-io's source/posix/socket.c): non-blocking
// connect raced against a timeout task, accept loops, FIFO writes completed from a task, edge-
// triggered readable notifications, and close() that settles every pending write before it
// returns.
#include <awsio/channel.hpp>
#include <awsio/logging.hpp>
#include <awsio/socket.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <mutex>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#if defined(__linux__)
#    include <linux/vm_sockets.h>
#    define AWSIO_HAVE_VSOCK 1
#endif

namespace awsio {
namespace {

// Apart from connected_read | connected_write, a socket is in exactly one of these states.
enum socket_state : int {
    state_init = 0x01,
    state_connecting = 0x02,
    state_connected_read = 0x04,
    state_connected_write = 0x08,
    state_bound = 0x10,
    state_listening = 0x20,
    state_timedout = 0x40,
    state_error = 0x80,
    state_closed = 0x100,
};

constexpr std::uint64_t ns_per_ms = 1000000;

int to_os_domain(socket_domain d) noexcept {
    switch (d) {
    case socket_domain::ipv4:
        return AF_INET;
    case socket_domain::ipv6:
        return AF_INET6;
    case socket_domain::local:
        return AF_UNIX;
    case socket_domain::vsock:
#if defined(AWSIO_HAVE_VSOCK)
        return AF_VSOCK;
#else
        return -1;
#endif
    }
    return -1;
}

int to_os_type(socket_type t) noexcept { return t == socket_type::dgram ? SOCK_DGRAM : SOCK_STREAM; }

bool would_block(int e) noexcept { return e == EAGAIN || e == EWOULDBLOCK; }

// Non-blocking and close-on-exec. (FD_CLOEXEC is a descriptor flag: it goes through F_SETFD.)
void make_nonblocking_cloexec(int fd) noexcept {
    const int fl = ::fcntl(fd, F_GETFL, 0);
    if (fl >= 0) {
        (void)::fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
    const int fdfl = ::fcntl(fd, F_GETFD, 0);
    if (fdfl >= 0) {
        (void)::fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC);
    }
}

#if defined(AWSIO_HAVE_VSOCK)
// A CID in decimal; "-1" means any (VMADDR_CID_ANY).
bool parse_cid(const std::string &text, unsigned int &cid) noexcept {
    if (text.empty()) {
        return false;
    }
    errno = 0;
    char *end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || end == nullptr || *end != '\0') {
        return false;
    }
    if (v == -1) {
        cid = VMADDR_CID_ANY;
        return true;
    }
    if (v < 0 || v > static_cast<long long>(UINT_MAX)) {
        return false;
    }
    cid = static_cast<unsigned int>(v);
    return true;
}
#endif

// Fills storage with the OS address for endpoint; returns its length.
result<socklen_t> make_os_address(socket_domain domain, const socket_endpoint &endpoint, sockaddr_storage &storage) {
    if (endpoint.address.size() >= socket_address_max_len) {
        return common_errc::c_string_buffer_not_null_terminated;
    }
    storage = sockaddr_storage{};
    int pton = 1;
    socklen_t len = 0;
    switch (domain) {
    case socket_domain::ipv4: {
        auto *sin = reinterpret_cast<sockaddr_in *>(&storage);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(static_cast<std::uint16_t>(endpoint.port));
        pton = ::inet_pton(AF_INET, endpoint.address.c_str(), &sin->sin_addr);
        len = sizeof(sockaddr_in);
        break;
    }
    case socket_domain::ipv6: {
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(static_cast<std::uint16_t>(endpoint.port));
        pton = ::inet_pton(AF_INET6, endpoint.address.c_str(), &sin6->sin6_addr);
        len = sizeof(sockaddr_in6);
        break;
    }
    case socket_domain::local: {
        auto *sun = reinterpret_cast<sockaddr_un *>(&storage);
        sun->sun_family = AF_UNIX;
        std::memcpy(sun->sun_path, endpoint.address.data(), endpoint.address.size());
        len = sizeof(sockaddr_un);
        break;
    }
    case socket_domain::vsock: {
#if defined(AWSIO_HAVE_VSOCK)
        auto *svm = reinterpret_cast<sockaddr_vm *>(&storage);
        svm->svm_family = AF_VSOCK;
        svm->svm_port = endpoint.port;
        unsigned int cid = 0;
        if (!parse_cid(endpoint.address, cid)) {
            return io_errc::socket_invalid_address;
        }
        svm->svm_cid = cid;
        len = sizeof(sockaddr_vm);
        break;
#else
        return io_errc::socket_unsupported_address_family;
#endif
    }
    }
    if (pton == 0) {
        return io_errc::socket_invalid_address;
    }
    if (pton < 0) {
        return unexpected(socket_error_from_errno(errno));
    }
    return len;
}

// The endpoint an OS address names; nullopt-like error for families we do not know.
result<socket_endpoint> endpoint_from_os_address(const sockaddr_storage &storage, socklen_t len) {
    socket_endpoint ep;
    char text[INET6_ADDRSTRLEN] = {};
    switch (storage.ss_family) {
    case AF_INET: {
        const auto *sin = reinterpret_cast<const sockaddr_in *>(&storage);
        if (::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text)) == nullptr) {
            return unexpected(socket_error_from_errno(errno));
        }
        ep.address = text;
        ep.port = ntohs(sin->sin_port);
        return ep;
    }
    case AF_INET6: {
        const auto *sin6 = reinterpret_cast<const sockaddr_in6 *>(&storage);
        if (::inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text)) == nullptr) {
            return unexpected(socket_error_from_errno(errno));
        }
        ep.address = text;
        ep.port = ntohs(sin6->sin6_port);
        return ep;
    }
    case AF_UNIX: {
        const auto *sun = reinterpret_cast<const sockaddr_un *>(&storage);
        // The kernel may omit the terminator for a full-length path: bound the scan by the
        // length it reported.
        const std::size_t offset = offsetof(sockaddr_un, sun_path);
        const std::size_t avail = len > offset ? std::min<std::size_t>(len - offset, sizeof(sun->sun_path)) : 0;
        std::size_t n = 0;
        while (n < avail && sun->sun_path[n] != '\0') {
            ++n;
        }
        if (n >= socket_address_max_len) {
            return io_errc::socket_invalid_address;
        }
        ep.address.assign(sun->sun_path, n);
        return ep;
    }
#if defined(AWSIO_HAVE_VSOCK)
    case AF_VSOCK: {
        const auto *svm = reinterpret_cast<const sockaddr_vm *>(&storage);
        ep.address = std::to_string(svm->svm_cid);
        ep.port = svm->svm_port;
        return ep;
    }
#endif
    default:
        return io_errc::socket_unsupported_address_family;
    }
}

// Runs fn on loop's thread and waits for it: the escape hatch aws-c-io offers for closing a
// listener (or stopping its accepts) from another thread.
template <typename F>
std::error_code run_on_loop_and_wait(event_loop &loop, F fn) {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::error_code rc;
    task t(
        [&](task_status) {
            const std::error_code r = fn();
            std::lock_guard<std::mutex> lock(mutex);
            rc = r;
            done = true;
            cv.notify_one(); // under the lock: the waiter's stack frame outlives this call
        },
        "socket_blocking_op");
    loop.schedule_task_now(t);
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [&] { return done; });
    return rc;
}

class posix_socket;

// The connect attempt's shared record: the timeout (or immediate-success) task owns it and frees
// it when it runs, whatever happened meanwhile; close() and the connect event detach the socket
// from it by clearing sock.
struct connect_args {
    task t;
    posix_socket *sock = nullptr;
};

class posix_socket final : public socket {
public:
    explicit posix_socket(const socket_options &options) : socket(options) {
        written_task_.set_function([this](task_status) { on_written_task(); }, "socket_written_task");
    }
    ~posix_socket() override;

    std::error_code connect(const socket_endpoint &remote, event_loop &loop,
                            socket_on_connection_result on_connection_result) override;
    std::error_code bind(const socket_endpoint &local) override;
    result<socket_endpoint> get_bound_address() const override;
    std::error_code listen(int backlog) override;
    std::error_code start_accept(event_loop &accept_loop, socket_on_accept_result on_accept_result) override;
    std::error_code stop_accept() override;
    std::error_code close() override;
    std::error_code shutdown_dir(channel_direction dir) override;
    std::error_code set_options(const socket_options &options) override;
    std::error_code assign_to_event_loop(event_loop &loop) override;
    event_loop *get_event_loop() const noexcept override { return loop_; }
    std::error_code subscribe_to_readable_events(socket_on_readable on_readable) override;
    result<std::size_t> read(std::span<std::uint8_t> dst) override;
    std::error_code write(std::span<const std::uint8_t> src, socket_on_write_completed on_completed) override;
    std::error_code write(std::vector<std::uint8_t> bytes, socket_on_write_completed on_completed) override;
    std::error_code get_error() const override;
    bool is_open() const noexcept override { return handle_.fd >= 0; }

    // Opens the descriptor for a new socket and applies the options.
    std::error_code open();

private:
    struct write_request {
        std::vector<std::uint8_t> owned;
        std::span<const std::uint8_t> remaining;
        std::size_t original_len = 0;
        socket_on_write_completed on_completed;
        std::error_code error;
    };

    std::error_code apply_options();
    std::error_code update_local_endpoint();
    std::error_code queue_write(write_request request);
    std::error_code process_write_requests(const write_request *parent);
    void on_written_task();
    void on_socket_event(int events);
    void on_accept_event(int events);
    void invoke_readable(std::error_code ec);
    void on_connection_success();
    void on_connection_error(std::error_code ec);

    static void on_connect_event(connect_args *args, int events);
    static void on_connect_timeout(connect_args *args, task_status status);
    static void on_immediate_connect(connect_args *args, task_status status);

    int state_ = state_init;
    event_loop *loop_ = nullptr;
    connect_args *connect_args_ = nullptr;
    socket_on_connection_result on_connection_result_;
    socket_on_accept_result on_accept_result_;
    socket_on_readable on_readable_;
    bool readable_subscribed_ = false;
    bool currently_subscribed_ = false;
    bool continue_accept_ = false;
    std::deque<write_request> write_queue_;   // not yet fully sent
    std::deque<write_request> written_queue_; // sent (or failed), waiting for written_task_
    task written_task_;
    // Expires when the socket is destroyed: callbacks may destroy it, and code that runs after
    // one checks a weak reference before touching members again.
    std::shared_ptr<char> life_ = std::make_shared<char>('\0');
};

posix_socket::~posix_socket() {
    if (!is_open()) {
        return;
    }
    if (loop_ != nullptr && !loop_->is_on_callers_thread() && state_ != state_listening) {
        // Still subscribed on another thread's loop: only that thread may unsubscribe.
        AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: destroyed off its loop thread, closing there",
                         static_cast<void *>(this), handle_.fd);
        (void)run_on_loop_and_wait(*loop_, [this] { return close(); });
        return;
    }
    (void)close();
}

std::error_code posix_socket::open() {
    const int domain = to_os_domain(options_.domain);
    if (domain < 0) {
        return io_errc::socket_unsupported_address_family;
    }
    const int fd = ::socket(domain, to_os_type(options_.type), 0);
    if (fd < 0) {
        const int e = errno;
        AWSIO_LOGF_ERROR(log_subject::socket, "id=%p: socket() failed with errno %d", static_cast<void *>(this), e);
        return socket_error_from_errno(e);
    }
    AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: initializing with domain %d and type %d",
                     static_cast<void *>(this), fd, static_cast<int>(options_.domain),
                     static_cast<int>(options_.type));
    make_nonblocking_cloexec(fd);
    handle_.fd = fd;
    handle_.additional_data = nullptr;
    return apply_options();
}

std::error_code posix_socket::apply_options() {
    const int fd = handle_.fd;
    int one = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
        AWSIO_LOGF_WARN(log_subject::socket, "id=%p fd=%d: setsockopt(SO_REUSEADDR) failed with errno %d",
                        static_cast<void *>(this), fd, errno);
    }
    const std::string &ifname = options_.network_interface_name;
    if (ifname.size() >= network_interface_name_max || ifname.find('\0') != std::string::npos) {
        AWSIO_LOGF_ERROR(log_subject::socket, "id=%p fd=%d: network_interface_name must be shorter than %zu bytes",
                         static_cast<void *>(this), fd, network_interface_name_max);
        return io_errc::socket_invalid_options;
    }
    if (!ifname.empty()) {
#if defined(SO_BINDTODEVICE)
        if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), static_cast<socklen_t>(ifname.size())) != 0) {
            AWSIO_LOGF_ERROR(log_subject::socket, "id=%p fd=%d: SO_BINDTODEVICE to \"%s\" failed with errno %d",
                             static_cast<void *>(this), fd, ifname.c_str(), errno);
            return io_errc::socket_invalid_options;
        }
#else
        return common_errc::platform_not_supported;
#endif
    }
    // TCP knobs only mean something on TCP sockets.
    const bool tcp = options_.type == socket_type::stream &&
                     (options_.domain == socket_domain::ipv4 || options_.domain == socket_domain::ipv6);
    if (!tcp) {
        return {};
    }
    if (options_.tcp_nodelay != socket_tcp_nodelay::default_) {
        int nodelay = options_.tcp_nodelay == socket_tcp_nodelay::on ? 1 : 0;
        if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof(nodelay)) != 0) {
            AWSIO_LOGF_WARN(log_subject::socket, "id=%p fd=%d: setsockopt(TCP_NODELAY) failed with errno %d",
                            static_cast<void *>(this), fd, errno);
        }
    }
    if (options_.keepalive) {
        if (::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) != 0) {
            AWSIO_LOGF_WARN(log_subject::socket, "id=%p fd=%d: setsockopt(SO_KEEPALIVE) failed with errno %d",
                            static_cast<void *>(this), fd, errno);
        }
    }
    // aws-c-io's naming: the "interval" is the idle time before probing, the "timeout" the
    // time between probes.
    if (options_.keep_alive_interval_sec != 0 && options_.keep_alive_timeout_sec != 0) {
        int idle = options_.keep_alive_interval_sec;
        if (::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) != 0) {
            AWSIO_LOGF_WARN(log_subject::socket, "id=%p fd=%d: setsockopt(TCP_KEEPIDLE) failed with errno %d",
                            static_cast<void *>(this), fd, errno);
        }
        int intvl = options_.keep_alive_timeout_sec;
        if (::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) != 0) {
            AWSIO_LOGF_WARN(log_subject::socket, "id=%p fd=%d: setsockopt(TCP_KEEPINTVL) failed with errno %d",
                            static_cast<void *>(this), fd, errno);
        }
    }
    if (options_.keep_alive_max_failed_probes != 0) {
        int probes = options_.keep_alive_max_failed_probes;
        if (::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof(probes)) != 0) {
            AWSIO_LOGF_WARN(log_subject::socket, "id=%p fd=%d: setsockopt(TCP_KEEPCNT) failed with errno %d",
                            static_cast<void *>(this), fd, errno);
        }
    }
    return {};
}

std::error_code posix_socket::set_options(const socket_options &options) {
    if (options.domain != options_.domain || options.type != options_.type) {
        return io_errc::socket_invalid_options;
    }
    if (!is_open()) {
        return io_errc::socket_closed;
    }
    options_ = options;
    return apply_options();
}

std::error_code posix_socket::update_local_endpoint() {
    sockaddr_storage storage{};
    socklen_t len = sizeof(storage);
    if (::getsockname(handle_.fd, reinterpret_cast<sockaddr *>(&storage), &len) != 0) {
        const int e = errno;
        AWSIO_LOGF_ERROR(log_subject::socket, "id=%p fd=%d: getsockname() failed with errno %d",
                         static_cast<void *>(this), handle_.fd, e);
        return socket_error_from_errno(e);
    }
    auto ep = endpoint_from_os_address(storage, len);
    if (!ep) {
        return ep.error();
    }
    local_endpoint_ = std::move(*ep);
    return {};
}

// ---------------------------------------------------------------------------- connect

std::error_code posix_socket::connect(const socket_endpoint &remote, event_loop &loop,
                                      socket_on_connection_result on_connection_result) {
    AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: beginning connect", static_cast<void *>(this), handle_.fd);
    if (loop_ != nullptr) {
        return io_errc::event_loop_already_assigned;
    }
    if (options_.type != socket_type::dgram) {
        if (!on_connection_result) {
            return common_errc::invalid_argument;
        }
        if (state_ != state_init) {
            return io_errc::socket_illegal_operation_for_state;
        }
    } else if (state_ != state_connected_read && state_ != state_init) {
        // A datagram socket may be bound (readable) first.
        return io_errc::socket_illegal_operation_for_state;
    }
    if (std::error_code ec = validate_port_for_connect(remote.port, options_.domain)) {
        return ec;
    }
    sockaddr_storage storage{};
    auto len = make_os_address(options_.domain, remote, storage);
    if (!len) {
        AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: failed to parse address %s:%u",
                         static_cast<void *>(this), handle_.fd, remote.address.c_str(), remote.port);
        return len.error();
    }

    state_ = state_connecting;
    remote_endpoint_ = remote;
    on_connection_result_ = std::move(on_connection_result);
    auto *args = new connect_args;
    args->sock = this;
    connect_args_ = args;
    // Everything the loop thread may look at is in place before the OS can report completion.
    const std::uint64_t timeout_at =
        loop.current_clock_time() + static_cast<std::uint64_t>(options_.connect_timeout_ms) * ns_per_ms;

    const int rc = ::connect(handle_.fd, reinterpret_cast<const sockaddr *>(&storage), *len);
    const int e = errno;
    loop_ = &loop;
    if (rc == 0) {
        // Connected at once (local sockets, UDP): report it from the loop, with no timeout.
        AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: connected immediately", static_cast<void *>(this),
                         handle_.fd);
        args->t.set_function([args](task_status s) { on_immediate_connect(args, s); }, "socket_connect_success");
        loop.schedule_task_now(args->t);
        return {};
    }
    if (e == EINPROGRESS || e == EALREADY) {
        args->t.set_function([args](task_status s) { on_connect_timeout(args, s); }, "socket_connect_timeout");
        currently_subscribed_ = true;
        // The descriptor turns writable when the handshake finishes (or fails).
        std::error_code ec = loop.subscribe_to_io_events(
            handle_, io_event_writable, [args](event_loop &, io_handle &, int events) { on_connect_event(args, events); });
        if (ec) {
            AWSIO_LOGF_ERROR(log_subject::socket, "id=%p fd=%d: failed to register with the event loop",
                             static_cast<void *>(this), handle_.fd);
            currently_subscribed_ = false;
            loop_ = nullptr;
            connect_args_ = nullptr;
            on_connection_result_ = nullptr;
            delete args;
            return ec;
        }
        // From here the loop thread may already have completed the connection (and the
        // callback may even have destroyed the socket): touch only args and loop.
        loop.schedule_task_future(args->t, timeout_at);
        return {};
    }
    AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: connect failed with errno %d", static_cast<void *>(this),
                     handle_.fd, e);
    loop_ = nullptr;
    connect_args_ = nullptr;
    on_connection_result_ = nullptr;
    state_ = state_error;
    delete args;
    return socket_error_from_errno(e);
}

void posix_socket::on_connect_event(connect_args *args, int events) {
    posix_socket *s = args->sock;
    if (s == nullptr) {
        return; // timed out or closed already; the timeout task frees args
    }
    const bool failed = (events & (io_event_error | io_event_closed)) != 0;
    if (!failed && (events & (io_event_readable | io_event_writable)) != 0) {
        args->sock = nullptr;
        s->connect_args_ = nullptr;
        s->on_connection_success();
        return;
    }
    std::error_code ec = s->get_error();
    if (ec == make_error_code(io_errc::read_would_block)) {
        return; // spurious: another notification will come
    }
    if (!ec) {
        ec = io_errc::socket_not_connected;
    }
    args->sock = nullptr;
    s->connect_args_ = nullptr;
    s->on_connection_error(ec);
}

void posix_socket::on_connect_timeout(connect_args *args, task_status status) {
    if (posix_socket *s = args->sock; s != nullptr) {
        AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: connect timed out", static_cast<void *>(s), s->handle_.fd);
        s->state_ = state_timedout;
        // Canceled means the loop is being destroyed (this thread stands in for it).
        const std::error_code ec = status == task_status::run_ready ? make_error_code(io_errc::socket_timeout)
                                                                    : make_error_code(io_errc::event_loop_shutdown);
        if (s->currently_subscribed_ && s->loop_ != nullptr) {
            (void)s->loop_->unsubscribe_from_io_events(s->handle_);
        }
        s->currently_subscribed_ = false;
        s->loop_ = nullptr;
        // close() drops the callback (a user's close cancels the attempt silently): keep it.
        socket_on_connection_result cb = std::move(s->on_connection_result_);
        (void)s->close(); // detaches args
        s->on_connection_result_ = std::move(cb);
        s->on_connection_error(ec);
    }
    delete args;
}

void posix_socket::on_immediate_connect(connect_args *args, task_status status) {
    if (posix_socket *s = args->sock; s != nullptr) {
        args->sock = nullptr;
        s->connect_args_ = nullptr;
        if (status == task_status::run_ready) {
            s->on_connection_success();
        } else {
            s->loop_ = nullptr;
            s->on_connection_error(io_errc::socket_connect_aborted);
        }
    }
    delete args;
}

void posix_socket::on_connection_success() {
    event_loop *loop = loop_;
    if (currently_subscribed_) {
        (void)loop->unsubscribe_from_io_events(handle_);
        currently_subscribed_ = false;
    }
    loop_ = nullptr;

    int so_error = 0;
    socklen_t so_len = sizeof(so_error);
    if (::getsockopt(handle_.fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) != 0) {
        on_connection_error(socket_error_from_errno(errno));
        return;
    }
    if (so_error != 0) {
        AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: connection error %d", static_cast<void *>(this),
                         handle_.fd, so_error);
        on_connection_error(socket_error_from_errno(so_error));
        return;
    }
    if (std::error_code ec = update_local_endpoint()) {
        on_connection_error(ec);
        return;
    }
    AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: connection success", static_cast<void *>(this), handle_.fd);
    state_ = state_connected_read | state_connected_write;
    if (std::error_code ec = assign_to_event_loop(*loop)) {
        on_connection_error(ec);
        return;
    }
    socket_on_connection_result cb = std::move(on_connection_result_);
    if (cb) {
        cb({});
    }
}

void posix_socket::on_connection_error(std::error_code ec) {
    state_ = state_error;
    AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: connection failure: %s", static_cast<void *>(this),
                     handle_.fd, ec.message().c_str());
    socket_on_connection_result cb = std::move(on_connection_result_);
    if (cb) {
        cb(ec);
    }
}

// ---------------------------------------------------------------------------- bind / listen / accept

std::error_code posix_socket::bind(const socket_endpoint &local) {
    if (state_ != state_init) {
        AWSIO_LOGF_ERROR(log_subject::socket, "id=%p fd=%d: invalid state for bind", static_cast<void *>(this),
                         handle_.fd);
        return io_errc::socket_illegal_operation_for_state;
    }
    if (std::error_code ec = validate_port_for_bind(local.port, options_.domain)) {
        return ec;
    }
    sockaddr_storage storage{};
    auto len = make_os_address(options_.domain, local, storage);
    if (!len) {
        AWSIO_LOGF_ERROR(log_subject::socket, "id=%p fd=%d: failed to parse address %s:%u",
                         static_cast<void *>(this), handle_.fd, local.address.c_str(), local.port);
        return len.error();
    }
    AWSIO_LOGF_INFO(log_subject::socket, "id=%p fd=%d: binding to %s:%u", static_cast<void *>(this), handle_.fd,
                    local.address.c_str(), local.port);
    if (::bind(handle_.fd, reinterpret_cast<const sockaddr *>(&storage), *len) != 0) {
        const int e = errno;
        AWSIO_LOGF_ERROR(log_subject::socket, "id=%p fd=%d: bind failed with errno %d", static_cast<void *>(this),
                         handle_.fd, e);
        state_ = state_error;
        return socket_error_from_errno(e);
    }
    if (std::error_code ec = update_local_endpoint()) {
        state_ = state_error;
        return ec;
    }
    // A bound datagram socket can already receive.
    state_ = options_.type == socket_type::stream ? state_bound : state_connected_read;
    return {};
}

result<socket_endpoint> posix_socket::get_bound_address() const {
    if (local_endpoint_.address.empty()) {
        return io_errc::socket_illegal_operation_for_state;
    }
    return local_endpoint_;
}

std::error_code posix_socket::listen(int backlog) {
    if (state_ != state_bound) {
        AWSIO_LOGF_ERROR(log_subject::socket, "id=%p fd=%d: invalid state for listen: bind first",
                         static_cast<void *>(this), handle_.fd);
        return io_errc::socket_illegal_operation_for_state;
    }
    if (::listen(handle_.fd, backlog) != 0) {
        const int e = errno;
        state_ = state_error;
        return socket_error_from_errno(e);
    }
    state_ = state_listening;
    return {};
}

std::error_code posix_socket::start_accept(event_loop &accept_loop, socket_on_accept_result on_accept_result) {
    if (loop_ != nullptr) {
        return io_errc::event_loop_already_assigned;
    }
    if (state_ != state_listening) {
        return io_errc::socket_illegal_operation_for_state;
    }
    if (!on_accept_result) {
        return common_errc::invalid_argument;
    }
    on_accept_result_ = std::move(on_accept_result);
    loop_ = &accept_loop;
    continue_accept_ = true;
    currently_subscribed_ = true;
    std::error_code ec = accept_loop.subscribe_to_io_events(
        handle_, io_event_readable, [this](event_loop &, io_handle &, int events) { on_accept_event(events); });
    if (ec) {
        continue_accept_ = false;
        currently_subscribed_ = false;
        loop_ = nullptr;
        on_accept_result_ = nullptr;
    }
    return ec;
}

void posix_socket::on_accept_event(int events) {
    if (!continue_accept_ || (events & io_event_readable) == 0) {
        return;
    }
    const std::weak_ptr<char> alive = life_;
    while (continue_accept_) {
        sockaddr_storage in_addr{};
        socklen_t in_len = sizeof(in_addr);
        const int fd = ::accept(handle_.fd, reinterpret_cast<sockaddr *>(&in_addr), &in_len);
        if (fd < 0) {
            const int e = errno;
            if (would_block(e)) {
                break;
            }
            if (e == EINTR) {
                continue;
            }
            socket_on_accept_result cb = std::move(on_accept_result_);
            cb(socket_error_from_errno(e), nullptr);
            if (!alive.expired() && !on_accept_result_) {
                on_accept_result_ = std::move(cb);
            }
            return;
        }
        make_nonblocking_cloexec(fd);
        auto incoming = std::make_unique<posix_socket>(options_);
        incoming->handle_.fd = fd;
        (void)incoming->apply_options();
        incoming->local_endpoint_ = local_endpoint_;
        incoming->state_ = state_connected_read | state_connected_write;
        if (in_addr.ss_family == AF_INET || in_addr.ss_family == AF_INET6) {
            auto ep = endpoint_from_os_address(in_addr, in_len);
            if (ep) {
                incoming->remote_endpoint_ = std::move(*ep);
            } else {
                AWSIO_LOGF_WARN(log_subject::socket, "id=%p fd=%d: could not determine the remote address",
                                static_cast<void *>(this), handle_.fd);
            }
            incoming->options_.domain = in_addr.ss_family == AF_INET ? socket_domain::ipv4 : socket_domain::ipv6;
        } else if (in_addr.ss_family == AF_UNIX) {
            incoming->remote_endpoint_ = local_endpoint_;
            incoming->options_.domain = socket_domain::local;
#if defined(AWSIO_HAVE_VSOCK)
        } else if (in_addr.ss_family == AF_VSOCK) {
            auto ep = endpoint_from_os_address(in_addr, in_len);
            if (ep) {
                incoming->remote_endpoint_ = std::move(*ep);
            }
            incoming->options_.domain = socket_domain::vsock;
#endif
        }
        AWSIO_LOGF_INFO(log_subject::socket, "id=%p fd=%d: incoming connection from %s:%u on fd %d",
                        static_cast<void *>(this), handle_.fd, incoming->remote_endpoint_.address.c_str(),
                        incoming->remote_endpoint_.port, fd);
        // The callback may close or destroy this listener: hold it in this frame while it runs.
        socket_on_accept_result cb = std::move(on_accept_result_);
        cb({}, std::move(incoming));
        if (alive.expired()) {
            return;
        }
        if (!on_accept_result_) {
            on_accept_result_ = std::move(cb);
        }
    }
}

std::error_code posix_socket::stop_accept() {
    if (state_ != state_listening) {
        return io_errc::socket_illegal_operation_for_state;
    }
    if (loop_ != nullptr && !loop_->is_on_callers_thread()) {
        return run_on_loop_and_wait(*loop_, [this] { return stop_accept(); });
    }
    std::error_code ec;
    if (currently_subscribed_) {
        ec = loop_->unsubscribe_from_io_events(handle_);
        currently_subscribed_ = false;
        continue_accept_ = false;
        loop_ = nullptr;
    }
    return ec;
}

// ---------------------------------------------------------------------------- close / shutdown

std::error_code posix_socket::close() {
    AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: closing", static_cast<void *>(this), handle_.fd);
    event_loop *loop = loop_;
    if (loop_ != nullptr) {
        if (!loop_->is_on_callers_thread()) {
            // Only a listener may be closed from elsewhere (aws-c-io's rule); it blocks.
            if (state_ != state_listening) {
                return io_errc::socket_illegal_operation_for_state;
            }
            return run_on_loop_and_wait(*loop_, [this] { return close(); });
        }
        if (currently_subscribed_) {
            if ((state_ & state_listening) != 0) {
                (void)stop_accept();
            } else if (std::error_code ec = loop_->unsubscribe_from_io_events(handle_)) {
                return ec;
            }
            currently_subscribed_ = false;
        }
        loop_ = nullptr;
    }
    continue_accept_ = false;
    if (connect_args_ != nullptr) {
        connect_args_->sock = nullptr; // the pending timeout task will only free it
        connect_args_ = nullptr;
    }
    on_connection_result_ = nullptr;
    if (!is_open()) {
        return {};
    }
    ::close(handle_.fd);
    handle_.fd = -1;
    state_ = state_closed;

    // Settle every write before returning: finished ones with their result, then the rest.
    const std::weak_ptr<char> alive = life_;
    if (written_task_.is_scheduled() && loop != nullptr) {
        (void)loop->cancel_task(written_task_); // runs it now (canceled): it completes its batch
        if (alive.expired()) {
            return {};
        }
    }
    while (!written_queue_.empty()) {
        write_request req = std::move(written_queue_.front());
        written_queue_.pop_front();
        if (req.on_completed) {
            req.on_completed(req.error, req.original_len - req.remaining.size());
            if (alive.expired()) {
                return {};
            }
        }
    }
    while (!write_queue_.empty()) {
        write_request req = std::move(write_queue_.front());
        write_queue_.pop_front();
        if (req.on_completed) {
            req.on_completed(make_error_code(io_errc::socket_closed), req.original_len - req.remaining.size());
            if (alive.expired()) {
                return {};
            }
        }
    }
    return {};
}

std::error_code posix_socket::shutdown_dir(channel_direction dir) {
    const int how = dir == channel_direction::read ? SHUT_RD : SHUT_WR;
    if (::shutdown(handle_.fd, how) != 0) {
        return socket_error_from_errno(errno);
    }
    state_ &= dir == channel_direction::read ? ~state_connected_read : ~state_connected_write;
    return {};
}

// ---------------------------------------------------------------------------- IO

std::error_code posix_socket::assign_to_event_loop(event_loop &loop) {
    if (loop_ != nullptr) {
        return io_errc::event_loop_already_assigned;
    }
    loop_ = &loop;
    currently_subscribed_ = true;
    std::error_code ec = loop.subscribe_to_io_events(handle_, io_event_readable | io_event_writable,
                                                     [this](event_loop &, io_handle &, int events) { on_socket_event(events); });
    if (ec) {
        AWSIO_LOGF_ERROR(log_subject::socket, "id=%p fd=%d: assigning to the event loop failed",
                         static_cast<void *>(this), handle_.fd);
        currently_subscribed_ = false;
        loop_ = nullptr;
    }
    return ec;
}

std::error_code posix_socket::subscribe_to_readable_events(socket_on_readable on_readable) {
    if ((state_ & state_connected_read) == 0 || state_ == state_closed) {
        return io_errc::socket_not_connected;
    }
    if (readable_subscribed_) {
        return io_errc::already_subscribed;
    }
    if (!on_readable) {
        return common_errc::invalid_argument;
    }
    on_readable_ = std::move(on_readable);
    readable_subscribed_ = true;
    return {};
}

void posix_socket::invoke_readable(std::error_code ec) {
    if (!on_readable_) {
        return;
    }
    const std::weak_ptr<char> alive = life_;
    socket_on_readable cb = std::move(on_readable_);
    cb(ec);
    if (!alive.expired() && !on_readable_) {
        on_readable_ = std::move(cb);
    }
}

void posix_socket::on_socket_event(int events) {
    const std::weak_ptr<char> alive = life_;
    if ((events & (io_event_remote_hang_up | io_event_closed)) != 0) {
        AWSIO_LOGF_TRACE(log_subject::socket, "id=%p fd=%d: closed remotely", static_cast<void *>(this), handle_.fd);
        invoke_readable(io_errc::socket_closed);
        return;
    }
    if (currently_subscribed_ && (events & io_event_error) != 0) {
        std::error_code ec = get_error();
        invoke_readable(ec ? ec : make_error_code(io_errc::socket_closed));
        return;
    }
    if (currently_subscribed_ && (events & io_event_readable) != 0) {
        invoke_readable({});
        if (alive.expired()) {
            return;
        }
    }
    // A close() in the readable callback unsubscribed: nothing more to do then.
    if (currently_subscribed_ && (events & io_event_writable) != 0) {
        (void)process_write_requests(nullptr);
    }
}

result<std::size_t> posix_socket::read(std::span<std::uint8_t> dst) {
    if (loop_ == nullptr || !loop_->is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    if ((state_ & state_connected_read) == 0 || state_ == state_closed) {
        return io_errc::socket_not_connected;
    }
    const ssize_t n = ::read(handle_.fd, dst.data(), dst.size());
    if (n > 0) {
        return static_cast<std::size_t>(n);
    }
    if (n == 0) {
        if (dst.empty()) {
            return std::size_t{0};
        }
        AWSIO_LOGF_INFO(log_subject::socket, "id=%p fd=%d: zero read, socket is closed", static_cast<void *>(this),
                        handle_.fd);
        return io_errc::socket_closed;
    }
    const int e = errno;
    if (would_block(e)) {
        return io_errc::read_would_block;
    }
    if (e == EPIPE || e == ECONNRESET) {
        return io_errc::socket_closed;
    }
    if (e == ETIMEDOUT) {
        return io_errc::socket_timeout;
    }
    AWSIO_LOGF_ERROR(log_subject::socket, "id=%p fd=%d: read failed with errno %d", static_cast<void *>(this),
                     handle_.fd, e);
    return common_errc::sys_call_failure;
}

std::error_code posix_socket::write(std::span<const std::uint8_t> src, socket_on_write_completed on_completed) {
    write_request req;
    req.remaining = src;
    req.original_len = src.size();
    req.on_completed = std::move(on_completed);
    return queue_write(std::move(req));
}

std::error_code posix_socket::write(std::vector<std::uint8_t> bytes, socket_on_write_completed on_completed) {
    write_request req;
    req.owned = std::move(bytes);
    // The vector's buffer does not move when the request does.
    req.remaining = std::span<const std::uint8_t>(req.owned.data(), req.owned.size());
    req.original_len = req.owned.size();
    req.on_completed = std::move(on_completed);
    return queue_write(std::move(req));
}

std::error_code posix_socket::queue_write(write_request request) {
    if (loop_ == nullptr || !loop_->is_on_callers_thread()) {
        return io_errc::event_loop_thread_only;
    }
    if ((state_ & state_connected_write) == 0 || state_ == state_closed) {
        AWSIO_LOGF_ERROR(log_subject::socket, "id=%p fd=%d: cannot write: not connected", static_cast<void *>(this),
                         handle_.fd);
        return io_errc::socket_not_connected;
    }
    write_queue_.push_back(std::move(request));
    // Try at once, so a socket that is already broken fails this call instead of a callback.
    return process_write_requests(&write_queue_.back());
}

// parent: the request write() just queued (its failure is returned, not called back), or null
// when the loop reported the socket writable.
std::error_code posix_socket::process_write_requests(const write_request *parent) {
    bool purge = false;
    bool pushed = false;
    bool parent_failed = false;
    std::error_code failure;
    while (!write_queue_.empty()) {
        write_request &req = write_queue_.front();
        const ssize_t n = ::send(handle_.fd, req.remaining.data(), req.remaining.size(), MSG_NOSIGNAL);
        if (n < 0) {
            const int e = errno;
            if (would_block(e)) {
                break; // resume on the next writable event
            }
            failure = e == EPIPE ? make_error_code(io_errc::socket_closed) : socket_error_from_errno(e);
            AWSIO_LOGF_DEBUG(log_subject::socket, "id=%p fd=%d: write failed with errno %d",
                             static_cast<void *>(this), handle_.fd, e);
            purge = true;
            break;
        }
        req.remaining = req.remaining.subspan(static_cast<std::size_t>(n));
        if (req.remaining.empty()) {
            req.error = {};
            written_queue_.push_back(std::move(req));
            write_queue_.pop_front();
            pushed = true;
        }
    }
    if (purge) {
        while (!write_queue_.empty()) {
            if (&write_queue_.front() == parent) {
                parent_failed = true;
            } else {
                write_queue_.front().error = failure;
                written_queue_.push_back(std::move(write_queue_.front()));
                pushed = true;
            }
            write_queue_.pop_front();
        }
    }
    if (pushed && !written_task_.is_scheduled() && loop_ != nullptr) {
        loop_->schedule_task_now(written_task_);
    }
    return parent_failed ? failure : std::error_code();
}

void posix_socket::on_written_task() {
    // Complete only the requests present now: writes issued from these callbacks complete in a
    // later run, so completing and writing cannot chain forever inside one task.
    const std::weak_ptr<char> alive = life_;
    std::size_t batch = written_queue_.size();
    while (batch-- > 0 && !written_queue_.empty()) { // close() from a callback empties it
        write_request req = std::move(written_queue_.front());
        written_queue_.pop_front();
        if (req.on_completed) {
            req.on_completed(req.error, req.original_len - req.remaining.size());
            if (alive.expired()) {
                return;
            }
        }
    }
}

std::error_code posix_socket::get_error() const {
    int so_error = 0;
    socklen_t len = sizeof(so_error);
    if (::getsockopt(handle_.fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) {
        return socket_error_from_errno(errno);
    }
    if (so_error != 0) {
        return socket_error_from_errno(so_error);
    }
    return {};
}

} // namespace

// ---------------------------------------------------------------------------- free functions

result<std::unique_ptr<socket>> socket::create(const socket_options &options) {
    switch (options.impl_type) {
    case socket_impl_type::platform_default:
    case socket_impl_type::posix:
        break;
    default:
        return common_errc::platform_not_supported;
    }
    auto s = std::make_unique<posix_socket>(options);
    if (std::error_code ec = s->open()) {
        return unexpected(ec); // the destructor closes the descriptor, if one was opened
    }
    return std::unique_ptr<socket>(std::move(s));
}

socket_impl_type default_socket_impl_type() noexcept { return socket_impl_type::posix; }

bool is_network_interface_name_valid(std::string_view name) {
    const std::string n(name);
    if (n.empty() || n.find('\0') != std::string::npos || ::if_nametoindex(n.c_str()) == 0) {
        AWSIO_LOGF_ERROR(log_subject::socket, "network_interface_name(%s) is invalid", n.c_str());
        return false;
    }
    return true;
}

} // namespace awsio
