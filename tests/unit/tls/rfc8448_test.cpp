// rfc8448_test.cpp — the TLS 1.3 client and server state machines replayed against the RFC 8448
// example traces, through a small record driver that frames what a machine sends the way the
// traces do (one record per flight and key) and decrypts the trace's records for it.
//
// The machines' randomness comes from the insecure deterministic provider with the trace's
// randoms and ephemeral private keys queued in the order a machine draws them.
//
// The server key of sections 3 to 5 is 1024-bit RSA, which the library refuses to sign or verify with (its
// floor is 2048 bits, crypto::min_rsa_bits). The deterministic provider here sits on a small
// test provider that forwards everything to the real one except RSA signatures with keys below
// that floor: it verifies those with libcrypto directly, and for signing hands out the trace's
// CertificateVerify signature (RSA-PSS has a random salt, so no signer reproduces it) after
// checking it verifies over exactly the content the server machine asked to sign. Section 6's
// private keys (the server's P-256 key, the client's own 1024-bit RSA key) are not published at
// all: a stand-in key of the same type signs for the machine, and the provider hands out the
// trace's signature once it verifies under the public key of the trace's certificate.
//
// What is byte-exact, and what the replay has to adjust:
//
//  * Section 3, client: the ClientHello, the encrypted client Finished record, every traffic
//    secret, the NewSessionTicket's resumption PSK, application data and close_notify records.
//    The trace's client sends extensions ours never sends (renegotiation_info, an empty
//    session_ticket); the client_tls13_options::adjust_client_hello hook inserts them from the
//    trace at the trace's positions. Everything else in the hello (random, suites, groups, key
//    share, signature algorithms, psk_key_exchange_modes, record_size_limit) is what the machine
//    itself produced from its configuration; compat_mode is off (the trace has an empty
//    legacy_session_id and no change_cipher_spec).
//  * Section 3, server: the ServerHello record and the whole encrypted server flight record
//    (EncryptedExtensions, Certificate, CertificateVerify, Finished), every secret, and the
//    client's Finished accepted. Our server puts record_size_limit and server_name in its
//    EncryptedExtensions; the trace's also lists its supported_groups, which
//    server_tls13_options::adjust_encrypted_extensions adds at the trace's position. Then the
//    NewSessionTicket record: lifetime and ticket_age_add are ours (drawn like the trace's); the
//    opaque ticket, the two-byte nonce and the early_data extension come from the trace through
//    adjust_new_session_ticket (our tickets are sealed under our own keys, with 8-byte nonces).
//  * Section 4: the resumed ClientHello built by the client machine from the ticket of the
//    section 3 NewSessionTicket, binder included. The trace's ticket age is 6 ms; our clock has
//    one-second resolution, so the cached ticket_age_add is advanced by 6 to give the trace's
//    obfuscated_ticket_age. early_data and padding come from the trace (we never send early
//    data). Server side: the ServerHello byte for byte and the handshake secrets, with the
//    trace's ticket opened into the section 3 resumption PSK by server_tls13_options::open_ticket.
//    The rest of section 4 is not replayed: the trace's server accepts early data and says so in
//    its EncryptedExtensions (ours refuses it, and a client that offered none must refuse that
//    extension: unsupported_extension); every secret, key and Finished value of section 4 is
//    checked on the trace's own transcript in key_schedule_test.cpp
//    (rfc8448_resumed_0rtt_whole_schedule).
//  * Section 5 (HelloRetryRequest), client: both ClientHellos (the second with the cookie echoed
//    and the P-256 share generated after the retry; the trace places the cookie after
//    signature_algorithms and pads the hello, which adjust_client_hello arranges), and the
//    encrypted client Finished record after the trace's ServerHello and server flight.
//  * Section 5, server: the HelloRetryRequest, the ServerHello and the encrypted server flight
//    byte for byte, every secret, and the client's Finished accepted. The trace's
//    HelloRetryRequest carries a cookie (its server's own opaque state); ours keeps its retry
//    state and sends none, so server_tls13_options::adjust_hello_retry_request inserts the
//    trace's cookie, and the server checks that the second ClientHello echoes it.
//  * Section 6 (client authentication): the server has an ECDSA P-256 certificate ("ecdsa256",
//    signing with ecdsa_secp256r1_sha256), not section 3's RSA one; the client answers its
//    CertificateRequest with an RSA certificate ("client") whose 1024-bit key is not section
//    2's. Client: the ClientHello (follow_trace_order, as in section 3), then the encrypted
//    Certificate, CertificateVerify and Finished record byte for byte after the trace's server
//    records, every traffic secret and the exporter secret, and the client's close_notify
//    record. The trace has no NewSessionTicket; one sealed under the trace's server application
//    secret checks the resumption master secret through the PSK the client caches.
//    Server: the ServerHello and the encrypted server flight (EncryptedExtensions,
//    CertificateRequest, Certificate, CertificateVerify, Finished) byte for byte, every secret,
//    the server's close_notify, and the trace's client flight accepted (its certificate taken
//    unverified with client_auth optional and no trust anchors; verified with
//    client_auth required and the certificate itself as the anchor, at a time inside its
//    validity). Beyond ours, the trace's EncryptedExtensions lists supported_groups (added by
//    adjust_encrypted_extensions) and its CertificateRequest's signature_algorithms keeps the
//    TLS 1.2-only schemes the client offered (ecdsa_sha1, rsa_pkcs1_*, dsa_*), where ours lists
//    only those usable in TLS 1.3: server_tls13_options::adjust_certificate_request puts the
//    trace's list in, after checking ours is that list without the TLS 1.2-only entries.
//
// The second ClientHello's record version (0x0303, as in the trace) is also checked on the
// connection driver itself (second_client_hello_goes_out_with_record_version_0303).
#include "crypto/deterministic_provider.hpp"
#include "tls/codec/handshake.hpp"
#include "tls/codec/tls_error.hpp"
#include "tls/handshake/client_tls13.hpp"
#include "tls/handshake/common.hpp"
#include "tls/handshake/server_tls13.hpp"
#include "tls/record/deframer.hpp"
#include "tls/record/record_protection.hpp"
#include "unit/crypto/test_util.hpp"
#include "x509/certificate.hpp"

