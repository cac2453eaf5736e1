#!/usr/bin/env python3
"""Peer for aqueduct-bench: the same work through concurrent.futures.ProcessPoolExecutor.

Usage: ppe_peer.py WORK WORKERS INFLIGHT SECONDS [ARG]
WORK: increment | cpu_burn (ARG = microseconds) | checksum (ARG = payload bytes)
Prints one JSON object: tasks_per_s, p50_us, p99_us, tasks.
"""
import concurrent.futures as cf
import json
import sys
import time


def increment(task):
    task["value"] = task["value"] + 1
    return task


def cpu_burn(task):
    end = time.perf_counter() + task["us"] / 1e6
    x = 0
    while time.perf_counter() < end:
        x += 1
    task["spins"] = x
    return task


def checksum(task):
    data = task["payload"]
    task["checksum"] = sum(data[::4096])  # touches every page; Python cannot read every byte fast
    return task


def main():
    work, workers, inflight, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    arg = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    fn = {"increment": increment, "cpu_burn": cpu_burn, "checksum": checksum}[work]

    def make(i):
        if work == "cpu_burn":
            return {"value": i, "us": arg}
        if work == "checksum":
            return {"value": i, "payload": bytes(arg)}
        return {"value": i}

    latencies = []
    done = 0
    with cf.ProcessPoolExecutor(max_workers=workers) as pool:
        # warm up the workers
        list(pool.map(fn, [make(i) for i in range(workers * 4)]))
        start = time.perf_counter()
        deadline = start + seconds
        pending = {}
        i = 0
        while len(pending) < inflight:
            pending[pool.submit(fn, make(i))] = time.perf_counter()
            i += 1
        while pending:
            finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            now = time.perf_counter()
            for f in finished:
                latencies.append(now - pending.pop(f))
                f.result()
                done += 1
                if now < deadline:
                    pending[pool.submit(fn, make(i))] = time.perf_counter()
                    i += 1
        wall = time.perf_counter() - start
    latencies.sort()
    def q(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1e6 if latencies else 0
    print(json.dumps({"tasks_per_s": done / wall, "p50_us": q(0.5), "p99_us": q(0.99), "tasks": done}))


if __name__ == "__main__":
    main()
