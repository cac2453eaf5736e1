#include "shm/ShmSegment.h"

#include <QDir>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <signal.h>
#include <stdexcept>
#include <unistd.h>

namespace bip = boost::interprocess;

namespace Aqueduct::Internal {

ShmSegment::~ShmSegment()
{
    reset();
}

ShmSegment::ShmSegment(ShmSegment&& other) noexcept
    : m_name(std::move(other.m_name))
    , m_owner(other.m_owner)
    , m_region(std::move(other.m_region))
{
    other.m_owner = false;
}

ShmSegment& ShmSegment::operator=(ShmSegment&& other) noexcept
{
    if (this != &other) {
        reset();
        m_name = std::move(other.m_name);
        m_owner = other.m_owner;
        m_region = std::move(other.m_region);
        other.m_owner = false;
    }
    return *this;
}

ShmSegment ShmSegment::create(const std::string& name, std::size_t bytes, Prefault prefault)
{
    ShmSegment segment;
    try {
        bip::shared_memory_object::remove(name.c_str());
        bip::shared_memory_object object(bip::create_only, name.c_str(), bip::read_write);
        segment.m_name = name;
        segment.m_owner = true;
        object.truncate(static_cast<bip::offset_t>(bytes));
        segment.m_region = std::make_unique<bip::mapped_region>(object, bip::read_write);
    } catch (const bip::interprocess_exception& error) {
        throw std::runtime_error("cannot create shared memory '" + name + "' of " + std::to_string(bytes)
                                 + " bytes: " + error.what());
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

ShmSegment ShmSegment::open(const std::string& name)
{
    ShmSegment segment;
    try {
        bip::shared_memory_object object(bip::open_only, name.c_str(), bip::read_write);
        segment.m_name = name;
        segment.m_owner = false;
        segment.m_region = std::make_unique<bip::mapped_region>(object, bip::read_write);
    } catch (const bip::interprocess_exception& error) {
        throw std::runtime_error("cannot open shared memory '" + name + "': " + error.what());
    }
    return segment;
}

std::string ShmSegment::makeName(const char* purpose)
{
    static std::atomic<unsigned> serial{0};
    return "aqueduct-" + std::to_string(getpid()) + "-" + std::to_string(serial.fetch_add(1) + 1) + "-"
        + purpose;
}

void ShmSegment::reset()
{
    m_region.reset();
    if (m_owner && !m_name.empty())
        bip::shared_memory_object::remove(m_name.c_str());
    m_owner = false;
    m_name.clear();
}

static qint64 ownerPidOf(const QString& fileName)
{
    // aqueduct-<pid>-<serial>-<purpose>
    const QStringList parts = fileName.split(QLatin1Char('-'));
    if (parts.size() < 3 || parts[0] != QLatin1String("aqueduct"))
        return 0;
    bool ok = false;
    const qint64 pid = parts[1].toLongLong(&ok);
    return ok ? pid : 0;
}

int ShmSegment::reclaimStale()
{
    int removed = 0;
    const QStringList names = QDir(QStringLiteral("/dev/shm"))
                                  .entryList({QStringLiteral("aqueduct-*")}, QDir::Files | QDir::System);
    for (const QString& fileName : names) {
        const qint64 pid = ownerPidOf(fileName);
        if (pid <= 0)
            continue;
        const bool alive = ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
        if (!alive && bip::shared_memory_object::remove(fileName.toLocal8Bit().constData()))
            ++removed;
    }
    return removed;
}

QStringList ShmSegment::listSegments(qint64 ownerPid)
{
    const qint64 pid = ownerPid > 0 ? ownerPid : qint64(getpid());
    const QString prefix = QStringLiteral("aqueduct-%1-*").arg(pid);
    return QDir(QStringLiteral("/dev/shm")).entryList({prefix}, QDir::Files | QDir::System);
}

} // namespace Aqueduct::Internal
