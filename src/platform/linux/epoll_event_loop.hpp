// epoll_event_loop.hpp — factory for the Linux epoll event loop (the platform_default and
// epoll types). The class itself stays private to epoll_event_loop.cpp.
#pragma once

#include <awsio/event_loop.hpp>
#include <awsio/result.hpp>

#include <memory>

namespace awsio::detail {

/// Creates a stopped epoll loop. Fails with common_errc::sys_call_failure when the epoll
/// instance or the wake-up descriptor cannot be created.
result<std::unique_ptr<event_loop>> new_epoll_event_loop(const event_loop_options &options);

} // namespace awsio::detail
