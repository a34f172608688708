// tls/key_schedule/transcript_hash.cpp — incremental transcript hashing with deferred algorithm
// choice and the HelloRetryRequest message_hash rewrite.
#include "tls/key_schedule/transcript_hash.hpp"

#include "tls/codec/tls_error.hpp"

#include <array>

namespace awsio::tls {

transcript_hash::transcript_hash(const crypto::provider &provider) noexcept : provider_(&provider) {}

result<transcript_hash> transcript_hash::create(const crypto::provider &provider, crypto::hash_algorithm h) {
    transcript_hash t(provider);
    if (auto r = t.set_algorithm(h); !r) {
        return unexpected(r.error());
    }
    return t;
}

std::optional<crypto::hash_algorithm> transcript_hash::algorithm() const noexcept {
    if (!ctx_) {
        return std::nullopt;
    }
    return ctx_->algorithm();
}

result<void> transcript_hash::set_algorithm(crypto::hash_algorithm h) {
    if (ctx_) {
        return ctx_->algorithm() == h ? result<void>{} : result<void>{errc::internal_error};
    }
    auto ctx = provider_->make_hash(h);
    if (!ctx) {
        return ctx.error();
    }
    ctx_ = std::move(*ctx);
    // Messages seen before the suite was known (the ClientHello, on the client) enter the hash
    // now, in order.
    ctx_->update(buffer_);
    if (!keep_messages_) {
        buffer_.clear();
        buffer_.shrink_to_fit();
    }
    return {};
}

void transcript_hash::update(std::span<const std::uint8_t> message) {
    if (ctx_) {
        ctx_->update(message);
    }
    if (!ctx_ || keep_messages_) {
        buffer_.insert(buffer_.end(), message.begin(), message.end());
    }
}

result<crypto::digest> transcript_hash::current() const {
    if (!ctx_) {
        return errc::internal_error;
    }
    return ctx_->current();
}

result<crypto::digest> transcript_hash::current_with(std::span<const std::uint8_t> extra) const {
    if (!ctx_) {
        return errc::internal_error;
    }
    auto fork = ctx_->clone();
    if (!fork) {
        return unexpected(fork.error());
    }
    (*fork)->update(extra);
    return (*fork)->finish();
}

result<transcript_hash> transcript_hash::clone() const {
    transcript_hash copy(*provider_);
    copy.keep_messages_ = keep_messages_;
    copy.buffer_ = buffer_;
    if (ctx_) {
        auto fork = ctx_->clone();
        if (!fork) {
            return unexpected(fork.error());
        }
        copy.ctx_ = std::move(*fork);
    }
    return copy;
}

result<void> transcript_hash::rewrite_for_hello_retry() {
    if (!ctx_) {
        return errc::internal_error;
    }
    auto ch1 = ctx_->finish();
    if (!ch1) {
        return ch1.error();
    }
    return restart_from_message_hash(ch1->view());
}

result<void> transcript_hash::restart_from_message_hash(std::span<const std::uint8_t> client_hello1_hash) {
    if (!ctx_ || client_hello1_hash.size() != crypto::digest_size(ctx_->algorithm())) {
        return errc::internal_error;
    }
    // The hash context may hold other messages (server side restarting from a cookie); finish()
    // discards them.
    (void)ctx_->finish();
    const std::array<std::uint8_t, 4> header{254, 0, 0, static_cast<std::uint8_t>(client_hello1_hash.size())};
    ctx_->update(header);
    ctx_->update(client_hello1_hash);
    if (keep_messages_) {
        // TLS 1.2 never retries, but keep the copy consistent with the hash anyway.
        buffer_.assign(header.begin(), header.end());
        buffer_.insert(buffer_.end(), client_hello1_hash.begin(), client_hello1_hash.end());
    }
    return {};
}

} // namespace awsio::tls
