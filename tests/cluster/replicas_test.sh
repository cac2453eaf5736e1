#!/usr/bin/env bash
# Three `aqueduct serve` replicas on loopback ports behind HAProxy (health-checking
# /readyz), under wrk load for 30 s. During the load:
#   - rolling restart of replica r1, in the order a Kubernetes Deployment with maxSurge 1,
#     maxUnavailable 0 and a preStop sleep uses: a new replica (r4) starts and becomes
#     ready, r1 is set to DRAIN in HAProxy (the endpoint removal), 2 s later (the preStop
#     sleep) r1 gets SIGTERM and drains; it must exit 0;
#   - replica r2 gets SIGKILL and is started again on its port (the kubelet's restart).
# Reports, from HAProxy's per-server counters and wrk's totals: failed requests caused by
# the SIGTERM (goal 0) and by the SIGKILL (the requests r2 held), the time throughput takes
# to come back after each event (goal < 5 s), and whether anything was left behind
# (processes, /dev/shm segments). Loopback only; bounded in time (about 45 s).
#
#   tests/cluster/replicas_test.sh [--healthz-fallback] [--no-balancer-drain] [AQUEDUCT]
#
# AQUEDUCT: the program (default build-ci/app/aqueduct, else build*/app/aqueduct, else PATH).
# --healthz-fallback: health-check /healthz when the serve has no /readyz (older serve);
#   the report says so and the SIGTERM figure then measures that older serve.
# --no-balancer-drain: skip the DRAIN step and the 2 s wait; r1 gets SIGTERM while HAProxy
#   still sends to it, and only its health check on /readyz takes it out (shows what the
#   preStop sleep is for; the SIGTERM goal is then expected to be missed).
# Environment: DURATION_S (30), CONNECTIONS (32), THREADS (2), PIPELINE (one-step.json),
#   RESULT_JSON (also write the summary there), RECOVERY_GOAL_S (5), STRICT_THROUGHPUT
#   (1: the throughput-recovery figures are goals too; by default they are reported only,
#   since on a shared machine other jobs move throughput more than the events do),
#   HTTP_REUSE (HAProxy's http-reuse towards the replicas: safe, the default, or never).
# Exit status: 0 all goals met, 1 a goal missed (the report says which), 2 cannot run.
# Needs: haproxy, wrk, curl, python3 (Debian: haproxy wrk curl python3).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

health_path=/readyz
fallback=0
balancer_drain=1
aqueduct=
for argument in "$@"; do
    case "$argument" in
    --healthz-fallback) fallback=1 ;;
    --no-balancer-drain) balancer_drain=0 ;;
    -h | --help)
        sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    -*)
        echo "replicas_test: unknown option $argument" >&2
        exit 2
        ;;
    *) aqueduct=$argument ;;
    esac
done
if [[ -z "$aqueduct" ]]; then
    for candidate in "$root"/build-ci/app/aqueduct "$root"/build*/app/aqueduct; do
        if [[ -x "$candidate" ]]; then
            aqueduct=$candidate
            break
        fi
    done
    [[ -n "$aqueduct" ]] || aqueduct=$(command -v aqueduct || true)
fi
if [[ -z "$aqueduct" || ! -x "$aqueduct" ]]; then
    echo "replicas_test: no aqueduct program; pass its path" >&2
    exit 2
fi
for tool in haproxy wrk curl python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "replicas_test: $tool is missing (packaging/install-deps.sh installs it)" >&2
        exit 2
    fi
done

duration_s=${DURATION_S:-30}
connections=${CONNECTIONS:-32}
threads=${THREADS:-2}
pipeline=${PIPELINE:-$root/resources/pipelines/one-step.json}
recovery_goal_s=${RECOVERY_GOAL_S:-5}
# When the events happen, in seconds after the load starts.
rolling_at_s=$((duration_s * 8 / 30))
kill_at_s=$((duration_s * 19 / 30))

work=$(mktemp -d /tmp/aqueduct-replicas.XXXXXX)
declare -A replica_pid=()
all_parents=()
haproxy_pid=
sampler_pid=
wrk_pid=
t0_ns=$(date +%s%N)
now_s() { python3 -c "import sys; print(f'{(int(sys.argv[1]) - int(sys.argv[2])) / 1e9:.3f}')" "$(date +%s%N)" "$t0_ns"; }
say() { printf '[%7ss] %s\n' "$(now_s)" "$*"; }
event() {
    printf '%s %s\n' "$(date +%s%N)" "$*" >>"$work/events.txt"
    say "$*"
}

