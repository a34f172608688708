// Record layer tests: RFC 8448 section 3 protected records reproduced byte for byte, TLS 1.2 AEAD
// records against independently computed ones, round trips for every suite of both versions,
// tampering, limits, sequence numbers, the deframer at every split point, and the fragmenter.
#include "crypto/provider.hpp"
#include "tls/codec/tls_error.hpp"
#include "tls/key_schedule/tls12_keys.hpp"
#include "tls/record/deframer.hpp"
#include "tls/record/fragmenter.hpp"
#include "tls/record/record_protection.hpp"
#include "unit/crypto/test_util.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::tls;
using namespace awsio::tls::record;
using awsio::crypto::aead_algorithm;
using awsio::crypto::hash_algorithm;
using awsio::crypto::openssl_provider;
using awsio::crypto::test::hex;
using awsio::crypto::test::unhex;

namespace {

crypto::provider &prov() { return openssl_provider(); }

std::error_code tls_err(errc e) { return make_error_code(e); }

// ---- RFC 8448 section 3 -------------------------------------------------------------------

const char *const s_hs_traffic = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
const char *const c_hs_traffic = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
const char *const c_ap_traffic = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
const char *const s_ap_traffic = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";

// EncryptedExtensions, Certificate, CertificateVerify, Finished: the server's first protected
// record.
const char *const server_flight_plaintext =
    "080000240022000a00140012001d00170018001901000101010201030104001c00024001000000000b0001b9000001b5"
    "0001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a06035504031303"
    "72736130"
    "1e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a06035504031303727361"
    "30819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c0c"
    "68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0cc"
    "b0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a"
    "8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0"
    "300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594"
    "365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1"
    "fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4"
    "2b4de100000f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc"
    "90db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671"
    "459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3"
    "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";

const char *const server_flight_record =
    "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73f848a7ca"
    "07612ef9f945cb960b40689051"
    "23ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13bd9aefb0e57f271585b8ea9bb35"
    "5c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71"
    "035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f06a"
    "a6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef81905"
    "79b3684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf9538d51a200c27034272"
    "968a264ed6540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b65962"
    "2245317b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f252"
    "107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e45994"
    "26f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a37668936b335583b599186dc"
    "5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2a"
    "c4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23f"
    "aa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440"
    "a30cb5d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e750edc53370d2b";

const char *const client_finished_plaintext =
    "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";
const char *const client_finished_record =
    "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1c"
    "aeacab6867d726c40546";

const char *const client_app_record =
    "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b"
    "62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4";
const char *const server_app_record =
    "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb501a59a8"
    "fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d";

std::vector<std::uint8_t> app_payload() {
    std::vector<std::uint8_t> v;
    for (std::uint8_t i = 0; i <= 0x31; ++i) {
        v.push_back(i);
    }
    return v;
}

// Seals `content` as one record with `p` and returns the record bytes.
std::vector<std::uint8_t> seal_record(record_protection &p, content_type type, std::span<const std::uint8_t> content,
                                      std::size_t padding = 0) {
    std::vector<std::uint8_t> buf(p.sealed_size(content.size(), padding));
    std::copy(content.begin(), content.end(), buf.begin() + static_cast<std::ptrdiff_t>(p.prefix_size()));
    auto n = p.seal(type, buf, content.size(), padding);
    EXPECT_TRUE(n) << n.error().message();
    if (n) {
        EXPECT_EQ(*n, buf.size());
    }
    return buf;
}

// Opens a whole record held in `buf` (modified in place).
result<opened_record> open_record(record_protection &p, std::vector<std::uint8_t> &buf) {
    auto v = view_record(buf, max_tls12_ciphertext_length);
    if (!v) {
        return unexpected(v.error());
    }
    return p.open(*v);
}

tls13_record_protection tls13_from_secret(const char *secret_hex) {
    auto p = tls13_record_protection::create(prov(), aead_algorithm::aes_128_gcm, hash_algorithm::sha256,
                                             unhex(secret_hex));
    EXPECT_TRUE(p);
    return std::move(*p);
}

void check_rfc8448_record(const char *secret_hex, std::uint64_t seq, content_type type,
                          const std::vector<std::uint8_t> &plaintext, const char *record_hex) {
    const auto expected = unhex(record_hex);
    auto sealer = tls13_from_secret(secret_hex);
    sealer.set_sequence(seq);
    EXPECT_EQ(hex(seal_record(sealer, type, plaintext)), hex(expected));
    EXPECT_EQ(sealer.sequence(), seq + 1);

    auto opener = tls13_from_secret(secret_hex);
    opener.set_sequence(seq);
    auto buf = expected;
    auto opened = open_record(opener, buf);
    ASSERT_TRUE(opened) << opened.error().message();
    EXPECT_EQ(opened->type, type);
    EXPECT_EQ(hex(opened->content), hex(plaintext));
    EXPECT_EQ(opener.sequence(), seq + 1);

    // At any other sequence number the same record does not authenticate.
    auto wrong = tls13_from_secret(secret_hex);
    wrong.set_sequence(seq + 1);
    auto buf2 = expected;
    EXPECT_EQ(open_record(wrong, buf2).error(), tls_err(errc::bad_record_mac));
    EXPECT_EQ(wrong.sequence(), seq + 1);
}

} // namespace

