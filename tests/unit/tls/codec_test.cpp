// Handshake message codecs: reader/writer primitives, round trips of every message, the RFC 8448
// example handshake messages decoded field by field and re-encoded byte for byte, malformed
// inputs with the alert each must produce, PSK binder truncation, and the message splitter.
#include "tls/codec/handshake.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace codec = awsio::tls::codec;
using awsio::tls::errc;
using bytes = std::vector<std::uint8_t>;

namespace {

bytes hex(std::string_view text) {
    bytes out;
    int hi = -1;
    for (char c : text) {
        int v = -1;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else {
            continue;
        }
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<std::uint8_t>((hi << 4) | v));
            hi = -1;
        }
    }
    return out;
}

bytes cat(bytes a, const bytes &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::span<const std::uint8_t> body_of(const bytes &full) { return std::span<const std::uint8_t>(full).subspan(4); }

// RFC 8448 section 3 ("Simple 1-RTT Handshake"), section 4 (resumed ClientHello) and section 5
// (HelloRetryRequest): complete handshake messages, header included.
constexpr std::string_view rfc8448_client_hello =
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef"
    "6283024dece7000006130113031302010000910000000b000900000673657276"
    "6572ff01000100000a00140012001d0017001800190100010101020103010400"
    "230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e"
    "51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603"
    "020308040805080604010501060102010402050206020202002d00020101001c"
    "00024001";
constexpr std::string_view rfc8448_server_hello =
    "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155"
    "772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdb"
    "f7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";
constexpr std::string_view rfc8448_encrypted_extensions =
    "080000240022000a00140012001d00170018001901000101010201030104001c"
    "0002400100000000";
constexpr std::string_view rfc8448_certificate =
    "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a"
    "864886f70d01010b0500300e310c300a06035504031303727361301e170d3136"
    "303733303031323335395a170d3236303733303031323335395a300e310c300a"
    "0603550403130372736130819f300d06092a864886f70d010101050003818d00"
    "30818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826"
    "d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced4312"
    "0998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda4308467480"
    "30530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a"
    "8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b060355"
    "1d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5"
    "b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a5"
    "8c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102"
    "702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0"
    "a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000";
constexpr std::string_view rfc8448_certificate_verify =
    "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145a"
    "b3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248ee"
    "aaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c"
    "9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea2"
    "0d53dfacd42f74f3";
constexpr std::string_view rfc8448_server_finished =
    "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454"
    "b78f0718";
constexpr std::string_view rfc8448_new_session_ticket =
    "040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec9000000"
    "00262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785a"
    "bc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827"
    "db279cce145077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529"
    "513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea61764"
    "6fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934a"
    "e4d3570008002a000400000400";
constexpr std::string_view rfc8448_resumed_client_hello_prefix =
    "010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc41"
    "9d7876487d95000006130113031302010001cd0000000b000900000673657276"
    "6572ff01000100000a00140012001d0017001800190100010101020103010400"
    "3300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe"
    "051a66b4f18d668f0b002a0000002b0003020304000d0020001e040305030603"
    "020308040805080604010501060102010402050206020202002d00020101001c"
    "0002400100150057000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "2900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a"
    "34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a98211"
    "7283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3"
    "664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b"
    "3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c6"
    "21a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb";
constexpr std::string_view rfc8448_resumed_binders =
    "0021203add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b"
    "9e5f9d";
constexpr std::string_view rfc8448_hello_retry_request =
    "020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e"
    "09e2c8a8339c001301000084003300020017002c0074007271dcd04bb88bc318"
    "9119398a00000000eefafc76c146b823b096f8aacad365dd0030953f4edf6256"
    "36e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d"
    "6e50781b5eda4aa15b0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0c"
    "af571fb2b7cff0f934b0002b00020304";

template <typename T>
bytes body_bytes(const T &m) {
    bytes out;
    codec::writer w(out);
    codec::encode(w, m);
    EXPECT_TRUE(w.ok());
    return out;
}

// Serializes m, checks the header, and hands the body to `decode`; the decoded value must equal m.
template <typename T, typename Decode>
void expect_round_trip(const T &m, Decode decode, bool fixed_length = true) {
    const bytes full = codec::serialize(m);
    ASSERT_GE(full.size(), 4u);
    EXPECT_EQ(full[0], static_cast<std::uint8_t>(T::type));
    const std::size_t len = (std::size_t{full[1]} << 16) | (std::size_t{full[2]} << 8) | full[3];
    EXPECT_EQ(len + 4, full.size());
    auto back = decode(body_of(full));
    ASSERT_TRUE(back.has_value()) << back.error().message();
    EXPECT_TRUE(*back == m);
    if (!fixed_length) {
        return;
    }
    // Trailing bytes after the body are a decode_error (message_hash has no inner framing).
    bytes extra(full.begin() + 4, full.end());
    extra.push_back(0);
    auto bad = decode(std::span<const std::uint8_t>(extra));
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error(), errc::decode_error);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// reader / writer

TEST(tls_codec_reader, reads_integers_big_endian) {
    const bytes in = hex("01 0203 040506 0708090a");
    codec::reader r(in);
    EXPECT_EQ(*r.u8(), 0x01);
    EXPECT_EQ(*r.u16(), 0x0203);
    EXPECT_EQ(*r.u24(), 0x040506u);
    EXPECT_EQ(*r.u32(), 0x0708090au);
    EXPECT_TRUE(r.empty());
    EXPECT_FALSE(r.expect_empty());
}

TEST(tls_codec_reader, short_reads_fail_and_consume_nothing) {
    const bytes in = hex("01 02 03");
    codec::reader r(in);
    auto v = r.u32();
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error(), errc::decode_error);
    EXPECT_EQ(r.remaining(), 3u);
    EXPECT_EQ(r.bytes(4).error(), errc::decode_error);
    EXPECT_EQ(*r.u24(), 0x010203u);
    EXPECT_EQ(r.u8().error(), errc::decode_error);
}

