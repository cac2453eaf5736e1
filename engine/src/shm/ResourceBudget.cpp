#include "shm/ResourceBudget.h"

#include "payload/SharedArena.h"
#include "shm/FlowLayout.h"
#include "shm/SharedLayout.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace Aqueduct::Internal {

namespace {

constexpr std::uint64_t align64(std::uint64_t value) {
    return (value + 63) & ~std::uint64_t(63);
}

/// Same default as FlowLayout: one slot is 64 KiB with its header.
constexpr std::uint64_t kDefaultSlotBytes = 64 * 1024;
/// Beyond these the exact layout is not computed (it walks every worker and lane).
constexpr std::uint64_t kMaxExactWorkers = std::uint64_t(kMaxWorkersLimit);
constexpr std::uint64_t kMaxExactLanes = 1u << 20;

std::uint64_t laneCountOf(const PipelineDocument& document) {
    return std::uint64_t(std::clamp(document.flow.queuePriorities, 1, kMaxLanes));
}

std::uint64_t queueSizeOf(const StepSpec& step) {
    // effectiveQueueSize() in 64 bits: a hostile batch_size must not overflow 3 x batch.
    if (step.queueSize > 0)
        return std::uint64_t(step.queueSize);
    return std::max<std::uint64_t>(3 * std::uint64_t(std::max(step.batchSize, 1)), 20);
}

/// Slots one step holds: its queues plus a batch per worker (as FlowLayout sizes them).
std::uint64_t stepSlots(const StepSpec& step, std::uint64_t lanes) {
    return queueSizeOf(step) * lanes +
           std::uint64_t(std::max(step.nprocs, 1)) * std::uint64_t(std::max(step.batchSize, 1));
}

bool fieldsInRange(const PipelineDocument& document) {
    const FlowSettings& flow = document.flow;
    if (flow.queuePriorities < 1 || flow.queuePriorities > kMaxLanes || flow.maxTaskBytes < 0 ||
        flow.maxTaskBytes > kMaxTaskBytesLimit)
        return false;
    for (const StepSpec& step : document.steps) {
        if (step.nprocs < 1 || step.nprocs > kMaxNprocs || step.batchSize < 1 ||
            step.batchSize > kMaxBatchSize || step.queueSize < 0 || step.queueSize > kMaxQueueSize)
            return false;
    }
    return true;
}

QString worstStepField(const PipelineDocument& document, int index, std::uint64_t lanes) {
    const StepSpec& step = document.steps[index];
    const std::uint64_t queuePart = queueSizeOf(step) * lanes;
    const std::uint64_t batchPart =
        std::uint64_t(std::max(step.nprocs, 1)) * std::uint64_t(std::max(step.batchSize, 1));
    const QString path = QStringLiteral("$.steps[%1].").arg(index);
    if (step.queueSize > 0 && queuePart >= batchPart)
        return path + QStringLiteral("queue_size");
    if (step.batchSize > 1)
        return path + QStringLiteral("batch_size");
    return path + QStringLiteral("nprocs");
}

/// The field to change: the arena, the slot size, one step that holds most slots, or
/// the step list as a whole.
QString sharedMemoryCulprit(const PipelineDocument& document, const ResourceBudget& budget,
                            QString* stepId) {
    if (budget.arenaBytes * 2 >= budget.sharedMemoryBytes())
        return QStringLiteral("$.flow.shared_memory.arena_bytes");
    if (budget.slotBytes > kDefaultSlotBytes)
        return QStringLiteral("$.flow.max_task_bytes");
    const std::uint64_t lanes = laneCountOf(document);
    int worst = -1;
    std::uint64_t worstSlots = 0;
    for (int i = 0; i < document.steps.size(); ++i) {
        const std::uint64_t slots = stepSlots(document.steps[i], lanes);
        if (slots > worstSlots) {
            worstSlots = slots;
            worst = i;
        }
    }
    if (worst >= 0 && worstSlots * 2 >= budget.taskSlots) {
        *stepId = document.steps[worst].id;
        return worstStepField(document, worst, lanes);
    }
    return QStringLiteral("$.steps");
}

Problem budgetProblem(const QString& path, const QString& message, const QString& stepId = {}) {
    Problem problem;
    problem.path = path;
    problem.message = message;
    problem.stepId = stepId;
    return problem;
}

} // namespace

