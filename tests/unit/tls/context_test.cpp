// context_test.cpp — tls_ctx_options and tls::context: aws-c-io's defaults and enums, version
// and cipher preference checks, ALPN lists, trust store overrides, certificate chains and keys
// (memory and files), client mTLS, multi-certificate servers, key logging. Fixtures come from
// tests/resources/x509 (see its README.md). Names follow aws-c-io's tls_handler_test.c where a
// test corresponds to one of its cases.
#include <awsio/error.hpp>
#include <awsio/tls/context.hpp>
#include <awsio/tls/options.hpp>

#include "tls/handshake/common.hpp"
#include "x509/trust_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace awsio::tls {
namespace {

std::string fixture(const std::string &name) { return std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/" + name; }

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string pem(const std::string &name) { return slurp(fixture(name)); }

const std::string missing_path = std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/does_not_exist.pem";

/// A client with the test root as its only anchor (no dependency on the system store).
tls_ctx_options test_client() {
    auto o = tls_ctx_options::default_client();
    EXPECT_TRUE(o.override_default_trust_store(pem("root_ca.pem")));
    return o;
}

tls_ctx_options test_server() { return tls_ctx_options::default_server(pem("leaf_chain.pem"), pem("leaf.key")); }

/// A directory removed at the end of the scope.
struct temp_dir {
    std::filesystem::path path;
    explicit temp_dir(const std::string &tag) {
        path = std::filesystem::temp_directory_path() /
               ("awsio_ctx_" + tag + "_" + std::to_string(static_cast<unsigned long>(::getpid())));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    temp_dir(const temp_dir &) = delete;
    temp_dir &operator=(const temp_dir &) = delete;
    [[nodiscard]] std::string file(const std::string &name, const std::string &contents) const {
        const auto p = path / name;
        std::ofstream out(p, std::ios::binary);
        out << contents;
        return p.string();
    }
};

// ---------------------------------------------------------------------------------------------
// Enums and defaults

TEST(tls_context, tls_versions_match_aws_c_io) {
    EXPECT_EQ(static_cast<std::uint32_t>(tls_versions::sslv3), 0u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_versions::tlsv1), 1u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_versions::tlsv1_1), 2u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_versions::tlsv1_2), 3u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_versions::tlsv1_3), 4u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_versions::sys_defaults), 128u);

    EXPECT_EQ(to_string(tls_versions::sslv3), "SSLv3");
    EXPECT_EQ(to_string(tls_versions::tlsv1), "TLSv1");
    EXPECT_EQ(to_string(tls_versions::tlsv1_1), "TLSv1.1");
    EXPECT_EQ(to_string(tls_versions::tlsv1_2), "TLSv1.2");
    EXPECT_EQ(to_string(tls_versions::tlsv1_3), "TLSv1.3");
    EXPECT_EQ(to_string(tls_versions::sys_defaults), "SYS_DEFAULTS");
    EXPECT_EQ(to_string(static_cast<tls_versions>(77)), "UNKNOWN");
}

TEST(tls_context, tls_cipher_pref_values_match_aws_c_io) {
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::system_default), 0u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::kms_pq_tlsv1_0_2019_06), 1u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::kms_pq_sike_tlsv1_0_2019_11), 2u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::kms_pq_tlsv1_0_2020_02), 3u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::kms_pq_sike_tlsv1_0_2020_02), 4u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::kms_pq_tlsv1_0_2020_07), 5u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::pq_tlsv1_0_2021_05), 6u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::pq_tlsv1_2_2024_10), 7u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::pq_default), 8u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::tlsv1_2_2025_07), 9u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::tlsv1_0_2023_06), 10u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::non_pq_default), 11u);
    EXPECT_EQ(static_cast<std::uint32_t>(tls_cipher_pref::end_range), 0xFFFFu);
}

TEST(tls_context, tls_ctx_options_init_default_client) {
    const auto o = tls_ctx_options::default_client();
    EXPECT_TRUE(o.verify_peer);
    EXPECT_EQ(o.minimum_tls_version, tls_versions::sys_defaults);
    EXPECT_EQ(o.maximum_tls_version, tls_versions::sys_defaults);
    EXPECT_EQ(o.cipher_pref, tls_cipher_pref::system_default);
    EXPECT_EQ(o.max_fragment_size, 16384u);
    EXPECT_TRUE(o.alpn_list.empty());
    EXPECT_TRUE(o.ca_file.empty());
    EXPECT_TRUE(o.ca_path.empty());
    EXPECT_TRUE(o.ca_file_contents.empty());
    EXPECT_TRUE(o.certificate.empty());
    EXPECT_TRUE(o.private_key.empty());
    EXPECT_TRUE(o.session_tickets);
    EXPECT_FALSE(o.key_log);

    // A plain default-constructed value is the client default too.
    const tls_ctx_options plain;
    EXPECT_TRUE(plain.verify_peer);
    EXPECT_EQ(plain.max_fragment_size, 16384u);
}

