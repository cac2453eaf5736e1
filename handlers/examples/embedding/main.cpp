// Builds a two-step Flow in code with a handler defined right here, sends tasks through
// it with co_await, and prints the results. No pipeline file, no plugin.
#include <aqueduct/Flow.h>
#include <aqueduct/HandlerRegistry.h>

#include <QCoreApplication>
#include <QTimer>

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

using namespace std::chrono_literals;

namespace {

/// `square`: value := value * value. Runs in the step's worker processes.
class SquareHandler final : public Aqueduct::Handler {
public:
    void handle(std::span<Aqueduct::Task> batch) override {
        for (Aqueduct::Task& task : batch) {
            const std::int64_t value = task.intField("value");
            task.set("value", Aqueduct::Value(value * value));
        }
    }
};

Aqueduct::HandlerInfo squareInfo() {
    Aqueduct::HandlerInfo info;
    info.name = QStringLiteral("square");
    info.category = QStringLiteral("Example");
    info.description = QStringLiteral("Squares the integer field \"value\".");
    return info;
}

QCoro::Task<int> run() {
    Aqueduct::Flow flow;
    Aqueduct::StepSpec square;
    square.id = QStringLiteral("square");
    square.handler = QStringLiteral("square");
    square.nprocs = 2;
    flow.addStep(square);
    Aqueduct::StepSpec again = square; // with no edges, steps form a chain in order
    again.id = QStringLiteral("square-again");
    flow.addStep(again);

    const Aqueduct::StartResult started = co_await flow.start(10s);
    if (!started.ok) {
        std::fprintf(stderr, "start failed (%s): %s\n", qPrintable(started.stepId),
                     qPrintable(started.error));
        co_return 3;
    }

    // One task: co_await its result (or a typed error) with a 1 s deadline.
    Aqueduct::Task task;
    task.set("value", Aqueduct::Value(std::int64_t{3}));
    Aqueduct::TaskResult result = co_await flow.process(std::move(task), 1s);
    if (!result.ok()) {
        std::fprintf(stderr, "%s: %s\n", qPrintable(Aqueduct::errorKindName(result.error())),
                     qPrintable(result.message()));
        co_await flow.stop();
        co_return 1;
    }
    std::printf("3 -> %lld\n", static_cast<long long>(result.task().intField("value")));

    // Many tasks at once: results come back in input order.
    std::vector<Aqueduct::Task> tasks(5);
    for (std::size_t i = 0; i < tasks.size(); ++i)
        tasks[i].set("value", Aqueduct::Value(static_cast<std::int64_t>(i)));
    const std::vector<Aqueduct::TaskResult> results =
        co_await flow.processMany(std::move(tasks), 1s);
    int failures = 0;
    for (const Aqueduct::TaskResult& each : results) {
        if (each.ok())
            std::printf("%lld ", static_cast<long long>(each.task().intField("value")));
        else
            ++failures;
    }
    std::printf("\n");

    co_await flow.stop(Aqueduct::StopMode::Graceful);
    co_return failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    // Register handlers before bootstrapProcess(): workers are forked from this state.
    Aqueduct::HandlerRegistry::global().add(squareInfo(),
                                            [] { return std::make_unique<SquareHandler>(); });
    // Starts the fork server before any thread exists; in a worker process it runs the
    // worker and returns its exit code.
    if (const int workerExit = Aqueduct::bootstrapProcess(argc, argv); workerExit >= 0)
        return workerExit;

    QCoreApplication app(argc, argv);
    // Start inside the event loop, so even an immediate result reaches exit().
    QTimer::singleShot(0, &app, [&app] {
        QCoro::connect(run(), &app, [](int exitCode) { QCoreApplication::exit(exitCode); });
    });
    return QCoreApplication::exec();
}
