#include "monitor/LoadSourceDialog.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

namespace Aqueduct::Ui {

LoadSourceDialog::LoadSourceDialog(const LoadSettings& settings, int lanes, QWidget* parent)
    : QDialog(parent)
    , m_lanes(qMax(1, lanes)) {
    setWindowTitle(tr("Load Source"));
    setObjectName(QStringLiteral("loadSourceDialog"));
    auto* layout = new QVBoxLayout(this);

    m_source = new QButtonGroup(this);
    auto* synthetic = new QRadioButton(tr("&Synthetic generator"), this);
    synthetic->setToolTip(tr("Tasks with an integer `value` (and a `payload` of bytes if asked)"));
    auto* file = new QRadioButton(tr("JSON-lines &file"), this);
    file->setToolTip(tr("One task's fields per line, as `aqueduct run --input` reads; optional "
                        "_priority and _timeout_ms"));
    auto* none = new QRadioButton(tr("&None (idle: start the workers, send nothing)"), this);
    m_source->addButton(synthetic, int(LoadSource::Synthetic));
    m_source->addButton(file, int(LoadSource::File));
    m_source->addButton(none, int(LoadSource::None));
    layout->addWidget(synthetic);

    m_syntheticBox = new QWidget(this);
    auto* syntheticForm = new QFormLayout(m_syntheticBox);
    syntheticForm->setContentsMargins(24, 0, 0, 6);
    m_rate = new QDoubleSpinBox(this);
    m_rate->setRange(0, LoadSettings::kMaxRatePerS);
    m_rate->setDecimals(1);
    m_rate->setSuffix(tr(" tasks/s"));
    m_rate->setSpecialValueText(tr("as fast as possible"));
    m_rate->setValue(settings.ratePerS);
    syntheticForm->addRow(tr("&Rate:"), m_rate);
    m_payload = new QSpinBox(this);
    m_payload->setRange(0, LoadSettings::kMaxPayloadBytes);
    m_payload->setSuffix(tr(" bytes"));
    m_payload->setSpecialValueText(tr("no payload"));
    m_payload->setValue(settings.payloadBytes);
    syntheticForm->addRow(tr("&Payload:"), m_payload);
    m_weights = new QLineEdit(this);
    m_weights->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("^\\s*\\d{0,4}(\\s*,\\s*\\d{0,4}){0,15}\\s*$")), this));
    QStringList weights;
    for (int weight : settings.priorityWeights)
        weights << QString::number(weight);
    m_weights->setText(weights.join(QStringLiteral(", ")));
    m_weights->setPlaceholderText(m_lanes > 1 ? tr("e.g. 80, 20 (priority 0, priority 1)")
                                              : tr("all at priority 0"));
    m_weights->setToolTip(tr("Relative share of tasks per priority, lowest first; this pipeline "
                             "has %n priority lane(s)",
                             nullptr, m_lanes));
    syntheticForm->addRow(tr("Priority &mix:"), m_weights);
    m_count = new QSpinBox(this);
    m_count->setRange(0, std::numeric_limits<int>::max());
    m_count->setSpecialValueText(tr("no limit"));
    m_count->setSuffix(tr(" tasks"));
    m_count->setValue(int(qMin<qint64>(settings.count, std::numeric_limits<int>::max())));
    syntheticForm->addRow(tr("&Count:"), m_count);
    layout->addWidget(m_syntheticBox);

    layout->addWidget(file);
    m_fileBox = new QWidget(this);
    auto* fileColumn = new QVBoxLayout(m_fileBox);
    fileColumn->setContentsMargins(24, 0, 0, 6);
    auto* fileRow = new QHBoxLayout;
    fileRow->setContentsMargins(0, 0, 0, 0);
    m_file = new QLineEdit(settings.filePath, this);
    m_file->setPlaceholderText(tr("tasks.jsonl"));
    auto* browseButton = new QPushButton(tr("&Browse…"), this);
    connect(browseButton, &QPushButton::clicked, this, &LoadSourceDialog::browse);
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browseButton);
    fileColumn->addLayout(fileRow);
    m_repeat = new QCheckBox(tr("&Loop: read the file again each time it ends"), this);
    m_repeat->setChecked(settings.repeat);
    fileColumn->addWidget(m_repeat);
    layout->addWidget(m_fileBox);
    layout->addWidget(none);

    auto* common = new QGroupBox(tr("For any load"), this);
    auto* commonForm = new QFormLayout(common);
    m_duration = new QDoubleSpinBox(this);
    m_duration->setRange(0, LoadSettings::kMaxDurationS);
    m_duration->setDecimals(1);
    m_duration->setSuffix(tr(" s"));
    m_duration->setSpecialValueText(tr("no limit"));
    m_duration->setValue(settings.durationS);
    commonForm->addRow(tr("&Duration:"), m_duration);
    m_concurrency = new QSpinBox(this);
    m_concurrency->setRange(1, LoadSettings::kMaxConcurrency);
    m_concurrency->setValue(settings.concurrency);
    m_concurrency->setToolTip(tr("Tasks in flight at most (callers awaiting a result)"));
    commonForm->addRow(tr("&In flight:"), m_concurrency);
    m_timeout = new QSpinBox(this);
    m_timeout->setRange(0, LoadSettings::kMaxTimeoutMs);
    m_timeout->setSuffix(tr(" ms"));
    m_timeout->setSpecialValueText(tr("flow default"));
    m_timeout->setValue(settings.timeoutMs);
    commonForm->addRow(tr("Task &timeout:"), m_timeout);
    m_stopWhenDone = new QCheckBox(tr("Stop the flow when the load ends"), this);
    m_stopWhenDone->setChecked(settings.onEnd == LoadEndAction::StopFlow);
    commonForm->addRow(QString(), m_stopWhenDone);
    layout->addWidget(common);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    m_source->button(int(settings.source))->setChecked(true);
    connect(m_source, &QButtonGroup::idToggled, this, [this] { updateEnabled(); });
    connect(m_duration, &QDoubleSpinBox::valueChanged, this, [this] { updateEnabled(); });
    updateEnabled();
}

