// Port of aws-c-io tests/pem_test.c (20 cases) plus base64 vectors. Fixtures in tests/resources
// were generated with the openssl command-line tool (testparse.der is testparse.crt's DER).
#include <awsio/pem.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

using namespace awsio;

namespace {

std::string resource(const std::string &name) { return std::string(AWSIO_TEST_RESOURCES_DIR) + "/" + name; }

std::string read_text(const std::string &name) {
    std::ifstream in(resource(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::uint8_t> read_bytes(const std::string &name) {
    const std::string s = read_text(name);
    return std::vector<std::uint8_t>(s.begin(), s.end());
}

const char *small_pem = "-----BEGIN CERTIFICATE-----\n"
                        "AQIDBAUG\n"
                        "-----END CERTIFICATE-----\n";

} // namespace

TEST(pem, test_pem_single_cert_parse) {
    auto objs = pem_parse(read_text("testparse.crt"));
    ASSERT_TRUE(objs);
    ASSERT_EQ(objs->size(), 1u);
    EXPECT_EQ((*objs)[0].type, pem_object_type::x509);
    EXPECT_EQ((*objs)[0].type_string, "CERTIFICATE");
    EXPECT_EQ((*objs)[0].data, read_bytes("testparse.der"));
}

TEST(pem, test_pem_private_key_parse) {
    auto objs = pem_parse(read_text("unittests.key"));
    ASSERT_TRUE(objs);
    ASSERT_EQ(objs->size(), 1u);
    EXPECT_EQ((*objs)[0].type, pem_object_type::private_rsa_pkcs1);
    EXPECT_EQ((*objs)[0].type_string, "RSA PRIVATE KEY");
    ASSERT_GT((*objs)[0].data.size(), 1000u);
    EXPECT_EQ((*objs)[0].data[0], 0x30); // a DER SEQUENCE
}

TEST(pem, test_pem_dsa_private_key_parse) {
    auto objs = pem_parse(read_text("dsa_private.key"));
    ASSERT_TRUE(objs);
    ASSERT_EQ(objs->size(), 1u);
    EXPECT_EQ((*objs)[0].type, pem_object_type::private_dsa_pkcs1);
    EXPECT_EQ((*objs)[0].type_string, "DSA PRIVATE KEY");
    EXPECT_EQ((*objs)[0].data[0], 0x30);
}

TEST(pem, test_pem_dsa_public_key_parse) {
    auto objs = pem_parse(read_text("dsa_public.pem"));
    ASSERT_TRUE(objs);
    ASSERT_EQ(objs->size(), 1u);
    EXPECT_EQ((*objs)[0].type, pem_object_type::public_key);
    EXPECT_EQ((*objs)[0].data[0], 0x30);
}

TEST(pem, test_pem_cert_chain_parse) {
    auto objs = pem_parse(read_text("cert_chain.pem"));
    ASSERT_TRUE(objs);
    ASSERT_EQ(objs->size(), 3u);
    for (const auto &o : *objs) {
        EXPECT_EQ(o.type, pem_object_type::x509);
        EXPECT_EQ(o.data[0], 0x30);
    }
    EXPECT_EQ((*objs)[0].data, read_bytes("testparse.der"));
    EXPECT_NE((*objs)[1].data, (*objs)[2].data);
}

TEST(pem, test_pem_cert_parse_from_file) {
    auto objs = pem_parse_file(resource("testparse.crt"));
    ASSERT_TRUE(objs);
    ASSERT_EQ(objs->size(), 1u);
    EXPECT_EQ((*objs)[0].data, read_bytes("testparse.der"));
    auto missing = pem_parse_file(resource("no-such-file.pem"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), common_errc::file_invalid_path);
}

TEST(pem, test_pem_cert_parse_from_file_crlf) {
    ASSERT_NE(read_text("testparse_crlf.crt").find("\r\n"), std::string::npos);
    auto objs = pem_parse_file(resource("testparse_crlf.crt"));
    ASSERT_TRUE(objs);
    ASSERT_EQ(objs->size(), 1u);
    EXPECT_EQ((*objs)[0].data, read_bytes("testparse.der"));
}

TEST(pem, test_pem_private_key_parse_from_file) {
    auto objs = pem_parse_file(resource("unittests.key"));
    ASSERT_TRUE(objs);
    ASSERT_EQ(objs->size(), 1u);
    EXPECT_EQ((*objs)[0].type, pem_object_type::private_rsa_pkcs1);
}

TEST(pem, test_pem_cert_chain_comments_and_whitespace) {
    const std::string chain = read_text("cert_chain.pem");
    std::string noisy = "# leading comment\n\n   \t\n";
    std::size_t pos = 0;
    int n = 0;
    while (pos < chain.size()) {
        std::size_t nl = chain.find('\n', pos);
        std::string line = chain.substr(pos, nl - pos);
        pos = nl + 1;
        noisy += "  " + line + "  \r\n"; // indentation and CRLF around every line
        if (line.rfind("-----END", 0) == 0) {
            noisy += "// comment after object " + std::to_string(++n) + "\n\n";
        }
    }
    auto objs = pem_parse(noisy);
    ASSERT_TRUE(objs);
    ASSERT_EQ(objs->size(), 3u);
    EXPECT_EQ((*objs)[0].data, read_bytes("testparse.der"));
}

TEST(pem, test_pem_invalid_parse) {
    auto r = pem_parse("this is not a pem object at all\n");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), io_errc::pem_malformed);
    EXPECT_EQ(pem_parse("").error(), io_errc::pem_malformed);
    // BEGIN without END
    EXPECT_EQ(pem_parse("-----BEGIN CERTIFICATE-----\nAQIDBAUG\n").error(), io_errc::pem_malformed);
    // mismatched END label
    EXPECT_EQ(pem_parse("-----BEGIN CERTIFICATE-----\nAQIDBAUG\n-----END PRIVATE KEY-----\n").error(),
              io_errc::pem_malformed);
    // bad header form
    EXPECT_EQ(pem_parse("-----BEGIN CERTIFICATE\nAQIDBAUG\n-----END CERTIFICATE-----\n").error(),
              io_errc::pem_malformed);
}

TEST(pem, test_pem_valid_data_invalid_parse) {
    // The base64 body is fine but the armour is broken in several ways.
    EXPECT_EQ(pem_parse("-----BEGIN-----\nAQIDBAUG\n-----END-----\n").error(), io_errc::pem_malformed);
    EXPECT_EQ(pem_parse("AQIDBAUG\n-----END CERTIFICATE-----\n").error(), io_errc::pem_malformed);
    // and the reverse: good armour, bad base64 (bad character, bad length, non-zero pad bits)
    EXPECT_EQ(pem_parse("-----BEGIN CERTIFICATE-----\nAQ!DBAUG\n-----END CERTIFICATE-----\n").error(),
              io_errc::pem_malformed);
    EXPECT_EQ(pem_parse("-----BEGIN CERTIFICATE-----\nAQIDBAU\n-----END CERTIFICATE-----\n").error(),
              io_errc::pem_malformed);
    EXPECT_EQ(pem_parse("-----BEGIN CERTIFICATE-----\nAR==\n-----END CERTIFICATE-----\n").error(),
              io_errc::pem_malformed);
    auto ok = pem_parse(small_pem);
    ASSERT_TRUE(ok);
    EXPECT_EQ((*ok)[0].data, (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6}));
}

