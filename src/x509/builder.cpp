// x509/builder.cpp — DER encoding of X.509 v3 certificates from a certificate_spec (RFC 5280
// 4.1 structure, 4.2 extensions), signed through the crypto provider.
#include "x509/builder.hpp"

#include "x509/der.hpp"
#include "x509/der_writer.hpp"
#include "x509/oid.hpp"

#include <awsio/error.hpp>

#include <array>
#include <cstddef>

namespace awsio::x509 {

namespace {

using bytes = std::vector<std::uint8_t>;
using crypto::hash_algorithm;
using crypto::key_type;

// ExtendedKeyUsage and the other OID constants are std::arrays; views for the writer.
template <std::size_t N>
std::span<const std::uint8_t> view(const std::array<std::uint8_t, N> &a) noexcept {
    return {a.data(), a.size()};
}

void write_attribute(der::writer &w, std::span<const std::uint8_t> type, std::uint8_t string_tag,
                     std::string_view value) {
    w.set([&](der::writer &rdn) {
        rdn.sequence([&](der::writer &atv) {
            atv.write_oid(type);
            atv.write_string(string_tag, value);
        });
    });
}

// How the issuer signs, and the AlgorithmIdentifier that says so (RFC 4055, 5758, 8410).
struct signing_method {
    crypto::signature_params params;
    bytes algorithm_identifier;
};

void write_hash_identifier(der::writer &w, hash_algorithm h) {
    w.sequence([&](der::writer &s) {
        switch (h) {
        case hash_algorithm::sha384:
            s.write_oid(view(oid::sha384));
            break;
        case hash_algorithm::sha512:
            s.write_oid(view(oid::sha512));
            break;
        default:
            s.write_oid(view(oid::sha256));
            break;
        }
        // RFC 4055 3.1 writes the hash identifiers inside PSS parameters with NULL parameters,
        // as OpenSSL does.
        s.write_null();
    });
}

result<signing_method> signing_method_for(const crypto::private_key &key, const certificate_spec &spec) {
    const hash_algorithm h = spec.signature_hash;
    if (h != hash_algorithm::sha256 && h != hash_algorithm::sha384 && h != hash_algorithm::sha512) {
        return common_errc::invalid_argument; // SHA-1 signatures are not produced
    }
    signing_method m;
    m.params.hash = h;
    der::writer w;
    const bool pss = key.type() == key_type::rsa_pss || (key.type() == key_type::rsa && spec.rsa_pss);
    if (pss) {
        m.params.algorithm = crypto::signature_algorithm::rsa_pss;
        m.params.pss_salt_length = crypto::digest_size(h);
        // RSASSA-PSS-params (RFC 4055 3.1): every field explicit (trailerField left at its
        // default), the salt the size of the hash.
        w.sequence([&](der::writer &s) {
            s.write_oid(view(oid::rsassa_pss));
            s.sequence([&](der::writer &p) {
                p.explicit_tag(0, [&](der::writer &e) { write_hash_identifier(e, h); });
                p.explicit_tag(1, [&](der::writer &e) {
                    e.sequence([&](der::writer &mgf) {
                        mgf.write_oid(view(oid::mgf1));
                        write_hash_identifier(mgf, h);
                    });
                });
                p.explicit_tag(2, [&](der::writer &e) {
                    e.write_int64(static_cast<std::int64_t>(crypto::digest_size(h)));
                });
            });
        });
    } else {
        switch (key.type()) {
        case key_type::rsa:
            m.params.algorithm = crypto::signature_algorithm::rsa_pkcs1;
            w.sequence([&](der::writer &s) {
                s.write_oid(h == hash_algorithm::sha256   ? view(oid::sha256_with_rsa)
                            : h == hash_algorithm::sha384 ? view(oid::sha384_with_rsa)
                                                          : view(oid::sha512_with_rsa));
                s.write_null(); // RFC 4055 5: the parameters of these OIDs are NULL
            });
            break;
        case key_type::ec_p256:
        case key_type::ec_p384:
            m.params.algorithm = crypto::signature_algorithm::ecdsa;
            // RFC 5758 3.2: parameters absent.
            w.sequence([&](der::writer &s) {
                s.write_oid(h == hash_algorithm::sha256   ? view(oid::ecdsa_with_sha256)
                            : h == hash_algorithm::sha384 ? view(oid::ecdsa_with_sha384)
                                                          : view(oid::ecdsa_with_sha512));
            });
            break;
        case key_type::ed25519:
            m.params.algorithm = crypto::signature_algorithm::ed25519;
            w.sequence([&](der::writer &s) { s.write_oid(view(oid::ed25519)); }); // RFC 8410 3
            break;
        default:
            return crypto::crypto_errc::unsupported; // X25519 keys cannot sign
        }
    }
    m.algorithm_identifier = w.take();
    return m;
}

// SHA-1 of the subjectPublicKey BIT STRING's octets (RFC 5280 4.2.1.2, method 1).
result<bytes> key_identifier(const crypto::public_key &key, crypto::provider &provider) {
    auto spki = provider.export_public_key_spki(key);
    if (!spki) {
        return unexpected(spki.error());
    }
    der::reader top(*spki);
    auto seq = top.read_sequence();
    if (!seq) {
        return unexpected(seq.error());
    }
    if (auto alg = seq->skip(); !alg) {
        return unexpected(alg.error());
    }
    auto bits = seq->read_bit_string();
    if (!bits) {
        return unexpected(bits.error());
    }
    auto octets = bits->octets();
    if (!octets) {
        return unexpected(octets.error());
    }
    auto d = provider.hash(hash_algorithm::sha1, *octets);
    if (!d) {
        return unexpected(d.error());
    }
    const auto v = d->view();
    return bytes(v.begin(), v.end());
}

bool valid_serial(const bytes &serial) noexcept {
    std::size_t i = 0;
    while (i < serial.size() && serial[i] == 0) {
        ++i;
    }
    // A positive INTEGER whose encoding (with a possible sign octet) fits 20 octets.
    const std::size_t magnitude = serial.size() - i;
    if (magnitude == 0) {
        return false;
    }
    const bool sign_octet = (serial[i] & 0x80u) != 0;
    return magnitude + (sign_octet ? 1 : 0) <= 20;
}

void write_extension(der::writer &w, std::span<const std::uint8_t> id, bool critical,
                     std::span<const std::uint8_t> value) {
    w.sequence([&](der::writer &e) {
        e.write_oid(id);
        if (critical) {
            e.write_boolean(true); // DEFAULT FALSE is omitted in DER
        }
        e.write_octet_string(value);
    });
}

result<std::vector<std::uint8_t>> build(const certificate_spec &spec, const crypto::public_key &subject_key,
                                        const bytes &issuer_name, const crypto::private_key &issuer_key,
                                        bool self_signed, crypto::provider &provider) {
    if (!valid_serial(spec.serial) || spec.not_after < spec.not_before) {
        return common_errc::invalid_argument;
    }
    for (const auto &ip : spec.ip_addresses) {
        if (ip.size() != 4 && ip.size() != 16) {
            return common_errc::invalid_argument;
        }
    }
    if (spec.basic_constraints && spec.basic_constraints->path_len && !spec.basic_constraints->ca) {
        return common_errc::invalid_argument; // RFC 5280 4.2.1.9: pathLen only with cA
    }
    const bytes subject_name = encode_name(spec.subject);
    const bool empty_subject = subject_name.size() == 2;
    const bool has_san = !spec.dns_names.empty() || !spec.ip_addresses.empty();
    if (empty_subject && !has_san) {
        return common_errc::invalid_argument; // RFC 5280 4.1.2.6: an empty subject needs a SAN
    }

    auto method = signing_method_for(issuer_key, spec);
    if (!method) {
        return unexpected(method.error());
    }
    auto spki = provider.export_public_key_spki(subject_key);
    if (!spki) {
        return unexpected(spki.error());
    }
    bytes ski;
    if (spec.subject_key_identifier) {
        auto id = key_identifier(subject_key, provider);
        if (!id) {
            return unexpected(id.error());
        }
        ski = std::move(*id);
    }
    bytes aki;
    if (spec.authority_key_identifier && !self_signed) {
        auto issuer_pub = provider.public_key_of(issuer_key);
        if (!issuer_pub) {
            return unexpected(issuer_pub.error());
        }
        auto id = key_identifier(*issuer_pub, provider);
        if (!id) {
            return unexpected(id.error());
        }
        aki = std::move(*id);
    }

    // Validity first, as it is the only part whose encoding can fail.
    der::writer validity;
    bool time_ok = true;
    validity.sequence([&](der::writer &v) {
        time_ok = v.write_time(spec.not_before).has_value() && v.write_time(spec.not_after).has_value();
    });
    if (!time_ok) {
        return common_errc::invalid_argument;
    }

    // Extension values.
    std::vector<extension_spec> extensions; // in the order they are written
    auto add = [&](std::span<const std::uint8_t> id, bool critical, bytes value) {
        extension_spec e;
        e.oid.assign(id.begin(), id.end());
        e.critical = critical;
        e.value = std::move(value);
        extensions.push_back(std::move(e));
    };
    if (spec.basic_constraints) {
        der::writer w;
        w.sequence([&](der::writer &s) {
            if (spec.basic_constraints->ca) {
                s.write_boolean(true);
            }
            if (spec.basic_constraints->path_len) {
                s.write_int64(*spec.basic_constraints->path_len);
            }
        });
        add(view(oid::basic_constraints), true, w.take());
    }
    if (spec.key_usage != 0) {
        der::writer w;
        w.write_named_bits(spec.key_usage);
        add(view(oid::key_usage), true, w.take());
    }
    if (!spec.extended_key_usage.empty()) {
        der::writer w;
        w.sequence([&](der::writer &s) {
            for (const auto &purpose : spec.extended_key_usage) {
                s.write_oid(purpose);
            }
        });
        add(view(oid::ext_key_usage), false, w.take());
    }
    if (has_san) {
        der::writer w;
        w.sequence([&](der::writer &s) {
            for (const auto &dns : spec.dns_names) {
                s.write_string(der::context_tag(2, false), dns); // dNSName [2] IA5String
            }
            for (const auto &ip : spec.ip_addresses) {
                s.write_octet_string(ip, der::context_tag(7, false)); // iPAddress [7]
            }
        });
        // RFC 5280 4.2.1.6: critical when the subject is empty.
        add(view(oid::subject_alt_name), empty_subject, w.take());
    }
    if (spec.subject_key_identifier) {
        der::writer w;
        w.write_octet_string(ski);
        add(view(oid::subject_key_identifier), false, w.take());
    }
    if (!aki.empty()) {
        der::writer w;
        w.sequence([&](der::writer &s) { s.write_octet_string(aki, der::context_tag(0, false)); });
        add(view(oid::authority_key_identifier), false, w.take());
    }

    der::writer tbs;
    tbs.sequence([&](der::writer &t) {
        t.explicit_tag(0, [](der::writer &v) { v.write_int64(2); }); // v3
        t.write_unsigned_integer(spec.serial);
        t.write_raw(method->algorithm_identifier);
        t.write_raw(issuer_name);
        t.write_raw(validity.bytes());
        t.write_raw(subject_name);
        t.write_raw(*spki);
        if (!extensions.empty() || !spec.extra_extensions.empty()) {
            t.explicit_tag(3, [&](der::writer &x) {
                x.sequence([&](der::writer &list) {
                    for (const auto &e : extensions) {
                        write_extension(list, e.oid, e.critical, e.value);
                    }
                    for (const auto &e : spec.extra_extensions) {
                        write_extension(list, e.oid, e.critical, e.value);
                    }
                });
            });
        }
    });

    auto signature = provider.sign(issuer_key, method->params, tbs.bytes());
    if (!signature) {
        return unexpected(signature.error());
    }
    der::writer cert;
    cert.sequence([&](der::writer &c) {
        c.write_raw(tbs.bytes());
        c.write_raw(method->algorithm_identifier);
        c.write_bit_string(*signature);
    });
    return cert.take();
}

// One hex group of an IPv6 address: 1..4 hex digits.
bool parse_hex_group(std::string_view s, std::uint16_t &out) noexcept {
    if (s.empty() || s.size() > 4) {
        return false;
    }
    unsigned v = 0;
    for (const char c : s) {
        unsigned d = 0;
        if (c >= '0' && c <= '9') {
            d = static_cast<unsigned>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            d = static_cast<unsigned>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            d = static_cast<unsigned>(c - 'A' + 10);
        } else {
            return false;
        }
        v = v * 16 + d;
    }
    out = static_cast<std::uint16_t>(v);
    return true;
}

// Dotted quad, decimal octets without leading zeros (which some parsers read as octal).
bool parse_ipv4(std::string_view s, std::uint8_t out[4]) noexcept {
    for (int i = 0; i < 4; ++i) {
        const std::size_t dot = s.find('.');
        const std::string_view part = i < 3 ? s.substr(0, dot) : s;
        if (i < 3 && dot == std::string_view::npos) {
            return false;
        }
        if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) {
            return false;
        }
        unsigned v = 0;
        for (const char c : part) {
            if (c < '0' || c > '9') {
                return false;
            }
            v = v * 10 + static_cast<unsigned>(c - '0');
        }
        if (v > 255) {
            return false;
        }
        out[i] = static_cast<std::uint8_t>(v);
        if (i < 3) {
            s.remove_prefix(dot + 1);
        }
    }
    return true;
}

// The groups of one side of "::" (possibly ending in a dotted quad when `allow_v4`).
bool parse_groups(std::string_view s, bool allow_v4, std::vector<std::uint16_t> &groups) {
    if (s.empty()) {
        return true;
    }
    while (true) {
        const std::size_t colon = s.find(':');
        const std::string_view part = s.substr(0, colon);
        if (colon == std::string_view::npos && allow_v4 && part.find('.') != std::string_view::npos) {
            std::uint8_t v4[4];
            if (!parse_ipv4(part, v4)) {
                return false;
            }
            groups.push_back(static_cast<std::uint16_t>((v4[0] << 8) | v4[1]));
            groups.push_back(static_cast<std::uint16_t>((v4[2] << 8) | v4[3]));
            return true;
        }
        std::uint16_t g = 0;
        if (!parse_hex_group(part, g)) {
            return false;
        }
        groups.push_back(g);
        if (colon == std::string_view::npos) {
            return true;
        }
        s.remove_prefix(colon + 1);
    }
}

} // namespace