// ---- TLS 1.3 against RFC 8448 ---------------------------------------------------------------

TEST(tls13_record_protection, rfc8448_server_encrypted_extensions_record) {
    check_rfc8448_record(s_hs_traffic, 0, content_type::handshake, unhex(server_flight_plaintext), server_flight_record);
}

TEST(tls13_record_protection, rfc8448_client_finished_record) {
    check_rfc8448_record(c_hs_traffic, 0, content_type::handshake, unhex(client_finished_plaintext),
                         client_finished_record);
}

TEST(tls13_record_protection, rfc8448_application_data_records) {
    check_rfc8448_record(c_ap_traffic, 0, content_type::application_data, app_payload(), client_app_record);
    // The server's application data follows its NewSessionTicket: sequence number 1.
    check_rfc8448_record(s_ap_traffic, 1, content_type::application_data, app_payload(), server_app_record);
}

// ---- TLS 1.2 against independently computed records -----------------------------------------
// Key block from pre_master = 48 x 0x0b, client_random = 01..20, server_random = 21..40 (see
// key_schedule_test.cpp); records computed with Python's cryptography AEADs.

namespace {
tls12_key_block tls12_test_keys(aead_algorithm a) {
    std::vector<std::uint8_t> cr(32), sr(32);
    for (std::size_t i = 0; i < 32; ++i) {
        cr[i] = static_cast<std::uint8_t>(1 + i);
        sr[i] = static_cast<std::uint8_t>(0x21 + i);
    }
    const std::vector<std::uint8_t> pms(48, 0x0b);
    auto ms = tls12_master_secret(prov(), tls12_prf_hash(a), pms, cr, sr);
    EXPECT_TRUE(ms);
    auto kb = tls12_derive_key_block(prov(), a, tls12_prf_hash(a), ms->view(), cr, sr);
    EXPECT_TRUE(kb);
    return std::move(*kb);
}

tls12_record_protection tls12_client(aead_algorithm a) {
    auto kb = tls12_test_keys(a);
    auto p = tls12_record_protection::create(prov(), a, kb.client_write_key.view(), kb.client_write_iv.view());
    EXPECT_TRUE(p);
    return std::move(*p);
}
} // namespace

TEST(tls12_record_protection, aes_gcm_known_records) {
    const auto content = crypto::as_bytes("hello tls12");
    auto sealer = tls12_client(aead_algorithm::aes_128_gcm);
    EXPECT_EQ(sealer.prefix_size(), 13u);
    EXPECT_EQ(hex(seal_record(sealer, content_type::application_data, content)),
              "170303002300000000000000005c64b09356446f4e51cc30d6c8bae10961e35f3000a429dfe2a1ac");
    EXPECT_EQ(hex(seal_record(sealer, content_type::application_data, content)),
              "170303002300000000000000017dd968d00130dbd3028f5954a41d572948e67b0b037bf321faecea");

    auto opener = tls12_client(aead_algorithm::aes_128_gcm);
    for (const char *rec : {"170303002300000000000000005c64b09356446f4e51cc30d6c8bae10961e35f3000a429dfe2a1ac",
                            "170303002300000000000000017dd968d00130dbd3028f5954a41d572948e67b0b037bf321faecea"}) {
        auto buf = unhex(rec);
        auto opened = open_record(opener, buf);
        ASSERT_TRUE(opened);
        EXPECT_EQ(opened->type, content_type::application_data);
        EXPECT_EQ(std::string(opened->content.begin(), opened->content.end()), "hello tls12");
    }
    EXPECT_EQ(opener.sequence(), 2u);
}

TEST(tls12_record_protection, chacha20_poly1305_known_record) {
    const auto content = crypto::as_bytes("hello tls12");
    const char *expected = "160303001b35b5e7765950edfd5d331ac3a31c18c83b5e9e849590a7a823c77b";
    auto sealer = tls12_client(aead_algorithm::chacha20_poly1305);
    EXPECT_EQ(sealer.prefix_size(), 5u);
    sealer.set_sequence(5);
    EXPECT_EQ(hex(seal_record(sealer, content_type::handshake, content)), expected);

    auto opener = tls12_client(aead_algorithm::chacha20_poly1305);
    opener.set_sequence(5);
    auto buf = unhex(expected);
    auto opened = open_record(opener, buf);
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->type, content_type::handshake);
    EXPECT_EQ(std::string(opened->content.begin(), opened->content.end()), "hello tls12");
}

// ---- Round trips, every suite -----------------------------------------------------------------