TEST(tls_context, default_client_context) {
    auto ctx = context::create_client(test_client());
    ASSERT_TRUE(ctx) << ctx.error().message();
    const context &c = **ctx;
    EXPECT_FALSE(c.is_server());
    EXPECT_TRUE(c.verify_peer());
    EXPECT_EQ(c.max_fragment_size(), 16384u);
    EXPECT_TRUE(c.alpn().empty());
    const handshake_config &cfg = *c.config();
    // "System default" minimum is TLS 1.2 here; the maximum TLS 1.3.
    EXPECT_EQ(cfg.min_version, codec::protocol_version::tls12);
    EXPECT_EQ(cfg.max_version, codec::protocol_version::tls13);
    EXPECT_FALSE(cfg.is_server);
    ASSERT_TRUE(cfg.trust);
    EXPECT_EQ(cfg.trust->size(), 1u);
    EXPECT_TRUE(cfg.certificates.empty());
    EXPECT_EQ(cfg.client_auth, client_auth_mode::none);
    EXPECT_TRUE(cfg.sessions);   // a client caches tickets
    EXPECT_FALSE(cfg.tickets);   // and issues none
    EXPECT_FALSE(cfg.cipher_suites.empty());
    EXPECT_FALSE(cfg.groups.empty());
}

TEST(tls_context, tls_client_channel_no_verify) {
    // verify_peer off: no trust store is needed (none is loaded, not even the system one).
    auto o = tls_ctx_options::default_client();
    o.set_verify_peer(false);
    auto ctx = context::create_client(o);
    ASSERT_TRUE(ctx) << ctx.error().message();
    EXPECT_FALSE((*ctx)->verify_peer());
    EXPECT_FALSE((*ctx)->config()->trust);
}

TEST(tls_context, default_pki_path_exists) {
    // aws-c-io's test (s2n only) checks a default PKI location exists. Here: a client that
    // verifies and overrides nothing uses the system bundle when there is one, and fails with
    // tls_error_default_trust_store_not_found when there is none.
    auto ctx = context::create_client(tls_ctx_options::default_client());
    if (x509::trust_store::default_bundle_path()) {
        ASSERT_TRUE(ctx) << ctx.error().message();
        ASSERT_TRUE((*ctx)->config()->trust);
        EXPECT_GT((*ctx)->config()->trust->size(), 0u);
    } else {
        ASSERT_FALSE(ctx);
        EXPECT_EQ(ctx.error(), make_error_code(io_errc::tls_error_default_trust_store_not_found));
    }
}

TEST(tls_context, session_tickets_off) {
    auto co = test_client();
    co.session_tickets = false;
    auto cctx = context::create_client(co);
    ASSERT_TRUE(cctx);
    EXPECT_FALSE((*cctx)->config()->sessions);

    auto so = test_server();
    auto sctx = context::create_server(so);
    ASSERT_TRUE(sctx);
    EXPECT_TRUE((*sctx)->config()->tickets);
    so.session_tickets = false;
    sctx = context::create_server(so);
    ASSERT_TRUE(sctx);
    EXPECT_FALSE((*sctx)->config()->tickets);
}

// ---------------------------------------------------------------------------------------------
// Versions

TEST(tls_context, tls_versions_below_1_2_are_unsupported) {
    for (auto v : {tls_versions::sslv3, tls_versions::tlsv1, tls_versions::tlsv1_1, static_cast<tls_versions>(5),
                   static_cast<tls_versions>(127)}) {
        auto o = test_client();
        o.set_minimum_tls_version(v);
        auto c = context::create_client(o);
        ASSERT_FALSE(c) << to_string(v);
        EXPECT_EQ(c.error(), make_error_code(io_errc::tls_version_unsupported)) << to_string(v);

        auto so = test_server();
        so.minimum_tls_version = v;
        auto s = context::create_server(so);
        ASSERT_FALSE(s) << to_string(v);
        EXPECT_EQ(s.error(), make_error_code(io_errc::tls_version_unsupported));
    }
}

TEST(tls_context, tls_versions_supported_ranges) {
    struct row {
        tls_versions min;
        tls_versions max;
        codec::protocol_version want_min;
        codec::protocol_version want_max;
    };
    const std::array rows = {
        row{tls_versions::sys_defaults, tls_versions::sys_defaults, codec::protocol_version::tls12,
            codec::protocol_version::tls13},
        row{tls_versions::tlsv1_2, tls_versions::sys_defaults, codec::protocol_version::tls12,
            codec::protocol_version::tls13},
        row{tls_versions::tlsv1_3, tls_versions::sys_defaults, codec::protocol_version::tls13,
            codec::protocol_version::tls13},
        row{tls_versions::tlsv1_2, tls_versions::tlsv1_2, codec::protocol_version::tls12,
            codec::protocol_version::tls12},
        row{tls_versions::sys_defaults, tls_versions::tlsv1_2, codec::protocol_version::tls12,
            codec::protocol_version::tls12},
        row{tls_versions::tlsv1_3, tls_versions::tlsv1_3, codec::protocol_version::tls13,
            codec::protocol_version::tls13},
    };
    for (const auto &r : rows) {
        auto o = test_client();
        o.minimum_tls_version = r.min;
        o.maximum_tls_version = r.max;
        auto c = context::create_client(o);
        ASSERT_TRUE(c) << to_string(r.min) << ".." << to_string(r.max) << ": " << c.error().message();
        EXPECT_EQ((*c)->config()->min_version, r.want_min);
        EXPECT_EQ((*c)->config()->max_version, r.want_max);
    }
}