# Every process this script started is stopped on any exit; what survives is reported.
cleanup() {
    local status=$?
    for pid in $wrk_pid $sampler_pid $haproxy_pid; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for name in "${!replica_pid[@]}"; do
        kill -TERM "${replica_pid[$name]}" 2>/dev/null || true
    done
    for _ in $(seq 100); do
        local alive=0
        for name in "${!replica_pid[@]}"; do
            kill -0 "${replica_pid[$name]}" 2>/dev/null && alive=1
        done
        ((alive == 0)) && break
        sleep 0.1
    done
    for name in "${!replica_pid[@]}"; do
        kill -KILL "${replica_pid[$name]}" 2>/dev/null || true
    done
    for pid in "${all_parents[@]}"; do
        rm -f /dev/shm/aqueduct-"$pid"-* 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if ((status != 0)) && [[ -d "$work" ]]; then
        echo "replicas_test: logs kept in $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

free_ports() {
    python3 - "$1" <<'EOF'
import socket, sys
sockets = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    sockets.append(s)
print(" ".join(str(s.getsockname()[1]) for s in sockets))
EOF
}
read -r port_r1 port_r2 port_r3 port_r4 port_front port_stats <<<"$(free_ports 6)"

# R, S, D, Z...; empty when the process is gone.
process_state() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || true; }
descendants() {
    local children
    children=$(pgrep -P "$1" 2>/dev/null || true)
    for child in $children; do
        echo "$child"
        descendants "$child"
    done
}

# start_replica NAME PORT: starts it and waits until it listens (30 s at most).
start_replica() {
    local name=$1 port=$2 log
    log=$work/$1-$(date +%s%N).log
    "$aqueduct" serve "$pipeline" --listen "127.0.0.1:$port" --quiet 2>"$log" &
    local pid=$!
    replica_pid[$name]=$pid
    all_parents+=("$pid")
    for _ in $(seq 300); do
        if grep -q 'listening on' "$log"; then
            # Its workers and fork server, to check later that none outlives it.
            descendants "$pid" >>"$work/children-$pid.txt"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "replicas_test: replica $name exited at start:" >&2
            cat "$log" >&2
            exit 2
        fi
        sleep 0.1
    done
    echo "replicas_test: replica $name did not listen within 30 s" >&2
    exit 2
}

stats_csv() { curl -sf --max-time 2 "http://127.0.0.1:$port_stats/stats;csv"; }
# server_status NAME: UP, DOWN, DRAIN, MAINT... as HAProxy's health checks see it.
server_status() { stats_csv | awk -F, -v s="$1" '$1 == "be" && $2 == s { print $18 }'; }
wait_status() {
    local name=$1 want=$2
    for _ in $(seq 300); do
        [[ "$(server_status "$name")" == "$want"* ]] && return 0
        sleep 0.1
    done
    echo "replicas_test: HAProxy did not see $name $want within 30 s (it says $(server_status "$name"))" >&2
    exit 1
}

say "aqueduct: $aqueduct"
say "pipeline: $pipeline; load: wrk -t$threads -c$connections for ${duration_s}s"
start_replica r1 "$port_r1"
start_replica r2 "$port_r2"
start_replica r3 "$port_r3"

readyz_code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port_r1/readyz" || true)
if [[ "$readyz_code" != 200 ]]; then
    if ((fallback)); then
        health_path=/healthz
        say "FALLBACK: this serve answers /readyz with $readyz_code; HAProxy health-checks /healthz instead"
    else
        echo "replicas_test: GET /readyz answered $readyz_code (this serve has no readiness endpoint);" \
            "rerun with --healthz-fallback to test it with /healthz" >&2
        exit 2
    fi
fi

cat >"$work/haproxy.cfg" <<EOF
global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 10s
    # Connection refused (a replica that is gone and not yet marked down): try another
    # replica. Requests a replica had taken are not retried (POST), so losses show.
    retries 3
    option redispatch 1
    http-reuse ${HTTP_REUSE:-safe}
