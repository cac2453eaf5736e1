#include "aqueduct/exporters/JsonLinesExporter.h"

#include "aqueduct/exporters/SnapshotJson.h"

#include <QJsonDocument>

namespace Aqueduct {

JsonLinesExporter::JsonLinesExporter(QObject* parent)
    : SnapshotExporter(parent) {}

JsonLinesExporter::~JsonLinesExporter() = default;

bool JsonLinesExporter::open(const QString& path, QString* error) {
    close();
    m_file.setFileName(path);
    // Unbuffered: each line goes to the file in one write() and a failure shows at once,
    // instead of piling up in a buffer that can never be flushed.
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
        if (error)
            *error =
                QStringLiteral("cannot open %1 for appending: %2").arg(path, m_file.errorString());
        return false;
    }
    m_failing = false;
    return true;
}

void JsonLinesExporter::close() {
    if (m_file.isOpen())
        m_file.close();
}

bool JsonLinesExporter::write(const MetricsSnapshot& snapshot, QString* error) {
    auto fail = [&](const QString& message) {
        if (error)
            *error = message;
        if (!m_failing)
            Q_EMIT writeFailed(message);
        m_failing = true;
        return false;
    };
    if (!m_file.isOpen())
        return fail(QStringLiteral("metrics JSON lines file is not open"));
    QByteArray line = QJsonDocument(snapshotToJson(snapshot)).toJson(QJsonDocument::Compact);
    line += '\n';
    if (m_file.write(line) != line.size())
        return fail(
            QStringLiteral("cannot write to %1: %2").arg(m_file.fileName(), m_file.errorString()));
    ++m_linesWritten;
    m_failing = false;
    return true;
}

void JsonLinesExporter::exportSnapshot(const MetricsSnapshotPtr& snapshot) {
    write(*snapshot);
}

} // namespace Aqueduct
