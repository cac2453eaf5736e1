#include "HttpTaskServer.h"

#include "ExporterSetup.h"
#include <aqueduct/driver/TaskJson.h>

#include <QRegularExpression>
#include <QUrlQuery>

#include <chrono>

namespace Aqueduct::App {

namespace {

const QByteArray kJsonType = QByteArrayLiteral("application/json");
constexpr std::int64_t kMaxTimerMs = 3'600'000; ///< longer waits are re-armed (no int overflow)

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

bool parseInteger(const QString& text, std::int64_t minimum, std::int64_t maximum,
                  std::int64_t* value) {
    bool ok = false;
    const qlonglong parsed = text.toLongLong(&ok);
    if (!ok || parsed < minimum || parsed > maximum)
        return false;
    *value = parsed;
    return true;
}

ServeResponse jsonResponse(int status, QByteArray body) {
    ServeResponse response;
    response.status = status;
    response.contentType = kJsonType;
    response.body = std::move(body);
    return response;
}

ServeResponse retryLater(const QString& statusName, const QString& message) {
    ServeResponse response = errorResponse(503, statusName, message);
    response.headers.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")});
    return response;
}

ServeResponse wrongMethod(const QByteArray& allowed) {
    ServeResponse response = errorResponse(405, QStringLiteral("method_not_allowed"),
                                           QStringLiteral("use %1").arg(QLatin1String(allowed)));
    response.headers.append({QByteArrayLiteral("Allow"), allowed});
    return response;
}

void appendGauge(QByteArray& out, const char* name, const char* help, double value) {
    out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " gauge\n" + name +
           ' ' + QByteArray::number(value, 'g', 12) + '\n';
}

} // namespace

struct HttpTaskServer::Pending {
    QPointer<ServeHttpConnection> connection; ///< gone when the client went away
    std::uint64_t sequence = 0;
    BodyReservation reservation;
    Task task;
    std::int64_t receivedNs = 0;
    std::int64_t deadlineNs = 0;
    QString outputField;
};

HttpTaskServer::HttpTaskServer(Flow& flow, Limits limits, QObject* parent)
    : QObject(parent)
    , m_flow(flow)
    , m_limits(std::move(limits))
    , m_budget(m_limits.maxBodyBudgetBytes) {
    m_waitingTimer.setSingleShot(true);
    m_waitingTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_waitingTimer, &QTimer::timeout, this, &HttpTaskServer::expireWaiting);
}

HttpTaskServer::~HttpTaskServer() {
    // Its connections give their body reservations back to m_budget: go before it does.
    delete m_guard.data();
}

bool HttpTaskServer::listen(const QString& host, quint16 port, QString* error) {
    m_address = host == QLatin1String("localhost") ? QHostAddress(QHostAddress::LocalHost)
                                                   : QHostAddress(host);
    auto* guard = new ServeConnectionGuard(
        m_limits.connection, &m_budget,
        [this](const ServeRequestHead& head) { return screen(head); },
        [this](ServeHttpConnection* connection, ServeRequest request) {
            handle(connection, std::move(request));
        },
        this);
    if (!guard->listen(m_address, port)) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(host)
                     .arg(port)
                     .arg(guard->errorString());
        delete guard;
        return false;
    }
    m_guard = guard;
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

void HttpTaskServer::beginDrain() {
    m_draining = true;
}

void HttpTaskServer::closeListener() {
    if (m_guard)
        m_guard->close();
}

// ---------------------------------------------------------------------------------------
// Routing: decided from the headers, before a body is read

std::optional<ServeResponse> HttpTaskServer::screen(const ServeRequestHead& head) const {
    if (std::optional<ServeResponse> refusal = m_limits.access.check(head))
        return refusal;
    const QByteArray& path = head.path;
    if (path == "/v1/process") {
        if (head.method != "POST")
            return wrongMethod("POST");
        if (m_draining) {
            ServeResponse response = retryLater(errorKindName(ErrorKind::NotRunning),
                                                QStringLiteral("the server is draining"));
            response.close = true;
            return response;
        }
        if (m_flow.state() == FlowState::Starting)
            return retryLater(errorKindName(ErrorKind::NotRunning),
                              QStringLiteral("the flow is starting"));
        return std::nullopt;
    }
    if (path == "/healthz" || path == "/readyz" || path == "/metrics" ||
        (path == "/v1/pipeline" && m_limits.exposePipeline)) {
        if (head.method != "GET")
            return wrongMethod("GET");
        return std::nullopt;
    }
    QString hint = QStringLiteral("see aqueduct serve --help");
    if (path == "/v1/pipeline")
        hint = QStringLiteral("the server runs without --expose-pipeline");
    return errorResponse(
        404, QStringLiteral("not_found"),
        QStringLiteral("no such endpoint: %1 (%2)").arg(QString::fromUtf8(path.left(200)), hint));
}

