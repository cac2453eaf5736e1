#include <aqueduct/driver/LatencyHistogram.h>

#include <bit>
#include <cmath>

namespace Aqueduct::Driver {

int LatencyHistogram::bucketOf(std::uint64_t value) {
    if (value < std::uint64_t(kSubBuckets))
        return int(value);
    const int msb = 63 - std::countl_zero(value); // >= kSubBits
    const int shift = msb - kSubBits;
    const int sub = int((value >> shift) & (kSubBuckets - 1));
    return (shift + 1) * kSubBuckets + sub;
}

double LatencyHistogram::bucketMid(int index) {
    if (index < kSubBuckets)
        return index;
    const int shift = index / kSubBuckets - 1;
    const int sub = index % kSubBuckets;
    const double low = std::ldexp(double(kSubBuckets + sub), shift);
    const double width = std::ldexp(1.0, shift);
    return low + width / 2;
}

void LatencyHistogram::record(std::int64_t nanoseconds) {
    const int index = bucketOf(nanoseconds > 0 ? std::uint64_t(nanoseconds) : 0);
    ++m_buckets[std::size_t(index < kBucketCount ? index : kBucketCount - 1)];
    ++m_count;
}

double LatencyHistogram::quantileNs(double q) const {
    if (m_count == 0)
        return 0;
    const auto rank = std::uint64_t(std::ceil(q * double(m_count)));
    const std::uint64_t target = rank == 0 ? 1 : rank;
    std::uint64_t seen = 0;
    for (int i = 0; i < kBucketCount; ++i) {
        seen += m_buckets[std::size_t(i)];
        if (seen >= target)
            return bucketMid(i);
    }
    return bucketMid(kBucketCount - 1);
}

} // namespace Aqueduct::Driver
