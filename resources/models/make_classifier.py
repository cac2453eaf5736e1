#!/usr/bin/python3
"""Writes classifier.onnx, a small MobileNet-style CNN with random weights (fixed seed),
its labels file and a few synthetic sample images.

Needs Debian's python3-onnx and python3-numpy (python3-opencv for the images).
The output is committed; run this again only to change the network:
    /usr/bin/python3 resources/models/make_classifier.py
OpenCV 4.6's ONNX importer wants opset 11-13 and explicit attributes (kernel_shape,
strides, pads, group), so every node spells them out.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261202
OPSET = 11
INPUT_SIZE = 224
LABELS = ["red", "green", "blue", "yellow", "cyan", "magenta", "stripes", "checker", "circle", "noise"]

# (kind, in channels, out channels, stride): a 3x3 stem, then depthwise + pointwise pairs.
LAYERS = [
    ("conv", 3, 16, 2),
    ("dw", 16, 16, 2), ("pw", 16, 32, 1),
    ("dw", 32, 32, 2), ("pw", 32, 64, 1),
    ("dw", 64, 64, 1), ("pw", 64, 64, 1),
    ("dw", 64, 64, 2), ("pw", 64, 128, 1),
    ("dw", 128, 128, 1), ("pw", 128, 256, 1),
    ("dw", 256, 256, 1), ("pw", 256, 256, 1),
]


def build_model():
    rng = np.random.default_rng(SEED)
    nodes, initializers = [], []
    current = "input"
    for index, (kind, cin, cout, stride) in enumerate(LAYERS):
        if kind == "conv":
            shape, group, kernel = (cout, cin, 3, 3), 1, 3
        elif kind == "dw":
            shape, group, kernel = (cout, 1, 3, 3), cin, 3
        else:
            shape, group, kernel = (cout, cin, 1, 1), 1, 1
        fan_in = shape[1] * shape[2] * shape[3]
        weight = (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        bias = (rng.standard_normal(cout) * 0.05).astype(np.float32)
        wname, bname = f"w{index}", f"b{index}"
        initializers += [numpy_helper.from_array(weight, wname), numpy_helper.from_array(bias, bname)]
        pad = kernel // 2
        conv_out, relu_out = f"conv{index}", f"relu{index}"
        nodes.append(helper.make_node("Conv", [current, wname, bname], [conv_out], name=conv_out,
                                      kernel_shape=[kernel, kernel], strides=[stride, stride],
                                      pads=[pad, pad, pad, pad], dilations=[1, 1], group=group))
        nodes.append(helper.make_node("Relu", [conv_out], [relu_out], name=relu_out))
        current = relu_out
    nodes.append(helper.make_node("GlobalAveragePool", [current], ["pooled"], name="pool"))
    nodes.append(helper.make_node("Flatten", ["pooled"], ["features"], name="flatten", axis=1))
    channels = LAYERS[-1][2]
    fc_weight = (rng.standard_normal((len(LABELS), channels)) * np.sqrt(1.0 / channels) * 4).astype(np.float32)
    fc_bias = (rng.standard_normal(len(LABELS)) * 0.1).astype(np.float32)
    initializers += [numpy_helper.from_array(fc_weight, "fc_w"), numpy_helper.from_array(fc_bias, "fc_b")]
    nodes.append(helper.make_node("Gemm", ["features", "fc_w", "fc_b"], ["logits"], name="fc",
                                  alpha=1.0, beta=1.0, transA=0, transB=1))
    nodes.append(helper.make_node("Softmax", ["logits"], ["prob"], name="softmax", axis=1))
    graph = helper.make_graph(
        nodes, "aqueduct_classifier",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, INPUT_SIZE, INPUT_SIZE])],
        [helper.make_tensor_value_info("prob", TensorProto.FLOAT, ["N", len(LABELS)])],
        initializers)
    model = helper.make_model(graph, producer_name="aqueduct make_classifier.py",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def write_images(folder):
    import cv2  # only for the sample images

    rng = np.random.default_rng(SEED + 1)
    os.makedirs(folder, exist_ok=True)
    yy, xx = np.mgrid[0:240, 0:320]
    stripes = np.zeros((240, 320, 3), np.uint8)
    stripes[(xx // 20) % 2 == 0] = (30, 160, 240)
    checker = np.full((256, 256, 3), 40, np.uint8)
    cy, cx = np.mgrid[0:256, 0:256]
    checker[((cy // 32) + (cx // 32)) % 2 == 0] = (220, 220, 220)
    circle = np.full((300, 200, 3), (200, 90, 20), np.uint8)
    cv2.circle(circle, (100, 150), 70, (20, 200, 250), -1)
    gradient = np.dstack([(xx * 255 // 319), (yy * 255 // 239), np.full_like(xx, 128)]).astype(np.uint8)
    noise = rng.integers(0, 256, (224, 224, 3), dtype=np.uint8)
    images = {"stripes.png": stripes, "checker.png": checker, "circle.png": circle,
              "gradient.jpg": gradient, "noise.bmp": noise}
    for name, pixels in images.items():
        cv2.imwrite(os.path.join(folder, name), pixels)


def main():
    model = build_model()
    onnx.save(model, os.path.join(HERE, "classifier.onnx"))
    with open(os.path.join(HERE, "classifier-labels.txt"), "w") as labels:
        labels.write("\n".join(LABELS) + "\n")
    if "--no-images" not in sys.argv:
        write_images(os.path.join(HERE, "..", "images"))


if __name__ == "__main__":
    main()
