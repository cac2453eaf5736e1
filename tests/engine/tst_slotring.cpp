// SlotRing (issue 15): the shared-memory ring under several producer processes, with
// producers SIGKILLed mid-push; and the full/empty answers are exact.
#include "shm/SlotRing.h"

#include <QElapsedTimer>
#include <QTest>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <vector>

using namespace Aqueduct::Internal;

namespace {

/// A ring plus per-producer counters in one anonymous shared mapping (RAII).
class SharedRing {
public:
    SharedRing(std::uint32_t capacity, std::uint32_t limit, int producers) {
        m_bytes = sizeof(SlotRingHeader) + sizeof(SlotRingCell) * capacity +
                  sizeof(Counters) * std::size_t(producers);
        m_base = static_cast<char*>(
            mmap(nullptr, m_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
        auto* header = new (m_base) SlotRingHeader{};
        auto* cells = reinterpret_cast<SlotRingCell*>(m_base + sizeof(SlotRingHeader));
        SlotRing::initialise(header, cells, capacity, limit, sizeof(SlotRingHeader));
        m_ring = SlotRing(header, cells);
        m_counters = reinterpret_cast<Counters*>(m_base + sizeof(SlotRingHeader) +
                                                 sizeof(SlotRingCell) * capacity);
        for (int p = 0; p < producers; ++p)
            new (&m_counters[p]) Counters{};
    }
    ~SharedRing() { munmap(m_base, m_bytes); }
    SlotRing& ring() { return m_ring; }
    struct Counters {
        std::atomic<std::uint64_t> pushed;
        std::atomic<std::uint64_t> fullAnswers;
    };
    Counters& counters(int producer) { return m_counters[producer]; }

private:
    char* m_base = nullptr;
    std::size_t m_bytes = 0;
    SlotRing m_ring;
    Counters* m_counters = nullptr;
};

/// Children that are always reaped, even when an assertion fails.
struct Children {
    std::vector<pid_t> pids;
    ~Children() {
        for (pid_t pid : pids) {
            ::kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
};

constexpr std::uint32_t kValueBits = 24; ///< value = producer << 24 | sequence

} // namespace

class TestSlotRing : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fullAndEmptyAreExact();
    void producersAcrossProcessesNeverSeeSpuriousFull();
    void producersKilledMidPushLoseOnlyTheirLastValue();
};

void TestSlotRing::fullAndEmptyAreExact() {
    SharedRing shared(8, 5, 0);
    SlotRing& ring = shared.ring();
    std::uint32_t slot = 0;
    QVERIFY(!ring.front(slot));
    for (std::uint32_t i = 0; i < 5; ++i)
        QCOMPARE(ring.push(i), PushResult::Pushed);
    QCOMPARE(ring.push(99), PushResult::Full); // limit 5, not capacity 8
    // Wrap around many laps: FIFO order, never a wrong full or empty.
    std::uint32_t expected = 0;
    std::uint32_t next = 5;
    for (int round = 0; round < 1000; ++round) {
        QVERIFY(ring.front(slot));
        QCOMPARE(slot, expected++);
        ring.popFront();
        QCOMPARE(ring.push(next++), PushResult::Pushed);
        QCOMPARE(ring.push(99), PushResult::Full);
    }
    for (int i = 0; i < 5; ++i) {
        QVERIFY(ring.front(slot));
        ring.popFront();
    }
    QVERIFY(!ring.front(slot));
}

void TestSlotRing::producersAcrossProcessesNeverSeeSpuriousFull() {
    // Four producer processes, one consumer (this process), a ring large enough never
    // to fill: every push must succeed and every value arrive exactly once.
    constexpr int kProducers = 4;
    constexpr std::uint32_t kPerProducer = 200'000;
    SharedRing shared(1u << 20, 1u << 20, kProducers);
    Children children;
    for (int p = 0; p < kProducers; ++p) {
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            for (std::uint32_t i = 0; i < kPerProducer; ++i) {
                if (shared.ring().push((std::uint32_t(p) << kValueBits) | i) != PushResult::Pushed)
                    shared.counters(p).fullAnswers.fetch_add(1);
                else
                    shared.counters(p).pushed.fetch_add(1);
            }
            _exit(0);
        }
        children.pids.push_back(child);
    }
    std::vector<std::vector<bool>> seen(kProducers, std::vector<bool>(kPerProducer, false));
    std::vector<std::uint32_t> nextInOrder(kProducers, 0);
    std::uint64_t received = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t outOfOrder = 0;
    QElapsedTimer elapsed;
    elapsed.start();
    while (received < std::uint64_t(kProducers) * kPerProducer && elapsed.elapsed() < 60000) {
        std::uint32_t value = 0;
        if (!shared.ring().front(value))
            continue;
        shared.ring().popFront();
        const int producer = int(value >> kValueBits);
        const std::uint32_t sequence = value & ((1u << kValueBits) - 1);
        QVERIFY(producer < kProducers && sequence < kPerProducer);
        if (seen[producer][sequence])
            ++duplicates;
        seen[producer][sequence] = true;
        if (sequence != nextInOrder[producer])
            ++outOfOrder; // one producer's pushes arrive in its order
        nextInOrder[producer] = sequence + 1;
        ++received;
    }
    for (int p = 0; p < kProducers; ++p)
        QCOMPARE(shared.counters(p).fullAnswers.load(), 0ull);
    QCOMPARE(received, std::uint64_t(kProducers) * kPerProducer);
    QCOMPARE(duplicates, 0ull);
    QCOMPARE(outOfOrder, 0ull);
}

void TestSlotRing::producersKilledMidPushLoseOnlyTheirLastValue() {
    // Producers push as fast as they can and are SIGKILLed at random moments, many times;
    // the ring must never wedge, and each producer's values must arrive as a gap-free
    // prefix: all it counted as pushed, plus at most the one it was pushing.
    constexpr int kRounds = 200;
    constexpr int kProducers = 3;
    SharedRing shared(64, 48, kProducers);
    std::uint64_t totalKills = 0;
    for (int round = 0; round < kRounds; ++round) {
        for (int p = 0; p < kProducers; ++p)
            shared.counters(p).pushed.store(0);
        Children children;
        for (int p = 0; p < kProducers; ++p) {
            const pid_t child = fork();
            QVERIFY(child >= 0);
            if (child == 0) {
                for (std::uint32_t i = 0;; ++i) {
                    while (shared.ring().push((std::uint32_t(p) << kValueBits) | i) !=
                           PushResult::Pushed)
                        sched_yield();
                    shared.counters(p).pushed.store(i + 1);
                }
            }
            children.pids.push_back(child);
        }
        std::vector<std::uint32_t> received(kProducers, 0);
        const int killAfter = 50 + round * 7 % 400; // consume for a varying while, then kill
        for (int taken = 0; taken < killAfter;) {
            std::uint32_t value = 0;
            if (!shared.ring().front(value))
                continue;
            shared.ring().popFront();
            const int producer = int(value >> kValueBits);
            QCOMPARE(value & ((1u << kValueBits) - 1), received[producer]);
            ++received[producer];
            ++taken;
        }
        for (pid_t pid : children.pids) {
            ::kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
            ++totalKills;
        }
        children.pids.clear();
        std::uint32_t value = 0;
        while (shared.ring().front(value)) {
            shared.ring().popFront();
            const int producer = int(value >> kValueBits);
            QCOMPARE(value & ((1u << kValueBits) - 1), received[producer]);
            ++received[producer];
        }
        for (int p = 0; p < kProducers; ++p) {
            const std::uint64_t pushed = shared.counters(p).pushed.load();
            QVERIFY2(received[p] == pushed || received[p] == pushed + 1,
                     qPrintable(QStringLiteral("producer %1: pushed %2, received %3")
                                    .arg(p)
                                    .arg(pushed)
                                    .arg(received[p])));
        }
        // Still usable by a fresh producer after the kills.
        QCOMPARE(shared.ring().push(7), PushResult::Pushed);
        QVERIFY(shared.ring().front(value));
        QCOMPARE(value, 7u);
        shared.ring().popFront();
    }
    QCOMPARE(totalKills, std::uint64_t(kRounds) * kProducers);
}

QTEST_APPLESS_MAIN(TestSlotRing)
#include "tst_slotring.moc"
