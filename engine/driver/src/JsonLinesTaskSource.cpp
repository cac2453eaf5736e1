#include <aqueduct/driver/JsonLinesTaskSource.h>

namespace Aqueduct::Driver {

JsonLinesTaskSource::JsonLinesTaskSource(QObject* parent)
    : QObject(parent) {
    connect(&m_reader, &JsonLinesReader::itemsAvailable, this, [this] { notifyAvailable(); });
}

JsonLinesTaskSource::~JsonLinesTaskSource() = default;

bool JsonLinesTaskSource::open(const QString& path, QString* error) {
    return m_reader.open(path, error);
}

StopReason JsonLinesTaskSource::exhaustedReason() const {
    return m_reader.readError().isEmpty() ? StopReason::EndOfInput : StopReason::ReadError;
}

void JsonLinesTaskSource::take(DriveItem& item) {
    JsonLinesReader::Item read;
    if (!m_reader.take(read)) // ready() said yes: only a stop() in between gets here
        read.error = QStringLiteral("no input left");
    item.index = m_taken++;
    item.line = read.line;
    item.timeoutMs = 0;
    if (!read.error.isEmpty()) {
        item.error = std::move(read.error);
        item.task.reset();
    } else {
        item.error.clear();
        item.task = std::move(read.parsed.task);
        item.timeoutMs = read.parsed.timeoutMs;
    }
}

} // namespace Aqueduct::Driver
