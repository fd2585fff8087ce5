// EngineController / EngineWorker: loading with progress and fallback, streaming chat and
// completion, stop and cancel (running and queued), stale completions, switching models
// while generating, errors as signals, a UI thread that never waits on the engine, and the
// meta types its queued signals carry.
#include "engine_signals.h"
#include "kmlm_test.h"

#include "chatprompt.h"
#include "enginecontroller.h"
#include "engineworker.h"
#include "hostile_templates.h"
#include "modelregistry.h"

#include "kmlm/chat_template.h"
#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/gru_io.h"
#include "kmlm/memory.h"
#include "kmlm/model_random.h"

#include <QFile>
#include <QFileInfo>
#include <QMetaMethod>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace kmlm::core;

namespace {

constexpr int kWait = 60000; // generous: the machine may be busy; tests end as soon as the signal comes

// One engine thread: the tiny test models gain nothing from more, and the test machine is shared.
EngineSettings settings() {
    EngineSettings s;
    s.threads = 1;
    return s;
}

QVector<ChatTurn> question(const QString& text) { return {{QStringLiteral("user"), text}}; }

SamplingSettings seeded(int maxTokens) {
    SamplingSettings s;
    s.seed = 7;
    s.maxTokens = maxTokens;
    return s;
}

using kmlm_test::finished;
using kmlm_test::waitFinished;

int metaTypeId(const char* name) {
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
    return QMetaType::fromName(name).id();
#else
    return QMetaType::type(name);
#endif
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_llama, m_qwen, m_gru, m_malformed, m_empty;

    bool load(EngineController& engine, const QString& path) {
        QSignalSpy loaded(&engine, &EngineController::modelLoaded);
        engine.loadModel(path, settings());
        return loaded.wait(kWait) && engine.currentModel().path == path;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        kmlm::RandomModelSpec spec;
        spec.arch = "llama";
        spec.name = "tiny-llama";
        spec.n_vocab = 32000; // the end-of-text token is hardly ever drawn: long answers stay long
        m_llama = m_dir.filePath(QStringLiteral("tiny-llama.gguf"));
        kmlm::write_random_model(spec, m_llama.toStdString());
        spec.arch = "qwen2";
        spec.name = "tiny-qwen";
        spec.seed = 2;
        m_qwen = m_dir.filePath(QStringLiteral("tiny-qwen.gguf"));
        kmlm::write_random_model(spec, m_qwen.toStdString());
        kmlm::GruConfig gru;
        gru.embed_dim = 16;
        gru.hidden_dim = 32;
        m_gru = m_dir.filePath(QStringLiteral("tiny-gru.gguf"));
        kmlm::write_gru_gguf(kmlm::GruWeights::random(gru, 5), m_gru.toStdString(), kmlm::GgmlType::F32, "tiny-gru");
        m_malformed = m_dir.filePath(QStringLiteral("malformed.gguf"));
        QFile f(m_malformed);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("GGUF\x03\x00\x00\x00", 8) + QByteArray(64, '\xff'));
        f.close();
        m_empty = m_dir.filePath(QStringLiteral("empty.gguf"));
        QFile e(m_empty);
        QVERIFY(e.open(QIODevice::WriteOnly));
    }

    // A queued signal finds its argument types by the names moc wrote, as the declaration
    // spells them (unqualified inside kmlm::core): each of them is registered, and so are
    // the qualified names.
    void signalArgumentTypesAreRegistered() {
        EngineController engine; // registers the meta types
        for (const QMetaObject* mo : {&EngineController::staticMetaObject, &EngineWorker::staticMetaObject}) {
            for (int i = mo->methodOffset(); i < mo->methodCount(); ++i) {
                const QMetaMethod method = mo->method(i);
                if (method.methodType() != QMetaMethod::Signal) continue;
                for (const QByteArray& type : method.parameterTypes()) {
                    const QByteArray what = mo->className() + QByteArray("::") + method.methodSignature() + ": " + type;
                    QVERIFY2(metaTypeId(type.constData()) != QMetaType::UnknownType, what.constData());
                }
            }
        }
        QCOMPARE(metaTypeId("GenerationResult"), qMetaTypeId<GenerationResult>());
        QCOMPARE(metaTypeId("kmlm::core::GenerationResult"), qMetaTypeId<GenerationResult>());
        QCOMPARE(metaTypeId("kmlm::core::ModelDescription"), qMetaTypeId<ModelDescription>());
    }

