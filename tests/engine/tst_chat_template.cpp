// Chat prompts for each model family, compared with what the models' own templates
// (tests/data/chat-templates, from the models' tokenizer_config.json) render through Jinja:
// system prompt present or absent, several turns, with and without the generation prompt;
// the same by code when the template cannot run; user overrides and stop strings.
#include "kmlm_test.h"

#include "kmlm/chat_template.h"

#include <QFile>

Q_DECLARE_METATYPE(std::string)

using kmlm::ChatFamily;
using kmlm::ChatMessage;

namespace {

std::string read_template(const QString& name) {
    QFile f(QStringLiteral(KMLM_TESTS_DATA "/chat-templates/") + name + QStringLiteral(".jinja"));
    if (!f.open(QIODevice::ReadOnly)) qFatal("missing template %s", qPrintable(name));
    return f.readAll().toStdString();
}

std::vector<ChatMessage> conversation(const QString& name) {
    if (name == QLatin1String("single")) return {{"user", "안녕하세요"}};
    if (name == QLatin1String("system multi"))
        return {{"system", "당신은 친절한 한국어 비서입니다."},
                {"user", "안녕?"},
                {"assistant", "  안녕하세요! 무엇을 도와드릴까요?  "},
                {"user", "오늘 날씨 알려줘"}};
    return {{"user", "첫 질문"}, {"assistant", "첫 답"}, {"user", "둘째 질문"}};
}

} // namespace

