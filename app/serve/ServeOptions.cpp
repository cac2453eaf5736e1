#include "ServeOptions.h"

#include <QRegularExpression>

namespace Aqueduct::App {

namespace {

constexpr qint64 kMaxTimeoutMs = qint64(86'400'000) * 365; // a year

QString parseListen(const QString& text, QString* host, quint16* port) {
    const QString why = QStringLiteral("'%1' is not HOST:PORT (e.g. 127.0.0.1:8080)").arg(text);
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return why;
    QString hostPart = text.left(colon);
    if (hostPart.startsWith(QLatin1Char('[')) && hostPart.endsWith(QLatin1Char(']')))
        hostPart = hostPart.mid(1, hostPart.size() - 2);
    bool ok = false;
    const uint number = text.mid(colon + 1).toUInt(&ok);
    if (!ok || number > 65535 || hostPart.isEmpty())
        return why;
    if (hostPart != QLatin1String("localhost") && QHostAddress(hostPart).isNull())
        return why;
    *host = hostPart;
    *port = quint16(number);
    return {};
}

/// Declares every option of `aqueduct serve`, bound to where it goes in `options`.
void declareServeOptions(CommandLine& line, ServeOptions& options) {
    line.addPositional(QStringLiteral("PIPELINE.json"), QStringLiteral("the pipeline to serve"));
    line.addValue(QStringLiteral("listen"), QStringLiteral("HOST:PORT"),
                  QStringLiteral("address to listen on (default 127.0.0.1:8080)"),
                  [&options](const QString& value) {
                      return parseListen(value, &options.host, &options.port);
                  });
    line.addInteger(QStringLiteral("max-in-flight"), QStringLiteral("N"),
                    QStringLiteral("requests processed at once (default 1024)"), 1, 1 << 20,
                    &options.maxInFlight);
    line.addInteger(QStringLiteral("max-queued"), QStringLiteral("N"),
                    QStringLiteral("requests waiting for a slot, up to their deadline (default: "
                                   "same as --max-in-flight; more get 503 at once)"),
                    0, 1 << 20, &options.maxQueued);
    line.addInteger(QStringLiteral("max-body-bytes"), QStringLiteral("B"),
                    QStringLiteral("larger request bodies get 413 (default 67108864, 64 MiB)"), 1,
                    qint64(1) << 40, &options.maxBodyBytes);
    line.addInteger(QStringLiteral("max-body-budget-bytes"), QStringLiteral("B"),
                    QStringLiteral("request bodies held at once, all connections together; past "
                                   "it 503 + Retry-After (default 268435456, 256 MiB)"),
                    1, qint64(1) << 40, &options.maxBodyBudgetBytes);
    line.addInteger(QStringLiteral("timeout-ms"), QStringLiteral("T"),
                    QStringLiteral("deadline per request when the client gives none (default: "
                                   "the flow's default_timeout_ms)"),
                    1, kMaxTimeoutMs, &options.timeoutMs);
    line.addInteger(QStringLiteral("max-timeout-ms"), QStringLiteral("T"),
                    QStringLiteral("a client timeout_ms/_timeout_ms above T gets 400 (default "
                                   "300000)"),
                    1, kMaxTimeoutMs, &options.maxTimeoutMs);
    line.addInteger(QStringLiteral("read-timeout-ms"), QStringLiteral("T"),
                    QStringLiteral("a request must arrive within T ms, else 408 (default 30000)"),
                    1, 3'600'000, &options.readTimeoutMs);
    line.addInteger(QStringLiteral("idle-timeout-ms"), QStringLiteral("T"),
                    QStringLiteral("idle keep-alive connections close after T ms (default "
                                   "60000)"),
                    1, 86'400'000, &options.idleTimeoutMs);
    line.addInteger(QStringLiteral("max-connections"), QStringLiteral("N"),
                    QStringLiteral("open connections at most; more get 503 (default 1024)"), 1,
                    1 << 20, &options.maxConnections);
    line.addInteger(QStringLiteral("drain-timeout-s"), QStringLiteral("S"),
                    QStringLiteral("after SIGTERM, in-flight requests get S seconds to finish "
                                   "(default 25)"),
                    0, 86'400, &options.drainTimeoutS);
    line.addValue(QStringLiteral("allow-host"), QStringLiteral("NAME"),
                  QStringLiteral("also accept requests with Host NAME (repeatable; '*' any). "
                                 "Accepted by default: localhost and IP addresses"),
                  [&options](const QString& value) {
                      static const QRegularExpression hostName(
                          QStringLiteral("^(\\*|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))$"));
                      if (!hostName.match(value).hasMatch())
                          return QStringLiteral("'%1' is not a host name (or '*')").arg(value);
                      options.allowHosts << value.toLower();
                      return QString();
                  });
    line.addValue(QStringLiteral("allow-origin"), QStringLiteral("ORIGIN"),
                  QStringLiteral("accept browser requests from ORIGIN, e.g. "
                                 "http://localhost:3000 (repeatable); others get 403"),
                  [&options](const QString& value) {
                      static const QRegularExpression origin(
                          QStringLiteral("^https?://[A-Za-z0-9.\\[\\]:-]+$"));
                      if (!origin.match(value).hasMatch())
                          return QStringLiteral("'%1' is not an origin like http://localhost:3000")
                              .arg(value);
                      options.allowOrigins << value;
                      return QString();
                  });
    line.addFlag({QStringLiteral("expose-pipeline")}, QStringLiteral("serve GET /v1/pipeline"),
                 &options.exposePipeline);
    line.addFlag({QStringLiteral("expose-pids")},
                 QStringLiteral("put worker pids in /metrics labels"), &options.exposePids);
    line.addFlag({QStringLiteral("plugins-from-pipeline-dir")},
                 QStringLiteral("also load handler plugins (*.so) from the pipeline's folder "
                                "(off by default: loading a plugin runs its code)"),
                 &options.pluginsFromPipelineDir);
    line.addFlag({QStringLiteral("q"), QStringLiteral("quiet")},
                 QStringLiteral("no engine event lines on stderr"), &options.quiet);
}

CommandLine serveCommandLine() {
    return CommandLine(
        "serve", QStringLiteral("PIPELINE.json [--listen HOST:PORT] [options]"),
        QStringLiteral(
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
            "method, 408 request not received in time, 413 body too large or task rejected, "
            "431\n"
            "headers too large, 500 handler error (with its message), 502 worker crashed, 503 "
            "not\n"
            "running, starting, draining or too busy (with Retry-After; also when request "
            "bodies\n"
            "in flight pass --max-body-budget-bytes), 504 timeout.\n"),
        QStringLiteral(
            "SIGINT/SIGTERM: drain: /readyz turns 503 at once, new work gets 503, requests in\n"
            "flight finish (for up to --drain-timeout-s), the flow stops, exit 0.\n"
            "A second SIGINT/SIGTERM: stop at once (requests in flight get 503).\n"
            "Exit status: 0 after a clean stop, 2 invalid pipeline or arguments (or the "
            "address\n"
            "cannot be used), 3 the flow could not start or failed while serving.\n"));
}

} // namespace

QString serveHelpText() {
    CommandLine line = serveCommandLine();
    ServeOptions unused;
    declareServeOptions(line, unused);
    return line.helpText();
}

ParseOutcome parseServeOptions(const QStringList& arguments, ServeOptions& options,
                               QString* error) {
    const auto invalid = [error](const QString& message) {
        *error = message;
        return ParseOutcome::Invalid;
    };
    CommandLine line = serveCommandLine();
    declareServeOptions(line, options);
    if (const ParseOutcome outcome = line.parse(arguments); outcome != ParseOutcome::Run) {
        *error = line.error();
        return outcome;
    }
    const QStringList positional = line.positional();
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