TEST(tls_codec_reader, vectors_check_length_bounds) {
    const bytes in = hex("03 aabbcc 0002 dddd");
    codec::reader r(in);
    auto v = r.vec8(1, 3);
    ASSERT_TRUE(v);
    EXPECT_EQ(bytes(v->begin(), v->end()), hex("aabbcc"));
    // Below the minimum: fails and consumes nothing.
    auto s = r.sub16(3);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), errc::decode_error);
    EXPECT_EQ(r.remaining(), 4u);
    auto s2 = r.sub16(0, 2);
    ASSERT_TRUE(s2);
    EXPECT_EQ(*s2->u16(), 0xddddu);
    EXPECT_FALSE(s2->expect_empty());
    EXPECT_TRUE(r.empty());
}

TEST(tls_codec_reader, vector_longer_than_input_is_decode_error) {
    const bytes in = hex("000005 0102");
    codec::reader r(in);
    EXPECT_EQ(r.vec24().error(), errc::decode_error);
    EXPECT_EQ(r.remaining(), 5u);
    const bytes trailing = hex("00");
    codec::reader t(trailing);
    EXPECT_EQ(t.expect_empty(), errc::decode_error);
}

TEST(tls_codec_writer, scopes_patch_nested_lengths) {
    bytes out;
    codec::writer w(out);
    {
        auto outer = w.scope16();
        w.u8(0xaa);
        {
            auto inner = w.scope24();
            w.u16(0x0102);
        }
        auto last = w.scope8();
        w.bytes(std::string_view("hi"));
    }
    EXPECT_TRUE(w.ok());
    EXPECT_EQ(out, hex("0009 aa 000002 0102 02 6869"));
}

TEST(tls_codec_writer, overflow_and_bounds_are_internal_error) {
    bytes out;
    codec::writer w(out);
    {
        auto s = w.scope8();
        for (int i = 0; i < 256; ++i) {
            w.u8(0);
        }
    }
    EXPECT_FALSE(w.ok());
    EXPECT_EQ(w.error(), errc::internal_error);

    bytes out2;
    codec::writer w2(out2);
    w2.vec16({}, 1); // below the declared minimum
    EXPECT_EQ(w2.error(), errc::internal_error);

    bytes out3;
    codec::writer w3(out3);
    w3.u24(0x1000000);
    EXPECT_EQ(w3.error(), errc::internal_error);
}

// ---------------------------------------------------------------------------------------------
// RFC 8448

TEST(tls_codec_rfc8448, client_hello) {
    const bytes full = hex(rfc8448_client_hello);
    ASSERT_EQ(full.size(), 196u);
    auto ch = codec::decode_client_hello(body_of(full));
    ASSERT_TRUE(ch) << ch.error().message();
    EXPECT_EQ(ch->legacy_version, codec::protocol_version::tls12);
    EXPECT_EQ(bytes(ch->random.begin(), ch->random.end()),
              hex("cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"));
    EXPECT_TRUE(ch->legacy_session_id.empty());
    EXPECT_EQ(ch->cipher_suites, (std::vector<codec::cipher_suite>{codec::cipher_suite::tls_aes_128_gcm_sha256,
                                                                   codec::cipher_suite::tls_chacha20_poly1305_sha256,
                                                                   codec::cipher_suite::tls_aes_256_gcm_sha384}));
    EXPECT_EQ(ch->legacy_compression_methods, bytes{0});

    const auto &e = ch->extensions.entries;
    ASSERT_EQ(e.size(), 9u);
    std::vector<codec::extension_type> order;
    for (const auto &x : e) {
        order.push_back(codec::type_of(x));
    }
    using et = codec::extension_type;
    EXPECT_EQ(order, (std::vector<et>{et::server_name, et::renegotiation_info, et::supported_groups, et::session_ticket,
                                      et::key_share, et::supported_versions, et::signature_algorithms,
                                      et::psk_key_exchange_modes, et::record_size_limit}));
    EXPECT_EQ(ch->extensions.get<codec::ext::server_name>()->host_name, "server");
    EXPECT_TRUE(ch->extensions.get<codec::ext::renegotiation_info>()->renegotiated_connection.empty());
    using ng = codec::named_group;
    EXPECT_EQ(ch->extensions.get<codec::ext::supported_groups>()->groups,
              (std::vector<ng>{ng::x25519, ng::secp256r1, ng::secp384r1, ng::secp521r1, ng::ffdhe2048, ng::ffdhe3072,
                               ng::ffdhe4096, ng::ffdhe6144, ng::ffdhe8192}));
    EXPECT_TRUE(ch->extensions.get<codec::ext::session_ticket>()->ticket.empty());
    const auto *ks = ch->extensions.get<codec::ext::key_share_client>();
    ASSERT_NE(ks, nullptr);
    ASSERT_EQ(ks->shares.size(), 1u);
    EXPECT_EQ(ks->shares[0].group, ng::x25519);
    EXPECT_EQ(ks->shares[0].key_exchange, hex("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"));
    EXPECT_EQ(ch->extensions.get<codec::ext::supported_versions_client>()->versions,
              std::vector<codec::protocol_version>{codec::protocol_version::tls13});
    const auto *sa = ch->extensions.get<codec::ext::signature_algorithms>();
    ASSERT_NE(sa, nullptr);
    ASSERT_EQ(sa->schemes.size(), 15u);
    EXPECT_EQ(sa->schemes[0], codec::signature_scheme::ecdsa_secp256r1_sha256);
    EXPECT_EQ(sa->schemes[4], codec::signature_scheme::rsa_pss_rsae_sha256);
    EXPECT_EQ(sa->schemes[7], codec::signature_scheme::rsa_pkcs1_sha256);
    EXPECT_EQ(static_cast<std::uint16_t>(sa->schemes[14]), 0x0202); // unassigned values are kept
    EXPECT_EQ(ch->extensions.get<codec::ext::psk_key_exchange_modes>()->modes,
              std::vector<codec::psk_key_exchange_mode>{codec::psk_key_exchange_mode::psk_dhe_ke});
    EXPECT_EQ(ch->extensions.get<codec::ext::record_size_limit>()->limit, 0x4001);

    EXPECT_EQ(codec::serialize(*ch), full);
}

