// `aqueduct handlers [--json]`: the handlers this build (and its plugins) provide.
#include "CommandLine.h"
#include "Commands.h"

#include <aqueduct/HandlerRegistry.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

#include <cmath>
#include <cstdio>

namespace Aqueduct::App {

namespace {

/// Declares the options of `aqueduct handlers`.
CommandLine handlersCommandLine(bool* json) {
    CommandLine line(
        "handlers", QStringLiteral("[--json]"),
        QStringLiteral(
            "Lists the handlers a pipeline step can use, by category, with their parameters\n"
            "(name, type, default, range or choices, description), then any plugin that\n"
            "failed to load.\n"));
    line.addFlag({QStringLiteral("json")},
                 QStringLiteral("print a JSON array, one object per handler"), json);
    return line;
}

QString numberText(double value) {
    // 10000000, not 1e+07: schema bounds and defaults are mostly whole numbers.
    if (std::isfinite(value) && std::trunc(value) == value && std::fabs(value) < 1e15)
        return QString::number(static_cast<qint64>(value));
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

QString valueText(const QJsonValue& value) {
    switch (value.type()) {
    case QJsonValue::String:
        return QStringLiteral("\"%1\"").arg(value.toString());
    case QJsonValue::Double:
        return numberText(value.toDouble());
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null:
        return QStringLiteral("null");
    default:
        return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact))
            .mid(1)
            .chopped(1);
    }
}

QString constraintText(const ParamSpec& spec) {
    if (spec.type == ParamType::Choice)
        return QStringLiteral("one of ") + spec.choices.join(QStringLiteral(", "));
    if (spec.minimum && spec.maximum)
        return QStringLiteral("%1..%2").arg(numberText(*spec.minimum), numberText(*spec.maximum));
    if (spec.minimum)
        return QStringLiteral(">= %1").arg(numberText(*spec.minimum));
    if (spec.maximum)
        return QStringLiteral("<= %1").arg(numberText(*spec.maximum));
    return {};
}

void printText(const HandlerRegistry& registry) {
    QTextStream out(stdout);
    const QList<HandlerInfo> handlers = registry.handlers();
    QString category;
    bool first = true;
    for (const HandlerInfo& info : handlers) {
        const QString infoCategory =
            info.category.isEmpty() ? QStringLiteral("Other") : info.category;
        if (first || infoCategory != category) {
            if (!first)
                out << '\n';
            out << infoCategory << '\n';
            category = infoCategory;
            first = false;
        }
        out << "  " << info.name;
        if (!info.description.isEmpty())
            out << " - " << info.description;
        if (!info.origin.isEmpty() && info.origin != QLatin1String("builtin"))
            out << " [" << info.origin << ']';
        out << '\n';
        if (info.params.isEmpty()) {
            out << "      (no parameters)\n";
            continue;
        }
        int nameWidth = 0;
        for (const ParamSpec& spec : info.params)
            nameWidth = qMax(nameWidth, int(spec.name.size()));
        for (const ParamSpec& spec : info.params) {
            QStringList facts;
            facts << paramTypeName(spec.type);
            if (spec.required || spec.defaultValue.isUndefined())
                facts << QStringLiteral("required");
            else
                facts << QStringLiteral("default ") + valueText(spec.defaultValue);
            if (const QString constraint = constraintText(spec); !constraint.isEmpty())
                facts << constraint;
            if (spec.filePath)
                facts << QStringLiteral("file path");
            out << "      " << spec.name.leftJustified(nameWidth) << "  "
                << facts.join(QStringLiteral(", "));
            if (!spec.description.isEmpty())
                out << "\n      " << QString(nameWidth, QLatin1Char(' ')) << "  "
                    << spec.description;
            out << '\n';
        }
    }
    if (handlers.isEmpty())
        out << "No handlers registered.\n";

    const QList<Problem>& problems = registry.loadProblems();
    if (!problems.isEmpty()) {
        out << "\nPlugins that failed to load:\n";
        for (const Problem& problem : problems)
            out << "  " << problem.toString() << '\n';
    }
}

} // namespace

int runHandlersCommand(const QStringList& arguments) {
    bool json = false;
    CommandLine line = handlersCommandLine(&json);
    const auto usageError = [&line](const QString& message) {
        std::fprintf(stderr, "aqueduct handlers: %s\n\n", qPrintable(message));
        std::fputs(qPrintable(line.helpText()), stderr);
        return ExitInvalidInput;
    };
    switch (line.parse(arguments)) {
    case ParseOutcome::Help:
        std::fputs(qPrintable(line.helpText()), stdout);
        return ExitOk;
    case ParseOutcome::Version:
        std::fputs(qPrintable(CommandLine::versionText()), stdout);
        return ExitOk;
    case ParseOutcome::Invalid:
        // Unknown options and stray words are both "unexpected argument" here.
        if (!line.unknownOptions().isEmpty())
            return usageError(QStringLiteral("unexpected argument '%1'")
                                  .arg(escapeControlCharacters(line.unknownOptions().first())));
        return usageError(line.error());
    case ParseOutcome::Run:
        break;
    }
    if (!line.positional().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'")
                              .arg(escapeControlCharacters(line.positional().first())));
    loadHandlerPlugins();
    const HandlerRegistry& registry = HandlerRegistry::global();
    if (!json) {
        printText(registry);
        return ExitOk;
    }
    QJsonArray array;
    for (const HandlerInfo& info : registry.handlers())
        array.append(info.toJson());
    const QByteArray text = QJsonDocument(array).toJson(QJsonDocument::Indented);
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    // Keep stdout pure JSON; plugin failures go to stderr.
    for (const Problem& problem : registry.loadProblems())
        std::fprintf(stderr, "aqueduct handlers: plugin failed to load: %s\n",
                     qPrintable(problem.toString()));
    return ExitOk;
}

} // namespace Aqueduct::App
