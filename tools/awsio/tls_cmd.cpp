// `awsio server ...` and `awsio client ...` over TLS: a TLS echo / HTTP-answering server and a
// client that reports what the handshake negotiated, then sends text or an HTTP/1.1 GET.
#include "tools/awsio/commands.hpp"
#include "tools/awsio/handlers.hpp"
#include "tools/awsio/net_util.hpp"
#include "tools/awsio/tls_util.hpp"

#include <awsio/bootstrap.hpp>
#include <awsio/error.hpp>
#include <awsio/io.hpp>
#include <awsio/tls/channel_handler.hpp>
#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>
#include <awsio/tls/options.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace awsio::cli {
namespace {

void server_usage() {
    std::fputs("usage: awsio server --port P [--host 127.0.0.1] --cert CHAIN.pem --key KEY.pem [--alpn LIST]\n"
               "                    [--client-ca CA.pem] [--echo | --http-reply TEXT] [--max-connections N]\n"
               "                    [--tls-min 1.2|1.3] [--tls-max 1.2|1.3]\n",
               stderr);
}

void client_usage() {
    std::fputs("usage: awsio client HOST:PORT | https://HOST[:PORT]/PATH [--cafile F] [--capath D] [--insecure]\n"
               "                    [--servername N] [--alpn LIST] [--tls-min 1.2|1.3] [--tls-max 1.2|1.3]\n"
               "                    [--cert F --key F] [--send TEXT] [--keylog F]\n",
               stderr);
}

// Applies --tls-min / --tls-max (already checked) to context options.
void apply_versions(tls::tls_ctx_options &o, const std::optional<tls::tls_versions> &min,
                    const std::optional<tls::tls_versions> &max) {
    if (min) {
        o.minimum_tls_version = *min;
    }
    if (max) {
        o.maximum_tls_version = *max;
    }
}

// --- HTTP response parsing (client side) ---------------------------------------------------

std::string lower_ascii(std::string s) {
    for (char &c : s) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return s;
}

struct http_response {
    std::string status_line;
    std::string body;
};

enum class parse_state { incomplete, complete, malformed };

// Decodes a chunked body; complete once the last (zero-size) chunk and the trailer end arrived.
parse_state decode_chunked(std::string_view in, std::string &body) {
    body.clear();
    std::size_t pos = 0;
    for (;;) {
        const auto eol = in.find("\r\n", pos);
        if (eol == std::string_view::npos) {
            return parse_state::incomplete;
        }
        std::string size_text(in.substr(pos, eol - pos));
        if (const auto semi = size_text.find(';'); semi != std::string::npos) {
            size_text.resize(semi);
        }
        char *end = nullptr;
        const unsigned long long size = std::strtoull(size_text.c_str(), &end, 16);
        if (size_text.empty() || end == size_text.c_str()) {
            return parse_state::malformed;
        }
        pos = eol + 2;
        if (size == 0) {
            // Trailer fields, then an empty line.
            for (;;) {
                const auto t = in.find("\r\n", pos);
                if (t == std::string_view::npos) {
                    return parse_state::incomplete;
                }
                if (t == pos) {
                    return parse_state::complete;
                }
                pos = t + 2;
            }
        }
        if (in.size() - pos < size + 2) {
            return parse_state::incomplete;
        }
        body.append(in.substr(pos, static_cast<std::size_t>(size)));
        pos += static_cast<std::size_t>(size) + 2;
    }
}

// Whether `data` holds a whole response (`closed`: the peer ended the stream).
parse_state parse_http_response(const std::string &data, bool closed, http_response &out) {
    const auto head_end = data.find("\r\n\r\n");
    if (head_end == std::string::npos) {
        return closed ? parse_state::malformed : parse_state::incomplete;
    }
    const std::string head = data.substr(0, head_end);
    const std::string_view rest = std::string_view(data).substr(head_end + 4);
    const auto first_eol = head.find("\r\n");
    out.status_line = head.substr(0, first_eol);
    if (out.status_line.rfind("HTTP/", 0) != 0) {
        return parse_state::malformed;
    }
    std::optional<std::size_t> content_length;
    bool chunked = false;
    std::size_t pos = first_eol == std::string::npos ? head.size() : first_eol + 2;
    while (pos < head.size()) {
        auto eol = head.find("\r\n", pos);
        if (eol == std::string::npos) {
            eol = head.size();
        }
        const std::string line = head.substr(pos, eol - pos);
        pos = eol + 2;
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        const std::string name = lower_ascii(line.substr(0, colon));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') {
            value.erase(0, 1);
        }
        if (name == "content-length") {
            content_length = static_cast<std::size_t>(std::strtoull(value.c_str(), nullptr, 10));
        } else if (name == "transfer-encoding" && lower_ascii(value).find("chunked") != std::string::npos) {
            chunked = true;
        }
    }
    // 1xx, 204 and 304 answers have no body.
    const bool no_body = out.status_line.size() >= 12 &&
                         (out.status_line[9] == '1' || out.status_line.compare(9, 3, "204") == 0 ||
                          out.status_line.compare(9, 3, "304") == 0);
    if (no_body) {
        out.body.clear();
        return parse_state::complete;
    }
    if (chunked) {
        const parse_state s = decode_chunked(rest, out.body);
        return s == parse_state::incomplete && closed ? parse_state::malformed : s;
    }
    if (content_length) {
        if (rest.size() >= *content_length) {
            out.body.assign(rest.substr(0, *content_length));
            return parse_state::complete;
        }
        return closed ? parse_state::malformed : parse_state::incomplete;
    }
    out.body.assign(rest);
    return closed ? parse_state::complete : parse_state::incomplete;
}