void HttpTaskServer::handle(ServeHttpConnection* connection, ServeRequest request) {
    const QByteArray& path = request.head.path;
    if (path == "/v1/process")
        return handleProcess(connection, std::move(request));
    if (path == "/healthz") { // liveness: the event loop answers
        bool ready = false;
        return answer(connection, request.sequence, jsonResponse(200, probeJson(&ready)));
    }
    if (path == "/readyz") {
        bool ready = false;
        QByteArray body = probeJson(&ready);
        return answer(connection, request.sequence, jsonResponse(ready ? 200 : 503, body));
    }
    if (path == "/metrics") {
        ServeResponse response;
        response.contentType = prometheusContentType();
        response.body = metricsText();
        return answer(connection, request.sequence, std::move(response));
    }
    if (path == "/v1/pipeline")
        return answer(connection, request.sequence, jsonResponse(200, m_flow.document().toJson()));
    answer(connection, request.sequence,
           errorResponse(404, QStringLiteral("not_found"), QStringLiteral("no such endpoint")));
}

// ---------------------------------------------------------------------------------------
// POST /v1/process

void HttpTaskServer::handleProcess(ServeHttpConnection* connection, ServeRequest request) {
    auto pending = std::make_unique<Pending>();
    pending->connection = connection;
    pending->sequence = request.sequence;
    pending->reservation = std::move(request.reservation);
    pending->receivedNs = nowNs();
    QString error;
    int status = 400;
    if (!parseRequest(request, *pending, &status, &error))
        return finishPending(*pending, errorResponse(status,
                                                     status == 413 ? QStringLiteral("too_large")
                                                                   : QStringLiteral("bad_request"),
                                                     error));
    if (m_inFlight < m_limits.maxInFlight && m_waiting.empty()) {
        dispatch(std::move(pending));
    } else if (int(m_waiting.size()) < m_limits.maxQueued) {
        m_waitingDeadlines.insert(pending->deadlineNs);
        m_waiting.push_back(std::move(pending));
        armWaitingTimer();
    } else {
        finishPending(*pending, retryLater(QStringLiteral("busy"),
                                           QStringLiteral("too many requests: %1 in flight and "
                                                          "%2 waiting")
                                               .arg(m_inFlight)
                                               .arg(m_waiting.size())));
    }
}

bool HttpTaskServer::checkClientTimeout(std::int64_t timeoutMs, QString* error) const {
    if (timeoutMs <= m_limits.maxTimeoutMs)
        return true;
    *error = QStringLiteral("timeout_ms %1 is above this server's limit of %2 ms "
                            "(--max-timeout-ms)")
                 .arg(timeoutMs)
                 .arg(m_limits.maxTimeoutMs);
    return false;
}

