#include "aqueduct/PluginLoader.h"

#include "aqueduct/HandlerPlugin.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QStandardPaths>

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>

namespace Aqueduct {

namespace {

/// A plugin that loaded: its handlers live in `staging` (kept alive by every factory
/// handed out), so it can be registered into further registries without reloading.
struct LoadedPlugin {
    std::shared_ptr<HandlerRegistry> staging;
};

/// Process-wide record of every file tried, by canonical path. Plugins are never
/// unloaded: handler objects and factories point into their code.
struct LoaderState {
    std::mutex mutex;
    QHash<QString, LoadedPlugin> loaded;
    QStringList loadOrder;
    QHash<QString, QString> failures; ///< canonical path -> reason
};

LoaderState& loaderState() {
    static LoaderState state;
    return state;
}

QString canonicalOrAbsolute(const QString& path) {
    const QFileInfo info(path);
    const QString canonical = info.canonicalFilePath();
    return canonical.isEmpty() ? info.absoluteFilePath() : canonical;
}

void appendExistingDirectory(QStringList& list, const QString& path) {
    const QFileInfo info(path);
    if (!info.exists())
        return;
    const QString canonical = canonicalOrAbsolute(path);
    if (!list.contains(canonical))
        list.append(canonical);
}

/// Folder of the file holding this function: libaqueduct-engine.so (or the program, when
/// the engine is linked statically).
QString engineLibraryDirectory() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&engineLibraryDirectory), &info) == 0 ||
        info.dli_fname == nullptr)
        return {};
    return QFileInfo(QString::fromLocal8Bit(info.dli_fname)).canonicalPath();
}

QString programDirectory() {
    return QFileInfo(QStringLiteral("/proc/self/exe")).canonicalPath();
}

QString qtVersionText(std::uint32_t version) {
    return QStringLiteral("%1.%2.%3")
        .arg(version >> 16)
        .arg((version >> 8) & 0xff)
        .arg(version & 0xff);
}

/// Why `path` may not be loaded, or empty: loading runs the file's code (its
/// constructors) with our rights, so the file and every folder above it must be owned by
/// us or root and writable by nobody else. A world-writable folder with the sticky bit
/// owned by root (/tmp) is accepted: nobody else can rename or replace what lies in it.
QString untrustedReason(const QString& canonicalPath) {
    const uid_t me = geteuid();
    const auto ownerOk = [me](const struct stat& status) {
        return status.st_uid == me || status.st_uid == 0;
    };
    struct stat status {};
    const QByteArray encoded = QFile::encodeName(canonicalPath);
    if (::stat(encoded.constData(), &status) != 0)
        return QStringLiteral("refused: cannot check the file: %1")
            .arg(QString::fromLocal8Bit(std::strerror(errno)));
    if (!S_ISREG(status.st_mode))
        return QStringLiteral("refused: not a regular file");
    if (!ownerOk(status))
        return QStringLiteral("refused: the file is owned by user %1; a plugin must be owned by "
                              "you or root")
            .arg(status.st_uid);
    if (status.st_mode & S_IWOTH)
        return QStringLiteral("refused: the file is writable by every user");
    if (status.st_mode & S_IWGRP)
        return QStringLiteral("refused: the file is writable by its group");
    QString folder = QFileInfo(canonicalPath).path();
    for (;;) {
        const QByteArray folderName = QFile::encodeName(folder);
        if (::stat(folderName.constData(), &status) != 0)
            return QStringLiteral("refused: cannot check folder %1: %2")
                .arg(folder, QString::fromLocal8Bit(std::strerror(errno)));
        const bool stickyRootFolder = (status.st_mode & S_ISVTX) && status.st_uid == 0;
        if (!ownerOk(status))
            return QStringLiteral("refused: folder %1 is owned by user %2; every folder above a "
                                  "plugin must be owned by you or root")
                .arg(folder)
                .arg(status.st_uid);
        if ((status.st_mode & (S_IWGRP | S_IWOTH)) && !stickyRootFolder)
            return QStringLiteral("refused: folder %1 is writable by %2")
                .arg(folder, (status.st_mode & S_IWOTH) ? QStringLiteral("every user")
                                                        : QStringLiteral("its group"));
        if (folder == QLatin1String("/"))
            break;
        folder = QFileInfo(folder).path();
    }
    return {};
}

bool hasProblem(const HandlerRegistry& registry, const QString& path, const QString& reason) {
    for (const Problem& problem : registry.loadProblems()) {
        if (problem.path == path && problem.message == reason)
            return true;
    }
    return false;
}

/// Records a problem once per registry, so loading again never repeats it.
void reportProblem(HandlerRegistry& registry, const QString& path, const QString& reason,
                   Problem::Severity severity = Problem::Severity::Error) {
    if (hasProblem(registry, path, reason))
        return;
    Problem problem;
    problem.path = path;
    problem.message = reason;
    problem.severity = severity;
    registry.addLoadProblem(std::move(problem));
}

