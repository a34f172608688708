#!/usr/bin/env bash
# tests/resources/x509/make_fixtures.sh — regenerates the X.509 test fixtures of this directory
# (certificates, chains and keys; see README.md for what each one is for) with the openssl CLI.
#
# Usage: tests/resources/x509/make_fixtures.sh [output-dir]   (default: this script's directory)
#
# Requires OpenSSL >= 3.0. Validity periods are fixed (`openssl ca -startdate/-enddate`) and
# serial numbers are assigned in a fixed order, so the certificates differ between runs only in
# their keys and signatures. Regular fixtures are valid from 2020-01-01 to 2099-12-31.
set -euo pipefail

out_dir=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Validity periods (openssl ca accepts YYYYMMDDHHMMSSZ and writes UTCTime before 2050).
valid_from=20200101000000Z
valid_to=20991231235959Z
expired_from=20000101000000Z
expired_to=20011231235959Z
future_from=20900101000000Z
future_to=20991231235959Z

serial=4096 # next serial number (hex-printed), one per certificate in generation order

# --- helpers -------------------------------------------------------------------------------

# gen_key <type> <out.key>: a fresh private key in PKCS#8 PEM ("PRIVATE KEY").
gen_key() {
    local type=$1 outk=$2
    case "$type" in
    rsa2048) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$outk" 2>/dev/null ;;
    rsa4096) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$outk" 2>/dev/null ;;
    rsapss) openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$outk" 2>/dev/null ;;
    p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$outk" ;;
    p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$outk" ;;
    ed25519) openssl genpkey -algorithm ED25519 -out "$outk" ;;
    *) echo "unknown key type $type" >&2; exit 1 ;;
    esac
}

# md_args <key>: the -md argument for signing with this key (Ed25519 takes none).
md_args() {
    if openssl pkey -in "$1" -noout -text 2>/dev/null | head -1 | grep -q ED25519; then
        echo ""
    else
        echo "-md sha256"
    fi
}

# write_ca_conf <dir>: a throwaway `openssl ca` configuration with its own database.
write_ca_conf() {
    local dir=$1
    mkdir -p "$dir/newcerts"
    : >"$dir/index.txt"
    cat >"$dir/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $dir
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
EOF
}

# issue <out.pem> <subject-key> <subject> <issuer.pem|self> <issuer.key> <from> <to> <ext lines...>
# Issues a certificate for the public key of <subject-key>. The extension lines form the
# certificate's whole extension list.
issue() {
    local outc=$1 subj_key=$2 subj=$3 issuer=$4 issuer_key=$5 from=$6 to=$7
    shift 7
    local d
    d=$(mktemp -d "$work/ca.XXXXXX")
    write_ca_conf "$d"
    printf '%X\n' "$serial" >"$d/serial"
    serial=$((serial + 1))
    {
        echo "[ ext ]"
        for line in "$@"; do echo "$line"; done
    } >"$d/ext.cnf"
    # A CSR only carries the key; the subject is set by -subj below.
    openssl req -new -config "$d/ca.cnf" -key "$subj_key" -subj "/CN=placeholder" -out "$d/req.csr" $(md_args "$subj_key" | sed 's/-md /-/')
    local subj_args=(-subj "$subj")
    local sign_args
    if [ "$issuer" = self ]; then
        sign_args=(-selfsign -keyfile "$subj_key")
    else
        sign_args=(-cert "$issuer" -keyfile "$issuer_key")
    fi
    local md
    md=$(md_args "$issuer_key")
    [ -n "$md" ] || md="-md default"
    case "$issuer_key" in *pss*) md="$md -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest" ;; esac
    # shellcheck disable=SC2086
    openssl ca -batch -notext -config "$d/ca.cnf" -preserveDN "${subj_args[@]}" "${sign_args[@]}" \
        -startdate "$from" -enddate "$to" $md -extfile "$d/ext.cnf" -extensions ext \
        -in "$d/req.csr" -out "$d/cert.pem" 2>"$d/err.txt" || { cat "$d/err.txt" >&2; exit 1; }
    # Keep only the armour (openssl ca writes no text with -notext, but normalise anyway).
    openssl x509 -in "$d/cert.pem" -out "$outc"
}

