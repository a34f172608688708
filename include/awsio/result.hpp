// awsio/result.hpp — result<T>: a value or a std::error_code, shaped like std::expected.
#pragma once

#include <awsio/error.hpp>

#include <cassert>
#include <new>
#include <system_error>
#include <type_traits>
#include <utility>

namespace awsio {

/// Tag to construct a failed result: `return unexpected(io_errc::socket_closed);`
class unexpected {
public:
    template <typename E>
        requires std::is_error_code_enum_v<E>
    unexpected(E e) noexcept : ec_(make_error_code(e)) {}
    explicit unexpected(std::error_code ec) noexcept : ec_(ec) {}
    [[nodiscard]] std::error_code error() const noexcept { return ec_; }

private:
    std::error_code ec_;
};

/// The outcome of a fallible call: holds a T or a non-zero std::error_code.
/// Accessing value() of a failed result, or error() of a successful one, is a programming
/// error (asserted in debug builds).
template <typename T>
class [[nodiscard]] result {
public:
    using value_type = T;

    template <typename U = T>
        requires std::is_constructible_v<T, U &&> &&
                 (!std::is_same_v<std::remove_cvref_t<U>, result>) &&
                 (!std::is_same_v<std::remove_cvref_t<U>, unexpected>)
    result(U &&v) noexcept(std::is_nothrow_constructible_v<T, U &&>) : has_(true) {
        new (&storage_.value) T(std::forward<U>(v));
    }
    result(unexpected u) noexcept : has_(false) { storage_.error = u.error(); }
    template <typename E>
        requires std::is_error_code_enum_v<E>
    result(E e) noexcept : result(unexpected(e)) {}

    result(const result &o) requires std::is_copy_constructible_v<T> : has_(o.has_) {
        if (has_) {
            new (&storage_.value) T(o.storage_.value);
        } else {
            storage_.error = o.storage_.error;
        }
    }
    result(result &&o) noexcept(std::is_nothrow_move_constructible_v<T>) : has_(o.has_) {
        if (has_) {
            new (&storage_.value) T(std::move(o.storage_.value));
        } else {
            storage_.error = o.storage_.error;
        }
    }
    result &operator=(result o) noexcept(std::is_nothrow_move_constructible_v<T>) {
        destroy();
        has_ = o.has_;
        if (has_) {
            new (&storage_.value) T(std::move(o.storage_.value));
        } else {
            storage_.error = o.storage_.error;
        }
        return *this;
    }
    ~result() { destroy(); }

    [[nodiscard]] bool has_value() const noexcept { return has_; }
    explicit operator bool() const noexcept { return has_; }

    T &value() & noexcept { assert(has_); return storage_.value; }
    const T &value() const & noexcept { assert(has_); return storage_.value; }
    T &&value() && noexcept { assert(has_); return std::move(storage_.value); }
    T &operator*() & noexcept { return value(); }
    const T &operator*() const & noexcept { return value(); }
    T &&operator*() && noexcept { return std::move(*this).value(); }
    T *operator->() noexcept { return &value(); }
    const T *operator->() const noexcept { return &value(); }

    template <typename U>
    T value_or(U &&fallback) const & {
        return has_ ? storage_.value : static_cast<T>(std::forward<U>(fallback));
    }

    /// The error; a default (zero) code when the result holds a value.
    [[nodiscard]] std::error_code error() const noexcept {
        return has_ ? std::error_code() : storage_.error;
    }

private:
    void destroy() noexcept {
        if (has_) {
            storage_.value.~T();
        }
    }
    union storage {
        storage() noexcept : error() {}
        ~storage() {}
        T value;
        std::error_code error;
    } storage_;
    bool has_;
};

/// result<void>: success or an error code.
template <>
class [[nodiscard]] result<void> {
public:
    using value_type = void;
    result() noexcept = default;
    result(unexpected u) noexcept : ec_(u.error()) {}
    template <typename E>
        requires std::is_error_code_enum_v<E>
    result(E e) noexcept : ec_(make_error_code(e)) {}
    /// From a std::error_code: zero means success.
    result(std::error_code ec) noexcept : ec_(ec) {}
    [[nodiscard]] bool has_value() const noexcept { return !ec_; }
    explicit operator bool() const noexcept { return !ec_; }
    void value() const noexcept { assert(!ec_); }
    [[nodiscard]] std::error_code error() const noexcept { return ec_; }

private:
    std::error_code ec_;
};

} // namespace awsio
