// The OpenSSL 3 libcrypto backend of the crypto provider. Only EVP-level primitives are used
// (plus EC_GROUP/EC_POINT arithmetic to validate points and derive public keys); every call's
// result is checked and OpenSSL's thread-local error queue is cleared after a failure so that
// a refused input never leaves stale errors behind for unrelated code.
#include "crypto/provider.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h> // d2i_PUBKEY / i2d_PUBKEY only (key material, not certificates)

#include <chrono>
#include <climits>
#include <cstring>

namespace awsio::crypto {

std::string_view to_string(hash_algorithm h) noexcept {
    switch (h) {
    case hash_algorithm::sha1:
        return "sha1";
    case hash_algorithm::sha256:
        return "sha256";
    case hash_algorithm::sha384:
        return "sha384";
    case hash_algorithm::sha512:
        return "sha512";
    }
    return "unknown";
}

std::string_view to_string(aead_algorithm a) noexcept {
    switch (a) {
    case aead_algorithm::aes_128_gcm:
        return "aes_128_gcm";
    case aead_algorithm::aes_256_gcm:
        return "aes_256_gcm";
    case aead_algorithm::chacha20_poly1305:
        return "chacha20_poly1305";
    }
    return "unknown";
}

namespace {

// ---------------------------------------------------------------------------------------------
// RAII for the OpenSSL objects used here.

struct md_ctx_free {
    void operator()(EVP_MD_CTX *p) const noexcept { EVP_MD_CTX_free(p); }
};
struct mac_ctx_free {
    void operator()(EVP_MAC_CTX *p) const noexcept { EVP_MAC_CTX_free(p); }
};
struct cipher_ctx_free {
    void operator()(EVP_CIPHER_CTX *p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
struct pkey_free {
    void operator()(EVP_PKEY *p) const noexcept { EVP_PKEY_free(p); }
};
struct pkey_ctx_free {
    void operator()(EVP_PKEY_CTX *p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct bn_clear_free {
    void operator()(BIGNUM *p) const noexcept { BN_clear_free(p); }
};
struct group_free {
    void operator()(EC_GROUP *p) const noexcept { EC_GROUP_free(p); }
};
struct point_free {
    void operator()(EC_POINT *p) const noexcept { EC_POINT_free(p); }
};
struct param_bld_free {
    void operator()(OSSL_PARAM_BLD *p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct params_free {
    void operator()(OSSL_PARAM *p) const noexcept { OSSL_PARAM_free(p); }
};
struct encoder_ctx_free {
    void operator()(OSSL_ENCODER_CTX *p) const noexcept { OSSL_ENCODER_CTX_free(p); }
};

using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_free>;
using mac_ctx_ptr = std::unique_ptr<EVP_MAC_CTX, mac_ctx_free>;
using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_free>;
using bn_ptr = std::unique_ptr<BIGNUM, bn_clear_free>;
using group_ptr = std::unique_ptr<EC_GROUP, group_free>;
using point_ptr = std::unique_ptr<EC_POINT, point_free>;
using param_bld_ptr = std::unique_ptr<OSSL_PARAM_BLD, param_bld_free>;
using params_ptr = std::unique_ptr<OSSL_PARAM, params_free>;
using encoder_ctx_ptr = std::unique_ptr<OSSL_ENCODER_CTX, encoder_ctx_free>;

// A failure: drop whatever OpenSSL queued for this thread, report `e`.
unexpected fail(crypto_errc e) noexcept {
    ERR_clear_error();
    return unexpected(e);
}

// A non-null pointer for zero-length inputs (some EVP calls treat null as "no argument").
const unsigned char *nonnull(bytes_view b) noexcept {
    static const unsigned char empty = 0;
    return b.empty() ? &empty : b.data();
}

// ---------------------------------------------------------------------------------------------
// Algorithm objects, fetched once per process (an explicit fetch avoids the per-call implicit
// fetch and its locking in EVP_sha256() and friends).

const EVP_MD *fetch_md(hash_algorithm h) noexcept {
    static EVP_MD *const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    static EVP_MD *const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    static EVP_MD *const sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
    static EVP_MD *const sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
    switch (h) {
    case hash_algorithm::sha1:
        return sha1;
    case hash_algorithm::sha256:
        return sha256;
    case hash_algorithm::sha384:
        return sha384;
    case hash_algorithm::sha512:
        return sha512;
    }
    return nullptr;
}

const char *md_name(hash_algorithm h) noexcept {
    switch (h) {
    case hash_algorithm::sha1:
        return "SHA1";
    case hash_algorithm::sha256:
        return "SHA2-256";
    case hash_algorithm::sha384:
        return "SHA2-384";
    case hash_algorithm::sha512:
        return "SHA2-512";
    }
    return "";
}

EVP_MAC *fetch_hmac() noexcept {
    static EVP_MAC *const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
}

const EVP_CIPHER *fetch_cipher(aead_algorithm a) noexcept {
    static EVP_CIPHER *const aes128 = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
    static EVP_CIPHER *const aes256 = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    static EVP_CIPHER *const chacha = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
    switch (a) {
    case aead_algorithm::aes_128_gcm:
        return aes128;
    case aead_algorithm::aes_256_gcm:
        return aes256;
    case aead_algorithm::chacha20_poly1305:
        return chacha;
    }
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Hashes

class openssl_hash final : public hash_context {
public:
    openssl_hash(hash_algorithm h, md_ctx_ptr ctx) noexcept : alg_(h), ctx_(std::move(ctx)) {}

    static result<std::unique_ptr<hash_context>> create(hash_algorithm h) {
        const EVP_MD *md = fetch_md(h);
        if (md == nullptr) {
            return fail(crypto_errc::unsupported);
        }
        md_ctx_ptr ctx(EVP_MD_CTX_new());
        if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) {
            return fail(crypto_errc::internal);
        }
        return std::unique_ptr<hash_context>(std::make_unique<openssl_hash>(h, std::move(ctx)));
    }

    hash_algorithm algorithm() const noexcept override { return alg_; }

    void update(bytes_view data) noexcept override {
        if (!failed_ && !data.empty() && EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
            failed_ = true;
            ERR_clear_error();
        }
    }

    result<digest> current() const override {
        if (failed_) {
            return fail(crypto_errc::internal);
        }
        md_ctx_ptr copy(EVP_MD_CTX_new());
        if (!copy || EVP_MD_CTX_copy_ex(copy.get(), ctx_.get()) != 1) {
            return fail(crypto_errc::internal);
        }
        return final_of(copy.get());
    }

    result<digest> finish() override {
        if (failed_) {
            // Report the earlier failure and start over empty (still failed if that fails too).
            failed_ = EVP_DigestInit_ex(ctx_.get(), fetch_md(alg_), nullptr) != 1;
            return fail(crypto_errc::internal);
        }
        result<digest> d = final_of(ctx_.get());
        if (EVP_DigestInit_ex(ctx_.get(), fetch_md(alg_), nullptr) != 1) {
            failed_ = true;
            ERR_clear_error();
        }
        return d;
    }

    result<std::unique_ptr<hash_context>> clone() const override {
        md_ctx_ptr copy(EVP_MD_CTX_new());
        if (!copy || EVP_MD_CTX_copy_ex(copy.get(), ctx_.get()) != 1) {
            return fail(crypto_errc::internal);
        }
        auto out = std::make_unique<openssl_hash>(alg_, std::move(copy));
        out->failed_ = failed_;
        return std::unique_ptr<hash_context>(std::move(out));
    }

private:
    static result<digest> final_of(EVP_MD_CTX *ctx) noexcept {
        digest d;
        unsigned int len = 0;
        if (EVP_DigestFinal_ex(ctx, d.data(), &len) != 1) {
            return fail(crypto_errc::internal);
        }
        d.set_size(len);
        return d;
    }

    hash_algorithm alg_;
    md_ctx_ptr ctx_;
    bool failed_ = false;
};

// ---------------------------------------------------------------------------------------------
// HMAC (EVP_MAC "HMAC"; the deprecated HMAC_CTX API is not used)

class openssl_hmac final : public hmac_context {
public:
    openssl_hmac(hash_algorithm h, mac_ctx_ptr ctx) noexcept : alg_(h), ctx_(std::move(ctx)) {}

    static result<std::unique_ptr<openssl_hmac>> create(hash_algorithm h, bytes_view key) {
        EVP_MAC *mac = fetch_hmac();
        if (mac == nullptr || fetch_md(h) == nullptr) {
            return fail(crypto_errc::unsupported);
        }
        mac_ctx_ptr ctx(EVP_MAC_CTX_new(mac));
        if (!ctx) {
            return fail(crypto_errc::internal);
        }
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char *>(md_name(h)), 0),
            OSSL_PARAM_construct_end(),
        };
        // A non-null key pointer even for an empty key: a null key means "keep the old key".
        if (EVP_MAC_init(ctx.get(), nonnull(key), key.size(), params) != 1) {
            return fail(crypto_errc::internal);
        }
        return std::make_unique<openssl_hmac>(h, std::move(ctx));
    }

    hash_algorithm algorithm() const noexcept override { return alg_; }

    void update(bytes_view data) noexcept override {
        if (!failed_ && !data.empty() && EVP_MAC_update(ctx_.get(), data.data(), data.size()) != 1) {
            failed_ = true;
            ERR_clear_error();
        }
    }

    result<digest> finish() override {
        digest d;
        std::size_t len = 0;
        const bool ok = !failed_ && EVP_MAC_final(ctx_.get(), d.data(), &len, max_digest_size) == 1;
        // Re-initialise with the same key (a null key keeps the one set at creation).
        failed_ = EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1;
        if (!ok) {
            return fail(crypto_errc::internal);
        }
        if (failed_) {
            ERR_clear_error();
        }
        d.set_size(len);
        return d;
    }

    result<std::unique_ptr<hmac_context>> clone() const override {
        mac_ctx_ptr copy(EVP_MAC_CTX_dup(ctx_.get()));
        if (!copy) {
            return fail(crypto_errc::internal);
        }
        auto out = std::make_unique<openssl_hmac>(alg_, std::move(copy));
        out->failed_ = failed_;
        return std::unique_ptr<hmac_context>(std::move(out));
    }

private:
    hash_algorithm alg_;
    mac_ctx_ptr ctx_;
    bool failed_ = false;
};

// ---------------------------------------------------------------------------------------------
// AEAD: one EVP_CIPHER_CTX per key. The key schedule is set once; each record only re-runs
// the init with a new IV (and direction), so seal/open never allocate.

class openssl_aead final : public aead_context {
public:
    openssl_aead(aead_algorithm a, cipher_ctx_ptr ctx) noexcept : alg_(a), ctx_(std::move(ctx)) {}

    static result<std::unique_ptr<aead_context>> create(aead_algorithm a, bytes_view key) {
        const EVP_CIPHER *cipher = fetch_cipher(a);
        if (cipher == nullptr) {
            return fail(crypto_errc::unsupported);
        }
        if (key.size() != aead_key_size(a)) {
            return fail(crypto_errc::invalid_length);
        }
        cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
        if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr, 1) != 1) {
            return fail(crypto_errc::internal);
        }
        return std::unique_ptr<aead_context>(std::make_unique<openssl_aead>(a, std::move(ctx)));
    }

    aead_algorithm algorithm() const noexcept override { return alg_; }

    result<void> seal(bytes_view nonce, bytes_view aad, mutable_bytes in_out,
                      mutable_bytes tag_out) noexcept override {
        if (nonce.size() != nonce_size || tag_out.size() != tag_size) {
            return fail(crypto_errc::invalid_length);
        }
        if (EVP_CipherInit_ex(ctx_.get(), nullptr, nullptr, nullptr, nonce.data(), 1) != 1 ||
            !add_aad(aad) || !crypt(in_out)) {
            return fail(crypto_errc::internal);
        }
        int outl = 0;
        unsigned char scratch[16];
        if (EVP_CipherFinal_ex(ctx_.get(), scratch, &outl) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag_size),
                                tag_out.data()) != 1) {
            return fail(crypto_errc::internal);
        }
        return {};
    }