TEST(tls_codec_rfc8448, server_hello) {
    const bytes full = hex(rfc8448_server_hello);
    auto sh = codec::decode_server_hello(body_of(full));
    ASSERT_TRUE(sh) << sh.error().message();
    EXPECT_FALSE(sh->is_hello_retry_request());
    EXPECT_FALSE(codec::is_hello_retry_request(*sh));
    EXPECT_EQ(sh->legacy_version, codec::protocol_version::tls12);
    EXPECT_EQ(sh->negotiated_version(), codec::protocol_version::tls13);
    EXPECT_EQ(bytes(sh->random.begin(), sh->random.end()),
              hex("a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928"));
    EXPECT_EQ(sh->cipher_suite, codec::cipher_suite::tls_aes_128_gcm_sha256);
    EXPECT_EQ(sh->legacy_compression_method, 0);
    ASSERT_EQ(sh->extensions.size(), 2u);
    const auto *ks = sh->extensions.get<codec::ext::key_share_server>();
    ASSERT_NE(ks, nullptr);
    EXPECT_EQ(ks->share.group, codec::named_group::x25519);
    EXPECT_EQ(ks->share.key_exchange, hex("c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"));
    EXPECT_EQ(sh->extensions.get<codec::ext::supported_versions_server>()->selected, codec::protocol_version::tls13);
    EXPECT_EQ(codec::serialize(*sh), full);
}

TEST(tls_codec_rfc8448, encrypted_extensions) {
    const bytes full = hex(rfc8448_encrypted_extensions);
    auto ee = codec::decode_encrypted_extensions(body_of(full));
    ASSERT_TRUE(ee) << ee.error().message();
    ASSERT_EQ(ee->extensions.size(), 3u);
    EXPECT_EQ(codec::type_of(ee->extensions.entries[0]), codec::extension_type::supported_groups);
    EXPECT_EQ(ee->extensions.get<codec::ext::supported_groups>()->groups.size(), 9u);
    EXPECT_EQ(ee->extensions.get<codec::ext::record_size_limit>()->limit, 0x4001);
    const auto *sni = ee->extensions.get<codec::ext::server_name>();
    ASSERT_NE(sni, nullptr);
    EXPECT_TRUE(sni->host_name.empty());
    EXPECT_EQ(codec::serialize(*ee), full);
}

TEST(tls_codec_rfc8448, certificate) {
    const bytes full = hex(rfc8448_certificate);
    ASSERT_EQ(full.size(), 445u);
    auto c = codec::decode_certificate_tls13(body_of(full));
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_TRUE(c->certificate_request_context.empty());
    ASSERT_EQ(c->entries.size(), 1u);
    EXPECT_EQ(c->entries[0].cert_data.size(), 432u);
    EXPECT_EQ(bytes(c->entries[0].cert_data.begin(), c->entries[0].cert_data.begin() + 4), hex("308201ac"));
    EXPECT_TRUE(c->entries[0].extensions.empty());
    EXPECT_EQ(codec::serialize(*c), full);
}

TEST(tls_codec_rfc8448, certificate_verify) {
    const bytes full = hex(rfc8448_certificate_verify);
    auto cv = codec::decode_certificate_verify(body_of(full));
    ASSERT_TRUE(cv) << cv.error().message();
    EXPECT_EQ(cv->algorithm, codec::signature_scheme::rsa_pss_rsae_sha256);
    ASSERT_EQ(cv->signature.size(), 128u);
    EXPECT_EQ(bytes(cv->signature.begin(), cv->signature.begin() + 4), hex("5a747c5d"));
    EXPECT_EQ(codec::serialize(*cv), full);
}

TEST(tls_codec_rfc8448, finished) {
    const bytes full = hex(rfc8448_server_finished);
    auto fin = codec::decode_finished(body_of(full), 32);
    ASSERT_TRUE(fin) << fin.error().message();
    EXPECT_EQ(fin->verify_data, hex("9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718"));
    EXPECT_EQ(codec::serialize(*fin), full);
    EXPECT_EQ(codec::decode_finished(body_of(full), 48).error(), errc::decode_error);
    EXPECT_EQ(codec::decode_finished(body_of(full), 12).error(), errc::decode_error);
}

TEST(tls_codec_rfc8448, new_session_ticket) {
    const bytes full = hex(rfc8448_new_session_ticket);
    auto nst = codec::decode_new_session_ticket_tls13(body_of(full));
    ASSERT_TRUE(nst) << nst.error().message();
    EXPECT_EQ(nst->ticket_lifetime, 30u);
    EXPECT_EQ(nst->ticket_age_add, 0xfad6aac5u);
    EXPECT_EQ(nst->ticket_nonce, hex("0000"));
    EXPECT_EQ(nst->ticket.size(), 0xb2u);
    EXPECT_EQ(nst->max_early_data_size(), std::optional<std::uint32_t>(1024));
    EXPECT_EQ(codec::serialize(*nst), full);
}

TEST(tls_codec_rfc8448, hello_retry_request) {
    const bytes full = hex(rfc8448_hello_retry_request);
    auto hrr = codec::decode_server_hello(body_of(full));
    ASSERT_TRUE(hrr) << hrr.error().message();
    EXPECT_TRUE(hrr->is_hello_retry_request());
    EXPECT_EQ(hrr->negotiated_version(), codec::protocol_version::tls13);
    const auto *ks = hrr->extensions.get<codec::ext::key_share_hrr>();
    ASSERT_NE(ks, nullptr);
    EXPECT_EQ(ks->selected_group, codec::named_group::secp256r1);
    const auto *ck = hrr->extensions.get<codec::ext::cookie>();
    ASSERT_NE(ck, nullptr);
    EXPECT_EQ(ck->value.size(), 0x72u);
    EXPECT_EQ(codec::serialize(*hrr), full);
}

