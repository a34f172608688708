// awsio/shared_library.hpp — loading shared libraries and finding their functions. Mirrors
// aws-c-io's shared_library.h.
//
// Threading: any thread. Ownership: move-only; the library is closed when the object dies, so
// functions found in it must not be called afterwards.
#pragma once

#include <awsio/error.hpp>
#include <awsio/export.hpp>
#include <awsio/result.hpp>

#include <string>

namespace awsio {

class AWSIO_API shared_library {
public:
    using generic_function = void (*)();

    /// Opens path (dlopen, RTLD_LAZY); an empty path opens the main program itself.
    /// Failure -> io_errc::shared_library_load_failure.
    static result<shared_library> open(const std::string &path);

    shared_library(shared_library &&other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }
    shared_library &operator=(shared_library &&other) noexcept;
    shared_library(const shared_library &) = delete;
    shared_library &operator=(const shared_library &) = delete;
    ~shared_library();

    /// The address of a function (dlsym). Not found -> io_errc::shared_library_find_symbol_failure.
    result<generic_function> find_function(const std::string &name) const;

    /// find_function cast to the given function-pointer type.
    template <typename Fn>
    result<Fn> find(const std::string &name) const {
        auto f = find_function(name);
        if (!f) {
            return unexpected(f.error());
        }
        return reinterpret_cast<Fn>(*f);
    }

    [[nodiscard]] bool is_open() const noexcept { return handle_ != nullptr; }

private:
    explicit shared_library(void *handle) noexcept : handle_(handle) {}
    void *handle_;
};

} // namespace awsio
