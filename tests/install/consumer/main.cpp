// A tiny program built against an installed awsio: it must compile, link and run.
#include <awsio/error.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/io.hpp>

#include <atomic>
#include <cstdio>
#include <thread>

int main() {
    awsio::io_library lib;
    auto loop = awsio::event_loop::create_default();
    if (!loop) {
        std::puts("create failed");
        return 1;
    }
    if ((*loop)->run()) {
        return 1;
    }
    std::atomic<bool> ran{false};
    awsio::task t([&](awsio::task_status s) { ran = s == awsio::task_status::run_ready; });
    (*loop)->schedule_task_now(t);
    for (int i = 0; i < 5000 && !ran; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    loop->reset();
    const auto name = awsio::error_name(awsio::io_errc::tls_host_name_mismatch);
    std::printf("%s %s\n", ran ? "ran" : "not-run", std::string(name).c_str());
    return ran && name == "AWS_IO_TLS_HOST_NAME_MISMATCH" ? 0 : 1;
}
