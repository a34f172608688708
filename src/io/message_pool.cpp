// Memory pools and io_message pools. A message's header and data live in one segment:
// [io_message][data ...]; the segment size decides which pool it goes back to.
#include <awsio/message_pool.hpp>

#include <cstdlib>
#include <new>

namespace awsio {
namespace {

// Data starts after the header, aligned for any scalar.
constexpr std::size_t header_size =
    (sizeof(io_message) + alignof(std::max_align_t) - 1) / alignof(std::max_align_t) * alignof(std::max_align_t);

void *allocate_or_die(std::size_t n) {
    void *p = ::operator new(n, std::nothrow);
    if (p == nullptr) {
        std::abort(); // out of memory: aws-c-io's allocator treats this as fatal too
    }
    return p;
}

io_message *construct_message(void *segment, std::size_t capacity, io_message_type type) {
    auto *msg = new (segment) io_message();
    msg->message_type = type;
    msg->message_data = byte_buf(static_cast<std::uint8_t *>(segment) + header_size, capacity);
    return msg;
}

} // namespace

memory_pool::memory_pool(std::size_t segment_size, std::size_t ideal_segment_count)
    : segment_size_(segment_size), ideal_count_(ideal_segment_count) {
    free_.reserve(ideal_count_);
    for (std::size_t i = 0; i < ideal_count_; ++i) {
        free_.push_back(allocate_or_die(segment_size_));
    }
}

memory_pool::~memory_pool() {
    for (void *p : free_) {
        ::operator delete(p);
    }
}

void *memory_pool::acquire() {
    if (!free_.empty()) {
        void *p = free_.back();
        free_.pop_back();
        return p;
    }
    return allocate_or_die(segment_size_);
}

void memory_pool::release(void *segment) noexcept {
    if (segment == nullptr) {
        return;
    }
    if (free_.size() < ideal_count_) {
        free_.push_back(segment); // capacity reserved in the constructor: no allocation
        return;
    }
    ::operator delete(segment);
}

namespace {
// release() tells the pools apart by capacity, so the application-data size must be the larger.
message_pool_creation_args normalized(message_pool_creation_args a) {
    if (a.application_data_msg_data_size <= a.small_block_msg_data_size) {
        a.application_data_msg_data_size = a.small_block_msg_data_size + 1;
    }
    return a;
}
} // namespace

message_pool::message_pool(const message_pool_creation_args &in)
    : args_(normalized(in)),
      app_pool_(header_size + args_.application_data_msg_data_size, args_.application_data_msg_count),
      small_pool_(header_size + args_.small_block_msg_data_size, args_.small_block_msg_count) {}

message_pool::~message_pool() = default;

message_ptr message_pool::acquire(io_message_type type, std::size_t size_hint) {
    memory_pool &pool = size_hint > args_.small_block_msg_data_size ? app_pool_ : small_pool_;
    const std::size_t data_size = pool.segment_size() - header_size;
    const std::size_t capacity = size_hint < data_size ? size_hint : data_size;
    io_message *msg = construct_message(pool.acquire(), capacity, type);
    return message_ptr(msg, message_deleter{this});
}

void message_pool::release(io_message *msg) noexcept {
    // Which pool: the data pointer sits header_size into the segment, and the capacity tells
    // the segment class (a capacity above the small size can only come from the big pool).
    const bool big = msg->message_data.capacity() > args_.small_block_msg_data_size;
    // A zero-length hint lands in the small pool; capacities never exceed their pool's size.
    void *segment = msg;
    msg->~io_message();
    (big ? app_pool_ : small_pool_).release(segment);
}

void message_deleter::operator()(io_message *msg) const noexcept {
    if (msg == nullptr) {
        return;
    }
    if (pool != nullptr) {
        pool->release(msg);
        return;
    }
    msg->~io_message();
    ::operator delete(static_cast<void *>(msg));
}

message_ptr make_standalone_message(std::size_t capacity, io_message_type type) {
    void *segment = allocate_or_die(header_size + capacity);
    return message_ptr(construct_message(segment, capacity, type), message_deleter{nullptr});
}

} // namespace awsio