TEST(tls_context, maximum_below_minimum_is_unsupported) {
    auto o = test_client();
    o.minimum_tls_version = tls_versions::tlsv1_3;
    o.maximum_tls_version = tls_versions::tlsv1_2;
    auto c = context::create_client(o);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), make_error_code(io_errc::tls_version_unsupported));

    o.minimum_tls_version = tls_versions::tlsv1_2;
    o.maximum_tls_version = tls_versions::tlsv1_1;
    c = context::create_client(o);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), make_error_code(io_errc::tls_version_unsupported));
}

// ---------------------------------------------------------------------------------------------
// Cipher preferences

TEST(tls_context, test_tls_cipher_preference) {
    const std::array supported = {tls_cipher_pref::system_default, tls_cipher_pref::tlsv1_2_2025_07,
                                  tls_cipher_pref::tlsv1_0_2023_06, tls_cipher_pref::non_pq_default};
    const std::array unsupported = {tls_cipher_pref::kms_pq_tlsv1_0_2019_06,
                                    tls_cipher_pref::kms_pq_sike_tlsv1_0_2019_11,
                                    tls_cipher_pref::kms_pq_tlsv1_0_2020_02,
                                    tls_cipher_pref::kms_pq_sike_tlsv1_0_2020_02,
                                    tls_cipher_pref::kms_pq_tlsv1_0_2020_07,
                                    tls_cipher_pref::pq_tlsv1_0_2021_05,
                                    tls_cipher_pref::pq_tlsv1_2_2024_10,
                                    tls_cipher_pref::pq_default,
                                    tls_cipher_pref::end_range,
                                    static_cast<tls_cipher_pref>(12)};
    for (auto p : supported) {
        EXPECT_TRUE(is_cipher_pref_supported(p)) << static_cast<unsigned>(p);
        auto o = test_client();
        o.set_tls_cipher_preference(p);
        auto c = context::create_client(o);
        EXPECT_TRUE(c) << static_cast<unsigned>(p) << ": " << c.error().message();
        auto so = test_server();
        so.cipher_pref = p;
        EXPECT_TRUE(context::create_server(so)) << static_cast<unsigned>(p);
    }
    for (auto p : unsupported) {
        EXPECT_FALSE(is_cipher_pref_supported(p)) << static_cast<unsigned>(p);
        auto o = test_client();
        o.set_tls_cipher_preference(p);
        auto c = context::create_client(o);
        ASSERT_FALSE(c) << static_cast<unsigned>(p);
        EXPECT_EQ(c.error(), make_error_code(io_errc::tls_cipher_pref_unsupported));
        auto so = test_server();
        so.cipher_pref = p;
        auto s = context::create_server(so);
        ASSERT_FALSE(s);
        EXPECT_EQ(s.error(), make_error_code(io_errc::tls_cipher_pref_unsupported));
    }
}

TEST(tls_context, cipher_pref_is_checked_before_anything_else) {
    // As aws-c-io: an unsupported preference wins over other problems of the options.
    auto o = test_client();
    o.cipher_pref = tls_cipher_pref::pq_default;
    o.minimum_tls_version = tls_versions::tlsv1;
    o.alpn_list = ";;";
    auto c = context::create_client(o);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), make_error_code(io_errc::tls_cipher_pref_unsupported));
}

TEST(tls_context, cipher_suites_and_groups_by_name) {
    auto o = test_client();
    o.cipher_suites = {"tls_aes_256_gcm_sha384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"};
    o.groups = {"secp384r1", "X25519"};
    auto c = context::create_client(o);
    ASSERT_TRUE(c) << c.error().message();
    const auto &cfg = *(*c)->config();
    ASSERT_EQ(cfg.cipher_suites.size(), 2u); // duplicates dropped, order kept
    EXPECT_EQ(cfg.cipher_suites[0], codec::cipher_suite::tls_aes_256_gcm_sha384);
    EXPECT_EQ(cfg.cipher_suites[1], codec::cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256);
    ASSERT_EQ(cfg.groups.size(), 2u);
    EXPECT_EQ(cfg.groups[0], codec::named_group::secp384r1);
    EXPECT_EQ(cfg.groups[1], codec::named_group::x25519);
    // The default shares that are still supported.
    ASSERT_EQ(cfg.key_share_groups.size(), 1u);
    EXPECT_EQ(cfg.key_share_groups[0], codec::named_group::x25519);
}

