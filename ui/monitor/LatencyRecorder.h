#pragma once

#include <array>
#include <cstdint>

namespace Aqueduct::Ui {

/// Caller-side latency of tasks (submit to result) in a fixed log-linear histogram: four
/// sub-buckets per power of two of microseconds, so quantiles are within ~19% and memory
/// stays constant however many tasks run.
class LatencyRecorder {
public:
    void record(std::int64_t latencyNs);
    std::uint64_t count() const { return m_count; }
    /// Quantile q (0..1) in milliseconds; 0 when nothing was recorded.
    double quantileMs(double q) const;
    double meanMs() const;
    void reset() { *this = LatencyRecorder(); }

private:
    static constexpr int kSubBuckets = 4;
    static constexpr int kBuckets = 40 * kSubBuckets; // up to 2^40 us
    static int bucketOf(std::uint64_t micros);
    static double bucketUpperUs(int bucket);

    std::array<std::uint64_t, kBuckets> m_buckets{};
    std::uint64_t m_count = 0;
    double m_sumUs = 0;
};

} // namespace Aqueduct::Ui
