#!/usr/bin/python3
"""OpenCV dnn's own cost per image of the classify model at batch 1, 2, 4 and 8, one
thread, in isolation (no Aqueduct): CPU time (not wall time, so other jobs on a busy
machine distort it less) per image for one forward pass. Tells whether batch 8 can be
faster than batch 1 at all, before blaming the engine.
    onnx_batch_cost.py [--model resources/models/classifier.onnx] [--seconds 2] [--threads 1]
"""
import argparse
import json
import os
import time

import cv2
import numpy as np


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=os.path.join(here, "../../resources/models/classifier.onnx"))
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    cv2.setNumThreads(args.threads)
    rng = np.random.default_rng(0)
    results = {}
    for round_ in range(args.rounds):  # interleaved, so drift hits every batch size alike
        for batch in (1, 2, 4, 8):
            net = cv2.dnn.readNetFromONNX(args.model)  # one net per shape, as onnx_infer
            blob = rng.standard_normal((batch, 3, 224, 224)).astype(np.float32)
            net.setInput(blob)
            net.forward()  # plans and allocates for this shape
            passes, cpu_start, wall_start = 0, time.process_time(), time.perf_counter()
            while time.perf_counter() - wall_start < args.seconds / args.rounds:
                net.setInput(blob)
                net.forward()
                passes += 1
            cpu = time.process_time() - cpu_start
            wall = time.perf_counter() - wall_start
            entry = results.setdefault(batch, {"cpu_us": 0.0, "wall_us": 0.0, "images": 0})
            entry["cpu_us"] += cpu * 1e6
            entry["wall_us"] += wall * 1e6
            entry["images"] += passes * batch
    out = {"threads": args.threads, "loadavg_1m": os.getloadavg()[0]}
    for batch, entry in results.items():
        out[f"batch{batch}_cpu_us_per_image"] = round(entry["cpu_us"] / entry["images"], 1)
        out[f"batch{batch}_wall_us_per_image"] = round(entry["wall_us"] / entry["images"], 1)
    out["batch8_vs_batch1_cpu"] = round(out["batch1_cpu_us_per_image"] / out["batch8_cpu_us_per_image"], 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
