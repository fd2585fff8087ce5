// Chat templates written as an attacker would, one per way the interpreter was once broken:
// a crash (SIGFPE), an endless loop, memory without bound, signed overflow. Each carries the
// ChatML markers, so the built-in ChatML format is what must stand in for it.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace kmlm_test {

inline const std::vector<std::pair<std::string, std::string>>& hostileTemplates() {
    static const std::vector<std::pair<std::string, std::string>> templates = {
        {"division", "{# <|im_start|> #}{{ (-9223372036854775807 - 1) // -1 }}"},
        {"nested-loops", "{# <|im_start|> #}{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"},
        {"string-doubling",
         "{# <|im_start|> #}{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"},
        {"list-doubling",
         "{# <|im_start|> #}{% set ns = namespace(s=[1]) %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}"},
        {"overflow", "{# <|im_start|> #}{{ 9223372036854775807 + 1 }}{{ -(-9223372036854775807 - 1) }}"},
    };
    return templates;
}

} // namespace kmlm_test
