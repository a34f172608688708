// TLS extension codecs: every typed extension round-trips in each message it may appear in,
// the RFC 8446 4.2 placement table is enforced, and malformed bodies yield the right alert.
#include "tls/codec/extensions.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace codec = awsio::tls::codec;
namespace ext = awsio::tls::codec::ext;
using awsio::tls::errc;
using codec::message_context;
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

bytes encode_list(const codec::extension_list &l) {
    bytes out;
    codec::writer w(out);
    codec::encode(w, l);
    EXPECT_TRUE(w.ok());
    return out;
}

awsio::result<codec::extension_list> decode_block(const bytes &block, message_context ctx) {
    codec::reader r(block);
    auto l = codec::decode_extensions(r, ctx);
    if (l && !r.empty()) {
        return errc::decode_error;
    }
    return l;
}

// A block holding one extension of `type` with body `body_hex`.
bytes one(std::uint16_t type, std::string_view body_hex) {
    const bytes body = hex(body_hex);
    bytes out;
    codec::writer w(out);
    auto block = w.scope16();
    w.u16(type);
    w.vec16(body);
    return out;
}

std::error_code decode_one(std::uint16_t type, std::string_view body_hex, message_context ctx) {
    auto r = decode_block(one(type, body_hex), ctx);
    return r ? std::error_code() : r.error();
}

void expect_round_trip(const codec::extension &e, message_context ctx) {
    codec::extension_list l;
    l.entries.push_back(e);
    const bytes wire = encode_list(l);
    auto back = decode_block(wire, ctx);
    ASSERT_TRUE(back.has_value()) << codec::name(codec::type_of(e)) << ": " << back.error().message();
    ASSERT_EQ(back->size(), 1u);
    EXPECT_TRUE(back->entries[0] == e) << codec::name(codec::type_of(e));
    EXPECT_EQ(encode_list(*back), wire);
}

} // namespace

TEST(tls_codec_extensions, round_trip_client_hello_forms) {
    const message_context ch = message_context::client_hello;
    expect_round_trip(ext::server_name{"a.example"}, ch);
    expect_round_trip(ext::supported_versions_client{{codec::protocol_version::tls13}}, ch);
    expect_round_trip(ext::supported_groups{{codec::named_group::x25519, static_cast<codec::named_group>(0x6399)}}, ch);
    expect_round_trip(ext::key_share_client{}, ch); // empty list: asks for a HelloRetryRequest
    expect_round_trip(ext::key_share_client{{{codec::named_group::x25519, bytes(32, 1)},
                                             {codec::named_group::secp256r1, bytes(65, 4)}}},
                      ch);
    expect_round_trip(ext::signature_algorithms{{codec::signature_scheme::rsa_pss_rsae_sha256}}, ch);
    expect_round_trip(ext::signature_algorithms_cert{{codec::signature_scheme::ecdsa_sha1}}, ch);
    expect_round_trip(ext::alpn{{"h2", "http/1.1", std::string(255, 'x')}}, ch);
    expect_round_trip(ext::psk_key_exchange_modes{{codec::psk_key_exchange_mode::psk_ke,
                                                   codec::psk_key_exchange_mode::psk_dhe_ke}},
                      ch);
    expect_round_trip(ext::pre_shared_key_client{{{bytes{1}, 5}, {bytes(300, 2), 0xffffffff}},
                                                 {bytes(32, 3), bytes(48, 4)}},
                      ch);
    expect_round_trip(ext::early_data{}, ch);
    expect_round_trip(ext::cookie{bytes(1000, 5)}, ch);
    expect_round_trip(ext::record_size_limit{16385}, ch);
    expect_round_trip(ext::status_request{hex("01 0000 0000")}, ch);
    expect_round_trip(ext::status_request{hex("01 0004 0002 aabb 0003 010203")}, ch);
    expect_round_trip(ext::padding{0}, ch);
    expect_round_trip(ext::padding{200}, ch);
    expect_round_trip(ext::extended_master_secret{}, ch);
    expect_round_trip(ext::renegotiation_info{}, ch);
    expect_round_trip(ext::session_ticket{bytes(77, 6)}, ch);
    expect_round_trip(ext::session_ticket{}, ch);
    expect_round_trip(ext::ec_point_formats{{codec::ec_point_format::ansix962_compressed_prime,
                                             codec::ec_point_format::uncompressed}},
                      ch);
    expect_round_trip(ext::raw{static_cast<codec::extension_type>(0x0a0a), {}}, ch); // GREASE
    expect_round_trip(ext::raw{codec::extension_type::post_handshake_auth, {}}, ch);
}

