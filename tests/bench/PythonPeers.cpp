#include "PythonPeers.h"

#include <QJsonDocument>
#include <QProcess>

namespace AqueductBench {

PythonPeers::PythonPeers(bool enabled, QString script)
    : m_enabled(enabled)
    , m_script(std::move(script)) {}

PythonPeers::~PythonPeers() {
    if (m_detached) {
        m_detached->kill();
        m_detached->waitForFinished(5000);
    }
}

QStringList PythonPeers::arguments(const QString& peer, const QString& work, int workers,
                                   int concurrency, double amount, qint64 arg) const {
    QStringList list{m_script,
                     peer,
                     work,
                     QString::number(workers),
                     QString::number(concurrency),
                     QString::number(amount, 'g', 12)};
    if (arg)
        list << QString::number(arg);
    return list;
}

PeerResult PythonPeers::collect(QProcess& python, const QString& peer, double timeoutS) {
    PeerResult result;
    result.peer = peer;
    // A detached peer may have started and finished already: only a real failure to
    // start counts (waitForStarted is false for a finished process too).
    if (python.state() == QProcess::Starting)
        python.waitForStarted(30000);
    if (python.error() == QProcess::FailedToStart) {
        result.error =
            QStringLiteral("%1: python3 did not start: %2").arg(peer, python.errorString());
        return result;
    }
    if (!python.waitForFinished(int(timeoutS * 1000))) {
        python.kill();
        python.waitForFinished(5000);
        result.error = QStringLiteral("%1: no answer within %2 s").arg(peer).arg(timeoutS);
        return result;
    }
    const QByteArray out = python.readAllStandardOutput();
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(out.trimmed(), &parseError);
    result.data = document.object();
    if (python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0) {
        const QString firstError = result.data.value(QStringLiteral("first_error")).toString();
        result.error =
            QStringLiteral("%1: exit %2%3 %4")
                .arg(peer)
                .arg(python.exitCode())
                .arg(firstError.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(firstError),
                     QString::fromUtf8(python.readAllStandardError().right(400)).trimmed());
    } else if (!document.isObject()) {
        result.error =
            QStringLiteral("%1: unreadable output: %2").arg(peer, parseError.errorString());
    }
    return result;
}

PeerResult PythonPeers::run(const QString& peer, const QString& work, int workers, int concurrency,
                            double amount, qint64 arg) {
    if (!m_enabled)
        return {peer, {}, QStringLiteral("peers disabled (--no-peer)")};
    const QStringList list = arguments(peer, work, workers, concurrency, amount, arg);
    const QString key = list.mid(1).join(QLatin1Char(' '));
    if (const auto cached = m_cache.constFind(key); cached != m_cache.constEnd())
        return cached.value();
    QProcess python;
    python.start(QStringLiteral("python3"), list);
    // Generous: the bulk peers run N tasks at whatever rate Python manages.
    const PeerResult result = collect(python, peer, 600);
    m_cache.insert(key, result);
    return result;
}

void PythonPeers::startDetached(const QString& peer, const QString& work, int workers,
                                int concurrency, double amount) {
    if (!m_enabled)
        return;
    m_detached = std::make_unique<QProcess>();
    m_detachedPeer = peer;
    m_detachedAmount = amount;
    m_detached->start(QStringLiteral("python3"),
                      arguments(peer, work, workers, concurrency, amount, 0));
}

PeerResult PythonPeers::finish(double timeoutS) {
    if (!m_detached)
        return {m_detachedPeer, {}, QStringLiteral("peers disabled (--no-peer)")};
    PeerResult result = collect(*m_detached, m_detachedPeer, timeoutS);
    m_detached.reset();
    return result;
}

} // namespace AqueductBench
