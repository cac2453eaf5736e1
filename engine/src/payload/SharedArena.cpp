#include "payload/SharedArena.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <new>
#include <stdexcept>

namespace Aqueduct::Internal {

namespace {

constexpr std::uint32_t kArenaMagic = 0x41514142; // "AQAB"
constexpr std::uint32_t kBlobMagic = 0x424c4f42;  // "BLOB"
constexpr int kMadvisePopulateWrite =
    23; // MADV_POPULATE_WRITE (Linux 5.14); glibc 2.36 lacks the name
std::atomic<SharedArena*> g_current{nullptr};
std::int32_t g_provisionalOwner = 0;

/// What the lock holder is changing, so a successor can repair a half-done change.
enum class JournalOp : std::uint32_t { None = 0, Allocate = 1, Free = 2 };

QString mebibytes(std::uint64_t bytes) {
    return QString::number(double(bytes) / double(1 << 20), 'f', bytes >= (10u << 20) ? 0 : 1) +
           QStringLiteral(" MiB");
}

} // namespace

struct SharedArena::Header {
    std::uint32_t magic;
    std::uint32_t chunkBytes;
    std::uint64_t totalBytes;
    std::uint32_t chunkCount;
    std::uint64_t dataOffset;
    alignas(64) RobustMutex lock;
    std::uint32_t journalOp;         ///< JournalOp
    std::uint32_t journalFirstChunk; ///< the run being changed
    std::uint32_t journalChunkCount;
    std::atomic<std::uint64_t> bytesUsed;
    std::atomic<std::uint64_t> blobs;
    std::uint32_t searchHint;
    std::uint64_t bitmap[1]; ///< chunkCount bits follow
};

struct SharedArena::BlobHeader {
    std::uint32_t magic;
    std::atomic<std::uint32_t> refs;
    std::uint64_t size;
    std::uint32_t firstChunk;
    std::uint32_t chunkCount;
    std::atomic<std::int32_t> provisionalOwner; ///< creator pid until a slot holds it
};

namespace {

std::uint64_t arenaChunkCount(std::uint64_t bytes) {
    return std::max<std::uint64_t>(1, bytes / SharedArena::kChunkBytes);
}

} // namespace

std::uint64_t SharedArena::headerBytesFor(std::uint64_t chunkCount) {
    return (offsetof(Header, bitmap) + (chunkCount + 63) / 64 * 8 + 4095) & ~std::uint64_t(4095);
}

std::uint64_t SharedArena::requiredBytes(std::uint64_t bytes) {
    const std::uint64_t chunkCount = arenaChunkCount(bytes);
    return headerBytesFor(chunkCount) + chunkCount * kChunkBytes;
}

SharedArena* SharedArena::create(std::uint64_t bytes) {
    const std::uint64_t chunkCount = arenaChunkCount(bytes);
    const std::uint64_t headerBytes = headerBytesFor(chunkCount);
    const std::uint64_t total = requiredBytes(bytes);
    auto* arena = new SharedArena();
    try {
        // Reserved with posix_fallocate (ShmSegment): the background pre-fault below only
        // maps pages that already exist, so a full /dev/shm fails here, not with SIGBUS.
        arena->m_segment = ShmSegment::createUnique("arena", total, ShmSegment::Prefault::No);
    } catch (...) {
        delete arena;
        throw;
    }
    auto* header = new (arena->base()) Header{};
    header->magic = kArenaMagic;
    header->chunkBytes = kChunkBytes;
    header->totalBytes = total;
    header->chunkCount = std::uint32_t(chunkCount);
    header->dataOffset = headerBytes;
    header->lock.initialise();
    header->journalOp = std::uint32_t(JournalOp::None);
    header->bytesUsed.store(0);
    header->blobs.store(0);
    header->searchHint = 0;
    std::fill(header->bitmap, header->bitmap + (chunkCount + 63) / 64, 0);
    // Pre-fault the data area off the caller's path: start() stays fast, and by the
    // time large payloads arrive their pages exist.
    char* data = arena->base() + headerBytes;
    const std::uint64_t dataBytes = total - headerBytes;
    arena->ref();
    arena->m_prefault = std::thread([arena, data, dataBytes] {
        // In 2 MiB steps so a stop right after start does not wait for the whole arena.
        constexpr std::uint64_t kStep = 2u << 20;
        const long pageSize = sysconf(_SC_PAGESIZE);
        for (std::uint64_t offset = 0;
             offset < dataBytes && !arena->m_stopPrefault.load(std::memory_order_relaxed);
             offset += kStep) {
            const std::uint64_t length = std::min(kStep, dataBytes - offset);
            if (madvise(data + offset, length, kMadvisePopulateWrite) != 0) {
                for (std::uint64_t page = 0; page < length; page += std::uint64_t(pageSize))
                    reinterpret_cast<std::atomic<char>*>(data + offset + page)
                        ->fetch_add(0, std::memory_order_relaxed);
            }
        }
    });
    return arena;
}

void SharedArena::finishPrefault() {
    if (m_prefault.joinable()) {
        m_stopPrefault.store(true);
        m_prefault.join();
        deref();
    }
}

SharedArena* SharedArena::attach(const std::string& name) {
    auto* arena = new SharedArena();
    try {
        arena->m_segment = ShmSegment::open(name);
    } catch (...) {
        delete arena;
        throw;
    }
    if (arena->m_segment.size() < sizeof(Header) || arena->header()->magic != kArenaMagic) {
        delete arena;
        throw std::runtime_error("shared memory '" + name + "' is not an Aqueduct arena");
    }
    return arena;
}

void SharedArena::deref() noexcept {
    if (m_localRefs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        SharedArena* expected = this;
        g_current.compare_exchange_strong(expected, nullptr);
        delete this;
    }
}

void SharedArena::unlinkName() {
    if (m_segment.isOwner()) {
        const std::string name = m_segment.name();
        shm_unlink(("/" + name).c_str());
    }
}

SharedArena::Header* SharedArena::header() const {
    return reinterpret_cast<Header*>(m_segment.data());
}

SharedArena::BlobHeader* SharedArena::blobHeader(std::uint64_t dataOffset) const {
    return reinterpret_cast<BlobHeader*>(base() + dataOffset - kBlobHeaderBytes);
}

std::uint64_t SharedArena::capacityBytes() const {
    return std::uint64_t(header()->chunkCount) * kChunkBytes;
}

std::uint64_t SharedArena::bytesUsed() const {
    return header()->bytesUsed.load(std::memory_order_relaxed);
}

std::uint64_t SharedArena::blobCount() const {
    return header()->blobs.load(std::memory_order_relaxed);
}

std::uint64_t SharedArena::largestPossibleBlob() const {
    return capacityBytes() - kBlobHeaderBytes;
}

void SharedArena::lock() const {
    // Allocation is short; a long wait means a SIGSTOPped holder, which we must wait out.
    for (;;) {
        const RobustMutex::Acquired acquired = header()->lock.lock(1'000'000'000);
        if (acquired == RobustMutex::Acquired::Recovered)
            repairAfterDeadHolder();
        if (acquired != RobustMutex::Acquired::TimedOut)
            return;
    }
}

void SharedArena::unlock() const {
    header()->lock.unlock();
}

void SharedArena::repairAfterDeadHolder() const {
    // The holder died mid-change. An allocation it never returned is undone; a free is
    // finished: both end with the journalled run free. Then the counters are recounted.
    Header* h = header();
    if (JournalOp(h->journalOp) != JournalOp::None) {
        const std::uint64_t first = h->journalFirstChunk;
        auto* blob = reinterpret_cast<BlobHeader*>(base() + h->dataOffset + first * kChunkBytes);
        blob->magic = 0;
        for (std::uint64_t chunk = first;
             chunk < first + h->journalChunkCount && chunk < h->chunkCount; ++chunk)
            h->bitmap[chunk / 64] &= ~(std::uint64_t(1) << (chunk % 64));
        h->journalOp = std::uint32_t(JournalOp::None);
    }
    std::uint64_t usedChunks = 0;
    std::uint64_t blobs = 0;
    for (std::uint32_t chunk = 0; chunk < h->chunkCount;) {
        if (!((h->bitmap[chunk / 64] >> (chunk % 64)) & 1)) {
            ++chunk;
            continue;
        }
        const auto* blob = reinterpret_cast<const BlobHeader*>(base() + h->dataOffset +
                                                               std::uint64_t(chunk) * kChunkBytes);
        if (blob->magic == kBlobMagic && blob->chunkCount > 0) {
            ++blobs;
            usedChunks += blob->chunkCount;
            chunk += blob->chunkCount;
        } else {
            ++usedChunks;
            ++chunk;
        }
    }
    h->bytesUsed.store(usedChunks * kChunkBytes, std::memory_order_relaxed);
    h->blobs.store(blobs, std::memory_order_relaxed);
}

bool SharedArena::allocate(std::uint64_t size, BlobRef& blob, QString* error,
                           std::int32_t creatorPid) {
    Header* h = header();
    const std::uint64_t needed = (size + kBlobHeaderBytes + kChunkBytes - 1) / kChunkBytes;
    if (size > largestPossibleBlob()) {
        if (error)
            *error =
                QStringLiteral("payload of %1 does not fit the shared-memory arena (%2); raise "
                               "flow.shared_memory.arena_bytes")
                    .arg(mebibytes(size), mebibytes(capacityBytes()));
        return false;
    }
    lock();
    const std::uint32_t chunkCount = h->chunkCount;
    auto isUsed = [h](std::uint32_t chunk) { return (h->bitmap[chunk / 64] >> (chunk % 64)) & 1; };
    std::int64_t found = -1;
    for (int pass = 0; pass < 2 && found < 0; ++pass) {
        std::uint32_t start = pass == 0 ? h->searchHint : 0;
        const std::uint32_t end =
            pass == 0 ? chunkCount : std::min(h->searchHint + std::uint32_t(needed), chunkCount);
        std::uint32_t runStart = start;
        std::uint32_t runLength = 0;
        for (std::uint32_t chunk = start; chunk < end; ++chunk) {
            if (runLength == 0 && (chunk % 64) == 0 && h->bitmap[chunk / 64] == ~std::uint64_t(0) &&
                chunk + 64 <= end) {
                chunk += 63; // a full word: skip it
                runStart = chunk + 1;
                continue;
            }
            if (isUsed(chunk)) {
                runLength = 0;
                runStart = chunk + 1;
            } else if (++runLength == needed) {
                found = runStart;
                break;
            }
        }
    }
    if (found < 0) {
        unlock();
        if (error)
            *error = QStringLiteral("shared-memory arena is full: %1 of %2 in use, %3 needed")
                         .arg(mebibytes(bytesUsed()), mebibytes(capacityBytes()), mebibytes(size));
        return false;
    }
    h->journalFirstChunk = std::uint32_t(found);
    h->journalChunkCount = std::uint32_t(needed);
    h->journalOp = std::uint32_t(JournalOp::Allocate);
    for (std::uint64_t chunk = std::uint64_t(found); chunk < std::uint64_t(found) + needed; ++chunk)
        h->bitmap[chunk / 64] |= std::uint64_t(1) << (chunk % 64);
    h->searchHint = std::uint32_t(std::uint64_t(found) + needed) % chunkCount;
    h->bytesUsed.fetch_add(needed * kChunkBytes, std::memory_order_relaxed);
    h->blobs.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t chunkOffset = h->dataOffset + std::uint64_t(found) * kChunkBytes;
    auto* header = new (base() + chunkOffset) BlobHeader{};
    header->magic = kBlobMagic;
    header->refs.store(1, std::memory_order_relaxed);
    header->size = size;
    header->firstChunk = std::uint32_t(found);
    header->chunkCount = std::uint32_t(needed);
    header->provisionalOwner.store(creatorPid != 0 ? creatorPid : g_provisionalOwner,
                                   std::memory_order_relaxed);
    h->journalOp = std::uint32_t(JournalOp::None);
    unlock();

    blob.offset = chunkOffset + kBlobHeaderBytes;
    blob.size = size;
    blob.data = base() + blob.offset;
    blob.arena = this;
    blob.borrowed = false;
    ref(); // the new reference's hold on the mapping
    return true;
}

bool SharedArena::isValidBlob(std::uint64_t offset, std::uint64_t size) const {
    const Header* h = header();
    if (offset < h->dataOffset + kBlobHeaderBytes || offset >= h->totalBytes)
        return false;
    if ((offset - h->dataOffset - kBlobHeaderBytes) % kChunkBytes != 0)
        return false;
    const BlobHeader* blob = blobHeader(offset);
    return blob->magic == kBlobMagic && blob->size == size && offset + size <= h->totalBytes;
}

void SharedArena::retainShared(std::uint64_t offset, bool forSlot) noexcept {
    BlobHeader* blob = blobHeader(offset);
    blob->refs.fetch_add(1, std::memory_order_relaxed);
    if (forSlot)
        blob->provisionalOwner.store(0, std::memory_order_relaxed);
}

void SharedArena::releaseShared(std::uint64_t offset) noexcept {
    BlobHeader* blob = blobHeader(offset);
    if (blob->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
        freeBlob(blob);
}

void SharedArena::freeBlob(BlobHeader* blob) {
    lock();
    freeBlobLocked(blob);
    unlock();
}

void SharedArena::freeBlobLocked(BlobHeader* blob) {
    Header* h = header();
    h->journalFirstChunk = blob->firstChunk;
    h->journalChunkCount = blob->chunkCount;
    h->journalOp = std::uint32_t(JournalOp::Free);
    blob->magic = 0;
    for (std::uint64_t chunk = blob->firstChunk;
         chunk < std::uint64_t(blob->firstChunk) + blob->chunkCount; ++chunk)
        h->bitmap[chunk / 64] &= ~(std::uint64_t(1) << (chunk % 64));
    h->bytesUsed.fetch_sub(std::uint64_t(blob->chunkCount) * kChunkBytes,
                           std::memory_order_relaxed);
    h->blobs.fetch_sub(1, std::memory_order_relaxed);
    h->journalOp = std::uint32_t(JournalOp::None);
}

int SharedArena::sweepProvisional(std::int32_t deadPid) {
    Header* h = header();
    int freed = 0;
    lock(); // the walk reads the bitmap: no allocation may change it meanwhile
    std::uint32_t chunk = 0;
    while (chunk < h->chunkCount) {
        if (!((h->bitmap[chunk / 64] >> (chunk % 64)) & 1)) {
            ++chunk;
            continue;
        }
        auto* blob = reinterpret_cast<BlobHeader*>(base() + h->dataOffset +
                                                   std::uint64_t(chunk) * kChunkBytes);
        if (blob->magic != kBlobMagic || blob->chunkCount == 0) {
            ++chunk;
            continue;
        }
        const std::uint32_t next = chunk + blob->chunkCount;
        if (deadPid != 0 && blob->provisionalOwner.load(std::memory_order_relaxed) == deadPid) {
            freeBlobLocked(blob);
            ++freed;
        }
        chunk = next;
    }
    unlock();
    return freed;
}

void SharedArena::setProvisionalOwner(std::int32_t pid) {
    g_provisionalOwner = pid;
}

SharedArena* SharedArena::current() {
    return g_current.load(std::memory_order_acquire);
}

void SharedArena::setCurrent(SharedArena* arena) {
    g_current.store(arena, std::memory_order_release);
}

void retainBlob(const BlobRef& blob) noexcept {
    if (!blob.arena)
        return;
    if (!blob.borrowed)
        blob.arena->retainShared(blob.offset, false);
    blob.arena->ref();
}

void releaseBlob(const BlobRef& blob) noexcept {
    if (!blob.arena)
        return;
    if (!blob.borrowed)
        blob.arena->releaseShared(blob.offset);
    blob.arena->deref();
}

} // namespace Aqueduct::Internal
