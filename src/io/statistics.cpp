// statistics.cpp — resets of the aws-c-io statistics records and the statistics handler's
// out-of-line destructor (which anchors its vtable in the library).
#include <awsio/statistics.hpp>

namespace awsio {

void socket_statistics::reset() noexcept {
    bytes_read = 0;
    bytes_written = 0;
}

void tls_statistics::reset() noexcept {
    // Handshake timing describes the whole connection, not one interval: keep it.
}

statistics_handler::~statistics_handler() = default;

} // namespace awsio
