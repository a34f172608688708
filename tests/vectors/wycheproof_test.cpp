// Project Wycheproof vectors (AWSIO_VECTORS_DIR/wycheproof) run against the crypto provider.
// One test per file. Every case is checked against its expected result: `valid` must succeed
// with the stated output, `invalid` must be refused, `acceptable` may go either way (both
// counts are reported) but must give the stated output if it succeeds. Cases whose parameters
// the primitive does not offer are skipped and counted (see `skip` below for the reasons);
// ran + skipped must equal the file's numberOfTests.
#include "crypto/provider.hpp"
#include "support/json.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <string>

using namespace awsio;
using namespace awsio::crypto;
namespace json = awsio::test::json;

namespace {

std::vector<std::uint8_t> unhex(const std::string &hex) {
    std::vector<std::uint8_t> out;
    out.reserve(hex.size() / 2);
    auto nibble = [](char c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    };
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
    }
    return out;
}

std::vector<std::uint8_t> field(const json::value &v, std::string_view name) { return unhex(v[name].as_string()); }

enum class outcome {
    succeeded,    ///< accepted, with the expected output
    rejected,     ///< the primitive refused the input (or the MAC/signature did not verify)
    wrong_output, ///< accepted but produced something else: always a failure
    skipped,      ///< parameters the primitive does not offer
};

std::optional<hash_algorithm> hash_named(const std::string &name) {
    if (name == "SHA-1") return hash_algorithm::sha1;
    if (name == "SHA-256") return hash_algorithm::sha256;
    if (name == "SHA-384") return hash_algorithm::sha384;
    if (name == "SHA-512") return hash_algorithm::sha512;
    return std::nullopt;
}

using case_fn = std::function<outcome(const json::value &group, const json::value &test)>;

bool has_flag(const json::value &test, const std::vector<std::string> &flags) {
    for (const json::value &f : test["flags"].items()) {
        for (const std::string &want : flags) {
            if (f.as_string() == want) {
                return true;
            }
        }
    }
    return false;
}

// Runs every case of `file`, checks it, reports counts. `skip_reason` documents skips.
// `reject_flags`: acceptable cases carrying one of these flags must be refused (our policy is
// stricter than "either way" there, e.g. RFC 8446 7.4.2's all-zero X25519 secret).
void run_file(const std::string &file, const case_fn &fn, const char *skip_reason = "",
              const std::vector<std::string> &reject_flags = {}) {
    const std::string path = std::string(AWSIO_VECTORS_DIR) + "/wycheproof/" + file;
    std::string error;
    std::optional<json::value> doc = json::parse_file(path, &error);
    ASSERT_TRUE(doc) << path << ": " << error;
    std::size_t valid_ok = 0, invalid_ok = 0, acceptable_yes = 0, acceptable_no = 0, skipped = 0, ran = 0;
    std::size_t failures = 0;
    for (const json::value &group : (*doc)["testGroups"].items()) {
        for (const json::value &test : group["tests"].items()) {
            const std::string &expected = test["result"].as_string();
            const std::int64_t id = test["tcId"].as_int();
            const outcome got = fn(group, test);
            if (got == outcome::skipped) {
                ++skipped;
                continue;
            }
            ++ran;
            bool ok = false;
            if (expected == "valid") {
                ok = got == outcome::succeeded;
                valid_ok += ok ? 1 : 0;
            } else if (expected == "invalid") {
                ok = got == outcome::rejected;
                invalid_ok += ok ? 1 : 0;
            } else if (expected == "acceptable") {
                ok = got != outcome::wrong_output && (got == outcome::rejected || !has_flag(test, reject_flags));
                (got == outcome::succeeded ? acceptable_yes : acceptable_no) += ok ? 1 : 0;
            }
            if (!ok && ++failures <= 25) {
                ADD_FAILURE() << file << " tcId " << id << " (" << test["comment"].as_string() << "): expected "
                              << expected << ", got "
                              << (got == outcome::succeeded  ? "success"
                                  : got == outcome::rejected ? "rejection"
                                                             : "wrong output");
            }
        }
    }
    EXPECT_EQ(failures, 0u) << file;
    EXPECT_EQ(static_cast<std::int64_t>(ran + skipped), (*doc)["numberOfTests"].as_int()) << file;
    EXPECT_GT(ran, 0u) << file;
    std::cout << "[wycheproof] " << file << ": " << ran << " run (valid passed " << valid_ok
              << ", invalid rejected " << invalid_ok << ", acceptable accepted " << acceptable_yes
              << " / rejected " << acceptable_no << "), skipped " << skipped
              << (skipped ? std::string(" — ") + skip_reason : std::string()) << "\n";
    ::testing::Test::RecordProperty("run", static_cast<int>(ran));
    ::testing::Test::RecordProperty("skipped", static_cast<int>(skipped));
}

