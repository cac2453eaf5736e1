#include "payload/TaskCodec.h"

#include "payload/SharedArena.h"

#include <cstring>
#include <limits>

namespace Aqueduct::Internal {

namespace {

template <typename T> inline void put(char*& out, T value) {
    std::memcpy(out, &value, sizeof(T));
    out += sizeof(T);
}

template <typename T> inline bool get(const char*& in, const char* end, T& value) {
    if (std::size_t(end - in) < sizeof(T))
        return false;
    std::memcpy(&value, in, sizeof(T));
    in += sizeof(T);
    return true;
}

std::size_t valueSize(const Value& value) {
    switch (value.type()) {
    case ValueType::Null:
        return 0;
    case ValueType::Bool:
        return 1;
    case ValueType::Int:
    case ValueType::Double:
        return 8;
    case ValueType::String:
    case ValueType::Bytes:
        return 4 + value.view().size();
    case ValueType::Blob:
        return 16;
    case ValueType::Tensor: {
        const std::size_t header = 3 + std::size_t(value.tensorInfo().rank) * 8;
        return header + (value.isSharedTensor() ? 16 : 4 + value.tensorData().size());
    }
    }
    return 0;
}

enum class TensorStorage : std::uint8_t { Inline = 0, Shared = 1 };

// Tensor: u8 dtype, u8 rank, u8 storage, rank x i64 dims, then inline u32 length + data
// or shared u64 offset + u64 size.
void encodeTensor(char*& cursor, const Value& value) {
    const TensorInfo info = value.tensorInfo();
    put<std::uint8_t>(cursor, std::uint8_t(info.dtype));
    put<std::uint8_t>(cursor, std::uint8_t(info.rank));
    put<std::uint8_t>(cursor, std::uint8_t(value.isSharedTensor() ? TensorStorage::Shared
                                                                  : TensorStorage::Inline));
    for (const std::int64_t dim : info.shape())
        put<std::int64_t>(cursor, dim);
    if (value.isSharedTensor()) {
        put<std::uint64_t>(cursor, value.blob().offset);
        put<std::uint64_t>(cursor, value.blob().size);
    } else {
        const std::string_view data = value.tensorData();
        put<std::uint32_t>(cursor, std::uint32_t(data.size()));
        std::memcpy(cursor, data.data(), data.size());
        cursor += data.size();
    }
}

// Reads a tensor's dtype, rank, storage and dims; false if malformed or invalid.
bool decodeTensorHeader(const char*& in, const char* end, TensorInfo& info,
                        TensorStorage& storage) {
    std::uint8_t dtype = 0;
    std::uint8_t rank = 0;
    std::uint8_t storageTag = 0;
    if (!get(in, end, dtype) || !get(in, end, rank) || !get(in, end, storageTag))
        return false;
    if (rank > TensorInfo::kMaxRank || storageTag > std::uint8_t(TensorStorage::Shared))
        return false;
    info.dtype = TensorDType(dtype);
    info.rank = rank;
    for (int i = 0; i < rank; ++i) {
        if (!get(in, end, info.dims[std::size_t(i)]))
            return false;
    }
    storage = TensorStorage(storageTag);
    return info.isValid();
}

} // namespace

std::size_t TaskCodec::encodedSize(const Task& task) {
    std::size_t total = 2;
    for (std::size_t i = 0; i < task.fieldCount(); ++i) {
        const Task::Field& field = task.fieldAt(i);
        if (field.name.size() > 255)
            return std::numeric_limits<std::size_t>::max();
        total += 2 + field.name.size() + valueSize(field.value);
    }
    return total;
}

std::size_t TaskCodec::encode(const Task& task, char* out, std::size_t capacity) {
    const std::size_t needed = encodedSize(task);
    if (needed > capacity || task.fieldCount() > 0xffff)
        return 0;
    char* cursor = out;
    put<std::uint16_t>(cursor, std::uint16_t(task.fieldCount()));
    for (std::size_t i = 0; i < task.fieldCount(); ++i) {
        const Task::Field& field = task.fieldAt(i);
        put<std::uint8_t>(cursor, std::uint8_t(field.value.type()));
        put<std::uint8_t>(cursor, std::uint8_t(field.name.size()));
        std::memcpy(cursor, field.name.data(), field.name.size());
        cursor += field.name.size();
        const Value& value = field.value;
        switch (value.type()) {
        case ValueType::Null:
            break;
        case ValueType::Bool:
            put<std::uint8_t>(cursor, value.toBool() ? 1 : 0);
            break;
        case ValueType::Int:
            put<std::int64_t>(cursor, value.toInt());
            break;
        case ValueType::Double:
            put<double>(cursor, value.toDouble());
            break;
        case ValueType::String:
        case ValueType::Bytes: {
            const std::string_view data = value.view();
            put<std::uint32_t>(cursor, std::uint32_t(data.size()));
            std::memcpy(cursor, data.data(), data.size());
            cursor += data.size();
            break;
        }
        case ValueType::Blob:
            put<std::uint64_t>(cursor, value.blob().offset);
            put<std::uint64_t>(cursor, value.blob().size);
            break;
        case ValueType::Tensor:
            encodeTensor(cursor, value);
            break;
        }
    }
    return std::size_t(cursor - out);
}

bool TaskCodec::decode(const char* in, std::size_t size, Task& task, SharedArena* arena,
                       BlobHold hold) {
    const char* end = in + size;
    task.clearFields();
    std::uint16_t count = 0;
    if (!get(in, end, count))
        return false;
    for (std::uint16_t i = 0; i < count; ++i) {
        std::uint8_t type = 0;
        std::uint8_t nameLength = 0;
        if (!get(in, end, type) || !get(in, end, nameLength) || std::size_t(end - in) < nameLength)
            return false;
        Value& value = task.appendField(std::string_view(in, nameLength));
        in += nameLength;
        switch (ValueType(type)) {
        case ValueType::Null:
            value.setNull();
            break;
        case ValueType::Bool: {
            std::uint8_t flag = 0;
            if (!get(in, end, flag))
                return false;
            value.setBool(flag != 0);
            break;
        }
        case ValueType::Int: {
            std::int64_t number = 0;
            if (!get(in, end, number))
                return false;
            value.setInt(number);
            break;
        }
        case ValueType::Double: {
            double number = 0;
            if (!get(in, end, number))
                return false;
            value.setDouble(number);
            break;
        }
        case ValueType::String:
        case ValueType::Bytes: {
            std::uint32_t length = 0;
            if (!get(in, end, length) || std::size_t(end - in) < length)
                return false;
            if (ValueType(type) == ValueType::String)
                value.setString(std::string_view(in, length));
            else
                value.setBytes(std::string_view(in, length));
            in += length;
            break;
        }
        case ValueType::Blob: {
            BlobRef blob;
            if (!get(in, end, blob.offset) || !get(in, end, blob.size))
                return false;
            if (!arena || !arena->isValidBlob(blob.offset, blob.size))
                return false;
            blob.data = arena->base() + blob.offset;
            blob.arena = arena;
            blob.borrowed = hold == BlobHold::Borrowed;
            value.setBlob(blob);
            break;
        }
        case ValueType::Tensor: {
            TensorInfo info;
            TensorStorage storage = TensorStorage::Inline;
            if (!decodeTensorHeader(in, end, info, storage))
                return false;
            if (storage == TensorStorage::Shared) {
                BlobRef blob;
                if (!get(in, end, blob.offset) || !get(in, end, blob.size) ||
                    blob.size != info.byteSize())
                    return false;
                if (!arena || !arena->isValidBlob(blob.offset, blob.size))
                    return false;
                blob.data = arena->base() + blob.offset;
                blob.arena = arena;
                blob.borrowed = hold == BlobHold::Borrowed;
                value.setTensorBlob(info, blob);
            } else {
                std::uint32_t length = 0;
                if (!get(in, end, length) || std::size_t(end - in) < length ||
                    length != info.byteSize())
                    return false;
                value.setTensor(info, std::string_view(in, length));
                in += length;
            }
            break;
        }
        default:
            return false;
        }
    }
    return true;
}

bool TaskCodec::forEachBlob(const char* in, std::size_t size,
                            const std::function<void(std::uint64_t)>& visit) {
    const char* end = in + size;
    std::uint16_t count = 0;
    if (!get(in, end, count))
        return false;
    for (std::uint16_t i = 0; i < count; ++i) {
        std::uint8_t type = 0;
        std::uint8_t nameLength = 0;
        if (!get(in, end, type) || !get(in, end, nameLength) || std::size_t(end - in) < nameLength)
            return false;
        in += nameLength;
        std::size_t skip = 0;
        switch (ValueType(type)) {
        case ValueType::Null:
            break;
        case ValueType::Bool:
            skip = 1;
            break;
        case ValueType::Int:
        case ValueType::Double:
            skip = 8;
            break;
        case ValueType::String:
        case ValueType::Bytes: {
            std::uint32_t length = 0;
            if (!get(in, end, length))
                return false;
            skip = length;
            break;
        }
        case ValueType::Blob: {
            std::uint64_t offset = 0;
            std::uint64_t blobSize = 0;
            if (!get(in, end, offset) || !get(in, end, blobSize))
                return false;
            visit(offset);
            break;
        }
        case ValueType::Tensor: {
            TensorInfo info;
            TensorStorage storage = TensorStorage::Inline;
            if (!decodeTensorHeader(in, end, info, storage))
                return false;
            if (storage == TensorStorage::Shared) {
                std::uint64_t offset = 0;
                std::uint64_t blobSize = 0;
                if (!get(in, end, offset) || !get(in, end, blobSize))
                    return false;
                visit(offset);
            } else {
                std::uint32_t length = 0;
                if (!get(in, end, length))
                    return false;
                skip = length;
            }
            break;
        }
        default:
            return false;
        }
        if (std::size_t(end - in) < skip)
            return false;
        in += skip;
    }
    return true;
}

std::size_t TaskCodec::encodeMessage(std::string_view message, char* out, std::size_t capacity) {
    const std::size_t length = std::min(message.size(), capacity > 4 ? capacity - 4 : 0);
    char* cursor = out;
    put<std::uint32_t>(cursor, std::uint32_t(length));
    std::memcpy(cursor, message.data(), length);
    return 4 + length;
}

std::string_view TaskCodec::decodeMessage(const char* in, std::size_t size) {
    const char* end = in + size;
    std::uint32_t length = 0;
    if (!get(in, end, length) || std::size_t(end - in) < length)
        return {};
    return std::string_view(in, length);
}

} // namespace Aqueduct::Internal
