// Task's shared-memory methods (share, allocateBlob, shareFrom).
#include "aqueduct/Task.h"

#include "payload/AutoShare.h"
#include "payload/SharedArena.h"
#include "payload/TaskCodec.h"

#include <QIODevice>

#include <qcoro/qcoroiodevice.h>

#include <cstring>
#include <unistd.h>

namespace Aqueduct {

namespace {

Internal::SharedArena* arenaOrError(QString* error) {
    Internal::SharedArena* arena = Internal::SharedArena::current();
    if (!arena && error)
        *error = QStringLiteral("no running flow in this process owns a shared-memory arena");
    return arena;
}

} // namespace

bool Task::share(std::string_view name, QString* error) {
    Value* value = find(name);
    if (!value) {
        if (error)
            *error = QStringLiteral("field '%1' does not exist")
                         .arg(QString::fromUtf8(name.data(), qsizetype(name.size())));
        return false;
    }
    if (value->type() == ValueType::Blob || value->isSharedTensor())
        return true;
    if (value->isTensor()) {
        Internal::SharedArena* arena = arenaOrError(error);
        if (!arena)
            return false;
        const TensorInfo info = value->tensorInfo();
        const std::string_view data = value->tensorData();
        BlobRef blob;
        if (!arena->allocate(data.size(), blob, error))
            return false;
        std::memcpy(const_cast<char*>(blob.data), data.data(), data.size());
        value->adoptTensorBlob(info, blob); // keeps only the header inline
        value->storage().shrink_to_fit();
        return true;
    }
    if (value->type() != ValueType::Bytes && value->type() != ValueType::String) {
        if (error)
            *error = QStringLiteral("field '%1' is %2, not bytes")
                         .arg(QString::fromUtf8(name.data(), qsizetype(name.size())),
                              valueTypeName(value->type()));
        return false;
    }
    Internal::SharedArena* arena = arenaOrError(error);
    if (!arena)
        return false;
    const std::string_view bytes = value->view();
    BlobRef blob;
    if (!arena->allocate(bytes.size(), blob, error))
        return false;
    std::memcpy(const_cast<char*>(blob.data), bytes.data(), bytes.size());
    value->adoptBlob(blob);
    std::string().swap(value->storage()); // the bytes now live in shared memory only
    return true;
}

std::span<char> Task::allocateBlob(std::string_view name, std::size_t size, QString* error) {
    Internal::SharedArena* arena = arenaOrError(error);
    if (!arena)
        return {};
    BlobRef blob;
    // Marked provisional with our pid: if this (worker) process dies before the blob
    // reaches a task slot, the parent frees it.
    if (!arena->allocate(size, blob, error, getpid()))
        return {};
    (*this)[name].adoptBlob(blob);
    return std::span<char>(const_cast<char*>(blob.data), size);
}

std::span<char> Task::allocateTensor(std::string_view name, const TensorInfo& info,
                                     QString* error) {
    if (!info.isValid(error))
        return {};
    Internal::SharedArena* arena = arenaOrError(error);
    if (!arena)
        return {};
    BlobRef blob;
    // Provisional, as in allocateBlob: a worker that dies before the slot holds it leaks nothing.
    if (!arena->allocate(info.byteSize(), blob, error, getpid()))
        return {};
    (*this)[name].adoptTensorBlob(info, blob);
    return std::span<char>(const_cast<char*>(blob.data), std::size_t(info.byteSize()));
}

QCoro::Task<bool> Task::shareFrom(std::string name, QIODevice* device, qint64 size,
                                  QString* error) {
    if (!device || size < 0) {
        if (error)
            *error = QStringLiteral("shareFrom needs an open device and a size");
        co_return false;
    }
    Internal::SharedArena* arena = arenaOrError(error);
    if (!arena)
        co_return false;
    BlobRef blob;
    if (!arena->allocate(std::uint64_t(size), blob, error))
        co_return false;
    // Hold the blob in a Value from the start so every early return frees it.
    Value holder;
    holder.adoptBlob(blob);
    char* target = const_cast<char*>(blob.data);
    qint64 received = 0;
    auto wrapped = qCoro(device);
    while (received < size) {
        if (device->bytesAvailable() <= 0) {
            // A file or buffer that has nothing left has ended; a socket may still send.
            const bool ended = !device->isSequential() && device->atEnd();
            if (ended || !(co_await wrapped.waitForReadyRead(std::chrono::milliseconds(30000)))) {
                if (error)
                    *error = QStringLiteral("device gave %1 of %2 bytes, then %3")
                                 .arg(received)
                                 .arg(size)
                                 .arg(ended ? QStringLiteral("ended")
                                            : QStringLiteral("stopped sending"));
                co_return false;
            }
            continue;
        }
        const qint64 got = device->read(target + received, size - received);
        if (got < 0) {
            if (error)
                *error = QStringLiteral("reading the device failed after %1 of %2 bytes: %3")
                             .arg(received)
                             .arg(size)
                             .arg(device->errorString());
            co_return false;
        }
        received += got;
    }
    (*this)[name] = std::move(holder);
    co_return true;
}

} // namespace Aqueduct

namespace Aqueduct::Internal {

namespace {

/// Bytes a field would move to the arena if shared: bytes fields and inline tensors.
std::size_t shareableBytes(const Value& value) {
    if (value.type() == ValueType::Bytes)
        return value.view().size();
    if (value.type() == ValueType::Tensor && !value.isSharedTensor())
        return value.tensorData().size();
    return 0;
}

} // namespace

bool shareToFit(Task& task, std::size_t slotCapacity, qint64 autoShareBytes, QString* error) {
    if (autoShareBytes > 0) {
        for (std::size_t i = 0; i < task.fieldCount(); ++i) {
            const Value& value = task.fieldAt(i).value;
            if (value.type() == ValueType::Bytes && qint64(value.view().size()) >= autoShareBytes &&
                !task.share(task.fieldAt(i).name, error))
                return false;
        }
    }
    while (TaskCodec::encodedSize(task) > slotCapacity) {
        std::size_t largest = SIZE_MAX;
        for (std::size_t i = 0; i < task.fieldCount(); ++i) {
            const std::size_t size = shareableBytes(task.fieldAt(i).value);
            if (size > 1024 &&
                (largest == SIZE_MAX || size > shareableBytes(task.fieldAt(largest).value)))
                largest = i;
        }
        if (largest == SIZE_MAX)
            break; // nothing left to share: the caller reports the size
        if (!task.share(task.fieldAt(largest).name, error))
            return false;
    }
    return true;
}

} // namespace Aqueduct::Internal
