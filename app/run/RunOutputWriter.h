#pragma once

#include <QString>

#include <string>

namespace Aqueduct::App {

/// Buffered writer of result lines to a file or stdout: callers append to buffer(), the
/// writer hands it to the kernel in large writes (one write per ~1 MiB), never per line.
class RunOutputWriter {
public:
    RunOutputWriter() = default;
    ~RunOutputWriter();
    RunOutputWriter(const RunOutputWriter&) = delete;
    RunOutputWriter& operator=(const RunOutputWriter&) = delete;

    /// "-" = stdout; anything else is created or truncated.
    bool open(const QString& path, QString* error);
    std::string& buffer() { return m_buffer; }
    /// Call after appending: flushes once the buffer is large.
    void commit() {
        if (m_buffer.size() >= kFlushBytes)
            flush();
    }
    /// Writes everything buffered; false once any write failed (see error()).
    bool flush();
    bool failed() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }
    void close();

private:
    static constexpr std::size_t kFlushBytes = 1 << 20;
    int m_fd = -1;
    bool m_ownsFd = false;
    std::string m_buffer;
    QString m_error;
};

} // namespace Aqueduct::App
