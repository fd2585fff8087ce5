// Texts that follow the UI language. Each setter runs when added and again on retranslate(),
// which a widget calls on QEvent::LanguageChange (another translator installed), so switching
// the language needs no restart.
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace kmlm::ui {

class Retranslator {
public:
    void add(std::function<void()> setText) {
        setText();
        m_setters.push_back(std::move(setText));
    }
    void retranslate() const {
        for (const auto& setText : m_setters) setText();
    }

private:
    std::vector<std::function<void()>> m_setters;
};

} // namespace kmlm::ui
