// libFuzzer target: the strict DER reader over arbitrary bytes. Walks every element, decodes
// each primitive one with every typed decoder, and checks the reader's own invariants.
#include "x509/der.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace der = awsio::x509::der;

namespace {

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

void decode_all(const der::tlv &t) {
    const auto v = t.value;
    if (auto i = der::decode_integer(v)) {
        check(i->size() == v.size());
        if (v.size() <= 8) {
            check(der::decode_int64(v).has_value());
        }
    } else {
        check(!der::decode_int64(v) && !der::decode_unsigned_integer(v));
    }
    (void)der::decode_boolean(v);
    (void)der::decode_null(v);
    if (auto o = der::decode_oid(v)) {
        const std::string dotted = o->to_string();
        check(!dotted.empty());
        // Arcs that fit 64 bits re-encode to the same octets.
        if (auto again = der::oid_from_string(dotted)) {
            check(o->equals(*again));
        }
    }
    if (auto b = der::decode_bit_string(v)) {
        check(b->bit_count() + b->unused_bits == b->bytes.size() * 8);
        check(!b->bit(b->bit_count()));
    }
    (void)der::decode_utc_time(v);
    (void)der::decode_generalized_time(v);
    for (std::uint8_t string_tag : {der::tag::utf8_string, der::tag::printable_string, der::tag::ia5_string,
                                    der::tag::teletex_string, der::tag::bmp_string,
                                    der::tag::universal_string, der::tag::numeric_string,
                                    der::tag::visible_string}) {
        (void)der::decode_string(string_tag, v);
    }
}

void walk(der::reader &r) {
    while (!r.empty()) {
        const std::size_t before = r.remaining();
        auto t = r.read_any();
        if (!t) {
            check(r.remaining() == before); // failures consume nothing
            return;
        }
        check(t->encoded.size() > t->value.size());
        check(r.remaining() + t->encoded.size() == before);
        if ((t->tag & der::tag::constructed_bit) != 0) {
            auto sub = r.child(t->value);
            if (!sub) {
                return;
            }
            walk(*sub);
        } else {
            decode_all(*t);
        }
    }
}

// The outer shape of a certificate, read the way an X.509 parser does.
void certificate_shape(std::span<const std::uint8_t> in) {
    der::reader top(in);
    auto cert = top.read_sequence();
    if (!cert) {
        return;
    }
    auto tbs = cert->read_sequence();
    if (!tbs) {
        return;
    }
    if (auto version = tbs->read_optional_explicit(0); version && version->has_value()) {
        (void)(*version)->read_int64();
    }
    (void)tbs->read_unsigned_integer();
    if (auto alg = tbs->read_sequence()) {
        (void)alg->read_oid();
    }
    if (auto issuer = tbs->read_sequence()) {
        while (!issuer->empty()) {
            auto rdn = issuer->read_set();
            if (!rdn) {
                break;
            }
            auto atv = rdn->read_sequence();
            if (!atv || !atv->read_oid() || !atv->read_string()) {
                break;
            }
        }
    }
    if (auto validity = tbs->read_sequence()) {
        (void)validity->read_time();
        (void)validity->read_time();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::span<const std::uint8_t> in(data, size);
    der::reader r(in);
    walk(r);
    certificate_shape(in);
    // Tight limits take the other branches of the depth and size checks.
    der::limits tight;
    tight.max_depth = 3;
    tight.max_input_size = 64;
    der::reader small(in, tight);
    walk(small);
    return 0;
}
