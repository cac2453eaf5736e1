#include "ServeOptions.h"

#include <QRegularExpression>

namespace Aqueduct::App {

void printServeHelp(FILE* out) {
    std::fputs(
        "Usage: aqueduct serve PIPELINE.json [--listen HOST:PORT] [options]\n"
        "\n"
        "Serves a pipeline over HTTP (default 127.0.0.1:8080; port 0 picks a free one; the\n"
        "address is printed on stderr as 'listening on http://HOST:PORT').\n"
        "\n"
        "Endpoints:\n"
        "  POST /v1/process       a JSON task {\"field\": value, ...} (bytes as\n"
        "                         {\"$bytes\": \"<base64>\"}, optional \"_priority\",\n"
        "                         \"_timeout_ms\") -> the result: the task's fields plus\n"
        "                         \"_status\", \"_latency_ms\" (and \"_error\" on failure).\n"
        "                         Or a raw body for one bytes field: ?field=NAME (or header\n"
        "                         X-Aqueduct-Field: NAME). Query: timeout_ms, priority,\n"
        "                         output_field=NAME (answer with that field's raw bytes).\n"
        "  GET /healthz           liveness: 200 while the process and its event loop run\n"
        "  GET /readyz            readiness: 200 while the flow runs, every step has a live\n"
        "                         worker and the server is not draining; else 503\n"
        "  GET /metrics           Prometheus text format (with aqueduct_serve_* gauges)\n"
        "  GET /v1/pipeline       the pipeline JSON (only with --expose-pipeline)\n"
        "\n"
        "Status codes: 200 ok, 400 bad request or malformed HTTP (e.g. Content-Length with\n"
        "Transfer-Encoding), 403 Host or Origin not allowed, 404 unknown path, 405 wrong\n"
        "method, 408 request not received in time, 413 body too large or task rejected, 431\n"
        "headers too large, 500 handler error (with its message), 502 worker crashed, 503 not\n"
        "running, starting, draining or too busy (with Retry-After; also when request bodies\n"
        "in flight pass --max-body-budget-bytes), 504 timeout.\n"
        "\n"
        "Options:\n"
        "  --listen HOST:PORT     address to listen on (default 127.0.0.1:8080)\n"
        "  --max-in-flight N      requests processed at once (default 1024)\n"
        "  --max-queued N         requests waiting for a slot, up to their deadline\n"
        "                         (default: same as --max-in-flight; more get 503 at once)\n"
        "  --max-body-bytes B     larger request bodies get 413 (default 67108864, 64 MiB)\n"
        "  --max-body-budget-bytes B\n"
        "                         request bodies held at once, all connections together;\n"
        "                         past it 503 + Retry-After (default 268435456, 256 MiB)\n"
        "  --timeout-ms T         deadline per request when the client gives none\n"
        "                         (default: the flow's default_timeout_ms)\n"
        "  --max-timeout-ms T     a client timeout_ms/_timeout_ms above T gets 400\n"
        "                         (default 300000)\n"
        "  --read-timeout-ms T    a request must arrive within T ms, else 408 (default 30000)\n"
        "  --idle-timeout-ms T    idle keep-alive connections close after T ms (default 60000)\n"
        "  --max-connections N    open connections at most; more get 503 (default 1024)\n"
        "  --drain-timeout-s S    after SIGTERM, in-flight requests get S seconds to finish\n"
        "                         (default 25)\n"
        "  --allow-host NAME      also accept requests with Host NAME (repeatable; '*' any).\n"
        "                         Accepted by default: localhost and IP addresses\n"
        "  --allow-origin ORIGIN  accept browser requests from ORIGIN, e.g.\n"
        "                         http://localhost:3000 (repeatable); others get 403\n"
        "  --expose-pipeline      serve GET /v1/pipeline\n"
        "  --expose-pids          put worker pids in /metrics labels\n"
        "  --plugins-from-pipeline-dir\n"
        "                         also load handler plugins (*.so) from the pipeline's folder\n"
        "  -q, --quiet            no engine event lines on stderr\n"
        "  -h, --help             show this help\n"
        "\n"
        "SIGINT/SIGTERM: drain: /readyz turns 503 at once, new work gets 503, requests in\n"
        "flight finish (for up to --drain-timeout-s), the flow stops, exit 0.\n"
        "A second SIGINT/SIGTERM: stop at once (requests in flight get 503).\n"
        "Exit status: 0 after a clean stop, 2 invalid pipeline or arguments (or the address\n"
        "cannot be used), 3 the flow could not start or failed while serving.\n",
        out);
}

namespace {

bool parseListen(const QString& text, QString* host, quint16* port) {
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    QString hostPart = text.left(colon);
    if (hostPart.startsWith(QLatin1Char('[')) && hostPart.endsWith(QLatin1Char(']')))
        hostPart = hostPart.mid(1, hostPart.size() - 2);
    bool ok = false;
    const uint number = text.mid(colon + 1).toUInt(&ok);
    if (!ok || number > 65535 || hostPart.isEmpty())
        return false;
    if (hostPart != QLatin1String("localhost") && QHostAddress(hostPart).isNull())
        return false;
    *host = hostPart;
    *port = quint16(number);
    return true;
}

} // namespace

ParseOutcome parseServeOptions(const QStringList& arguments, ServeOptions& options,
                               QString* error) {
    const auto invalid = [error](const QString& message) {
        *error = message;
        return ParseOutcome::Invalid;
    };
    QStringList positional;
    for (int i = 0; i < arguments.size(); ++i) {
        QString argument = arguments[i];
        if (!argument.startsWith(QLatin1Char('-'))) {
            positional << argument;
            continue;
        }
        QString value;
        bool hasValue = false;
        const qsizetype equals = argument.indexOf(QLatin1Char('='));
        if (argument.startsWith(QLatin1String("--")) && equals > 0) {
            value = argument.mid(equals + 1);
            argument = argument.left(equals);
            hasValue = true;
        }
        if (argument == QLatin1String("-h") || argument == QLatin1String("--help"))
            return ParseOutcome::Help;
        if (argument == QLatin1String("--plugins-from-pipeline-dir")) {
            options.pluginsFromPipelineDir = true;
            continue;
        }
        if (argument == QLatin1String("-q") || argument == QLatin1String("--quiet")) {
            options.quiet = true;
            continue;
        }
        if (argument == QLatin1String("--expose-pipeline")) {
            options.exposePipeline = true;
            continue;
        }
        if (argument == QLatin1String("--expose-pids")) {
            options.exposePids = true;
            continue;
        }
        struct IntOption {
            const char* name;
            qint64 minimum;
            qint64 maximum;
        };
        static const IntOption kIntOptions[] = {
            {"--max-in-flight", 1, 1 << 20},
            {"--max-queued", 0, 1 << 20},
            {"--max-body-bytes", 1, qint64(1) << 40},
            {"--timeout-ms", 1, qint64(86'400'000) * 365},
            {"--read-timeout-ms", 1, 3'600'000},
            {"--idle-timeout-ms", 1, 86'400'000},
            {"--max-connections", 1, 1 << 20},
            {"--max-body-budget-bytes", 1, qint64(1) << 40},
            {"--max-timeout-ms", 1, qint64(86'400'000) * 365},
            {"--drain-timeout-s", 0, 86'400},
        };
        const bool isListen = argument == QLatin1String("--listen");
        const bool isAllowHost = argument == QLatin1String("--allow-host");
        const bool isAllowOrigin = argument == QLatin1String("--allow-origin");
        const IntOption* intOption = nullptr;
        for (const IntOption& candidate : kIntOptions)
            if (argument == QLatin1String(candidate.name))
                intOption = &candidate;
        if (!isListen && !isAllowHost && !isAllowOrigin && !intOption)
            return invalid(QStringLiteral("unknown option '%1'").arg(arguments[i]));
        if (!hasValue) {
            if (i + 1 >= arguments.size())
                return invalid(QStringLiteral("%1 needs a value").arg(argument));
            value = arguments[++i];
        }
        if (isListen) {
            if (!parseListen(value, &options.host, &options.port))
                return invalid(
                    QStringLiteral("--listen: '%1' is not HOST:PORT (e.g. 127.0.0.1:8080)")
                        .arg(value));
            continue;
        }
        if (isAllowHost) {
            static const QRegularExpression hostName(
                QStringLiteral("^(\\*|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))$"));
            if (!hostName.match(value).hasMatch())
                return invalid(
                    QStringLiteral("--allow-host: '%1' is not a host name (or '*')").arg(value));
            options.allowHosts << value.toLower();
            continue;
        }
        if (isAllowOrigin) {
            static const QRegularExpression origin(
                QStringLiteral("^https?://[A-Za-z0-9.\\[\\]:-]+$"));
            if (!origin.match(value).hasMatch())
                return invalid(QStringLiteral("--allow-origin: '%1' is not an origin like "
                                              "http://localhost:3000")
                                   .arg(value));
            options.allowOrigins << value;
            continue;
        }
        bool ok = false;
        const qint64 number = value.toLongLong(&ok);
        if (!ok || number < intOption->minimum || number > intOption->maximum)
            return invalid(QStringLiteral("%1: '%2' is not between %3 and %4")
                               .arg(argument, value)
                               .arg(intOption->minimum)
                               .arg(intOption->maximum));
        const QLatin1String name(intOption->name);
        if (name == QLatin1String("--max-in-flight"))
            options.maxInFlight = int(number);
        else if (name == QLatin1String("--max-queued"))
            options.maxQueued = int(number);
        else if (name == QLatin1String("--max-body-bytes"))
            options.maxBodyBytes = number;
        else if (name == QLatin1String("--timeout-ms"))
            options.timeoutMs = number;
        else if (name == QLatin1String("--read-timeout-ms"))
            options.readTimeoutMs = number;
        else if (name == QLatin1String("--idle-timeout-ms"))
            options.idleTimeoutMs = number;
        else if (name == QLatin1String("--max-connections"))
            options.maxConnections = int(number);
        else if (name == QLatin1String("--max-body-budget-bytes"))
            options.maxBodyBudgetBytes = number;
        else if (name == QLatin1String("--max-timeout-ms"))
            options.maxTimeoutMs = number;
        else if (name == QLatin1String("--drain-timeout-s"))
            options.drainTimeoutS = number;
    }
    if (positional.isEmpty())
        return invalid(QStringLiteral("no pipeline file given"));
    if (positional.size() > 1)
        return invalid(QStringLiteral("one pipeline file expected, got %1").arg(positional.size()));
    if (options.maxBodyBudgetBytes < options.maxBodyBytes)
        return invalid(
            QStringLiteral("--max-body-budget-bytes (%1) is below --max-body-bytes (%2): "
                           "a body of the allowed size could never be taken")
                .arg(options.maxBodyBudgetBytes)
                .arg(options.maxBodyBytes));
    options.pipelinePath = positional.first();
    return ParseOutcome::Run;
}

} // namespace Aqueduct::App
