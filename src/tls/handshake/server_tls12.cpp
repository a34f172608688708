// tls/handshake/server_tls12.cpp — placeholder until the TLS 1.2 server machine lands.
#include "tls/handshake/tls12.hpp"

namespace awsio::tls {

std::unique_ptr<handshake_machine> make_server_tls12_machine(std::shared_ptr<const handshake_config> /*config*/) {
    return nullptr;
}

crypto::secret_buffer serialize_tls12_ticket_state(const tls12_server_session & /*s*/) { return {}; }
std::optional<tls12_server_session> parse_tls12_ticket_state(bytes_view /*bytes*/) { return std::nullopt; }

} // namespace awsio::tls
