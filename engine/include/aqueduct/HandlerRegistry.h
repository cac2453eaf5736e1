#pragma once

#include "aqueduct/Handler.h"
#include "aqueduct/HandlerSchema.h"
#include "aqueduct/Problem.h"

#include <QHash>
#include <QList>

#include <functional>
#include <memory>

namespace Aqueduct {

using HandlerFactory = std::function<std::unique_ptr<Handler>()>;

/// Handlers by name. The process-wide instance holds the built-ins (registered by
/// `registerBuiltinHandlers`) and those of loaded plugins.
class HandlerRegistry {
public:
    static HandlerRegistry& global();

    /// Adds or replaces a handler.
    void add(HandlerInfo info, HandlerFactory factory);
    bool contains(const QString& name) const { return m_entries.contains(name); }
    const HandlerInfo* find(const QString& name) const;
    /// Null when the name is unknown.
    std::unique_ptr<Handler> create(const QString& name) const;
    /// Sorted by category, then name.
    QList<HandlerInfo> handlers() const;

    /// Checks `params` against the schema: unknown keys, types, ranges, choices and
    /// required ones. Each problem's path is `pathPrefix` + "." + param name.
    QList<Problem> checkParams(const HandlerInfo& info, const QJsonObject& params,
                               const QString& pathPrefix) const;
    /// `params` with every missing parameter set to its default.
    static QJsonObject withDefaults(const HandlerInfo& info, const QJsonObject& params);

    /// Problems met while loading plugins (path and reason), for `aqueduct handlers`,
    /// the palette and validation.
    const QList<Problem>& loadProblems() const { return m_loadProblems; }
    void addLoadProblem(Problem problem) { m_loadProblems.append(std::move(problem)); }

private:
    struct Entry {
        HandlerInfo info;
        HandlerFactory factory;
    };
    QHash<QString, Entry> m_entries;
    QList<Problem> m_loadProblems;
};

} // namespace Aqueduct
