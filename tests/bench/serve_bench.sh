#!/bin/sh
# Load test of `aqueduct serve` with wrk on loopback: POSTs a small JSON task to
# /v1/process over keep-alive connections and reports requests/s and latency.
#
#   tests/bench/serve_bench.sh [PIPELINE.json]
#
# Environment: AQUEDUCT (the program; default: the first build*/app/aqueduct found),
# DURATION (default 10s), THREADS (2), CONNECTIONS (64), BODY (default {"value": 1}).
# Prints wrk's report, then one JSON line:
#   {"scenario":"serve-wrk","requests_per_s":...,"latency_p50_ms":...,"latency_p99_ms":...,
#    "non_2xx":...,"errors":...,"connections":...,"threads":...,"duration":"10s"}
# Needs wrk (Debian: apt-get install wrk).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pipeline=${1:-$root/resources/pipelines/one-step.json}
duration=${DURATION:-10s}
threads=${THREADS:-2}
connections=${CONNECTIONS:-64}
body=${BODY:-'{"value": 1}'}

if [ -z "${AQUEDUCT:-}" ]; then
    for candidate in "$root"/build/app/aqueduct "$root"/build*/app/aqueduct; do
        if [ -x "$candidate" ]; then
            AQUEDUCT=$candidate
            break
        fi
    done
fi
if [ -z "${AQUEDUCT:-}" ] || [ ! -x "$AQUEDUCT" ]; then
    echo "serve_bench: no aqueduct program found; set AQUEDUCT=/path/to/aqueduct" >&2
    exit 2
fi
if ! command -v wrk >/dev/null 2>&1; then
    echo "serve_bench: wrk is not installed (Debian: apt-get install wrk)" >&2
    exit 2
fi

work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

: >"$work/serve.err"
# Port 0: the server picks a free port and prints it; no race with other programs.
"$AQUEDUCT" serve "$pipeline" --listen 127.0.0.1:0 --quiet 2>"$work/serve.err" &
server_pid=$!
port=
i=0
while [ $i -lt 300 ]; do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.err" | head -n 1)
    [ -n "$port" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "serve_bench: the server exited:" >&2
        cat "$work/serve.err" >&2
        exit 3
    fi
    sleep 0.1
    i=$((i + 1))
done
if [ -z "$port" ]; then
    echo "serve_bench: the server did not start listening" >&2
    cat "$work/serve.err" >&2
    exit 3
fi

# The body as a Lua long string: no escaping needed for JSON.
cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.body = [==[$body]==]
wrk.headers["Content-Type"] = "application/json"
EOF

url="http://127.0.0.1:$port/v1/process"
echo "serve_bench: wrk -t$threads -c$connections -d$duration --latency POST $url ($(basename "$pipeline"))" >&2
# A moment of warm-up so the first connections do not meet a cold flow.
wrk -t1 -c4 -d1s -s "$work/post.lua" "$url" >/dev/null 2>&1 || true
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$work/post.lua" "$url" | tee "$work/wrk.out"

kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=
if [ "$status" -ne 0 ]; then
    echo "serve_bench: the server exited with status $status:" >&2
    cat "$work/serve.err" >&2
fi

# wrk prints latencies as 1.23ms / 456.78us / 1.02s: convert to milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n = n / 1000
        else if (v ~ /ms$/) n = n
        else if (v ~ /m$/) n = n * 60000
        else if (v ~ /s$/) n = n * 1000
        printf "%.3f", n }'
}
rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.out")
p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$work/wrk.out")")
p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$work/wrk.out")")
avg=$(to_ms "$(awk '$1 == "Latency" {print $2; exit}' "$work/wrk.out")")
non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$work/wrk.out")
errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$work/wrk.out")
printf '{"scenario":"serve-wrk","requests_per_s":%s,"latency_avg_ms":%s,"latency_p50_ms":%s,"latency_p99_ms":%s,"non_2xx":%s,"errors":%s,"connections":%s,"threads":%s,"duration":"%s","server_exit":%s}\n' \
    "${rps:-0}" "$avg" "$p50" "$p99" "${non2xx:-0}" "${errors:-0}" "$connections" "$threads" "$duration" "$status"
exit "$status"
