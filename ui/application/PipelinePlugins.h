#pragma once

#include <QString>
#include <QStringList>

class QWidget;

namespace Aqueduct::Ui {

/// Plugins in the folder of a pipeline the user opens. Loading a plugin runs its code, so
/// they are loaded only after the user agrees in a prompt naming the files, or when the
/// folder was trusted before ("Always for this folder", kept in QSettings under
/// plugins/trusted_folders). Unattended windows never load them.
class PipelinePlugins {
public:
    enum class Prompt { Ask, Never };

    /// Offers the plugins beside `pipelinePath` that are not loaded yet; returns how many
    /// handlers were added to the global registry.
    static int offer(QWidget* parent, const QString& pipelinePath, Prompt prompt);

    /// The files offer() would ask about (not loaded yet), sorted.
    static QStringList pending(const QString& pipelinePath);
};

} // namespace Aqueduct::Ui