ca_ext=("basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
    "subjectKeyIdentifier=hash")
sub_ca_ext=("${ca_ext[@]}" "authorityKeyIdentifier=keyid:always")
server_ext=("basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment"
    "extendedKeyUsage=serverAuth,clientAuth" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always")
server_ext_ec=("basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature"
    "extendedKeyUsage=serverAuth,clientAuth" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always")
localhost_san="subjectAltName=DNS:localhost,DNS:www.example.com,IP:127.0.0.1,IP:::1"

cd "$out_dir"
cat_chain() { local o=$1; shift; cat "$@" >"$o"; }

# --- main RSA 2048 hierarchy -------------------------------------------------------------
gen_key rsa2048 root_ca.key
issue root_ca.pem root_ca.key "/C=US/O=awsio tests/CN=awsio Test Root CA" self root_ca.key \
    "$valid_from" "$valid_to" "${ca_ext[@]}"
gen_key rsa2048 intermediate_ca.key
issue intermediate_ca.pem intermediate_ca.key "/C=US/O=awsio tests/CN=awsio Test Intermediate CA" \
    root_ca.pem root_ca.key "$valid_from" "$valid_to" "${sub_ca_ext[@]}"

gen_key rsa2048 leaf.key
issue leaf.pem leaf.key "/C=US/O=awsio tests/CN=localhost" intermediate_ca.pem intermediate_ca.key \
    "$valid_from" "$valid_to" "${server_ext[@]}" "$localhost_san"
cat_chain leaf_chain.pem leaf.pem intermediate_ca.pem
cat_chain leaf_fullchain.pem leaf.pem intermediate_ca.pem root_ca.pem
cat_chain leaf_chain_duplicate.pem leaf.pem intermediate_ca.pem intermediate_ca.pem
cat_chain leaf_incomplete_chain.pem leaf.pem

# Leaves sharing leaf.key with one property changed each.
issue leaf_expired.pem leaf.key "/O=awsio tests/CN=localhost" intermediate_ca.pem intermediate_ca.key \
    "$expired_from" "$expired_to" "${server_ext[@]}" "$localhost_san"
cat_chain leaf_expired_chain.pem leaf_expired.pem intermediate_ca.pem
issue leaf_not_yet_valid.pem leaf.key "/O=awsio tests/CN=localhost" intermediate_ca.pem intermediate_ca.key \
    "$future_from" "$future_to" "${server_ext[@]}" "$localhost_san"
cat_chain leaf_not_yet_valid_chain.pem leaf_not_yet_valid.pem intermediate_ca.pem
issue leaf_wrong_host.pem leaf.key "/O=awsio tests/CN=wrong.host.test" intermediate_ca.pem intermediate_ca.key \
    "$valid_from" "$valid_to" "${server_ext[@]}" "subjectAltName=DNS:wrong.host.test"
cat_chain leaf_wrong_host_chain.pem leaf_wrong_host.pem intermediate_ca.pem
issue leaf_empty_subject.pem leaf.key "/" intermediate_ca.pem intermediate_ca.key \
    "$valid_from" "$valid_to" "${server_ext[@]}" "subjectAltName=critical,DNS:localhost,IP:127.0.0.1"
cat_chain leaf_empty_subject_chain.pem leaf_empty_subject.pem intermediate_ca.pem
issue leaf_no_cn.pem leaf.key "/C=US/O=awsio tests/OU=no common name" intermediate_ca.pem intermediate_ca.key \
    "$valid_from" "$valid_to" "${server_ext[@]}" "subjectAltName=DNS:localhost,IP:127.0.0.1"
cat_chain leaf_no_cn_chain.pem leaf_no_cn.pem intermediate_ca.pem
issue leaf_wildcard.pem leaf.key "/O=awsio tests/CN=*.example.com" intermediate_ca.pem intermediate_ca.key \
    "$valid_from" "$valid_to" "${server_ext[@]}" "subjectAltName=DNS:*.example.com"
cat_chain leaf_wildcard_chain.pem leaf_wildcard.pem intermediate_ca.pem
issue leaf_ip.pem leaf.key "/O=awsio tests/CN=awsio ip leaf" intermediate_ca.pem intermediate_ca.key \
    "$valid_from" "$valid_to" "${server_ext[@]}" "subjectAltName=IP:127.0.0.1,IP:::1"
cat_chain leaf_ip_chain.pem leaf_ip.pem intermediate_ca.pem
issue leaf_eku_client_only.pem leaf.key "/O=awsio tests/CN=localhost" intermediate_ca.pem intermediate_ca.key \
    "$valid_from" "$valid_to" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=clientAuth" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" "$localhost_san"
cat_chain leaf_eku_client_only_chain.pem leaf_eku_client_only.pem intermediate_ca.pem
issue leaf_eku_server_only.pem leaf.key "/O=awsio tests/CN=localhost" intermediate_ca.pem intermediate_ca.key \
    "$valid_from" "$valid_to" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" "$localhost_san"
cat_chain leaf_eku_server_only_chain.pem leaf_eku_server_only.pem intermediate_ca.pem
issue leaf_no_digital_signature.pem leaf.key "/O=awsio tests/CN=localhost" intermediate_ca.pem \
    intermediate_ca.key "$valid_from" "$valid_to" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,keyEncipherment" "extendedKeyUsage=serverAuth" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" "$localhost_san"
cat_chain leaf_no_digital_signature_chain.pem leaf_no_digital_signature.pem intermediate_ca.pem
issue leaf_unknown_critical_ext.pem leaf.key "/O=awsio tests/CN=localhost" intermediate_ca.pem \
    intermediate_ca.key "$valid_from" "$valid_to" "${server_ext[@]}" "$localhost_san" \
    "1.3.6.1.4.1.55555.1.1=critical,DER:05:00"
cat_chain leaf_unknown_critical_ext_chain.pem leaf_unknown_critical_ext.pem intermediate_ca.pem

# Self-signed leaf (its own key; CA:FALSE, so it is no trust anchor for others).
gen_key rsa2048 leaf_self_signed.key
issue leaf_self_signed.pem leaf_self_signed.key "/O=awsio tests/CN=localhost" self leaf_self_signed.key \
    "$valid_from" "$valid_to" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
    "subjectKeyIdentifier=hash" "$localhost_san"

# Client certificate for mutual TLS.
gen_key p256 client.key
issue client.pem client.key "/O=awsio tests/CN=awsio test client" intermediate_ca.pem intermediate_ca.key \
    "$valid_from" "$valid_to" "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=clientAuth" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" \
    "subjectAltName=DNS:client.awsio.test"
cat_chain client_chain.pem client.pem intermediate_ca.pem

# --- a root nobody trusts ----------------------------------------------------------------
gen_key rsa2048 untrusted_root_ca.key
issue untrusted_root_ca.pem untrusted_root_ca.key "/O=awsio tests/CN=awsio Untrusted Root CA" self \
    untrusted_root_ca.key "$valid_from" "$valid_to" "${ca_ext[@]}"
issue leaf_untrusted_root.pem leaf.key "/O=awsio tests/CN=localhost" untrusted_root_ca.pem \
    untrusted_root_ca.key "$valid_from" "$valid_to" "${server_ext[@]}" "$localhost_san"

# --- name constraints --------------------------------------------------------------------
gen_key rsa2048 nc_intermediate_ca.key
issue nc_intermediate_ca.pem nc_intermediate_ca.key "/O=awsio tests/CN=awsio Name Constrained CA" \
    root_ca.pem root_ca.key "$valid_from" "$valid_to" "${sub_ca_ext[@]}" \
    "nameConstraints=critical,permitted;DNS:example.com,permitted;IP:10.0.0.0/255.0.0.0,excluded;DNS:bad.example.com"
issue leaf_nc_permitted.pem leaf.key "/O=awsio tests/CN=www.example.com" nc_intermediate_ca.pem \
    nc_intermediate_ca.key "$valid_from" "$valid_to" "${server_ext[@]}" \
    "subjectAltName=DNS:www.example.com,IP:10.1.2.3"
cat_chain leaf_nc_permitted_chain.pem leaf_nc_permitted.pem nc_intermediate_ca.pem
issue leaf_nc_excluded.pem leaf.key "/O=awsio tests/CN=bad.example.com" nc_intermediate_ca.pem \
    nc_intermediate_ca.key "$valid_from" "$valid_to" "${server_ext[@]}" "subjectAltName=DNS:bad.example.com"
cat_chain leaf_nc_excluded_chain.pem leaf_nc_excluded.pem nc_intermediate_ca.pem
issue leaf_nc_outside.pem leaf.key "/O=awsio tests/CN=www.example.org" nc_intermediate_ca.pem \
    nc_intermediate_ca.key "$valid_from" "$valid_to" "${server_ext[@]}" "subjectAltName=DNS:www.example.org"
cat_chain leaf_nc_outside_chain.pem leaf_nc_outside.pem nc_intermediate_ca.pem
issue leaf_nc_ip_outside.pem leaf.key "/O=awsio tests/CN=www.example.com" nc_intermediate_ca.pem \
    nc_intermediate_ca.key "$valid_from" "$valid_to" "${server_ext[@]}" \
    "subjectAltName=DNS:www.example.com,IP:192.168.1.1"
cat_chain leaf_nc_ip_outside_chain.pem leaf_nc_ip_outside.pem nc_intermediate_ca.pem

# --- basic constraints: path length and CA:FALSE issuers ---------------------------------
gen_key rsa2048 pathlen0_intermediate_ca.key
issue pathlen0_intermediate_ca.pem pathlen0_intermediate_ca.key "/O=awsio tests/CN=awsio pathLen 0 CA" \
    root_ca.pem root_ca.key "$valid_from" "$valid_to" "basicConstraints=critical,CA:TRUE,pathlen:0" \
    "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" "subjectKeyIdentifier=hash" \
    "authorityKeyIdentifier=keyid:always"
gen_key rsa2048 pathlen0_sub_ca.key
issue pathlen0_sub_ca.pem pathlen0_sub_ca.key "/O=awsio tests/CN=awsio CA below pathLen 0" \
    pathlen0_intermediate_ca.pem pathlen0_intermediate_ca.key "$valid_from" "$valid_to" "${sub_ca_ext[@]}"
issue leaf_pathlen_exceeded.pem leaf.key "/O=awsio tests/CN=localhost" pathlen0_sub_ca.pem \
    pathlen0_sub_ca.key "$valid_from" "$valid_to" "${server_ext[@]}" "$localhost_san"
cat_chain leaf_pathlen_exceeded_chain.pem leaf_pathlen_exceeded.pem pathlen0_sub_ca.pem pathlen0_intermediate_ca.pem
issue leaf_pathlen_ok.pem leaf.key "/O=awsio tests/CN=localhost" pathlen0_intermediate_ca.pem \
    pathlen0_intermediate_ca.key "$valid_from" "$valid_to" "${server_ext[@]}" "$localhost_san"
cat_chain leaf_pathlen_ok_chain.pem leaf_pathlen_ok.pem pathlen0_intermediate_ca.pem

gen_key rsa2048 not_ca_intermediate.key
issue not_ca_intermediate.pem not_ca_intermediate.key "/O=awsio tests/CN=awsio Not A CA" root_ca.pem \
    root_ca.key "$valid_from" "$valid_to" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyCertSign" "subjectKeyIdentifier=hash" \
    "authorityKeyIdentifier=keyid:always"
issue leaf_not_ca_issuer.pem leaf.key "/O=awsio tests/CN=localhost" not_ca_intermediate.pem \
    not_ca_intermediate.key "$valid_from" "$valid_to" "${server_ext[@]}" "$localhost_san"
cat_chain leaf_not_ca_issuer_chain.pem leaf_not_ca_issuer.pem not_ca_intermediate.pem

# --- one chain per key algorithm (root, intermediate and leaf all of that type) ----------
for alg in rsa4096 ecdsa_p256 ecdsa_p384 ed25519 rsa_pss; do
    case "$alg" in
    rsa4096) kt=rsa4096; lext=("${server_ext[@]}") ;;
    ecdsa_p256) kt=p256; lext=("${server_ext_ec[@]}") ;;
    ecdsa_p384) kt=p384; lext=("${server_ext_ec[@]}") ;;
    ed25519) kt=ed25519; lext=("${server_ext_ec[@]}") ;;
    rsa_pss) kt=rsapss; lext=("${server_ext_ec[@]}") ;;
    esac
    gen_key "$kt" "${alg}_root_ca.key"
    issue "${alg}_root_ca.pem" "${alg}_root_ca.key" "/O=awsio tests/CN=awsio ${alg} Root CA" self \
        "${alg}_root_ca.key" "$valid_from" "$valid_to" "${ca_ext[@]}"
    gen_key "$kt" "${alg}_intermediate_ca.key"
    issue "${alg}_intermediate_ca.pem" "${alg}_intermediate_ca.key" \
        "/O=awsio tests/CN=awsio ${alg} Intermediate CA" "${alg}_root_ca.pem" "${alg}_root_ca.key" \
        "$valid_from" "$valid_to" "${sub_ca_ext[@]}"
    gen_key "$kt" "${alg}_leaf.key"
    issue "${alg}_leaf.pem" "${alg}_leaf.key" "/O=awsio tests/CN=localhost" "${alg}_intermediate_ca.pem" \
        "${alg}_intermediate_ca.key" "$valid_from" "$valid_to" "${lext[@]}" "$localhost_san"
    cat_chain "${alg}_leaf_chain.pem" "${alg}_leaf.pem" "${alg}_intermediate_ca.pem"
