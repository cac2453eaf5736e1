#pragma once

#include <atomic>
#include <cstdint>

namespace Aqueduct::Internal {

/// Header of a bounded multi-producer multi-consumer ring (Dmitry Vyukov's design) that
/// lives in shared memory. Cells follow at `cellsOffset` from the segment base.
/// `limit` (<= capacity) is the queue_size bound; capacity is a power of two.
struct alignas(64) RingHeader {
    alignas(64) std::atomic<std::uint64_t> enqueuePos;
    alignas(64) std::atomic<std::uint64_t> dequeuePos;
    alignas(64) std::uint32_t capacity;
    std::uint32_t mask;
    std::uint32_t limit;
    std::uint64_t cellsOffset;
};

struct RingCell {
    std::atomic<std::uint64_t> sequence;
    std::uint64_t value;
};

/// A view of a ring in this process's mapping. Copyable; owns nothing.
class MpmcRing {
public:
    MpmcRing() = default;
    MpmcRing(RingHeader* header, RingCell* cells) : m_header(header), m_cells(cells) {}

    /// Initialises header and cells (creator only, before any other process maps it).
    static void initialise(RingHeader* header, RingCell* cells, std::uint32_t capacity,
                           std::uint32_t limit, std::uint64_t cellsOffset)
    {
        header->enqueuePos.store(0, std::memory_order_relaxed);
        header->dequeuePos.store(0, std::memory_order_relaxed);
        header->capacity = capacity;
        header->mask = capacity - 1;
        header->limit = limit;
        header->cellsOffset = cellsOffset;
        for (std::uint32_t i = 0; i < capacity; ++i) {
            cells[i].sequence.store(i, std::memory_order_relaxed);
            cells[i].value = 0;
        }
    }

    bool tryEnqueue(std::uint64_t value)
    {
        std::uint64_t pos = m_header->enqueuePos.load(std::memory_order_relaxed);
        for (;;) {
            if (pos - m_header->dequeuePos.load(std::memory_order_acquire) >= m_header->limit)
                return false;
            RingCell& cell = m_cells[pos & m_header->mask];
            const std::uint64_t seq = cell.sequence.load(std::memory_order_acquire);
            const std::int64_t diff = std::int64_t(seq) - std::int64_t(pos);
            if (diff == 0) {
                if (m_header->enqueuePos.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
                    cell.value = value;
                    cell.sequence.store(pos + 1, std::memory_order_release);
                    return true;
                }
            } else if (diff < 0) {
                return false; // full
            } else {
                pos = m_header->enqueuePos.load(std::memory_order_relaxed);
            }
        }
    }

    bool tryDequeue(std::uint64_t& value)
    {
        std::uint64_t pos = m_header->dequeuePos.load(std::memory_order_relaxed);
        for (;;) {
            RingCell& cell = m_cells[pos & m_header->mask];
            const std::uint64_t seq = cell.sequence.load(std::memory_order_acquire);
            const std::int64_t diff = std::int64_t(seq) - std::int64_t(pos + 1);
            if (diff == 0) {
                if (m_header->dequeuePos.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
                    value = cell.value;
                    cell.sequence.store(pos + m_header->mask + 1, std::memory_order_release);
                    return true;
                }
            } else if (diff < 0) {
                return false; // empty
            } else {
                pos = m_header->dequeuePos.load(std::memory_order_relaxed);
            }
        }
    }

    /// The value at the head without taking it (a hint: another consumer may take it).
    bool peek(std::uint64_t& value) const
    {
        const std::uint64_t pos = m_header->dequeuePos.load(std::memory_order_acquire);
        const RingCell& cell = m_cells[pos & m_header->mask];
        if (cell.sequence.load(std::memory_order_acquire) != pos + 1)
            return false;
        value = cell.value;
        return true;
    }

    /// Approximate number of queued items.
    std::uint32_t size() const
    {
        const std::uint64_t enq = m_header->enqueuePos.load(std::memory_order_relaxed);
        const std::uint64_t deq = m_header->dequeuePos.load(std::memory_order_relaxed);
        return enq > deq ? std::uint32_t(enq - deq) : 0;
    }
    bool empty() const { return size() == 0; }
    std::uint32_t limit() const { return m_header->limit; }
    bool valid() const { return m_header != nullptr; }

private:
    RingHeader* m_header = nullptr;
    RingCell* m_cells = nullptr;
};

} // namespace Aqueduct::Internal
