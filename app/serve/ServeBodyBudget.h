#pragma once

#include <cstdint>

namespace Aqueduct::App {

/// The bytes of request bodies `serve` may hold at once, over all connections (issue 16:
/// 16 concurrent 60 MiB bodies took 2.2 GB). A body reserves its Content-Length when its
/// headers arrive (a chunked body as its chunks arrive) and gives it back when its answer
/// is written or its connection closes; past the budget the request gets 503.
class ServeBodyBudget {
public:
    explicit ServeBodyBudget(std::int64_t limitBytes)
        : m_limitBytes(limitBytes) {}

    bool tryReserve(std::int64_t bytes) {
        if (bytes < 0 || bytes > m_limitBytes - m_usedBytes)
            return false;
        m_usedBytes += bytes;
        return true;
    }
    void release(std::int64_t bytes) { m_usedBytes -= bytes; }
    std::int64_t usedBytes() const { return m_usedBytes; }
    std::int64_t limitBytes() const { return m_limitBytes; }

private:
    std::int64_t m_limitBytes;
    std::int64_t m_usedBytes = 0;
};

/// One request's share of the budget, given back when it is destroyed.
class BodyReservation {
public:
    BodyReservation() = default;
    explicit BodyReservation(ServeBodyBudget* budget)
        : m_budget(budget) {}
    ~BodyReservation() { reset(); }
    BodyReservation(BodyReservation&& other) noexcept
        : m_budget(other.m_budget)
        , m_bytes(other.m_bytes) {
        other.m_bytes = 0;
    }
    BodyReservation& operator=(BodyReservation&& other) noexcept {
        if (this != &other) {
            reset();
            m_budget = other.m_budget;
            m_bytes = other.m_bytes;
            other.m_bytes = 0;
        }
        return *this;
    }
    BodyReservation(const BodyReservation&) = delete;
    BodyReservation& operator=(const BodyReservation&) = delete;

    /// Grows the reservation to `total` bytes; false (and unchanged) past the budget.
    bool growTo(std::int64_t total) {
        if (total <= m_bytes)
            return true;
        if (!m_budget || !m_budget->tryReserve(total - m_bytes))
            return false;
        m_bytes = total;
        return true;
    }
    void reset() {
        if (m_budget && m_bytes > 0)
            m_budget->release(m_bytes);
        m_bytes = 0;
    }
    std::int64_t bytes() const { return m_bytes; }

private:
    ServeBodyBudget* m_budget = nullptr;
    std::int64_t m_bytes = 0;
};

} // namespace Aqueduct::App
