#pragma once

#include <QList>
#include <QString>

namespace Aqueduct {

/// One thing wrong with a pipeline (or a plugin), located by JSON path.
struct Problem {
    enum class Severity { Error, Warning };

    QString path;    ///< JSON path, e.g. "$.steps[2].params.ms"; empty for file-level problems
    QString message; ///< plain reason, e.g. "must be an integer between 0 and 60000"
    Severity severity = Severity::Error;
    QString stepId;     ///< the step the problem belongs to, if any (GUI markers)
    int edgeIndex = -1; ///< the edge the problem belongs to, if any
    int line = 0;       ///< 1-based source line for malformed JSON, else 0
    int column = 0;     ///< 1-based column (JSON syntax, or within an expression)

    QString toString() const; ///< "PATH: message"
};

bool hasErrors(const QList<Problem>& problems);

/// `text` safe for a terminal: control and format characters (escape sequences, bidi
/// overrides) become \n, \t, \xNN or \uNNNN. File content reaches messages through
/// ids and keys, so every printed problem goes through this.
QString escapeControlCharacters(const QString& text);

} // namespace Aqueduct
