// peer_process.hpp — runs a peer program (openssl, gnutls-cli/serv, curl) for interop tests:
// spawned without a shell, optional stdin pipe, stdout+stderr captured to a temporary file,
// readiness by listening port or output text, and always stopped and reaped (RAII).
//
// Threads: one peer_process is used by one thread at a time. Every wait is bounded.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace awsio::testing {

/// True when `name` is an executable found on PATH (or `name` is an executable path).
inline bool has_program(const std::string &name) {
    if (name.find('/') != std::string::npos) {
        return ::access(name.c_str(), X_OK) == 0;
    }
    const char *path = std::getenv("PATH");
    std::string paths = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= paths.size()) {
        std::size_t end = paths.find(':', start);
        if (end == std::string::npos) {
            end = paths.size();
        }
        std::string dir = paths.substr(start, end - start);
        if (dir.empty()) {
            dir = ".";
        }
        std::string full = dir + "/" + name;
        struct stat st {};
        if (::stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(full.c_str(), X_OK) == 0) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

/// A port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close). Another
/// process may take it before the peer binds; callers retry the peer start when that happens.
/// 0 on failure.
inline std::uint16_t pick_free_port() {
    for (int attempt = 0; attempt < 16; ++attempt) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return 0;
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        socklen_t len = sizeof(addr);
        // reinterpret_cast is how the sockets API takes addresses.
        if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0) {
            ::close(fd);
            return ntohs(addr.sin_port);
        }
        int err = errno;
        ::close(fd);
        if (err != EADDRINUSE) {
            return 0;
        }
    }
    return 0;
}

/// True when a TCP socket is listening on `port` (IPv4 or IPv6, any local address), read from
/// /proc/net/tcp{,6}. Unlike a probe connection this is invisible to the peer (a probe would
/// show up in its output as a failed handshake).
inline bool is_port_listening(std::uint16_t port) {
    char want[8];
    std::snprintf(want, sizeof(want), ":%04X", static_cast<unsigned>(port));
    for (const char *file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(file);
        std::string line;
        std::getline(in, line); // header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state;
            fields >> slot >> local >> remote >> state;
            if (state == "0A" && local.size() > 5 && local.compare(local.size() - 5, 5, want) == 0) {
                return true;
            }
        }
    }
    return false;
}

/// True when a TCP connect to 127.0.0.1:port succeeds (used when /proc is not available).
inline bool can_connect(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    return ok;
}

/// Reads a whole file ("" if it cannot be read).
inline std::string read_text_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A temporary file removed when this object is destroyed.
class temp_file {
public:
    temp_file() = default;
    /// Creates a file holding `contents`; path() is empty on failure.
    explicit temp_file(std::string_view contents) {
        const char *tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp != nullptr && *tmp != 0 ? tmp : "/tmp") + "/awsio_interop_XXXXXX";
        std::vector<char> path(templ.begin(), templ.end());
        path.push_back('\0');
        int fd = ::mkstemp(path.data());
        if (fd < 0) {
            return;
        }
        path_ = path.data();
        std::string_view left = contents;
        while (!left.empty()) {
            ssize_t n = ::write(fd, left.data(), left.size());
            if (n <= 0 && errno != EINTR) {
                break;
            }
            if (n > 0) {
                left.remove_prefix(static_cast<std::size_t>(n));
            }
        }
        ::close(fd);
    }
    temp_file(temp_file &&o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
    temp_file &operator=(temp_file &&o) noexcept {
        if (this != &o) {
            remove();
            path_ = std::move(o.path_);
            o.path_.clear();
        }
        return *this;
    }
    temp_file(const temp_file &) = delete;
    temp_file &operator=(const temp_file &) = delete;
    ~temp_file() { remove(); }

    [[nodiscard]] const std::string &path() const noexcept { return path_; }

private:
    void remove() noexcept {
        if (!path_.empty()) {
            ::unlink(path_.c_str());
            path_.clear();
        }
    }
    std::string path_;
};

/// The PEM CERTIFICATE blocks of a text, in order.
inline std::vector<std::string> pem_certificates(std::string_view text) {
    static constexpr std::string_view begin = "-----BEGIN CERTIFICATE-----";
    static constexpr std::string_view end = "-----END CERTIFICATE-----";
    std::vector<std::string> out;
    std::size_t pos = 0;
    while ((pos = text.find(begin, pos)) != std::string_view::npos) {
        std::size_t stop = text.find(end, pos);
        if (stop == std::string_view::npos) {
            break;
        }
        stop += end.size();
        out.emplace_back(std::string(text.substr(pos, stop - pos)) + "\n");
        pos = stop;
    }
    return out;
}

