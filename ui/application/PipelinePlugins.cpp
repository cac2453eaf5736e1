#include "application/PipelinePlugins.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PluginLoader.h>
#include <aqueduct/Problem.h>

#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>

namespace Aqueduct::Ui {

namespace {

const QString kTrustedKey = QStringLiteral("plugins/trusted_folders");

} // namespace

QStringList PipelinePlugins::pending(const QString& pipelinePath) {
    const QStringList loaded = PluginLoader::loadedFiles();
    QStringList files;
    for (const QString& file : PluginLoader::pipelineFolderPlugins(pipelinePath)) {
        if (!loaded.contains(QFileInfo(file).canonicalFilePath()))
            files << file;
    }
    return files;
}

int PipelinePlugins::offer(QWidget* parent, const QString& pipelinePath, Prompt prompt) {
    const QStringList files = pending(pipelinePath);
    if (files.isEmpty())
        return 0;
    const QString folder = QFileInfo(pipelinePath).absoluteDir().canonicalPath();
    QSettings settings;
    QStringList trusted = settings.value(kTrustedKey).toStringList();
    if (!trusted.contains(folder)) {
        if (prompt == Prompt::Never)
            return 0;
        QStringList names;
        for (const QString& file : files)
            names << QFileInfo(file).fileName().toHtmlEscaped();
        QMessageBox box(
            QMessageBox::Warning, QObject::tr("Load plugins from this folder?"),
            QObject::tr("The folder of this pipeline holds handler plugins:<br><b>%1</b>"
                        "<br><br>A plugin runs its code with your rights as soon as it "
                        "is loaded. Load them only if you trust where this folder "
                        "came from.")
                .arg(escapeControlCharacters(names.join(QStringLiteral(", ")))),
            QMessageBox::NoButton, parent);
        box.setInformativeText(escapeControlCharacters(folder).toHtmlEscaped());
        QPushButton* load = box.addButton(QObject::tr("Load"), QMessageBox::AcceptRole);
        QPushButton* always =
            box.addButton(QObject::tr("Always for This Folder"), QMessageBox::AcceptRole);
        QPushButton* skip = box.addButton(QObject::tr("Don't Load"), QMessageBox::RejectRole);
        box.setDefaultButton(skip);
        box.exec();
        if (box.clickedButton() == always) {
            trusted << folder;
            settings.setValue(kTrustedKey, trusted);
        } else if (box.clickedButton() != load) {
            return 0;
        }
    }
    // The loader still refuses files that others could have written.
    return PluginLoader::loadFiles(files, HandlerRegistry::global());
}

} // namespace Aqueduct::Ui
