// libFuzzer target: a TLS server connection (awsio::tls::connection over the insecure
// deterministic provider, an Ed25519 certificate, tickets, ALPN) fed the input as the bytes a
// client sent, split into several feed() calls. Application data is echoed once the handshake
// completes. Checks that failures are sticky and carry a known error category.
//
// Input layout and reproducibility: see tls_fuzz_common.hpp. The seed corpus holds complete
// client flights recorded against this exact server (tests/unit/tls/fuzz_seed_test.cpp).
#include "tls_fuzz_common.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    (void)awsio::tls::fuzz::run_server(std::span<const std::uint8_t>(data, size));
    return 0;
}