/// Opens the file and runs its register function into a fresh staging registry.
/// Returns the reason on failure. Caller holds the state mutex.
QString openPlugin(const QString& path, LoadedPlugin& plugin) {
    dlerror();
    // RTLD_LOCAL: plugins never see each other's symbols; RTLD_NOW: a missing symbol is
    // reported here, not as a crash in a worker later.
    void* library = dlopen(QFile::encodeName(path).constData(), RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
        const char* error = dlerror();
        return QStringLiteral("cannot be loaded: %1")
            .arg(error != nullptr ? QString::fromLocal8Bit(error)
                                  : QStringLiteral("unknown dlopen error"));
    }
    auto closeLibrary = [library] { dlclose(library); };

    void* symbol = dlsym(library, AQUEDUCT_PLUGIN_ENTRY_SYMBOL);
    if (symbol == nullptr) {
        closeLibrary();
        return QStringLiteral("not an Aqueduct plugin: it has no %1() entry point "
                              "(define one with AQUEDUCT_HANDLER_PLUGIN)")
            .arg(QLatin1String(AQUEDUCT_PLUGIN_ENTRY_SYMBOL));
    }
    const auto entry = reinterpret_cast<AqueductPluginEntryFunction>(symbol);
    const AqueductPluginInfo* info = entry();
    if (info == nullptr) {
        closeLibrary();
        return QStringLiteral("its entry point returned no plugin description");
    }
    // The description lives in the library: build any refusal before unmapping it.
    QString refusal;
    if (info->abiVersion != AQUEDUCT_PLUGIN_ABI_VERSION) {
        // Only the first two fields are trusted here: the rest may have another layout.
        refusal = QStringLiteral("wrong plugin ABI version %1 (this Aqueduct %2 needs %3); "
                                 "rebuild the plugin against Aqueduct %2")
                      .arg(info->abiVersion)
                      .arg(QLatin1String(AQUEDUCT_VERSION_STRING))
                      .arg(AQUEDUCT_PLUGIN_ABI_VERSION);
    } else if (info->structSize < sizeof(AqueductPluginInfo) || info->registerHandlers == nullptr) {
        refusal = QStringLiteral("malformed plugin description (size %1, register function %2)")
                      .arg(info->structSize)
                      .arg(info->registerHandlers == nullptr ? QStringLiteral("missing")
                                                             : QStringLiteral("present"));
    } else {
        // Qt keeps binary compatibility forwards within a major version: a plugin built
        // against an older or equal 6.x runs on this Qt, a newer one may not.
        const QStringList runtimeQt = QString::fromLatin1(qVersion()).split(QLatin1Char('.'));
        const std::uint32_t runtimeMinor = runtimeQt.size() > 1 ? runtimeQt.at(1).toUInt() : 0;
        if ((info->qtVersion >> 16) != QT_VERSION_MAJOR ||
            ((info->qtVersion >> 8) & 0xff) > runtimeMinor) {
            refusal = QStringLiteral("built with Qt %1, which this Aqueduct's Qt %2 cannot run; "
                                     "rebuild the plugin against Qt %2")
                          .arg(qtVersionText(info->qtVersion), QString::fromLatin1(qVersion()));
        }
    }
    if (!refusal.isEmpty()) {
        closeLibrary();
        return refusal;
    }

    auto staging = std::make_shared<HandlerRegistry>();
    try {
        info->registerHandlers(*staging);
    } catch (const std::exception& error) {
        // Keep the library mapped: the exception object and any half-made handler came
        // from its code. Only its handlers are dropped.
        return QStringLiteral("its register function threw: %1")
            .arg(QString::fromUtf8(error.what()));
    } catch (...) {
        return QStringLiteral("its register function threw an unknown exception");
    }
    plugin.staging = std::move(staging);
    return {};
}

/// Adds the plugin's handlers to `registry` with origin = path. A name another origin
/// already provides keeps its first provider (search path order) and is reported.
int registerInto(const QString& path, const LoadedPlugin& plugin, HandlerRegistry& registry) {
    int added = 0;
    const QList<HandlerInfo> infos = plugin.staging->handlers();
    if (infos.isEmpty())
        reportProblem(registry, path, QStringLiteral("registers no handlers"),
                      Problem::Severity::Warning);
    for (HandlerInfo info : infos) {
        if (const HandlerInfo* existing = registry.find(info.name)) {
            if (existing->origin != path) {
                reportProblem(registry, path,
                              QStringLiteral("handler '%1' is ignored: already provided by %2")
                                  .arg(info.name, existing->origin),
                              Problem::Severity::Warning);
            }
            continue;
        }
        info.origin = path;
        const QString name = info.name;
        registry.add(std::move(info),
                     [staging = plugin.staging, name] { return staging->create(name); });
        ++added;
    }
    return added;
}

