#include "aqueduct/Problem.h"

#include <algorithm>

namespace Aqueduct {

QString Problem::toString() const {
    QString location;
    if (!path.isEmpty())
        location = path;
    else if (line > 0)
        location = QStringLiteral("%1:%2").arg(line).arg(column);
    const QString text =
        severity == Severity::Warning ? QStringLiteral("warning: ") + message : message;
    return location.isEmpty() ? text : location + QStringLiteral(": ") + text;
}

bool hasErrors(const QList<Problem>& problems) {
    return std::any_of(problems.cbegin(), problems.cend(), [](const Problem& problem) {
        return problem.severity == Problem::Severity::Error;
    });
}

QString escapeControlCharacters(const QString& text) {
    const auto needsEscape = [](QChar c) {
        const QChar::Category category = c.category();
        return category == QChar::Other_Control || category == QChar::Other_Format ||
               category == QChar::Other_Surrogate || category == QChar::Separator_Line ||
               category == QChar::Separator_Paragraph;
    };
    if (std::none_of(text.cbegin(), text.cend(), needsEscape))
        return text;
    QString escaped;
    escaped.reserve(text.size() + 16);
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        // A valid surrogate pair is a printable character outside the BMP; keep it.
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            const char32_t code = QChar::surrogateToUcs4(c, text.at(i + 1));
            if (QChar::category(code) != QChar::Other_Format) {
                escaped += c;
                escaped += text.at(++i);
                continue;
            }
        }
        if (!needsEscape(c)) {
            escaped += c;
            continue;
        }
        switch (c.unicode()) {
        case '\n':
            escaped += QLatin1String("\\n");
            break;
        case '\r':
            escaped += QLatin1String("\\r");
            break;
        case '\t':
            escaped += QLatin1String("\\t");
            break;
        default:
            escaped += c.unicode() < 0x100
                           ? QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'))
                           : QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        }
    }
    return escaped;
}

} // namespace Aqueduct
