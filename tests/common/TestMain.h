#pragma once

#include "BuiltinHandlers.h"

#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>

#include <QCoreApplication>
#include <QTest>

/// Like QTEST_GUILESS_MAIN, but registers the built-in handlers and starts the engine's
/// fork server first (before QCoreApplication creates any thread), and lets the test
/// binary serve as a worker for the `spawn` start method.
#define AQUEDUCT_TEST_MAIN(TestClass) AQUEDUCT_TEST_MAIN_WITH_SETUP(TestClass, [] {})

/// `setup` runs before the fork server starts: register test-only handlers there so
/// workers have them too.
#define AQUEDUCT_TEST_MAIN_WITH_SETUP(TestClass, setup)                                            \
    int main(int argc, char** argv) {                                                              \
        Aqueduct::registerBuiltinHandlers(Aqueduct::HandlerRegistry::global());                    \
        setup();                                                                                   \
        if (const int workerExit = Aqueduct::bootstrapProcess(argc, argv); workerExit >= 0)        \
            return workerExit;                                                                     \
        QCoreApplication app(argc, argv);                                                          \
        TestClass test;                                                                            \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return QTest::qExec(&test, argc, argv);                                                    \
    }
