#include "document/ConnectionRules.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>

namespace Aqueduct::Ui {

bool reaches(const QList<EdgeSpec>& edges, const QString& start, const QString& goal) {
    QMultiHash<QString, QString> successors;
    for (const EdgeSpec& edge : edges)
        successors.insert(edge.from, edge.to);
    QSet<QString> seen{start};
    QList<QString> pending{start};
    while (!pending.isEmpty()) {
        const QString node = pending.takeLast();
        if (node == goal)
            return true;
        for (auto it = successors.constFind(node); it != successors.cend() && it.key() == node;
             ++it) {
            if (!seen.contains(it.value())) {
                seen.insert(it.value());
                pending.append(it.value());
            }
        }
    }
    return false;
}

ConnectionRefusal checkConnection(const QList<EdgeSpec>& edges, const QStringList& stepIds,
                                  const QString& from, const QString& to) {
    const QString input = QString::fromLatin1(kInputNodeId);
    const QString output = QString::fromLatin1(kOutputNodeId);
    if (from == output)
        return ConnectionRefusal::FromOutput;
    if (to == input)
        return ConnectionRefusal::IntoInput;
    if ((from != input && !stepIds.contains(from)) || (to != output && !stepIds.contains(to)))
        return ConnectionRefusal::UnknownEndpoint;
    if (from == to)
        return ConnectionRefusal::SelfLoop;
    for (const EdgeSpec& edge : edges) {
        if (edge.from == from && edge.to == to)
            return ConnectionRefusal::Duplicate;
    }
    if (reaches(edges, to, from))
        return ConnectionRefusal::Cycle;
    return ConnectionRefusal::None;
}

QString refusalReason(ConnectionRefusal refusal) {
    switch (refusal) {
    case ConnectionRefusal::None:
        return QString();
    case ConnectionRefusal::SelfLoop:
        return QCoreApplication::translate("Aqueduct", "A step cannot feed itself");
    case ConnectionRefusal::Duplicate:
        return QCoreApplication::translate("Aqueduct", "These steps are already connected");
    case ConnectionRefusal::Cycle:
        return QCoreApplication::translate("Aqueduct", "This connection would create a cycle");
    case ConnectionRefusal::IntoInput:
        return QCoreApplication::translate("Aqueduct", "Nothing can flow into the input");
    case ConnectionRefusal::FromOutput:
        return QCoreApplication::translate("Aqueduct", "Nothing flows out of the output");
    case ConnectionRefusal::UnknownEndpoint:
        return QCoreApplication::translate("Aqueduct",
                                           "Connect a step's output to another step's input");
    }
    return QString();
}

} // namespace Aqueduct::Ui
