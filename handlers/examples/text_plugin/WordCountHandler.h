#pragma once

#include <aqueduct/Handler.h>
#include <aqueduct/HandlerSchema.h>

#include <cstdint>
#include <string>

namespace TextPlugin {

/// `word_count`: counts the whitespace-separated words of a string field into an
/// integer field; optionally fails tasks with fewer than `min_words`.
class WordCountHandler final : public Aqueduct::Handler {
public:
    static Aqueduct::HandlerInfo info();
    void onStart(const Aqueduct::HandlerParams& params) override;
    void handle(std::span<Aqueduct::Task> batch) override;

private:
    std::string m_field;
    std::string m_output;
    std::int64_t m_minWords = 0;
};

} // namespace TextPlugin
