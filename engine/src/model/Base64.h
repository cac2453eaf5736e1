#pragma once

#include <QByteArray>
#include <QStringView>

#include <optional>

namespace Aqueduct::Internal {

/// Decodes `"$bytes"` and `"$tensor"` data from JSON: standard base64 with '=' padding,
/// accepting exactly what QByteArray::fromBase64Encoding(..., AbortOnBase64DecodingErrors)
/// accepts and giving the same bytes. Qt decodes one character at a time (about 100 MB/s
/// here: two thirds of `aqueduct run --input` on 100 KiB payloads); clean input (a length
/// that is a multiple of 4, only the alphabet, one or two '=' at the end) is decoded here
/// four characters at a time, anything else by Qt, so no input changes meaning.
std::optional<QByteArray> decodeBase64(QStringView text);

} // namespace Aqueduct::Internal
