// Plugin SDK end to end (issue 10): install the project into a temporary prefix, build
// the out-of-tree example plugin against it with find_package(Aqueduct), and check the
// real `aqueduct` program lists, validates and runs it; broken plugins (not a library,
// no entry point, wrong ABI, a throwing register function, a clashing handler name) are
// reported with their path and reason and never take the program down.
#include <aqueduct/HandlerPlugin.h>
#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PluginLoader.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

namespace {

constexpr int kBuildTimeoutMs = 600'000;
constexpr int kRunTimeoutMs = 120'000;

struct ProcessResult {
    int exitCode = -1;
    bool finished = false;
    QByteArray out;
    QByteArray err;
    QString describe() const {
        // The ends of the streams: that is where build tools put the error.
        return QStringLiteral("exit %1%2\n--- stderr\n%3\n--- stdout\n%4")
            .arg(exitCode)
            .arg(finished ? QString() : QStringLiteral(" (did not finish)"))
            .arg(QString::fromUtf8(err.right(4000)), QString::fromUtf8(out.right(4000)));
    }
};

ProcessResult
runProcess(const QString& program, const QStringList& arguments,
           const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment(),
           int timeoutMs = kRunTimeoutMs) {
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    ProcessResult result;
    if (!process.waitForStarted(30'000)) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    result.finished = process.waitForFinished(timeoutMs);
    if (!result.finished) {
        process.kill();
        process.waitForFinished(5'000);
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

// Qt Test cuts long failure messages: print the whole output first.
#define VERIFY_EXIT(result, expected)                                                              \
    do {                                                                                           \
        if ((result).exitCode != (expected))                                                       \
            qWarning().noquote() << (result).describe();                                           \
        QCOMPARE((result).exitCode, (expected));                                                   \
    } while (false)

/// Every JSON object anywhere in `value` whose "name" is `name`.
void findNamed(const QJsonValue& value, const QString& name, QList<QJsonObject>& found) {
    if (value.isArray()) {
        for (const QJsonValue& item : value.toArray())
            findNamed(item, name, found);
    } else if (value.isObject()) {
        const QJsonObject object = value.toObject();
        if (object.value(QStringLiteral("name")).toString() == name)
            found.append(object);
        for (const QJsonValue& item : object)
            findNamed(item, name, found);
    }
}

bool writeFile(const QString& path, const QByteArray& contents) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(contents) == contents.size();
}

// Broken plugins, each a few lines, built with the SDK's own CMake function.
const char* const kBrokenPluginsCMake = R"(cmake_minimum_required(VERSION 3.25)
project(BrokenPlugins LANGUAGES CXX)
find_package(Aqueduct REQUIRED)
aqueduct_add_handler_plugin(no_entry SOURCES no_entry.cpp)
aqueduct_add_handler_plugin(wrong_abi SOURCES wrong_abi.cpp)
aqueduct_add_handler_plugin(throwing SOURCES throwing.cpp)
aqueduct_add_handler_plugin(clashing SOURCES clashing.cpp)
aqueduct_add_handler_plugin(marker SOURCES marker.cpp)
)";

// Runs code the moment it is dlopened (as a hostile library would): its constructor
// creates the file named by AQUEDUCT_TEST_MARKER. A refused plugin leaves no marker.
const char* const kMarkerSource = R"(#include <aqueduct/HandlerPlugin.h>
#include <cstdio>
#include <cstdlib>
#include <memory>
__attribute__((constructor)) static void leaveMarker()
{
    if (const char* path = std::getenv("AQUEDUCT_TEST_MARKER")) {
        if (FILE* file = std::fopen(path, "w"))
            std::fclose(file);
    }
}
namespace {
class Nop final : public Aqueduct::Handler {
public:
    void handle(std::span<Aqueduct::Task>) override {}
};
void registerMarker(Aqueduct::HandlerRegistry& registry)
{
    Aqueduct::HandlerInfo info;
    info.name = QStringLiteral("marker_handler");
    registry.add(info, [] { return std::make_unique<Nop>(); });
}
}
AQUEDUCT_HANDLER_PLUGIN(registerMarker)
)";

const char* const kNoEntrySource = R"(// A library with code but no aqueduct_plugin_entry.
extern "C" __attribute__((visibility("default"))) int not_a_plugin() { return 42; }
)";

const char* const kWrongAbiSource = R"(// Claims a future plugin ABI.
#include <aqueduct/HandlerPlugin.h>
namespace { void registerNothing(Aqueduct::HandlerRegistry&) {} }
extern "C" __attribute__((visibility("default"))) const AqueductPluginInfo* aqueduct_plugin_entry()
{
    static const AqueductPluginInfo info{AQUEDUCT_PLUGIN_ABI_VERSION + 100, sizeof(AqueductPluginInfo),
                                         "99.0.0", QT_VERSION, "wrong_abi", &registerNothing};
    return &info;
}
)";

const char* const kThrowingSource =
    R"(// Registers one handler, then throws: none of its handlers may be kept.
#include <aqueduct/HandlerPlugin.h>
#include <memory>
#include <stdexcept>
namespace {
class Nop final : public Aqueduct::Handler {
public:
    void handle(std::span<Aqueduct::Task>) override {}
};
void registerThenThrow(Aqueduct::HandlerRegistry& registry)
{
    Aqueduct::HandlerInfo info;
    info.name = QStringLiteral("half_registered");
    registry.add(info, [] { return std::make_unique<Nop>(); });
    throw std::runtime_error("model file /nonexistent/model.bin is missing");
}
}
AQUEDUCT_HANDLER_PLUGIN(registerThenThrow)
)";

