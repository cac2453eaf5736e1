#pragma once

#include <aqueduct/driver/TaskJson.h>

#include <QObject>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

class QSocketNotifier;

namespace Aqueduct::Driver {

/// Reads JSON lines (a file or stdin) on its own thread and parses them into tasks there,
/// so neither a slow pipe nor JSON parsing stalls the event loop that drives the flow.
/// Parsed tasks wait in a bounded queue (the reader blocks when it is full), in input order.
class JsonLinesReader : public QObject {
    Q_OBJECT
public:
    struct Item {
        std::uint64_t line = 0; ///< 1-based line number in the input
        TaskJson::ParsedTask parsed;
        QString error; ///< non-empty: the line is not a valid task (bad input)
    };

    explicit JsonLinesReader(QObject* parent = nullptr);
    ~JsonLinesReader() override;

    /// "-" = stdin.
    bool open(const QString& path, QString* error);
    void start();
    /// Stops reading (lines not read yet are never read); already parsed items stay takeable.
    void stop();

    /// Main thread: takes the next item if one is ready.
    bool take(Item& item);
    bool hasItem() const {
        return m_localPosition < m_local.size() ||
               m_sharedItems.load(std::memory_order_acquire) > 0;
    }
    /// Reading ended (end of input, stop() or an error) and every item was taken.
    bool finished() const { return m_threadDone.load(std::memory_order_acquire) && !hasItem(); }
    /// A read error, if reading ended because of one.
    QString readError() const;
    /// Lines longer than this become a bad-input item (default 256 MiB); before start().
    void setMaxLineBytes(std::size_t bytes) { m_maxLineBytes = bytes; }
    /// Read a regular file again from its start each time it ends (before start()); a pass
    /// with no valid task ends the reading, so a file of bad lines is reported once.
    void setRepeat(bool repeat) { m_repeat = repeat; }
    /// Size of the input when it is a regular file, else -1 (for progress).
    qint64 totalBytes() const { return m_totalBytes; }
    /// Bytes read in the current pass (see setRepeat).
    qint64 bytesRead() const { return m_bytesRead.load(std::memory_order_relaxed); }

Q_SIGNALS:
    /// New items are ready, or reading ended.
    void itemsAvailable();

private:
    void threadMain();
    void processLine(const char* data, std::size_t size, std::vector<Item>& batch);
    void publish(std::vector<Item>& batch);
    void notifyMain();
    void onNotified();

    static constexpr std::size_t kBatchItems = 256;
    static constexpr std::size_t kMaxQueuedItems = 16384;

    std::size_t m_maxLineBytes = std::size_t(256) << 20;
    bool m_repeat = false;
    int m_fd = -1;
    bool m_ownsFd = false;
    int m_stopFd = -1;   ///< eventfd: wakes the reader's poll on stop()
    int m_notifyFd = -1; ///< eventfd: wakes the main thread
    std::unique_ptr<QSocketNotifier> m_notifier;
    qint64 m_totalBytes = -1;
    std::thread m_thread;

    mutable std::mutex m_mutex;
    std::condition_variable m_roomAvailable;
    std::deque<std::vector<Item>> m_shared; ///< guarded by m_mutex
    QString m_readError;                    ///< guarded by m_mutex
    std::atomic<std::size_t> m_sharedItems{0};
    std::atomic<bool> m_threadDone{false};
    std::atomic<bool> m_stopRequested{false};
    std::atomic<qint64> m_bytesRead{0};

    // Reader thread only.
    std::uint64_t m_lineNumber = 0;
    std::uint64_t m_validInPass = 0;
    bool m_skippingLongLine = false;

    // Main thread only.
    std::vector<Item> m_local;
    std::size_t m_localPosition = 0;
};

} // namespace Aqueduct::Driver