TEST(tls_codec_extensions, round_trip_server_forms) {
    expect_round_trip(ext::supported_versions_server{codec::protocol_version::tls13}, message_context::server_hello);
    expect_round_trip(ext::supported_versions_server{codec::protocol_version::tls13},
                      message_context::hello_retry_request);
    expect_round_trip(ext::key_share_server{{codec::named_group::x25519, bytes(32, 9)}}, message_context::server_hello);
    expect_round_trip(ext::key_share_hrr{codec::named_group::secp384r1}, message_context::hello_retry_request);
    expect_round_trip(ext::pre_shared_key_server{3}, message_context::server_hello);
    expect_round_trip(ext::cookie{bytes{1}}, message_context::hello_retry_request);
    expect_round_trip(ext::server_name{}, message_context::encrypted_extensions);
    expect_round_trip(ext::alpn{{"h2"}}, message_context::encrypted_extensions);
    expect_round_trip(ext::early_data{}, message_context::encrypted_extensions);
    expect_round_trip(ext::supported_groups{{codec::named_group::secp256r1}}, message_context::encrypted_extensions);
    expect_round_trip(ext::record_size_limit{64}, message_context::encrypted_extensions);
    expect_round_trip(ext::early_data_ticket{0xffffffff}, message_context::new_session_ticket);
    expect_round_trip(ext::status_request{hex("01 000002 3000")}, message_context::certificate);
    expect_round_trip(ext::signature_algorithms{{codec::signature_scheme::ed448}}, message_context::certificate_request);
    expect_round_trip(ext::status_request{}, message_context::tls12_server_hello);
    expect_round_trip(ext::renegotiation_info{bytes(24, 7)}, message_context::tls12_server_hello);
    expect_round_trip(ext::session_ticket{}, message_context::tls12_server_hello);
    expect_round_trip(ext::ec_point_formats{}, message_context::tls12_server_hello);
    expect_round_trip(ext::extended_master_secret{}, message_context::tls12_server_hello);
    expect_round_trip(ext::alpn{{"http/1.1"}}, message_context::tls12_server_hello);
    expect_round_trip(ext::raw{static_cast<codec::extension_type>(0xfe0d), bytes{1, 2}},
                      message_context::encrypted_extensions);
}

TEST(tls_codec_extensions, list_keeps_wire_order_and_lookup) {
    codec::extension_list l;
    l.add(ext::supported_versions_client{{codec::protocol_version::tls13}});
    l.add(ext::raw{static_cast<codec::extension_type>(0x1a1a), bytes{0}});
    l.add(ext::server_name{"h"});
    auto back = decode_block(encode_list(l), message_context::client_hello);
    ASSERT_TRUE(back);
    ASSERT_EQ(back->size(), 3u);
    EXPECT_EQ(codec::type_of(back->entries[0]), codec::extension_type::supported_versions);
    EXPECT_EQ(static_cast<std::uint16_t>(codec::type_of(back->entries[1])), 0x1a1a);
    EXPECT_EQ(codec::type_of(back->entries[2]), codec::extension_type::server_name);
    EXPECT_TRUE(back->contains(codec::extension_type::server_name));
    EXPECT_FALSE(back->contains(codec::extension_type::key_share));
    EXPECT_EQ(back->get<ext::key_share_client>(), nullptr);
    EXPECT_EQ(back->get<ext::server_name>()->host_name, "h");
}

