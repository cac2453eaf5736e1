// PipelineDocument::fromFile and fromJson: size limits, and JSON syntax errors told by
// line and column before the object is read.
#include "aqueduct/PipelineDocument.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>

namespace Aqueduct {

namespace {

constexpr qint64 kMaxFileBytes = 64ll << 20;

// QJsonParseError::offset points one past the offending character for the "expected a
// separator" errors (the parser consumed it); step back so the column names it.
qsizetype syntaxErrorOffset(const QJsonParseError& error) {
    switch (error.error) {
    case QJsonParseError::UnterminatedObject:
    case QJsonParseError::MissingNameSeparator:
    case QJsonParseError::UnterminatedArray:
    case QJsonParseError::MissingValueSeparator:
        return qMax<qsizetype>(0, error.offset - 1);
    default:
        return error.offset;
    }
}

QString syntaxErrorText(const QJsonParseError& error) {
    switch (error.error) {
    case QJsonParseError::UnterminatedObject:
        return QStringLiteral("expected ',' or '}' after an object member");
    case QJsonParseError::MissingNameSeparator:
        return QStringLiteral("expected ':' after the key");
    case QJsonParseError::UnterminatedArray:
        return QStringLiteral("expected ',' or ']' after an array element");
    case QJsonParseError::MissingValueSeparator:
        return QStringLiteral("expected ',' between array elements");
    case QJsonParseError::IllegalValue:
        return QStringLiteral(
            "expected a value (string, number, object, array, true, false or null)");
    case QJsonParseError::TerminationByNumber:
        return QStringLiteral("the document ends inside a number");
    case QJsonParseError::IllegalNumber:
        return QStringLiteral("invalid number");
    case QJsonParseError::IllegalEscapeSequence:
        return QStringLiteral("invalid escape sequence in a string");
    case QJsonParseError::IllegalUTF8String:
        return QStringLiteral("invalid UTF-8 in a string");
    case QJsonParseError::UnterminatedString:
        return QStringLiteral("unterminated string");
    case QJsonParseError::MissingObject:
        return QStringLiteral("expected an object member after ','");
    case QJsonParseError::DeepNesting:
        return QStringLiteral("nested too deeply");
    case QJsonParseError::GarbageAtEnd:
        return QStringLiteral("unexpected text after the end of the document");
    default:
        return error.errorString();
    }
}

int lineOfOffset(const QByteArray& json, qsizetype offset, int* column) {
    offset = std::clamp<qsizetype>(offset, 0, json.size());
    int line = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < offset; ++i) {
        if (json.at(i) == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    // Columns count characters, not bytes: skip UTF-8 continuation bytes.
    int col = 1;
    for (qsizetype i = lineStart; i < offset; ++i) {
        if ((static_cast<unsigned char>(json.at(i)) & 0xC0) != 0x80)
            ++col;
    }
    *column = col;
    return line;
}

} // namespace

PipelineDocument::LoadResult PipelineDocument::fromJson(const QByteArray& json) {
    LoadResult result;
    if (json.trimmed().isEmpty()) {
        Problem problem;
        problem.message = QStringLiteral("file is empty; expected a JSON object");
        problem.line = 1;
        problem.column = 1;
        result.problems.append(problem);
        return result;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        Problem problem;
        problem.line = lineOfOffset(json, syntaxErrorOffset(parseError), &problem.column);
        problem.message = QStringLiteral("invalid JSON: %1").arg(syntaxErrorText(parseError));
        result.problems.append(problem);
        return result;
    }
    if (!document.isObject()) {
        Problem problem;
        problem.path = QStringLiteral("$");
        problem.message =
            QStringLiteral("must be a JSON object, got %1")
                .arg(document.isArray() ? QStringLiteral("array") : QStringLiteral("a scalar"));
        result.problems.append(problem);
        return result;
    }
    result.document = fromJsonObject(document.object(), &result.problems);
    return result;
}

PipelineDocument::LoadResult PipelineDocument::fromFile(const QString& path) {
    LoadResult result;
    const QFileInfo info(path);
    Problem problem;
    if (!info.exists()) {
        problem.message = QStringLiteral("cannot read: no such file");
    } else if (info.isDir()) {
        problem.message = QStringLiteral("cannot read: is a directory");
    } else if (info.size() > kMaxFileBytes) {
        problem.message =
            QStringLiteral("cannot read: file is too large (%1 bytes; the limit is %2 MiB)")
                .arg(info.size())
                .arg(kMaxFileBytes >> 20);
    } else {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            problem.message = QStringLiteral("cannot read: %1").arg(file.errorString());
        } else {
            // size() may be 0 for special files; read at most the limit plus one byte.
            const QByteArray json = file.read(kMaxFileBytes + 1);
            if (json.size() > kMaxFileBytes) {
                problem.message =
                    QStringLiteral("cannot read: file is too large (the limit is %1 MiB)")
                        .arg(kMaxFileBytes >> 20);
            } else {
                return fromJson(json);
            }
        }
    }
    result.problems.append(problem);
    return result;
}

} // namespace Aqueduct
