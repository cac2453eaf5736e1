// Cross-checks deploy/kubernetes/ beyond what the schemas can say: the kustomization lists
// exactly the manifests of the folder, selectors and names agree between objects, the
// Deployment's shutdown timings and /dev/shm size follow from the serve flags and the
// pipeline's arena, and the HPA's metrics are the ones the Prometheus Adapter publishes.
//
//   node check-consistency.mjs DEPLOY_KUBERNETES_DIR
//
// Prints one line per check; exits 1 if any fails. Run from deploy/check.sh (the yaml
// package comes from its npm cache).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: check-consistency.mjs DEPLOY_KUBERNETES_DIR");
  process.exit(2);
}
let failures = 0;
function check(condition, what, detail = "") {
  console.log(`${condition ? "ok  " : "FAIL"} ${what}${!condition && detail ? `: ${detail}` : ""}`);
  if (!condition) failures += 1;
}
const loadAll = (file) => parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => d.toJS());

// --- kustomization: resources = the folder's manifests (the adapter rules excepted) -------
const ADAPTER_RULES = "prometheus-adapter-rules.yaml";
const kustomization = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8"));
const listed = kustomization.resources ?? [];
const present = readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml" && f !== ADAPTER_RULES);
for (const file of listed) check(existsSync(join(dir, file)), `kustomization lists ${file}, which exists`);
for (const file of present) check(listed.includes(file), `${file} is listed in kustomization.yaml resources`);
check(new Set(listed).size === listed.length, "kustomization resources are listed once each");

const objects = listed.filter((f) => existsSync(join(dir, f))).flatMap(loadAll).filter(Boolean);
const byKind = (kind) => objects.filter((o) => o.kind === kind);
const one = (kind) => {
  const found = byKind(kind);
  check(found.length === 1, `exactly one ${kind}`, `found ${found.length}`);
  return found[0] ?? {};
};
const deployment = one("Deployment");
const service = one("Service");
const pdb = one("PodDisruptionBudget");
const serviceMonitor = one("ServiceMonitor");
const hpa = one("HorizontalPodAutoscaler");
const pipelineMap = objects.find((o) => o.kind === "ConfigMap" && o.data?.["pipeline.json"] !== undefined) ?? {};
check(pipelineMap.kind === "ConfigMap", "a ConfigMap carries pipeline.json");

const matches = (selector, labels) =>
  selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const podLabels = deployment.spec?.template?.metadata?.labels;
const podSpec = deployment.spec?.template?.spec ?? {};
check(matches(deployment.spec?.selector?.matchLabels, podLabels), "Deployment selector matches its pod labels");
check(matches(service.spec?.selector, podLabels), "Service selector matches the pods");
check(matches(pdb.spec?.selector?.matchLabels, podLabels), "PodDisruptionBudget selector matches the pods");
check(matches(serviceMonitor.spec?.selector?.matchLabels, service.metadata?.labels), "ServiceMonitor selects the Service");
const servicePorts = (service.spec?.ports ?? []).map((p) => p.name);
for (const endpoint of serviceMonitor.spec?.endpoints ?? []) {
  check(servicePorts.includes(endpoint.port), `ServiceMonitor port ${endpoint.port} is a named Service port`);
  check(endpoint.path === "/metrics", "ServiceMonitor scrapes /metrics");
}
const target = hpa.spec?.scaleTargetRef ?? {};
check(target.kind === "Deployment" && target.name === deployment.metadata?.name, "HPA scales the Deployment");
check((hpa.spec?.minReplicas ?? 1) >= 2, "HPA keeps at least 2 replicas (the PDB can then let one go)");

// --- the serve container ------------------------------------------------------------------
const container = (podSpec.containers ?? [])[0] ?? {};
const args = container.args ?? [];
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
check(args[0] === "serve", "the container runs `aqueduct serve`");
const pipelinePath = args[1] ?? "";
const pipelineMount = (container.volumeMounts ?? []).find((m) => pipelinePath.startsWith(m.mountPath + "/"));
const pipelineVolume = (podSpec.volumes ?? []).find((v) => v.name === pipelineMount?.name);
check(pipelineVolume?.configMap?.name === pipelineMap.metadata?.name &&
      pipelinePath.endsWith("/pipeline.json"), `the pipeline ${pipelinePath} comes from the ConfigMap`);