TEST(tls_codec_extensions, duplicates_are_illegal_parameter) {
    bytes block = hex("0008 0017 0000 0017 0000");
    EXPECT_EQ(decode_block(block, message_context::client_hello).error(), errc::illegal_parameter);
    // Unknown types are checked too.
    block = hex("000a 1234 0001 00 1234 0001 01");
    EXPECT_EQ(decode_block(block, message_context::encrypted_extensions).error(), errc::illegal_parameter);
    // Different forms of one type still count as the same type.
    block = hex("000c 002b 0002 0304 002b 0002 0304");
    EXPECT_EQ(decode_block(block, message_context::server_hello).error(), errc::illegal_parameter);
    // A duplicate is reported even when its second copy is malformed.
    block = hex("000a 002b 0002 0304 002b 0000");
    EXPECT_EQ(decode_block(block, message_context::server_hello).error(), errc::illegal_parameter);
    block = hex("000c 002b 0002 0304 0017 0000 002b 0002 0304");
    EXPECT_EQ(decode_block(block, message_context::tls12_server_hello).error(), errc::illegal_parameter);
}

TEST(tls_codec_extensions, placement_table) {
    using et = codec::extension_type;
    // A few rows of RFC 8446 4.2.
    EXPECT_TRUE(codec::extension_allowed(et::key_share, message_context::hello_retry_request));
    EXPECT_FALSE(codec::extension_allowed(et::key_share, message_context::encrypted_extensions));
    EXPECT_TRUE(codec::extension_allowed(et::status_request, message_context::certificate));
    EXPECT_FALSE(codec::extension_allowed(et::status_request, message_context::encrypted_extensions));
    EXPECT_TRUE(codec::extension_allowed(et::early_data, message_context::new_session_ticket));
    EXPECT_FALSE(codec::extension_allowed(et::early_data, message_context::server_hello));
    EXPECT_TRUE(codec::extension_allowed(et::oid_filters, message_context::certificate_request));
    EXPECT_FALSE(codec::extension_allowed(et::oid_filters, message_context::client_hello));
    EXPECT_FALSE(codec::extension_allowed(et::padding, message_context::encrypted_extensions));
    EXPECT_FALSE(codec::extension_allowed(et::cookie, message_context::server_hello));
    // TLS 1.2-only extensions stay out of TLS 1.3 server messages.
    EXPECT_TRUE(codec::extension_allowed(et::extended_master_secret, message_context::tls12_server_hello));
    EXPECT_FALSE(codec::extension_allowed(et::extended_master_secret, message_context::encrypted_extensions));
    EXPECT_FALSE(codec::extension_allowed(et::renegotiation_info, message_context::server_hello));
    // ... and TLS 1.3-only ones out of the TLS 1.2 ServerHello.
    EXPECT_FALSE(codec::extension_allowed(et::pre_shared_key, message_context::tls12_server_hello));
    EXPECT_FALSE(codec::extension_allowed(et::supported_versions, message_context::tls12_server_hello));
    // Unknown types are never rejected for placement.
    EXPECT_TRUE(codec::extension_allowed(static_cast<et>(0x4444), message_context::certificate));
    EXPECT_FALSE(codec::is_recognized_extension(static_cast<et>(0x4444)));

    EXPECT_EQ(decode_one(51, "0017", message_context::encrypted_extensions), errc::illegal_parameter);
    EXPECT_EQ(decode_one(23, "", message_context::encrypted_extensions), errc::illegal_parameter);
    EXPECT_EQ(decode_one(21, "00", message_context::server_hello), errc::illegal_parameter);
    EXPECT_EQ(decode_one(44, "000101", message_context::server_hello), errc::illegal_parameter);
    EXPECT_EQ(decode_one(42, "", message_context::certificate), errc::illegal_parameter);
    EXPECT_EQ(decode_one(13, "00020403", message_context::encrypted_extensions), errc::illegal_parameter);
    EXPECT_FALSE(decode_one(0x4444, "ff", message_context::certificate));
}

