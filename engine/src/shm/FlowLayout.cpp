#include "shm/FlowLayout.h"

#include "shm/Clock.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string_view>

namespace Aqueduct::Internal {

namespace {

constexpr std::uint64_t align64(std::uint64_t value) {
    return (value + 63) & ~std::uint64_t(63);
}

std::uint32_t nextPowerOfTwo(std::uint32_t value) {
    std::uint32_t power = 1;
    while (power < value)
        power <<= 1;
    return power;
}

constexpr std::uint32_t kDefaultMaxTaskBytes = 64 * 1024 - std::uint32_t(sizeof(SlotHeader));
constexpr std::uint32_t kParentHeadroomSlots = 64;
constexpr std::uint32_t kMaxSlots = 1u << 20;

} // namespace

void FlowLayout::create(const PipelineDocument& document) {
    layOut(document, LayOut::Create);
}

std::uint64_t FlowLayout::requiredBytes(const PipelineDocument& document) {
    FlowLayout sizing;
    return sizing.layOut(document, LayOut::SizeOnly);
}

// One computation for both sizing and creating, so the budget never disagrees with
// what start() allocates.
std::uint64_t FlowLayout::layOut(const PipelineDocument& document, LayOut mode) {
    reset();
    const FlowSettings& flow = document.flow;
    const std::uint32_t laneCount = std::uint32_t(std::clamp(flow.queuePriorities, 1, kMaxLanes));
    const std::uint32_t stepCount = std::uint32_t(document.steps.size());

    std::uint64_t slotCount = 0;
    std::uint64_t queueCapacity = 0;
    std::uint32_t workerCount = 0;
    for (const StepSpec& spec : document.steps) {
        queueCapacity += std::uint64_t(spec.effectiveQueueSize()) * laneCount;
        slotCount += std::uint64_t(spec.effectiveQueueSize()) * laneCount +
                     std::uint64_t(spec.nprocs) * spec.batchSize;
        workerCount += std::uint32_t(spec.nprocs);
    }
    // Headroom for tasks the parent has encoded but not yet queued (and results not yet
    // collected); bounded by the queues so huge slots (max_task_bytes) stay affordable.
    slotCount += std::clamp<std::uint64_t>(queueCapacity, 4, kParentHeadroomSlots);
    slotCount = std::min<std::uint64_t>(slotCount, kMaxSlots);
    const std::uint32_t maxTaskBytes =
        flow.maxTaskBytes > 0 ? std::uint32_t(flow.maxTaskBytes) : kDefaultMaxTaskBytes;
    const std::uint32_t slotBytes = std::uint32_t(align64(sizeof(SlotHeader) + maxTaskBytes));
    // Every slot plus one stale entry per worker (left by a worker killed mid-hand-off):
    // the completion ring is never full.
    const std::uint32_t completionCapacity =
        nextPowerOfTwo(std::uint32_t(slotCount) + workerCount + 1);

    // Offsets
    std::uint64_t offset = align64(sizeof(ControlHeader));
    const std::uint64_t stepsOffset = offset;
    offset = align64(offset + sizeof(StepControl) * stepCount);
    const std::uint64_t workersOffset = offset;
    offset = align64(offset + sizeof(WorkerControl) * workerCount);
    struct RingPlacement {
        std::uint64_t header;
        std::uint64_t cells;
        std::uint32_t capacity;
        std::uint32_t limit;
    };
    std::vector<RingPlacement> lanes;
    for (const StepSpec& spec : document.steps) {
        const std::uint32_t limit = std::uint32_t(spec.effectiveQueueSize());
        const std::uint32_t capacity = nextPowerOfTwo(limit);
        for (std::uint32_t lane = 0; lane < laneCount; ++lane) {
            RingPlacement placement{offset, 0, capacity, limit};
            offset = align64(offset + sizeof(SlotRingHeader));
            placement.cells = offset;
            offset = align64(offset + sizeof(SlotRingCell) * capacity);
            lanes.push_back(placement);
        }
    }
    const std::uint64_t completionOffset = offset;
    offset = align64(offset + sizeof(SlotRingHeader));
    const std::uint64_t completionCells = offset;
    offset = align64(offset + sizeof(SlotRingCell) * completionCapacity);
    const std::uint64_t slotsOffset = offset;
    offset += std::uint64_t(slotBytes) * slotCount;
    const std::uint64_t totalBytes = align64(offset);
    if (mode == LayOut::SizeOnly)
        return totalBytes;

    m_segment = ShmSegment::createUnique("ctl", totalBytes, ShmSegment::Prefault::Yes);
    m_base = m_segment.data();

    auto* header = new (m_base) ControlHeader{};
    header->magic = kLayoutMagic;
    header->stepCount = stepCount;
    header->workerCount = workerCount;
    header->laneCount = laneCount;
    header->slotCount = std::uint32_t(slotCount);
    header->slotBytes = slotBytes;
    header->totalBytes = totalBytes;
    header->stepsOffset = stepsOffset;
    header->workersOffset = workersOffset;
    header->completionOffset = completionOffset;
    header->slotsOffset = slotsOffset;
    header->parentPid = getpid();
    header->priorityAgingNs = std::int64_t(flow.priorityAgingMs) * 1'000'000;
    // Measured on 2 cores: polling wins even with more processes than cores (cpu_burn
    // nprocs 2 scales 1.9x with it, 0.76x without; 3 steps: 1.49M vs 0.41M tasks/s),
    // because sched_yield hands the core to a runnable worker. AQUEDUCT_SPIN=never
    // turns it off (e.g. on a machine shared with latency-sensitive work).
    const char* spinOverride = std::getenv("AQUEDUCT_SPIN");
    header->spinAllowed = spinOverride && std::string_view(spinOverride) == "never" ? 0 : 1;
    header->stopRequested.store(0);
    header->parentSleeping.store(1);

    std::uint32_t workerIndex = 0;
    std::size_t laneIndex = 0;
    for (std::uint32_t s = 0; s < stepCount; ++s) {
        const StepSpec& spec = document.steps[int(s)];
        auto* step = new (m_base + stepsOffset + sizeof(StepControl) * s) StepControl{};
        step->stepIndex = s;
        step->firstWorker = workerIndex;
        step->nprocs = std::uint32_t(spec.nprocs);
        step->batchSize = std::uint32_t(spec.batchSize);
        step->batchTimeoutNs = std::int64_t(spec.batchTimeoutMs) * 1'000'000;
        step->queueSize = std::uint32_t(spec.effectiveQueueSize());
        step->laneCount = laneCount;
        step->batchLock.initialise();
        for (std::uint32_t lane = 0; lane < laneCount; ++lane, ++laneIndex) {
            const RingPlacement& placement = lanes[laneIndex];
            step->laneRingOffsets[lane] = placement.header;
            auto* ringHeader = new (m_base + placement.header) SlotRingHeader{};
            auto* cells = reinterpret_cast<SlotRingCell*>(m_base + placement.cells);
            SlotRing::initialise(ringHeader, cells, placement.capacity, placement.limit,
                                 placement.cells);
        }
        for (int w = 0; w < spec.nprocs; ++w, ++workerIndex) {
            auto* worker =
                new (m_base + workersOffset + sizeof(WorkerControl) * workerIndex) WorkerControl{};
            worker->stepIndex = s;
            worker->workerIndex = std::uint32_t(w);
            worker->handoffSlot.store(kNoSlot);
        }
    }
    auto* completionHeader = new (m_base + completionOffset) SlotRingHeader{};
    SlotRing::initialise(completionHeader,
                         reinterpret_cast<SlotRingCell*>(m_base + completionCells),
                         completionCapacity, completionCapacity, completionCells);
    for (std::uint64_t slot = 0; slot < slotCount; ++slot) {
        auto* slotHeader = new (m_base + slotsOffset + slot * slotBytes) SlotHeader{};
        slotHeader->owner.store(0); // the parent's
    }
    m_header = header;
    bindViews();
    return totalBytes;
}

void FlowLayout::attach(const std::string& segmentName) {
    reset();
    m_segment = ShmSegment::open(segmentName);
    m_base = m_segment.data();
    m_header = reinterpret_cast<ControlHeader*>(m_base);
    if (m_segment.size() < sizeof(ControlHeader) || m_header->magic != kLayoutMagic ||
        m_header->totalBytes > m_segment.size()) {
        m_header = nullptr;
        throw std::runtime_error("shared memory '" + segmentName +
                                 "' is not an Aqueduct flow segment");
    }
    bindViews();
}

void FlowLayout::bindViews() {
    m_steps = reinterpret_cast<StepControl*>(m_base + m_header->stepsOffset);
    m_workers = reinterpret_cast<WorkerControl*>(m_base + m_header->workersOffset);
    m_lanes.clear();
    for (std::uint32_t s = 0; s < m_header->stepCount; ++s) {
        for (std::uint32_t lane = 0; lane < m_header->laneCount; ++lane) {
            auto* ringHeader =
                reinterpret_cast<SlotRingHeader*>(m_base + m_steps[s].laneRingOffsets[lane]);
            m_lanes.emplace_back(ringHeader,
                                 reinterpret_cast<SlotRingCell*>(m_base + ringHeader->cellsOffset));
        }
    }
    auto* completionHeader = reinterpret_cast<SlotRingHeader*>(m_base + m_header->completionOffset);
    m_completion = SlotRing(
        completionHeader, reinterpret_cast<SlotRingCell*>(m_base + completionHeader->cellsOffset));
}

void FlowLayout::reset() {
    m_lanes.clear();
    m_completion = SlotRing();
    m_header = nullptr;
    m_steps = nullptr;
    m_workers = nullptr;
    m_base = nullptr;
    m_segment.reset();
}

} // namespace Aqueduct::Internal
