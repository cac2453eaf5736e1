#include "shm/SlotProtocol.h"

#include "payload/SharedArena.h"
#include "payload/TaskCodec.h"
#include "shm/Futex.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>

namespace Aqueduct::Internal {

void SlotProtocol::bind(FlowLayout* layout, SharedArena* arena, int wakeFd) {
    m_layout = layout;
    m_arena = arena;
    m_wakeFd = wakeFd;
}

SlotProtocol::Send SlotProtocol::send(std::uint32_t slot, std::uint32_t holder, int step, int lane,
                                      WorkerControl* self) {
    SlotHeader& header = m_layout->slot(slot);
    const std::uint32_t target = queued(step, lane);
    if (self)
        self->handoffSlot.store(slot, std::memory_order_release);
    // The owner changes before the entry exists: a taker that finds the entry always
    // finds the owner saying Queued. Dying between the two leaves handoffSlot behind.
    header.owner.store(target, std::memory_order_release);
    const PushResult pushed = m_layout->lane(step, lane).push(slot);
    if (pushed == PushResult::Full) {
        std::uint32_t expected = target;
        // A stale entry of this slot may have let a taker claim it meanwhile: then it
        // is sent after all.
        if (header.owner.compare_exchange_strong(expected, holder, std::memory_order_acq_rel)) {
            if (self)
                self->handoffSlot.store(kNoSlot, std::memory_order_release);
            return Send::Full;
        }
    }
    if (self)
        self->handoffSlot.store(kNoSlot, std::memory_order_release);
    wakeConsumers(m_layout->step(step));
    return Send::Queued;
}

bool SlotProtocol::take(int step, int lane, std::uint32_t taker, std::uint32_t& slot) {
    SlotRing& ring = m_layout->lane(step, lane);
    const std::uint32_t expected = queued(step, lane);
    std::uint32_t candidate = kNoSlot;
    while (ring.front(candidate)) {
        bool claimed = false;
        if (candidate < m_layout->slotCount()) {
            std::uint32_t owner = expected;
            claimed = m_layout->slot(candidate).owner.compare_exchange_strong(
                owner, taker, std::memory_order_acq_rel);
        }
        ring.popFront(); // a stale entry (the slot moved on) is dropped here
        if (claimed) {
            slot = candidate;
            return true;
        }
    }
    return false;
}

void SlotProtocol::complete(std::uint32_t slot, std::uint32_t holder, WorkerControl& self) {
    (void)holder;
    SlotHeader& header = m_layout->slot(slot);
    self.handoffSlot.store(slot, std::memory_order_release);
    header.owner.store(kDone, std::memory_order_release);
    // The completion ring holds every slot plus one stale entry per worker, so it is
    // never full; if it ever were, wait for the parent rather than drop the result.
    while (m_layout->completion().push(slot) == PushResult::Full) {
        wakeParent();
        sched_yield();
    }
    self.handoffSlot.store(kNoSlot, std::memory_order_release);
    wakeParent();
}

bool SlotProtocol::collect(std::uint32_t& slot) {
    SlotRing& ring = m_layout->completion();
    std::uint32_t candidate = kNoSlot;
    while (ring.front(candidate)) {
        bool claimed = false;
        if (candidate < m_layout->slotCount()) {
            std::uint32_t owner = kDone;
            claimed = m_layout->slot(candidate).owner.compare_exchange_strong(
                owner, kParent, std::memory_order_acq_rel);
        }
        ring.popFront();
        if (claimed) {
            slot = candidate;
            return true;
        }
    }
    return false;
}

std::uint32_t SlotProtocol::reclaim(std::uint32_t slot, std::uint32_t expectedOwner) {
    std::uint32_t owner = expectedOwner;
    if (m_layout->slot(slot).owner.compare_exchange_strong(owner, kParent,
                                                           std::memory_order_acq_rel))
        return expectedOwner;
    return kParent;
}

void SlotProtocol::wakeConsumers(StepControl& step) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (step.sleepingConsumers.load(std::memory_order_relaxed) > 0) {
        step.consumerSeq.fetch_add(1, std::memory_order_release);
        futexWake(&step.consumerSeq, 1);
    }
}

