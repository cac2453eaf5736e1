#pragma once

#include <QJsonValue>
#include <QString>

// How the engine names JSON values in messages, written once for the document reader,
// the validator and the handler registry.
namespace Aqueduct::Internal {

/// "null", "boolean", "number", ... for messages such as "must be a string, got number".
QString jsonTypeName(const QJsonValue& value);
/// "600000" for whole numbers below 1e15, otherwise the shortest text that reads back as
/// the same double ("0.25", "1e+20"); Qt's shortest 'g' alone would print 600000 as 6e+05.
QString numberText(double value);

} // namespace Aqueduct::Internal
