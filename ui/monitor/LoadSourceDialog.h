#pragma once

#include "monitor/LoadSettings.h"

#include <QDialog>

class QButtonGroup;
class QCheckBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QStackedWidget;

namespace Aqueduct::Ui {

/// Chooses what a run is fed with: the synthetic generator (rate, payload size, priority
/// mix, count or duration, tasks in flight), a JSON-lines file, or nothing (idle).
class LoadSourceDialog final : public QDialog {
    Q_OBJECT
public:
    /// `lanes` is the pipeline's queue_priorities (how many priority weights make sense).
    LoadSourceDialog(const LoadSettings& settings, int lanes, QWidget* parent = nullptr);

    LoadSettings settings() const;

private:
    void updateEnabled();
    void browse();

    int m_lanes;
    QButtonGroup* m_source;
    QDoubleSpinBox* m_rate;
    QSpinBox* m_payload;
    QLineEdit* m_weights;
    QSpinBox* m_count;
    QDoubleSpinBox* m_duration;
    QSpinBox* m_concurrency;
    QSpinBox* m_timeout;
    QLineEdit* m_file;
    QCheckBox* m_repeat;
    QCheckBox* m_stopWhenDone;
    QWidget* m_syntheticBox;
    QWidget* m_fileBox;
};

} // namespace Aqueduct::Ui
