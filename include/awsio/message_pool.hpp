// awsio/message_pool.hpp — memory pools and the io_message pool channels draw from. Mirrors
// aws-c-io's message_pool.h (aws_memory_pool, aws_message_pool, aws_io_message).
//
// Threading: pools are not thread-safe; each belongs to one event-loop thread (a channel keeps
// one per loop). Ownership: a message is a message_ptr; destroying it returns the message to
// its pool (or frees it), so a message is never leaked or returned twice. The pool must
// outlive its messages.
#pragma once

#include <awsio/error.hpp>
#include <awsio/export.hpp>
#include <awsio/unique_function.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

namespace awsio {

class channel;
class message_pool;

/// A fixed-capacity byte buffer over memory it does not own (aws_byte_buf over pool memory).
class byte_buf {
public:
    byte_buf() noexcept = default;
    byte_buf(std::uint8_t *data, std::size_t capacity) noexcept : data_(data), capacity_(capacity) {}

    [[nodiscard]] std::uint8_t *data() noexcept { return data_; }
    [[nodiscard]] const std::uint8_t *data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return len_; }
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] std::size_t remaining() const noexcept { return capacity_ - len_; }
    [[nodiscard]] bool empty() const noexcept { return len_ == 0; }
    [[nodiscard]] std::span<std::uint8_t> span() noexcept { return {data_, len_}; }
    [[nodiscard]] std::span<const std::uint8_t> span() const noexcept { return {data_, len_}; }
    /// The unused tail, for filling in place; call commit(n) afterwards.
    [[nodiscard]] std::span<std::uint8_t> free_space() noexcept { return {data_ + len_, capacity_ - len_}; }

    /// Appends all of bytes, or nothing: common_errc::short_buffer when it does not fit.
    std::error_code append(std::span<const std::uint8_t> bytes) noexcept {
        if (bytes.size() > remaining()) {
            return common_errc::short_buffer;
        }
        if (!bytes.empty()) {
            std::memcpy(data_ + len_, bytes.data(), bytes.size());
        }
        len_ += bytes.size();
        return {};
    }
    /// Appends as much of bytes as fits; returns how much was taken.
    std::size_t append_partial(std::span<const std::uint8_t> bytes) noexcept {
        const std::size_t n = bytes.size() < remaining() ? bytes.size() : remaining();
        if (n != 0) {
            std::memcpy(data_ + len_, bytes.data(), n);
        }
        len_ += n;
        return n;
    }
    /// Marks n more bytes of free_space() as used (clamped to the capacity).
    void commit(std::size_t n) noexcept { len_ = (n > remaining()) ? capacity_ : len_ + n; }
    void set_size(std::size_t n) noexcept { len_ = n > capacity_ ? capacity_ : n; }
    void clear() noexcept { len_ = 0; }

private:
    std::uint8_t *data_ = nullptr;
    std::size_t len_ = 0;
    std::size_t capacity_ = 0;
};

/// aws_io_message_type.
enum class io_message_type : int { application_data = 0 };

/// A message travelling through a channel (aws_io_message).
struct io_message {
    byte_buf message_data;
    io_message_type message_type = io_message_type::application_data;
    /// Handler-defined tag (e.g. the negotiated-protocol message of the ALPN handler).
    int message_tag = 0;
    /// How much of message_data a handler has already consumed.
    std::size_t copy_mark = 0;
    /// The channel the message was acquired for, if any.
    channel *owning_channel = nullptr;
    /// For write messages: called once the bytes were written (or failed), on the loop thread.
    unique_function<void(std::error_code)> on_completion;
};

/// Returns a message to its pool, or frees it when it has none.
struct AWSIO_API message_deleter {
    message_pool *pool = nullptr;
    void operator()(io_message *msg) const noexcept;
};

using message_ptr = std::unique_ptr<io_message, message_deleter>;

/// A message that belongs to no pool (tests, one-off control messages): one allocation holding
/// the header and `capacity` bytes of data.
AWSIO_API message_ptr make_standalone_message(std::size_t capacity,
                                              io_message_type type = io_message_type::application_data);

/// A pool of equally sized segments (aws_memory_pool): keeps up to ideal_segment_count free
/// segments cached (preallocated at construction); beyond that, releases free the memory.
class AWSIO_API memory_pool {
public:
    memory_pool(std::size_t segment_size, std::size_t ideal_segment_count);
    ~memory_pool();
    memory_pool(const memory_pool &) = delete;
    memory_pool &operator=(const memory_pool &) = delete;

    /// A segment of segment_size() bytes: cached if one is free, else newly allocated.
    [[nodiscard]] void *acquire();
    /// Returns a segment from acquire(): cached up to the ideal count, else freed.
    void release(void *segment) noexcept;

    [[nodiscard]] std::size_t segment_size() const noexcept { return segment_size_; }
    [[nodiscard]] std::size_t ideal_segment_count() const noexcept { return ideal_count_; }
    [[nodiscard]] std::size_t cached_segment_count() const noexcept { return free_.size(); }

private:
    std::size_t segment_size_;
    std::size_t ideal_count_;
    std::vector<void *> free_;
};

/// aws_message_pool_creation_args; the defaults are what a channel uses (4 x 16 KiB
/// application-data messages, 4 x 128 B small blocks).
struct message_pool_creation_args {
    std::size_t application_data_msg_data_size = 16 * 1024;
    std::size_t application_data_msg_count = 4;
    std::size_t small_block_msg_data_size = 128;
    std::size_t small_block_msg_count = 4;
};

/// Pools of io_messages (aws_message_pool): a size hint above the small-block size draws from
/// the application-data pool, else from the small-block pool. One allocation per message:
/// the header and its data share a pool segment.
class AWSIO_API message_pool {
public:
    explicit message_pool(const message_pool_creation_args &args = {});
    ~message_pool();
    message_pool(const message_pool &) = delete;
    message_pool &operator=(const message_pool &) = delete;

    /// A message with capacity min(size_hint, that pool's data size), all fields reset. Never
    /// null (allocation failure terminates, as aws-c-io's allocator does).
    [[nodiscard]] message_ptr acquire(io_message_type type, std::size_t size_hint);

    [[nodiscard]] const message_pool_creation_args &args() const noexcept { return args_; }
    [[nodiscard]] const memory_pool &application_data_pool() const noexcept { return app_pool_; }
    [[nodiscard]] const memory_pool &small_block_pool() const noexcept { return small_pool_; }

private:
    friend struct message_deleter;
    void release(io_message *msg) noexcept;

    message_pool_creation_args args_;
    memory_pool app_pool_;
    memory_pool small_pool_;
};

} // namespace awsio