backend be
    balance roundrobin
    option httpchk
    http-check send meth GET uri $health_path
    http-check expect status 200
    # Two failed checks 200 ms apart take a replica out; a check may take 1 s on a
    # loaded machine before it counts as failed.
    timeout check 1s
    default-server inter 200ms fastinter 100ms downinter 200ms rise 2 fall 2
    server r1 127.0.0.1:$port_r1 check
    server r2 127.0.0.1:$port_r2 check
    server r3 127.0.0.1:$port_r3 check
    server r4 127.0.0.1:$port_r4 check
frontend fe
    bind 127.0.0.1:$port_front
    default_backend be
listen stats
    bind 127.0.0.1:$port_stats
    stats enable
    stats uri /stats
    stats admin if TRUE
EOF
haproxy -c -q -f "$work/haproxy.cfg"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
for _ in $(seq 100); do
    stats_csv >/dev/null 2>&1 && break
    sleep 0.1
done
for name in r1 r2 r3; do
    wait_status "$name" UP
done
say "HAProxy on 127.0.0.1:$port_front: r1 r2 r3 UP (r4, the surge replica, DOWN until it starts)"

# Samples HAProxy's counters every 100 ms: the throughput timeline and per-replica state.
python3 - "$port_stats" "$work/samples.jsonl" <<'EOF' &
import csv, io, json, sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/stats;csv"
with open(sys.argv[2], "w") as out:
    while True:
        try:
            text = urllib.request.urlopen(url, timeout=2).read().decode()
        except Exception:
            time.sleep(0.1)
            continue
        rows = list(csv.DictReader(io.StringIO(text.lstrip("# "))))
        sample = {"t_ns": time.time_ns()}
        for row in rows:
            if row["pxname"] in ("fe", "be"):
                key = row["svname"] if row["pxname"] == "be" else "FRONTEND"
                sample[key] = {k: row.get(k, "") for k in
                               ("status", "scur", "qcur", "stot", "hrsp_2xx", "hrsp_5xx",
                                "eresp", "econ", "wretr", "wredis", "cli_abrt", "srv_abrt")}
        out.write(json.dumps(sample) + "\n")
        out.flush()
        time.sleep(0.1)
EOF
sampler_pid=$!

cat >"$work/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"value": 1}'
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
    io.write(string.format('WRK {"requests": %d, "non_2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, "p50_ms": %.3f, "p99_ms": %.3f}\n',
        summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read,
        summary.errors.write, summary.errors.timeout,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
EOF
load_start_ns=$(date +%s%N)
echo "$load_start_ns load-start" >"$work/events.txt"
wrk -t"$threads" -c"$connections" -d"${duration_s}s" --timeout 10s --latency -s "$work/post.lua" \
    "http://127.0.0.1:$port_front/v1/process" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
sleep_until() {
    local target_ns=$((load_start_ns + $1 * 1000000000))
    local left_ns=$((target_ns - $(date +%s%N)))
    ((left_ns > 0)) && sleep "$(python3 -c "print($left_ns / 1e9)")"
    return 0
}

# --- rolling restart of r1 ----------------------------------------------------------------
sleep_until "$rolling_at_s"
event "surge: starting r4"
start_replica r4 "$port_r4"
wait_status r4 UP
if ((balancer_drain)); then
    event "r4 UP; r1 set to DRAIN in HAProxy (endpoint removal)"
    curl -sf -o /dev/null -d "s=r1&action=drain&b=be" "http://127.0.0.1:$port_stats/stats"
    sleep 2 # the preStop sleep
else
    event "r4 UP; no DRAIN in HAProxy (--no-balancer-drain): r1 leaves by its health check"
fi
r1_pid=${replica_pid[r1]}
event "SIGTERM r1 (pid $r1_pid)"
sigterm_ns=$(date +%s%N)
kill -TERM "$r1_pid"
r1_status=0
wait "$r1_pid" || r1_status=$?
r1_drain_s=$(python3 -c "print(f'{($(date +%s%N) - $sigterm_ns) / 1e9:.2f}')")
event "r1 exited with status $r1_status after ${r1_drain_s}s"
unset 'replica_pid[r1]'

# --- SIGKILL of r2, restarted on its port -------------------------------------------------
sleep_until "$kill_at_s"
r2_pid=${replica_pid[r2]}
event "SIGKILL r2 (pid $r2_pid)"
kill -KILL "$r2_pid"
wait "$r2_pid" 2>/dev/null || true
# The kubelet restarts a killed container at once; so does this.
event "restarting r2 on port $port_r2"
start_replica r2 "$port_r2"
# PR_SET_PDEATHSIG: the killed parent's fork server and workers die with it.
killed_children_left=0
for _ in $(seq 50); do
    killed_children_left=0
    while read -r child; do
        state=$(process_state "$child")
        [[ -n "$state" && "$state" != Z ]] && killed_children_left=$((killed_children_left + 1))
    done <"$work/children-$r2_pid.txt"
    ((killed_children_left == 0)) && break
    sleep 0.1
done
event "old r2's workers and fork server still running: $killed_children_left"
wait_status r2 UP
event "new r2 UP"

wait "$wrk_pid" || true
wrk_pid=
load_end_ns=$(date +%s%N)
echo "$load_end_ns load-end" >>"$work/events.txt"
sleep 0.3
kill -TERM "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=

# --- stop everything; what is left behind? -----------------------------------------------
final_stop_failures=0
for name in "${!replica_pid[@]}"; do
    pid=${replica_pid[$name]}
    kill -TERM "$pid"
    status=0
    wait "$pid" || status=$?
    ((status == 0)) || final_stop_failures=$((final_stop_failures + 1))
    unset "replica_pid[$name]"
done
kill -TERM "$haproxy_pid" 2>/dev/null || true
wait "$haproxy_pid" 2>/dev/null || true
haproxy_pid=
# A process counts as left behind if it is still running 3 s after everything stopped.
# Zombies (exited, waiting for init to reap them) hold no resources; they are counted apart.
processes_left=0
zombies=0
for _ in $(seq 30); do
    processes_left=0
    zombies=0
    for pid in "${all_parents[@]}"; do
        for p in "$pid" $(cat "$work/children-$pid.txt" 2>/dev/null); do
            case "$(process_state "$p")" in
            "") ;;
            Z) zombies=$((zombies + 1)) ;;
            *) processes_left=$((processes_left + 1)) ;;
            esac
        done
    done
    ((processes_left == 0)) && break
    sleep 0.1
