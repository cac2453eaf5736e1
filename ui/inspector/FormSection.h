#pragma once

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace Aqueduct::Ui {

/// Inspector layout helpers: a small uppercase section header over a form.
QLabel* makeSectionHeader(const QString& title, QWidget* parent);
/// Adds a header and returns a new form layout below it, both in `layout`.
QFormLayout* addSection(QVBoxLayout* layout, const QString& title, QWidget* parent);
/// Gives every form label under `root` the width of the widest, so the fields of all
/// sections line up in one column.
void alignFormLabels(QWidget* root);
/// A grey, word-wrapped hint line.
QLabel* makeHint(const QString& text, QWidget* parent);

} // namespace Aqueduct::Ui