const char* const kClashingSource =
    R"(// Provides a built-in's name (ignored, reported) and a new one (kept).
#include <aqueduct/HandlerPlugin.h>
#include <memory>
namespace {
class Nop final : public Aqueduct::Handler {
public:
    void handle(std::span<Aqueduct::Task>) override {}
};
void registerClashing(Aqueduct::HandlerRegistry& registry)
{
    Aqueduct::HandlerInfo clash;
    clash.name = QStringLiteral("increment");
    registry.add(clash, [] { return std::make_unique<Nop>(); });
    Aqueduct::HandlerInfo fresh;
    fresh.name = QStringLiteral("clashing_fresh");
    fresh.category = QStringLiteral("Testing");
    registry.add(fresh, [] { return std::make_unique<Nop>(); });
}
}
AQUEDUCT_HANDLER_PLUGIN(registerClashing)
)";

} // namespace

class TestPlugins : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void installTreeHasTheSdk();
    void loaderLoadsExamplePluginWithOrigin();
    void loaderIsIdempotent();
    void loaderReportsBrokenPlugins();
    void loaderRefusesWhatOthersCanWrite();
    void handlersCommandListsPlugin();
    void handlersCommandReportsBrokenPluginsAndSucceeds();
    void installedProgramFindsInstalledPlugin();
    void validateUsesPluginPathAndPipelineFolder();
    void validateReportsBrokenPlugins();
    void runPipelineUsingPluginHeadless();
    void foreignOwnedPluginNeverRuns();
    void groupWritableFolderIsRefused();
    void pipelineFolderPluginsOnlyWhenAsked();
    void embeddingExampleBuildsAndRuns();

private:
    QProcessEnvironment environmentWithPluginPath(const QString& pluginPath) const;
    ProcessResult configureAndBuild(const QString& sourceDir, const QString& buildDir);

    QTemporaryDir m_temp;
    QString m_cmake;
    QString m_prefix;
    QString m_examplePluginDir; ///< build folder of the example plugin
    QString m_examplePlugin;    ///< .../text_handlers.so
    QString m_brokenDir;        ///< folder holding only broken plugins
    QString m_markerPlugin;     ///< marker.so: its constructor leaves a file behind
};

QProcessEnvironment TestPlugins::environmentWithPluginPath(const QString& pluginPath) const {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("AQUEDUCT_PLUGIN_PATH"), pluginPath);
    // Keep the user's own plugin folders out of the test.
    environment.insert(QStringLiteral("HOME"), m_temp.filePath(QStringLiteral("home")));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"),
                       m_temp.filePath(QStringLiteral("home/.config")));
    return environment;
}

ProcessResult TestPlugins::configureAndBuild(const QString& sourceDir, const QString& buildDir) {
    QStringList configure{QStringLiteral("-S"),
                          sourceDir,
                          QStringLiteral("-B"),
                          buildDir,
                          QStringLiteral("-G"),
                          QStringLiteral("Ninja"),
                          QStringLiteral("-DCMAKE_BUILD_TYPE=Release"),
                          QStringLiteral("-DCMAKE_PREFIX_PATH=") + m_prefix};
    if (!QStandardPaths::findExecutable(QStringLiteral("ccache")).isEmpty())
        configure << QStringLiteral("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache");
    ProcessResult result =
        runProcess(m_cmake, configure, QProcessEnvironment::systemEnvironment(), kBuildTimeoutMs);
    if (result.exitCode != 0)
        return result;
    return runProcess(m_cmake, {QStringLiteral("--build"), buildDir, QStringLiteral("-j2")},
                      QProcessEnvironment::systemEnvironment(), kBuildTimeoutMs);
}

