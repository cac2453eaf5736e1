#include "Sha256Handler.h"

#include <QByteArrayView>

#include <array>

namespace Aqueduct {

HandlerInfo Sha256Handler::info() {
    HandlerInfo info;
    info.name = QStringLiteral("sha256");
    info.category = QStringLiteral("Bytes");
    info.description = QStringLiteral("Computes the SHA-256 digest of a bytes field.");
    info.params = {
        ParamSpec{.name = QStringLiteral("field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("payload"),
                  .description = QStringLiteral(
                      "Task field to hash: bytes, a shared blob (read in place, not copied) "
                      "or a string (its UTF-8 bytes). A task without it fails.")},
        ParamSpec{.name = QStringLiteral("output_field"),
                  .type = ParamType::String,
                  .defaultValue = QStringLiteral("sha256"),
                  .description = QStringLiteral(
                      "Task field that receives the digest (created or overwritten).")},
        ParamSpec{.name = QStringLiteral("encoding"),
                  .type = ParamType::Choice,
                  .defaultValue = QStringLiteral("hex"),
                  .choices = {QStringLiteral("hex"), QStringLiteral("bytes")},
                  .description = QStringLiteral(
                      "hex: a 64-character lowercase hex string; bytes: the raw 32-byte "
                      "digest as a bytes field.")},
    };
    return info;
}

void Sha256Handler::onStart(const HandlerParams& params) {
    m_field = params.stringValue(QStringLiteral("field")).toStdString();
    m_outputField = params.stringValue(QStringLiteral("output_field")).toStdString();
    m_encoding = params.stringValue(QStringLiteral("encoding")) == QLatin1String("bytes")
                     ? Encoding::Bytes
                     : Encoding::Hex;
    m_missingMessage = "field '" + m_field + "' is missing or not bytes";
}

void Sha256Handler::handle(std::span<Task> batch) {
    static constexpr char kHexDigits[] = "0123456789abcdef";
    for (Task& task : batch) {
        const Value* input = task.find(m_field);
        if (input == nullptr || (input->type() != ValueType::String && !input->isBinary())) {
            task.fail(m_missingMessage);
            continue;
        }
        const std::string_view bytes = input->view();
        m_hash.reset();
        m_hash.addData(QByteArrayView(bytes.data(), static_cast<qsizetype>(bytes.size())));
        const QByteArrayView digest = m_hash.resultView();
        // The digest is computed before the output field is looked up: adding that field
        // may move the task's fields, and `input` would dangle.
        if (m_encoding == Encoding::Bytes) {
            task[m_outputField].setBytes(
                std::string_view(digest.data(), static_cast<std::size_t>(digest.size())));
            continue;
        }
        std::array<char, 64> hex{};
        for (qsizetype i = 0; i < digest.size() && i < 32; ++i) {
            const auto byte = static_cast<unsigned char>(digest[i]);
            hex[static_cast<std::size_t>(2 * i)] = kHexDigits[byte >> 4];
            hex[static_cast<std::size_t>(2 * i + 1)] = kHexDigits[byte & 0x0f];
        }
        task[m_outputField].setString(std::string_view(hex.data(), hex.size()));
    }
}

} // namespace Aqueduct