// RFC 8446 4.4.2.1: a server asking for the client's OCSP response sends an empty
// status_request in its CertificateRequest; a non-empty one is still parsed strictly.
TEST(tls_codec_extensions, empty_status_request_in_certificate_request) {
    EXPECT_FALSE(decode_one(5, "", message_context::certificate_request));
    EXPECT_FALSE(decode_one(5, "01 0000 0000", message_context::certificate_request));
    EXPECT_TRUE(decode_one(5, "01 00", message_context::certificate_request));
    EXPECT_TRUE(decode_one(5, "", message_context::client_hello));
}

TEST(tls_codec_extensions, pre_shared_key_must_be_last_in_client_hello) {
    const std::string_view psk = "0029 002f 000a 0004 01020304 00000000 0021 20"
                                 "0000000000000000000000000000000000000000000000000000000000000000";
    bytes psk_ext = hex(psk);
    bytes tail = hex("0017 0000");
    bytes body = psk_ext;
    body.insert(body.end(), tail.begin(), tail.end());
    bytes block = {static_cast<std::uint8_t>(body.size() >> 8), static_cast<std::uint8_t>(body.size())};
    block.insert(block.end(), body.begin(), body.end());
    EXPECT_EQ(decode_block(block, message_context::client_hello).error(), errc::illegal_parameter);

    // pre_shared_key in a ServerHello may be anywhere (it is not a list with binders there).
    EXPECT_FALSE(decode_one(41, "0000", message_context::server_hello));
    auto sh = decode_block(hex("000c 0029 0002 0001 002b 0002 0304"), message_context::server_hello);
    ASSERT_TRUE(sh);
    EXPECT_EQ(sh->get<ext::pre_shared_key_server>()->selected_identity, 1);
}

TEST(tls_codec_extensions, pre_shared_key_syntax) {
    const message_context ch = message_context::client_hello;
    const std::string binder32 = "20" + std::string(64, '0');
    // Identities list shorter than one minimal identity.
    EXPECT_EQ(decode_one(41, "0000 0021 " + binder32, ch), errc::decode_error);
    // Empty identity.
    EXPECT_EQ(decode_one(41, "0007 0000 00000000 00 0021 " + binder32, ch), errc::decode_error);
    // Binder of 31 bytes.
    EXPECT_EQ(decode_one(41, "000a 0004 01020304 00000000 0020 1f" + std::string(62, '0'), ch), errc::decode_error);
    // Two identities, one binder.
    EXPECT_EQ(decode_one(41, "0012 0004 01020304 00000000 0002 0102 00000000 0021 " + binder32, ch),
              errc::illegal_parameter);
    // Trailing bytes after the binders.
    EXPECT_EQ(decode_one(41, "000a 0004 01020304 00000000 0021 " + binder32 + "00", ch), errc::decode_error);
}

TEST(tls_codec_extensions, server_name_rules) {
    const message_context ch = message_context::client_hello;
    EXPECT_FALSE(decode_one(0, "0009 00 0006 736572766572", ch));
    EXPECT_EQ(decode_one(0, "0000", ch), errc::decode_error);                                  // empty list
    EXPECT_EQ(decode_one(0, "", ch), errc::decode_error);                                      // no list
    EXPECT_EQ(decode_one(0, "0003 00 0000", ch), errc::decode_error);                           // empty name
    EXPECT_EQ(decode_one(0, "0009 00 0001 61 00 0002 6262", ch), errc::illegal_parameter);      // two host names
    EXPECT_EQ(decode_one(0, "0004 01 0001 61", ch), errc::illegal_parameter);                   // unknown name type
    EXPECT_EQ(decode_one(0, "0005 00 0002 6100", ch), errc::illegal_parameter);                 // NUL in the name
    EXPECT_EQ(decode_one(0, "0009 00 0007 736572766572", ch), errc::decode_error);              // name overruns
    // A server's acknowledgement is empty.
    EXPECT_FALSE(decode_one(0, "", message_context::encrypted_extensions));
    EXPECT_EQ(decode_one(0, "00", message_context::encrypted_extensions), errc::decode_error);
}

