#include "CommandLine.h"

#include <aqueduct/Problem.h>

#include <cmath>

namespace Aqueduct::App {

namespace {

const QString kHelp = QStringLiteral("help");
const QString kVersion = QStringLiteral("version");

} // namespace

CommandLine::CommandLine(const char* command, QString usage, QString description, QString epilog)
    : m_command(QString::fromLatin1(command))
    , m_usage(std::move(usage))
    , m_description(std::move(description))
    , m_epilog(std::move(epilog))
    , m_parser(std::make_unique<QCommandLineParser>()) {
    // -q and -h stay short options; "-qh" is both, as with other Unix tools.
    m_parser->setSingleDashWordOptionMode(QCommandLineParser::ParseAsCompactedShortOptions);
    m_parser->setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
}

void CommandLine::addFlag(const QStringList& names, const QString& help, bool* target) {
    m_parser->addOption(QCommandLineOption(names, help));
    m_flags.push_back({names.last(), target});
}

void CommandLine::addValue(const QString& name, const QString& valueName, const QString& help,
                           Take take) {
    m_parser->addOption(QCommandLineOption(name, help, valueName));
    m_bindings.push_back({name, std::move(take)});
    m_valueNames.insert(name, valueName);
}

void CommandLine::addPositional(const QString& name, const QString& help, const QString& syntax) {
    m_parser->addPositionalArgument(name, help, syntax);
}

void CommandLine::addStandardOptions() {
    // Added last so they end the option list in --help. -V as in `aqueduct -V`.
    if (m_standardOptionsAdded)
        return;
    m_standardOptionsAdded = true;
    m_parser->addOption(
        QCommandLineOption({QStringLiteral("h"), kHelp}, QStringLiteral("show this help")));
    m_parser->addOption(QCommandLineOption({QStringLiteral("V"), kVersion},
                                           QStringLiteral("print the version and exit")));
}

ParseOutcome CommandLine::parse(const QStringList& arguments) {
    addStandardOptions();
    m_arguments = arguments;
    m_error.clear();
    m_unknownOptions.clear();
    // The first element is the program name to QCommandLineParser.
    const bool syntaxOk = m_parser->parse(QStringList{QStringLiteral("aqueduct")} + arguments);
    if (m_parser->isSet(kHelp))
        return ParseOutcome::Help;
    if (m_parser->isSet(kVersion))
        return ParseOutcome::Version;
    if (!syntaxOk) {
        // Arguments are echoed: no terminal escape sequences from them.
        m_error = escapeControlCharacters(syntaxError());
        return ParseOutcome::Invalid;
    }
    for (const FlagBinding& flag : m_flags) {
        if (m_parser->isSet(flag.name))
            *flag.target = true;
    }
    for (const Binding& binding : m_bindings) {
        for (const QString& value : m_parser->values(binding.name)) {
            if (const QString why = binding.take(value); !why.isEmpty()) {
                m_error =
                    escapeControlCharacters(QStringLiteral("--%1: %2").arg(binding.name, why));
                return ParseOutcome::Invalid;
            }
        }
    }
    return ParseOutcome::Run;
}

QString CommandLine::syntaxError() {
    const QStringList unknownNames = m_parser->unknownOptionNames();
    if (!unknownNames.isEmpty()) {
        // Qt names unknown options without dashes and splits "-xyz" into letters; name
        // the arguments as the user wrote them instead.
        QStringList& spelled = m_unknownOptions;
        for (const QString& argument : m_arguments) {
            if (argument == QLatin1String("--"))
                break;
            if (!argument.startsWith(QLatin1Char('-')) || argument == QLatin1String("-"))
                continue;
            bool unknown = false;
            QString option = argument;
            if (argument.startsWith(QLatin1String("--"))) {
                option = argument.section(QLatin1Char('='), 0, 0);
                unknown = unknownNames.contains(option.mid(2));
            } else {
                for (const QChar letter : argument.mid(1))
                    unknown = unknown || unknownNames.contains(QString(letter));
            }
            if (unknown && !spelled.contains(option))
                spelled << option;
        }
        if (spelled.isEmpty()) {
            for (const QString& name : unknownNames)
                spelled << (name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name;
        }
        return (spelled.size() == 1 ? QStringLiteral("unknown option '%1'")
                                    : QStringLiteral("unknown options '%1'"))
            .arg(spelled.join(QStringLiteral("', '")));
    }
    // QCommandLineParser only misses a value when the option is the last argument.
    if (!m_arguments.isEmpty()) {
        const QString& last = m_arguments.last();
        if (last.startsWith(QLatin1String("--")) && m_valueNames.contains(last.mid(2)))
            return QStringLiteral("%1 needs a value (%1 %2)").arg(last, m_valueNames[last.mid(2)]);
    }
    // Anything else (e.g. "--quiet=yes"): Qt's sentence, in our lower-case style.
    QString text = m_parser->errorText();
    if (text.endsWith(QLatin1Char('.')))
        text.chop(1);
    if (!text.isEmpty())
        text[0] = text[0].toLower();
    return text;
}

QString CommandLine::helpText() {
    addStandardOptions();
    QString text =
        QStringLiteral("Usage: aqueduct %1%2\n")
            .arg(m_command.isEmpty() ? QString() : m_command + QLatin1Char(' '), m_usage);
    if (!m_description.isEmpty())
        text += QLatin1Char('\n') + m_description;
    // Qt's text starts with its own usage line (the program's path); keep from "Options:".
    const QString generated = m_parser->helpText();
    const qsizetype options = generated.indexOf(QLatin1String("\nOptions:\n"));
    text += options >= 0 ? generated.mid(options) : generated;
    if (!m_epilog.isEmpty())
        text += QLatin1Char('\n') + m_epilog;
    return text;
}

QString CommandLine::versionText() {
    return QStringLiteral("aqueduct " AQUEDUCT_VERSION "\n");
}

QString CommandLine::parseBoundedInteger(const QString& text, qint64 minimum, qint64 maximum,
                                         qint64* value) {
    bool ok = false;
    const qlonglong parsed = text.toLongLong(&ok);
    if (!ok || parsed < minimum || parsed > maximum)
        return QStringLiteral("'%1' is not a whole number from %2 to %3")
            .arg(text)
            .arg(minimum)
            .arg(maximum);
    *value = parsed;
    return {};
}

QString CommandLine::parseBoundedNumber(const QString& text, double minimum, double maximum,
                                        double* value, LowerBound lowerBound) {
    bool ok = false;
    const double parsed = text.toDouble(&ok);
    const bool aboveMinimum =
        lowerBound == LowerBound::Inclusive ? parsed >= minimum : parsed > minimum;
    if (!ok || !std::isfinite(parsed) || !aboveMinimum || parsed > maximum)
        return (lowerBound == LowerBound::Inclusive
                    ? QStringLiteral("'%1' is not a number from %2 to %3")
                    : QStringLiteral("'%1' is not a number above %2, up to %3"))
            .arg(text, QString::number(minimum, 'g', 15), QString::number(maximum, 'g', 15));
    *value = parsed;
    return {};
}

CommandLine::Take CommandLine::nonEmpty(QString* target, const QString& what) {
    return [target, what](const QString& value) {
        if (value.isEmpty())
            return QStringLiteral("'' is not %1").arg(what);
        *target = value;
        return QString();
    };
}

} // namespace Aqueduct::App