void TestPlugins::initTestCase() {
    QVERIFY(m_temp.isValid());
    QVERIFY(QDir().mkpath(m_temp.filePath(QStringLiteral("home/.config"))));
    m_cmake = QStandardPaths::findExecutable(QStringLiteral("cmake"));
    QVERIFY2(!m_cmake.isEmpty(), "cmake not found (packaging/install-deps.sh installs it)");

    // 1. Install the built project into a scratch prefix, as a user or the .deb would.
    m_prefix = m_temp.filePath(QStringLiteral("prefix"));
    const ProcessResult install =
        runProcess(m_cmake,
                   {QStringLiteral("--install"), QStringLiteral(AQUEDUCT_BINARY_DIR),
                    QStringLiteral("--prefix"), m_prefix},
                   QProcessEnvironment::systemEnvironment(), kBuildTimeoutMs);
    VERIFY_EXIT(install, 0);

    // 2. Build the example plugin out of tree against that prefix only.
    m_examplePluginDir = m_temp.filePath(QStringLiteral("text_plugin-build"));
    const ProcessResult example = configureAndBuild(
        QStringLiteral(AQUEDUCT_SOURCE_DIR "/handlers/examples/text_plugin"), m_examplePluginDir);
    VERIFY_EXIT(example, 0);
    m_examplePlugin = QDir(m_examplePluginDir).filePath(QStringLiteral("text_handlers.so"));
    QVERIFY2(QFile::exists(m_examplePlugin), qPrintable(m_examplePlugin));
    m_examplePlugin = QFileInfo(m_examplePlugin).canonicalFilePath();

    // 3. Build the broken plugins, then gather them (and a text file posing as a
    //    library) in one folder.
    const QString brokenSource = m_temp.filePath(QStringLiteral("broken-src"));
    QVERIFY(QDir().mkpath(brokenSource));
    QVERIFY(writeFile(brokenSource + QStringLiteral("/CMakeLists.txt"), kBrokenPluginsCMake));
    QVERIFY(writeFile(brokenSource + QStringLiteral("/no_entry.cpp"), kNoEntrySource));
    QVERIFY(writeFile(brokenSource + QStringLiteral("/wrong_abi.cpp"), kWrongAbiSource));
    QVERIFY(writeFile(brokenSource + QStringLiteral("/throwing.cpp"), kThrowingSource));
    QVERIFY(writeFile(brokenSource + QStringLiteral("/clashing.cpp"), kClashingSource));
    QVERIFY(writeFile(brokenSource + QStringLiteral("/marker.cpp"), kMarkerSource));
    const QString brokenBuild = m_temp.filePath(QStringLiteral("broken-build"));
    const ProcessResult broken = configureAndBuild(brokenSource, brokenBuild);
    VERIFY_EXIT(broken, 0);

    m_brokenDir = m_temp.filePath(QStringLiteral("broken"));
    QVERIFY(QDir().mkpath(m_brokenDir));
    for (const char* name : {"no_entry.so", "wrong_abi.so", "throwing.so", "clashing.so"}) {
        const QString fileName = QString::fromLatin1(name);
        QVERIFY2(QFile::copy(brokenBuild + QLatin1Char('/') + fileName,
                             m_brokenDir + QLatin1Char('/') + fileName),
                 name);
    }
    QVERIFY(writeFile(m_brokenDir + QStringLiteral("/garbage.so"), "this is not an ELF file\n"));
    m_markerPlugin = brokenBuild + QStringLiteral("/marker.so");
    QVERIFY2(QFile::exists(m_markerPlugin), qPrintable(m_markerPlugin));
    m_brokenDir = QFileInfo(m_brokenDir).canonicalFilePath();
}

void TestPlugins::installTreeHasTheSdk() {
    const QDir prefix(m_prefix);
    QVERIFY(prefix.exists(QStringLiteral("bin/aqueduct")));
    QVERIFY(prefix.exists(QStringLiteral("include/aqueduct/HandlerPlugin.h")));
    QVERIFY(prefix.exists(QStringLiteral("include/aqueduct/Version.h")));
    QVERIFY(prefix.exists(QStringLiteral("include/aqueduct/Flow.h")));
    QVERIFY(prefix.exists(QStringLiteral("share/aqueduct/pipelines/one-step.json")));
    QVERIFY(prefix.exists(QStringLiteral("share/man/man1/aqueduct.1.gz")) ||
            prefix.exists(QStringLiteral("share/man/man1/aqueduct.1")));
    // The installed program runs from the prefix (RPATH to its engine library).
    const ProcessResult version =
        runProcess(prefix.filePath(QStringLiteral("bin/aqueduct")), {QStringLiteral("--version")});
    VERIFY_EXIT(version, 0);
    QVERIFY2(version.out.contains(AQUEDUCT_VERSION_STRING), qPrintable(version.describe()));
}