    result<void> open(bytes_view nonce, bytes_view aad, mutable_bytes in_out,
                      bytes_view tag) noexcept override {
        if (nonce.size() != nonce_size || tag.size() != tag_size) {
            return fail(crypto_errc::invalid_length);
        }
        unsigned char expected[tag_size];
        std::memcpy(expected, tag.data(), tag_size);
        if (EVP_CipherInit_ex(ctx_.get(), nullptr, nullptr, nullptr, nonce.data(), 0) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag_size),
                                expected) != 1 ||
            !add_aad(aad) || !crypt(in_out)) {
            secure_wipe(in_out);
            return fail(crypto_errc::internal);
        }
        int outl = 0;
        unsigned char scratch[16];
        if (EVP_CipherFinal_ex(ctx_.get(), scratch, &outl) != 1) {
            secure_wipe(in_out);
            return fail(crypto_errc::bad_tag);
        }
        return {};
    }

private:
    // EVP lengths are int: feed large inputs in chunks.
    static constexpr std::size_t chunk = std::size_t{1} << 30;

    bool add_aad(bytes_view aad) noexcept {
        while (!aad.empty()) {
            const std::size_t n = aad.size() < chunk ? aad.size() : chunk;
            int outl = 0;
            if (EVP_CipherUpdate(ctx_.get(), nullptr, &outl, aad.data(), static_cast<int>(n)) != 1) {
                return false;
            }
            aad = aad.subspan(n);
        }
        return true;
    }