#include <awsio/tls/connection.hpp>
#include <awsio/tls/context.hpp>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace awsio::tls {
namespace {

using awsio::crypto::test::hex;
using awsio::crypto::test::unhex;
using bytes = std::vector<std::uint8_t>;
using codec::extension_type;
using codec::named_group;

// ---- RFC 8448 section 2: the server's RSA key -----------------------------------------------

const char *const rsa_n =
    "b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af1"
    "9eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8c"
    "a9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f";
const char *const rsa_e = "010001";
const char *const rsa_d =
    "04dea705d43a6ea7209dd8072111a83c81e322a59278b33480641eaf7c0a6985b8e31c44f6de62e1b4c2309f6126e77b"
    "7c41e923314bbfa3881305dc1217f16c819ce538e922f369828d0e57195d8c8488460207b2faa726bcf708bbd7db7f67"
    "9f893492fc2a622e08970aac441ce4e0c3088df25ae679233df8a3bda2ff9941";
const char *const rsa_p = "e435fb7cc83737756dacea96ab7f59a2cc1069db7deb190e17e33a532b273f30a327aa0aaabc58cd67466af9845fadc6"
                          "75fe094af92c4bd1f2c1bc33dd2e0515";
const char *const rsa_q = "cabd3bc0e0438664c8d4cc9f99977a94d9bbfead8e43870abae3f7eb8b4e0eee8af1d9b4719ba6196cf2cbbaeeebf8b3"
                          "490afe9e9ffa74a88aa51fc645629303";
const char *const rsa_dp = "3f57345c27fe1b687e6e761627b78b1b826433dd760fa0bea6a6acf39490aa1b47cda4869d68f584dd5b5029bd32093b"
                           "8258661fe715025e5d70a45a08d3d319";
const char *const rsa_dq = "183da01363bd2f2885cacbdc9964bf4764f1517636f86401286f71893c52ccfe40a6c23d0d086b47c6fb10d8fd1041e0"
                           "4def7e9a40ce957c417794e10412d139";
const char *const rsa_qinv = "839ca9a085e4286b2c90e466997a2c681f21339aa3477814e4dec11833050ed50dd13cc038048a43c59b2acc416889c0"
                             "37665fe5afa605969f8c01dfa5ca969d";

// ---- RFC 8448 section 3: simple 1-RTT handshake ---------------------------------------------

const char *const s3_client_x25519 = "49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005";
const char *const s3_server_x25519 = "b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e";
const char *const s3_server_x25519_public = "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f";

const char *const s3_client_hello_record =
    "16030100c4010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302"
    "010000910000000b0009000006736572766572ff01000100000a00140012001d00170018001901000101010201030104002300"
    "00003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b00030203040"
    "00d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c00024001";
const char *const s3_server_hello_record =
    "160303005a020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e0033"
    "0024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";

// EncryptedExtensions, Certificate, CertificateVerify, Finished in one record under the server
// handshake key.
const char *const s3_server_flight_record =
    "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73f848a7ca"
    "07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13b"
    "d9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c"
    "7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd61092"
    "8d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a8"
    "9441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f"
    "4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a3"
    "6ac1b639c637ce343117b659622245317b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e"
    "1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052c"
    "f93b16499a66db7cca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe"
    "5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb"
    "5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038"
    "ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee340bbc4fddd50278"
    "4016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e"
    "750edc53370d2b";

// The server's certificate (DER) and CertificateVerify signature, from the flight's plaintext.
const char *const s3_server_certificate =
    "308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a0603550403130372736130"
    "1e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a060355040313037273613081"
    "9f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1"
    "bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c"
    "3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d3"
    "5a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886"
    "f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c"
    "8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb710"
    "7c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de1";
const char *const s3_server_signature =
    "5a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6b"
    "ef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c9ea58c181e818e95b8c3"
    "fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3";
// The server's EncryptedExtensions lists its supported groups first.
const char *const s3_encrypted_extensions =
    "08000024" "0022" "000a00140012001d00170018001901000101010201030104" "001c00024001" "00000000";

const char *const s3_client_finished_record =
    "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1c"
    "aeacab6867d726c40546";
const char *const s3_new_session_ticket_record =
    "17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d41d6af8f6b580dcf3d11d63c758db289a01"
    "5940252f55713e061dc13e078891a38efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1b6c0d4a3d03f75e09c30"
    "ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406f16e3fc181a77ca475840025db2f0a77f81b5a"
    "b05b94c01346755f69232c86519d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74bc269768"
    "7e248746d6df353005f3bce18696129c8153556b3b6c6779b37bf15985684f";
const char *const s3_client_app_record =
    "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b"
    "62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4";
const char *const s3_server_app_record =
    "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb501a59a8"
    "fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d";
const char *const s3_client_close_notify_record = "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3";
const char *const s3_server_close_notify_record = "1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9";

const char *const s3_c_hs_traffic = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
const char *const s3_s_hs_traffic = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
const char *const s3_c_ap_traffic = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
const char *const s3_s_ap_traffic = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
const char *const s3_exporter = "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50";
const char *const s3_resumption_psk = "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3";

// ---- RFC 8448 section 4: resumed 0-RTT handshake --------------------------------------------

const char *const s4_client_x25519 = "bff91188283846dd6a2134ef7180ca2b0b14fb10dce707b5098c0dddc813b2df";
const char *const s4_client_hello =
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

// The server's side of section 4 as far as it can follow the trace (it refuses early data).
const char *const s4_server_x25519 = "de5b4476e7b490b2652d338acbf2948066f255f9440e23b98fc69835298dc107";
const char *const s4_server_hello =
    "0200005c03033ccfd2dec890222763472ae8136777c9d7358777bb66e91ea5122495f559ea2d00130100003400290002000000"
    "330024001d0020121761ee42c333e1b9e77b60dd57c2053cd94512ab47f115e86eff50942cea31002b00020304";
const char *const s4_c_hs_traffic = "2faac08f851d35fea3604fcb4de82dc62c9b164a70974d0462e27f1ab278700f";
const char *const s4_s_hs_traffic = "fe927ae271312e8bf0275b581c54eef020450dc4ecffaa05a1a35d27518e7803";

// ---- RFC 8448 section 5: HelloRetryRequest --------------------------------------------------

const char *const s5_client_x25519 = "0ed02f8e8117efc75ca7ac32aa7e34eda64cdc0ddad154a5e85289f959f63204";
const char *const s5_client_p256 = "ab5473467e19346ceb0a0414e41da21d4d2445bc3025afe97c4e8dc8d513da39";
const char *const s5_client_hello1_record =
    "16030100b4010000b00303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee9258a346677b6f0000061301130313"
    "02010000810000000b0009000006736572766572ff01000100000a00080006001d00170018003300260024001d0020e8e8e3f3"
    "b93a25ed97a14a7dcacb8a272c6288e585c6484d05262fcad062ad1f002b0003020304000d0020001e04030503060302030804"
    "0805080604010501060102010402050206020202002d00020101001c00024001";
const char *const s5_hello_retry_request_record =
    "16030300b0020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c00130100008400"
    "3300020017002c0074007271dcd04bb88bc3189119398a00000000eefafc76c146b823b096f8aacad365dd0030953f4edf62"
    "5636e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b0c8be778257d16aa"
    "3030e9e7841dd9e4c0342267e8ca0caf571fb2b7cff0f934b0002b00020304";
// The second ClientHello ends with a padding extension of 175 zero bytes.
const char *const s5_client_hello2_prefix =
    "1603030200010001fc0303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee9258a346677b6f00000613011303"
    "1302010001cd0000000b0009000006736572766572ff01000100000a00080006001d001700180033004700450017004104a6"
    "da7392ec591e17abfd535964b99894d13befb221b3def2ebe3830eac8f0151812677c4d6d2237e85cf01d6910cfb83954e76"
    "ba7352830534159897e8065780002b0003020304000d0020001e040305030603020308040805080604010501060102010402"
    "050206020202002c0074007271dcd04bb88bc3189119398a00000000eefafc76c146b823b096f8aacad365dd0030953f4edf"
    "625636e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b0c8be778257d16"
    "aa3030e9e7841dd9e4c0342267e8ca0caf571fb2b7cff0f934b0002d00020101001c00024001001500af";
const std::string s5_client_hello2_record = std::string(s5_client_hello2_prefix) + std::string(2 * 175, '0');
const char *const s5_server_hello_record =
    "160303007b020000770303bb341d847fd789c47c387172dc0c9bf147fccacb5043d86ca4c598d3ff571b980013010000"
    "4f003300450017004104583e054b7a66672ae020ad9d2686fcc85b5ad41a134a0f03ee72b893052bd85b4c8de6776f5b04"
    "ac07d83540eab3e3d9c547bc6528c4317d294686093a6cad7d002b00020304";
const char *const s5_server_flight_record =
    "170303029699bee20baf5b7fc727bfab6223928a381e6d0cf9c4da653f9d2a7b23f7de11cce842d5cf75631763450ffb8b0c"
    "c1d238e658af7a12adc86243114ab14a1da2fae42621ce483fb6242eabfaad52566b02b31d2eddedefeb80e66a9900d5f973"
    "b40c4fdf74719ecf1b68d7f9c3b6ceb903ca13dd1bb8f8187ae33417e1d152522c5822a1a03ad52c838c55953d610222874c"
    "ce8e1790b229a2aa0b53c8d377ee720182951dc6181dc5d90bd1f0105ed1e84aa5f75957c6661897079e5ea5007449e3197b"
    "dc7c9beeedddeafdd844afa5c315ecfe65e576afe909812880620ec7048b42d7f5c78d76f299d6d82534bdd8f512febc0ed3"
    "814aca470cd8000d3e1cb9962b052fbb950df683a52c2ba77ed3713b122937a6e5170964e2ab7969dcd980b3db9b458da760"
    "3124d6dc005e4d6e04b4d0c4baf3275db827dbba0a6db09672171fc057b3851d7e026841e2978fbd2346bbefdd0376bb1108"
    "fe9acc92189f5650aa5e85d8e8c7b67ac510dba003d3d7e16350bb66d45013efd44c9b607c0d318c4c7d1a1f5cbc57e20611"
    "804e3787d7b4a4b5f08ed8fd70bdaeade02260b12ab842ef690b4a3ee7911e841b374ecd5ebbbc2a54d047b600336dd7d0c8"
    "8b4bc10e58ee6cb656de7247fa20d8e91deb84628608cf80615b62e96c1491c7ac3755eb6901405d3474fe1ac79d106a0cee"
    "56c2577fc88480f96cb6b8c681b7b68b53c146093908f350888175bdfb0b1e31ad61e30ba0adfe6d223aa03c0783b5001a57"
    "587c328a9afcfcfb978d1cd4328f7d9d60530e630befd96c0c816ee20b0100768ae2a6df51fc68f172740a79af11398ee3be"
    "1252491fa9c693479e877f94ab7c5f8cad480203e6ab7b87dd71e8a0729113df17f5eee86ce108d1d72007ec1cd13c85a6c1"
    "49621e77b7d78d805a30f0be030c315e54";
// The server's ephemeral P-256 private key and the section 5 secrets.
const char *const s5_server_p256 = "8c510601f9765bfb8ed693449a48989859b5cfa879cb9f5443c41c5ff10634ed";
const char *const s5_c_hs_traffic = "158aa7ab8855073582b41d674b4055cabcc534728f659314861b4e08e2011566";
const char *const s5_s_hs_traffic = "3403e781e2af7b6508da28574f6e95a1abf162de83a97927c37672a4a0cef8a1";
const char *const s5_c_ap_traffic = "75ecf4b972525aa0dcd057c9944d4cd5d82671d8843141d7dc2a4ff15a21dc51";
const char *const s5_s_ap_traffic = "5c74f87df04225db0f8209c9de6429e49435fdefa7cad61864874d12f31cfc8d";
const char *const s5_exporter = "7c06d3ae106a3a374ace4837b3985cac67780a6e2c5c04b58319d584df09d223";
const char *const s5_client_finished_record =
    "1703030035d74f1923c662fd34137c6f502f3dd2b93d951d1b3bc97e42afe23c31abea92fe91b474999e85e3b791ce252fe8"
    "c3e9f939a4120cb2";

// ---- RFC 8448 section 6: client authentication ----------------------------------------------

const char *const s6_client_x25519 = "c040b2bb8f3addd20fd4058c547003a3c6f9c1cd915d5e535c87d8d191aaf071";
const char *const s6_server_x25519 = "7382a5ad1cdd2056ae18cc708bd007d98130dbe2cd4d9ead9b96952becbb0888";
const char *const s6_client_hello_record =
    "16030100c0010000bc03036a472236328b83af40386d3a3e1f1ce624fa4ed89ab865a4ff0f4144ce3ae2330000061301130313"
    "020100008d0000000b0009000006736572766572ff01000100000a00140012001d00170018001901000101010201030104003300"
    "260024001d0020089cc2671f738d9a671e5b2e464981d05b76e361aa22aea91f1d49ca10a7a362002b0003020304000d002000"
    "1e040305030603020308040805080604010501060102010402050206020202002d00020101001c00024001";
const char *const s6_server_hello_record =
    "160303005a0200005603033b50fdf1c3d572e40e68953e7fff4e2758459c59afa0582c0ea032874255fe6e00130100002e0033"
    "0024001d00206c2e50e865919a6b5a12dfaf918f92b442567b0f89bc54478c6921366658f062002b00020304";
// EncryptedExtensions, CertificateRequest, Certificate (ECDSA P-256), CertificateVerify
// (ecdsa_secp256r1_sha256), Finished in one record under the server handshake key.
const char *const s6_server_flight_record =
    "17030302166d0a7ac079b32a94aa68c4e2893e8bd0d3c185f549c236fbbce3d647f08f3c94a2bf424d8708883605ad8955f977"
    "18b0213dead13dfb23ebb8381da582756612bcb5a5d40847719fbe9f179bfae656f3ecfd59a4c0d35132ce418a7e46f6b6a606"
    "22f8a6c06b28d83360163563be9c37f97eb902326924a72b3ed8c8381277d1581cab9c3715ac2401398467ad7ebfab3d0c3419"
    "e750104f7d62c5027901f2e4cd4ca5b8071eb03d3c732d83215066dfc4d291d4c1ff3b8d7e4298f677d4d51dea1168d8f16cb2"
    "7ba40266313a1fedf9e23cc77f765450f9e96f05d08f3da245b14d4946f07ec81eed6d56f26bd574f0b7f7c7047037c16fce3b"
    "23754e662fad73e2b7213f6af296769c99a1d38e6232e0ec8dc4f84d6aa6f7de3887be0057862f9018e0ab396705aa4090ab5f"
    "2dff6325a557e7320d4effd46bb4f997d163207cce6665294aa4465541e3fe37ee7350659ea550d6dcb6af3c518852c7a14c3c"
    "c15bc32b3273bdf1751da184203135b117d300204fb12d58ca9ac34b68eca27030832f7a4b46d2a55757f63fe8f6e85ac47469"
    "e6198da88a64586bf23c69590de822263be75fd836847240c48f8c145cd6bd698962e7edc234ebe59231351eef8d7652cf3b08"
    "ab3af6e5ec74c58a8da34b39f9b0d6c4279a9a1f82071729e7059dd7f7b95b9433c4684ce1891a6d33432d52eddb0b8cee9181"
    "d403eccc12991f1ad4aa62c36049713a7bb135fdda6661a05a93f8c16f";
// The server's CertificateRequest: an empty context and signature_algorithms as the client
// listed them (TLS 1.2-only schemes included).
const char *const s6_certificate_request =
    "0d000027000024000d0020001e040305030603020308040805080604010501060102010402050206020202";
// Certificate (RSA, CN "client"), CertificateVerify (rsa_pss_rsae_sha256), Finished in one
// record under the client handshake key.
const char *const s6_client_flight_record =
    "1703030280b46a63934e673841abaf267403bc677f6b6d2a1e2f12bb5f62683bfe36a82673f06d6287ddd609bcf2f5fd322592"
    "3d24af3c76682c180ee571a17ca4bfbe2f510dc9a0e1fca5cff2cee87d11cb531a6ef90bf5309a6b63bbbc0b88ea45103a4304"
    "091543859fa11ec032ed873444cd5185ead5f6a76420f0f0286acef802c8e4788c23275f1b06da600f4a7decd0bc59d7bef10e"
    "649ae32690397fc3d4ed6f30f801d8cd569b71ad4fa05ea7cf2ac2dfa150d220505d4011b34d09d53853eba61a101e4f8dca47"
    "d8171a884b19259a3dd48c5ac141983edc77814d25e7f66bbbdb9096839266e06561828ecfb27eafd4e9e81a0b96e3bfa42dae"
    "5ad80359b9a6661402c3a2104177030106dbd8f65bb6a0159d512eb13af22a259f313bd58c2e21fe053d57f2a962b0a4ea682c"
    "96f70b79b560136192823b27be6a2fb7b1c751ccc0e3303615541485b7b307b423332c11efa80b72f9b80a53e53f7bb38a3af4"
    "c59f8008bad0544e5614e688ff57bccd6935f81f447f420c1c1bf4058818e90bf5dc716ccae42524856df8250bcdbd7af65f82"
    "dd53061d024f6d2ff5c11e3792a9a70e0ee2a3c20a1b968ac391f8f92831135d25242ada2fe241c2653ec996339dfa12dfae7a"
    "3373df88b07ca27aef6dc266a25f13f75c76039c1f46fd7a53ae6399c999f4b2aee18e480d6d12bfae226bbdc92a6ad50b4d3b"
    "ac7abc3b3651eb5be56f33bf41127b3ca886dc714a50d1490357bd40d9fd6be42209a4ddb9ebb2987e29f120f05814614d2c79"
    "320015b461fe7324447670a1af5f65caed15b474ab7faa495016adf808e53b94ef54afbb0e0a3a2732ab597f7d5923c77386aa"
    "5124731f8cc73e703b341c175a454939a77ab64313c15cf3fe03c4f33842564976";
const char *const s6_client_close_notify_record = "1703030013e4ad7d44c29245339d355962c779b89ef44c58";
const char *const s6_server_close_notify_record = "17030300131decc5d6e64bba8a6f21b4fd077497da2a90cb";
const char *const s6_c_hs_traffic = "cec7a30c6872070f22a7eeb065768db67c45e29533db879908ce6dc66f5911de";
const char *const s6_s_hs_traffic = "8b02d3c00442a2722c4098ebe8675b23e801510f0d7ed778d8eb0b8f42a19a5e";
const char *const s6_c_ap_traffic = "73c2e890fa8d067258d6d50fa92fe456b098cf00d9727eed91e8892ef4e6f860";
const char *const s6_s_ap_traffic = "c49a91faf57f8c545d5048a015bf849ff63942e4a7edcd319f8b438a97c52e21";
const char *const s6_exporter = "052e39795e5f2be6e4e0974cfdd86c6a7afe3e57e5589810a3cccf642958beb2";
const char *const s6_resumption_master = "1006dccbf40eb4eb978bff0392a9e452a4fbad58aa14784d5a241c6b49daccfb";

// ---- helpers --------------------------------------------------------------------------------

#define ASSERT_NO_ERROR(expr)                                                                      \
    do {                                                                                           \
        auto awsio_r_ = (expr);                                                                    \
        ASSERT_TRUE(awsio_r_.has_value()) << #expr << ": " << awsio_r_.error().message();          \
    } while (false)

bytes body_of(const char *record_hex) {
    const bytes r = unhex(record_hex);
    return bytes(r.begin() + record::header_size, r.end());
}

bytes app_payload() {
    bytes v;
    for (std::uint8_t i = 0; i <= 0x31; ++i) {
        v.push_back(i);
    }
    return v;
}

// DER INTEGER from a big-endian magnitude.
void der_integer(bytes &out, const bytes &magnitude) {
    bytes v = magnitude;
    while (v.size() > 1 && v[0] == 0 && (v[1] & 0x80) == 0) {
        v.erase(v.begin());
    }
    if (v.empty() || (v[0] & 0x80) != 0) {
        v.insert(v.begin(), 0);
    }
    out.push_back(0x02);
    if (v.size() < 0x80) {
        out.push_back(static_cast<std::uint8_t>(v.size()));
    } else {
        out.push_back(0x81);
        out.push_back(static_cast<std::uint8_t>(v.size()));
    }
    out.insert(out.end(), v.begin(), v.end());
}

// The section 2 key as PKCS#1 RSAPrivateKey DER.
crypto::private_key rfc8448_rsa_key() {
    bytes content;
    der_integer(content, {0});
    for (const char *h : {rsa_n, rsa_e, rsa_d, rsa_p, rsa_q, rsa_dp, rsa_dq, rsa_qinv}) {
        der_integer(content, unhex(h));
    }
    bytes der{0x30, 0x82, static_cast<std::uint8_t>(content.size() >> 8), static_cast<std::uint8_t>(content.size())};
    der.insert(der.end(), content.begin(), content.end());
    auto key = crypto::openssl_provider().import_private_key_der(der);
    EXPECT_TRUE(key.has_value());
    return key ? *key : crypto::private_key{};
}

/// Forwards to the real provider, except RSA-PSS signatures with keys below the library's
/// 2048-bit floor (the traces' 1024-bit key): verified with libcrypto directly, and "signed" by
/// handing out a queued signature once it verifies over the message. Signatures of keys the
/// trace does not publish (section 6: the server's P-256 key, the client's RSA key) are handed
/// out the same way, to whatever key stands in for the trace's, once they verify under the
/// public key of the trace's certificate.
class trace_rsa_provider final : public crypto::provider {
public:
    /// A signature by an unpublished key, and the public key it must verify under.
    struct stand_in {
        crypto::public_key signer;
        bytes signature;
    };