void TestPlugins::loaderLoadsExamplePluginWithOrigin() {
    Aqueduct::HandlerRegistry registry;
    QCOMPARE(Aqueduct::PluginLoader::loadFiles({m_examplePluginDir}, registry), 2);
    QVERIFY2(registry.loadProblems().isEmpty(),
             qPrintable(registry.loadProblems().value(0).toString()));
    const Aqueduct::HandlerInfo* reverse = registry.find(QStringLiteral("reverse_string"));
    QVERIFY(reverse != nullptr);
    QCOMPARE(reverse->origin, m_examplePlugin);
    QCOMPARE(reverse->category, QStringLiteral("Text"));
    QVERIFY(reverse->param(QStringLiteral("field")) != nullptr);
    QVERIFY(Aqueduct::PluginLoader::loadedFiles().contains(m_examplePlugin));

    // The handler runs in this process too (the loader keeps the library mapped).
    std::unique_ptr<Aqueduct::Handler> handler = registry.create(QStringLiteral("reverse_string"));
    QVERIFY(handler != nullptr);
    handler->onStart(Aqueduct::HandlerParams(Aqueduct::HandlerRegistry::withDefaults(*reverse, {}),
                                             QStringLiteral("step"), 0));
    std::vector<Aqueduct::Task> batch(2);
    batch[0].set("text", Aqueduct::Value::fromString("día ✓"));
    batch[1].set("text", Aqueduct::Value(std::int64_t{5}));
    handler->handle(batch);
    QCOMPARE(QString::fromUtf8(batch[0].viewField("text").data(),
                               qsizetype(batch[0].viewField("text").size())),
             QStringLiteral("✓ aíd"));
    QVERIFY(!batch[0].isFailed());
    QVERIFY(batch[1].isFailed());
}

void TestPlugins::loaderIsIdempotent() {
    Aqueduct::HandlerRegistry registry;
    const QStringList entries{m_examplePluginDir, m_brokenDir};
    const int firstAdded = Aqueduct::PluginLoader::loadFiles(entries, registry);
    const int handlerCount = registry.handlers().size();
    const int problemCount = registry.loadProblems().size();
    QVERIFY(firstAdded >= 3); // reverse_string, word_count, clashing_fresh
    QCOMPARE(Aqueduct::PluginLoader::loadFiles(entries, registry), 0);
    QCOMPARE(registry.handlers().size(), handlerCount);
    QCOMPARE(registry.loadProblems().size(), problemCount);
    const QStringList loaded = Aqueduct::PluginLoader::loadedFiles();
    QCOMPARE(loaded.count(m_examplePlugin), 1);
}

void TestPlugins::loaderReportsBrokenPlugins() {
    Aqueduct::HandlerRegistry registry;
    Aqueduct::HandlerInfo builtin;
    builtin.name = QStringLiteral("increment");
    builtin.origin = QStringLiteral("builtin");
    registry.add(builtin, [] { return std::unique_ptr<Aqueduct::Handler>(); });

    Aqueduct::PluginLoader::loadFiles({m_brokenDir}, registry);
    auto reasonFor = [&](const QString& fileName) {
        QStringList reasons;
        for (const Aqueduct::Problem& problem : registry.loadProblems()) {
            if (problem.path == m_brokenDir + QLatin1Char('/') + fileName)
                reasons << problem.message;
        }
        return reasons.join(QStringLiteral(" | "));
    };
    QVERIFY2(reasonFor(QStringLiteral("garbage.so")).contains(QStringLiteral("cannot be loaded")),
             qPrintable(reasonFor(QStringLiteral("garbage.so"))));
    QVERIFY2(
        reasonFor(QStringLiteral("no_entry.so")).contains(QStringLiteral("aqueduct_plugin_entry")),
        qPrintable(reasonFor(QStringLiteral("no_entry.so"))));
    QVERIFY2(reasonFor(QStringLiteral("wrong_abi.so"))
                 .contains(QStringLiteral("ABI version %1").arg(AQUEDUCT_PLUGIN_ABI_VERSION + 100)),
             qPrintable(reasonFor(QStringLiteral("wrong_abi.so"))));
    QVERIFY2(reasonFor(QStringLiteral("throwing.so"))
                 .contains(QStringLiteral("model file /nonexistent/model.bin is missing")),
             qPrintable(reasonFor(QStringLiteral("throwing.so"))));
    QVERIFY2(reasonFor(QStringLiteral("clashing.so")).contains(QStringLiteral("'increment'")),
             qPrintable(reasonFor(QStringLiteral("clashing.so"))));

    // Nothing of the throwing plugin is kept; the built-in keeps its name; the clashing
    // plugin's other handler is usable.
    QVERIFY(!registry.contains(QStringLiteral("half_registered")));
    QCOMPARE(registry.find(QStringLiteral("increment"))->origin, QStringLiteral("builtin"));
    QVERIFY(registry.contains(QStringLiteral("clashing_fresh")));
    QCOMPARE(registry.find(QStringLiteral("clashing_fresh"))->origin,
             m_brokenDir + QStringLiteral("/clashing.so"));
    QVERIFY(
        !Aqueduct::PluginLoader::loadFile(m_brokenDir + QStringLiteral("/wrong_abi.so"), registry));
    QVERIFY(
        !Aqueduct::PluginLoader::loadFile(m_temp.filePath(QStringLiteral("missing.so")), registry));
}

