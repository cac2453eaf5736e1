#include "model/Base64.h"

#include <array>
#include <cstdint>

namespace Aqueduct::Internal {

namespace {

constexpr std::uint8_t kInvalid = 0x80;

constexpr std::array<std::uint8_t, 128> makeTable() {
    std::array<std::uint8_t, 128> table{};
    for (auto& entry : table)
        entry = kInvalid;
    constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::uint8_t i = 0; i < 64; ++i)
        table[std::size_t(kAlphabet[i])] = i;
    return table;
}

constexpr std::array<std::uint8_t, 128> kTable = makeTable();

inline std::uint32_t sextet(char16_t c) {
    return c < 128 ? kTable[c] : kInvalid;
}

/// The clean-input path; nullopt when the input is not clean (not when it is invalid).
std::optional<QByteArray> decodeClean(QStringView text) {
    const qsizetype length = text.size();
    if (length % 4 != 0)
        return std::nullopt;
    qsizetype padding = 0;
    if (length > 0 && text[length - 1] == u'=')
        padding = text[length - 2] == u'=' ? 2 : 1;
    QByteArray out(length / 4 * 3 - padding, Qt::Uninitialized);
    char* target = out.data();
    const char16_t* source = text.utf16();
    const qsizetype whole = length - (padding > 0 ? 4 : 0);
    for (qsizetype i = 0; i < whole; i += 4) {
        const std::uint32_t a = sextet(source[i]);
        const std::uint32_t b = sextet(source[i + 1]);
        const std::uint32_t c = sextet(source[i + 2]);
        const std::uint32_t d = sextet(source[i + 3]);
        if ((a | b | c | d) & kInvalid)
            return std::nullopt;
        const std::uint32_t triple = a << 18 | b << 12 | c << 6 | d;
        target[0] = char(triple >> 16);
        target[1] = char(triple >> 8);
        target[2] = char(triple);
        target += 3;
    }
    if (padding > 0) {
        const std::uint32_t a = sextet(source[whole]);
        const std::uint32_t b = sextet(source[whole + 1]);
        const std::uint32_t c = padding == 1 ? sextet(source[whole + 2]) : 0;
        if ((a | b | c) & kInvalid)
            return std::nullopt;
        // Bits past the last whole byte are dropped, as Qt drops them.
        const std::uint32_t triple = a << 18 | b << 12 | c << 6;
        target[0] = char(triple >> 16);
        if (padding == 1)
            target[1] = char(triple >> 8);
    }
    return out;
}

} // namespace

std::optional<QByteArray> decodeBase64(QStringView text) {
    if (std::optional<QByteArray> decoded = decodeClean(text))
        return decoded;
    QByteArray::FromBase64Result result =
        QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return std::nullopt;
    return std::move(result.decoded);
}

} // namespace Aqueduct::Internal