done
for pid in "${all_parents[@]}"; do
    for p in "$pid" $(cat "$work/children-$pid.txt" 2>/dev/null); do
        state=$(process_state "$p")
        if [[ -n "$state" && "$state" != Z ]]; then
            echo "left behind: process $p ($(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null))"
        fi
    done
done
segments_left=0
for pid in "${all_parents[@]}"; do
    for segment in /dev/shm/aqueduct-"$pid"-*; do
        if [[ -e "$segment" ]]; then
            segments_left=$((segments_left + 1))
            echo "left behind: $segment"
        fi
    done
done

# --- report --------------------------------------------------------------------------------
sed -n '1,/^WRK/p' "$work/wrk.txt" | grep -v '^WRK' || true
python3 - "$work" "$health_path" "$r1_status" "$r1_drain_s" "$killed_children_left" \
    "$processes_left" "$segments_left" "$final_stop_failures" "$recovery_goal_s" "$zombies" \
    "${RESULT_JSON:-}" <<'EOF'
import json, os, sys
(work, health_path, r1_status, r1_drain_s, killed_children_left, processes_left,
 segments_left, final_stop_failures, recovery_goal_s, zombies, result_json) = sys.argv[1:]
samples = [json.loads(line) for line in open(f"{work}/samples.jsonl") if line.strip()]
events = []
for line in open(f"{work}/events.txt"):
    t, text = line.split(" ", 1)
    events.append((int(t), text.strip()))
wrk_line = next(l for l in open(f"{work}/wrk.txt") if l.startswith("WRK "))
wrk = json.loads(wrk_line[4:])
load_start = events[0][0]
load_end = next(t for t, e in events if e == "load-end")

def counter(sample, server, key):
    value = sample.get(server, {}).get(key, "")
    return int(value) if value not in ("", None) else 0

last = samples[-1]
def failures(server):
    # Requests this replica took and did not answer well: 5xx answers and response errors
    # (HAProxy's eresp, which also counts the responses cut off mid-way, srv_abrt).
    return sum(counter(last, server, key) for key in ("hrsp_5xx", "eresp"))

def detail(server):
    return ", ".join(f"{key} {counter(last, server, key)}" for key in ("hrsp_5xx", "eresp", "srv_abrt"))