    bool crypt(mutable_bytes buf) noexcept {
        while (!buf.empty()) {
            const std::size_t n = buf.size() < chunk ? buf.size() : chunk;
            int outl = 0;
            if (EVP_CipherUpdate(ctx_.get(), buf.data(), &outl, buf.data(), static_cast<int>(n)) != 1 ||
                static_cast<std::size_t>(outl) != n) {
                return false;
            }
            buf = buf.subspan(n);
        }
        return true;
    }

    aead_algorithm alg_;
    cipher_ctx_ptr ctx_;
};

// ---------------------------------------------------------------------------------------------
// Keys

struct curve_params {
    int nid;
    const char *group_name;
    std::size_t field_size;
};

std::optional<curve_params> curve_of(key_type t) noexcept {
    switch (t) {
    case key_type::ec_p256:
        return curve_params{NID_X9_62_prime256v1, "prime256v1", 32};
    case key_type::ec_p384:
        return curve_params{NID_secp384r1, "secp384r1", 48};
    default:
        return std::nullopt;
    }
}

// What an imported or generated EVP_PKEY is; keys the provider does not handle are refused.
result<key_info> describe(EVP_PKEY *k) noexcept {
    const int bits = EVP_PKEY_get_bits(k);
    if (bits <= 0) {
        return fail(crypto_errc::invalid_key);
    }
    const auto b = static_cast<std::size_t>(bits);
    if (EVP_PKEY_is_a(k, "RSA-PSS")) {
        return key_info{key_type::rsa_pss, b};
    }
    if (EVP_PKEY_is_a(k, "RSA")) {
        return key_info{key_type::rsa, b};
    }
    if (EVP_PKEY_is_a(k, "ED25519")) {
        return key_info{key_type::ed25519, b};
    }
    if (EVP_PKEY_is_a(k, "X25519")) {
        return key_info{key_type::x25519, b};
    }
    if (EVP_PKEY_is_a(k, "EC")) {
        char name[64] = {};
        std::size_t len = 0;
        // Fails for explicit curve parameters: only named curves are accepted.
        if (EVP_PKEY_get_group_name(k, name, sizeof(name), &len) != 1) {
            return fail(crypto_errc::unsupported);
        }
        // Explicit curve parameters in a key (RFC 5480 2.1.1 forbids them in certificates) are
        // refused even when they describe a known curve: they are a source of parsing and
        // validation bugs (wrong cofactor, wrong generator) that named curves cannot have.
        char encoding[32] = {};
        std::size_t encoding_len = 0;
        if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_EC_ENCODING, encoding, sizeof(encoding),
                                           &encoding_len) == 1 &&
            std::string_view(encoding, encoding_len) != OSSL_PKEY_EC_ENCODING_GROUP) {
            return fail(crypto_errc::unsupported);
        }
        const std::string_view n(name, len);
        if (n == "prime256v1" || n == "P-256") {
            return key_info{key_type::ec_p256, 256};
        }
        if (n == "secp384r1" || n == "P-384") {
            return key_info{key_type::ec_p384, 384};
        }
        return fail(crypto_errc::unsupported);
    }
    return fail(crypto_errc::unsupported);
}