TEST(tls_codec_rfc8448, resumed_client_hello_truncation) {
    const bytes prefix = hex(rfc8448_resumed_client_hello_prefix);
    const bytes full = cat(prefix, hex(rfc8448_resumed_binders));
    ASSERT_EQ(full.size(), 512u);
    auto ch = codec::decode_client_hello(body_of(full));
    ASSERT_TRUE(ch) << ch.error().message();
    EXPECT_EQ(codec::type_of(ch->extensions.entries.back()), codec::extension_type::pre_shared_key);
    const auto *psk = ch->extensions.get<codec::ext::pre_shared_key_client>();
    ASSERT_NE(psk, nullptr);
    ASSERT_EQ(psk->identities.size(), 1u);
    EXPECT_EQ(psk->identities[0].identity.size(), 0xb2u);
    EXPECT_EQ(psk->identities[0].obfuscated_ticket_age, 0xfad6aacbu);
    ASSERT_EQ(psk->binders.size(), 1u);
    EXPECT_EQ(psk->binders_wire_length(), 35u);
    EXPECT_NE(ch->extensions.get<codec::ext::early_data>(), nullptr);
    EXPECT_EQ(ch->extensions.get<codec::ext::padding>()->length, 0x57u);
    EXPECT_EQ(codec::serialize(*ch), full);

    auto len = codec::truncated_client_hello_length(full);
    ASSERT_TRUE(len);
    EXPECT_EQ(*len, 477u);
    auto trunc = codec::truncated_client_hello(full);
    ASSERT_TRUE(trunc);
    EXPECT_EQ(bytes(trunc->begin(), trunc->end()), prefix);

    // A client builds the message with placeholder binders, then patches the real ones in.
    auto placeholder = *ch;
    placeholder.extensions.get<codec::ext::pre_shared_key_client>()->binders[0].assign(32, 0);
    bytes built = codec::serialize(placeholder);
    EXPECT_EQ(*codec::truncated_client_hello_length(built), 477u);
    const std::vector<bytes> real{psk->binders[0]};
    EXPECT_FALSE(codec::patch_binders(built, real));
    EXPECT_EQ(built, full);
    const std::vector<bytes> wrong_len{bytes(48, 1)};
    EXPECT_EQ(codec::patch_binders(built, wrong_len), errc::internal_error);
    const std::vector<bytes> wrong_count{psk->binders[0], psk->binders[0]};
    EXPECT_EQ(codec::patch_binders(built, wrong_count), errc::internal_error);
}

TEST(tls_codec_rfc8448, truncation_needs_pre_shared_key) {
    const bytes full = hex(rfc8448_client_hello);
    EXPECT_EQ(codec::truncated_client_hello_length(full).error(), errc::missing_extension);
    bytes not_ch = hex(rfc8448_server_hello);
    EXPECT_EQ(codec::truncated_client_hello_length(not_ch).error(), errc::unexpected_message);
    bytes short_ch(full.begin(), full.end() - 1);
    EXPECT_EQ(codec::truncated_client_hello_length(short_ch).error(), errc::decode_error);
}

// ---------------------------------------------------------------------------------------------
// Round trips

namespace {

codec::extension_list sample_ch_extensions() {
    codec::extension_list l;
    l.add(codec::ext::server_name{"example.com"});
    l.add(codec::ext::supported_versions_client{{codec::protocol_version::tls13, codec::protocol_version::tls12}});
    l.add(codec::ext::supported_groups{{codec::named_group::x25519, codec::named_group::secp256r1}});
    l.add(codec::ext::key_share_client{{{codec::named_group::x25519, bytes(32, 7)}}});
    l.add(codec::ext::signature_algorithms{{codec::signature_scheme::ed25519, codec::signature_scheme::rsa_pkcs1_sha256}});
    l.add(codec::ext::alpn{{"h2", "http/1.1"}});
    l.add(codec::ext::ec_point_formats{});
    l.add(codec::ext::extended_master_secret{});
    l.add(codec::ext::renegotiation_info{});
    return l;
}

} // namespace

TEST(tls_codec_round_trip, client_hello) {
    codec::client_hello ch;
    ch.random.fill(0x11);
    ch.legacy_session_id = bytes(32, 0x22);
    ch.cipher_suites = {codec::cipher_suite::tls_aes_256_gcm_sha384,
                        codec::cipher_suite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256,
                        codec::cipher_suite::tls_empty_renegotiation_info_scsv, codec::cipher_suite::tls_fallback_scsv};
    ch.extensions = sample_ch_extensions();
    expect_round_trip(ch, [](auto b) { return codec::decode_client_hello(b); });

    // A TLS 1.2 ClientHello without an extension block.
    codec::client_hello bare;
    bare.cipher_suites = {codec::cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256};
    const bytes body = body_bytes(bare);
    EXPECT_EQ(body.size(), 2u + 32 + 1 + 4 + 2);
    expect_round_trip(bare, [](auto b) { return codec::decode_client_hello(b); });
}

TEST(tls_codec_round_trip, server_hello_forms) {
    codec::server_hello tls13;
    tls13.random.fill(0x33);
    tls13.legacy_session_id_echo = bytes(32, 0x44);
    tls13.cipher_suite = codec::cipher_suite::tls_chacha20_poly1305_sha256;
    tls13.extensions.add(codec::ext::supported_versions_server{codec::protocol_version::tls13});
    tls13.extensions.add(codec::ext::key_share_server{{codec::named_group::secp256r1, bytes(65, 4)}});
    tls13.extensions.add(codec::ext::pre_shared_key_server{0});
    expect_round_trip(tls13, [](auto b) { return codec::decode_server_hello(b); });

    codec::server_hello hrr;
    hrr.random = codec::hello_retry_request_random;
    hrr.cipher_suite = codec::cipher_suite::tls_aes_128_gcm_sha256;
    hrr.extensions.add(codec::ext::supported_versions_server{codec::protocol_version::tls13});
    hrr.extensions.add(codec::ext::key_share_hrr{codec::named_group::secp384r1});
    hrr.extensions.add(codec::ext::cookie{bytes{1, 2, 3}});
    EXPECT_TRUE(hrr.is_hello_retry_request());
    expect_round_trip(hrr, [](auto b) { return codec::decode_server_hello(b); });

    codec::server_hello tls12;
    tls12.random.fill(0x55);
    tls12.cipher_suite = codec::cipher_suite::tls_ecdhe_rsa_with_aes_256_gcm_sha384;
    tls12.extensions.add(codec::ext::renegotiation_info{});
    tls12.extensions.add(codec::ext::extended_master_secret{});
    tls12.extensions.add(codec::ext::ec_point_formats{});
    tls12.extensions.add(codec::ext::alpn{{"h2"}});
    tls12.extensions.add(codec::ext::server_name{});
    tls12.extensions.add(codec::ext::session_ticket{});
    tls12.extensions.add(codec::ext::status_request{});
    EXPECT_EQ(tls12.negotiated_version(), codec::protocol_version::tls12);
    expect_round_trip(tls12, [](auto b) { return codec::decode_server_hello(b); });

    codec::server_hello bare12;
    expect_round_trip(bare12, [](auto b) { return codec::decode_server_hello(b); });
}

