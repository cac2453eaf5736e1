#include "aqueduct/Problem.h"

#include <algorithm>

namespace Aqueduct {

QString Problem::toString() const {
    QString location;
    if (!path.isEmpty())
        location = path;
    else if (line > 0)
        location = QStringLiteral("%1:%2").arg(line).arg(column);
    const QString text =
        severity == Severity::Warning ? QStringLiteral("warning: ") + message : message;
    return location.isEmpty() ? text : location + QStringLiteral(": ") + text;
}

bool hasErrors(const QList<Problem>& problems) {
    return std::any_of(problems.cbegin(), problems.cend(), [](const Problem& problem) {
        return problem.severity == Problem::Severity::Error;
    });
}

} // namespace Aqueduct
