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
    // Lanes 0-1 and 2-3 live in two 128-bit vectors (GCC/Clang vector extensions, plain
    // SSE2/NEON): the sums stay in registers and one 32-byte block costs two loads and
    // four vector adds.
    using U64x2 = std::uint64_t __attribute__((vector_size(16)));
    constexpr std::size_t kBlock = 32;
    U64x2 sum1Low = {0, 0};
    U64x2 sum2Low = {0, 0};
    U64x2 sum1High = {0, 0};
    U64x2 sum2High = {0, 0};
    const char* data = bytes.data();
    const std::size_t blocks = bytes.size() / kBlock;
    for (std::size_t block = 0; block < blocks; ++block) {
        U64x2 low;
        U64x2 high;
        std::memcpy(&low, data + block * kBlock, sizeof low); // unaligned-safe loads
        std::memcpy(&high, data + block * kBlock + sizeof low, sizeof high);
        sum1Low += low;
        sum2Low += sum1Low;
        sum1High += high;
        sum2High += sum1High;
    }
    const std::uint64_t sum1[4] = {sum1Low[0], sum1Low[1], sum1High[0], sum1High[1]};
    const std::uint64_t sum2[4] = {sum2Low[0], sum2Low[1], sum2High[0], sum2High[1]};
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (std::size_t lane = 0; lane < 4; ++lane) {
        hash = mixIn(hash, sum1[lane]);
        hash = mixIn(hash, sum2[lane]);
    }
    for (std::size_t i = blocks * kBlock; i < bytes.size(); ++i)
        hash = mixIn(hash, static_cast<unsigned char>(data[i]) + (std::uint64_t{i} << 8));
    return mixIn(hash, bytes.size());
}

} // namespace Aqueduct