void TestPlugins::loaderRefusesWhatOthersCanWrite() {
    // A plugin file anyone may replace is refused; a pipeline in a folder anyone may
    // write to (like /tmp) does not add that folder to the search path.
    const QString folder = m_temp.filePath(QStringLiteral("open-to-all"));
    QVERIFY(QDir().mkpath(folder));
    const QString copy = folder + QStringLiteral("/text_handlers_copy.so");
    QVERIFY(QFile::copy(m_examplePlugin, copy));
    QVERIFY(QFile::setPermissions(copy, QFile::permissions(copy) | QFileDevice::WriteOther));
    Aqueduct::HandlerRegistry registry;
    QVERIFY(!Aqueduct::PluginLoader::loadFile(copy, registry));
    QCOMPARE(registry.loadProblems().size(), 1);
    QVERIFY2(
        registry.loadProblems().first().message.contains(QStringLiteral("writable by every user")),
        qPrintable(registry.loadProblems().first().toString()));
    QVERIFY(registry.handlers().isEmpty());

    const QString pipeline = folder + QStringLiteral("/pipeline.json");
    QVERIFY(Aqueduct::PluginLoader::searchPath(pipeline).contains(
        QFileInfo(folder).canonicalFilePath()));
    QVERIFY(QFile::setPermissions(folder, QFile::permissions(folder) | QFileDevice::WriteOther));
    QVERIFY(!Aqueduct::PluginLoader::searchPath(pipeline).contains(
        QFileInfo(folder).canonicalFilePath()));
}

void TestPlugins::handlersCommandListsPlugin() {
    const ProcessResult result = runProcess(QStringLiteral(AQUEDUCT_APP_PATH),
                                            {QStringLiteral("handlers"), QStringLiteral("--json")},
                                            environmentWithPluginPath(m_examplePluginDir));
    VERIFY_EXIT(result, 0);
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(result.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError,
             qPrintable(error.errorString() + QLatin1Char('\n') + result.describe()));
    const QJsonValue root =
        document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    for (const QString& name : {QStringLiteral("reverse_string"), QStringLiteral("word_count")}) {
        QList<QJsonObject> found;
        findNamed(root, name, found);
        QVERIFY2(found.size() == 1, qPrintable(name + QLatin1Char('\n') + result.describe()));
        QCOMPARE(found.first().value(QStringLiteral("origin")).toString(), m_examplePlugin);
    }
    QList<QJsonObject> builtin;
    findNamed(root, QStringLiteral("increment"), builtin);
    QVERIFY(!builtin.isEmpty());
}

void TestPlugins::handlersCommandReportsBrokenPluginsAndSucceeds() {
    for (const QStringList& arguments :
         {QStringList{QStringLiteral("handlers"), QStringLiteral("--json")},
          QStringList{QStringLiteral("handlers")}}) {
        const ProcessResult result = runProcess(QStringLiteral(AQUEDUCT_APP_PATH), arguments,
                                                environmentWithPluginPath(m_brokenDir));
        VERIFY_EXIT(result, 0);
        const QString output = QString::fromUtf8(result.out + result.err);
        for (const QString& fileName :
             {QStringLiteral("garbage.so"), QStringLiteral("no_entry.so"),
              QStringLiteral("wrong_abi.so"), QStringLiteral("throwing.so")}) {
            QVERIFY2(output.contains(m_brokenDir + QLatin1Char('/') + fileName),
                     qPrintable(fileName + QLatin1Char('\n') + result.describe()));
        }
        QVERIFY2(output.contains(QStringLiteral("aqueduct_plugin_entry")),
                 qPrintable(result.describe()));
        QVERIFY2(output.contains(QStringLiteral("model file /nonexistent/model.bin is missing")),
                 qPrintable(result.describe()));
        QVERIFY2(output.contains(QStringLiteral("clashing_fresh")), qPrintable(result.describe()));
    }
}

