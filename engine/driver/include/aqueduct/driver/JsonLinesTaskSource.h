#pragma once

#include <aqueduct/driver/JsonLinesReader.h>
#include <aqueduct/driver/TaskSource.h>

#include <QObject>

#include <memory>

namespace Aqueduct::Driver {

/// Tasks from a JSON-lines file or stdin, one task's fields per line, read and parsed on
/// a reader thread (JsonLinesReader) with the one task parser (TaskJson::parseTask). A
/// line that is not a task becomes a bad-input item carrying its line number and error.
class JsonLinesTaskSource final : public QObject, public TaskSource {
    Q_OBJECT
public:
    explicit JsonLinesTaskSource(QObject* parent = nullptr);
    ~JsonLinesTaskSource() override;

    /// "-" = stdin. False with `error` (cannot open, a directory, ...).
    bool open(const QString& path, QString* error);
    JsonLinesReader& reader() { return m_reader; }

    void start() override { m_reader.start(); }
    void stop() override { m_reader.stop(); }
    bool ready() override { return m_reader.hasItem(); }
    bool exhausted() const override { return m_reader.finished(); }
    StopReason exhaustedReason() const override;
    void take(DriveItem& item) override;

private:
    JsonLinesReader m_reader;
    std::uint64_t m_taken = 0;
};

} // namespace Aqueduct::Driver