// "https://host[:port][/path]" -> parts. IPv6 hosts in brackets.
bool parse_https_url(const std::string &url, std::string &host, std::uint32_t &port, std::string &path,
                     std::string &host_header) {
    constexpr std::string_view scheme = "https://";
    if (url.rfind(scheme, 0) != 0) {
        return false;
    }
    const std::string rest = url.substr(scheme.size());
    const auto slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    path = slash == std::string::npos ? "/" : rest.substr(slash);
    if (authority.empty()) {
        return false;
    }
    port = 443;
    if (authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos) {
            return false;
        }
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':' || !parse_u32(authority.substr(close + 2), port)) {
                return false;
            }
        }
    } else {
        const auto colon = authority.rfind(':');
        host = authority.substr(0, colon);
        if (colon != std::string::npos && !parse_u32(authority.substr(colon + 1), port)) {
            return false;
        }
    }
    if (host.empty() || port == 0 || port > 65535) {
        return false;
    }
    host_header = authority;
    return true;
}

int serve_tls(std::shared_ptr<event_loop_group> group, const std::string &host, std::uint32_t port,
              const std::shared_ptr<const tls::context> &ctx, bool verify_clients, bool echo,
              const std::optional<std::string> &http_reply, std::uint32_t max_connections) {
    auto server = server_bootstrap::create({std::move(group)});
    if (!server) {
        return fail_with(server.error());
    }
    tls::tls_connection_options tls_options = tls::tls_connection_options::from_ctx(ctx);
    tls_options.on_negotiation_result = [verify_clients](channel_handler &handler, channel_slot &, std::error_code ec) {
        if (ec) {
            return; // reported by incoming_callback
        }
        if (const tls::negotiated_parameters *p = tls::handler_negotiated_parameters(handler)) {
            std::string peer = p->peer_certificates.empty() ? std::string("no client certificate")
                                                            : "client " + certificate_subject(p->peer_certificates[0]);
            std::fprintf(stderr, "connection: %s %s %s ALPN %s, %s%s\n", p->version.c_str(), p->cipher_suite.c_str(),
                         p->group.empty() ? "(no group)" : p->group.c_str(),
                         p->alpn.empty() ? "(none)" : p->alpn.c_str(), peer.c_str(),
                         verify_clients ? (p->peer_verified ? " (verified)" : " (not verified)") : "");
        }
    };

    std::promise<void> destroyed;
    server_socket_channel_bootstrap_options so;
    so.host_name = host;
    so.port = port;
    so.socket_options.domain = domain_for(host);
    so.socket_options.connect_timeout_ms = 3000;
    so.tls_options = std::move(tls_options);
    so.incoming_callback = [echo, http_reply](std::error_code ec, channel *ch) {
        if (ec) {
            std::fprintf(stderr, "awsio server: connection failed: %s\n", std::string(error_name(ec)).c_str());
            return;
        }
        channel_slot &slot = ch->new_slot();
        (void)ch->insert_end(slot);
        if (echo) {
            (void)slot.set_handler(std::make_unique<echo_handler>());
        } else {
            (void)slot.set_handler(std::make_unique<http_reply_handler>(*http_reply));
        }
    };
    std::atomic<std::uint32_t> finished{0};
    so.shutdown_callback = [&finished, max_connections](std::error_code, channel &) {
        if (finished.fetch_add(1) + 1 == max_connections) {
            stop_requested().store(true);
        }
    };
    so.destroy_callback = [&destroyed] { destroyed.set_value(); };
    auto listener = (*server)->new_socket_listener(std::move(so));
    if (!listener) {
        return fail_with(listener.error());
    }
    std::printf("listening on %s:%u\n", host.c_str(), (*listener)->bound_endpoint().port);
    std::fflush(stdout);
    wait_for_stop();
    (void)(*server)->destroy_socket_listener(*listener);
    destroyed.get_future().wait();
    return 0;
}

