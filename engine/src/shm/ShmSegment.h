#pragma once

#include <QString>
#include <QStringList>

#include <cstddef>
#include <string>

namespace Aqueduct::Internal {

/// A POSIX shared-memory segment mapped into this process. The creator owns the name
/// and removes it on destruction; openers only unmap. Names are
/// "aqueduct-<owner pid>-<64 random bits>-<purpose>": leftovers of dead owners can be
/// found and reclaimed, and nobody else can guess a name to read it or block it.
class ShmSegment {
public:
    enum class Prefault { No, Yes };

    ShmSegment() = default;
    ~ShmSegment();
    ShmSegment(const ShmSegment&) = delete;
    ShmSegment& operator=(const ShmSegment&) = delete;
    ShmSegment(ShmSegment&& other) noexcept;
    ShmSegment& operator=(ShmSegment&& other) noexcept;

    /// Creates `name` exclusively (O_EXCL, mode 0600), reserves `bytes` with
    /// posix_fallocate (a full /dev/shm is an error here, never a SIGBUS later) and maps
    /// it. Throws std::runtime_error; EEXIST is reported as such.
    static ShmSegment create(const std::string& name, std::size_t bytes, Prefault prefault);
    /// create() under a fresh makeName(purpose), retrying with another name on a collision.
    static ShmSegment createUnique(const char* purpose, std::size_t bytes, Prefault prefault);
    /// Maps an existing segment. Throws std::runtime_error.
    static ShmSegment open(const std::string& name);

    /// A fresh name: "aqueduct-<pid>-<16 hex digits from getrandom>-<purpose>".
    static std::string makeName(const char* purpose);
    /// Removes /dev/shm/aqueduct-<pid>-* segments whose owner process is gone.
    /// Returns how many were removed.
    static int reclaimStale();
    /// Names of this process's (or `pid`'s) segments currently in /dev/shm.
    static QStringList listSegments(qint64 ownerPid = 0);

    char* data() const { return m_data; }
    std::size_t size() const { return m_size; }
    const std::string& name() const { return m_name; }
    bool isOwner() const { return m_owner; }
    bool isValid() const { return m_data != nullptr; }
    /// Unmaps; the owner also removes the name.
    void reset();

private:
    std::string m_name;
    bool m_owner = false;
    char* m_data = nullptr;
    std::size_t m_size = 0;
};

} // namespace Aqueduct::Internal
