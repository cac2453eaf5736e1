#include "inspector/ParamEditor.h"

#include "document/DocumentPaths.h"
#include "style/Icons.h"
#include "style/Theme.h"

#include <aqueduct/PipelineValidator.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>

#include <cmath>
#include <limits>

namespace Aqueduct::Ui {

namespace {

QString jsonText(const QJsonValue& value) {
    switch (value.type()) {
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double number = value.toDouble();
        return number == std::floor(number) && std::abs(number) < 1e15
                   ? QString::number(qint64(number))
                   : QString::number(number);
    }
    case QJsonValue::String:
        return QStringLiteral("\"%1\"").arg(value.toString());
    case QJsonValue::Null:
        return QStringLiteral("null");
    default:
        return QString();
    }
}

int clampToInt(double value) {
    return int(std::clamp(value, double(std::numeric_limits<int>::min()),
                          double(std::numeric_limits<int>::max())));
}

} // namespace

ParamEditor::ParamEditor(ParamSpec spec, QWidget* parent)
    : QWidget(parent)
    , m_spec(std::move(spec)) {
    setObjectName(QStringLiteral("param_%1").arg(m_spec.name));
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(3);
    auto* layout = new QHBoxLayout;
    layout->setSpacing(4);
    outer->addLayout(layout);

    switch (m_spec.type) {
    case ParamType::Int: {
        auto* spin = new QSpinBox(this);
        spin->setRange(
            m_spec.minimum ? clampToInt(*m_spec.minimum) : std::numeric_limits<int>::min(),
            m_spec.maximum ? clampToInt(*m_spec.maximum) : std::numeric_limits<int>::max());
        spin->setKeyboardTracking(false);
        spin->setAccelerated(true);
        connect(spin, &QSpinBox::valueChanged, this,
                [this](int value) { emitEdited(QJsonValue(qint64(value))); });
        m_editor = spin;
        break;
    }
    case ParamType::Double: {
        auto* spin = new QDoubleSpinBox(this);
        spin->setDecimals(4);
        spin->setRange(m_spec.minimum.value_or(-1e12), m_spec.maximum.value_or(1e12));
        if (m_spec.minimum && m_spec.maximum && *m_spec.maximum - *m_spec.minimum <= 1.0)
            spin->setSingleStep(0.01);
        else
            spin->setSingleStep(0.1);
        spin->setKeyboardTracking(false);
        connect(spin, &QDoubleSpinBox::valueChanged, this,
                [this](double value) { emitEdited(QJsonValue(value)); });
        m_editor = spin;
        break;
    }
    case ParamType::Bool: {
        auto* check = new QCheckBox(this);
        connect(check, &QCheckBox::toggled, this,
                [this](bool value) { emitEdited(QJsonValue(value)); });
        m_editor = check;
        break;
    }
    case ParamType::Choice: {
        auto* combo = new QComboBox(this);
        combo->addItems(m_spec.choices);
        connect(combo, &QComboBox::activated, this,
                [this, combo](int index) { emitEdited(QJsonValue(combo->itemText(index))); });
        m_editor = combo;
        break;
    }
    case ParamType::String: {
        auto* edit = new QLineEdit(this);
        connect(edit, &QLineEdit::editingFinished, this, [this, edit] {
            if (m_value.isString() && m_value.toString() == edit->text())
                return;
            if (m_value.isUndefined() && m_spec.defaultValue.toString() == edit->text())
                return;
            emitEdited(QJsonValue(edit->text()));
        });
        m_editor = edit;
        break;
    }
    }
    m_editor->setObjectName(QStringLiteral("editor_%1").arg(m_spec.name));
    layout->addWidget(m_editor, 1);

    m_reset = new QToolButton(this);
    m_reset->setObjectName(QStringLiteral("reset_%1").arg(m_spec.name));
    m_reset->setIcon(Icons::icon(QStringLiteral("reset")));
    m_reset->setAutoRaise(true);
    m_reset->setFocusPolicy(Qt::TabFocus);
    const QString defaultText =
        m_spec.defaultValue.isUndefined() ? tr("none (required)") : jsonText(m_spec.defaultValue);
    m_reset->setToolTip(tr("Reset to default (%1)").arg(defaultText));
    connect(m_reset, &QToolButton::clicked, this,
            [this] { emitEdited(QJsonValue(QJsonValue::Undefined)); });
    layout->addWidget(m_reset);

    if (m_spec.type == ParamType::String && m_spec.filePath) {
        // A second row, so the path keeps the field's whole width in a narrow inspector.
        auto* fileRow = new QHBoxLayout;
        fileRow->setSpacing(6);
        m_browse = new QPushButton(tr("Browse…"), this);
        m_browse->setObjectName(QStringLiteral("browse_%1").arg(m_spec.name));
        m_browse->setToolTip(tr("Choose the file for %1").arg(m_spec.name));
        connect(m_browse, &QPushButton::clicked, this, &ParamEditor::browse);
        fileRow->addWidget(m_browse);
        m_pathStatus = new QLabel(this);
        m_pathStatus->setObjectName(QStringLiteral("pathStatus_%1").arg(m_spec.name));
        fileRow->addWidget(m_pathStatus, 1);
        outer->addLayout(fileRow);
    }

    QString tip = QStringLiteral("<b>%1</b> (%2)").arg(m_spec.name, paramTypeName(m_spec.type));
    if (!m_spec.description.isEmpty())
        tip += QStringLiteral("<br>%1").arg(m_spec.description.toHtmlEscaped());
    if (m_spec.minimum || m_spec.maximum)
        tip += tr("<br>Range: %1 … %2")
                   .arg(m_spec.minimum ? QString::number(*m_spec.minimum) : QStringLiteral("−∞"),
                        m_spec.maximum ? QString::number(*m_spec.maximum) : QStringLiteral("∞"));
    tip += tr("<br>Default: %1").arg(defaultText.toHtmlEscaped());
    if (m_spec.filePath)
        tip += tr("<br>A file path: a relative one is taken from the pipeline file's folder.");
    m_tip = tip;
    m_editor->setToolTip(tip);
    setToolTip(tip);
    setValue(QJsonValue(QJsonValue::Undefined));
}

