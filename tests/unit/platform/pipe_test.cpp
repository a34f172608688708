// Port of aws-c-io tests/pipe_test.c: the 12 scenarios, each with the two ends on one loop and
// on two loops (aws-c-io's <name>_2loops variants).
#include <awsio/event_loop.hpp>
#include <awsio/future.hpp>
#include <awsio/io.hpp>
#include <awsio/pipe.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <vector>

using namespace awsio;
using namespace std::chrono_literals;

namespace {

struct readable_recorder {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::error_code> events;
    void record(std::error_code ec) {
        std::lock_guard<std::mutex> l(mutex);
        events.push_back(ec);
        cv.notify_all();
    }
    bool wait_for(std::size_t n) {
        std::unique_lock<std::mutex> l(mutex);
        return cv.wait_for(l, 10s, [&] { return events.size() >= n; });
    }
    std::size_t count() {
        std::lock_guard<std::mutex> l(mutex);
        return events.size();
    }
    std::error_code at(std::size_t i) {
        std::lock_guard<std::mutex> l(mutex);
        return events.at(i);
    }
};

class pipe_test : public ::testing::TestWithParam<bool> {
protected:
    void SetUp() override {
        loop_a_ = std::move(event_loop::create_default().value());
        ASSERT_FALSE(loop_a_->run());
        if (GetParam()) {
            loop_b_ = std::move(event_loop::create_default().value());
            ASSERT_FALSE(loop_b_->run());
        }
        read_loop_ = loop_a_.get();
        write_loop_ = GetParam() ? loop_b_.get() : loop_a_.get();
        auto ends = create_pipe(*read_loop_, *write_loop_);
        ASSERT_TRUE(ends);
        read_ = std::move(ends->first);
        write_ = std::move(ends->second);
    }
    void TearDown() override {
        on_read_loop([&] { read_.reset(); });
        on_write_loop([&] { write_.reset(); });
        loop_b_.reset();
        loop_a_.reset();
    }

    template <typename F>
    void run_on(event_loop &loop, F &&fn) {
        future<void> done;
        loop.schedule_now([&fn, done](task_status) mutable {
            fn();
            done.set_result();
        });
        ASSERT_TRUE(done.wait(10s));
    }
    template <typename F>
    void on_read_loop(F &&fn) { run_on(*read_loop_, std::forward<F>(fn)); }
    template <typename F>
    void on_write_loop(F &&fn) { run_on(*write_loop_, std::forward<F>(fn)); }
    // Lets both loops finish whatever ticks are in flight.
    void flush() {
        for (int i = 0; i < 3; ++i) {
            on_write_loop([] {});
            on_read_loop([] {});
        }
    }

    // Writes data and waits for its completion; returns the completion error.
    std::error_code write_and_wait(std::span<const std::uint8_t> data) {
        future<std::error_code> done;
        on_write_loop([&] {
            EXPECT_FALSE(write_->write(data, [done](pipe_write_end *end, std::error_code ec,
                                                    std::span<const std::uint8_t>) mutable {
                EXPECT_NE(end, nullptr);
                done.set_result(ec);
            }));
        });
        EXPECT_TRUE(done.wait(10s));
        return done.is_done() ? done.get_result() : make_error_code(common_errc::unknown);
    }

    void subscribe(readable_recorder &rec) {
        on_read_loop([&] {
            EXPECT_FALSE(read_->subscribe_to_readable_events(
                [&rec](pipe_read_end &, std::error_code ec) { rec.record(ec); }));
        });
    }

    // Reads everything currently in the pipe on the read loop.
    std::vector<std::uint8_t> drain() {
        std::vector<std::uint8_t> out;
        on_read_loop([&] {
            std::uint8_t buf[4096];
            for (;;) {
                auto n = read_->read(buf);
                if (!n) {
                    EXPECT_EQ(n.error(), io_errc::read_would_block);
                    break;
                }
                out.insert(out.end(), buf, buf + *n);
            }
        });
        return out;
    }

    std::unique_ptr<event_loop> loop_a_;
    std::unique_ptr<event_loop> loop_b_;
    event_loop *read_loop_ = nullptr;
    event_loop *write_loop_ = nullptr;
    std::unique_ptr<pipe_read_end> read_;
    std::unique_ptr<pipe_write_end> write_;
};

std::vector<std::uint8_t> pattern(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        v[i] = static_cast<std::uint8_t>(i * 31 + 7);
    }
    return v;
}

} // namespace

