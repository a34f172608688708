// Memory input streams and the stream factories (FILE* streams live in
// src/platform/posix/file_stream.cpp).
#include <awsio/stream.hpp>

#include "io/stream_internal.hpp"

#include <cerrno>
#include <cstring>

namespace awsio {

// Validates a seek target against [0, length] (aws-c-io's rules for both bases).
result<std::int64_t> detail::seek_target(std::int64_t offset, stream_seek_basis basis, std::int64_t length) {
    switch (basis) {
    case stream_seek_basis::begin:
        if (offset < 0 || offset > length) {
            return io_errc::stream_invalid_seek_position;
        }
        return offset;
    case stream_seek_basis::end:
        if (offset > 0 || offset < -length) {
            return io_errc::stream_invalid_seek_position;
        }
        return length + offset;
    }
    return io_errc::stream_invalid_seek_position;
}

namespace {

class memory_stream final : public input_stream {
public:
    explicit memory_stream(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

    std::error_code seek(std::int64_t offset, stream_seek_basis basis) override {
        auto target = detail::seek_target(offset, basis, static_cast<std::int64_t>(bytes_.size()));
        if (!target) {
            return target.error();
        }
        pos_ = static_cast<std::size_t>(*target);
        return {};
    }
    result<std::size_t> read(std::span<std::uint8_t> dest) override {
        const std::size_t n = std::min(dest.size(), bytes_.size() - pos_);
        if (n != 0) {
            std::memcpy(dest.data(), bytes_.data() + pos_, n);
        }
        pos_ += n;
        return n;
    }
    result<stream_status> get_status() override {
        return stream_status{pos_ == bytes_.size(), true};
    }
    result<std::int64_t> get_length() override { return static_cast<std::int64_t>(bytes_.size()); }

private:
    std::span<const std::uint8_t> bytes_;
    std::size_t pos_ = 0;
};

} // namespace

input_stream::~input_stream() = default;

std::error_code input_stream::read(byte_buf &dest) {
    std::span<std::uint8_t> space = dest.free_space();
    if (space.empty()) {
        return {};
    }
    auto n = read(space);
    if (!n) {
        return n.error();
    }
    dest.commit(*n);
    return {};
}

std::shared_ptr<input_stream> input_stream::from_memory(std::span<const std::uint8_t> bytes) {
    return std::make_shared<memory_stream>(bytes);
}

result<std::shared_ptr<input_stream>> input_stream::from_file(const std::string &path) {
    std::FILE *f = std::fopen(path.c_str(), "rbe");
    if (f == nullptr) {
        return unexpected(io_error_from_errno(errno));
    }
    return std::shared_ptr<input_stream>(detail::make_file_stream(f, true));
}

std::shared_ptr<input_stream> input_stream::from_open_file(std::FILE *file) {
    return detail::make_file_stream(file, false);
}

} // namespace awsio
