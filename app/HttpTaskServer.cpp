#include "HttpTaskServer.h"

#include "RunJson.h"
#include "RunMetrics.h"

#include <QHttpServerRequest>
#include <QTcpSocket>
#include <QUrlQuery>

#include <chrono>

namespace Aqueduct::App {

namespace {

using StatusCode = QHttpServerResponder::StatusCode;

const QByteArray kJsonType = QByteArrayLiteral("application/json");

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int statusFor(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::None:
        return 200;
    case ErrorKind::Timeout:
    case ErrorKind::HandleTimeout:
        return 504;
    case ErrorKind::HandlerError:
        return 500;
    case ErrorKind::WorkerCrashed:
        return 502;
    case ErrorKind::NotRunning:
        return 503;
    case ErrorKind::Rejected:
        return 413;
    }
    return 500;
}

QByteArray errorBody(const QString& statusName, const QString& message,
                     std::int64_t latencyNs = -1) {
    std::string out = "{\"_status\":";
    RunJson::appendString(out, statusName);
    out += ",\"_error\":";
    RunJson::appendString(out, message);
    if (latencyNs >= 0) {
        out += ",\"_latency_ms\":";
        RunJson::appendMilliseconds(out, latencyNs);
    }
    out += "}\n";
    return QByteArray(out.data(), qsizetype(out.size()));
}

bool parsePositive(const QString& text, std::int64_t minimum, std::int64_t maximum,
                   std::int64_t* value) {
    bool ok = false;
    const qlonglong parsed = text.toLongLong(&ok);
    if (!ok || parsed < minimum || parsed > maximum)
        return false;
    *value = parsed;
    return true;
}

} // namespace

struct HttpTaskServer::Pending {
    explicit Pending(QHttpServerResponder&& from)
        : responder(std::move(from))
        , socket(responder.socket()) {}
    QHttpServerResponder responder;
    QPointer<QTcpSocket> socket; ///< gone when the client went away
    Task task;
    std::int64_t receivedNs = 0;
    std::int64_t deadlineNs = 0;
    QString outputField;
};

HttpTaskServer::HttpTaskServer(Flow& flow, Limits limits, QObject* parent)
    : QObject(parent)
    , m_flow(flow)
    , m_limits(limits) {
    m_waitingTimer.setSingleShot(true);
    m_waitingTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_waitingTimer, &QTimer::timeout, this, &HttpTaskServer::expireWaiting);

    m_http.route("/v1/process",
                 [this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
                     handleProcess(request, std::move(responder));
                 });
    m_http.route("/healthz",
                 [this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
                     if (m_guard)
                         m_guard->requestDispatched(responder.socket());
                     if (request.method() != QHttpServerRequest::Method::Get)
                         return respondError(responder, 405, QStringLiteral("method_not_allowed"),
                                             QStringLiteral("use GET"));
                     bool healthy = false;
                     const QByteArray body = healthJson(&healthy);
                     respond(responder, healthy ? 200 : 503, body, kJsonType);
                 });
    m_http.route("/metrics",
                 [this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
                     if (m_guard)
                         m_guard->requestDispatched(responder.socket());
                     if (request.method() != QHttpServerRequest::Method::Get)
                         return respondError(responder, 405, QStringLiteral("method_not_allowed"),
                                             QStringLiteral("use GET"));
                     respond(responder, 200, prometheusText(m_flow), prometheusContentType());
                 });
    m_http.route("/v1/pipeline",
                 [this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
                     if (m_guard)
                         m_guard->requestDispatched(responder.socket());
                     if (request.method() != QHttpServerRequest::Method::Get)
                         return respondError(responder, 405, QStringLiteral("method_not_allowed"),
                                             QStringLiteral("use GET"));
                     respond(responder, 200, m_flow.document().toJson(), kJsonType);
                 });
    m_http.setMissingHandler(
        [this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
            if (m_guard)
                m_guard->requestDispatched(responder.socket());
            respondError(responder, 404, QStringLiteral("not_found"),
                         QStringLiteral("no such endpoint: %1 (see aqueduct serve --help)")
                             .arg(request.url().path()));
        });
}

