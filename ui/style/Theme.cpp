#include "style/Theme.h"

#include <QApplication>
#include <QHash>
#include <QStyle>
#include <QStyleFactory>

namespace Aqueduct::Ui::Theme {

QPalette darkPalette() {
    QPalette palette;
    const QColor window(0x2b, 0x2d, 0x31);
    const QColor base(0x1f, 0x21, 0x24);
    const QColor text(0xe6, 0xe7, 0xe9);
    const QColor disabledText(0x80, 0x84, 0x8a);
    const QColor highlight(0x3d, 0x8b, 0xfd);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2c));
    palette.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, disabledText);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, QColor(0x35, 0x38, 0x3d));
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    palette.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4e));
    palette.setColor(QPalette::Midlight, QColor(0x3a, 0x3d, 0x42));
    palette.setColor(QPalette::Mid, QColor(0x4a, 0x4d, 0x53));
    palette.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    palette.setColor(QPalette::Shadow, QColor(0x0c, 0x0c, 0x0d));
    palette.setColor(QPalette::Highlight, highlight);
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
    palette.setColor(QPalette::LinkVisited, QColor(0xb3, 0x8c, 0xff));
    palette.setColor(QPalette::Disabled, QPalette::Text, disabledText);
    palette.setColor(QPalette::Disabled, QPalette::WindowText, disabledText);
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, disabledText);
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4d, 0x53));
    return palette;
}

namespace {
Choice g_current = Choice::System;
QString g_systemStyle; ///< the style the app started with, for Choice::System
} // namespace

QString choiceName(Choice choice) {
    switch (choice) {
    case Choice::Light:
        return QStringLiteral("light");
    case Choice::Dark:
        return QStringLiteral("dark");
    case Choice::System:
        break;
    }
    return QStringLiteral("system");
}

Choice choiceFromName(const QString& name) {
    if (name == QLatin1String("light"))
        return Choice::Light;
    if (name == QLatin1String("dark"))
        return Choice::Dark;
    return Choice::System;
}

void apply(Choice choice) {
    if (g_systemStyle.isEmpty())
        g_systemStyle = QApplication::style()->name();
    // Fusion honours the palette fully and looks the same everywhere; the bare "windows"
    // style Qt falls back to without a desktop theme looks dated, so Fusion replaces it too.
    QString style = g_systemStyle;
    if (choice != Choice::System ||
        style.compare(QLatin1String("windows"), Qt::CaseInsensitive) == 0)
        style = QStringLiteral("Fusion");
    if (QApplication::style()->name().compare(style, Qt::CaseInsensitive) != 0)
        QApplication::setStyle(QStyleFactory::create(style));
    QApplication::setPalette(choice == Choice::Dark ? darkPalette()
                                                    : QApplication::style()->standardPalette());
    g_current = choice;
}

Choice current() {
    return g_current;
}

bool isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightnessF() < 0.5;
}

QColor categoryColor(const QString& category) {
    static const QHash<QString, QColor> known = {
        {QStringLiteral("basic"), QColor(0x3f, 0x7c, 0xe0)},
        {QStringLiteral("cpu"), QColor(0xe0, 0x7a, 0x2f)},
        {QStringLiteral("bytes"), QColor(0x1f, 0x9e, 0x8f)},
        {QStringLiteral("image"), QColor(0x8b, 0x5c, 0xd6)},
        {QStringLiteral("testing"), QColor(0xd8, 0x43, 0x63)},
        {QStringLiteral("io"), QColor(0x6b, 0x7a, 0x90)},
    };
    const QString key = category.toLower();
    if (const auto it = known.constFind(key); it != known.cend())
        return *it;
    static const QColor fallbacks[] = {QColor(0x2f, 0x9e, 0x44), QColor(0xc2, 0x8a, 0x12),
                                       QColor(0x0b, 0x8f, 0xb5), QColor(0xb4, 0x4f, 0xb8),
                                       QColor(0x5c, 0x6b, 0xc0), QColor(0x9a, 0x6b, 0x4f)};
    return fallbacks[qHash(key) % (sizeof(fallbacks) / sizeof(fallbacks[0]))];
}

QString categoryIconName(const QString& category) {
    const QString key = category.toLower();
    static const QStringList known = {QStringLiteral("basic"), QStringLiteral("cpu"),
                                      QStringLiteral("bytes"), QStringLiteral("image"),
                                      QStringLiteral("testing")};
    if (known.contains(key))
        return QStringLiteral("category-") + key;
    return QStringLiteral("category-plugin");
}

QColor mix(const QColor& a, const QColor& b, double amount) {
    const double keep = 1.0 - amount;
    return QColor::fromRgbF(float(a.redF() * keep + b.redF() * amount),
                            float(a.greenF() * keep + b.greenF() * amount),
                            float(a.blueF() * keep + b.blueF() * amount),
                            float(a.alphaF() * keep + b.alphaF() * amount));
}

QColor errorColor() {
    return QColor(0xe5, 0x48, 0x4d);
}

QColor warningColor() {
    return QColor(0xe8, 0xa3, 0x17);
}

QColor okColor() {
    return QColor(0x2f, 0xb3, 0x5a);
}

} // namespace Aqueduct::Ui::Theme
