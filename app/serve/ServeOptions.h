#pragma once

#include "CommandLine.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <cstdint>

namespace Aqueduct::App {

/// Command line of `aqueduct serve`.
struct ServeOptions {
    QString pipelinePath;
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 8080;
    int maxInFlight = 1024; ///< requests being processed at once
    int maxQueued = -1;     ///< waiting for a slot; -1 = same as maxInFlight
    qint64 maxBodyBytes = qint64(64) << 20;
    std::int64_t timeoutMs = 0;          ///< per request; 0 = the flow's default_timeout_ms
    std::int64_t readTimeoutMs = 30'000; ///< a request must arrive completely within this
    std::int64_t idleTimeoutMs = 60'000; ///< idle keep-alive connections are closed after this
    int maxConnections = 1024;
    std::int64_t maxBodyBudgetBytes = std::int64_t(256) << 20; ///< all bodies held at once
    std::int64_t maxTimeoutMs = 300'000; ///< larger client timeout_ms values get 400
    std::int64_t drainTimeoutS = 25;     ///< SIGTERM: how long in-flight requests may take
    QStringList allowHosts;              ///< --allow-host, besides localhost and IP literals
    QStringList allowOrigins;            ///< --allow-origin
    bool exposePipeline = false;         ///< GET /v1/pipeline
    bool exposePids = false;             ///< pid labels in /metrics
    bool quiet = false;
    bool pluginsFromPipelineDir = false; ///< --plugins-from-pipeline-dir

    int effectiveMaxQueued() const { return maxQueued >= 0 ? maxQueued : maxInFlight; }
};

/// Parses the arguments after `serve`. Invalid: `error` says why (exit code 2).
ParseOutcome parseServeOptions(const QStringList& arguments, ServeOptions& options, QString* error);
/// `aqueduct serve --help`.
QString serveHelpText();

} // namespace Aqueduct::App
