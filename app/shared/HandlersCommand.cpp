// `aqueduct handlers [--json]`: the handlers this build (and its plugins) provide.
#include "Commands.h"

#include <aqueduct/HandlerRegistry.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

#include <cmath>
#include <cstdio>

namespace Aqueduct::App {

namespace {

void printHelp(FILE* out) {
    std::fputs("Usage: aqueduct handlers [--json]\n"
               "\n"
               "Lists the handlers a pipeline step can use, by category, with their parameters\n"
               "(name, type, default, range or choices, description), then any plugin that\n"
               "failed to load.\n"
               "\n"
               "Options:\n"
               "  --json      print a JSON array, one object per handler\n"
               "  -h, --help  show this help\n",
               out);
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
    for (const QString& argument : arguments) {
        if (argument == QLatin1String("--json")) {
            json = true;
        } else if (argument == QLatin1String("-h") || argument == QLatin1String("--help")) {
            printHelp(stdout);
            return ExitOk;
        } else {
            std::fprintf(stderr, "aqueduct handlers: unexpected argument '%s'\n\n",
                         qPrintable(argument));
            printHelp(stderr);
            return ExitInvalidInput;
        }
    }
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
