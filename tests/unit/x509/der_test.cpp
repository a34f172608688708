// Strict DER reader: good encodings of every supported type, and bad ones (BER-only forms,
// non-minimal encodings, truncation, hostile nesting) each rejected with its specific error.
#include "x509/der.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::x509;
using der::errc;

namespace {

std::vector<std::uint8_t> hex(std::string_view text) {
    std::vector<std::uint8_t> out;
    int hi = -1;
    for (const char c : text) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else continue; // spaces
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
            hi = -1;
        }
    }
    return out;
}

std::vector<std::uint8_t> ascii(std::uint8_t t, std::string_view s) {
    std::vector<std::uint8_t> out{t, static_cast<std::uint8_t>(s.size())};
    out.insert(out.end(), s.begin(), s.end());
    return out;
}

std::vector<std::uint8_t> read_resource(const std::string &name) {
    std::ifstream in(std::string(AWSIO_TEST_RESOURCES_DIR) + "/" + name, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::uint8_t> to_vec(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

// Walks every element, descending into constructed ones; the first error wins.
std::error_code walk(der::reader &r) {
    while (!r.empty()) {
        auto t = r.read_any();
        if (!t) {
            return t.error();
        }
        if ((t->tag & der::tag::constructed_bit) != 0) {
            auto sub = r.child(t->value);
            if (!sub) {
                return sub.error();
            }
            if (auto ec = walk(*sub)) {
                return ec;
            }
        }
    }
    return {};
}

template <typename T>
std::error_code err(const result<T> &r) {
    return r.error();
}

} // namespace

// --- Error category ---------------------------------------------------------------------------

TEST(der, error_category_and_certificate_mapping) {
    const std::error_code ec = errc::truncated;
    EXPECT_STREQ(ec.category().name(), "awsio-der");
    EXPECT_FALSE(ec.message().empty());
    for (int v = 1; v <= static_cast<int>(errc::bad_string); ++v) {
        EXPECT_NE(std::error_code(v, der::der_category()).message(), "unknown DER error") << v;
    }
    EXPECT_EQ(der::to_bad_certificate(ec), io_errc::tls_bad_certificate);
    EXPECT_EQ(der::to_bad_certificate(make_error_code(io_errc::pem_malformed)), io_errc::pem_malformed);
}

// --- Lengths and tags -------------------------------------------------------------------------

TEST(der, short_and_long_form_lengths) {
    auto in = hex("04 03 010203");
    der::reader r(in);
    auto v = r.read_octet_string();
    ASSERT_TRUE(v);
    EXPECT_EQ(to_vec(*v), hex("010203"));
    EXPECT_TRUE(r.expect_empty());

    std::vector<std::uint8_t> long_form = hex("04 81 80");
    long_form.resize(3 + 0x80, 0x5a);
    der::reader r2(long_form);
    auto v2 = r2.read_octet_string();
    ASSERT_TRUE(v2);
    EXPECT_EQ(v2->size(), 0x80u);

    std::vector<std::uint8_t> two_octets = hex("04 82 0100");
    two_octets.resize(4 + 0x100, 0);
    der::reader r3(two_octets);
    auto v3 = r3.read_any();
    ASSERT_TRUE(v3);
    EXPECT_EQ(v3->value.size(), 0x100u);
    EXPECT_EQ(v3->encoded.size(), two_octets.size());
}

TEST(der, non_minimal_length_rejected) {
    for (const char *bad : {"04 81 05 0102030405", "04 81 7f", "04 82 0005 0102030405", "04 82 007f"}) {
        auto in = hex(bad);
        der::reader r(in);
        EXPECT_EQ(err(r.read_octet_string()), errc::non_minimal_length) << bad;
    }
}

TEST(der, indefinite_length_rejected) {
    auto in = hex("30 80 0500 0000");
    der::reader r(in);
    EXPECT_EQ(err(r.read_sequence()), errc::indefinite_length);
}

TEST(der, oversized_length_field_rejected) {
    for (const char *bad : {"04 85 0000000001 00", "04 ff", "04 88 0000000000000001"}) {
        auto in = hex(bad);
        der::reader r(in);
        EXPECT_EQ(err(r.read_any()), errc::length_overflow) << bad;
    }
}

TEST(der, truncated_rejected) {
    for (const char *bad : {"", "04", "04 05 0102", "04 82 01", "04 81", "30 03 0201"}) {
        auto in = hex(bad);
        der::reader r(in);
        EXPECT_EQ(err(r.read_any()), errc::truncated) << bad;
    }
    // A length promising more than the parent holds, inside a sequence.
    auto in = hex("30 03 04 05 00");
    der::reader r(in);
    auto seq = r.read_sequence();
    ASSERT_TRUE(seq);
    EXPECT_EQ(err(seq->read_octet_string()), errc::truncated);
}

TEST(der, high_tag_number_and_end_of_contents_rejected) {
    for (const char *bad : {"1f 01 00", "bf 81 00 00", "9f 20 00", "00 00"}) {
        auto in = hex(bad);
        der::reader r(in);
        EXPECT_EQ(err(r.read_any()), errc::unsupported_tag) << bad;
    }
}

TEST(der, unexpected_tag_rejected_and_nothing_consumed) {
    auto in = hex("04 00");
    der::reader r(in);
    EXPECT_EQ(err(r.read_sequence()), errc::unexpected_tag);
    EXPECT_EQ(err(r.read_integer()), errc::unexpected_tag);
    EXPECT_EQ(r.remaining(), 2u);
    EXPECT_TRUE(r.read_octet_string());
    EXPECT_TRUE(r.empty());

    // DER forbids the constructed form of strings: 0x24 is not an OCTET STRING.
    auto cons = hex("24 04 04 02 0102");
    der::reader r2(cons);
    EXPECT_EQ(err(r2.read_octet_string()), errc::unexpected_tag);
}

TEST(der, failed_typed_read_consumes_nothing) {
    auto in = hex("02 02 0001 02 01 05");
    der::reader r(in);
    EXPECT_EQ(err(r.read_int64()), errc::bad_integer);
    EXPECT_EQ(r.remaining(), in.size());
    EXPECT_TRUE(r.skip());
    auto v = r.read_int64();
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, 5);
}

TEST(der, trailing_data_rejected) {
    auto in = hex("05 00 05 00");
    der::reader r(in);
    ASSERT_TRUE(r.read_null());
    EXPECT_EQ(r.expect_empty().error(), errc::trailing_data);
    ASSERT_TRUE(r.read_null());
    EXPECT_TRUE(r.expect_empty());

    auto seq = hex("30 04 0500 0500");
    der::reader r2(seq);
    auto s = r2.read_sequence();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->read_null());
    EXPECT_EQ(s->expect_empty().error(), errc::trailing_data);
}