void LoadSourceDialog::updateEnabled() {
    const auto source = LoadSource(m_source->checkedId());
    m_syntheticBox->setEnabled(source == LoadSource::Synthetic);
    m_fileBox->setEnabled(source == LoadSource::File);
    // With no load, the flow can still stop after the duration.
    m_stopWhenDone->setEnabled(source != LoadSource::None || m_duration->value() > 0);
}

void LoadSourceDialog::browse() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Tasks File"), m_file->text(),
                                     tr("JSON lines (*.jsonl *.json *.ndjson);;All files (*)"));
    if (!path.isEmpty())
        m_file->setText(path);
}

LoadSettings LoadSourceDialog::settings() const {
    LoadSettings settings;
    settings.source = LoadSource(m_source->checkedId());
    settings.ratePerS = m_rate->value();
    settings.payloadBytes = m_payload->value();
    for (const QString& part : m_weights->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int weight = part.trimmed().toInt(&ok);
        if (ok && settings.priorityWeights.size() < LoadSettings::kMaxPriorityWeights)
            settings.priorityWeights << qBound(0, weight, LoadSettings::kMaxPriorityWeight);
    }
    settings.count = m_count->value();
    settings.durationS = m_duration->value();
    settings.concurrency = m_concurrency->value();
    settings.timeoutMs = m_timeout->value();
    settings.filePath = m_file->text().trimmed();
    settings.repeat = m_repeat->isChecked();
    settings.onEnd =
        m_stopWhenDone->isChecked() ? LoadEndAction::StopFlow : LoadEndAction::KeepRunning;
    return settings;
}

} // namespace Aqueduct::Ui
