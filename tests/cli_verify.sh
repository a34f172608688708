#!/bin/sh
# `awsio verify` against the committed X.509 fixtures: OK, each error name, malformed input.
set -u
cli="$1"
dir="$2"
fail=0
check() {
    want_rc="$1"; want_out="$2"; shift 2
    out=$("$cli" verify "$@" 2>/dev/null)
    rc=$?
    if [ "$rc" -ne "$want_rc" ] || [ "$out" != "$want_out" ]; then
        echo "FAIL: awsio verify $* -> rc=$rc '$out' (want rc=$want_rc '$want_out')"
        fail=1
    fi
}
ca="--cafile $dir/root_ca.pem"
check 0 OK --chain "$dir/leaf_chain.pem" $ca --host localhost
check 0 OK --chain "$dir/leaf_chain.pem" $ca --host 127.0.0.1 --purpose server
check 0 OK --chain "$dir/leaf_chain.pem" $ca --host localhost --at 1767225600
check 1 AWS_IO_TLS_CERTIFICATE_EXPIRED --chain "$dir/leaf_expired_chain.pem" $ca --host localhost
check 1 AWS_IO_TLS_CERTIFICATE_NOT_YET_VALID --chain "$dir/leaf_not_yet_valid_chain.pem" $ca --host localhost
check 1 AWS_IO_TLS_HOST_NAME_MISMATCH --chain "$dir/leaf_wrong_host_chain.pem" $ca --host localhost
check 1 AWS_IO_TLS_UNKNOWN_ROOT_CERTIFICATE --chain "$dir/leaf_incomplete_chain.pem" $ca --host localhost
check 1 AWS_IO_TLS_UNKNOWN_ROOT_CERTIFICATE --chain "$dir/leaf_chain.pem" --cafile "$dir/untrusted_root_ca.pem"
check 1 AWS_IO_TLS_INVALID_CERTIFICATE_CHAIN --chain "$dir/leaf_pathlen_exceeded_chain.pem" $ca --host localhost
check 1 AWS_IO_TLS_INVALID_CERTIFICATE_CHAIN --chain "$dir/leaf_eku_client_only_chain.pem" $ca --host localhost --purpose server
check 0 OK --chain "$dir/leaf_eku_client_only_chain.pem" $ca --purpose client
# The chain at a time when the leaf had expired already.
check 1 AWS_IO_TLS_CERTIFICATE_EXPIRED --chain "$dir/leaf_chain.pem" $ca --at 4200000000
# Malformed input ends with an error name, never a crash.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf -- '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' > "$tmp/bad.pem"
check 1 AWS_IO_TLS_BAD_CERTIFICATE --chain "$tmp/bad.pem" $ca
printf 'not pem at all\n' > "$tmp/junk.pem"
out=$("$cli" verify --chain "$tmp/junk.pem" $ca 2>/dev/null); rc=$?
case "$out" in AWS_*) [ "$rc" -eq 1 ] || { echo "FAIL: junk rc=$rc"; fail=1; } ;; *) echo "FAIL: junk -> '$out'"; fail=1 ;; esac
check 1 AWS_ERROR_FILE_INVALID_PATH --chain "$tmp/missing.pem" $ca
"$cli" verify --chain >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: usage error exit"; fail=1; }
[ "$fail" -eq 0 ] && echo "cli verify ok"
