#pragma once

#include "CommandLine.h"

#include <QString>
#include <QStringList>

#include <cstdint>

namespace Aqueduct::App {

/// Command line of `aqueduct run`.
struct RunOptions {
    QString pipelinePath;
    QString inputPath; ///< JSON lines; "-" = stdin; empty with --generate
    bool generate = false;
    std::uint64_t generateCount = 0; ///< 0 = until --duration or a signal
    double ratePerS = 0;             ///< 0 = as fast as the flow takes them
    std::int64_t payloadBytes = 0;
    int concurrency = 256;
    double durationS = 0; ///< 0 = no limit
    QString outputPath = QStringLiteral("-");
    bool ordered = false;
    int reorderWindow = 0; ///< 0 = automatic (see effectiveReorderWindow)
    bool quiet = false;
    bool pluginsFromPipelineDir = false; ///< --plugins-from-pipeline-dir
    QString summaryPath;
    int metricsPort = -1; ///< -1 = not given; 0 = any free port
    QString metricsHost = QStringLiteral("127.0.0.1");
    std::int64_t timeoutMs = 0; ///< per task; 0 = the flow's default_timeout_ms

    int effectiveReorderWindow() const {
        return reorderWindow > 0 ? reorderWindow : qMax(4 * concurrency, 4096);
    }
};

/// Parses the arguments after `run`. Invalid: `error` says why (exit code 2).
ParseOutcome parseRunOptions(const QStringList& arguments, RunOptions& options, QString* error);
/// `aqueduct run --help`.
QString runHelpText();

} // namespace Aqueduct::App
