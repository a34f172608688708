// libFuzzer target: the TLS handshake codecs over arbitrary bytes. The first byte picks a
// decoder (each handshake message body, an extension block in one message context, the
// splitter, the PSK truncation helper); every successful decode must re-encode to bytes that
// decode to an equal value.
#include "tls/codec/handshake.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

namespace codec = awsio::tls::codec;
using span = std::span<const std::uint8_t>;

namespace {

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

// decode -> encode -> decode must be a fixed point.
template <typename T, typename Decode>
void round_trip(span body, Decode decode) {
    auto first = decode(body);
    if (!first) {
        check(first.error().category() == awsio::tls::tls_category());
        return;
    }
    std::vector<std::uint8_t> again;
    codec::writer w(again);
    codec::encode(w, *first);
    check(w.ok());
    auto second = decode(span(again));
    check(second.has_value());
    check(*second == *first);
    const auto full = codec::serialize(*first);
    check(full.size() == again.size() + codec::handshake_header_size);
}

void decode_message(std::uint8_t selector, span body) {
    switch (selector % 20) {
    case 0: round_trip<codec::client_hello>(body, [](span b) { return codec::decode_client_hello(b); }); break;
    case 1: round_trip<codec::server_hello>(body, [](span b) { return codec::decode_server_hello(b); }); break;
    case 2:
        round_trip<codec::encrypted_extensions>(body, [](span b) { return codec::decode_encrypted_extensions(b); });
        break;
    case 3: round_trip<codec::certificate_tls13>(body, [](span b) { return codec::decode_certificate_tls13(b); }); break;
    case 4: round_trip<codec::certificate_tls12>(body, [](span b) { return codec::decode_certificate_tls12(b); }); break;
    case 5:
        round_trip<codec::certificate_request_tls13>(body,
                                                     [](span b) { return codec::decode_certificate_request_tls13(b); });
        break;
    case 6:
        round_trip<codec::certificate_request_tls12>(body,
                                                     [](span b) { return codec::decode_certificate_request_tls12(b); });
        break;
    case 7:
        round_trip<codec::certificate_verify>(body, [](span b) { return codec::decode_certificate_verify(b); });
        break;
    case 8:
        round_trip<codec::finished>(body, [n = body.size()](span b) { return codec::decode_finished(b, n); });
        break;
    case 9:
        round_trip<codec::new_session_ticket_tls13>(body,
                                                    [](span b) { return codec::decode_new_session_ticket_tls13(b); });
        break;
    case 10:
        round_trip<codec::new_session_ticket_tls12>(body,
                                                    [](span b) { return codec::decode_new_session_ticket_tls12(b); });
        break;
    case 11: round_trip<codec::key_update>(body, [](span b) { return codec::decode_key_update(b); }); break;
    case 12:
        round_trip<codec::end_of_early_data>(body, [](span b) { return codec::decode_end_of_early_data(b); });
        break;
    case 13:
        round_trip<codec::server_key_exchange_ecdhe>(body,
                                                     [](span b) { return codec::decode_server_key_exchange_ecdhe(b); });
        break;
    case 14:
        round_trip<codec::client_key_exchange_ecdhe>(body,
                                                     [](span b) { return codec::decode_client_key_exchange_ecdhe(b); });
        break;
    case 15:
        round_trip<codec::server_hello_done>(body, [](span b) { return codec::decode_server_hello_done(b); });
        break;
    case 16: round_trip<codec::hello_request>(body, [](span b) { return codec::decode_hello_request(b); }); break;
    case 17: round_trip<codec::message_hash>(body, [](span b) { return codec::decode_message_hash(b); }); break;
    default: break;
    }
}

// Decodes a complete message by its header type, trying both forms where versions differ.
void decode_by_type(const codec::handshake_message &m) {
    using ht = codec::handshake_type;
    const span body = m.body();
    switch (m.type) {
    case ht::client_hello: decode_message(0, body); break;
    case ht::server_hello: decode_message(1, body); break;
    case ht::encrypted_extensions: decode_message(2, body); break;
    case ht::certificate:
        decode_message(3, body);
        decode_message(4, body);
        break;
    case ht::certificate_request:
        decode_message(5, body);
        decode_message(6, body);
        break;
    case ht::certificate_verify: decode_message(7, body); break;
    case ht::finished: decode_message(8, body); break;
    case ht::new_session_ticket:
        decode_message(9, body);
        decode_message(10, body);
        break;
    case ht::key_update: decode_message(11, body); break;
    case ht::end_of_early_data: decode_message(12, body); break;
    case ht::server_key_exchange: decode_message(13, body); break;
    case ht::client_key_exchange: decode_message(14, body); break;
    case ht::server_hello_done: decode_message(15, body); break;
    case ht::hello_request: decode_message(16, body); break;
    case ht::message_hash: decode_message(17, body); break;
    default: break;
    }
}

void split(span in) {
    if (in.size() < 2) {
        return;
    }
    // The first byte sets the fragment size; small limits exercise the size checks.
    const std::size_t step = (in[0] % 64) + 1;
    codec::handshake_limits limits;
    if ((in[1] & 1) != 0) {
        limits.max_message_size = 300;
        limits.max_certificate_size = 600;
    }
    codec::handshake_splitter s(limits);
    in = in.subspan(2);
    std::size_t consumed = 0;
    for (std::size_t off = 0; off < in.size(); off += step) {
        const auto chunk = in.subspan(off, std::min(step, in.size() - off));
        if (s.feed(chunk)) {
            check(s.feed(chunk).value() != 0); // errors are sticky
            return;
        }
        for (;;) {
            auto m = s.pop();
            if (!m) {
                return;
            }
            if (!m->has_value()) {
                break;
            }
            const auto &msg = **m;
            check(msg.bytes.size() >= codec::handshake_header_size);
            check(static_cast<std::uint8_t>(msg.type) == msg.bytes[0]);
            check(std::equal(msg.bytes.begin(), msg.bytes.end(), in.begin() + static_cast<std::ptrdiff_t>(consumed)));
            consumed += msg.bytes.size();
            decode_by_type(msg);
        }
    }
    check(consumed + s.buffered() == in.size());
}

void extension_block(std::uint8_t ctx_byte, span in) {
    const auto ctx = static_cast<codec::message_context>(ctx_byte % 8);
    codec::reader r(in);
    auto list = codec::decode_extensions(r, ctx);
    if (!list) {
        return;
    }
    std::vector<std::uint8_t> again;
    codec::writer w(again);
    codec::encode(w, *list);
    check(w.ok());
    // The block re-encodes byte for byte (extensions keep their wire form and order).
    check(again.size() == r.position() && std::equal(again.begin(), again.end(), in.begin()));
    for (const auto &e : list->entries) {
        check(codec::extension_allowed(codec::type_of(e), ctx));
    }
}

void truncation(span in) {
    auto len = codec::truncated_client_hello_length(in);
    if (!len) {
        return;
    }
    check(*len < in.size());
    std::vector<std::uint8_t> copy(in.begin(), in.end());
    auto ch = codec::decode_client_hello(span(copy).subspan(codec::handshake_header_size));
    check(ch.has_value());
    const auto *psk = ch->extensions.get<codec::ext::pre_shared_key_client>();
    check(psk != nullptr);
    std::vector<std::vector<std::uint8_t>> binders = psk->binders;
    for (auto &b : binders) {
        for (auto &x : b) {
            x = static_cast<std::uint8_t>(x ^ 0x5a);
        }
    }
    check(!codec::patch_binders(copy, binders));
    // Patching touches only the bytes after the truncated prefix.
    check(std::equal(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(*len), in.begin()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const span in(data, size);
    const std::uint8_t mode = in[0];
    const span rest = in.subspan(1);
    if (mode < 20) {
        decode_message(mode, rest);
    } else if (mode < 40) {
        if (!rest.empty()) {
            extension_block(rest[0], rest.subspan(1));
        }
    } else if (mode < 60) {
        truncation(rest);
    } else {
        split(rest);
    }
    return 0;
}