TEST(tls_codec_extensions, supported_versions_rules) {
    EXPECT_EQ(decode_one(43, "00", message_context::client_hello), errc::decode_error);
    EXPECT_EQ(decode_one(43, "03 0304 03", message_context::client_hello), errc::decode_error);
    EXPECT_EQ(decode_one(43, "04 0304", message_context::client_hello), errc::decode_error);
    EXPECT_EQ(decode_one(43, "03", message_context::server_hello), errc::decode_error);
    EXPECT_EQ(decode_one(43, "030400", message_context::hello_retry_request), errc::decode_error);
}

TEST(tls_codec_extensions, list_extensions_reject_empty_and_odd) {
    const message_context ch = message_context::client_hello;
    EXPECT_EQ(decode_one(10, "0000", ch), errc::decode_error);       // supported_groups empty
    EXPECT_EQ(decode_one(10, "0003 001d00", ch), errc::decode_error);
    EXPECT_EQ(decode_one(13, "0000", ch), errc::decode_error);       // signature_algorithms empty
    EXPECT_EQ(decode_one(50, "0000", ch), errc::decode_error);       // signature_algorithms_cert empty
    EXPECT_EQ(decode_one(13, "0001 04", ch), errc::decode_error);
    EXPECT_EQ(decode_one(45, "00", ch), errc::decode_error);         // psk_key_exchange_modes empty
    EXPECT_EQ(decode_one(44, "0000", ch), errc::decode_error);       // cookie empty
    EXPECT_EQ(decode_one(11, "00", ch), errc::decode_error);         // ec_point_formats empty
    EXPECT_EQ(decode_one(16, "0000", ch), errc::decode_error);       // ALPN list empty
    EXPECT_EQ(decode_one(16, "0001 00", ch), errc::decode_error);    // ALPN empty name
    EXPECT_EQ(decode_one(16, "0003 03 6832", ch), errc::decode_error);
}

TEST(tls_codec_extensions, key_share_rules) {
    const message_context ch = message_context::client_hello;
    EXPECT_FALSE(decode_one(51, "0000", ch));                                           // empty list is legal
    EXPECT_EQ(decode_one(51, "0004 001d 0000", ch), errc::decode_error);                // empty key
    EXPECT_EQ(decode_one(51, "000a 001d 0001 01 001d 0001 02", ch), errc::illegal_parameter); // same group twice
    EXPECT_EQ(decode_one(51, "0005 001d 0002 01", ch), errc::decode_error);
    EXPECT_EQ(decode_one(51, "001d 0000", message_context::server_hello), errc::decode_error);
    EXPECT_EQ(decode_one(51, "001d 0001 01 00", message_context::server_hello), errc::decode_error);
    EXPECT_EQ(decode_one(51, "001d00", message_context::hello_retry_request), errc::decode_error);
}

TEST(tls_codec_extensions, alpn_server_selects_exactly_one) {
    EXPECT_FALSE(decode_one(16, "0003 02 6832", message_context::encrypted_extensions));
    EXPECT_EQ(decode_one(16, "0006 02 6832 02 6833", message_context::encrypted_extensions), errc::illegal_parameter);
    EXPECT_EQ(decode_one(16, "0006 02 6832 02 6833", message_context::tls12_server_hello), errc::illegal_parameter);
    EXPECT_FALSE(decode_one(16, "0006 02 6832 02 6833", message_context::client_hello));
}