TEST(tls_codec_round_trip, encrypted_extensions) {
    codec::encrypted_extensions ee;
    expect_round_trip(ee, [](auto b) { return codec::decode_encrypted_extensions(b); });
    ee.extensions.add(codec::ext::alpn{{"h2"}});
    ee.extensions.add(codec::ext::early_data{});
    ee.extensions.add(codec::ext::server_name{});
    ee.extensions.add(codec::ext::record_size_limit{64});
    ee.extensions.add(codec::ext::raw{static_cast<codec::extension_type>(0x7777), bytes{9, 9}});
    expect_round_trip(ee, [](auto b) { return codec::decode_encrypted_extensions(b); });
}

TEST(tls_codec_round_trip, certificates) {
    codec::certificate_tls13 c13;
    c13.certificate_request_context = bytes{1, 2};
    codec::certificate_entry leaf{bytes(300, 0x30), {}};
    leaf.extensions.add(codec::ext::status_request{hex("01 000003 aabbcc")});
    c13.entries.push_back(leaf);
    c13.entries.push_back({bytes(10, 0x31), {}});
    expect_round_trip(c13, [](auto b) { return codec::decode_certificate_tls13(b); });
    codec::certificate_tls13 empty13;
    expect_round_trip(empty13, [](auto b) { return codec::decode_certificate_tls13(b); });

    codec::certificate_tls12 c12;
    c12.certificate_list = {bytes(100, 1), bytes(70000, 2)};
    expect_round_trip(c12, [](auto b) { return codec::decode_certificate_tls12(b); });
}

TEST(tls_codec_round_trip, certificate_requests) {
    codec::certificate_request_tls13 cr13;
    cr13.certificate_request_context = bytes{7};
    cr13.extensions.add(codec::ext::signature_algorithms{{codec::signature_scheme::ecdsa_secp384r1_sha384}});
    cr13.extensions.add(codec::ext::signature_algorithms_cert{{codec::signature_scheme::rsa_pss_pss_sha512}});
    cr13.extensions.add(codec::ext::status_request{hex("01 0000 0000")});
    expect_round_trip(cr13, [](auto b) { return codec::decode_certificate_request_tls13(b); });

    codec::certificate_request_tls12 cr12;
    cr12.certificate_types = {codec::client_certificate_type::rsa_sign, codec::client_certificate_type::ecdsa_sign};
    cr12.supported_signature_algorithms = {codec::signature_scheme::rsa_pkcs1_sha384};
    cr12.certificate_authorities = {bytes{0x30, 0x00}, bytes(40, 0x31)};
    expect_round_trip(cr12, [](auto b) { return codec::decode_certificate_request_tls12(b); });
}

TEST(tls_codec_round_trip, small_messages) {
    expect_round_trip(codec::certificate_verify{codec::signature_scheme::ed25519, bytes(64, 3)},
                      [](auto b) { return codec::decode_certificate_verify(b); });
    expect_round_trip(codec::finished{bytes(12, 5)}, [](auto b) { return codec::decode_finished(b, 12); });
    expect_round_trip(codec::key_update{codec::key_update_request::update_requested},
                      [](auto b) { return codec::decode_key_update(b); });
    expect_round_trip(codec::end_of_early_data{}, [](auto b) { return codec::decode_end_of_early_data(b); });
    expect_round_trip(codec::server_hello_done{}, [](auto b) { return codec::decode_server_hello_done(b); });
    expect_round_trip(codec::hello_request{}, [](auto b) { return codec::decode_hello_request(b); });
    expect_round_trip(codec::client_key_exchange_ecdhe{bytes(65, 4)},
                      [](auto b) { return codec::decode_client_key_exchange_ecdhe(b); });
    expect_round_trip(codec::new_session_ticket_tls12{7200, bytes(50, 6)},
                      [](auto b) { return codec::decode_new_session_ticket_tls12(b); });
    expect_round_trip(codec::message_hash{bytes(48, 8)}, [](auto b) { return codec::decode_message_hash(b); },
                      false);
}

TEST(tls_codec_round_trip, new_session_ticket_tls13) {
    codec::new_session_ticket_tls13 nst;
    nst.ticket_lifetime = 604800;
    nst.ticket_age_add = 0xdeadbeef;
    nst.ticket_nonce = bytes{0, 1};
    nst.ticket = bytes(100, 0x42);
    EXPECT_EQ(nst.max_early_data_size(), std::nullopt);
    expect_round_trip(nst, [](auto b) { return codec::decode_new_session_ticket_tls13(b); });
    nst.extensions.add(codec::ext::early_data_ticket{16384});
    expect_round_trip(nst, [](auto b) { return codec::decode_new_session_ticket_tls13(b); });
}

TEST(tls_codec_round_trip, server_key_exchange_ecdhe) {
    codec::server_key_exchange_ecdhe ske;
    ske.group = codec::named_group::secp384r1;
    ske.public_key = bytes(97, 4);
    ske.algorithm = codec::signature_scheme::rsa_pss_rsae_sha384;
    ske.signature = bytes(256, 9);
    expect_round_trip(ske, [](auto b) { return codec::decode_server_key_exchange_ecdhe(b); });

    bytes params;
    codec::writer w(params);
    codec::encode_ecdhe_params(w, ske);
    EXPECT_EQ(params.size(), 1u + 2 + 1 + 97);
    EXPECT_EQ(params[0], 3);
    EXPECT_EQ(params[2], 0x18);
}

