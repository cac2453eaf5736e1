// Validates Kubernetes manifests offline against the OpenAPI schemas bundled in the npm
// packages kubernetes-models (core API groups) and @kubernetes-models/prometheus-operator
// (ServiceMonitor, PrometheusRule). deploy/check.sh copies this file next to the
// node_modules it installed and runs it there, so bare imports resolve.
//
//   node validate-manifests.mjs FILE.yaml...     (a file may hold several documents)
//   node validate-manifests.mjs --stdin NAME     (multi-document YAML on stdin, e.g. kustomize output)
//
// Prints one line per object; exits 1 if any object is invalid or of an unknown kind.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// apiVersion -> module that exports one class per kind.
function moduleFor(apiVersion) {
  if (apiVersion.startsWith("monitoring.coreos.com/"))
    return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  // "v1" is the core group; "apps/v1", "policy/v1", "autoscaling/v2" map one to one.
  return `kubernetes-models/${apiVersion}`;
}

// Fields the schemas allow but that are always mistakes in these manifests.
function extraChecks(object) {
  const problems = [];
  if (!object.metadata || typeof object.metadata.name !== "string" || object.metadata.name === "")
    problems.push("metadata.name is missing");
  return problems;
}

let failures = 0;
let checked = 0;

async function validateDocuments(text, source) {
  const documents = parseAllDocuments(text, { prettyErrors: true });
  let index = 0;
  for (const document of documents) {
    index += 1;
    const where = `${source}#${index}`;
    if (document.errors.length > 0) {
      for (const error of document.errors) console.log(`FAIL ${where}: YAML: ${error.message}`);
      failures += 1;
      continue;
    }
    const object = document.toJS({ maxAliasCount: 0 });
    if (object === null || object === undefined) continue; // empty document
    checked += 1;
    if (typeof object !== "object" || Array.isArray(object) || typeof object.apiVersion !== "string" ||
        typeof object.kind !== "string") {
      console.log(`FAIL ${where}: not a Kubernetes object (apiVersion and kind are required)`);
      failures += 1;
      continue;
    }
    const label = `${where} ${object.apiVersion} ${object.kind}/${object.metadata?.name ?? "?"}`;
    let Kind;
    try {
      const module = await import(moduleFor(object.apiVersion));
      Kind = module[object.kind];
    } catch (error) {
      Kind = undefined;
    }
    if (typeof Kind !== "function") {
      console.log(`FAIL ${label}: no schema for this apiVersion/kind`);
      failures += 1;
      continue;
    }
    const problems = extraChecks(object);
    try {
      new Kind(object).validate();
    } catch (error) {
      problems.push(String(error.message ?? error).replace(/\s+/g, " "));
    }
    if (problems.length > 0) {
      console.log(`FAIL ${label}: ${problems.join("; ")}`);
      failures += 1;
    } else {
      console.log(`ok   ${label}`);
    }
  }
}

const args = process.argv.slice(2);
if (args[0] === "--stdin") {
  await validateDocuments(readFileSync(0, "utf8"), args[1] ?? "stdin");
} else {
  if (args.length === 0) {
    console.error("usage: validate-manifests.mjs FILE.yaml... | --stdin NAME");
    process.exit(2);
  }
  for (const file of args) await validateDocuments(readFileSync(file, "utf8"), file);
}
if (checked === 0) {
  console.log("FAIL no Kubernetes object found");
  process.exit(1);
}
process.exit(failures > 0 ? 1 : 0);
