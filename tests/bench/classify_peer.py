#!/usr/bin/python3
"""The classify benchmark's Python peer: the same model and steps as classify.json
(decode -> RGB -> center-crop resize 224 -> normalize -> one cv2.dnn forward pass per batch
-> top-k) in a ProcessPoolExecutor with the same number of processes and batch size.
Prints one JSON object: tasks_per_s, p50_us, p99_us, cpu_us_per_task, failed.
    classify_peer.py --model M --labels L --images DIR --nprocs N --batch B --seconds S
"""
import argparse
import json
import os
import resource
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

import cv2
import numpy as np

MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
SIZE = 224
_net = None
_labels = None


def init(model, labels):
    global _net, _labels
    cv2.setNumThreads(1)  # nprocs gives the parallelism, as in the plugin
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
    return ((crop * (1.0 / 255.0) - MEAN) / STD).transpose(2, 0, 1)


def classify(batch):
    blob = np.ascontiguousarray(np.stack([preprocess(encoded) for encoded in batch]))
    _net.setInput(blob)
    probabilities = _net.forward()
    results = []
    for row in probabilities:
        top = np.argsort(-row)[:3]
        results.append({"label": _labels[top[0]], "score": float(row[top[0]]),
                        "top_k": [{"label": _labels[i], "score": float(row[i])} for i in top]})
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--images", required=True)
    parser.add_argument("--nprocs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    images = [open(os.path.join(args.images, name), "rb").read() for name in sorted(os.listdir(args.images))]
    in_flight = 2 * args.nprocs
    latencies, done, failed, counter = [], 0, 0, 0
    with ProcessPoolExecutor(args.nprocs, initializer=init, initargs=(args.model, args.labels)) as pool:
        # Warm-up: every process loads the model and runs once.
        list(pool.map(classify, [[images[0]]] * args.nprocs))
        start = time.perf_counter()
        end = start + args.seconds
        pending = {}

        def submit():
            nonlocal counter
            batch = [images[(counter + i) % len(images)] for i in range(args.batch)]
            counter += args.batch
            pending[pool.submit(classify, batch)] = time.perf_counter()

        for _ in range(in_flight):
            submit()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            now = time.perf_counter()
            for future in finished:
                submitted = pending.pop(future)
                try:
                    results = future.result()
                    done += len(results)
                except Exception:  # a failed batch fails its tasks, the run goes on
                    failed += args.batch
                latencies += [(now - submitted) * 1e6] * args.batch
                if now < end:
                    submit()
        elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime + own.ru_utime + own.ru_stime
    latencies.sort()
    total = max(1, done + failed)
    print(json.dumps({"tasks_per_s": done / elapsed, "p50_us": latencies[len(latencies) // 2],
                      "p99_us": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
                      "cpu_us_per_task": cpu * 1e6 / total, "failed": failed}))


if __name__ == "__main__":
    main()