namespace {

struct suite {
    const char *name;
    bool tls13;
    aead_algorithm aead;
    hash_algorithm hash;
};

const suite all_suites[] = {
    {"TLS_AES_128_GCM_SHA256", true, aead_algorithm::aes_128_gcm, hash_algorithm::sha256},
    {"TLS_AES_256_GCM_SHA384", true, aead_algorithm::aes_256_gcm, hash_algorithm::sha384},
    {"TLS_CHACHA20_POLY1305_SHA256", true, aead_algorithm::chacha20_poly1305, hash_algorithm::sha256},
    // The six TLS 1.2 ECDHE suites share three record protections.
    {"TLS_ECDHE_*_WITH_AES_128_GCM_SHA256", false, aead_algorithm::aes_128_gcm, hash_algorithm::sha256},
    {"TLS_ECDHE_*_WITH_AES_256_GCM_SHA384", false, aead_algorithm::aes_256_gcm, hash_algorithm::sha384},
    {"TLS_ECDHE_*_WITH_CHACHA20_POLY1305_SHA256", false, aead_algorithm::chacha20_poly1305, hash_algorithm::sha256},
};

std::unique_ptr<record_protection> make_protection(const suite &s) {
    if (s.tls13) {
        const std::vector<std::uint8_t> secret(crypto::digest_size(s.hash), 0x5a);
        auto p = tls13_record_protection::create(prov(), s.aead, s.hash, secret);
        EXPECT_TRUE(p);
        return std::make_unique<tls13_record_protection>(std::move(*p));
    }
    auto kb = tls12_test_keys(s.aead);
    auto p = tls12_record_protection::create(prov(), s.aead, kb.client_write_key.view(), kb.client_write_iv.view());
    EXPECT_TRUE(p);
    return std::make_unique<tls12_record_protection>(std::move(*p));
}

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        v[i] = static_cast<std::uint8_t>(seed + i * 7);
    }
    return v;
}

} // namespace

TEST(tls_record_protection, round_trip_every_suite) {
    for (const auto &s : all_suites) {
        SCOPED_TRACE(s.name);
        auto sealer = make_protection(s);
        auto opener = make_protection(s);
        EXPECT_EQ(sealer->algorithm(), s.aead);
        const content_type types[] = {content_type::handshake, content_type::application_data, content_type::alert};
        const std::size_t sizes[] = {1, 2, 100, 1000, max_plaintext_length};
        std::uint64_t expected_seq = 0;
        std::vector<std::vector<std::uint8_t>> sealed_records;
        for (std::size_t size : sizes) {
            for (content_type t : types) {
                const auto content = pattern(size, static_cast<std::uint8_t>(size + static_cast<std::size_t>(t)));
                auto rec = seal_record(*sealer, t, content);
                ++expected_seq;
                EXPECT_EQ(sealer->sequence(), expected_seq);
                // Identical content gives a different record at the next sequence number.
                if (!sealed_records.empty()) {
                    EXPECT_NE(hex(rec), hex(sealed_records.back()));
                }
                sealed_records.push_back(rec);
                auto opened = open_record(*opener, rec);
                ASSERT_TRUE(opened) << opened.error().message();
                EXPECT_EQ(opened->type, t);
                EXPECT_EQ(hex(opened->content), hex(content));
                EXPECT_EQ(opener->sequence(), expected_seq);
                // The outer type hides the real one under TLS 1.3.
                EXPECT_EQ(rec[0], s.tls13 ? 23 : static_cast<std::uint8_t>(t));
                EXPECT_LE(rec.size() - header_size, s.tls13 ? max_tls13_ciphertext_length : max_tls12_ciphertext_length);
            }
        }
        // Empty application data is legal in both versions.
        auto rec = seal_record(*sealer, content_type::application_data, {});
        auto opened = open_record(*opener, rec);
        ASSERT_TRUE(opened);
        EXPECT_TRUE(opened->content.empty());
    }
}

TEST(tls_record_protection, tampering_gives_bad_record_mac) {
    for (const auto &s : all_suites) {
        SCOPED_TRACE(s.name);
        auto sealer = make_protection(s);
        const auto original = seal_record(*sealer, content_type::application_data, pattern(40, 3));
        // Every byte after the type and length: version (in the AAD), explicit nonce, ciphertext, tag.
        for (std::size_t i = 1; i < original.size(); ++i) {
            if (i == 3 || i == 4) {
                continue; // the length: caught by framing, not the AEAD
            }
            auto buf = original;
            buf[i] ^= 0x01;
            auto opener = make_protection(s);
            auto opened = open_record(*opener, buf);
            ASSERT_FALSE(opened) << "byte " << i;
            // The major version is checked by framing; everything else by the AEAD.
            EXPECT_EQ(opened.error(), tls_err(i == 1 ? errc::decode_error : errc::bad_record_mac)) << "byte " << i;
            EXPECT_EQ(opener->sequence(), 0u);
        }
    }
}

TEST(tls_record_protection, sequence_number_exhaustion_is_refused) {
    for (const auto &s : all_suites) {
        SCOPED_TRACE(s.name);
        auto p = make_protection(s);
        p->set_sequence(std::numeric_limits<std::uint64_t>::max() - 1);
        const auto content = pattern(10, 1);
        std::vector<std::uint8_t> buf(p->sealed_size(content.size()));
        ASSERT_TRUE(p->seal(content_type::application_data, buf, content.size()));
        EXPECT_EQ(p->sequence(), std::numeric_limits<std::uint64_t>::max());
        EXPECT_EQ(p->seal(content_type::application_data, buf, content.size()).error(), tls_err(errc::internal_error));
        auto opener = make_protection(s);
        opener->set_sequence(std::numeric_limits<std::uint64_t>::max());
        auto rec = seal_record(*make_protection(s), content_type::application_data, content);
        EXPECT_EQ(open_record(*opener, rec).error(), tls_err(errc::internal_error));
    }
}

