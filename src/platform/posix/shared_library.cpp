// dlopen / dlsym / dlclose behind shared_library.
#include <awsio/logging.hpp>
#include <awsio/shared_library.hpp>

#include <dlfcn.h>

namespace awsio {

result<shared_library> shared_library::open(const std::string &path) {
    void *handle = ::dlopen(path.empty() ? nullptr : path.c_str(), RTLD_LAZY);
    if (handle == nullptr) {
        const char *why = ::dlerror();
        AWSIO_LOGF_ERROR(log_subject::shared_library, "dlopen(%s) failed: %s", path.c_str(),
                         why != nullptr ? why : "unknown");
        return io_errc::shared_library_load_failure;
    }
    return shared_library(handle);
}

shared_library &shared_library::operator=(shared_library &&other) noexcept {
    if (this != &other) {
        if (handle_ != nullptr) {
            ::dlclose(handle_);
        }
        handle_ = other.handle_;
        other.handle_ = nullptr;
    }
    return *this;
}

shared_library::~shared_library() {
    if (handle_ != nullptr) {
        ::dlclose(handle_);
    }
}

result<shared_library::generic_function> shared_library::find_function(const std::string &name) const {
    if (handle_ == nullptr) {
        return io_errc::shared_library_find_symbol_failure;
    }
    ::dlerror(); // clear any earlier error
    void *sym = ::dlsym(handle_, name.c_str());
    if (sym == nullptr) {
        const char *why = ::dlerror();
        AWSIO_LOGF_ERROR(log_subject::shared_library, "dlsym(%s) failed: %s", name.c_str(),
                         why != nullptr ? why : "symbol is null");
        return io_errc::shared_library_find_symbol_failure;
    }
    return reinterpret_cast<generic_function>(sym);
}

} // namespace awsio
