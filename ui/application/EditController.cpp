#include "application/EditController.h"

#include "canvas/CanvasScene.h"
#include "canvas/EdgeItem.h"
#include "canvas/StepItem.h"
#include "document/PipelineModel.h"
#include "document/StepFragment.h"

#include <QApplication>
#include <QClipboard>
#include <QMimeData>

namespace Aqueduct::Ui {

namespace {
constexpr double kPasteOffset = 40;
}

EditController::EditController(PipelineModel* model, CanvasScene* scene, QObject* parent)
    : QObject(parent)
    , m_model(model)
    , m_scene(scene) {}

bool EditController::hasSelection() const {
    return !m_scene->selectedItems().isEmpty();
}

bool EditController::canPaste() const {
    const QMimeData* data = QApplication::clipboard()->mimeData();
    return data && (data->hasFormat(QString::fromLatin1(kStepsMimeType)) || data->hasText());
}

void EditController::copy() {
    const QStringList ids = m_scene->selectedStepIds();
    if (ids.isEmpty())
        return;
    QApplication::clipboard()->setMimeData(
        fragmentToMimeData(extractFragment(m_model->document(), ids)));
    m_pasteCount = 0;
}

void EditController::cut() {
    const QStringList ids = m_scene->selectedStepIds();
    if (ids.isEmpty())
        return;
    copy();
    m_model->undoStack()->beginMacro(tr("Cut"));
    m_model->removeSteps(ids);
    m_model->undoStack()->endMacro();
    m_pasteCount = -1; // the first paste after a cut lands where the steps were
}

void EditController::paste() {
    const std::optional<PipelineDocument> fragment =
        fragmentFromMimeData(QApplication::clipboard()->mimeData());
    if (!fragment)
        return;
    ++m_pasteCount;
    const double offset = kPasteOffset * m_pasteCount;
    const QStringList ids = m_model->paste(*fragment, QPointF(offset, offset));
    m_scene->selectSteps(ids);
}

void EditController::duplicate() {
    const QStringList ids = m_scene->selectedStepIds();
    if (ids.isEmpty())
        return;
    const QStringList copies = m_model->paste(extractFragment(m_model->document(), ids),
                                              QPointF(kPasteOffset, kPasteOffset));
    m_scene->selectSteps(copies);
}

void EditController::deleteSelection() {
    m_model->removeItems(m_scene->selectedStepIds(), m_scene->selectedEdgeIndices());
}

void EditController::selectAll() {
    QSignalBlocker blocker(m_scene);
    for (StepItem* item : m_scene->stepItems())
        item->setSelected(true);
    for (EdgeItem* edge : m_scene->edgeItems())
        edge->setSelected(true);
    blocker.unblock();
    Q_EMIT m_scene->selectionChanged();
}

} // namespace Aqueduct::Ui