TEST(tls_codec_round_trip, message_hash_layout) {
    const bytes hash(32, 0xab);
    const bytes m = codec::make_message_hash(hash);
    EXPECT_EQ(m, cat(hex("fe000020"), hash));
}

// ---------------------------------------------------------------------------------------------
// Malformed messages

TEST(tls_codec_malformed, client_hello_truncated_everywhere) {
    const bytes full = hex(rfc8448_client_hello);
    const auto body = body_of(full);
    // legacy_version + random + session_id + cipher_suites + compression_methods end at 45: that
    // prefix is a well-formed TLS 1.2 ClientHello without extensions.
    for (std::size_t n = 0; n < body.size(); ++n) {
        auto r = codec::decode_client_hello(body.first(n));
        if (n == 45) {
            EXPECT_TRUE(r.has_value());
            continue;
        }
        ASSERT_FALSE(r.has_value()) << n;
        EXPECT_EQ(r.error(), errc::decode_error) << n;
    }
}

TEST(tls_codec_malformed, every_rfc8448_message_truncated_or_extended) {
    struct item {
        std::string_view hex_text;
        awsio::result<bool> (*decode)(std::span<const std::uint8_t>);
    };
    const item items[] = {
        {rfc8448_server_hello, [](std::span<const std::uint8_t> b) -> awsio::result<bool> {
             auto r = codec::decode_server_hello(b);
             if (!r) return awsio::unexpected(r.error());
             return true;
         }},
        {rfc8448_encrypted_extensions, [](std::span<const std::uint8_t> b) -> awsio::result<bool> {
             auto r = codec::decode_encrypted_extensions(b);
             if (!r) return awsio::unexpected(r.error());
             return true;
         }},
        {rfc8448_certificate, [](std::span<const std::uint8_t> b) -> awsio::result<bool> {
             auto r = codec::decode_certificate_tls13(b);
             if (!r) return awsio::unexpected(r.error());
             return true;
         }},
        {rfc8448_certificate_verify, [](std::span<const std::uint8_t> b) -> awsio::result<bool> {
             auto r = codec::decode_certificate_verify(b);
             if (!r) return awsio::unexpected(r.error());
             return true;
         }},
        {rfc8448_new_session_ticket, [](std::span<const std::uint8_t> b) -> awsio::result<bool> {
             auto r = codec::decode_new_session_ticket_tls13(b);
             if (!r) return awsio::unexpected(r.error());
             return true;
         }},
    };
    for (const auto &it : items) {
        const bytes full = hex(it.hex_text);
        const auto body = body_of(full);
        ASSERT_TRUE(it.decode(body).has_value());
        for (std::size_t n = 0; n < body.size(); ++n) {
            auto r = it.decode(body.first(n));
            // A ServerHello cut right after its compression method is a bare TLS 1.2 ServerHello.
            if (full[0] == 2 && n == 38) {
                EXPECT_TRUE(r.has_value());
                continue;
            }
            ASSERT_FALSE(r.has_value()) << int(full[0]) << " at " << n;
            EXPECT_EQ(r.error(), errc::decode_error) << int(full[0]) << " at " << n;
        }
        bytes longer(body.begin(), body.end());
        longer.push_back(0);
        EXPECT_EQ(it.decode(longer).error(), errc::decode_error) << int(full[0]);
    }
}

TEST(tls_codec_malformed, client_hello_fields) {
    const bytes random(32, 0);
    // 33-byte session id.
    bytes b = cat(cat(hex("0303"), random), cat(hex("21"), bytes(33, 0)));
    b = cat(b, hex("0002 1301 0100"));
    EXPECT_EQ(codec::decode_client_hello(b).error(), errc::decode_error);
    // Empty cipher_suites.
    b = cat(cat(hex("0303"), random), hex("00 0000 0100"));
    EXPECT_EQ(codec::decode_client_hello(b).error(), errc::decode_error);
    // Odd cipher_suites length.
    b = cat(cat(hex("0303"), random), hex("00 0003 130113 0100"));
    EXPECT_EQ(codec::decode_client_hello(b).error(), errc::decode_error);
    // Empty compression_methods.
    b = cat(cat(hex("0303"), random), hex("00 0002 1301 00"));
    EXPECT_EQ(codec::decode_client_hello(b).error(), errc::decode_error);
    // Extension block length beyond the message.
    b = cat(cat(hex("0303"), random), hex("00 0002 1301 0100 0010 0017 0000"));
    EXPECT_EQ(codec::decode_client_hello(b).error(), errc::decode_error);
}

TEST(tls_codec_malformed, client_hello_extension_rules) {
    const bytes head = cat(cat(hex("0303"), bytes(32, 0)), hex("00 0002 1301 0100"));
    // Duplicate extension.
    EXPECT_EQ(codec::decode_client_hello(cat(head, hex("0008 0017 0000 0017 0000"))).error(), errc::illegal_parameter);
    // pre_shared_key followed by another extension.
    const bytes psk = hex("0029 002f 000a 0004 01020304 00000000 0021 20") ;
    bytes psk_ext = cat(psk, bytes(32, 0));
    bytes exts = cat(psk_ext, hex("0017 0000"));
    bytes block = cat(hex("00"), bytes{static_cast<std::uint8_t>(exts.size())});
    EXPECT_EQ(codec::decode_client_hello(cat(head, cat(block, exts))).error(), errc::illegal_parameter);
    // The same extensions with pre_shared_key last are fine.
    exts = cat(hex("0017 0000"), psk_ext);
    block = cat(hex("00"), bytes{static_cast<std::uint8_t>(exts.size())});
    auto ok = codec::decode_client_hello(cat(head, cat(block, exts)));
    ASSERT_TRUE(ok) << ok.error().message();
    EXPECT_EQ(ok->extensions.get<codec::ext::pre_shared_key_client>()->identities[0].identity, hex("01020304"));
    // record_size_limit below 64.
    EXPECT_EQ(codec::decode_client_hello(cat(head, hex("0006 001c 0002 003f"))).error(), errc::illegal_parameter);
    EXPECT_TRUE(codec::decode_client_hello(cat(head, hex("0006 001c 0002 0040"))).has_value());
    // An extension only servers send (oid_filters is CertificateRequest-only).
    EXPECT_EQ(codec::decode_client_hello(cat(head, hex("0004 0030 0000"))).error(), errc::illegal_parameter);
}

