#pragma once

#include "shm/RobustMutex.h"
#include "shm/ShmSegment.h"

#include "aqueduct/Value.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace Aqueduct::Internal {

/// A flow's shared-memory arena for blobs: one pre-faulted segment, carved into 64 KiB
/// chunks by a first-fit allocator that works across processes (a robust process-shared
/// mutex: a holder SIGKILLed mid-update hands it on, and a one-entry journal lets the
/// next locker finish or undo the half-done bitmap change). Each blob
/// carries a reference count in shared memory; the mapping itself is kept alive in each
/// process by an in-process count, so a task that outlives its flow can still read it.
class SharedArena {
public:
    static constexpr std::uint32_t kChunkBytes = 64 * 1024;
    static constexpr std::uint32_t kBlobHeaderBytes = 64;

    /// Parent: creates the segment. Throws std::runtime_error.
    static SharedArena* create(std::uint64_t bytes);
    /// Size of the segment create(bytes) makes (header + whole chunks).
    static std::uint64_t requiredBytes(std::uint64_t bytes);
    /// Worker: maps the parent's arena. Throws std::runtime_error.
    static SharedArena* attach(const std::string& name);

    void ref() noexcept { m_localRefs.fetch_add(1, std::memory_order_relaxed); }
    void deref() noexcept;
    /// Owner: removes the name from /dev/shm now (the mapping stays while referenced).
    void unlinkName();
    /// Owner: waits for (or cuts short) the background pre-fault.
    void finishPrefault();

    const std::string& name() const { return m_segment.name(); }
    char* base() const { return m_segment.data(); }
    std::uint64_t capacityBytes() const;
    std::uint64_t bytesUsed() const;
    std::uint64_t blobCount() const;
    std::uint64_t largestPossibleBlob() const;

    /// A new blob with one (owned) reference, returned in `blob`. `creatorPid` marks it
    /// provisional until a task slot references it (a worker dying first frees it).
    bool allocate(std::uint64_t size, BlobRef& blob, QString* error, std::int32_t creatorPid = 0);
    /// Whether offset/size name a live blob of this arena (guards decoding).
    bool isValidBlob(std::uint64_t offset, std::uint64_t size) const;
    /// Shared refcount only (task slots hold these; no in-process mapping ref).
    void retainShared(std::uint64_t offset, bool forSlot) noexcept;
    void releaseShared(std::uint64_t offset) noexcept;
    /// Frees provisional blobs created by a process that died before handing them on.
    int sweepProvisional(std::int32_t deadPid);
    /// Workers: every blob this process allocates is provisional with this owner pid
    /// (freed by the parent if the process dies before a task slot holds it).
    static void setProvisionalOwner(std::int32_t pid);

    /// The arena of the flow running in this process (the last started), for
    /// Task::share and handlers' Task::allocateBlob. May be null.
    static SharedArena* current();
    static void setCurrent(SharedArena* arena);

private:
    SharedArena() = default;
    struct Header;
    struct BlobHeader;
    static std::uint64_t headerBytesFor(std::uint64_t chunkCount);
    Header* header() const;
    BlobHeader* blobHeader(std::uint64_t dataOffset) const;
    void lock() const;
    void unlock() const;
    void repairAfterDeadHolder() const;
    void freeBlobLocked(BlobHeader* blob);
    void freeBlob(BlobHeader* blob);

    ShmSegment m_segment;
    std::atomic<int> m_localRefs{1};
    std::thread m_prefault;
    std::atomic<bool> m_stopPrefault{false};
};

} // namespace Aqueduct::Internal
