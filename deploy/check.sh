#!/usr/bin/env bash
# Checks every deployment artifact offline; used by .ci/run.
#
#   deploy/check.sh [AQUEDUCT]      AQUEDUCT: the aqueduct program (default: build-ci/app/aqueduct,
#                                   else `aqueduct` from PATH)
#
# - Kubernetes manifests (deploy/kubernetes/): each object against the Kubernetes OpenAPI
#   schemas (npm kubernetes-models, @kubernetes-models/prometheus-operator for the
#   ServiceMonitor), the kustomize build when kubectl or kustomize is installed, and the
#   cross-object consistency (deploy/check-consistency.mjs);
# - the pipeline in the ConfigMap: `aqueduct validate`;
# - Prometheus alert rules: `promtool check rules` and `promtool test rules`;
# - the Grafana dashboard: JSON, expected panels, every query parsed by promtool;
# - every metric the dashboard, the alerts and the adapter rules use is exported by a real
#   `aqueduct serve` of that pipeline (started on a loopback port for a second).
#
# The npm packages go to $AQUEDUCT_DEPLOY_CACHE (default ~/.cache/aqueduct-deploy-check),
# installed once (pinned versions); later runs are offline. Needs node + npm (Debian:
# nodejs npm), promtool (prometheus), python3, curl. Exits non-zero on any problem.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

aqueduct=${1:-}
if [[ -z "$aqueduct" ]]; then
    if [[ -x build-ci/app/aqueduct ]]; then
        aqueduct=$root/build-ci/app/aqueduct
    else
        aqueduct=$(command -v aqueduct || true)
    fi
fi
if [[ -z "$aqueduct" || ! -x "$aqueduct" ]]; then
    echo "deploy/check: no aqueduct program (pass it: deploy/check.sh PATH/TO/aqueduct)" >&2
    exit 2
fi
for tool in node npm promtool python3 curl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "deploy/check: $tool is missing (packaging/install-deps.sh installs it)" >&2
        exit 2
    fi
done

say() { printf '== deploy/check: %s\n' "$*"; }
start_s=$SECONDS
work=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# --- validators from npm, pinned, cached outside the checkout ------------------------------
cache=${AQUEDUCT_DEPLOY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aqueduct-deploy-check}
npm_packages=(kubernetes-models@4.5.1 @kubernetes-models/prometheus-operator@5.0.1 yaml@2.6.1)
mkdir -p "$cache"
if [[ "$(cat "$cache/installed" 2>/dev/null)" != "${npm_packages[*]}" ]]; then
    say "installing ${npm_packages[*]} into $cache"
    rm -rf "$cache/node_modules" "$cache/package.json" "$cache/package-lock.json" "$cache/installed"
    (cd "$cache" && echo '{"private": true}' >package.json &&
        npm install --no-audit --no-fund --no-save --loglevel=error "${npm_packages[@]}")
    echo "${npm_packages[*]}" >"$cache/installed"
fi
# The scripts run from the cache so that their imports resolve to its node_modules.
cp deploy/validate-manifests.mjs deploy/check-consistency.mjs "$cache/"

