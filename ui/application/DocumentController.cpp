#include "application/DocumentController.h"

#include "application/AutosaveManager.h"
#include "application/RecentFiles.h"
#include "document/DocumentPaths.h"
#include "document/PipelineModel.h"

#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineValidator.h>

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace Aqueduct::Ui {

DocumentController::DocumentController(PipelineModel* model, QWidget* window,
                                       std::shared_ptr<UserPrompts> prompts, QObject* parent)
    : QObject(parent)
    , m_model(model)
    , m_window(window)
    , m_prompts(prompts ? std::move(prompts) : std::make_shared<DialogPrompts>())
    , m_recent(new RecentFiles(this))
    , m_autosave(new AutosaveManager(model, this)) {}

DocumentController::~DocumentController() = default;

void DocumentController::setPrompts(std::shared_ptr<UserPrompts> prompts) {
    if (prompts)
        m_prompts = std::move(prompts);
}

void DocumentController::setUnattended() {
    m_unattended = true;
    m_autosave->finishCleanly(); // stops its timer; nothing will be written
}

namespace {
const char* kLastDirectoryKey = "files/lastDirectory";

void rememberDirectory(const QString& filePath) {
    QSettings().setValue(QLatin1String(kLastDirectoryKey), QFileInfo(filePath).absolutePath());
}
} // namespace

QString DocumentController::displayName() const {
    if (m_filePath.isEmpty())
        return m_copyOf.isEmpty() ? tr("Untitled") : tr("%1 (example copy)").arg(m_copyOf);
    return QFileInfo(m_filePath).fileName();
}

QString DocumentController::openDirectory() const {
    if (!m_filePath.isEmpty())
        return QFileInfo(m_filePath).absolutePath();
    const QString last = QSettings().value(QLatin1String(kLastDirectoryKey)).toString();
    if (!last.isEmpty() && QFileInfo(last).isDir())
        return last;
    return QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
}

void DocumentController::setFilePath(const QString& path) {
    m_copyOf.clear();
    m_filePath = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
    m_model->setBaseDirectory(m_filePath.isEmpty() ? QString()
                                                   : QFileInfo(m_filePath).absolutePath());
    m_autosave->setSourcePath(m_filePath);
    Q_EMIT filePathChanged(m_filePath);
}

bool DocumentController::maybeSave() {
    if (!m_model->isModified())
        return true;
    return applySaveChoice(m_prompts->askSaveChanges(m_window, displayName()));
}

bool DocumentController::applySaveChoice(UserPrompts::SaveChoice choice) {
    if (!m_model->isModified())
        return choice != UserPrompts::SaveChoice::Cancel;
    switch (choice) {
    case UserPrompts::SaveChoice::Save:
        return save();
    case UserPrompts::SaveChoice::Discard:
        m_autosave->discard();
        return true;
    case UserPrompts::SaveChoice::Cancel:
        return false;
    }
    return false;
}

bool DocumentController::newDocument() {
    if (!maybeSave())
        return false;
    PipelineDocument document;
    document.name = tr("Untitled pipeline");
    m_model->resetDocument(document);
    setFilePath(QString());
    return true;
}

bool DocumentController::open(const QString& path) {
    if (!maybeSave())
        return false;
    QString file = path;
    if (file.isEmpty()) {
        file = m_prompts->openFileName(m_window, openDirectory());
        if (file.isEmpty())
            return false;
        if (!m_unattended)
            rememberDirectory(file);
    }
    return loadFile(file);
}

bool DocumentController::openCopy(const QString& path) {
    if (!maybeSave())
        return false;
    if (!QFileInfo::exists(path)) {
        m_prompts->showError(m_window, tr("Cannot open"), tr("\"%1\" does not exist.").arg(path));
        return false;
    }
    const PipelineDocument::LoadResult result = PipelineDocument::fromFile(path);
    m_model->resetDocument(result.document, result.problems);
    setFilePath(QString());
    m_copyOf = QFileInfo(path).fileName();
    // The example's relative model and labels paths still mean files beside the example.
    m_model->setBaseDirectory(QFileInfo(path).absolutePath());
    Q_EMIT filePathChanged(m_filePath); // the title shows the copy's name
    if (!result.ok())
        m_prompts->showLoadProblems(m_window, path, result.problems);
    return true;
}

bool DocumentController::loadFile(const QString& path) {
    if (!QFileInfo::exists(path)) {
        m_prompts->showError(m_window, tr("Cannot open"), tr("\"%1\" does not exist.").arg(path));
        m_recent->remove(path);
        return false;
    }
    const PipelineDocument::LoadResult result = PipelineDocument::fromFile(path);
    m_model->resetDocument(result.document, result.problems);
    // A file that could not be read at all (malformed JSON, newer version) opens as an
    // untitled document, so a Save can never overwrite it with what little was read.
    bool unreadable = false;
    for (const Problem& problem : result.problems)
        unreadable = unreadable || problem.line > 0;
    unreadable = unreadable || (!result.ok() && result.document.steps.isEmpty());
    setFilePath(unreadable ? QString() : path);
    if (!unreadable && !m_unattended)
        m_recent->add(path);
    if (!result.ok())
        m_prompts->showLoadProblems(m_window, path, result.problems);
    return true;
}

bool DocumentController::save() {
    if (m_filePath.isEmpty())
        return saveAs();
    return saveTo(m_filePath);
}

bool DocumentController::saveAs() {
    QString suggestion = m_filePath;
    if (suggestion.isEmpty() && !m_copyOf.isEmpty()) {
        suggestion = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                         .filePath(m_copyOf);
    } else if (suggestion.isEmpty()) {
        const QString name =
            m_model->document().name.isEmpty()
                ? QStringLiteral("pipeline")
                : m_model->document().name.toLower().replace(QLatin1Char(' '), QLatin1Char('-'));
        suggestion = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                         .filePath(name + QStringLiteral(".json"));
    }
    QString path = m_prompts->saveFileName(m_window, tr("Save pipeline as"), suggestion);
    if (path.isEmpty())
        return false;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".json");
    return saveTo(path);
}

