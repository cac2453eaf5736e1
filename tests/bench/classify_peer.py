#!/usr/bin/python3
"""The classify scenario's Python peer (aqueduct-bench --scenario classify): the same model
and steps as classify.json (decode -> RGB -> center-crop resize 224 -> normalize -> one
cv2.dnn forward pass per batch -> top-k with labels) in a ProcessPoolExecutor with the same
number of processes and batch size. Each worker loads the network once (initializer) and
runs OpenCV with the same thread count as the plugin's `threads` param.

Measured like ours: batches keep running from the start; a task counts when it finished
inside the window (after the warm-up, before the end), whenever it was sent. Every image's label, score and
probabilities are checked against the expected answers (classify_expected.json); a wrong
or failed one counts in `failed`, never in `tasks_per_s`.
    classify_peer.py --model M --labels L --images DIR --expected JSON --nprocs N --batch B
                     --seconds S [--warmup S] [--threads T]
Prints one JSON object: tasks_per_s, tasks, failed, first_error, p50_us, p99_us,
cpu_us_per_task (this process and its workers over the measured window, per counted task,
as ours).
"""
import argparse
import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

import cv2
import numpy as np

MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
# (pixel / 255 - mean) / std as one multiply-add per value, as the plugin does.
COEFFICIENT = (1.0 / (255.0 * STD)).astype(np.float32)
OFFSET = (-MEAN / STD).astype(np.float32)
SIZE = 224
TOP_K = 3
TOLERANCE = 1e-4
_net = None
_labels = None


def init(model, labels, threads):
    global _net, _labels
    cv2.setNumThreads(threads)  # as the plugin: nprocs gives the parallelism
    _net = cv2.dnn.readNetFromONNX(model)
    with open(labels) as handle:
        _labels = [line.strip() for line in handle if line.strip()]


def preprocess(encoded):
    image = cv2.imdecode(np.frombuffer(encoded, np.uint8), cv2.IMREAD_COLOR)
    image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    scale = max(SIZE / image.shape[1], SIZE / image.shape[0])
    width = max(SIZE, int(np.floor(image.shape[1] * scale + 0.5)))
    height = max(SIZE, int(np.floor(image.shape[0] * scale + 0.5)))
    scaled = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
    x0, y0 = (width - SIZE) // 2, (height - SIZE) // 2
    crop = scaled[y0:y0 + SIZE, x0:x0 + SIZE].astype(np.float32)
    crop *= COEFFICIENT
    crop += OFFSET
    return crop.transpose(2, 0, 1)


def classify(batch):
    blob = np.ascontiguousarray(np.stack([preprocess(encoded) for encoded in batch]))
    _net.setInput(blob)
    probabilities = _net.forward()
    results = []
    for row in probabilities:
        top = np.argsort(-row)[:TOP_K]
        results.append({"label": _labels[top[0]], "score": float(row[top[0]]),
                        "top_k": [{"label": _labels[i], "score": float(row[i])} for i in top],
                        "probabilities": row.tolist()})
    return results


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pool):
    """CPU used so far by this process and the pool's workers (read from /proc while they
    live: RUSAGE_CHILDREN would count them only after the pool is shut down)."""
    total = time.process_time()
    for pid in list(pool._processes):  # no public API lists a pool's processes
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        except (OSError, IndexError, ValueError):
            pass
    return total


def check(result, want):
    """None when the result is the expected answer, else why not."""
    if result["label"] != want["label"]:
        return f"label {result['label']}, expected {want['label']}"
    if abs(result["score"] - want["score"]) > TOLERANCE:
        return f"score {result['score']}, expected {want['score']}"
    got, expected = result["probabilities"], want["probabilities"]
    if len(got) != len(expected) or max(abs(a - b) for a, b in zip(got, expected)) > TOLERANCE:
        return "probabilities differ from the expected ones by more than 1e-4"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--images", required=True)
    parser.add_argument("--expected", required=True)
    parser.add_argument("--nprocs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=0.75)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    with open(args.expected) as handle:
        expected = json.load(handle)
    names = sorted(os.listdir(args.images))
    images = []
    for name in names:
        with open(os.path.join(args.images, name), "rb") as handle:
            images.append(handle.read())
    in_flight = 2 * args.nprocs  # batches: one running and one waiting per process
    latencies, done, failed, counter, first_error = [], 0, 0, 0, None
    with ProcessPoolExecutor(args.nprocs, initializer=init,
                             initargs=(args.model, args.labels, args.threads)) as pool:
        # The pool started and every process's network loaded before the clock starts, as
        # ours is after Flow::start(); then the same timed warm-up as ours.
        list(pool.map(classify, [[images[0]]] * (2 * args.nprocs)))
        start = time.perf_counter()
        measure_from = start + args.warmup
        end = measure_from + args.seconds
        pending = {}

        def submit():
            nonlocal counter
            indexes = [(counter + i) % len(images) for i in range(args.batch)]
            counter += args.batch
            future = pool.submit(classify, [images[i] for i in indexes])
            pending[future] = (time.perf_counter(), indexes)

        for _ in range(in_flight):
            submit()
        cpu_start = cpu_end = None
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED, timeout=0.05)
            now = time.perf_counter()
            if cpu_start is None and now >= measure_from:
                cpu_start = cpu_seconds(pool)
            if cpu_end is None and now >= end:
                cpu_end = cpu_seconds(pool)
            for future in finished:
                submitted, indexes = pending.pop(future)
                if now < end:
                    submit()
                if now < measure_from or now > end:  # finished inside the window, as ours
                    continue
                try:
                    results = future.result()
                except Exception as error:  # a failed batch fails its tasks, the run goes on
                    results = [None] * len(indexes)
                    first_error = first_error or f"batch failed: {error}"
                for index, result in zip(indexes, results):
                    why = "no result" if result is None else check(result, expected[names[index]])
                    if why:
                        failed += 1
                        first_error = first_error or f"{names[index]}: {why}"
                    else:
                        done += 1
                    latencies.append((now - submitted) * 1e6)
    cpu = (cpu_end or 0) - (cpu_start or 0)
    latencies.sort()
    out = {"tasks_per_s": done / args.seconds, "tasks": done + failed, "failed": failed,
           "p50_us": latencies[len(latencies) // 2] if latencies else 0,
           "p99_us": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0,
           "cpu_us_per_task": cpu * 1e6 / max(1, done + failed)}
    if first_error:
        out["first_error"] = first_error
    print(json.dumps(out))


if __name__ == "__main__":
    main()