    std::vector<bytes> signatures;
    std::vector<stand_in> stand_ins;
    int weak_verifications = 0;
    int weak_signatures = 0;
    int stand_in_signatures = 0;

    std::string_view name() const noexcept override { return "rfc8448-trace"; }
    bool is_secure() const noexcept override { return false; }
    result<void> random_bytes(crypto::mutable_bytes out) override { return real().random_bytes(out); }
    std::uint64_t now_seconds() const override { return real().now_seconds(); }
    result<std::unique_ptr<crypto::hash_context>> make_hash(crypto::hash_algorithm h) const override {
        return real().make_hash(h);
    }
    result<crypto::digest> hash(crypto::hash_algorithm h, crypto::bytes_view d) const override {
        return real().hash(h, d);
    }
    result<std::unique_ptr<crypto::hmac_context>> make_hmac(crypto::hash_algorithm h,
                                                            crypto::bytes_view key) const override {
        return real().make_hmac(h, key);
    }
    result<crypto::digest> hmac(crypto::hash_algorithm h, crypto::bytes_view key, crypto::bytes_view d) const override {
        return real().hmac(h, key, d);
    }
    result<crypto::digest> hkdf_extract(crypto::hash_algorithm h, crypto::bytes_view salt,
                                        crypto::bytes_view ikm) const override {
        return real().hkdf_extract(h, salt, ikm);
    }
    result<void> hkdf_expand(crypto::hash_algorithm h, crypto::bytes_view prk, crypto::bytes_view info,
                             crypto::mutable_bytes out) const override {
        return real().hkdf_expand(h, prk, info, out);
    }
    result<void> tls12_prf(crypto::hash_algorithm h, crypto::bytes_view secret, crypto::bytes_view label,
                           crypto::bytes_view seed, crypto::mutable_bytes out) const override {
        return real().tls12_prf(h, secret, label, seed, out);
    }
    result<std::unique_ptr<crypto::aead_context>> make_aead(crypto::aead_algorithm a,
                                                            crypto::bytes_view key) const override {
        return real().make_aead(a, key);
    }
    result<crypto::key_exchange_keypair> generate_key_exchange(crypto::key_exchange_group g) override {
        return real().generate_key_exchange(g);
    }
    result<crypto::secret_buffer> key_agreement(const crypto::private_key &own,
                                                crypto::bytes_view peer_public) const override {
        return real().key_agreement(own, peer_public);
    }
    result<std::vector<std::uint8_t>> key_exchange_public_bytes(const crypto::private_key &own) const override {
        return real().key_exchange_public_bytes(own);
    }
    result<crypto::secret_buffer> key_agreement(const crypto::private_key &own,
                                                const crypto::public_key &peer) const override {
        return real().key_agreement(own, peer);
    }
    result<std::vector<std::uint8_t>> sign(const crypto::private_key &key, const crypto::signature_params &params,
                                           crypto::bytes_view message) override {
        if (!stand_ins.empty()) {
            stand_in next = std::move(stand_ins.front());
            stand_ins.erase(stand_ins.begin());
            const bool ok = weak_rsa(next.signer, params)
                                ? pss_verify(next.signer.native_handle(), params, message, next.signature)
                                : real().verify(next.signer, params, message, next.signature).has_value();
            if (!ok) {
                return crypto::crypto_errc::bad_signature;
            }
            ++stand_in_signatures;
            return std::move(next.signature);
        }
        if (!weak_rsa(key, params)) {
            return real().sign(key, params, message);
        }
        if (signatures.empty()) {
            return crypto::crypto_errc::unsupported;
        }
        bytes sig = std::move(signatures.front());
        signatures.erase(signatures.begin());
        if (!pss_verify(key.native_handle(), params, message, sig)) {
            return crypto::crypto_errc::bad_signature;
        }
        ++weak_signatures;
        return sig;
    }
    result<void> verify(const crypto::public_key &key, const crypto::signature_params &params,
                        crypto::bytes_view message, crypto::bytes_view signature) const override {
        if (!weak_rsa(key, params)) {
            return real().verify(key, params, message, signature);
        }
        if (!pss_verify(key.native_handle(), params, message, signature)) {
            return crypto::crypto_errc::bad_signature;
        }
        ++const_cast<trace_rsa_provider *>(this)->weak_verifications;
        return {};
    }
    result<crypto::private_key> generate_private_key(crypto::key_type t, std::size_t rsa_bits = 0) override {
        return real().generate_private_key(t, rsa_bits);
    }
    result<crypto::private_key> import_private_key_der(crypto::bytes_view der) const override {
        return real().import_private_key_der(der);
    }
    result<crypto::public_key> import_public_key_spki(crypto::bytes_view der) const override {
        return real().import_public_key_spki(der);
    }
    result<crypto::private_key> import_raw_private_key(crypto::key_type t, crypto::bytes_view raw) const override {
        return real().import_raw_private_key(t, raw);
    }
    result<crypto::public_key> import_raw_public_key(crypto::key_type t, crypto::bytes_view raw) const override {
        return real().import_raw_public_key(t, raw);
    }
    result<crypto::public_key> public_key_of(const crypto::private_key &key) const override {
        return real().public_key_of(key);
    }
    result<std::vector<std::uint8_t>> export_public_key_spki(const crypto::public_key &key) const override {
        return real().export_public_key_spki(key);
    }
    result<crypto::secret_buffer> export_private_key_pkcs8(const crypto::private_key &key) const override {
        return real().export_private_key_pkcs8(key);
    }

private:
    static crypto::provider &real() { return crypto::openssl_provider(); }

    template <typename Key>
    static bool weak_rsa(const Key &key, const crypto::signature_params &params) {
        return key.type() == crypto::key_type::rsa && key.bits() < crypto::min_rsa_bits &&
               params.algorithm == crypto::signature_algorithm::rsa_pss && params.hash == crypto::hash_algorithm::sha256;
    }

    static bool pss_verify(EVP_PKEY *pkey, const crypto::signature_params &params, crypto::bytes_view message,
                           crypto::bytes_view signature) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = nullptr;
        const int salt = static_cast<int>(params.pss_salt_length.value_or(32));
        const bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nullptr, pkey) == 1 &&
                        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) == 1 &&
                        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1 &&
                        EVP_DigestVerify(ctx, signature.data(), signature.size(), message.data(), message.size()) == 1;
        EVP_MD_CTX_free(ctx);
        return ok;
    }
};

/// The trace's signature_algorithms (including SHA-1, PKCS#1 and DSA entries our client would
/// not list by default; only the TLS 1.3 ones are ever used).
const std::vector<codec::signature_scheme> trace_signature_schemes = [] {
    std::vector<codec::signature_scheme> v;
    for (std::uint16_t s : {0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201,
                            0x0402, 0x0502, 0x0602, 0x0202}) {
        v.push_back(static_cast<codec::signature_scheme>(s));
    }
    return v;
}();

/// Extensions a trace's client sent that ours never does; taken from the trace as they are.
bool trace_only(extension_type t) {
    return t == extension_type::renegotiation_info || t == extension_type::session_ticket ||
           t == extension_type::padding || t == extension_type::early_data;
}