result<private_key> wrap_private(pkey_ptr k) noexcept {
    result<key_info> info = describe(k.get());
    if (!info) {
        return unexpected(info.error());
    }
    return private_key::adopt(k.release(), *info);
}

result<public_key> wrap_public(pkey_ptr k) noexcept {
    result<key_info> info = describe(k.get());
    if (!info) {
        return unexpected(info.error());
    }
    return public_key::adopt(k.release(), *info);
}

pkey_ptr pkey_from_params(const char *type, int selection, OSSL_PARAM *params) noexcept {
    pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY *out = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &out, selection, params) != 1) {
        return nullptr;
    }
    return pkey_ptr(out);
}

// Decodes and validates an uncompressed SEC1 point: exact length, 04 prefix, on the curve and
// not the point at infinity (SP 800-56A 5.6.2.3.4; the curves have cofactor 1).
result<void> check_uncompressed_point(const curve_params &c, bytes_view raw) noexcept {
    if (raw.size() != 1 + 2 * c.field_size || raw[0] != 0x04) {
        return fail(crypto_errc::invalid_point);
    }
    group_ptr group(EC_GROUP_new_by_curve_name(c.nid));
    if (!group) {
        return fail(crypto_errc::internal);
    }
    point_ptr point(EC_POINT_new(group.get()));
    if (!point) {
        return fail(crypto_errc::internal);
    }
    if (EC_POINT_oct2point(group.get(), point.get(), raw.data(), raw.size(), nullptr) != 1 ||
        EC_POINT_is_at_infinity(group.get(), point.get()) == 1 ||
        EC_POINT_is_on_curve(group.get(), point.get(), nullptr) != 1) {
        return fail(crypto_errc::invalid_point);
    }
    return {};
}

result<public_key> ec_public_from_point(key_type t, bytes_view raw) noexcept {
    const std::optional<curve_params> c = curve_of(t);
    if (!c) {
        return fail(crypto_errc::unsupported);
    }
    if (result<void> ok = check_uncompressed_point(*c, raw); !ok) {
        return unexpected(ok.error());
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char *>(c->group_name), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                          const_cast<std::uint8_t *>(raw.data()), raw.size()),
        OSSL_PARAM_construct_end(),
    };
    pkey_ptr k = pkey_from_params("EC", EVP_PKEY_PUBLIC_KEY, params);
    if (!k) {
        return fail(crypto_errc::invalid_point);
    }
    return wrap_public(std::move(k));
}

// An EC key pair from its private scalar: the public point is computed here because
// EVP_PKEY_fromdata does not derive it.
result<private_key> ec_private_from_scalar(key_type t, bytes_view raw) {
    const std::optional<curve_params> c = curve_of(t);
    if (!c) {
        return fail(crypto_errc::unsupported);
    }
    while (!raw.empty() && raw[0] == 0) {
        raw = raw.subspan(1);
    }
    if (raw.empty() || raw.size() > c->field_size) {
        return fail(crypto_errc::invalid_key);
    }
    group_ptr group(EC_GROUP_new_by_curve_name(c->nid));
    bn_ptr scalar(BN_bin2bn(raw.data(), static_cast<int>(raw.size()), nullptr));
    if (!group || !scalar) {
        return fail(crypto_errc::internal);
    }
    BN_set_flags(scalar.get(), BN_FLG_CONSTTIME);
    const BIGNUM *order = EC_GROUP_get0_order(group.get());
    if (order == nullptr || BN_is_zero(scalar.get()) || BN_cmp(scalar.get(), order) >= 0) {
        return fail(crypto_errc::invalid_key);
    }
    point_ptr pub(EC_POINT_new(group.get()));
    std::uint8_t pub_bytes[1 + 2 * 66];
    std::size_t pub_len = 0;
    if (!pub || EC_POINT_mul(group.get(), pub.get(), scalar.get(), nullptr, nullptr, nullptr) != 1) {
        return fail(crypto_errc::internal);
    }
    pub_len = EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, pub_bytes,
                                 sizeof(pub_bytes), nullptr);
    if (pub_len != 1 + 2 * c->field_size) {
        return fail(crypto_errc::internal);
    }
    param_bld_ptr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, c->group_name, 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get()) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub_bytes, pub_len) != 1) {
        return fail(crypto_errc::internal);
    }
    params_ptr params(OSSL_PARAM_BLD_to_param(bld.get()));
    if (!params) {
        return fail(crypto_errc::internal);
    }
    pkey_ptr k = pkey_from_params("EC", EVP_PKEY_KEYPAIR, params.get());
    if (!k) {
        return fail(crypto_errc::invalid_key);
    }
    return wrap_private(std::move(k));
}

