#!/bin/sh
# `awsio server --plain --echo` and `awsio client --plain` against each other on 127.0.0.1,
# then the client against a closed port (error name, exit 1).
set -u
cli="$1"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$cli" server --plain --port 0 --echo --max-connections 1 >"$out" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$out")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "server did not start:"; cat "$out"; kill "$pid"; exit 1; }
got=$("$cli" client --plain "127.0.0.1:$port" --send "hello through awsio channels")
rc=$?
wait "$pid" || { echo "server exited with an error"; cat "$out"; exit 1; }
[ "$rc" -eq 0 ] || { echo "client exit $rc"; exit 1; }
[ "$got" = "hello through awsio channels" ] || { echo "unexpected echo: '$got'"; exit 1; }
# The server exited after its one connection: the port is closed now.
err=$("$cli" client --plain "127.0.0.1:$port" --send x)
rc=$?
[ "$rc" -eq 1 ] || { echo "client to a closed port exited $rc"; exit 1; }
[ "$err" = "AWS_IO_SOCKET_CONNECTION_REFUSED" ] || { echo "unexpected error: '$err'"; exit 1; }
echo "cli echo ok"
