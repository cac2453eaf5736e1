#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace Aqueduct::Ui {

/// A slim bar above the canvas (in the layout, so it never covers a node): "Running — stop
/// to edit" while a flow runs, a start error naming the step, or a notice.
class RunBanner final : public QFrame {
    Q_OBJECT
public:
    enum class Tone { Info, Warning, Error };

    explicit RunBanner(QWidget* parent = nullptr);

    void showMessage(const QString& text, Tone tone, bool closable = false);
    void dismiss();
    QString text() const;
    Tone tone() const { return m_tone; }

private:
    QLabel* m_label;
    QToolButton* m_close;
    Tone m_tone = Tone::Info;
};

} // namespace Aqueduct::Ui
