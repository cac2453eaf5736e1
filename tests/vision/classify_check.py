#!/usr/bin/python3
"""End-to-end check of resources/pipelines/classify.json against an independent numpy
implementation of the network (run by CTest as vision/classify_reference).

- `aqueduct run classify.json --input images.jsonl` with {"image": {"$bytes": ...}} lines:
  every sample image gets `label` (string) and `score` (number); the model's
  probabilities equal the numpy reference within 1e-4; a corrupt and a truncated image
  fail only their own task with handler_error.
- A copy of the pipeline whose model step waits for full batches of 8 shows that 8 tasks
  ran as ONE forward pass (onnx_infer's batch_size_field) and that the outputs were split
  back to the right tasks.
- tests/bench/classify_expected.json (what `aqueduct-bench --scenario classify` checks
  every image against) still equals the reference; `--write-expected PATH` rewrites it.
The reference decodes and resizes with OpenCV (the same codec and resize as the plugin),
and computes normalization and every network layer in float64 numpy from the ONNX
file's weights; it never runs OpenCV's dnn.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import onnx
from onnx import numpy_helper

TOLERANCE = 1e-4


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


# --- the reference network -----------------------------------------------------------

def attribute(node, name, default=None):
    for attr in node.attribute:
        if attr.name == name:
            return onnx.helper.get_attribute_value(attr)
    return default


def conv(x, weight, bias, strides, pads, group):
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    out_channels, _, kh, kw = weight.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
    windows = windows[:, :, :: strides[0], :: strides[1]]  # N, C, Ho, Wo, kh, kw
    if group == 1:
        out = np.tensordot(windows, weight, axes=([1, 4, 5], [1, 2, 3]))  # N, Ho, Wo, O
        out = out.transpose(0, 3, 1, 2)
    elif group == x.shape[1] == out_channels:
        out = np.einsum("nchwij,cij->nchw", windows, weight[:, 0])
    else:
        fail("the reference handles plain and depthwise convolutions only")
    return out + bias.reshape(1, -1, 1, 1)


def run_reference(model, batch):
    values = {init.name: numpy_helper.to_array(init).astype(np.float64) for init in model.graph.initializer}
    values[model.graph.input[0].name] = batch.astype(np.float64)
    for node in model.graph.node:
        inputs = [values[name] for name in node.input]
        if node.op_type == "Conv":
            assert attribute(node, "dilations", [1, 1]) == [1, 1]
            out = conv(inputs[0], inputs[1], inputs[2], attribute(node, "strides"), attribute(node, "pads"),
                       attribute(node, "group", 1))
        elif node.op_type == "Relu":
            out = np.maximum(inputs[0], 0)
        elif node.op_type == "GlobalAveragePool":
            out = inputs[0].mean(axis=(2, 3), keepdims=True)
        elif node.op_type == "Flatten":
            out = inputs[0].reshape(inputs[0].shape[0], -1)
        elif node.op_type == "Gemm":
            weight = inputs[1].T if attribute(node, "transB", 0) else inputs[1]
            out = inputs[0] @ weight + inputs[2]
        elif node.op_type == "Softmax":
            shifted = inputs[0] - inputs[0].max(axis=1, keepdims=True)
            out = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        else:
            fail("the reference does not implement " + node.op_type)
        values[node.output[0]] = out
    return values[model.graph.output[0].name]


def preprocess(encoded, params):
    resize, normalize = params["resize"], params["normalize"]
    assert resize["mode"] == "center_crop" and resize["interpolation"] == "linear"
    image = cv2.imdecode(np.frombuffer(encoded, np.uint8), cv2.IMREAD_COLOR)
    image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    width, height = resize["width"], resize["height"]
    scale = max(width / image.shape[1], height / image.shape[0])
    scaled_w = max(width, int(np.floor(image.shape[1] * scale + 0.5)))
    scaled_h = max(height, int(np.floor(image.shape[0] * scale + 0.5)))
    scaled = cv2.resize(image, (scaled_w, scaled_h), interpolation=cv2.INTER_LINEAR)
    x0, y0 = (scaled_w - width) // 2, (scaled_h - height) // 2
    crop = scaled[y0:y0 + height, x0:x0 + width].astype(np.float64)
    mean = np.array([float(v) for v in normalize["mean"].split(",")])
    std = np.array([float(v) for v in normalize["std"].split(",")])
    normalized = (crop * normalize["scale"] - mean) / std
    return normalized.transpose(2, 0, 1)  # C, H, W


# --- running the pipeline ------------------------------------------------------------

def run_pipeline(aqueduct, pipeline, tasks, workdir, name):
    input_path = os.path.join(workdir, name + ".jsonl")
    with open(input_path, "w") as out:
        for task in tasks:
            out.write(json.dumps(task) + "\n")
    result = subprocess.run([aqueduct, "run", pipeline, "--input", input_path, "--ordered", "--quiet"],
                            capture_output=True, text=True, timeout=300)
    if result.returncode not in (0, 1):
        fail(f"aqueduct run {pipeline} exited {result.returncode}: {result.stderr}")
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    if len(lines) != len(tasks):
        fail(f"{len(tasks)} tasks in, {len(lines)} results out; stderr: {result.stderr}")
    return lines


def tensor_of(field):
    spec = field["$tensor"]
    assert spec["dtype"] == "float32", spec["dtype"]
    return np.frombuffer(base64.b64decode(spec["data"]), np.float32).reshape(spec["shape"])


def check_results(lines, names, expected, labels):
    for line, name in zip(lines, names):
        if line.get("_status") != "ok":
            fail(f"{name}: {line.get('_status')}: {line.get('_error')}")
        if not isinstance(line.get("label"), str) or not isinstance(line.get("score"), (int, float)):
            fail(f"{name}: label (string) and score (number) missing: {sorted(line)}")
        got = tensor_of(line["probabilities"])
        want = expected[name]
        difference = float(np.abs(got.astype(np.float64) - want).max())
        if difference > TOLERANCE:
            fail(f"{name}: probabilities differ from the reference by {difference:.3g} > {TOLERANCE}")
        best = int(np.argmax(want))
        if abs(line["score"] - want[best]) > TOLERANCE:
            fail(f"{name}: score {line['score']} but the reference's best is {want[best]}")
        if line["label"] != labels[best] and abs(want[best] - want[labels.index(line["label"])]) > TOLERANCE:
            fail(f"{name}: label {line['label']} but the reference says {labels[best]}")
        print(f"ok {name}: {line['label']} {line['score']:.6f} (max difference {difference:.2g})")


def expected_table(names, expected, labels):
    """Per image: the reference's probabilities and best class (the benchmark's answers)."""
    table = {}
    for name in names:
        row = expected[name]
        best = int(np.argmax(row))
        table[name] = {"label": labels[best], "score": round(float(row[best]), 7),
                       "probabilities": [round(float(value), 7) for value in row]}
    return table


def check_expected_file(path, table):
    with open(path) as handle:
        stored = json.load(handle)
    if sorted(stored) != sorted(table):
        fail(f"{path} lists {sorted(stored)}, the sample images are {sorted(table)} "
             f"(rewrite it with --write-expected)")
    for name, want in table.items():
        got = stored[name]
        difference = max(abs(a - b) for a, b in zip(got["probabilities"], want["probabilities"]))
        if got["label"] != want["label"] or abs(got["score"] - want["score"]) > 1e-6 \
                or len(got["probabilities"]) != len(want["probabilities"]) or difference > 1e-6:
            fail(f"{path}: {name} is stale (rewrite it with --write-expected)")
    print(f"ok {os.path.basename(path)} equals the reference")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aqueduct")
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--write-expected", metavar="PATH",
                        help="write the benchmark's expected answers to PATH and exit")
    args = parser.parse_args()
    if not args.write_expected and not args.aqueduct:
        parser.error("--aqueduct is required (unless --write-expected)")
    pipeline_path = os.path.abspath(os.path.join(args.source_dir, "resources/pipelines/classify.json"))
    images_dir = os.path.abspath(os.path.join(args.source_dir, "resources/images"))
    with open(pipeline_path) as handle:
        pipeline = json.load(handle)
    steps = {step["handler"]: step for step in pipeline["steps"]}
    params = {"resize": steps["image_resize"]["params"], "normalize": steps["image_normalize"]["params"]}
    pipeline_dir = os.path.dirname(pipeline_path)
    model_path = os.path.normpath(os.path.join(pipeline_dir, steps["onnx_infer"]["params"]["model"]))
    labels_path = os.path.normpath(os.path.join(pipeline_dir, steps["top_k"]["params"]["labels"]))
    with open(labels_path) as handle:
        labels = [line.strip() for line in handle if line.strip()]
    model = onnx.load(model_path)

    names = sorted(os.listdir(images_dir))
    encoded = {name: open(os.path.join(images_dir, name), "rb").read() for name in names}
    if len(names) < 4:
        fail(f"expected the sample images in {images_dir}")
    batch = np.stack([preprocess(encoded[name], params) for name in names])
    reference = run_reference(model, batch)
    expected = {name: reference[i] for i, name in enumerate(names)}
    table = expected_table(names, expected, labels)
    if args.write_expected:
        with open(args.write_expected, "w") as handle:
            json.dump(table, handle, indent=1, sort_keys=True)
            handle.write("\n")
        print(f"wrote {args.write_expected}")
        return
    check_expected_file(os.path.join(args.source_dir, "tests/bench/classify_expected.json"), table)

    def task(name):
        return {"image": {"$bytes": base64.b64encode(encoded[name]).decode()}, "name": name}

    with tempfile.TemporaryDirectory(prefix="aqueduct-classify-") as workdir:
        # 1. The contract: the pipeline as shipped, plus two bad images among good ones.
        jpeg = next(name for name in names if name.endswith(".jpg"))
        tasks = [task(name) for name in names]
        tasks.insert(1, {"image": {"$bytes": base64.b64encode(b"this is not an image").decode()}, "name": "garbage"})
        tasks.insert(3, {"image": {"$bytes": base64.b64encode(encoded[jpeg][: len(encoded[jpeg]) // 3]).decode()},
                         "name": "truncated.jpg"})
        lines = run_pipeline(args.aqueduct, pipeline_path, tasks, workdir, "contract")
        good = [line for line in lines if line.get("name") in encoded]
        for line in lines:
            if line.get("name") in ("garbage", "truncated.jpg"):
                if line.get("_status") != "handler_error" or "decode" not in line.get("_error", ""):
                    fail(f"{line.get('name')}: expected handler_error from the decode step, got "
                         f"{line.get('_status')}: {line.get('_error')}")
                print(f"ok {line['name']}: handler_error: {line['_error']}")
        check_results(good, [line["name"] for line in good], expected, labels)

        # 2. One forward pass per batch: the model step waits for 8 tasks, then runs once.
        batched = json.loads(json.dumps(pipeline))
        for step in batched["steps"]:
            for key in ("model", "labels"):
                if key in step["params"]:
                    step["params"][key] = os.path.normpath(os.path.join(pipeline_dir, step["params"][key]))
            if step["handler"] == "onnx_infer":
                step["nprocs"] = 1
                step["batch_size"] = 8
                step["batch_timeout_ms"] = 5000
                step["params"]["batch_size_field"] = "forward_batch"
        batched_path = os.path.join(workdir, "classify-batch8.json")
        with open(batched_path, "w") as handle:
            json.dump(batched, handle)
        order = [names[i % len(names)] for i in range(8)]
        lines = run_pipeline(args.aqueduct, batched_path, [task(name) for name in order], workdir, "batch8")
        sizes = sorted({line.get("forward_batch") for line in lines})
        if sizes != [8]:
            fail(f"expected every task in one forward pass of 8, got forward_batch values {sizes}")
        check_results(lines, [line["name"] for line in lines], expected, labels)
        print("ok: 8 tasks ran as one forward pass of 8 and their outputs match the reference")

        # 3. Tensors in JSON lines straight into the model: the right shape matches the
        #    reference, a wrong shape fails only its task, naming the step and the reason.
        # Inline tensors of 600 KB: the parent does not yet move inline tensors to shared
        # memory on its own (FlowRuntime::prepareBlobs shares bytes fields only), so the
        # slot is made large enough.
        model_only = {"format": "aqueduct-pipeline", "version": 1, "name": "model only",
                      "flow": {"max_task_bytes": 4 << 20},
                      "steps": [dict(steps["onnx_infer"], params=dict(steps["onnx_infer"]["params"],
                                                                        model=model_path))]}
        model_only_path = os.path.join(workdir, "model-only.json")
        with open(model_only_path, "w") as handle:
            json.dump(model_only, handle)

        def tensor_task(array, name):
            return {"tensor": {"$tensor": {"dtype": "float32", "shape": list(array.shape),
                                           "data": base64.b64encode(array.astype(np.float32).tobytes()).decode()}},
                    "name": name}

        tasks = [tensor_task(batch[0], names[0]), tensor_task(np.zeros((1, 224, 224)), "wrong_shape"),
                 tensor_task(batch[1], names[1])]
        lines = run_pipeline(args.aqueduct, model_only_path, tasks, workdir, "tensors")
        output = steps["onnx_infer"]["params"]["output_field"]
        for line in lines:
            if line["name"] == "wrong_shape":
                if line.get("_status") != "handler_error" or "step 'model'" not in line.get("_error", "") \
                        or "float32[1,224,224]" not in line["_error"]:
                    fail(f"wrong_shape: expected a handler_error naming the step and the shape, got "
                         f"{line.get('_status')}: {line.get('_error')}")
                print(f"ok wrong_shape: {line['_error'][:160]}")
                continue
            if line.get("_status") != "ok":
                fail(f"{line['name']} as a $tensor: {line.get('_status')}: {line.get('_error')}")
            difference = float(np.abs(tensor_of(line[output]).astype(np.float64) - expected[line["name"]]).max())
            if difference > TOLERANCE:
                fail(f"{line['name']} as a $tensor: differs from the reference by {difference:.3g}")
            print(f"ok {line['name']} as a $tensor (max difference {difference:.2g})")

        # 4. A missing model fails the start, naming the step and the file.
        model_only["steps"][0]["params"]["model"] = "no-such-model.onnx"
        with open(model_only_path, "w") as handle:
            json.dump(model_only, handle)
        result = subprocess.run([args.aqueduct, "run", model_only_path, "--generate", "1", "--quiet"],
                                capture_output=True, text=True, timeout=120)
        if result.returncode == 0 or "step 'model'" not in result.stderr or "no-such-model.onnx" not in result.stderr \
                or "does not exist" not in result.stderr:
            fail(f"a missing model: expected a start error naming the step and file, got "
                 f"{result.returncode}: {result.stderr}")
        print("ok missing model: " + result.stderr.strip().splitlines()[0])


if __name__ == "__main__":
    main()