// --- AEAD ------------------------------------------------------------------------------------

outcome aead_case(aead_algorithm alg, const json::value &group, const json::value &test) {
    const auto key = field(test, "key");
    const auto iv = field(test, "iv");
    const auto aad = field(test, "aad");
    const auto msg = field(test, "msg");
    const auto ct = field(test, "ct");
    const auto tag = field(test, "tag");
    const bool params_supported = group["ivSize"].as_int() == 96 && group["tagSize"].as_int() == 128;
    // Other nonce/tag sizes are outside TLS: valid ones are skipped; invalid ones are run,
    // since refusing them is exactly what is required.
    if (!params_supported && test["result"].as_string() != "invalid") {
        return outcome::skipped;
    }
    auto ctx = openssl_provider().make_aead(alg, key);
    if (!ctx) {
        return outcome::rejected;
    }
    auto buf = ct;
    if (!(*ctx)->open(iv, aad, buf, tag)) {
        return outcome::rejected;
    }
    if (buf != msg) {
        return outcome::wrong_output;
    }
    std::uint8_t sealed_tag[16];
    if (!(*ctx)->seal(iv, aad, buf, sealed_tag) || buf != ct ||
        std::vector<std::uint8_t>(sealed_tag, sealed_tag + 16) != tag) {
        return outcome::wrong_output;
    }
    return outcome::succeeded;
}

// --- MAC / KDF -------------------------------------------------------------------------------

outcome hmac_case(hash_algorithm h, const json::value &group, const json::value &test) {
    const auto tag = field(test, "tag");
    const auto tag_bytes = static_cast<std::size_t>(group["tagSize"].as_int() / 8);
    auto mac = openssl_provider().hmac(h, field(test, "key"), field(test, "msg"));
    if (!mac) {
        return outcome::rejected;
    }
    if (tag.size() != tag_bytes || tag_bytes > mac->size()) {
        return outcome::rejected;
    }
    return constant_time_equal(mac->view().first(tag_bytes), tag) ? outcome::succeeded : outcome::rejected;
}

outcome hkdf_case(hash_algorithm h, const json::value &, const json::value &test) {
    auto prk = openssl_provider().hkdf_extract(h, field(test, "salt"), field(test, "ikm"));
    if (!prk) {
        return outcome::rejected;
    }
    std::vector<std::uint8_t> okm(static_cast<std::size_t>(test["size"].as_int()));
    if (!openssl_provider().hkdf_expand(h, *prk, field(test, "info"), okm)) {
        return outcome::rejected;
    }
    return okm == field(test, "okm") ? outcome::succeeded : outcome::wrong_output;
}

// --- key agreement ---------------------------------------------------------------------------

std::optional<key_type> curve_named(const std::string &name) {
    if (name == "secp256r1") return key_type::ec_p256;
    if (name == "secp384r1") return key_type::ec_p384;
    if (name == "curve25519") return key_type::x25519;
    return std::nullopt;
}

outcome ecdh_case(bool spki, const json::value &group, const json::value &test) {
    const std::optional<key_type> t = curve_named(group["curve"].as_string());
    if (!t) {
        return outcome::skipped;
    }
    provider &p = openssl_provider();
    auto own = p.import_raw_private_key(*t, field(test, "private"));
    if (!own) {
        return outcome::rejected;
    }
    result<secret_buffer> shared = crypto_errc::internal;
    if (spki) {
        auto peer = p.import_public_key_spki(field(test, "public"));
        if (!peer) {
            return outcome::rejected;
        }
        shared = p.key_agreement(*own, *peer);
    } else {
        shared = p.key_agreement(*own, field(test, "public"));
    }
    if (!shared) {
        return outcome::rejected;
    }
    return constant_time_equal(shared->view(), field(test, "shared")) ? outcome::succeeded : outcome::wrong_output;
}

// --- signatures ------------------------------------------------------------------------------

outcome verify_case(const public_key &key, const signature_params &params, const json::value &test) {
    return openssl_provider().verify(key, params, field(test, "msg"), field(test, "sig")) ? outcome::succeeded
                                                                                        : outcome::rejected;
}

