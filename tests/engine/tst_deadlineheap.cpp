// DeadlineHeap (issue 16, item 5): one bounded structure for every deadline, whatever
// timeouts clients pick; finished tasks leave it at once.
#include "runtime/DeadlineHeap.h"

#include <QRandomGenerator>
#include <QTest>

#include <map>
#include <set>

using namespace Aqueduct::Internal;

class TestDeadlineHeap : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesASortedReference();
    void distinctTimeoutsKeepItBoundedByTasksInFlight();
};

void TestDeadlineHeap::matchesASortedReference() {
    DeadlineHeap heap;
    std::set<std::pair<std::int64_t, std::uint32_t>> reference;
    std::map<std::uint32_t, std::int64_t> deadlineOf;
    QRandomGenerator random(16);
    for (int step = 0; step < 200'000; ++step) {
        const std::uint32_t record = random.bounded(2000u);
        const int action = int(random.bounded(3u));
        if (action == 0 || deadlineOf.count(record) == 0) {
            if (auto found = deadlineOf.find(record); found != deadlineOf.end())
                reference.erase({found->second, record});
            const std::int64_t deadline = std::int64_t(random.bounded(1'000'000u)) * 1000;
            heap.insert(record, deadline);
            reference.insert({deadline, record});
            deadlineOf[record] = deadline;
        } else if (action == 1) {
            heap.remove(record);
            reference.erase({deadlineOf[record], record});
            deadlineOf.erase(record);
        } else {
            QVERIFY(!heap.empty());
            QCOMPARE(heap.earliestNs(), reference.begin()->first);
            const std::uint32_t earliest = heap.earliestRecord();
            QCOMPARE(deadlineOf[earliest], reference.begin()->first);
            heap.remove(earliest);
            reference.erase({deadlineOf[earliest], earliest});
            deadlineOf.erase(earliest);
        }
        QCOMPARE(heap.size(), reference.size());
    }
}

void TestDeadlineHeap::distinctTimeoutsKeepItBoundedByTasksInFlight() {
    // 100,000 tasks, each with its own timeout, 256 in flight at a time: the heap never
    // holds more than the tasks in flight, and nothing once they are done.
    DeadlineHeap heap;
    std::size_t largest = 0;
    for (std::uint32_t task = 0; task < 100'000; ++task) {
        const std::uint32_t record = task % 256;
        heap.remove(record); // the previous task of this record finished
        heap.insert(record,
                    std::int64_t(task) * 1'000'000 + std::int64_t(task % 977) * 1'000'000'000);
        largest = std::max(largest, heap.size());
    }
    for (std::uint32_t record = 0; record < 256; ++record)
        heap.remove(record);
    QCOMPARE(largest, std::size_t(256));
    QVERIFY(heap.empty());
}

QTEST_APPLESS_MAIN(TestDeadlineHeap)
#include "tst_deadlineheap.moc"
