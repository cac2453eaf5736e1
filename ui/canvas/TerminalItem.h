#pragma once

#include "canvas/NodeItem.h"

namespace Aqueduct::Ui {

/// The implicit "input" and "output" pseudo-nodes: small, fixed (placed by the scene to
/// the left and right of the steps), with only the port that makes sense.
class TerminalItem final : public NodeItem {
    Q_OBJECT
public:
    enum { Type = UserType + 2 };
    enum class Role { Input, Output };

    explicit TerminalItem(Role role, QGraphicsItem* parent = nullptr);

    int type() const override { return Type; }
    Role role() const { return m_role; }
    QSizeF size() const override;
    bool hasInputPort() const override { return m_role == Role::Output; }
    bool hasOutputPort() const override { return m_role == Role::Input; }
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    Role m_role;
};

} // namespace Aqueduct::Ui
