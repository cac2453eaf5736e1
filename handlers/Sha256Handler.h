#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <QCryptographicHash>

#include <string>

namespace Aqueduct {

/// `sha256`: SHA-256 digest of a bytes (or blob, or string) field, as hex or raw bytes.
class Sha256Handler final : public Handler {
public:
    static HandlerInfo info();
    void onStart(const HandlerParams& params) override;
    void handle(std::span<Task> batch) override;

private:
    enum class Encoding { Hex, Bytes };

    std::string m_field = "payload";
    std::string m_outputField = "sha256";
    Encoding m_encoding = Encoding::Hex;
    std::string m_missingMessage;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
};

} // namespace Aqueduct