TEST(tls_record_protection, usage_limit_signals_key_update) {
    EXPECT_EQ(default_record_limit(aead_algorithm::aes_128_gcm), 23726566u);
    EXPECT_EQ(default_record_limit(aead_algorithm::aes_256_gcm), 23726566u);
    EXPECT_GT(default_record_limit(aead_algorithm::chacha20_poly1305), std::uint64_t{1} << 60);
    for (const auto &s : all_suites) {
        SCOPED_TRACE(s.name);
        auto p = make_protection(s);
        EXPECT_EQ(p->record_limit(), default_record_limit(s.aead));
        p->set_record_limit(3);
        for (int i = 0; i < 3; ++i) {
            EXPECT_FALSE(p->needs_key_update());
            (void)seal_record(*p, content_type::application_data, pattern(5, 0));
        }
        EXPECT_TRUE(p->needs_key_update());
        // Sealing still works; the signal is for the caller to act on.
        (void)seal_record(*p, content_type::application_data, pattern(5, 0));
        // The default AES-GCM limit is reached at 2^24.5 records.
        auto q = make_protection(s);
        q->set_sequence(default_record_limit(s.aead) - 1);
        EXPECT_FALSE(q->needs_key_update());
        (void)seal_record(*q, content_type::application_data, pattern(5, 0));
        EXPECT_TRUE(q->needs_key_update());
    }
}

TEST(tls_record_protection, seal_rejects_caller_errors) {
    for (const auto &s : all_suites) {
        SCOPED_TRACE(s.name);
        auto p = make_protection(s);
        std::vector<std::uint8_t> buf(p->sealed_size(max_plaintext_length + 1));
        EXPECT_EQ(p->seal(content_type::application_data, buf, max_plaintext_length + 1).error(),
                  tls_err(errc::internal_error));
        std::vector<std::uint8_t> small(p->sealed_size(10) - 1);
        EXPECT_EQ(p->seal(content_type::application_data, small, 10).error(), tls_err(errc::internal_error));
        std::vector<std::uint8_t> ok(p->sealed_size(10));
        EXPECT_EQ(p->seal(static_cast<content_type>(99), ok, 10).error(), tls_err(errc::internal_error));
        EXPECT_EQ(p->sequence(), 0u);
    }
}

// ---- TLS 1.3 specifics --------------------------------------------------------------------

namespace {
const std::vector<std::uint8_t> fixed_key = unhex("000102030405060708090a0b0c0d0e0f");
const std::vector<std::uint8_t> fixed_iv = unhex("a0a1a2a3a4a5a6a7a8a9aaab");

tls13_record_protection fixed_tls13() {
    auto p = tls13_record_protection::create_from_key(prov(), aead_algorithm::aes_128_gcm, fixed_key, fixed_iv);
    EXPECT_TRUE(p);
    return std::move(*p);
}

// A TLS 1.3 record whose inner plaintext is `inner` exactly (no type appended), sealed with the
// fixed key at sequence 0 — for inner plaintexts seal() refuses to build.
std::vector<std::uint8_t> raw_tls13_record(std::span<const std::uint8_t> inner) {
    std::vector<std::uint8_t> rec(header_size + inner.size() + aead_tag_size);
    write_record_header(rec, content_type::application_data, 0x0303,
                        static_cast<std::uint16_t>(inner.size() + aead_tag_size));
    std::copy(inner.begin(), inner.end(), rec.begin() + header_size);
    auto aead = prov().make_aead(aead_algorithm::aes_128_gcm, fixed_key);
    EXPECT_TRUE(aead);
    EXPECT_TRUE((*aead)->seal(fixed_iv, std::span(rec).first(header_size),
                              std::span(rec).subspan(header_size, inner.size()),
                              std::span(rec).subspan(header_size + inner.size())));
    return rec;
}
} // namespace

TEST(tls13_record_protection, padding_is_stripped) {
    auto sealer = fixed_tls13();
    auto opener = fixed_tls13();
    const auto content = pattern(33, 9);
    for (std::size_t padding : {std::size_t{0}, std::size_t{1}, std::size_t{100}, max_plaintext_length - 33}) {
        auto rec = seal_record(sealer, content_type::handshake, content, padding);
        EXPECT_EQ(rec.size(), header_size + 33 + 1 + padding + aead_tag_size);
        auto opened = open_record(opener, rec);
        ASSERT_TRUE(opened);
        EXPECT_EQ(opened->type, content_type::handshake);
        EXPECT_EQ(hex(opened->content), hex(content));
    }
    // Padding that would push the inner plaintext over 2^14 + 1 is refused.
    std::vector<std::uint8_t> buf(sealer.sealed_size(33, max_plaintext_length));
    EXPECT_EQ(sealer.seal(content_type::handshake, buf, 33, max_plaintext_length - 32).error(),
              tls_err(errc::internal_error));
}

TEST(tls13_record_protection, all_zero_inner_plaintext_is_unexpected_message) {
    const std::vector<std::uint8_t> zeros(20, 0);
    auto rec = raw_tls13_record(zeros);
    auto p = fixed_tls13();
    EXPECT_EQ(open_record(p, rec).error(), tls_err(errc::unexpected_message));
    auto empty = raw_tls13_record({});
    auto q = fixed_tls13();
    EXPECT_EQ(open_record(q, empty).error(), tls_err(errc::unexpected_message));
}

