#!/usr/bin/env python3
"""Checks deploy/grafana/aqueduct.json: valid JSON, the panels operators expect, unique ids,
every query's metric names known, and writes the queries as a Prometheus rules file so that
`promtool check rules` parses each one (Grafana's $variables replaced by plain values).

    check-dashboard.py DASHBOARD.json KNOWN_METRICS.txt OUT_RULES.yaml

KNOWN_METRICS.txt: one metric family name a line. Exits 1 on any problem.
"""
import json
import re
import sys

EXPECTED_PANELS = {
    "throughput": re.compile(r"^Throughput"),
    "queue fill per step": re.compile(r"^Queue fill per step$"),
    "latency percentiles": re.compile(r"percentiles"),
    "worker restarts": re.compile(r"^Worker restarts$"),
    "errors by kind": re.compile(r"^Errors by kind$"),
}
SUFFIXES = ("_bucket", "_sum", "_count")


def main() -> int:
    dashboard_path, known_path, rules_path = sys.argv[1:4]
    failures = 0

    def check(ok: bool, what: str, detail: str = "") -> None:
        nonlocal failures
        print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else ": " + detail))
        failures += 0 if ok else 1

    try:
        with open(dashboard_path, encoding="utf-8") as f:
            dashboard = json.load(f)
    except (OSError, ValueError) as error:
        check(False, f"{dashboard_path} is JSON", str(error))
        return 1
    check(True, f"{dashboard_path} is JSON")
    known = {line.strip() for line in open(known_path, encoding="utf-8") if line.strip()}

    panels = [p for p in dashboard.get("panels", []) if isinstance(p, dict)]
    titles = [p.get("title", "") for p in panels if p.get("type") != "row"]
    for name, pattern in EXPECTED_PANELS.items():
        check(any(pattern.search(t) for t in titles), f"a panel for {name}")
    ids = [p.get("id") for p in panels]
    check(len(ids) == len(set(ids)) and None not in ids, "panel ids are present and unique")
    check(isinstance(dashboard.get("uid"), str) and dashboard["uid"] != "", "the dashboard has a uid")
    variables = {v.get("name") for v in dashboard.get("templating", {}).get("list", [])}
    check({"datasource", "namespace", "pod"} <= variables, "variables datasource, namespace, pod")

    rules = []
    for panel in panels:
        for target in panel.get("targets", []):
            expr = target.get("expr", "")
            where = f'panel {panel.get("id")} "{panel.get("title")}" {target.get("refId")}'
            if not expr:
                check(False, f"{where} has a query")
                continue
            names = set(re.findall(r"\b(aqueduct_[a-z0-9_]+)", expr))
            for metric in sorted(names):
                family = metric
                for suffix in SUFFIXES:
                    if metric.endswith(suffix) and metric[: -len(suffix)] in known:
                        family = metric[: -len(suffix)]
                if family not in known:
                    check(False, f"{where} uses a known metric", f"{metric} is not in {known_path}")
            plain = (expr.replace("$__rate_interval", "1m").replace("$namespace", ".*")
                     .replace("$pod", ".*"))
            rules.append((f"dashboard:panel{panel.get('id')}:{target.get('refId')}", plain))
    check(len(rules) > 0, f"{len(rules)} queries collected")
    with open(rules_path, "w", encoding="utf-8") as out:
        out.write("groups:\n  - name: dashboard-queries\n    rules:\n")
        for record, expr in rules:
            out.write(f"      - record: {record}\n        expr: {json.dumps(expr)}\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
