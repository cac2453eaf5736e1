#pragma once

#include <QHash>
#include <QJsonObject>
#include <QString>

#include <memory>

class QProcess;

namespace AqueductBench {

/// One run of ppe_peer.py: what it printed, or why it has nothing.
struct PeerResult {
    QString peer;     ///< "ppe-map", "ppe-async", "mp-pool-imap", "pool-idle", "pool-lifecycle"
    QJsonObject data; ///< the peer's JSON line (tasks_per_s counts verified tasks only)
    QString error;    ///< empty when the peer ran and every result was right
    bool ok() const { return error.isEmpty() && !data.isEmpty(); }
    double value(const char* key) const { return data.value(QLatin1String(key)).toDouble(); }
};

/// Runs the Python peers (tests/bench/ppe_peer.py) one at a time, never while a measured
/// flow is busy, and remembers each result so scenarios sharing a peer pay for it once.
class PythonPeers {
public:
    PythonPeers(bool enabled, QString script);
    ~PythonPeers();

    bool enabled() const { return m_enabled; }
    /// AMOUNT is tasks for the bulk peers, seconds for ppe-async and pool-idle, cycles for
    /// pool-lifecycle (see ppe_peer.py).
    PeerResult run(const QString& peer, const QString& work, int workers, int concurrency,
                   double amount, qint64 arg = 0);

    /// For a peer that runs alongside an idle flow: start now, collect with finish().
    void startDetached(const QString& peer, const QString& work, int workers, int concurrency,
                       double amount);
    PeerResult finish(double timeoutS);

private:
    QStringList arguments(const QString& peer, const QString& work, int workers, int concurrency,
                          double amount, qint64 arg) const;
    PeerResult collect(QProcess& python, const QString& peer, double timeoutS);

    bool m_enabled = true;
    QString m_script;
    QHash<QString, PeerResult> m_cache;
    std::unique_ptr<QProcess> m_detached;
    QString m_detachedPeer;
    double m_detachedAmount = 0;
};

} // namespace AqueductBench
