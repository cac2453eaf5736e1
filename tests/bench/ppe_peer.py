#!/usr/bin/env python3
"""Python peers for aqueduct-bench: the same work through the strongest idiomatic use of
each standard-library process pool, measured after Python startup and pool warm-up.

Usage: ppe_peer.py PEER WORK WORKERS CONCURRENCY AMOUNT [ARG]
  PEER        ppe-map       concurrent.futures.ProcessPoolExecutor.map(fn, range(N), chunksize=256)
              ppe-async     asyncio: CONCURRENCY callers, each awaiting loop.run_in_executor on a
                            ProcessPoolExecutor, one task per call
              mp-pool-imap  multiprocessing.Pool.imap_unordered(fn, range(N), chunksize=256)
              pool-idle     a ProcessPoolExecutor with no tasks for AMOUNT seconds (CPU share)
              pool-lifecycle  AMOUNT cycles of: start a pool, map 100 tasks, shut it down
  WORK        increment | increment3 (three calls per task) | cpu_burn (ARG = microseconds)
              | checksum2 (ARG = payload bytes; a fresh payload per task, read twice)
  AMOUNT      tasks (N) for ppe-map and mp-pool-imap, seconds for ppe-async and pool-idle,
              cycles for pool-lifecycle
Every result is verified (value + 1, or the expected checksum). Prints one JSON object:
tasks_per_s (verified tasks only), tasks, failed, p50_us, p99_us (ppe-async),
cpu_us_per_task (this process plus the pool's workers, from /proc), wall_s.
Exit status 1 when any result is wrong.
"""
import asyncio
import concurrent.futures as cf
import json
import multiprocessing
import os
import resource
import sys
import time
import zlib

CHUNKSIZE = 256


def increment(i):
    return i + 1


def cpu_burn(args):
    i, us = args
    end = time.perf_counter() + us / 1e6
    while time.perf_counter() < end:
        pass
    return i


def checksum(data):
    return zlib.adler32(data)  # reads every byte, in C


def payload(i, size):
    return bytes((i % 16,)) * size  # a fresh buffer per task, filled (16 patterns, as aqueduct-bench)


# ---------------------------------------------------------------------------------------
# CPU accounting: this process (getrusage) plus the pool's live workers (/proc/PID/stat).

TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def worker_cpu_s(pids):
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) * TICK_S  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total


def cpu_s(pids):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + worker_cpu_s(pids)


def ppe_pids(pool):
    return [p.pid for p in (pool._processes or {}).values()]


def mp_pids(pool):
    return [p.pid for p in pool._pool]


def warm(pool_map, workers):
    list(pool_map(increment, range(workers * 64)))


