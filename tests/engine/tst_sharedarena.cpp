// SharedArena on its own: allocation, reference counts and the usage figures; a full
// arena; free runs that coalesce; provisional blobs of a dead process swept; and a
// process SIGKILLed while it holds the arena lock, over and over.
#include "payload/SharedArena.h"

#include "ProcessLeakGuard.h"

#include <QElapsedTimer>
#include <QTest>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

using namespace Aqueduct;
using namespace Aqueduct::Internal;
using Aqueduct::Test::ProcessLeakGuard;

namespace {

constexpr std::uint64_t kChunk = SharedArena::kChunkBytes;
/// The largest payload that still fits one chunk (the blob header shares it).
constexpr std::uint64_t kOneChunkPayload = kChunk - SharedArena::kBlobHeaderBytes;

std::uint64_t chunksFor(std::uint64_t payloadBytes) {
    return (payloadBytes + SharedArena::kBlobHeaderBytes + kChunk - 1) / kChunk;
}

/// An arena of `chunks` chunks, pre-fault finished (no thread left when a test forks).
/// The name goes at the end of the test even if blobs are still held.
class ArenaHandle {
public:
    explicit ArenaHandle(std::uint64_t chunks)
        : m_arena(SharedArena::create(chunks * kChunk)) {
        m_arena->finishPrefault();
    }
    ~ArenaHandle() {
        m_arena->unlinkName();
        m_arena->deref();
    }
    ArenaHandle(const ArenaHandle&) = delete;
    ArenaHandle& operator=(const ArenaHandle&) = delete;
    SharedArena* operator->() const { return m_arena; }
    SharedArena* get() const { return m_arena; }

private:
    SharedArena* m_arena;
};

/// Blob references this process holds; released at the end even when an assertion fails.
class HeldBlobs {
public:
    ~HeldBlobs() {
        for (const BlobRef& blob : m_blobs)
            releaseBlob(blob);
    }
    /// Allocates and keeps the reference; false (with `error`) when the arena refuses.
    bool allocate(SharedArena* arena, std::uint64_t size, QString* error = nullptr) {
        BlobRef blob;
        if (!arena->allocate(size, blob, error))
            return false;
        m_blobs.push_back(blob);
        return true;
    }
    const BlobRef& at(std::size_t index) const { return m_blobs.at(index); }
    std::size_t size() const { return m_blobs.size(); }
    /// Drops our reference to blob `index` (it stays in the list, as empty).
    void release(std::size_t index) {
        releaseBlob(m_blobs.at(index));
        m_blobs.at(index) = BlobRef{};
    }
    /// Fills every live blob with its own byte, to catch overlapping allocations.
    void stamp() {
        for (std::size_t i = 0; i < m_blobs.size(); ++i)
            stamp(i);
    }
    void stamp(std::size_t index) {
        if (m_blobs.at(index).arena)
            std::memset(const_cast<char*>(m_blobs[index].data), stampOf(index),
                        m_blobs[index].size);
    }
    /// Index of the first live blob whose bytes changed since stamp(), or -1.
    int firstDamaged() const {
        for (std::size_t i = 0; i < m_blobs.size(); ++i) {
            const BlobRef& blob = m_blobs[i];
            if (!blob.arena)
                continue;
            for (std::uint64_t byte = 0; byte < blob.size; ++byte) {
                if (blob.data[byte] != stampOf(i))
                    return int(i);
            }
        }
        return -1;
    }

private:
    static char stampOf(std::size_t index) { return char(0x11 + index * 7); }
    std::vector<BlobRef> m_blobs;
};

/// Children that are always killed and reaped, even when an assertion fails.
struct Children {
    std::vector<pid_t> pids;
    ~Children() {
        for (pid_t pid : pids) {
            ::kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
    void killAndReap(pid_t pid) {
        ::kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        std::erase(pids, pid);
    }
};

/// A small page shared with forked children (anonymous, so nothing to unlink).
template <typename T> class SharedPage {
public:
    SharedPage()
        : m_data(static_cast<T*>(mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE,
                                      MAP_SHARED | MAP_ANONYMOUS, -1, 0))) {
        if (m_data == MAP_FAILED)
            qFatal("mmap of a shared test page failed");
        new (m_data) T{};
    }
    ~SharedPage() { munmap(m_data, sizeof(T)); }
    SharedPage(const SharedPage&) = delete;
    SharedPage& operator=(const SharedPage&) = delete;
    T* operator->() const { return m_data; }

private:
    T* m_data;
};

/// Waits until `done` holds or `timeoutMs` passes; says which.
template <typename Predicate> bool waitFor(Predicate done, int timeoutMs) {
    QElapsedTimer elapsed;
    elapsed.start();
    while (!done()) {
        if (elapsed.elapsed() > timeoutMs)
            return false;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
}

/// A wedged arena lock would hang the test, not fail it: past its deadline this aborts
/// the run with the step that never finished.
class Watchdog {
public:
    explicit Watchdog(int timeoutS)
        : m_thread([this, timeoutS] {
            std::unique_lock lock(m_mutex);
            if (!m_done.wait_for(lock, std::chrono::seconds(timeoutS), [this] { return m_stop; }))
                qFatal("SharedArena test stuck (arena lock wedged?) at: %s", m_step.c_str());
        }) {}
    ~Watchdog() {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_done.notify_all();
        m_thread.join();
    }
    void step(std::string text) {
        std::lock_guard lock(m_mutex);
        m_step = std::move(text);
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_done;
    bool m_stop = false;
    std::string m_step = "start";
    std::thread m_thread;
};

} // namespace

class TestSharedArena : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void allocateReportsSizeAndUsage();
    void lastReleaseFrees();
    void referenceReleasedInAnotherProcessFrees();
    void exhaustionFailsCleanlyThenRecovers();
    void freeRunsCoalesce();
    void runBeforeTheSearchHintIsFound();
    void provisionalBlobsOfADeadProcessAreSwept();
    void holderKilledInsideTheLockIsRepaired();

private:
    std::unique_ptr<ProcessLeakGuard> m_guard;
};

void TestSharedArena::init() {
    m_guard = std::make_unique<ProcessLeakGuard>();
}

void TestSharedArena::cleanup() {
    const bool clean = m_guard->waitClean(3000);
    const QString leaks = m_guard->describe();
    m_guard->cleanUp();
    QVERIFY2(clean, qPrintable(leaks));
}

void TestSharedArena::allocateReportsSizeAndUsage() {
    ArenaHandle arena(16);
    QCOMPARE(arena->capacityBytes(), 16 * kChunk);
    QCOMPARE(arena->largestPossibleBlob(), 16 * kChunk - SharedArena::kBlobHeaderBytes);
    QCOMPARE(arena->bytesUsed(), 0ull);
    QCOMPARE(arena->blobCount(), 0ull);

    HeldBlobs blobs;
    QString error;
    QVERIFY2(blobs.allocate(arena.get(), 1000, &error), qPrintable(error));
    const BlobRef small = blobs.at(0); // a copy: the list grows below
    QCOMPARE(small.size, 1000ull);
    QCOMPARE(small.arena, arena.get());
    QVERIFY(!small.borrowed);
    QVERIFY(small.data == arena->base() + small.offset);
    QVERIFY(arena->isValidBlob(small.offset, 1000));
    QVERIFY(!arena->isValidBlob(small.offset, 999));      // the size is part of the check
    QVERIFY(!arena->isValidBlob(small.offset + 8, 1000)); // not a blob start
    QCOMPARE(arena->bytesUsed(), kChunk);                 // usage counts whole chunks
    QCOMPARE(arena->blobCount(), 1ull);

    // Exactly one chunk, then one byte more: the header shares the first chunk.
    QVERIFY(blobs.allocate(arena.get(), kOneChunkPayload));
    QCOMPARE(arena->bytesUsed(), 2 * kChunk);
    QVERIFY(blobs.allocate(arena.get(), kOneChunkPayload + 1));
    QCOMPARE(chunksFor(kOneChunkPayload + 1), 2ull);
    QCOMPARE(arena->bytesUsed(), 4 * kChunk);
    QVERIFY(blobs.allocate(arena.get(), 0)); // an empty blob still takes a chunk
    QCOMPARE(arena->bytesUsed(), 5 * kChunk);
    QCOMPARE(arena->blobCount(), 4ull);

    // Blobs do not overlap: each keeps its own bytes.
    blobs.stamp();
    QCOMPARE(blobs.firstDamaged(), -1);
    for (std::size_t i = 0; i < blobs.size(); ++i) {
        for (std::size_t j = i + 1; j < blobs.size(); ++j)
            QVERIFY(blobs.at(i).offset != blobs.at(j).offset);
    }

    for (std::size_t i = 0; i < blobs.size(); ++i)
        blobs.release(i);
    QCOMPARE(arena->bytesUsed(), 0ull);
    QCOMPARE(arena->blobCount(), 0ull);
    QVERIFY(!arena->isValidBlob(small.offset, 1000));
}

void TestSharedArena::lastReleaseFrees() {
    ArenaHandle arena(8);
    BlobRef blob;
    QVERIFY(arena->allocate(3 * kChunk, blob, nullptr));
    const std::uint64_t offset = blob.offset;
    QCOMPARE(arena->bytesUsed(), chunksFor(3 * kChunk) * kChunk);

    // Two more holders (as Value copies make), then the shared-only count a task slot
    // uses: the blob lives until the last one lets go, whichever order they go in.
    retainBlob(blob);
    retainBlob(blob);
    arena->retainShared(offset, true);
    releaseBlob(blob);
    releaseBlob(blob);
    QVERIFY(arena->isValidBlob(offset, 3 * kChunk));
    QCOMPARE(arena->blobCount(), 1ull);
    releaseBlob(blob); // the allocation's own reference
    QVERIFY(arena->isValidBlob(offset, 3 * kChunk));
    QCOMPARE(arena->blobCount(), 1ull);
    QCOMPARE(arena->bytesUsed(), chunksFor(3 * kChunk) * kChunk);
    arena->releaseShared(offset); // the slot's, the last
    QVERIFY(!arena->isValidBlob(offset, 3 * kChunk));
    QCOMPARE(arena->blobCount(), 0ull);
    QCOMPARE(arena->bytesUsed(), 0ull);

    // A borrowed reference (a worker's view) holds the mapping but no shared count: after
    // a retain of the borrowed view, the owner's one release still frees the blob.
    BlobRef owned;
    QVERIFY(arena->allocate(100, owned, nullptr));
    BlobRef borrowed = owned;
    borrowed.borrowed = true;
    retainBlob(borrowed);
    QVERIFY(arena->isValidBlob(owned.offset, 100));
    releaseBlob(owned);
    QVERIFY(!arena->isValidBlob(owned.offset, 100));
    releaseBlob(borrowed); // its hold on the mapping
    QCOMPARE(arena->blobCount(), 0ull);
    QCOMPARE(arena->bytesUsed(), 0ull);
}

void TestSharedArena::referenceReleasedInAnotherProcessFrees() {
    // Another process maps the arena by name and drops one reference; the parent's drop
    // of the last one frees the blob, and the figures agree in both mappings.
    ArenaHandle arena(8);
    HeldBlobs blobs;
    QVERIFY(blobs.allocate(arena.get(), 5000));
    const std::uint64_t offset = blobs.at(0).offset;
    arena->retainShared(offset, false); // the reference the child will drop
    std::memcpy(const_cast<char*>(blobs.at(0).data), "hello", 5);

    Children children;
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        SharedArena* mapped = SharedArena::attach(arena->name());
        int code = 0;
        if (mapped->base() == arena->base())
            code = 10; // must be a mapping of its own
        else if (!mapped->isValidBlob(offset, 5000) ||
                 std::memcmp(mapped->base() + offset, "hello", 5) != 0)
            code = 11;
        else if (mapped->blobCount() != 1)
            code = 12;
        else
            mapped->releaseShared(offset);
        _exit(code);
    }
    children.pids.push_back(child);
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    children.pids.clear();
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
    QVERIFY(arena->isValidBlob(offset, 5000)); // ours still holds it
    QCOMPARE(arena->blobCount(), 1ull);
    blobs.release(0);
    QVERIFY(!arena->isValidBlob(offset, 5000));
    QCOMPARE(arena->blobCount(), 0ull);
    QCOMPARE(arena->bytesUsed(), 0ull);
}

void TestSharedArena::exhaustionFailsCleanlyThenRecovers() {
    ArenaHandle arena(8);
    HeldBlobs blobs;
    QString error;

    // Larger than the arena can ever hold: refused up front, with the remedy named.
    BlobRef tooLarge;
    QVERIFY(!arena->allocate(arena->largestPossibleBlob() + 1, tooLarge, &error));
    QVERIFY2(error.contains(QStringLiteral("does not fit")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("arena_bytes")), qPrintable(error));
    QCOMPARE(tooLarge.arena, nullptr);
    QCOMPARE(arena->blobCount(), 0ull);

    for (int i = 0; i < 8; ++i)
        QVERIFY2(blobs.allocate(arena.get(), kOneChunkPayload, &error), qPrintable(error));
    QCOMPARE(arena->bytesUsed(), arena->capacityBytes());
    QCOMPARE(arena->blobCount(), 8ull);
    blobs.stamp();

    error.clear();
    BlobRef refused;
    QVERIFY(!arena->allocate(1, refused, &error));
    QVERIFY2(error.contains(QStringLiteral("arena is full")), qPrintable(error));
    QCOMPARE(refused.arena, nullptr);
    // The failure changed nothing.
    QCOMPARE(arena->bytesUsed(), arena->capacityBytes());
    QCOMPARE(arena->blobCount(), 8ull);
    QCOMPARE(blobs.firstDamaged(), -1);

    blobs.release(5);
    QVERIFY2(blobs.allocate(arena.get(), 1, &error), qPrintable(error));
    QCOMPARE(blobs.at(8).offset, blobs.at(4).offset + kChunk); // the freed chunk
    QCOMPARE(arena->blobCount(), 8ull);
    QVERIFY(!arena->allocate(1, refused, nullptr)); // full again

    for (std::size_t i = 0; i < blobs.size(); ++i) {
        if (blobs.at(i).arena)
            blobs.release(i);
    }
    QCOMPARE(arena->bytesUsed(), 0ull);
    QCOMPARE(arena->blobCount(), 0ull);
    // The whole arena as one blob, once everything is back.
    QVERIFY2(blobs.allocate(arena.get(), arena->largestPossibleBlob(), &error), qPrintable(error));
    QCOMPARE(arena->bytesUsed(), arena->capacityBytes());
}

void TestSharedArena::freeRunsCoalesce() {
    ArenaHandle arena(16);
    HeldBlobs blobs;
    for (int i = 0; i < 16; ++i)
        QVERIFY(blobs.allocate(arena.get(), kOneChunkPayload));
    blobs.stamp();
    const std::uint64_t firstChunkOffset = blobs.at(0).offset;

    // Every other chunk free: half the arena free, but no two chunks together.
    for (std::size_t i = 0; i < 16; i += 2)
        blobs.release(i);
    QCOMPARE(arena->bytesUsed(), 8 * kChunk);
    QCOMPARE(arena->blobCount(), 8ull);
    BlobRef twoChunks;
    QString error;
    QVERIFY(!arena->allocate(kChunk, twoChunks, &error));
    QVERIFY2(error.contains(QStringLiteral("arena is full")), qPrintable(error));
    QVERIFY(blobs.allocate(arena.get(), kOneChunkPayload)); // a single chunk still fits
    QCOMPARE(blobs.at(16).offset, firstChunkOffset);
    blobs.stamp(16);
    QCOMPARE(blobs.firstDamaged(), -1);

    // Free chunks 5 and 7: with 4, 6 and 8 already free, chunks 4..8 join into one run
    // of five (the other free chunks, 2, 10, 12 and 14, stay alone).
    blobs.release(5);
    blobs.release(7);
    const std::uint64_t fiveChunks = 5 * kChunk - SharedArena::kBlobHeaderBytes;
    QVERIFY2(!arena->allocate(fiveChunks + 1, twoChunks, nullptr), "six chunks cannot fit");
    QVERIFY2(blobs.allocate(arena.get(), fiveChunks, &error), qPrintable(error));
    QCOMPARE(blobs.at(blobs.size() - 1).offset, blobs.at(3).offset + kChunk); // at chunk 4
    blobs.stamp(blobs.size() - 1);
    QCOMPARE(blobs.firstDamaged(), -1);

    // Everything free again: one run the size of the arena.
    for (std::size_t i = 0; i < blobs.size(); ++i) {
        if (blobs.at(i).arena)
            blobs.release(i);
    }
    QCOMPARE(arena->bytesUsed(), 0ull);
    QCOMPARE(arena->blobCount(), 0ull);
    QVERIFY2(blobs.allocate(arena.get(), arena->largestPossibleBlob(), &error), qPrintable(error));
    QCOMPARE(blobs.at(blobs.size() - 1).offset, firstChunkOffset);
}

void TestSharedArena::runBeforeTheSearchHintIsFound() {
    // The search starts after the last allocation; a free run only before it must still
    // be found (the search wraps).
    ArenaHandle arena(16);
    HeldBlobs blobs;
    for (int i = 0; i < 12; ++i)
        QVERIFY(blobs.allocate(arena.get(), kOneChunkPayload));
    const std::uint64_t firstChunkOffset = blobs.at(0).offset;
    for (std::size_t i = 0; i < 6; ++i)
        blobs.release(i); // chunks 0..5 free; 12..15 free but only four long
    QString error;
    QVERIFY2(blobs.allocate(arena.get(), 6 * kChunk - SharedArena::kBlobHeaderBytes, &error),
             qPrintable(error));
    QCOMPARE(blobs.at(12).offset, firstChunkOffset);
    QVERIFY(blobs.allocate(arena.get(), 4 * kChunk - SharedArena::kBlobHeaderBytes));
    QCOMPARE(arena->bytesUsed(), arena->capacityBytes());
    QCOMPARE(arena->blobCount(), 8ull);
}

void TestSharedArena::provisionalBlobsOfADeadProcessAreSwept() {
    // A child allocates three provisional blobs and hands a fourth on (as putting it in a
    // task slot does), then is SIGKILLed: the sweep for its pid frees exactly the three.
    struct Page {
        std::atomic<int> state; ///< 1 = allocated, -1 = failed
        std::uint64_t handedOn;
        std::uint64_t provisional[3];
    };
    ArenaHandle arena(16);
    HeldBlobs ours; // a blob of this process: never swept
    QVERIFY(ours.allocate(arena.get(), 2 * kChunk));
    ours.stamp();
    SharedPage<Page> page;
    Children children;
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        SharedArena::setProvisionalOwner(getpid());
        BlobRef blob;
        for (std::uint64_t& offset : page->provisional) {
            if (!arena->allocate(kChunk, blob, nullptr)) {
                page->state.store(-1);
                _exit(1);
            }
            offset = blob.offset;
        }
        if (!arena->allocate(100, blob, nullptr)) {
            page->state.store(-1);
            _exit(1);
        }
        // Into a task slot (no longer provisional), then the child's own reference goes.
        arena->retainShared(blob.offset, true);
        releaseBlob(blob);
        page->handedOn = blob.offset;
        page->state.store(1);
        for (;;)
            pause();
    }
    children.pids.push_back(child);
    QVERIFY(waitFor([&] { return page->state.load() != 0; }, 10000));
    QCOMPARE(page->state.load(), 1);
    QCOMPARE(arena->blobCount(), 5ull);
    const std::uint64_t usedWithChild = arena->bytesUsed();
    const std::uint64_t ourChunks = chunksFor(2 * kChunk);
    QCOMPARE(usedWithChild, (ourChunks + 3 * chunksFor(kChunk) + 1) * kChunk);

