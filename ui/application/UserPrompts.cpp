#include "application/UserPrompts.h"

#include <QCoreApplication>
#include <QFileDialog>
#include <QMessageBox>
#include <QPushButton>

#include <cstdio>

namespace Aqueduct::Ui {

namespace {

const char* kContext = "Aqueduct::Ui::UserPrompts";

QString tr(const char* text) {
    return QCoreApplication::translate(kContext, text);
}

QString fileFilter() {
    return tr("Aqueduct pipelines (*.json);;All files (*)");
}

} // namespace

UserPrompts::SaveChoice DialogPrompts::askSaveChanges(QWidget* parent,
                                                      const QString& documentName) {
    QMessageBox box(QMessageBox::Warning, tr("Unsaved changes"),
                    tr("Save changes to \"%1\" before closing?").arg(documentName),
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, parent);
    box.setInformativeText(tr("Your changes will be lost if you don't save them."));
    box.setDefaultButton(QMessageBox::Save);
    switch (box.exec()) {
    case QMessageBox::Save:
        return SaveChoice::Save;
    case QMessageBox::Discard:
        return SaveChoice::Discard;
    default:
        return SaveChoice::Cancel;
    }
}

UserPrompts::SaveChoice DialogPrompts::askQuitWhileRunning(QWidget* parent,
                                                           const QString& documentName,
                                                           bool unsavedChanges) {
    QMessageBox box(QMessageBox::Warning, tr("A pipeline is running"),
                    tr("Quitting stops the running pipeline."), QMessageBox::NoButton, parent);
    QPushButton* cancel = box.addButton(QMessageBox::Cancel);
    QPushButton* save = nullptr;
    QPushButton* quit = nullptr;
    if (unsavedChanges) {
        box.setInformativeText(
            tr("\"%1\" also has unsaved changes: save them before quitting?").arg(documentName));
        save = box.addButton(tr("Save, Stop and Quit"), QMessageBox::AcceptRole);
        quit = box.addButton(tr("Discard, Stop and Quit"), QMessageBox::DestructiveRole);
        box.setDefaultButton(save);
    } else {
        box.setInformativeText(tr("Tasks in flight are dropped and the workers end."));
        quit = box.addButton(tr("Stop and Quit"), QMessageBox::AcceptRole);
        box.setDefaultButton(cancel);
    }
    box.exec();
    if (save && box.clickedButton() == save)
        return SaveChoice::Save;
    if (box.clickedButton() == quit)
        return SaveChoice::Discard;
    return SaveChoice::Cancel;
}

bool DialogPrompts::askRestoreAutosave(QWidget* parent, const QString& documentName,
                                       const QDateTime& savedAt) {
    QMessageBox box(QMessageBox::Question, tr("Recover unsaved changes"),
                    tr("Aqueduct did not exit cleanly last time. Restore the unsaved changes to "
                       "\"%1\"?")
                        .arg(documentName),
                    QMessageBox::NoButton, parent);
    box.setInformativeText(
        tr("Autosaved %1.").arg(QLocale().toString(savedAt, QLocale::ShortFormat)));
    QPushButton* restore = box.addButton(tr("Restore"), QMessageBox::AcceptRole);
    box.addButton(tr("Discard"), QMessageBox::DestructiveRole);
    box.setDefaultButton(restore);
    box.exec();
    return box.clickedButton() == restore;
}

QString DialogPrompts::openFileName(QWidget* parent, const QString& directory) {
    return QFileDialog::getOpenFileName(parent, tr("Open pipeline"), directory, fileFilter());
}

QString DialogPrompts::saveFileName(QWidget* parent, const QString& title,
                                    const QString& suggestion) {
    return QFileDialog::getSaveFileName(parent, title, suggestion, fileFilter());
}

void DialogPrompts::showLoadProblems(QWidget* parent, const QString& path,
                                     const QList<Problem>& problems) {
    QMessageBox box(QMessageBox::Warning, tr("Problems in the file"),
                    tr("\"%1\" has problems; what could be read is open, and the Problems "
                       "panel lists them.")
                        .arg(path),
                    QMessageBox::Ok, parent);
    QStringList lines;
    for (const Problem& problem : problems)
        lines << problem.toString();
    box.setDetailedText(lines.join(QLatin1Char('\n')));
    box.exec();
}

void DialogPrompts::showError(QWidget* parent, const QString& title, const QString& message) {
    QMessageBox::critical(parent, title, message);
}

void NonInteractivePrompts::showLoadProblems(QWidget*, const QString& path,
                                             const QList<Problem>& problems) {
    for (const Problem& problem : problems)
        std::fprintf(stderr, "%s:%s\n", qPrintable(path), qPrintable(problem.toString()));
}

void NonInteractivePrompts::showError(QWidget*, const QString& title, const QString& message) {
    std::fprintf(stderr, "aqueduct: %s: %s\n", qPrintable(title), qPrintable(message));
}

} // namespace Aqueduct::Ui
