#include "RunOptions.h"

#include <QFileInfo>

#include <cmath>

namespace Aqueduct::App {

void printRunHelp(FILE* out) {
    std::fputs(
        "Usage: aqueduct run PIPELINE.json (--input FILE|- | --generate N) [options]\n"
        "\n"
        "Runs a pipeline headless: reads tasks, sends them through the flow with a bounded\n"
        "number in flight, writes one result line per task, prints a summary at the end.\n"
        "\n"
        "Input (one of):\n"
        "  --input FILE|-         JSON lines, one task per line: {\"field\": value, ...}.\n"
        "                         Bytes as {\"$bytes\": \"<base64>\"}; optional \"_priority\"\n"
        "                         (integer >= 0) and \"_timeout_ms\"; other keys starting\n"
        "                         with '_' are ignored. Blank lines are skipped; a malformed\n"
        "                         line gives a bad_input record and the run goes on.\n"
        "  --generate N           N synthetic tasks {\"value\": 0..N-1} (0 = until --duration\n"
        "                         or a signal)\n"
        "    --rate R             tasks per second (default 0 = as fast as possible)\n"
        "    --payload-bytes B    adds a bytes field \"payload\" of B bytes\n"
        "\n"
        "Options:\n"
        "  --concurrency C        tasks in flight at most, 1-65536 (default 256)\n"
        "  --timeout-ms T         deadline per task (default: the flow's default_timeout_ms)\n"
        "  --duration S           stop taking new tasks after S seconds, finish the rest\n"
        "  --output FILE|-        result lines (default -, stdout): the task's fields plus\n"
        "                         \"_status\" (ok or an error kind), \"_error\" (on failure),\n"
        "                         \"_latency_ms\" and, with --input, \"_line\"\n"
        "  --ordered              write results in input order (default: completion order)\n"
        "  --reorder-window N     with --ordered, tasks started ahead of the oldest\n"
        "                         unfinished one (default max(4 x concurrency, 4096))\n"
        "  --summary FILE         also write the summary JSON object to FILE\n"
        "  --metrics-port P       serve Prometheus metrics on http://HOST:P/metrics while\n"
        "                         running (0 = any free port; the URL is printed)\n"
        "  --metrics-host H       address for --metrics-port (default 127.0.0.1)\n"
        "  --plugins-from-pipeline-dir\n"
        "                         also load handler plugins (*.so) from the pipeline's folder\n"
        "                         (off by default: loading a plugin runs its code)\n"
        "  -q, --quiet            no progress lines\n"
        "  -h, --help             show this help\n"
        "\n"
        "Progress goes to stderr (about once a second on a terminal, every 10 s otherwise).\n"
        "At exit a summary JSON object goes to stderr: submitted, completed, failed (error\n"
        "kind -> count, bad_input included), tasks_per_s, latency_ms {p50, p95, p99}, wall_s.\n"
        "\n"
        "SIGINT/SIGTERM: stop taking tasks, finish those in flight, write results and the\n"
        "summary. A second SIGINT/SIGTERM: stop at once (in-flight tasks fail not_running).\n"
        "\n"
        "Exit status: 0 all tasks ok, 1 some failed, 2 invalid pipeline or arguments,\n"
        "3 the flow could not start or failed while running.\n",
        out);
}

namespace {

bool parseInteger(const QString& text, std::int64_t minimum, std::int64_t maximum,
                  std::int64_t* value) {
    bool ok = false;
    const qlonglong parsed = text.toLongLong(&ok);
    if (!ok || parsed < minimum || parsed > maximum)
        return false;
    *value = parsed;
    return true;
}

bool parseNumber(const QString& text, double minimum, double maximum, double* value) {
    bool ok = false;
    const double parsed = text.toDouble(&ok);
    if (!ok || !std::isfinite(parsed) || parsed < minimum || parsed > maximum)
        return false;
    *value = parsed;
    return true;
}

} // namespace

ParseOutcome parseRunOptions(const QStringList& arguments, RunOptions& options, QString* error) {
    const auto invalid = [error](const QString& message) {
        *error = message;
        return ParseOutcome::Invalid;
    };
    QStringList positional;
    bool rateGiven = false;
    bool payloadGiven = false;
    bool optionsEnded = false;
    for (int i = 0; i < arguments.size(); ++i) {
        QString argument = arguments[i];
        if (optionsEnded || !argument.startsWith(QLatin1Char('-')) ||
            argument == QLatin1String("-")) {
            positional << argument;
            continue;
        }
        if (argument == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }
        QString inlineValue;
        bool hasInlineValue = false;
        if (argument.startsWith(QLatin1String("--"))) {
            const qsizetype equals = argument.indexOf(QLatin1Char('='));
            if (equals > 0) {
                inlineValue = argument.mid(equals + 1);
                argument = argument.left(equals);
                hasInlineValue = true;
            }
        }
        const auto takeValue = [&](QString* value) {
            if (hasInlineValue) {
                *value = inlineValue;
                return true;
            }
            if (i + 1 >= arguments.size())
                return false;
            *value = arguments[++i];
            return true;
        };
        const auto isFlag = [&](const char* name) { return argument == QLatin1String(name); };

        if (isFlag("-h") || isFlag("--help"))
            return ParseOutcome::Help;
        if (isFlag("-q") || isFlag("--quiet")) {
            options.quiet = true;
            continue;
        }
        if (isFlag("--plugins-from-pipeline-dir")) {
            options.pluginsFromPipelineDir = true;
            continue;
        }
        if (isFlag("--ordered")) {
            options.ordered = true;
            continue;
        }
        static const char* const kValued[] = {
            "--input",       "--generate",     "--rate",         "--payload-bytes",
            "--concurrency", "--duration",     "--output",       "--reorder-window",
            "--summary",     "--metrics-port", "--metrics-host", "--timeout-ms"};
        bool known = false;
        for (const char* name : kValued)
            known = known || isFlag(name);
        if (!known)
            return invalid(QStringLiteral("unknown option '%1'").arg(arguments[i]));
        QString value;
        if (!takeValue(&value))
            return invalid(QStringLiteral("%1 needs a value").arg(argument));

        std::int64_t integer = 0;
        if (isFlag("--input")) {
            if (value.isEmpty())
                return invalid(QStringLiteral("--input needs a file name or -"));
            options.inputPath = value;
        } else if (isFlag("--generate")) {
            if (!parseInteger(value, 0, std::int64_t(1) << 53, &integer))
                return invalid(
                    QStringLiteral("--generate: '%1' is not a task count (0 or more)").arg(value));
            options.generate = true;
            options.generateCount = std::uint64_t(integer);
        } else if (isFlag("--rate")) {
            if (!parseNumber(value, 0, 1e9, &options.ratePerS))
                return invalid(
                    QStringLiteral("--rate: '%1' is not a rate in tasks per second (0 or more)")
                        .arg(value));
            rateGiven = true;
        } else if (isFlag("--payload-bytes")) {
            if (!parseInteger(value, 0, std::int64_t(1) << 30, &integer))
                return invalid(
                    QStringLiteral("--payload-bytes: '%1' is not a size between 0 and 1 GiB")
                        .arg(value));
            options.payloadBytes = integer;
            payloadGiven = true;
        } else if (isFlag("--concurrency")) {
            if (!parseInteger(value, 1, 65536, &integer))
                return invalid(
                    QStringLiteral("--concurrency: '%1' is not between 1 and 65536").arg(value));
            options.concurrency = int(integer);
        } else if (isFlag("--duration")) {
            if (!parseNumber(value, 0, 1e7, &options.durationS) || options.durationS <= 0)
                return invalid(
                    QStringLiteral("--duration: '%1' is not a positive number of seconds")
                        .arg(value));
        } else if (isFlag("--output")) {
            if (value.isEmpty())
                return invalid(QStringLiteral("--output needs a file name or -"));
            options.outputPath = value;
        } else if (isFlag("--reorder-window")) {
            if (!parseInteger(value, 1, 1 << 24, &integer))
                return invalid(
                    QStringLiteral("--reorder-window: '%1' is not between 1 and 16777216")
                        .arg(value));
            options.reorderWindow = int(integer);
        } else if (isFlag("--summary")) {
            if (value.isEmpty())
                return invalid(QStringLiteral("--summary needs a file name"));
            options.summaryPath = value;
        } else if (isFlag("--metrics-port")) {
            if (!parseInteger(value, 0, 65535, &integer))
                return invalid(
                    QStringLiteral("--metrics-port: '%1' is not a port (0-65535)").arg(value));
            options.metricsPort = int(integer);
        } else if (isFlag("--metrics-host")) {
            if (value.isEmpty())
                return invalid(QStringLiteral("--metrics-host needs an address"));
            options.metricsHost = value;
        } else if (isFlag("--timeout-ms")) {
            if (!parseInteger(value, 1, std::int64_t(86'400'000) * 365, &integer))
                return invalid(
                    QStringLiteral("--timeout-ms: '%1' is not a positive number of milliseconds")
                        .arg(value));
            options.timeoutMs = integer;
        }
    }

    if (positional.isEmpty())
        return invalid(QStringLiteral("no pipeline file given"));
    if (positional.size() > 1)
        return invalid(QStringLiteral("one pipeline file expected, got %1 (%2)")
                           .arg(positional.size())
                           .arg(positional.join(QLatin1Char(' '))));
    options.pipelinePath = positional.first();
    if (options.generate && !options.inputPath.isEmpty())
        return invalid(QStringLiteral("give either --input or --generate, not both"));
    if (!options.generate && options.inputPath.isEmpty())
        return invalid(QStringLiteral("no tasks: give --input FILE|- or --generate N"));
    if (!options.generate && (rateGiven || payloadGiven))
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
