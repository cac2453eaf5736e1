#pragma once

#include <QObject>
#include <QStringList>

namespace Aqueduct::Ui {

/// Most recently used pipeline files, newest first, kept in QSettings ("recentFiles").
class RecentFiles final : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxEntries = 10;

    explicit RecentFiles(QObject* parent = nullptr);

    QStringList files() const;
    void add(const QString& path);
    void remove(const QString& path);
    void clear();

Q_SIGNALS:
    void changed();

private:
    void store(const QStringList& files);
};

} // namespace Aqueduct::Ui