bool DocumentController::rebaseFilePaths(const QString& folder) {
    const QString oldFolder = m_model->effectiveBaseDirectory();
    if (QDir(oldFolder) == QDir(folder))
        return false;
    struct Edit {
        QString stepId;
        QString param;
        QString value;
    };
    QList<Edit> edits;
    for (const StepSpec& step : m_model->document().steps) {
        const HandlerInfo* info = HandlerRegistry::global().find(step.handler);
        if (!info)
            continue;
        for (const ParamSpec& spec : info->params) {
            const QJsonValue value = step.params.value(spec.name);
            if (!spec.filePath || !value.isString() || value.toString().isEmpty() ||
                !QFileInfo(value.toString()).isRelative())
                continue;
            const QString moved =
                documentPathFor(resolveFilePath(value.toString(), oldFolder), folder);
            if (moved != value.toString())
                edits.append({step.id, spec.name, moved});
        }
    }
    // The app's load may name a tasks file the same way.
    FlowInfo info = m_model->flowInfo();
    const QString loadFile = info.appLoad.value(QStringLiteral("file")).toString();
    if (!loadFile.isEmpty() && QFileInfo(loadFile).isRelative()) {
        const QString moved = documentPathFor(resolveFilePath(loadFile, oldFolder), folder);
        if (moved != loadFile)
            info.appLoad.insert(QStringLiteral("file"), moved);
    }
    const bool loadMoved = info.appLoad != m_model->document().appLoad;
    if (edits.isEmpty() && !loadMoved)
        return false;
    m_model->undoStack()->beginMacro(tr("Adjust file paths to the new folder"));
    for (const Edit& edit : std::as_const(edits))
        m_model->setParam(edit.stepId, edit.param, edit.value);
    if (loadMoved)
        m_model->setFlowInfo(info);
    m_model->undoStack()->endMacro();
    return true;
}

bool DocumentController::saveTo(const QString& path) {
    // Relative file paths (a model, a labels file) mean files beside the pipeline: saved in
    // another folder, they are rewritten to keep naming the same files (one undo step).
    const bool rebased = rebaseFilePaths(QFileInfo(path).absolutePath());
    QString error;
    if (!m_model->document().saveToFile(path, &error)) {
        if (rebased)
            m_model->undoStack()->undo();
        m_prompts->showError(m_window, tr("Cannot save"),
                             tr("Saving \"%1\" failed: %2").arg(path, error));
        return false;
    }
    m_model->undoStack()->setClean();
    m_model->clearLoadProblems(); // they described the file as it was read
    setFilePath(path);
    m_autosave->discard();
    if (!m_unattended) {
        m_recent->add(path);
        rememberDirectory(path);
    }
    return true;
}

bool DocumentController::exportJson(const QString& path) {
    QString target = path;
    if (target.isEmpty()) {
        const QString base =
            m_filePath.isEmpty()
                ? QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) +
                      QStringLiteral("/pipeline.json")
                : m_filePath;
        target = m_prompts->saveFileName(m_window, tr("Export pipeline JSON"), base);
        if (target.isEmpty())
            return false;
    }
    // The same format `aqueduct run` reads; the document's own path and state are untouched.
    QString error;
    if (!m_model->document().saveToFile(target, &error)) {
        m_prompts->showError(m_window, tr("Cannot export"),
                             tr("Writing \"%1\" failed: %2").arg(target, error));
        return false;
    }
    return true;
}

bool DocumentController::restoreAutosaveIfAny() {
    const QList<AutosaveManager::Entry> entries = AutosaveManager::orphans();
    if (entries.isEmpty())
        return false;
    const AutosaveManager::Entry& entry = entries.first();
    const QString name =
        entry.sourcePath.isEmpty() ? tr("Untitled") : QFileInfo(entry.sourcePath).fileName();
    if (!m_prompts->askRestoreAutosave(m_window, name, entry.savedAt.toLocalTime())) {
        AutosaveManager::removeEntry(entry);
        return false;
    }
    const PipelineDocument::LoadResult restored = PipelineDocument::fromFile(entry.autosavePath);
    // Open the original (so Save goes back to it), then apply the recovered edits as one
    // undoable change: the document shows as modified, and Undo shows the file as saved.
    if (!entry.sourcePath.isEmpty() && QFileInfo::exists(entry.sourcePath)) {
        const PipelineDocument::LoadResult original = PipelineDocument::fromFile(entry.sourcePath);
        m_model->resetDocument(original.document, original.problems);
        setFilePath(entry.sourcePath);
    } else {
        m_model->resetDocument(PipelineDocument());
        setFilePath(QString());
    }
    m_model->replaceDocumentUndoable(restored.document, tr("Restore unsaved changes"));
    AutosaveManager::removeEntry(entry);
    m_autosave->saveNow(); // under this session's key now
    return true;
}

void DocumentController::closeCleanly() {
    m_autosave->finishCleanly();
}

} // namespace Aqueduct::Ui
