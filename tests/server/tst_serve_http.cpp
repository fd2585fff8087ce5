// kmlm serve over raw HTTP (cpp-httplib's client): the API key, the body limit, malformed
// and out-of-range requests, the server-sent event stream, the prefix cache across turns,
// and the bounded queue (503 with Retry-After) with a client that goes away mid-stream.
#include "serve_process.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

using nlohmann::json;

namespace {
const char* kKey = "test-key";

json chatBody(const json& messages, int maxTokens, bool stream = false) {
    return {{"model", "tiny"}, {"messages", messages}, {"max_tokens", maxTokens}, {"temperature", 0}, {"stream", stream}};
}

// The "data:" payloads of a server-sent event stream.
QStringList eventData(const std::string& body) {
    QStringList data;
    for (const QString& block : QString::fromStdString(body).split(QStringLiteral("\n\n"), Qt::SkipEmptyParts)) {
        if (!block.startsWith(QStringLiteral("data: "))) return {};
        data << block.mid(6);
    }
    return data;
}
} // namespace

class TestServeHttp : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    kmlm_test::ServeProcess server_;

    httplib::Client client(bool withKey = true) {
        httplib::Client c("127.0.0.1", server_.port());
        c.set_read_timeout(120);
        if (withKey) c.set_bearer_token_auth(kKey);
        return c;
    }
    httplib::Result post(const char* path, const std::string& body, bool withKey = true) {
        return client(withKey).Post(path, body, "application/json");
    }
    // Waits (up to a minute) until /health reports the given numbers of running and waiting requests.
    bool waitForHealth(int running, int waiting) {
        for (int i = 0; i < 600; ++i) {
            auto r = client(false).Get("/health");
            if (r && r->status == 200) {
                const json h = json::parse(r->body);
                if (h["running"] == running && h["waiting"] == waiting) return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }
    static void verifyError(const httplib::Result& r, int status, const char* code) {
        QVERIFY(r);
        QCOMPARE(r->status, status);
        const json e = json::parse(r->body, nullptr, false);
        QVERIFY2(e.contains("error"), r->body.c_str());
        QCOMPARE(QString::fromStdString(e["error"]["code"].get<std::string>()), QString::fromLatin1(code));
        QVERIFY(e["error"]["message"].is_string());
        QVERIFY(e["error"]["type"].is_string());
    }

private slots:
    void initTestCase() {
        if (kmlm_test::kmlmBin().isEmpty()) QSKIP("KMLM_BIN is not set (run through ctest)");
        QVERIFY(dir_.isValid());
        const QString model = kmlm_test::makeTinyModel(dir_);
        QVERIFY(!model.isEmpty());
        QVERIFY2(server_.start(model, {"--api-key", kKey, "--parallel", "1", "--queue", "1"}), qPrintable(server_.log()));
    }

    // Loopback unless told otherwise; elsewhere without a key, a warning.
    void warnsWhenOpenWithoutKey() {
        kmlm_test::ServeProcess local, open, openWithKey;
        const QString model = dir_.filePath("tiny.gguf");
        QVERIFY(local.start(model));
        QVERIFY(local.log().contains("listening on http://127.0.0.1:"));
        QVERIFY(open.start(model, {"--host", "0.0.0.0"}));
        QVERIFY(openWithKey.start(model, {"--host", "0.0.0.0", "--api-key", "k"}));
        const char* warning = "without --api-key: anyone who can reach this address can use the model";
        QVERIFY(open.log().contains(warning));
        QVERIFY(!local.log().contains(warning));
        QVERIFY(!openWithKey.log().contains(warning));
        auto r = httplib::Client("127.0.0.1", open.port()).Get("/v1/models");
        QVERIFY(r && r->status == 200);
    }

    void healthNeedsNoKey() {
        auto r = client(false).Get("/health");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(json::parse(r->body)["status"], "ok");
    }

    void wrongKeyIs401() {
        verifyError(client(false).Get("/v1/models"), 401, "invalid_api_key");
        httplib::Client wrong("127.0.0.1", server_.port());
        wrong.set_bearer_token_auth("not-the-key");
        verifyError(wrong.Post("/v1/chat/completions", chatBody({{{"role", "user"}, {"content", "x"}}}, 2).dump(), "application/json"), 401,
                    "invalid_api_key");
        auto ok = client().Get("/v1/models");
        QVERIFY(ok);
        QCOMPARE(ok->status, 200);
        QCOMPARE(json::parse(ok->body)["data"][0]["id"], "tiny");
    }

    void oversizedBodyIs413() {
        const std::string content(2u << 20, 'a');
        verifyError(post("/v1/chat/completions", chatBody({{{"role", "user"}, {"content", content}}}, 2).dump()), 413, "request_too_large");
    }

    void badRequestsAre400_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        const QString chat = QStringLiteral("/v1/chat/completions");
        QTest::newRow("malformed JSON") << chat << QByteArray(R"({"messages": [)") << "invalid_json";
        QTest::newRow("not an object") << chat << QByteArray("[1, 2]") << "invalid_json";
        QTest::newRow("invalid UTF-8") << chat << QByteArray("{\"messages\":[{\"role\":\"user\",\"content\":\"\xff\"}]}") << "invalid_json";
        QTest::newRow("no messages") << chat << QByteArray(R"({"messages": []})") << "missing_messages";
        QTest::newRow("tool role") << chat << QByteArray(R"({"messages": [{"role": "tool", "content": "x"}]})") << "invalid_value";
        QTest::newRow("temperature") << chat << QByteArray(R"({"messages": [{"role": "user", "content": "x"}], "temperature": 2.5})")
                                     << "invalid_value";
        QTest::newRow("top_p") << chat << QByteArray(R"({"messages": [{"role": "user", "content": "x"}], "top_p": -0.1})")
                               << "invalid_value";
        QTest::newRow("max_tokens") << chat << QByteArray(R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0})")
                                    << "invalid_value";
        QTest::newRow("stop type") << chat << QByteArray(R"({"messages": [{"role": "user", "content": "x"}], "stop": 3})")
                                   << "invalid_value";
        QTest::newRow("n") << chat << QByteArray(R"({"messages": [{"role": "user", "content": "x"}], "n": 2})") << "invalid_value";
        QTest::newRow("frequency_penalty") << chat
                                           << QByteArray(R"({"messages": [{"role": "user", "content": "x"}], "frequency_penalty": 3})")
                                           << "invalid_value";
        QTest::newRow("no prompt") << "/v1/completions" << QByteArray(R"({"max_tokens": 4})") << "missing_prompt";
        QTest::newRow("prompt too long") << "/v1/completions" << QString(R"({"prompt": "%1"})").arg(QString(600, QLatin1Char('a'))).toUtf8()
                                         << "context_length_exceeded";
    }
    void badRequestsAre400() {
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        verifyError(post(path.toUtf8().constData(), body.toStdString()), 400, code.toLatin1().constData());
    }

    void unknownEndpointIs404() { verifyError(client().Get("/v1/nothing"), 404, "not_found"); }

    // The stream is server-sent events ending with [DONE]; its text is the unstreamed answer.
    void streamMatchesPlainAnswer() {
        const json messages = {{{"role", "user"}, {"content", "안녕하세요"}}};
        auto plain = post("/v1/chat/completions", chatBody(messages, 24).dump());
        QVERIFY(plain);
        QCOMPARE(plain->status, 200);
        const json answer = json::parse(plain->body);
        QCOMPARE(answer["object"], "chat.completion");
        QVERIFY(answer["usage"]["prompt_tokens"].get<int>() > 0);
        QCOMPARE(answer["usage"]["total_tokens"].get<int>(),
                 answer["usage"]["prompt_tokens"].get<int>() + answer["usage"]["completion_tokens"].get<int>());

        auto streamed = post("/v1/chat/completions", chatBody(messages, 24, true).dump());
        QVERIFY(streamed);
        QCOMPARE(streamed->status, 200);
        QVERIFY(streamed->get_header_value("Content-Type").find("text/event-stream") == 0);
        const QStringList data = eventData(streamed->body);
        QVERIFY(data.size() >= 3);
        QCOMPARE(data.last(), QStringLiteral("[DONE]"));
        std::string text, finish;
        for (qsizetype i = 0; i + 1 < data.size(); ++i) {
            const json chunk = json::parse(data[i].toStdString());
            QCOMPARE(chunk["object"], "chat.completion.chunk");
            const json& choice = chunk["choices"][0];
            if (i == 0) QCOMPARE(choice["delta"]["role"], "assistant");
            if (choice["delta"].contains("content")) text += choice["delta"]["content"].get<std::string>();
            if (!choice["finish_reason"].is_null()) finish = choice["finish_reason"].get<std::string>();
        }
        QCOMPARE(QString::fromStdString(text), QString::fromStdString(answer["choices"][0]["message"]["content"].get<std::string>()));
        QCOMPARE(QString::fromStdString(finish), QString::fromStdString(answer["choices"][0]["finish_reason"].get<std::string>()));
    }

    // The next turn of a conversation starts from the cached prefix: the log says how much.
    void nextTurnReusesTheCache() {
        json messages = {{{"role", "user"}, {"content", "오늘 날씨 어때?"}}};
        auto first = post("/v1/chat/completions", chatBody(messages, 8).dump());
        QVERIFY(first && first->status == 200);
        const json a = json::parse(first->body);
        const int firstPrompt = a["usage"]["prompt_tokens"];
        messages.push_back({{"role", "assistant"}, {"content", a["choices"][0]["message"]["content"]}});
        messages.push_back({{"role", "user"}, {"content", "고마워"}});
        auto second = post("/v1/chat/completions", chatBody(messages, 8).dump());
        QVERIFY(second && second->status == 200);
        const QString id = QString::fromStdString(json::parse(second->body)["id"].get<std::string>());
        QVERIFY(server_.waitForLog(id + ": \\d+ prompt tokens \\(\\d+ reused\\)"));
        const QRegularExpression re(QRegularExpression::escape(id) + ": (\\d+) prompt tokens \\((\\d+) reused\\)");
        const QRegularExpressionMatch m = re.match(server_.log());
        QVERIFY(m.captured(1).toInt() > firstPrompt);
        QVERIFY2(m.captured(2).toInt() >= firstPrompt - 1, qPrintable(m.captured(0)));
    }

    // --parallel 1 --queue 1: one request generates, one waits, a third is refused with 503
    // and Retry-After. The generating client then goes away; its generation stops and the
    // waiting request is answered.
    void queueFullIs503AndAbortFreesTheSlot() {
        std::atomic<int> chunks{0};
        std::atomic<bool> leave{false};
        std::thread streaming([&] {
            httplib::Client c = client();
            httplib::Request req;
            req.method = "POST";
            req.path = "/v1/chat/completions";
            req.headers = {{"Authorization", std::string("Bearer ") + kKey}, {"Content-Type", "application/json"}};
            json body = chatBody({{{"role", "user"}, {"content", "끝없이 이야기해 줘"}}}, 1 << 20, true);
            body["ignore_eos"] = true; // runs until the client goes away
            req.body = body.dump();
            req.content_receiver = [&](const char*, size_t, uint64_t, uint64_t) {
                ++chunks;
                return !leave.load();
            };
            c.send(req);
        });
        struct Join { // also when a check fails below
            std::atomic<bool>& leave;
            std::thread& t;
            ~Join() {
                leave = true;
                if (t.joinable()) t.join();
            }
        } joinStreaming{leave, streaming};
        QVERIFY(waitForHealth(1, 0));
        int waitedStatus = 0;
        std::thread waiting([&] {
            auto r = post("/v1/chat/completions", chatBody({{{"role", "user"}, {"content", "짧게"}}}, 4).dump());
            waitedStatus = r ? r->status : -1;
        });
        Join joinWaiting{leave, waiting};
        QVERIFY(waitForHealth(1, 1));

        auto refused = post("/v1/chat/completions", chatBody({{{"role", "user"}, {"content", "나도"}}}, 4).dump());
        verifyError(refused, 503, "server_busy");
        QCOMPARE(refused->get_header_value("Retry-After"), std::string("2"));

        QVERIFY(chunks.load() > 0);
        leave = true;
        streaming.join();
        waiting.join();
        QCOMPARE(waitedStatus, 200);
        QVERIFY(server_.waitForLog("cancelled: the client went away"));
        QVERIFY(waitForHealth(0, 0));
    }

    // SIGTERM cancels a generation in progress (it would run for a million tokens) and the
    // server exits cleanly.
    void sigtermStopsARunningStream() {
        std::thread streaming([&] {
            json body = chatBody({{{"role", "user"}, {"content", "계속"}}}, 1 << 20, true);
            body["ignore_eos"] = true;
            post("/v1/chat/completions", body.dump());
        });
        struct Join {
            std::thread& t;
            ~Join() { t.join(); }
        } join{streaming};
        QVERIFY(waitForHealth(1, 0));
        QCOMPARE(server_.stop(), 0);
        QVERIFY(server_.log().contains("kmlm serve: stopping"));
    }
};

QTEST_GUILESS_MAIN(TestServeHttp)
#include "tst_serve_http.moc"