TEST(tls_context, unknown_suites_and_groups_are_invalid) {
    auto expect_invalid = [](const tls_ctx_options &o, const char *what) {
        auto c = context::create_client(o);
        ASSERT_FALSE(c) << what;
        EXPECT_EQ(c.error(), make_error_code(common_errc::invalid_argument)) << what;
    };
    auto o = test_client();
    o.cipher_suites = {"TLS_RSA_WITH_RC4_128_MD5"};
    expect_invalid(o, "unknown suite");

    o = test_client();
    o.cipher_suites = {"TLS_AES_128_GCM_SHA256"};
    o.maximum_tls_version = tls_versions::tlsv1_2;
    expect_invalid(o, "only TLS 1.3 suites with TLS 1.2 only");

    o = test_client();
    o.groups = {"ffdhe2048"};
    expect_invalid(o, "unknown group");

    o = test_client();
    o.groups = {"x25519"};
    o.key_share_groups = {"secp256r1"};
    expect_invalid(o, "key share outside the groups");
}

// ---------------------------------------------------------------------------------------------
// ALPN

TEST(tls_context, is_alpn_available) { EXPECT_TRUE(is_alpn_available()); }

TEST(tls_context, alpn_list_parses) {
    auto one = parse_alpn_list("h2");
    ASSERT_TRUE(one);
    EXPECT_EQ(*one, std::vector<std::string>{"h2"});

    auto two = parse_alpn_list("h2;http/1.1");
    ASSERT_TRUE(two);
    EXPECT_EQ(*two, (std::vector<std::string>{"h2", "http/1.1"}));

    auto four = parse_alpn_list("a;b;c;d");
    ASSERT_TRUE(four);
    EXPECT_EQ(four->size(), 4u);

    const std::string longest(255, 'x');
    auto l = parse_alpn_list(longest + ";h2");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->front(), longest);
}

TEST(tls_context, alpn_list_errors_are_invalid_argument) {
    const std::string too_long(256, 'x');
    for (std::string_view bad :
         {std::string_view(""), std::string_view(";"), std::string_view("h2;"), std::string_view(";h2"),
          std::string_view("h2;;http/1.1"), std::string_view("a;b;c;d;e"), std::string_view(too_long)}) {
        auto r = parse_alpn_list(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error(), make_error_code(common_errc::invalid_argument)) << bad;
    }
}

TEST(tls_context, set_alpn_list_validates_and_keeps_the_old_list_on_error) {
    auto o = tls_ctx_options::default_client();
    ASSERT_TRUE(o.set_alpn_list("h2;http/1.1"));
    EXPECT_EQ(o.alpn_list, "h2;http/1.1");
    auto r = o.set_alpn_list("a;b;c;d;e");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(common_errc::invalid_argument));
    EXPECT_EQ(o.alpn_list, "h2;http/1.1");

    tls_connection_options co;
    ASSERT_TRUE(co.set_alpn_list("x-custom"));
    auto r2 = co.set_alpn_list("x;;y");
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error(), make_error_code(common_errc::invalid_argument));
    EXPECT_EQ(co.alpn_list, "x-custom");
}

TEST(tls_context, context_carries_the_parsed_alpn_list) {
    auto o = test_client();
    ASSERT_TRUE(o.set_alpn_list("h2;http/1.1"));
    auto c = context::create_client(o);
    ASSERT_TRUE(c);
    EXPECT_EQ((*c)->alpn(), (std::vector<std::string>{"h2", "http/1.1"}));

    auto so = test_server();
    ASSERT_TRUE(so.set_alpn_list("http/1.1"));
    auto s = context::create_server(so);
    ASSERT_TRUE(s);
    EXPECT_EQ((*s)->alpn(), std::vector<std::string>{"http/1.1"});

    // A list assigned directly (not through set_alpn_list) is checked at creation.
    o.alpn_list = "1;2;3;4;5";
    auto bad = context::create_client(o);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), make_error_code(common_errc::invalid_argument));
}

TEST(tls_context, connection_options_from_ctx_defaults) {
    auto c = context::create_client(test_client());
    ASSERT_TRUE(c);
    auto co = tls_connection_options::from_ctx(*c);
    EXPECT_EQ(co.ctx, *c);
    EXPECT_TRUE(co.server_name.empty());
    EXPECT_TRUE(co.alpn_list.empty());
    EXPECT_EQ(co.timeout_ms, 10000u);
    EXPECT_FALSE(co.advertise_alpn_message);
    EXPECT_FALSE(co.on_negotiation_result);
    co.set_server_name("example.com");
    EXPECT_EQ(co.server_name, "example.com");
}

// ---------------------------------------------------------------------------------------------
// Fragment size

TEST(tls_context, max_fragment_size_bounds) {
    for (std::size_t ok : {std::size_t{512}, std::size_t{4096}, std::size_t{16384}}) {
        auto o = test_client();
        o.max_fragment_size = ok;
        auto c = context::create_client(o);
        ASSERT_TRUE(c) << ok;
        EXPECT_EQ((*c)->max_fragment_size(), ok);
    }
    for (std::size_t bad : {std::size_t{0}, std::size_t{511}, std::size_t{16385}, std::size_t{1} << 20}) {
        auto o = test_client();
        o.max_fragment_size = bad;
        auto c = context::create_client(o);
        ASSERT_FALSE(c) << bad;
        EXPECT_EQ(c.error(), make_error_code(common_errc::invalid_argument)) << bad;
    }
}

