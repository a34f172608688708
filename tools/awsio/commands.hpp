// Sub-commands of the awsio tool.
#pragma once

#include <string>
#include <vector>

namespace awsio::cli {
int run_demo(const std::vector<std::string> &args);
int run_bench(const std::vector<std::string> &args);
int run_errors(const std::vector<std::string> &args);
int run_resolve(const std::vector<std::string> &args);
int run_server(const std::vector<std::string> &args);
int run_client(const std::vector<std::string> &args);
int run_verify(const std::vector<std::string> &args);
/// TLS forms of `awsio server` / `awsio client` (tls_cmd.cpp).
int run_tls_server(const std::vector<std::string> &args);
int run_tls_client(const std::vector<std::string> &args);
} // namespace awsio::cli