TEST(tls13_record_protection, inner_type_must_be_protectable) {
    // A protected change_cipher_spec, and an unknown inner type.
    for (std::uint8_t t : {std::uint8_t{20}, std::uint8_t{24}, std::uint8_t{0xff}}) {
        const std::vector<std::uint8_t> inner = {1, 2, 3, t, 0, 0};
        auto rec = raw_tls13_record(inner);
        auto p = fixed_tls13();
        EXPECT_EQ(open_record(p, rec).error(), tls_err(errc::unexpected_message)) << int(t);
    }
    const std::vector<std::uint8_t> ok = {1, 2, 3, 21, 0, 0};
    auto rec = raw_tls13_record(ok);
    auto p = fixed_tls13();
    auto opened = open_record(p, rec);
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->type, content_type::alert);
    EXPECT_EQ(hex(opened->content), "010203");
}

TEST(tls13_record_protection, outer_type_must_be_application_data) {
    auto sealer = fixed_tls13();
    auto rec = seal_record(sealer, content_type::handshake, pattern(8, 0));
    rec[0] = 22;
    auto p = fixed_tls13();
    EXPECT_EQ(open_record(p, rec).error(), tls_err(errc::unexpected_message));
}

TEST(tls13_record_protection, length_limits) {
    // Shorter than a tag.
    std::vector<std::uint8_t> short_rec = {23, 3, 3, 0, 15};
    short_rec.resize(header_size + 15, 0xaa);
    auto p = fixed_tls13();
    EXPECT_EQ(open_record(p, short_rec).error(), tls_err(errc::bad_record_mac));

    // An inner plaintext of 2^14 + 2 bytes (authentic, but too long) is record_overflow.
    const std::vector<std::uint8_t> inner(max_plaintext_length + 2, 0x17);
    auto big = raw_tls13_record(inner);
    auto q = fixed_tls13();
    EXPECT_EQ(open_record(q, big).error(), tls_err(errc::record_overflow));
    // ... and 2^14 + 1 is fine.
    const std::vector<std::uint8_t> inner_max(max_plaintext_length + 1, 0x17);
    auto max_rec = raw_tls13_record(inner_max);
    auto r = fixed_tls13();
    auto opened = open_record(r, max_rec);
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->content.size(), max_plaintext_length);

    // A lower advertised limit (record_size_limit) applies to opening.
    auto limited = fixed_tls13();
    limited.set_max_plaintext(1000);
    auto rec1001 = raw_tls13_record(std::vector<std::uint8_t>(1002, 0x17));
    EXPECT_EQ(open_record(limited, rec1001).error(), tls_err(errc::record_overflow));
    auto limited2 = fixed_tls13();
    limited2.set_max_plaintext(1000);
    auto rec1000 = raw_tls13_record(std::vector<std::uint8_t>(1001, 0x17));
    EXPECT_TRUE(open_record(limited2, rec1000));

    // A fragment over 2^14 + 256 is record_overflow before any decryption.
    std::vector<std::uint8_t> huge(header_size + max_tls13_ciphertext_length + 1, 0);
    write_record_header(huge, content_type::application_data, 0x0303,
                        static_cast<std::uint16_t>(max_tls13_ciphertext_length + 1));
    auto s = fixed_tls13();
    EXPECT_EQ(open_record(s, huge).error(), tls_err(errc::record_overflow));
}

TEST(tls12_record_protection, length_limits_and_version_in_aad) {
    auto kb = tls12_test_keys(aead_algorithm::aes_128_gcm);
    auto make = [&] {
        auto p = tls12_record_protection::create(prov(), aead_algorithm::aes_128_gcm, kb.client_write_key.view(),
                                                 kb.client_write_iv.view());
        EXPECT_TRUE(p);
        return std::move(*p);
    };
    // Too short for explicit nonce + tag.
    std::vector<std::uint8_t> short_rec = {23, 3, 3, 0, 23};
    short_rec.resize(header_size + 23, 0);
    auto p = make();
    EXPECT_EQ(open_record(p, short_rec).error(), tls_err(errc::bad_record_mac));
    // Plaintext over the configured limit.
    auto sealer = make();
    auto rec = seal_record(sealer, content_type::application_data, pattern(2000, 1));
    auto limited = make();
    limited.set_max_plaintext(1999);
    EXPECT_EQ(open_record(limited, rec).error(), tls_err(errc::record_overflow));
    // Wrong fixed IV size is a caller error.
    EXPECT_EQ(tls12_record_protection::create(prov(), aead_algorithm::aes_128_gcm, kb.client_write_key.view(),
                                              std::vector<std::uint8_t>(12))
                  .error(),
              tls_err(errc::internal_error));
}

// ---- Deframer -----------------------------------------------------------------------------

