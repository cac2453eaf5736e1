#pragma once

#include <QJsonObject>

#include <qcoro/qcorotask.h>

namespace AqueductBench {

/// `aqueduct-bench --scenario classify` (issue 19): resources/pipelines/classify.json
/// (decode -> resize -> normalize -> ONNX model -> top-k, the vision plugin) end to end at
/// nprocs 1 and 2 (every step), batch 1 and 8 (every step), each beside the Python peer
/// (tests/bench/classify_peer.py: cv2.dnn + numpy through ProcessPoolExecutor with the same
/// processes and batch). Every image's label, score and probabilities are checked against
/// tests/bench/classify_expected.json. Returns the scenario's line without `status` and
/// `loadavg_1m` (the caller adds them); a failure shows as `failed` / `first_error` /
/// `peer_error`.
QCoro::Task<QJsonObject> runClassifyScenario(double seconds, bool peer);

} // namespace AqueductBench
