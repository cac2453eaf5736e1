#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <string>

namespace TextPlugin {

/// `reverse_string`: reverses a string field character by character (Unicode code
/// points, so accents and emoji survive), in place or into another field.
class ReverseStringHandler final : public Aqueduct::Handler {
public:
    static Aqueduct::HandlerInfo info();
    void onStart(const Aqueduct::HandlerParams& params) override;
    void handle(std::span<Aqueduct::Task> batch) override;

private:
    std::string m_field;
    std::string m_output;
    std::string m_notStringMessage;
};

} // namespace TextPlugin