/// A chain file split the way `openssl s_server -cert leaf -cert_chain rest` wants it.
struct split_chain_files {
    temp_file leaf;
    /// Empty path when the chain holds the leaf only.
    temp_file rest;
};
inline split_chain_files split_chain(const std::string &chain_path) {
    auto certs = pem_certificates(read_text_file(chain_path));
    split_chain_files files;
    if (certs.empty()) {
        return files;
    }
    files.leaf = temp_file(certs.front());
    if (certs.size() > 1) {
        std::string rest;
        for (std::size_t i = 1; i < certs.size(); ++i) {
            rest += certs[i];
        }
        files.rest = temp_file(rest);
    }
    return files;
}

#ifdef AWSIO_TEST_RESOURCES_DIR
/// Path of an X.509 fixture (tests/resources/x509/<name>).
inline std::string x509_fixture(const std::string &name) {
    return std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/" + name;
}
#endif

/// One running peer program.
class peer_process {
public:
    using clock = std::chrono::steady_clock;

    struct options {
        /// argv[0] is looked up on PATH.
        std::vector<std::string> argv;
        /// Give the child a pipe as stdin (write_stdin / close_stdin); otherwise /dev/null.
        bool stdin_pipe = false;
    };

    /// Starts the program. nullptr (with the reason in *why) if it cannot be spawned.
    static std::unique_ptr<peer_process> spawn(const options &opts, std::string *why = nullptr) {
        // Writes to a pipe whose reader died must fail with EPIPE, not kill the test.
        std::signal(SIGPIPE, SIG_IGN);
        std::unique_ptr<peer_process> p(new peer_process());
        p->name_ = opts.argv.empty() ? std::string() : opts.argv.front();
        const char *tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp != nullptr && *tmp != 0 ? tmp : "/tmp") + "/awsio_peer_XXXXXX";
        std::vector<char> path(templ.begin(), templ.end());
        path.push_back('\0');
        int out_fd = ::mkstemp(path.data());
        if (out_fd < 0) {
            return fail(why, "mkstemp failed");
        }
        p->output_path_ = path.data();
        int stdin_pipe[2] = {-1, -1};
        if (opts.stdin_pipe && ::pipe2(stdin_pipe, O_CLOEXEC) != 0) {
            ::close(out_fd);
            return fail(why, "pipe failed");
        }

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        if (opts.stdin_pipe) {
            posix_spawn_file_actions_adddup2(&actions, stdin_pipe[0], 0);
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        }
        posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
        posix_spawn_file_actions_adddup2(&actions, out_fd, 2);

        // The child gets default signal dispositions (SIGPIPE is ignored here) and no mask.
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t defaults;
        sigemptyset(&defaults);
        sigaddset(&defaults, SIGPIPE);
        sigaddset(&defaults, SIGTERM);
        sigaddset(&defaults, SIGINT);
        posix_spawnattr_setsigdefault(&attr, &defaults);
        sigset_t empty;
        sigemptyset(&empty);
        posix_spawnattr_setsigmask(&attr, &empty);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

        std::vector<char *> argv;
        argv.reserve(opts.argv.size() + 1);
        for (const auto &a : opts.argv) {
            argv.push_back(const_cast<char *>(a.c_str()));
        }
        argv.push_back(nullptr);

