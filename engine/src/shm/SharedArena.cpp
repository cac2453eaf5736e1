#include "shm/SharedArena.h"

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

constexpr std::uint32_t kArenaMagic = 0x41514142;  // "AQAB"
constexpr std::uint32_t kBlobMagic = 0x424c4f42;   // "BLOB"
constexpr int kMadvisePopulateWrite = 23; // MADV_POPULATE_WRITE (Linux 5.14); glibc 2.36 lacks the name
std::atomic<SharedArena*> g_current{nullptr};

QString mebibytes(std::uint64_t bytes)
{
    return QString::number(double(bytes) / double(1 << 20), 'f', bytes >= (10u << 20) ? 0 : 1) + QStringLiteral(" MiB");
}

} // namespace

struct SharedArena::Header {
    std::uint32_t magic;
    std::uint32_t chunkBytes;
    std::uint64_t totalBytes;
    std::uint32_t chunkCount;
    std::uint64_t dataOffset;
    alignas(64) std::atomic<std::int32_t> lockOwner;
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

std::uint64_t arenaChunkCount(std::uint64_t bytes)
{
    return std::max<std::uint64_t>(1, bytes / SharedArena::kChunkBytes);
}

} // namespace

std::uint64_t SharedArena::headerBytesFor(std::uint64_t chunkCount)
{
    return (offsetof(Header, bitmap) + (chunkCount + 63) / 64 * 8 + 4095) & ~std::uint64_t(4095);
}

std::uint64_t SharedArena::requiredBytes(std::uint64_t bytes)
{
    const std::uint64_t chunkCount = arenaChunkCount(bytes);
    return headerBytesFor(chunkCount) + chunkCount * kChunkBytes;
}

SharedArena* SharedArena::create(std::uint64_t bytes)
{
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
    header->lockOwner.store(0);
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
        for (std::uint64_t offset = 0; offset < dataBytes && !arena->m_stopPrefault.load(std::memory_order_relaxed);
             offset += kStep) {
            const std::uint64_t length = std::min(kStep, dataBytes - offset);
            if (madvise(data + offset, length, kMadvisePopulateWrite) != 0) {
                for (std::uint64_t page = 0; page < length; page += std::uint64_t(pageSize))
                    reinterpret_cast<std::atomic<char>*>(data + offset + page)->fetch_add(0, std::memory_order_relaxed);
            }
        }
    });
    return arena;
}

void SharedArena::finishPrefault()
{
    if (m_prefault.joinable()) {
        m_stopPrefault.store(true);
        m_prefault.join();
        deref();
    }
}