HttpTaskServer::~HttpTaskServer() = default;

bool HttpTaskServer::listen(const QString& host, quint16 port, QString* error) {
    m_address = host == QLatin1String("localhost") ? QHostAddress(QHostAddress::LocalHost)
                                                   : QHostAddress(host);
    auto* guard = new ServeConnectionGuard(m_limits.connection, this);
    if (!guard->listen(m_address, port)) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(host)
                     .arg(port)
                     .arg(guard->errorString());
        delete guard;
        return false;
    }
    m_guard = guard;
    m_http.bind(guard); // QHttpServer takes it as a child
    return true;
}

quint16 HttpTaskServer::port() const {
    return m_guard ? m_guard->serverPort() : 0;
}

QString HttpTaskServer::url() const {
    const QString host = m_address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QStringLiteral("[%1]").arg(m_address.toString())
                             : m_address.toString();
    return QStringLiteral("http://%1:%2").arg(host).arg(port());
}

void HttpTaskServer::beginShutdown() {
    m_shuttingDown = true;
    if (m_guard)
        m_guard->close();
}

// ---------------------------------------------------------------------------------------
// POST /v1/process

void HttpTaskServer::handleProcess(const QHttpServerRequest& request,
                                   QHttpServerResponder&& responder) {
    if (m_guard)
        m_guard->requestDispatched(responder.socket());
    if (request.method() != QHttpServerRequest::Method::Post)
        return respondError(responder, 405, QStringLiteral("method_not_allowed"),
                            QStringLiteral("use POST"));
    if (m_shuttingDown)
        return respondError(responder, 503, errorKindName(ErrorKind::NotRunning),
                            QStringLiteral("the server is shutting down"));

    auto pending = std::make_unique<Pending>(std::move(responder));
    pending->receivedNs = nowNs();
    QString error;
    if (!parseRequest(request, *pending, &error)) {
        const int status = error.startsWith(QLatin1String("request body of")) ? 413 : 400;
        return respondError(
            pending->responder, status,
            status == 413 ? QStringLiteral("too_large") : QStringLiteral("bad_request"), error);
    }
    if (m_inFlight < m_limits.maxInFlight && m_waiting.empty()) {
        dispatch(std::move(pending));
    } else if (int(m_waiting.size()) < m_limits.maxQueued) {
        m_waiting.push_back(std::move(pending));
        armWaitingTimer();
    } else {
        respondError(pending->responder, 503, QStringLiteral("busy"),
                     QStringLiteral("too many requests: %1 in flight and %2 waiting")
                         .arg(m_inFlight)
                         .arg(m_waiting.size()));
    }
}

