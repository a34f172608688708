#!/bin/sh
# Regenerates the certificate parsing fixtures of tests/unit/x509/certificate_test.cpp with the
# openssl CLI. Private keys live in a temporary directory and are discarded; only certificates
# are kept. Run from anywhere: ./make.sh
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/ext.cnf" <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:leaf.example.com, DNS:*.wild.example.com, IP:192.0.2.7
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[all]
basicConstraints = critical, CA:TRUE, pathlen:2
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
extendedKeyUsage = serverAuth, clientAuth, codeSigning
subjectAltName = DNS:all.example.com, DNS:*.all.example.com, IP:10.1.2.3, IP:2001:db8::1, email:admin@example.com, URI:https://example.com/
nameConstraints = critical, permitted;DNS:example.com, permitted;IP:10.0.0.0/255.0.0.0, permitted;IP:2001:db8::/ffff:ffff::, excluded;DNS:bad.example.com, excluded;email:example.org
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 2.23.140.1.2.1, 1.3.6.1.4.1.99999.1
policyConstraints = requireExplicitPolicy:1, inhibitPolicyMapping:3
inhibitAnyPolicy = 0

[unknown_critical]
basicConstraints = critical, CA:FALSE
1.3.6.1.4.1.99999.7 = critical, DER:05:00
subjectAltName = DNS:unknown.example.com

[cn_only]
basicConstraints = critical, CA:FALSE
CNF

der() { openssl x509 -in "$1" -outform DER -out "$2"; }

# RSA 2048 root and a leaf it issues.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/rsa_ca.key" -sha256 -days 3650 \
    -set_serial 1 -subj "/C=US/O=awsio test/CN=awsio RSA Root" \
    -extensions ca -config "$tmp/ext.cnf" -out "$tmp/rsa_ca.pem" 2>/dev/null
der "$tmp/rsa_ca.pem" rsa_ca.der
openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/rsa_leaf.key" \
    -subj "/C=US/O=awsio test/CN=leaf.example.com" -out "$tmp/rsa_leaf.csr" 2>/dev/null
openssl x509 -req -in "$tmp/rsa_leaf.csr" -CA "$tmp/rsa_ca.pem" -CAkey "$tmp/rsa_ca.key" \
    -set_serial 0x0102030405060708090a0b0c0d0e0f1011121314 -days 825 -sha256 \
    -extfile "$tmp/ext.cnf" -extensions leaf -out "$tmp/rsa_leaf.pem" 2>/dev/null
der "$tmp/rsa_leaf.pem" rsa_leaf.der
cat "$tmp/rsa_leaf.pem" "$tmp/rsa_ca.pem" > rsa_chain.pem

# ECDSA P-256 root (self-signed) and a P-384 leaf it issues with ecdsa-with-SHA384.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ec256.key" \
    -sha256 -days 3650 -set_serial 3 -subj "/O=awsio test/CN=awsio EC P-256" \
    -extensions ca -config "$tmp/ext.cnf" -out "$tmp/ec256.pem" 2>/dev/null
der "$tmp/ec256.pem" ec256.der
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$tmp/ec384.key" \
    -subj "/O=awsio test/CN=ec384.example.com" -out "$tmp/ec384.csr" 2>/dev/null
openssl x509 -req -in "$tmp/ec384.csr" -CA "$tmp/ec256.pem" -CAkey "$tmp/ec256.key" -set_serial 4 \
    -days 825 -sha384 -extfile "$tmp/ext.cnf" -extensions leaf -out "$tmp/ec384.pem" 2>/dev/null
der "$tmp/ec384.pem" ec384.der

# Ed25519, self-signed.
openssl req -x509 -newkey ed25519 -nodes -keyout "$tmp/ed25519.key" -days 3650 -set_serial 5 \
    -subj "/CN=awsio Ed25519" -extensions ca -config "$tmp/ext.cnf" -out "$tmp/ed25519.pem" 2>/dev/null
der "$tmp/ed25519.pem" ed25519.der

# RSASSA-PSS signature (SHA-256, salt 32) by an rsaEncryption key, and an id-RSASSA-PSS key.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/pss.key" -sha256 -days 3650 -set_serial 6 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -subj "/CN=awsio RSA-PSS" \
    -extensions ca -config "$tmp/ext.cnf" -out "$tmp/rsa_pss.pem" 2>/dev/null
der "$tmp/rsa_pss.pem" rsa_pss.der
openssl req -x509 -newkey rsa-pss -pkeyopt rsa_keygen_bits:2048 -nodes -keyout "$tmp/psskey.key" \
    -sha384 -days 3650 -set_serial 7 -sigopt rsa_pss_saltlen:48 -subj "/CN=awsio RSA-PSS key" \
    -extensions ca -config "$tmp/ext.cnf" -out "$tmp/rsa_pss_key.pem" 2>/dev/null
der "$tmp/rsa_pss_key.pem" rsa_pss_key.der

# A v1 certificate (no extensions) issued by the RSA root.
openssl req -new -key "$tmp/rsa_leaf.key" -subj "/CN=v1.example.com" -out "$tmp/v1.csr"
openssl x509 -req -in "$tmp/v1.csr" -CA "$tmp/rsa_ca.pem" -CAkey "$tmp/rsa_ca.key" -set_serial 8 \
    -days 825 -sha256 -out "$tmp/v1.pem" 2>/dev/null
der "$tmp/v1.pem" v1.der

# Every extension the parser knows, on an RSA root.
openssl req -x509 -key "$tmp/rsa_ca.key" -sha256 -days 3650 -set_serial 9 \
    -subj "/C=US/ST=Washington/L=Seattle/O=awsio test/OU=x509/CN=all.example.com" \
    -extensions all -config "$tmp/ext.cnf" -out "$tmp/all.pem" 2>/dev/null
der "$tmp/all.pem" all_extensions.der

# An unknown critical extension, and a certificate without subjectAltName (CN only).
openssl x509 -req -in "$tmp/rsa_leaf.csr" -CA "$tmp/rsa_ca.pem" -CAkey "$tmp/rsa_ca.key" \
    -set_serial 10 -days 825 -sha256 -extfile "$tmp/ext.cnf" -extensions unknown_critical \
    -out "$tmp/unknown.pem" 2>/dev/null
der "$tmp/unknown.pem" unknown_critical.der
openssl req -new -key "$tmp/rsa_leaf.key" -subj "/O=awsio test/CN=cn-only.example.com" -out "$tmp/cn.csr"
openssl x509 -req -in "$tmp/cn.csr" -CA "$tmp/rsa_ca.pem" -CAkey "$tmp/rsa_ca.key" -set_serial 11 \
    -days 825 -sha256 -extfile "$tmp/ext.cnf" -extensions cn_only -out "$tmp/cn.pem" 2>/dev/null
der "$tmp/cn.pem" cn_only.der

# SHA-1 RSA (legacy algorithm, parsed and reported as rsa_pkcs1_sha1).
openssl x509 -req -in "$tmp/cn.csr" -CA "$tmp/rsa_ca.pem" -CAkey "$tmp/rsa_ca.key" -set_serial 12 \
    -days 825 -sha1 -extfile "$tmp/ext.cnf" -extensions cn_only -out "$tmp/sha1.pem" 2>/dev/null
der "$tmp/sha1.pem" rsa_sha1.der

echo "fixtures regenerated in $(pwd)"