outcome ecdsa_case(signature_algorithm alg, const json::value &group, const json::value &test) {
    const std::optional<hash_algorithm> h = hash_named(group["sha"].as_string());
    if (!h) {
        return outcome::skipped;
    }
    auto key = openssl_provider().import_public_key_spki(field(group, "publicKeyDer"));
    if (!key) {
        return outcome::rejected;
    }
    return verify_case(*key, {alg, *h, std::nullopt}, test);
}

outcome ed25519_case(const json::value &group, const json::value &test) {
    auto key = openssl_provider().import_raw_public_key(key_type::ed25519, field(group["publicKey"], "pk"));
    if (!key) {
        return outcome::rejected;
    }
    return verify_case(*key, {signature_algorithm::ed25519, hash_algorithm::sha512, std::nullopt}, test);
}

outcome rsa_pkcs1_case(const json::value &group, const json::value &test) {
    const std::optional<hash_algorithm> h = hash_named(group["sha"].as_string());
    if (!h) {
        return outcome::skipped;
    }
    auto key = openssl_provider().import_public_key_spki(field(group, "publicKeyDer"));
    if (!key) {
        return outcome::rejected;
    }
    return verify_case(*key, {signature_algorithm::rsa_pkcs1, *h, std::nullopt}, test);
}

outcome rsa_pss_case(const json::value &group, const json::value &test) {
    const std::optional<hash_algorithm> h = hash_named(group["sha"].as_string());
    // MGF1 over another hash than the message hash is not offered (TLS never uses it).
    if (!h || group["mgf"].as_string() != "MGF1" || group["mgfSha"].as_string() != group["sha"].as_string()) {
        return outcome::skipped;
    }
    auto key = openssl_provider().import_public_key_spki(field(group, "publicKeyDer"));
    if (!key) {
        return outcome::rejected;
    }
    return verify_case(*key, {signature_algorithm::rsa_pss, *h, static_cast<std::size_t>(group["sLen"].as_int())},
                       test);
}

} // namespace

// --- one test per file -----------------------------------------------------------------------

TEST(wycheproof, aes_gcm) {
    run_file("aes_gcm_test.json", [](const json::value &g, const json::value &t) {
        switch (g["keySize"].as_int()) {
        case 128:
            return aead_case(aead_algorithm::aes_128_gcm, g, t);
        case 256:
            return aead_case(aead_algorithm::aes_256_gcm, g, t);
        default:
            return outcome::skipped; // AES-192-GCM is not a TLS cipher suite
        }
    }, "AES-192 keys, and valid cases with IVs other than 96 bits (TLS uses 96-bit nonces only)");
}

TEST(wycheproof, chacha20_poly1305) {
    run_file("chacha20_poly1305_test.json", [](const json::value &g, const json::value &t) {
        return aead_case(aead_algorithm::chacha20_poly1305, g, t);
    }, "valid cases with nonces other than 96 bits");
}

TEST(wycheproof, hmac_sha256) {
    run_file("hmac_sha256_test.json", [](const json::value &g, const json::value &t) {
        return hmac_case(hash_algorithm::sha256, g, t);
    });
}
TEST(wycheproof, hmac_sha384) {
    run_file("hmac_sha384_test.json", [](const json::value &g, const json::value &t) {
        return hmac_case(hash_algorithm::sha384, g, t);
    });
}
TEST(wycheproof, hmac_sha512) {
    run_file("hmac_sha512_test.json", [](const json::value &g, const json::value &t) {
        return hmac_case(hash_algorithm::sha512, g, t);
    });
}

TEST(wycheproof, hkdf_sha256) {
    run_file("hkdf_sha256_test.json", [](const json::value &g, const json::value &t) {
        return hkdf_case(hash_algorithm::sha256, g, t);
    });
}
TEST(wycheproof, hkdf_sha384) {
    run_file("hkdf_sha384_test.json", [](const json::value &g, const json::value &t) {
        return hkdf_case(hash_algorithm::sha384, g, t);
    });
}
TEST(wycheproof, hkdf_sha512) {
    run_file("hkdf_sha512_test.json", [](const json::value &g, const json::value &t) {
        return hkdf_case(hash_algorithm::sha512, g, t);
    });
}

