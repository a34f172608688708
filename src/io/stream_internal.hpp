// Shared pieces of the input-stream implementations.
#pragma once

#include <awsio/stream.hpp>

#include <cstdio>
#include <memory>

namespace awsio::detail {

/// Validates a seek against [0, length]: begin takes 0..length, end takes -length..0;
/// anything else -> io_errc::stream_invalid_seek_position. Returns the absolute position.
result<std::int64_t> seek_target(std::int64_t offset, stream_seek_basis basis, std::int64_t length);

/// A stream over an open FILE*, closed on destruction when owned.
std::shared_ptr<input_stream> make_file_stream(std::FILE *file, bool owned);

} // namespace awsio::detail
