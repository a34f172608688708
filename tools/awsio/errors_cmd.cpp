// `awsio errors`: prints every io_errc with its number, aws-c-io name and message.
#include "tools/awsio/commands.hpp"

#include <awsio/error.hpp>

#include <cstdio>
#include <string>

namespace awsio::cli {

int run_errors(const std::vector<std::string> &args) {
    (void)args;
    for (int v = io_errc_first; v <= io_errc_last; ++v) {
        const std::error_code ec(v, io_category());
        const std::string msg = ec.message();
        std::printf("%d %s %s\n", v, std::string(error_name(ec)).c_str(), msg.c_str());
    }
    return 0;
}

} // namespace awsio::cli
