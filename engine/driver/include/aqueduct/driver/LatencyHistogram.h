#pragma once

#include <array>
#include <cstdint>

namespace Aqueduct::Driver {

/// Caller-side task latency in a constant-memory histogram (log-linear buckets, 32 per
/// power of two: values come back within ~3%), so a run of any length keeps a fixed
/// footprint. The one histogram of `aqueduct run`, the monitor and the bench.
class LatencyHistogram {
public:
    void record(std::int64_t nanoseconds);
    std::uint64_t count() const { return m_count; }
    /// The q-quantile (0..1) in nanoseconds; 0 when empty.
    double quantileNs(double q) const;
    double quantileMs(double q) const { return quantileNs(q) / 1e6; }
    void reset() { *this = LatencyHistogram(); }

private:
    static constexpr int kSubBits = 5;
    static constexpr int kSubBuckets = 1 << kSubBits;
    static constexpr int kBucketCount = (64 - kSubBits + 1) * kSubBuckets;
    static int bucketOf(std::uint64_t value);
    static double bucketMid(int index);

    std::array<std::uint64_t, kBucketCount> m_buckets{};
    std::uint64_t m_count = 0;
};

} // namespace Aqueduct::Driver
