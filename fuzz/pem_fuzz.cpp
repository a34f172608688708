// libFuzzer target: PEM parsing, sanitising and base64 decoding of arbitrary bytes. Anything
// that parses must round-trip through der_cert_to_pem / base64_encode.
#include <awsio/pem.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    auto objects = awsio::pem_parse(text);
    if (objects) {
        for (const auto &o : *objects) {
            if (o.data.empty()) {
                continue;
            }
            auto pem = awsio::der_cert_to_pem(o.data);
            if (!pem) {
                std::abort();
            }
            auto again = awsio::pem_parse(*pem);
            if (!again || again->size() != 1 || (*again)[0].data != o.data) {
                std::abort(); // armour round trip must be exact
            }
        }
    }
    (void)awsio::sanitize_pem(text);
    auto decoded = awsio::base64_decode(text);
    if (decoded && awsio::base64_encode(*decoded) != text) {
        std::abort(); // strict decoding accepts only the canonical encoding
    }
    return 0;
}
