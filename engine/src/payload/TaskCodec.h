#pragma once

#include "aqueduct/Task.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace Aqueduct::Internal {

class SharedArena;

/// How decoded blob values hold their blob: the parent's callers own a reference; a
/// worker borrows the one its task slot holds.
enum class BlobHold { Owned, Borrowed };

/// Compact binary form of a task's fields inside a shared-memory slot:
/// u16 count, then per field: u8 type, u8 name length, name, value
/// (bool u8, int i64, double f64, string/bytes u32 length + data, blob u64 offset + u64 size,
/// tensor u8 dtype + u8 rank + u8 storage + rank i64 dims + inline u32 length + data or
/// blob u64 offset + u64 size).
/// Decoding reuses the target task's storage, so the hot path does not allocate.
class TaskCodec {
public:
    /// Bytes needed to encode `task`; SIZE_MAX if a field name is longer than 255 bytes.
    static std::size_t encodedSize(const Task& task);
    /// Encodes into `out` (capacity bytes). Returns bytes written, or 0 if it does not fit.
    static std::size_t encode(const Task& task, char* out, std::size_t capacity);
    /// Decodes into `task` (fields replaced). `arena` resolves blob handles; a handle
    /// that names no live blob of it makes the buffer malformed. Returns false on a
    /// malformed buffer.
    static bool decode(const char* in, std::size_t size, Task& task, SharedArena* arena,
                       BlobHold hold);
    /// Calls `visit(offset)` for every blob handle in an encoded task; false if malformed.
    static bool forEachBlob(const char* in, std::size_t size,
                            const std::function<void(std::uint64_t)>& visit);

    /// Error payload: the message alone.
    static std::size_t encodeMessage(std::string_view message, char* out, std::size_t capacity);
    static std::string_view decodeMessage(const char* in, std::size_t size);
};

} // namespace Aqueduct::Internal
