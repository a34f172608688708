// Port of aws-c-io tests/stream_test.c (15 cases), memory and file streams.
#include <awsio/stream.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace awsio;

namespace {

const std::string test_data = "SimpleTest";

std::span<const std::uint8_t> bytes_of(const std::string &s) {
    return {reinterpret_cast<const std::uint8_t *>(s.data()), s.size()};
}

std::string temp_file(const std::string &name, std::span<const std::uint8_t> content) {
    const std::string path = ::testing::TempDir() + "awsio_stream_" + name;
    std::FILE *f = std::fopen(path.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    if (f != nullptr) {
        EXPECT_EQ(std::fwrite(content.data(), 1, content.size(), f), content.size());
        std::fclose(f);
    }
    return path;
}

std::shared_ptr<input_stream> memory_stream() { return input_stream::from_memory(bytes_of(test_data)); }

std::shared_ptr<input_stream> file_stream(const std::string &name) {
    auto s = input_stream::from_file(temp_file(name, bytes_of(test_data)));
    EXPECT_TRUE(s);
    return s ? *s : nullptr;
}

std::string read_all(input_stream &s, std::size_t chunk) {
    std::string out;
    std::vector<std::uint8_t> buf(chunk);
    for (int guard = 0; guard < 1000; ++guard) {
        auto status = s.get_status();
        EXPECT_TRUE(status);
        if (status->is_end_of_stream) {
            break;
        }
        auto n = s.read(buf);
        EXPECT_TRUE(n);
        if (!n || *n == 0) {
            break;
        }
        out.append(reinterpret_cast<const char *>(buf.data()), *n);
    }
    return out;
}

void check_simple(input_stream &s) {
    std::vector<std::uint8_t> storage(100);
    byte_buf buf(storage.data(), storage.size());
    EXPECT_FALSE(s.read(buf));
    EXPECT_EQ(std::string(reinterpret_cast<const char *>(buf.data()), buf.size()), test_data);
    // a second read finds the end (files learn it on the read that hits EOF)
    EXPECT_FALSE(s.read(buf));
    auto st = s.get_status();
    ASSERT_TRUE(st);
    EXPECT_TRUE(st->is_end_of_stream);
    EXPECT_TRUE(st->is_valid);
}

void check_seek_beginning(input_stream &s) {
    EXPECT_FALSE(s.seek(6, stream_seek_basis::begin));
    EXPECT_EQ(read_all(s, 2), "Test");
}

void check_seek_end(input_stream &s) {
    EXPECT_FALSE(s.seek(-4, stream_seek_basis::end));
    EXPECT_EQ(read_all(s, 3), "Test");
}

} // namespace

TEST(stream, test_input_stream_memory_simple) { check_simple(*memory_stream()); }

TEST(stream, test_input_stream_memory_iterate) { EXPECT_EQ(read_all(*memory_stream(), 2), test_data); }

TEST(stream, test_input_stream_memory_seek_beginning) { check_seek_beginning(*memory_stream()); }

TEST(stream, test_input_stream_memory_seek_end) { check_seek_end(*memory_stream()); }

TEST(stream, test_input_stream_memory_seek_multiple_times) {
    auto s = memory_stream();
    std::uint8_t one[1];
    EXPECT_FALSE(s->seek(2, stream_seek_basis::begin));
    EXPECT_EQ(*s->read(one), 1u);
    EXPECT_EQ(one[0], 'm');
    EXPECT_FALSE(s->seek(4, stream_seek_basis::begin));
    EXPECT_EQ(*s->read(one), 1u);
    EXPECT_EQ(one[0], 'l');
    EXPECT_FALSE(s->seek(-1, stream_seek_basis::end));
    EXPECT_EQ(*s->read(one), 1u);
    EXPECT_EQ(one[0], 't');
    EXPECT_FALSE(s->seek(0, stream_seek_basis::begin));
    EXPECT_EQ(read_all(*s, 4), test_data);
}

TEST(stream, test_input_stream_memory_seek_past_end) {
    auto s = memory_stream();
    EXPECT_EQ(s->seek(static_cast<std::int64_t>(test_data.size()) + 1, stream_seek_basis::begin),
              io_errc::stream_invalid_seek_position);
    EXPECT_EQ(s->seek(1, stream_seek_basis::end), io_errc::stream_invalid_seek_position);
    // failed seeks leave the position alone
    EXPECT_EQ(read_all(*s, 5), test_data);
    // seeking exactly to the end is allowed and leaves nothing to read
    EXPECT_FALSE(s->seek(0, stream_seek_basis::end));
    EXPECT_TRUE(s->get_status()->is_end_of_stream);
}

TEST(stream, test_input_stream_memory_seek_before_start) {
    auto s = memory_stream();
    EXPECT_EQ(s->seek(-1, stream_seek_basis::begin), io_errc::stream_invalid_seek_position);
    EXPECT_EQ(s->seek(-static_cast<std::int64_t>(test_data.size()) - 1, stream_seek_basis::end),
              io_errc::stream_invalid_seek_position);
    EXPECT_EQ(s->seek(0, static_cast<stream_seek_basis>(1)), io_errc::stream_invalid_seek_position);
    EXPECT_EQ(read_all(*s, 5), test_data);
}

TEST(stream, test_input_stream_file_simple) { check_simple(*file_stream("simple")); }

TEST(stream, test_input_stream_file_iterate) { EXPECT_EQ(read_all(*file_stream("iterate"), 2), test_data); }

TEST(stream, test_input_stream_file_seek_beginning) { check_seek_beginning(*file_stream("seek_begin")); }

TEST(stream, test_input_stream_file_seek_end) {
    auto s = file_stream("seek_end");
    check_seek_end(*s);
    EXPECT_EQ(s->seek(1, stream_seek_basis::end), io_errc::stream_invalid_seek_position);
    EXPECT_EQ(s->seek(-1, stream_seek_basis::begin), io_errc::stream_invalid_seek_position);
}

TEST(stream, test_input_stream_memory_length) {
    auto s = memory_stream();
    EXPECT_EQ(*s->get_length(), static_cast<std::int64_t>(test_data.size()));
    EXPECT_FALSE(s->seek(3, stream_seek_basis::begin));
    EXPECT_EQ(*s->get_length(), static_cast<std::int64_t>(test_data.size())); // position-independent
    auto empty = input_stream::from_memory({});
    EXPECT_EQ(*empty->get_length(), 0);
    EXPECT_TRUE(empty->get_status()->is_end_of_stream);
}

TEST(stream, test_input_stream_file_length) {
    auto s = file_stream("length");
    EXPECT_EQ(*s->get_length(), static_cast<std::int64_t>(test_data.size()));
    EXPECT_FALSE(s->seek(3, stream_seek_basis::begin));
    EXPECT_EQ(*s->get_length(), static_cast<std::int64_t>(test_data.size()));
    std::uint8_t one[1];
    EXPECT_EQ(*s->read(one), 1u);
    EXPECT_EQ(one[0], 'p'); // get_length did not move the position
}

TEST(stream, test_input_stream_binary) {
    std::vector<std::uint8_t> binary(300);
    for (std::size_t i = 0; i < binary.size(); ++i) {
        binary[i] = static_cast<std::uint8_t>(i); // includes zero bytes
    }
    auto s = input_stream::from_file(temp_file("binary", binary));
    ASSERT_TRUE(s);
    std::vector<std::uint8_t> storage(1000);
    byte_buf buf(storage.data(), storage.size());
    while (!(*s)->get_status()->is_end_of_stream) {
        ASSERT_FALSE((*s)->read(buf));
    }
    ASSERT_EQ(buf.size(), binary.size());
    EXPECT_TRUE(std::equal(binary.begin(), binary.end(), buf.data()));
}

TEST(stream, test_input_stream_read_only) {
    const std::string path = temp_file("read_only", bytes_of(test_data));
    ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
    auto s = input_stream::from_file(path);
    ASSERT_TRUE(s);
    EXPECT_EQ(read_all(**s, 4), test_data);
    ::chmod(path.c_str(), 0644);
}

TEST(stream, missing_file_and_open_file_and_full_destination) {
    auto missing = input_stream::from_file(::testing::TempDir() + "awsio_stream_does_not_exist");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), common_errc::file_invalid_path);

    const std::string path = temp_file("open_file", bytes_of(test_data));
    std::FILE *f = std::fopen(path.c_str(), "rb");
    ASSERT_NE(f, nullptr);
    {
        auto s = input_stream::from_open_file(f);
        EXPECT_EQ(read_all(*s, 3), test_data);
    }
    // the stream did not close the FILE*
    EXPECT_EQ(std::fseek(f, 0, SEEK_SET), 0);
    EXPECT_EQ(std::fgetc(f), 'S');
    std::fclose(f);

    // a full destination is a no-op success and the position does not move
    auto s = memory_stream();
    std::uint8_t storage[4];
    byte_buf full(storage, sizeof(storage));
    full.commit(4);
    EXPECT_FALSE(s->read(full));
    EXPECT_EQ(full.size(), 4u);
    EXPECT_EQ(read_all(*s, 10), test_data);
}