/// Rebuilds `ours` in the order of `trace`: each extension the machine produced stays as it is
/// (only moved), the trace-only ones are copied from the trace. Anything else missing on either
/// side fails the test. pre_shared_key is skipped: the machine appends it after this hook.
void follow_trace_order(codec::extension_list &ours, const codec::extension_list &trace) {
    codec::extension_list out;
    std::vector<extension_type> used;
    for (const auto &e : trace.entries) {
        const auto t = codec::type_of(e);
        if (t == extension_type::pre_shared_key) {
            continue;
        }
        auto it = std::find_if(ours.entries.begin(), ours.entries.end(),
                               [t](const codec::extension &x) { return codec::type_of(x) == t; });
        if (it != ours.entries.end()) {
            out.entries.push_back(*it);
            used.push_back(t);
        } else if (trace_only(t)) {
            out.entries.push_back(e);
        } else {
            ADD_FAILURE() << "the machine did not produce extension " << static_cast<int>(t);
        }
    }
    for (const auto &e : ours.entries) {
        if (std::find(used.begin(), used.end(), codec::type_of(e)) == used.end()) {
            ADD_FAILURE() << "the trace has no extension " << static_cast<int>(codec::type_of(e));
        }
    }
    ours = std::move(out);
}

codec::client_hello decode_hello(const bytes &message) {
    auto ch = codec::decode_client_hello(std::span<const std::uint8_t>(message).subspan(codec::handshake_header_size));
    EXPECT_TRUE(ch.has_value());
    return ch ? *ch : codec::client_hello{};
}

/// Frames what a machine sends like the RFC 8448 peers: handshake messages written under one
/// key go out as one record (flushed when the key changes, when a record arrives, or on
/// request); plaintext records use legacy_record_version 0x0301 for a client's first record
/// and 0x0303 afterwards. Records fed to it are opened with the installed read key and their
/// handshake messages handed to the machine.
class trace_driver final : public handshake_output {
public:
    explicit trace_driver(std::unique_ptr<handshake_machine> m, bool client)
        : machine(std::move(m)), plaintext_version_(client ? 0x0301 : 0x0303) {}

    std::unique_ptr<handshake_machine> machine;
    std::vector<bytes> records;
    std::vector<bytes> messages;
    std::map<std::string, std::string> secrets;
    std::optional<handshake_summary> summary;
    std::unique_ptr<record::record_protection> read_key;
    std::unique_ptr<record::record_protection> write_key;

    void send_handshake(bytes_view message) override {
        messages.emplace_back(message.begin(), message.end());
        pending_.insert(pending_.end(), message.begin(), message.end());
    }
    void send_change_cipher_spec() override {
        flush();
        records.push_back({0x14, 0x03, 0x03, 0x00, 0x01, 0x01});
    }
    result<void> set_read_protection(std::unique_ptr<record::record_protection> p) override {
        if (splitter_.has_partial()) {
            return errc::unexpected_message;
        }
        read_key = std::move(p);
        return {};
    }
    void set_write_protection(std::unique_ptr<record::record_protection> p) override {
        flush();
        write_key = std::move(p);
    }
    void set_version(codec::protocol_version) override {}
    result<void> set_peer_record_size_limit(std::uint16_t) override { return {}; }
    void skip_early_data(std::size_t, bool) override {}
    void handshake_complete(handshake_summary s) override { summary = std::move(s); }
    void send_alert(alert_level, alert_description) override {}
    void log_secret(std::string_view label, bytes_view, bytes_view secret) override {
        secrets[std::string(label)] = hex(secret);
    }

    /// Seals `content` as one record of `type` under the current write key.
    bytes seal(record::content_type type, const bytes &content) {
        bytes rec(write_key->sealed_size(content.size()));
        std::copy(content.begin(), content.end(), rec.begin() + static_cast<std::ptrdiff_t>(write_key->prefix_size()));
        auto n = write_key->seal(type, rec, content.size());
        EXPECT_TRUE(n.has_value());
        return rec;
    }

    void flush() {
        if (pending_.empty()) {
            return;
        }
        if (write_key) {
            records.push_back(seal(record::content_type::handshake, pending_));
        } else {
            bytes rec{0x16, static_cast<std::uint8_t>(plaintext_version_ >> 8),
                      static_cast<std::uint8_t>(plaintext_version_), static_cast<std::uint8_t>(pending_.size() >> 8),
                      static_cast<std::uint8_t>(pending_.size())};
            rec.insert(rec.end(), pending_.begin(), pending_.end());
            records.push_back(std::move(rec));
            plaintext_version_ = 0x0303;
        }
        pending_.clear();
    }

    result<void> start() {
        auto r = machine->start(*this);
        flush();
        return r;
    }

    /// Opens one record; returns its type and plaintext.
    std::pair<record::content_type, bytes> open(const char *record_hex) {
        bytes rec = unhex(record_hex);
        auto v = record::view_record(rec, record::max_tls13_ciphertext_length);
        EXPECT_TRUE(v.has_value());
        if (!v) {
            return {record::content_type::invalid, {}};
        }
        if (v->type != record::content_type::application_data) {
            return {v->type, bytes(v->fragment.begin(), v->fragment.end())};
        }
        auto opened = read_key->open(*v);
        EXPECT_TRUE(opened.has_value()) << opened.error().message();
        if (!opened) {
            return {record::content_type::invalid, {}};
        }
        return {opened->type, bytes(opened->content.begin(), opened->content.end())};
    }

    /// Feeds one record of the trace: its handshake messages go to the machine.
    result<void> receive(const char *record_hex) {
        auto [type, payload] = open(record_hex);
        EXPECT_EQ(type, record::content_type::handshake);
        if (auto ec = splitter_.feed(payload)) {
            return unexpected(ec);
        }
        for (;;) {
            auto msg = splitter_.pop();
            if (!msg) {
                return unexpected(msg.error());
            }
            if (!*msg) {
                break;
            }
            if (auto r = machine->handle(**msg, *this); !r) {
                return r;
            }
        }
        flush();
        return {};
    }

private:
    bytes pending_;
    codec::handshake_splitter splitter_;
    std::uint16_t plaintext_version_;
};

/// Configuration of the trace's client: suites, groups and signature algorithms as it listed
/// them, one x25519 share, record_size_limit 2^14 + 1, a ticket cache, no certificate checks
/// (the trace's certificate names "rsa", the client connects to "server").
std::shared_ptr<handshake_config> trace_client_config(crypto::provider &p) {
    auto cfg = std::make_shared<handshake_config>();
    cfg->provider = &p;
    cfg->is_server = false;
    cfg->cipher_suites = {codec::cipher_suite::tls_aes_128_gcm_sha256, codec::cipher_suite::tls_chacha20_poly1305_sha256,
                          codec::cipher_suite::tls_aes_256_gcm_sha384};
    cfg->groups = {named_group::x25519,
                   named_group::secp256r1,
                   named_group::secp384r1,
                   static_cast<named_group>(0x0019),
                   static_cast<named_group>(0x0100),
                   static_cast<named_group>(0x0101),
                   static_cast<named_group>(0x0102),
                   static_cast<named_group>(0x0103),
                   static_cast<named_group>(0x0104)};
    cfg->key_share_groups = {named_group::x25519};
    cfg->signature_schemes = trace_signature_schemes;
    cfg->certificate_signature_schemes.clear();
    cfg->record_size_limit = 0x4001;
    cfg->verify_peer = false;
    cfg->sessions = std::make_shared<session_cache>();
    return cfg;
}

std::unique_ptr<trace_driver> trace_client(std::shared_ptr<handshake_config> cfg, const bytes &trace_hello1,
                                           const bytes &trace_hello2 = {}) {
    client_tls13_options opts;
    opts.compat_mode = false;
    const codec::extension_list first = decode_hello(trace_hello1).extensions;
    const codec::extension_list second = trace_hello2.empty() ? first : decode_hello(trace_hello2).extensions;
    opts.adjust_client_hello = [first, second](codec::client_hello &ch) {
        const bool retry = ch.extensions.contains(extension_type::cookie);
        follow_trace_order(ch.extensions, retry ? second : first);
    };
    connection_params params;
    params.server_name = "server";
    return std::make_unique<trace_driver>(make_client_machine_for_test(std::move(cfg), params, std::move(opts)), true);
}

/// Section 3 up to the client's Finished; shared by the 1-RTT and resumption tests.
struct section3_client {
    trace_rsa_provider rsa;
    crypto::insecure_deterministic_provider provider{0, crypto::insecure_deterministic_provider::default_now, rsa};
    std::shared_ptr<handshake_config> cfg;
    std::unique_ptr<trace_driver> driver;

    section3_client() {
        const bytes ch = body_of(s3_client_hello_record);
        provider.push_random(std::span(ch).subspan(6, 32)); // client random
        provider.push_random(unhex(s3_client_x25519));
        cfg = trace_client_config(provider);
        driver = trace_client(cfg, ch);
    }
};

/// The handshake messages of one encrypted trace record, opened with `secret` (AES-128-GCM).
std::vector<codec::handshake_message> open_trace_flight(const char *record_hex, const char *secret_hex) {
    auto key = record::tls13_record_protection::create(crypto::openssl_provider(), crypto::aead_algorithm::aes_128_gcm,
                                                        crypto::hash_algorithm::sha256, unhex(secret_hex));
    EXPECT_TRUE(key.has_value());
    bytes rec = unhex(record_hex);
    auto v = record::view_record(rec, record::max_tls13_ciphertext_length);
    EXPECT_TRUE(v.has_value());
    std::vector<codec::handshake_message> out;
    if (!key || !v) {
        return out;
    }
    auto opened = key->open(*v);
    EXPECT_TRUE(opened.has_value());
    if (!opened) {
        return out;
    }
    codec::handshake_splitter splitter;
    EXPECT_FALSE(splitter.feed(opened->content));
    for (;;) {
        auto msg = splitter.pop();
        EXPECT_TRUE(msg.has_value());
        if (!msg || !*msg) {
            break;
        }
        out.push_back(**msg);
    }
    return out;
}

/// `ours` rebuilt in the order of `trace`, taking from the trace the extensions listed in
/// `from_trace` that ours lacks.
codec::extension_list in_trace_order(const codec::extension_list &ours, const codec::extension_list &trace,
                                     std::initializer_list<extension_type> from_trace) {
    codec::extension_list out;
    for (const auto &e : trace.entries) {
        const auto t = codec::type_of(e);
        auto it = std::find_if(ours.entries.begin(), ours.entries.end(),
                               [t](const codec::extension &x) { return codec::type_of(x) == t; });
        if (it != ours.entries.end()) {
            out.entries.push_back(*it);
        } else if (std::find(from_trace.begin(), from_trace.end(), t) != from_trace.end()) {
            out.entries.push_back(e);
        } else {
            ADD_FAILURE() << "the server did not produce extension " << static_cast<int>(t);
        }
    }
    EXPECT_GE(out.size(), ours.size());
    return out;
}

// ---- section 3 ------------------------------------------------------------------------------

