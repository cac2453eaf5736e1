#pragma once

#include "ServeBodyBudget.h"
#include "ServeHttpMessage.h"

#include <QObject>
#include <QPointer>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

class QTcpSocket;

namespace Aqueduct::App {

/// One client connection of `serve`: strict HTTP/1.1 framing with Boost.Beast's request
/// parser, plus the checks Beast 1.74 leaves out (duplicate Content-Length, any
/// Transfer-Encoding but a lone "chunked", CL with TE in either order), answers in request
/// order for pipelined requests, the body budget, and read/idle timeouts. Every framing
/// error is answered (400, 408, 413, 431, 505) and then the connection is closed, so no
/// byte after a bad request is ever read as a request of its own.
class ServeHttpConnection : public QObject {
    Q_OBJECT
public:
    struct Limits {
        std::int64_t maxBodyBytes = std::int64_t(64) << 20;
        std::int64_t readTimeoutMs = 30'000;
        std::int64_t idleTimeoutMs = 60'000;
        int maxPipelined = 32; ///< requests read ahead of their answers on one connection
    };
    /// Looks at a request's headers: an answer refuses it (its body is never read).
    using Screen = std::function<std::optional<ServeResponse>(const ServeRequestHead&)>;
    /// Takes a complete request; its answer comes back through respond().
    using Handler = std::function<void(ServeHttpConnection*, ServeRequest)>;

    static constexpr std::int64_t kHeaderLimitBytes = 64 << 10;
    static constexpr std::int64_t kLingerMs = 5000; ///< a closing connection may keep sending

    ServeHttpConnection(QTcpSocket* socket, const Limits& limits, ServeBodyBudget* budget,
                        Screen screen, Handler handler, QObject* parent = nullptr);
    ~ServeHttpConnection() override;

    /// The answer to request `sequence`; written once those before it are.
    void respond(std::uint64_t sequence, ServeResponse response);
    /// Timeouts; called now and then by the listener.
    void sweep(std::int64_t nowMs);
    std::int64_t pendingOutputBytes() const;
    /// Answers still owed (for the drain).
    int outstanding() const { return int(m_slots.size()); }

private:
    struct Slot {
        std::uint64_t sequence = 0;
        bool ready = false;
        QByteArray bytes;
        bool close = false;
    };
    struct Parser;

    void pump();
    void readSocket();
    bool screenHeader();
    void dispatch();
    void fail(int status, const QString& statusName, const QString& message,
              ServeResponse* response = nullptr);
    std::uint64_t addSlot();
    void flush();
    void beginClose();
    void resetParser();
    std::int64_t nowMs() const;

    QTcpSocket* m_socket;
    Limits m_limits;
    ServeBodyBudget* m_budget;
    Screen m_screen;
    Handler m_handler;
    std::unique_ptr<Parser> m_parser;
    std::string m_in; ///< bytes read from the socket, not yet taken by the parser
    BodyReservation m_reservation;
    std::deque<Slot> m_slots;
    std::uint64_t m_nextSequence = 0;
    bool m_headerScreened = false;
    bool m_chunked = false;
    bool m_noMoreRequests = false; ///< after an error, Connection: close or HTTP/1.0
    bool m_closing = false;
    bool m_inPump = false;
    bool m_keepAlive = true;
    std::int64_t m_requestStartMs = -1; ///< first byte of the request being read
    std::int64_t m_lastActivityMs = 0;
    std::int64_t m_closingSinceMs = 0;
    std::int64_t m_lastWriteProgressMs = 0; ///< when our answers last moved out
};

} // namespace Aqueduct::App
