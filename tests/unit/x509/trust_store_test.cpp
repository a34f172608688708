// Trust store: anchors from CA files, CA directories (with hashed links and unrelated files),
// PEM text, DER and the system bundle; deduplication, all-or-nothing loading and the errors
// for missing or empty inputs.
#include "x509/trust_store.hpp"

#include "x509/der.hpp"

#include <awsio/error.hpp>
#include <awsio/pem.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace awsio;
using namespace awsio::x509;
using bytes = std::vector<std::uint8_t>;
namespace fs = std::filesystem;

namespace {

std::string resource(const std::string &name) { return std::string(AWSIO_TEST_RESOURCES_DIR) + "/x509/" + name; }

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bytes der_of(const std::string &name) {
    auto objects = pem_parse_file(resource(name));
    EXPECT_TRUE(objects.has_value()) << name;
    return objects->front().data;
}

// The subject Name DER of a certificate (test-side extraction, as the path builder would
// provide with the certificate parser).
result<std::span<const std::uint8_t>> subject_of(std::span<const std::uint8_t> cert) {
    der::reader r(cert);
    auto c = r.read_sequence();
    if (!c) {
        return unexpected(c.error());
    }
    auto tbs = c->read_sequence();
    if (!tbs) {
        return unexpected(tbs.error());
    }
    (void)tbs->read_optional_explicit(0);
    for (int i = 0; i < 4; ++i) { // serial, signature, issuer, validity
        if (auto s = tbs->skip(); !s) {
            return unexpected(s.error());
        }
    }
    auto subject = tbs->read(der::tag::sequence);
    if (!subject) {
        return unexpected(subject.error());
    }
    return subject->encoded;
}

bytes subject_bytes(const bytes &cert) {
    auto s = subject_of(cert);
    EXPECT_TRUE(s.has_value());
    return bytes(s->begin(), s->end());
}

class temp_dir {
public:
    temp_dir() {
        std::string templ = (fs::temp_directory_path() / "awsio_trust_store_XXXXXX").string();
        if (::mkdtemp(templ.data()) != nullptr) {
            path_ = templ;
        }
    }
    ~temp_dir() {
        std::error_code ec;
        if (!path_.empty()) {
            fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
            fs::remove_all(path_, ec);
        }
    }
    temp_dir(const temp_dir &) = delete;
    temp_dir &operator=(const temp_dir &) = delete;
    [[nodiscard]] const std::string &path() const { return path_; }
    [[nodiscard]] std::string file(const std::string &name) const { return path_ + "/" + name; }
    [[nodiscard]] bool ok() const { return !path_.empty(); }

private:
    std::string path_;
};

void write_text(const std::string &path, const std::string &text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

} // namespace

TEST(x509_trust_store, empty_store) {
    trust_store store;
    EXPECT_TRUE(store.empty());
    EXPECT_EQ(store.size(), 0u);
    EXPECT_FALSE(store.contains(der_of("root_ca.pem")));
}

TEST(x509_trust_store, from_ca_file) {
    auto store = trust_store::from_ca_file(resource("root_ca.pem"));
    ASSERT_TRUE(store.has_value()) << store.error().message();
    ASSERT_EQ(store->size(), 1u);
    EXPECT_EQ(store->anchors().front(), der_of("root_ca.pem"));
    EXPECT_TRUE(store->contains(der_of("root_ca.pem")));
    EXPECT_FALSE(store->contains(der_of("intermediate_ca.pem")));

    store = trust_store::from_ca_file(resource("cross_roots.pem"));
    ASSERT_TRUE(store.has_value());
    ASSERT_EQ(store->size(), 2u);
    EXPECT_EQ(store->anchors()[0], der_of("cross_root_a.pem"));
    EXPECT_EQ(store->anchors()[1], der_of("cross_root_b.pem"));
}

TEST(x509_trust_store, duplicates_are_dropped) {
    auto store = trust_store::from_ca_file(resource("leaf_chain_duplicate.pem"));
    ASSERT_TRUE(store.has_value());
    EXPECT_EQ(store->size(), 2u); // leaf, intermediate (twice in the file)
    ASSERT_TRUE(store->add_ca_file(resource("intermediate_ca.pem")).has_value());
    EXPECT_EQ(store->size(), 2u);
    auto added = store->add_der(der_of("root_ca.pem"));
    ASSERT_TRUE(added.has_value());
    EXPECT_TRUE(*added);
    added = store->add_der(der_of("root_ca.pem"));
    ASSERT_TRUE(added.has_value());
    EXPECT_FALSE(*added);
    EXPECT_EQ(store->size(), 3u);
}

TEST(x509_trust_store, add_der_refuses_non_certificates) {
    trust_store store;
    for (const bytes &bad : {bytes{}, bytes{0x30}, bytes{0x30, 0x05, 0x00}, bytes{0x04, 0x00}, bytes{0x30, 0x00, 0x00}}) {
        auto r = store.add_der(bad);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error(), io_errc::tls_ctx_error);
    }
    EXPECT_TRUE(store.empty());
}

