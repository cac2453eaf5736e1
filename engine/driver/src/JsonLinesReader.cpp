#include <aqueduct/driver/JsonLinesReader.h>

#include <QFile>
#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Aqueduct::Driver {

JsonLinesReader::JsonLinesReader(QObject* parent)
    : QObject(parent) {}

JsonLinesReader::~JsonLinesReader() {
    stop();
    m_notifier.reset();
    for (int fd : {m_stopFd, m_notifyFd})
        if (fd >= 0)
            ::close(fd);
    if (m_ownsFd && m_fd >= 0)
        ::close(m_fd);
}

bool JsonLinesReader::open(const QString& path, QString* error) {
    if (path == QLatin1String("-")) {
        m_fd = STDIN_FILENO;
        m_ownsFd = false;
    } else {
        m_fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0) {
            *error = QStringLiteral("cannot open %1: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        m_ownsFd = true;
    }
    struct stat info {};
    if (fstat(m_fd, &info) == 0) {
        if (S_ISDIR(info.st_mode)) {
            *error = QStringLiteral("%1 is a directory").arg(path);
            return false;
        }
        if (S_ISREG(info.st_mode))
            m_totalBytes = info.st_size;
    }
    m_stopFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    m_notifyFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_stopFd < 0 || m_notifyFd < 0) {
        *error = QStringLiteral("cannot create an eventfd: %1")
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    m_notifier = std::make_unique<QSocketNotifier>(m_notifyFd, QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &JsonLinesReader::onNotified);
    return true;
}

void JsonLinesReader::start() {
    m_thread = std::thread([this] { threadMain(); });
}

void JsonLinesReader::stop() {
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopRequested.store(true);
    }
    m_roomAvailable.notify_all();
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(m_stopFd, &one, sizeof one);
    m_thread.join();
}

QString JsonLinesReader::readError() const {
    std::lock_guard lock(m_mutex);
    return m_readError;
}

bool JsonLinesReader::take(Item& item) {
    if (m_localPosition >= m_local.size()) {
        if (m_sharedItems.load(std::memory_order_acquire) == 0)
            return false;
        {
            std::lock_guard lock(m_mutex);
            if (m_shared.empty())
                return false;
            m_local = std::move(m_shared.front());
            m_shared.pop_front();
            m_sharedItems.fetch_sub(m_local.size(), std::memory_order_acq_rel);
        }
        m_localPosition = 0;
        m_roomAvailable.notify_one();
        if (m_local.empty())
            return false;
    }
    item = std::move(m_local[m_localPosition++]);
    if (m_localPosition >= m_local.size()) {
        m_local.clear();
        m_localPosition = 0;
    }
    return true;
}

void JsonLinesReader::onNotified() {
    std::uint64_t counter = 0;
    [[maybe_unused]] ssize_t got = ::read(m_notifyFd, &counter, sizeof counter);
    Q_EMIT itemsAvailable();
}

void JsonLinesReader::notifyMain() {
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(m_notifyFd, &one, sizeof one);
}

void JsonLinesReader::publish(std::vector<Item>& batch) {
    if (batch.empty())
        return;
    {
        std::unique_lock lock(m_mutex);
        m_roomAvailable.wait(lock, [this] {
            return m_stopRequested.load() || m_sharedItems.load() < kMaxQueuedItems;
        });
        if (m_stopRequested.load()) {
            batch.clear();
            return;
        }
        m_sharedItems.fetch_add(batch.size(), std::memory_order_acq_rel);
        m_shared.push_back(std::move(batch));
    }
    batch = {};
    batch.reserve(kBatchItems);
    notifyMain();
}

void JsonLinesReader::processLine(const char* data, std::size_t size, std::vector<Item>& batch) {
    ++m_lineNumber;
    if (size > 0 && data[size - 1] == '\r')
        --size;
    std::size_t first = 0;
    while (first < size && (data[first] == ' ' || data[first] == '\t'))
        ++first;
    if (first == size)
        return; // blank line: not a task
    Item item;
    item.line = m_lineNumber;
    if (!TaskJson::parseTask(QByteArrayView(data + first, qsizetype(size - first)), item.parsed,
                             &item.error) &&
        item.error.isEmpty())
        item.error = QStringLiteral("invalid task");
    if (item.error.isEmpty())
        ++m_validInPass;
    batch.push_back(std::move(item));
    if (batch.size() >= kBatchItems)
        publish(batch);
}

void JsonLinesReader::threadMain() {
    std::vector<Item> batch;
    batch.reserve(kBatchItems);
    std::string carry; // a partial line waiting for its end
    std::vector<char> buffer(std::size_t(1) << 20);
    QString error;
    while (!m_stopRequested.load(std::memory_order_relaxed)) {
        pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_stopFd, POLLIN, 0}};
        // Hand over what we have before possibly waiting for a slow producer.
        if (!batch.empty() && ::poll(fds, 2, 0) == 0)
            publish(batch);
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            error =
                QStringLiteral("poll failed: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
            break;
        }
        if (fds[1].revents != 0)
            break;
        const ssize_t got = ::read(m_fd, buffer.data(), buffer.size());
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            error =
                QStringLiteral("read failed: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
            break;
        }
        if (got == 0) { // end of input: a last line without a newline still counts
            if (!carry.empty() && !m_skippingLongLine)
                processLine(carry.data(), carry.size(), batch);
            carry.clear();
            if (m_repeat && m_totalBytes >= 0 && m_validInPass > 0 &&
                ::lseek(m_fd, 0, SEEK_SET) == 0) {
                m_lineNumber = 0;
                m_validInPass = 0;
                m_skippingLongLine = false;
                m_bytesRead.store(0, std::memory_order_relaxed);
                continue;
            }
            break;
        }
        m_bytesRead.fetch_add(got, std::memory_order_relaxed);
        const char* data = buffer.data();
        const char* end = data + got;
        while (data < end && !m_stopRequested.load(std::memory_order_relaxed)) {
            const char* newline =
                static_cast<const char*>(std::memchr(data, '\n', std::size_t(end - data)));
            const char* stop = newline ? newline : end;
            if (m_skippingLongLine) {
                if (newline)
                    m_skippingLongLine = false;
            } else if (carry.size() + std::size_t(stop - data) > m_maxLineBytes) {
                ++m_lineNumber;
                Item item;
                item.line = m_lineNumber;
                item.error =
                    m_maxLineBytes >= (1u << 20)
                        ? QStringLiteral("line is longer than %1 MiB").arg(m_maxLineBytes >> 20)
                        : QStringLiteral("line is longer than %1 bytes").arg(m_maxLineBytes);
                batch.push_back(std::move(item));
                carry.clear();
                m_skippingLongLine = newline == nullptr;
            } else if (newline && carry.empty()) {
                processLine(data, std::size_t(newline - data), batch);
            } else {
                carry.append(data, std::size_t(stop - data));
                if (newline) {
                    processLine(carry.data(), carry.size(), batch);
                    carry.clear();
                }
            }
            data = newline ? newline + 1 : end;
        }
    }
    publish(batch);
    {
        std::lock_guard lock(m_mutex);
        m_readError = error;
        m_threadDone.store(true, std::memory_order_release);
    }
    notifyMain();
}

} // namespace Aqueduct::Driver
