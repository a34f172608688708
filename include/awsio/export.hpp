// awsio/export.hpp — the one export macro. Mirrors aws-c-io's exports.h.
#pragma once

// Every symbol that is part of the public ABI carries AWSIO_API; everything else is
// compiled with -fvisibility=hidden.
#if defined(_WIN32)
#    define AWSIO_API
#else
#    define AWSIO_API __attribute__((visibility("default")))
#endif