# --- Kubernetes manifests ----------------------------------------------------------------
manifests=()
for file in deploy/kubernetes/*.yaml; do
    [[ "$(basename "$file")" == kustomization.yaml ]] || manifests+=("$file")
done
say "Kubernetes schemas: ${manifests[*]}"
node "$cache/validate-manifests.mjs" "${manifests[@]}"

kustomize_cmd=()
if command -v kustomize >/dev/null 2>&1; then
    kustomize_cmd=(kustomize build)
elif command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
    kustomize_cmd=(kubectl kustomize)
fi
if ((${#kustomize_cmd[@]} > 0)); then
    say "kustomize build (${kustomize_cmd[*]}) and its output against the schemas"
    "${kustomize_cmd[@]}" deploy/kubernetes >"$work/built.yaml"
    node "$cache/validate-manifests.mjs" --stdin "kustomize-build" <"$work/built.yaml"
else
    say "no kustomize or kubectl here: the kustomization's resource list is checked below instead"
fi

say "consistency of deploy/kubernetes (selectors, ports, probes, timings, /dev/shm, HPA metrics)"
node "$cache/check-consistency.mjs" deploy/kubernetes

# --- the pipeline in the ConfigMap --------------------------------------------------------
# Run from the cache folder: node's import of "yaml" resolves there.
say "aqueduct validate: the pipeline in deploy/kubernetes/configmap.yaml ($aqueduct)"
(cd "$cache" && node --input-type=module -e '
import { readFileSync, writeFileSync } from "node:fs";
import { parse } from "yaml";
const map = parse(readFileSync(process.argv[1], "utf8"));
writeFileSync(process.argv[2], map.data["pipeline.json"]);
' "$root/deploy/kubernetes/configmap.yaml" "$work/pipeline.json") ||
    { echo "deploy/check: cannot read data.pipeline.json from configmap.yaml" >&2; exit 1; }
"$aqueduct" validate "$work/pipeline.json"

# --- Prometheus alert rules -----------------------------------------------------------------
say "promtool check rules deploy/prometheus/alerts.yaml"
promtool check rules deploy/prometheus/alerts.yaml
say "promtool test rules deploy/prometheus/alerts_test.yaml"
promtool test rules deploy/prometheus/alerts_test.yaml

# --- metric names: what a real serve exports ------------------------------------------------
say "metric families exported by aqueduct serve of that pipeline"
"$aqueduct" serve "$work/pipeline.json" --listen 127.0.0.1:0 --quiet 2>"$work/serve.err" &
server_pid=$!
port=
for _ in $(seq 300); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.err" | head -n 1)
    [[ -n "$port" ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "deploy/check: aqueduct serve exited:" >&2
        cat "$work/serve.err" >&2
        exit 1
    fi
    sleep 0.1
done
[[ -n "$port" ]] || { echo "deploy/check: aqueduct serve did not listen within 30 s" >&2; exit 1; }
# One request so that every family has its series; then wait for a snapshot with it.
curl -sf -o /dev/null -d '{"value": 1}' "http://127.0.0.1:$port/v1/process"
for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$port/metrics" >"$work/metrics.txt" || true
    grep -q '^aqueduct_tasks_completed_total [1-9]' "$work/metrics.txt" && break
    sleep 0.1
done
readyz=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)
kill -TERM "$server_pid"
wait "$server_pid" || { echo "deploy/check: aqueduct serve did not exit 0 after SIGTERM" >&2; exit 1; }
server_pid=
sed -n 's/^# TYPE \([a-z_:0-9]*\) .*/\1/p' "$work/metrics.txt" | sort -u >"$work/exported.txt"
echo "$(wc -l <"$work/exported.txt") families exported"
cp "$work/exported.txt" "$work/known.txt"
# The serve gauges come with /readyz (issue 20). An aqueduct without /readyz predates
# them: their names are then taken on trust, and said so.
serve_gauges=(aqueduct_serve_ready aqueduct_serve_draining aqueduct_serve_inflight_requests)
if [[ "$readyz" == 404 ]]; then
    echo "WARNING: this aqueduct has no /readyz (older serve): ${serve_gauges[*]} not checked against it"
    printf '%s\n' "${serve_gauges[@]}" >>"$work/known.txt"
fi
missing=0
used=$(cat deploy/prometheus/alerts.yaml deploy/kubernetes/prometheus-adapter-rules.yaml |
    grep -v '^ *#' | grep -o '\baqueduct_[a-z0-9_]*' | sort -u)
for metric in $used; do
    family=$metric
    for suffix in _bucket _sum _count; do
        if [[ "$metric" == *"$suffix" ]] && grep -qx "${metric%"$suffix"}" "$work/known.txt"; then
            family=${metric%"$suffix"}
        fi
    done
    # The adapter's renamed output (name.as) is not a Prometheus series.
    if [[ "$metric" == aqueduct_queue_fill_ratio ]]; then
        continue
    fi
    if ! grep -qx "$family" "$work/known.txt"; then
        echo "FAIL alerts/adapter rules use $metric, which aqueduct serve does not export"
        missing=1
    fi
done
((missing == 0)) || exit 1
echo "ok   every metric of the alerts and adapter rules is exported"

# --- Grafana dashboard ------------------------------------------------------------------------
say "Grafana dashboard deploy/grafana/aqueduct.json"
python3 deploy/check-dashboard.py deploy/grafana/aqueduct.json "$work/known.txt" "$work/dashboard-rules.yaml"
say "promtool parses every dashboard query"
promtool check rules "$work/dashboard-rules.yaml"

say "OK ($((SECONDS - start_s)) s)"
