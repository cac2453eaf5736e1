#pragma once

#include "ServeBodyBudget.h"

#include <QByteArray>
#include <QList>
#include <QPair>

#include <cstdint>
#include <optional>
#include <string>

namespace Aqueduct::App {

/// What `serve` looks at once a request's headers are in, before any body byte is kept
/// (the framing itself was checked by ServeHttpConnection).
struct ServeRequestHead {
    QByteArray method; ///< as sent, e.g. "POST"
    QByteArray path;   ///< target before '?'
    QByteArray query;  ///< target after '?', still percent-encoded
    int version = 11;  ///< 10 or 11
    std::optional<QByteArray> host;
    std::optional<QByteArray> origin;
    QByteArray contentType; ///< media type only, lower case ("text/plain")
    QByteArray secFetchSite;
    QByteArray fieldHeader; ///< X-Aqueduct-Field
    bool hasReferer = false;
    bool hasBody = false; ///< a Content-Length above 0, or chunked
};

/// A complete request, handed to the server with its place in the connection's order.
struct ServeRequest {
    ServeRequestHead head;
    std::string body;
    std::uint64_t sequence = 0;
    BodyReservation reservation; ///< the body's share of the budget, held until answered
};

struct ServeResponse {
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    bool close = false; ///< end the connection after this answer
};

QByteArray reasonPhrase(int status);
/// Status line, Content-Type, Content-Length, Connection: close when `response.close`,
/// the extra headers, then the body.
QByteArray serializeResponse(const ServeResponse& response);
/// {"_status": statusName, "_error": message[, "_latency_ms": ...]}
QByteArray errorBody(const QString& statusName, const QString& message,
                     std::int64_t latencyNs = -1);
ServeResponse errorResponse(int status, const QString& statusName, const QString& message);

} // namespace Aqueduct::App
