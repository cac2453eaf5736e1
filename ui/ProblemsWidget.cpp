#include "ProblemsWidget.h"

#include "document/PipelineModel.h"
#include "style/Theme.h"

#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QRegularExpression>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Aqueduct::Ui {

namespace {

QIcon severityIcon(Problem::Severity severity) {
    // A filled dot (error) or triangle (warning), drawn at 2x for crisp high-DPI.
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    if (severity == Problem::Severity::Error) {
        painter.setBrush(Theme::errorColor());
        painter.drawEllipse(QRectF(5, 5, 22, 22));
        painter.setPen(QPen(Qt::white, 3.2, Qt::SolidLine, Qt::RoundCap));
        painter.drawLine(QPointF(16, 10), QPointF(16, 18));
        painter.drawPoint(QPointF(16, 22.5));
    } else {
        painter.setBrush(Theme::warningColor());
        painter.drawPolygon(QPolygonF({QPointF(16, 4), QPointF(29, 27), QPointF(3, 27)}));
        painter.setPen(QPen(Qt::white, 3.0, Qt::SolidLine, Qt::RoundCap));
        painter.drawLine(QPointF(16, 12), QPointF(16, 19));
        painter.drawPoint(QPointF(16, 23.5));
    }
    painter.end();
    pixmap.setDevicePixelRatio(2);
    return QIcon(pixmap);
}

} // namespace

ProblemsWidget::ProblemsWidget(PipelineModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model) {
    setObjectName(QStringLiteral("problems"));
    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("problemsTree"));
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Problem"), tr("Where")});
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->setFrameShape(QFrame::NoFrame);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);

    m_empty = new QLabel(tr("No problems: the pipeline is valid."), this);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setForegroundRole(QPalette::PlaceholderText);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree);
    layout->addWidget(m_empty);

    connect(m_model, &PipelineModel::problemsChanged, this, &ProblemsWidget::refresh);
    connect(m_tree, &QTreeWidget::itemClicked, this,
            [this](QTreeWidgetItem* item) { activate(item); });
    connect(m_tree, &QTreeWidget::itemActivated, this,
            [this](QTreeWidgetItem* item) { activate(item); });
    refresh();
}

int ProblemsWidget::problemCount() const {
    return m_tree->topLevelItemCount();
}

void ProblemsWidget::refresh() {
    m_shown = m_model->problems();
    m_tree->clear();
    int errors = 0;
    int warnings = 0;
    const QList<EdgeSpec> edges = m_model->effectiveEdges();
    for (int i = 0; i < m_shown.size(); ++i) {
        const Problem& problem = m_shown[i];
        (problem.severity == Problem::Severity::Error ? errors : warnings)++;
        QString where = problem.path;
        if (problem.edgeIndex >= 0 && problem.edgeIndex < edges.size())
            where = tr("connection %1 → %2")
                        .arg(edges[problem.edgeIndex].from, edges[problem.edgeIndex].to);
        else if (!problem.stepId.isEmpty()) {
            // "step slow › params.ms": the step plus the field inside it.
            static const QRegularExpression stepPath(
                QStringLiteral("^\\$\\.steps\\[\\d+\\]\\.(.+)$"));
            const QRegularExpressionMatch match = stepPath.match(problem.path);
            where = match.hasMatch() ? tr("step %1 › %2").arg(problem.stepId, match.captured(1))
                                     : tr("step %1").arg(problem.stepId);
        }
        if (problem.line > 0)
            where = tr("line %1, column %2").arg(problem.line).arg(problem.column);
        auto* item = new QTreeWidgetItem(m_tree, {problem.message, where});
        item->setIcon(0, severityIcon(problem.severity));
        item->setData(0, Qt::UserRole, i);
        item->setToolTip(0, problem.toString());
        item->setToolTip(1, problem.path);
    }
    m_tree->setVisible(!m_shown.isEmpty());
    m_empty->setVisible(m_shown.isEmpty());
    Q_EMIT countsChanged(errors, warnings);
}

void ProblemsWidget::activate(QTreeWidgetItem* item) {
    const int index = item ? item->data(0, Qt::UserRole).toInt() : -1;
    if (index >= 0 && index < m_shown.size())
        Q_EMIT problemActivated(m_shown[index]);
}

} // namespace Aqueduct::Ui