bool HttpTaskServer::parseRequest(const QHttpServerRequest& request, Pending& pending,
                                  QString* error) const {
    const QUrlQuery query = request.query();
    QString field = QString::fromUtf8(request.value(QByteArrayLiteral("x-aqueduct-field")));
    std::int64_t timeoutMs = 0;
    std::int64_t priority = -1;
    for (const auto& [key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == QLatin1String("field")) {
            field = value;
        } else if (key == QLatin1String("output_field")) {
            pending.outputField = value;
        } else if (key == QLatin1String("timeout_ms")) {
            if (!parsePositive(value, 1, std::int64_t(86'400'000) * 365, &timeoutMs)) {
                *error =
                    QStringLiteral("timeout_ms must be a positive integer, got '%1'").arg(value);
                return false;
            }
        } else if (key == QLatin1String("priority")) {
            if (!parsePositive(value, 0, 1'000'000, &priority)) {
                *error =
                    QStringLiteral("priority must be a non-negative integer, got '%1'").arg(value);
                return false;
            }
        } else {
            *error = QStringLiteral("unknown query parameter '%1' (known: field, output_field, "
                                    "timeout_ms, priority)")
                         .arg(key);
            return false;
        }
    }
    const QByteArray body = request.body();
    if (body.size() > m_limits.connection.maxBodyBytes) {
        *error = QStringLiteral("request body of %1 bytes is larger than the limit of %2 bytes")
                     .arg(body.size())
                     .arg(m_limits.connection.maxBodyBytes);
        return false;
    }
    if (!field.isEmpty()) {
        const QByteArray name = field.toUtf8();
        if (name.size() > 255) {
            *error = QStringLiteral("field name is longer than 255 bytes");
            return false;
        }
        pending.task.appendField(std::string_view(name.constData(), std::size_t(name.size())))
            .setBytes(std::string_view(body.constData(), std::size_t(body.size())));
    } else {
        if (body.trimmed().isEmpty()) {
            *error = QStringLiteral("empty body: send a JSON task, or raw bytes with ?field=NAME");
            return false;
        }
        RunJson::ParsedTask parsed;
        if (!RunJson::parseTask(body, parsed, error))
            return false;
        pending.task = std::move(parsed.task);
        if (timeoutMs == 0)
            timeoutMs = parsed.timeoutMs;
        if (priority < 0)
            priority = parsed.priority;
    }
    pending.task.setPriority(int(std::max<std::int64_t>(0, priority)));
    if (timeoutMs == 0)
        timeoutMs =
            m_limits.timeoutMs > 0 ? m_limits.timeoutMs : m_flow.document().flow.defaultTimeoutMs;
    pending.deadlineNs = pending.receivedNs + timeoutMs * 1'000'000;
    return true;
}

void HttpTaskServer::dispatch(std::unique_ptr<Pending> pending) {
    ++m_inFlight;
    process(std::move(pending)); // runs until its first suspension, then the engine resumes it
}