TEST(pem, test_pem_invalid_in_chain_parse) {
    std::string chain = read_text("cert_chain.pem");
    // Corrupt the second certificate's body: the whole parse fails (aws-c-io decodes every
    // object and fails the call on any bad one).
    const std::size_t second = chain.find("-----BEGIN CERTIFICATE-----", 10);
    ASSERT_NE(second, std::string::npos);
    chain[second + 40] = '*';
    auto r = pem_parse(chain);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), io_errc::pem_malformed);
    // A broken BEGIN line after good objects ends parsing and keeps the earlier ones.
    std::string truncated = read_text("testparse.crt") + "-----BEGIN BROKEN\nAAAA\n";
    auto kept = pem_parse(truncated);
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->size(), 1u);
}

TEST(pem, pem_sanitize_comments_around_pem_object_removed) {
    const std::string dirty = "# comments\r\n"
                              "-----BEGIN CERTIFICATE-----\n"
                              "CERTIFICATES\n"
                              "-----END CERTIFICATE-----\n"
                              "# another comments\r\n"
                              "-----BEGIN CERTIFICATE-----\n"
                              "CERTIFICATES\n"
                              "-----END CERTIFICATE-----\n"
                              "# final comments\r\n";
    const std::string expected = "-----BEGIN CERTIFICATE-----\n"
                                 "CERTIFICATES\n"
                                 "-----END CERTIFICATE-----\n"
                                 "-----BEGIN CERTIFICATE-----\n"
                                 "CERTIFICATES\n"
                                 "-----END CERTIFICATE-----\n";
    auto clean = sanitize_pem(dirty);
    ASSERT_TRUE(clean);
    EXPECT_EQ(*clean, expected);
}

