// x509/trust_store.hpp — the set of trust anchors a verifier accepts: CA certificates from the
// system bundle, a CA file, a CA directory (aws-c-io's ca_file / ca_path and
// override_default_trust_store), PEM text, or DER blobs.
//
// Anchors are kept as DER exactly as loaded, deduplicated byte-for-byte, in first-seen order.
// The store does not parse certificates; the path builder indexes them by subject with the
// certificate parser (find_by_subject() takes the subject extraction as a function for that).
//
// Errors (std::error_code):
//   * from_system(): io_errc::tls_error_default_trust_store_not_found when no bundle exists;
//   * files and directories: common_errc::file_invalid_path (missing), no_permission, ... via
//     io_error_from_errno(); common_errc::sys_call_failure when reading fails;
//   * io_errc::pem_malformed: a CA file that holds no valid PEM (pem_parse());
//   * io_errc::tls_ctx_error: PEM without any CERTIFICATE object, a directory without any
//     certificate, a certificate that is not one DER SEQUENCE.
// A failed load leaves the store unchanged.
//
// Thread safety: const member functions may be called from several threads at once; loading
// into a store needs exclusive access. Copyable and movable value type.
#pragma once

#include <awsio/result.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace awsio::x509 {

class trust_store {
public:
    /// Bundle files probed by from_system(), in order (Debian/Ubuntu/Alpine, Fedora/RHEL,
    /// openSUSE, older RHEL, RHEL extracted bundle, FreeBSD/macOS-style).
    static constexpr std::string_view system_bundle_candidates[] = {
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/ca-bundle.pem",
        "/etc/pki/tls/cacert.pem",
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        "/etc/ssl/cert.pem",
    };

    /// An empty store (trusts nothing).
    trust_store() = default;

    /// The system trust store: the first of system_bundle_candidates that exists, loaded with
    /// from_ca_file(). None exists: io_errc::tls_error_default_trust_store_not_found.
    static result<trust_store> from_system();
    /// The same with the bundle path given (tests, unusual systems). A missing file gives
    /// io_errc::tls_error_default_trust_store_not_found; other failures as from_ca_file().
    static result<trust_store> from_system(const std::string &bundle_path);
    /// The first existing file of system_bundle_candidates, if any.
    static std::optional<std::string> default_bundle_path();

    /// Every certificate of a PEM file (other objects are skipped).
    static result<trust_store> from_ca_file(const std::string &path);
    /// Every certificate of every regular file (symbolic links followed, so OpenSSL's hashed
    /// links work) in a directory, not recursing. Files that hold no PEM certificate are
    /// skipped; a directory that yields none: io_errc::tls_ctx_error.
    static result<trust_store> from_ca_dir(const std::string &path);
    /// Every certificate of PEM text.
    static result<trust_store> from_pem(std::string_view pem);

    /// The add_* functions load into this store; on error nothing is added.
    result<void> add_ca_file(const std::string &path);
    result<void> add_ca_dir(const std::string &path);
    result<void> add_pem(std::string_view pem);
    /// One DER certificate. Returns true when added, false when already present. Not one DER
    /// SEQUENCE: io_errc::tls_ctx_error.
    result<bool> add_der(std::span<const std::uint8_t> der);

    /// The anchors in first-seen order.
    [[nodiscard]] const std::vector<std::vector<std::uint8_t>> &anchors() const noexcept { return anchors_; }
    [[nodiscard]] std::size_t size() const noexcept { return anchors_.size(); }
    [[nodiscard]] bool empty() const noexcept { return anchors_.empty(); }
    /// True when exactly these bytes are an anchor.
    [[nodiscard]] bool contains(std::span<const std::uint8_t> der) const noexcept;

    /// The anchors whose subject Name DER equals `raw_subject`, in store order. `extract` maps
    /// one certificate's DER to its subject Name DER (the complete SEQUENCE) and returns
    /// something testable and dereferenceable (result<span>, std::optional<span>); anchors it
    /// fails on are skipped. Linear in the store size: index the result once for hot paths.
    template <typename Extract>
    [[nodiscard]] std::vector<std::span<const std::uint8_t>> find_by_subject(std::span<const std::uint8_t> raw_subject,
                                                                             Extract &&extract) const {
        std::vector<std::span<const std::uint8_t>> out;
        for (const auto &anchor : anchors_) {
            const std::span<const std::uint8_t> cert(anchor);
            auto subject = extract(cert);
            if (!subject) {
                continue;
            }
            const std::span<const std::uint8_t> s = *subject;
            if (s.size() == raw_subject.size() && std::equal(s.begin(), s.end(), raw_subject.begin())) {
                out.push_back(cert);
            }
        }
        return out;
    }

private:
    // Adds without validation; returns false for a duplicate.
    bool insert(std::vector<std::uint8_t> der);
    // Adds a batch only when every element is valid (all-or-nothing loading).
    result<void> add_all(std::vector<std::vector<std::uint8_t>> certs);

    std::vector<std::vector<std::uint8_t>> anchors_;
    // Hash of the DER -> indexes into anchors_ (copy-safe, unlike views into the vectors).
    std::unordered_multimap<std::size_t, std::size_t> index_;
};

} // namespace awsio::x509
