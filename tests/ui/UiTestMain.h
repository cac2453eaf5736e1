#pragma once

#include "BuiltinHandlers.h"

#include <aqueduct/Bootstrap.h>
#include <aqueduct/HandlerRegistry.h>
#include <aqueduct/PipelineDocument.h>

#include <QApplication>
#include <QStandardPaths>
#include <QTest>

/// Main for widget tests: built-in handlers registered, a QApplication (offscreen in
/// CTest), QStandardPaths/QSettings in test mode so autosaves and recent files never touch
/// the person's own.
#define AQUEDUCT_UI_TEST_MAIN(TestClass)                                                           \
    int main(int argc, char** argv) {                                                              \
        Aqueduct::registerBuiltinHandlers(Aqueduct::HandlerRegistry::global());                    \
        /* workers come from the fork server, started before any thread exists */                  \
        if (const int workerExit = Aqueduct::bootstrapProcess(argc, argv); workerExit >= 0)        \
            return workerExit;                                                                     \
        QApplication::setOrganizationName(QStringLiteral("AqueductTests"));                        \
        QApplication::setApplicationName(QStringLiteral(#TestClass));                              \
        QStandardPaths::setTestModeEnabled(true);                                                  \
        qputenv("AQUEDUCT_TEST", "1");                                                             \
        QApplication app(argc, argv);                                                              \
        TestClass test;                                                                            \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return QTest::qExec(&test, argc, argv);                                                    \
    }

namespace UiTest {

inline QString examplePath(const char* name) {
    return QStringLiteral(AQUEDUCT_SOURCE_DIR "/resources/pipelines/%1").arg(QLatin1String(name));
}

inline Aqueduct::PipelineDocument loadExample(const char* name) {
    return Aqueduct::PipelineDocument::fromFile(examplePath(name)).document;
}

/// A document with steps a, b, c (handler `increment`) in a row, no edges (implicit chain).
inline Aqueduct::PipelineDocument chainDocument(int steps = 3) {
    Aqueduct::PipelineDocument document;
    document.name = QStringLiteral("test");
    for (int i = 0; i < steps; ++i) {
        Aqueduct::StepSpec step;
        step.id = QString(QChar(QLatin1Char('a').unicode() + i));
        step.handler = QStringLiteral("increment");
        step.position = QPointF(i * 300, 0);
        document.steps.append(step);
    }
    return document;
}

} // namespace UiTest
