// x509/trust_store.cpp — loading trust anchors from the system bundle, CA files, CA directories
// and PEM text, deduplicated by their DER bytes.
#include "x509/trust_store.hpp"

#include "x509/der.hpp"
#include "x509/pki.hpp"

#include <awsio/error.hpp>
#include <awsio/logging.hpp>
#include <awsio/pem.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <system_error>

namespace awsio::x509 {

namespace {

std::size_t hash_der(std::span<const std::uint8_t> der) noexcept {
    return std::hash<std::string_view>{}(
        std::string_view(reinterpret_cast<const char *>(der.data()), der.size()));
}

bool is_single_sequence(std::span<const std::uint8_t> der) noexcept {
    der::reader r(der);
    auto seq = r.read(der::tag::sequence);
    return seq.has_value() && r.expect_empty().has_value();
}

// std::filesystem reports errno values in the generic/system category; map them the way file
// IO errors are mapped everywhere else.
std::error_code from_fs_error(const std::error_code &ec) noexcept {
    if (ec.category() == std::generic_category() || ec.category() == std::system_category()) {
        return io_error_from_errno(ec.value());
    }
    return common_errc::sys_call_failure;
}

} // namespace

bool trust_store::insert(std::vector<std::uint8_t> der) {
    const std::size_t h = hash_der(der);
    const auto range = index_.equal_range(h);
    for (auto it = range.first; it != range.second; ++it) {
        if (anchors_[it->second] == der) {
            return false;
        }
    }
    index_.emplace(h, anchors_.size());
    anchors_.push_back(std::move(der));
    return true;
}

result<void> trust_store::add_all(std::vector<std::vector<std::uint8_t>> certs) {
    for (const auto &c : certs) {
        if (!is_single_sequence(c)) {
            return io_errc::tls_ctx_error;
        }
    }
    for (auto &c : certs) {
        insert(std::move(c));
    }
    return {};
}

bool trust_store::contains(std::span<const std::uint8_t> der) const noexcept {
    const auto range = index_.equal_range(hash_der(der));
    for (auto it = range.first; it != range.second; ++it) {
        const auto &a = anchors_[it->second];
        if (a.size() == der.size() && std::equal(a.begin(), a.end(), der.begin())) {
            return true;
        }
    }
    return false;
}

result<bool> trust_store::add_der(std::span<const std::uint8_t> der) {
    if (!is_single_sequence(der)) {
        return io_errc::tls_ctx_error;
    }
    return insert(std::vector<std::uint8_t>(der.begin(), der.end()));
}

result<void> trust_store::add_pem(std::string_view pem) {
    auto chain = load_certificate_chain_pem(pem);
    if (!chain) {
        return unexpected(chain.error());
    }
    return add_all(std::move(*chain));
}

result<void> trust_store::add_ca_file(const std::string &path) {
    auto chain = load_certificate_chain_file(path);
    if (!chain) {
        AWSIO_LOGF_ERROR(log_subject::pki, "static: no CA certificates loaded from file \"%s\"", path.c_str());
        return unexpected(chain.error());
    }
    return add_all(std::move(*chain));
}

result<void> trust_store::add_ca_dir(const std::string &path) {
    std::error_code ec;
    std::filesystem::directory_iterator it(path, ec);
    if (ec) {
        AWSIO_LOGF_ERROR(log_subject::pki, "static: cannot open CA directory \"%s\": %s", path.c_str(),
                         ec.message().c_str());
        return unexpected(from_fs_error(ec));
    }
    // Sorted so that the anchor order does not depend on the directory's order.
    std::vector<std::filesystem::path> files;
    for (const std::filesystem::directory_iterator end; it != end; it.increment(ec)) {
        if (ec) {
            break;
        }
        std::error_code type_ec;
        if (it->is_regular_file(type_ec)) { // follows symbolic links
            files.push_back(it->path());
        }
    }
    if (ec) {
        AWSIO_LOGF_ERROR(log_subject::pki, "static: cannot list CA directory \"%s\": %s", path.c_str(),
                         ec.message().c_str());
        return unexpected(from_fs_error(ec));
    }
    std::sort(files.begin(), files.end());

    std::vector<std::vector<std::uint8_t>> found;
    for (const auto &file : files) {
        // Other files (CRLs, keys, READMEs, unreadable files) are not an error in a CA
        // directory, as with OpenSSL's hashed directories; they are only logged.
        auto chain = load_certificate_chain_file(file.string());
        if (!chain) {
            AWSIO_LOGF_DEBUG(log_subject::pki, "static: skipping \"%s\" in CA directory: %s", file.c_str(),
                             chain.error().message().c_str());
            continue;
        }
        for (auto &c : *chain) {
            found.push_back(std::move(c));
        }
    }
    if (found.empty()) {
        AWSIO_LOGF_ERROR(log_subject::pki, "static: no CA certificate found in directory \"%s\"", path.c_str());
        return io_errc::tls_ctx_error;
    }
    return add_all(std::move(found));
}

std::optional<std::string> trust_store::default_bundle_path() {
    for (const std::string_view candidate : system_bundle_candidates) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(std::filesystem::path(candidate), ec)) {
            return std::string(candidate);
        }
    }
    return std::nullopt;
}

result<trust_store> trust_store::from_system() {
    auto path = default_bundle_path();
    if (!path) {
        AWSIO_LOGF_ERROR(log_subject::pki, "static: no system CA bundle found");
        return io_errc::tls_error_default_trust_store_not_found;
    }
    return from_system(*path);
}

result<trust_store> trust_store::from_system(const std::string &bundle_path) {
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::path(bundle_path), ec)) {
        AWSIO_LOGF_ERROR(log_subject::pki, "static: system CA bundle \"%s\" not found", bundle_path.c_str());
        return io_errc::tls_error_default_trust_store_not_found;
    }
    AWSIO_LOGF_DEBUG(log_subject::pki, "static: loading system CA bundle \"%s\"", bundle_path.c_str());
    return from_ca_file(bundle_path);
}

result<trust_store> trust_store::from_ca_file(const std::string &path) {
    trust_store store;
    if (auto r = store.add_ca_file(path); !r) {
        return unexpected(r.error());
    }
    return store;
}

result<trust_store> trust_store::from_ca_dir(const std::string &path) {
    trust_store store;
    if (auto r = store.add_ca_dir(path); !r) {
        return unexpected(r.error());
    }
    return store;
}

result<trust_store> trust_store::from_pem(std::string_view pem) {
    trust_store store;
    if (auto r = store.add_pem(pem); !r) {
        return unexpected(r.error());
    }
    return store;
}

} // namespace awsio::x509
