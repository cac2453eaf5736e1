#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <string>
#include <vector>

namespace AqueductVision {

/// `top_k`: the k highest scores of a float tensor -> `label` (string), `score` (number)
/// of the best, and `top_k`, a JSON array [{"label": ..., "score": ...}, ...] as a string.
class TopKHandler final : public Aqueduct::Handler {
public:
    static Aqueduct::HandlerInfo info();
    void onStart(const Aqueduct::HandlerParams& params) override;
    void handle(std::span<Aqueduct::Task> batch) override;

private:
    std::string labelOf(std::size_t index) const;

    std::string m_field;
    int m_k = 5;
    std::vector<std::string> m_labels;
    bool m_keepInput = true;
    std::string m_prefix;
    std::vector<std::pair<double, std::size_t>> m_ranked; // reused across tasks
};

} // namespace AqueductVision
