#pragma once

#include "shm/SharedLayout.h"
#include "shm/ShmSegment.h"

#include "aqueduct/PipelineDocument.h"

#include <cstdint>
#include <vector>

namespace Aqueduct::Internal {

/// The control segment of one flow run, seen from the parent (creator) or a worker.
class FlowLayout {
public:
    FlowLayout() = default;

    /// Parent: sizes and creates the segment for `document`. Throws std::runtime_error.
    void create(const PipelineDocument& document);
    /// Size of the segment create(document) would make, without creating anything.
    static std::uint64_t requiredBytes(const PipelineDocument& document);
    /// Worker: maps the parent's segment. Throws std::runtime_error.
    void attach(const std::string& segmentName);
    void reset();
    bool isValid() const { return m_header != nullptr; }

    const std::string& segmentName() const { return m_segment.name(); }
    ControlHeader& header() const { return *m_header; }
    int stepCount() const { return int(m_header->stepCount); }
    int workerCount() const { return int(m_header->workerCount); }
    int laneCount() const { return int(m_header->laneCount); }
    std::uint32_t slotCount() const { return m_header->slotCount; }
    std::uint32_t slotPayloadCapacity() const {
        return m_header->slotBytes - std::uint32_t(sizeof(SlotHeader));
    }

    StepControl& step(int index) const { return m_steps[index]; }
    WorkerControl& worker(int index) const { return m_workers[index]; }
    SlotRing& lane(int stepIndex, int lane) {
        return m_lanes[std::size_t(stepIndex * laneCount() + lane)];
    }
    SlotRing& completion() { return m_completion; }
    SlotHeader& slot(std::uint32_t index) const {
        return *reinterpret_cast<SlotHeader*>(m_base + m_header->slotsOffset +
                                              std::uint64_t(index) * m_header->slotBytes);
    }
    char* slotPayload(std::uint32_t index) const {
        return reinterpret_cast<char*>(&slot(index)) + sizeof(SlotHeader);
    }

private:
    enum class LayOut { Create, SizeOnly };
    std::uint64_t layOut(const PipelineDocument& document, LayOut mode);
    void bindViews();

    ShmSegment m_segment;
    char* m_base = nullptr;
    ControlHeader* m_header = nullptr;
    StepControl* m_steps = nullptr;
    WorkerControl* m_workers = nullptr;
    std::vector<SlotRing> m_lanes;
    SlotRing m_completion;
};

} // namespace Aqueduct::Internal
