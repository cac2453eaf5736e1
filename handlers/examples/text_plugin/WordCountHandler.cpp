#include "WordCountHandler.h"

namespace TextPlugin {

namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::int64_t countWords(std::string_view text) {
    std::int64_t words = 0;
    bool inWord = false;
    for (const char c : text) {
        if (isSpace(c)) {
            inWord = false;
        } else if (!inWord) {
            inWord = true;
            ++words;
        }
    }
    return words;
}

} // namespace

Aqueduct::HandlerInfo WordCountHandler::info() {
    Aqueduct::ParamSpec field;
    field.name = QStringLiteral("field");
    field.type = Aqueduct::ParamType::String;
    field.defaultValue = QStringLiteral("text");
    field.description = QStringLiteral("String field to read; a missing field counts as no words.");

    Aqueduct::ParamSpec output;
    output.name = QStringLiteral("output");
    output.type = Aqueduct::ParamType::String;
    output.defaultValue = QStringLiteral("words");
    output.description = QStringLiteral("Integer field that gets the count.");

    Aqueduct::ParamSpec minWords;
    minWords.name = QStringLiteral("min_words");
    minWords.type = Aqueduct::ParamType::Int;
    minWords.defaultValue = 0;
    minWords.minimum = 0; // the validator and the GUI inspector enforce the range
    minWords.maximum = 1000000;
    minWords.description = QStringLiteral("Tasks with fewer words fail (0: none fail).");

    Aqueduct::HandlerInfo info;
    info.name = QStringLiteral("word_count");
    info.category = QStringLiteral("Text");
    info.description = QStringLiteral("Counts the words of a string field.");
    info.params = {field, output, minWords};
    return info;
}

void WordCountHandler::onStart(const Aqueduct::HandlerParams& params) {
    m_field = params.stringValue(QStringLiteral("field")).toStdString();
    m_output = params.stringValue(QStringLiteral("output")).toStdString();
    m_minWords = params.intValue(QStringLiteral("min_words"));
}

void WordCountHandler::handle(std::span<Aqueduct::Task> batch) {
    for (Aqueduct::Task& task : batch) {
        const std::int64_t words = countWords(task.viewField(m_field));
        task.set(m_output, Aqueduct::Value(words));
        if (words < m_minWords)
            task.fail("only " + std::to_string(words) + " words, fewer than min_words");
    }
}

} // namespace TextPlugin
