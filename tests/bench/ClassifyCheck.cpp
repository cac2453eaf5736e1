#include "ClassifyCheck.h"

#include <aqueduct/Task.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace AqueductBench {

using namespace Aqueduct;

ClassifyAnswers loadClassifyAnswers(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("%1 is not a JSON object: %2").arg(path, parseError.errorString());
        return {};
    }
    ClassifyAnswers answers;
    const QJsonObject root = document.object();
    for (auto it = root.begin(); it != root.end(); ++it) {
        const QJsonObject entry = it.value().toObject();
        ClassifyAnswer answer;
        answer.label = entry.value(QStringLiteral("label")).toString();
        answer.score = entry.value(QStringLiteral("score")).toDouble(-1);
        for (const QJsonValue& value : entry.value(QStringLiteral("probabilities")).toArray())
            answer.probabilities.push_back(value.toDouble(NAN));
        const bool finite = std::all_of(answer.probabilities.begin(), answer.probabilities.end(),
                                        [](double p) { return std::isfinite(p); });
        if (answer.label.isEmpty() || answer.score < 0 || answer.probabilities.empty() || !finite) {
            *error = QStringLiteral("%1: the entry for %2 needs label, score and probabilities")
                         .arg(path, it.key());
            return {};
        }
        answers.insert(it.key(), std::move(answer));
    }
    if (answers.isEmpty())
        *error = QStringLiteral("%1 lists no image").arg(path);
    return answers;
}

bool checkClassification(const Task& task, const ClassifyAnswer& answer, QString* why) {
    const Value* label = task.find("label");
    if (label == nullptr || label->type() != ValueType::String) {
        *why = QStringLiteral("no string field 'label'");
        return false;
    }
    if (label->toQString() != answer.label) {
        *why = QStringLiteral("label '%1', expected '%2'").arg(label->toQString(), answer.label);
        return false;
    }
    const Value* score = task.find("score");
    if (score == nullptr || !score->isNumber()) {
        *why = QStringLiteral("no number field 'score'");
        return false;
    }
    if (!(std::abs(score->toDouble() - answer.score) <= kClassifyTolerance)) {
        *why = QStringLiteral("score %1, expected %2").arg(score->toDouble()).arg(answer.score);
        return false;
    }
    const Value* probabilities = task.find("probabilities");
    if (probabilities == nullptr || !probabilities->isTensor() ||
        probabilities->tensorInfo().dtype != TensorDType::Float32 ||
        probabilities->tensorInfo().elementCount() != answer.probabilities.size()) {
        *why = QStringLiteral("no float32 tensor 'probabilities' of %1 values")
                   .arg(answer.probabilities.size());
        return false;
    }
    const std::string_view data = probabilities->tensorData();
    for (std::size_t i = 0; i < answer.probabilities.size(); ++i) {
        float got = 0;
        std::memcpy(&got, data.data() + i * sizeof(float), sizeof(float));
        if (!(std::abs(double(got) - answer.probabilities[i]) <= kClassifyTolerance)) {
            *why = QStringLiteral("probability %1 is %2, expected %3")
                       .arg(i)
                       .arg(double(got))
                       .arg(answer.probabilities[i]);
            return false;
        }
    }
    return true;
}

} // namespace AqueductBench
