#include "document/DocumentPaths.h"

#include <QDir>
#include <QFileInfo>

namespace Aqueduct::Ui {

QString documentPathFor(const QString& file, const QString& folder) {
    const QString absolute = QDir::cleanPath(QFileInfo(file).absoluteFilePath());
    if (folder.isEmpty())
        return absolute;
    const QDir base(QDir::cleanPath(QDir(folder).absolutePath()));
    const QString relative = base.relativeFilePath(absolute);
    // Outside the folder the relative form starts with "..": keep the absolute path then.
    if (relative.isEmpty() || relative == QLatin1String("..") ||
        relative.startsWith(QLatin1String("../")) || QDir::isAbsolutePath(relative))
        return absolute;
    return relative;
}

} // namespace Aqueduct::Ui