TEST(der, nesting_depth_limit) {
    // 40 nested SEQUENCEs around a NULL.
    std::vector<std::uint8_t> nested = hex("05 00");
    for (int i = 0; i < 40; ++i) {
        nested.insert(nested.begin(), {0x30, static_cast<std::uint8_t>(nested.size())});
    }
    der::reader r(nested);
    EXPECT_EQ(walk(r), errc::nesting_too_deep);

    der::limits lim;
    lim.max_depth = 64;
    der::reader deep(nested, lim);
    EXPECT_FALSE(walk(deep));

    lim.max_depth = 1;
    auto two = hex("30 04 30 02 05 00");
    der::reader shallow(two, lim);
    auto outer = shallow.read_sequence();
    ASSERT_TRUE(outer);
    EXPECT_EQ(outer->depth(), 1u);
    EXPECT_EQ(err(outer->read_sequence()), errc::nesting_too_deep);
}

TEST(der, size_limit) {
    der::limits lim;
    lim.max_input_size = 4;
    auto in = hex("04 04 01020304");
    der::reader r(in, lim);
    EXPECT_EQ(err(r.read_any()), errc::input_too_large);
    EXPECT_FALSE(r.peek_tag());

    lim.max_input_size = 100;
    auto claims = hex("04 82 0100 00");
    der::reader r2(claims, lim);
    EXPECT_EQ(err(r2.read_any()), errc::input_too_large);
}

