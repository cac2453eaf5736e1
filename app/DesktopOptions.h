#pragma once

#include "CommandLine.h"

#include <QSize>
#include <QString>
#include <QStringList>

namespace Aqueduct::App {

/// Command line of the desktop app, `aqueduct [options] [FILE]`.
struct GuiOptions {
    QString screenshotPath; ///< --screenshot OUT.png: render the window to a PNG and exit
    QString pipelinePath;
    QString selectStep; ///< --select ID: a step to select (screenshots of the inspector)
    bool dark = false;
    QSize size;         ///< --size WxH (with --screenshot): the window size, default 1400x900
    double runForS = 0; ///< --run-for S (with --screenshot): run with the generator first
};

/// Parses the arguments after the program name. Invalid: `error` says why (exit code 2).
ParseOutcome parseGuiOptions(const QStringList& arguments, GuiOptions& options, QString* error);
/// `aqueduct --help`: every command, then the desktop app's options.
QString guiHelpText();

} // namespace Aqueduct::App