TEST(x509_trust_store, from_pem_memory) {
    auto store = trust_store::from_pem(slurp(resource("leaf_fullchain.pem")));
    ASSERT_TRUE(store.has_value());
    EXPECT_EQ(store->size(), 3u);

    auto none = trust_store::from_pem(slurp(resource("leaf.key")));
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error(), io_errc::tls_ctx_error);
    none = trust_store::from_pem("garbage");
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error(), io_errc::pem_malformed);
}

TEST(x509_trust_store, failed_load_changes_nothing) {
    auto store = trust_store::from_ca_file(resource("root_ca.pem"));
    ASSERT_TRUE(store.has_value());
    const std::string bad = slurp(resource("cross_root_a.pem")) + *der_cert_to_pem(bytes{0x30, 0x01});
    auto r = store->add_pem(bad);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), io_errc::tls_ctx_error);
    EXPECT_EQ(store->size(), 1u);
    EXPECT_FALSE(store->contains(der_of("cross_root_a.pem")));
}

TEST(x509_trust_store, file_errors) {
    auto store = trust_store::from_ca_file(resource("no_such_file.pem"));
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error(), common_errc::file_invalid_path);
    store = trust_store::from_ca_file(resource("README.md"));
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error(), io_errc::pem_malformed);
}

TEST(x509_trust_store, from_ca_dir_with_hashed_links) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok());
    fs::copy_file(resource("root_ca.pem"), dir.file("root_ca.pem"));
    fs::copy_file(resource("cross_roots.pem"), dir.file("cross.crt"));
    // OpenSSL-style hashed names: symbolic links to the files above.
    fs::create_symlink("root_ca.pem", dir.file("1a2b3c4d.0"));
    fs::create_symlink(dir.file("cross.crt"), dir.file("5e6f7a8b.0"));
    // A dangling link, a sub-directory, a key and unrelated text are skipped.
    fs::create_symlink("missing.pem", dir.file("deadbeef.0"));
    fs::create_directory(dir.file("subdir"));
    fs::copy_file(resource("root_ca.pem"), dir.file("subdir/inner.pem"));
    fs::copy_file(resource("leaf.key"), dir.file("leaf.key"));
    write_text(dir.file("README"), "not a certificate\n");

    auto store = trust_store::from_ca_dir(dir.path());
    ASSERT_TRUE(store.has_value()) << store.error().message();
    EXPECT_EQ(store->size(), 3u);
    EXPECT_TRUE(store->contains(der_of("root_ca.pem")));
    EXPECT_TRUE(store->contains(der_of("cross_root_a.pem")));
    EXPECT_TRUE(store->contains(der_of("cross_root_b.pem")));
}