TEST(der, peek_and_optional_fields) {
    auto in = hex("a0 03 020102 02 01 07");
    der::reader r(in);
    EXPECT_EQ(r.peek_tag(), std::optional<std::uint8_t>(0xa0));
    EXPECT_TRUE(r.peek(der::context_tag(0, true)));
    EXPECT_FALSE(r.peek(der::tag::integer));

    auto absent = r.read_optional_explicit(1);
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->has_value());

    auto version = r.read_optional_explicit(0);
    ASSERT_TRUE(version);
    ASSERT_TRUE(version->has_value());
    auto v = (*version)->read_int64();
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, 2);
    EXPECT_TRUE((*version)->expect_empty());

    auto no_bool = r.read_optional(der::tag::boolean);
    ASSERT_TRUE(no_bool);
    EXPECT_FALSE(no_bool->has_value());
    auto num = r.read_optional(der::tag::integer);
    ASSERT_TRUE(num);
    ASSERT_TRUE(num->has_value());
    EXPECT_EQ(to_vec((*num)->value), hex("07"));
    EXPECT_EQ(to_vec((*num)->encoded), hex("020107"));
    EXPECT_TRUE(r.empty());
    EXPECT_FALSE(r.peek_tag());
}

TEST(der, explicit_and_implicit_tags) {
    EXPECT_EQ(der::context_tag(0, true), 0xa0);
    EXPECT_EQ(der::context_tag(3, true), 0xa3);
    EXPECT_EQ(der::context_tag(2, false), 0x82);
    EXPECT_EQ(der::context_tag(7, false), 0x87);

    // GeneralNames: dNSName [2] IMPLICIT IA5String, iPAddress [7] IMPLICIT OCTET STRING.
    auto in = hex("30 13 82 0b 6578616d706c652e636f6d 87 04 7f000001");
    der::reader r(in);
    auto names = r.read_sequence();
    ASSERT_TRUE(names);
    auto dns = names->read_ia5_string(der::context_tag(2, false));
    ASSERT_TRUE(dns);
    EXPECT_EQ(*dns, "example.com");
    auto ip = names->read_octet_string(der::context_tag(7, false));
    ASSERT_TRUE(ip);
    EXPECT_EQ(to_vec(*ip), hex("7f000001"));
    EXPECT_TRUE(names->expect_empty());

    // [1] IMPLICIT INTEGER and an EXPLICIT wrapper that is primitive (wrong form).
    auto imp = hex("81 01 05 a1 03 020105");
    der::reader r2(imp);
    auto n = r2.read_int64(der::context_tag(1, false));
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 5);
    auto ex = r2.read_explicit(1);
    ASSERT_TRUE(ex);
    EXPECT_EQ(*ex->read_int64(), 5);

    auto prim = hex("80 03 020105");
    der::reader r3(prim);
    EXPECT_EQ(err(r3.read_explicit(0)), errc::unexpected_tag);
}

// --- INTEGER ----------------------------------------------------------------------------------

TEST(der, integer_values) {
    const std::pair<const char *, std::int64_t> cases[] = {
        {"02 01 00", 0},
        {"02 01 7f", 127},
        {"02 02 0080", 128},
        {"02 02 0100", 256},
        {"02 01 80", -128},
        {"02 02 ff7f", -129},
        {"02 01 ff", -1},
        {"02 08 7fffffffffffffff", INT64_MAX},
        {"02 08 8000000000000000", INT64_MIN},
    };
    for (const auto &[text, value] : cases) {
        auto in = hex(text);
        der::reader r(in);
        auto v = r.read_int64();
        ASSERT_TRUE(v) << text;
        EXPECT_EQ(*v, value) << text;
    }
}