void TestPlugins::installedProgramFindsInstalledPlugin() {
    // `cmake --install` of the plugin (its INSTALL option) into the same prefix puts it in
    // lib/aqueduct/plugins, which the installed program searches without any variable.
    const ProcessResult install =
        runProcess(m_cmake, {QStringLiteral("--install"), m_examplePluginDir,
                             QStringLiteral("--prefix"), m_prefix});
    VERIFY_EXIT(install, 0);
    const QString installed =
        QDir(m_prefix).filePath(QStringLiteral("lib/aqueduct/plugins/text_handlers.so"));
    QVERIFY(QFile::exists(installed));

    const ProcessResult result = runProcess(QDir(m_prefix).filePath(QStringLiteral("bin/aqueduct")),
                                            {QStringLiteral("handlers"), QStringLiteral("--json")},
                                            environmentWithPluginPath(QString()));
    VERIFY_EXIT(result, 0);
    const QJsonDocument document = QJsonDocument::fromJson(result.out);
    const QJsonValue root =
        document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    QList<QJsonObject> found;
    findNamed(root, QStringLiteral("word_count"), found);
    QVERIFY2(found.size() == 1, qPrintable(result.describe()));
    QCOMPARE(found.first().value(QStringLiteral("origin")).toString(),
             QFileInfo(installed).canonicalFilePath());
}