SharedArena* SharedArena::attach(const std::string& name)
{
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

void SharedArena::deref() noexcept
{
    if (m_localRefs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        SharedArena* expected = this;
        g_current.compare_exchange_strong(expected, nullptr);
        delete this;
    }
}

void SharedArena::unlinkName()
{
    if (m_segment.isOwner()) {
        const std::string name = m_segment.name();
        shm_unlink(("/" + name).c_str());
    }
}

SharedArena::Header* SharedArena::header() const
{
    return reinterpret_cast<Header*>(m_segment.data());
}

SharedArena::BlobHeader* SharedArena::blobHeader(std::uint64_t dataOffset) const
{
    return reinterpret_cast<BlobHeader*>(base() + dataOffset - kBlobHeaderBytes);
}

std::uint64_t SharedArena::capacityBytes() const
{
    return std::uint64_t(header()->chunkCount) * kChunkBytes;
}

std::uint64_t SharedArena::bytesUsed() const
{
    return header()->bytesUsed.load(std::memory_order_relaxed);
}

std::uint64_t SharedArena::blobCount() const
{
    return header()->blobs.load(std::memory_order_relaxed);
}

std::uint64_t SharedArena::largestPossibleBlob() const
{
    return capacityBytes() - kBlobHeaderBytes;
}

void SharedArena::lock() const
{
    Header* h = header();
    const std::int32_t me = getpid();
    for (unsigned spins = 0;; ++spins) {
        std::int32_t expected = 0;
        if (h->lockOwner.compare_exchange_weak(expected, me, std::memory_order_acquire))
            return;
        // A holder that died (SIGKILL mid-allocation) would wedge every process: steal.
        if (expected != 0 && expected != me && (spins & 1023) == 1023 && ::kill(expected, 0) != 0 && errno == ESRCH)
            h->lockOwner.compare_exchange_strong(expected, 0, std::memory_order_acq_rel);
        sched_yield();
    }
}

void SharedArena::unlock() const
{
    header()->lockOwner.store(0, std::memory_order_release);
}

bool SharedArena::allocate(std::uint64_t size, BlobRef& blob, QString* error, std::int32_t creatorPid)
{
    Header* h = header();
    const std::uint64_t needed = (size + kBlobHeaderBytes + kChunkBytes - 1) / kChunkBytes;
    if (size > largestPossibleBlob()) {
        if (error)
            *error = QStringLiteral("payload of %1 does not fit the shared-memory arena (%2); raise "
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
        const std::uint32_t end = pass == 0 ? chunkCount : std::min(h->searchHint + std::uint32_t(needed), chunkCount);
        std::uint32_t runStart = start;
        std::uint32_t runLength = 0;
        for (std::uint32_t chunk = start; chunk < end; ++chunk) {
            if (runLength == 0 && (chunk % 64) == 0 && h->bitmap[chunk / 64] == ~std::uint64_t(0) && chunk + 64 <= end) {
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
    header->provisionalOwner.store(creatorPid, std::memory_order_relaxed);
    unlock();

    blob.offset = chunkOffset + kBlobHeaderBytes;
    blob.size = size;
    blob.data = base() + blob.offset;
    blob.arena = this;
    blob.borrowed = false;
    ref(); // the new reference's hold on the mapping
    return true;
}

bool SharedArena::isValidBlob(std::uint64_t offset, std::uint64_t size) const
{
    const Header* h = header();
    if (offset < h->dataOffset + kBlobHeaderBytes || offset >= h->totalBytes)
        return false;
    if ((offset - h->dataOffset - kBlobHeaderBytes) % kChunkBytes != 0)
        return false;
    const BlobHeader* blob = blobHeader(offset);
    return blob->magic == kBlobMagic && blob->size == size && offset + size <= h->totalBytes;
}

void SharedArena::retainShared(std::uint64_t offset, bool forSlot) noexcept
{
    BlobHeader* blob = blobHeader(offset);
    blob->refs.fetch_add(1, std::memory_order_relaxed);
    if (forSlot)
        blob->provisionalOwner.store(0, std::memory_order_relaxed);
}

void SharedArena::releaseShared(std::uint64_t offset) noexcept
{
    BlobHeader* blob = blobHeader(offset);
    if (blob->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
        freeBlob(blob);
}

void SharedArena::freeBlob(BlobHeader* blob)
{
    Header* h = header();
    lock();
    blob->magic = 0;
    for (std::uint64_t chunk = blob->firstChunk; chunk < std::uint64_t(blob->firstChunk) + blob->chunkCount; ++chunk)
        h->bitmap[chunk / 64] &= ~(std::uint64_t(1) << (chunk % 64));
    h->bytesUsed.fetch_sub(std::uint64_t(blob->chunkCount) * kChunkBytes, std::memory_order_relaxed);
    h->blobs.fetch_sub(1, std::memory_order_relaxed);
    unlock();
}

int SharedArena::sweepProvisional(std::int32_t deadPid)
{
    Header* h = header();
    int freed = 0;
    std::uint32_t chunk = 0;
    while (chunk < h->chunkCount) {
        if (!((h->bitmap[chunk / 64] >> (chunk % 64)) & 1)) {
            ++chunk;
            continue;
        }
        auto* blob = reinterpret_cast<BlobHeader*>(base() + h->dataOffset + std::uint64_t(chunk) * kChunkBytes);
        if (blob->magic != kBlobMagic || blob->chunkCount == 0) {
            ++chunk;
            continue;
        }
        const std::uint32_t next = chunk + blob->chunkCount;
        if (blob->provisionalOwner.load(std::memory_order_relaxed) == deadPid) {
            freeBlob(blob);
            ++freed;
        }
        chunk = next;
    }
    return freed;
}

SharedArena* SharedArena::current()
{
    return g_current.load(std::memory_order_acquire);
}

void SharedArena::setCurrent(SharedArena* arena)
{
    g_current.store(arena, std::memory_order_release);
}

void retainBlob(const BlobRef& blob) noexcept
{
    if (!blob.arena)
        return;
    if (!blob.borrowed)
        blob.arena->retainShared(blob.offset, false);
    blob.arena->ref();
}

void releaseBlob(const BlobRef& blob) noexcept
{
    if (!blob.arena)
        return;
    if (!blob.borrowed)
        blob.arena->releaseShared(blob.offset);
    blob.arena->deref();
}

} // namespace Aqueduct::Internal