// ---------------------------------------------------------------------------------------------
// Trust store overrides

TEST(tls_context, override_default_trust_store_in_memory) {
    auto o = tls_ctx_options::default_client();
    ASSERT_TRUE(o.override_default_trust_store(pem("cross_roots.pem")));
    auto c = context::create_client(o);
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ((*c)->config()->trust->size(), 2u);
}

TEST(tls_context, override_default_trust_store_twice_is_invalid_state) {
    auto o = tls_ctx_options::default_client();
    ASSERT_TRUE(o.override_default_trust_store(pem("root_ca.pem")));
    auto r = o.override_default_trust_store(pem("untrusted_root_ca.pem"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(common_errc::invalid_state));
    // A CA file after in-memory CAs is the same override twice (aws-c-io keeps both in ca_file).
    auto r2 = o.override_default_trust_store_from_path("", fixture("root_ca.pem"));
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error(), make_error_code(common_errc::invalid_state));
    // A directory may be added to in-memory CAs.
    EXPECT_TRUE(o.override_default_trust_store_from_path(std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509", ""));
    auto r3 = o.override_default_trust_store_from_path(std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509", "");
    ASSERT_FALSE(r3);
    EXPECT_EQ(r3.error(), make_error_code(common_errc::invalid_state));
}

TEST(tls_context, override_default_trust_store_bad_pem) {
    auto o = tls_ctx_options::default_client();
    // No PEM block at all.
    auto r = o.override_default_trust_store("this is not PEM");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(io_errc::pem_malformed));
    // A block without its END line.
    r = o.override_default_trust_store("-----BEGIN CERTIFICATE-----\nMIIB\n");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(io_errc::pem_malformed));
    // Well-formed PEM holding no certificate.
    r = o.override_default_trust_store(pem("key_ec_p256_public.pem"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(io_errc::tls_ctx_error));
    // Nothing was stored: a good override still works.
    EXPECT_TRUE(o.ca_file_contents.empty());
    EXPECT_TRUE(o.override_default_trust_store(pem("root_ca.pem")));
}

TEST(tls_context, override_default_trust_store_from_path) {
    auto o = tls_ctx_options::default_client();
    ASSERT_TRUE(o.override_default_trust_store_from_path("", fixture("root_ca.pem")));
    EXPECT_EQ(o.ca_file, fixture("root_ca.pem"));
    auto c = context::create_client(o);
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ((*c)->config()->trust->size(), 1u);
}

TEST(tls_context, override_default_trust_store_from_path_errors) {
    auto o = tls_ctx_options::default_client();
    auto r = o.override_default_trust_store_from_path("", "");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(common_errc::invalid_argument));

    r = o.override_default_trust_store_from_path("", missing_path);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(common_errc::file_invalid_path));

    r = o.override_default_trust_store_from_path(missing_path + ".d", "");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(common_errc::file_invalid_path));

    temp_dir dir("badca");
    r = o.override_default_trust_store_from_path("", dir.file("garbage.pem", "no pem here\n"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(io_errc::pem_malformed));

    r = o.override_default_trust_store_from_path("", fixture("leaf.key"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(io_errc::tls_ctx_error));

    // Nothing was stored by the failed calls.
    EXPECT_TRUE(o.ca_file.empty());
    EXPECT_TRUE(o.ca_path.empty());
}

TEST(tls_context, override_default_trust_store_with_ca_directory) {
    temp_dir dir("cadir");
    (void)dir.file("a.pem", pem("root_ca.pem"));
    (void)dir.file("b.pem", pem("ecdsa_p256_root_ca.pem"));
    (void)dir.file("notes.txt", "not a certificate\n");
    auto o = tls_ctx_options::default_client();
    ASSERT_TRUE(o.override_default_trust_store_from_path(dir.path.string(), ""));
    auto c = context::create_client(o);
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ((*c)->config()->trust->size(), 2u);

    // Directory and file together form one store.
    auto both = tls_ctx_options::default_client();
    ASSERT_TRUE(both.override_default_trust_store_from_path(dir.path.string(), fixture("untrusted_root_ca.pem")));
    auto c2 = context::create_client(both);
    ASSERT_TRUE(c2) << c2.error().message();
    EXPECT_EQ((*c2)->config()->trust->size(), 3u);
}

TEST(tls_context, empty_ca_directory_fails_at_creation) {
    temp_dir dir("emptyca");
    auto o = tls_ctx_options::default_client();
    ASSERT_TRUE(o.override_default_trust_store_from_path(dir.path.string(), ""));
    auto c = context::create_client(o);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), make_error_code(io_errc::tls_ctx_error));
}

TEST(tls_context, ca_file_removed_before_creation_is_a_file_error) {
    temp_dir dir("goneca");
    const std::string path = dir.file("root.pem", pem("root_ca.pem"));
    auto o = tls_ctx_options::default_client();
    ASSERT_TRUE(o.override_default_trust_store_from_path("", path));
    std::filesystem::remove(path);
    auto c = context::create_client(o);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), make_error_code(common_errc::file_invalid_path));
}

// ---------------------------------------------------------------------------------------------
// Our certificate and key