void SlotProtocol::wakeProducers(StepControl& step) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (step.sleepingProducers.load(std::memory_order_relaxed) > 0) {
        step.producerSeq.fetch_add(1, std::memory_order_release);
        futexWake(&step.producerSeq, 0);
    }
    if (step.parentWaitingForRoom.load(std::memory_order_relaxed) != 0 &&
        step.parentWaitingForRoom.exchange(0, std::memory_order_acq_rel) != 0 && m_wakeFd >= 0) {
        const std::uint64_t one = 1;
        [[maybe_unused]] ssize_t written = ::write(m_wakeFd, &one, sizeof one);
    }
}

void SlotProtocol::wakeEverySleeper(StepControl& step) {
    step.consumerSeq.fetch_add(1);
    futexWake(&step.consumerSeq, 0);
    step.producerSeq.fetch_add(1);
    futexWake(&step.producerSeq, 0);
}

void SlotProtocol::wakeParent() {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    ControlHeader& header = m_layout->header();
    if (header.parentSleeping.load(std::memory_order_relaxed) != 0 &&
        header.parentSleeping.exchange(0, std::memory_order_acq_rel) != 0 && m_wakeFd >= 0) {
        const std::uint64_t one = 1;
        [[maybe_unused]] ssize_t written = ::write(m_wakeFd, &one, sizeof one);
    }
}

bool SlotProtocol::replaceSlotBlobs(std::uint32_t slot) {
    SlotHeader& header = m_layout->slot(slot);
    SlotBlobList& list = header.blobs;
    const int current = list.active.load(std::memory_order_acquire) & 1;
    const int next = current ^ 1;
    int count = 0;
    bool tooMany = false;
    if (m_arena && header.status == 0) {
        TaskCodec::forEachBlob(m_layout->slotPayload(slot), header.payloadBytes,
                               [&](std::uint64_t offset) {
                                   for (int i = 0; i < count; ++i) {
                                       if (list.offsets[next][i] == offset)
                                           return; // the same blob twice in one task: one reference
                                   }
                                   if (count == kMaxSlotBlobs) {
                                       tooMany = true;
                                       return;
                                   }
                                   list.offsets[next][count++] = offset;
                               });
    }
    if (tooMany)
        return false;
    list.counts[next] = std::uint8_t(count);
    const std::uint64_t* old = list.offsets[current];
    const int oldCount = list.counts[current];
    auto contains = [](const std::uint64_t* offsets, int n, std::uint64_t offset) {
        return std::find(offsets, offsets + n, offset) != offsets + n;
    };
    // Retain the new ones, commit, then release the dropped ones: dying in between
    // leaks a reference at worst, never frees a blob someone still reads. A blob kept
    // from input to output costs nothing (the usual pass-through case has no window).
    for (int i = 0; i < count; ++i) {
        if (!contains(old, oldCount, list.offsets[next][i]))
            m_arena->retainShared(list.offsets[next][i], true);
    }
    list.active.store(std::uint8_t(next), std::memory_order_release);
    for (int i = 0; i < oldCount; ++i) {
        if (!contains(list.offsets[next], count, old[i]))
            m_arena->releaseShared(old[i]);
    }
    return true;
}

void SlotProtocol::releaseSlotBlobs(std::uint32_t slot) {
    SlotBlobList& list = m_layout->slot(slot).blobs;
    const int current = list.active.load(std::memory_order_acquire) & 1;
    const int oldCount = list.counts[current];
    if (oldCount == 0)
        return;
    const int next = current ^ 1;
    list.counts[next] = 0;
    list.active.store(std::uint8_t(next), std::memory_order_release);
    for (int i = 0; i < oldCount; ++i) {
        if (m_arena)
            m_arena->releaseShared(list.offsets[current][i]);
    }
}

int SlotProtocol::slotBlobCount(std::uint32_t slot) const {
    const SlotBlobList& list = m_layout->slot(slot).blobs;
    return list.counts[list.active.load(std::memory_order_acquire) & 1];
}

} // namespace Aqueduct::Internal