TEST(tls_codec_malformed, server_hello_fields) {
    const bytes head = cat(hex("0303"), bytes(32, 1));
    // TLS 1.3 ServerHello with a non-zero compression method.
    EXPECT_EQ(codec::decode_server_hello(cat(head, hex("00 1301 01 0006 002b 0002 0304"))).error(),
              errc::illegal_parameter);
    // TLS 1.2 ServerHello carrying key_share (TLS 1.3 only).
    EXPECT_EQ(codec::decode_server_hello(cat(head, hex("00 c02f 00 0006 0033 0002 0017"))).error(),
              errc::illegal_parameter);
    // TLS 1.3 ServerHello carrying a TLS 1.2-only extension.
    EXPECT_EQ(codec::decode_server_hello(cat(head, hex("00 1301 00 000a 002b 0002 0304 0017 0000"))).error(),
              errc::illegal_parameter);
    // HelloRetryRequest with a pre_shared_key (not allowed in HRR).
    const bytes hrr_head = cat(hex("0303"), bytes(codec::hello_retry_request_random.begin(),
                                                  codec::hello_retry_request_random.end()));
    EXPECT_EQ(codec::decode_server_hello(cat(hrr_head, hex("00 1301 00 000c 002b 0002 0304 0029 0002 0000"))).error(),
              errc::illegal_parameter);
    // An unknown extension in a ServerHello is kept for the handshake layer to judge.
    auto sh = codec::decode_server_hello(cat(head, hex("00 1301 00 000a 002b 0002 0304 abcd 0000")));
    ASSERT_TRUE(sh);
    EXPECT_NE(sh->extensions.find(static_cast<codec::extension_type>(0xabcd)), nullptr);
}

TEST(tls_codec_malformed, other_messages) {
    // Certificate: an empty cert_data.
    EXPECT_EQ(codec::decode_certificate_tls13(hex("00 000005 000000 0000")).error(), errc::decode_error);
    EXPECT_EQ(codec::decode_certificate_tls12(hex("000003 000000")).error(), errc::decode_error);
    // Certificate entry extension outside the CertificateEntry table (key_share).
    EXPECT_EQ(codec::decode_certificate_tls13(hex("00 00000c 000001 30 0006 0033 0002 0017")).error(),
              errc::illegal_parameter);
    // CertificateRequest (TLS 1.3) without signature_algorithms.
    EXPECT_EQ(codec::decode_certificate_request_tls13(hex("00 0004 0032 0000")).error(), errc::decode_error);
    EXPECT_EQ(codec::decode_certificate_request_tls13(hex("00 000a 0032 0006 0004 0403 0804")).error(),
              errc::missing_extension);
    EXPECT_EQ(codec::decode_certificate_request_tls13(hex("00 0000")).error(), errc::decode_error);
    // CertificateRequest (TLS 1.2): empty certificate_types / signature algorithms.
    EXPECT_EQ(codec::decode_certificate_request_tls12(hex("00 0002 0403 0000")).error(), errc::decode_error);
    EXPECT_EQ(codec::decode_certificate_request_tls12(hex("01 40 0000 0000")).error(), errc::decode_error);
    EXPECT_EQ(codec::decode_certificate_request_tls12(hex("01 40 0002 0403 0002 0000")).error(), errc::decode_error);
    // NewSessionTicket with an empty ticket; with early_data in the CH form (empty).
    EXPECT_EQ(codec::decode_new_session_ticket_tls13(hex("00000001 00000002 00 0000 0000")).error(),
              errc::decode_error);
    EXPECT_EQ(codec::decode_new_session_ticket_tls13(hex("00000001 00000002 00 0001 aa 0004 002a 0000")).error(),
              errc::decode_error);
    // NewSessionTicket with an extension not allowed there.
    EXPECT_EQ(codec::decode_new_session_ticket_tls13(hex("00000001 00000002 00 0001 aa 0004 0000 0000")).error(),
              errc::illegal_parameter);
    // KeyUpdate with an undefined request value.
    EXPECT_EQ(codec::decode_key_update(hex("02")).error(), errc::illegal_parameter);
    EXPECT_EQ(codec::decode_key_update(hex("")).error(), errc::decode_error);
    // ServerKeyExchange with an explicit curve, an empty point.
    EXPECT_EQ(codec::decode_server_key_exchange_ecdhe(hex("01 0017 01 04 0403 0000")).error(), errc::illegal_parameter);
    EXPECT_EQ(codec::decode_server_key_exchange_ecdhe(hex("03 0017 00 0403 0000")).error(), errc::decode_error);
    EXPECT_EQ(codec::decode_client_key_exchange_ecdhe(hex("00")).error(), errc::decode_error);
    // Empty messages with a body.
    EXPECT_EQ(codec::decode_server_hello_done(hex("00")).error(), errc::decode_error);
    EXPECT_EQ(codec::decode_end_of_early_data(hex("00")).error(), errc::decode_error);
    EXPECT_EQ(codec::decode_hello_request(hex("00")).error(), errc::decode_error);
    EXPECT_EQ(codec::decode_message_hash(hex("")).error(), errc::decode_error);
}

// ---------------------------------------------------------------------------------------------
// Splitter

TEST(tls_codec_splitter, coalesced_messages_in_one_record) {
    const bytes flight = cat(cat(hex(rfc8448_encrypted_extensions), hex(rfc8448_certificate)),
                             cat(hex(rfc8448_certificate_verify), hex(rfc8448_server_finished)));
    codec::handshake_splitter s;
    EXPECT_FALSE(s.feed(flight));
    std::vector<codec::handshake_type> types;
    bytes rejoined;
    for (int i = 0; i < 10; ++i) {
        auto m = s.pop();
        ASSERT_TRUE(m);
        if (!m->has_value()) {
            break;
        }
        types.push_back((*m)->type);
        rejoined = cat(rejoined, (*m)->bytes);
        EXPECT_EQ((*m)->body().size() + 4, (*m)->bytes.size());
    }
    using ht = codec::handshake_type;
    EXPECT_EQ(types, (std::vector<ht>{ht::encrypted_extensions, ht::certificate, ht::certificate_verify, ht::finished}));
    EXPECT_EQ(rejoined, flight);
    EXPECT_FALSE(s.has_partial());
    EXPECT_EQ(s.buffered(), 0u);
}