TEST(der, integer_non_minimal_or_empty_rejected) {
    for (const char *bad : {"02 00", "02 02 007f", "02 02 0000", "02 02 ff80", "02 03 ffffff"}) {
        auto in = hex(bad);
        der::reader r(in);
        EXPECT_EQ(err(r.read_integer()), errc::bad_integer) << bad;
        der::reader r2(in);
        EXPECT_EQ(err(r2.read_int64()), errc::bad_integer) << bad;
    }
}

TEST(der, integer_range) {
    auto big = hex("02 09 008000000000000000");
    der::reader r(big);
    EXPECT_EQ(err(r.read_int64()), errc::integer_out_of_range);
    auto raw = r.read_integer();
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->size(), 9u);

    auto positive = hex("02 09 00ffeeddccbbaa9988");
    der::reader r2(positive);
    auto mag = r2.read_unsigned_integer();
    ASSERT_TRUE(mag);
    EXPECT_EQ(to_vec(*mag), hex("ffeeddccbbaa9988"));

    auto zero = hex("02 01 00");
    der::reader r3(zero);
    auto z = r3.read_unsigned_integer();
    ASSERT_TRUE(z);
    EXPECT_EQ(to_vec(*z), hex("00"));

    auto negative = hex("02 01 80");
    der::reader r4(negative);
    EXPECT_EQ(err(r4.read_unsigned_integer()), errc::integer_out_of_range);
}

// --- BOOLEAN, NULL ----------------------------------------------------------------------------

TEST(der, boolean) {
    auto t = hex("01 01 ff 01 01 00");
    der::reader r(t);
    EXPECT_EQ(r.read_boolean().value_or(false), true);
    EXPECT_EQ(r.read_boolean().value_or(true), false);
    for (const char *bad : {"01 01 01", "01 01 7f", "01 02 ffff", "01 00"}) {
        auto in = hex(bad);
        der::reader rb(in);
        EXPECT_EQ(err(rb.read_boolean()), errc::bad_boolean) << bad;
    }
}

TEST(der, null) {
    auto good = hex("05 00");
    der::reader r(good);
    EXPECT_TRUE(r.read_null());
    auto bad = hex("05 01 00");
    der::reader rb(bad);
    EXPECT_EQ(rb.read_null().error(), errc::bad_null);
}

// --- OBJECT IDENTIFIER ------------------------------------------------------------------------

TEST(der, oid_to_string) {
    const std::pair<const char *, const char *> cases[] = {
        {"06 09 2a864886f70d01010b", "1.2.840.113549.1.1.11"},
        {"06 03 550403", "2.5.4.3"},
        {"06 08 2a8648ce3d030107", "1.2.840.10045.3.1.7"},
        {"06 01 00", "0.0"},
        {"06 01 27", "0.39"},
        {"06 01 28", "1.0"},
        {"06 01 50", "2.0"},
        {"06 02 8837", "2.999"},
        {"06 0a 2a ffffffffffffffff7f", "1.2.9223372036854775807"},
        // 128-bit UUID arc (X.667 example) and a first sub-identifier wider than 64 bits.
        {"06 14 69 83f09da7ebcfdee0c7a1a7b2c0948cc8f9d776", "2.25.329800735698586629295641978511506172918"},
        {"06 0b 8180808080808080808050", "2.1180591620717411303424"},
        {"06 0b 2a 81808080808080808000", "1.2.9223372036854775808"},
        {"06 0c 2a 8180808080808080808000", "1.2.1180591620717411303424"},
    };
    for (const auto &[text, dotted] : cases) {
        auto in = hex(text);
        der::reader r(in);
        auto o = r.read_oid();
        ASSERT_TRUE(o) << text;
        EXPECT_EQ(o->to_string(), dotted);
    }
}

TEST(der, oid_malformed_rejected) {
    for (const char *bad : {"06 00", "06 02 8001", "06 03 2a 8001", "06 02 2a86", "06 01 80"}) {
        auto in = hex(bad);
        der::reader r(in);
        EXPECT_EQ(err(r.read_oid()), errc::bad_oid) << bad;
    }
}

