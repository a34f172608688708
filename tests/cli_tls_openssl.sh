#!/bin/sh
# The awsio TLS client against `openssl s_server -tls1_3 -www` (negotiated parameters, HTTP GET,
# key log, error names), and the awsio TLS echo server against `openssl s_client`.
# Every peer runs on 127.0.0.1 with an OS-chosen port and is stopped by its PID.
set -u
cli="$1"
res="$2"
command -v openssl >/dev/null 2>&1 || { echo "openssl not installed: skipped"; echo "cli tls openssl ok"; exit 0; }
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
# wait_for FILE SED_EXPR: prints the first match of SED_EXPR in FILE, waiting up to 10 s.
wait_for() {
    for _ in $(seq 1 100); do
        v=$(sed -n "$2" "$1")
        [ -n "$v" ] && { echo "$v"; return 0; }
        sleep 0.1
    done
    return 1
}

# --- awsio client vs openssl s_server ---
openssl s_server -accept 127.0.0.1:0 -tls1_3 -www -cert "$res/leaf.pem" -key "$res/leaf.key" \
    -cert_chain "$res/intermediate_ca.pem" >"$tmp/s_server.out" 2>&1 </dev/null &
spid=$!
pids="$pids $spid"
port=$(wait_for "$tmp/s_server.out" 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p') ||
    { echo "s_server did not start:"; cat "$tmp/s_server.out"; exit 1; }

timeout 60 "$cli" client "https://localhost:$port/" --cafile "$res/root_ca.pem" --keylog "$tmp/keys.log" \
    >"$tmp/body" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: https GET exit $rc"; cat "$tmp/body" "$tmp/err"; fail=1; }
grep -q '^version: TLSv1.3$' "$tmp/err" || { echo "FAIL: no TLS 1.3 version line"; cat "$tmp/err"; fail=1; }
grep -q '^cipher suite: TLS_' "$tmp/err" || { echo "FAIL: no cipher suite line"; fail=1; }
grep -q '^group: ' "$tmp/err" || { echo "FAIL: no group line"; fail=1; }
grep -q '^peer certificate 0: CN=localhost' "$tmp/err" || { echo "FAIL: no leaf subject"; cat "$tmp/err"; fail=1; }
grep -q '^peer certificate 1: CN=awsio Test Intermediate CA' "$tmp/err" || { echo "FAIL: no intermediate subject"; fail=1; }
grep -q '^verification: OK$' "$tmp/err" || { echo "FAIL: not verified"; fail=1; }
grep -q '^HTTP/1.0 200' "$tmp/err" || { echo "FAIL: no status line"; cat "$tmp/err"; fail=1; }
grep -q 's_server' "$tmp/body" || { echo "FAIL: unexpected body"; cat "$tmp/body"; fail=1; }
grep -q '^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]\{64\} [0-9a-f]\{64\}$' "$tmp/keys.log" ||
    { echo "FAIL: key log"; cat "$tmp/keys.log"; fail=1; }

# Plain HOST:PORT: handshake only, to the address (the IP SAN matches).
timeout 60 "$cli" client "127.0.0.1:$port" --cafile "$res/root_ca.pem" --tls-min 1.3 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && grep -q '^version: TLSv1.3$' "$tmp/err" || { echo "FAIL: handshake to 127.0.0.1 exit $rc"; cat "$tmp/out" "$tmp/err"; fail=1; }

# check WANT_NAME ARGS...: exit 1 and the error name on stdout.
check_error() {
    want="$1"; shift
    out=$(timeout 60 "$cli" client "$@" 2>/dev/null)
    rc=$?
    if [ "$rc" -ne 1 ] || [ "$out" != "$want" ]; then
        echo "FAIL: awsio client $* -> rc=$rc '$out' (want 1 '$want')"
        fail=1
    fi
}
check_error AWS_IO_TLS_HOST_NAME_MISMATCH "127.0.0.1:$port" --cafile "$res/root_ca.pem" --servername wrong.host.test
check_error AWS_IO_TLS_UNKNOWN_ROOT_CERTIFICATE "localhost:$port" --cafile "$res/untrusted_root_ca.pem"
check_error AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE "localhost:$port" --cafile "$res/root_ca.pem" --tls-max 1.2
# Without verification the wrong name is accepted.
timeout 60 "$cli" client "127.0.0.1:$port" --insecure --servername wrong.host.test >/dev/null 2>"$tmp/err" ||
    { echo "FAIL: --insecure"; cat "$tmp/err"; fail=1; }
grep -q '^verification: not verified' "$tmp/err" || { echo "FAIL: --insecure verdict"; cat "$tmp/err"; fail=1; }
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null

# --- awsio server --echo vs openssl s_client ---
"$cli" server --port 0 --cert "$res/leaf_chain.pem" --key "$res/leaf.key" --echo --max-connections 1 \
    >"$tmp/server.out" 2>"$tmp/server.err" &
apid=$!
pids="$pids $apid"
aport=$(wait_for "$tmp/server.out" 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p') ||
    { echo "awsio server did not start:"; cat "$tmp/server.out" "$tmp/server.err"; exit 1; }
# stdin stays open until the echo came back (at most 10 s), then s_client closes.
(printf 'hello from s_client\n'
 for _ in $(seq 1 100); do grep -q 'hello from s_client' "$tmp/s_client.out" 2>/dev/null && break; sleep 0.1; done) |
    timeout 30 openssl s_client -connect "127.0.0.1:$aport" -servername localhost -CAfile "$res/root_ca.pem" \
        -verify_return_error -tls1_3 -quiet -no_ign_eof >"$tmp/s_client.out" 2>"$tmp/s_client.err"
grep -q '^hello from s_client$' "$tmp/s_client.out" ||
    { echo "FAIL: no echo through s_client"; cat "$tmp/s_client.out" "$tmp/s_client.err" "$tmp/server.err"; fail=1; }
# --max-connections 1: the server exits after that connection.
for _ in $(seq 1 100); do kill -0 "$apid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$apid" 2>/dev/null; then
    echo "FAIL: server still running"; fail=1
else
    wait "$apid" || { echo "FAIL: server exit status"; cat "$tmp/server.err"; fail=1; }
fi
grep -q '^connection: TLSv1.3 ' "$tmp/server.err" || { echo "FAIL: server did not report the connection"; cat "$tmp/server.err"; fail=1; }

[ "$fail" -eq 0 ] && echo "cli tls openssl ok"
