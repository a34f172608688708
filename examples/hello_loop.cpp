// The README's usage example: hand work to an event-loop thread, get the answer back
// through a future. Built and run by the test suite so the README stays true.
#include <awsio/event_loop.hpp>
#include <awsio/future.hpp>
#include <awsio/io.hpp>

#include <cstdio>

int main() {
    awsio::io_library lib; // init / clean-up, nestable

    // One loop per core; the group shuts down asynchronously when the last reference goes.
    auto group = awsio::event_loop_group::create({}).value();
    awsio::event_loop *loop = group->get_next_loop();

    // Hand work to the loop thread and get the answer back through a future.
    awsio::future<int> answer;
    loop->schedule_now([answer](awsio::task_status status) mutable {
        if (status == awsio::task_status::run_ready) {
            answer.set_result(42);
        } else {
            answer.set_error(awsio::io_errc::operation_cancelled);
        }
    });
    answer.wait(std::chrono::seconds(5));
    if (answer.get_error()) {
        std::printf("failed: %s\n", awsio::error_name(answer.get_error()).data());
        return 1;
    }
    std::printf("answer: %d\n", answer.get_result());
}