TEST(der, oid_from_string_round_trip) {
    for (const char *dotted : {"1.2.840.113549.1.1.11", "2.5.29.17", "0.0", "2.999", "1.39",
                               "1.3.6.1.4.1.11129.2.4.2", "2.18446744073709551535"}) {
        auto enc = der::oid_from_string(dotted);
        ASSERT_TRUE(enc) << dotted;
        auto decoded = der::decode_oid(*enc);
        ASSERT_TRUE(decoded) << dotted;
        EXPECT_EQ(decoded->to_string(), dotted);
    }
    EXPECT_EQ(to_vec(*der::oid_from_string("2.5.4.3")), hex("550403"));
    for (const char *bad : {"", "1", "3.1", "1.40", "0.40", "1..2", "1.02", "a.b", "1.2.", ".1.2",
                            "1.2.18446744073709551616", "2.18446744073709551536", "1.2 "}) {
        EXPECT_EQ(err(der::oid_from_string(bad)), errc::bad_oid) << bad;
    }
}

TEST(der, oid_equality) {
    auto a = hex("550403");
    auto b = hex("550403");
    auto c = hex("550406");
    const der::oid oa{a};
    EXPECT_TRUE(oa == der::oid{b});
    EXPECT_FALSE(oa == der::oid{c});
    EXPECT_TRUE(oa.equals(b));
    EXPECT_FALSE(oa.equals(hex("5504")));
}

// --- BIT STRING -------------------------------------------------------------------------------

TEST(der, bit_string) {
    auto empty = hex("03 01 00");
    der::reader r(empty);
    auto e = r.read_bit_string();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->bit_count(), 0u);
    EXPECT_FALSE(e->bit(0));

    // KeyUsage digitalSignature | keyEncipherment: 3 bits, 5 unused.
    auto ku = hex("03 02 05 a0");
    der::reader r2(ku);
    auto k = r2.read_bit_string();
    ASSERT_TRUE(k);
    EXPECT_EQ(k->bit_count(), 3u);
    EXPECT_TRUE(k->bit(0));
    EXPECT_FALSE(k->bit(1));
    EXPECT_TRUE(k->bit(2));
    EXPECT_FALSE(k->bit(3));
    EXPECT_EQ(err(k->octets()), errc::bad_bit_string);

    auto key = hex("03 04 00 010203");
    der::reader r3(key);
    auto whole = r3.read_bit_string();
    ASSERT_TRUE(whole);
    auto oct = whole->octets();
    ASSERT_TRUE(oct);
    EXPECT_EQ(to_vec(*oct), hex("010203"));
    EXPECT_EQ(whole->bit_count(), 24u);
    EXPECT_TRUE(whole->bit(14));
    EXPECT_FALSE(whole->bit(15));
    EXPECT_FALSE(whole->bit(24));
}

TEST(der, bit_string_malformed_rejected) {
    for (const char *bad : {"03 00", "03 01 01", "03 01 07", "03 02 08 00", "03 02 ff 00", "03 02 01 01",
                            "03 02 07 c0", "03 03 04 ff 08"}) {
        auto in = hex(bad);
        der::reader r(in);
        EXPECT_EQ(err(r.read_bit_string()), errc::bad_bit_string) << bad;
    }
}

// --- Times ------------------------------------------------------------------------------------

TEST(der, utc_time) {
    const std::pair<const char *, std::int64_t> cases[] = {
        {"700101000000Z", 0},
        {"491231235959Z", 2524607999},
        {"500101000000Z", -631152000},
        {"000229120000Z", 951825600},
        {"261125083822Z", 1795595902},
    };
    for (const auto &[text, value] : cases) {
        auto in = ascii(der::tag::utc_time, text);
        der::reader r(in);
        auto v = r.read_utc_time();
        ASSERT_TRUE(v) << text;
        EXPECT_EQ(*v, value) << text;
        der::reader r2(in);
        EXPECT_EQ(r2.read_time().value_or(-1), value) << text;
    }
}