TEST_P(pipe_test, pipe_open_close) {
    EXPECT_EQ(&read_->loop(), read_loop_);
    EXPECT_EQ(&write_->loop(), write_loop_);
    on_read_loop([&] {
        EXPECT_FALSE(read_->clean_up());
        EXPECT_EQ(read_->clean_up(), io_errc::broken_pipe);
        std::uint8_t b[1];
        EXPECT_EQ(read_->read(b).error(), io_errc::broken_pipe);
    });
    on_write_loop([&] {
        EXPECT_FALSE(write_->clean_up());
        EXPECT_EQ(write_->write({}, nullptr), io_errc::broken_pipe);
    });
    // wrong thread
    std::uint8_t b[1];
    auto ends = create_pipe(*read_loop_, *write_loop_);
    ASSERT_TRUE(ends);
    EXPECT_EQ(ends->first->read(b).error(), io_errc::event_loop_thread_only);
    EXPECT_EQ(ends->second->write(b, nullptr), io_errc::event_loop_thread_only);
    EXPECT_EQ(ends->first->subscribe_to_readable_events([](pipe_read_end &, std::error_code) {}),
              io_errc::event_loop_thread_only);
    EXPECT_EQ(ends->first->clean_up(), io_errc::event_loop_thread_only);
    on_read_loop([&] { ends->first.reset(); });
    on_write_loop([&] { ends->second.reset(); });
}

TEST_P(pipe_test, pipe_read_write) {
    const auto data = pattern(10);
    EXPECT_FALSE(write_and_wait(data));
    EXPECT_EQ(drain(), data);
    on_read_loop([&] {
        std::uint8_t b[4];
        EXPECT_EQ(read_->read(b).error(), io_errc::read_would_block);
    });
}

TEST_P(pipe_test, pipe_read_write_large_buffer) {
    // Larger than the pipe's kernel buffer: completes only as the reader drains.
    const auto data = pattern(1024 * 1024 + 17);
    std::vector<std::uint8_t> received;
    future<void> all_read;
    future<std::error_code> written;
    on_read_loop([&] {
        EXPECT_FALSE(read_->subscribe_to_readable_events([&](pipe_read_end &end, std::error_code ec) {
            EXPECT_FALSE(ec);
            std::uint8_t buf[16384];
            for (;;) {
                auto n = end.read(buf);
                if (!n) {
                    break;
                }
                received.insert(received.end(), buf, buf + *n);
            }
            if (received.size() == data.size()) {
                all_read.set_result();
            }
        }));
    });
    on_write_loop([&] {
        EXPECT_FALSE(write_->write(data, [written](pipe_write_end *, std::error_code ec,
                                                   std::span<const std::uint8_t> src) mutable {
            EXPECT_EQ(src.size(), 1024u * 1024u + 17u);
            written.set_result(ec);
        }));
    });
    ASSERT_TRUE(written.wait(20s));
    EXPECT_FALSE(written.get_result());
    ASSERT_TRUE(all_read.wait(20s));
    on_read_loop([] {});
    EXPECT_EQ(received, data);
}

TEST_P(pipe_test, pipe_readable_event_sent_after_write) {
    readable_recorder rec;
    subscribe(rec);
    flush();
    EXPECT_EQ(rec.count(), 0u);
    EXPECT_FALSE(write_and_wait(pattern(5)));
    ASSERT_TRUE(rec.wait_for(1));
    EXPECT_FALSE(rec.at(0));
}

TEST_P(pipe_test, pipe_readable_event_sent_once) {
    readable_recorder rec;
    subscribe(rec);
    EXPECT_FALSE(write_and_wait(pattern(5)));
    ASSERT_TRUE(rec.wait_for(1));
    flush(); // the data is not read: no further event
    EXPECT_EQ(rec.count(), 1u);
}

TEST_P(pipe_test, pipe_readable_event_sent_on_subscribe_if_data_present) {
    EXPECT_FALSE(write_and_wait(pattern(5)));
    readable_recorder rec;
    subscribe(rec);
    ASSERT_TRUE(rec.wait_for(1));
    EXPECT_FALSE(rec.at(0));
}

TEST_P(pipe_test, pipe_readable_event_sent_on_resubscribe_if_data_present) {
    readable_recorder rec;
    subscribe(rec);
    EXPECT_FALSE(write_and_wait(pattern(5)));
    ASSERT_TRUE(rec.wait_for(1));
    on_read_loop([&] {
        EXPECT_FALSE(read_->unsubscribe_from_readable_events());
        EXPECT_EQ(read_->unsubscribe_from_readable_events(), io_errc::not_subscribed);
        EXPECT_FALSE(read_->subscribe_to_readable_events(
            [&rec](pipe_read_end &, std::error_code ec) { rec.record(ec); }));
        EXPECT_EQ(read_->subscribe_to_readable_events([](pipe_read_end &, std::error_code) {}),
                  io_errc::already_subscribed);
    });
    ASSERT_TRUE(rec.wait_for(2));
    EXPECT_FALSE(rec.at(1));
}