void ParamEditor::setBaseDirectory(const QString& folder) {
    m_baseDirectory = folder;
    updatePathHint();
}

void ParamEditor::updatePathHint() {
    if (!m_browse)
        return;
    // Where the value leads, so a wrong relative path shows before a run fails on it.
    const QString value = static_cast<QLineEdit*>(m_editor)->text();
    QString hint;
    if (!value.isEmpty() && QFileInfo(value).isRelative()) {
        const QString resolved = resolveFilePath(value, m_baseDirectory);
        hint = m_baseDirectory.isEmpty()
                   ? tr("This pipeline is not saved yet: the relative path is taken from the "
                        "current directory, %1.")
                         .arg(QDir::toNativeSeparators(QDir::currentPath()).toHtmlEscaped())
                   : tr("Relative to the pipeline file's folder.");
        hint += tr("<br>Resolves to %1").arg(QDir::toNativeSeparators(resolved).toHtmlEscaped());
        if (!QFileInfo::exists(resolved))
            hint += tr(" — <b>no such file</b>");
    } else if (!value.isEmpty() && !QFileInfo::exists(value)) {
        hint = tr("<b>No such file</b>");
    }
    const QString tip = hint.isEmpty() ? m_tip : m_tip + QStringLiteral("<br><br>") + hint;
    m_editor->setToolTip(tip);

    // Beside Browse…: whether the file is there, in a word.
    const bool found =
        !value.isEmpty() && QFileInfo(resolveFilePath(value, m_baseDirectory)).isFile();
    m_pathStatus->setText(value.isEmpty() ? QString()
                          : found         ? tr("✓ file found")
                                          : tr("✗ no such file"));
    QPalette statusPalette = m_pathStatus->palette();
    statusPalette.setColor(QPalette::WindowText, found ? palette().color(QPalette::PlaceholderText)
                                                       : Theme::errorColor());
    m_pathStatus->setPalette(statusPalette);
    m_pathStatus->setToolTip(hint);
}

