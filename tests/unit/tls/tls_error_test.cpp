// The TLS error categories: names, the alert each local error sends, received-alert errors.
#include "tls/codec/tls_error.hpp"
#include "x509/der.hpp"

#include <awsio/error.hpp>

#include <gtest/gtest.h>

using namespace awsio;

TEST(tls_error, alert_names_cover_the_registry) {
    EXPECT_EQ(tls::alert_name(0), "close_notify");
    EXPECT_EQ(tls::alert_name(10), "unexpected_message");
    EXPECT_EQ(tls::alert_name(50), "decode_error");
    EXPECT_EQ(tls::alert_name(116), "certificate_required");
    EXPECT_EQ(tls::alert_name(120), "no_application_protocol");
    EXPECT_EQ(tls::alert_name(21), "unknown_alert"); // decryption_failed_RESERVED
    EXPECT_EQ(tls::alert_name(255), "unknown_alert");
}

TEST(tls_error, local_errors_carry_the_alert_to_send) {
    const std::error_code ec = tls::errc::illegal_parameter;
    EXPECT_EQ(ec.category().name(), std::string("awsio-tls"));
    EXPECT_EQ(ec.value(), 47);
    EXPECT_EQ(tls::alert_for(ec), tls::alert_description::illegal_parameter);
    EXPECT_EQ(static_cast<int>(tls::errc::bad_record_mac), static_cast<int>(tls::alert_description::bad_record_mac));
    EXPECT_NE(ec.message().find("illegal_parameter"), std::string::npos);
}

TEST(tls_error, other_failures_map_to_bad_certificate_or_internal_error) {
    EXPECT_EQ(tls::alert_for(x509::der::errc::truncated), tls::alert_description::bad_certificate);
    EXPECT_EQ(tls::alert_for(make_error_code(io_errc::socket_closed)), tls::alert_description::internal_error);
}

TEST(tls_error, received_alerts_have_their_own_category) {
    const std::error_code ec = tls::peer_alert_error(40);
    EXPECT_EQ(ec.category().name(), std::string("awsio-tls-peer-alert"));
    EXPECT_NE(ec, make_error_code(tls::errc::handshake_failure));
    EXPECT_NE(ec.message().find("handshake_failure"), std::string::npos);
}
