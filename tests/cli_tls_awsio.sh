#!/bin/sh
# `awsio server --http-reply` against curl and against `awsio client https://...`, and mutual TLS
# (`awsio server --client-ca` with `awsio client --cert/--key`). Servers run on 127.0.0.1 with an
# OS-chosen port and are stopped by their PID.
set -u
cli="$1"
res="$2"
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
# start_server NAME ARGS...: starts `awsio server ARGS`, sets $port (exits the test on failure).
start_server() {
    name="$1"; shift
    "$cli" server --port 0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    spid=$!
    pids="$pids $spid"
    port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$tmp/$name.out")
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    echo "server $name did not start:"; cat "$tmp/$name.out" "$tmp/$name.err"
    exit 1
}
# stop_server: SIGTERM, then the exit status must be 0 (a clean shutdown, no sanitizer report).
stop_server() {
    kill "$spid"
    wait "$spid" || { echo "FAIL: server exit status"; cat "$tmp/$1.err"; fail=1; }
}

# --- --http-reply: curl and awsio client ---
start_server http --cert "$res/leaf_chain.pem" --key "$res/leaf.key" --alpn "http/1.1" --http-reply "hello over https"
if command -v curl >/dev/null 2>&1; then
    body=$(timeout 30 curl -sS --tlsv1.3 --http1.1 --cacert "$res/root_ca.pem" \
        --resolve "localhost:$port:127.0.0.1" "https://localhost:$port/index.html" 2>"$tmp/curl.err")
    rc=$?
    [ "$rc" -eq 0 ] && [ "$body" = "hello over https" ] ||
        { echo "FAIL: curl rc=$rc body='$body'"; cat "$tmp/curl.err" "$tmp/http.err"; fail=1; }
    # Two requests on one connection (keep-alive).
    body=$(timeout 30 curl -sS --tlsv1.3 --http1.1 --cacert "$res/root_ca.pem" \
        --resolve "localhost:$port:127.0.0.1" "https://localhost:$port/a" "https://localhost:$port/b" 2>"$tmp/curl.err")
    [ "$body" = "hello over httpshello over https" ] || { echo "FAIL: curl keep-alive body='$body'"; cat "$tmp/curl.err"; fail=1; }
else
    echo "curl not installed: curl part skipped"
fi
body=$(timeout 60 "$cli" client "https://localhost:$port/x" --cafile "$res/root_ca.pem" --alpn "http/1.1" 2>"$tmp/client.err")
rc=$?
[ "$rc" -eq 0 ] && [ "$body" = "hello over https" ] || { echo "FAIL: awsio client https rc=$rc body='$body'"; cat "$tmp/client.err"; fail=1; }
grep -q '^ALPN: http/1.1$' "$tmp/client.err" || { echo "FAIL: ALPN not reported"; cat "$tmp/client.err"; fail=1; }
grep -q '^HTTP/1.1 200 OK$' "$tmp/client.err" || { echo "FAIL: status line"; cat "$tmp/client.err"; fail=1; }
# To the address (the certificate's IP SAN), no ALPN.
body=$(timeout 60 "$cli" client "https://127.0.0.1:$port/" --cafile "$res/root_ca.pem" --tls-min 1.3 2>"$tmp/client.err")
rc=$?
[ "$rc" -eq 0 ] && [ "$body" = "hello over https" ] && grep -q '^version: TLSv1.3$' "$tmp/client.err" ||
    { echo "FAIL: GET to 127.0.0.1 rc=$rc body='$body'"; cat "$tmp/client.err"; fail=1; }
stop_server http

# --- mutual TLS ---
start_server mtls --cert "$res/leaf_chain.pem" --key "$res/leaf.key" --client-ca "$res/root_ca.pem" --echo
got=$(timeout 60 "$cli" client "localhost:$port" --cafile "$res/root_ca.pem" \
    --cert "$res/client_chain.pem" --key "$res/client.key" --send "mutual hello" 2>"$tmp/client.err")
rc=$?
[ "$rc" -eq 0 ] && [ "$got" = "mutual hello" ] || { echo "FAIL: mTLS rc=$rc got='$got'"; cat "$tmp/client.err" "$tmp/mtls.err"; fail=1; }
grep -q 'client CN=awsio test client.* (verified)' "$tmp/mtls.err" || { echo "FAIL: server did not verify the client"; cat "$tmp/mtls.err"; fail=1; }
# Without a client certificate the server refuses: exit 1 and an error name.
got=$(timeout 60 "$cli" client "localhost:$port" --cafile "$res/root_ca.pem" --send "no cert" 2>/dev/null)
rc=$?
case "$got" in
    AWS_*) [ "$rc" -eq 1 ] || { echo "FAIL: no client cert rc=$rc"; fail=1; } ;;
    *) echo "FAIL: no client cert -> rc=$rc '$got'"; fail=1 ;;
esac
stop_server mtls

# --- TLS 1.2: a server capped at 1.2, a client that allows both; mTLS on 1.2; no common version ---
start_server tls12 --cert "$res/leaf_chain.pem" --key "$res/leaf.key" --tls-max 1.2 --client-ca "$res/root_ca.pem" --echo
got=$(timeout 60 "$cli" client "localhost:$port" --cafile "$res/root_ca.pem" --tls-min 1.2 \
    --cert "$res/client_chain.pem" --key "$res/client.key" --send "hello over 1.2" 2>"$tmp/client.err")
rc=$?
[ "$rc" -eq 0 ] && [ "$got" = "hello over 1.2" ] && grep -q '^version: TLSv1.2$' "$tmp/client.err" ||
    { echo "FAIL: TLS 1.2 rc=$rc got='$got'"; cat "$tmp/client.err" "$tmp/tls12.err"; fail=1; }
grep -q 'client CN=awsio test client.* (verified)' "$tmp/tls12.err" || { echo "FAIL: 1.2 server did not verify the client"; cat "$tmp/tls12.err"; fail=1; }
got=$(timeout 60 "$cli" client "localhost:$port" --cafile "$res/root_ca.pem" --tls-min 1.3 \
    --cert "$res/client_chain.pem" --key "$res/client.key" --send "needs 1.3" 2>/dev/null)
rc=$?
case "$got" in
    AWS_*) [ "$rc" -eq 1 ] || { echo "FAIL: 1.3-only client vs 1.2 server rc=$rc"; fail=1; } ;;
    *) echo "FAIL: 1.3-only client vs 1.2 server -> rc=$rc '$got'"; fail=1 ;;
esac
stop_server tls12

[ "$fail" -eq 0 ] && echo "cli tls awsio ok"