TEST(rfc8448, simple_1rtt_client_is_byte_exact) {
    section3_client c;
    trace_driver &d = *c.driver;
    ASSERT_TRUE(d.start());
    ASSERT_EQ(d.records.size(), 1u);
    EXPECT_EQ(hex(d.records[0]), s3_client_hello_record);

    ASSERT_NO_ERROR(d.receive(s3_server_hello_record));
    EXPECT_EQ(d.secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], s3_c_hs_traffic);
    EXPECT_EQ(d.secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], s3_s_hs_traffic);
    EXPECT_EQ(d.records.size(), 1u); // nothing sent in answer to the ServerHello

    ASSERT_NO_ERROR(d.receive(s3_server_flight_record));
    ASSERT_EQ(d.records.size(), 2u);
    EXPECT_EQ(hex(d.records[1]), s3_client_finished_record);
    EXPECT_EQ(d.secrets["CLIENT_TRAFFIC_SECRET_0"], s3_c_ap_traffic);
    EXPECT_EQ(d.secrets["SERVER_TRAFFIC_SECRET_0"], s3_s_ap_traffic);
    EXPECT_EQ(d.secrets["EXPORTER_SECRET"], s3_exporter);
    ASSERT_TRUE(d.summary.has_value());
    EXPECT_TRUE(d.machine->is_connected());
    EXPECT_EQ(d.summary->suite, codec::cipher_suite::tls_aes_128_gcm_sha256);
    EXPECT_EQ(d.summary->group, named_group::x25519);
    EXPECT_EQ(d.summary->peer_signature_scheme, codec::signature_scheme::rsa_pss_rsae_sha256);
    EXPECT_EQ(c.rsa.weak_verifications, 1); // the trace's CertificateVerify, checked
    EXPECT_FALSE(d.summary->peer_verified);
    EXPECT_FALSE(d.summary->hello_retry);
    ASSERT_EQ(d.summary->peer_chain.size(), 1u);
    EXPECT_EQ(hex(d.summary->peer_chain[0]), s3_server_certificate);

    // The NewSessionTicket: the ticket and its PSK go to the cache under the server name.
    ASSERT_NO_ERROR(d.receive(s3_new_session_ticket_record));
    auto session = c.cfg->sessions->take("server", c.provider.now_seconds());
    ASSERT_TRUE(session.has_value());
    ASSERT_TRUE(session->psk);
    EXPECT_EQ(hex(session->psk->view()), s3_resumption_psk);
    EXPECT_EQ(session->ticket_age_add, 0xfad6aac5u);
    EXPECT_EQ(session->lifetime_seconds, 30u);
    EXPECT_EQ(session->ticket.size(), 0xb2u);

    // Application data both ways, then the client's close_notify.
    EXPECT_EQ(hex(d.seal(record::content_type::application_data, app_payload())), s3_client_app_record);
    auto [type, data] = d.open(s3_server_app_record);
    EXPECT_EQ(type, record::content_type::application_data);
    EXPECT_EQ(data, app_payload());
    EXPECT_EQ(hex(d.seal(record::content_type::alert, {0x01, 0x00})), s3_client_close_notify_record);
    auto [alert_type, alert] = d.open(s3_server_close_notify_record);
    EXPECT_EQ(alert_type, record::content_type::alert);
    EXPECT_EQ(alert, (bytes{0x01, 0x00}));
}

TEST(rfc8448, simple_1rtt_client_refuses_a_tampered_server_flight) {
    section3_client c;
    trace_driver &d = *c.driver;
    ASSERT_TRUE(d.start());
    ASSERT_NO_ERROR(d.receive(s3_server_hello_record));
    // One bit of the flight's ciphertext flipped: the record no longer opens.
    std::string flight = s3_server_flight_record;
    flight[100] = flight[100] == '0' ? '1' : '0';
    bytes rec = unhex(flight);
    auto v = record::view_record(rec, record::max_tls13_ciphertext_length);
    ASSERT_TRUE(v.has_value());
    auto opened = d.read_key->open(*v);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error(), make_error_code(errc::bad_record_mac));
}

TEST(rfc8448, simple_1rtt_server_is_byte_exact) {
    trace_rsa_provider rsa;
    rsa.signatures.push_back(unhex(s3_server_signature));
    crypto::insecure_deterministic_provider provider(0, crypto::insecure_deterministic_provider::default_now, rsa);
    const bytes sh = body_of(s3_server_hello_record);
    // The server draws its key share first, then its random.
    provider.push_random(unhex(s3_server_x25519));
    provider.push_random(std::span(sh).subspan(6, 32));

    auto key = rfc8448_rsa_key();
    auto cert = std::make_shared<certified_key>();
    cert->chain = {unhex(s3_server_certificate)};
    cert->key = key;
    cert->dns_names = {"server"};

    auto cfg = std::make_shared<handshake_config>();
    cfg->provider = &provider;
    cfg->is_server = true;
    cfg->certificates = {cert};
    cfg->record_size_limit = 0x4001;
    cfg->verify_peer = false;
    // One ticket, lifetime 30 s like the trace's. Its age_add is drawn after the random; the
    // ticket keys have their own provider (their draws are not part of the trace).
    cfg->tickets = std::make_shared<ticket_keys>(crypto::openssl_provider());
    cfg->tickets_per_handshake = 1;
    cfg->ticket_lifetime_seconds = 30;
    const auto trace_tickets = open_trace_flight(s3_new_session_ticket_record, s3_s_ap_traffic);
    ASSERT_EQ(trace_tickets.size(), 1u);
    auto trace_nst = codec::decode_new_session_ticket_tls13(trace_tickets[0].body());
    ASSERT_TRUE(trace_nst.has_value());
    provider.push_random(std::vector<std::uint8_t>{static_cast<std::uint8_t>(trace_nst->ticket_age_add >> 24),
                                                   static_cast<std::uint8_t>(trace_nst->ticket_age_add >> 16),
                                                   static_cast<std::uint8_t>(trace_nst->ticket_age_add >> 8),
                                                   static_cast<std::uint8_t>(trace_nst->ticket_age_add)});

    server_tls13_options opts;
    // The trace's ticket is its server's own opaque state, its nonce is two bytes (ours eight)
    // and it announces early data: those come from the trace; lifetime and age_add are ours.
    opts.adjust_new_session_ticket = [trace = *trace_nst](codec::new_session_ticket_tls13 &nst) {
        EXPECT_EQ(nst.ticket_lifetime, trace.ticket_lifetime);
        EXPECT_EQ(nst.ticket_age_add, trace.ticket_age_add);
        nst.ticket_nonce = trace.ticket_nonce;
        nst.ticket = trace.ticket;
        nst.extensions = trace.extensions;
    };
    const bytes trace_ee = unhex(s3_encrypted_extensions);
    auto decoded_ee = codec::decode_encrypted_extensions(std::span<const std::uint8_t>(trace_ee).subspan(4));
    ASSERT_TRUE(decoded_ee.has_value());
    opts.adjust_encrypted_extensions = [trace = decoded_ee->extensions](codec::encrypted_extensions &ee) {
        codec::extension_list out;
        for (const auto &e : trace.entries) {
            const auto t = codec::type_of(e);
            auto it = std::find_if(ee.extensions.entries.begin(), ee.extensions.entries.end(),
                                   [t](const codec::extension &x) { return codec::type_of(x) == t; });
            if (it != ee.extensions.entries.end()) {
                out.entries.push_back(*it);
            } else if (t == extension_type::supported_groups) {
                out.entries.push_back(e); // what the trace's server prefers; ours says nothing
            } else {
                ADD_FAILURE() << "the server did not produce extension " << static_cast<int>(t);
            }
        }
        EXPECT_EQ(out.size(), ee.extensions.size() + 1);
        ee.extensions = std::move(out);
    };
    trace_driver d(make_server_machine_for_test(cfg, std::move(opts)), false);
    ASSERT_TRUE(d.start());
    EXPECT_TRUE(d.records.empty());

    ASSERT_NO_ERROR(d.receive(s3_client_hello_record));
    ASSERT_EQ(d.records.size(), 2u);
    EXPECT_EQ(hex(d.records[0]), s3_server_hello_record);
    EXPECT_EQ(hex(d.records[1]), s3_server_flight_record);
    EXPECT_EQ(rsa.weak_signatures, 1); // the trace's signature covers our transcript
    EXPECT_EQ(d.secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], s3_c_hs_traffic);
    EXPECT_EQ(d.secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], s3_s_hs_traffic);
    EXPECT_EQ(d.secrets["CLIENT_TRAFFIC_SECRET_0"], s3_c_ap_traffic);
    EXPECT_EQ(d.secrets["SERVER_TRAFFIC_SECRET_0"], s3_s_ap_traffic);
    EXPECT_EQ(d.secrets["EXPORTER_SECRET"], s3_exporter);
    EXPECT_FALSE(d.machine->is_connected());

    ASSERT_NO_ERROR(d.receive(s3_client_finished_record));
    EXPECT_TRUE(d.machine->is_connected());
    ASSERT_TRUE(d.summary.has_value());
    EXPECT_EQ(d.summary->server_name, "server");
    // The NewSessionTicket, the server's first record under its application key.
    ASSERT_EQ(d.records.size(), 3u);
    EXPECT_EQ(hex(d.records[2]), s3_new_session_ticket_record);

    EXPECT_EQ(hex(d.seal(record::content_type::application_data, app_payload())), s3_server_app_record);
    auto [type, data] = d.open(s3_client_app_record);
    EXPECT_EQ(type, record::content_type::application_data);
    EXPECT_EQ(data, app_payload());
}

TEST(rfc8448, trace_rsa_key_and_signature) {
    // The section 2 key is the certificate's key.
    auto key = rfc8448_rsa_key();
    auto &p = crypto::openssl_provider();
    auto pub = p.public_key_of(key);
    ASSERT_TRUE(pub.has_value());
    EXPECT_EQ(pub->bits(), 1024u);
    auto spki = p.export_public_key_spki(*pub);
    ASSERT_TRUE(spki.has_value());
    const std::string cert = s3_server_certificate;
    EXPECT_NE(cert.find(hex(*spki)), std::string::npos);

    // The library itself refuses RSA below 2048 bits, hence the test provider.
    const auto sp = lookup_scheme(codec::signature_scheme::rsa_pss_rsae_sha256, true);
    ASSERT_TRUE(sp.has_value());
    const bytes message = {'r', 'f', 'c', '8', '4', '4', '8'};
    auto refused = p.sign(key, sp->params, message);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error(), make_error_code(crypto::crypto_errc::invalid_key));

    // The test provider hands out a queued signature only when it verifies over the message.
    trace_rsa_provider rsa;
    rsa.signatures.push_back(unhex(s3_server_signature));
    auto wrong = rsa.sign(key, sp->params, message);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error(), make_error_code(crypto::crypto_errc::bad_signature));
    EXPECT_FALSE(rsa.verify(*pub, sp->params, message, unhex(s3_server_signature)).has_value());
    EXPECT_EQ(rsa.weak_signatures, 0);

    // The server's x25519 key is the one behind the trace's ServerHello share.
    auto x = p.import_raw_private_key(crypto::key_type::x25519, unhex(s3_server_x25519));
    ASSERT_TRUE(x.has_value());
    auto x_pub = p.key_exchange_public_bytes(*x);
    ASSERT_TRUE(x_pub.has_value());
    EXPECT_EQ(hex(*x_pub), s3_server_x25519_public);
}

// ---- section 4 ------------------------------------------------------------------------------

