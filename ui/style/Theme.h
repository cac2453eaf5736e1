#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

namespace Aqueduct::Ui::Theme {

/// A dark Fusion palette (AQUEDUCT_DARK=1 or --dark).
QPalette darkPalette();

/// View › Theme: follow the desktop, or force light or dark.
enum class Choice { System, Light, Dark };
QString choiceName(Choice choice); ///< "system", "light", "dark"
Choice choiceFromName(const QString& name);
/// Sets the application style and palette for `choice` (Fusion for light and dark, so
/// the palette is honoured fully).
void apply(Choice choice);
/// The choice last applied.
Choice current();
/// True when the palette's window colour is dark.
bool isDark(const QPalette& palette);

/// The accent colour of a handler category (node header, palette icon); stable per name.
QColor categoryColor(const QString& category);
/// The icon resource name for a category ("cpu", "bytes", ... or "plugin").
QString categoryIconName(const QString& category);

/// Mixes `a` and `b` (0 = a, 1 = b).
QColor mix(const QColor& a, const QColor& b, double amount);

// Status colours used on the canvas (readable on light and dark backgrounds).
QColor errorColor();
QColor warningColor();
QColor okColor();

} // namespace Aqueduct::Ui::Theme