int connect_tls(std::shared_ptr<event_loop_group> group, const std::shared_ptr<const tls::context> &ctx,
                const std::string &host, std::uint32_t port, const std::string &server_name, bool insecure,
                const std::optional<std::string> &https_path, const std::string &host_header,
                const std::optional<std::string> &send_text) {
    const bool https = https_path.has_value();
    client_bootstrap_options cbo;
    cbo.event_loop_group = std::move(group);
    auto client = client_bootstrap::create(std::move(cbo));
    if (!client) {
        return fail_with(client.error());
    }

    // What to write once connected.
    std::string request;
    if (https) {
        request = "GET " + *https_path + " HTTP/1.1\r\nHost: " + host_header +
                  "\r\nUser-Agent: awsio\r\nAccept: */*\r\nConnection: close\r\n\r\n";
    } else if (send_text) {
        request = *send_text;
    }

    auto st = std::make_shared<collect_handler::state>();
    std::optional<tls::negotiated_parameters> negotiated;
    std::promise<std::error_code> setup;
    std::promise<void> shut;
    std::shared_ptr<channel> ch;
    tls::tls_connection_options tls_options = tls::tls_connection_options::from_ctx(ctx);
    tls_options.server_name = server_name.empty() ? host : server_name;
    tls_options.on_negotiation_result = [&negotiated](channel_handler &handler, channel_slot &, std::error_code ec) {
        if (ec) {
            return;
        }
        if (const tls::negotiated_parameters *p = tls::handler_negotiated_parameters(handler)) {
            negotiated = *p;
        }
    };
    socket_channel_bootstrap_options co;
    co.host_name = host;
    co.port = port;
    co.socket_options.domain = domain_for(host);
    co.socket_options.connect_timeout_ms = 5000;
    co.tls_options = std::move(tls_options);
    co.setup_callback = [&, st](std::error_code ec, channel *c) {
        if (!ec) {
            channel_slot &slot = c->new_slot();
            (void)c->insert_end(slot);
            auto h = std::make_unique<collect_handler>(st);
            collect_handler *raw = h.get();
            (void)slot.set_handler(std::move(h));
            ch = c->shared_from_this();
            if (!request.empty()) {
                ec = raw->send(request);
            }
        }
        setup.set_value(ec);
    };
    co.shutdown_callback = [&](std::error_code, channel &) { shut.set_value(); };
    if (const std::error_code ec = (*client)->new_socket_channel(std::move(co))) {
        return fail_with(ec);
    }
    const std::error_code setup_error = setup.get_future().get();
    if (setup_error) {
        return fail_with(setup_error);
    }
    if (negotiated) {
        print_negotiated(stderr, *negotiated, !insecure);
    }

    int rc = 0;
    std::string got;
    bool closed = false;
    std::error_code close_error;
    http_response response;
    parse_state http_state = parse_state::incomplete;
    {
        std::unique_lock<std::mutex> lock(st->mutex);
        if (https) {
            st->cv.wait_for(lock, std::chrono::seconds(30), [&] {
                http_state = parse_http_response(st->received, st->closed, response);
                return http_state != parse_state::incomplete;
            });
        } else if (send_text) {
            st->cv.wait_for(lock, std::chrono::seconds(10),
                            [&] { return st->received.size() >= send_text->size() || st->closed; });
        }
        got = st->received;
        closed = st->closed;
        close_error = st->close_error;
    }
    ch->loop().schedule_now([c = ch](task_status) { (void)c->shutdown(); });
    shut.get_future().wait();
    ch.reset();

    if (https) {
        if (http_state == parse_state::complete) {
            std::fprintf(stderr, "%s\n", response.status_line.c_str());
            (void)std::fwrite(response.body.data(), 1, response.body.size(), stdout);
            std::fflush(stdout);
        } else if (closed && close_error) {
            rc = fail_with(close_error);
        } else {
            std::fputs(http_state == parse_state::malformed ? "awsio client: malformed HTTP response\n"
                                                            : "awsio client: no complete HTTP response\n",
                       stderr);
            rc = 1;
        }
    } else if (send_text) {
        if (got.size() >= send_text->size() || (closed && !close_error && !got.empty())) {
            std::printf("%s\n", got.c_str());
            std::fflush(stdout);
        } else if (closed && close_error) {
            rc = fail_with(close_error);
        } else {
            std::printf("%s\n", got.c_str());
            std::fflush(stdout);
            rc = 1;
        }
    }
    return rc;
}

} // namespace

