#include "shm/ShmSegment.h"

#include <QDir>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace Aqueduct::Internal {

namespace {

std::string errorText(int error) {
    return std::strerror(error);
}

/// Closes a descriptor on every path out of create()/open().
struct FdGuard {
    int fd = -1;
    ~FdGuard() {
        if (fd >= 0)
            ::close(fd);
    }
};

std::uint64_t randomSuffix() {
    std::uint64_t value = 0;
    auto* bytes = reinterpret_cast<char*>(&value);
    std::size_t filled = 0;
    while (filled < sizeof(value)) {
        const ssize_t got = getrandom(bytes + filled, sizeof(value) - filled, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            throw std::runtime_error("getrandom failed: " + errorText(errno));
        }
        filled += std::size_t(got);
    }
    return value;
}

} // namespace

ShmSegment::~ShmSegment() {
    reset();
}

ShmSegment::ShmSegment(ShmSegment&& other) noexcept
    : m_name(std::move(other.m_name))
    , m_owner(other.m_owner)
    , m_data(other.m_data)
    , m_size(other.m_size) {
    other.m_owner = false;
    other.m_data = nullptr;
    other.m_size = 0;
}

ShmSegment& ShmSegment::operator=(ShmSegment&& other) noexcept {
    if (this != &other) {
        reset();
        m_name = std::move(other.m_name);
        m_owner = other.m_owner;
        m_data = other.m_data;
        m_size = other.m_size;
        other.m_owner = false;
        other.m_data = nullptr;
        other.m_size = 0;
    }
    return *this;
}

ShmSegment ShmSegment::create(const std::string& name, std::size_t bytes, Prefault prefault) {
    const std::string objectName = "/" + name;
    const auto failure = [&](const std::string& what, int error) {
        return std::runtime_error("cannot create shared memory '" + name + "' of " +
                                  std::to_string(bytes) + " bytes: " + what + ": " +
                                  errorText(error));
    };
    FdGuard fd;
    // O_EXCL: never adopt a segment someone else prepared under our name.
    fd.fd =
        ::shm_open(objectName.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd.fd < 0) {
        const int error = errno;
        if (error == EEXIST)
            throw std::system_error(EEXIST, std::generic_category(),
                                    "shared memory '" + name + "' already exists");
        throw failure("shm_open", error);
    }
    ShmSegment segment;
    segment.m_name = name;
    segment.m_owner = true; // from here on, reset() unlinks the name
    // The umask may only take bits away; make the mode exactly owner read/write.
    if (::fchmod(fd.fd, S_IRUSR | S_IWUSR) != 0)
        throw failure("fchmod", errno);
    if (bytes > 0) {
        // Reserve every page now: tmpfs would otherwise hand out pages on first touch and
        // kill the process with SIGBUS when /dev/shm is full.
        const int error = ::posix_fallocate(fd.fd, 0, off_t(bytes));
        if (error != 0)
            throw failure("posix_fallocate (is /dev/shm large enough?)", error);
        void* address = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd.fd, 0);
        if (address == MAP_FAILED)
            throw failure("mmap", errno);
        segment.m_data = static_cast<char*>(address);
        segment.m_size = bytes;
    }
    if (prefault == Prefault::Yes) {
        // Touch every page now so the hot path never takes a page fault.
        const long pageSize = sysconf(_SC_PAGESIZE);
        volatile char* base = segment.data();
        for (std::size_t offset = 0; offset < bytes; offset += std::size_t(pageSize))
            base[offset] = 0;
    }
    return segment;
}

ShmSegment ShmSegment::createUnique(const char* purpose, std::size_t bytes, Prefault prefault) {
    constexpr int kAttempts = 8;
    for (int attempt = 1;; ++attempt) {
        try {
            return create(makeName(purpose), bytes, prefault);
        } catch (const std::system_error& error) {
            if (error.code().value() != EEXIST || attempt == kAttempts)
                throw std::runtime_error(std::string("cannot create a shared memory segment: ") +
                                         error.what());
        }
    }
}

ShmSegment ShmSegment::open(const std::string& name) {
    const std::string objectName = "/" + name;
    FdGuard fd;
    fd.fd = ::shm_open(objectName.c_str(), O_RDWR | O_CLOEXEC, 0);
    if (fd.fd < 0)
        throw std::runtime_error("cannot open shared memory '" + name + "': " + errorText(errno));
    struct stat status {};
    if (::fstat(fd.fd, &status) != 0)
        throw std::runtime_error("cannot open shared memory '" + name +
                                 "': fstat: " + errorText(errno));
    if (status.st_size <= 0)
        throw std::runtime_error("cannot open shared memory '" + name + "': it is empty");
    void* address =
        ::mmap(nullptr, std::size_t(status.st_size), PROT_READ | PROT_WRITE, MAP_SHARED, fd.fd, 0);
    if (address == MAP_FAILED)
        throw std::runtime_error("cannot open shared memory '" + name +
                                 "': mmap: " + errorText(errno));
    ShmSegment segment;
    segment.m_name = name;
    segment.m_owner = false;
    segment.m_data = static_cast<char*>(address);
    segment.m_size = std::size_t(status.st_size);
    return segment;
}

std::string ShmSegment::makeName(const char* purpose) {
    char suffix[17];
    std::snprintf(suffix, sizeof(suffix), "%016llx",
                  static_cast<unsigned long long>(randomSuffix()));
    return "aqueduct-" + std::to_string(getpid()) + "-" + suffix + "-" + purpose;
}

void ShmSegment::reset() {
    if (m_data != nullptr)
        ::munmap(m_data, m_size);
    m_data = nullptr;
    m_size = 0;
    if (m_owner && !m_name.empty())
        ::shm_unlink(("/" + m_name).c_str());
    m_owner = false;
    m_name.clear();
}

static qint64 ownerPidOf(const QString& fileName) {
    // aqueduct-<pid>-<random>-<purpose>
    const QStringList parts = fileName.split(QLatin1Char('-'));
    if (parts.size() < 3 || parts[0] != QLatin1String("aqueduct"))
        return 0;
    bool ok = false;
    const qint64 pid = parts[1].toLongLong(&ok);
    return ok ? pid : 0;
}

int ShmSegment::reclaimStale() {
    int removed = 0;
    const QStringList names =
        QDir(QStringLiteral("/dev/shm"))
            .entryList({QStringLiteral("aqueduct-*")}, QDir::Files | QDir::System);
    for (const QString& fileName : names) {
        const qint64 pid = ownerPidOf(fileName);
        if (pid <= 0)
            continue;
        const bool alive = ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
        if (!alive && ::shm_unlink(("/" + fileName.toStdString()).c_str()) == 0)
            ++removed;
    }
    return removed;
}

QStringList ShmSegment::listSegments(qint64 ownerPid) {
    const qint64 pid = ownerPid > 0 ? ownerPid : qint64(getpid());
    const QString prefix = QStringLiteral("aqueduct-%1-*").arg(pid);
    return QDir(QStringLiteral("/dev/shm")).entryList({prefix}, QDir::Files | QDir::System);
}

} // namespace Aqueduct::Internal
