#include "monitor/RunLogWidget.h"

#include "style/Theme.h"

#include <QFontDatabase>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QVBoxLayout>

namespace Aqueduct::Ui {

RunLogWidget::RunLogWidget(QWidget* parent)
    : QWidget(parent)
    , m_editor(new QPlainTextEdit(this)) {
    setObjectName(QStringLiteral("runLog"));
    m_editor->setObjectName(QStringLiteral("runLogText"));
    m_editor->setReadOnly(true);
    m_editor->setMaximumBlockCount(kMaxLines);
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setFrameShape(QFrame::NoFrame);
    m_editor->setPlaceholderText(tr("Engine events appear here while a pipeline runs."));
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(font().pointSizeF() * 0.92);
    m_editor->setFont(mono);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_editor);
}

void RunLogWidget::append(const QString& message, Level level, const QDateTime& at) {
    QScrollBar* bar = m_editor->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 2;
    const QString stamp = at.toString(QStringLiteral("HH:mm:ss.zzz"));
    QString color;
    if (level == Level::Error)
        color = Theme::errorColor().name();
    else if (level == Level::Warning)
        color = Theme::warningColor().darker(115).name();
    QString html = QStringLiteral("<span style='color:gray'>%1</span>&nbsp;&nbsp;").arg(stamp);
    const QString escaped = message.toHtmlEscaped().replace(
        QLatin1Char('\n'), QStringLiteral("<br>&nbsp;&nbsp;&nbsp;&nbsp;"));
    html += color.isEmpty()
                ? escaped
                : QStringLiteral("<span style='color:%1'>%2</span>").arg(color, escaped);
    m_editor->appendHtml(html);
    if (atBottom)
        bar->setValue(bar->maximum());
}

void RunLogWidget::appendEngineEvent(const QString& message) {
    const QString lower = message.toLower();
    Level level = Level::Info;
    if (lower.contains(QLatin1String("failed")) || lower.contains(QLatin1String("died")) ||
        lower.contains(QLatin1String("could not")) || lower.contains(QLatin1String("cannot")))
        level = Level::Error;
    else if (lower.contains(QLatin1String("restart")) || lower.contains(QLatin1String("killed")) ||
             lower.contains(QLatin1String("skipped")) || lower.contains(QLatin1String("timeout")))
        level = Level::Warning;
    append(message, level);
}

void RunLogWidget::clear() {
    m_editor->clear();
}

QString RunLogWidget::text() const {
    return m_editor->toPlainText();
}

int RunLogWidget::lineCount() const {
    return m_editor->document()->isEmpty() ? 0 : m_editor->blockCount();
}

} // namespace Aqueduct::Ui