int loadFileCounting(const QString& path, HandlerRegistry& registry, bool* ok) {
    const QString canonical = canonicalOrAbsolute(path);
    LoaderState& state = loaderState();
    std::lock_guard lock(state.mutex);

    if (const auto failure = state.failures.constFind(canonical);
        failure != state.failures.constEnd()) {
        reportProblem(registry, canonical, failure.value());
        *ok = false;
        return 0;
    }
    auto loaded = state.loaded.find(canonical);
    if (loaded == state.loaded.end()) {
        if (!QFileInfo(canonical).isFile()) {
            // Not remembered as a failure: the file may appear later.
            reportProblem(registry, canonical, QStringLiteral("no such plugin file"));
            *ok = false;
            return 0;
        }
        // Before dlopen: a library's constructors run as soon as it is opened.
        if (const QString refusal = untrustedReason(canonical); !refusal.isEmpty()) {
            reportProblem(registry, canonical, refusal);
            *ok = false;
            return 0;
        }
        LoadedPlugin plugin;
        const QString reason = openPlugin(canonical, plugin);
        if (!reason.isEmpty()) {
            state.failures.insert(canonical, reason);
            reportProblem(registry, canonical, reason);
            *ok = false;
            return 0;
        }
        loaded = state.loaded.insert(canonical, std::move(plugin));
        state.loadOrder.append(canonical);
    }
    *ok = true;
    return registerInto(canonical, loaded.value(), registry);
}

} // namespace

QStringList PluginLoader::searchPath(const QString& pipelinePath) {
    QStringList path;
    const QString environment = qEnvironmentVariable("AQUEDUCT_PLUGIN_PATH");
    for (const QString& entry : environment.split(QLatin1Char(':'), Qt::SkipEmptyParts))
        appendExistingDirectory(path, entry);

    const QString configHome =
        QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    if (!configHome.isEmpty())
        appendExistingDirectory(path, configHome + QStringLiteral("/aqueduct/plugins"));
    appendExistingDirectory(path,
                            QDir::homePath() + QStringLiteral("/.local/lib/aqueduct/plugins"));

    if (const QString engineDir = engineLibraryDirectory(); !engineDir.isEmpty())
        appendExistingDirectory(path, engineDir + QStringLiteral("/aqueduct/plugins"));
    if (const QString programDir = programDirectory(); !programDir.isEmpty())
        appendExistingDirectory(path, programDir + QStringLiteral("/../lib/aqueduct/plugins"));

    if (!pipelinePath.isEmpty()) {
        // A pipeline opened from a folder anyone can write to (/tmp) must not pull in
        // libraries other users dropped there.
        const QFileInfo folder(QFileInfo(pipelinePath).absolutePath());
        if (!folder.permissions().testFlag(QFileDevice::WriteOther))
            appendExistingDirectory(path, folder.absoluteFilePath());
    }
    return path;
}

int PluginLoader::loadSearchPath(HandlerRegistry& registry, const QString& pipelinePath) {
    return loadFiles(searchPath(pipelinePath), registry);
}

int PluginLoader::loadFiles(const QStringList& entries, HandlerRegistry& registry) {
    int added = 0;
    for (const QString& entry : entries) {
        const QFileInfo info(entry);
        QStringList files;
        if (info.isDir()) {
            const QFileInfoList found = QDir(entry).entryInfoList(
                {QStringLiteral("*.so")}, QDir::Files | QDir::Readable, QDir::Name);
            for (const QFileInfo& file : found)
                files.append(file.absoluteFilePath());
        } else {
            files.append(entry);
        }
        for (const QString& file : files) {
            bool ok = false;
            added += loadFileCounting(file, registry, &ok);
        }
    }
    return added;
}

bool PluginLoader::loadFile(const QString& path, HandlerRegistry& registry) {
    bool ok = false;
    loadFileCounting(path, registry, &ok);
    return ok;
}

QStringList PluginLoader::pipelineFolderPlugins(const QString& pipelinePath) {
    QStringList files;
    if (pipelinePath.isEmpty())
        return files;
    const QDir folder = QFileInfo(pipelinePath).absoluteDir();
    const QFileInfoList found =
        folder.entryInfoList({QStringLiteral("*.so")}, QDir::Files | QDir::Readable, QDir::Name);
    for (const QFileInfo& file : found)
        files.append(file.absoluteFilePath());
    return files;
}

QStringList PluginLoader::loadedFiles() {
    LoaderState& state = loaderState();
    std::lock_guard lock(state.mutex);
    return state.loadOrder;
}

} // namespace Aqueduct
