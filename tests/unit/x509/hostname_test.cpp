// Server identity checks (RFC 9525): DNS and wildcard matching, IP literals, the commonName
// fallback only without subjectAltName, and the RFC 5280 name-constraint helpers.
#include "x509/hostname.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::x509;

namespace {

certificate load(const std::string &name) {
    std::ifstream in(std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/parse/" + name, std::ios::binary);
    const std::vector<std::uint8_t> der((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto c = certificate::parse(der);
    EXPECT_TRUE(c.has_value()) << name;
    return std::move(*c);
}

const std::error_code ok{};
const std::error_code mismatch = make_error_code(io_errc::tls_host_name_mismatch);

std::vector<std::uint8_t> ip(std::string_view text) {
    const auto a = parse_ip_literal(text);
    EXPECT_TRUE(a.has_value()) << text;
    return a ? std::vector<std::uint8_t>(a->view().begin(), a->view().end()) : std::vector<std::uint8_t>{};
}

} // namespace

// SAN: DNS:leaf.example.com, DNS:*.wild.example.com, IP:192.0.2.7; CN=leaf.example.com.
TEST(x509_hostname, dns_names_and_case) {
    const auto c = load("rsa_leaf.der");
    EXPECT_EQ(verify_hostname(c, "leaf.example.com"), ok);
    EXPECT_EQ(verify_hostname(c, "LEAF.Example.COM"), ok);
    EXPECT_EQ(verify_hostname(c, "leaf.example.com."), ok); // trailing dot ignored
    EXPECT_EQ(verify_hostname(c, "leaf.example.com.."), mismatch);
    EXPECT_EQ(verify_hostname(c, "other.example.com"), mismatch);
    EXPECT_EQ(verify_hostname(c, "example.com"), mismatch);
    EXPECT_EQ(verify_hostname(c, "aleaf.example.com"), mismatch);
    EXPECT_EQ(verify_hostname(c, ""), mismatch);
}

TEST(x509_hostname, wildcards) {
    const auto c = load("rsa_leaf.der");
    EXPECT_EQ(verify_hostname(c, "a.wild.example.com"), ok);
    EXPECT_EQ(verify_hostname(c, "XN--BCHER-KVA.wild.example.com"), ok);
    EXPECT_EQ(verify_hostname(c, "wild.example.com"), mismatch);    // not the parent
    EXPECT_EQ(verify_hostname(c, "a.b.wild.example.com"), mismatch); // one label only
    EXPECT_EQ(verify_hostname(c, ".wild.example.com"), mismatch);    // empty label
    EXPECT_EQ(verify_hostname(c, "*.wild.example.com"), mismatch);   // host is not a pattern
}

TEST(x509_hostname, ip_addresses) {
    const auto leaf = load("rsa_leaf.der");
    EXPECT_EQ(verify_hostname(leaf, "192.0.2.7"), ok);
    EXPECT_EQ(verify_hostname(leaf, "192.0.2.8"), mismatch);
    EXPECT_EQ(verify_hostname(leaf, "::ffff:192.0.2.7"), mismatch); // another family
    EXPECT_EQ(verify_hostname(leaf, "192.000.2.7"), mismatch);       // not a strict literal

    // SAN IP:10.1.2.3, IP:2001:db8::1.
    const auto all = load("all_extensions.der");
    EXPECT_EQ(verify_hostname(all, "10.1.2.3"), ok);
    EXPECT_EQ(verify_hostname(all, "2001:db8::1"), ok);
    EXPECT_EQ(verify_hostname(all, "[2001:db8::1]"), ok);
    EXPECT_EQ(verify_hostname(all, "2001:DB8:0:0:0:0:0:1"), ok);
    EXPECT_EQ(verify_hostname(all, "2001:db8::2"), mismatch);
    EXPECT_EQ(verify_hostname(all, "[10.1.2.3]"), mismatch);
    EXPECT_EQ(verify_hostname(all, "[all.example.com]"), mismatch);
    EXPECT_EQ(verify_hostname(all, "x.all.example.com"), ok);
}

TEST(x509_hostname, ip_host_never_matches_dns_or_cn) {
    // CN-only certificate whose CN is a name: an IP host has nothing to match.
    const auto cn = load("cn_only.der");
    EXPECT_EQ(verify_hostname(cn, "127.0.0.1"), mismatch);
    EXPECT_EQ(verify_hostname(cn, "::1"), mismatch);
}

TEST(x509_hostname, common_name_fallback_only_without_san) {
    const auto cn = load("cn_only.der");
    ASSERT_FALSE(cn.has_subject_alt_name());
    EXPECT_EQ(verify_hostname(cn, "cn-only.example.com"), ok);
    EXPECT_EQ(verify_hostname(cn, "CN-ONLY.example.com."), ok);
    EXPECT_EQ(verify_hostname(cn, "awsio test"), mismatch); // the O attribute is never used
    // CN=leaf.example.com, SAN DNS:unknown.example.com: the CN is ignored.
    const auto san = load("unknown_critical.der");
    EXPECT_EQ(san.subject().common_names()[0], "leaf.example.com");
    EXPECT_EQ(verify_hostname(san, "leaf.example.com"), mismatch);
    EXPECT_EQ(verify_hostname(san, "unknown.example.com"), ok);
}

TEST(x509_hostname, matches_dns_name_rules) {
    EXPECT_TRUE(matches_dns_name("example.com", "example.com"));
    EXPECT_TRUE(matches_dns_name("Example.COM.", "example.com"));
    EXPECT_TRUE(matches_dns_name("*.example.com", "www.example.com"));
    EXPECT_TRUE(matches_dns_name("*.example.com", "WWW.EXAMPLE.COM."));
    EXPECT_FALSE(matches_dns_name("*.example.com", "example.com"));
    EXPECT_FALSE(matches_dns_name("*.example.com", "a.b.example.com"));
    EXPECT_FALSE(matches_dns_name("*.com", "example.com"));
    EXPECT_FALSE(matches_dns_name("*", "example"));
    EXPECT_FALSE(matches_dns_name("*.", "example."));
    EXPECT_FALSE(matches_dns_name("f*.example.com", "foo.example.com"));
    EXPECT_FALSE(matches_dns_name("*o.example.com", "foo.example.com"));
    EXPECT_FALSE(matches_dns_name("w*w.example.com", "www.example.com"));
    EXPECT_FALSE(matches_dns_name("www.*.com", "www.example.com"));
    EXPECT_FALSE(matches_dns_name("*.*.example.com", "a.b.example.com"));
    EXPECT_FALSE(matches_dns_name("**.example.com", "a.example.com"));
    EXPECT_FALSE(matches_dns_name("", ""));
    EXPECT_FALSE(matches_dns_name("example.com", ""));
    EXPECT_FALSE(matches_dns_name("a..example.com", "a..example.com"));
    EXPECT_FALSE(matches_dns_name("example.com", "example.org"));
    EXPECT_FALSE(matches_dns_name("xample.com", "example.com"));
}

TEST(x509_hostname, parse_ip_literals) {
    EXPECT_EQ(ip("1.2.3.4"), (std::vector<std::uint8_t>{1, 2, 3, 4}));
    EXPECT_EQ(ip("255.255.255.255"), (std::vector<std::uint8_t>{255, 255, 255, 255}));
    EXPECT_EQ(ip("0.0.0.0").size(), 4u);
    EXPECT_EQ(ip("::").size(), 16u);
    EXPECT_EQ(ip("::1")[15], 1);
    EXPECT_EQ(ip("[::1]")[15], 1);
    EXPECT_EQ(ip("1::")[1], 1);
    EXPECT_EQ(ip("1:2:3:4:5:6:7:8")[15], 8);
    EXPECT_EQ(ip("1:2:3:4:5:6:7::")[13], 7);
    EXPECT_EQ(ip("::ffff:1.2.3.4"), (std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4}));
    EXPECT_EQ(ip("1:2:3:4:5:6:1.2.3.4")[12], 1);
    for (const char *bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "1..2.3", "a.b.c.d",
                            ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1::2",
                            "1::2:", "[1.2.3.4]", "[::1", "::1]", "fe80::1%eth0", "::1.2.3.4:5", "g::1",
                            "1:2:3:4:5:6:7:1.2.3.4", "example.com"}) {
        EXPECT_FALSE(parse_ip_literal(bad).has_value()) << bad;
    }
}

TEST(x509_hostname, dns_name_constraints) {
    EXPECT_TRUE(dns_within_subtree("example.com", "example.com"));
    EXPECT_TRUE(dns_within_subtree("www.example.com", "example.com"));
    EXPECT_TRUE(dns_within_subtree("a.b.EXAMPLE.com", "Example.com"));
    EXPECT_TRUE(dns_within_subtree("*.example.com", "example.com"));
    EXPECT_TRUE(dns_within_subtree("example.com.", "example.com"));
    EXPECT_FALSE(dns_within_subtree("badexample.com", "example.com"));
    EXPECT_FALSE(dns_within_subtree("example.org", "example.com"));
    EXPECT_FALSE(dns_within_subtree("com", "example.com"));
    EXPECT_TRUE(dns_within_subtree("www.example.com", ".example.com"));
    EXPECT_FALSE(dns_within_subtree("example.com", ".example.com"));
    EXPECT_FALSE(dns_within_subtree("badexample.com", ".example.com"));
    EXPECT_TRUE(dns_within_subtree("anything.at.all", ""));
}

TEST(x509_hostname, ip_name_constraints) {
    const std::vector<std::uint8_t> ten_slash_8{10, 0, 0, 0, 255, 0, 0, 0};
    EXPECT_TRUE(ip_within_subtree(ip("10.1.2.3"), ten_slash_8));
    EXPECT_FALSE(ip_within_subtree(ip("11.1.2.3"), ten_slash_8));
    EXPECT_FALSE(ip_within_subtree(ip("::a01:203"), ten_slash_8)); // another family
    const std::vector<std::uint8_t> host_only{192, 0, 2, 7, 255, 255, 255, 255};
    EXPECT_TRUE(ip_within_subtree(ip("192.0.2.7"), host_only));
    EXPECT_FALSE(ip_within_subtree(ip("192.0.2.6"), host_only));
    const std::vector<std::uint8_t> any4{0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_TRUE(ip_within_subtree(ip("203.0.113.9"), any4));

    std::vector<std::uint8_t> v6(32, 0);
    const auto base = ip("2001:db8::");
    std::copy(base.begin(), base.end(), v6.begin());
    for (std::size_t i = 16; i < 20; ++i) {
        v6[i] = 0xff; // /32
    }
    EXPECT_TRUE(ip_within_subtree(ip("2001:db8:1::5"), v6));
    EXPECT_FALSE(ip_within_subtree(ip("2001:db9::5"), v6));
    EXPECT_FALSE(ip_within_subtree(ip("10.1.2.3"), v6));
    EXPECT_FALSE(ip_within_subtree(std::vector<std::uint8_t>{1, 2, 3}, std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6}));

    // The fixture's constraints hold the fixture's own SAN addresses.
    const auto all = load("all_extensions.der");
    const auto &nc = *all.name_constraints_ext();
    EXPECT_TRUE(ip_within_subtree(all.ip_addresses()[0], nc.permitted[1].value));
    EXPECT_TRUE(ip_within_subtree(all.ip_addresses()[1], nc.permitted[2].value));
    EXPECT_TRUE(dns_within_subtree(all.dns_names()[0], nc.permitted[0].text));
    EXPECT_FALSE(dns_within_subtree(all.dns_names()[0], nc.excluded[0].text));
    EXPECT_TRUE(dns_within_subtree("x.bad.example.com", nc.excluded[0].text));
}
