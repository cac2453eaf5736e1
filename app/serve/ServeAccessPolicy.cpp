#include "ServeAccessPolicy.h"

#include <QHostAddress>

namespace Aqueduct::App {

namespace {

/// The host part of a Host header ("name:port", "[::1]:8080", "1.2.3.4"), or empty if
/// it is malformed.
QString hostPart(const QByteArray& header) {
    const QString text = QString::fromLatin1(header).trimmed();
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0)
            return {};
        const QString rest = text.mid(close + 1);
        if (!rest.isEmpty() && !rest.startsWith(QLatin1Char(':')))
            return {};
        return text.mid(1, close - 1);
    }
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon >= 0) {
        bool ok = false;
        const uint port = text.mid(colon + 1).toUInt(&ok);
        if (!ok || port > 65535)
            return {};
    }
    return colon >= 0 ? text.left(colon) : text;
}

bool isSimpleFormType(const QByteArray& mediaType) {
    return mediaType == "text/plain" || mediaType == "application/x-www-form-urlencoded" ||
           mediaType == "multipart/form-data";
}

} // namespace

bool ServeAccessPolicy::hostAllowed(const QByteArray& hostHeader) const {
    QString host = hostPart(hostHeader).toLower();
    if (host.isEmpty())
        return false;
    if (allowedHosts.contains(QStringLiteral("*")))
        return true;
    // An address literal names no DNS record an attacker could point at us.
    if (!QHostAddress(host).isNull())
        return true;
    if (host.endsWith(QLatin1Char('.')))
        host.chop(1);
    return allowedHosts.contains(host, Qt::CaseInsensitive);
}

bool ServeAccessPolicy::originAllowed(const QByteArray& origin) const {
    return allowedOrigins.contains(QString::fromLatin1(origin).trimmed(), Qt::CaseInsensitive);
}

std::optional<ServeResponse> ServeAccessPolicy::check(const ServeRequestHead& head) const {
    if (!head.host) {
        if (head.version >= 11) // RFC 9112: a 1.1 request without Host is an error
            return errorResponse(400, QStringLiteral("bad_request"),
                                 QStringLiteral("an HTTP/1.1 request needs a Host header"));
    } else if (!hostAllowed(*head.host)) {
        return errorResponse(
            403, QStringLiteral("forbidden_host"),
            QStringLiteral("Host '%1' is not allowed (IP addresses and localhost are; add "
                           "names with --allow-host)")
                .arg(QString::fromLatin1(head.host->left(200))));
    }
    if (head.origin) {
        if (!originAllowed(*head.origin))
            return errorResponse(
                403, QStringLiteral("forbidden_origin"),
                QStringLiteral("requests from Origin '%1' are not allowed (see --allow-origin)")
                    .arg(QString::fromLatin1(head.origin->left(200))));
        return std::nullopt;
    }
    // A browser that sent no Origin still marks a cross-site request.
    if (!head.secFetchSite.isEmpty() && head.secFetchSite != "same-origin" &&
        head.secFetchSite != "none")
        return errorResponse(403, QStringLiteral("forbidden_origin"),
                             QStringLiteral("cross-site browser requests are not allowed"));
    if (head.method == "POST" && isSimpleFormType(head.contentType) &&
        (head.hasReferer || !head.secFetchSite.isEmpty()))
        return errorResponse(403, QStringLiteral("forbidden_origin"),
                             QStringLiteral("form and text/plain POSTs from browsers are not "
                                            "allowed (send JSON, or use --allow-origin)"));
    return std::nullopt;
}

} // namespace Aqueduct::App
