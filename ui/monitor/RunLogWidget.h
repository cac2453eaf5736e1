#pragma once

#include <QDateTime>
#include <QWidget>

class QPlainTextEdit;

namespace Aqueduct::Ui {

/// The run log: engine events (started, worker died/restarted with the cause, failures,
/// stopped) and the monitor's own (load, start errors, summary), each with a timestamp.
/// Bounded (oldest lines dropped past maxLines).
class RunLogWidget final : public QWidget {
    Q_OBJECT
public:
    enum class Level { Info, Warning, Error };

    explicit RunLogWidget(QWidget* parent = nullptr);

    void append(const QString& message, Level level = Level::Info,
                const QDateTime& at = QDateTime::currentDateTime());
    /// Engine events, with a level guessed from the wording (deaths and failures stand out).
    void appendEngineEvent(const QString& message);
    void clear();
    /// Plain text of every line ("hh:mm:ss.zzz  message").
    QString text() const;
    int lineCount() const;
    QPlainTextEdit* editor() const { return m_editor; }

    static constexpr int kMaxLines = 5000;

private:
    QPlainTextEdit* m_editor;
};

} // namespace Aqueduct::Ui