class TestChatTemplate : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void render_data() {
        QTest::addColumn<QString>("tmpl");
        QTest::addColumn<QString>("conv");
        QTest::addColumn<bool>("generationPrompt");
        QTest::addColumn<std::string>("expected"); // the template's output without BOS
        QTest::newRow("qwen25, single, prompt")
            << QStringLiteral("qwen2.5-instruct") << QStringLiteral("single") << true
            << std::string(
                   "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n안녕하세요<|im_end|>\n<|im_start|>assistant\n");
        QTest::newRow("qwen25, single, no prompt")
            << QStringLiteral("qwen2.5-instruct") << QStringLiteral("single") << false
            << std::string(
                   "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n안녕하세요<|im_end|>\n");
        QTest::newRow("qwen25, system multi, prompt")
            << QStringLiteral("qwen2.5-instruct") << QStringLiteral("system multi") << true
            << std::string(
                   "<|im_start|>system\n당신은 친절한 한국어 비서입니다.<|im_end|>\n<|im_start|>user\n안녕?<|im_end|>\n<|im_start|>assistant\n  안녕하세요! 무엇을 도와드릴까요?  <|im_end|>\n<|im_start|>user\n오늘 날씨 알려줘<|im_end|>\n<|im_start|>assistant\n");
        QTest::newRow("qwen25, system multi, no prompt")
            << QStringLiteral("qwen2.5-instruct") << QStringLiteral("system multi") << false
            << std::string(
                   "<|im_start|>system\n당신은 친절한 한국어 비서입니다.<|im_end|>\n<|im_start|>user\n안녕?<|im_end|>\n<|im_start|>assistant\n  안녕하세요! 무엇을 도와드릴까요?  <|im_end|>\n<|im_start|>user\n오늘 날씨 알려줘<|im_end|>\n");
        QTest::newRow("qwen25, no system multi, prompt")
            << QStringLiteral("qwen2.5-instruct") << QStringLiteral("no system multi") << true
            << std::string(
                   "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n첫 질문<|im_end|>\n<|im_start|>assistant\n첫 답<|im_end|>\n<|im_start|>user\n둘째 질문<|im_end|>\n<|im_start|>assistant\n");
        QTest::newRow("qwen25, no system multi, no prompt")
            << QStringLiteral("qwen2.5-instruct") << QStringLiteral("no system multi") << false
            << std::string(
                   "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n첫 질문<|im_end|>\n<|im_start|>assistant\n첫 답<|im_end|>\n<|im_start|>user\n둘째 질문<|im_end|>\n");
        QTest::newRow("llama32, single, prompt")
            << QStringLiteral("llama-3.2-instruct") << QStringLiteral("single") << true
            << std::string(
                   "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n안녕하세요<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
        QTest::newRow("llama32, single, no prompt")
            << QStringLiteral("llama-3.2-instruct") << QStringLiteral("single") << false
            << std::string(
                   "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n안녕하세요<|eot_id|>");
        QTest::newRow("llama32, system multi, prompt")
            << QStringLiteral("llama-3.2-instruct") << QStringLiteral("system multi") << true
            << std::string(
                   "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n당신은 친절한 한국어 비서입니다.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n안녕?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n안녕하세요! 무엇을 도와드릴까요?<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n오늘 날씨 알려줘<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
        QTest::newRow("llama32, system multi, no prompt")
            << QStringLiteral("llama-3.2-instruct") << QStringLiteral("system multi") << false
            << std::string(
                   "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n당신은 친절한 한국어 비서입니다.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n안녕?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n안녕하세요! 무엇을 도와드릴까요?<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n오늘 날씨 알려줘<|eot_id|>");
        QTest::newRow("llama32, no system multi, prompt")
            << QStringLiteral("llama-3.2-instruct") << QStringLiteral("no system multi") << true
            << std::string(
                   "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n첫 질문<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n첫 답<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n둘째 질문<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
        QTest::newRow("llama32, no system multi, no prompt")
            << QStringLiteral("llama-3.2-instruct") << QStringLiteral("no system multi") << false
            << std::string(
                   "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n첫 질문<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n첫 답<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n둘째 질문<|eot_id|>");
        QTest::newRow("exaone35, single, prompt") << QStringLiteral("exaone-3.5-instruct") << QStringLiteral("single") << true
                                                  << std::string("[|system|][|endofturn|]\n[|user|]안녕하세요\n[|assistant|]");
        QTest::newRow("exaone35, single, no prompt") << QStringLiteral("exaone-3.5-instruct") << QStringLiteral("single") << false
                                                     << std::string("[|system|][|endofturn|]\n[|user|]안녕하세요\n");
        QTest::newRow("exaone35, system multi, prompt")
            << QStringLiteral("exaone-3.5-instruct") << QStringLiteral("system multi") << true
            << std::string(
                   "[|system|]당신은 친절한 한국어 비서입니다.[|endofturn|]\n[|user|]안녕?\n[|assistant|]  안녕하세요! 무엇을 도와드릴까요?  [|endofturn|]\n[|user|]오늘 날씨 알려줘\n[|assistant|]");
        QTest::newRow("exaone35, system multi, no prompt")
            << QStringLiteral("exaone-3.5-instruct") << QStringLiteral("system multi") << false
            << std::string(
                   "[|system|]당신은 친절한 한국어 비서입니다.[|endofturn|]\n[|user|]안녕?\n[|assistant|]  안녕하세요! 무엇을 도와드릴까요?  [|endofturn|]\n[|user|]오늘 날씨 알려줘\n");
        QTest::newRow("exaone35, no system multi, prompt")
            << QStringLiteral("exaone-3.5-instruct") << QStringLiteral("no system multi") << true
            << std::string("[|system|][|endofturn|]\n[|user|]첫 질문\n[|assistant|]첫 답[|endofturn|]\n[|user|]둘째 질문\n[|assistant|]");
        QTest::newRow("exaone35, no system multi, no prompt")
            << QStringLiteral("exaone-3.5-instruct") << QStringLiteral("no system multi") << false
            << std::string("[|system|][|endofturn|]\n[|user|]첫 질문\n[|assistant|]첫 답[|endofturn|]\n[|user|]둘째 질문\n");
        QTest::newRow("gemma2, single, prompt") << QStringLiteral("gemma-2-it") << QStringLiteral("single") << true
                                                << std::string("<start_of_turn>user\n안녕하세요<end_of_turn>\n<start_of_turn>model\n");
        QTest::newRow("gemma2, single, no prompt") << QStringLiteral("gemma-2-it") << QStringLiteral("single") << false
                                                   << std::string("<start_of_turn>user\n안녕하세요<end_of_turn>\n");
        QTest::newRow("gemma2, no system multi, prompt")
            << QStringLiteral("gemma-2-it") << QStringLiteral("no system multi") << true
            << std::string(
                   "<start_of_turn>user\n첫 질문<end_of_turn>\n<start_of_turn>model\n첫 답<end_of_turn>\n<start_of_turn>user\n둘째 질문<end_of_turn>\n<start_of_turn>model\n");
        QTest::newRow("gemma2, no system multi, no prompt")
            << QStringLiteral("gemma-2-it") << QStringLiteral("no system multi") << false
            << std::string(
                   "<start_of_turn>user\n첫 질문<end_of_turn>\n<start_of_turn>model\n첫 답<end_of_turn>\n<start_of_turn>user\n둘째 질문<end_of_turn>\n");
        QTest::newRow("gemma3, system multi, prompt")
            << QStringLiteral("gemma-3-it") << QStringLiteral("system multi") << true
            << std::string(
                   "<start_of_turn>user\n당신은 친절한 한국어 비서입니다.\n\n안녕?<end_of_turn>\n<start_of_turn>model\n안녕하세요! 무엇을 도와드릴까요?<end_of_turn>\n<start_of_turn>user\n오늘 날씨 알려줘<end_of_turn>\n<start_of_turn>model\n");
        QTest::newRow("gemma3, system multi, no prompt")
            << QStringLiteral("gemma-3-it") << QStringLiteral("system multi") << false
            << std::string(
                   "<start_of_turn>user\n당신은 친절한 한국어 비서입니다.\n\n안녕?<end_of_turn>\n<start_of_turn>model\n안녕하세요! 무엇을 도와드릴까요?<end_of_turn>\n<start_of_turn>user\n오늘 날씨 알려줘<end_of_turn>\n");
        QTest::newRow("qwen3, single, prompt") << QStringLiteral("qwen3") << QStringLiteral("single") << true
                                               << std::string("<|im_start|>user\n안녕하세요<|im_end|>\n<|im_start|>assistant\n");
        QTest::newRow("qwen3, system multi, prompt")
            << QStringLiteral("qwen3") << QStringLiteral("system multi") << true
            << std::string(
                   "<|im_start|>system\n당신은 친절한 한국어 비서입니다.<|im_end|>\n<|im_start|>user\n안녕?<|im_end|>\n<|im_start|>assistant\n  안녕하세요! 무엇을 도와드릴까요?  <|im_end|>\n<|im_start|>user\n오늘 날씨 알려줘<|im_end|>\n<|im_start|>assistant\n");
        QTest::newRow("qwen3, no system multi, no prompt")
            << QStringLiteral("qwen3") << QStringLiteral("no system multi") << false
            << std::string(
                   "<|im_start|>user\n첫 질문<|im_end|>\n<|im_start|>assistant\n첫 답<|im_end|>\n<|im_start|>user\n둘째 질문<|im_end|>\n");
        QTest::newRow("exaone4, single, prompt")
            << QStringLiteral("exaone-4.0") << QStringLiteral("single") << true
            << std::string("[|user|]\n안녕하세요[|endofturn|]\n[|assistant|]\n<think>\n\n</think>\n\n");
        QTest::newRow("exaone4, system multi, prompt")
            << QStringLiteral("exaone-4.0") << QStringLiteral("system multi") << true
            << std::string(
                   "[|system|]\n당신은 친절한 한국어 비서입니다.[|endofturn|]\n[|user|]\n안녕?[|endofturn|]\n[|assistant|]\n<think>\n\n</think>\n\n  안녕하세요! 무엇을 도와드릴까요?  [|endofturn|]\n[|user|]\n오늘 날씨 알려줘[|endofturn|]\n[|assistant|]\n<think>\n\n</think>\n\n");
        QTest::newRow("exaone4, no system multi, no prompt")
            << QStringLiteral("exaone-4.0") << QStringLiteral("no system multi") << false
            << std::string(
                   "[|user|]\n첫 질문[|endofturn|]\n[|assistant|]\n<think>\n\n</think>\n\n첫 답[|endofturn|]\n[|user|]\n둘째 질문[|endofturn|]\n");
        QTest::newRow("phi35, single, prompt") << QStringLiteral("phi-3.5-mini-instruct") << QStringLiteral("single") << true
                                               << std::string("<|user|>\n안녕하세요<|end|>\n<|assistant|>\n");
        QTest::newRow("phi35, system multi, prompt")
            << QStringLiteral("phi-3.5-mini-instruct") << QStringLiteral("system multi") << true
            << std::string(
                   "<|system|>\n당신은 친절한 한국어 비서입니다.<|end|>\n<|user|>\n안녕?<|end|>\n<|assistant|>\n  안녕하세요! 무엇을 도와드릴까요?  <|end|>\n<|user|>\n오늘 날씨 알려줘<|end|>\n<|assistant|>\n");
        QTest::newRow("phi35, no system multi, no prompt")
            << QStringLiteral("phi-3.5-mini-instruct") << QStringLiteral("no system multi") << false
            << std::string("<|user|>\n첫 질문<|end|>\n<|assistant|>\n첫 답<|end|>\n<|user|>\n둘째 질문<|end|>\n");
    }
    void render() {
        QFETCH(QString, tmpl);
        QFETCH(QString, conv);
        QFETCH(bool, generationPrompt);
        QFETCH(std::string, expected);
        kmlm::ChatOptions o;
        o.chat_template = read_template(tmpl);
        o.add_generation_prompt = generationPrompt;
        o.date = "26 Jul 2024";
        o.bos_token = tmpl.startsWith(QLatin1String("llama")) ? "<|begin_of_text|>" : "<bos>";
        const auto messages = conversation(conv);
        const kmlm::ChatPrompt p = kmlm::render_chat(messages, o);
        QCOMPARE(p.text, expected);
        QVERIFY(p.from_template);
        // The family's format by code gives the same text.
        o.override_template = std::string(kmlm::to_string(p.family));
        o.chat_template.clear();
        const kmlm::ChatPrompt by_code = kmlm::render_chat(messages, o);
        QVERIFY(!by_code.from_template);
        if (tmpl != QLatin1String("qwen2.5-instruct")) // its default system prompt is in the template
            QCOMPARE(by_code.text, expected);
    }

    // The think switch (enable_thinking) through the published templates and by code:
    // Qwen3 thinks unless it is false, EXAONE 4 only when it is true.
    void thinkSwitch_data() {
        QTest::addColumn<QString>("tmpl");
        QTest::addColumn<QVariant>("think"); // invalid: not set
        QTest::addColumn<std::string>("ending");
        QTest::newRow("qwen3, unset") << "qwen3" << QVariant() << std::string("<|im_start|>assistant\n");
        QTest::newRow("qwen3, on") << "qwen3" << QVariant(true) << std::string("<|im_start|>assistant\n");
        QTest::newRow("qwen3, off") << "qwen3" << QVariant(false) << std::string("<|im_start|>assistant\n<think>\n\n</think>\n\n");
        QTest::newRow("exaone4, unset") << "exaone-4.0" << QVariant() << std::string("[|assistant|]\n<think>\n\n</think>\n\n");
        QTest::newRow("exaone4, on") << "exaone-4.0" << QVariant(true) << std::string("[|assistant|]\n<think>\n");
        QTest::newRow("exaone4, off") << "exaone-4.0" << QVariant(false) << std::string("[|assistant|]\n<think>\n\n</think>\n\n");
    }
    void thinkSwitch() {
        QFETCH(QString, tmpl);
        QFETCH(QVariant, think);
        QFETCH(std::string, ending);
        kmlm::ChatOptions o;
        o.chat_template = read_template(tmpl);
        if (think.isValid()) o.variables["enable_thinking"] = think.toBool();
        const std::vector<ChatMessage> messages = {{"user", "안녕"}};
        const kmlm::ChatPrompt p = kmlm::render_chat(messages, o);
        QVERIFY(p.from_template);
        QVERIFY2(p.text.ends_with(ending), p.text.c_str());
        o.override_template = std::string(kmlm::to_string(p.family));
        QCOMPARE(kmlm::render_chat(messages, o).text, p.text);
    }

    // Earlier turns' reasoning leaves the history; only their answers stay.
    void reasoningDroppedFromHistory_data() {
        QTest::addColumn<QString>("tmpl");
        QTest::addColumn<std::string>("answerTurn");
        QTest::newRow("qwen3") << "qwen3" << std::string("<|im_start|>assistant\n답입니다<|im_end|>\n");
        QTest::newRow("exaone4") << "exaone-4.0" << std::string("[|assistant|]\n<think>\n\n</think>\n\n답입니다[|endofturn|]\n");
    }
    void reasoningDroppedFromHistory() {
        QFETCH(QString, tmpl);
        QFETCH(std::string, answerTurn);
        kmlm::ChatOptions o;
        o.chat_template = read_template(tmpl);
        const std::vector<ChatMessage> messages = {
            {"user", "1 더하기 1은?"}, {"assistant", "<think>\n1과 1을 더하면 2이다.\n</think>\n\n답입니다"}, {"user", "고마워"}};
        const kmlm::ChatPrompt p = kmlm::render_chat(messages, o);
        QVERIFY(p.from_template);
        QVERIFY2(p.text.find(answerTurn) != std::string::npos, p.text.c_str());
        QVERIFY(p.text.find("더하면") == std::string::npos);
        o.override_template = std::string(kmlm::to_string(p.family));
        QCOMPARE(kmlm::render_chat(messages, o).text, p.text);
    }

    // A file without a template gets its architecture's format.
    void architectureFallback_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<std::string>("expected");
        QTest::newRow("gemma3") << "gemma3" << std::string("<start_of_turn>user\n시스템\n\n안녕<end_of_turn>\n<start_of_turn>model\n");
        QTest::newRow("qwen3") << "qwen3"
                               << std::string(
                                      "<|im_start|>system\n시스템<|im_end|>\n<|im_start|>user\n안녕<|im_end|>\n<|im_start|>assistant\n");
        QTest::newRow("exaone4")
            << "exaone4"
            << std::string("[|system|]\n시스템[|endofturn|]\n[|user|]\n안녕[|endofturn|]\n[|assistant|]\n<think>\n\n</think>\n\n");
        QTest::newRow("phi3") << "phi3" << std::string("<|system|>\n시스템<|end|>\n<|user|>\n안녕<|end|>\n<|assistant|>\n");
        QTest::newRow("llama") << "llama" << std::string("시스템\n\nUser: 안녕\nAssistant:");
    }
    void architectureFallback() {
        QFETCH(QString, arch);
        QFETCH(std::string, expected);
        kmlm::ChatOptions o;
        o.architecture = arch.toStdString();
        const std::vector<ChatMessage> messages = {{"system", "시스템"}, {"user", "안녕"}};
        const kmlm::ChatPrompt p = kmlm::render_chat(messages, o);
        QVERIFY(!p.from_template);
        QCOMPARE(p.text, expected);
    }

    // Gemma 2's template refuses system messages: the system text opens the first turn
    // instead, as Gemma 3's template does.
    void fallbackWhenTemplateRefuses() {
        kmlm::ChatOptions o;
        o.chat_template = read_template(QStringLiteral("gemma-2-it"));
        const auto messages = conversation(QStringLiteral("system multi"));
        const kmlm::ChatPrompt p = kmlm::render_chat(messages, o);
        QVERIFY(!p.from_template);
        QVERIFY(p.template_error.empty()); // a refusal is no fault of the template
        QCOMPARE(p.family, ChatFamily::Gemma);
        o.chat_template = read_template(QStringLiteral("gemma-3-it"));
        o.bos_token = "<bos>";
        const kmlm::ChatPrompt reference = kmlm::render_chat(messages, o);
        QVERIFY(reference.from_template);
        QCOMPARE(p.text, reference.text);
    }

    // Every published template renders a long conversation (1,001 messages, 270 KB) well
    // inside the interpreter's budgets.
    void longConversation_data() {
        QTest::addColumn<QString>("tmpl");
        for (const char* name : {"qwen2.5-instruct", "llama-3.2-instruct", "exaone-3.5-instruct", "gemma-2-it", "gemma-3-it"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }
    void longConversation() {
        QFETCH(QString, tmpl);
        std::vector<ChatMessage> messages;
        for (int i = 0; i < 500; ++i) {
            messages.push_back({"user", std::string(200, 'x') + "안녕하세요?"});
            messages.push_back({"assistant", std::string(300, 'y') + "네."});
        }
        messages.push_back({"user", "고마워"});
        kmlm::ChatOptions o;
        o.chat_template = read_template(tmpl);
        const kmlm::ChatPrompt p = kmlm::render_chat(messages, o);
        QVERIFY(p.from_template);
        QVERIFY(p.template_error.empty());
        QVERIFY(p.text.size() > 250000);
    }

    // A hostile template (here a crash, an endless loop and a memory bomb in the interpreter
    // before the budgets) fails to render; the family its markers show stands in, and the
    // reason is kept for the notice.
    void fallbackWhenTemplateIsHostile_data() {
        QTest::addColumn<std::string>("body");
        QTest::addColumn<std::string>("reason");
        QTest::newRow("INT64_MIN // -1") << std::string("{{ (-9223372036854775807 - 1) // -1 }}") << std::string("integer overflow");
        QTest::newRow("nested ranges") << std::string("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")
                                       << std::string("too much");
        QTest::newRow("doubling string")
            << std::string("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}")
            << std::string("too much data");
    }
    void fallbackWhenTemplateIsHostile() {
        QFETCH(std::string, body);
        QFETCH(std::string, reason);
        kmlm::ChatOptions o;
        o.chat_template = "{# <|im_start|> #}" + body;
        const std::vector<ChatMessage> messages = {{"user", "안녕"}};
        const kmlm::ChatPrompt p = kmlm::render_chat(messages, o);
        QVERIFY(!p.from_template);
        QCOMPARE(p.family, ChatFamily::ChatML);
        QCOMPARE(p.text, std::string("<|im_start|>user\n안녕<|im_end|>\n<|im_start|>assistant\n"));
        QVERIFY2(p.template_error.find(reason) != std::string::npos, p.template_error.c_str());
    }

    // The reasoning switch reaches the template as enable_thinking (Qwen3's generation prompt),
    // and the ChatML format by code honours it for a template that reads it.
    void thinkingSwitch() {
        kmlm::ChatOptions o;
        o.chat_template = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                          "{% if add_generation_prompt %}<|im_start|>assistant\n"
                          "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n{% endif %}"
                          "{% endif %}";
        const std::vector<ChatMessage> messages = {{"user", "안녕"}};
        const std::string open = "<|im_start|>user\n안녕<|im_end|>\n<|im_start|>assistant\n";
        QCOMPARE(kmlm::render_chat(messages, o).text, open);
        o.enable_thinking = true;
        QCOMPARE(kmlm::render_chat(messages, o).text, open);
        o.enable_thinking = false;
        QCOMPARE(kmlm::render_chat(messages, o).text, open + "<think>\n\n</think>\n\n");
        o.override_template = "chatml";                      // by code
        QCOMPARE(kmlm::render_chat(messages, o).text, open); // no template that reads the switch
        o.override_template.clear();
        o.chat_template = "{% filter upper %}<|im_start|>{{ enable_thinking }}{% endfilter %}"; // beyond the interpreter
        QCOMPARE(kmlm::render_chat(messages, o).text, open + "<think>\n\n</think>\n\n");
    }

    // A template this interpreter cannot run still gives its family's format.
    void fallbackWhenTemplateBreaks() {
        kmlm::ChatOptions o;
        o.chat_template = "{% filter upper %}<|im_start|>{{ m.role }}{% endfilter %}";
        const std::vector<ChatMessage> messages = {{"user", "안녕"}};
        const kmlm::ChatPrompt p = kmlm::render_chat(messages, o);
        QVERIFY(!p.from_template);
        QCOMPARE(p.family, ChatFamily::ChatML);
        QCOMPARE(p.text, std::string("<|im_start|>user\n안녕<|im_end|>\n<|im_start|>assistant\n"));
        QVERIFY(p.template_error.find("filter") != std::string::npos);
    }

    // Phi-3-mini's template (from its GGUF) runs as written, with the Phi-3 stop strings.
    void otherTemplateRuns() {
        kmlm::ChatOptions o;
        o.chat_template = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') %}"
                          "{{'<|user|>' + '\n' + message['content'] + '<|end|>' + '\n' + '<|assistant|>' + '\n'}}"
                          "{% elif (message['role'] == 'assistant') %}{{message['content'] + '<|end|>' + '\n'}}"
                          "{% endif %}{% endfor %}";
        o.bos_token = "<s>";
        o.eos_token = "<|endoftext|>";
        const auto messages = conversation(QStringLiteral("no system multi"));
        const kmlm::ChatPrompt p = kmlm::render_chat(messages, o);
        QVERIFY(p.from_template);
        QCOMPARE(p.family, ChatFamily::Phi3);
        QCOMPARE(p.text, std::string("<|user|>\n첫 질문<|end|>\n<|assistant|>\n첫 답<|end|>\n<|user|>\n둘째 질문<|end|>\n<|assistant|>\n"));
        QCOMPARE(p.stop_strings.front(), std::string("<|end|>"));
    }

    void family_data() {
        QTest::addColumn<QString>("tmpl");
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("stop");
        QTest::newRow("qwen2.5") << "qwen2.5-instruct"
                                 << "chatml"
                                 << "<|im_end|>";
        QTest::newRow("llama 3.2") << "llama-3.2-instruct"
                                   << "llama3"
                                   << "<|eot_id|>";
        QTest::newRow("exaone 3.5") << "exaone-3.5-instruct"
                                    << "exaone"
                                    << "[|endofturn|]";
        QTest::newRow("gemma 2") << "gemma-2-it"
                                 << "gemma"
                                 << "<end_of_turn>";
        QTest::newRow("qwen3") << "qwen3"
                               << "qwen3"
                               << "<|im_end|>";
        QTest::newRow("exaone 4.0") << "exaone-4.0"
                                    << "exaone4"
                                    << "[|endofturn|]";
        QTest::newRow("phi 3.5") << "phi-3.5-mini-instruct"
                                 << "phi3"
                                 << "<|end|>";
        QTest::newRow("none") << ""
                              << "plain"
                              << "\nUser:";
    }
    void family() {
        QFETCH(QString, tmpl);
        QFETCH(QString, family);
        QFETCH(QString, stop);
        kmlm::ChatOptions o;
        if (!tmpl.isEmpty()) o.chat_template = read_template(tmpl);
        QCOMPARE(QString::fromStdString(std::string(kmlm::to_string(kmlm::detect_chat_family(o.chat_template)))), family);
        const std::vector<ChatMessage> messages = {{"user", "안녕"}};
        const kmlm::ChatPrompt p = kmlm::render_chat(messages, o);
        QCOMPARE(QString::fromStdString(std::string(kmlm::to_string(p.family))), family);
        QVERIFY(!p.stop_strings.empty());
        QCOMPARE(QString::fromStdString(p.stop_strings.front()), stop);
    }

    void plainTranscript() {
        kmlm::ChatOptions o; // a model without a template
        const auto messages = conversation(QStringLiteral("system multi"));
        QCOMPARE(kmlm::render_chat(messages, o).text,
                 std::string("당신은 친절한 한국어 비서입니다.\n\nUser: 안녕?\nAssistant:   안녕하세요! 무엇을 도와드릴까요?  \n"
                             "User: 오늘 날씨 알려줘\nAssistant:"));
        o.add_generation_prompt = false;
        const std::vector<ChatMessage> one = {{"user", "안녕"}};
        QCOMPARE(kmlm::render_chat(one, o).text, std::string("User: 안녕\n"));
    }

    void userOverride_data() {
        QTest::addColumn<QString>("override");
        QTest::addColumn<std::string>("expected");
        QTest::newRow("family name") << "exaone" << std::string("[|system|][|endofturn|]\n[|user|]안녕\n[|assistant|]");
        QTest::newRow("qwen alias") << "qwen" << std::string("<|im_start|>user\n안녕<|im_end|>\n<|im_start|>assistant\n");
        QTest::newRow("plain") << "plain" << std::string("User: 안녕\nAssistant:");
        QTest::newRow("template text") << "{% for m in messages %}<start_of_turn>{{ m.role }}\n{{ m.content }}<end_of_turn>\n{% endfor %}"
                                       << std::string("<start_of_turn>user\n안녕<end_of_turn>\n");
    }
    void userOverride() {
        QFETCH(QString, override);
        QFETCH(std::string, expected);
        kmlm::ChatOptions o;
        o.chat_template = read_template(QStringLiteral("llama-3.2-instruct")); // the model's, overridden
        o.override_template = override.toStdString();
        const std::vector<ChatMessage> messages = {{"user", "안녕"}};
        QCOMPARE(kmlm::render_chat(messages, o).text, expected);
    }

    void familyNames() {
        for (ChatFamily f : {ChatFamily::Plain, ChatFamily::ChatML, ChatFamily::Llama3, ChatFamily::Exaone, ChatFamily::Gemma,
                             ChatFamily::Qwen3, ChatFamily::Exaone4, ChatFamily::Phi3})
            QCOMPARE(kmlm::chat_family_from_name(kmlm::to_string(f)), std::optional<ChatFamily>(f));
        QVERIFY(!kmlm::chat_family_from_name("unknown"));
    }

    void llamaTodayDate() {
        kmlm::ChatOptions o;
        o.chat_template = read_template(QStringLiteral("llama-3.2-instruct"));
        const std::vector<ChatMessage> messages = {{"user", "안녕"}};
        const std::string text = kmlm::render_chat(messages, o).text;
        const QString today = QLocale::c().toString(QDate::currentDate(), QStringLiteral("dd MMM yyyy"));
        QVERIFY2(text.find("Today Date: " + today.toStdString() + "\n") != std::string::npos, text.c_str());
    }

    void emptyConversation() {
        kmlm::ChatOptions o;
        o.chat_template = read_template(QStringLiteral("qwen2.5-instruct"));
        QCOMPARE(kmlm::render_chat({}, o).text,
                 std::string("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                             "<|im_start|>assistant\n"));
    }
};

QTEST_GUILESS_MAIN(TestChatTemplate)
#include "tst_chat_template.moc"