QCoro::Task<void> HttpTaskServer::process(std::unique_ptr<Pending> pending) {
    // The deadline counts from when the request arrived, waiting for a slot included.
    const std::int64_t remainingMs =
        std::max<std::int64_t>(1, (pending->deadlineNs - nowNs() + 999'999) / 1'000'000);
    TaskResult result =
        co_await m_flow.process(std::move(pending->task), std::chrono::milliseconds(remainingMs));
    const std::int64_t latencyNs = nowNs() - pending->receivedNs;
    if (!result.ok()) {
        finishPending(*pending, statusFor(result.error()),
                      errorBody(errorKindName(result.error()), result.message(), latencyNs),
                      kJsonType);
    } else if (!pending->outputField.isEmpty()) {
        const QByteArray name = pending->outputField.toUtf8();
        const Value* value =
            result.task().find(std::string_view(name.constData(), std::size_t(name.size())));
        if (value && (value->isBinary() || value->type() == ValueType::String)) {
            const std::string_view bytes = value->view();
            finishPending(*pending, 200, QByteArray(bytes.data(), qsizetype(bytes.size())),
                          value->isBinary() ? QByteArrayLiteral("application/octet-stream")
                                            : QByteArrayLiteral("text/plain; charset=utf-8"));
        } else {
            finishPending(*pending, 500,
                          errorBody(QStringLiteral("no_output_field"),
                                    QStringLiteral("the result has no bytes or string field '%1'")
                                        .arg(pending->outputField),
                                    latencyNs),
                          kJsonType);
        }
    } else {
        std::string out;
        RunJson::appendResultRecord(out, result, latencyNs, 0);
        finishPending(*pending, 200, QByteArray(out.data(), qsizetype(out.size())), kJsonType);
    }
    --m_inFlight;
    admitWaiting();
    if (pendingRequests() == 0)
        Q_EMIT drained();
}

void HttpTaskServer::finishPending(Pending& pending, int status, const QByteArray& body,
                                   const QByteArray& contentType) {
    // The client may have gone while the task ran: then its socket is gone too, and the
    // responder must not be used.
    if (!pending.socket || pending.socket->state() != QAbstractSocket::ConnectedState)
        return;
    respond(pending.responder, status, body, contentType);
}

// ---------------------------------------------------------------------------------------
// Waiting line (requests beyond max-in-flight wait for a slot until their deadline)

void HttpTaskServer::admitWaiting() {
    const std::int64_t now = nowNs();
    while (m_inFlight < m_limits.maxInFlight && !m_waiting.empty()) {
        std::unique_ptr<Pending> next = std::move(m_waiting.front());
        m_waiting.pop_front();
        if (!next->socket || next->socket->state() != QAbstractSocket::ConnectedState)
            continue; // the client gave up
        if (next->deadlineNs <= now) {
            finishPending(*next, 503,
                          errorBody(QStringLiteral("busy"),
                                    QStringLiteral("no slot free before the deadline")),
                          kJsonType);
            continue;
        }
        dispatch(std::move(next));
    }
    armWaitingTimer();
}

void HttpTaskServer::armWaitingTimer() {
    if (m_waiting.empty()) {
        m_waitingTimer.stop();
        return;
    }
    std::int64_t earliest = m_waiting.front()->deadlineNs;
    for (const auto& pending : m_waiting)
        earliest = std::min(earliest, pending->deadlineNs);
    const std::int64_t waitNs = std::max<std::int64_t>(0, earliest - nowNs());
    m_waitingTimer.start(int((waitNs + 999'999) / 1'000'000));
}

void HttpTaskServer::expireWaiting() {
    const std::int64_t now = nowNs();
    for (auto it = m_waiting.begin(); it != m_waiting.end();) {
        if ((*it)->deadlineNs <= now) {
            finishPending(
                **it, 503,
                errorBody(QStringLiteral("busy"),
                          QStringLiteral(
                              "too many requests in flight (%1); none finished before the deadline")
                              .arg(m_inFlight)),
                kJsonType);
            it = m_waiting.erase(it);
        } else {
            ++it;
        }
    }
    armWaitingTimer();
    if (pendingRequests() == 0)
        Q_EMIT drained();
}

// ---------------------------------------------------------------------------------------
// Responses

void HttpTaskServer::respond(QHttpServerResponder& responder, int status, const QByteArray& body,
                             const QByteArray& contentType) {
    QTcpSocket* socket = responder.socket();
    responder.write(body, {{QByteArrayLiteral("Content-Type"), contentType}}, StatusCode(status));
    if (m_guard)
        m_guard->responseWritten(socket);
}

void HttpTaskServer::respondError(QHttpServerResponder& responder, int status,
                                  const QString& statusName, const QString& message) {
    respond(responder, status, errorBody(statusName, message), kJsonType);
}

QByteArray HttpTaskServer::healthJson(bool* healthy) const {
    const PipelineDocument& document = m_flow.document();
    const QList<WorkerInfo> workers = m_flow.workers();
    const bool running = m_flow.state() == FlowState::Running;
    bool allSteps = true;
    std::string out = "{\"flow\":";
    RunJson::appendString(out, flowStateName(m_flow.state()));
    out += ",\"steps\":[";
    for (int s = 0; s < document.steps.size(); ++s) {
        int alive = 0;
        for (const WorkerInfo& worker : workers) {
            if (worker.stepIndex == s &&
                (worker.state == WorkerState::Ready || worker.state == WorkerState::Busy ||
                 worker.state == WorkerState::Idle))
                ++alive;
        }
        allSteps = allSteps && alive > 0;
        if (s > 0)
            out += ',';
        out += "{\"id\":";
        RunJson::appendString(out, document.steps[s].id);
        out += ",\"alive\":" + std::to_string(alive) +
               ",\"nprocs\":" + std::to_string(document.steps[s].nprocs) + '}';
    }
    out += "]";
    *healthy = running && allSteps;
    out += *healthy ? ",\"status\":\"ok\"}\n" : ",\"status\":\"unhealthy\"}\n";
    if (!running && !m_flow.failureReason().isEmpty()) {
        out.resize(out.size() - 2);
        out += ",\"reason\":";
        RunJson::appendString(out, m_flow.failureReason());
        out += "}\n";
    }
    return QByteArray(out.data(), qsizetype(out.size()));
}

} // namespace Aqueduct::App
