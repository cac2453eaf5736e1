#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace Aqueduct::Ui {

/// A strip floating at the top of the canvas: "Running — stop to edit" while a flow runs,
/// a start error naming the step, or a notice. Stays centred when the view resizes.
class RunBanner final : public QFrame {
    Q_OBJECT
public:
    enum class Tone { Info, Warning, Error };

    /// `host` is the widget the banner floats over (the canvas view).
    explicit RunBanner(QWidget* host);

    void showMessage(const QString& text, Tone tone, bool closable = false);
    void dismiss();
    QString text() const;
    Tone tone() const { return m_tone; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void reposition();

    QWidget* m_host;
    QLabel* m_label;
    QToolButton* m_close;
    Tone m_tone = Tone::Info;
};

} // namespace Aqueduct::Ui
