// awsio/unique_function.hpp — a move-only type-erased callable (like C++23
// std::move_only_function). Callbacks across awsio take one of these: a lambda capture replaces
// aws-c-io's `void *user_data`, and move-only captures (unique_ptr, promises) are fine.
// Callables up to 3 pointers in size that are nothrow-movable are stored inline (no allocation).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace awsio {

template <typename Signature>
class unique_function;

template <typename R, typename... Args>
class unique_function<R(Args...)> {
    static constexpr std::size_t inline_size = 3 * sizeof(void *);
    static constexpr std::size_t inline_align = alignof(std::max_align_t);

    template <typename F>
    static constexpr bool stored_inline = sizeof(F) <= inline_size &&
                                          alignof(F) <= inline_align &&
                                          std::is_nothrow_move_constructible_v<F>;

    struct vtable {
        R (*invoke)(void *, Args &&...);
        // Move-constructs into dst from src and destroys src; nullptr for heap storage.
        void (*relocate)(void *dst, void *src) noexcept;
        void (*destroy)(void *) noexcept;
    };

    template <typename F>
    static constexpr vtable inline_vtable = {
        [](void *p, Args &&...args) -> R {
            return std::invoke(*static_cast<F *>(p), std::forward<Args>(args)...);
        },
        [](void *dst, void *src) noexcept {
            new (dst) F(std::move(*static_cast<F *>(src)));
            static_cast<F *>(src)->~F();
        },
        [](void *p) noexcept { static_cast<F *>(p)->~F(); },
    };

    template <typename F>
    static constexpr vtable heap_vtable = {
        [](void *p, Args &&...args) -> R {
            return std::invoke(**static_cast<F **>(p), std::forward<Args>(args)...);
        },
        [](void *dst, void *src) noexcept {
            *static_cast<F **>(dst) = *static_cast<F **>(src);
            *static_cast<F **>(src) = nullptr;
        },
        [](void *p) noexcept { delete *static_cast<F **>(p); },
    };

public:
    unique_function() noexcept = default;
    unique_function(std::nullptr_t) noexcept {}

    template <typename F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, unique_function> &&
                 std::is_invocable_r_v<R, std::decay_t<F> &, Args...>)
    unique_function(F &&f) {
        using D = std::decay_t<F>;
        if constexpr (std::is_pointer_v<D> || std::is_member_pointer_v<D>) {
            if (f == nullptr) {
                return;
            }
        }
        if constexpr (stored_inline<D>) {
            new (&buf_) D(std::forward<F>(f));
            vt_ = &inline_vtable<D>;
        } else {
            *reinterpret_cast<D **>(&buf_) = new D(std::forward<F>(f));
            vt_ = &heap_vtable<D>;
        }
    }

    unique_function(unique_function &&o) noexcept : vt_(o.vt_) {
        if (vt_) {
            vt_->relocate(&buf_, &o.buf_);
            o.vt_ = nullptr;
        }
    }
    unique_function &operator=(unique_function &&o) noexcept {
        if (this != &o) {
            reset();
            vt_ = o.vt_;
            if (vt_) {
                vt_->relocate(&buf_, &o.buf_);
                o.vt_ = nullptr;
            }
        }
        return *this;
    }
    unique_function &operator=(std::nullptr_t) noexcept {
        reset();
        return *this;
    }
    unique_function(const unique_function &) = delete;
    unique_function &operator=(const unique_function &) = delete;
    ~unique_function() { reset(); }

    explicit operator bool() const noexcept { return vt_ != nullptr; }

    R operator()(Args... args) {
        return vt_->invoke(&buf_, std::forward<Args>(args)...);
    }

    void reset() noexcept {
        if (vt_) {
            const vtable *v = vt_;
            vt_ = nullptr;
            v->destroy(&buf_);
        }
    }

private:
    alignas(inline_align) unsigned char buf_[inline_size];
    const vtable *vt_ = nullptr;
};

} // namespace awsio
