#pragma once

#include "application/UserPrompts.h"

#include <QObject>

#include <memory>

class QWidget;

namespace Aqueduct::Ui {

class AutosaveManager;
class PipelineModel;
class RecentFiles;

/// File handling for the window: new, open, save, save as, export, the Save/Discard/Cancel
/// prompt, recent files and crash recovery. Questions go through UserPrompts.
class DocumentController final : public QObject {
    Q_OBJECT
public:
    DocumentController(PipelineModel* model, QWidget* window, std::shared_ptr<UserPrompts> prompts,
                       QObject* parent = nullptr);
    ~DocumentController() override;

    void setPrompts(std::shared_ptr<UserPrompts> prompts);
    /// For unattended runs: no recent files, no autosave.
    void setUnattended();
    UserPrompts* prompts() const { return m_prompts.get(); }

    /// Empty for an untitled document.
    const QString& filePath() const { return m_filePath; }
    /// File name, or "Untitled".
    QString displayName() const;
    RecentFiles* recentFiles() const { return m_recent; }
    AutosaveManager* autosave() const { return m_autosave; }

    /// Each returns false when the person cancelled or it failed.
    bool newDocument();
    /// Asks for a file when `path` is empty.
    bool open(const QString& path = {});
    bool save();
    bool saveAs();
    bool exportJson(const QString& path = {});
    /// The Save/Discard/Cancel prompt when there are unsaved edits; true = go ahead.
    bool maybeSave();
    /// Acts on an answer already given (Save saves, Discard drops the autosave); true = go ahead.
    bool applySaveChoice(UserPrompts::SaveChoice choice);
    /// Opens `path` as an untitled copy (bundled examples): Save asks where, so the
    /// installed file is never overwritten.
    bool openCopy(const QString& path);
    /// The folder the Open dialog starts in: the open file's, else the last one used.
    QString openDirectory() const;
    /// Loads `path` without the unsaved-changes prompt. Problems are shown (dialog via
    /// the prompts, and in the model's problem list); the app never fails on a bad file.
    bool loadFile(const QString& path);
    /// Offers the newest autosave left by a session that did not exit cleanly.
    /// Returns true when one was restored.
    bool restoreAutosaveIfAny();
    /// A clean exit: nothing is left to recover.
    void closeCleanly();

Q_SIGNALS:
    void filePathChanged(const QString& path);

private:
    bool saveTo(const QString& path);
    /// Rewrites relative file-path parameters for a document moving to `folder` (relative
    /// when the file is inside it, else absolute), as one undo step; false when none changed.
    bool rebaseFilePaths(const QString& folder);
    void setFilePath(const QString& path);

    PipelineModel* m_model;
    QWidget* m_window;
    std::shared_ptr<UserPrompts> m_prompts;
    RecentFiles* m_recent;
    AutosaveManager* m_autosave;
    QString m_filePath;
    QString m_copyOf; ///< file name of the example an untitled copy came from
    bool m_unattended = false;
};

} // namespace Aqueduct::Ui