namespace {

struct plain_record {
    content_type type;
    std::vector<std::uint8_t> body;
};

std::vector<std::uint8_t> frame(const std::vector<plain_record> &records, std::uint16_t version = 0x0303) {
    std::vector<std::uint8_t> out;
    for (const auto &r : records) {
        std::uint8_t h[header_size];
        write_record_header(h, r.type, version, static_cast<std::uint16_t>(r.body.size()));
        out.insert(out.end(), h, h + header_size);
        out.insert(out.end(), r.body.begin(), r.body.end());
    }
    return out;
}

// Drains every complete record; checks they match `expected` starting at index `next`.
void drain(deframer &d, const std::vector<plain_record> &expected, std::size_t &next) {
    for (;;) {
        auto r = d.next();
        ASSERT_TRUE(r) << r.error().message();
        if (!r->has_value()) {
            return;
        }
        ASSERT_LT(next, expected.size());
        const record_view &v = **r;
        EXPECT_EQ(v.type, expected[next].type);
        EXPECT_EQ(v.legacy_version, 0x0303);
        EXPECT_EQ(hex(v.fragment), hex(expected[next].body));
        EXPECT_EQ(v.header[0], static_cast<std::uint8_t>(expected[next].type));
        ++next;
    }
}

const std::vector<plain_record> sample_records = {
    {content_type::handshake, pattern(50, 1)},
    {content_type::change_cipher_spec, {1}},
    {content_type::application_data, {}},
    {content_type::alert, {2, 0}},
    {content_type::application_data, pattern(300, 9)},
};

} // namespace

TEST(tls_deframer, every_split_point) {
    const auto stream = frame(sample_records);
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        SCOPED_TRACE(split);
        deframer d;
        std::size_t next = 0;
        d.feed(std::span(stream).first(split));
        drain(d, sample_records, next);
        d.feed(std::span(stream).subspan(split));
        drain(d, sample_records, next);
        EXPECT_EQ(next, sample_records.size());
        EXPECT_TRUE(d.empty());
    }
}

TEST(tls_deframer, every_pair_of_split_points) {
    const std::vector<plain_record> records = {
        {content_type::handshake, pattern(7, 1)},
        {content_type::application_data, pattern(3, 2)},
        {content_type::alert, {1, 0}},
    };
    const auto stream = frame(records);
    for (std::size_t a = 0; a <= stream.size(); ++a) {
        for (std::size_t b = a; b <= stream.size(); ++b) {
            deframer d;
            std::size_t next = 0;
            d.feed(std::span(stream).first(a));
            drain(d, records, next);
            d.feed(std::span(stream).subspan(a, b - a));
            drain(d, records, next);
            d.feed(std::span(stream).subspan(b));
            drain(d, records, next);
            ASSERT_EQ(next, records.size()) << a << "," << b;
        }
    }
}

TEST(tls_deframer, byte_at_a_time_and_coalesced) {
    const auto stream = frame(sample_records);
    deframer one;
    std::size_t next = 0;
    for (std::uint8_t b : stream) {
        one.feed(std::span(&b, 1));
        drain(one, sample_records, next);
    }
    EXPECT_EQ(next, sample_records.size());

    // Many records in one chunk: all views are valid together until the next feed.
    deframer all;
    all.feed(stream);
    std::vector<record_view> views;
    for (;;) {
        auto r = all.next();
        ASSERT_TRUE(r);
        if (!r->has_value()) {
            break;
        }
        views.push_back(**r);
    }
    ASSERT_EQ(views.size(), sample_records.size());
    for (std::size_t i = 0; i < views.size(); ++i) {
        EXPECT_EQ(hex(views[i].fragment), hex(sample_records[i].body));
    }
}

TEST(tls_deframer, header_errors) {
    struct bad {
        std::vector<std::uint8_t> bytes;
        errc expected;
    };
    const bad cases[] = {
        {{'G'}, errc::unexpected_message},                     // plain HTTP: fails on the first byte
        {{0x80, 0x2e, 0x01}, errc::unexpected_message},        // SSLv2-style hello
        {{24, 3, 3, 0, 1, 0}, errc::unexpected_message},       // heartbeat is not accepted
        {{0, 3, 3, 0, 0}, errc::unexpected_message},
        {{22, 2}, errc::decode_error},                         // version 2.x
        {{22, 4, 1, 0, 1, 0}, errc::decode_error},
        {{23, 3, 3, 0x48, 0x01}, errc::record_overflow},       // 2^14 + 2049 > any limit
    };
    for (const auto &c : cases) {
        deframer d;
        d.feed(c.bytes);
        auto r = d.next();
        ASSERT_FALSE(r) << hex(c.bytes);
        EXPECT_EQ(r.error(), tls_err(c.expected)) << hex(c.bytes);
        // Sticky.
        d.feed(frame(sample_records));
        EXPECT_EQ(d.next().error(), tls_err(c.expected));
        EXPECT_EQ(d.error(), tls_err(c.expected));
    }
    // Any 3.x version passes (legacy_record_version is otherwise ignored).
    deframer ok;
    ok.feed(frame({{content_type::handshake, {1}}}, 0x0301));
    auto r = ok.next();
    ASSERT_TRUE(r && r->has_value());
    EXPECT_EQ((*r)->legacy_version, 0x0301);
}

TEST(tls_deframer, has_complete_record_only_for_whole_records_or_errors) {
    const auto stream = frame(sample_records);
    deframer d;
    EXPECT_FALSE(d.has_complete_record());
    // Every strict prefix of the first record: bytes buffered, no record.
    const std::size_t first = header_size + sample_records[0].body.size();
    for (std::size_t n = 1; n < first; ++n) {
        deframer p;
        p.feed(std::span(stream).first(n));
        EXPECT_FALSE(p.has_complete_record()) << n;
        EXPECT_GT(p.buffered(), 0u);
    }
    d.feed(std::span(stream).first(first));
    EXPECT_TRUE(d.has_complete_record());
    auto r = d.next();
    ASSERT_TRUE(r && r->has_value());
    EXPECT_FALSE(d.has_complete_record());
    // A malformed header counts: next() has an error to report.
    deframer bad;
    bad.feed(std::vector<std::uint8_t>{'G'});
    EXPECT_TRUE(bad.has_complete_record());
    EXPECT_FALSE(bad.next());
}

