// FILE*-backed input streams (POSIX fseeko/ftello for 64-bit offsets).
#include <awsio/stream.hpp>

#include "io/stream_internal.hpp"

#include <cstdio>
#include <sys/types.h>

namespace awsio::detail {
namespace {

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

std::shared_ptr<input_stream> make_file_stream(std::FILE *file, bool owned) {
    return std::make_shared<file_stream>(file, owned);
}

} // namespace awsio::detail
