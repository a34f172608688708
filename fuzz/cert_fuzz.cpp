// libFuzzer target: X.509 certificate parsing over arbitrary bytes. A certificate that parses
// has every accessor, its names' text forms and hostname checks exercised, with invariants
// checked (views inside the DER, IP sizes, signature parameters); the bytes are also tried as a
// bare Name, an IP literal and a DNS name.
#include "x509/certificate.hpp"
#include "x509/hostname.hpp"
#include "x509/name.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace x509 = awsio::x509;

namespace {

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

bool inside(std::span<const std::uint8_t> outer, std::span<const std::uint8_t> inner) {
    return inner.empty() || (inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size());
}

void exercise(const x509::certificate &c) {
    const auto der = c.der();
    check(inside(der, c.tbs_der()) && inside(c.tbs_der(), c.issuer_der()) && inside(c.tbs_der(), c.subject_der()));
    check(inside(der, c.serial()) && inside(der, c.spki_der()) && inside(c.spki_der(), c.public_key_bytes()));
    check(inside(der, c.signature_value()));
    check(c.serial().size() >= 1 && c.serial().size() <= 21);
    (void)c.version();
    (void)c.not_before();
    (void)c.not_after();
    (void)c.is_self_issued();
    (void)x509::to_string(c.public_key_algorithm());
    const auto &alg = c.signature_algorithm();
    (void)x509::to_string(alg.scheme);
    check(x509::to_signature_params(alg).has_value() == (alg.scheme != x509::signature_scheme::unknown));

    const std::string issuer = c.issuer().to_string();
    const std::string subject = c.subject().to_string();
    (void)issuer;
    (void)subject;
    (void)c.subject().common_names();
    check(c.subject().matches(c.subject()));

    for (const auto &e : c.extensions()) {
        check(inside(der, e.oid) && inside(der, e.value));
        check(c.find_extension(e.oid) == &e);
    }
    (void)c.has_unknown_critical_extension();
    if (const auto &ku = c.key_usage_ext()) {
        check(ku->bits != 0 && ku->bits < (1u << 9));
    }
    if (const auto &eku = c.extended_key_usage_ext()) {
        check(!eku->purposes.empty());
        (void)eku->has_server_auth();
        (void)eku->any();
    }
    for (const auto ip : c.ip_addresses()) {
        check(ip.size() == 4 || ip.size() == 16);
    }
    for (const auto dns : c.dns_names()) {
        (void)x509::verify_hostname(c, dns);
        (void)x509::matches_dns_name(dns, "www.example.com");
    }
    if (const auto &nc = c.name_constraints_ext()) {
        check(!nc->permitted.empty() || !nc->excluded.empty());
        for (const auto *list : {&nc->permitted, &nc->excluded}) {
            for (const auto &gn : *list) {
                if (gn.type == x509::general_name::kind::ip_address) {
                    check(gn.value.size() == 8 || gn.value.size() == 32);
                    (void)x509::ip_within_subtree(gn.value.first(gn.value.size() / 2), gn.value);
                } else if (gn.type == x509::general_name::kind::dns_name) {
                    (void)x509::dns_within_subtree("a.example.com", gn.text);
                }
            }
        }
    }
    (void)c.authority_key_id();
    (void)c.subject_key_id();
    (void)c.policies();
    (void)c.policy_constraints_ext();
    (void)c.inhibit_any_policy();
    for (const char *host : {"www.example.com", "example.com", "127.0.0.1", "[::1]", "a.b.example.com."}) {
        const auto ec = x509::verify_hostname(c, host);
        check(!ec || ec == awsio::io_errc::tls_host_name_mismatch);
    }
    const x509::certificate copy = c; // shares the DER
    check(copy == c && copy.der().data() == der.data());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    std::error_code detail;
    auto c = x509::certificate::parse(input, &detail);
    if (c) {
        check(!detail);
        exercise(*c);
    } else {
        check(c.error() == awsio::io_errc::tls_bad_certificate && detail);
    }

    if (auto n = x509::name::parse(input)) {
        (void)n->to_string();
        check(n->matches(*n));
    }

    // The bytes as a host name / IP literal and as a pattern.
    const std::string_view text(reinterpret_cast<const char *>(data), size < 300 ? size : 300);
    if (const auto ip = x509::parse_ip_literal(text)) {
        check(ip->size == 4 || ip->size == 16);
    }
    const auto half = text.size() / 2;
    (void)x509::matches_dns_name(text.substr(0, half), text.substr(half));
    (void)x509::dns_within_subtree(text.substr(0, half), text.substr(half));
    return 0;
}
