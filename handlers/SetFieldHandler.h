#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <string>

namespace Aqueduct {

/// `set_field`: sets a field of every task to a constant of a chosen type.
class SetFieldHandler final : public Handler {
public:
    static HandlerInfo info();
    /// Converts `value` to `type` once; throws std::invalid_argument when it does not parse.
    void onStart(const HandlerParams& params) override;
    void handle(std::span<Task> batch) override;

    /// `text` as a Value of `typeName` (string, int, double, bool, null); throws
    /// std::invalid_argument with a plain reason when the text does not fit the type.
    static Value convert(const QString& text, const QString& typeName);

private:
    std::string m_field;
    Value m_value;
};

} // namespace Aqueduct
