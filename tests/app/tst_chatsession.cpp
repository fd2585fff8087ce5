// ChatSession between a real engine thread (tiny random-weight model) and a ChatStore:
// questions and answers are stored, answers are saved while they stream and when they stop,
// regenerate keeps earlier answers, edit-and-resend branches, errors end up in the store.
#include "kmlm_test.h"

#include "chatsession.h"
#include "enginecontroller.h"

#include "kmlm/model_random.h"

#include <QSignalSpy>
#include <QTemporaryDir>

using namespace kmlm::core;

namespace {
constexpr int kWait = 60000;
}

class TestChatSession : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model;
    int m_counter = 0;

    struct Fixture {
        ChatStore store;
        EngineController engine;
        std::unique_ptr<ChatSession> session;
    };

    // A store on a fresh database, the engine with the test model, a session on both.
    std::unique_ptr<Fixture> fixture(bool withModel = true) {
        auto f = std::make_unique<Fixture>();
        if (!f->store.open(m_dir.filePath(QStringLiteral("chat%1.sqlite").arg(++m_counter)))) return nullptr;
        if (withModel) {
            QSignalSpy loaded(&f->engine, &EngineController::modelLoaded);
            EngineSettings s;
            s.threads = 1;
            f->engine.loadModel(m_model, s);
            if (!loaded.wait(kWait)) return nullptr;
        }
        f->session = std::make_unique<ChatSession>(&f->store, &f->engine);
        SamplingSettings sampling;
        sampling.seed = 3;
        sampling.maxTokens = 12;
        f->session->setDefaultSampling(sampling);
        return f;
    }

    static bool waitAnswer(QSignalSpy& finished) { return !finished.isEmpty() || finished.wait(kWait); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        kmlm::RandomModelSpec spec;
        spec.name = "tiny-llama";
        spec.n_vocab = 32000; // the end-of-text token is hardly ever drawn: answers run long
        m_model = m_dir.filePath(QStringLiteral("tiny.gguf"));
        kmlm::write_random_model(spec, m_model.toStdString());
    }

    void sendStoresQuestionAndAnswer() {
        auto f = fixture();
        QVERIFY(f);
        ChatSession& s = *f->session;
        QSignalSpy conversation(&s, &ChatSession::conversationChanged);
        QSignalSpy started(&s, &ChatSession::answerStarted);
        QSignalSpy streamed(&s, &ChatSession::answerStreamed);
        QSignalSpy finished(&s, &ChatSession::answerFinished);
        QVERIFY(s.send(QStringLiteral("한국의 수도는 어디인가요? 자세히 알려 주세요.")));
        QVERIFY(s.isGenerating());
        QCOMPARE(conversation.count(), 1);
        QVERIFY(s.conversationId() > 0);
        QCOMPARE(f->store.conversation(s.conversationId())->title, QStringLiteral("한국의 수도는 어디인가요? 자세히 알려 주세요."));
        QCOMPARE(started.count(), 1);
        QCOMPARE(f->store.message(s.streamingMessageId())->state, MessageState::Streaming);
        QVERIFY(waitAnswer(finished));
        QVERIFY(!s.isGenerating());
        const GenerationResult r = finished.first().at(1).value<GenerationResult>();
        const QVector<ChatMessage> path = s.messages();
        QCOMPARE(path.size(), 2);
        QCOMPARE(path[0].role, QStringLiteral("user"));
        QCOMPARE(path[1].role, QStringLiteral("assistant"));
        QCOMPARE(path[1].id, finished.first().at(0).toLongLong());
        QCOMPARE(path[1].text, r.text);
        QCOMPARE(path[1].state, MessageState::Complete);
        QCOMPARE(path[1].model, QStringLiteral("tiny-llama"));
        QCOMPARE(path[1].completionTokens, r.generatedTokens);
        QVERIFY(path[1].promptTokens > 0);
        QString text;
        for (const QList<QVariant>& chunk : streamed) text += chunk.at(1).toString();
        QCOMPARE(text, r.text);
    }

    void answerIsSavedWhileStreamingAndOnStop() {
        auto f = fixture();
        QVERIFY(f);
        ChatSession& s = *f->session;
        SamplingSettings endless;
        endless.maxTokens = 1000000;
        s.setDefaultSampling(endless);
        s.setSaveInterval(100);
        QSignalSpy finished(&s, &ChatSession::answerFinished);
        QVERIFY(s.send(QStringLiteral("끝없는 이야기")));
        const qint64 answer = s.streamingMessageId();
        // Saved while it grows, without the answer ending.
        QVERIFY(QTest::qWaitFor([&] { return !f->store.message(answer)->text.isEmpty(); }, kWait));
        const QString saved = f->store.message(answer)->text;
        QVERIFY(s.streamingText().startsWith(saved));
        QCOMPARE(f->store.message(answer)->state, MessageState::Streaming);
        QVERIFY(finished.isEmpty());
        s.stop();
        QVERIFY(waitAnswer(finished));
        const auto m = f->store.message(answer);
        QCOMPARE(m->state, MessageState::Stopped);
        QVERIFY(m->text.startsWith(saved));
        QCOMPARE(m->text, finished.first().at(1).value<GenerationResult>().text);
        QCOMPARE(finished.first().at(1).value<GenerationResult>().reason, StopReason::Cancelled);
    }

    void oneAnswerAtATime() {
        auto f = fixture();
        QVERIFY(f);
        ChatSession& s = *f->session;
        QSignalSpy errors(&s, &ChatSession::errorOccurred);
        QSignalSpy finished(&s, &ChatSession::answerFinished);
        QVERIFY(!s.send(QStringLiteral("   ")));
        QVERIFY(s.send(QStringLiteral("첫 질문")));
        QVERIFY(!s.send(QStringLiteral("둘째 질문")));
        QCOMPARE(errors.count(), 1);
        QVERIFY(!s.regenerate());
        QVERIFY(waitAnswer(finished));
        QCOMPARE(s.messages().size(), 2);
    }

    void regenerateKeepsEarlierAnswers() {
        auto f = fixture();
        QVERIFY(f);
        ChatSession& s = *f->session;
        QSignalSpy finished(&s, &ChatSession::answerFinished);
        QVERIFY(s.send(QStringLiteral("시 한 편 써 줘")));
        QVERIFY(waitAnswer(finished));
        const ChatMessage first = s.messages().last();
        SamplingSettings other;
        other.seed = 99;
        other.maxTokens = 12;
        s.setDefaultSampling(other);
        QVERIFY(s.regenerate());
        QVERIFY(finished.count() == 2 || finished.wait(kWait));
        const QVector<ChatMessage> path = s.messages();
        QCOMPARE(path.size(), 2);
        QCOMPARE(path.last().variantCount, 2);
        QCOMPARE(path.last().variant, 1);
        QVERIFY(path.last().id != first.id);
        const QVector<ChatMessage> alternatives = f->store.alternatives(path.last().id);
        QCOMPARE(alternatives.first().text, first.text);
        QVERIFY(s.selectAlternative(first.id));
        QCOMPARE(s.messages().last().id, first.id);
    }

    void editAndResendBranches() {
        auto f = fixture();
        QVERIFY(f);
        ChatSession& s = *f->session;
        QSignalSpy finished(&s, &ChatSession::answerFinished);
        QVERIFY(s.send(QStringLiteral("부산 날씨는?")));
        QVERIFY(waitAnswer(finished));
        const QVector<ChatMessage> before = s.messages();
        QVERIFY(s.editAndResend(before[0].id, QStringLiteral("대구 날씨는?")));
        QVERIFY(finished.count() == 2 || finished.wait(kWait));
        const QVector<ChatMessage> after = s.messages();
        QCOMPARE(after.size(), 2);
        QCOMPARE(after[0].text, QStringLiteral("대구 날씨는?"));
        QCOMPARE(after[0].variantCount, 2);
        QCOMPARE(after[1].state, MessageState::Complete);
        QVERIFY(s.selectAlternative(before[0].id)); // the old question with its answer
        QCOMPARE(s.messages()[1].id, before[1].id);
    }

    void conversationSamplingWins() {
        auto f = fixture();
        QVERIFY(f);
        ChatSession& s = *f->session;
        const qint64 c = f->store.createConversation(QStringLiteral("짧게"), QStringLiteral("한 단어로 답하세요."));
        SamplingSettings shortAnswers;
        shortAnswers.maxTokens = 2;
        f->store.setSampling(c, shortAnswers);
        s.setConversation(c);
        QCOMPARE(s.sampling().maxTokens, 2);
        QSignalSpy finished(&s, &ChatSession::answerFinished);
        QVERIFY(s.send(QStringLiteral("안녕?")));
        QVERIFY(waitAnswer(finished));
        QVERIFY(finished.first().at(1).value<GenerationResult>().generatedTokens <= 2);
    }

    // Settings' default system prompt goes with every conversation send() starts (and so to
    // the engine: the prompt gets longer); a conversation that exists keeps its own.
    void newConversationGetsTheDefaultSystemPrompt() {
        auto f = fixture();
        QVERIFY(f);
        ChatSession& s = *f->session;
        QSignalSpy finished(&s, &ChatSession::answerFinished);
        QVERIFY(s.send(QStringLiteral("안녕?")));
        QVERIFY(waitAnswer(finished));
        const int plainPromptTokens = s.messages().last().promptTokens;
        QCOMPARE(f->store.conversation(s.conversationId())->systemPrompt, QString());

        const QString prompt = QStringLiteral("당신은 친절한 한국어 도우미입니다. 항상 존댓말로 짧게 답하세요.");
        s.setDefaultSystemPrompt(prompt);
        s.setConversation(0);
        QVERIFY(s.send(QStringLiteral("안녕?")));
        QVERIFY(finished.count() > 1 || finished.wait(kWait));
        QCOMPARE(f->store.conversation(s.conversationId())->systemPrompt, prompt);
        QVERIFY2(s.messages().last().promptTokens > plainPromptTokens,
                 qPrintable(QStringLiteral("%1 vs %2").arg(s.messages().last().promptTokens).arg(plainPromptTokens)));

        const qint64 own = f->store.createConversation(QStringLiteral("자기 것"), QStringLiteral("한 단어로 답하세요."));
        s.setConversation(own);
        QVERIFY(s.send(QStringLiteral("안녕?")));
        QVERIFY(finished.count() > 2 || finished.wait(kWait));
        QCOMPARE(f->store.conversation(own)->systemPrompt, QStringLiteral("한 단어로 답하세요."));
    }

    void switchingConversationEndsTheAnswer() {
        auto f = fixture();
        QVERIFY(f);
        ChatSession& s = *f->session;
        SamplingSettings endless;
        endless.maxTokens = 1000000;
        s.setDefaultSampling(endless);
        QSignalSpy streamed(&s, &ChatSession::answerStreamed);
        QVERIFY(s.send(QStringLiteral("길게 말해 줘")));
        const qint64 answer = s.streamingMessageId();
        const qint64 first = s.conversationId();
        QVERIFY(streamed.wait(kWait));
        const qint64 second = f->store.createConversation(QStringLiteral("다른 대화"));
        s.setConversation(second);
        QVERIFY(!s.isGenerating());
        const auto m = f->store.message(answer);
        QCOMPARE(m->state, MessageState::Stopped);
        QVERIFY(!m->text.isEmpty());
        // The new conversation can be used at once.
        QSignalSpy finished(&s, &ChatSession::answerFinished);
        s.setDefaultSampling(SamplingSettings{});
        QVERIFY(s.send(QStringLiteral("새 질문")));
        QVERIFY(waitAnswer(finished));
        QCOMPARE(s.messages().size(), 2);
        QCOMPARE(f->store.messages(first).size(), 2);
    }

    void engineErrorsEndInTheStore() {
        auto f = fixture(false); // no model loaded
        QVERIFY(f);
        ChatSession& s = *f->session;
        QSignalSpy errors(&s, &ChatSession::errorOccurred);
        QSignalSpy finished(&s, &ChatSession::answerFinished);
        QVERIFY(s.send(QStringLiteral("모델이 없어요")));
        QVERIFY(waitAnswer(finished));
        QCOMPARE(s.messages().last().state, MessageState::Error);
        QCOMPARE(errors.count(), 1);
        // A failed answer is not sent to the model again as history.
        QVERIFY(s.regenerate());
    }
};

QTEST_GUILESS_MAIN(TestChatSession)
#include "tst_chatsession.moc"
