#pragma once

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace Aqueduct::Ui {

/// Inspector layout helpers: a small uppercase section header over a form.
QLabel* makeSectionHeader(const QString& title, QWidget* parent);
/// Adds a header and returns a new form layout below it, both in `layout`.
QFormLayout* addSection(QVBoxLayout* layout, const QString& title, QWidget* parent);
/// A grey, word-wrapped hint line.
QLabel* makeHint(const QString& text, QWidget* parent);

} // namespace Aqueduct::Ui