TEST(tls_codec_splitter, message_fragmented_byte_by_byte) {
    const bytes ch = hex(rfc8448_client_hello);
    codec::handshake_splitter s;
    for (std::size_t i = 0; i < ch.size(); ++i) {
        auto none = s.pop();
        ASSERT_TRUE(none);
        EXPECT_FALSE(none->has_value());
        EXPECT_FALSE(s.feed(std::span<const std::uint8_t>(ch).subspan(i, 1)));
        if (i + 1 < ch.size()) {
            EXPECT_TRUE(s.has_partial());
        }
    }
    auto m = s.pop();
    ASSERT_TRUE(m && m->has_value());
    EXPECT_EQ((*m)->type, codec::handshake_type::client_hello);
    EXPECT_EQ((*m)->bytes, ch);
    auto ch_decoded = codec::decode_client_hello((*m)->body());
    EXPECT_TRUE(ch_decoded);
    EXPECT_FALSE(s.has_partial());
}

TEST(tls_codec_splitter, fragments_spanning_message_boundaries) {
    const bytes a = hex(rfc8448_server_hello);
    const bytes b = hex(rfc8448_encrypted_extensions);
    const bytes both = cat(a, b);
    codec::handshake_splitter s;
    // Split at 7, then at len(a)+3 (mid-header of the second message).
    EXPECT_FALSE(s.feed(std::span<const std::uint8_t>(both).first(7)));
    EXPECT_FALSE(s.feed(std::span<const std::uint8_t>(both).subspan(7, a.size() - 4)));
    auto m1 = s.pop();
    ASSERT_TRUE(m1 && m1->has_value());
    EXPECT_EQ((*m1)->bytes, a);
    auto m2 = s.pop();
    ASSERT_TRUE(m2);
    EXPECT_FALSE(m2->has_value());
    EXPECT_TRUE(s.has_partial());
    EXPECT_FALSE(s.feed(std::span<const std::uint8_t>(both).subspan(a.size() + 3)));
    m2 = s.pop();
    ASSERT_TRUE(m2 && m2->has_value());
    EXPECT_EQ((*m2)->bytes, b);
}

TEST(tls_codec_splitter, size_limits) {
    codec::handshake_limits limits;
    limits.max_message_size = 100;
    limits.max_certificate_size = 1000;
    codec::handshake_splitter s(limits);
    // A 100-byte Finished is at the limit.
    bytes ok = cat(hex("14000064"), bytes(100, 0));
    EXPECT_FALSE(s.feed(ok));
    auto m = s.pop();
    ASSERT_TRUE(m && m->has_value());
    // A Certificate may be larger.
    bytes cert = cat(hex("0b0003e8"), bytes(1000, 0));
    EXPECT_FALSE(s.feed(cert));
    m = s.pop();
    ASSERT_TRUE(m && m->has_value());
    EXPECT_EQ((*m)->type, codec::handshake_type::certificate);
    // 101 bytes for a non-certificate fails as soon as the header is complete.
    EXPECT_FALSE(s.feed(hex("0800")));
    EXPECT_EQ(s.feed(hex("0065")), errc::illegal_parameter);
    EXPECT_EQ(s.pop().error(), errc::illegal_parameter);
    // Sticky.
    EXPECT_EQ(s.feed(hex("00")), errc::illegal_parameter);

    codec::handshake_splitter big_cert(limits);
    EXPECT_EQ(big_cert.feed(hex("0b0003e9")), errc::illegal_parameter);

    codec::handshake_splitter defaults;
    EXPECT_EQ(defaults.feed(hex("01010001")), errc::illegal_parameter); // 65537 > 64 KiB
    codec::handshake_splitter at_default;
    EXPECT_FALSE(at_default.feed(hex("01010000")));
}

TEST(tls_codec_splitter, many_small_messages_and_compaction) {
    codec::handshake_splitter s;
    bytes stream;
    for (int i = 0; i < 3000; ++i) {
        stream = cat(stream, hex("0e000000")); // ServerHelloDone
    }
    std::size_t popped = 0;
    for (std::size_t off = 0; off < stream.size(); off += 1000) {
        EXPECT_FALSE(s.feed(std::span<const std::uint8_t>(stream).subspan(off, std::min<std::size_t>(1000, stream.size() - off))));
        for (;;) {
            auto m = s.pop();
            ASSERT_TRUE(m);
            if (!m->has_value()) {
                break;
            }
            EXPECT_EQ((*m)->type, codec::handshake_type::server_hello_done);
            ++popped;
        }
    }
    EXPECT_EQ(popped, 3000u);
    EXPECT_EQ(s.buffered(), 0u);
}

TEST(tls_codec_enums, names) {
    EXPECT_EQ(codec::name(codec::cipher_suite::tls_aes_128_gcm_sha256), "TLS_AES_128_GCM_SHA256");
    EXPECT_EQ(codec::name(codec::named_group::x25519), "x25519");
    EXPECT_EQ(codec::name(static_cast<codec::named_group>(0x1234)), "unknown");
    EXPECT_EQ(codec::name(codec::signature_scheme::rsa_pss_rsae_sha256), "rsa_pss_rsae_sha256");
    EXPECT_EQ(codec::name(codec::extension_type::key_share), "key_share");
    EXPECT_EQ(codec::name(codec::handshake_type::message_hash), "message_hash");
    EXPECT_EQ(codec::name(codec::protocol_version::tls13), "TLSv1.3");
    EXPECT_TRUE(codec::is_tls13_suite(codec::cipher_suite::tls_chacha20_poly1305_sha256));
    EXPECT_FALSE(codec::is_tls13_suite(codec::cipher_suite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256));
}
