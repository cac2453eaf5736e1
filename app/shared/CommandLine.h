#pragma once

#include <QCommandLineParser>
#include <QHash>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

namespace Aqueduct::App {

enum class ParseOutcome { Run, Help, Version, Invalid };

/// One command's command line. QCommandLineParser does the syntax: --help, --version,
/// unknown options, missing values, --name=value, "--" ending the options. Each option is
/// bound here to a check that also stores its value, so a command declares a flag, its help
/// line, its range and its destination in one place, and every error reads
/// "--flag: 'value' is not ...".
class CommandLine {
public:
    /// `usage` follows "Usage: aqueduct COMMAND " (an empty command: the desktop app, whose
    /// usage line is the program's); `description` comes before the option
    /// list in --help, `epilog` after it (each may span lines).
    CommandLine(const char* command, QString usage, QString description, QString epilog = {});

    /// Takes a value and stores it, or returns why the value is wrong ("'x' is not ...").
    using Take = std::function<QString(const QString& value)>;

    void addFlag(const QStringList& names, const QString& help, bool* target);
    /// A valued option; a repeated one hands every value to `take`, in order (the last
    /// stored wins for single values).
    void addValue(const QString& name, const QString& valueName, const QString& help, Take take);
    template <typename Integer>
    void addInteger(const QString& name, const QString& valueName, const QString& help,
                    qint64 minimum, qint64 maximum, Integer* target) {
        addValue(name, valueName, help, [=](const QString& value) {
            qint64 parsed = 0;
            QString why = parseBoundedInteger(value, minimum, maximum, &parsed);
            if (why.isEmpty())
                *target = Integer(parsed);
            return why;
        });
    }
    void addPositional(const QString& name, const QString& help, const QString& syntax = {});

    /// Parses the arguments after the command's name. Invalid: error() says why. --help
    /// and --version win over errors elsewhere on the line.
    ParseOutcome parse(const QStringList& arguments);
    QString error() const { return m_error; }
    /// Arguments that named no option, as given (without "=value"); empty unless parse()
    /// found some.
    QStringList unknownOptions() const { return m_unknownOptions; }
    QStringList positional() const { return m_parser->positionalArguments(); }
    bool isSet(const QString& name) const { return m_parser->isSet(name); }

    QString helpText();
    /// "aqueduct VERSION\n", as `aqueduct --version` prints it.
    static QString versionText();

    /// Empty when `text` is a whole number in [minimum, maximum] (stored in `value`),
    /// else why not.
    static QString parseBoundedInteger(const QString& text, qint64 minimum, qint64 maximum,
                                       qint64* value);
    enum class LowerBound { Inclusive, Exclusive };
    /// Empty when `text` is a finite number in [minimum, maximum] (or (minimum, maximum]
    /// with LowerBound::Exclusive), stored in `value`; else why not.
    static QString parseBoundedNumber(const QString& text, double minimum, double maximum,
                                      double* value, LowerBound lowerBound = LowerBound::Inclusive);
    /// A Take for a value that must not be empty; `what` completes "'' is not ...".
    static Take nonEmpty(QString* target, const QString& what);

private:
    struct Binding {
        QString name;
        Take take;
    };
    struct FlagBinding {
        QString name;
        bool* target;
    };
    QString syntaxError();
    void addStandardOptions();

    QString m_command;
    QString m_usage;
    QString m_description;
    QString m_epilog;
    std::unique_ptr<QCommandLineParser> m_parser; ///< not movable itself
    std::vector<Binding> m_bindings;
    std::vector<FlagBinding> m_flags;
    QHash<QString, QString> m_valueNames; ///< option name -> value name, for errors
    QStringList m_arguments;
    QString m_error;
    bool m_standardOptionsAdded = false;
    QStringList m_unknownOptions;
};

} // namespace Aqueduct::App
