#include "ChecksumHandler.h"

#include <cstring>

namespace Aqueduct {

namespace {

constexpr std::uint64_t kPrime = 0x100000001b3ULL;

std::uint64_t mixIn(std::uint64_t hash, std::uint64_t value) {
    hash ^= value;
    hash *= kPrime;
    return hash ^ (hash >> 32);
}

} // namespace

HandlerInfo ChecksumHandler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("checksum");
    info.category = QStringLiteral("Bytes");
    info.description = QStringLiteral(
        "Reads every byte of a bytes field and stores a fast 64-bit checksum of it.");
    info.params = {
        ParamSpec{.name = QStringLiteral("field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("payload"),
                  .description = QStringLiteral(
                      "Task field to read: bytes, a shared blob (read in place, not copied) "
                      "or a string. A task without it fails.")},
        ParamSpec{.name = QStringLiteral("output_field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("checksum"),
                  .description = QStringLiteral(
                      "Task field that receives the checksum as an integer (created or "
                      "overwritten).")},
    };
    return info;
}

void ChecksumHandler::onStart(const HandlerParams& params) {
    m_field = params.stringValue(QStringLiteral("field")).toStdString();
    m_outputField = params.stringValue(QStringLiteral("output_field")).toStdString();
    m_missingMessage = "field '" + m_field + "' is missing or not bytes";
}

void ChecksumHandler::handle(std::span<Task> batch) {
    for (Task& task : batch) {
        const Value* input = task.find(m_field);
        if (input == nullptr || (input->type() != ValueType::String && !input->isBinary())) {
            task.fail(m_missingMessage);
            continue;
        }
        const std::uint64_t sum = checksum(input->view());
        task[m_outputField].setInt(static_cast<std::int64_t>(sum));
    }
}

std::uint64_t ChecksumHandler::checksum(std::string_view bytes) {
    constexpr std::size_t kLanes = 4;
    constexpr std::size_t kBlock = kLanes * sizeof(std::uint64_t);
    std::uint64_t sum1[kLanes] = {};
    std::uint64_t sum2[kLanes] = {};
    const char* data = bytes.data();
    const std::size_t blocks = bytes.size() / kBlock;
    for (std::size_t block = 0; block < blocks; ++block) {
        std::uint64_t words[kLanes];
        std::memcpy(words, data + block * kBlock, kBlock); // unaligned-safe load
        for (std::size_t lane = 0; lane < kLanes; ++lane) {
            sum1[lane] += words[lane];
            sum2[lane] += sum1[lane];
        }
    }
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
        hash = mixIn(hash, sum1[lane]);
        hash = mixIn(hash, sum2[lane]);
    }
    for (std::size_t i = blocks * kBlock; i < bytes.size(); ++i)
        hash = mixIn(hash, static_cast<unsigned char>(data[i]) + (std::uint64_t{i} << 8));
    return mixIn(hash, bytes.size());
}

} // namespace Aqueduct