    // Sweeping another pid, or pid 0 ("nobody"), frees nothing.
    QCOMPARE(arena->sweepProvisional(getpid()), 0);
    QCOMPARE(arena->sweepProvisional(0), 0);
    QCOMPARE(arena->blobCount(), 5ull);

    children.killAndReap(child);
    QCOMPARE(arena->sweepProvisional(child), 3);
    QCOMPARE(arena->blobCount(), 2ull);
    QCOMPARE(arena->bytesUsed(), (ourChunks + 1) * kChunk);
    for (std::uint64_t offset : page->provisional)
        QVERIFY(!arena->isValidBlob(offset, kChunk));
    QVERIFY(arena->isValidBlob(page->handedOn, 100));
    QCOMPARE(ours.firstDamaged(), -1);
    QCOMPARE(arena->sweepProvisional(child), 0); // a second sweep finds nothing

    // The slot's reference is the only one left: dropping it frees the blob.
    arena->releaseShared(page->handedOn);
    QVERIFY(!arena->isValidBlob(page->handedOn, 100));
    QCOMPARE(arena->blobCount(), 1ull);
    QCOMPARE(arena->bytesUsed(), ourChunks * kChunk);
}

void TestSharedArena::holderKilledInsideTheLockIsRepaired() {
    // A child allocates and frees in a tight loop (nearly all of it under the arena lock)
    // and is SIGKILLed at a random moment, a hundred times. After each kill this process
    // must get the lock, the journal repair must leave the figures matching what is
    // really held, and, once the dead child's provisional blobs are swept, every chunk
    // this process does not hold must be allocatable again.
    constexpr int kKills = 100;
    constexpr std::uint64_t kChunks = 64;
    struct Page {
        std::atomic<std::uint64_t> iterations;
        std::atomic<int> inCall; ///< 1 while inside allocate() or a release
    };
    ArenaHandle arena(kChunks);
    HeldBlobs ours; // held throughout; must survive every repair untouched
    QVERIFY(ours.allocate(arena.get(), kOneChunkPayload));
    QVERIFY(ours.allocate(arena.get(), 3 * kChunk));
    ours.stamp();
    const std::uint64_t ourChunks = 1 + chunksFor(3 * kChunk);

    std::random_device device;
    const unsigned seed = device();
    qInfo("kill timing seed %u", seed);
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> pauseUs(0, 3000);
    SharedPage<Page> page;
    Watchdog watchdog(240);
    int killsInsideACall = 0;
    for (int kill = 0; kill < kKills; ++kill) {
        page->iterations.store(0);
        page->inCall.store(0);
        Children children;
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            // Provisional, like a worker's blobs, so a sweep can reclaim what it held.
            SharedArena::setProvisionalOwner(getpid());
            BlobRef held[8] = {};
            std::uint32_t state = std::uint32_t(getpid());
            for (std::uint64_t i = 1;; ++i) {
                state = state * 1664525u + 1013904223u; // no malloc, no locks but the arena's
                BlobRef& slot = held[(state >> 8) % 8];
                page->inCall.store(1, std::memory_order_relaxed);
                if (slot.arena) {
                    releaseBlob(slot);
                    slot = BlobRef{};
                } else {
                    const std::uint64_t size = ((state >> 16) % (4 * kChunk)) + 1;
                    if (!arena->allocate(size, slot, nullptr))
                        slot = BlobRef{};
                }
                page->inCall.store(0, std::memory_order_relaxed);
                page->iterations.store(i, std::memory_order_relaxed);
            }
        }
        children.pids.push_back(child);
        watchdog.step("waiting for child " + std::to_string(kill) + " to start");
        QVERIFY(waitFor([&] { return page->iterations.load() > 0; }, 10000));
        std::this_thread::sleep_for(std::chrono::microseconds(pauseUs(random)));
        children.killAndReap(child);
        if (page->inCall.load() == 1)
            ++killsInsideACall;

        watchdog.step("locking after kill " + std::to_string(kill));
        arena->sweepProvisional(child); // takes the lock (and repairs) first
        const QString where = QStringLiteral("after kill %1").arg(kill);
        QVERIFY2(arena->blobCount() == 2,
                 qPrintable(where + QStringLiteral(": %1 blobs").arg(arena->blobCount())));
        QVERIFY2(arena->bytesUsed() == ourChunks * kChunk,
                 qPrintable(where + QStringLiteral(": %1 bytes used").arg(arena->bytesUsed())));
        QVERIFY2(ours.firstDamaged() == -1, qPrintable(where + QStringLiteral(": data damaged")));
        QVERIFY(arena->isValidBlob(ours.at(0).offset, kOneChunkPayload));
        QVERIFY(arena->isValidBlob(ours.at(1).offset, 3 * kChunk));

        // All the space we do not hold, as large blobs: the rest of the arena after our
        // two blobs is one run (they sit at its start).
        watchdog.step("allocating after kill " + std::to_string(kill));
        const std::uint64_t freeChunks = kChunks - ourChunks;
        BlobRef rest;
        QString error;
        QVERIFY2(arena->allocate(freeChunks * kChunk - SharedArena::kBlobHeaderBytes, rest, &error),
                 qPrintable(where + QStringLiteral(": ") + error));
        QCOMPARE(arena->bytesUsed(), arena->capacityBytes());
        releaseBlob(rest);
        QCOMPARE(arena->bytesUsed(), ourChunks * kChunk);
    }
    // The child spends nearly all its time inside the arena's calls; if no kill landed
    // there, this test did not test what it says.
    qInfo("%d kills, %d of them inside allocate() or a release", kKills, killsInsideACall);
    QVERIFY(killsInsideACall > 0);
}

QTEST_APPLESS_MAIN(TestSharedArena)
#include "tst_sharedarena.moc"