TEST(tls_context, tls_ctx_options_init_default_server) {
    const auto o = tls_ctx_options::default_server(pem("leaf_chain.pem"), pem("leaf.key"));
    EXPECT_FALSE(o.verify_peer);
    EXPECT_EQ(o.certificate, pem("leaf_chain.pem"));
    EXPECT_EQ(o.private_key, pem("leaf.key"));
    auto s = context::create_server(o);
    ASSERT_TRUE(s) << s.error().message();
    const auto &cfg = *(*s)->config();
    EXPECT_TRUE((*s)->is_server());
    EXPECT_FALSE((*s)->verify_peer());
    EXPECT_EQ(cfg.client_auth, client_auth_mode::none);
    EXPECT_FALSE(cfg.trust);
    ASSERT_EQ(cfg.certificates.size(), 1u);
    EXPECT_EQ(cfg.certificates[0]->chain.size(), 2u);
    const auto &names = cfg.certificates[0]->dns_names;
    EXPECT_NE(std::find(names.begin(), names.end(), "localhost"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "www.example.com"), names.end());
}

TEST(tls_context, tls_ctx_options_init_default_server_from_path) {
    auto o = tls_ctx_options::default_server_from_path(fixture("leaf_chain.pem"), fixture("leaf.key"));
    ASSERT_TRUE(o) << o.error().message();
    EXPECT_FALSE(o->verify_peer);
    auto s = context::create_server(*o);
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ((*s)->config()->certificates.size(), 1u);

    auto no_cert = tls_ctx_options::default_server_from_path(missing_path, fixture("leaf.key"));
    ASSERT_FALSE(no_cert);
    EXPECT_EQ(no_cert.error(), make_error_code(common_errc::file_invalid_path));
    auto no_key = tls_ctx_options::default_server_from_path(fixture("leaf_chain.pem"), missing_path);
    ASSERT_FALSE(no_key);
    EXPECT_EQ(no_key.error(), make_error_code(common_errc::file_invalid_path));
}

TEST(tls_context, tls_ctx_options_init_client_mtls) {
    const auto o = tls_ctx_options::client_mtls(pem("client_chain.pem"), pem("client.key"));
    EXPECT_TRUE(o.verify_peer);
    auto withca = o;
    ASSERT_TRUE(withca.override_default_trust_store(pem("root_ca.pem")));
    auto c = context::create_client(withca);
    ASSERT_TRUE(c) << c.error().message();
    const auto &cfg = *(*c)->config();
    ASSERT_EQ(cfg.certificates.size(), 1u);
    EXPECT_EQ(cfg.certificates[0]->chain.size(), 2u);
    EXPECT_EQ(cfg.certificates[0]->key.type(), crypto::key_type::ec_p256);
}

TEST(tls_context, tls_ctx_options_init_client_mtls_from_path) {
    auto o = tls_ctx_options::client_mtls_from_path(fixture("client_chain.pem"), fixture("client.key"));
    ASSERT_TRUE(o) << o.error().message();
    EXPECT_TRUE(o->verify_peer);
    EXPECT_EQ(o->certificate, pem("client_chain.pem"));
    ASSERT_TRUE(o->override_default_trust_store(pem("root_ca.pem")));
    auto c = context::create_client(*o);
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ((*c)->config()->certificates.size(), 1u);

    auto missing = tls_ctx_options::client_mtls_from_path(fixture("client_chain.pem"), missing_path);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), make_error_code(common_errc::file_invalid_path));
}

TEST(tls_context, server_with_verify_peer_requires_client_certificates) {
    auto o = test_server();
    o.set_verify_peer(true);
    ASSERT_TRUE(o.override_default_trust_store(pem("root_ca.pem")));
    auto s = context::create_server(o);
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_TRUE((*s)->verify_peer());
    EXPECT_EQ((*s)->config()->client_auth, client_auth_mode::required);
    ASSERT_TRUE((*s)->config()->trust);
    EXPECT_EQ((*s)->config()->trust->size(), 1u);
}

TEST(tls_context, mismatched_key_and_certificate_is_ctx_error) {
    // aws-c-io (s2n) refuses a key that is not the certificate's at context creation
    // (AWS_IO_TLS_CTX_ERROR); so does this library, for servers and mTLS clients.
    auto s = context::create_server(tls_ctx_options::default_server(pem("leaf_chain.pem"), pem("client.key")));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), make_error_code(io_errc::tls_ctx_error));

    s = context::create_server(
        tls_ctx_options::default_server(pem("ecdsa_p256_leaf_chain.pem"), pem("ecdsa_p384_leaf.key")));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), make_error_code(io_errc::tls_ctx_error));

    auto co = tls_ctx_options::client_mtls(pem("client_chain.pem"), pem("leaf.key"));
    ASSERT_TRUE(co.override_default_trust_store(pem("root_ca.pem")));
    auto c = context::create_client(co);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), make_error_code(io_errc::tls_ctx_error));
}

