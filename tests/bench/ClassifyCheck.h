#pragma once

#include <QHash>
#include <QString>

#include <vector>

namespace Aqueduct {
class Task;
}

namespace AqueductBench {

/// What classify.json must answer for one sample image: the independent numpy reference
/// (tests/vision/classify_check.py --write-expected; CTest keeps the file current).
struct ClassifyAnswer {
    QString label;
    double score = 0;
    std::vector<double> probabilities;
};

/// Image file name -> its answer.
using ClassifyAnswers = QHash<QString, ClassifyAnswer>;

/// Reads tests/bench/classify_expected.json; empty with `error` set when the file is
/// missing or malformed.
ClassifyAnswers loadClassifyAnswers(const QString& path, QString* error);

/// Same tolerance as the correctness test (tests/vision/classify_check.py).
inline constexpr double kClassifyTolerance = 1e-4;

/// True when a task handled by classify.json carries the answer: `label` (string) equal,
/// `score` (number) within kClassifyTolerance, and the `probabilities` tensor (float32,
/// one value per class) within kClassifyTolerance everywhere. Else `why` says what differs.
bool checkClassification(const Aqueduct::Task& task, const ClassifyAnswer& answer, QString* why);

} // namespace AqueductBench
