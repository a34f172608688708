// awsio/async_stream.hpp — asynchronous input streams (aws-c-io's async_stream.h,
// experimental there too): reads complete through a future<bool> whose value is "end of
// stream".
//
// Threading: one read at a time per stream; completions may arrive on any thread (whatever
// the implementation uses). Ownership: streams are shared (std::shared_ptr); the destination
// buffer must stay alive until the read's future completes.
#pragma once

#include <awsio/error.hpp>
#include <awsio/export.hpp>
#include <awsio/future.hpp>
#include <awsio/message_pool.hpp>

#include <memory>

namespace awsio {

class AWSIO_API async_input_stream : public std::enable_shared_from_this<async_input_stream> {
public:
    virtual ~async_input_stream();

    /// Reads into dest's free tail. Completes once at least one byte was read, dest is full, or
    /// the stream ended; the value is true at end of stream. A dest with no free space fails
    /// the future with common_errc::short_buffer.
    future<bool> read(byte_buf &dest);

    /// Keeps reading until dest is full, the stream ends or a read fails (aws-c-io's
    /// read_to_fill). Reads that complete immediately are iterated in a loop, not by
    /// recursion; detecting the end may take one extra read that returns no bytes. The value is
    /// true at end of stream.
    future<bool> read_to_fill(byte_buf &dest);

protected:
    async_input_stream() = default;
    /// The implementation's read: same contract as read(), dest has free space.
    virtual future<bool> do_read(byte_buf &dest) = 0;
};

} // namespace awsio
