// libFuzzer target: the TLS record deframer over arbitrary bytes fed in arbitrary chunks, and
// in-place opening of every application_data record with fixed TLS 1.3 and TLS 1.2 AES-128-GCM
// keys. Checks that only the documented errors occur and that every record that opens seals back
// to the exact same bytes.
//
// Input layout: byte 0 chooses the chunk size (0 = everything at once, else 1..127) and, with its
// top bit, the plaintext length limit instead of the TLS 1.2 ciphertext limit; the rest is the
// received stream.
#include "crypto/provider.hpp"
#include "tls/codec/tls_error.hpp"
#include "tls/record/deframer.hpp"
#include "tls/record/record_protection.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace rec = awsio::tls::record;
using awsio::tls::errc;

namespace {

// Fixed keys; the seed corpus holds records sealed with them.
constexpr std::uint8_t tls13_key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
constexpr std::uint8_t tls13_iv[12] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab};
constexpr std::uint8_t tls12_key[16] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                                        0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
constexpr std::uint8_t tls12_salt[4] = {1, 2, 3, 4};

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

bool is_one_of(std::error_code ec, std::initializer_list<errc> allowed) {
    for (errc e : allowed) {
        if (ec == make_error_code(e)) {
            return true;
        }
    }
    return false;
}

template <typename Protection>
Protection must(awsio::result<Protection> r) {
    check(r.has_value());
    return std::move(*r);
}

void try_tls13(rec::tls13_record_protection &opener, const rec::record_view &v) {
    std::vector<std::uint8_t> original(v.header.begin(), v.header.end());
    original.insert(original.end(), v.fragment.begin(), v.fragment.end());
    const std::uint64_t seq = opener.sequence();
    auto opened = opener.open(v);
    if (!opened) {
        check(is_one_of(opened.error(), {errc::bad_record_mac, errc::record_overflow, errc::unexpected_message}));
        check(opener.sequence() == seq || opened.error() == make_error_code(errc::unexpected_message));
        return;
    }
    check(opener.sequence() == seq + 1);
    check(opened->content.size() <= rec::max_plaintext_length);
    check(opened->content.data() == v.fragment.data());
    check(opened->type != rec::content_type::change_cipher_spec &&
          rec::is_known_content_type(static_cast<std::uint8_t>(opened->type)));
    // Re-sealing the content with the same padding at the same sequence number reproduces the
    // record exactly.
    const std::size_t padding = v.fragment.size() - rec::aead_tag_size - 1 - opened->content.size();
    auto sealer = must(rec::tls13_record_protection::create_from_key(
        awsio::crypto::openssl_provider(), awsio::crypto::aead_algorithm::aes_128_gcm, tls13_key, tls13_iv));
    sealer.set_sequence(seq);
    std::vector<std::uint8_t> again(sealer.sealed_size(opened->content.size(), padding));
    std::copy(opened->content.begin(), opened->content.end(), again.begin() + rec::header_size);
    auto n = sealer.seal(opened->type, again, opened->content.size(), padding);
    check(n.has_value() && *n == original.size());
    check(std::equal(again.begin(), again.end(), original.begin()));
}

void try_tls12(rec::tls12_record_protection &opener, const rec::record_view &v, std::vector<std::uint8_t> &scratch) {
    // Open a copy: the TLS 1.3 attempt decrypts the deframer's buffer in place.
    scratch.assign(v.fragment.begin(), v.fragment.end());
    rec::record_view copy = v;
    copy.fragment = scratch;
    const std::uint64_t seq = opener.sequence();
    auto opened = opener.open(copy);
    if (!opened) {
        check(is_one_of(opened.error(), {errc::bad_record_mac, errc::record_overflow}));
        check(opener.sequence() == seq);
        return;
    }
    check(opener.sequence() == seq + 1);
    check(opened->type == v.type);
    check(opened->content.size() + rec::tls12_explicit_nonce_size + rec::aead_tag_size == v.fragment.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::uint8_t control = data[0];
    const std::span<const std::uint8_t> stream(data + 1, size - 1);
    const std::size_t chunk = (control & 0x7f) == 0 ? stream.size() : (control & 0x7f);
    const std::size_t limit = (control & 0x80) != 0 ? rec::max_plaintext_length : rec::max_tls12_ciphertext_length;

    const auto &provider = awsio::crypto::openssl_provider();
    auto tls13 = must(rec::tls13_record_protection::create_from_key(provider, awsio::crypto::aead_algorithm::aes_128_gcm,
                                                                    tls13_key, tls13_iv));
    auto tls12 = must(
        rec::tls12_record_protection::create(provider, awsio::crypto::aead_algorithm::aes_128_gcm, tls12_key, tls12_salt));
    std::vector<std::uint8_t> scratch;

    rec::deframer deframer(limit);
    std::size_t offset = 0;
    std::size_t delivered = 0;
    while (offset < stream.size()) {
        const std::size_t n = std::min(chunk, stream.size() - offset);
        deframer.feed(stream.subspan(offset, n));
        offset += n;
        for (;;) {
            auto r = deframer.next();
            if (!r) {
                check(is_one_of(r.error(), {errc::unexpected_message, errc::decode_error, errc::record_overflow}));
                check(deframer.next().error() == r.error()); // sticky
                return 0;
            }
            if (!r->has_value()) {
                break;
            }
            const rec::record_view &v = **r;
            check(v.fragment.size() <= limit);
            check(rec::is_known_content_type(static_cast<std::uint8_t>(v.type)));
            delivered += rec::header_size + v.fragment.size();
            if (v.type == rec::content_type::application_data) {
                try_tls12(tls12, v, scratch);
                try_tls13(tls13, v);
            }
        }
    }
    // Everything fed was either delivered as records or is still buffered as a partial record.
    check(delivered + deframer.buffered() == stream.size());
    return 0;
}
