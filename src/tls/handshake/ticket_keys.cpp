// tls/handshake/ticket_keys.cpp — server ticket protection: AES-256-GCM under a key that rotates
// every rotation_seconds; tickets are key_name(16) || nonce(12) || ciphertext || tag(16).
#include "tls/handshake/common.hpp"

#include <cstring>

namespace awsio::tls {

namespace {

constexpr std::size_t nonce_size = crypto::aead_context::nonce_size;
constexpr std::size_t tag_size = crypto::aead_context::tag_size;
constexpr std::size_t overhead = ticket_keys::key_name_size + nonce_size + tag_size;

} // namespace

// Rotation happens lazily, on the next seal() or open() after the current key's time is up. A
// key that was already past two rotation periods is dropped rather than kept as "previous":
// tickets sealed under it would have outlived the window a rotating key is meant to give them.
// rotation_seconds == 0 means the key never rotates by itself (only rotate() does).
result<void> ticket_keys::maybe_rotate_locked() {
    const std::uint64_t now = provider_->now_seconds();
    if (current_) {
        if (rotation_seconds_ == 0 || current_->created_at + rotation_seconds_ > now) {
            return {};
        }
        if (current_->created_at + 2 * rotation_seconds_ <= now) {
            previous_.reset();
            current_.reset();
        }
    }

    key fresh;
    if (auto r = provider_->random_bytes(fresh.name); !r) {
        return r;
    }
    crypto::secret_buffer material(crypto::aead_key_size(crypto::aead_algorithm::aes_256_gcm));
    if (auto r = provider_->random_bytes(material.span()); !r) {
        return r;
    }
    auto aead = provider_->make_aead(crypto::aead_algorithm::aes_256_gcm, material.view());
    if (!aead) {
        return aead.error();
    }
    fresh.aead = std::move(*aead);
    fresh.created_at = now;
    if (current_) {
        previous_ = std::move(current_);
    }
    current_ = std::move(fresh);
    return {};
}

void ticket_keys::rotate() {
    std::lock_guard lock(mutex_);
    if (current_) {
        // Forces the next maybe_rotate_locked() to replace the key: mark it as due (but not so
        // old that it is dropped).
        if (rotation_seconds_ == 0) {
            previous_ = std::move(current_);
            current_.reset();
        } else {
            const std::uint64_t now = provider_->now_seconds();
            current_->created_at = now >= rotation_seconds_ ? now - rotation_seconds_ : 0;
        }
    }
    (void)maybe_rotate_locked();
}

result<std::vector<std::uint8_t>> ticket_keys::seal(bytes_view plaintext) {
    std::lock_guard lock(mutex_);
    if (auto r = maybe_rotate_locked(); !r) {
        return unexpected(r.error());
    }
    std::vector<std::uint8_t> out(overhead + plaintext.size());
    std::memcpy(out.data(), current_->name.data(), key_name_size);
    auto nonce = std::span(out).subspan(key_name_size, nonce_size);
    if (auto r = provider_->random_bytes(nonce); !r) {
        return unexpected(r.error());
    }
    auto body = std::span(out).subspan(key_name_size + nonce_size, plaintext.size());
    if (!plaintext.empty()) {
        std::memcpy(body.data(), plaintext.data(), plaintext.size());
    }
    auto tag = std::span(out).subspan(key_name_size + nonce_size + plaintext.size(), tag_size);
    if (auto r = current_->aead->seal(nonce, current_->name, body, tag); !r) {
        crypto::secure_wipe(out);
        return unexpected(r.error());
    }
    return out;
}

std::optional<crypto::secret_buffer> ticket_keys::open(bytes_view ticket) {
    std::lock_guard lock(mutex_);
    if (!maybe_rotate_locked()) {
        return std::nullopt;
    }
    if (ticket.size() < overhead) {
        return std::nullopt;
    }
    const auto name = ticket.first(key_name_size);
    key *k = nullptr;
    // Key names are random, not secret: an ordinary comparison is fine.
    for (auto *candidate : {&current_, &previous_}) {
        if (*candidate && std::equal(name.begin(), name.end(), (*candidate)->name.begin())) {
            k = &**candidate;
            break;
        }
    }
    if (k == nullptr) {
        return std::nullopt;
    }
    const auto nonce = ticket.subspan(key_name_size, nonce_size);
    const std::size_t body_size = ticket.size() - overhead;
    const auto tag = ticket.subspan(key_name_size + nonce_size + body_size, tag_size);
    crypto::secret_buffer plain(ticket.subspan(key_name_size + nonce_size, body_size));
    if (!k->aead->open(nonce, k->name, plain.span(), tag)) {
        return std::nullopt;
    }
    return plain;
}

} // namespace awsio::tls