QString formatBytes(std::uint64_t bytes, Rounding rounding) {
    struct Unit {
        std::uint64_t size;
        const char* name;
    };
    static constexpr Unit kUnits[] = {
        {1ull << 40, "TiB"}, {1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
    for (const Unit& unit : kUnits) {
        if (bytes >= unit.size) {
            const double tenths = double(bytes) / double(unit.size) * 10;
            const double rounded =
                (rounding == Rounding::Up ? std::ceil(tenths) : std::round(tenths)) / 10;
            QString text = QString::number(rounded, 'f', 1);
            if (text.endsWith(QLatin1String(".0")))
                text.chop(2);
            return text + QLatin1Char(' ') + QLatin1String(unit.name);
        }
    }
    return QStringLiteral("%1 bytes").arg(bytes);
}

ResourceBudget ResourceBudget::compute(const PipelineDocument& document) {
    ResourceBudget budget;
    const FlowSettings& flow = document.flow;
    const std::uint64_t lanes = laneCountOf(document);
    std::uint64_t queueCapacity = 0;
    for (const StepSpec& step : document.steps) {
        budget.workers += std::uint64_t(std::max(step.nprocs, 0));
        budget.taskSlots += stepSlots(step, lanes);
        queueCapacity += queueSizeOf(step) * lanes;
    }
    // The parent's headroom, as FlowLayout adds it.
    budget.taskSlots += std::clamp<std::uint64_t>(queueCapacity, 4, 64);
    const std::uint64_t taskBytes = flow.maxTaskBytes > 0 ? std::uint64_t(flow.maxTaskBytes)
                                                          : kDefaultSlotBytes - sizeof(SlotHeader);
    budget.slotBytes = align64(sizeof(SlotHeader) + taskBytes);
    if (flow.arenaBytes > 0)
        budget.arenaBytes = SharedArena::requiredBytes(std::uint64_t(flow.arenaBytes));

    budget.exact = fieldsInRange(document) && budget.workers <= kMaxExactWorkers &&
                   std::uint64_t(document.steps.size()) * lanes <= kMaxExactLanes &&
                   budget.taskSlots <= kMaxTaskSlots;
    if (budget.exact)
        budget.controlBytes = FlowLayout::requiredBytes(document);
    else
        budget.controlBytes =
            budget.taskSlots * budget.slotBytes; // no overflow: both are far below 2^32
    return budget;
}

QList<Problem> checkResourceBudget(const PipelineDocument& document) {
    QList<Problem> problems;
    if (document.steps.isEmpty())
        return problems;
    const LimitSettings& limits = document.flow.limits;
    const ResourceBudget budget = ResourceBudget::compute(document);
    const QString atLeast = budget.exact ? QString() : QStringLiteral("at least ");

    if (limits.maxSharedMemoryBytes > 0 &&
        budget.sharedMemoryBytes() > std::uint64_t(limits.maxSharedMemoryBytes)) {
        QString stepId;
        const QString path = sharedMemoryCulprit(document, budget, &stepId);
        problems.append(
            budgetProblem(path,
                          QStringLiteral("this flow needs %1%2 of shared memory (control segment "
                                         "%3 for %4 task slots of %5, "
                                         "arena %6); the limit is %7: lower it, or raise "
                                         "flow.limits.max_shared_memory_bytes")
                              .arg(atLeast, formatBytes(budget.sharedMemoryBytes(), Rounding::Up),
                                   formatBytes(budget.controlBytes))
                              .arg(budget.taskSlots)
                              .arg(formatBytes(budget.slotBytes), formatBytes(budget.arenaBytes),
                                   formatBytes(std::uint64_t(limits.maxSharedMemoryBytes))),
                          stepId));
    }
    // Past the slot cap the memory is far past any default limit: one message is enough.
    if (budget.taskSlots > kMaxTaskSlots && problems.isEmpty()) {
        QString stepId;
        ResourceBudget slotsOnly = budget;
        slotsOnly.arenaBytes = 0;
        slotsOnly.slotBytes = kDefaultSlotBytes;
        const QString path = sharedMemoryCulprit(document, slotsOnly, &stepId);
        problems.append(
            budgetProblem(path,
                          QStringLiteral("this flow needs %1 task slots (queues plus a batch per "
                                         "worker); the engine's limit is %2")
                              .arg(budget.taskSlots)
                              .arg(kMaxTaskSlots),
                          stepId));
    }
    if (limits.maxWorkers > 0 && budget.workers > std::uint64_t(limits.maxWorkers)) {
        problems.append(budgetProblem(
            QStringLiteral("$.steps"),
            QStringLiteral("this flow starts %1 worker processes (%2 steps); the limit "
                           "is %3: lower nprocs, or raise flow.limits.max_workers")
                .arg(budget.workers)
                .arg(document.steps.size())
                .arg(limits.maxWorkers)));
    }
    return problems;
}

QString checkSharedMemorySpace(const PipelineDocument& document, const char* directory) {
    const ResourceBudget budget = ResourceBudget::compute(document);
    struct statvfs status {};
    if (::statvfs(directory, &status) != 0)
        return QStringLiteral("cannot check free space in %1: %2")
            .arg(QString::fromLocal8Bit(directory), QString::fromLocal8Bit(std::strerror(errno)));
    const std::uint64_t freeBytes = std::uint64_t(status.f_bavail) * std::uint64_t(status.f_frsize);
    const std::uint64_t needed = budget.sharedMemoryBytes();
    if (needed <= freeBytes)
        return {};
    const QString fix =
        budget.arenaBytes >= budget.controlBytes
            ? QStringLiteral("lower flow.shared_memory.arena_bytes (now %1)")
                  .arg(formatBytes(std::uint64_t(document.flow.arenaBytes)))
            : QStringLiteral(
                  "lower the steps' queue_size, batch_size or nprocs, or flow.max_task_bytes "
                  "(task slots take %1)")
                  .arg(formatBytes(budget.controlBytes));
    // Round free space down and the need up, so the message never reads "67 MiB free, needs 67
    // MiB".
    return QStringLiteral(
               "%1 has %2 free, this flow needs %3: %4 or give the container a larger %1")
        .arg(QString::fromLocal8Bit(directory),
             formatBytes(freeBytes & ~((std::uint64_t(1) << 20) - 1)),
             formatBytes(needed, Rounding::Up), fix);
}

} // namespace Aqueduct::Internal