TEST(der, generalized_time) {
    const std::pair<const char *, std::int64_t> cases[] = {
        {"19700101000000Z", 0},
        {"20500101000000Z", 2524608000},
        {"20000229120000Z", 951825600},
        {"99991231235959Z", 253402300799},
        {"00010101000000Z", -62135596800},
        {"00000101000000Z", -62167219200},
    };
    for (const auto &[text, value] : cases) {
        auto in = ascii(der::tag::generalized_time, text);
        der::reader r(in);
        auto v = r.read_generalized_time();
        ASSERT_TRUE(v) << text;
        EXPECT_EQ(*v, value) << text;
        der::reader r2(in);
        EXPECT_EQ(r2.read_time().value_or(-1), value) << text;
    }
}

TEST(der, time_non_der_forms_rejected) {
    for (const char *bad : {"700101000000", "7001010000Z", "700101000000+0000", "7001010000000Z",
                            "700101000000z", "701301000000Z", "700001000000Z", "700100000000Z",
                            "700132000000Z", "700101240000Z", "700101006000Z", "700101000060Z",
                            "7a0101000000Z", "010229000000Z", "700101 00000Z", ""}) {
        auto in = ascii(der::tag::utc_time, bad);
        der::reader r(in);
        EXPECT_EQ(err(r.read_utc_time()), errc::bad_time) << bad;
    }
    for (const char *bad : {"20500101000000", "20500101000000.5Z", "20500101000000,5Z", "205001010000Z",
                            "19000229000000Z", "20230230000000Z", "20230431000000Z", "20231301000000Z",
                            "20500101000000+0100", "2050010100000Z", "-0500101000000Z", "20500101000000ZZ"}) {
        auto in = ascii(der::tag::generalized_time, bad);
        der::reader r(in);
        EXPECT_EQ(err(r.read_generalized_time()), errc::bad_time) << bad;
    }
    auto wrong = hex("04 00");
    der::reader r(wrong);
    EXPECT_EQ(err(r.read_time()), errc::unexpected_tag);
}

// --- Strings ----------------------------------------------------------------------------------

TEST(der, utf8_string) {
    auto good = hex("0c 06 68c3a96c6c6f");
    der::reader r(good);
    EXPECT_EQ(r.read_utf8_string().value_or(""), "h\xc3\xa9llo");
    auto emoji = hex("0c 04 f09f9880");
    der::reader r2(emoji);
    EXPECT_EQ(r2.read_string().value_or(""), "\xf0\x9f\x98\x80");
    for (const char *bad : {"0c 02 c0af", "0c 03 eda080", "0c 04 f4908080", "0c 02 e282", "0c 01 80",
                            "0c 01 ff", "0c 03 e08080", "0c 04 f0808080"}) {
        auto in = hex(bad);
        der::reader rb(in);
        EXPECT_EQ(err(rb.read_utf8_string()), errc::bad_string) << bad;
    }
}

TEST(der, printable_string_charset) {
    for (const char *good : {"Example Inc.", "*.example.com", "A&B", "x=(1+2)/3,y:'?'-z", ""}) {
        auto in = ascii(der::tag::printable_string, good);
        der::reader r(in);
        EXPECT_EQ(r.read_printable_string().value_or("<error>"), good);
        der::reader r2(in);
        EXPECT_EQ(r2.read_string().value_or("<error>"), good);
    }
    for (const char *bad : {"a@b", "under_score", "semi;colon", "tab\t", "quote\"", "bang!"}) {
        auto in = ascii(der::tag::printable_string, bad);
        der::reader r(in);
        EXPECT_EQ(err(r.read_printable_string()), errc::bad_string) << bad;
    }
}