TEST(tls_deframer, configurable_length_limit) {
    const auto at_plaintext_limit = frame({{content_type::handshake, std::vector<std::uint8_t>(max_plaintext_length, 1)}});
    const auto over_plaintext_limit =
        frame({{content_type::application_data, std::vector<std::uint8_t>(max_plaintext_length + 1, 1)}});
    const auto over_tls13_limit =
        frame({{content_type::application_data, std::vector<std::uint8_t>(max_tls13_ciphertext_length + 1, 1)}});
    const auto at_tls12_limit =
        frame({{content_type::application_data, std::vector<std::uint8_t>(max_tls12_ciphertext_length, 1)}});

    deframer plain(max_plaintext_length);
    plain.feed(at_plaintext_limit);
    auto r = plain.next();
    ASSERT_TRUE(r && r->has_value());
    plain.feed(over_plaintext_limit);
    EXPECT_EQ(plain.next().error(), tls_err(errc::record_overflow));

    deframer tls13; // default: TLS 1.3 ciphertext
    EXPECT_EQ(tls13.max_length(), max_tls13_ciphertext_length);
    tls13.feed(over_plaintext_limit);
    ASSERT_TRUE(tls13.next());
    tls13.feed(over_tls13_limit);
    EXPECT_EQ(tls13.next().error(), tls_err(errc::record_overflow));

    deframer tls12(max_tls12_ciphertext_length);
    tls12.feed(at_tls12_limit);
    auto r12 = tls12.next();
    ASSERT_TRUE(r12 && r12->has_value());

    // The limit applies to records not yet returned: switching after a plaintext record.
    deframer switching(max_plaintext_length);
    auto both = at_plaintext_limit;
    both.insert(both.end(), over_plaintext_limit.begin(), over_plaintext_limit.end());
    switching.feed(both);
    ASSERT_TRUE(switching.next());
    switching.set_max_length(max_tls13_ciphertext_length);
    auto second = switching.next();
    ASSERT_TRUE(second && second->has_value());
    EXPECT_EQ((*second)->fragment.size(), max_plaintext_length + 1);
}

TEST(tls_deframer, steady_state_does_not_grow) {
    std::vector<plain_record> records;
    for (int i = 0; i < 20; ++i) {
        records.push_back({content_type::application_data, pattern(max_plaintext_length + 200, static_cast<std::uint8_t>(i))});
    }
    const auto stream = frame(records);
    deframer d;
    std::size_t next = 0;
    std::size_t offset = 0;
    std::size_t capacity_after_warmup = 0;
    const std::size_t chunk = 4000;
    int chunks = 0;
    while (offset < stream.size()) {
        const std::size_t n = std::min(chunk, stream.size() - offset);
        d.feed(std::span(stream).subspan(offset, n));
        offset += n;
        drain(d, records, next);
        if (++chunks == 10) {
            capacity_after_warmup = d.capacity();
        }
    }
    EXPECT_EQ(next, records.size());
    EXPECT_GT(capacity_after_warmup, 0u);
    EXPECT_EQ(d.capacity(), capacity_after_warmup);
    EXPECT_LE(d.capacity(), 2 * (header_size + max_tls12_ciphertext_length));
}

TEST(tls_deframer, prepare_and_commit) {
    const auto stream = frame(sample_records);
    deframer d;
    std::size_t next = 0;
    std::size_t offset = 0;
    while (offset < stream.size()) {
        const std::size_t n = std::min<std::size_t>(37, stream.size() - offset);
        auto area = d.prepare(n);
        ASSERT_GE(area.size(), n);
        std::copy_n(stream.begin() + static_cast<std::ptrdiff_t>(offset), n, area.begin());
        d.commit(n);
        offset += n;
        drain(d, sample_records, next);
    }
    EXPECT_EQ(next, sample_records.size());
    EXPECT_EQ(d.buffered(), 0u);
}

TEST(tls_deframer, view_record_requires_exact_length) {
    auto one = frame({{content_type::handshake, {1, 2, 3}}});
    auto v = view_record(one, max_plaintext_length);
    ASSERT_TRUE(v);
    EXPECT_EQ(hex(v->fragment), "010203");
    auto longer = one;
    longer.push_back(0);
    EXPECT_EQ(view_record(longer, max_plaintext_length).error(), tls_err(errc::decode_error));
    EXPECT_EQ(view_record(std::span(one).first(6), max_plaintext_length).error(), tls_err(errc::decode_error));
    EXPECT_EQ(view_record(std::span(one).first(3), max_plaintext_length).error(), tls_err(errc::decode_error));
}

// ---- Fragmenter ---------------------------------------------------------------------------

