#include "application/AutosaveManager.h"

#include "document/PipelineModel.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSet>
#include <QStandardPaths>
#include <QUuid>

#include <algorithm>
#include <cerrno>
#include <signal.h>

namespace Aqueduct::Ui {

namespace {

/// Sessions of this process that are still open (a session that ended without
/// finishCleanly() is as good as crashed).
QSet<QString>& liveSessions() {
    static QSet<QString> sessions;
    return sessions;
}

bool processAlive(qint64 pid) {
    if (pid <= 0)
        return false;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

} // namespace

AutosaveManager::AutosaveManager(PipelineModel* model, QObject* parent)
    : QObject(parent)
    , m_model(model)
    , m_session(QUuid::createUuid().toString(QUuid::WithoutBraces)) {
    liveSessions().insert(m_session);
    m_intervalTimer.setInterval(kIntervalMs);
    connect(&m_intervalTimer, &QTimer::timeout, this, &AutosaveManager::saveNow);
    m_intervalTimer.start();
    m_debounceTimer.setSingleShot(true);
    m_debounceTimer.setInterval(kDebounceMs);
    connect(&m_debounceTimer, &QTimer::timeout, this, &AutosaveManager::saveNow);
    connect(model->undoStack(), &QUndoStack::indexChanged, this,
            [this] { m_debounceTimer.start(); });
    connect(model->undoStack(), &QUndoStack::cleanChanged, this, [this](bool clean) {
        if (clean)
            discard();
    });
}

AutosaveManager::~AutosaveManager() {
    // Files stay unless finishCleanly() ran: that is what makes a crash recoverable.
    liveSessions().remove(m_session);
}

QString AutosaveManager::directory() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/autosave");
}

QString AutosaveManager::key() const {
    const QString identity =
        m_sourcePath.isEmpty()
            ? QStringLiteral("untitled:") + m_session
            : QStringLiteral("file:") + QFileInfo(m_sourcePath).absoluteFilePath();
    return QString::fromLatin1(
        QCryptographicHash::hash(identity.toUtf8(), QCryptographicHash::Sha1).toHex().left(16));
}

QString AutosaveManager::autosavePath() const {
    return directory() + QLatin1Char('/') + key() + QStringLiteral(".json");
}

QString AutosaveManager::metaPath() const {
    return directory() + QLatin1Char('/') + key() + QStringLiteral(".meta.json");
}

void AutosaveManager::setSourcePath(const QString& path) {
    if (path == m_sourcePath)
        return;
    discard();
    m_sourcePath = path;
    if (m_model->isModified())
        m_debounceTimer.start();
}

void AutosaveManager::saveNow() {
    m_debounceTimer.stop();
    if (m_finished)
        return;
    if (!m_model->isModified()) {
        discard();
        return;
    }
    if (!QDir().mkpath(directory()))
        return;
    QSaveFile document(autosavePath());
    if (!document.open(QIODevice::WriteOnly))
        return;
    document.write(m_model->document().toJson());
    if (!document.commit())
        return;
    QJsonObject meta{
        {QStringLiteral("source"),
         m_sourcePath.isEmpty() ? QString() : QFileInfo(m_sourcePath).absoluteFilePath()},
        {QStringLiteral("pid"), QCoreApplication::applicationPid()},
        {QStringLiteral("session"), m_session},
        {QStringLiteral("saved_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
    };
    QSaveFile metaFile(metaPath());
    if (metaFile.open(QIODevice::WriteOnly)) {
        metaFile.write(QJsonDocument(meta).toJson());
        metaFile.commit();
    }
}

void AutosaveManager::discard() {
    m_debounceTimer.stop();
    QFile::remove(autosavePath());
    QFile::remove(metaPath());
}

void AutosaveManager::finishCleanly() {
    discard();
    m_intervalTimer.stop();
    m_finished = true;
    liveSessions().remove(m_session);
}

QList<AutosaveManager::Entry> AutosaveManager::orphans() {
    QList<Entry> entries;
    const QDir dir(directory());
    const QStringList metas = dir.entryList({QStringLiteral("*.meta.json")}, QDir::Files);
    const qint64 self = QCoreApplication::applicationPid();
    for (const QString& name : metas) {
        Entry entry;
        entry.metaPath = dir.filePath(name);
        entry.autosavePath =
            dir.filePath(name.chopped(int(qstrlen(".meta.json"))) + QStringLiteral(".json"));
        QFile file(entry.metaPath);
        if (!file.open(QIODevice::ReadOnly) || !QFileInfo::exists(entry.autosavePath))
            continue;
        const QJsonObject meta = QJsonDocument::fromJson(file.readAll()).object();
        entry.sourcePath = meta.value(QStringLiteral("source")).toString();
        entry.pid = meta.value(QStringLiteral("pid")).toInteger();
        entry.session = meta.value(QStringLiteral("session")).toString();
        entry.savedAt = QDateTime::fromString(meta.value(QStringLiteral("saved_at")).toString(),
                                              Qt::ISODateWithMs);
        const bool alive =
            entry.pid == self ? liveSessions().contains(entry.session) : processAlive(entry.pid);
        if (!alive)
            entries.append(entry);
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.savedAt > b.savedAt; });
    return entries;
}

void AutosaveManager::removeEntry(const Entry& entry) {
    QFile::remove(entry.autosavePath);
    QFile::remove(entry.metaPath);
}

} // namespace Aqueduct::Ui