TEST(der, ia5_numeric_visible_strings) {
    auto ia5 = ascii(der::tag::ia5_string, "user@example.com");
    der::reader r(ia5);
    EXPECT_EQ(r.read_ia5_string().value_or(""), "user@example.com");
    auto ia5_bad = hex("16 02 41 80");
    der::reader rb(ia5_bad);
    EXPECT_EQ(err(rb.read_ia5_string()), errc::bad_string);

    auto num = ascii(der::tag::numeric_string, "123 45");
    der::reader rn(num);
    EXPECT_EQ(rn.read_string().value_or(""), "123 45");
    auto num_bad = ascii(der::tag::numeric_string, "12a");
    der::reader rnb(num_bad);
    EXPECT_EQ(err(rnb.read_string()), errc::bad_string);

    auto vis = ascii(der::tag::visible_string, "Hi ~there!");
    der::reader rv(vis);
    EXPECT_EQ(rv.read_string().value_or(""), "Hi ~there!");
    auto vis_bad = hex("1a 02 41 7f");
    der::reader rvb(vis_bad);
    EXPECT_EQ(err(rvb.read_string()), errc::bad_string);
}

TEST(der, teletex_bmp_universal_strings) {
    auto t61 = hex("14 03 41 e9 ff");
    der::reader r(t61);
    EXPECT_EQ(r.read_string().value_or(""), "A\xc3\xa9\xc3\xbf");

    auto bmp = hex("1e 08 0041 00e9 d83d de00");
    der::reader rb(bmp);
    EXPECT_EQ(rb.read_string().value_or(""), "A\xc3\xa9\xf0\x9f\x98\x80");
    for (const char *bad : {"1e 03 004100", "1e 04 d83d 0041", "1e 02 dc00", "1e 02 d83d"}) {
        auto in = hex(bad);
        der::reader rbb(in);
        EXPECT_EQ(err(rbb.read_string()), errc::bad_string) << bad;
    }

    auto ucs4 = hex("1c 08 00000041 0001f600");
    der::reader ru(ucs4);
    EXPECT_EQ(ru.read_string().value_or(""), "A\xf0\x9f\x98\x80");
    for (const char *bad : {"1c 04 00110000", "1c 03 000041", "1c 04 0000d800", "1c 04 ffffffff"}) {
        auto in = hex(bad);
        der::reader rub(in);
        EXPECT_EQ(err(rub.read_string()), errc::bad_string) << bad;
    }
}

TEST(der, read_string_wrong_type) {
    auto in = hex("02 01 00");
    der::reader r(in);
    EXPECT_EQ(err(r.read_string()), errc::unexpected_tag);
    auto trunc = hex("0c 05 41");
    der::reader r2(trunc);
    EXPECT_EQ(err(r2.read_string()), errc::truncated);
    EXPECT_EQ(err(der::decode_string(der::tag::octet_string, {})), errc::unexpected_tag);
}

// --- A real certificate -----------------------------------------------------------------------

