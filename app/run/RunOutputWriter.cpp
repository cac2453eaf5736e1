#include "RunOutputWriter.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace Aqueduct::App {

RunOutputWriter::~RunOutputWriter() {
    close();
}

bool RunOutputWriter::open(const QString& path, QString* error) {
    close();
    m_error.clear();
    if (path == QLatin1String("-")) {
        m_fd = STDOUT_FILENO;
        m_ownsFd = false;
    } else {
        m_fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                      0644);
        if (m_fd < 0) {
            if (error)
                *error = QStringLiteral("cannot open %1 for writing: %2")
                             .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        m_ownsFd = true;
    }
    m_buffer.reserve(kFlushBytes + (64 << 10));
    return true;
}

bool RunOutputWriter::flush() {
    if (m_fd < 0 || failed()) {
        m_buffer.clear();
        return !failed();
    }
    const char* data = m_buffer.data();
    std::size_t left = m_buffer.size();
    while (left > 0) {
        const ssize_t written = ::write(m_fd, data, left);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) { // stdout may be a non-blocking pipe: wait for room
                pollfd pfd{m_fd, POLLOUT, 0};
                ::poll(&pfd, 1, 1000);
                continue;
            }
            m_error = QString::fromLocal8Bit(std::strerror(errno));
            break;
        }
        data += written;
        left -= std::size_t(written);
    }
    m_buffer.clear();
    return !failed();
}

void RunOutputWriter::close() {
    if (m_fd >= 0) {
        flush();
        if (m_ownsFd)
            ::close(m_fd);
    }
    m_fd = -1;
    m_ownsFd = false;
}

} // namespace Aqueduct::App
