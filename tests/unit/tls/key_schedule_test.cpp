// Key schedule tests: the RFC 8448 section 3 "Simple 1-RTT Handshake" secrets, keys, IVs and
// Finished values; the section 4 "Resumed 0-RTT Handshake" PSK binder; the transcript hash
// (buffering, cloning, HelloRetryRequest rewrite); TLS 1.2 master secret / extended master
// secret / key block / Finished against independently computed values.
#include "crypto/provider.hpp"
#include "tls/codec/tls_error.hpp"
#include "tls/key_schedule/tls12_keys.hpp"
#include "tls/key_schedule/tls13_key_schedule.hpp"
#include "tls/key_schedule/transcript_hash.hpp"
#include "unit/crypto/test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::tls;
using awsio::crypto::hash_algorithm;
using awsio::crypto::openssl_provider;
using awsio::crypto::test::hex;
using awsio::crypto::test::unhex;

namespace {

// ---- RFC 8448 section 3 -------------------------------------------------------------------

const char *const rfc8448_client_hello =
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302"
    "010000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103"
    "010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529a"
    "af2c002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d"
    "00020101001c00024001";
const char *const rfc8448_server_hello =
    "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e0033"
    "0024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";
// EncryptedExtensions, Certificate, CertificateVerify (the server Finished follows separately).
const char *const rfc8448_server_flight_before_finished =
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
    "459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3";
const char *const rfc8448_server_finished =
    "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";
const char *const rfc8448_client_finished =
    "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";

const char *const rfc8448_ecdhe = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";

// ---- RFC 8448 section 4 -------------------------------------------------------------------

// The resumed ClientHello, binders included (512 bytes).
const char *const rfc8448_resumed_client_hello =
    "010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876487d95000006130113031302"
    "010001cd0000000b0009000006736572766572ff01000100000a00140012001d00170018001901000101010201030104"
    "003300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe051a66b4f18d668f0b002a0000002b"
    "0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d0002010100"
    "1c00024001001500570000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00002900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883"
    "c9367c09a2be785abc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d4"
    "54a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9"
    "fbf297b5aea617646fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb00"
    "21203add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d";

std::string hex_of(const crypto::secret_buffer &s) { return hex(s.view()); }
std::string hex_of(const crypto::digest &d) { return hex(d.view()); }

crypto::provider &prov() { return openssl_provider(); }

// Runs the section 3 handshake schedule up to the master secret; used by several tests.
struct rfc8448_run {
    transcript_hash transcript{prov()};
    std::vector<std::uint8_t> ch = unhex(rfc8448_client_hello);
    std::vector<std::uint8_t> sh = unhex(rfc8448_server_hello);
    std::vector<std::uint8_t> flight = unhex(rfc8448_server_flight_before_finished);
    std::vector<std::uint8_t> sfin = unhex(rfc8448_server_finished);
    std::vector<std::uint8_t> cfin = unhex(rfc8448_client_finished);
};

} // namespace

TEST(tls13_key_schedule, hkdf_expand_label_encodes_the_label) {
    // HKDF-Expand-Label built by hand: uint16 length || "tls13 " + label (length-prefixed) ||
    // context (length-prefixed), through the provider's plain HKDF-Expand.
    const auto secret = unhex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
    std::vector<std::uint8_t> info = {0x00, 0x20, 17};
    for (char c : std::string("tls13 traffic upd")) {
        info.push_back(static_cast<std::uint8_t>(c));
    }
    info.push_back(0);
    std::vector<std::uint8_t> expected(32);
    ASSERT_TRUE(prov().hkdf_expand(hash_algorithm::sha256, secret, info, expected));
    auto next = next_application_traffic_secret(prov(), hash_algorithm::sha256, secret);
    ASSERT_TRUE(next);
    EXPECT_EQ(hex(next->view()), hex(expected));

    // Out-of-range label or context: internal_error, not a silent truncation.
    std::vector<std::uint8_t> out(16);
    const std::string long_label(250, 'x');
    EXPECT_EQ(hkdf_expand_label(prov(), hash_algorithm::sha256, secret, long_label, {}, out).error(),
              make_error_code(errc::internal_error));
    const std::vector<std::uint8_t> long_context(256, 1);
    EXPECT_EQ(hkdf_expand_label(prov(), hash_algorithm::sha256, secret, "key", long_context, out).error(),
              make_error_code(errc::internal_error));
}

