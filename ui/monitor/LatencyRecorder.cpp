#include "monitor/LatencyRecorder.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace Aqueduct::Ui {

int LatencyRecorder::bucketOf(std::uint64_t micros) {
    if (micros < 2)
        return 0;
    const int octave = int(std::bit_width(micros)) - 1;           // floor(log2)
    const int sub = int((micros >> std::max(0, octave - 2)) & 3); // next two bits
    return std::min(kBuckets - 1, octave * kSubBuckets + sub);
}

double LatencyRecorder::bucketUpperUs(int bucket) {
    const int octave = bucket / kSubBuckets;
    const int sub = bucket % kSubBuckets;
    const double base = std::ldexp(1.0, octave);
    return base + base * (sub + 1) / kSubBuckets;
}

void LatencyRecorder::record(std::int64_t latencyNs) {
    const std::uint64_t micros = std::uint64_t(std::max<std::int64_t>(0, latencyNs) / 1000);
    ++m_buckets[std::size_t(bucketOf(micros))];
    ++m_count;
    m_sumUs += double(micros);
}

double LatencyRecorder::quantileMs(double q) const {
    if (m_count == 0)
        return 0;
    const auto rank = std::uint64_t(std::ceil(std::clamp(q, 0.0, 1.0) * double(m_count)));
    std::uint64_t seen = 0;
    for (int b = 0; b < kBuckets; ++b) {
        seen += m_buckets[std::size_t(b)];
        if (seen >= std::max<std::uint64_t>(rank, 1))
            return bucketUpperUs(b) / 1000.0;
    }
    return bucketUpperUs(kBuckets - 1) / 1000.0;
}

double LatencyRecorder::meanMs() const {
    return m_count ? m_sumUs / double(m_count) / 1000.0 : 0;
}

} // namespace Aqueduct::Ui
