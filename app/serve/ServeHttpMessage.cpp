#include "ServeHttpMessage.h"

#include <aqueduct/driver/TaskJson.h>

#include <QString>

namespace Aqueduct::App {

QByteArray reasonPhrase(int status) {
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

QByteArray serializeResponse(const ServeResponse& response) {
    QByteArray out;
    out.reserve(response.body.size() + 160);
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) +
           "\r\n";
    if (!response.contentType.isEmpty())
        out += "Content-Type: " + response.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    if (response.close)
        out += "Connection: close\r\n";
    for (const auto& [name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    out += "\r\n";
    out += response.body;
    return out;
}

QByteArray errorBody(const QString& statusName, const QString& message, std::int64_t latencyNs) {
    std::string out = "{\"_status\":";
    TaskJson::appendString(out, statusName);
    out += ",\"_error\":";
    TaskJson::appendString(out, message);
    if (latencyNs >= 0) {
        out += ",\"_latency_ms\":";
        TaskJson::appendMilliseconds(out, latencyNs);
    }
    out += "}\n";
    return QByteArray(out.data(), qsizetype(out.size()));
}

ServeResponse errorResponse(int status, const QString& statusName, const QString& message) {
    ServeResponse response;
    response.status = status;
    response.contentType = QByteArrayLiteral("application/json");
    response.body = errorBody(statusName, message);
    return response;
}

} // namespace Aqueduct::App
