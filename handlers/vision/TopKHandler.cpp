#include "TopKHandler.h"

#include "VisionSupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace AqueductVision {

using namespace Aqueduct;

HandlerInfo TopKHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("top_k");
    info.category = QStringLiteral("Vision");
    info.description =
        QStringLiteral("Picks the k best scores of a model output: fields label, score and top_k.");
    info.params = {
        ParamSpec{.name = QStringLiteral("field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("output"),
                  .description = QStringLiteral(
                      "Field holding the scores (a float32 or float64 tensor, read flat).")},
        ParamSpec{.name = QStringLiteral("k"),
                  .type = ParamType::Int,
                  .defaultValue = 5,
                  .minimum = 1,
                  .maximum = 1000,
                  .description = QStringLiteral("How many classes go into top_k.")},
        ParamSpec{.name = QStringLiteral("labels"),
                  .type = ParamType::String,
                  .defaultValue = QString(),
                  .description = QStringLiteral(
                      "Labels file, one per line, relative to the pipeline file's folder; "
                      "empty = class numbers."),
                  .filePath = true},
        ParamSpec{.name = QStringLiteral("keep_input"),
                  .type = ParamType::Bool,
                  .defaultValue = true,
                  .description = QStringLiteral("Keep the scores tensor in the task.")},
    };
    return info;
}

void TopKHandler::onStart(const HandlerParams& params) {
    m_prefix = messagePrefix(params, "top_k");
    m_field = params.stringValue(QStringLiteral("field")).toStdString();
    m_k = int(params.intValue(QStringLiteral("k")));
    m_keepInput = params.boolValue(QStringLiteral("keep_input"));
    m_labels.clear();
    const QString given = params.stringValue(QStringLiteral("labels"));
    if (!given.isEmpty()) {
        const QString path = resolvePipelinePath(given);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
            throw std::runtime_error(m_prefix + "cannot read the labels file '" +
                                     path.toStdString() + "': " + file.errorString().toStdString());
        while (!file.atEnd()) {
            const QByteArray line = file.readLine().trimmed();
            m_labels.emplace_back(line.constData(), std::size_t(line.size()));
        }
        while (!m_labels.empty() && m_labels.back().empty())
            m_labels.pop_back();
    }
}

std::string TopKHandler::labelOf(std::size_t index) const {
    return index < m_labels.size() ? m_labels[index] : std::to_string(index);
}

void TopKHandler::handle(std::span<Task> batch) {
    for (Task& task : batch) {
        const Value* input = task.find(m_field);
        const TensorInfo info = input ? input->tensorInfo() : TensorInfo();
        if (input == nullptr || !input->isTensor() ||
            (info.dtype != TensorDType::Float32 && info.dtype != TensorDType::Float64) ||
            info.elementCount() == 0) {
            task.fail(m_prefix + "field '" + m_field + "' is " +
                      (input ? (input->isTensor() ? "a " + info.toString().toStdString() + " tensor"
                                                  : valueTypeName(input->type()).toStdString())
                             : std::string("missing")) +
                      ", not a non-empty float32 or float64 tensor of scores");
            continue;
        }
        const std::string_view data = input->tensorData();
        const std::size_t count = std::size_t(info.elementCount());
        m_ranked.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
            double score = 0;
            if (info.dtype == TensorDType::Float32) {
                float value = 0;
                std::memcpy(&value, data.data() + i * sizeof value, sizeof value);
                score = value;
            } else {
                std::memcpy(&score, data.data() + i * sizeof score, sizeof score);
            }
            m_ranked[i] = {score, i};
        }
        const std::size_t k = std::min<std::size_t>(std::size_t(m_k), count);
        // Highest score first; ties keep the lower class index first.
        std::partial_sort(m_ranked.begin(), m_ranked.begin() + std::ptrdiff_t(k), m_ranked.end(),
                          [](const auto& a, const auto& b) {
                              return a.first > b.first ||
                                     (a.first == b.first && a.second < b.second);
                          });
        QJsonArray top;
        for (std::size_t i = 0; i < k; ++i)
            top.append(QJsonObject{
                {QStringLiteral("label"), QString::fromStdString(labelOf(m_ranked[i].second))},
                {QStringLiteral("score"), m_ranked[i].first}});
        task["label"].setString(labelOf(m_ranked[0].second));
        task["score"].setDouble(m_ranked[0].first);
        task["top_k"].setString(QJsonDocument(top).toJson(QJsonDocument::Compact).toStdString());
        if (!m_keepInput)
            task.remove(m_field);
    }
}

} // namespace AqueductVision
