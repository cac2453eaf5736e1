#include <aqueduct/driver/SyntheticTaskSource.h>

namespace Aqueduct::Driver {

SyntheticTaskSource::SyntheticTaskSource(std::int64_t payloadBytes, PriorityFor priorityFor)
    : m_priorityFor(std::move(priorityFor)) {
    if (payloadBytes > 0) {
        m_payload.resize(std::size_t(payloadBytes));
        for (std::size_t i = 0; i < m_payload.size(); ++i)
            m_payload[i] = char(i * 131 + 7);
    }
}

SyntheticTaskSource::SyntheticTaskSource(Fill fill)
    : m_fill(std::move(fill)) {}

void SyntheticTaskSource::take(DriveItem& item) {
    item.index = m_generated;
    item.line = 0;
    item.error.clear();
    item.task.reset(); // keeps the field storage of the previous task
    if (m_fill) {
        m_fill(m_generated, item.task);
    } else {
        item.task.appendField("value").setInt(std::int64_t(m_generated));
        if (!m_payload.empty())
            item.task.appendField("payload").setBytes(m_payload);
        if (m_priorityFor)
            item.task.setPriority(m_priorityFor(m_generated));
    }
    ++m_generated;
}

} // namespace Aqueduct::Driver