TEST(rfc8448, resumed_client_hello_binder_is_byte_exact) {
    // Section 3 first, to get the ticket and its PSK the way a client does.
    section3_client first;
    ASSERT_TRUE(first.driver->start());
    ASSERT_NO_ERROR(first.driver->receive(s3_server_hello_record));
    ASSERT_NO_ERROR(first.driver->receive(s3_server_flight_record));
    ASSERT_NO_ERROR(first.driver->receive(s3_new_session_ticket_record));
    auto session = first.cfg->sessions->take("server", first.provider.now_seconds());
    ASSERT_TRUE(session.has_value());
    EXPECT_EQ(hex(session->psk->view()), s3_resumption_psk);

    // The trace's client resumes 6 ms later; at our one-second clock resolution that age reads
    // as 0, so the 6 ms are folded into ticket_age_add.
    session->ticket_age_add += 6;

    const bytes ch = unhex(s4_client_hello);
    trace_rsa_provider rsa;
    crypto::insecure_deterministic_provider provider(0, crypto::insecure_deterministic_provider::default_now, rsa);
    provider.push_random(std::span(ch).subspan(6, 32));
    provider.push_random(unhex(s4_client_x25519));
    auto cfg = trace_client_config(provider);
    cfg->sessions->put("server", *session);
    auto d = trace_client(cfg, ch);
    ASSERT_TRUE(d->start());
    ASSERT_EQ(d->messages.size(), 1u);
    EXPECT_EQ(hex(d->messages[0]), s4_client_hello);
    // The binder is the last 32 bytes.
    EXPECT_EQ(hex(std::span(d->messages[0]).last(32)),
              "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d");
    EXPECT_TRUE(cfg->sessions->size() == 0u); // a ticket is used once
}

TEST(rfc8448, resumed_server_hello_is_byte_exact_and_early_data_is_refused) {
    // The section 4 ClientHello offers the section 3 ticket and early data. Our server accepts
    // the PSK (the trace's ticket is opened by a hook into the section 3 resumption PSK), answers
    // with the trace's ServerHello byte for byte and derives the trace's handshake secrets; its
    // EncryptedExtensions then refuse early data (no early_data extension), where the trace's
    // server accepted it, so the rest of the trace does not apply.
    trace_rsa_provider rsa;
    crypto::insecure_deterministic_provider provider(0, crypto::insecure_deterministic_provider::default_now, rsa);
    const bytes sh = unhex(s4_server_hello);
    provider.push_random(unhex(s4_server_x25519));
    provider.push_random(std::span(sh).subspan(6, 32));

    auto cert = std::make_shared<certified_key>();
    cert->chain = {unhex(s3_server_certificate)};
    cert->key = rfc8448_rsa_key();
    cert->dns_names = {"server"};
    auto cfg = std::make_shared<handshake_config>();
    cfg->provider = &provider;
    cfg->is_server = true;
    cfg->certificates = {cert};
    cfg->record_size_limit = 0x4001;
    cfg->verify_peer = false;
    cfg->tickets = std::make_shared<ticket_keys>(crypto::openssl_provider());
    cfg->tickets_per_handshake = 0;

    const auto trace_tickets = open_trace_flight(s3_new_session_ticket_record, s3_s_ap_traffic);
    ASSERT_EQ(trace_tickets.size(), 1u);
    auto trace_nst = codec::decode_new_session_ticket_tls13(trace_tickets[0].body());
    ASSERT_TRUE(trace_nst.has_value());
    int opened = 0;
    server_tls13_options opts;
    opts.open_ticket = [&](bytes_view identity) -> std::optional<server_ticket_state> {
        ++opened;
        if (!std::equal(identity.begin(), identity.end(), trace_nst->ticket.begin(), trace_nst->ticket.end())) {
            return std::nullopt;
        }
        server_ticket_state st;
        st.suite = codec::cipher_suite::tls_aes_128_gcm_sha256;
        st.psk = crypto::secret_buffer(unhex(s3_resumption_psk));
        st.ticket_age_add = trace_nst->ticket_age_add;
        st.issued_at_seconds = provider.now_seconds();
        st.lifetime_seconds = trace_nst->ticket_lifetime;
        st.server_name = "server";
        return st;
    };
    trace_driver d(make_server_machine_for_test(cfg, std::move(opts)), false);
    ASSERT_TRUE(d.start());

    const bytes ch = unhex(s4_client_hello);
    bytes rec{0x16, 0x03, 0x01, static_cast<std::uint8_t>(ch.size() >> 8), static_cast<std::uint8_t>(ch.size())};
    rec.insert(rec.end(), ch.begin(), ch.end());
    ASSERT_NO_ERROR(d.receive(hex(rec).c_str()));
    EXPECT_EQ(opened, 1);
    ASSERT_EQ(d.records.size(), 2u);
    EXPECT_EQ(hex(d.records[0]), std::string("1603030060") + s4_server_hello);
    EXPECT_EQ(d.secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], s4_c_hs_traffic);
    EXPECT_EQ(d.secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], s4_s_hs_traffic);

    // EncryptedExtensions and Finished only (a PSK handshake), without early_data.
    const auto flight = open_trace_flight(hex(d.records[1]).c_str(), s4_s_hs_traffic);
    ASSERT_EQ(flight.size(), 2u);
    EXPECT_EQ(flight[0].type, codec::handshake_type::encrypted_extensions);
    auto ee = codec::decode_encrypted_extensions(flight[0].body());
    ASSERT_TRUE(ee.has_value());
    EXPECT_FALSE(ee->extensions.contains(extension_type::early_data));
    EXPECT_EQ(flight[1].type, codec::handshake_type::finished);
}

// ---- section 5 ------------------------------------------------------------------------------

TEST(rfc8448, hello_retry_request_client_is_byte_exact) {
    const bytes ch1 = body_of(s5_client_hello1_record);
    const bytes ch2 = body_of(s5_client_hello2_record.c_str());
    trace_rsa_provider rsa;
    crypto::insecure_deterministic_provider provider(0, crypto::insecure_deterministic_provider::default_now, rsa);
    provider.push_random(std::span(ch1).subspan(6, 32));
    provider.push_random(unhex(s5_client_x25519));
    provider.push_random(unhex(s5_client_p256)); // drawn when the HelloRetryRequest asks for P-256
    auto cfg = trace_client_config(provider);
    cfg->groups = {named_group::x25519, named_group::secp256r1, named_group::secp384r1};
    auto d = trace_client(cfg, ch1, ch2);

    ASSERT_TRUE(d->start());
    ASSERT_EQ(d->records.size(), 1u);
    EXPECT_EQ(hex(d->records[0]), s5_client_hello1_record);

    ASSERT_NO_ERROR(d->receive(s5_hello_retry_request_record));
    ASSERT_EQ(d->records.size(), 2u);
    EXPECT_EQ(hex(d->records[1]), s5_client_hello2_record);
    EXPECT_EQ(d->records[1].size(), 5u + 512u);
    EXPECT_TRUE(d->secrets.empty());

    ASSERT_NO_ERROR(d->receive(s5_server_hello_record));
    ASSERT_NO_ERROR(d->receive(s5_server_flight_record));
    ASSERT_EQ(d->records.size(), 3u);
    EXPECT_EQ(hex(d->records[2]), s5_client_finished_record);
    ASSERT_TRUE(d->summary.has_value());
    EXPECT_TRUE(d->summary->hello_retry);
    EXPECT_EQ(d->summary->group, named_group::secp256r1);
    EXPECT_EQ(d->summary->peer_signature_scheme, codec::signature_scheme::rsa_pss_rsae_sha256);
}

/// A section 5 server: the trace's certificate and key, P-256 only (so the trace's ClientHello,
/// which carries an x25519 share, gets a HelloRetryRequest), and the hooks that add what the
/// trace's server sent beyond ours (the cookie, supported_groups in EncryptedExtensions).
struct section5_server {
    trace_rsa_provider rsa;
    crypto::insecure_deterministic_provider provider{0, crypto::insecure_deterministic_provider::default_now, rsa};
    std::unique_ptr<trace_driver> driver;

    section5_server() {
        const auto flight = open_trace_flight(s5_server_flight_record, s5_s_hs_traffic);
        EXPECT_EQ(flight.size(), 4u);
        std::optional<codec::encrypted_extensions> trace_ee;
        for (const auto &m : flight) {
            if (m.type == codec::handshake_type::encrypted_extensions) {
                auto ee = codec::decode_encrypted_extensions(m.body());
                EXPECT_TRUE(ee.has_value());
                trace_ee = *ee;
            } else if (m.type == codec::handshake_type::certificate_verify) {
                auto cv = codec::decode_certificate_verify(m.body());
                EXPECT_TRUE(cv.has_value());
                rsa.signatures.push_back(cv->signature);
            }
        }
        EXPECT_TRUE(trace_ee.has_value());
        const bytes hrr_body = body_of(s5_hello_retry_request_record);
        auto trace_hrr = codec::decode_server_hello(std::span<const std::uint8_t>(hrr_body).subspan(4));
        EXPECT_TRUE(trace_hrr.has_value());

        // The server draws its P-256 key, then its random (none for the HelloRetryRequest).
        const bytes sh = body_of(s5_server_hello_record);
        provider.push_random(unhex(s5_server_p256));
        provider.push_random(std::span(sh).subspan(6, 32));

        auto cert = std::make_shared<certified_key>();
        cert->chain = {unhex(s3_server_certificate)};
        cert->key = rfc8448_rsa_key();
        cert->dns_names = {"server"};
        auto cfg = std::make_shared<handshake_config>();
        cfg->provider = &provider;
        cfg->is_server = true;
        cfg->certificates = {cert};
        cfg->groups = {named_group::secp256r1};
        cfg->record_size_limit = 0x4001;
        cfg->verify_peer = false;

        server_tls13_options opts;
        opts.adjust_hello_retry_request = [trace = trace_hrr ? trace_hrr->extensions : codec::extension_list{}](
                                              codec::server_hello &hrr) {
            hrr.extensions = in_trace_order(hrr.extensions, trace, {extension_type::cookie});
        };
        opts.adjust_encrypted_extensions = [trace = trace_ee ? trace_ee->extensions : codec::extension_list{}](
                                               codec::encrypted_extensions &ee) {
            ee.extensions = in_trace_order(ee.extensions, trace, {extension_type::supported_groups});
        };
        driver = std::make_unique<trace_driver>(make_server_machine_for_test(cfg, std::move(opts)), false);
        EXPECT_TRUE(driver->start());
    }
};

TEST(rfc8448, hello_retry_request_server_is_byte_exact) {
    section5_server srv;
    trace_driver &d = *srv.driver;
    ASSERT_NO_ERROR(d.receive(s5_client_hello1_record));
    ASSERT_EQ(d.records.size(), 1u);
    EXPECT_EQ(hex(d.records[0]), s5_hello_retry_request_record);
    EXPECT_TRUE(d.secrets.empty());

    ASSERT_NO_ERROR(d.receive(s5_client_hello2_record.c_str()));
    ASSERT_EQ(d.records.size(), 3u);
    EXPECT_EQ(hex(d.records[1]), s5_server_hello_record);
    EXPECT_EQ(hex(d.records[2]), s5_server_flight_record);
    EXPECT_EQ(srv.rsa.weak_signatures, 1); // the trace's signature covers our transcript
    EXPECT_EQ(d.secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], s5_c_hs_traffic);
    EXPECT_EQ(d.secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], s5_s_hs_traffic);
    EXPECT_EQ(d.secrets["CLIENT_TRAFFIC_SECRET_0"], s5_c_ap_traffic);
    EXPECT_EQ(d.secrets["SERVER_TRAFFIC_SECRET_0"], s5_s_ap_traffic);
    EXPECT_EQ(d.secrets["EXPORTER_SECRET"], s5_exporter);
    EXPECT_FALSE(d.machine->is_connected());

    ASSERT_NO_ERROR(d.receive(s5_client_finished_record));
    EXPECT_TRUE(d.machine->is_connected());
    ASSERT_TRUE(d.summary.has_value());
    EXPECT_TRUE(d.summary->hello_retry);
    EXPECT_EQ(d.summary->group, named_group::secp256r1);
}

