// tls/record/record_protection.cpp — in-place AEAD sealing and opening of TLS 1.2 and 1.3 records.
#include "tls/record/record_protection.hpp"

#include "crypto/crypto_error.hpp"
#include "tls/codec/tls_error.hpp"
#include "tls/key_schedule/tls13_key_schedule.hpp"
#include "tls/key_schedule/tls12_keys.hpp"
#include "tls/record/fragmenter.hpp"

#include <algorithm>
#include <limits>

namespace awsio::tls::record {

namespace {

constexpr std::uint16_t tls12_version = 0x0303;

// A failed AEAD open is always reported as bad_record_mac (RFC 8446 5.2, RFC 5246 7.2.2); any
// other provider failure (a backend error) passes through.
std::error_code open_error(std::error_code ec) noexcept {
    if (ec == crypto::crypto_errc::bad_tag) {
        return make_error_code(errc::bad_record_mac);
    }
    return ec;
}

void put_u64(std::uint8_t *out, std::uint64_t v) noexcept {
    for (int i = 7; i >= 0; --i) {
        out[i] = static_cast<std::uint8_t>(v);
        v >>= 8;
    }
}

// RFC 5246 6.2.3.3: additional_data = seq_num + TLSCompressed.type + TLSCompressed.version +
// TLSCompressed.length (the plaintext length).
std::array<std::uint8_t, 13> tls12_aad(std::uint64_t seq, content_type type, std::uint16_t version,
                                       std::size_t length) noexcept {
    std::array<std::uint8_t, 13> aad{};
    put_u64(aad.data(), seq);
    aad[8] = static_cast<std::uint8_t>(type);
    aad[9] = static_cast<std::uint8_t>(version >> 8);
    aad[10] = static_cast<std::uint8_t>(version);
    aad[11] = static_cast<std::uint8_t>(length >> 8);
    aad[12] = static_cast<std::uint8_t>(length);
    return aad;
}

} // namespace

// --------------------------------------------------------------------------------------------
// Shared state

record_protection::record_protection(std::unique_ptr<crypto::aead_context> aead, crypto::aead_algorithm a) noexcept
    : aead_(std::move(aead)), algorithm_(a), record_limit_(default_record_limit(a)) {}

void record_protection::set_max_plaintext(std::size_t n) noexcept {
    max_plaintext_ = std::clamp(n, min_fragment_length, max_plaintext_length);
}

void record_protection::xor_nonce(std::span<const std::uint8_t> iv, std::uint64_t seq,
                                  std::span<std::uint8_t, 12> out) noexcept {
    // The 64-bit sequence number, big-endian and left-padded with zeros to the IV length, XORed
    // with the IV.
    std::copy(iv.begin(), iv.end(), out.begin());
    for (std::size_t i = 0; i < 8; ++i) {
        out[11 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
    }
}

bool record_protection::sequence_exhausted() const noexcept {
    // RFC 8446 5.3: a sequence number must not wrap. The last value is never used so that
    // "exhausted" needs no extra state.
    return seq_ == std::numeric_limits<std::uint64_t>::max();
}

// --------------------------------------------------------------------------------------------
// TLS 1.3

tls13_record_protection::tls13_record_protection(std::unique_ptr<crypto::aead_context> aead, crypto::aead_algorithm a,
                                                 std::span<const std::uint8_t> iv) noexcept
    : record_protection(std::move(aead), a) {
    std::copy(iv.begin(), iv.end(), iv_.begin());
}

tls13_record_protection::~tls13_record_protection() {
    crypto::secure_wipe(iv_);
}

result<tls13_record_protection> tls13_record_protection::create(const crypto::provider &p, crypto::aead_algorithm a,
                                                                crypto::hash_algorithm h,
                                                                std::span<const std::uint8_t> traffic_secret) {
    auto keys = derive_traffic_keys(p, h, a, traffic_secret);
    if (!keys) {
        return unexpected(keys.error());
    }
    return create_from_key(p, a, keys->key.view(), keys->iv.view());
}

result<tls13_record_protection> tls13_record_protection::create_from_key(const crypto::provider &p,
                                                                         crypto::aead_algorithm a,
                                                                         std::span<const std::uint8_t> key,
                                                                         std::span<const std::uint8_t> iv) {
    if (iv.size() != crypto::aead_context::nonce_size) {
        return errc::internal_error;
    }
    auto aead = p.make_aead(a, key);
    if (!aead) {
        return unexpected(aead.error());
    }
    return tls13_record_protection(std::move(*aead), a, iv);
}

result<std::size_t> tls13_record_protection::seal(content_type type, std::span<std::uint8_t> record,
                                                  std::size_t content_length, std::size_t padding) noexcept {
    // TLSInnerPlaintext (content + type + padding) may not exceed 2^14 + 1 (RFC 8446 5.4).
    if (content_length > max_plaintext_length || padding > max_plaintext_length - content_length ||
        record.size() < sealed_size(content_length, padding) || !is_known_content_type(static_cast<std::uint8_t>(type)) ||
        type == content_type::change_cipher_spec) {
        return errc::internal_error;
    }
    if (sequence_exhausted()) {
        return errc::internal_error;
    }
    const std::size_t inner = content_length + 1 + padding;
    const std::size_t total = header_size + inner + aead_tag_size;
    write_record_header(record, content_type::application_data, tls12_version,
                        static_cast<std::uint16_t>(inner + aead_tag_size));
    record[header_size + content_length] = static_cast<std::uint8_t>(type);
    std::fill_n(record.begin() + static_cast<std::ptrdiff_t>(header_size + content_length + 1), padding, std::uint8_t{0});

    std::array<std::uint8_t, 12> nonce{};
    xor_nonce(iv_, seq_, nonce);
    auto r = aead_->seal(nonce, record.first(header_size), record.subspan(header_size, inner),
                         record.subspan(header_size + inner, aead_tag_size));
    if (!r) {
        return unexpected(r.error());
    }
    ++seq_;
    return total;
}

result<opened_record> tls13_record_protection::open(const record_view &rec) noexcept {
    // RFC 8446 5.2: protected records always carry the outer type application_data.
    if (rec.type != content_type::application_data) {
        return errc::unexpected_message;
    }
    if (rec.fragment.size() > max_tls13_ciphertext_length) {
        return errc::record_overflow;
    }
    if (rec.fragment.size() < aead_tag_size) {
        return errc::bad_record_mac;
    }
    const std::size_t inner = rec.fragment.size() - aead_tag_size;
    if (inner > max_plaintext_ + 1) {
        return errc::record_overflow;
    }
    if (sequence_exhausted()) {
        return errc::internal_error;
    }
    std::array<std::uint8_t, 12> nonce{};
    xor_nonce(iv_, seq_, nonce);
    auto r = aead_->open(nonce, rec.header, rec.fragment.first(inner), rec.fragment.subspan(inner));
    if (!r) {
        return unexpected(open_error(r.error()));
    }
    ++seq_;
    // Strip the zero padding: the content type is the last non-zero byte (RFC 8446 5.4).
    std::size_t n = inner;
    while (n > 0 && rec.fragment[n - 1] == 0) {
        --n;
    }
    if (n == 0) {
        return errc::unexpected_message;
    }
    const std::uint8_t type = rec.fragment[n - 1];
    // A protected change_cipher_spec, or a type TLS does not define, is unexpected_message.
    if (!is_known_content_type(type) || type == static_cast<std::uint8_t>(content_type::change_cipher_spec)) {
        return errc::unexpected_message;
    }
    return opened_record{static_cast<content_type>(type), rec.fragment.first(n - 1)};
}

// --------------------------------------------------------------------------------------------
// TLS 1.2

tls12_record_protection::tls12_record_protection(std::unique_ptr<crypto::aead_context> aead, crypto::aead_algorithm a,
                                                 std::span<const std::uint8_t> fixed_iv) noexcept
    : record_protection(std::move(aead), a) {
    std::copy(fixed_iv.begin(), fixed_iv.end(), iv_.begin());
}

tls12_record_protection::~tls12_record_protection() {
    crypto::secure_wipe(iv_);
}

result<tls12_record_protection> tls12_record_protection::create(const crypto::provider &p, crypto::aead_algorithm a,
                                                                std::span<const std::uint8_t> key,
                                                                std::span<const std::uint8_t> fixed_iv) {
    if (fixed_iv.size() != tls12_fixed_iv_size(a)) {
        return errc::internal_error;
    }
    auto aead = p.make_aead(a, key);
    if (!aead) {
        return unexpected(aead.error());
    }
    return tls12_record_protection(std::move(*aead), a, fixed_iv);
}

result<std::size_t> tls12_record_protection::seal(content_type type, std::span<std::uint8_t> record,
                                                  std::size_t content_length, std::size_t /*padding*/) noexcept {
    if (content_length > max_plaintext_length || record.size() < sealed_size(content_length) ||
        !is_known_content_type(static_cast<std::uint8_t>(type))) {
        return errc::internal_error;
    }
    if (sequence_exhausted()) {
        return errc::internal_error;
    }
    const std::size_t explicit_size = explicit_nonce_size();
    const std::size_t total = sealed_size(content_length);
    write_record_header(record, type, tls12_version, static_cast<std::uint16_t>(total - header_size));

    std::array<std::uint8_t, 12> nonce{};
    if (explicit_size != 0) {
        // RFC 5288 3: salt (4 bytes from the key block) || nonce_explicit. The sequence number is
        // a fine explicit nonce: unique per key, and it costs nothing to keep.
        std::copy_n(iv_.begin(), 4, nonce.begin());
        put_u64(nonce.data() + 4, seq_);
        std::copy_n(nonce.begin() + 4, tls12_explicit_nonce_size, record.begin() + header_size);
    } else {
        xor_nonce(iv_, seq_, nonce);
    }
    const auto aad = tls12_aad(seq_, type, tls12_version, content_length);
    const std::size_t offset = header_size + explicit_size;
    auto r = aead_->seal(nonce, aad, record.subspan(offset, content_length),
                         record.subspan(offset + content_length, aead_tag_size));
    if (!r) {
        return unexpected(r.error());
    }
    ++seq_;
    return total;
}

result<opened_record> tls12_record_protection::open(const record_view &rec) noexcept {
    const std::size_t explicit_size = explicit_nonce_size();
    if (rec.fragment.size() > max_tls12_ciphertext_length) {
        return errc::record_overflow;
    }
    if (rec.fragment.size() < explicit_size + aead_tag_size) {
        return errc::bad_record_mac;
    }
    const std::size_t length = rec.fragment.size() - explicit_size - aead_tag_size;
    if (length > max_plaintext_) {
        return errc::record_overflow;
    }
    if (sequence_exhausted()) {
        return errc::internal_error;
    }
    std::array<std::uint8_t, 12> nonce{};
    if (explicit_size != 0) {
        // The peer chooses the explicit nonce; it is used as sent.
        std::copy_n(iv_.begin(), 4, nonce.begin());
        std::copy_n(rec.fragment.begin(), tls12_explicit_nonce_size, nonce.begin() + 4);
    } else {
        xor_nonce(iv_, seq_, nonce);
    }
    const auto aad = tls12_aad(seq_, rec.type, rec.legacy_version, length);
    const auto content = rec.fragment.subspan(explicit_size, length);
    auto r = aead_->open(nonce, aad, content, rec.fragment.subspan(explicit_size + length, aead_tag_size));
    if (!r) {
        return unexpected(open_error(r.error()));
    }
    ++seq_;
    return opened_record{rec.type, content};
}

} // namespace awsio::tls::record
