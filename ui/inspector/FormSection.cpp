#include "inspector/FormSection.h"

#include "style/Theme.h"

#include <algorithm>

namespace Aqueduct::Ui {

QLabel* makeSectionHeader(const QString& title, QWidget* parent) {
    auto* label = new QLabel(title, parent);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 0.88);
    font.setWeight(QFont::DemiBold);
    font.setCapitalization(QFont::AllUppercase);
    font.setLetterSpacing(QFont::PercentageSpacing, 106);
    label->setFont(font);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setContentsMargins(0, 10, 0, 2);
    return label;
}

QFormLayout* addSection(QVBoxLayout* layout, const QString& title, QWidget* parent) {
    layout->addWidget(makeSectionHeader(title, parent));
    auto* form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->setHorizontalSpacing(10);
    form->setVerticalSpacing(6);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    layout->addLayout(form);
    return form;
}

void alignFormLabels(QWidget* root) {
    QList<QWidget*> labels;
    int width = 0;
    for (QFormLayout* form : root->findChildren<QFormLayout*>()) {
        for (int row = 0; row < form->rowCount(); ++row) {
            QLayoutItem* item = form->itemAt(row, QFormLayout::LabelRole);
            if (!item || !item->widget())
                continue;
            item->widget()->setMinimumWidth(0);
            width = std::max(width, item->widget()->sizeHint().width());
            labels.append(item->widget());
        }
    }
    for (QWidget* label : labels)
        label->setMinimumWidth(width);
}

QLabel* makeHint(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 0.92);
    label->setFont(font);
    return label;
}

} // namespace Aqueduct::Ui
