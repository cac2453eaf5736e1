#pragma once

#include <aqueduct/Task.h>

#include <cstdint>
#include <cstring>
#include <string_view>

namespace Aqueduct {

/// Deterministic per-task sampling for the fault-injection handlers (fail, crash): the
/// same task always draws the same number in [0, 1), so tests and users can predict
/// exactly which tasks are hit. The draw comes from the task field `seedField` (its int,
/// double or string/bytes contents) or, when `seedField` is empty, from the task id.
/// `salt` decorrelates handlers that sample the same tasks.
namespace TaskSampling {

inline std::uint64_t mix(std::uint64_t x) {
    // splitmix64 finalizer: full avalanche, so consecutive ids spread evenly.
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

inline std::uint64_t hashBytes(std::string_view bytes) {
    std::uint64_t hash = 0xcbf29ce484222325ULL; // FNV-1a 64: keys are short
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

/// The key a task is sampled by (see above); a missing or null field gives 0.
inline std::uint64_t sampleKey(const Task& task, std::string_view seedField) {
    if (seedField.empty())
        return task.id();
    const Value* value = task.find(seedField);
    if (value == nullptr)
        return 0;
    switch (value->type()) {
    case ValueType::Null:
        return 0;
    case ValueType::Bool:
    case ValueType::Int:
        return static_cast<std::uint64_t>(value->toInt());
    case ValueType::Double: {
        const double number = value->toDouble();
        std::uint64_t bits = 0;
        std::memcpy(&bits, &number, sizeof bits);
        return bits;
    }
    case ValueType::String:
    case ValueType::Bytes:
    case ValueType::Blob:
        return hashBytes(value->view());
    case ValueType::Tensor:
        return hashBytes(value->tensorData());
    }
    return 0;
}

/// A number in [0, 1) fixed by the task's key and the salt.
inline double draw(const Task& task, std::string_view seedField, std::uint64_t salt) {
    const std::uint64_t hash = mix(sampleKey(task, seedField) ^ mix(salt));
    return static_cast<double>(hash >> 11) * 0x1.0p-53;
}

/// True for about `probability` of all tasks; 0 selects none, 1 selects all.
inline bool selects(const Task& task, std::string_view seedField, std::uint64_t salt,
                    double probability) {
    return draw(task, seedField, salt) < probability;
}

} // namespace TaskSampling

} // namespace Aqueduct
