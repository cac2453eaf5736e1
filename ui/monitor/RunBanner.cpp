#include "monitor/RunBanner.h"

#include "style/Theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace Aqueduct::Ui {

RunBanner::RunBanner(QWidget* parent)
    : QFrame(parent)
    , m_label(new QLabel(this))
    , m_close(new QToolButton(this)) {
    setObjectName(QStringLiteral("runBanner"));
    setAttribute(Qt::WA_StyledBackground, true);
    setFrameShape(QFrame::NoFrame);
    m_label->setObjectName(QStringLiteral("runBannerText"));
    m_label->setWordWrap(true);
    m_label->setTextFormat(Qt::PlainText);
    QFont bold = m_label->font();
    bold.setWeight(QFont::DemiBold);
    m_label->setFont(bold);
    m_close->setText(QStringLiteral("✕"));
    m_close->setAutoRaise(true);
    m_close->setToolTip(tr("Dismiss"));
    connect(m_close, &QToolButton::clicked, this, &RunBanner::dismiss);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 2, 4, 2);
    layout->setSpacing(8);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_close);
    hide();
}

void RunBanner::showMessage(const QString& text, Tone tone, bool closable) {
    m_tone = tone;
    m_label->setText(text);
    m_close->setVisible(closable);
    QColor background;
    switch (tone) {
    case Tone::Info:
        background = QColor(0x2d, 0x6c, 0xdf);
        break;
    case Tone::Warning:
        background = Theme::warningColor().darker(112);
        break;
    case Tone::Error:
        background = Theme::errorColor();
        break;
    }
    // A style sheet rather than the palette: the banner must read the same in light and
    // dark themes, whatever the style does with a QFrame's background.
    setStyleSheet(QStringLiteral("#runBanner { background: %1; }"
                                 "#runBanner QLabel, #runBanner QToolButton { color: white; "
                                 "background: transparent; border: none; }")
                      .arg(background.name()));
    show();
}

void RunBanner::dismiss() {
    hide();
    m_label->clear();
}

QString RunBanner::text() const {
    return isHidden() ? QString() : m_label->text();
}

} // namespace Aqueduct::Ui