done
# RSA 2048 is the main hierarchy; alias its files under the same naming scheme.
cp root_ca.pem rsa2048_root_ca.pem
cp leaf_chain.pem rsa2048_leaf_chain.pem
cp leaf.key rsa2048_leaf.key

# --- cross-signed roots ------------------------------------------------------------------
# One intermediate key and subject, certified by root A (valid and expired copies) and by root
# B. A path builder that tries the expired A certificate first must backtrack to B.
gen_key p256 cross_root_a.key
issue cross_root_a.pem cross_root_a.key "/O=awsio tests/CN=awsio Cross Root A" self cross_root_a.key \
    "$valid_from" "$valid_to" "${ca_ext[@]}"
gen_key p256 cross_root_b.key
issue cross_root_b.pem cross_root_b.key "/O=awsio tests/CN=awsio Cross Root B" self cross_root_b.key \
    "$valid_from" "$valid_to" "${ca_ext[@]}"
gen_key p256 cross_intermediate_ca.key
cross_subj="/O=awsio tests/CN=awsio Cross-Signed Intermediate CA"
issue cross_intermediate_by_a.pem cross_intermediate_ca.key "$cross_subj" cross_root_a.pem cross_root_a.key \
    "$valid_from" "$valid_to" "${sub_ca_ext[@]}"
