#include "reasoning.h"

namespace kmlm::core {

namespace {
const QString kOpen = QStringLiteral("<think>");
const QString kClose = QStringLiteral("</think>");
} // namespace

ReasonedText splitReasoning(const QString& text) {
    ReasonedText out;
    const QString start = text.trimmed();
    const int close = text.indexOf(kClose);
    int begin = -1; // where the reasoning starts in text
    if (start.startsWith(kOpen)) {
        begin = text.indexOf(kOpen) + kOpen.size();
    } else if (!start.isEmpty() && kOpen.startsWith(start)) {
        out.hasReasoning = out.open = true; // "<thi": the tag is still arriving
        return out;
    } else if (close >= 0) {
        begin = 0;
    } else {
        out.answer = text;
        return out;
    }
    out.hasReasoning = true;
    if (close < begin) {
        out.open = true;
        out.reasoning = text.mid(begin).trimmed();
        return out;
    }
    out.reasoning = text.mid(begin, close - begin).trimmed();
    out.answer = text.mid(close + kClose.size()).trimmed();
    return out;
}

} // namespace kmlm::core
