// The protocol layer without HTTP: a client's request body parses back to the same request,
// the parsers' defaults and range checks, the response and chunk shapes, and the request
// gate's order.
#include "kmlm_test.h"

#include "kmlm_server/protocol.h"
#include "kmlm_server/request_gate.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

using namespace kmlm::server;
using nlohmann::json;

class TestProtocol : public QObject {
    Q_OBJECT
private slots:
    void requestBodyParsesBack() {
        GenerationRequest r;
        r.chat = true;
        r.messages = {{"system", "친절하게"}, {"user", "안녕"}, {"assistant", "네"}, {"user", "또"}};
        r.params.model = "m";
        r.params.max_tokens = 77;
        r.params.sampling.temperature = 0.25f;
        r.params.sampling.top_p = 0.5f;
        r.params.sampling.presence_penalty = 0.5f;
        r.params.sampling.frequency_penalty = -1.0f;
        r.params.sampling.seed = 42;
        r.params.stop = {"끝", "\n\n"};
        r.params.stream = true;
        r.params.include_usage = true;
        r.params.ignore_eos = true;
        const GenerationRequest back = parse_chat_request(request_body(r));
        QCOMPARE(back.messages.size(), r.messages.size());
        for (size_t i = 0; i < r.messages.size(); ++i) {
            QCOMPARE(back.messages[i].role, r.messages[i].role);
            QCOMPARE(back.messages[i].content, r.messages[i].content);
        }
        QCOMPARE(back.params.model, r.params.model);
        QCOMPARE(back.params.max_tokens, 77);
        QCOMPARE(back.params.sampling.temperature, 0.25f);
        QCOMPARE(back.params.sampling.top_p, 0.5f);
        QCOMPARE(back.params.sampling.presence_penalty, 0.5f);
        QCOMPARE(back.params.sampling.frequency_penalty, -1.0f);
        QCOMPARE(back.params.sampling.seed.value_or(0), uint64_t(42));
        QCOMPARE(back.params.stop, r.params.stop);
        QVERIFY(back.params.stream && back.params.include_usage && back.params.ignore_eos);

        GenerationRequest text;
        text.chat = false;
        text.prompt = "옛날 옛적에";
        QCOMPARE(parse_completion_request(request_body(text)).prompt, text.prompt);
    }

    // Left-out fields keep the engine's defaults; text comes out in NFC; content parts join.
    void defaultsAndNormalisation() {
        const std::string decomposed = "\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab"; // 한 as jamo
        const GenerationRequest r = parse_chat_request(
            json{{"messages",
                  {{{"role", "developer"}, {"content", decomposed}},
                   {{"role", "user"}, {"content", {{{"type", "text"}, {"text", "가"}}, {{"type", "text"}, {"text", "나"}}}}}}}}
                .dump());
        QCOMPARE(r.messages[0].role, std::string("system"));
        QCOMPARE(r.messages[0].content, std::string("한"));
        QCOMPARE(r.messages[1].content, std::string("가나"));
        const kmlm::SamplingParams engine;
        QCOMPARE(r.params.sampling.temperature, engine.temperature);
        QCOMPARE(r.params.sampling.top_k, engine.top_k);
        QCOMPARE(r.params.max_tokens, kmlm::GenerateOptions{}.max_tokens);
        QVERIFY(!r.params.stream);
        QCOMPARE(parse_completion_request(R"({"prompt": ["하나"]})").prompt, std::string("하나"));
    }

    void rangesAndTypes_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        const QByteArray m = R"("messages": [{"role": "user", "content": "x"}])";
        QTest::newRow("temperature") << "{" + m + R"(, "temperature": -0.5})"
                                     << "'temperature' must be between 0.0 and 2.0";
        QTest::newRow("temperature type") << "{" + m + R"(, "temperature": "hot"})"
                                          << "'temperature' must be a number";
        QTest::newRow("presence") << "{" + m + R"(, "presence_penalty": 2.5})"
                                  << "'presence_penalty' must be between";
        QTest::newRow("max_tokens float") << "{" + m + R"(, "max_tokens": 1.5})"
                                          << "'max_tokens' must be an integer";
        QTest::newRow("huge seed") << "{" + m + R"(, "seed": 1e300})"
                                   << "'seed' must be an integer";
        QTest::newRow("too many tokens") << "{" + m + R"(, "max_tokens": 99999999})"
                                         << "'max_tokens' must be between 1 and";
        QTest::newRow("five stops") << "{" + m + R"(, "stop": ["a","b","c","d","e"]})"
                                    << "at most 4";
        QTest::newRow("empty stop") << "{" + m + R"(, "stop": ""})"
                                    << "must not be empty";
        QTest::newRow("stream type") << "{" + m + R"(, "stream": 1})"
                                     << "'stream' must be true or false";
        QTest::newRow("image part") << QByteArray(R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})")
                                    << "only text content parts";
        QTest::newRow("no role") << QByteArray(R"({"messages": [{"content": "x"}]})") << "needs a 'role'";
    }
    void rangesAndTypes() {
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        try {
            parse_chat_request(body.toStdString());
            QFAIL("accepted");
        } catch (const ApiError& e) {
            QCOMPARE(e.status(), 400);
            QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
            const json err = json::parse(error_body(e))["error"];
            QCOMPARE(err["type"], "invalid_request_error");
            QCOMPARE(QString::fromStdString(err["message"].get<std::string>()), QString::fromUtf8(e.what()));
        }
    }

    void shapes() {
        GenerationRequest chat;
        const ResponseMeta meta{"chatcmpl-1", 1700000000, "tiny"};
        const json full = json::parse(completion_response(chat, meta, "안녕", "stop", {5, 2}));
        QCOMPARE(full["choices"][0]["message"]["content"], "안녕");
        QCOMPARE(full["usage"]["total_tokens"], 7);
        const std::string event = stream_text_event(chat, meta, "녕");
        QVERIFY(event.starts_with("data: ") && event.ends_with("\n\n"));
        QCOMPARE(json::parse(event.substr(6))["choices"][0]["delta"]["content"], "녕");
        QCOMPARE(json::parse(stream_finish_event(chat, meta, "length").substr(6))["choices"][0]["finish_reason"], "length");
        QVERIFY(json::parse(stream_usage_event(chat, meta, {1, 1}).substr(6))["choices"].empty());
        GenerationRequest text;
        text.chat = false;
        QCOMPARE(json::parse(stream_text_event(text, meta, "x").substr(6))["object"], "text_completion");
        QVERIFY(stream_start_event(text, meta).empty());
        QCOMPARE(finish_reason(kmlm::StopReason::StopString), std::string_view("stop"));
        QCOMPARE(finish_reason(kmlm::StopReason::MemoryLimit), std::string_view("length"));
    }

    // One runs, two wait and go in arrival order, a fourth is refused.
    void gateOrderAndLimit() {
        RequestGate gate(1, 2);
        auto first = gate.enter();
        QVERIFY(first);
        std::vector<int> order;
        std::mutex m;
        auto waiter = [&](int n) {
            auto t = gate.enter();
            std::lock_guard lock(m);
            order.push_back(n);
        };
        std::thread a(waiter, 1);
        while (gate.counts().waiting < 1) std::this_thread::yield();
        std::thread b(waiter, 2);
        while (gate.counts().waiting < 2) std::this_thread::yield();
        QVERIFY(!gate.enter());
        first.reset();
        a.join();
        b.join();
        QCOMPARE(order, (std::vector<int>{1, 2}));
        QCOMPARE(gate.counts().active, 0);
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
