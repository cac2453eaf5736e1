#pragma once

#include <QString>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>

#include <cstddef>
#include <memory>

namespace Aqueduct::Internal {

/// A POSIX shared-memory segment mapped into this process. The creator owns the name
/// and removes it on destruction; openers only unmap. Names start with
/// "aqueduct-<owner pid>-" so leftovers of dead owners can be found and reclaimed.
class ShmSegment {
public:
    enum class Prefault { No, Yes };

    ShmSegment() = default;
    ~ShmSegment();
    ShmSegment(const ShmSegment&) = delete;
    ShmSegment& operator=(const ShmSegment&) = delete;
    ShmSegment(ShmSegment&& other) noexcept;
    ShmSegment& operator=(ShmSegment&& other) noexcept;

    /// Creates (replacing a stale one) and maps `bytes`. Throws std::runtime_error.
    static ShmSegment create(const std::string& name, std::size_t bytes, Prefault prefault);
    /// Maps an existing segment. Throws std::runtime_error.
    static ShmSegment open(const std::string& name);

    /// A fresh name: "aqueduct-<pid>-<serial>-<purpose>".
    static std::string makeName(const char* purpose);
    /// Removes /dev/shm/aqueduct-<pid>-* segments whose owner process is gone.
    /// Returns how many were removed.
    static int reclaimStale();
    /// Names of this process's (or `pid`'s) segments currently in /dev/shm.
    static QStringList listSegments(qint64 ownerPid = 0);

    char* data() const { return static_cast<char*>(m_region ? m_region->get_address() : nullptr); }
    std::size_t size() const { return m_region ? m_region->get_size() : 0; }
    const std::string& name() const { return m_name; }
    bool isOwner() const { return m_owner; }
    bool isValid() const { return m_region != nullptr; }
    /// Unmaps; the owner also removes the name.
    void reset();

private:
    std::string m_name;
    bool m_owner = false;
    std::unique_ptr<boost::interprocess::mapped_region> m_region;
};

} // namespace Aqueduct::Internal
