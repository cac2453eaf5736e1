#pragma once

#include <QDateTime>
#include <QObject>
#include <QTimer>

namespace Aqueduct::Ui {

class PipelineModel;

/// Keeps a copy of unsaved edits in QStandardPaths::AppDataLocation/autosave/<hash>.json
/// (every 30 s and shortly after each change) with a small <hash>.meta.json beside it
/// naming the source file, the process and the session. A clean exit, a save or a return
/// to the saved state removes them; what remains at the next start came from a session that
/// did not exit cleanly and can be restored.
class AutosaveManager final : public QObject {
    Q_OBJECT
public:
    struct Entry {
        QString autosavePath;
        QString metaPath;
        QString sourcePath; ///< empty for an untitled document
        QDateTime savedAt;
        qint64 pid = 0;
        QString session;
    };

    static constexpr int kIntervalMs = 30000;
    static constexpr int kDebounceMs = 1500;

    explicit AutosaveManager(PipelineModel* model, QObject* parent = nullptr);
    ~AutosaveManager() override;

    static QString directory();
    /// Autosaves of sessions that are gone (process dead, or this process's ended sessions),
    /// newest first.
    static QList<Entry> orphans();
    static void removeEntry(const Entry& entry);

    /// The document's file (empty = untitled); moves the autosave key with it.
    void setSourcePath(const QString& path);
    /// Writes the autosave now if there are unsaved edits (removes it otherwise).
    void saveNow();
    /// Removes this document's autosave (after a save, discard or a clean exit).
    void discard();
    /// Ends the session cleanly: nothing is left to restore, and nothing more is written.
    void finishCleanly();
    QString autosavePath() const;
    QString sessionId() const { return m_session; }

private:
    QString key() const;
    QString metaPath() const;

    PipelineModel* m_model;
    QString m_session;
    QString m_sourcePath;
    QTimer m_intervalTimer;
    QTimer m_debounceTimer;
    bool m_finished = false;
};

} // namespace Aqueduct::Ui
