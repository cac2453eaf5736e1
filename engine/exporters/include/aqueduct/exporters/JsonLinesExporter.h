#pragma once

#include <aqueduct/exporters/SnapshotExporter.h>

#include <QFile>
#include <QString>

namespace Aqueduct {

/// Appends one compact JSON object per snapshot (SnapshotJson) to a file, one line each,
/// written straight through to the file so a crash loses at most the line being written.
/// File errors are reported (return value, writeFailed), never fatal.
class JsonLinesExporter : public SnapshotExporter {
    Q_OBJECT
public:
    explicit JsonLinesExporter(QObject* parent = nullptr);
    ~JsonLinesExporter() override;

    /// Opens `path` for appending (created if missing; its folder must exist).
    bool open(const QString& path, QString* error = nullptr);
    void close();
    bool isOpen() const { return m_file.isOpen(); }
    QString path() const { return m_file.fileName(); }

    /// Appends one line. False with `error` filled when the file is not open or the
    /// write failed.
    bool write(const MetricsSnapshot& snapshot, QString* error = nullptr);
    quint64 linesWritten() const { return m_linesWritten; }

Q_SIGNALS:
    /// A write failed (once per failure streak; later snapshots are still tried).
    void writeFailed(const QString& message);

protected:
    void exportSnapshot(const MetricsSnapshotPtr& snapshot) override;

private:
    QFile m_file;
    quint64 m_linesWritten = 0;
    bool m_failing = false;
};

} // namespace Aqueduct