TEST(tls_fragmenter, splits_at_the_maximum) {
    fragmenter f;
    EXPECT_EQ(f.max_fragment(), max_plaintext_length);
    EXPECT_EQ(f.record_count(0), 0u);
    EXPECT_EQ(f.record_count(1), 1u);
    EXPECT_EQ(f.record_count(max_plaintext_length), 1u);
    EXPECT_EQ(f.record_count(max_plaintext_length + 1), 2u);

    const auto data = pattern(40000, 4);
    std::span<const std::uint8_t> rest = data;
    std::vector<std::size_t> sizes;
    while (!rest.empty()) {
        sizes.push_back(f.next_fragment(rest).size());
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{16384, 16384, 7232}));

    f.set_max_fragment(512);
    EXPECT_EQ(f.max_fragment(), 512u);
    EXPECT_EQ(f.record_count(1025), 3u);
    f.set_max_fragment(1); // clamped to the RFC 8449 minimum
    EXPECT_EQ(f.max_fragment(), min_fragment_length);
    f.set_max_fragment(1 << 20);
    EXPECT_EQ(f.max_fragment(), max_plaintext_length);
}

TEST(tls_fragmenter, honours_peer_record_size_limit) {
    fragmenter f13;
    ASSERT_TRUE(f13.apply_record_size_limit(1000, true));
    EXPECT_EQ(f13.max_fragment(), 999u); // the inner content type counts under TLS 1.3
    f13.set_max_fragment(512);
    EXPECT_EQ(f13.max_fragment(), 512u); // the smaller of the two
    f13.set_max_fragment(4096);
    EXPECT_EQ(f13.max_fragment(), 999u);

    fragmenter f12;
    ASSERT_TRUE(f12.apply_record_size_limit(1000, false));
    EXPECT_EQ(f12.max_fragment(), 1000u);
    ASSERT_TRUE(f12.apply_record_size_limit(65535, false));
    EXPECT_EQ(f12.max_fragment(), max_plaintext_length);
    EXPECT_EQ(f12.apply_record_size_limit(63, false).error(), tls_err(errc::illegal_parameter));
    EXPECT_EQ(f12.max_fragment(), max_plaintext_length);
}

TEST(tls_fragmenter, plaintext_records_deframe_back) {
    fragmenter f(512);
    const auto data = pattern(2000, 11);
    std::vector<std::uint8_t> out(f.plaintext_records_size(data.size()));
    EXPECT_EQ(out.size(), 2000u + 4 * header_size);
    auto n = f.write_plaintext_records(content_type::handshake, 0x0301, data, out);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, out.size());

    deframer d(max_plaintext_length);
    d.feed(out);
    std::vector<std::uint8_t> joined;
    int count = 0;
    for (;;) {
        auto r = d.next();
        ASSERT_TRUE(r);
        if (!r->has_value()) {
            break;
        }
        EXPECT_EQ((*r)->type, content_type::handshake);
        EXPECT_EQ((*r)->legacy_version, 0x0301);
        EXPECT_LE((*r)->fragment.size(), 512u);
        joined.insert(joined.end(), (*r)->fragment.begin(), (*r)->fragment.end());
        ++count;
    }
    EXPECT_EQ(count, 4);
    EXPECT_EQ(hex(joined), hex(data));

    std::vector<std::uint8_t> small(out.size() - 1);
    EXPECT_EQ(f.write_plaintext_records(content_type::handshake, 0x0303, data, small).error(),
              tls_err(errc::internal_error));
    auto none = f.write_plaintext_records(content_type::handshake, 0x0303, {}, small);
    ASSERT_TRUE(none);
    EXPECT_EQ(*none, 0u);
}

TEST(tls_fragmenter, protected_pipeline_in_place) {
    // Application data -> fragments -> sealed in place into one output buffer -> deframed in
    // arbitrary chunks -> opened in place -> the original data, for every suite.
    for (const auto &s : all_suites) {
        SCOPED_TRACE(s.name);
        auto sealer = make_protection(s);
        auto opener = make_protection(s);
        fragmenter f(4096);
        const auto data = pattern(50000, 21);
        std::vector<std::uint8_t> wire;
        std::span<const std::uint8_t> rest = data;
        while (!rest.empty()) {
            const auto fragment = f.next_fragment(rest);
            const std::size_t at = wire.size();
            wire.resize(at + sealer->sealed_size(fragment.size()));
            std::copy(fragment.begin(), fragment.end(),
                      wire.begin() + static_cast<std::ptrdiff_t>(at + sealer->prefix_size()));
            auto n = sealer->seal(content_type::application_data, std::span(wire).subspan(at), fragment.size());
            ASSERT_TRUE(n);
        }
        EXPECT_EQ(sealer->sequence(), f.record_count(data.size()));

        deframer d(s.tls13 ? max_tls13_ciphertext_length : max_tls12_ciphertext_length);
        std::vector<std::uint8_t> received;
        for (std::size_t off = 0; off < wire.size(); off += 1000) {
            d.feed(std::span(wire).subspan(off, std::min<std::size_t>(1000, wire.size() - off)));
            for (;;) {
                auto r = d.next();
                ASSERT_TRUE(r);
                if (!r->has_value()) {
                    break;
                }
                auto opened = opener->open(**r);
                ASSERT_TRUE(opened) << opened.error().message();
                EXPECT_EQ(opened->type, content_type::application_data);
                received.insert(received.end(), opened->content.begin(), opened->content.end());
            }
        }
        EXPECT_EQ(hex(received), hex(data));
    }
}
