#pragma once

#include <aqueduct/Task.h>

#include <QString>

#include <cstdint>
#include <functional>

namespace Aqueduct::Driver {

/// Why a driver stopped taking tasks (the first reason wins, except that a hard stop or a
/// failed flow overrides a gentler one).
enum class StopReason {
    None,
    EndOfInput, ///< the source ran dry (end of a JSON-lines input)
    Count,      ///< the count limit was reached
    Duration,   ///< the duration limit was reached
    Signal,     ///< SIGINT/SIGTERM (`aqueduct run`)
    HardStop,   ///< asked to stop at once
    FlowFailed,
    OutputError, ///< results could not be written (`aqueduct run`)
    ReadError,   ///< reading the input failed
    Stopped      ///< closeIntake() by the owner for any other reason (the monitor's Stop)
};
/// The summary's `stopped_by`: end_of_input, count, duration, signal, hard_stop,
/// flow_failed, output_error, read_error, stopped.
QString stopReasonName(StopReason reason);

/// What a lane carries: the next task, or a line that could not become one.
struct DriveItem {
    std::uint64_t sequence = 0; ///< 0.. in intake order (bad input lines included)
    std::uint64_t index = 0;    ///< 0.. the source's own count of what it produced
    std::uint64_t line = 0;     ///< input line (JSON lines), 0 when generated
    Task task;
    std::int64_t timeoutMs = 0; ///< 0 = the driver's default
    QString error;              ///< non-empty: bad input, never submitted
};

/// Where a FlowDriver takes its tasks from. Called on the driver's thread only.
class TaskSource {
public:
    virtual ~TaskSource() = default;

    /// Called once before the first take (e.g. starts a reader thread).
    virtual void start() {}
    /// No more takes will follow (e.g. stops the reader thread).
    virtual void stop() {}
    /// An item can be taken now.
    virtual bool ready() = 0;
    /// Nothing more will ever be ready.
    virtual bool exhausted() const = 0;
    /// Why exhausted() is true: EndOfInput unless said otherwise (e.g. ReadError).
    virtual StopReason exhaustedReason() const { return StopReason::EndOfInput; }
    /// Fills `item` (task or error; its task storage may be reused). Only after ready().
    virtual void take(DriveItem& item) = 0;

    /// The driver sets this: call it when items became ready or the source ran dry
    /// without being asked (asynchronous sources).
    void setAvailableCallback(std::function<void()> callback) { m_available = std::move(callback); }

protected:
    void notifyAvailable() {
        if (m_available)
            m_available();
    }

private:
    std::function<void()> m_available;
};

/// Never has a task and never runs dry: the driver idles until its duration or a stop
/// (the monitor's "no load", for probing workers).
class IdleTaskSource final : public TaskSource {
public:
    bool ready() override { return false; }
    bool exhausted() const override { return false; }
    void take(DriveItem&) override {}
};

} // namespace Aqueduct::Driver