void ParamEditor::browse() {
    auto* edit = static_cast<QLineEdit*>(m_editor);
    const QString folder = m_baseDirectory.isEmpty() ? QDir::currentPath() : m_baseDirectory;
    QFileDialog dialog(this, tr("Choose %1").arg(m_spec.name), folder);
    dialog.setObjectName(QStringLiteral("filePathDialog"));
    dialog.setFileMode(QFileDialog::ExistingFile);
    dialog.setAcceptMode(QFileDialog::AcceptOpen);
    // Offer the kind of file already named (e.g. *.onnx) first, then anything.
    const QString current = resolveFilePath(edit->text(), m_baseDirectory);
    const QString suffix = QFileInfo(current).suffix();
    QStringList filters;
    if (!suffix.isEmpty())
        filters << tr("%1 files (*.%2)").arg(suffix.toUpper(), suffix);
    filters << tr("All files (*)");
    dialog.setNameFilters(filters);
    if (!current.isEmpty() && QFileInfo(current).isFile())
        dialog.selectFile(current);
    // The file as accepted: selectedFiles() read after exec() may already reflect a folder
    // listing that finished loading later.
    QString file;
    connect(&dialog, &QFileDialog::fileSelected, this,
            [&file](const QString& selected) { file = selected; });
    if (dialog.exec() != QDialog::Accepted || file.isEmpty())
        return;
    // The file already named (e.g. "../models/net.onnx" picked again): keep its spelling.
    if (!current.isEmpty() &&
        QFileInfo(file).canonicalFilePath() == QFileInfo(current).canonicalFilePath())
        return;
    const QString chosen = documentPathFor(file, m_baseDirectory);
    if (m_value.isString() && m_value.toString() == chosen)
        return;
    edit->setText(chosen);
    edit->setCursorPosition(0);
    updatePathHint();
    emitEdited(QJsonValue(chosen));
}

void ParamEditor::emitEdited(const QJsonValue& value) {
    if (m_updating)
        return;
    Q_EMIT edited(value);
}

void ParamEditor::setExplicit(bool isExplicit) {
    QFont font = m_editor->font();
    font.setItalic(!isExplicit);
    m_editor->setFont(font);
    m_reset->setEnabled(isExplicit);
}

void ParamEditor::setValue(const QJsonValue& value) {
    m_updating = true;
    m_value = value;
    const bool isExplicit = !value.isUndefined();
    const QJsonValue shown = isExplicit ? value : m_spec.defaultValue;
    switch (m_spec.type) {
    case ParamType::Int: {
        auto* spin = static_cast<QSpinBox*>(m_editor);
        spin->setValue(shown.isDouble() ? clampToInt(shown.toDouble()) : spin->minimum());
        break;
    }
    case ParamType::Double: {
        auto* spin = static_cast<QDoubleSpinBox*>(m_editor);
        spin->setValue(shown.isDouble() ? shown.toDouble() : spin->minimum());
        break;
    }
    case ParamType::Bool:
        static_cast<QCheckBox*>(m_editor)->setChecked(shown.toBool());
        break;
    case ParamType::Choice: {
        auto* combo = static_cast<QComboBox*>(m_editor);
        int index = combo->findText(shown.toString());
        if (index < 0 && shown.isString()) {
            combo->addItem(shown.toString()); // an invalid value stays visible
            index = combo->count() - 1;
        }
        combo->setCurrentIndex(index);
        break;
    }
    case ParamType::String: {
        auto* edit = static_cast<QLineEdit*>(m_editor);
        edit->setText(shown.toString());
        edit->setCursorPosition(0); // a long path shows its start, not its tail
        edit->setPlaceholderText(m_spec.defaultValue.isUndefined() ? tr("required") : QString());
        break;
    }
    }
    setExplicit(isExplicit);
    updatePathHint();
    m_updating = false;
}

} // namespace Aqueduct::Ui