// The encoded public value of a key-exchange key (raw X25519 u, uncompressed EC point).
result<std::vector<std::uint8_t>> encoded_public(EVP_PKEY *k) {
    unsigned char *buf = nullptr;
    const std::size_t len = EVP_PKEY_get1_encoded_public_key(k, &buf);
    if (len == 0 || buf == nullptr) {
        OPENSSL_free(buf);
        return fail(crypto_errc::internal);
    }
    std::vector<std::uint8_t> out(buf, buf + len);
    OPENSSL_free(buf);
    return out;
}

result<secret_buffer> derive(EVP_PKEY *own, EVP_PKEY *peer) {
    pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) {
        return fail(crypto_errc::internal);
    }
    if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 1) != 1) {
        return fail(crypto_errc::invalid_point);
    }
    std::size_t len = 0;
    if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len == 0) {
        return fail(crypto_errc::internal);
    }
    secret_buffer out(len);
    // X25519 derivation fails inside OpenSSL when the result is all zeros (a low-order peer).
    if (EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1) {
        return fail(crypto_errc::invalid_point);
    }
    out.truncate(len);
    // An all-zero X25519 output means a low-order peer (RFC 7748 6.1, RFC 8446 7.4.2). For the
    // NIST curves an all-zero X coordinate is a legitimate point and is kept.
    if (EVP_PKEY_is_a(own, "X25519")) {
        std::uint8_t acc = 0;
        for (std::size_t i = 0; i < out.size(); ++i) {
            acc = static_cast<std::uint8_t>(acc | out[i]);
        }
        if (acc == 0) {
            return fail(crypto_errc::invalid_point);
        }
    }
    return out;
}

bool is_rsa(key_type t) noexcept { return t == key_type::rsa || t == key_type::rsa_pss; }
bool is_ec(key_type t) noexcept { return t == key_type::ec_p256 || t == key_type::ec_p384; }

// Whether `params` can be used with a key of type `t` (invalid_key if not).
result<void> check_key_for(const detail::key_handle &key, const signature_params &params) noexcept {
    if (!key.valid()) {
        return fail(crypto_errc::invalid_key);
    }
    const key_type t = key.type();
    switch (params.algorithm) {
    case signature_algorithm::ecdsa:
    case signature_algorithm::ecdsa_p1363:
        return is_ec(t) ? result<void>() : fail(crypto_errc::invalid_key);
    case signature_algorithm::rsa_pkcs1:
        if (t != key_type::rsa) {
            return fail(crypto_errc::invalid_key);
        }
        break;
    case signature_algorithm::rsa_pss:
        if (!is_rsa(t)) {
            return fail(crypto_errc::invalid_key);
        }
        break;
    case signature_algorithm::ed25519:
        return t == key_type::ed25519 ? result<void>() : fail(crypto_errc::invalid_key);
    }
    if (key.bits() < min_rsa_bits || key.bits() > max_rsa_bits) {
        return fail(crypto_errc::invalid_key);
    }
    return {};
}

// Sets up a DigestSign/DigestVerify context for `params` (hash, RSA padding, PSS salt/MGF1).
result<void> init_signature_ctx(EVP_MD_CTX *mctx, EVP_PKEY *pkey, const signature_params &params,
                                bool signing) noexcept {
    const EVP_MD *md = nullptr;
    if (params.algorithm != signature_algorithm::ed25519) {
        md = fetch_md(params.hash);
        if (md == nullptr) {
            return fail(crypto_errc::unsupported);
        }
    }
    EVP_PKEY_CTX *pctx = nullptr; // owned by mctx
    const int rc = signing ? EVP_DigestSignInit(mctx, &pctx, md, nullptr, pkey)
                           : EVP_DigestVerifyInit(mctx, &pctx, md, nullptr, pkey);
    if (rc != 1) {
        return fail(crypto_errc::invalid_key);
    }
    if (params.algorithm == signature_algorithm::rsa_pkcs1) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
            return fail(crypto_errc::internal);
        }
    } else if (params.algorithm == signature_algorithm::rsa_pss) {
        const std::size_t salt = params.pss_salt_length.value_or(digest_size(params.hash));
        if (salt > 1024) {
            return fail(crypto_errc::invalid_length);
        }
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, static_cast<int>(salt)) != 1) {
            // An id-RSASSA-PSS key whose parameters forbid this hash / salt length.
            return fail(crypto_errc::invalid_key);
        }
    }
    return {};
}

