// A scripted async_input_stream for tests (aws-c-io's async_stream_tester): serves bytes from
// memory, completing each read immediately, on a worker thread, or at random; can hand out at
// most max_bytes_per_read, require an extra empty read to report the end, and fail once a
// given number of bytes has been served.
#pragma once

#include <awsio/async_stream.hpp>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace awsio::testing_support {

enum class completion_strategy { immediate, on_another_thread, random };

struct async_stream_tester_options {
    std::string source;
    completion_strategy completion = completion_strategy::immediate;
    std::size_t max_bytes_per_read = 0; // 0 = no limit
    bool eof_requires_extra_read = false;
    std::size_t fail_at_byte = static_cast<std::size_t>(-1);
    std::error_code fail_with = make_error_code(io_errc::stream_read_failed);
    unsigned random_seed = 1;
};

class async_stream_tester final : public async_input_stream {
public:
    explicit async_stream_tester(async_stream_tester_options o) : opt_(std::move(o)), rng_(opt_.random_seed) {
        worker_ = std::thread([this] { work(); });
    }
    ~async_stream_tester() override {
        {
            std::lock_guard<std::mutex> l(mutex_);
            stop_ = true;
            cv_.notify_all();
        }
        worker_.join();
    }

    std::size_t reads() const { return reads_; }

protected:
    future<bool> do_read(byte_buf &dest) override {
        ++reads_;
        future<bool> f;
        bool on_thread = opt_.completion == completion_strategy::on_another_thread;
        if (opt_.completion == completion_strategy::random) {
            on_thread = (rng_() % 2) == 0;
        }
        if (!on_thread) {
            serve(dest, f);
            return f;
        }
        std::lock_guard<std::mutex> l(mutex_);
        jobs_.push_back([this, &dest, f]() mutable { serve(dest, f); });
        cv_.notify_all();
        return f;
    }

private:
    void serve(byte_buf &dest, future<bool> f) {
        if (pos_ >= opt_.fail_at_byte) {
            f.set_error(opt_.fail_with);
            return;
        }
        std::size_t n = std::min(dest.remaining(), opt_.source.size() - pos_);
        if (opt_.max_bytes_per_read != 0) {
            n = std::min(n, opt_.max_bytes_per_read);
        }
        if (opt_.fail_at_byte != static_cast<std::size_t>(-1)) {
            n = std::min(n, opt_.fail_at_byte - pos_);
        }
        (void)dest.append({reinterpret_cast<const std::uint8_t *>(opt_.source.data()) + pos_, n});
        pos_ += n;
        const bool at_end = pos_ == opt_.source.size();
        // With eof_requires_extra_read the end is only reported by a read that returns nothing.
        f.set_result(at_end && (!opt_.eof_requires_extra_read || n == 0));
    }

    void work() {
        std::unique_lock<std::mutex> l(mutex_);
        for (;;) {
            cv_.wait(l, [this] { return stop_ || !jobs_.empty(); });
            if (jobs_.empty() && stop_) {
                return;
            }
            auto job = std::move(jobs_.front());
            jobs_.pop_front();
            l.unlock();
            job();
            l.lock();
        }
    }

    async_stream_tester_options opt_;
    std::minstd_rand rng_;
    std::size_t pos_ = 0;
    std::size_t reads_ = 0;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    bool stop_ = false;
    std::thread worker_;
};

} // namespace awsio::testing_support
