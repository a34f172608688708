// `awsio demo`: the most complete thing awsio does today.
#include "tools/awsio/commands.hpp"

#include <awsio/error.hpp>
#include <awsio/event_loop.hpp>
#include <awsio/io.hpp>

#include <cstdio>

namespace awsio::cli {

int run_demo(const std::vector<std::string> &args) {
    (void)args;
    io_library lib;
    std::printf("awsio demo\n");
    return 0;
}

} // namespace awsio::cli
