#pragma once

#include "aqueduct/HandlerRegistry.h"

#include <QString>
#include <QStringList>

namespace Aqueduct {

/// Finds and loads handler plugins (shared libraries made with the SDK in
/// aqueduct/HandlerPlugin.h) into a registry. A plugin that cannot be used (dlopen error,
/// no entry point, wrong ABI or Qt version, a register function that throws, a handler
/// name already taken) is recorded with HandlerRegistry::addLoadProblem (path = plugin
/// file, message = reason) and never takes the process down.
///
/// Before a file is opened (opening runs its constructors), the file and each folder
/// above it must be owned by the current user or root and writable by neither group nor
/// others (a root-owned sticky folder such as /tmp is accepted); otherwise it is refused.
///
/// Loading is idempotent per process: a file is opened once (by canonical path), whatever
/// registry or directory list it is reached through later; calling again only looks at
/// files not seen before. Worker processes forked after loading inherit the plugins; a
/// spawned worker calls `loadFiles(loadedFiles())` of its parent (or the same search).
class PluginLoader {
public:
    /// The plugin search path, first match wins for a handler name:
    /// 1. $AQUEDUCT_PLUGIN_PATH (colon separated; entries may be folders or .so files),
    /// 2. the user's folders: ~/.config/aqueduct/plugins and ~/.local/lib/aqueduct/plugins,
    /// 3. the install folder: lib/aqueduct/plugins beside the engine library and under the
    ///    program's prefix (<bindir>/../lib/aqueduct/plugins),
    /// 4. the folder of `pipelinePath`, when given. Callers pass it only when the user
    ///    asked for it (`--plugins-from-pipeline-dir`, or a GUI prompt): a downloaded
    ///    folder must not run code merely by being opened or validated.
    /// Folders that do not exist are left out; duplicates are removed.
    static QStringList searchPath(const QString& pipelinePath = {});

    /// Loads every `*.so` in the folders of searchPath(pipelinePath). Returns the number
    /// of handlers added to `registry`.
    static int loadSearchPath(HandlerRegistry& registry, const QString& pipelinePath = {});

    /// Loads each entry: a folder (its `*.so` files, sorted by name, not recursive) or a
    /// plugin file. Returns the number of handlers added.
    static int loadFiles(const QStringList& entries, HandlerRegistry& registry);

    /// Loads one plugin file; false (and a load problem in `registry`) when it fails or
    /// when the file was already tried in this process and failed.
    static bool loadFile(const QString& path, HandlerRegistry& registry);

    /// The `*.so` files in the folder of `pipelinePath` (nothing is loaded), sorted.
    static QStringList pipelineFolderPlugins(const QString& pipelinePath);

    /// Canonical paths of plugins loaded successfully in this process, in load order.
    static QStringList loadedFiles();
};

} // namespace Aqueduct
