#pragma once

#include <cstdint>
#include <vector>

namespace Aqueduct::Internal {

/// The deadlines of the tasks in flight: a binary min-heap keyed by deadline, with each
/// record's position kept so a task that finishes leaves the heap at once. Its size is
/// the number of tasks in flight, whatever timeouts clients choose (one timer serves
/// them all); every operation is O(log n).
class DeadlineHeap {
public:
    static constexpr std::uint32_t kAbsent = 0xffffffffu;

    void clear() {
        m_entries.clear();
        m_positions.clear();
    }
    bool empty() const { return m_entries.empty(); }
    std::size_t size() const { return m_entries.size(); }
    std::int64_t earliestNs() const { return m_entries.front().deadlineNs; }
    std::uint32_t earliestRecord() const { return m_entries.front().record; }

    void insert(std::uint32_t record, std::int64_t deadlineNs) {
        if (record >= m_positions.size())
            m_positions.resize(std::size_t(record) + 1, kAbsent);
        if (m_positions[record] != kAbsent)
            remove(record);
        m_entries.push_back({deadlineNs, record});
        m_positions[record] = std::uint32_t(m_entries.size() - 1);
        siftUp(m_entries.size() - 1);
    }

    void remove(std::uint32_t record) {
        if (record >= m_positions.size() || m_positions[record] == kAbsent)
            return;
        const std::size_t at = m_positions[record];
        m_positions[record] = kAbsent;
        const std::size_t last = m_entries.size() - 1;
        if (at != last) {
            m_entries[at] = m_entries[last];
            m_positions[m_entries[at].record] = std::uint32_t(at);
        }
        m_entries.pop_back();
        if (at < m_entries.size()) {
            siftUp(at);
            siftDown(m_positions[m_entries[at].record] == at ? at
                                                             : m_positions[m_entries[at].record]);
        }
    }

private:
    struct Entry {
        std::int64_t deadlineNs;
        std::uint32_t record;
    };

    void swapAt(std::size_t a, std::size_t b) {
        std::swap(m_entries[a], m_entries[b]);
        m_positions[m_entries[a].record] = std::uint32_t(a);
        m_positions[m_entries[b].record] = std::uint32_t(b);
    }
    void siftUp(std::size_t at) {
        while (at > 0) {
            const std::size_t parent = (at - 1) / 2;
            if (m_entries[parent].deadlineNs <= m_entries[at].deadlineNs)
                return;
            swapAt(parent, at);
            at = parent;
        }
    }
    void siftDown(std::size_t at) {
        for (;;) {
            const std::size_t left = 2 * at + 1;
            if (left >= m_entries.size())
                return;
            std::size_t smallest = left;
            if (left + 1 < m_entries.size() &&
                m_entries[left + 1].deadlineNs < m_entries[left].deadlineNs)
                smallest = left + 1;
            if (m_entries[at].deadlineNs <= m_entries[smallest].deadlineNs)
                return;
            swapAt(at, smallest);
            at = smallest;
        }
    }

    std::vector<Entry> m_entries;
    std::vector<std::uint32_t> m_positions; ///< record -> index in m_entries, kAbsent if none
};

} // namespace Aqueduct::Internal