def quantiles(latencies):
    latencies.sort()

    def q(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1e6 if latencies else 0

    return q(0.5), q(0.99)


# ---------------------------------------------------------------------------------------
# Bulk peers: N tasks in one call, results checked in order (map) or as a sum (imap).


def run_map(work, workers, n, arg):
    if work != "increment":
        raise SystemExit(f"ppe-map: unsupported work {work}")
    with cf.ProcessPoolExecutor(max_workers=workers) as pool:
        warm(pool.map, workers)
        pids = ppe_pids(pool)
        cpu0 = cpu_s(pids)
        start = time.perf_counter()
        failed = 0
        expected = 1
        for value in pool.map(increment, range(n), chunksize=CHUNKSIZE):
            if value != expected:
                failed += 1
            expected += 1
        wall = time.perf_counter() - start
        cpu = cpu_s(pids) - cpu0
    return {"tasks": n, "failed": failed, "wall_s": wall, "cpu_s": cpu}


def run_imap(work, workers, n, arg):
    if work != "increment":
        raise SystemExit(f"mp-pool-imap: unsupported work {work}")
    with multiprocessing.get_context("fork").Pool(processes=workers) as pool:
        warm(pool.map, workers)
        pids = mp_pids(pool)
        cpu0 = cpu_s(pids)
        start = time.perf_counter()
        count = 0
        total = 0
        for value in pool.imap_unordered(increment, range(n), chunksize=CHUNKSIZE):
            count += 1
            total += value
        wall = time.perf_counter() - start
        cpu = cpu_s(pids) - cpu0
    # Unordered: every value 1..N exactly once gives this count and sum (a wrong value
    # shows in the sum; the count is checked on its own).
    failed = 0 if (count == n and total == n * (n + 1) // 2) else max(1, abs(n - count))
    return {"tasks": n, "failed": failed, "wall_s": wall, "cpu_s": cpu}


# ---------------------------------------------------------------------------------------
# Per-task peer: asyncio callers, each awaiting one run_in_executor call per task step.


async def async_main(work, workers, callers, seconds, arg):
    loop = asyncio.get_running_loop()
    expected_sums = {}
    if work == "checksum2":
        expected_sums = {b: checksum(payload(b, arg)) for b in range(16)}
    with cf.ProcessPoolExecutor(max_workers=workers) as pool:
        await asyncio.gather(*(loop.run_in_executor(pool, increment, i) for i in range(workers * 64)))
        pids = ppe_pids(pool)
        state = {"next": 0, "done": 0, "failed": 0, "first_error": ""}
        latencies = []
        warmup = min(0.5, seconds * 0.2)
        measure_from = time.perf_counter() + warmup
        end = measure_from + seconds
        cpu_marks = {}

        def fail(message):
            state["failed"] += 1
            if not state["first_error"]:
                state["first_error"] = message

        async def one(i):
            if work == "increment":
                if await loop.run_in_executor(pool, increment, i) != i + 1:
                    return f"increment({i}) wrong"
            elif work == "increment3":
                v = i
                for _ in range(3):
                    v = await loop.run_in_executor(pool, increment, v)
                if v != i + 3:
                    return f"increment3({i}) wrong"
            elif work == "cpu_burn":
                if await loop.run_in_executor(pool, cpu_burn, (i, arg)) != i:
                    return f"cpu_burn({i}) wrong"
            elif work == "checksum2":
                data = payload(i, arg)
                first = await loop.run_in_executor(pool, checksum, data)
                second = await loop.run_in_executor(pool, checksum, data)
                if first != expected_sums[i % 16] or second != first:
                    return f"checksum2({i}) wrong"
            return ""

        async def caller():
            while True:
                t0 = time.perf_counter()
                if t0 >= end:
                    if "end" not in cpu_marks:
                        cpu_marks["end"] = cpu_s(pids)
                    return
                if t0 >= measure_from and "start" not in cpu_marks:
                    cpu_marks["start"] = cpu_s(pids)
                i = state["next"]
                state["next"] += 1
                try:
                    error = await one(i)
                except Exception as exc:  # a broken pool fails the task, not the peer
                    error = f"{type(exc).__name__}: {exc}"
                t1 = time.perf_counter()
                if t0 >= measure_from and t1 <= end:
                    state["done"] += 1
                    latencies.append(t1 - t0)
                    if error:
                        fail(error)

        await asyncio.gather(*(caller() for _ in range(callers)))
        cpu = cpu_marks.get("end", 0.0) - cpu_marks.get("start", 0.0)
    p50, p99 = quantiles(latencies)
    return {"tasks": state["done"], "failed": state["failed"], "first_error": state["first_error"],
            "wall_s": seconds, "cpu_s": cpu, "p50_us": p50, "p99_us": p99}


# ---------------------------------------------------------------------------------------
# Idle and lifecycle references.


def run_idle(workers, seconds):
    with cf.ProcessPoolExecutor(max_workers=workers) as pool:
        warm(pool.map, workers)
        pids = ppe_pids(pool)
        time.sleep(0.5)
        cpu0 = cpu_s(pids)
        start = time.perf_counter()
        time.sleep(seconds)
        wall = time.perf_counter() - start
        cpu = cpu_s(pids) - cpu0
    return {"tasks": 0, "failed": 0, "wall_s": wall, "cpu_s": cpu, "idle_cpu_pct": 100.0 * cpu / wall}


def three_increments(i):
    return i + 3


def children_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # pool workers, joined at shutdown
    return usage.ru_utime + usage.ru_stime


def run_lifecycle(workers, cycles):
    failed = 0
    cpu0 = cpu_s([]) + children_cpu_s()
    start = time.perf_counter()
    for _ in range(cycles):
        with cf.ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(three_increments, range(100)))
        failed += sum(1 for i, v in enumerate(results) if v != i + 3)
    wall = time.perf_counter() - start
    cpu = cpu_s([]) + children_cpu_s() - cpu0
    return {"tasks": cycles * 100, "failed": failed, "wall_s": wall, "cpu_s": cpu}


def main():
    if len(sys.argv) < 6:
        raise SystemExit(__doc__)
    peer, work = sys.argv[1], sys.argv[2]
    workers, concurrency, amount = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    arg = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    if peer == "ppe-map":
        result = run_map(work, workers, int(amount), arg)
    elif peer == "mp-pool-imap":
        result = run_imap(work, workers, int(amount), arg)
    elif peer == "ppe-async":
        result = asyncio.run(async_main(work, workers, concurrency, amount, arg))
    elif peer == "pool-idle":
        result = run_idle(workers, amount)
    elif peer == "pool-lifecycle":
        result = run_lifecycle(workers, int(amount))
    else:
        raise SystemExit(f"unknown peer {peer}")
    good = result["tasks"] - result["failed"]
    result["peer"] = peer
    result["tasks_per_s"] = good / result["wall_s"] if result["wall_s"] > 0 else 0
    result["cpu_us_per_task"] = result["cpu_s"] * 1e6 / result["tasks"] if result["tasks"] else 0
    print(json.dumps(result))
    sys.exit(1 if result["failed"] else 0)


if __name__ == "__main__":
    main()