TEST(tls_codec_extensions, record_size_limit_rules) {
    EXPECT_EQ(decode_one(28, "003f", message_context::client_hello), errc::illegal_parameter);
    EXPECT_EQ(decode_one(28, "0000", message_context::encrypted_extensions), errc::illegal_parameter);
    EXPECT_FALSE(decode_one(28, "0040", message_context::encrypted_extensions));
    EXPECT_FALSE(decode_one(28, "ffff", message_context::encrypted_extensions));
    EXPECT_EQ(decode_one(28, "40", message_context::client_hello), errc::decode_error);
    EXPECT_EQ(decode_one(28, "400100", message_context::client_hello), errc::decode_error);
}

TEST(tls_codec_extensions, empty_extensions_must_be_empty) {
    EXPECT_EQ(decode_one(23, "00", message_context::client_hello), errc::decode_error);   // extended_master_secret
    EXPECT_EQ(decode_one(42, "00", message_context::client_hello), errc::decode_error);   // early_data in CH
    EXPECT_EQ(decode_one(42, "", message_context::new_session_ticket), errc::decode_error);
    EXPECT_EQ(decode_one(42, "0000000000", message_context::new_session_ticket), errc::decode_error);
    EXPECT_EQ(decode_one(5, "00", message_context::tls12_server_hello), errc::decode_error);
}

TEST(tls_codec_extensions, one_byte_extensions) {
    EXPECT_EQ(decode_one(21, "0000 01", message_context::client_hello), errc::illegal_parameter); // padding not zero
    EXPECT_FALSE(decode_one(21, "000000", message_context::client_hello));
    EXPECT_EQ(decode_one(11, "01 01", message_context::client_hello), errc::illegal_parameter); // no uncompressed
    EXPECT_FALSE(decode_one(11, "02 0100", message_context::tls12_server_hello));
    EXPECT_EQ(decode_one(0xff01, "", message_context::client_hello), errc::decode_error);      // missing u8 length
    EXPECT_EQ(decode_one(0xff01, "02 00", message_context::client_hello), errc::decode_error);
    EXPECT_FALSE(decode_one(0xff01, "00", message_context::client_hello));
}

TEST(tls_codec_extensions, status_request_forms) {
    EXPECT_EQ(decode_one(5, "", message_context::client_hello), errc::decode_error);
    EXPECT_EQ(decode_one(5, "01 0000", message_context::client_hello), errc::decode_error);
    EXPECT_EQ(decode_one(5, "01 0002 0000 0000", message_context::client_hello), errc::decode_error); // empty id
    EXPECT_FALSE(decode_one(5, "02 abcdef", message_context::client_hello));                          // other type: opaque
    EXPECT_EQ(decode_one(5, "01 000000", message_context::certificate), errc::decode_error);         // empty response
    EXPECT_EQ(decode_one(5, "02 000001 00", message_context::certificate), errc::illegal_parameter);
}

TEST(tls_codec_extensions, malformed_blocks) {
    // Block length longer than the data.
    EXPECT_EQ(decode_block(hex("0005 0017 0000"), message_context::client_hello).error(), errc::decode_error);
    // Extension length longer than the block.
    EXPECT_EQ(decode_block(hex("0004 0017 0001"), message_context::client_hello).error(), errc::decode_error);
    // A dangling partial header inside the block.
    EXPECT_EQ(decode_block(hex("0005 0017 0000 00"), message_context::client_hello).error(), errc::decode_error);
    // Below the caller's minimum block length.
    bytes two = hex("0000");
    codec::reader r(two);
    EXPECT_EQ(codec::decode_extensions(r, message_context::certificate_request, 2).error(), errc::decode_error);
}

TEST(tls_codec_extensions, binders_wire_length) {
    ext::pre_shared_key_client psk{{{bytes{1}, 0}, {bytes{2}, 0}}, {bytes(32, 0), bytes(48, 0)}};
    EXPECT_EQ(psk.binders_wire_length(), 2u + 33 + 49);
}
