// crypto/secret_buffer.hpp — secure wipe, constant-time comparison and secret_buffer, a move-only
// heap byte buffer that wipes its contents before releasing them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace awsio::crypto {

/// Overwrites `bytes` with zeros in a way the compiler may not elide (OPENSSL_cleanse).
void secure_wipe(std::span<std::uint8_t> bytes) noexcept;
void secure_wipe(void *data, std::size_t size) noexcept;

/// True when `a` and `b` hold the same bytes. The time taken depends only on the lengths
/// (which are not treated as secret): different lengths compare unequal at once.
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

/// A fixed-size heap buffer for key material (shared secrets, traffic secrets, private
/// scalars). Move-only; the bytes are wiped on destruction, on move-assignment over it and
/// on clear(). Not thread-safe (a plain value).
class secret_buffer {
public:
    secret_buffer() noexcept = default;
    /// `size` zero bytes. Allocation failure throws std::bad_alloc like any container.
    explicit secret_buffer(std::size_t size)
        : data_(size ? std::make_unique<std::uint8_t[]>(size) : nullptr), size_(size) {}
    /// A copy of `bytes` (the source is left as it is; wipe it yourself if needed).
    explicit secret_buffer(std::span<const std::uint8_t> bytes) : secret_buffer(bytes.size()) {
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            data_[i] = bytes[i];
        }
    }
    secret_buffer(const secret_buffer &) = delete;
    secret_buffer &operator=(const secret_buffer &) = delete;
    secret_buffer(secret_buffer &&o) noexcept : data_(std::move(o.data_)), size_(o.size_) {
        o.size_ = 0;
    }
    secret_buffer &operator=(secret_buffer &&o) noexcept {
        if (this != &o) {
            clear();
            data_ = std::move(o.data_);
            size_ = o.size_;
            o.size_ = 0;
        }
        return *this;
    }
    ~secret_buffer() { clear(); }

    /// Wipes and frees the bytes; size() becomes 0.
    void clear() noexcept {
        if (data_) {
            secure_wipe(data_.get(), size_);
        }
        data_.reset();
        size_ = 0;
    }
    /// Keeps the first `n` bytes (n <= size()), wiping the rest. Does not reallocate.
    void truncate(std::size_t n) noexcept {
        if (n < size_) {
            secure_wipe(data_.get() + n, size_ - n);
            size_ = n;
        }
    }
    /// An explicit copy (copying secrets is never implicit).
    [[nodiscard]] secret_buffer clone() const { return secret_buffer(view()); }

    [[nodiscard]] std::uint8_t *data() noexcept { return data_.get(); }
    [[nodiscard]] const std::uint8_t *data() const noexcept { return data_.get(); }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::span<std::uint8_t> span() noexcept { return {data_.get(), size_}; }
    [[nodiscard]] std::span<const std::uint8_t> view() const noexcept { return {data_.get(), size_}; }
    std::uint8_t &operator[](std::size_t i) noexcept { return data_[i]; }
    const std::uint8_t &operator[](std::size_t i) const noexcept { return data_[i]; }

    /// Constant-time content comparison.
    friend bool operator==(const secret_buffer &a, const secret_buffer &b) noexcept {
        return constant_time_equal(a.view(), b.view());
    }

private:
    std::unique_ptr<std::uint8_t[]> data_;
    std::size_t size_ = 0;
};

} // namespace awsio::crypto