    void loadReportsProgressAndModel() {
        EngineController engine;
        QSignalSpy progress(&engine, &EngineController::modelLoadProgress);
        QSignalSpy loaded(&engine, &EngineController::modelLoaded);
        QSignalSpy memory(&engine, &EngineController::modelMemory);
        engine.loadModel(m_llama, settings());
        QVERIFY(engine.isLoading());
        QVERIFY(loaded.wait(kWait));
        QVERIFY(!engine.isLoading());
        const ModelDescription m = loaded.first().first().value<ModelDescription>();
        QCOMPARE(m.path, m_llama);
        QCOMPARE(m.architecture, QStringLiteral("llama"));
        QCOMPARE(m.name, QStringLiteral("tiny-llama"));
        QVERIFY(m.parameters > 0);
        QVERIFY(m.weightBytes > 0);
        QCOMPARE(engine.currentModel().path, m_llama);
        QVERIFY(!memory.isEmpty());
        QVERIFY(memory.last().at(0).toULongLong() > 0);
        for (const QList<QVariant>& p : progress) {
            QVERIFY(p.at(0).toFloat() >= 0.f);
            QVERIFY(p.at(0).toFloat() <= 1.f);
        }
    }

    void chatStreamsTheWholeAnswer() {
        EngineController engine;
        QVERIFY(load(engine, m_llama));
        QSignalSpy streamed(&engine, &EngineController::textStreamed);
        QSignalSpy done(&engine, &EngineController::generationFinished);
        const quint64 id = engine.newRequestId();
        engine.startChat(id, question(QStringLiteral("안녕하세요, 오늘 날씨 어때요?")), QStringLiteral("짧게 답하세요."), seeded(24));
        QVERIFY(waitFinished(done, id));
        const GenerationResult r = *finished(done, id);
        QVERIFY2(r.errorMessage.isEmpty(), qPrintable(r.errorMessage));
        QString text;
        for (const QList<QVariant>& s : streamed) {
            QCOMPARE(s.at(0).toULongLong(), id);
            QVERIFY(s.at(2).toDouble() >= 0);
            text += s.at(1).toString();
        }
        QCOMPARE(text, r.text);
        QVERIFY(r.generatedTokens <= 24);
        QCOMPARE(r.tokens.size(), r.generatedTokens);
        QVERIFY(r.promptTokens > 0);
        QCOMPARE(r.model, QStringLiteral("tiny-llama"));
        QVERIFY(r.reason == StopReason::MaxTokens || r.reason == StopReason::EndOfText || r.reason == StopReason::StopString);
    }

    void gruAnswersAndCompletes() {
        EngineController engine;
        QVERIFY(load(engine, m_gru));
        QCOMPARE(engine.currentModel().architecture, QStringLiteral("kmlm-gru"));
        QSignalSpy streamed(&engine, &EngineController::textStreamed);
        QSignalSpy done(&engine, &EngineController::generationFinished);
        const quint64 chat = engine.newRequestId(), completion = engine.newRequestId();
        engine.startChat(chat, question(QStringLiteral("오늘 날씨가")), QStringLiteral("무시되는 지시"), seeded(30));
        engine.startCompletion(completion, QStringLiteral("옛날 옛적에 "), 30, seeded(30));
        QVERIFY(waitFinished(done, completion));
        for (quint64 id : {chat, completion}) {
            const GenerationResult r = *finished(done, id);
            QVERIFY2(r.errorMessage.isEmpty(), qPrintable(r.errorMessage));
            QString text;
            for (const QList<QVariant>& chunk : streamed)
                if (chunk.at(0).toULongLong() == id) text += chunk.at(1).toString();
            QCOMPARE(text, r.text);
            // Whole syllables only: NFC text that stays the same when normalised again.
            QCOMPARE(text, text.normalized(QString::NormalizationForm_C));
            QCOMPARE(r.model, QStringLiteral("tiny-gru"));
        }
    }