TEST(tls_context, certificate_without_key_and_key_without_certificate) {
    auto o = test_client();
    o.certificate = pem("client_chain.pem");
    auto c = context::create_client(o);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), make_error_code(io_errc::tls_ctx_error));

    o = test_client();
    o.private_key = pem("client.key");
    c = context::create_client(o);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), make_error_code(io_errc::tls_ctx_error));
}

TEST(tls_context, server_without_certificate_is_ctx_error) {
    auto s = context::create_server(tls_ctx_options::default_client());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), make_error_code(io_errc::tls_ctx_error));
}

TEST(tls_context, bad_certificate_and_key_pem) {
    struct row {
        std::string cert;
        std::string key;
        std::error_code want;
        const char *what;
    };
    const std::vector<row> rows = {
        {"garbage", pem("leaf.key"), io_errc::pem_malformed, "certificate not PEM"},
        {pem("leaf_chain.pem"), "garbage", io_errc::pem_malformed, "key not PEM"},
        {pem("leaf.key"), pem("leaf.key"), io_errc::tls_ctx_error, "no CERTIFICATE in the certificate PEM"},
        {pem("leaf_chain.pem"), pem("key_ec_p256_public.pem"), io_errc::tls_ctx_error, "public key only"},
        {pem("leaf_chain.pem"), pem("key_ec_p521_pkcs8.pem"), io_errc::tls_ctx_error, "unsupported curve"},
        {pem("leaf_chain.pem"), pem("key_x448_pkcs8.pem"), io_errc::tls_ctx_error, "unsupported key type"},
        {pem("client_chain.pem"), pem("key_ec_p256_pkcs8_encrypted.pem"), common_errc::unsupported_operation,
         "encrypted PKCS#8"},
        {pem("leaf_chain.pem"), pem("key_rsa_pkcs1_encrypted.pem"), common_errc::unsupported_operation,
         "encrypted PKCS#1"},
    };
    for (const auto &r : rows) {
        auto s = context::create_server(tls_ctx_options::default_server(r.cert, r.key));
        ASSERT_FALSE(s) << r.what;
        EXPECT_EQ(s.error(), r.want) << r.what << ": " << s.error().message();
    }
}

TEST(tls_context, test_pkcs8_import) {
    // The leaf's RSA key as PKCS#8 and as PKCS#1; the client's P-256 key as PKCS#8 and SEC1.
    for (const char *key : {"key_rsa_pkcs8.pem", "key_rsa_pkcs1.pem"}) {
        auto s = context::create_server(tls_ctx_options::default_server(pem("leaf_chain.pem"), pem(key)));
        EXPECT_TRUE(s) << key << ": " << s.error().message();
    }
    for (const char *key : {"key_ec_p256_pkcs8.pem", "key_ec_p256_sec1.pem"}) {
        auto s = context::create_server(tls_ctx_options::default_server(pem("client_chain.pem"), pem(key)));
        EXPECT_TRUE(s) << key << ": " << s.error().message();
    }
}

TEST(tls_context, test_ecc_cert_import) {
    struct row {
        const char *chain;
        const char *key;
        crypto::key_type type;
    };
    for (const auto &r : {row{"ecdsa_p256_leaf_chain.pem", "ecdsa_p256_leaf.key", crypto::key_type::ec_p256},
                          row{"ecdsa_p384_leaf_chain.pem", "ecdsa_p384_leaf.key", crypto::key_type::ec_p384},
                          row{"ed25519_leaf_chain.pem", "ed25519_leaf.key", crypto::key_type::ed25519}}) {
        auto s = context::create_server(tls_ctx_options::default_server(pem(r.chain), pem(r.key)));
        ASSERT_TRUE(s) << r.chain << ": " << s.error().message();
        EXPECT_EQ((*s)->config()->certificates[0]->key.type(), r.type) << r.chain;
    }
}

TEST(tls_context, test_duplicate_cert_import) {
    // The same certificate and key loaded into two contexts; both work independently.
    const auto o = test_server();
    auto a = context::create_server(o);
    auto b = context::create_server(o);
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    EXPECT_NE(*a, *b);
    EXPECT_EQ((*a)->config()->certificates[0]->chain, (*b)->config()->certificates[0]->chain);
}

TEST(tls_context, test_concurrent_cert_import) {
    // Contexts created on several threads at once, each from its own options.
    constexpr int threads = 4;
    std::array<bool, threads> ok{};
    std::vector<std::thread> workers;
    const std::string chain = pem("leaf_chain.pem");
    const std::string key = pem("leaf.key");
    const std::string ca = pem("root_ca.pem");
    for (int i = 0; i < threads; ++i) {
        workers.emplace_back([&, i] {
            bool all = true;
            for (int j = 0; j < 2; ++j) {
                auto s = context::create_server(tls_ctx_options::default_server(chain, key));
                auto co = tls_ctx_options::default_client();
                all = all && s && co.override_default_trust_store(ca) && context::create_client(co).has_value();
            }
            ok[static_cast<std::size_t>(i)] = all;
        });
    }
    for (auto &t : workers) {
        t.join();
    }
    for (int i = 0; i < threads; ++i) {
        EXPECT_TRUE(ok[static_cast<std::size_t>(i)]) << i;
    }
}