int run_tls_server(const std::vector<std::string> &args) {
    install_stop_signals();
    std::string host = "127.0.0.1";
    std::uint32_t port = 0;
    bool have_port = false;
    std::string cert_file;
    std::string key_file;
    std::string alpn;
    std::string client_ca;
    bool echo = false;
    std::optional<std::string> http_reply;
    std::uint32_t max_connections = 0;
    std::optional<tls::tls_versions> tls_min;
    std::optional<tls::tls_versions> tls_max;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        const bool has_value = i + 1 < args.size();
        if (a == "--echo") {
            echo = true;
        } else if (a == "--http-reply" && has_value) {
            http_reply = args[++i];
        } else if (a == "--port" && has_value && parse_u32(args[i + 1], port) && port <= 65535) {
            have_port = true;
            ++i;
        } else if (a == "--host" && has_value) {
            host = args[++i];
        } else if (a == "--cert" && has_value) {
            cert_file = args[++i];
        } else if (a == "--key" && has_value) {
            key_file = args[++i];
        } else if (a == "--alpn" && has_value) {
            alpn = args[++i];
        } else if (a == "--client-ca" && has_value) {
            client_ca = args[++i];
        } else if (a == "--max-connections" && has_value && parse_u32(args[i + 1], max_connections)) {
            ++i;
        } else if ((a == "--tls-min" || a == "--tls-max") && has_value && parse_tls_version(args[i + 1])) {
            (a == "--tls-min" ? tls_min : tls_max) = parse_tls_version(args[++i]);
        } else {
            std::fprintf(stderr, "awsio server: bad argument '%s'\n", a.c_str());
            server_usage();
            return 2;
        }
    }
    if (!have_port || cert_file.empty() || key_file.empty() || (echo && http_reply)) {
        server_usage();
        return 2;
    }
    if (!http_reply) {
        echo = true;
    }

    io_library lib;
    auto ctx_options = tls::tls_ctx_options::default_server_from_path(cert_file, key_file);
    if (!ctx_options) {
        return fail_with(ctx_options.error());
    }
    if (!alpn.empty()) {
        if (auto r = ctx_options->set_alpn_list(alpn); !r) {
            return fail_with(r.error());
        }
    }
    apply_versions(*ctx_options, tls_min, tls_max);
    if (!client_ca.empty()) {
        ctx_options->verify_peer = true;
        if (auto r = ctx_options->override_default_trust_store_from_path("", client_ca); !r) {
            return fail_with(r.error());
        }
    }
    auto ctx = tls::context::create_server(*ctx_options);
    if (!ctx) {
        return fail_with(ctx.error());
    }
    const bool verify_clients = !client_ca.empty();
    return with_event_loop_group(0, [&](std::shared_ptr<event_loop_group> group) {
        return serve_tls(std::move(group), host, port, *ctx, verify_clients, echo, http_reply, max_connections);
    });
}