TEST(rfc8448, hello_retry_request_cookie_must_come_back_unchanged) {
    // The trace's second ClientHello with one cookie byte changed: illegal_parameter.
    {
        section5_server srv;
        ASSERT_NO_ERROR(srv.driver->receive(s5_client_hello1_record));
        std::string tampered = s5_client_hello2_record;
        const auto at = tampered.find("002c0074");
        ASSERT_NE(at, std::string::npos);
        tampered[at + 12] = tampered[at + 12] == '0' ? '1' : '0';
        auto r = srv.driver->receive(tampered.c_str());
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error(), make_error_code(errc::illegal_parameter));
    }
    // Without the cookie: missing_extension.
    {
        section5_server srv;
        ASSERT_NO_ERROR(srv.driver->receive(s5_client_hello1_record));
        auto ch2 = decode_hello(body_of(s5_client_hello2_record.c_str()));
        std::erase_if(ch2.extensions.entries,
                      [](const codec::extension &e) { return codec::type_of(e) == extension_type::cookie; });
        const bytes msg = codec::serialize(ch2);
        bytes rec{0x16, 0x03, 0x03, static_cast<std::uint8_t>(msg.size() >> 8), static_cast<std::uint8_t>(msg.size())};
        rec.insert(rec.end(), msg.begin(), msg.end());
        auto r = srv.driver->receive(hex(rec).c_str());
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error(), make_error_code(errc::missing_extension));
    }
}

TEST(rfc8448, hello_retry_request_refused_twice) {
    // A second HelloRetryRequest in one handshake is unexpected_message (RFC 8446 4.1.4).
    const bytes ch1 = body_of(s5_client_hello1_record);
    const bytes ch2 = body_of(s5_client_hello2_record.c_str());
    trace_rsa_provider rsa;
    crypto::insecure_deterministic_provider provider(0, crypto::insecure_deterministic_provider::default_now, rsa);
    provider.push_random(std::span(ch1).subspan(6, 32));
    provider.push_random(unhex(s5_client_x25519));
    provider.push_random(unhex(s5_client_p256));
    auto cfg = trace_client_config(provider);
    cfg->groups = {named_group::x25519, named_group::secp256r1, named_group::secp384r1};
    auto d = trace_client(cfg, ch1, ch2);
    ASSERT_TRUE(d->start());
    ASSERT_NO_ERROR(d->receive(s5_hello_retry_request_record));
    auto again = d->receive(s5_hello_retry_request_record);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error(), make_error_code(errc::unexpected_message));
}

TEST(rfc8448, second_client_hello_goes_out_with_record_version_0303) {
    // RFC 8446 5.1: 0x0301 is allowed only on the initial ClientHello; the trace's second
    // ClientHello record starts 16 03 03. The connection driver does the same.
    crypto::insecure_deterministic_provider client_p(1);
    crypto::insecure_deterministic_provider server_p(2);
    auto ccfg = std::make_shared<handshake_config>();
    ccfg->provider = &client_p;
    ccfg->verify_peer = false;
    ccfg->key_share_groups = {named_group::x25519};
    auto scfg = std::make_shared<handshake_config>();
    scfg->provider = &server_p;
    scfg->is_server = true;
    scfg->groups = {named_group::secp256r1};
    auto cert = std::make_shared<certified_key>();
    cert->chain = {unhex(s3_server_certificate)};
    cert->key = rfc8448_rsa_key();
    scfg->certificates = {cert};
    auto client = connection::client(context::from_config(ccfg));
    auto server = connection::server(context::from_config(scfg));
    ASSERT_TRUE(client && server);
    ASSERT_TRUE(client->start());
    bytes first(client->output().begin(), client->output().end());
    client->consume_output(first.size());
    ASSERT_GE(first.size(), 5u);
    EXPECT_EQ(hex(std::span(first).first(3)), "160301");
    server->feed(first);
    std::uint8_t buf[64];
    ASSERT_TRUE(server->read(buf));
    bytes hrr(server->output().begin(), server->output().end());
    server->consume_output(hrr.size());
    client->feed(hrr);
    ASSERT_TRUE(client->read(buf));
    bytes second(client->output().begin(), client->output().end());
    // change_cipher_spec (compatibility mode), then the second ClientHello.
    ASSERT_GE(second.size(), 6u + 5u);
    EXPECT_EQ(hex(std::span(second).first(6)), "140303000101");
    EXPECT_EQ(hex(std::span(second).subspan(6, 3)), "160303");
}

// ---- section 6 ------------------------------------------------------------------------------

/// What section 6's peers sent beyond section 3's, taken from the trace's own records (opened
/// with the trace's handshake secrets, so a wrong secret fails here already).
struct section6_trace {
    codec::encrypted_extensions ee;
    codec::certificate_request_tls13 cr;
    bytes server_certificate;
    bytes server_signature;
    codec::signature_scheme server_scheme{};
    bytes client_certificate;
    bytes client_signature;
    codec::signature_scheme client_scheme{};

    section6_trace() {
        const auto server = open_trace_flight(s6_server_flight_record, s6_s_hs_traffic);
        EXPECT_EQ(server.size(), 5u);
        const auto client = open_trace_flight(s6_client_flight_record, s6_c_hs_traffic);
        EXPECT_EQ(client.size(), 3u);
        if (server.size() != 5u || client.size() != 3u) {
            return;
        }
        EXPECT_EQ(server[4].type, codec::handshake_type::finished);
        EXPECT_EQ(client[2].type, codec::handshake_type::finished);
        auto e = codec::decode_encrypted_extensions(server[0].body());
        EXPECT_EQ(hex(server[1].bytes), s6_certificate_request);
        auto r = codec::decode_certificate_request_tls13(server[1].body());
        auto sc = codec::decode_certificate_tls13(server[2].body());
        auto sv = codec::decode_certificate_verify(server[3].body());
        auto cc = codec::decode_certificate_tls13(client[0].body());
        auto cv = codec::decode_certificate_verify(client[1].body());
        EXPECT_TRUE(e && r && sc && sv && cc && cv);
        if (!e || !r || !sc || !sv || !cc || !cv) {
            return;
        }
        EXPECT_EQ(sc->entries.size(), 1u);
        EXPECT_EQ(cc->entries.size(), 1u);
        if (sc->entries.size() != 1u || cc->entries.size() != 1u) {
            return;
        }
        ee = *e;
        cr = *r;
        server_certificate = sc->entries[0].cert_data;
        server_signature = sv->signature;
        server_scheme = sv->algorithm;
        client_certificate = cc->entries[0].cert_data;
        client_signature = cv->signature;
        client_scheme = cv->algorithm;
    }
};

/// The public key of a trace certificate.
crypto::public_key certificate_key(const bytes &der) {
    auto cert = x509::certificate::parse(der);
    EXPECT_TRUE(cert.has_value());
    if (!cert) {
        return {};
    }
    auto key = crypto::openssl_provider().import_public_key_spki(cert->spki_der());
    EXPECT_TRUE(key.has_value());
    return key ? *key : crypto::public_key{};
}

/// The AES-128-GCM record protection of a trace traffic secret, at sequence number 0.
result<record::tls13_record_protection> trace_key(const char *secret_hex) {
    return record::tls13_record_protection::create(crypto::openssl_provider(), crypto::aead_algorithm::aes_128_gcm,
                                                   crypto::hash_algorithm::sha256, unhex(secret_hex));
}

/// HKDF-Expand-Label(secret, label, context, 32) with SHA-256 (RFC 8446 7.1).
std::string expand_label(const std::string &secret_hex, const std::string &label, const bytes &context) {
    const std::string full = "tls13 " + label;
    bytes info{0x00, 0x20, static_cast<std::uint8_t>(full.size())};
    info.insert(info.end(), full.begin(), full.end());
    info.push_back(static_cast<std::uint8_t>(context.size()));
    info.insert(info.end(), context.begin(), context.end());
    bytes out(32);
    EXPECT_TRUE(
        crypto::openssl_provider().hkdf_expand(crypto::hash_algorithm::sha256, unhex(secret_hex), info, out));
    return hex(out);
}

TEST(rfc8448, client_authentication_trace_keys) {
    // Section 6's server has a P-256 certificate (not section 3's RSA one) and signs with
    // ecdsa_secp256r1_sha256; the client's certificate ("client") carries a 1024-bit RSA key of
    // its own, not the section 2 key, and neither private key is published.
    const section6_trace trace;
    EXPECT_EQ(trace.server_scheme, codec::signature_scheme::ecdsa_secp256r1_sha256);
    EXPECT_EQ(trace.client_scheme, codec::signature_scheme::rsa_pss_rsae_sha256);
    const auto server_key = certificate_key(trace.server_certificate);
    EXPECT_EQ(server_key.type(), crypto::key_type::ec_p256);
    const auto client_key = certificate_key(trace.client_certificate);
    EXPECT_EQ(client_key.type(), crypto::key_type::rsa);
    EXPECT_EQ(client_key.bits(), 1024u);
    auto section2 = crypto::openssl_provider().public_key_of(rfc8448_rsa_key());
    ASSERT_TRUE(section2.has_value());
    auto spki = crypto::openssl_provider().export_public_key_spki(*section2);
    ASSERT_TRUE(spki.has_value());
    EXPECT_EQ(hex(trace.client_certificate).find(hex(*spki)), std::string::npos);
    EXPECT_NE(hex(trace.client_certificate).find(hex(bytes{'c', 'l', 'i', 'e', 'n', 't'})), std::string::npos);

    // A stand-in signs only with a signature that verifies under the trace's certificate.
    const auto sp = lookup_scheme(codec::signature_scheme::ecdsa_secp256r1_sha256, true);
    ASSERT_TRUE(sp.has_value());
    trace_rsa_provider rsa;
    rsa.stand_ins.push_back({server_key, trace.server_signature});
    auto stand_in = crypto::openssl_provider().generate_private_key(crypto::key_type::ec_p256);
    ASSERT_TRUE(stand_in.has_value());
    auto wrong = rsa.sign(*stand_in, sp->params, bytes{'x'});
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error(), make_error_code(crypto::crypto_errc::bad_signature));
    EXPECT_EQ(rsa.stand_in_signatures, 0);
}