TEST(pem, pem_sanitize_empty_file_rejected) {
    EXPECT_EQ(sanitize_pem("").error(), common_errc::invalid_argument);
}

TEST(pem, pem_sanitize_wrong_format_rejected) {
    const auto der = read_bytes("testparse.der"); // DER, not PEM: sanitises to nothing
    auto r = sanitize_pem(std::string_view(reinterpret_cast<const char *>(der.data()), der.size()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), common_errc::invalid_argument);
}

TEST(pem, pem_sanitize_bad_format_rejected) {
    EXPECT_EQ(sanitize_pem("aaaaa-").error(), common_errc::invalid_argument);
    EXPECT_EQ(sanitize_pem("-----BEGIN CERTIFICATE-----\nAAAA\n").error(), common_errc::invalid_argument);
}

TEST(pem, test_der_cert_to_pem_typical) {
    const auto der = read_bytes("testparse.der");
    auto pem = der_cert_to_pem(der);
    ASSERT_TRUE(pem);
    auto back = pem_parse(*pem);
    ASSERT_TRUE(back);
    ASSERT_EQ(back->size(), 1u);
    EXPECT_EQ((*back)[0].data, der);
    EXPECT_EQ((*back)[0].type, pem_object_type::x509);
}

TEST(pem, test_der_cert_to_pem_small) {
    const std::vector<std::uint8_t> der = {1, 2, 3, 4, 5, 6};
    auto pem = der_cert_to_pem(der);
    ASSERT_TRUE(pem);
    EXPECT_EQ(*pem, small_pem);
}

TEST(pem, test_der_cert_to_pem_output_format) {
    std::vector<std::uint8_t> der(100);
    for (std::size_t i = 0; i < der.size(); ++i) der[i] = static_cast<std::uint8_t>(i);
    auto pem = der_cert_to_pem(der);
    ASSERT_TRUE(pem);
    // 100 bytes -> 136 base64 characters: lines of 64, 64, 8
    const std::string &p = *pem;
    EXPECT_EQ(p.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
    EXPECT_EQ(p.substr(p.size() - 26), "-----END CERTIFICATE-----\n");
    std::vector<std::size_t> lengths;
    std::size_t pos = 0;
    while (pos < p.size()) {
        std::size_t nl = p.find('\n', pos);
        lengths.push_back(nl - pos);
        pos = nl + 1;
    }
    ASSERT_EQ(lengths.size(), 5u);
    EXPECT_EQ(lengths[1], 64u);
    EXPECT_EQ(lengths[2], 64u);
    EXPECT_EQ(lengths[3], 8u);
}

TEST(pem, test_der_cert_to_pem_empty_input_fails) {
    auto r = der_cert_to_pem({});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), common_errc::invalid_argument);
}

TEST(pem, every_aws_c_io_type_label_round_trips) {
    for (int t = 1; t <= static_cast<int>(pem_object_type::sm2_parameters); ++t) {
        const auto type = static_cast<pem_object_type>(t);
        const std::string label(pem_type_label(type));
        ASSERT_FALSE(label.empty());
        EXPECT_EQ(pem_type_from_label(label), type) << label;
        auto objs = pem_parse("-----BEGIN " + label + "-----\nAQIDBAUG\n-----END " + label + "-----\n");
        ASSERT_TRUE(objs) << label;
        EXPECT_EQ((*objs)[0].type, type);
    }
    auto unknown = pem_parse("-----BEGIN SOMETHING ELSE-----\nAQIDBAUG\n-----END SOMETHING ELSE-----\n");
    ASSERT_TRUE(unknown);
    EXPECT_EQ((*unknown)[0].type, pem_object_type::unknown);
    EXPECT_EQ((*unknown)[0].type_string, "SOMETHING ELSE");
}

TEST(base64, rfc4648_vectors_and_strictness) {
    const std::pair<const char *, const char *> vectors[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (const auto &[plain, enc] : vectors) {
        const std::string p(plain);
        EXPECT_EQ(base64_encode({reinterpret_cast<const std::uint8_t *>(p.data()), p.size()}), enc);
        auto d = base64_decode(enc);
        ASSERT_TRUE(d);
        EXPECT_EQ(std::string(d->begin(), d->end()), p);
    }
    for (const char *bad : {"Zg=", "Zg", "Z===", "Zm9v=Zg=", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "=Zm9"}) {
        auto d = base64_decode(bad);
        EXPECT_FALSE(d) << bad;
        if (!d) {
            EXPECT_EQ(d.error(), common_errc::invalid_base64_str) << bad;
        }
    }
}
