// Built with or without the GUI: `aqueduct --help` prints the desktop app's options, and a
// headless build names them when it refuses them.
#include "DesktopOptions.h"

namespace Aqueduct::App {

namespace {

QString parseSize(const QString& text, QSize* size) {
    const QStringList parts = text.split(QLatin1Char('x'));
    bool okWidth = false;
    bool okHeight = false;
    const QSize parsed =
        parts.size() == 2 ? QSize(parts[0].toInt(&okWidth), parts[1].toInt(&okHeight)) : QSize();
    if (!okWidth || !okHeight || parsed.width() < 320 || parsed.height() < 240 ||
        parsed.width() > 8192 || parsed.height() > 8192)
        return QStringLiteral("'%1' is not WIDTHxHEIGHT from 320x240 to 8192x8192 (e.g. "
                              "1280x720)")
            .arg(text);
    *size = parsed;
    return {};
}

void declareGuiOptions(CommandLine& line, GuiOptions& options) {
    line.addPositional(QStringLiteral("FILE"),
                       QStringLiteral("the pipeline to open (default: an example)"),
                       QStringLiteral("[FILE]"));
    line.addValue(QStringLiteral("screenshot"), QStringLiteral("OUT.png"),
                  QStringLiteral("render the window to a PNG and exit"),
                  CommandLine::nonEmpty(&options.screenshotPath, QStringLiteral("a file name")));
    line.addValue(QStringLiteral("run-for"), QStringLiteral("S"),
                  QStringLiteral("with --screenshot: run the pipeline with generated load for "
                                 "S seconds first (live charts)"),
                  [&options](const QString& value) {
                      return CommandLine::parseBoundedNumber(value, 0, 24 * 3600, &options.runForS,
                                                             CommandLine::LowerBound::Exclusive);
                  });
    line.addValue(QStringLiteral("size"), QStringLiteral("WIDTHxHEIGHT"),
                  QStringLiteral("with --screenshot: the window size (default 1400x900)"),
                  [&options](const QString& value) { return parseSize(value, &options.size); });
    line.addValue(QStringLiteral("select"), QStringLiteral("STEP"),
                  QStringLiteral("select a step (with --screenshot: for docs)"),
                  CommandLine::nonEmpty(&options.selectStep, QStringLiteral("a step id")));
    line.addFlag({QStringLiteral("dark")},
                 QStringLiteral("use a dark palette (also AQUEDUCT_DARK=1)"), &options.dark);
}

CommandLine guiCommandLine() {
    return CommandLine(
        "",
        QStringLiteral("[options] [FILE]         open the desktop app (designer + monitor)\n"
                       "       aqueduct run FILE [options]       run a pipeline headless\n"
                       "       aqueduct serve FILE [options]     serve a pipeline over HTTP\n"
                       "       aqueduct validate FILE...         check pipeline files\n"
                       "       aqueduct handlers [--json]        list handlers with their "
                       "parameters\n"
                       "       aqueduct [COMMAND] --help | --version"),
        QStringLiteral("The desktop app's options follow; each command has its own (aqueduct "
                       "COMMAND --help).\n"));
}

} // namespace

QString guiHelpText() {
    CommandLine line = guiCommandLine();
    GuiOptions unused;
    declareGuiOptions(line, unused);
    return line.helpText();
}

ParseOutcome parseGuiOptions(const QStringList& arguments, GuiOptions& options, QString* error) {
    const auto invalid = [error](const QString& message) {
        *error = message;
        return ParseOutcome::Invalid;
    };
    CommandLine line = guiCommandLine();
    declareGuiOptions(line, options);
    if (const ParseOutcome outcome = line.parse(arguments); outcome != ParseOutcome::Run) {
        *error = line.error();
        return outcome;
    }
    const QStringList positional = line.positional();
    if (positional.size() > 1)
        return invalid(QStringLiteral("only one pipeline file can be opened"));
    if (!positional.isEmpty())
        options.pipelinePath = positional.first();
    if (options.runForS > 0 && options.screenshotPath.isEmpty())
        return invalid(QStringLiteral("--run-for goes with --screenshot OUT.png"));
    if (options.size.isValid() && options.screenshotPath.isEmpty())
        return invalid(QStringLiteral("--size goes with --screenshot OUT.png"));
    return ParseOutcome::Run;
}

} // namespace Aqueduct::App
