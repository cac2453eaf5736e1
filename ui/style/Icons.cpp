#include "style/Icons.h"

#include <QApplication>
#include <QFile>
#include <QHash>
#include <QIconEngine>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QPixmapCache>
#include <QSvgRenderer>

// The .qrc lives in a static library: make sure its registration is linked in and run.
static void initAqueductResources() {
    Q_INIT_RESOURCE(aqueduct);
}

namespace Aqueduct::Ui::Icons {

namespace {

QByteArray loadSvg(const QString& name) {
    static const bool resourcesReady = (initAqueductResources(), true);
    (void)resourcesReady;
    static QHash<QString, QByteArray> cache;
    if (const auto it = cache.constFind(name); it != cache.cend())
        return *it;
    QFile file(QStringLiteral(":/aqueduct/icons/%1.svg").arg(name));
    QByteArray data;
    if (file.open(QIODevice::ReadOnly))
        data = file.readAll();
    cache.insert(name, data);
    return data;
}

/// Renders the SVG fresh for every size/mode so nothing is scaled from a bitmap.
class TintedSvgIconEngine final : public QIconEngine {
public:
    TintedSvgIconEngine(QString name, QColor tint)
        : m_name(std::move(name))
        , m_tint(std::move(tint)) {}

    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State) override {
        QSvgRenderer renderer(tintedSvg(m_name, colorFor(mode)));
        renderer.render(painter, rect);
    }

    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override {
        return scaledPixmap(size, mode, state, 1.0);
    }

    QPixmap scaledPixmap(const QSize& size, QIcon::Mode mode, QIcon::State state,
                         qreal scale) override {
        const QSize pixelSize = size * scale;
        const QString key = QStringLiteral("aqueduct-icon-%1-%2-%3x%4-%5")
                                .arg(m_name)
                                .arg(colorFor(mode).rgba())
                                .arg(pixelSize.width())
                                .arg(pixelSize.height())
                                .arg(int(mode));
        QPixmap pixmap;
        if (QPixmapCache::find(key, &pixmap))
            return pixmap;
        pixmap = QPixmap(pixelSize);
        pixmap.fill(Qt::transparent);
        {
            QPainter painter(&pixmap);
            painter.setRenderHint(QPainter::Antialiasing);
            paint(&painter, QRect(QPoint(), pixelSize), mode, state);
        }
        pixmap.setDevicePixelRatio(scale);
        QPixmapCache::insert(key, pixmap);
        return pixmap;
    }

    QSize actualSize(const QSize& size, QIcon::Mode, QIcon::State) override { return size; }
    QIconEngine* clone() const override { return new TintedSvgIconEngine(m_name, m_tint); }
    QString key() const override { return QStringLiteral("aqueduct-tinted-svg"); }
    bool isNull() override { return loadSvg(m_name).isEmpty(); }

private:
    QColor colorFor(QIcon::Mode mode) const {
        const QPalette palette = QApplication::palette();
        if (mode == QIcon::Disabled)
            return palette.color(QPalette::Disabled, QPalette::WindowText);
        if (mode == QIcon::Selected)
            return palette.color(QPalette::HighlightedText);
        if (m_tint.isValid())
            return m_tint;
        // Slightly softer than text, like most toolbar icon sets.
        const QColor text = palette.color(QPalette::WindowText);
        const QColor window = palette.color(QPalette::Window);
        return QColor::fromRgbF(float(text.redF() * 0.85 + window.redF() * 0.15),
                                float(text.greenF() * 0.85 + window.greenF() * 0.15),
                                float(text.blueF() * 0.85 + window.blueF() * 0.15));
    }

    QString m_name;
    QColor m_tint;
};

} // namespace

QByteArray tintedSvg(const QString& name, const QColor& color) {
    QByteArray svg = loadSvg(name);
    svg.replace("currentColor", color.name(QColor::HexRgb).toLatin1());
    return svg;
}

QIcon icon(const QString& name, const QColor& tint) {
    return QIcon(new TintedSvgIconEngine(name, tint));
}

} // namespace Aqueduct::Ui::Icons
