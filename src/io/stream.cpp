// Memory and FILE*-backed input streams.
#include <awsio/stream.hpp>

#include <cerrno>
#include <cstring>

namespace awsio {
namespace {

// Validates a seek target against [0, length] (aws-c-io's rules for both bases).
result<std::int64_t> seek_target(std::int64_t offset, stream_seek_basis basis, std::int64_t length) {
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

class memory_stream final : public input_stream {
public:
    explicit memory_stream(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

    std::error_code seek(std::int64_t offset, stream_seek_basis basis) override {
        auto target = seek_target(offset, basis, static_cast<std::int64_t>(bytes_.size()));
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

class file_stream final : public input_stream {
public:
    file_stream(std::FILE *file, bool owned) : file_(file), owned_(owned) {}
    ~file_stream() override {
        if (owned_ && file_ != nullptr) {
            std::fclose(file_);
        }
    }

    std::error_code seek(std::int64_t offset, stream_seek_basis basis) override {
        auto length = get_length();
        if (!length) {
            return length.error();
        }
        auto target = seek_target(offset, basis, *length);
        if (!target) {
            return target.error();
        }
        if (fseeko(file_, static_cast<off_t>(*target), SEEK_SET) != 0) {
            return io_errc::stream_seek_failed;
        }
        return {};
    }
    result<std::size_t> read(std::span<std::uint8_t> dest) override {
        if (dest.empty()) {
            return std::size_t{0};
        }
        const std::size_t n = std::fread(dest.data(), 1, dest.size(), file_);
        if (n == 0 && std::ferror(file_) != 0) {
            return io_errc::stream_read_failed;
        }
        return n;
    }
    result<stream_status> get_status() override {
        stream_status s;
        s.is_valid = std::ferror(file_) == 0;
        if (std::feof(file_) != 0) {
            s.is_end_of_stream = true;
        } else {
            // Also at the end when the position equals the length (nothing left to read).
            const off_t pos = ftello(file_);
            auto len = get_length();
            s.is_end_of_stream = pos >= 0 && len && pos >= *len;
        }
        return s;
    }
    result<std::int64_t> get_length() override {
        const off_t pos = ftello(file_);
        if (pos < 0) {
            return io_errc::stream_get_length_failed;
        }
        if (fseeko(file_, 0, SEEK_END) != 0) {
            return io_errc::stream_get_length_failed;
        }
        const off_t end = ftello(file_);
        if (fseeko(file_, pos, SEEK_SET) != 0 || end < 0) {
            return io_errc::stream_get_length_failed;
        }
        return static_cast<std::int64_t>(end);
    }

private:
    std::FILE *file_;
    bool owned_;
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
    return std::shared_ptr<input_stream>(std::make_shared<file_stream>(f, true));
}

std::shared_ptr<input_stream> input_stream::from_open_file(std::FILE *file) {
    return std::make_shared<file_stream>(file, false);
}

} // namespace awsio