# What the clients saw failing, in total.
client_failures = wrk["non_2xx"] + wrk["connect"] + wrk["read"] + wrk["write"] + wrk["timeout"]
sigterm_failures = failures("r1")
other_failures = failures("r3") + failures("r4")
# r1, r3 and r4 account for none of them when the goals hold: the rest is the SIGKILL's.
sigkill_failures = max(0, client_failures - sigterm_failures - other_failures)
front_5xx = counter(last, "FRONTEND", "hrsp_5xx")

# Throughput: completed (2xx) answers per second over 1 s windows, from the samples.
points = [((s["t_ns"] - load_start) / 1e9, counter(s, "FRONTEND", "hrsp_2xx")) for s in samples]
def rate_between(t_from, t_to):
    inside = [p for p in points if t_from <= p[0] <= t_to]
    if len(inside) < 2 or inside[-1][0] - inside[0][0] < 0.5:
        return None
    return (inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0])

def event_s(prefix):
    at = next((t for t, e in events if e.startswith(prefix)), None)
    return None if at is None else (at - load_start) / 1e9

def frange(a, b, step):
    while a <= b + 1e-9:
        yield a
        a += step

def median(values):
    values = sorted(v for v in values if v is not None)
    return values[len(values) // 2] if values else None

def throughput_back(at_s, until_s, threshold=0.7, hold_s=2.0):
    """Seconds from the event until the 1 s throughput is at least threshold x the median
    1 s throughput of the 5 s before, for hold_s in a row; 0 when it never dropped; inf
    when not before until_s (the next event or the end of the load)."""
    baseline = median(rate_between(u - 1, u) for u in frange(max(1.0, at_s - 4.0), at_s, 0.5))
    if not baseline:
        return None, None
    t = at_s
    while t + 1 + hold_s <= until_s:
        if all((rate_between(u - 1, u) or 0) >= threshold * baseline for u in frange(t + 1, t + 1 + hold_s, 0.1)):
            return round(t - at_s, 1), round(baseline)
        t += 0.1
    return float("inf"), round(baseline)

SERVERS = ("r1", "r2", "r3", "r4")
def capacity_back(at_s, until_s, replicas=3):
    """Seconds from the event until HAProxy again has `replicas` replicas UP (health check
    passing, not draining); 0 when it never had fewer; inf when not before until_s."""
    dropped = False
    for sample in samples:
        t = (sample["t_ns"] - load_start) / 1e9
        if t < at_s:
            continue
        if t > until_s:
            break
        up = [r for r in SERVERS if sample.get(r, {}).get("status", "").startswith("UP")]
        if len(up) < replicas:
            dropped = True
        elif dropped:
            return round(t - at_s, 1)
    return float("inf") if dropped else 0.0

end_s = (load_end - load_start) / 1e9
sigterm_at, sigkill_at = event_s("SIGTERM r1"), event_s("SIGKILL r2")
sigterm_capacity = capacity_back(sigterm_at, sigkill_at)
sigkill_capacity = capacity_back(sigkill_at, end_s)
sigterm_recovery, sigterm_baseline = throughput_back(sigterm_at, sigkill_at)
sigkill_recovery, sigkill_baseline = throughput_back(sigkill_at, end_s)
timeline = [round(rate_between(u - 1, u) or 0) for u in range(1, int(end_s) + 1)]
down_after_kill = None
for sample in samples:
    t = (sample["t_ns"] - load_start) / 1e9
    if t >= sigkill_at and not sample.get("r2", {}).get("status", "").startswith("UP"):
        down_after_kill = round(t - sigkill_at, 2)
        break
held_at_kill = None
kill_at = next(t for t, e in events if e.startswith("SIGKILL r2"))
before = [s for s in samples if s["t_ns"] <= kill_at]
if before:
    held_at_kill = counter(before[-1], "r2", "scur") + counter(before[-1], "r2", "qcur")

goal = float(recovery_goal_s)
strict = os.environ.get("STRICT_THROUGHPUT") == "1"
checks = [
    ("health check path", health_path == "/readyz", health_path + ("" if health_path == "/readyz" else " (FALLBACK: no /readyz)")),
    ("failed requests from the SIGTERM (r1)", sigterm_failures == 0, sigterm_failures),
    ("r1 exit status after SIGTERM", r1_status == "0", f"{r1_status} (drained in {r1_drain_s} s)"),
    ("failed requests from the SIGKILL (r2)", True,
     f"{sigkill_failures} seen by wrk, none counted on r1/r3/r4 (HAProxy on r2: {detail('r2')}, frontend 5xx {front_5xx}; "
     f"{held_at_kill} open on r2 at the last sample before the kill; r2 marked DOWN {down_after_kill} s after it)"),
    ("failed requests on r3/r4", other_failures == 0, other_failures),
    ("3 replicas UP in HAProxy again after the SIGTERM", sigterm_capacity is not None and sigterm_capacity < goal,
     f"{sigterm_capacity} s"),
    ("3 replicas UP in HAProxy again after the SIGKILL", sigkill_capacity is not None and sigkill_capacity < goal,
     f"{sigkill_capacity} s"),
    ("throughput back after the SIGTERM" + ("" if strict else " (info)"),
     not strict or (sigterm_recovery is not None and sigterm_recovery < goal),
     f"{sigterm_recovery} s (70 % of the 5 s median before, {sigterm_baseline} req/s, held 2 s)"),
    ("throughput back after the SIGKILL" + ("" if strict else " (info)"),
     not strict or (sigkill_recovery is not None and sigkill_recovery < goal),
     f"{sigkill_recovery} s (70 % of the 5 s median before, {sigkill_baseline} req/s, held 2 s)"),
    ("r2's workers gone after its SIGKILL", killed_children_left == "0", killed_children_left),
    ("replicas that did not exit 0 at the end", final_stop_failures == "0", final_stop_failures),
    ("processes left behind", processes_left == "0", f"{processes_left} (zombies waiting for init: {zombies})"),
    ("/dev/shm segments left behind", segments_left == "0", segments_left),
]
print()
print(f"wrk: {wrk['requests']} requests in {(load_end - load_start) / 1e9:.1f} s "
      f"({wrk['requests'] / ((load_end - load_start) / 1e9):.0f}/s), non-2xx {wrk['non_2xx']}, "
      f"socket errors connect {wrk['connect']} read {wrk['read']} write {wrk['write']} timeout {wrk['timeout']}, "
      f"p50 {wrk['p50_ms']} ms, p99 {wrk['p99_ms']} ms")
print(f"HAProxy: frontend 5xx {front_5xx}; " + "; ".join(f"{r}: {detail(r)}" for r in ("r1", "r2", "r3", "r4"))
      + f"; redispatched after a refused connection {counter(last, 'BACKEND', 'wredis')}")
print("throughput per second (2xx/s): " + " ".join(str(v) for v in timeline))
print("events (s after the load started): " + "; ".join(
    f"{(t - load_start) / 1e9:.1f} {e}" for t, e in events if e not in ("load-start", "load-end")))
print("load average (1, 5, 15 min): " + " ".join(open("/proc/loadavg").read().split()[:3]))
missed = 0
for name, ok, value in checks:
    print(f"{'ok  ' if ok else 'MISS'} {name}: {value}")
    missed += 0 if ok else 1
result = {
    "health_path": health_path, "requests": wrk["requests"], "non_2xx": wrk["non_2xx"],
    "socket_errors": wrk["connect"] + wrk["read"] + wrk["write"] + wrk["timeout"],
    "sigterm_failed": sigterm_failures, "sigkill_failed": sigkill_failures,
    "sigkill_held_at_kill": held_at_kill, "sigkill_down_after_s": down_after_kill, "client_failures": client_failures, "other_failed": other_failures,
    "sigterm_recovery_s": sigterm_recovery, "sigkill_recovery_s": sigkill_recovery,
    "sigterm_capacity_back_s": sigterm_capacity, "sigkill_capacity_back_s": sigkill_capacity,
    "throughput_per_s": timeline,
    "r1_drain_s": float(r1_drain_s), "r1_exit": int(r1_status),
    "processes_left": int(processes_left), "zombies": int(zombies), "segments_left": int(segments_left),
    "p50_ms": wrk["p50_ms"], "p99_ms": wrk["p99_ms"], "goals_met": missed == 0,
}
# JSON has no infinity: a figure never reached is null.
result = {k: (None if isinstance(v, float) and v == float("inf") else v) for k, v in result.items()}
print("RESULT " + json.dumps(result))
if result_json:
    with open(result_json, "w") as out:
        json.dump(result, out)
sys.exit(1 if missed else 0)
EOF
