#include "monitor/MonitorColors.h"

#include "style/Theme.h"

namespace Aqueduct::Ui::MonitorColors {

QColor stepColor(int stepIndex) {
    static const QColor colors[] = {
        QColor(0x3f, 0x7c, 0xe0), QColor(0xe0, 0x7a, 0x2f), QColor(0x2f, 0xa8, 0x5a),
        QColor(0x8b, 0x5c, 0xd6), QColor(0xd8, 0x43, 0x63), QColor(0x1f, 0x9e, 0xa8),
        QColor(0xc2, 0x8a, 0x12), QColor(0x6b, 0x7a, 0x90),
    };
    constexpr int count = int(sizeof(colors) / sizeof(colors[0]));
    return colors[((stepIndex % count) + count) % count];
}

QColor laneColor(int lane) {
    // Lane 0 (lowest priority) first; higher lanes warmer.
    static const QColor colors[] = {QColor(0x3f, 0x7c, 0xe0), QColor(0xe0, 0x7a, 0x2f),
                                    QColor(0x8b, 0x5c, 0xd6), QColor(0x2f, 0xa8, 0x5a)};
    return colors[lane % 4];
}

QColor workerStateColor(WorkerState state) {
    switch (state) {
    case WorkerState::Ready:
    case WorkerState::Idle:
        return Theme::okColor();
    case WorkerState::Busy:
        return QColor(0x3f, 0x7c, 0xe0);
    case WorkerState::Starting:
    case WorkerState::Restarting:
    case WorkerState::Stopped:
        return Theme::warningColor();
    case WorkerState::Dead:
        return Theme::errorColor();
    }
    return Theme::okColor();
}

QColor errorKindColor(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::None:
        return Theme::okColor();
    case ErrorKind::Timeout:
        return Theme::warningColor();
    case ErrorKind::HandlerError:
        return Theme::errorColor();
    case ErrorKind::WorkerCrashed:
        return QColor(0x8b, 0x5c, 0xd6);
    case ErrorKind::NotRunning:
        return QColor(0x6b, 0x7a, 0x90);
    case ErrorKind::Rejected:
        return QColor(0x9a, 0x6b, 0x4f);
    case ErrorKind::HandleTimeout:
        return QColor(0xe0, 0x7a, 0x2f);
    }
    return Theme::errorColor();
}

} // namespace Aqueduct::Ui::MonitorColors
