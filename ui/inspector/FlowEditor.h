#pragma once

#include <QWidget>

#include <functional>

namespace Aqueduct::Ui {

class PipelineModel;
struct FlowInfo;

/// Inspector page shown when nothing is selected: the pipeline's name and description and
/// the flow settings (queues, timeouts, start method, shared memory, supervision, metrics).
class FlowEditor final : public QWidget {
    Q_OBJECT
public:
    explicit FlowEditor(PipelineModel* model, QWidget* parent = nullptr);

    void refresh();

private:
    /// Each field knows how to show itself from a FlowInfo; edits go through `change`.
    void change(const std::function<void(FlowInfo&)>& edit);

    PipelineModel* m_model;
    QList<std::function<void(const FlowInfo&)>> m_loaders;
    bool m_loading = false;
};

} // namespace Aqueduct::Ui
