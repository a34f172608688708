// tls/handshake/client_tls12.cpp — placeholder until the TLS 1.2 client machine lands.
#include "tls/handshake/tls12.hpp"

namespace awsio::tls {

std::unique_ptr<handshake_machine> make_client_tls12_machine(std::shared_ptr<const handshake_config> /*config*/,
                                                             connection_params /*params*/,
                                                             tls12_client_offer /*offer*/) {
    return nullptr;
}

} // namespace awsio::tls
