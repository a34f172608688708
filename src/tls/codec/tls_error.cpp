// The "awsio-tls" and "awsio-tls-peer-alert" error categories and alert names.
#include "tls/codec/tls_error.hpp"

#include <string>

namespace awsio::tls {

std::string_view alert_name(std::uint8_t d) noexcept {
    switch (static_cast<alert_description>(d)) {
    case alert_description::close_notify:
        return "close_notify";
#define AWSIO_TLS_ALERT_NAME_CASE(name, value)                                                                  \
    case alert_description::name:                                                                                \
        return #name;
        AWSIO_TLS_ALERT_LIST(AWSIO_TLS_ALERT_NAME_CASE)
#undef AWSIO_TLS_ALERT_NAME_CASE
    }
    return "unknown_alert";
}

namespace {

class tls_category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "awsio-tls"; }
    std::string message(int v) const override {
        return "TLS protocol error (" + std::string(alert_name(static_cast<std::uint8_t>(v))) + ")";
    }
};

class peer_alert_category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "awsio-tls-peer-alert"; }
    std::string message(int v) const override {
        return "fatal alert received from peer (" + std::string(alert_name(static_cast<std::uint8_t>(v))) +
               ")";
    }
};

} // namespace

const std::error_category &tls_category() noexcept {
    static const tls_category_impl instance;
    return instance;
}

const std::error_category &peer_alert_category() noexcept {
    static const peer_alert_category_impl instance;
    return instance;
}

alert_description alert_for(std::error_code ec) noexcept {
    if (ec.category() == tls_category() && ec.value() > 0 && ec.value() < 256) {
        return static_cast<alert_description>(ec.value());
    }
    const std::string_view cat = ec.category().name();
    if (cat == "awsio-der") {
        return alert_description::bad_certificate;
    }
    return alert_description::internal_error;
}

} // namespace awsio::tls