TEST(der, certificate_structure) {
    const auto cert = read_resource("testparse.der");
    ASSERT_FALSE(cert.empty());
    der::reader top(cert);
    auto certificate = top.read_sequence();
    ASSERT_TRUE(certificate);
    ASSERT_TRUE(top.expect_empty());

    auto tbs_tlv = certificate->read(der::tag::sequence);
    ASSERT_TRUE(tbs_tlv);
    EXPECT_EQ(tbs_tlv->encoded.data(), cert.data() + 4); // signed bytes start after the outer header
    auto tbs = certificate->child(tbs_tlv->value);
    ASSERT_TRUE(tbs);

    auto version = tbs->read_optional_explicit(0);
    ASSERT_TRUE(version && version->has_value());
    EXPECT_EQ((*version)->read_int64().value_or(-1), 2);
    auto serial = tbs->read_unsigned_integer();
    ASSERT_TRUE(serial);
    EXPECT_EQ(to_vec(*serial), hex("72f7989be0c3e7dbcc4d7291abbafc1a0a90c760"));

    auto alg = tbs->read_sequence();
    ASSERT_TRUE(alg);
    EXPECT_EQ(alg->read_oid()->to_string(), "1.2.840.113549.1.1.11");
    EXPECT_TRUE(alg->read_null());
    EXPECT_TRUE(alg->expect_empty());

    auto issuer = tbs->read_sequence();
    ASSERT_TRUE(issuer);
    std::vector<std::pair<std::string, std::string>> rdns;
    while (!issuer->empty()) {
        auto rdn = issuer->read_set();
        ASSERT_TRUE(rdn);
        auto atv = rdn->read_sequence();
        ASSERT_TRUE(atv);
        auto type = atv->read_oid();
        ASSERT_TRUE(type);
        auto value = atv->read_string();
        ASSERT_TRUE(value);
        rdns.emplace_back(type->to_string(), *value);
    }
    ASSERT_EQ(rdns.size(), 6u);
    EXPECT_EQ(rdns[0], (std::pair<std::string, std::string>("2.5.4.6", "US")));
    EXPECT_EQ(rdns[5], (std::pair<std::string, std::string>("2.5.4.3", "localhost")));

    auto validity = tbs->read_sequence();
    ASSERT_TRUE(validity);
    EXPECT_EQ(validity->read_time().value_or(0), 1795595902);
    EXPECT_EQ(validity->read_time().value_or(0), 2110955902);
    EXPECT_TRUE(validity->expect_empty());

    ASSERT_TRUE(tbs->skip()); // subject
    auto spki = tbs->read_sequence();
    ASSERT_TRUE(spki);
    auto spki_alg = spki->read_sequence();
    ASSERT_TRUE(spki_alg);
    EXPECT_EQ(spki_alg->read_oid()->to_string(), "1.2.840.113549.1.1.1");
    auto key_bits = spki->read_bit_string();
    ASSERT_TRUE(key_bits);
    auto key = key_bits->octets();
    ASSERT_TRUE(key);
    der::reader rsa_key(*key);
    auto rsa = rsa_key.read_sequence();
    ASSERT_TRUE(rsa);
    auto modulus = rsa->read_unsigned_integer();
    ASSERT_TRUE(modulus);
    EXPECT_EQ(modulus->size(), 256u);
    EXPECT_EQ(rsa->read_int64().value_or(0), 65537);

    auto extensions = tbs->read_optional_explicit(3);
    ASSERT_TRUE(extensions && extensions->has_value());
    auto ext_list = (*extensions)->read_sequence();
    ASSERT_TRUE(ext_list);
    int count = 0;
    while (!ext_list->empty()) {
        auto ext = ext_list->read_sequence();
        ASSERT_TRUE(ext);
        ASSERT_TRUE(ext->read_oid());
        auto critical = ext->read_optional(der::tag::boolean);
        ASSERT_TRUE(critical);
        ASSERT_TRUE(ext->read_octet_string());
        EXPECT_TRUE(ext->expect_empty());
        ++count;
    }
    EXPECT_GT(count, 0);
    EXPECT_TRUE(tbs->expect_empty());

    ASSERT_TRUE(certificate->read_sequence()); // signatureAlgorithm
    auto signature = certificate->read_bit_string();
    ASSERT_TRUE(signature);
    EXPECT_EQ(signature->octets()->size(), 256u);
    EXPECT_TRUE(certificate->expect_empty());
}

TEST(der, certificate_truncations_and_bit_flips_fail_cleanly) {
    const auto cert = read_resource("testparse.der");
    ASSERT_FALSE(cert.empty());
    {
        der::reader r(cert);
        EXPECT_FALSE(walk(r));
    }
    // Every non-empty proper prefix fails: the outer length promises more than is there.
    for (std::size_t n = 1; n < cert.size(); ++n) {
        der::reader r(std::span<const std::uint8_t>(cert.data(), n));
        EXPECT_TRUE(walk(r)) << n;
    }
    // Flipping header bits must never crash; the walk either fails or succeeds cleanly.
    std::size_t failures = 0;
    for (std::size_t i = 0; i < 64 && i < cert.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto copy = cert;
            copy[i] = static_cast<std::uint8_t>(copy[i] ^ (1u << bit));
            der::reader r(copy);
            failures += walk(r) ? 1 : 0;
        }
    }
    EXPECT_GT(failures, 0u);
}