    // Decoders get the conversation through the model's chat template, earlier answers
    // without their reasoning; the GRU only the question(s) after the last answer.
    void chatPrompts() {
        const QVector<ChatTurn> turns = {{QStringLiteral("user"), QStringLiteral("첫 질문")},
                                         {QStringLiteral("assistant"), QStringLiteral("<think>\n속으로 따져 봄\n</think>\n\n첫 대답")},
                                         {QStringLiteral("user"), QStringLiteral("둘째 질문")}};
        auto llama = kmlm::load_model(m_llama.toStdString());
        const EnginePrompt p = chatPrompt(*llama, turns, QStringLiteral("시스템 지시"));
        const QString text = QString::fromStdString(llama->tokenizer().decode(p.tokens));
        for (const char* part : {"시스템 지시", "첫 질문", "첫 대답", "둘째 질문"}) QVERIFY2(text.contains(QString::fromUtf8(part)), part);
        QVERIFY(text.indexOf(QStringLiteral("첫 대답")) < text.indexOf(QStringLiteral("둘째 질문")));
        QVERIFY2(!text.contains(QStringLiteral("따져")) && !text.contains(QStringLiteral("think")), qPrintable(text));
        QVERIFY(!p.stopStrings.empty());

        auto gru = kmlm::load_model(m_gru.toStdString());
        const EnginePrompt g = chatPrompt(*gru, turns, QStringLiteral("시스템 지시"));
        QCOMPARE(QString::fromStdString(gru->tokenizer().decode(g.tokens)), QStringLiteral("둘째 질문 "));
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, chatPrompt(*gru, {}, QString()));
    }

    // The app's prompt is the one kmlm run --chat and kmlm serve build (kmlm::chat_options):
    // the same template, BOS/EOS text and stop strings for the same conversation.
    void chatPromptIsTheCliPrompt() {
        for (const QString& path : {m_llama, m_qwen}) {
            auto model = kmlm::load_model(path.toStdString());
            const EnginePrompt app = chatPrompt(*model, question(QStringLiteral("서울 날씨 어때?")), QStringLiteral("짧게"));
            const std::vector<kmlm::ChatMessage> messages = {{"system", "짧게"}, {"user", "서울 날씨 어때?"}};
            kmlm::ChatOptions options = kmlm::chat_options(*model);
            options.enable_thinking = true;
            const kmlm::ChatPrompt cli = kmlm::render_chat(messages, options);
            QCOMPARE(app.tokens, model->tokenizer().encode(cli.text, true, true));
            QCOMPARE(app.stopStrings, cli.stop_strings);
            QCOMPARE(options.chat_template, model->info().chat_template);
            if (model->tokenizer().bos() >= 0) QCOMPARE(options.bos_token, model->tokenizer().token_text(model->tokenizer().bos()));
            QCOMPARE(kmlm::render_chat(*model, messages).stop_strings, cli.stop_strings);
        }
    }

    void sameSeedSameAnswer() {
        EngineController engine;
        QVERIFY(load(engine, m_llama));
        QSignalSpy done(&engine, &EngineController::generationFinished);
        const quint64 a = engine.newRequestId(), b = engine.newRequestId();
        engine.startCompletion(a, QStringLiteral("옛날 옛적에"), 16, seeded(16));
        QVERIFY(waitFinished(done, a));
        engine.startCompletion(b, QStringLiteral("옛날 옛적에"), 16, seeded(16));
        QVERIFY(waitFinished(done, b));
        QCOMPARE(finished(done, b)->text, finished(done, a)->text);
        QVERIFY(finished(done, b)->reusedTokens > 0); // the prompt was still in the model's state
    }

    // Greedy completions and chat answers check guessed tokens in batches, with the text of
    // plain greedy decoding.
    void greedyDrafts() {
        EngineController engine;
        QVERIFY(load(engine, m_llama));
        QSignalSpy done(&engine, &EngineController::generationFinished);
        SamplingSettings greedy = seeded(40);
        greedy.temperature = 0;
        const QString prefix = QStringLiteral("하나 둘 셋 넷, 하나 둘 셋 넷, 하나 둘 셋 넷, 하나 둘");
        const quint64 completion = engine.newRequestId(), chat = engine.newRequestId();
        engine.startCompletion(completion, prefix, 40, greedy);
        engine.startChat(chat, question(prefix), {}, greedy);
        QVERIFY(waitFinished(done, chat));
        QVERIFY(finished(done, completion)->draftedTokens > 0);

        auto model = kmlm::load_model(m_llama.toStdString());
        auto plain = [&](const EnginePrompt& p) {
            kmlm::GenerateOptions o;
            o.sampling = greedy.toParams();
            o.max_tokens = 40;
            o.draft_tokens = 0;
            o.stop_strings = p.stopStrings;
            return kmlm::generate(*model, p.tokens, o);
        };
        for (const auto& [id, want] : {std::pair{completion, plain(completionPrompt(*model, prefix))},
                                       std::pair{chat, plain(chatPrompt(*model, question(prefix), {}))}}) {
            const GenerationResult r = *finished(done, id);
            QVERIFY(r.acceptedTokens <= r.draftedTokens);
            QCOMPARE(r.tokens, QVector<int>(want.tokens.begin(), want.tokens.end()));
            QCOMPARE(r.text, QString::fromStdString(want.text));
        }
    }

    void stopEndsTheRunningAnswer() {
        EngineController engine;
        QVERIFY(load(engine, m_llama));
        QSignalSpy streamed(&engine, &EngineController::textStreamed);
        QSignalSpy done(&engine, &EngineController::generationFinished);
        const quint64 id = engine.newRequestId();
        engine.startChat(id, question(QStringLiteral("긴 이야기를 해 줘")), {}, seeded(1000000));
        QVERIFY(streamed.wait(kWait));
        engine.stop();
        QVERIFY(waitFinished(done, id));
        const GenerationResult r = *finished(done, id);
        QCOMPARE(r.reason, StopReason::Cancelled);
        QVERIFY(r.generatedTokens > 0);
        QVERIFY(r.generatedTokens < 1000000);
        QCOMPARE(engine.runningRequest(), quint64(0));
    }

    void cancelRunningAndQueued() {
        EngineController engine;
        QVERIFY(load(engine, m_llama));
        QSignalSpy streamed(&engine, &EngineController::textStreamed);
        QSignalSpy done(&engine, &EngineController::generationFinished);
        const quint64 running = engine.newRequestId(), queued = engine.newRequestId(), next = engine.newRequestId();
        engine.startChat(running, question(QStringLiteral("첫 질문")), {}, seeded(1000000));
        engine.startChat(queued, question(QStringLiteral("둘째 질문")), {}, seeded(8));
        engine.startChat(next, question(QStringLiteral("셋째 질문")), {}, seeded(8));
        engine.cancel(queued); // before it starts
        QVERIFY(streamed.wait(kWait));
        engine.cancel(running);
        QVERIFY(waitFinished(done, next));
        QCOMPARE(finished(done, running)->reason, StopReason::Cancelled);
        QCOMPARE(finished(done, queued)->reason, StopReason::Cancelled);
        QCOMPARE(finished(done, queued)->generatedTokens, 0);
        QVERIFY(finished(done, next)->reason != StopReason::Cancelled);
        QVERIFY(finished(done, next)->generatedTokens > 0);
    }

    void newCompletionCancelsStaleOnes() {
        EngineController engine;
        QVERIFY(load(engine, m_llama));
        QSignalSpy streamed(&engine, &EngineController::textStreamed);
        QSignalSpy done(&engine, &EngineController::generationFinished);
        const quint64 first = engine.newRequestId(), stale = engine.newRequestId(), latest = engine.newRequestId();
        engine.startCompletion(first, QStringLiteral("하늘"), 1000000);
        QVERIFY(streamed.wait(kWait)); // the first one is running
        engine.startCompletion(stale, QStringLiteral("하늘이"), 1000000);
        engine.startCompletion(latest, QStringLiteral("하늘이 파랗"), 6);
        QVERIFY(waitFinished(done, latest));
        QCOMPARE(finished(done, first)->reason, StopReason::Cancelled);
        QCOMPARE(finished(done, stale)->reason, StopReason::Cancelled);
        QVERIFY(finished(done, latest)->reason != StopReason::Cancelled);
        // The last signal is the newest completion's.
        QCOMPARE(done.last().at(0).toULongLong(), latest);
    }

    void controllerNeverWaitsForTheEngine() {
        EngineController engine;
        QVERIFY(load(engine, m_llama));
        QSignalSpy streamed(&engine, &EngineController::textStreamed);
        QSignalSpy done(&engine, &EngineController::generationFinished);
        QSignalSpy counted(&engine, &EngineController::tokenCount);
        const quint64 id = engine.newRequestId();
        engine.startChat(id, question(QStringLiteral("아주 긴 답을 줘")), {}, seeded(1000000));
        QVERIFY(streamed.wait(kWait));
        // While the engine thread is busy, every call returns without the generation ending:
        // they were queued, not run (or waited for) here.
        const quint64 other = engine.newRequestId();
        engine.countTokens(other, QStringLiteral("토큰을 세어 주세요"));
        engine.startCompletion(engine.newRequestId(), QStringLiteral("문장"), 4);
        engine.startChat(engine.newRequestId(), question(QStringLiteral("다음")), {}, seeded(4));
        QCOMPARE(engine.runningRequest(), id);
        QVERIFY(done.isEmpty());
        // Tokens are counted beside the generation, not after it.
        QVERIFY(counted.wait(kWait));
        QCOMPARE(counted.first().at(0).toULongLong(), other);
        QVERIFY(counted.first().at(1).toInt() > 0);
        QVERIFY(done.isEmpty());
        QCOMPARE(engine.runningRequest(), id);
        engine.stop();
        QVERIFY(waitFinished(done, id));
    }

    void switchingModelsCancelsTheAnswerFirst() {
        EngineController engine;
        QVERIFY(load(engine, m_llama));
        QStringList events;
        connect(&engine, &EngineController::generationFinished, this, [&](quint64, const GenerationResult& r) {
            events << QStringLiteral("finished:") + QString::fromUtf8(kmlm::to_string(r.reason).data());
        });
        connect(&engine, &EngineController::modelLoaded, this,
                [&](const ModelDescription& m) { events << QStringLiteral("loaded:") + m.name; });
        QSignalSpy streamed(&engine, &EngineController::textStreamed);
        QSignalSpy loaded(&engine, &EngineController::modelLoaded);
        engine.startChat(engine.newRequestId(), question(QStringLiteral("계속 말해 줘")), {}, seeded(1000000));
        QVERIFY(streamed.wait(kWait));
        engine.loadModel(m_qwen, settings());
        QVERIFY(loaded.wait(kWait));
        QCOMPARE(events, (QStringList{QStringLiteral("finished:cancelled"), QStringLiteral("loaded:tiny-qwen")}));
        QCOMPARE(engine.currentModel().architecture, QStringLiteral("qwen2"));
        // And the new model answers.
        QSignalSpy done(&engine, &EngineController::generationFinished);
        const quint64 id = engine.newRequestId();
        engine.startChat(id, question(QStringLiteral("안녕")), {}, seeded(4));
        QVERIFY(waitFinished(done, id));
        QCOMPARE(finished(done, id)->model, QStringLiteral("tiny-qwen"));
    }

    void failedLoadKeepsThePreviousModel_data() {
        QTest::addColumn<QString>("which");
        QTest::newRow("missing file") << QStringLiteral("missing");
        QTest::newRow("malformed file") << QStringLiteral("malformed");
        QTest::newRow("empty file") << QStringLiteral("empty");
    }

    QString pathOf(const QString& which) const {
        if (which == QLatin1String("malformed")) return m_malformed;
        if (which == QLatin1String("empty")) return m_empty;
        return m_dir.filePath(QStringLiteral("no-such-model.gguf"));
    }

    void failedLoadKeepsThePreviousModel() {
        QFETCH(QString, which);
        EngineController engine;
        QVERIFY(load(engine, m_qwen));
        QSignalSpy failed(&engine, &EngineController::modelLoadFailed);
        engine.loadModel(pathOf(which), settings(), m_llama);
        QVERIFY(failed.wait(kWait));
        QVERIFY(failed.first().at(0).toString().contains(QFileInfo(pathOf(which)).fileName()));
        QCOMPARE(failed.first().at(1).toString(), m_qwen); // the previous model, not the fallback
        QCOMPARE(engine.currentModel().path, m_qwen);
        QVERIFY(!engine.isLoading());
    }

    void failedFirstLoadFallsBack_data() { failedLoadKeepsThePreviousModel_data(); }

    void failedFirstLoadFallsBack() {
        QFETCH(QString, which);
        EngineController engine;
        QSignalSpy failed(&engine, &EngineController::modelLoadFailed);
        engine.loadModel(pathOf(which), settings(), m_llama);
        QVERIFY(failed.wait(kWait));
        QCOMPARE(failed.first().at(1).toString(), m_llama);
        QCOMPARE(engine.currentModel().path, m_llama);
    }

    // Without a fallback given, a failed first load falls back to the bundled GRU model.
    void failedLoadFallsBackToTheBundledModel() {
        const QString bundled = ModelRegistry::bundledModelPath();
        if (bundled.isEmpty()) QSKIP("no bundled model (resources/models/kmlm-gru-ko.gguf)");
        EngineController engine;
        QSignalSpy failed(&engine, &EngineController::modelLoadFailed);
        engine.loadModel(m_malformed, settings());
        QVERIFY(failed.wait(kWait));
        QCOMPARE(failed.first().at(1).toString(), bundled);
        QVERIFY(engine.currentModel().bundled);
        QVERIFY(engine.currentModel().isGru());
        // And it answers in Korean text (whole syllables).
        QSignalSpy done(&engine, &EngineController::generationFinished);
        const quint64 id = engine.newRequestId();
        engine.startChat(id, question(QStringLiteral("오늘 날씨가")), {}, seeded(40));
        QVERIFY(waitFinished(done, id));
        const GenerationResult r = *finished(done, id);
        QVERIFY(r.generatedTokens > 0);
        QCOMPARE(r.text, r.text.normalized(QString::NormalizationForm_C));
        qInfo("bundled GRU: %s", qPrintable(r.text));
    }

    void noModelGivesErrors() {
        EngineController engine;
        QSignalSpy failed(&engine, &EngineController::modelLoadFailed);
        QSignalSpy unloaded(&engine, &EngineController::modelUnloaded);
        engine.loadModel(m_malformed, settings(), m_empty); // the fallback is broken too
        QVERIFY(failed.wait(kWait));
        QVERIFY(failed.first().at(1).toString().isEmpty());
        QVERIFY(!failed.first().at(0).toString().isEmpty());
        QVERIFY(!engine.currentModel().isValid());

        QSignalSpy done(&engine, &EngineController::generationFinished);
        QSignalSpy counted(&engine, &EngineController::tokenCount);
        const quint64 id = engine.newRequestId();
        engine.startChat(id, question(QStringLiteral("안녕")), {}, seeded(4));
        engine.countTokens(id, QStringLiteral("안녕"));
        QVERIFY(waitFinished(done, id));
        QCOMPARE(finished(done, id)->reason, StopReason::Error);
        QVERIFY(!finished(done, id)->errorMessage.isEmpty());
        QVERIFY(!counted.isEmpty() || counted.wait(kWait));
        QCOMPARE(counted.first().at(1).toInt(), -1);
    }

    // A prompt longer than the context is answered (the window slides), not refused or hung.
    void promptLongerThanTheContext() {
        EngineController engine;
        QSignalSpy loaded(&engine, &EngineController::modelLoaded);
        EngineSettings small = settings();
        small.contextLength = 32;
        engine.loadModel(m_llama, small);
        QVERIFY(loaded.wait(kWait));
        QSignalSpy done(&engine, &EngineController::generationFinished);
        QSignalSpy errors(&engine, &EngineController::engineError);
        const quint64 id = engine.newRequestId();
        engine.startCompletion(id, QString(300, QChar(0xD55C)), 8, seeded(8));
        QVERIFY(waitFinished(done, id));
        const GenerationResult r = *finished(done, id);
        QVERIFY2(r.errorMessage.isEmpty(), qPrintable(r.errorMessage));
        QVERIFY(r.generatedTokens > 0);
        QVERIFY(r.promptTokens > 32);
        QVERIFY(errors.isEmpty());
    }

    // A model whose chat template attacks the interpreter (see hostile_templates.h) still
    // answers, in the built-in ChatML format, with one notice naming the file; the engine
    // thread stays responsive and the process far under the memory ceiling.
    void hostileTemplateFallsBack_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("body");
        for (const auto& [name, body] : kmlm_test::hostileTemplates())
            QTest::newRow(name.c_str()) << QString::fromStdString(name) << QString::fromStdString(body);
    }
    void hostileTemplateFallsBack() {
        QFETCH(QString, name);
        QFETCH(QString, body);
        kmlm::RandomModelSpec spec;
        spec.name = "hostile";
        spec.n_vocab = 32000; // long answers stay long
        spec.chat_template = body.toStdString();
        const QString path = m_dir.filePath(QStringLiteral("hostile-%1.gguf").arg(name));
        kmlm::write_random_model(spec, path.toStdString());

        auto model = kmlm::load_model(path.toStdString());
        const EnginePrompt p = chatPrompt(*model, question(QStringLiteral("안녕")), {});
        QVERIFY(!p.templateError.empty());
        QCOMPARE(p.tokens, model->tokenizer().encode("<|im_start|>user\n안녕<|im_end|>\n<|im_start|>assistant\n", true, true));

        EngineController engine;
        QVERIFY(load(engine, path));
        QSignalSpy done(&engine, &EngineController::generationFinished);
        QSignalSpy notices(&engine, &EngineController::engineError);
        for (const QString& text : {QStringLiteral("안녕"), QStringLiteral("또 만나")}) {
            const quint64 id = engine.newRequestId();
            engine.startChat(id, question(text), QStringLiteral("짧게 답하세요."), seeded(8));
            QVERIFY(waitFinished(done, id));
            const GenerationResult r = *finished(done, id);
            QVERIFY2(r.errorMessage.isEmpty(), qPrintable(r.errorMessage));
            QVERIFY(r.generatedTokens > 0);
        }
        QCOMPARE(notices.size(), 1); // once per model, not at every message
        const QString notice = notices.first().at(0).toString();
        QVERIFY2(notice.contains(QFileInfo(path).fileName()) && notice.contains(QStringLiteral("chatml")), qPrintable(notice));
        QVERIFY(kmlm::read_process_memory().peak_rss < kmlm::kDefaultMemoryLimit / 3);
    }

    void unloadFreesTheModel() {
        EngineController engine;
        QVERIFY(load(engine, m_llama));
        QSignalSpy unloaded(&engine, &EngineController::modelUnloaded);
        QSignalSpy memory(&engine, &EngineController::modelMemory);
        engine.unloadModel();
        QVERIFY(unloaded.wait(kWait));
        QVERIFY(!engine.currentModel().isValid());
        QVERIFY(!memory.isEmpty());
        QCOMPARE(memory.last().at(0).toULongLong(), quint64(0));
    }

    void destroyingWhileGeneratingDoesNotHang() {
        auto engine = std::make_unique<EngineController>();
        QVERIFY(load(*engine, m_llama));
        QSignalSpy streamed(engine.get(), &EngineController::textStreamed);
        engine->startChat(engine->newRequestId(), question(QStringLiteral("끝없이")), {}, seeded(1000000));
        QVERIFY(streamed.wait(kWait));
        engine.reset(); // cancels and joins the engine thread
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
