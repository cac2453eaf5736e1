#pragma once

#include <aqueduct/Problem.h>

#include <QDateTime>
#include <QString>

class QWidget;

namespace Aqueduct::Ui {

/// Every question the window asks the person, behind one interface so tests (and the
/// non-interactive screenshot mode) can answer without dialogs.
class UserPrompts {
public:
    enum class SaveChoice { Save, Discard, Cancel };

    virtual ~UserPrompts() = default;
    virtual SaveChoice askSaveChanges(QWidget* parent, const QString& documentName) = 0;
    /// Quitting while a pipeline runs stops the run. With `unsavedChanges` the question
    /// includes the Save/Discard choice; without, Discard means "stop and quit".
    virtual SaveChoice askQuitWhileRunning(QWidget* parent, const QString& documentName,
                                           bool unsavedChanges) = 0;
    virtual bool askRestoreAutosave(QWidget* parent, const QString& documentName,
                                    const QDateTime& savedAt) = 0;
    /// Empty = cancelled.
    virtual QString openFileName(QWidget* parent, const QString& directory) = 0;
    virtual QString saveFileName(QWidget* parent, const QString& title,
                                 const QString& suggestion) = 0;
    virtual void showLoadProblems(QWidget* parent, const QString& path,
                                  const QList<Problem>& problems) = 0;
    virtual void showError(QWidget* parent, const QString& title, const QString& message) = 0;
};

/// The real dialogs (QMessageBox, QFileDialog).
class DialogPrompts final : public UserPrompts {
public:
    SaveChoice askSaveChanges(QWidget* parent, const QString& documentName) override;
    SaveChoice askQuitWhileRunning(QWidget* parent, const QString& documentName,
                                   bool unsavedChanges) override;
    bool askRestoreAutosave(QWidget* parent, const QString& documentName,
                            const QDateTime& savedAt) override;
    QString openFileName(QWidget* parent, const QString& directory) override;
    QString saveFileName(QWidget* parent, const QString& title, const QString& suggestion) override;
    void showLoadProblems(QWidget* parent, const QString& path,
                          const QList<Problem>& problems) override;
    void showError(QWidget* parent, const QString& title, const QString& message) override;
};

/// For unattended runs (--screenshot): never blocks, discards, reports to stderr.
class NonInteractivePrompts final : public UserPrompts {
public:
    SaveChoice askSaveChanges(QWidget*, const QString&) override { return SaveChoice::Discard; }
    SaveChoice askQuitWhileRunning(QWidget*, const QString&, bool) override {
        return SaveChoice::Discard;
    }
    bool askRestoreAutosave(QWidget*, const QString&, const QDateTime&) override { return false; }
    QString openFileName(QWidget*, const QString&) override { return {}; }
    QString saveFileName(QWidget*, const QString&, const QString&) override { return {}; }
    void showLoadProblems(QWidget* parent, const QString& path,
                          const QList<Problem>& problems) override;
    void showError(QWidget* parent, const QString& title, const QString& message) override;
};

} // namespace Aqueduct::Ui
