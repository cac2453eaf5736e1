#pragma once

#include <atomic>
#include <cstdint>

namespace Aqueduct::Internal {

/// Header of a bounded ring of slot indices in shared memory: many producers, one
/// consumer at a time (a step's batch-lock holder, or the parent for completions).
/// Cells follow at `cellsOffset` from the segment base; capacity is a power of two and
/// `limit` (<= capacity) is the queue_size bound.
///
/// Built so that a process SIGKILLed at any instruction leaves the ring usable:
/// - a producer publishes with ONE compare-and-swap on the cell itself (empty marker of
///   this lap -> slot of this lap). Before it, nothing happened; after it, the entry is
///   in. `tail` is only a hint that every producer helps forward, so a producer dying
///   before it moves `tail` blocks nobody (unlike a claim-then-publish ring, where a
///   claimed but unpublished cell wedges every later consumer);
/// - the consumer clears a cell (marker of the next lap) before it moves `head`; the next
///   consumer recognises a cleared cell at `head` and steps over it.
/// What the entry means (whether the slot is still queued here) is decided by the
/// slot's own state word (SlotProtocol), not by the ring, so a stale entry left by a
/// consumer that died after taking a slot is recognised and skipped.
struct alignas(64) SlotRingHeader {
    alignas(64) std::atomic<std::uint64_t> tail; ///< hint: at or before the first empty cell
    alignas(64) std::atomic<std::uint64_t> head; ///< next cell to consume (consumer-owned)
    alignas(64) std::uint32_t capacity;
    std::uint32_t mask;
    std::uint32_t limit;
    std::uint32_t shift; ///< log2(capacity): lap = position >> shift
    std::uint64_t cellsOffset;
};

/// One cell: high 32 bits the lap (position / capacity), low 32 bits slot + 1 (0 = empty).
using SlotRingCell = std::atomic<std::uint64_t>;

/// Result of a push: Full means the ring held `limit` entries at one instant (never a
/// spurious full from a stale position).
enum class PushResult : std::uint8_t { Pushed, Full };

/// A view of a ring in this process's mapping. Copyable; owns nothing.
class SlotRing {
public:
    SlotRing() = default;
    SlotRing(SlotRingHeader* header, SlotRingCell* cells)
        : m_header(header)
        , m_cells(cells) {}

    /// Initialises header and cells (creator only, before any other process maps it).
    static void initialise(SlotRingHeader* header, SlotRingCell* cells, std::uint32_t capacity,
                           std::uint32_t limit, std::uint64_t cellsOffset) {
        header->tail.store(0, std::memory_order_relaxed);
        header->head.store(0, std::memory_order_relaxed);
        header->capacity = capacity;
        header->mask = capacity - 1;
        header->limit = limit;
        header->shift = std::uint32_t(__builtin_ctz(capacity));
        header->cellsOffset = cellsOffset;
        for (std::uint32_t i = 0; i < capacity; ++i)
            cells[i].store(0, std::memory_order_relaxed); // lap 0, empty
    }

    PushResult push(std::uint32_t slot) {
        for (;;) {
            const std::uint64_t head = m_header->head.load(std::memory_order_acquire);
            std::uint64_t pos = m_header->tail.load(std::memory_order_acquire);
            if (pos < head) {
                // The hint fell behind a consumer (its producer died before moving it).
                m_header->tail.compare_exchange_weak(pos, head, std::memory_order_acq_rel);
                continue;
            }
            if (pos - head >= m_header->limit) {
                // Full only if head did not move while we read tail: then at that instant
                // the ring held pos - head >= limit entries.
                if (m_header->head.load(std::memory_order_acquire) == head)
                    return PushResult::Full;
                continue;
            }
            SlotRingCell& cell = m_cells[pos & m_header->mask];
            std::uint64_t value = cell.load(std::memory_order_acquire);
            const std::uint32_t lap = lapOf(pos);
            if (value == emptyCell(pos)) {
                if (cell.compare_exchange_strong(
                        value, (std::uint64_t(lap) << 32) | (std::uint64_t(slot) + 1),
                        std::memory_order_acq_rel)) {
                    m_header->tail.compare_exchange_strong(pos, pos + 1, std::memory_order_acq_rel);
                    return PushResult::Pushed;
                }
                continue;
            }
            if (std::uint32_t(value >> 32) == lap && std::uint32_t(value) != 0) {
                // Filled by a producer that has not moved the hint yet: help it.
                m_header->tail.compare_exchange_strong(pos, pos + 1, std::memory_order_acq_rel);
                continue;
            }
            // Any other marker: our reading of tail is stale; read again.
        }
    }

    /// The consumer's view of the entry at head. Returns false when the ring is empty.
    /// Steps over cells a dead consumer cleared without moving head.
    bool front(std::uint32_t& slot) {
        for (;;) {
            const std::uint64_t pos = m_header->head.load(std::memory_order_relaxed);
            const std::uint64_t value =
                m_cells[pos & m_header->mask].load(std::memory_order_acquire);
            if (std::uint32_t(value >> 32) == lapOf(pos) && std::uint32_t(value) != 0) {
                slot = std::uint32_t(value) - 1;
                return true;
            }
            if (value == emptyCell(pos + m_header->capacity)) {
                m_header->head.store(pos + 1, std::memory_order_release); // cleared, head not moved
                continue;
            }
            return false;
        }
    }

    /// The consumer removes the entry at head (after front() returned it).
    void popFront() {
        const std::uint64_t pos = m_header->head.load(std::memory_order_relaxed);
        m_cells[pos & m_header->mask].store(emptyCell(pos + m_header->capacity),
                                            std::memory_order_release);
        m_header->head.store(pos + 1, std::memory_order_release);
    }

    /// Any process: whether an entry looks present at head (a hint for sleepers).
    bool looksNonEmpty() const {
        const std::uint64_t pos = m_header->head.load(std::memory_order_acquire);
        const std::uint64_t value = m_cells[pos & m_header->mask].load(std::memory_order_acquire);
        return std::uint32_t(value) != 0 || m_header->tail.load(std::memory_order_acquire) > pos;
    }

    /// Approximate number of entries (stale ones included).
    std::uint32_t size() const {
        const std::uint64_t head = m_header->head.load(std::memory_order_acquire);
        const std::uint64_t tail = m_header->tail.load(std::memory_order_acquire);
        return tail > head ? std::uint32_t(tail - head) : 0;
    }
    std::uint32_t limit() const { return m_header->limit; }
    std::uint32_t capacity() const { return m_header->capacity; }
    bool valid() const { return m_header != nullptr; }

    /// The entry at head without the consumer's rights (priority aging peeks lanes).
    bool peek(std::uint32_t& slot) const {
        const std::uint64_t pos = m_header->head.load(std::memory_order_acquire);
        const std::uint64_t value = m_cells[pos & m_header->mask].load(std::memory_order_acquire);
        if (std::uint32_t(value >> 32) != lapOf(pos) || std::uint32_t(value) == 0)
            return false;
        slot = std::uint32_t(value) - 1;
        return true;
    }

private:
    std::uint32_t lapOf(std::uint64_t pos) const { return std::uint32_t(pos >> m_header->shift); }
    /// The marker of an empty cell awaiting position `pos`.
    std::uint64_t emptyCell(std::uint64_t pos) const { return std::uint64_t(lapOf(pos)) << 32; }

    SlotRingHeader* m_header = nullptr;
    SlotRingCell* m_cells = nullptr;
};

} // namespace Aqueduct::Internal