const listen = flag("--listen") ?? "";
const listenPort = Number(listen.split(":").pop());
const httpPort = (container.ports ?? []).find((p) => p.name === "http");
check(httpPort && httpPort.containerPort === listenPort, `--listen ${listen} is the container port named http`);
check(!listen.startsWith("127.") && !listen.startsWith("localhost"), "--listen is reachable from outside the pod");
// serve answers 403 to a Host it does not know (IP addresses excepted): the Service's name
// must be allowed, or every request through the Service fails.
const allowedHosts = args.flatMap((a, i) => (a === "--allow-host" ? [args[i + 1]] : []));
check(allowedHosts.includes(service.metadata?.name) || allowedHosts.includes("*"),
      `--allow-host ${service.metadata?.name} (the Service name clients use)`);
check(container.readinessProbe?.httpGet?.path === "/readyz", "readiness probe on /readyz");
check(container.livenessProbe?.httpGet?.path === "/healthz", "liveness probe on /healthz");

const drainS = Number(flag("--drain-timeout-s") ?? 25);
const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
const preStopS = preStop.at(-2)?.endsWith("sleep") ? Number(preStop.at(-1)) : 0;
const graceS = podSpec.terminationGracePeriodSeconds ?? 30;
check(preStopS >= 3, `preStop sleeps ${preStopS} s so the balancer drops the pod before SIGTERM`);
check(graceS > preStopS + drainS, `terminationGracePeriodSeconds ${graceS} > preStop ${preStopS} + drain ${drainS}`);

const security = { ...(podSpec.securityContext ?? {}), ...(container.securityContext ?? {}) };
check(security.runAsNonRoot === true && (security.runAsUser ?? 0) > 0, "runs as a non-root user");
check(security.allowPrivilegeEscalation === false, "no privilege escalation");

// --- /dev/shm: a memory emptyDir that holds the arena -------------------------------------
const quantity = (q) => {
  const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q ?? ""));
  if (!m) return NaN;
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2]] ?? 1;
  return Number(m[1]) * unit;
};
const shmMount = (container.volumeMounts ?? []).find((m) => m.mountPath === "/dev/shm");
const shmVolume = (podSpec.volumes ?? []).find((v) => v.name === shmMount?.name);
check(shmVolume?.emptyDir?.medium === "Memory", "/dev/shm is a memory-backed emptyDir");
let arenaBytes = NaN;
try {
  const pipeline = JSON.parse(pipelineMap.data?.["pipeline.json"] ?? "");
  arenaBytes = pipeline.flow?.shared_memory?.arena_bytes ?? 64 * 2 ** 20;
} catch (error) {
  check(false, "pipeline.json in the ConfigMap is JSON", String(error.message));
}
const shmBytes = quantity(shmVolume?.emptyDir?.sizeLimit);
// The control segment (queues, counters) comes on top of the arena: ~21 MiB for the
// three-step pipeline; ask for 1.5 x arena + 32 MiB.
const shmNeeded = arenaBytes * 1.5 + 32 * 2 ** 20;
check(shmBytes >= shmNeeded, `/dev/shm sizeLimit ${shmVolume?.emptyDir?.sizeLimit} holds the ${arenaBytes / 2 ** 20} MiB arena and the control segment`,
      `need at least ${Math.ceil(shmNeeded / 2 ** 20)} MiB`);
const memoryLimit = quantity(container.resources?.limits?.memory);
check(memoryLimit > shmBytes, `memory limit ${container.resources?.limits?.memory} is above the /dev/shm size (its pages count against it)`);

// --- HPA metrics = what the Prometheus Adapter publishes ----------------------------------
const adapterMap = parse(readFileSync(join(dir, ADAPTER_RULES), "utf8"));
const adapterRules = parse(adapterMap?.data?.["config.yaml"] ?? "")?.rules ?? [];
const published = adapterRules.map((r) => r.name?.as);
for (const rule of adapterRules) {
  const overrides = rule.resources?.overrides ?? {};
  check(overrides.pod?.resource === "pod" && overrides.namespace?.resource === "namespace",
        `adapter rule ${rule.name?.as} maps the pod and namespace labels`);
  check(typeof rule.metricsQuery === "string" && rule.metricsQuery.includes("<<.LabelMatchers>>") &&
        rule.metricsQuery.includes("<<.GroupBy>>"), `adapter rule ${rule.name?.as} has a per-pod metricsQuery`);
}
for (const metric of hpa.spec?.metrics ?? []) {
  const name = metric.pods?.metric?.name;
  check(metric.type === "Pods" && published.includes(name), `HPA metric ${name} is published by an adapter rule`);
}
process.exit(failures > 0 ? 1 : 0);