TEST(tls13_key_schedule, rfc8448_simple_1rtt_handshake) {
    rfc8448_run run;
    // The client does not know the suite while it writes the ClientHello: the transcript buffers.
    run.transcript.update(run.ch);
    EXPECT_FALSE(run.transcript.has_algorithm());
    EXPECT_FALSE(run.transcript.current());
    ASSERT_TRUE(run.transcript.set_algorithm(hash_algorithm::sha256));
    run.transcript.update(run.sh);
    auto hello_hash = run.transcript.current();
    ASSERT_TRUE(hello_hash);
    EXPECT_EQ(hex_of(*hello_hash), "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8");

    auto early = tls13_early_secret::create(prov(), hash_algorithm::sha256);
    ASSERT_TRUE(early);
    EXPECT_EQ(hex(early->secret()), "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a");

    auto hs = std::move(*early).into_handshake_secret(unhex(rfc8448_ecdhe));
    ASSERT_TRUE(hs);
    EXPECT_EQ(hex(hs->secret()), "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac");

    auto hs_traffic = hs->handshake_traffic_secrets(hello_hash->view());
    ASSERT_TRUE(hs_traffic);
    EXPECT_EQ(hex_of(hs_traffic->client), "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21");
    EXPECT_EQ(hex_of(hs_traffic->server), "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");

    auto server_keys = derive_traffic_keys(prov(), hash_algorithm::sha256, crypto::aead_algorithm::aes_128_gcm,
                                           hs_traffic->server.view());
    ASSERT_TRUE(server_keys);
    EXPECT_EQ(hex_of(server_keys->key), "3fce516009c21727d0f2e4e86ee403bc");
    EXPECT_EQ(hex_of(server_keys->iv), "5d313eb2671276ee13000b30");
    auto client_keys = derive_traffic_keys(prov(), hash_algorithm::sha256, crypto::aead_algorithm::aes_128_gcm,
                                           hs_traffic->client.view());
    ASSERT_TRUE(client_keys);
    EXPECT_EQ(hex_of(client_keys->key), "dbfaa693d1762c5b666af5d950258d01");
    EXPECT_EQ(hex_of(client_keys->iv), "5bd3c71b836e0b76bb73265f");

    // Server Finished over ClientHello..CertificateVerify.
    run.transcript.update(run.flight);
    auto cv_hash = run.transcript.current();
    ASSERT_TRUE(cv_hash);
    auto server_finished_key = finished_key(prov(), hash_algorithm::sha256, hs_traffic->server.view());
    ASSERT_TRUE(server_finished_key);
    EXPECT_EQ(hex_of(*server_finished_key), "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8");
    auto server_verify = finished_verify_data(prov(), hash_algorithm::sha256, hs_traffic->server.view(), cv_hash->view());
    ASSERT_TRUE(server_verify);
    EXPECT_EQ("14000020" + hex_of(*server_verify), rfc8448_server_finished);
    EXPECT_TRUE(verify_data_matches(*server_verify, std::span(run.sfin).subspan(4)));
    auto tampered = run.sfin;
    tampered.back() ^= 1;
    EXPECT_FALSE(verify_data_matches(*server_verify, std::span(tampered).subspan(4)));

    // Master secret and the application secrets over ClientHello..server Finished.
    run.transcript.update(run.sfin);
    auto sf_hash = run.transcript.current();
    ASSERT_TRUE(sf_hash);
    EXPECT_EQ(hex_of(*sf_hash), "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13");

    auto master = std::move(*hs).into_master_secret();
    ASSERT_TRUE(master);
    EXPECT_EQ(hex(master->secret()), "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919");
    auto app = master->application_secrets(sf_hash->view());
    ASSERT_TRUE(app);
    EXPECT_EQ(hex_of(app->client), "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
    EXPECT_EQ(hex_of(app->server), "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
    EXPECT_EQ(hex_of(app->exporter), "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50");

    auto client_app_keys = derive_traffic_keys(prov(), hash_algorithm::sha256, crypto::aead_algorithm::aes_128_gcm,
                                               app->client.view());
    ASSERT_TRUE(client_app_keys);
    EXPECT_EQ(hex_of(client_app_keys->key), "17422dda596ed5d9acd890e3c63f5051");
    EXPECT_EQ(hex_of(client_app_keys->iv), "5b78923dee08579033e523d9");
    auto server_app_keys = derive_traffic_keys(prov(), hash_algorithm::sha256, crypto::aead_algorithm::aes_128_gcm,
                                               app->server.view());
    ASSERT_TRUE(server_app_keys);
    EXPECT_EQ(hex_of(server_app_keys->key), "9f02283b6c9c07efc26bb9f2ac92e356");
    EXPECT_EQ(hex_of(server_app_keys->iv), "cf782b88dd83549aadf1e984");

    // Client Finished over ClientHello..server Finished.
    auto client_finished_key = finished_key(prov(), hash_algorithm::sha256, hs_traffic->client.view());
    ASSERT_TRUE(client_finished_key);
    EXPECT_EQ(hex_of(*client_finished_key), "b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4");
    auto client_verify = finished_verify_data(prov(), hash_algorithm::sha256, hs_traffic->client.view(), sf_hash->view());
    ASSERT_TRUE(client_verify);
    EXPECT_EQ("14000020" + hex_of(*client_verify), rfc8448_client_finished);

    // Resumption master secret over ClientHello..client Finished, and the ticket PSK.
    run.transcript.update(run.cfin);
    auto cf_hash = run.transcript.current();
    ASSERT_TRUE(cf_hash);
    EXPECT_EQ(hex_of(*cf_hash), "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d");
    auto res = master->resumption_master_secret(cf_hash->view());
    ASSERT_TRUE(res);
    EXPECT_EQ(hex_of(*res), "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c");
    auto psk = resumption_psk(prov(), hash_algorithm::sha256, res->view(), unhex("0000"));
    ASSERT_TRUE(psk);
    EXPECT_EQ(hex_of(*psk), "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");
}

TEST(tls13_key_schedule, rfc8448_resumed_0rtt_binder) {
    const auto psk = unhex("4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");
    auto early = tls13_early_secret::create(prov(), hash_algorithm::sha256, psk);
    ASSERT_TRUE(early);
    EXPECT_EQ(hex(early->secret()), "9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c");

    auto key = early->binder_key(psk_binder_kind::resumption);
    ASSERT_TRUE(key);
    EXPECT_EQ(hex_of(*key), "69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256");
    auto fk = finished_key(prov(), hash_algorithm::sha256, key->view());
    ASSERT_TRUE(fk);
    EXPECT_EQ(hex_of(*fk), "5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa");

    // The binder covers the ClientHello up to (not including) the binders list: the 512-byte
    // message minus 2 + 33 bytes.
    const auto ch = unhex(rfc8448_resumed_client_hello);
    ASSERT_EQ(ch.size(), 512u);
    const auto truncated = std::span(ch).first(ch.size() - 35);
    auto transcript = transcript_hash::create(prov(), hash_algorithm::sha256);
    ASSERT_TRUE(transcript);
    auto binder_hash = transcript->current_with(truncated);
    ASSERT_TRUE(binder_hash);
    EXPECT_EQ(hex_of(*binder_hash), "63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14");
    // current_with() does not add the bytes.
    auto still_empty = transcript->current();
    ASSERT_TRUE(still_empty);
    EXPECT_EQ(hex_of(*still_empty), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    auto binder = early->binder(psk_binder_kind::resumption, binder_hash->view());
    ASSERT_TRUE(binder);
    EXPECT_EQ(hex_of(*binder), hex(std::span(ch).last(32)));
    EXPECT_EQ(hex_of(*binder), "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d");

    // The external binder label gives a different key.
    auto ext = early->binder_key(psk_binder_kind::external);
    ASSERT_TRUE(ext);
    EXPECT_NE(hex_of(*ext), hex_of(*key));

    // Early traffic and early exporter secrets are derivable and distinct.
    auto ch_hash = prov().hash(hash_algorithm::sha256, ch);
    ASSERT_TRUE(ch_hash);
    auto cet = early->client_early_traffic_secret(ch_hash->view());
    auto eem = early->early_exporter_master_secret(ch_hash->view());
    ASSERT_TRUE(cet && eem);
    EXPECT_EQ(cet->size(), 32u);
    EXPECT_NE(hex_of(*cet), hex_of(*eem));
}

TEST(tls13_key_schedule, rfc8448_resumed_0rtt_whole_schedule) {
    // Section 4 end to end on the trace's own transcript (ClientHello with the ticket,
    // ServerHello, EncryptedExtensions accepting early data, server Finished, EndOfEarlyData,
    // client Finished): every secret, key and Finished value of the trace.
    const auto ch = unhex(rfc8448_resumed_client_hello);
    const auto sh = unhex("0200005c03033ccfd2dec890222763472ae8136777c9d7358777bb66e91ea5122495f559ea2d001301000034002900"
                          "02000000330024001d0020121761ee42c333e1b9e77b60dd57c2053cd94512ab47f115e86eff50942cea31002b00020304");
    const auto ee = unhex("080000280026000a00140012001d00170018001901000101010201030104001c0002400100000000002a0000");
    const auto sfin = unhex("1400002048d3e0e1b3d907c6acff145e16090388c77b05c050b634ab1a88bbd0dd1a34b2");
    const auto eoed = unhex("05000000");
    const auto cfin = unhex("140000207230a9c952c25cd6138fc5e6628308c41c5335dd81b9f96bcea50fd32bda416d");
    const auto psk = unhex("4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");
    const auto ecdhe = unhex("f44194756ff9ec9d25180635d66ea6824c6ab3bf179977be37f723570e7ccb2e");
    const auto aes128 = crypto::aead_algorithm::aes_128_gcm;

    auto transcript = transcript_hash::create(prov(), hash_algorithm::sha256);
    ASSERT_TRUE(transcript);
    transcript->update(ch);
    auto ch_hash = transcript->current();
    ASSERT_TRUE(ch_hash);
    auto early = tls13_early_secret::create(prov(), hash_algorithm::sha256, psk);
    ASSERT_TRUE(early);
    auto cet = early->client_early_traffic_secret(ch_hash->view());
    auto eem = early->early_exporter_master_secret(ch_hash->view());
    ASSERT_TRUE(cet && eem);
    EXPECT_EQ(hex_of(*cet), "3fbbe6a60deb66c30a32795aba0eff7eaa10105586e7be5c09678d63b6caab62");
    EXPECT_EQ(hex_of(*eem), "b2026866610937d7423e5be90862ccf24c0e6091186d34f812089ff5be2ef7df");
    auto early_keys = derive_traffic_keys(prov(), hash_algorithm::sha256, aes128, cet->view());
    ASSERT_TRUE(early_keys);
    EXPECT_EQ(hex_of(early_keys->key), "920205a5b7bf2115e6fc5c2942834f54");
    EXPECT_EQ(hex_of(early_keys->iv), "6d475f0993c8e564610db2b9");

    transcript->update(sh);
    auto hello_hash = transcript->current();
    ASSERT_TRUE(hello_hash);
    auto hs = std::move(*early).into_handshake_secret(ecdhe);
    ASSERT_TRUE(hs);
    EXPECT_EQ(hex(hs->secret()), "005cb112fd8eb4ccc623bb88a07c64b3ede1605363fc7d0df8c7ce4ff0fb4ae6");
    auto hs_traffic = hs->handshake_traffic_secrets(hello_hash->view());
    ASSERT_TRUE(hs_traffic);
    EXPECT_EQ(hex_of(hs_traffic->client), "2faac08f851d35fea3604fcb4de82dc62c9b164a70974d0462e27f1ab278700f");
    EXPECT_EQ(hex_of(hs_traffic->server), "fe927ae271312e8bf0275b581c54eef020450dc4ecffaa05a1a35d27518e7803");
    auto server_hs_keys = derive_traffic_keys(prov(), hash_algorithm::sha256, aes128, hs_traffic->server.view());
    auto client_hs_keys = derive_traffic_keys(prov(), hash_algorithm::sha256, aes128, hs_traffic->client.view());
    ASSERT_TRUE(server_hs_keys && client_hs_keys);
    EXPECT_EQ(hex_of(server_hs_keys->key), "27c6bdc0a3dcea39a47326d79bc9e4ee");
    EXPECT_EQ(hex_of(server_hs_keys->iv), "9569ecdd4d0536705e9ef725");
    EXPECT_EQ(hex_of(client_hs_keys->key), "b1530806f4adfeac83f1413032bbfa82");
    EXPECT_EQ(hex_of(client_hs_keys->iv), "eb50c16be7654abf99dd06d9");

    // Server Finished over ClientHello..EncryptedExtensions (no certificate in a PSK handshake).
    transcript->update(ee);
    auto ee_hash = transcript->current();
    ASSERT_TRUE(ee_hash);
    auto server_verify = finished_verify_data(prov(), hash_algorithm::sha256, hs_traffic->server.view(), ee_hash->view());
    ASSERT_TRUE(server_verify);
    EXPECT_EQ("14000020" + hex_of(*server_verify), hex(sfin));

    transcript->update(sfin);
    auto sf_hash = transcript->current();
    ASSERT_TRUE(sf_hash);
    auto master = std::move(*hs).into_master_secret();
    ASSERT_TRUE(master);
    EXPECT_EQ(hex(master->secret()), "e2d32d4ed66dd37897a0e80c84107503ce58bf8aad4cb55a5002d77ecb890ece");
    auto app = master->application_secrets(sf_hash->view());
    ASSERT_TRUE(app);
    EXPECT_EQ(hex_of(app->client), "2abbf2b8e381d23dbebe1dd2a7d16a8bf484cb4950d23fb7fb7fa8547062d9a1");
    EXPECT_EQ(hex_of(app->server), "cc21f1bf8feb7dd5fa505bd9c4b468a9984d554a993dc49e6d285598fb672691");
    EXPECT_EQ(hex_of(app->exporter), "3fd93d4ffddc98e64b14dd107aedf8ee4add23f4510f58a4592d0b201bee56b4");
    auto server_app_keys = derive_traffic_keys(prov(), hash_algorithm::sha256, aes128, app->server.view());
    auto client_app_keys = derive_traffic_keys(prov(), hash_algorithm::sha256, aes128, app->client.view());
    ASSERT_TRUE(server_app_keys && client_app_keys);
    EXPECT_EQ(hex_of(server_app_keys->key), "e857c690a34c5a9129d833619684f95e");
    EXPECT_EQ(hex_of(server_app_keys->iv), "0685d6b561aab9ef1013faf9");
    EXPECT_EQ(hex_of(client_app_keys->key), "3cf122f301c6358ca7989553250efd72");
    EXPECT_EQ(hex_of(client_app_keys->iv), "ab1aec26aa78b8fc1176b9ac");

    // Client Finished over ClientHello..EndOfEarlyData.
    transcript->update(eoed);
    auto eoed_hash = transcript->current();
    ASSERT_TRUE(eoed_hash);
    auto client_verify =
        finished_verify_data(prov(), hash_algorithm::sha256, hs_traffic->client.view(), eoed_hash->view());
    ASSERT_TRUE(client_verify);
    EXPECT_EQ("14000020" + hex_of(*client_verify), hex(cfin));

    transcript->update(cfin);
    auto cf_hash = transcript->current();
    ASSERT_TRUE(cf_hash);
    auto res = master->resumption_master_secret(cf_hash->view());
    ASSERT_TRUE(res);
    EXPECT_EQ(hex_of(*res), "5e95bdf1f89005ea2e9aa0ba85e728e3c19c5fe0c699e3f5bee59faebd0b5406");
}

TEST(tls13_key_schedule, sha384_schedule_and_psk_ke_mode) {
    auto early = tls13_early_secret::create(prov(), hash_algorithm::sha384);
    ASSERT_TRUE(early);
    EXPECT_EQ(early->secret().size(), 48u);
    // psk_ke: no (EC)DHE input, Hash.length zeros instead.
    auto hs = std::move(*early).into_handshake_secret({});
    ASSERT_TRUE(hs);
    const std::vector<std::uint8_t> h48(48, 7);
    auto traffic = hs->handshake_traffic_secrets(h48);
    ASSERT_TRUE(traffic);
    EXPECT_EQ(traffic->client.size(), 48u);
    EXPECT_NE(hex_of(traffic->client), hex_of(traffic->server));
    // A transcript hash of the wrong length is a caller bug.
    const std::vector<std::uint8_t> h32(32, 7);
    EXPECT_EQ(hs->client_handshake_traffic_secret(h32).error(), make_error_code(errc::internal_error));

    auto master = std::move(*hs).into_master_secret();
    ASSERT_TRUE(master);
    auto keys = derive_traffic_keys(prov(), hash_algorithm::sha384, crypto::aead_algorithm::aes_256_gcm,
                                    master->secret());
    ASSERT_TRUE(keys);
    EXPECT_EQ(keys->key.size(), 32u);
    EXPECT_EQ(keys->iv.size(), 12u);

    // Only SHA-256 and SHA-384 are TLS 1.3 hashes.
    EXPECT_EQ(tls13_early_secret::create(prov(), hash_algorithm::sha1).error(), make_error_code(errc::internal_error));
}

TEST(tls13_key_schedule, key_update_and_exporter) {
    const auto secret = unhex("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
    auto s1 = next_application_traffic_secret(prov(), hash_algorithm::sha256, secret);
    ASSERT_TRUE(s1);
    auto s2 = next_application_traffic_secret(prov(), hash_algorithm::sha256, s1->view());
    ASSERT_TRUE(s2);
    EXPECT_NE(hex_of(*s1), hex(secret));
    EXPECT_NE(hex_of(*s1), hex_of(*s2));

    // TLS-Exporter by the RFC 8446 7.5 formula, written out by hand.
    const auto exp_master = unhex("fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50");
    auto empty = prov().hash(hash_algorithm::sha256, {});
    ASSERT_TRUE(empty);
    auto per_label = derive_secret(prov(), hash_algorithm::sha256, exp_master, "EXPORTER-test", empty->view());
    ASSERT_TRUE(per_label);
    const auto context = crypto::as_bytes("context");
    auto ctx_hash = prov().hash(hash_algorithm::sha256, context);
    ASSERT_TRUE(ctx_hash);
    auto expected = hkdf_expand_label(prov(), hash_algorithm::sha256, per_label->view(), "exporter", ctx_hash->view(), 40);
    ASSERT_TRUE(expected);
    auto got = export_keying_material(prov(), hash_algorithm::sha256, exp_master, "EXPORTER-test", context, 40);
    ASSERT_TRUE(got);
    EXPECT_EQ(hex_of(*got), hex_of(*expected));
    EXPECT_EQ(got->size(), 40u);
}

TEST(tls13_key_schedule, typestate_is_move_only) {
    static_assert(!std::is_copy_constructible_v<tls13_early_secret>);
    static_assert(!std::is_copy_constructible_v<tls13_handshake_secret>);
    static_assert(!std::is_copy_constructible_v<tls13_master_secret>);
    static_assert(std::is_move_constructible_v<tls13_master_secret>);
    // The stages are only reachable by consuming the previous one.
    static_assert(!std::is_constructible_v<tls13_handshake_secret, const crypto::provider &, hash_algorithm,
                                           crypto::secret_buffer>);
    auto early = tls13_early_secret::create(prov(), hash_algorithm::sha256);
    ASSERT_TRUE(early);
    tls13_early_secret moved = std::move(*early);
    EXPECT_EQ(moved.secret().size(), 32u);
    EXPECT_TRUE(early->secret().empty());
}

// ---- transcript hash ----------------------------------------------------------------------

TEST(tls_transcript_hash, clone_gives_independent_intermediate_hashes) {
    rfc8448_run run;
    auto t = transcript_hash::create(prov(), hash_algorithm::sha256);
    ASSERT_TRUE(t);
    t->update(run.ch);
    t->update(run.sh);
    auto fork = t->clone();
    ASSERT_TRUE(fork);
    t->update(run.flight);
    t->update(run.sfin);
    auto forked = fork->current();
    auto full = t->current();
    ASSERT_TRUE(forked && full);
    EXPECT_EQ(hex_of(*forked), "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8");
    EXPECT_EQ(hex_of(*full), "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13");
    // current() leaves the transcript running.
    auto again = t->current();
    ASSERT_TRUE(again);
    EXPECT_EQ(hex_of(*again), hex_of(*full));
}

TEST(tls_transcript_hash, algorithm_can_be_set_once) {
    transcript_hash t(prov());
    EXPECT_FALSE(t.algorithm().has_value());
    ASSERT_TRUE(t.set_algorithm(hash_algorithm::sha384));
    EXPECT_TRUE(t.set_algorithm(hash_algorithm::sha384));
    EXPECT_EQ(t.set_algorithm(hash_algorithm::sha256).error(), make_error_code(errc::internal_error));
    EXPECT_EQ(*t.algorithm(), hash_algorithm::sha384);
    auto d = t.current();
    ASSERT_TRUE(d);
    EXPECT_EQ(d->size(), 48u);
}

TEST(tls_transcript_hash, hello_retry_request_rewrite) {
    const auto ch1 = unhex(rfc8448_client_hello);
    const auto hrr = unhex(rfc8448_server_hello); // any message stands in for the HRR here
    // Expected: Hash(message_hash || 00 00 20 || Hash(CH1) || HRR).
    auto ch1_hash = prov().hash(hash_algorithm::sha256, ch1);
    ASSERT_TRUE(ch1_hash);
    std::vector<std::uint8_t> synthetic = {254, 0, 0, 32};
    synthetic.insert(synthetic.end(), ch1_hash->view().begin(), ch1_hash->view().end());
    std::vector<std::uint8_t> all = synthetic;
    all.insert(all.end(), hrr.begin(), hrr.end());
    auto expected = prov().hash(hash_algorithm::sha256, all);
    ASSERT_TRUE(expected);

    // Client: CH1 buffered before the suite is known, the HRR names the suite.
    transcript_hash client(prov());
    client.update(ch1);
    EXPECT_EQ(client.rewrite_for_hello_retry().error(), make_error_code(errc::internal_error));
    ASSERT_TRUE(client.set_algorithm(hash_algorithm::sha256));
    ASSERT_TRUE(client.rewrite_for_hello_retry());
    client.update(hrr);
    auto got = client.current();
    ASSERT_TRUE(got);
    EXPECT_EQ(hex_of(*got), hex_of(*expected));

    // Stateless server: restarts from the ClientHello1 hash kept in a cookie.
    auto server = transcript_hash::create(prov(), hash_algorithm::sha256);
    ASSERT_TRUE(server);
    server->update(unhex("0102030405")); // discarded by the restart
    ASSERT_TRUE(server->restart_from_message_hash(ch1_hash->view()));
    server->update(hrr);
    auto got_server = server->current();
    ASSERT_TRUE(got_server);
    EXPECT_EQ(hex_of(*got_server), hex_of(*expected));
    EXPECT_EQ(server->restart_from_message_hash(unhex("0011")).error(), make_error_code(errc::internal_error));
}

TEST(tls_transcript_hash, keeps_messages_for_tls12_certificate_verify) {
    transcript_hash t(prov());
    t.keep_messages(true);
    t.update(unhex("01000002aabb"));
    ASSERT_TRUE(t.set_algorithm(hash_algorithm::sha256));
    t.update(unhex("02000001cc"));
    EXPECT_EQ(hex(t.messages()), "01000002aabb02000001cc");
    auto d = t.current();
    auto expected = prov().hash(hash_algorithm::sha256, t.messages());
    ASSERT_TRUE(d && expected);
    EXPECT_EQ(hex_of(*d), hex_of(*expected));

    // Without keep_messages() the buffer is released once the algorithm is known.
    transcript_hash u(prov());
    u.update(unhex("01000002aabb"));
    EXPECT_EQ(u.messages().size(), 6u);
    ASSERT_TRUE(u.set_algorithm(hash_algorithm::sha256));
    u.update(unhex("02000001cc"));
    EXPECT_TRUE(u.messages().empty());
    auto du = u.current();
    ASSERT_TRUE(du);
    EXPECT_EQ(hex_of(*du), hex_of(*d));
}

// ---- TLS 1.2 ------------------------------------------------------------------------------
// Expected values computed independently (Python hmac/hashlib P_hash; the master secret also with
// `openssl kdf TLS1-PRF`) for pre_master = 48 x 0x0b, client_random = 01..20,
// server_random = 21..40.

namespace {
std::vector<std::uint8_t> range_bytes(std::uint8_t first, std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        v[i] = static_cast<std::uint8_t>(first + i);
    }
    return v;
}
} // namespace

TEST(tls12_keys, master_secret_known_answer) {
    const std::vector<std::uint8_t> pms(48, 0x0b);
    const auto cr = range_bytes(0x01, 32);
    const auto sr = range_bytes(0x21, 32);
    auto ms = tls12_master_secret(prov(), hash_algorithm::sha256, pms, cr, sr);
    ASSERT_TRUE(ms);
    EXPECT_EQ(hex_of(*ms), "62998f74907c1b70da58695a522e940c1e9f23d9e49a0d8e4b138c6df8b918130ede00198c045d440967d5324a3367f6");
    auto ms384 = tls12_master_secret(prov(), hash_algorithm::sha384, pms, cr, sr);
    ASSERT_TRUE(ms384);
    EXPECT_EQ(hex_of(*ms384), "a1df0c530df99388b690b3667f3671b143e99a0084b2d0f871c2b65dafb0991addb44984beff358a2376022fa96585e5");

    // Cross-check against the provider's PRF called directly.
    std::vector<std::uint8_t> seed = cr;
    seed.insert(seed.end(), sr.begin(), sr.end());
    std::vector<std::uint8_t> direct(48);
    ASSERT_TRUE(prov().tls12_prf(hash_algorithm::sha256, pms, crypto::as_bytes("master secret"), seed, direct));
    EXPECT_EQ(hex_of(*ms), hex(direct));

    EXPECT_EQ(tls12_master_secret(prov(), hash_algorithm::sha256, pms, range_bytes(1, 31), sr).error(),
              make_error_code(errc::internal_error));
}

TEST(tls12_keys, extended_master_secret_known_answer) {
    const std::vector<std::uint8_t> pms(48, 0x0b);
    auto session_hash = prov().hash(hash_algorithm::sha256, crypto::as_bytes("session"));
    ASSERT_TRUE(session_hash);
    EXPECT_EQ(hex_of(*session_hash), "3f3af1ecebbd1410ab417ec0d27bbfcb5d340e177ae159b59fc8626c2dfd9175");
    auto ems = tls12_extended_master_secret(prov(), hash_algorithm::sha256, pms, session_hash->view());
    ASSERT_TRUE(ems);
    EXPECT_EQ(hex_of(*ems), "69921efbda1b2bc1b8013078fdfc553e064d999818490c81d96c68dfc9adb703b59bdd3c7f70ed8db87892cddda9865d");
    // The session hash must be a digest of the PRF hash.
    EXPECT_EQ(tls12_extended_master_secret(prov(), hash_algorithm::sha384, pms, session_hash->view()).error(),
              make_error_code(errc::internal_error));
}

TEST(tls12_keys, key_block_for_each_aead) {
    const std::vector<std::uint8_t> pms(48, 0x0b);
    const auto cr = range_bytes(0x01, 32);
    const auto sr = range_bytes(0x21, 32);
    struct expectation {
        crypto::aead_algorithm aead;
        const char *block;
    };
    const expectation cases[] = {
        {crypto::aead_algorithm::aes_128_gcm,
         "2febdec3ce424f7efa31271b0a073394337f997605531a26e9ea6513ed6a82a2c17a0f473ca3bcd9"},
        {crypto::aead_algorithm::chacha20_poly1305,
         "2febdec3ce424f7efa31271b0a073394337f997605531a26e9ea6513ed6a82a2c17a0f473ca3bcd992266b41f907fe0e"
         "0c1bf1ffaf441e3536923bca21b10c702aa6b5d892a216a5d2d0150448a11ca4eeba363957860613"},
        {crypto::aead_algorithm::aes_256_gcm,
         "b9fa4ee739afd2ab4ac21f0ebbf7ef73f5e177b14952f739a5b74277f2ffd09b4420a6398a69fc0e3ea99097b18ba8ef"
         "61b21d760a3c0fc01bbe681400774f6dd1e5b91aa6b05ca1"},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(crypto::to_string(c.aead));
        const auto h = tls12_prf_hash(c.aead);
        auto ms = tls12_master_secret(prov(), h, pms, cr, sr);
        ASSERT_TRUE(ms);
        auto kb = tls12_derive_key_block(prov(), c.aead, h, ms->view(), cr, sr);
        ASSERT_TRUE(kb);
        EXPECT_EQ(kb->client_write_key.size(), crypto::aead_key_size(c.aead));
        EXPECT_EQ(kb->client_write_iv.size(), tls12_fixed_iv_size(c.aead));
        EXPECT_EQ(hex_of(kb->client_write_key) + hex_of(kb->server_write_key) + hex_of(kb->client_write_iv) +
                      hex_of(kb->server_write_iv),
                  c.block);
    }
}

TEST(tls12_keys, finished_verify_data_known_answer) {
    const std::vector<std::uint8_t> pms(48, 0x0b);
    auto ms = tls12_master_secret(prov(), hash_algorithm::sha256, pms, range_bytes(1, 32), range_bytes(0x21, 32));
    ASSERT_TRUE(ms);
    auto hh = prov().hash(hash_algorithm::sha256, crypto::as_bytes("handshake"));
    ASSERT_TRUE(hh);
    auto c = tls12_finished_verify_data(prov(), hash_algorithm::sha256, ms->view(), tls12_finished_sender::client, hh->view());
    auto s = tls12_finished_verify_data(prov(), hash_algorithm::sha256, ms->view(), tls12_finished_sender::server, hh->view());
    ASSERT_TRUE(c && s);
    EXPECT_EQ(hex(*c), "4ade96b117051840f86153fc");
    EXPECT_EQ(hex(*s), "b3c66865d78cafaf82244961");
}