TEST(rfc8448, client_authentication_client_is_byte_exact) {
    const section6_trace trace;
    ASSERT_FALSE(trace.client_certificate.empty());
    trace_rsa_provider rsa;
    crypto::insecure_deterministic_provider provider(0, crypto::insecure_deterministic_provider::default_now, rsa);
    const bytes ch = body_of(s6_client_hello_record);
    provider.push_random(std::span(ch).subspan(6, 32)); // client random
    provider.push_random(unhex(s6_client_x25519));
    auto cfg = trace_client_config(provider);
    // The client's certificate. Its private key is not published: the section 2 key stands in
    // (same type and size) and the trace's CertificateVerify signature is handed out once it
    // verifies, under the certificate's key, over the content the client machine signs.
    auto cert = std::make_shared<certified_key>();
    cert->chain = {trace.client_certificate};
    cert->key = rfc8448_rsa_key();
    cfg->certificates = {cert};
    rsa.stand_ins.push_back({certificate_key(trace.client_certificate), trace.client_signature});
    auto d = trace_client(cfg, ch);

    ASSERT_TRUE(d->start());
    ASSERT_EQ(d->records.size(), 1u);
    EXPECT_EQ(hex(d->records[0]), s6_client_hello_record);

    ASSERT_NO_ERROR(d->receive(s6_server_hello_record));
    EXPECT_EQ(d->secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], s6_c_hs_traffic);
    EXPECT_EQ(d->secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], s6_s_hs_traffic);
    EXPECT_EQ(d->records.size(), 1u);

    // The server's flight (with its CertificateRequest) in; Certificate, CertificateVerify and
    // Finished out in one record, byte for byte.
    ASSERT_NO_ERROR(d->receive(s6_server_flight_record));
    ASSERT_EQ(d->records.size(), 2u);
    EXPECT_EQ(hex(d->records[1]), s6_client_flight_record);
    EXPECT_EQ(rsa.stand_in_signatures, 1); // the trace's signature covers our transcript
    EXPECT_EQ(rsa.weak_verifications, 0);  // the server's CertificateVerify is ECDSA
    EXPECT_EQ(d->secrets["CLIENT_TRAFFIC_SECRET_0"], s6_c_ap_traffic);
    EXPECT_EQ(d->secrets["SERVER_TRAFFIC_SECRET_0"], s6_s_ap_traffic);
    EXPECT_EQ(d->secrets["EXPORTER_SECRET"], s6_exporter);
    ASSERT_TRUE(d->summary.has_value());
    EXPECT_TRUE(d->machine->is_connected());
    EXPECT_EQ(d->summary->suite, codec::cipher_suite::tls_aes_128_gcm_sha256);
    EXPECT_EQ(d->summary->group, named_group::x25519);
    EXPECT_EQ(d->summary->peer_signature_scheme, codec::signature_scheme::ecdsa_secp256r1_sha256);
    ASSERT_EQ(d->summary->peer_chain.size(), 1u);
    EXPECT_EQ(d->summary->peer_chain[0], trace.server_certificate);

    // The trace has no NewSessionTicket. One sealed under the trace's server application secret
    // checks the resumption master secret: the cached PSK must be
    // HKDF-Expand-Label(resumption_master_secret, "resumption", nonce, 32).
    codec::new_session_ticket_tls13 nst;
    nst.ticket_lifetime = 30;
    nst.ticket_nonce = {0x00, 0x01};
    nst.ticket = {0x74, 0x69, 0x63, 0x6b, 0x65, 0x74};
    const bytes nst_bytes = codec::serialize(nst);
    auto server_app = trace_key(s6_s_ap_traffic);
    ASSERT_TRUE(server_app.has_value());
    bytes nst_record(server_app->sealed_size(nst_bytes.size()));
    std::copy(nst_bytes.begin(), nst_bytes.end(),
              nst_record.begin() + static_cast<std::ptrdiff_t>(server_app->prefix_size()));
    ASSERT_TRUE(server_app->seal(record::content_type::handshake, nst_record, nst_bytes.size()).has_value());
    ASSERT_NO_ERROR(d->receive(hex(nst_record).c_str()));
    auto session = cfg->sessions->take("server", provider.now_seconds());
    ASSERT_TRUE(session.has_value());
    ASSERT_TRUE(session->psk);
    EXPECT_EQ(hex(session->psk->view()), expand_label(s6_resumption_master, "resumption", nst.ticket_nonce));

    // The close_notify records: the client's sealed by the machine's application key; the
    // server's, the first record under the trace's server application key, opens to one.
    EXPECT_EQ(hex(d->seal(record::content_type::alert, {0x01, 0x00})), s6_client_close_notify_record);
    auto server_alert = trace_key(s6_s_ap_traffic);
    ASSERT_TRUE(server_alert.has_value());
    bytes alert_record = unhex(s6_server_close_notify_record);
    auto v = record::view_record(alert_record, record::max_tls13_ciphertext_length);
    ASSERT_TRUE(v.has_value());
    auto alert = server_alert->open(*v);
    ASSERT_TRUE(alert.has_value());
    EXPECT_EQ(alert->type, record::content_type::alert);
    EXPECT_EQ(bytes(alert->content.begin(), alert->content.end()), (bytes{0x01, 0x00}));
}

/// A section 6 server: the trace's P-256 certificate with a stand-in key (the trace's signature
/// handed out once it verifies under the certificate), client_auth `mode` and `trust`, and the
/// hooks that add what the trace's server sent beyond ours (supported_groups in
/// EncryptedExtensions, TLS 1.2-only schemes in the CertificateRequest).
struct section6_server {
    section6_trace trace;
    trace_rsa_provider rsa;
    crypto::insecure_deterministic_provider provider{0, crypto::insecure_deterministic_provider::default_now, rsa};
    std::unique_ptr<trace_driver> driver;

    explicit section6_server(client_auth_mode mode, std::shared_ptr<const x509::trust_store> trust = nullptr,
                             std::optional<std::int64_t> verify_time = std::nullopt) {
        const bytes sh = body_of(s6_server_hello_record);
        provider.push_random(unhex(s6_server_x25519)); // key share first, then the random
        provider.push_random(std::span(sh).subspan(6, 32));

        auto stand_in = crypto::openssl_provider().generate_private_key(crypto::key_type::ec_p256);
        EXPECT_TRUE(stand_in.has_value());
        auto cert = std::make_shared<certified_key>();
        cert->chain = {trace.server_certificate};
        cert->key = stand_in ? *stand_in : crypto::private_key{};
        cert->dns_names = {"server"};
        rsa.stand_ins.push_back({certificate_key(trace.server_certificate), trace.server_signature});

        auto cfg = std::make_shared<handshake_config>();
        cfg->provider = &provider;
        cfg->is_server = true;
        cfg->certificates = {cert};
        cfg->signature_schemes = trace_signature_schemes;
        cfg->record_size_limit = 0x4001;
        cfg->client_auth = mode;
        cfg->trust = std::move(trust);
        cfg->verify_time = verify_time;

        server_tls13_options opts;
        opts.adjust_encrypted_extensions = [t = trace.ee.extensions](codec::encrypted_extensions &ee) {
            ee.extensions = in_trace_order(ee.extensions, t, {extension_type::supported_groups});
        };
        // Ours lists the same schemes minus those TLS 1.3 cannot use; the trace's lists them all.
        opts.adjust_certificate_request = [t = trace.cr](codec::certificate_request_tls13 &cr) {
            EXPECT_TRUE(cr.certificate_request_context.empty());
            EXPECT_EQ(cr.extensions.size(), 1u);
            const auto *ours = cr.extensions.get<codec::ext::signature_algorithms>();
            const auto *theirs = t.extensions.get<codec::ext::signature_algorithms>();
            EXPECT_TRUE(ours != nullptr && theirs != nullptr);
            if (ours == nullptr || theirs == nullptr) {
                return;
            }
            std::vector<codec::signature_scheme> tls13_only;
            std::copy_if(theirs->schemes.begin(), theirs->schemes.end(), std::back_inserter(tls13_only),
                         [](codec::signature_scheme s) { return lookup_scheme(s, true).has_value(); });
            EXPECT_EQ(ours->schemes, tls13_only);
            EXPECT_LT(ours->schemes.size(), theirs->schemes.size());
            cr = t;
        };
        driver = std::make_unique<trace_driver>(make_server_machine_for_test(cfg, std::move(opts)), false);
        EXPECT_TRUE(driver->start());
    }
};

TEST(rfc8448, client_authentication_server_is_byte_exact) {
    // No trust anchors, client certificates optional: the trace's client certificate is taken
    // unverified (its CertificateVerify still has to verify under it).
    section6_server srv(client_auth_mode::optional);
    ASSERT_FALSE(srv.trace.client_certificate.empty());
    trace_driver &d = *srv.driver;
    ASSERT_NO_ERROR(d.receive(s6_client_hello_record));
    ASSERT_EQ(d.records.size(), 2u);
    EXPECT_EQ(hex(d.records[0]), s6_server_hello_record);
    EXPECT_EQ(hex(d.records[1]), s6_server_flight_record);
    EXPECT_EQ(srv.rsa.stand_in_signatures, 1); // the trace's ECDSA signature covers our transcript
    EXPECT_EQ(d.secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], s6_c_hs_traffic);
    EXPECT_EQ(d.secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], s6_s_hs_traffic);
    EXPECT_EQ(d.secrets["CLIENT_TRAFFIC_SECRET_0"], s6_c_ap_traffic);
    EXPECT_EQ(d.secrets["SERVER_TRAFFIC_SECRET_0"], s6_s_ap_traffic);
    EXPECT_EQ(d.secrets["EXPORTER_SECRET"], s6_exporter);
    EXPECT_FALSE(d.machine->is_connected());

    ASSERT_NO_ERROR(d.receive(s6_client_flight_record));
    EXPECT_TRUE(d.machine->is_connected());
    EXPECT_EQ(srv.rsa.weak_verifications, 1); // the client's CertificateVerify, checked
    ASSERT_TRUE(d.summary.has_value());
    EXPECT_EQ(d.summary->server_name, "server");
    EXPECT_EQ(d.summary->peer_signature_scheme, codec::signature_scheme::rsa_pss_rsae_sha256);
    EXPECT_FALSE(d.summary->peer_verified);
    ASSERT_EQ(d.summary->peer_chain.size(), 1u);
    EXPECT_EQ(d.summary->peer_chain[0], srv.trace.client_certificate);
    EXPECT_EQ(d.records.size(), 2u); // no tickets configured

    EXPECT_EQ(hex(d.seal(record::content_type::alert, {0x01, 0x00})), s6_server_close_notify_record);
    auto [alert_type, alert] = d.open(s6_client_close_notify_record);
    EXPECT_EQ(alert_type, record::content_type::alert);
    EXPECT_EQ(alert, (bytes{0x01, 0x00}));
}

TEST(rfc8448, client_authentication_server_verifies_the_client_certificate) {
    // The trace's client certificate is self-signed; with it as the only trust anchor and a
    // validation time inside its validity (2016-07-30 to 2026-07-30), client_auth required
    // accepts it as verified. The key size is no obstacle to the chain check (the leaf is the
    // anchor itself); the 1024-bit CertificateVerify is checked by the test provider.
    const section6_trace trace;
    auto trust = std::make_shared<x509::trust_store>();
    ASSERT_TRUE(trust->add_der(trace.client_certificate).has_value());
    {
        section6_server srv(client_auth_mode::required, trust, 1'500'000'000); // 2017-07-14
        ASSERT_NO_ERROR(srv.driver->receive(s6_client_hello_record));
        EXPECT_EQ(hex(srv.driver->records.at(1)), s6_server_flight_record);
        ASSERT_NO_ERROR(srv.driver->receive(s6_client_flight_record));
        EXPECT_TRUE(srv.driver->machine->is_connected());
        ASSERT_TRUE(srv.driver->summary.has_value());
        EXPECT_TRUE(srv.driver->summary->peer_verified);
        ASSERT_EQ(srv.driver->summary->peer_chain.size(), 1u);
        EXPECT_EQ(srv.driver->summary->peer_chain[0], trace.client_certificate);
        EXPECT_EQ(srv.rsa.weak_verifications, 1);
    }
    // After its notAfter the same certificate is refused.
    {
        section6_server srv(client_auth_mode::required, trust, 1'800'000'000); // 2027-01-15
        ASSERT_NO_ERROR(srv.driver->receive(s6_client_hello_record));
        auto r = srv.driver->receive(s6_client_flight_record);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error(), make_error_code(io_errc::tls_certificate_expired)) << r.error().message();
        EXPECT_FALSE(srv.driver->machine->is_connected());
    }
    // Trusting something else (section 3's server certificate): refused.
    {
        auto other = std::make_shared<x509::trust_store>();
        ASSERT_TRUE(other->add_der(unhex(s3_server_certificate)).has_value());
        section6_server srv(client_auth_mode::required, other, 1'500'000'000);
        ASSERT_NO_ERROR(srv.driver->receive(s6_client_hello_record));
        auto r = srv.driver->receive(s6_client_flight_record);
        ASSERT_FALSE(r.has_value());
        EXPECT_FALSE(srv.driver->machine->is_connected());
        EXPECT_EQ(srv.rsa.weak_verifications, 0); // refused before the CertificateVerify
    }
}

} // namespace
} // namespace awsio::tls
