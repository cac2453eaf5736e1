#pragma once

#include <QObject>

namespace Aqueduct::Ui {

class CanvasScene;
class PipelineModel;

/// Clipboard and selection edits on the canvas: copy/cut/paste/duplicate/delete/select all.
/// The clipboard holds a JSON fragment (application/x-aqueduct-steps+json) so steps can
/// travel between windows and into text editors.
class EditController final : public QObject {
    Q_OBJECT
public:
    EditController(PipelineModel* model, CanvasScene* scene, QObject* parent = nullptr);

    bool hasSelection() const;
    bool canPaste() const;

public Q_SLOTS:
    void copy();
    void cut();
    void paste();
    void duplicate();
    void deleteSelection();
    void selectAll();

private:
    PipelineModel* m_model;
    CanvasScene* m_scene;
    int m_pasteCount = 0; ///< successive pastes step further away from the original
};

} // namespace Aqueduct::Ui