issue cross_intermediate_by_a_expired.pem cross_intermediate_ca.key "$cross_subj" cross_root_a.pem \
    cross_root_a.key "$expired_from" "$expired_to" "${sub_ca_ext[@]}"
issue cross_intermediate_by_b.pem cross_intermediate_ca.key "$cross_subj" cross_root_b.pem cross_root_b.key \
    "$valid_from" "$valid_to" "${sub_ca_ext[@]}"
gen_key p256 cross_leaf.key
issue cross_leaf.pem cross_leaf.key "/O=awsio tests/CN=localhost" cross_intermediate_by_b.pem \
    cross_intermediate_ca.key "$valid_from" "$valid_to" "${server_ext_ec[@]}" "$localhost_san"
# Expired A certificate first, then the valid B one.
cat_chain cross_leaf_chain.pem cross_leaf.pem cross_intermediate_by_a_expired.pem cross_intermediate_by_b.pem
cat_chain cross_leaf_chain_expired_only.pem cross_leaf.pem cross_intermediate_by_a_expired.pem
cat_chain cross_leaf_chain_by_a.pem cross_leaf.pem cross_intermediate_by_a.pem
cat_chain cross_roots.pem cross_root_a.pem cross_root_b.pem

# --- a long chain: root + 6 intermediates + leaf -----------------------------------------
gen_key p256 long_root_ca.key
issue long_root_ca.pem long_root_ca.key "/O=awsio tests/CN=awsio Long Chain Root CA" self long_root_ca.key \
    "$valid_from" "$valid_to" "${ca_ext[@]}"
