// The Jinja interpreter of chat templates: each row is a template and the text Jinja itself
// renders for it (trim_blocks, lstrip_blocks and loop controls on, tojson as the model hubs
// define it), with a four-message Korean conversation; then templates it must refuse with
// FormatError.
#include "kmlm_test.h"

#include "kmlm/error.h"
#include "kmlm/jinja.h"

Q_DECLARE_METATYPE(std::string)

namespace {

const std::vector<kmlm::ChatMessage>& conversation() {
    static const std::vector<kmlm::ChatMessage> messages = {
        {"system", "시스템"}, {"user", " 안녕? "}, {"assistant", "네, 안녕하세요!"}, {"user", "고마워"}};
    return messages;
}

std::string render(const std::string& tmpl) { return kmlm::render_jinja_chat(tmpl, {conversation(), true, "<s>", "</s>", "", {}, {}}); }

} // namespace

class TestChatTemplateJinja : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void renders_data() {
        QTest::addColumn<std::string>("tmpl");
        QTest::addColumn<std::string>("expected");
        QTest::newRow("loop variables")
            << std::string(
                   "{% for m in messages %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.last }}|{% endfor %}")
            << std::string("104TrueFalse|213FalseFalse|322FalseFalse|431FalseTrue|");
        QTest::newRow("loop filter and length")
            << std::string("{% for m in messages if m.role == 'user' %}{{ loop.length }}:{{ m.content|trim }};{% endfor %}")
            << std::string("2:안녕?;2:고마워;");
        QTest::newRow("for else") << std::string("{% for m in [] %}x{% else %}empty{% endfor %}") << std::string("empty");
        QTest::newRow("set scope in loop") << std::string(
                                                  "{% set x = 'out' %}{% for m in messages %}{% set x = m.role %}{% endfor %}{{ x }}")
                                           << std::string("out");
        QTest::newRow("namespace")
            << std::string(
                   "{% set ns = namespace(n=0, last='') %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% set ns.last = m.role %}{% endfor %}{{ ns.n }} {{ ns.last }}")
            << std::string("4 user");
        QTest::newRow("slice and index")
            << std::string(
                   "{{ messages[1:]|length }} {{ messages[-1]['content'] }} {{ messages[0].role }} {{ messages[1:3]|map(attribute='role')|join('+') }}")
            << std::string("3 고마워 system user+assistant");
        QTest::newRow("string slice") << std::string("{{ messages[2].content[:2] }}|{{ messages[2].content[-3:] }}|{{ 'abcdef'[::2] }}")
                                      << std::string("네,|세요!|ace");
        QTest::newRow("if elif else")
            << std::string(
                   "{% for m in messages %}{% if m.role == 'system' %}S{% elif m.role == 'user' %}U{% else %}A{% endif %}{% endfor %}")
            << std::string("SUAU");
        QTest::newRow("whitespace control") << std::string("{%- for m in messages -%}\n  [{{- m.role -}}]  \n{%- endfor -%}\n  end")
                                            << std::string("[system][user][assistant][user]end");
        QTest::newRow("trim and lstrip blocks")
            << std::string("<start>\n    {% for m in messages %}\n    {{ m.role }}\n    {% endfor %}\n<end>")
            << std::string("<start>\n    system\n    user\n    assistant\n    user\n<end>");
        QTest::newRow("filters")
            << std::string(
                   "{{ 'Hello World'|lower }} {{ 'hi'|upper }} {{ 'abc'|length }} {{ '한국어'|length }} {{ [3,1,2]|first }} {{ [3,1,2]|last }} {{ ['a','b']|join(', ') }} {{ undefined_name|default('d') }} {{ ''|default('e', true) }} {{ 'x y'|replace(' ', '_') }} {{ 'word'|capitalize }} {{ 3.7|int }} {{ [1,2]|reverse|list }}")
            << std::string("hello world HI 3 3 3 2 a, b d e x_y Word 3 [2, 1]");
        QTest::newRow("tojson (as the model hubs define it)")
            << std::string(
                   "{{ messages[0]|tojson }} {{ {'a': [1, none, false], 'b': 'q\"'}|tojson }} {{ {'k': [1, '둘']}|tojson(indent=2) }}")
            << std::string(
                   "{\"role\": \"system\", \"content\": \"시스템\"} {\"a\": [1, null, false], \"b\": \"q\\\"\"} {\n  \"k\": [\n    1,\n    \"둘\"\n  ]\n}");
        QTest::newRow("tests")
            << std::string(
                   "{{ messages is iterable }} {{ messages[0] is mapping }} {{ 'x' is string }} {{ 1 is number }} {{ none is none }} {{ foo is defined }} {{ foo is undefined }} {{ 4 is even }} {{ 3 is odd }} {{ messages[0].role is equalto 'system' }}")
            << std::string("True True True True True False True True True True");
        QTest::newRow("macro")
            << std::string(
                   "{%- macro greet(name, end='!') %}안녕 {{ name }}{{ end }}{% endmacro -%}{{ greet('철수') }} {{ greet('영희', end='?') }} {{ greet(messages[0].role, '.') }}")
            << std::string("안녕 철수! 안녕 영희? 안녕 system.");
        QTest::newRow("operators")
            << std::string(
                   "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ 7 / 2 }} {{ 'a' ~ 1 ~ none }} {{ 'ab' * 2 }} {{ 1 < 2 and 2 <= 2 }} {{ not true or false }} {{ 'an' in 'banana' }} {{ 'x' not in ['a'] }} {{ [1] + [2] }}")
            << std::string("7 9 3 -4 1 3.5 a1None abab True False True True [1, 2]");
        QTest::newRow("methods")
            << std::string(
                   "{{ ' a b '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ 'a-b-c'.split('-') }}|{{ ' a  b '.split() }}|{{ 'Hi'.startswith('H') }}|{{ 'Hi'.endswith('i') }}|{{ 'ab'.upper() }}|{{ 'a</think>b'.split('</think>')[-1] }}|{{ {'k': 1}.get('k') }}{{ {'k': 1}.get('z', 0) }}")
            << std::string("a b|hi|['a', 'b', 'c']|['a', 'b']|True|True|AB|b|10");
        QTest::newRow("dict items") << std::string("{% for k, v in {'one': 1, 'two': 2}.items() %}{{ k }}={{ v }};{% endfor %}")
                                    << std::string("one=1;two=2;");
        QTest::newRow("conditional expression")
            << std::string("{{ 'many' if messages|length > 3 else 'few' }} {{ 'yes' if false }}.") << std::string("many .");
        QTest::newRow("selectattr")
            << std::string(
                   "{{ messages|selectattr('role', 'equalto', 'user')|list|length }} {{ messages|rejectattr('role', 'equalto', 'user')|map(attribute='role')|join(',') }}")
            << std::string("2 system,assistant");
        QTest::newRow("generation prompt and tokens")
            << std::string("{{ bos_token }}{% if add_generation_prompt %}GEN{% endif %}{{ eos_token }}") << std::string("<s>GEN</s>");
        QTest::newRow("comments and raw text") << std::string("a{# a comment #}b {{ '{{ not a tag }}' }}")
                                               << std::string("ab {{ not a tag }}");
        QTest::newRow("range") << std::string("{% for i in range(3) %}{{ i }}{% endfor %}{% for i in range(1, 7, 2) %}{{ i }}{% endfor %}")
                               << std::string("012135");
        QTest::newRow("string escapes") << std::string("{{ 'a\\nb' }}|{{ \"it's\" }}|{{ 'tab\\tx' }}") << std::string("a\nb|it's|tab\tx");
        QTest::newRow("EXAONE Deep: thoughts dropped")
            << std::string(
                   "{% for message in messages %}{% set content = message['content'] %}{% if '!' in content %}{% set content = ('<thought>\\nhmm</thought>\\n\\n' + content).split('</thought>')[-1].lstrip('\\n') %}{% endif %}{{ '[|' + message['role'] + '|]' + content }}{% if not message['role'] == 'user' %}{{ '[|endofturn|]' }}{% endif %}{% if not loop.last %}{{ '\\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '\\n[|assistant|]<thought>\\n' }}{% endif %}")
            << std::string(
                   "[|system|]시스템[|endofturn|]\n[|user|] 안녕? \n[|assistant|]네, 안녕하세요![|endofturn|]\n[|user|]고마워\n[|assistant|]<thought>\n");
        QTest::newRow("break and continue")
            << std::string(
                   "{% for m in messages %}{% if m.role == 'system' %}{% continue %}{% endif %}{{ m.role }};{% if m.role == 'assistant' %}{% break %}{% endif %}{% endfor %}|{% for i in range(3) %}{% for j in range(3) %}{% if j == 1 %}{% break %}{% endif %}{{ i }}{{ j }} {% endfor %}{% endfor %}")
            << std::string("user;assistant;|00 10 20 ");
        QTest::newRow("set block") << std::string(
                                          "{% set header %}\n[{{ messages[0].role }}]\n{% endset %}{{ header|trim }}{{ header|length }}")
                                   << std::string("[system]9");
        QTest::newRow("power") << std::string("{{ 2 ** 10 }} {{ -2 ** 2 }} {{ 2 ** 3 ** 2 }} {{ 4 ** 0.5 }}")
                               << std::string("1024 4 64 2.0");
        QTest::newRow("floats as Python prints them") << std::string("{{ 0.1 }} {{ 1 / 3 }} {{ 2.5 * 2 }} {{ 0.1 + 0.2 }}")
                                                      << std::string("0.1 0.3333333333333333 5.0 0.30000000000000004");
    }
    void renders() {
        QFETCH(std::string, tmpl);
        QFETCH(std::string, expected);
        QCOMPARE(render(tmpl), expected);
    }

    void refuses_data() {
        QTest::addColumn<std::string>("tmpl");
        QTest::newRow("raise_exception") << std::string("{{ raise_exception('System role not supported') }}");
        QTest::newRow("unclosed tag") << std::string("{{ messages");
        QTest::newRow("unclosed block") << std::string("{% for m in messages %}x");
        QTest::newRow("stray end") << std::string("{% endif %}");
        QTest::newRow("break outside a loop") << std::string("{% break %}");
        QTest::newRow("huge power") << std::string("{{ 10 ** 400 }}");
        QTest::newRow("unknown filter") << std::string("{{ 'x'|frobnicate }}");
        QTest::newRow("unknown function") << std::string("{{ launch() }}");
        QTest::newRow("filter block") << std::string("{% filter upper %}x{% endfilter %}");
        QTest::newRow("endless macro") << std::string("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}");
        QTest::newRow("bad operands") << std::string("{{ 'a' + 1 }}");
        QTest::newRow("division by zero") << std::string("{{ 1 // 0 }}");
        QTest::newRow("unterminated string") << std::string("{{ 'abc }}");
        QTest::newRow("huge range") << std::string("{% for i in range(1000000000) %}{% endfor %}");
        QTest::newRow("runaway output") << std::string("{% for i in range(99999) %}{{ 'x' * 99999 }}{% endfor %}");
        QTest::newRow("deep nesting") << "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
        QTest::newRow("chained conditionals") << [] {
            std::string t = "{{ ";
            for (int i = 0; i < 3000; ++i) t += "1 if x else ";
            return t + "1 }}";
        }();
        QTest::newRow("deep blocks") << [] {
            std::string t;
            for (int i = 0; i < 1000; ++i) t += "{% if true %}";
            return t;
        }();
    }
    // Variables from the chat settings are globals of the template.
    void variables() {
        const std::string tmpl = "{{ enable_thinking }} {{ enable_thinking is false }} {{ tone }} {{ other is defined }}";
        kmlm::JinjaChatContext c{
            conversation(), true, "<s>", "</s>", "", std::nullopt, {{"enable_thinking", false}, {"tone", std::string("존댓말")}}};
        QCOMPARE(kmlm::render_jinja_chat(tmpl, c), std::string("False True 존댓말 False"));
    }

    void refuses() {
        QFETCH(std::string, tmpl);
        KMLM_VERIFY_THROWS(kmlm::FormatError, render(tmpl));
    }

    // Hostile templates: each stops at a budget or at checked arithmetic, quickly and within
    // the budget's memory, never with a crash (SIGFPE, stack overflow) or an endless loop.
    void hostile_data() {
        QTest::addColumn<std::string>("tmpl");
        QTest::newRow("INT64_MIN // -1") << std::string("{{ (-9223372036854775807 - 1) // -1 }}");
        QTest::newRow("nested ranges") << std::string("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}");
        QTest::newRow("nested ranges printing")
            << std::string("{% for a in range(100000) %}{% for b in range(100000) %}{{ b }}{% endfor %}{% endfor %}");
        QTest::newRow("doubling string") << std::string(
            "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}");
        QTest::newRow("doubling list") << std::string(
            "{% set ns = namespace(s=[1]) %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}");
        QTest::newRow("appending list") << std::string(
            "{% set l = [] %}{% for a in range(100000) %}{% for b in range(100000) %}{{ l.append('xxxxxxxxxxxxxxxx') }}{% endfor %}{% endfor %}");
        QTest::newRow("repeat") << std::string("{{ 'ab' * 9223372036854775807 }}");
        QTest::newRow("add overflow") << std::string("{{ 9223372036854775807 + 1 }}");
        QTest::newRow("subtract overflow") << std::string("{{ -9223372036854775807 - 2 }}");
        QTest::newRow("multiply overflow") << std::string("{{ 4611686018427387904 * 2 }}");
        QTest::newRow("negate INT64_MIN") << std::string("{{ -(-9223372036854775807 - 1) }}");
        QTest::newRow("abs INT64_MIN") << std::string("{{ (-9223372036854775807 - 1)|abs }}");
        QTest::newRow("float to int") << std::string("{{ (10.0 ** 300)|int }}");
        QTest::newRow("list holding itself") << std::string("{% set a = [] %}{{ a.append(a) }}{{ a }}");
        QTest::newRow("namespace holding itself") << std::string("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns|tojson }}");
        QTest::newRow("lists nested by appends") << std::string(
            "{% set ns = namespace(x=[]) %}{% set root = ns.x %}{% for i in range(100000) %}{% set y = [] %}{{ ns.x.append(y) }}{% set ns.x = y %}{% endfor %}{{ root == root }}");
        QTest::newRow("long chain") << "{{ x" + [] {
            std::string t;
            for (int i = 0; i < 100000; ++i) t += ".a";
            return t;
        }() + " }}";
        QTest::newRow("long sum") << "{{ 1" + [] {
            std::string t;
            for (int i = 0; i < 100000; ++i) t += "+1";
            return t;
        }() + " }}";
        QTest::newRow("long filter chain") << "{{ 'x'" + [] {
            std::string t;
            for (int i = 0; i < 100000; ++i) t += "|trim";
            return t;
        }() + " }}";
        QTest::newRow("quadratic search") << std::string(
            "{% set ns = namespace(s='a') %}{% for i in range(22) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{% for i in range(1000) %}{{ (ns.s ~ 'b') in ns.s }}{% endfor %}");
        QTest::newRow("string indexing") << std::string("{% set s = 'a' * 1000000 %}{% for i in range(100000) %}{{ s[i] }}{% endfor %}");
    }
    void hostile() {
        QFETCH(std::string, tmpl);
        KMLM_VERIFY_THROWS(kmlm::TemplateLimitError, render(tmpl));
    }

    void arithmetic_data() {
        QTest::addColumn<std::string>("tmpl");
        QTest::addColumn<std::string>("expected");
        QTest::newRow("INT64_MIN % -1") << std::string("{{ (-9223372036854775807 - 1) % -1 }}") << std::string("0");
        QTest::newRow("INT64_MIN // 1") << std::string("{{ (-9223372036854775807 - 1) // 1 }}") << std::string("-9223372036854775808");
        QTest::newRow("floor division signs") << std::string("{{ 7 // -2 }} {{ -7 % 3 }} {{ 7 % -3 }}") << std::string("-4 2 -2");
        QTest::newRow("range near INT64_MAX")
            << std::string("{% for i in range(9223372036854775805, 9223372036854775807, 4611686018427387904) %}{{ i }};{% endfor %}")
            << std::string("9223372036854775805;");
        QTest::newRow("range near INT64_MIN")
            << std::string("{% for i in range(-9223372036854775807, -9223372036854775807 - 1, -3) %}{{ i }};{% endfor %}")
            << std::string("-9223372036854775807;");
        QTest::newRow("slice with a huge step")
            << std::string("{{ 'abcdef'[1::9223372036854775807] }}{{ [1, 2, 3][2::9223372036854775807] }}") << std::string("b[3]");
        QTest::newRow("a list holding itself has a length")
            << std::string("{% set a = [] %}{{ a.append(a) }}{{ a|length }}") << std::string("None1");
    }
    void arithmetic() {
        QFETCH(std::string, tmpl);
        QFETCH(std::string, expected);
        QCOMPARE(render(tmpl), expected);
    }

    void raiseIsItsOwnError() { KMLM_VERIFY_THROWS(kmlm::TemplateRaised, render("{{ raise_exception('no') }}")); }
};

QTEST_GUILESS_MAIN(TestChatTemplateJinja)
#include "tst_chat_template_jinja.moc"
