// libFuzzer target: a TLS client connection (awsio::tls::connection over the insecure
// deterministic provider, verifying against a fixed Ed25519 CA, caching tickets, offering ALPN)
// sends its ClientHello, then is fed the input as the server's answer, split into several
// feed() calls. Once connected it sends a KeyUpdate, data and close_notify. Checks that failures
// are sticky and carry a known error category.
//
// Input layout and reproducibility: see tls_fuzz_common.hpp. The seed corpus holds complete
// server flights recorded for this exact client (tests/unit/tls/fuzz_seed_test.cpp).
#include "tls_fuzz_common.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    (void)awsio::tls::fuzz::run_client(std::span<const std::uint8_t>(data, size));
    return 0;
}
