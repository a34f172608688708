// `awsio bench ...`: dispatches to the benchmarks compiled in with AWSIO_BUILD_BENCH.
#include "tools/awsio/commands.hpp"

#include <cstdio>

#if defined(AWSIO_HAVE_BENCH)
#    include "bench/bench.hpp"
#endif

namespace awsio::cli {

int run_bench(const std::vector<std::string> &args) {
#if defined(AWSIO_HAVE_BENCH)
    if (args.empty()) {
        std::fputs("usage: awsio bench loop|tcp|x509|tls [--json] [options]\n"
                   "  tls options: --quick, --seconds S (per measurement, default 1),\n"
                   "               --bytes N (loopback transfer, default 1 GiB),\n"
                   "               --connections N (idle memory, default 1000)\n",
                   stderr);
        return 2;
    }
    bool json = false;
    std::vector<std::string> rest;
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--json") {
            json = true;
        } else {
            rest.push_back(args[i]);
        }
    }
    const bench::reporter out(json);
    if (args[0] == "loop") {
        return bench::run_loop_bench(rest, out);
    }
    if (args[0] == "tcp") {
        return bench::run_tcp_bench(rest, out);
    }
    if (args[0] == "x509") {
        return bench::run_x509_bench(rest, out);
    }
    if (args[0] == "tls") {
        return bench::run_tls_bench(rest, out);
    }
    std::fprintf(stderr, "awsio bench: unknown benchmark '%s'\n", args[0].c_str());
    return 2;
#else
    (void)args;
    std::fputs("awsio bench: this build has no benchmarks (configure with AWSIO_BUILD_BENCH=ON, "
               "as the release preset does: ./dev bench)\n",
               stderr);
    return 2;
#endif
}

} // namespace awsio::cli