        pid_t pid = -1;
        int rc = opts.argv.empty() ? EINVAL : ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        ::close(out_fd);
        if (opts.stdin_pipe) {
            ::close(stdin_pipe[0]);
        }
        if (rc != 0) {
            if (opts.stdin_pipe) {
                ::close(stdin_pipe[1]);
            }
            return fail(why, std::string("posix_spawnp: ") + std::strerror(rc));
        }
        p->pid_ = pid;
        p->stdin_fd_ = stdin_pipe[1];
        return p;
    }

    peer_process(const peer_process &) = delete;
    peer_process &operator=(const peer_process &) = delete;

    ~peer_process() {
        stop();
        if (!output_path_.empty() && std::getenv("AWSIO_KEEP_PEER_OUTPUT") == nullptr) {
            ::unlink(output_path_.c_str());
        }
    }

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    [[nodiscard]] const std::string &output_path() const noexcept { return output_path_; }

    /// Writes all of `data` to the child's stdin. False if there is no pipe or the child is gone.
    bool write_stdin(std::string_view data) {
        if (stdin_fd_ < 0) {
            return false;
        }
        while (!data.empty()) {
            ssize_t n = ::write(stdin_fd_, data.data(), data.size());
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return false;
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    /// Closes the child's stdin (it sees end of file).
    void close_stdin() noexcept {
        if (stdin_fd_ >= 0) {
            ::close(stdin_fd_);
            stdin_fd_ = -1;
        }
    }

    /// Everything the child wrote to stdout and stderr so far.
    [[nodiscard]] std::string output() const {
        std::ifstream in(output_path_, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }

    /// True while the child has not exited (reaps it when it has).
    bool running() {
        if (pid_ <= 0) {
            return false;
        }
        int status = 0;
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            record_exit(status);
            return false;
        }
        return r == 0;
    }

    /// Waits until `needle` appears in the output. False on timeout or when the child exits
    /// without printing it.
    bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        auto deadline = clock::now() + timeout;
        while (true) {
            bool alive = running();
            if (output().find(needle) != std::string::npos) {
                return true;
            }
            if (!alive || clock::now() >= deadline) {
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

    /// Waits until the child listens on `port` (a server peer is ready). False if the child
    /// exits first (for example the port was taken meanwhile) or after `timeout`.
    bool wait_listening(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        bool proc_available = ::access("/proc/net/tcp", R_OK) == 0;
        auto deadline = clock::now() + timeout;
        while (running()) {
            if (proc_available ? is_port_listening(port) : can_connect(port)) {
                return true;
            }
            if (clock::now() >= deadline) {
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

    /// Waits for the child to exit by itself; its exit code (128+signal when killed), or
    /// std::nullopt on timeout (the child keeps running).
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        auto deadline = clock::now() + timeout;
        while (running()) {
            if (clock::now() >= deadline) {
                return std::nullopt;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return exit_code_;
    }

    /// Exit code once exited (see wait_exit).
    [[nodiscard]] std::optional<int> exit_code() const noexcept { return exit_code_; }

    /// SIGTERM, a bounded wait, then SIGKILL; always reaps. Idempotent.
    void stop() noexcept {
        close_stdin();
        if (pid_ <= 0) {
            return;
        }
        if (running()) {
            ::kill(pid_, SIGTERM);
            auto deadline = clock::now() + std::chrono::seconds(2);
            while (running() && clock::now() < deadline) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            if (pid_ > 0) {
                ::kill(pid_, SIGKILL);
                int status = 0;
                while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
                }
                record_exit(status);
            }
        }
    }

    /// For failure messages: the command name and its output.
    [[nodiscard]] std::string describe() const {
        return "---- " + name_ + " output (" + output_path_ + ") ----\n" + output() + "\n---- end of " + name_ +
               " output ----";
    }

private:
    peer_process() = default;

    static std::unique_ptr<peer_process> fail(std::string *why, std::string reason) {
        if (why != nullptr) {
            *why = std::move(reason);
        }
        return nullptr;
    }

    void record_exit(int status) noexcept {
        if (WIFEXITED(status)) {
            exit_code_ = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            exit_code_ = 128 + WTERMSIG(status);
        }
        pid_ = -1;
    }

    std::string name_;
    std::string output_path_;
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    std::optional<int> exit_code_;
};

/// Starts a server peer on a free port: `make_argv(port)` builds its command line. Retries with
/// another port when the peer exits before listening (the port was taken meanwhile). nullptr
/// (reason in *why) when it never comes up.
template <typename MakeArgv>
std::unique_ptr<peer_process> start_server_peer(MakeArgv &&make_argv, std::uint16_t &port, bool stdin_pipe,
                                                std::string *why = nullptr) {
    std::string last;
    for (int attempt = 0; attempt < 3; ++attempt) {
        port = pick_free_port();
        if (port == 0) {
            last = "no free port";
            continue;
        }
        peer_process::options opts;
        opts.argv = make_argv(port);
        opts.stdin_pipe = stdin_pipe;
        auto p = peer_process::spawn(opts, &last);
        if (!p) {
            break;
        }
        if (p->wait_listening(port)) {
            return p;
        }
        last = "server did not listen on port " + std::to_string(port) + "\n" + p->describe();
        p->stop();
    }
    if (why != nullptr) {
        *why = last;
    }
    return nullptr;
}

} // namespace awsio::testing