std::size_t ecdsa_scalar_size(key_type t) noexcept { return t == key_type::ec_p384 ? 48 : 32; }

// ---------------------------------------------------------------------------------------------

class openssl_provider_impl final : public provider {
public:
    std::string_view name() const noexcept override { return "openssl"; }
    bool is_secure() const noexcept override { return true; }

    result<void> random_bytes(mutable_bytes out) override {
        while (!out.empty()) {
            const std::size_t n = out.size() < (std::size_t{1} << 30) ? out.size() : (std::size_t{1} << 30);
            if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
                return fail(crypto_errc::internal);
            }
            out = out.subspan(n);
        }
        return {};
    }

    std::uint64_t now_seconds() const override {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now).count();
        return secs < 0 ? 0 : static_cast<std::uint64_t>(secs);
    }

    result<std::unique_ptr<hash_context>> make_hash(hash_algorithm h) const override {
        return openssl_hash::create(h);
    }

    result<digest> hash(hash_algorithm h, bytes_view data) const override {
        const EVP_MD *md = fetch_md(h);
        if (md == nullptr) {
            return fail(crypto_errc::unsupported);
        }
        digest d;
        unsigned int len = 0;
        if (EVP_Digest(nonnull(data), data.size(), d.data(), &len, md, nullptr) != 1) {
            return fail(crypto_errc::internal);
        }
        d.set_size(len);
        return d;
    }

    result<std::unique_ptr<hmac_context>> make_hmac(hash_algorithm h, bytes_view key) const override {
        auto ctx = openssl_hmac::create(h, key);
        if (!ctx) {
            return unexpected(ctx.error());
        }
        return std::unique_ptr<hmac_context>(std::move(*ctx));
    }

    result<digest> hmac(hash_algorithm h, bytes_view key, bytes_view data) const override {
        auto ctx = openssl_hmac::create(h, key);
        if (!ctx) {
            return unexpected(ctx.error());
        }
        (*ctx)->update(data);
        return (*ctx)->finish();
    }

    result<digest> hkdf_extract(hash_algorithm h, bytes_view salt, bytes_view ikm) const override {
        // RFC 5869 2.2: PRK = HMAC-Hash(salt, IKM); a missing salt is HashLen zeros.
        const std::uint8_t zeros[max_digest_size] = {};
        const bytes_view key = salt.empty() ? bytes_view(zeros, digest_size(h)) : salt;
        return hmac(h, key, ikm);
    }

    result<void> hkdf_expand(hash_algorithm h, bytes_view prk, bytes_view info,
                             mutable_bytes out) const override {
        // RFC 5869 2.3: T(i) = HMAC(PRK, T(i-1) | info | i), L <= 255 * HashLen.
        const std::size_t hl = digest_size(h);
        if (hl == 0 || out.size() > 255 * hl) {
            return fail(crypto_errc::invalid_length);
        }
        auto ctx = openssl_hmac::create(h, prk);
        if (!ctx) {
            return unexpected(ctx.error());
        }
        digest t;
        std::uint8_t counter = 1;
        while (!out.empty()) {
            (*ctx)->update(t.view());
            (*ctx)->update(info);
            (*ctx)->update(bytes_view(&counter, 1));
            result<digest> next = (*ctx)->finish();
            if (!next) {
                return unexpected(next.error());
            }
            t = *next;
            const std::size_t n = out.size() < hl ? out.size() : hl;
            std::memcpy(out.data(), t.data(), n);
            out = out.subspan(n);
            ++counter;
        }
        return {};
    }

    result<void> tls12_prf(hash_algorithm h, bytes_view secret, bytes_view label, bytes_view seed,
                           mutable_bytes out) const override {
        // RFC 5246 5: P_hash(secret, S) = HMAC(secret, A(1) + S) | HMAC(secret, A(2) + S) | ...
        // with S = label + seed, A(0) = S, A(i) = HMAC(secret, A(i-1)).
        if (h != hash_algorithm::sha256 && h != hash_algorithm::sha384) {
            return fail(crypto_errc::unsupported);
        }
        auto ctx = openssl_hmac::create(h, secret);
        if (!ctx) {
            return unexpected(ctx.error());
        }
        openssl_hmac &mac = **ctx;
        mac.update(label);
        mac.update(seed);
        result<digest> a = mac.finish(); // A(1)
        while (!out.empty()) {
            if (!a) {
                return unexpected(a.error());
            }
            mac.update(a->view());
            mac.update(label);
            mac.update(seed);
            result<digest> block = mac.finish();
            if (!block) {
                return unexpected(block.error());
            }
            const std::size_t n = out.size() < block->size() ? out.size() : block->size();
            std::memcpy(out.data(), block->data(), n);
            out = out.subspan(n);
            if (!out.empty()) {
                mac.update(a->view());
                a = mac.finish(); // A(i+1)
            }
        }
        return {};
    }

    result<std::unique_ptr<aead_context>> make_aead(aead_algorithm a, bytes_view key) const override {
        return openssl_aead::create(a, key);
    }

    result<key_exchange_keypair> generate_key_exchange(key_exchange_group g) override {
        result<private_key> key = generate_private_key(key_type_of(g), 0);
        if (!key) {
            return unexpected(key.error());
        }
        result<std::vector<std::uint8_t>> pub = encoded_public(key->native_handle());
        if (!pub) {
            return unexpected(pub.error());
        }
        return key_exchange_keypair{std::move(*key), std::move(*pub)};
    }

    result<std::vector<std::uint8_t>> key_exchange_public_bytes(const private_key &own) const override {
        if (!own.valid() || (own.type() != key_type::x25519 && !is_ec(own.type()))) {
            return fail(crypto_errc::invalid_key);
        }
        return encoded_public(own.native_handle());
    }

    result<secret_buffer> key_agreement(const private_key &own, bytes_view peer_public) const override {
        if (!own.valid() || (own.type() != key_type::x25519 && !is_ec(own.type()))) {
            return fail(crypto_errc::invalid_key);
        }
        result<public_key> peer = import_raw_public_key(own.type(), peer_public);
        if (!peer) {
            return fail(crypto_errc::invalid_point);
        }
        return derive(own.native_handle(), peer->native_handle());
    }

    result<secret_buffer> key_agreement(const private_key &own, const public_key &peer) const override {
        if (!own.valid() || !peer.valid() ||
            (own.type() != key_type::x25519 && !is_ec(own.type())) || own.type() != peer.type()) {
            return fail(crypto_errc::invalid_key);
        }
        return derive(own.native_handle(), peer.native_handle());
    }

    result<std::vector<std::uint8_t>> sign(const private_key &key, const signature_params &params,
                                           bytes_view message) override {
        if (params.algorithm == signature_algorithm::ecdsa_p1363 ||
            (params.algorithm != signature_algorithm::ed25519 && params.hash == hash_algorithm::sha1)) {
            return fail(crypto_errc::unsupported);
        }
        if (result<void> ok = check_key_for(key, params); !ok) {
            return unexpected(ok.error());
        }
        md_ctx_ptr mctx(EVP_MD_CTX_new());
        if (!mctx) {
            return fail(crypto_errc::internal);
        }
        if (result<void> ok = init_signature_ctx(mctx.get(), key.native_handle(), params, true); !ok) {
            return unexpected(ok.error());
        }
        std::size_t len = 0;
        if (EVP_DigestSign(mctx.get(), nullptr, &len, nonnull(message), message.size()) != 1) {
            return fail(crypto_errc::internal);
        }
        std::vector<std::uint8_t> sig(len);
        if (EVP_DigestSign(mctx.get(), sig.data(), &len, nonnull(message), message.size()) != 1) {
            return fail(crypto_errc::internal);
        }
        sig.resize(len);
        return sig;
    }

    result<void> verify(const public_key &key, const signature_params &params, bytes_view message,
                        bytes_view signature) const override {
        if (params.hash == hash_algorithm::sha1 && params.algorithm != signature_algorithm::ecdsa &&
            params.algorithm != signature_algorithm::rsa_pkcs1 &&
            params.algorithm != signature_algorithm::ed25519) {
            return fail(crypto_errc::unsupported);
        }
        if (result<void> ok = check_key_for(key, params); !ok) {
            return unexpected(ok.error());
        }
        std::vector<std::uint8_t> converted;
        if (params.algorithm == signature_algorithm::ecdsa) {
            if (!is_strict_der_ecdsa_signature(signature, ecdsa_scalar_size(key.type()))) {
                return fail(crypto_errc::bad_signature);
            }
        } else if (params.algorithm == signature_algorithm::ecdsa_p1363) {
            result<std::vector<std::uint8_t>> der = ecdsa_p1363_to_der(signature, ecdsa_scalar_size(key.type()));
            if (!der) {
                return fail(crypto_errc::bad_signature);
            }
            converted = std::move(*der);
            signature = converted;
        } else if (params.algorithm == signature_algorithm::ed25519 && signature.size() != 64) {
            return fail(crypto_errc::bad_signature);
        }
        md_ctx_ptr mctx(EVP_MD_CTX_new());
        if (!mctx) {
            return fail(crypto_errc::internal);
        }
        if (result<void> ok = init_signature_ctx(mctx.get(), key.native_handle(), params, false); !ok) {
            return unexpected(ok.error());
        }
        if (EVP_DigestVerify(mctx.get(), nonnull(signature), signature.size(), nonnull(message),
                             message.size()) != 1) {
            return fail(crypto_errc::bad_signature);
        }
        return {};
    }

    result<private_key> generate_private_key(key_type t, std::size_t rsa_bits) override {
        EVP_PKEY *k = nullptr;
        switch (t) {
        case key_type::rsa: {
            const std::size_t bits = rsa_bits == 0 ? min_rsa_bits : rsa_bits;
            if (bits < min_rsa_bits || bits > max_rsa_bits) {
                return fail(crypto_errc::invalid_key);
            }
            k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits);
            break;
        }
        case key_type::ec_p256:
            k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
            break;
        case key_type::ec_p384:
            k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
            break;
        case key_type::ed25519:
            k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
            break;
        case key_type::x25519:
            k = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
            break;
        case key_type::rsa_pss:
            return fail(crypto_errc::unsupported);
        }
        if (k == nullptr) {
            return fail(crypto_errc::internal);
        }
        return wrap_private(pkey_ptr(k));
    }

    result<private_key> import_private_key_der(bytes_view der) const override {
        if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) {
            return fail(crypto_errc::invalid_key);
        }
        const unsigned char *p = der.data();
        // Tries PKCS#8 and the type-specific forms (PKCS#1 RSAPrivateKey, SEC1 ECPrivateKey).
        pkey_ptr k(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
        if (!k || p != der.data() + der.size()) {
            return fail(crypto_errc::invalid_key);
        }
        return wrap_private(std::move(k));
    }

    result<public_key> import_public_key_spki(bytes_view der) const override {
        if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) {
            return fail(crypto_errc::invalid_key);
        }
        const unsigned char *p = der.data();
        pkey_ptr k(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
        if (!k || p != der.data() + der.size()) {
            return fail(crypto_errc::invalid_key);
        }
        return wrap_public(std::move(k));
    }

    result<private_key> import_raw_private_key(key_type t, bytes_view raw) const override {
        switch (t) {
        case key_type::x25519:
        case key_type::ed25519: {
            if (raw.size() != 32) {
                return fail(crypto_errc::invalid_key);
            }
            pkey_ptr k(EVP_PKEY_new_raw_private_key_ex(nullptr, t == key_type::x25519 ? "X25519" : "ED25519",
                                                       nullptr, raw.data(), raw.size()));
            if (!k) {
                return fail(crypto_errc::invalid_key);
            }
            return wrap_private(std::move(k));
        }
        case key_type::ec_p256:
        case key_type::ec_p384:
            return ec_private_from_scalar(t, raw);
        case key_type::rsa:
        case key_type::rsa_pss:
            break;
        }
        return fail(crypto_errc::unsupported);
    }

    result<public_key> import_raw_public_key(key_type t, bytes_view raw) const override {
        switch (t) {
        case key_type::x25519:
        case key_type::ed25519: {
            if (raw.size() != 32) {
                return fail(t == key_type::x25519 ? crypto_errc::invalid_point : crypto_errc::invalid_key);
            }
            pkey_ptr k(EVP_PKEY_new_raw_public_key_ex(nullptr, t == key_type::x25519 ? "X25519" : "ED25519",
                                                      nullptr, raw.data(), raw.size()));
            if (!k) {
                return fail(crypto_errc::invalid_key);
            }
            return wrap_public(std::move(k));
        }
        case key_type::ec_p256:
        case key_type::ec_p384:
            return ec_public_from_point(t, raw);
        case key_type::rsa:
        case key_type::rsa_pss:
            break;
        }
        return fail(crypto_errc::unsupported);
    }

    result<public_key> public_key_of(const private_key &key) const override {
        if (!key.valid()) {
            return fail(crypto_errc::invalid_key);
        }
        // A round trip through SubjectPublicKeyInfo drops the private half for every key type.
        result<std::vector<std::uint8_t>> spki = export_spki(key.native_handle());
        if (!spki) {
            return unexpected(spki.error());
        }
        return import_public_key_spki(*spki);
    }

    result<std::vector<std::uint8_t>> export_public_key_spki(const public_key &key) const override {
        if (!key.valid()) {
            return fail(crypto_errc::invalid_key);
        }
        return export_spki(key.native_handle());
    }

    result<secret_buffer> export_private_key_pkcs8(const private_key &key) const override {
        if (!key.valid()) {
            return fail(crypto_errc::invalid_key);
        }
        encoder_ctx_ptr ctx(OSSL_ENCODER_CTX_new_for_pkey(key.native_handle(), EVP_PKEY_KEYPAIR, "DER",
                                                         "PrivateKeyInfo", nullptr));
        unsigned char *data = nullptr;
        std::size_t len = 0;
        if (!ctx || OSSL_ENCODER_to_data(ctx.get(), &data, &len) != 1 || data == nullptr) {
            return fail(crypto_errc::internal);
        }
        secret_buffer out(bytes_view(data, len));
        OPENSSL_clear_free(data, len);
        return out;
    }

private:
    static result<std::vector<std::uint8_t>> export_spki(EVP_PKEY *k) {
        unsigned char *buf = nullptr;
        const int len = i2d_PUBKEY(k, &buf);
        if (len <= 0 || buf == nullptr) {
            OPENSSL_free(buf);
            return fail(crypto_errc::internal);
        }
        std::vector<std::uint8_t> out(buf, buf + len);
        OPENSSL_free(buf);
        return out;
    }
};

} // namespace

provider &openssl_provider() noexcept {
    static openssl_provider_impl instance;
    return instance;
}

} // namespace awsio::crypto