TEST(wycheproof, x25519) {
    run_file("x25519_test.json", [](const json::value &g, const json::value &t) { return ecdh_case(false, g, t); },
             "", {"ZeroSharedSecret"});
}
TEST(wycheproof, ecdh_secp256r1) {
    // Explicit curve parameters ("UnnamedCurve") are refused on import; BER oddities in the SPKI
    // ("InvalidAsn") are left to libcrypto's decoder, which accepts a few of them.
    run_file("ecdh_secp256r1_test.json", [](const json::value &g, const json::value &t) { return ecdh_case(true, g, t); },
             "", {"UnnamedCurve"});
}
TEST(wycheproof, ecdh_secp256r1_ecpoint) {
    run_file("ecdh_secp256r1_ecpoint_test.json",
             [](const json::value &g, const json::value &t) { return ecdh_case(false, g, t); },
             "", {"CompressedPoint"}); // key_share carries uncompressed points only (RFC 8446 4.2.8.2)
}
TEST(wycheproof, ecdh_secp384r1) {
    // Explicit curve parameters ("UnnamedCurve") are refused on import; BER oddities in the SPKI
    // ("InvalidAsn") are left to libcrypto's decoder, which accepts a few of them.
    run_file("ecdh_secp384r1_test.json", [](const json::value &g, const json::value &t) { return ecdh_case(true, g, t); },
             "", {"UnnamedCurve"});
}
TEST(wycheproof, ecdh_secp384r1_ecpoint) {
    run_file("ecdh_secp384r1_ecpoint_test.json",
             [](const json::value &g, const json::value &t) { return ecdh_case(false, g, t); },
             "", {"CompressedPoint"}); // key_share carries uncompressed points only (RFC 8446 4.2.8.2)
}

TEST(wycheproof, ecdsa_secp256r1_sha256) {
    run_file("ecdsa_secp256r1_sha256_test.json",
             [](const json::value &g, const json::value &t) { return ecdsa_case(signature_algorithm::ecdsa, g, t); });
}
TEST(wycheproof, ecdsa_secp256r1_sha256_p1363) {
    run_file("ecdsa_secp256r1_sha256_p1363_test.json", [](const json::value &g, const json::value &t) {
        return ecdsa_case(signature_algorithm::ecdsa_p1363, g, t);
    });
}
TEST(wycheproof, ecdsa_secp384r1_sha384) {
    run_file("ecdsa_secp384r1_sha384_test.json",
             [](const json::value &g, const json::value &t) { return ecdsa_case(signature_algorithm::ecdsa, g, t); });
}
TEST(wycheproof, ecdsa_secp384r1_sha384_p1363) {
    run_file("ecdsa_secp384r1_sha384_p1363_test.json", [](const json::value &g, const json::value &t) {
        return ecdsa_case(signature_algorithm::ecdsa_p1363, g, t);
    });
}

TEST(wycheproof, ed25519) {
    run_file("ed25519_test.json", ed25519_case);
}

class wycheproof_rsa : public ::testing::TestWithParam<const char *> {};

TEST_P(wycheproof_rsa, file) {
    const std::string file = GetParam();
    if (file.rfind("rsa_pss_", 0) == 0) {
        run_file(file, rsa_pss_case, "MGF1 hash different from the message hash");
    } else {
        run_file(file, rsa_pkcs1_case);
    }
}

INSTANTIATE_TEST_SUITE_P(
    wycheproof, wycheproof_rsa,
    ::testing::Values("rsa_signature_2048_sha256_test.json", "rsa_signature_2048_sha384_test.json",
                      "rsa_signature_2048_sha512_test.json", "rsa_signature_3072_sha256_test.json",
                      "rsa_signature_3072_sha384_test.json", "rsa_signature_4096_sha256_test.json",
                      "rsa_signature_4096_sha384_test.json", "rsa_signature_4096_sha512_test.json",
                      "rsa_pss_2048_sha256_mgf1_0_test.json", "rsa_pss_2048_sha256_mgf1_32_params_test.json",
                      "rsa_pss_2048_sha256_mgf1_32_test.json", "rsa_pss_2048_sha384_mgf1_48_test.json",
                      "rsa_pss_3072_sha256_mgf1_32_test.json", "rsa_pss_4096_sha256_mgf1_32_test.json",
                      "rsa_pss_4096_sha384_mgf1_48_test.json", "rsa_pss_4096_sha512_mgf1_64_test.json"),
    [](const ::testing::TestParamInfo<const char *> &info) {
        std::string name = info.param;
        name = name.substr(0, name.size() - std::string("_test.json").size());
        return name;
    });
