#include "inspector/FlowEditor.h"

#include "document/PipelineModel.h"
#include "inspector/FormSection.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>

#include <limits>

namespace Aqueduct::Ui {

namespace {

QSpinBox* spin(QWidget* parent, int minimum, int maximum, const QString& suffix = {},
               const QString& zeroText = {}) {
    auto* box = new QSpinBox(parent);
    box->setRange(minimum, maximum);
    box->setKeyboardTracking(false);
    box->setAccelerated(true);
    box->setSuffix(suffix);
    if (!zeroText.isEmpty())
        box->setSpecialValueText(zeroText);
    return box;
}

} // namespace

FlowEditor::FlowEditor(PipelineModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model) {
    setObjectName(QStringLiteral("flowEditor"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);

    // Small binding helpers: show from the model, write edits back as one undo command.
    auto addText = [this](QFormLayout* form, const QString& label, const QString& name,
                          std::function<QString&(FlowInfo&)> field, const QString& tip = {}) {
        auto* edit = new QLineEdit(this);
        edit->setObjectName(name);
        edit->setToolTip(tip);
        form->addRow(label, edit);
        m_loaders.append([edit, field](const FlowInfo& info) {
            FlowInfo copy = info;
            if (edit->text() != field(copy)) {
                edit->setText(field(copy));
                edit->setCursorPosition(0); // show the start of long text
            }
        });
        connect(edit, &QLineEdit::editingFinished, this, [this, edit, field] {
            change([&](FlowInfo& info) { field(info) = edit->text().trimmed(); });
        });
    };
    auto addInt = [this](QFormLayout* form, const QString& label, const QString& name,
                         QSpinBox* box, std::function<int(const FlowInfo&)> get,
                         std::function<void(FlowInfo&, int)> set, const QString& tip) {
        box->setObjectName(name);
        box->setToolTip(tip);
        form->addRow(label, box);
        m_loaders.append([box, get](const FlowInfo& info) {
            const QSignalBlocker blocker(box);
            box->setValue(get(info));
        });
        connect(box, &QSpinBox::valueChanged, this,
                [this, set](int value) { change([&](FlowInfo& info) { set(info, value); }); });
    };
    auto addCheck = [this](QFormLayout* form, const QString& label, const QString& name,
                           std::function<bool&(FlowInfo&)> field, const QString& tip) {
        auto* check = new QCheckBox(label, this);
        check->setObjectName(name);
        check->setToolTip(tip);
        form->addRow(QString(), check);
        m_loaders.append([check, field](const FlowInfo& info) {
            FlowInfo copy = info;
            const QSignalBlocker blocker(check);
            check->setChecked(field(copy));
        });
        connect(check, &QCheckBox::toggled, this, [this, field](bool value) {
            change([&](FlowInfo& info) { field(info) = value; });
        });
    };

    QFormLayout* pipeline = addSection(layout, tr("Pipeline"), this);
    addText(pipeline, tr("Name"), QStringLiteral("flowName"),
            [](FlowInfo& info) -> QString& { return info.name; });
    addText(pipeline, tr("Description"), QStringLiteral("flowDescription"),
            [](FlowInfo& info) -> QString& { return info.description; });

    QFormLayout* queues = addSection(layout, tr("Queues and timing"), this);
    addInt(
        queues, tr("Priority lanes"), QStringLiteral("queuePriorities"), spin(this, 1, 16),
        [](const FlowInfo& info) { return info.flow.queuePriorities; },
        [](FlowInfo& info, int value) { info.flow.queuePriorities = value; },
        tr("Priority lanes per queue; higher priorities are served first (queue_priorities)"));
    addInt(
        queues, tr("Default timeout"), QStringLiteral("defaultTimeout"),
        spin(this, 1, 86400000, tr(" ms")),
        [](const FlowInfo& info) { return info.flow.defaultTimeoutMs; },
        [](FlowInfo& info, int value) { info.flow.defaultTimeoutMs = value; },
        tr("Deadline of a task when the caller gives none (default_timeout_ms)"));
    addInt(
        queues, tr("Start timeout"), QStringLiteral("startTimeout"),
        spin(this, 1, 86400000, tr(" ms")),
        [](const FlowInfo& info) { return info.flow.startTimeoutMs; },
        [](FlowInfo& info, int value) { info.flow.startTimeoutMs = value; },
        tr("Starting fails if the workers are not ready by then (start_timeout_ms)"));
    addInt(
        queues, tr("Priority aging"), QStringLiteral("priorityAging"),
        spin(this, 0, 86400000, tr(" ms"), tr("off (strict lanes)")),
        [](const FlowInfo& info) { return info.flow.priorityAgingMs; },
        [](FlowInfo& info, int value) { info.flow.priorityAgingMs = value; },
        tr("A task waiting longer than this is served regardless of its lane "
           "(priority_aging_ms)"));

    auto* startMethod = new QComboBox(this);
    startMethod->setObjectName(QStringLiteral("startMethod"));
    for (StartMethod method : {StartMethod::ForkServer, StartMethod::Spawn, StartMethod::Fork})
        startMethod->addItem(startMethodName(method), int(method));
    startMethod->setToolTip(tr("How worker processes are created: forkserver (default), spawn "
                               "(exec the program again) or fork"));
    queues->addRow(tr("Start method"), startMethod);
    m_loaders.append([startMethod](const FlowInfo& info) {
        const QSignalBlocker blocker(startMethod);
        startMethod->setCurrentIndex(startMethod->findData(int(info.flow.startMethod)));
    });
    connect(startMethod, &QComboBox::activated, this, [this, startMethod](int index) {
        const auto method = StartMethod(startMethod->itemData(index).toInt());
        change([&](FlowInfo& info) { info.flow.startMethod = method; });
    });

    QFormLayout* memory = addSection(layout, tr("Shared memory"), this);
    addInt(
        memory, tr("Arena size"), QStringLiteral("arenaSize"), spin(this, 1, 1 << 20, tr(" MiB")),
        [](const FlowInfo& info) { return int(info.flow.arenaBytes >> 20); },
        [](FlowInfo& info, int value) { info.flow.arenaBytes = qint64(value) << 20; },
        tr("Shared-memory arena for payload blobs (arena_bytes)"));
    addInt(
        memory, tr("Auto-share above"), QStringLiteral("autoShare"),
        spin(this, 0, 1 << 20, tr(" KiB"), tr("off")),
        [](const FlowInfo& info) { return int(info.flow.autoShareBytes >> 10); },
        [](FlowInfo& info, int value) { info.flow.autoShareBytes = qint64(value) << 10; },
        tr("Bytes fields at least this large travel as shared blobs (auto_share_bytes)"));
    addInt(
        memory, tr("Max inline task"), QStringLiteral("maxTaskBytes"),
        spin(this, 0, std::numeric_limits<int>::max(), tr(" bytes"), tr("engine default")),
        [](const FlowInfo& info) { return info.flow.maxTaskBytes; },
        [](FlowInfo& info, int value) { info.flow.maxTaskBytes = value; },
        tr("Largest task sent inline through a queue (max_task_bytes)"));

    QFormLayout* supervision = addSection(layout, tr("Supervision"), this);
    auto* policy = new QComboBox(this);
    policy->setObjectName(QStringLiteral("restartPolicy"));
    for (RestartPolicy value : {RestartPolicy::OnCrash, RestartPolicy::Never})
        policy->addItem(restartPolicyName(value), int(value));
    policy->setToolTip(tr("Restart crashed workers (on-crash) or let the flow fail (never)"));
    supervision->addRow(tr("Restart"), policy);
    m_loaders.append([policy](const FlowInfo& info) {
        const QSignalBlocker blocker(policy);
        policy->setCurrentIndex(policy->findData(int(info.flow.restart.policy)));
    });
    connect(policy, &QComboBox::activated, this, [this, policy](int index) {
        const auto value = RestartPolicy(policy->itemData(index).toInt());
        change([&](FlowInfo& info) { info.flow.restart.policy = value; });
    });
    addInt(
        supervision, tr("Max restarts"), QStringLiteral("maxRestarts"), spin(this, 0, 100000),
        [](const FlowInfo& info) { return info.flow.restart.maxRestarts; },
        [](FlowInfo& info, int value) { info.flow.restart.maxRestarts = value; },
        tr("Restarts allowed within the window before the step fails"));
    addInt(
        supervision, tr("Window"), QStringLiteral("restartWindow"), spin(this, 1, 86400, tr(" s")),
        [](const FlowInfo& info) { return info.flow.restart.windowS; },
        [](FlowInfo& info, int value) { info.flow.restart.windowS = value; },
        tr("Window over which restarts are counted"));
    addInt(
        supervision, tr("Back-off"), QStringLiteral("backoffInitial"),
        spin(this, 0, 3600000, tr(" ms")),
        [](const FlowInfo& info) { return info.flow.restart.backoffInitialMs; },
        [](FlowInfo& info, int value) { info.flow.restart.backoffInitialMs = value; },
        tr("First restart delay; doubles per restart within the window"));
    addInt(
        supervision, tr("Max back-off"), QStringLiteral("backoffMax"),
        spin(this, 0, 3600000, tr(" ms")),
        [](const FlowInfo& info) { return info.flow.restart.backoffMaxMs; },
        [](FlowInfo& info, int value) { info.flow.restart.backoffMaxMs = value; },
        tr("Longest restart delay"));

    QFormLayout* metrics = addSection(layout, tr("Metrics"), this);
    addCheck(
        metrics, tr("Collect metrics"), QStringLiteral("metricsEnabled"),
        [](FlowInfo& info) -> bool& { return info.flow.metrics.enabled; },
        tr("Per-step and per-process telemetry (metrics_enabled)"));
    addInt(
        metrics, tr("Interval"), QStringLiteral("metricsInterval"),
        spin(this, 10, 600000, tr(" ms")),
        [](const FlowInfo& info) { return info.flow.metrics.intervalMs; },
        [](FlowInfo& info, int value) { info.flow.metrics.intervalMs = value; },
        tr("How often the parent samples the workers' counters"));
    addCheck(
        metrics, tr("Prometheus endpoint"), QStringLiteral("prometheusEnabled"),
        [](FlowInfo& info) -> bool& { return info.flow.metrics.prometheusEnabled; },
        tr("Serve /metrics over HTTP while running"));
    addText(metrics, tr("Prometheus host"), QStringLiteral("prometheusHost"),
            [](FlowInfo& info) -> QString& { return info.flow.metrics.prometheusHost; });
    addInt(
        metrics, tr("Prometheus port"), QStringLiteral("prometheusPort"), spin(this, 1, 65535),
        [](const FlowInfo& info) { return info.flow.metrics.prometheusPort; },
        [](FlowInfo& info, int value) { info.flow.metrics.prometheusPort = value; }, QString());
    addCheck(
        metrics, tr("StatsD"), QStringLiteral("statsdEnabled"),
        [](FlowInfo& info) -> bool& { return info.flow.metrics.statsdEnabled; },
        tr("Send metrics to a StatsD server over UDP"));
    addText(metrics, tr("StatsD host"), QStringLiteral("statsdHost"),
            [](FlowInfo& info) -> QString& { return info.flow.metrics.statsdHost; });
    addInt(
        metrics, tr("StatsD port"), QStringLiteral("statsdPort"), spin(this, 1, 65535),
        [](const FlowInfo& info) { return info.flow.metrics.statsdPort; },
        [](FlowInfo& info, int value) { info.flow.metrics.statsdPort = value; }, QString());
    addText(metrics, tr("StatsD prefix"), QStringLiteral("statsdPrefix"),
            [](FlowInfo& info) -> QString& { return info.flow.metrics.statsdPrefix; });
    addText(
        metrics, tr("JSON lines file"), QStringLiteral("jsonlPath"),
        [](FlowInfo& info) -> QString& { return info.flow.metrics.jsonlPath; },
        tr("Append snapshots as JSON lines to this file (empty = off)"));
    layout->addStretch(1);
    alignFormLabels(this);

    connect(m_model, &PipelineModel::flowSettingsChanged, this, &FlowEditor::refresh);
    connect(m_model, &PipelineModel::documentReset, this, &FlowEditor::refresh);
    refresh();
}

void FlowEditor::refresh() {
    m_loading = true;
    const FlowInfo info = m_model->flowInfo();
    for (const auto& load : std::as_const(m_loaders))
        load(info);
    m_loading = false;
}

void FlowEditor::change(const std::function<void(FlowInfo&)>& edit) {
    if (m_loading)
        return;
    FlowInfo info = m_model->flowInfo();
    edit(info);
    m_model->setFlowInfo(info);
}

} // namespace Aqueduct::Ui
