#include "document/StepFragment.h"

#include <QMimeData>

namespace Aqueduct::Ui {

PipelineDocument extractFragment(const PipelineDocument& document, const QStringList& stepIds) {
    PipelineDocument fragment;
    fragment.name = document.name;
    fragment.flow = document.flow;
    for (const StepSpec& step : document.steps) {
        if (stepIds.contains(step.id))
            fragment.steps.append(step);
    }
    // Only explicit edges travel: an implicit chain means "in order", which the paste
    // target applies by itself.
    for (const EdgeSpec& edge : document.edges) {
        if (stepIds.contains(edge.from) && stepIds.contains(edge.to))
            fragment.edges.append(edge);
    }
    return fragment;
}

QMimeData* fragmentToMimeData(const PipelineDocument& fragment) {
    auto* mimeData = new QMimeData;
    const QByteArray json = fragment.toJson();
    mimeData->setData(QString::fromLatin1(kStepsMimeType), json);
    mimeData->setText(QString::fromUtf8(json));
    return mimeData;
}

std::optional<PipelineDocument> fragmentFromMimeData(const QMimeData* mimeData) {
    if (!mimeData)
        return std::nullopt;
    QByteArray json = mimeData->data(QString::fromLatin1(kStepsMimeType));
    if (json.isEmpty() && mimeData->hasText())
        json = mimeData->text().toUtf8(); // pasting pipeline JSON copied from an editor
    if (json.isEmpty())
        return std::nullopt;
    const PipelineDocument::LoadResult result = PipelineDocument::fromJson(json);
    if (result.document.steps.isEmpty())
        return std::nullopt;
    return result.document;
}

} // namespace Aqueduct::Ui
