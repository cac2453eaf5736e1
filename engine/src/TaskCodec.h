#pragma once

#include "aqueduct/Task.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace Aqueduct::Internal {

/// Compact binary form of a task's fields inside a shared-memory slot:
/// u16 count, then per field: u8 type, u8 name length, name, value
/// (bool u8, int i64, double f64, string/bytes u32 length + data, blob u64 offset + u64 size).
/// Decoding reuses the target task's storage, so the hot path does not allocate.
class TaskCodec {
public:
    /// Bytes needed to encode `task`; SIZE_MAX if a field name is longer than 255 bytes.
    static std::size_t encodedSize(const Task& task);
    /// Encodes into `out` (capacity bytes). Returns bytes written, or 0 if it does not fit.
    static std::size_t encode(const Task& task, char* out, std::size_t capacity);
    /// Decodes into `task` (fields replaced). `arenaBase` resolves blob handles.
    /// Returns false on a malformed buffer.
    static bool decode(const char* in, std::size_t size, Task& task, const char* arenaBase);

    /// Error payload: the message alone.
    static std::size_t encodeMessage(std::string_view message, char* out, std::size_t capacity);
    static std::string_view decodeMessage(const char* in, std::size_t size);
};

} // namespace Aqueduct::Internal