void TestPlugins::validateUsesPluginPathAndPipelineFolder() {
    const QString pipeline =
        QStringLiteral(AQUEDUCT_SOURCE_DIR "/handlers/examples/text_plugin/text-pipeline.json");
    const ProcessResult without =
        runProcess(QStringLiteral(AQUEDUCT_APP_PATH), {QStringLiteral("validate"), pipeline},
                   environmentWithPluginPath(QString()));
    VERIFY_EXIT(without, 2);
    QVERIFY2(without.out.contains("word_count") || without.err.contains("word_count"),
             qPrintable(without.describe()));

    const ProcessResult with =
        runProcess(QStringLiteral(AQUEDUCT_APP_PATH), {QStringLiteral("validate"), pipeline},
                   environmentWithPluginPath(m_examplePluginDir));
    VERIFY_EXIT(with, 0);

    // A plugin next to the pipeline file is found without any variable.
    const QString folder = m_temp.filePath(QStringLiteral("pipeline-with-plugin"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(QFile::copy(pipeline, folder + QStringLiteral("/text-pipeline.json")));
    QVERIFY(QFile::copy(m_examplePlugin, folder + QStringLiteral("/text_handlers.so")));
    // A plugin next to the pipeline file is loaded only when asked for (issue 16)...
    const ProcessResult ignored =
        runProcess(QStringLiteral(AQUEDUCT_APP_PATH),
                   {QStringLiteral("validate"), folder + QStringLiteral("/text-pipeline.json")},
                   environmentWithPluginPath(QString()));
    VERIFY_EXIT(ignored, 2);
    QVERIFY2(ignored.err.contains("text_handlers.so") &&
                 ignored.err.contains("--plugins-from-pipeline-dir"),
             qPrintable(ignored.describe()));
    // ...and then found without any variable.
    const ProcessResult beside =
        runProcess(QStringLiteral(AQUEDUCT_APP_PATH),
                   {QStringLiteral("validate"), QStringLiteral("--plugins-from-pipeline-dir"),
                    folder + QStringLiteral("/text-pipeline.json")},
                   environmentWithPluginPath(QString()));
    VERIFY_EXIT(beside, 0);
}

void TestPlugins::validateReportsBrokenPlugins() {
    // Issue 10: a plugin that fails to load is reported by validation too (as a warning:
    // a valid pipeline that needs none of its handlers stays valid).
    const ProcessResult result =
        runProcess(QStringLiteral(AQUEDUCT_APP_PATH),
                   {QStringLiteral("validate"),
                    QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/pipelines/one-step.json")},
                   environmentWithPluginPath(m_brokenDir));
    VERIFY_EXIT(result, 0);
    const QString output = QString::fromUtf8(result.out + result.err);
    QVERIFY2(output.contains(m_brokenDir + QStringLiteral("/garbage.so")),
             qPrintable(result.describe()));
    QVERIFY2(output.contains(QStringLiteral("model file /nonexistent/model.bin is missing")),
             qPrintable(result.describe()));
}

void TestPlugins::runPipelineUsingPluginHeadless() {
    const QString example = QStringLiteral(AQUEDUCT_SOURCE_DIR "/handlers/examples/text_plugin");
    const QString output = m_temp.filePath(QStringLiteral("results.jsonl"));
    const ProcessResult result =
        runProcess(QStringLiteral(AQUEDUCT_APP_PATH),
                   {QStringLiteral("run"), example + QStringLiteral("/text-pipeline.json"),
                    QStringLiteral("--input"), example + QStringLiteral("/tasks.jsonl"),
                    QStringLiteral("--output"), output, QStringLiteral("--ordered"),
                    QStringLiteral("--quiet")},
                   environmentWithPluginPath(m_examplePluginDir));
    VERIFY_EXIT(result, 0);

    QFile file(output);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QList<QJsonObject> records;
    for (const QByteArray& line : file.readAll().split('\n')) {
        if (!line.trimmed().isEmpty())
            records << QJsonDocument::fromJson(line).object();
    }
    QCOMPARE(records.size(), 4);
    for (const QJsonObject& record : records)
        QCOMPARE(record.value(QStringLiteral("_status")).toString(), QStringLiteral("ok"));
    QCOMPARE(records[0].value(QStringLiteral("reversed")).toString(),
             QStringLiteral("dlrow olleh"));
    QCOMPARE(records[0].value(QStringLiteral("words")).toInteger(), 2);
    QCOMPARE(records[1].value(QStringLiteral("words")).toInteger(), 6);
    QCOMPARE(records[2].value(QStringLiteral("reversed")).toString(),
             QStringLiteral("✓ opmac ed aíd"));
    QCOMPARE(records[3].value(QStringLiteral("words")).toInteger(), 0);
}

void TestPlugins::embeddingExampleBuildsAndRuns() {
    // docs/plugins.md points here: a program that builds a Flow in code and co_awaits it.
    const QString buildDir = m_temp.filePath(QStringLiteral("embedding-build"));
    const ProcessResult build = configureAndBuild(
        QStringLiteral(AQUEDUCT_SOURCE_DIR "/handlers/examples/embedding"), buildDir);
    VERIFY_EXIT(build, 0);
    const ProcessResult result = runProcess(buildDir + QStringLiteral("/embed_square"), {},
                                            environmentWithPluginPath(QString()));
    VERIFY_EXIT(result, 0);
    QVERIFY2(result.out.contains("3 -> 81\n"), qPrintable(result.describe()));
    QVERIFY2(result.out.contains("0 1 16 81 256"), qPrintable(result.describe()));
}

void TestPlugins::foreignOwnedPluginNeverRuns() {
    // Issue 16: a .so owned by another user ran its constructor as root when root merely
    // validated the file. The check must come before dlopen. (CI runs as root: chown works.)
    const QString folder = m_temp.filePath(QStringLiteral("foreign"));
    QVERIFY(QDir().mkpath(folder));
    const QString plugin = folder + QStringLiteral("/marker.so");
    QVERIFY(QFile::copy(m_markerPlugin, plugin));
    QVERIFY2(::chown(QFile::encodeName(plugin).constData(), 65534, 65534) == 0,
             "chown to nobody failed: the test needs root");
    const QString marker = m_temp.filePath(QStringLiteral("foreign-marker"));
    qputenv("AQUEDUCT_TEST_MARKER", QFile::encodeName(marker));
    Aqueduct::HandlerRegistry registry;
    QVERIFY(!Aqueduct::PluginLoader::loadFile(plugin, registry));
    QVERIFY2(!QFile::exists(marker), "the refused plugin's constructor ran");
    QCOMPARE(registry.loadProblems().size(), 1);
    QVERIFY2(
        registry.loadProblems().first().message.contains(QStringLiteral("owned by user 65534")),
        qPrintable(registry.loadProblems().first().toString()));

    // The real program, asked to load the pipeline's folder: refused, no marker either.
    const QString pipeline = folder + QStringLiteral("/one-step.json");
    QVERIFY(QFile::copy(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/pipelines/one-step.json"),
                        pipeline));
    QProcessEnvironment environment = environmentWithPluginPath(QString());
    environment.insert(QStringLiteral("AQUEDUCT_TEST_MARKER"), marker);
    const ProcessResult result = runProcess(
        QStringLiteral(AQUEDUCT_APP_PATH),
        {QStringLiteral("validate"), QStringLiteral("--plugins-from-pipeline-dir"), pipeline},
        environment);
    VERIFY_EXIT(result, 0);
    QVERIFY2(!QFile::exists(marker), qPrintable(result.describe()));
    QVERIFY2(result.out.contains("owned by user 65534"), qPrintable(result.describe()));

    // Control: the same library, owned by us in a private folder, does run its constructor.
    const QString trusted = m_temp.filePath(QStringLiteral("trusted"));
    QVERIFY(QDir().mkpath(trusted));
    QVERIFY(QFile::copy(m_markerPlugin, trusted + QStringLiteral("/marker.so")));
    QVERIFY(Aqueduct::PluginLoader::loadFile(trusted + QStringLiteral("/marker.so"), registry));
    QVERIFY(QFile::exists(marker));
    qunsetenv("AQUEDUCT_TEST_MARKER");
}

void TestPlugins::groupWritableFolderIsRefused() {
    const QString parent = m_temp.filePath(QStringLiteral("group-writable"));
    const QString folder = parent + QStringLiteral("/plugins");
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(QFile::setPermissions(parent, QFile::permissions(parent) | QFileDevice::WriteGroup));
    const QString plugin = folder + QStringLiteral("/marker.so");
    QVERIFY(QFile::copy(m_markerPlugin, plugin));
    const QString marker = m_temp.filePath(QStringLiteral("group-marker"));
    qputenv("AQUEDUCT_TEST_MARKER", QFile::encodeName(marker));
    Aqueduct::HandlerRegistry registry;
    QVERIFY(!Aqueduct::PluginLoader::loadFile(plugin, registry));
    qunsetenv("AQUEDUCT_TEST_MARKER");
    QVERIFY2(!QFile::exists(marker), "the refused plugin's constructor ran");
    QCOMPARE(registry.loadProblems().size(), 1);
    QVERIFY2(registry.loadProblems().first().message.contains(
                 QStringLiteral("folder %1 is writable by its group")
                     .arg(QFileInfo(parent).canonicalFilePath())),
             qPrintable(registry.loadProblems().first().toString()));

    // A group-writable file is refused too.
    const QString fileFolder = m_temp.filePath(QStringLiteral("group-writable-file"));
    QVERIFY(QDir().mkpath(fileFolder));
    const QString file = fileFolder + QStringLiteral("/marker.so");
    QVERIFY(QFile::copy(m_markerPlugin, file));
    QVERIFY(QFile::setPermissions(file, QFile::permissions(file) | QFileDevice::WriteGroup));
    Aqueduct::HandlerRegistry other;
    QVERIFY(!Aqueduct::PluginLoader::loadFile(file, other));
    QVERIFY2(other.loadProblems().value(0).message.contains(
                 QStringLiteral("the file is writable by its group")),
             qPrintable(other.loadProblems().value(0).toString()));
}

void TestPlugins::pipelineFolderPluginsOnlyWhenAsked() {
    // run, serve and validate ignore a pipeline's folder unless --plugins-from-pipeline-dir.
    const QString folder = m_temp.filePath(QStringLiteral("downloaded"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(QFile::copy(m_markerPlugin, folder + QStringLiteral("/marker.so")));
    const QString pipeline = folder + QStringLiteral("/one-step.json");
    QVERIFY(QFile::copy(QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/pipelines/one-step.json"),
                        pipeline));
    const QString marker = m_temp.filePath(QStringLiteral("downloaded-marker"));
    QProcessEnvironment environment = environmentWithPluginPath(QString());
    environment.insert(QStringLiteral("AQUEDUCT_TEST_MARKER"), marker);

    const ProcessResult validate = runProcess(QStringLiteral(AQUEDUCT_APP_PATH),
                                              {QStringLiteral("validate"), pipeline}, environment);
    VERIFY_EXIT(validate, 0);
    QVERIFY2(!QFile::exists(marker), qPrintable(validate.describe()));
    QVERIFY2(validate.err.contains("--plugins-from-pipeline-dir"), qPrintable(validate.describe()));

    const ProcessResult run =
        runProcess(QStringLiteral(AQUEDUCT_APP_PATH),
                   {QStringLiteral("run"), pipeline, QStringLiteral("--generate"),
                    QStringLiteral("3"), QStringLiteral("--quiet")},
                   environment);
    VERIFY_EXIT(run, 0);
    QVERIFY2(!QFile::exists(marker), qPrintable(run.describe()));

    // serve: plugins load before it listens; once it says so, the marker must be absent.
    {
        QProcess serve;
        serve.setProcessEnvironment(environment);
        serve.start(QStringLiteral(AQUEDUCT_APP_PATH),
                    {QStringLiteral("serve"), pipeline, QStringLiteral("--listen"),
                     QStringLiteral("127.0.0.1:0")});
        QVERIFY(serve.waitForStarted(30'000));
        QByteArray err;
        QElapsedTimer waited;
        waited.start();
        while (!err.contains("listening on") && waited.elapsed() < 60'000 &&
               serve.state() == QProcess::Running) {
            serve.waitForReadyRead(500);
            err += serve.readAllStandardError();
        }
        serve.terminate();
        if (!serve.waitForFinished(30'000)) {
            serve.kill();
            serve.waitForFinished(5'000);
        }
        err += serve.readAllStandardError();
        QVERIFY2(err.contains("listening on"), err.constData());
        QVERIFY2(err.contains("--plugins-from-pipeline-dir"), err.constData());
        QVERIFY2(!QFile::exists(marker), err.constData());
    }

    const ProcessResult asked =
        runProcess(QStringLiteral(AQUEDUCT_APP_PATH),
                   {QStringLiteral("run"), pipeline, QStringLiteral("--plugins-from-pipeline-dir"),
                    QStringLiteral("--generate"), QStringLiteral("3"), QStringLiteral("--quiet")},
                   environment);
    VERIFY_EXIT(asked, 0);
    QVERIFY2(QFile::exists(marker), qPrintable(asked.describe()));
}

QTEST_GUILESS_MAIN(TestPlugins)
#include "tst_plugins.moc"