TEST(tls_context, tls_certificate_chain_test) {
    // Chains as sent: leaf + intermediate, leaf + intermediate + root, and a duplicate.
    for (const char *chain : {"leaf_chain.pem", "leaf_fullchain.pem", "leaf_chain_duplicate.pem", "leaf.pem"}) {
        auto s = context::create_server(tls_ctx_options::default_server(pem(chain), pem("leaf.key")));
        ASSERT_TRUE(s) << chain << ": " << s.error().message();
        EXPECT_FALSE((*s)->config()->certificates[0]->chain.empty());
    }
    auto full = context::create_server(tls_ctx_options::default_server(pem("leaf_fullchain.pem"), pem("leaf.key")));
    ASSERT_TRUE(full);
    EXPECT_EQ((*full)->config()->certificates[0]->chain.size(), 3u);
}

// ---------------------------------------------------------------------------------------------
// Servers with several certificates (SNI selection itself: connection_test.cpp)

TEST(tls_context, server_with_several_certificates) {
    auto o = test_server();
    o.add_certificate(pem("leaf_wrong_host_chain.pem"), pem("leaf.key"));
    o.add_certificate(pem("ecdsa_p256_leaf_chain.pem"), pem("ecdsa_p256_leaf.key"));
    o.add_certificate(pem("leaf_wildcard_chain.pem"), pem("leaf.key"));
    ASSERT_EQ(o.additional_certificates.size(), 3u);
    auto s = context::create_server(o);
    ASSERT_TRUE(s) << s.error().message();
    const auto &certs = (*s)->config()->certificates;
    ASSERT_EQ(certs.size(), 4u);
    // The default first, then the additional ones in order, each with its names.
    EXPECT_NE(std::find(certs[0]->dns_names.begin(), certs[0]->dns_names.end(), "localhost"),
              certs[0]->dns_names.end());
    EXPECT_EQ(certs[1]->dns_names, std::vector<std::string>{"wrong.host.test"});
    EXPECT_EQ(certs[2]->key.type(), crypto::key_type::ec_p256);
    EXPECT_EQ(certs[3]->dns_names, std::vector<std::string>{"*.example.com"});
}

TEST(tls_context, server_additional_certificate_errors) {
    auto o = test_server();
    o.add_certificate(pem("leaf_wrong_host_chain.pem"), pem("client.key")); // key of another certificate
    auto s = context::create_server(o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), make_error_code(io_errc::tls_ctx_error));

    o = test_server();
    o.add_certificate("not pem", pem("leaf.key"));
    s = context::create_server(o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), make_error_code(io_errc::pem_malformed));

    // Clients send at most one certificate: additional ones are refused.
    auto co = test_client();
    co.add_certificate(pem("client_chain.pem"), pem("client.key"));
    auto c = context::create_client(co);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), make_error_code(common_errc::invalid_argument));
}

// ---------------------------------------------------------------------------------------------
// Key log

TEST(tls_context, format_key_log_line_is_sslkeylogfile_format) {
    std::array<std::uint8_t, 32> random{};
    for (std::size_t i = 0; i < random.size(); ++i) {
        random[i] = static_cast<std::uint8_t>(i);
    }
    const std::array<std::uint8_t, 4> secret = {0xde, 0xad, 0xBE, 0xef};
    EXPECT_EQ(format_key_log_line("CLIENT_TRAFFIC_SECRET_0", random, secret),
              "CLIENT_TRAFFIC_SECRET_0 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f deadbeef\n");
    // Labels are written upper case; empty values give empty fields.
    EXPECT_EQ(format_key_log_line("client_random", {}, {}), "CLIENT_RANDOM  \n");
    const std::array<std::uint8_t, 1> ff = {0xff};
    EXPECT_EQ(format_key_log_line("EXPORTER_SECRET", ff, ff), "EXPORTER_SECRET ff ff\n");
}

TEST(tls_context, key_log_callback_reaches_the_engine) {
    auto o = test_client();
    int calls = 0;
    o.key_log = [&](std::string_view, std::span<const std::uint8_t>, std::span<const std::uint8_t>) { ++calls; };
    auto c = context::create_client(o);
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->config()->key_log);
    const std::array<std::uint8_t, 2> b = {1, 2};
    (*c)->config()->key_log("X", b, b);
    EXPECT_EQ(calls, 1);

    auto none = context::create_client(test_client());
    ASSERT_TRUE(none);
    EXPECT_FALSE((*none)->config()->key_log);
}

// ---------------------------------------------------------------------------------------------
// Sharing

TEST(tls_context, context_outlives_its_options_and_is_shared) {
    std::shared_ptr<const context> ctx;
    {
        auto o = test_server();
        auto s = context::create_server(o);
        ASSERT_TRUE(s);
        ctx = *s;
    }
    ASSERT_TRUE(ctx);
    auto copy = ctx;
    EXPECT_EQ(copy.use_count(), 2);
    EXPECT_EQ(ctx->config()->certificates.size(), 1u);
    EXPECT_EQ(context::from_config(ctx->config())->config(), ctx->config());
}

} // namespace
} // namespace awsio::tls
