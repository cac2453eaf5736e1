#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace Aqueduct {

/// `checksum`: reads every byte of a bytes field and stores a 64-bit checksum of it.
/// Meant to be cheap (memory-bandwidth bound), so payload benchmarks measure transport.
class ChecksumHandler final : public Handler {
public:
    static HandlerInfo info();
    void onStart(const HandlerParams& params) override;
    void handle(std::span<Task> batch) override;

    /// Fletcher-style checksum over little-endian 64-bit words in four independent lanes
    /// (so the compiler vectorises it), mixed with the length; position sensitive.
    static std::uint64_t checksum(std::string_view bytes);

private:
    std::string m_field = "payload";
    std::string m_outputField = "checksum";
    std::string m_missingMessage;
};

} // namespace Aqueduct
