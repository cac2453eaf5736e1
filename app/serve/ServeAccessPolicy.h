#pragma once

#include "ServeHttpMessage.h"

#include <QStringList>

#include <optional>

namespace Aqueduct::App {

/// Who may talk to `serve` from where (issue 16, item 6): a Host allow-list against DNS
/// rebinding, and no cross-origin requests from browsers unless their Origin is allowed.
struct ServeAccessPolicy {
    /// Host names accepted besides IP literals (which cannot be rebound): "localhost" and
    /// what --allow-host adds; "*" accepts any.
    QStringList allowedHosts{QStringLiteral("localhost")};
    /// Exact origins ("http://localhost:3000") whose browsers may send requests.
    QStringList allowedOrigins;

    /// A 400/403 answer when `head` may not be served, nothing when it may.
    std::optional<ServeResponse> check(const ServeRequestHead& head) const;

    bool hostAllowed(const QByteArray& hostHeader) const;
    bool originAllowed(const QByteArray& origin) const;
};

} // namespace Aqueduct::App