prev=long_root_ca
chain_files=()
for i in 1 2 3 4 5 6; do
    gen_key p256 "long_intermediate_${i}.key"
    issue "long_intermediate_${i}.pem" "long_intermediate_${i}.key" \
        "/O=awsio tests/CN=awsio Long Chain Intermediate ${i}" "${prev}.pem" "${prev}.key" \
        "$valid_from" "$valid_to" "${sub_ca_ext[@]}"
    chain_files=("long_intermediate_${i}.pem" "${chain_files[@]}")
    prev=long_intermediate_${i}
done
gen_key p256 long_leaf.key
issue long_leaf.pem long_leaf.key "/O=awsio tests/CN=localhost" "${prev}.pem" "${prev}.key" \
    "$valid_from" "$valid_to" "${server_ext_ec[@]}" "$localhost_san"
cat_chain long_leaf_chain.pem long_leaf.pem "${chain_files[@]}"
rm -f long_intermediate_?.key

# --- private key encodings ---------------------------------------------------------------
openssl pkey -in leaf.key -out key_rsa_pkcs8.pem
openssl pkey -in leaf.key -traditional -out key_rsa_pkcs1.pem 2>/dev/null ||
    openssl rsa -in leaf.key -traditional -out key_rsa_pkcs1.pem 2>/dev/null
openssl pkey -in client.key -out key_ec_p256_pkcs8.pem
openssl ec -in client.key -out key_ec_p256_sec1.pem 2>/dev/null
openssl ec -in ecdsa_p384_leaf.key -out key_ec_p384_sec1.pem 2>/dev/null
openssl pkey -in ed25519_leaf.key -out key_ed25519_pkcs8.pem
openssl pkey -in client.key -aes-128-cbc -passout pass:awsio -out key_ec_p256_pkcs8_encrypted.pem
openssl rsa -in leaf.key -traditional -aes128 -passout pass:awsio -out key_rsa_pkcs1_encrypted.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -pkeyopt ec_param_enc:named_curve \
    -out key_ec_p521_pkcs8.pem
openssl genpkey -algorithm X448 -out key_x448_pkcs8.pem
# Public key only (not a private key).
openssl pkey -in client.key -pubout -out key_ec_p256_public.pem

# Keys of CAs other than the main hierarchy's are not needed by tests.
rm -f untrusted_root_ca.key nc_intermediate_ca.key pathlen0_sub_ca.key not_ca_intermediate.key \
    long_root_ca.key cross_root_a.key cross_root_b.key cross_intermediate_ca.key

echo "fixtures written to $out_dir"
