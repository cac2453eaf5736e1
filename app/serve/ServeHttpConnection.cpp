#include "ServeHttpConnection.h"

#include <QTcpSocket>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>

#include <sys/socket.h>

namespace Aqueduct::App {

namespace http = boost::beast::http;

namespace {

/// Bytes taken from the socket ahead of the parser: a whole header block fits.
constexpr std::int64_t kStagingBytes = ServeHttpConnection::kHeaderLimitBytes + (16 << 10);
/// No new request is read while this much of our answers is unsent: a client that
/// pipelines requests but never reads cannot make us buffer answers without bound.
constexpr std::int64_t kMaxUnsentBytes = 256 << 10;

QByteArray toBytes(boost::beast::string_view text) {
    return QByteArray(text.data(), qsizetype(text.size()));
}

QByteArray trimmedLower(boost::beast::string_view text) {
    return toBytes(text).trimmed().toLower();
}

} // namespace

struct ServeHttpConnection::Parser {
    http::request_parser<http::string_body> parser;
    ServeRequestHead head;
};

ServeHttpConnection::ServeHttpConnection(QTcpSocket* socket, const Limits& limits,
                                         ServeBodyBudget* budget, Screen screen, Handler handler,
                                         QObject* parent)
    : QObject(parent)
    , m_socket(socket)
    , m_limits(limits)
    , m_budget(budget)
    , m_screen(std::move(screen))
    , m_handler(std::move(handler))
    , m_reservation(budget) {
    m_socket->setParent(this);
    // Qt would otherwise buffer all a client sends while we do not read (backpressure).
    m_socket->setReadBufferSize(64 << 10);
    m_lastActivityMs = nowMs();
    connect(m_socket, &QIODevice::readyRead, this, &ServeHttpConnection::pump);
    connect(m_socket, &QAbstractSocket::disconnected, this, &QObject::deleteLater);
    connect(m_socket, &QIODevice::bytesWritten, this, [this] {
        m_lastWriteProgressMs = nowMs();
        if (m_closing && m_socket->bytesToWrite() == 0)
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
        else if (!m_closing && m_socket->bytesToWrite() < kMaxUnsentBytes)
            pump(); // reading stopped for the client to catch up
    });
}

ServeHttpConnection::~ServeHttpConnection() = default;

std::int64_t ServeHttpConnection::nowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void ServeHttpConnection::resetParser() {
    m_parser.reset();
    m_headerScreened = false;
    m_chunked = false;
    m_requestStartMs = -1;
    m_reservation = BodyReservation(m_budget);
}

void ServeHttpConnection::readSocket() {
    const std::int64_t room = kStagingBytes - std::int64_t(m_in.size());
    const std::int64_t available = m_socket->bytesAvailable();
    if (room <= 0 || available <= 0)
        return;
    const std::size_t old = m_in.size();
    m_in.resize(old + std::size_t(std::min(room, available)));
    const qint64 got = m_socket->read(m_in.data() + old, qint64(m_in.size() - old));
    m_in.resize(old + std::size_t(std::max<qint64>(0, got)));
}

void ServeHttpConnection::pump() {
    if (m_inPump)
        return;
    m_inPump = true;
    for (;;) {
        if (m_closing) {
            m_socket->readAll(); // what a refused client still sends is dropped
            break;
        }
        if (m_noMoreRequests || int(m_slots.size()) >= m_limits.maxPipelined ||
            m_socket->bytesToWrite() >= kMaxUnsentBytes)
            break; // the rest waits in the socket (its buffer is bounded): backpressure
        if (m_parser && m_headerScreened && m_parser->parser.is_done()) {
            dispatch();
            continue;
        }
        readSocket();
        if (m_in.empty())
            break;
        if (!m_parser) {
            m_parser = std::make_unique<Parser>();
            m_parser->parser.header_limit(std::uint32_t(kHeaderLimitBytes));
            m_parser->parser.body_limit(std::uint64_t(m_limits.maxBodyBytes));
            m_parser->parser.eager(false); // stop after the header: it is screened first
        }
        if (m_requestStartMs < 0)
            m_requestStartMs = nowMs();
        m_lastActivityMs = nowMs();
        boost::system::error_code ec;
        const std::size_t used =
            m_parser->parser.put(boost::asio::buffer(m_in.data(), m_in.size()), ec);
        m_in.erase(0, used);
        if (ec == http::error::need_more) {
            if (used == 0 &&
                (std::int64_t(m_in.size()) >= kStagingBytes || m_socket->bytesAvailable() == 0))
                break; // wait for more bytes
            continue;
        }
        if (ec == http::error::header_limit) {
            fail(431, QStringLiteral("headers_too_large"),
                 QStringLiteral("request headers are larger than %1 bytes").arg(kHeaderLimitBytes));
            break;
        }
        if (ec == http::error::body_limit) {
            fail(413, QStringLiteral("too_large"),
                 QStringLiteral("request body is larger than the limit of %1 bytes")
                     .arg(m_limits.maxBodyBytes));
            break;
        }
        if (ec) {
            fail(400, QStringLiteral("bad_request"),
                 QStringLiteral("malformed HTTP request: %1")
                     .arg(QString::fromStdString(ec.message())));
            break;
        }
        if (!m_headerScreened) {
            if (m_parser->parser.is_header_done() && !screenHeader())
                break;
            continue;
        }
        if (m_chunked &&
            !m_reservation.growTo(std::int64_t(m_parser->parser.get().body().size()))) {
            ServeResponse busy = errorResponse(
                503, QStringLiteral("busy"),
                QStringLiteral("request bodies in flight exceed this server's budget of %1 bytes")
                    .arg(m_budget->limitBytes()));
            busy.headers.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")});
            fail(busy.status, {}, {}, &busy);
            break;
        }
    }
    m_inPump = false;
}

bool ServeHttpConnection::screenHeader() {
    const auto& request = m_parser->parser.get();
    ServeRequestHead& head = m_parser->head;
    const auto badRequest = [this](const QString& message) {
        fail(400, QStringLiteral("bad_request"), message);
        return false;
    };
    head.method = toBytes(request.method_string());
    const QByteArray target = toBytes(request.target());
    if (!target.startsWith('/'))
        return badRequest(QStringLiteral("the request target must be a path starting with '/'"));
    const qsizetype question = target.indexOf('?');
    head.path = question < 0 ? target : target.left(question);
    head.query = question < 0 ? QByteArray() : target.mid(question + 1);
    head.version = int(request.version());
    if (head.version != 10 && head.version != 11) {
        fail(505, QStringLiteral("bad_request"),
             QStringLiteral("HTTP/%1.%2 is not supported (HTTP/1.1 is)")
                 .arg(head.version / 10)
                 .arg(head.version % 10));
        return false;
    }
    // Framing Beast 1.74 accepts but a proxy in front may read differently (smuggling).
    const std::size_t lengths = request.count(http::field::content_length);
    const std::size_t encodings = request.count(http::field::transfer_encoding);
    if (lengths > 1)
        return badRequest(QStringLiteral("more than one Content-Length header"));
    if (lengths == 1 &&
        request[http::field::content_length].find(',') != boost::beast::string_view::npos)
        return badRequest(QStringLiteral("Content-Length must be a single number"));
    if (encodings > 1)
        return badRequest(QStringLiteral("more than one Transfer-Encoding header"));
    if (encodings == 1) {
        if (lengths == 1)
            return badRequest(QStringLiteral("Content-Length and Transfer-Encoding together"));
        const QByteArray coding = trimmedLower(request[http::field::transfer_encoding]);
        if (coding != "chunked")
            return badRequest(
                QStringLiteral("Transfer-Encoding '%1' is not supported (only 'chunked')")
                    .arg(QString::fromLatin1(coding.left(100))));
        if (head.version == 10)
            return badRequest(QStringLiteral("Transfer-Encoding in an HTTP/1.0 request"));
    }
    for (const http::field field : {http::field::host, http::field::origin})
        if (request.count(field) > 1)
            return badRequest(QStringLiteral("more than one %1 header")
                                  .arg(QString::fromLatin1(toBytes(http::to_string(field)))));
    if (request.count(http::field::host) == 1)
        head.host = toBytes(request[http::field::host]).trimmed();
    if (request.count(http::field::origin) == 1)
        head.origin = toBytes(request[http::field::origin]).trimmed();
    const QByteArray contentType = trimmedLower(request[http::field::content_type]);
    head.contentType = contentType.left(contentType.indexOf(';')).trimmed();
    head.secFetchSite = trimmedLower(request["Sec-Fetch-Site"]);
    head.hasReferer = request.count(http::field::referer) > 0;
    head.fieldHeader = toBytes(request["X-Aqueduct-Field"]).trimmed();
    m_chunked = m_parser->parser.chunked();
    const std::int64_t length =
        std::int64_t(m_parser->parser.content_length().value_or(0)); // <= body_limit
    head.hasBody = m_chunked || length > 0;
    m_keepAlive = m_parser->parser.keep_alive();
    m_headerScreened = true;

    if (std::optional<ServeResponse> refusal = m_screen(head)) {
        if (head.hasBody) { // its body is never read: the connection cannot go on
            fail(refusal->status, {}, {}, &*refusal);
            return false;
        }
        refusal->close = refusal->close || !m_keepAlive;
        const std::uint64_t sequence = addSlot();
        const bool last = refusal->close;
        resetParser();
        if (last)
            m_noMoreRequests = true;
        respond(sequence, std::move(*refusal));
        return !last;
    }
    if (!m_reservation.growTo(length)) {
        ServeResponse busy = errorResponse(
            503, QStringLiteral("busy"),
            QStringLiteral("request bodies in flight exceed this server's budget of %1 bytes")
                .arg(m_budget->limitBytes()));
        busy.headers.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")});
        fail(busy.status, {}, {}, &busy);
        return false;
    }
    // curl waits a second for this before sending a body; only on an idle connection, so
    // it cannot land between two pipelined answers.
    if (head.hasBody && m_slots.empty() &&
        trimmedLower(request[http::field::expect]) == "100-continue")
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    m_parser->parser.eager(true);
    return true;
}

void ServeHttpConnection::dispatch() {
    ServeRequest request;
    request.head = std::move(m_parser->head);
    request.body = m_parser->parser.release().body();
    request.reservation = std::move(m_reservation);
    request.sequence = addSlot();
    const bool last = !m_keepAlive;
    if (last)
        m_slots.back().close = true;
    resetParser();
    if (last)
        m_noMoreRequests = true;
    m_lastActivityMs = nowMs();
    m_handler(this, std::move(request));
}

std::uint64_t ServeHttpConnection::addSlot() {
    Slot slot;
    slot.sequence = m_nextSequence++;
    m_slots.push_back(std::move(slot));
    return m_slots.back().sequence;
}

void ServeHttpConnection::fail(int status, const QString& statusName, const QString& message,
                               ServeResponse* response) {
    // Answered after what came before it on this connection, then the connection ends: the
    // bytes after a bad request are never taken for a request.
    ServeResponse answer =
        response ? std::move(*response) : errorResponse(status, statusName, message);
    answer.close = true;
    m_noMoreRequests = true;
    m_in.clear();
    const std::uint64_t sequence = addSlot();
    resetParser();
    respond(sequence, std::move(answer));
}

void ServeHttpConnection::respond(std::uint64_t sequence, ServeResponse response) {
    if (m_slots.empty() || sequence < m_slots.front().sequence)
        return;
    const std::uint64_t index = sequence - m_slots.front().sequence;
    if (index >= m_slots.size())
        return;
    Slot& slot = m_slots[std::size_t(index)];
    if (slot.ready)
        return;
    slot.close = slot.close || response.close;
    response.close = slot.close;
    slot.bytes = serializeResponse(response);
    slot.ready = true;
    flush();
    if (!m_inPump && !m_closing)
        pump(); // room for the next pipelined request, or bytes that waited
}

void ServeHttpConnection::flush() {
    while (!m_slots.empty() && m_slots.front().ready && !m_closing) {
        Slot slot = std::move(m_slots.front());
        m_slots.pop_front();
        if (m_socket->bytesToWrite() == 0)
            m_lastWriteProgressMs = nowMs();
        m_socket->write(slot.bytes);
        m_lastActivityMs = nowMs();
        if (slot.close) {
            m_slots.clear();
            beginClose();
        }
    }
}

void ServeHttpConnection::beginClose() {
    // Lingering close: send the answer, end our side only, and keep reading (and dropping)
    // until the client closes, so it sees the status instead of a reset.
    m_closing = true;
    m_noMoreRequests = true;
    m_closingSinceMs = nowMs();
    m_parser.reset();
    m_reservation.reset();
    m_in.clear();
    m_socket->readAll();
    if (m_socket->bytesToWrite() == 0)
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}

void ServeHttpConnection::sweep(std::int64_t now) {
    // A client that stopped reading our answers holds its place only so long.
    if (m_socket->bytesToWrite() > 0 && now - m_lastWriteProgressMs > m_limits.idleTimeoutMs) {
        m_socket->abort();
        deleteLater();
        return;
    }
    if (m_closing) {
        if (now - m_closingSinceMs > kLingerMs) {
            m_socket->abort();
            deleteLater();
        }
        return;
    }
    const bool reading =
        m_requestStartMs >= 0 && !m_noMoreRequests && int(m_slots.size()) < m_limits.maxPipelined;
    if (reading && now - m_requestStartMs > m_limits.readTimeoutMs) {
        fail(408, QStringLiteral("request_timeout"),
             QStringLiteral("the request did not arrive within %1 ms").arg(m_limits.readTimeoutMs));
        return;
    }
    if (m_slots.empty() && m_requestStartMs < 0 && m_in.empty() &&
        now - m_lastActivityMs > m_limits.idleTimeoutMs)
        m_socket->disconnectFromHost();
}

std::int64_t ServeHttpConnection::pendingOutputBytes() const {
    return m_socket->state() == QAbstractSocket::ConnectedState ? m_socket->bytesToWrite() : 0;
}

} // namespace Aqueduct::App