std::vector<std::uint8_t> encode_name(const name_spec &name) {
    der::writer w;
    w.sequence([&](der::writer &rdns) {
        if (!name.country.empty()) {
            write_attribute(rdns, view(oid::country_name), der::tag::printable_string, name.country);
        }
        if (!name.organization.empty()) {
            write_attribute(rdns, view(oid::organization_name), der::tag::utf8_string, name.organization);
        }
        if (!name.organizational_unit.empty()) {
            write_attribute(rdns, view(oid::organizational_unit_name), der::tag::utf8_string,
                            name.organizational_unit);
        }
        if (!name.common_name.empty()) {
            write_attribute(rdns, view(oid::common_name), der::tag::utf8_string, name.common_name);
        }
    });
    return w.take();
}

result<std::vector<std::uint8_t>> parse_ip_address(std::string_view text) {
    if (text.find(':') == std::string_view::npos) {
        std::vector<std::uint8_t> out(4);
        if (!parse_ipv4(text, out.data())) {
            return common_errc::invalid_argument;
        }
        return out;
    }
    std::vector<std::uint16_t> head;
    std::vector<std::uint16_t> tail;
    const std::size_t gap = text.find("::");
    if (gap == std::string_view::npos) {
        if (!parse_groups(text, true, head) || head.size() != 8) {
            return common_errc::invalid_argument;
        }
    } else {
        const std::string_view left = text.substr(0, gap);
        const std::string_view right = text.substr(gap + 2);
        if (right.find("::") != std::string_view::npos || !parse_groups(left, false, head) ||
            !parse_groups(right, true, tail) || head.size() + tail.size() > 7) {
            return common_errc::invalid_argument;
        }
    }
    std::vector<std::uint8_t> out(16, 0);
    for (std::size_t i = 0; i < head.size(); ++i) {
        out[2 * i] = static_cast<std::uint8_t>(head[i] >> 8);
        out[2 * i + 1] = static_cast<std::uint8_t>(head[i] & 0xffu);
    }
    const std::size_t tail_start = 8 - tail.size();
    for (std::size_t i = 0; i < tail.size(); ++i) {
        out[2 * (tail_start + i)] = static_cast<std::uint8_t>(tail[i] >> 8);
        out[2 * (tail_start + i) + 1] = static_cast<std::uint8_t>(tail[i] & 0xffu);
    }
    return out;
}

result<std::vector<std::uint8_t>> build_certificate(const certificate_spec &spec, const crypto::public_key &subject_key,
                                                    const issuer_spec &issuer, crypto::provider &provider) {
    const bytes issuer_name = issuer.raw_name.empty() ? encode_name(issuer.name) : issuer.raw_name;
    return build(spec, subject_key, issuer_name, issuer.key, false, provider);
}

result<std::vector<std::uint8_t>> build_self_signed(const certificate_spec &spec, const crypto::private_key &key,
                                                    crypto::provider &provider) {
    auto pub = provider.public_key_of(key);
    if (!pub) {
        return unexpected(pub.error());
    }
    return build(spec, *pub, encode_name(spec.subject), key, true, provider);
}

} // namespace awsio::x509
