// Distinguished names: parsing every string type, RFC 5280 7.1 comparison (case, whitespace,
// string types, RDN order and multi-valued RDNs), RFC 4514-style printing, malformed names.
#include "x509/name.hpp"

#include "x509/der.hpp"
#include "x509/oid.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::x509;

namespace {

using bytes = std::vector<std::uint8_t>;

bytes tlv(std::uint8_t tag, const bytes &content) {
    bytes out{tag, static_cast<std::uint8_t>(content.size())};
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

bytes str(std::string_view s) { return {s.begin(), s.end()}; }

struct atv {
    std::span<const std::uint8_t> type;
    std::uint8_t tag;
    bytes value;
};

bytes attribute(const atv &a) {
    bytes inner = tlv(der::tag::oid, bytes(a.type.begin(), a.type.end()));
    const bytes v = tlv(a.tag, a.value);
    inner.insert(inner.end(), v.begin(), v.end());
    return tlv(der::tag::sequence, inner);
}

// A Name of RDNs, each RDN a list of attributes.
bytes make_name(std::initializer_list<std::initializer_list<atv>> rdns) {
    bytes seq;
    for (const auto &rdn : rdns) {
        bytes set;
        for (const auto &a : rdn) {
            const bytes e = attribute(a);
            set.insert(set.end(), e.begin(), e.end());
        }
        const bytes s = tlv(der::tag::set, set);
        seq.insert(seq.end(), s.begin(), s.end());
    }
    return tlv(der::tag::sequence, seq);
}

name parse(const bytes &der) {
    auto n = name::parse(der);
    EXPECT_TRUE(n.has_value()) << n.error().message();
    return n.has_value() ? *n : name{};
}

constexpr std::uint8_t printable = der::tag::printable_string;
constexpr std::uint8_t utf8 = der::tag::utf8_string;
constexpr std::uint8_t ia5 = der::tag::ia5_string;

} // namespace

TEST(x509_name, parse_and_print) {
    const bytes der = make_name({{{oid::country_name, printable, str("US")}},
                                 {{oid::organization_name, utf8, str("Example, Inc.")}},
                                 {{oid::common_name, utf8, str("www.example.com")}}});
    const name n = parse(der);
    ASSERT_EQ(n.rdns().size(), 3u);
    EXPECT_EQ(n.rdns()[0][0].value, "US");
    EXPECT_EQ(n.rdns()[0][0].tag, printable);
    EXPECT_TRUE(n.rdns()[0][0].is_string());
    EXPECT_EQ(n.to_string(), "CN=www.example.com,O=Example\\, Inc.,C=US");
    EXPECT_EQ(bytes(n.der().begin(), n.der().end()), der);
    EXPECT_EQ(n.common_names(), std::vector<std::string>{"www.example.com"});
    EXPECT_EQ(n.values_of(oid::country_name), std::vector<std::string>{"US"});
    EXPECT_FALSE(n.empty());
}

TEST(x509_name, empty_name) {
    const name n = parse({0x30, 0x00});
    EXPECT_TRUE(n.empty());
    EXPECT_EQ(n.to_string(), "");
    EXPECT_TRUE(n.matches(name{}));
    EXPECT_FALSE(n.matches(parse(make_name({{{oid::common_name, utf8, str("a")}}}))));
}

TEST(x509_name, print_escapes_and_unknown_types) {
    const auto dotted = der::oid_from_string("1.2.3.4");
    ASSERT_TRUE(dotted.has_value());
    const name n = parse(make_name({{{oid::common_name, utf8, str(" #lead+trail ")}},
                                    {{*dotted, utf8, str("a=b;c<d>\"e\\")}},
                                    {{oid::serial_number, der::tag::integer, {0x01, 0x02}}}}));
    EXPECT_EQ(n.to_string(), "serialNumber=#02020102,1.2.3.4=a\\=b\\;c\\<d\\>\\\"e\\\\,CN=\\ #lead\\+trail\\ ");
    EXPECT_FALSE(n.rdns()[2][0].is_string());
    EXPECT_TRUE(n.rdns()[2][0].value.empty());
    // commonName of a non-string type is not reported.
    EXPECT_TRUE(n.values_of(oid::serial_number).empty());

    const name ctl = parse(make_name({{{oid::common_name, utf8, {'a', 0x01, 'b'}}}}));
    EXPECT_EQ(ctl.to_string(), "CN=a\\01b");
}

TEST(x509_name, multi_valued_rdn) {
    const name n = parse(make_name({{{oid::organizational_unit_name, utf8, str("Sales")},
                                     {oid::common_name, utf8, str("J. Smith")}}}));
    ASSERT_EQ(n.rdns().size(), 1u);
    EXPECT_EQ(n.rdns()[0].size(), 2u);
    EXPECT_EQ(n.to_string(), "OU=Sales+CN=J. Smith");
    // The same set in the other order matches.
    const name swapped = parse(make_name({{{oid::common_name, utf8, str("J. Smith")},
                                           {oid::organizational_unit_name, utf8, str("Sales")}}}));
    EXPECT_TRUE(n.matches(swapped));
    EXPECT_TRUE(n == swapped);
    // Split into two RDNs it does not.
    const name split = parse(make_name({{{oid::organizational_unit_name, utf8, str("Sales")}},
                                        {{oid::common_name, utf8, str("J. Smith")}}}));
    EXPECT_FALSE(n.matches(split));
    // A set with a repeated attribute does not match a set with two different ones.
    const name twice = parse(make_name({{{oid::common_name, utf8, str("J. Smith")},
                                         {oid::common_name, utf8, str("J. Smith")}}}));
    const name mixed = parse(make_name({{{oid::common_name, utf8, str("J. Smith")},
                                         {oid::organizational_unit_name, utf8, str("Sales")}}}));
    EXPECT_FALSE(twice.matches(mixed));
    EXPECT_FALSE(mixed.matches(twice));
}

TEST(x509_name, compare_case_and_whitespace) {
    const name a = parse(make_name({{{oid::organization_name, printable, str("Example   Org")}},
                                    {{oid::common_name, utf8, str("  Test CA ")}}}));
    const name b = parse(make_name({{{oid::organization_name, printable, str("EXAMPLE ORG")}},
                                    {{oid::common_name, utf8, str("test ca")}}}));
    EXPECT_TRUE(a.matches(b));
    EXPECT_TRUE(b.matches(a));
    const name c = parse(make_name({{{oid::organization_name, printable, str("Example Org")}},
                                    {{oid::common_name, utf8, str("test  cb")}}}));
    EXPECT_FALSE(a.matches(c));
    EXPECT_EQ(normalize_directory_string("  A\t\tB  c "), "a b c");
    EXPECT_EQ(normalize_directory_string("   "), "");
}

TEST(x509_name, compare_across_string_types) {
    // PrintableString and UTF8String of the same text match (RFC 5280 7.1 compares text).
    const name p = parse(make_name({{{oid::common_name, printable, str("Root CA")}}}));
    const name u = parse(make_name({{{oid::common_name, utf8, str("root ca")}}}));
    EXPECT_TRUE(p.matches(u));
    // BMPString "Root CA" (UTF-16BE).
    bytes bmp;
    for (char ch : std::string("ROOT CA")) {
        bmp.push_back(0);
        bmp.push_back(static_cast<std::uint8_t>(ch));
    }
    const name bm = parse(make_name({{{oid::common_name, der::tag::bmp_string, bmp}}}));
    EXPECT_EQ(bm.common_names()[0], "ROOT CA");
    EXPECT_TRUE(bm.matches(u));
    // IA5String values compare as octets: case matters, and IA5 never equals a UTF8String.
    const name i1 = parse(make_name({{{oid::domain_component, ia5, str("Example")}}}));
    const name i2 = parse(make_name({{{oid::domain_component, ia5, str("example")}}}));
    const name i3 = parse(make_name({{{oid::domain_component, utf8, str("Example")}}}));
    EXPECT_FALSE(i1.matches(i2));
    EXPECT_TRUE(i1.matches(parse(make_name({{{oid::domain_component, ia5, str("Example")}}}))));
    EXPECT_FALSE(i1.matches(i3));
    // Different attribute types never match.
    EXPECT_FALSE(p.matches(parse(make_name({{{oid::organization_name, printable, str("Root CA")}}}))));
}

TEST(x509_name, rdn_order_matters) {
    const name a = parse(make_name({{{oid::country_name, printable, str("US")}},
                                    {{oid::common_name, utf8, str("x")}}}));
    const name b = parse(make_name({{{oid::common_name, utf8, str("x")}},
                                    {{oid::country_name, printable, str("US")}}}));
    EXPECT_FALSE(a.matches(b));
    const name shorter = parse(make_name({{{oid::country_name, printable, str("US")}}}));
    EXPECT_FALSE(a.matches(shorter));
    EXPECT_FALSE(shorter.matches(a));
}

TEST(x509_name, string_types_decode_to_utf8) {
    // TeletexString as Latin-1: 0xE9 is U+00E9.
    const name t = parse(make_name({{{oid::common_name, der::tag::teletex_string, {'c', 'a', 'f', 0xe9}}}}));
    EXPECT_EQ(t.common_names()[0], "caf\xc3\xa9");
    // UniversalString (UTF-32BE): U+1F600.
    const name u = parse(make_name({{{oid::common_name, der::tag::universal_string, {0, 0, 0, 'a', 0, 1, 0xf6, 0}}}}));
    EXPECT_EQ(u.common_names()[0], "a\xf0\x9f\x98\x80");
    // BMPString: U+00FC.
    const name bm = parse(make_name({{{oid::common_name, der::tag::bmp_string, {0x00, 0xfc}}}}));
    EXPECT_EQ(bm.common_names()[0], "\xc3\xbc");
    // The Latin-1 and UTF-8 spellings of the same text match.
    EXPECT_TRUE(t.matches(parse(make_name({{{oid::common_name, utf8, str("CAF\xc3\xa9")}}}))));
    // IA5String emailAddress prints under its label.
    const name e = parse(make_name({{{oid::email_address, ia5, str("a@b.c")}}}));
    EXPECT_EQ(e.to_string(), "emailAddress=a@b.c");
}

TEST(x509_name, malformed_names_are_refused) {
    // An empty RDN set.
    EXPECT_EQ(name::parse(bytes{0x30, 0x02, 0x31, 0x00}).error(), der::errc::unexpected_tag);
    // Trailing bytes after the Name.
    EXPECT_EQ(name::parse(bytes{0x30, 0x00, 0x00}).error(), der::errc::trailing_data);
    // Not a SEQUENCE.
    EXPECT_EQ(name::parse(bytes{0x31, 0x00}).error(), der::errc::unexpected_tag);
    // PrintableString with '@'.
    EXPECT_EQ(name::parse(make_name({{{oid::common_name, printable, str("a@b")}}})).error(),
              der::errc::bad_string);
    // Invalid UTF-8.
    EXPECT_EQ(name::parse(make_name({{{oid::common_name, utf8, {0xc3}}}})).error(), der::errc::bad_string);
    // An AttributeTypeAndValue with an extra element.
    bytes extra = attribute({oid::common_name, utf8, str("x")});
    extra[1] = static_cast<std::uint8_t>(extra[1] + 2);
    extra.insert(extra.end(), {0x05, 0x00});
    EXPECT_EQ(name::parse(tlv(der::tag::sequence, tlv(der::tag::set, extra))).error(), der::errc::trailing_data);
    // Truncated.
    const bytes good = make_name({{{oid::common_name, utf8, str("abc")}}});
    for (std::size_t n = 0; n < good.size(); ++n) {
        EXPECT_FALSE(name::parse(std::span<const std::uint8_t>(good.data(), n)).has_value()) << n;
    }
}