int run_tls_client(const std::vector<std::string> &args) {
    std::string target;
    std::string ca_file;
    std::string ca_path;
    bool insecure = false;
    std::string server_name;
    std::string alpn;
    std::optional<tls::tls_versions> tls_min;
    std::optional<tls::tls_versions> tls_max;
    std::string cert_file;
    std::string key_file;
    std::optional<std::string> send_text;
    std::string keylog;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        const bool has_value = i + 1 < args.size();
        if (a == "--cafile" && has_value) {
            ca_file = args[++i];
        } else if (a == "--capath" && has_value) {
            ca_path = args[++i];
        } else if (a == "--insecure") {
            insecure = true;
        } else if (a == "--servername" && has_value) {
            server_name = args[++i];
        } else if (a == "--alpn" && has_value) {
            alpn = args[++i];
        } else if ((a == "--tls-min" || a == "--tls-max") && has_value && parse_tls_version(args[i + 1])) {
            (a == "--tls-min" ? tls_min : tls_max) = parse_tls_version(args[++i]);
        } else if (a == "--cert" && has_value) {
            cert_file = args[++i];
        } else if (a == "--key" && has_value) {
            key_file = args[++i];
        } else if (a == "--send" && has_value) {
            send_text = args[++i];
        } else if (a == "--keylog" && has_value) {
            keylog = args[++i];
        } else if (target.empty() && !a.empty() && a[0] != '-') {
            target = a;
        } else {
            std::fprintf(stderr, "awsio client: bad argument '%s'\n", a.c_str());
            client_usage();
            return 2;
        }
    }
    std::string host;
    std::uint32_t port = 0;
    std::string path;
    std::string host_header;
    const bool https = target.rfind("https://", 0) == 0;
    const bool target_ok =
        https ? parse_https_url(target, host, port, path, host_header) : split_host_port(target, host, port);
    if (!target_ok || (https && send_text) || cert_file.empty() != key_file.empty()) {
        client_usage();
        return 2;
    }

    io_library lib;
    tls::tls_ctx_options ctx_options;
    if (!cert_file.empty()) {
        auto mtls = tls::tls_ctx_options::client_mtls_from_path(cert_file, key_file);
        if (!mtls) {
            return fail_with(mtls.error());
        }
        ctx_options = std::move(*mtls);
    } else {
        ctx_options = tls::tls_ctx_options::default_client();
    }
    if (!ca_file.empty() || !ca_path.empty()) {
        if (auto r = ctx_options.override_default_trust_store_from_path(ca_path, ca_file); !r) {
            return fail_with(r.error());
        }
    }
    ctx_options.verify_peer = !insecure;
    apply_versions(ctx_options, tls_min, tls_max);
    if (!alpn.empty()) {
        if (auto r = ctx_options.set_alpn_list(alpn); !r) {
            return fail_with(r.error());
        }
    }
    if (!keylog.empty()) {
        auto cb = make_key_log_file(keylog);
        if (!cb) {
            return fail_with(cb.error());
        }
        ctx_options.key_log = std::move(*cb);
    }
    auto ctx = tls::context::create_client(ctx_options);
    if (!ctx) {
        return fail_with(ctx.error());
    }

    return with_event_loop_group(1, [&](std::shared_ptr<event_loop_group> group) {
        return connect_tls(std::move(group), *ctx, host, port, server_name, insecure,
                           https ? std::optional<std::string>(path) : std::nullopt, host_header, send_text);
    });
}

} // namespace awsio::cli