TEST(x509_trust_store, from_ca_dir_errors) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok());
    auto store = trust_store::from_ca_dir(dir.path());
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error(), io_errc::tls_ctx_error); // empty directory

    write_text(dir.file("notes.txt"), "no certificates here\n");
    store = trust_store::from_ca_dir(dir.path());
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error(), io_errc::tls_ctx_error);

    store = trust_store::from_ca_dir(dir.file("missing"));
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error(), common_errc::file_invalid_path);

    store = trust_store::from_ca_dir(resource("root_ca.pem")); // a file, not a directory
    ASSERT_FALSE(store.has_value());

    // An unreadable directory (meaningless as root, which may read anything).
    if (::geteuid() != 0) {
        fs::copy_file(resource("root_ca.pem"), dir.file("root.pem"));
        fs::permissions(dir.path(), fs::perms::owner_all, fs::perm_options::remove);
        store = trust_store::from_ca_dir(dir.path());
        ASSERT_FALSE(store.has_value());
        EXPECT_EQ(store.error(), common_errc::no_permission);
        fs::permissions(dir.path(), fs::perms::owner_all, fs::perm_options::add);
    }
}

TEST(x509_trust_store, from_system_with_injected_path) {
    auto store = trust_store::from_system(resource("no_bundle_here.crt"));
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error(), io_errc::tls_error_default_trust_store_not_found);

    store = trust_store::from_system(resource("cross_roots.pem"));
    ASSERT_TRUE(store.has_value());
    EXPECT_EQ(store->size(), 2u);
}

// aws-c-io default_pki_path_exists: a Linux test machine has a system bundle.
TEST(x509_trust_store, default_pki_path_exists) {
    const auto path = trust_store::default_bundle_path();
    if (!path) {
        GTEST_SKIP() << "no system CA bundle on this machine";
    }
    auto store = trust_store::from_system();
    ASSERT_TRUE(store.has_value()) << store.error().message();
    EXPECT_GT(store->size(), 10u);
    for (const auto &anchor : store->anchors()) {
        der::reader r(anchor);
        EXPECT_TRUE(r.read(der::tag::sequence).has_value());
    }
}

TEST(x509_trust_store, find_by_subject) {
    trust_store store;
    ASSERT_TRUE(store.add_ca_file(resource("cross_roots.pem")).has_value());
    ASSERT_TRUE(store.add_ca_file(resource("root_ca.pem")).has_value());
    ASSERT_TRUE(store.add_ca_file(resource("untrusted_root_ca.pem")).has_value());

    const bytes want = subject_bytes(der_of("cross_root_b.pem"));
    auto found = store.find_by_subject(want, subject_of);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(bytes(found.front().begin(), found.front().end()), der_of("cross_root_b.pem"));

    // The issuer of the intermediate is the root's subject.
    const bytes root_subject = subject_bytes(der_of("root_ca.pem"));
    found = store.find_by_subject(root_subject, subject_of);
    ASSERT_EQ(found.size(), 1u);

    found = store.find_by_subject(subject_bytes(der_of("leaf.pem")), subject_of);
    EXPECT_TRUE(found.empty());

    // An extractor that fails skips the anchor.
    found = store.find_by_subject(root_subject, [](std::span<const std::uint8_t>) {
        return std::optional<std::span<const std::uint8_t>>{};
    });
    EXPECT_TRUE(found.empty());
}

TEST(x509_trust_store, copies_are_independent) {
    auto store = trust_store::from_ca_file(resource("root_ca.pem"));
    ASSERT_TRUE(store.has_value());
    trust_store copy = *store;
    ASSERT_TRUE(copy.add_der(der_of("cross_root_a.pem")).has_value());
    EXPECT_EQ(store->size(), 1u);
    EXPECT_EQ(copy.size(), 2u);
    EXPECT_TRUE(copy.contains(der_of("root_ca.pem")));
    trust_store moved = std::move(copy);
    EXPECT_TRUE(moved.contains(der_of("cross_root_a.pem")));
    EXPECT_FALSE(moved.add_der(der_of("root_ca.pem")).value());
}