bool HttpTaskServer::parseRequest(const ServeRequest& request, Pending& pending, int* status,
                                  QString* error) const {
    const QUrlQuery query(QString::fromUtf8(request.head.query));
    QString field = QString::fromUtf8(request.head.fieldHeader);
    std::int64_t timeoutMs = 0;
    std::int64_t priority = -1;
    for (const auto& [key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == QLatin1String("field")) {
            field = value;
        } else if (key == QLatin1String("output_field")) {
            pending.outputField = value;
        } else if (key == QLatin1String("timeout_ms")) {
            if (!parseInteger(value, 1, std::numeric_limits<std::int64_t>::max() / 1'000'000,
                              &timeoutMs)) {
                *error =
                    QStringLiteral("timeout_ms must be a positive integer, got '%1'").arg(value);
                return false;
            }
            if (!checkClientTimeout(timeoutMs, error))
                return false;
        } else if (key == QLatin1String("priority")) {
            if (!parseInteger(value, 0, 1'000'000, &priority)) {
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
    const std::string& body = request.body;
    if (std::int64_t(body.size()) > m_limits.connection.connection.maxBodyBytes) {
        *status = 413;
        *error = QStringLiteral("request body of %1 bytes is larger than the limit of %2 bytes")
                     .arg(body.size())
                     .arg(m_limits.connection.connection.maxBodyBytes);
        return false;
    }
    if (!field.isEmpty()) {
        const QByteArray name = field.toUtf8();
        if (name.size() > 255) {
            *error = QStringLiteral("field name is longer than 255 bytes");
            return false;
        }
        pending.task.appendField(std::string_view(name.constData(), std::size_t(name.size())))
            .setBytes(std::string_view(body));
    } else {
        const QByteArrayView json(body.data(), qsizetype(body.size()));
        if (json.trimmed().isEmpty()) {
            *error = QStringLiteral("empty body: send a JSON task, or raw bytes with ?field=NAME");
            return false;
        }
        TaskJson::ParsedTask parsed;
        if (!TaskJson::parseTask(json, parsed, error))
            return false;
        pending.task = std::move(parsed.task);
        if (timeoutMs == 0) {
            if (!checkClientTimeout(parsed.timeoutMs, error))
                return false;
            timeoutMs = parsed.timeoutMs;
        }
        if (priority < 0)
            priority = parsed.priority;
    }
    pending.task.setPriority(int(std::max<std::int64_t>(0, priority)));
    if (timeoutMs == 0) // the operator's default is not capped: it is the operator's choice
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
        finishPending(*pending, jsonResponse(statusFor(result.error()),
                                             errorBody(errorKindName(result.error()),
                                                       result.message(), latencyNs)));
    } else if (!pending->outputField.isEmpty()) {
        const QByteArray name = pending->outputField.toUtf8();
        const Value* value =
            result.task().find(std::string_view(name.constData(), std::size_t(name.size())));
        if (value && (value->isBinary() || value->type() == ValueType::String)) {
            const std::string_view bytes = value->view();
            ServeResponse response;
            response.contentType = value->isBinary()
                                       ? QByteArrayLiteral("application/octet-stream")
                                       : QByteArrayLiteral("text/plain; charset=utf-8");
            response.body = QByteArray(bytes.data(), qsizetype(bytes.size()));
            finishPending(*pending, std::move(response));
        } else {
            finishPending(*pending,
                          jsonResponse(500, errorBody(QStringLiteral("no_output_field"),
                                                      QStringLiteral("the result has no bytes or "
                                                                     "string field '%1'")
                                                          .arg(pending->outputField),
                                                      latencyNs)));
        }
    } else {
        std::string out;
        TaskJson::appendResultRecord(out, result, latencyNs, 0);
        finishPending(*pending, jsonResponse(200, QByteArray(out.data(), qsizetype(out.size()))));
    }
    pending.reset(); // its body's budget is free again
    --m_inFlight;
    admitWaiting();
    if (pendingRequests() == 0)
        Q_EMIT drained();
}

void HttpTaskServer::finishPending(Pending& pending, ServeResponse response) {
    // The client may have gone while the task ran: then its connection is gone too.
    answer(pending.connection, pending.sequence, std::move(response));
    pending.reservation.reset();
}

void HttpTaskServer::answer(ServeHttpConnection* connection, std::uint64_t sequence,
                            ServeResponse response) {
    if (!connection)
        return;
    if (m_draining) // clients reconnect, to another replica if the balancer noticed
        response.close = true;
    connection->respond(sequence, std::move(response));
}

// ---------------------------------------------------------------------------------------
// Waiting line (requests beyond max-in-flight wait for a slot until their deadline)

void HttpTaskServer::removeWaitingDeadline(std::int64_t deadlineNs) {
    const auto it = m_waitingDeadlines.find(deadlineNs);
    if (it != m_waitingDeadlines.end())
        m_waitingDeadlines.erase(it);
}

void HttpTaskServer::admitWaiting() {
    const std::int64_t now = nowNs();
    while (m_inFlight < m_limits.maxInFlight && !m_waiting.empty()) {
        std::unique_ptr<Pending> next = std::move(m_waiting.front());
        m_waiting.pop_front();
        removeWaitingDeadline(next->deadlineNs);
        if (!next->connection)
            continue; // the client gave up
        if (next->deadlineNs <= now) {
            finishPending(*next, retryLater(QStringLiteral("busy"),
                                            QStringLiteral("no slot free before the deadline")));
            continue;
        }
        dispatch(std::move(next));
    }
    armWaitingTimer();
}

void HttpTaskServer::armWaitingTimer() {
    if (m_waitingDeadlines.empty()) {
        m_waitingTimer.stop();
        return;
    }
    const std::int64_t waitNs = std::max<std::int64_t>(0, *m_waitingDeadlines.begin() - nowNs());
    m_waitingTimer.start(int(std::min<std::int64_t>(kMaxTimerMs, (waitNs + 999'999) / 1'000'000)));
}

void HttpTaskServer::expireWaiting() {
    const std::int64_t now = nowNs();
    if (!m_waitingDeadlines.empty() && *m_waitingDeadlines.begin() <= now) {
        for (auto it = m_waiting.begin(); it != m_waiting.end();) {
            if ((*it)->deadlineNs <= now) {
                removeWaitingDeadline((*it)->deadlineNs);
                finishPending(**it, retryLater(QStringLiteral("busy"),
                                               QStringLiteral("too many requests in flight (%1); "
                                                              "none finished before the deadline")
                                                   .arg(m_inFlight)));
                it = m_waiting.erase(it);
            } else {
                ++it;
            }
        }
    }
    armWaitingTimer();
    if (pendingRequests() == 0)
        Q_EMIT drained();
}

// ---------------------------------------------------------------------------------------
// Probes and metrics

QByteArray HttpTaskServer::probeJson(bool* ready) const {
    const PipelineDocument& document = m_flow.document();
    const QList<WorkerInfo> workers = m_flow.workers();
    const FlowState state = m_flow.state();
    QString reason;
    bool allSteps = true;
    std::string out = "{\"flow\":";
    TaskJson::appendString(out, flowStateName(state));
    out += ",\"steps\":[";
    for (int s = 0; s < document.steps.size(); ++s) {
        int alive = 0;
        for (const WorkerInfo& worker : workers) {
            if (worker.stepIndex == s &&
                (worker.state == WorkerState::Ready || worker.state == WorkerState::Busy ||
                 worker.state == WorkerState::Idle))
                ++alive;
        }
        if (alive == 0 && allSteps && state == FlowState::Running)
            reason = QStringLiteral("step '%1' has no live worker").arg(document.steps[s].id);
        allSteps = allSteps && alive > 0;
        if (s > 0)
            out += ',';
        out += "{\"id\":";
        TaskJson::appendString(out, document.steps[s].id);
        out += ",\"alive\":" + std::to_string(alive) +
               ",\"nprocs\":" + std::to_string(document.steps[s].nprocs) + '}';
    }
    out += "]";
    if (m_draining)
        reason = QStringLiteral("draining");
    else if (state != FlowState::Running)
        reason = state == FlowState::Failed && !m_flow.failureReason().isEmpty()
                     ? m_flow.failureReason()
                     : flowStateName(state);
    *ready = !m_draining && state == FlowState::Running && allSteps;
    out += ",\"ready\":";
    out += *ready ? "true" : "false";
    out += *ready ? ",\"status\":\"ok\"" : ",\"status\":\"not_ready\"";
    if (!reason.isEmpty()) {
        out += ",\"reason\":";
        TaskJson::appendString(out, reason);
    }
    out += "}\n";
    return QByteArray(out.data(), qsizetype(out.size()));
}

QByteArray HttpTaskServer::metricsText() const {
    QByteArray out = prometheusText(m_flow);
    if (!m_limits.exposePids) {
        static const QRegularExpression laterPid(QStringLiteral(",pid=\"[0-9]*\""));
        static const QRegularExpression firstPid(QStringLiteral("\\{pid=\"[0-9]*\",?"));
        out =
            QString::fromUtf8(out).remove(laterPid).replace(firstPid, QStringLiteral("{")).toUtf8();
    }
    bool ready = false;
    probeJson(&ready);
    const int capacity = m_limits.maxInFlight + m_limits.maxQueued;
    appendGauge(out, "aqueduct_serve_ready",
                "1 while this replica accepts work (as GET /readyz), else 0.", ready ? 1 : 0);
    appendGauge(out, "aqueduct_serve_draining", "1 after SIGTERM while requests finish.",
                m_draining ? 1 : 0);
    appendGauge(out, "aqueduct_serve_inflight_requests",
                "POST /v1/process requests being processed by the flow.", m_inFlight);
    appendGauge(out, "aqueduct_serve_queued_requests",
                "Requests waiting for a slot (beyond --max-in-flight).", double(m_waiting.size()));
    appendGauge(out, "aqueduct_serve_capacity_requests",
                "Requests this replica takes at once: --max-in-flight plus --max-queued.",
                capacity);
    appendGauge(out, "aqueduct_serve_queue_fill",
                "In-flight plus waiting requests over the capacity, 0 to 1 (for autoscaling).",
                capacity > 0 ? double(pendingRequests()) / capacity : 0.0);
    appendGauge(out, "aqueduct_serve_connections", "Open client connections.",
                m_guard ? m_guard->connectionCount() : 0);
    appendGauge(out, "aqueduct_serve_body_bytes",
                "Request body bytes held (reserved from the budget).",
                double(m_budget.usedBytes()));
    appendGauge(out, "aqueduct_serve_body_budget_bytes",
                "The body budget (--max-body-budget-bytes).", double(m_budget.limitBytes()));
    return out;
}

} // namespace Aqueduct::App
