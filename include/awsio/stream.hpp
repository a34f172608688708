// awsio/stream.hpp — synchronous input streams (request bodies, files). Mirrors aws-c-io's
// stream.h (aws_input_stream and its cursor / file implementations).
//
// Threading: a stream is used by one thread at a time. Ownership: streams are shared
// (std::shared_ptr), as aws-c-io's are reference counted.
#pragma once

#include <awsio/error.hpp>
#include <awsio/export.hpp>
#include <awsio/message_pool.hpp>
#include <awsio/result.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

namespace awsio {

/// aws_stream_seek_basis (same values).
enum class stream_seek_basis : int { begin = 0, end = 2 };

/// aws_stream_status.
struct stream_status {
    bool is_end_of_stream = false;
    bool is_valid = true;
};

/// An input stream (aws_input_stream).
class AWSIO_API input_stream {
public:
    virtual ~input_stream();

    /// Moves the read position. begin: 0 <= offset <= length; end: -length <= offset <= 0;
    /// anything else -> io_errc::stream_invalid_seek_position (the position is unchanged).
    /// Streams that cannot seek -> io_errc::stream_seek_unsupported; OS failures ->
    /// io_errc::stream_seek_failed.
    virtual std::error_code seek(std::int64_t offset, stream_seek_basis basis) = 0;
    /// Reads up to dest.size() bytes; returns how many (0 at end of stream or for an empty
    /// dest). A failure (io_errc::stream_read_failed) leaves dest's contents unspecified but
    /// reports no bytes.
    virtual result<std::size_t> read(std::span<std::uint8_t> dest) = 0;
    virtual result<stream_status> get_status() = 0;
    /// Total length, whatever the position. io_errc::stream_get_length_unsupported when unknown.
    virtual result<std::int64_t> get_length() = 0;

    /// aws_input_stream_read: fills dest's free tail (a full dest is a successful no-op) and
    /// commits the bytes read. On error dest is unchanged.
    std::error_code read(byte_buf &dest);

    /// A stream over bytes it does not copy: the caller keeps them alive as long as the stream.
    static std::shared_ptr<input_stream> from_memory(std::span<const std::uint8_t> bytes);
    /// Opens path for reading (the stream closes it). Missing file etc. -> io_error_from_errno.
    static result<std::shared_ptr<input_stream>> from_file(const std::string &path);
    /// Reads from an open FILE* it does not close (aws_input_stream_new_from_open_file).
    static std::shared_ptr<input_stream> from_open_file(std::FILE *file);

protected:
    input_stream() = default;
};

} // namespace awsio
