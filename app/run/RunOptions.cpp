#include "RunOptions.h"

#include <aqueduct/Problem.h>

#include <QFileInfo>

namespace Aqueduct::App {

namespace {

constexpr qint64 kMaxTimeoutMs = qint64(86'400'000) * 365; // a year

/// Declares every option of `aqueduct run`, bound to where it goes in `options`.
void declareRunOptions(CommandLine& line, RunOptions& options) {
    line.addPositional(QStringLiteral("PIPELINE.json"), QStringLiteral("the pipeline to run"));
    line.addValue(QStringLiteral("input"), QStringLiteral("FILE|-"),
                  QStringLiteral("read tasks as JSON lines from FILE (- = stdin), one task per "
                                 "line: {\"field\": value, ...}. Bytes as {\"$bytes\": "
                                 "\"<base64>\"}; optional \"_priority\" (integer >= 0) and "
                                 "\"_timeout_ms\"; other keys starting with '_' are ignored. "
                                 "Blank lines are skipped; a malformed line gives a bad_input "
                                 "record and the run goes on."),
                  CommandLine::nonEmpty(&options.inputPath, QStringLiteral("a file name or -")));
    line.addValue(QStringLiteral("generate"), QStringLiteral("N"),
                  QStringLiteral("instead of --input: N synthetic tasks {\"value\": 0..N-1} (0 = "
                                 "until --duration or a signal)"),
                  [&options](const QString& value) {
                      qint64 count = 0;
                      QString why =
                          CommandLine::parseBoundedInteger(value, 0, qint64(1) << 53, &count);
                      if (why.isEmpty()) {
                          options.generate = true;
                          options.generateCount = std::uint64_t(count);
                      }
                      return why;
                  });
    line.addValue(QStringLiteral("rate"), QStringLiteral("R"),
                  QStringLiteral("with --generate: tasks per second (default 0 = as fast as "
                                 "possible)"),
                  [&options](const QString& value) {
                      return CommandLine::parseBoundedNumber(value, 0, 1e9, &options.ratePerS);
                  });
    line.addInteger(QStringLiteral("payload-bytes"), QStringLiteral("B"),
                    QStringLiteral("with --generate: adds a bytes field \"payload\" of B bytes "
                                   "(at most 1 GiB)"),
                    0, qint64(1) << 30, &options.payloadBytes);
    line.addInteger(QStringLiteral("concurrency"), QStringLiteral("C"),
                    QStringLiteral("tasks in flight at most, 1-65536 (default 256)"), 1, 65536,
                    &options.concurrency);
    line.addInteger(QStringLiteral("timeout-ms"), QStringLiteral("T"),
                    QStringLiteral("deadline per task (default: the flow's default_timeout_ms)"), 1,
                    kMaxTimeoutMs, &options.timeoutMs);
    line.addValue(QStringLiteral("duration"), QStringLiteral("S"),
                  QStringLiteral("stop taking new tasks after S seconds, finish the rest"),
                  [&options](const QString& value) {
                      return CommandLine::parseBoundedNumber(value, 0, 1e7, &options.durationS,
                                                             CommandLine::LowerBound::Exclusive);
                  });
    line.addValue(QStringLiteral("output"), QStringLiteral("FILE|-"),
                  QStringLiteral("result lines (default -, stdout): the task's fields plus "
                                 "\"_status\" (ok or an error kind), \"_error\" (on failure), "
                                 "\"_latency_ms\" and, with --input, \"_line\""),
                  CommandLine::nonEmpty(&options.outputPath, QStringLiteral("a file name or -")));
    line.addFlag({QStringLiteral("ordered")},
                 QStringLiteral("write results in input order (default: completion order)"),
                 &options.ordered);
    line.addInteger(QStringLiteral("reorder-window"), QStringLiteral("N"),
                    QStringLiteral("with --ordered: tasks started ahead of the oldest unfinished "
                                   "one (default max(4 x concurrency, 4096))"),
                    1, 1 << 24, &options.reorderWindow);
    line.addValue(QStringLiteral("summary"), QStringLiteral("FILE"),
                  QStringLiteral("also write the summary JSON object to FILE"),
                  CommandLine::nonEmpty(&options.summaryPath, QStringLiteral("a file name")));
    line.addInteger(QStringLiteral("metrics-port"), QStringLiteral("P"),
                    QStringLiteral("serve Prometheus metrics on http://HOST:P/metrics while "
                                   "running (0 = any free port; the URL is printed)"),
                    0, 65535, &options.metricsPort);
    line.addValue(QStringLiteral("metrics-host"), QStringLiteral("H"),
                  QStringLiteral("address for --metrics-port (default 127.0.0.1)"),
                  CommandLine::nonEmpty(&options.metricsHost, QStringLiteral("an address")));
    line.addFlag({QStringLiteral("plugins-from-pipeline-dir")},
                 QStringLiteral("also load handler plugins (*.so) from the pipeline's folder "
                                "(off by default: loading a plugin runs its code)"),
                 &options.pluginsFromPipelineDir);
    line.addFlag({QStringLiteral("q"), QStringLiteral("quiet")},
                 QStringLiteral("no progress lines"), &options.quiet);
}

CommandLine runCommandLine() {
    return CommandLine(
        "run", QStringLiteral("PIPELINE.json (--input FILE|- | --generate N) [options]"),
        QStringLiteral(
            "Runs a pipeline headless: reads tasks, sends them through the flow with a bounded\n"
            "number in flight, writes one result line per task, prints a summary at the end.\n"
            "Tasks come from --input (JSON lines) or --generate (synthetic): give one of them.\n"),
        QStringLiteral(
            "Progress goes to stderr (about once a second on a terminal, every 10 s otherwise).\n"
            "At exit a summary JSON object goes to stderr: submitted, completed, failed (error\n"
            "kind -> count, bad_input included), tasks_per_s, latency_ms {p50, p95, p99}, "
            "wall_s.\n"
            "\n"
            "SIGINT/SIGTERM: stop taking tasks, finish those in flight, write results and the\n"
            "summary. A second SIGINT/SIGTERM: stop at once (in-flight tasks fail "
            "not_running).\n"
            "\n"
            "Exit status: 0 all tasks ok, 1 some failed, 2 invalid pipeline or arguments,\n"
            "3 the flow could not start or failed while running.\n"));
}

} // namespace

QString runHelpText() {
    CommandLine line = runCommandLine();
    RunOptions unused;
    declareRunOptions(line, unused);
    return line.helpText();
}

ParseOutcome parseRunOptions(const QStringList& arguments, RunOptions& options, QString* error) {
    const auto invalid = [error](const QString& message) {
        *error = message;
        return ParseOutcome::Invalid;
    };
    CommandLine line = runCommandLine();
    declareRunOptions(line, options);
    if (const ParseOutcome outcome = line.parse(arguments); outcome != ParseOutcome::Run) {
        *error = line.error();
        return outcome;
    }

    const QStringList positional = line.positional();
    if (positional.isEmpty())
        return invalid(QStringLiteral("no pipeline file given"));
    if (positional.size() > 1)
        return invalid(QStringLiteral("one pipeline file expected, got %1 (%2)")
                           .arg(positional.size())
                           .arg(escapeControlCharacters(positional.join(QLatin1Char(' ')))));
    options.pipelinePath = positional.first();
    if (options.generate && !options.inputPath.isEmpty())
        return invalid(QStringLiteral("give either --input or --generate, not both"));
    if (!options.generate && options.inputPath.isEmpty())
        return invalid(QStringLiteral("no tasks: give --input FILE|- or --generate N"));
    if (!options.generate &&
        (line.isSet(QStringLiteral("rate")) || line.isSet(QStringLiteral("payload-bytes"))))
        return invalid(QStringLiteral("--rate and --payload-bytes go with --generate"));
    if (options.reorderWindow > 0 && !options.ordered)
        return invalid(QStringLiteral("--reorder-window goes with --ordered"));
    if (!options.inputPath.isEmpty() && options.inputPath != QLatin1String("-") &&
        QFileInfo(options.inputPath).absoluteFilePath() ==
            QFileInfo(options.outputPath).absoluteFilePath())
        return invalid(QStringLiteral("--input and --output name the same file"));
    return ParseOutcome::Run;
}

} // namespace Aqueduct::App