TEST_P(pipe_test, pipe_readable_event_sent_again_after_all_data_read) {
    readable_recorder rec;
    subscribe(rec);
    EXPECT_FALSE(write_and_wait(pattern(5)));
    ASSERT_TRUE(rec.wait_for(1));
    EXPECT_EQ(drain().size(), 5u);
    EXPECT_FALSE(write_and_wait(pattern(7)));
    ASSERT_TRUE(rec.wait_for(2));
    EXPECT_FALSE(rec.at(1));
    EXPECT_EQ(drain().size(), 7u);
}

TEST_P(pipe_test, pipe_error_event_sent_after_write_end_closed) {
    readable_recorder rec;
    subscribe(rec);
    on_write_loop([&] { EXPECT_FALSE(write_->clean_up()); });
    ASSERT_TRUE(rec.wait_for(1));
    EXPECT_EQ(rec.at(0), io_errc::broken_pipe);
    on_read_loop([&] {
        std::uint8_t b[4];
        EXPECT_EQ(read_->read(b).error(), io_errc::broken_pipe);
    });
}

TEST_P(pipe_test, pipe_error_event_sent_on_subscribe_if_write_end_already_closed) {
    on_write_loop([&] { EXPECT_FALSE(write_->clean_up()); });
    readable_recorder rec;
    subscribe(rec);
    ASSERT_TRUE(rec.wait_for(1));
    EXPECT_EQ(rec.at(0), io_errc::broken_pipe);
}

TEST_P(pipe_test, pipe_writes_are_fifo) {
    constexpr int writes = 100;
    std::vector<std::vector<std::uint8_t>> chunks;
    for (int i = 0; i < writes; ++i) {
        chunks.push_back(std::vector<std::uint8_t>(static_cast<std::size_t>(100 + i * 37),
                                                   static_cast<std::uint8_t>(i)));
    }
    std::vector<int> completion_order;
    future<void> all_done;
    std::vector<std::uint8_t> received;
    future<void> all_read;
    const std::size_t total = std::accumulate(chunks.begin(), chunks.end(), std::size_t{0},
                                              [](std::size_t s, const auto &c) { return s + c.size(); });
    on_read_loop([&] {
        EXPECT_FALSE(read_->subscribe_to_readable_events([&](pipe_read_end &end, std::error_code) {
            std::uint8_t buf[8192];
            for (;;) {
                auto n = end.read(buf);
                if (!n) {
                    break;
                }
                received.insert(received.end(), buf, buf + *n);
            }
            if (received.size() == total) {
                all_read.set_result();
            }
        }));
    });
    on_write_loop([&] {
        for (int i = 0; i < writes; ++i) {
            EXPECT_FALSE(write_->write(chunks[static_cast<std::size_t>(i)],
                                       [&, i](pipe_write_end *, std::error_code ec, std::span<const std::uint8_t>) {
                                           EXPECT_FALSE(ec);
                                           completion_order.push_back(i);
                                           if (completion_order.size() == writes) {
                                               all_done.set_result();
                                           }
                                       }));
        }
        EXPECT_TRUE(completion_order.empty()); // never completed inside write()
    });
    ASSERT_TRUE(all_done.wait(20s));
    ASSERT_TRUE(all_read.wait(20s));
    on_write_loop([] {});
    on_read_loop([] {});
    for (int i = 0; i < writes; ++i) {
        EXPECT_EQ(completion_order[static_cast<std::size_t>(i)], i);
    }
    std::vector<std::uint8_t> expected;
    for (const auto &c : chunks) {
        expected.insert(expected.end(), c.begin(), c.end());
    }
    EXPECT_EQ(received, expected);
}

TEST_P(pipe_test, pipe_clean_up_cancels_pending_writes) {
    // Nobody reads: a large write stays pending, then clean-up fails it (and the one behind it)
    // with broken_pipe and a null end.
    const auto big = pattern(4 * 1024 * 1024);
    const auto small = pattern(10);
    std::vector<std::error_code> results;
    std::vector<bool> end_was_null;
    on_write_loop([&] {
        for (const auto *d : {&big, &small}) {
            EXPECT_FALSE(write_->write(*d, [&](pipe_write_end *end, std::error_code ec, std::span<const std::uint8_t>) {
                results.push_back(ec);
                end_was_null.push_back(end == nullptr);
            }));
        }
    });
    flush();
    on_write_loop([&] {
        EXPECT_TRUE(results.empty());
        EXPECT_FALSE(write_->clean_up());
        ASSERT_EQ(results.size(), 2u);
        EXPECT_EQ(results[0], io_errc::broken_pipe);
        EXPECT_EQ(results[1], io_errc::broken_pipe);
        EXPECT_TRUE(end_was_null[0] && end_was_null[1]);
    });
}

INSTANTIATE_TEST_SUITE_P(pipe, pipe_test, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool> &info) {
                             return info.param ? std::string("2loops") : std::string("1loop");
                         });
