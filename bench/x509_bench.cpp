// `awsio bench x509`: certificate parses/s and chain validations/s with awsio's X.509 code, and
// signature verifications/s through awsio next to the same verifications done straight on
// libcrypto (the floor). The certificates are made in-process with the certificate builder.
#include "bench/bench.hpp"

#include "crypto/provider.hpp"
#include "x509/builder.hpp"
#include "x509/certificate.hpp"
#include "x509/oid.hpp"
#include "x509/trust_store.hpp"
#include "x509/verifier.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace awsio::bench {
namespace {

struct test_chain {
    std::string label;
    std::vector<std::uint8_t> root;
    std::vector<std::uint8_t> intermediate;
    std::vector<std::uint8_t> leaf;
};

bool make_chain(crypto::key_type type, std::size_t rsa_bits, const char *label, test_chain &out) {
    crypto::provider &p = crypto::openssl_provider();
    auto root_key = p.generate_private_key(type, rsa_bits);
    auto int_key = p.generate_private_key(type, rsa_bits);
    auto leaf_key = p.generate_private_key(type, rsa_bits);
    if (!root_key || !int_key || !leaf_key) {
        return false;
    }
    const std::int64_t nb = 1577836800;  // 2020-01-01
    const std::int64_t na = 4102444800;  // 2100-01-01
    x509::certificate_spec root;
    root.subject.common_name = "bench root";
    root.not_before = nb;
    root.not_after = na;
    root.basic_constraints = x509::basic_constraints_spec{true, std::nullopt};
    root.key_usage = x509::key_usage_bit::key_cert_sign | x509::key_usage_bit::crl_sign;
    auto root_der = x509::build_self_signed(root, *root_key, p);

    x509::certificate_spec inter;
    inter.serial = {0x02};
    inter.subject.common_name = "bench intermediate";
    inter.not_before = nb;
    inter.not_after = na;
    inter.basic_constraints = x509::basic_constraints_spec{true, 0};
    inter.key_usage = x509::key_usage_bit::key_cert_sign | x509::key_usage_bit::crl_sign;
    auto int_pub = p.public_key_of(*int_key);
    auto leaf_pub = p.public_key_of(*leaf_key);
    if (!root_der || !int_pub || !leaf_pub) {
        return false;
    }
    x509::issuer_spec by_root{root.subject, {}, *root_key};
    auto int_der = x509::build_certificate(inter, *int_pub, by_root, p);

    x509::certificate_spec leaf;
    leaf.serial = {0x03};
    leaf.subject.common_name = "bench.example.com";
    leaf.not_before = nb;
    leaf.not_after = na;
    leaf.dns_names = {"bench.example.com"};
    leaf.key_usage = x509::key_usage_bit::digital_signature;
    leaf.extended_key_usage = {std::vector<std::uint8_t>(x509::oid::kp_server_auth.begin(), x509::oid::kp_server_auth.end())};
    x509::issuer_spec by_int{inter.subject, {}, *int_key};
    auto leaf_der = x509::build_certificate(leaf, *leaf_pub, by_int, p);
    if (!int_der || !leaf_der) {
        return false;
    }
    out.label = label;
    out.root = std::move(*root_der);
    out.intermediate = std::move(*int_der);
    out.leaf = std::move(*leaf_der);
    return true;
}

template <typename F>
double rate(std::size_t iterations, F &&fn) {
    // One warm-up pass, then the timed one.
    fn();
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < iterations; ++i) {
        if (!fn()) {
            return -1;
        }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return static_cast<double>(iterations) / s;
}

// The floor: verify the leaf's signature with EVP_DigestVerify on the issuer's key, parsing
// nothing but the key (the TBS and signature bytes are handed over already split).
struct libcrypto_verifier {
    EVP_PKEY *key = nullptr;
    const EVP_MD *md = nullptr;
    std::span<const std::uint8_t> tbs;
    std::span<const std::uint8_t> sig;
    bool ed25519 = false;

    bool verify() const {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        bool ok = EVP_DigestVerifyInit(ctx, nullptr, ed25519 ? nullptr : md, nullptr, key) == 1 &&
                  EVP_DigestVerify(ctx, sig.data(), sig.size(), tbs.data(), tbs.size()) == 1;
        EVP_MD_CTX_free(ctx);
        return ok;
    }
};

} // namespace

int run_x509_bench(const std::vector<std::string> &args, const reporter &out) {
    std::size_t iterations = 2000;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--iterations" && i + 1 < args.size()) {
            iterations = std::strtoul(args[++i].c_str(), nullptr, 10);
        } else {
            std::fprintf(stderr, "awsio bench x509: bad argument '%s'\n", args[i].c_str());
            return 2;
        }
    }
    if (iterations == 0) {
        iterations = 1;
    }
    crypto::provider &p = crypto::openssl_provider();
    std::vector<test_chain> chains(3);
    if (!make_chain(crypto::key_type::ec_p256, 0, "ecdsa_p256", chains[0]) ||
        !make_chain(crypto::key_type::rsa, 2048, "rsa2048", chains[1]) ||
        !make_chain(crypto::key_type::ed25519, 0, "ed25519", chains[2])) {
        std::fputs("awsio bench x509: could not build the test certificates\n", stderr);
        return 1;
    }
    for (const test_chain &c : chains) {
        const std::string metric_suffix = "_" + c.label;
        const double parses = rate(iterations * 10, [&] { return x509::certificate::parse(c.leaf).has_value(); });
        out.report("x509", "awsio", "parses_per_sec" + metric_suffix, parses, "ops/s");

        auto leaf = x509::certificate::parse(c.leaf);
        auto inter = x509::certificate::parse(c.intermediate);
        x509::trust_store anchors;
        if (!leaf || !inter || !anchors.add_der(c.root)) {
            std::fputs("awsio bench x509: the test certificates do not parse\n", stderr);
            return 1;
        }
        std::vector<x509::certificate> presented{*leaf, *inter};
        x509::verify_options vo;
        vo.host = "bench.example.com";
        vo.at = 1767225600; // 2026-01-01
        const double validations = rate(iterations, [&] {
            return x509::verify_chain(presented, anchors, vo, p).has_value();
        });
        out.report("x509", "awsio", "chain_validations_per_sec" + metric_suffix, validations, "ops/s");

        const double ours = rate(iterations, [&] { return x509::verify_signature_by(*leaf, *inter, p).has_value(); });
        out.report("x509", "awsio", "signature_verifies_per_sec" + metric_suffix, ours, "ops/s");

        libcrypto_verifier lv;
        const std::span<const std::uint8_t> spki = inter->spki_der();
        const unsigned char *q = spki.data();
        lv.key = d2i_PUBKEY(nullptr, &q, static_cast<long>(spki.size()));
        lv.md = EVP_sha256();
        lv.ed25519 = c.label == "ed25519";
        lv.tbs = leaf->tbs_der();
        lv.sig = leaf->signature_value();
        const double floor = lv.key != nullptr ? rate(iterations, [&] { return lv.verify(); }) : -1;
        EVP_PKEY_free(lv.key);
        out.report("x509", "libcrypto", "signature_verifies_per_sec" + metric_suffix, floor, "ops/s");
        if (validations < 0 || ours < 0 || floor < 0) {
            std::fprintf(stderr, "awsio bench x509: a %s verification failed\n", c.label.c_str());
            return 1;
        }
    }
    return 0;
}

} // namespace awsio::bench
