// ChatStore: schema migrations from every older version, the message tree (regenerate,
// edit-and-resend), incremental saving (NFC), delete with undo; ChatSearch with short Korean
// queries, ChatExporter/ChatImporter, ChatCheckpointer.
#include "kmlm_test.h"

#include "chatcheckpointer.h"
#include "chatexport.h"
#include "chatimport.h"
#include "chatsearch.h"
#include "chatstore.h"
#include "conversationlistmodel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>

using namespace kmlm::core;

class TestChatStore : public QObject {
    Q_OBJECT

    // The UI's translated headings, passed in.
    const MarkdownLabels kLabels{QStringLiteral("대화"), QStringLiteral("시스템 프롬프트"), QStringLiteral("사용자"),
                                 QStringLiteral("어시스턴트"), QStringLiteral("시스템")};

    QTemporaryDir m_dir;
    int m_counter = 0;
    QString newPath() { return m_dir.filePath(QStringLiteral("chat%1.sqlite").arg(++m_counter)); }

    // A conversation: question, answer, question, answer (Korean).
    qint64 fill(ChatStore& store, const QString& title = QStringLiteral("날씨 이야기")) {
        const qint64 c = store.createConversation(title, QStringLiteral("친절하게 답하세요."));
        store.addMessage(c, QStringLiteral("user"), QStringLiteral("오늘 서울 날씨 어때?"));
        store.addMessage(c, QStringLiteral("assistant"), QStringLiteral("맑고 따뜻합니다. 밥 먹기 좋은 날이에요."), MessageState::Complete,
                         QStringLiteral("kmlm-gru"));
        store.addMessage(c, QStringLiteral("user"), QStringLiteral("내일은 비가 와?"));
        store.addMessage(c, QStringLiteral("assistant"), QStringLiteral("내일은 흐리고 비가 조금 옵니다."));
        return c;
    }

    static QStringList texts(const QVector<ChatMessage>& list) {
        QStringList out;
        for (const ChatMessage& m : list) out << m.text;
        return out;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void migrations_data() {
        QTest::addColumn<int>("fromVersion");
        for (int v = 0; v < ChatStore::schemaVersion(); ++v) QTest::addRow("from v%d", v) << v;
    }

    // A database left at an older version, with data written the way that version did,
    // opens at the current version with its data intact and usable.
    void migrations() {
        QFETCH(int, fromVersion);
        const QString path = newPath();
        {
            ChatStore old;
            QVERIFY2(old.openAtVersion(path, fromVersion), qPrintable(old.errorString()));
            QCOMPARE(old.databaseVersion(), fromVersion);
        }
        if (fromVersion >= 1) {
            // Rows as versions 1..3 wrote them: only the columns of version 1 are set.
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("INSERT INTO conversations (id, title, system_prompt, created, updated)"
                                          " VALUES (7, '옛 대화', '', 1000, 2000)")));
            if (fromVersion < 3) {
                QVERIFY(q.exec(QStringLiteral("INSERT INTO messages (id, conversation_id, role, text, created) VALUES"
                                              " (1, 7, 'user', '안녕하세요', 1000), (2, 7, 'assistant', '반갑습니다', 1001),"
                                              " (3, 7, 'user', '점심 메뉴 추천해 줘', 1002)")));
            } else {
                QVERIFY(q.exec(QStringLiteral("INSERT INTO messages (id, conversation_id, parent_id, turn, role, text, created)"
                                              " VALUES (1, 7, NULL, 0, 'user', '안녕하세요', 1000),"
                                              " (2, 7, 1, 1, 'assistant', '반갑습니다', 1001),"
                                              " (3, 7, 2, 2, 'user', '점심 메뉴 추천해 줘', 1002)")));
            }
            q = QSqlQuery();
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        }
        ChatStore store;
        QVERIFY2(store.open(path), qPrintable(store.errorString()));
        QCOMPARE(store.databaseVersion(), ChatStore::schemaVersion());
        if (fromVersion == 0) {
            QVERIFY(store.conversations().isEmpty());
            return;
        }
        const auto c = store.conversation(7);
        QVERIFY(c);
        QCOMPARE(c->title, QStringLiteral("옛 대화"));
        QVERIFY(!c->hasSampling);
        const QVector<ChatMessage> path7 = store.messages(7);
        QCOMPARE(texts(path7),
                 (QStringList{QStringLiteral("안녕하세요"), QStringLiteral("반갑습니다"), QStringLiteral("점심 메뉴 추천해 줘")}));
        QCOMPARE(path7[2].turn, 2);
        QCOMPARE(path7[2].parentId, path7[1].id);
        QCOMPARE(path7[1].state, MessageState::Complete);
        // The old messages are searchable and the tree works on them.
        QCOMPARE(ChatSearch(store).search(QStringLiteral("메뉴")).size(), 1);
        QCOMPARE(ChatSearch(store).search(QStringLiteral("추천해")).size(), 1);
        QVERIFY(store.addAlternative(path7[1].id, QStringLiteral("또 만나요")));
        QCOMPARE(store.messages(7).size(), 2);
    }

    void newerDatabaseIsRefused() {
        const QString path = newPath();
        {
            ChatStore store;
            QVERIFY(store.open(path));
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version = 999"));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        ChatStore store;
        QVERIFY(!store.open(path));
        QVERIFY(store.errorString().contains(QStringLiteral("newer")));
        QVERIFY(!store.isOpen());
    }

    void unopenablePathFails() {
        ChatStore store;
        QVERIFY(!store.open(m_dir.filePath(QStringLiteral("no/such/dir/chat.sqlite"))));
        QVERIFY(!store.errorString().isEmpty());
    }

    void conversationsMostRecentFirst() {
        ChatStore store;
        QVERIFY(store.open(newPath()));
        qint64 clock = 1'700'000'000'000;
        store.setClock([&clock] { return clock += 1000; }); // every change a second later
        const qint64 a = store.createConversation(QStringLiteral("첫째"));
        const qint64 b = store.createConversation(QStringLiteral("둘째"));
        QCOMPARE(store.conversations().size(), 2);
        QCOMPARE(store.conversations().first().id, b);
        store.addMessage(a, QStringLiteral("user"), QStringLiteral("다시 첫째"));
        QCOMPARE(store.conversations().first().id, a);
        QVERIFY(store.conversation(a)->updated > store.conversation(b)->updated);
        QVERIFY(store.renameConversation(b, QStringLiteral("새 이름")));
        QCOMPARE(store.conversation(b)->title, QStringLiteral("새 이름"));
        QVERIFY(!store.renameConversation(12345, QStringLiteral("없음")));
    }

    void systemPromptAndSampling() {
        ChatStore store;
        QVERIFY(store.open(newPath()));
        const qint64 c = store.createConversation(QStringLiteral("설정"));
        QVERIFY(!store.conversation(c)->hasSampling);
        SamplingSettings s;
        s.temperature = 0.3;
        s.topP = 0.5;
        s.seed = 42;
        QVERIFY(store.setSampling(c, s));
        QVERIFY(store.setSystemPrompt(c, QStringLiteral("너는 시인이다.")));
        const auto info = store.conversation(c);
        QVERIFY(info->hasSampling);
        QCOMPARE(info->sampling, s);
        QCOMPARE(info->systemPrompt, QStringLiteral("너는 시인이다."));
        QVERIFY(store.clearSampling(c));
        QVERIFY(!store.conversation(c)->hasSampling);
        QVERIFY(store.conversation(c)->thinking); // reasoning models think unless switched off
        QVERIFY(store.setThinking(c, false));
        QVERIFY(!store.conversation(c)->thinking);
        QVERIFY(!store.setThinking(12345, false));
    }

    void regenerateKeepsAlternatives() {
        ChatStore store;
        QVERIFY(store.open(newPath()));
        const qint64 c = fill(store);
        const QVector<ChatMessage> before = store.messages(c);
        const ChatMessage answer = before.last();
        const qint64 second = store.addAlternative(answer.id, QStringLiteral("내일은 맑아요."));
        QVERIFY(second);
        QVector<ChatMessage> after = store.messages(c);
        QCOMPARE(after.size(), 4);
        QCOMPARE(after.last().id, second);
        QCOMPARE(after.last().variant, 1);
        QCOMPARE(after.last().variantCount, 2);
        const QVector<ChatMessage> alts = store.alternatives(second);
        QCOMPARE(alts.size(), 2);
        QCOMPARE(alts[0].text, answer.text);
        QVERIFY(!alts[0].active);
        // Back to the first answer.
        QVERIFY(store.setActiveMessage(answer.id));
        QCOMPARE(store.messages(c).last().id, answer.id);
    }

    void editAndResendBranches() {
        ChatStore store;
        QVERIFY(store.open(newPath()));
        const qint64 c = fill(store);
        const QVector<ChatMessage> original = store.messages(c);
        const ChatMessage question = original[2];
        const qint64 edited = store.editMessage(question.id, QStringLiteral("모레는 비가 와?"));
        QVERIFY(edited);
        QVector<ChatMessage> branch = store.messages(c);
        QCOMPARE(branch.size(), 3); // the old answer belongs to the old question
        QCOMPARE(branch.last().text, QStringLiteral("모레는 비가 와?"));
        store.addMessage(c, QStringLiteral("assistant"), QStringLiteral("모레는 맑습니다."));
        QCOMPARE(store.messages(c).size(), 4);
        // The old branch, with its answer, comes back when the old question is selected.
        QVERIFY(store.setActiveMessage(question.id));
        QCOMPARE(texts(store.messages(c)), texts(original));
        QVERIFY(store.setActiveMessage(edited));
        QCOMPARE(store.messages(c).last().text, QStringLiteral("모레는 맑습니다."));
        // Answers are not edited.
        QVERIFY(!store.editMessage(original[1].id, QStringLiteral("x")));
    }

    void streamingAnswerIsSavedAsItGrows() {
        const QString path = newPath();
        qint64 answer = 0;
        {
            ChatStore store;
            QVERIFY(store.open(path));
            const qint64 c = store.createConversation(QStringLiteral("스트리밍"));
            store.addMessage(c, QStringLiteral("user"), QStringLiteral("시를 써 줘"));
            answer = store.addMessage(c, QStringLiteral("assistant"), QString(), MessageState::Streaming);
            QVERIFY(store.updateStreamingMessage(answer, QStringLiteral("별 헤는")));
            QVERIFY(store.updateStreamingMessage(answer, QStringLiteral("별 헤는 밤")));
            QCOMPARE(store.message(answer)->state, MessageState::Streaming);
            QCOMPARE(store.message(answer)->text, QStringLiteral("별 헤는 밤"));
            // closed without finishing, as a crash would leave it
        }
        ChatStore store;
        QVERIFY(store.open(path));
        const auto m = store.message(answer);
        QCOMPARE(m->text, QStringLiteral("별 헤는 밤"));
        QCOMPARE(m->state, MessageState::Stopped); // no longer "streaming" after a restart
        AnswerStats stats{QStringLiteral("qwen2"), 12, 3, 4.5};
        QVERIFY(store.finishMessage(answer, QStringLiteral("별 헤는 밤이면"), MessageState::Complete, stats));
        const auto done = store.message(answer);
        QCOMPARE(done->text, QStringLiteral("별 헤는 밤이면"));
        QCOMPARE(done->model, QStringLiteral("qwen2"));
        QCOMPARE(done->promptTokens, 12);
        QCOMPARE(done->completionTokens, 3);
        QCOMPARE(done->tokensPerSecond, 4.5);
        QCOMPARE(done->state, MessageState::Complete);
        QVERIFY(!store.updateStreamingMessage(987654, QStringLiteral("x")));
    }

    // A model may write decomposed Hangul (NFD jamo); the store keeps every text in NFC, the
    // streamed and the finished answer like an inserted one, so search and comparison match.
    void streamedAnswerInNfdIsStoredInNfc() {
        ChatStore store;
        QVERIFY(store.open(newPath()));
        const qint64 c = store.createConversation(QStringLiteral("정규화"));
        store.addMessage(c, QStringLiteral("user"), QStringLiteral("인사해 줘"));
        const qint64 answer = store.addMessage(c, QStringLiteral("assistant"), QString(), MessageState::Streaming);
        const QString nfc = QStringLiteral("안녕하세요, 반갑습니다");
        const QString nfd = nfc.normalized(QString::NormalizationForm_D);
        QVERIFY(nfd != nfc);
        QVERIFY(store.updateStreamingMessage(answer, nfd.left(8)));
        QCOMPARE(store.message(answer)->text, nfd.left(8).normalized(QString::NormalizationForm_C));
        QVERIFY(store.updateStreamingMessage(answer, nfd));
        QCOMPARE(store.message(answer)->text, nfc);
        QCOMPARE(ChatSearch(store).search(QStringLiteral("반갑")).size(), 1);
        QVERIFY(store.finishMessage(answer, nfd + QStringLiteral("!"), MessageState::Complete));
        QCOMPARE(store.message(answer)->text, nfc + QStringLiteral("!"));
    }

    void search_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("hits");
        QTest::addColumn<QString>("match");
        QTest::newRow("1 syllable") << QStringLiteral("밥") << 1 << QStringLiteral("밥");
        QTest::newRow("1 syllable, 2 messages") << QStringLiteral("비") << 2 << QStringLiteral("비");
        QTest::newRow("2 syllables") << QStringLiteral("날씨") << 1 << QStringLiteral("날씨");
        QTest::newRow("2 syllables, inside a word") << QStringLiteral("따뜻") << 1 << QStringLiteral("따뜻");
        QTest::newRow("3 syllables") << QStringLiteral("따뜻합") << 1 << QStringLiteral("따뜻합");
        QTest::newRow("4 syllables") << QStringLiteral("흐리고 비가") << 1 << QStringLiteral("흐리고");
        QTest::newRow("two words, both short") << QStringLiteral("내일 비") << 2 << QStringLiteral("내일");
        QTest::newRow("two words, no message has both") << QStringLiteral("서울 흐리고") << 0 << QString();
        QTest::newRow("no match") << QStringLiteral("바다") << 0 << QString();
        QTest::newRow("latin, any case") << QStringLiteral("QWEN") << 1 << QStringLiteral("Qwen");
        QTest::newRow("fts syntax is plain text") << QStringLiteral("\"AND* (") << 0 << QString();
        QTest::newRow("decomposed jamo (NFD) query")
            << QStringLiteral("날씨").normalized(QString::NormalizationForm_D) << 1 << QStringLiteral("날씨");
        QTest::newRow("empty") << QStringLiteral("  ") << 0 << QString();
    }

    void search() {
        QFETCH(QString, query);
        QFETCH(int, hits);
        QFETCH(QString, match);
        ChatStore store;
        QVERIFY(store.open(newPath()));
        const qint64 c = fill(store);
        const qint64 other = store.createConversation(QStringLiteral("모델"));
        store.addMessage(other, QStringLiteral("user"), QStringLiteral("Qwen 모델은 한국어를 잘 해?"));
        const QVector<SearchHit> result = ChatSearch(store).search(query);
        QCOMPARE(result.size(), hits);
        for (const SearchHit& h : result) {
            QVERIFY(h.conversationId == c || h.conversationId == other);
            QVERIFY(h.messageId > 0);
            QCOMPARE(h.snippet.mid(h.matchStart, h.matchLength), match);
            QVERIFY(h.snippetHtml().contains(QStringLiteral("<b>") + match + QStringLiteral("</b>")));
        }
    }

    void searchConversations() {
        ChatStore store;
        QVERIFY(store.open(newPath()));
        const qint64 a = fill(store);
        const qint64 b = fill(store, QStringLiteral("또 날씨"));
        for (const QString& q : {QStringLiteral("비"), QStringLiteral("내일은")}) {
            QCOMPARE(ChatSearch(store).search(q).size(), 4); // two messages in each conversation
            const QVector<SearchHit> hits = ChatSearch(store).searchConversations(q);
            QCOMPARE(hits.size(), 2);
            QCOMPARE(hits[0].conversationId, b); // newest first
            QCOMPARE(hits[1].conversationId, a);
            QCOMPARE(hits[0].messageId, store.messages(b).last().id); // its newest match
            QCOMPARE(hits[0].snippet.mid(hits[0].matchStart, hits[0].matchLength), q);
        }
    }

    void searchSkipsDeletedAndFollowsEdits() {
        ChatStore store;
        QVERIFY(store.open(newPath()));
        const qint64 c = fill(store);
        const qint64 answer = store.messages(c).last().id;
        QVERIFY(store.updateStreamingMessage(answer, QStringLiteral("무지개가 뜹니다")));
        QCOMPARE(ChatSearch(store).search(QStringLiteral("무지개")).size(), 1);
        QCOMPARE(ChatSearch(store).search(QStringLiteral("흐리고")).size(), 0);
        QVERIFY(store.deleteConversation(c));
        QCOMPARE(ChatSearch(store).search(QStringLiteral("무지개")).size(), 0);
        QVERIFY(store.undeleteConversation(c));
        QCOMPARE(ChatSearch(store).search(QStringLiteral("무지개")).size(), 1);
        QVERIFY(store.deleteConversation(c));
        QVERIFY(store.purgeDeleted());
        QCOMPARE(ChatSearch(store).search(QStringLiteral("무지개")).size(), 0);
        QVERIFY(!store.message(answer));
    }

    void deleteWithUndo() {
        const QString path = newPath();
        ChatStore store;
        QVERIFY(store.open(path));
        const qint64 c = fill(store);
        const QStringList before = texts(store.messages(c));
        QSignalSpy changed(&store, &ChatStore::conversationsChanged);
        QVERIFY(store.deleteConversation(c));
        QCOMPARE(changed.count(), 1);
        QVERIFY(store.conversations().isEmpty());
        QVERIFY(!store.deleteConversation(c)); // already deleted
        QVERIFY(store.undeleteConversation(c));
        QCOMPARE(store.conversations().size(), 1);
        QCOMPARE(texts(store.messages(c)), before);
        // A deletion not undone is final at the next start.
        QVERIFY(store.deleteConversation(c));
        store.close();
        QVERIFY(store.open(path));
        QVERIFY(!store.undeleteConversation(c));
        QVERIFY(!store.conversation(c));
    }

    void exportMarkdown() {
        ChatStore store;
        QVERIFY(store.open(newPath()));
        const qint64 c = fill(store);
        const QString md = ChatExporter(store).markdown(c, kLabels);
        QVERIFY(md.startsWith(QStringLiteral("# 날씨 이야기\n")));
        QVERIFY(md.contains(QStringLiteral("친절하게 답하세요.")));
        QVERIFY(md.contains(QStringLiteral("> **시스템 프롬프트:** 친절하게 답하세요.")));
        QVERIFY(md.contains(QStringLiteral("### 사용자\n\n오늘 서울 날씨 어때?\n")));
        QVERIFY(md.contains(QStringLiteral("### 어시스턴트 (kmlm-gru)\n\n맑고 따뜻합니다.")));
        QVERIFY(md.indexOf(QStringLiteral("오늘 서울")) < md.indexOf(QStringLiteral("내일은 비가")));
        QVERIFY(ChatExporter(store).markdown(999, kLabels).isEmpty());
    }

    void exportImportRoundTrip() {
        ChatStore store;
        QVERIFY(store.open(newPath()));
        const qint64 c = fill(store);
        SamplingSettings s;
        s.temperature = 0.2;
        store.setSampling(c, s);
        const qint64 last = store.messages(c).last().id;
        store.addAlternative(last, QStringLiteral("두 번째 답: 😀 이모지와 \"따옴표\""));
        const QByteArray json = ChatExporter(store).json(c);

        ChatStore other;
        QVERIFY(other.open(newPath()));
        const qint64 imported = ChatImporter(other).importJson(json);
        QVERIFY2(imported, qPrintable(other.errorString()));
        const auto info = other.conversation(imported);
        QCOMPARE(info->title, QStringLiteral("날씨 이야기"));
        QCOMPARE(info->systemPrompt, QStringLiteral("친절하게 답하세요."));
        QVERIFY(info->hasSampling);
        QCOMPARE(info->sampling, s);
        QCOMPARE(texts(other.messages(imported)), texts(store.messages(c)));
        QCOMPARE(other.messages(imported).last().variantCount, 2);
        QCOMPARE(other.alternatives(other.messages(imported).last().id).first().text, QStringLiteral("내일은 흐리고 비가 조금 옵니다."));
        QCOMPARE(other.messages(imported)[1].model, QStringLiteral("kmlm-gru"));
        // And again: the export of the import is the same conversation.
        const QJsonObject a = QJsonDocument::fromJson(json).object();
        const QJsonObject b = QJsonDocument::fromJson(ChatExporter(other).json(imported)).object();
        QCOMPARE(a[QStringLiteral("messages")].toArray().size(), b[QStringLiteral("messages")].toArray().size());
        QCOMPARE(ChatSearch(other).search(QStringLiteral("이모지")).size(), 1);
    }

    void badImportIsRejected_data() {
        QTest::addColumn<QByteArray>("json");
        const QByteArray ok = R"({"format":"korean-mini-lm-chat","version":1,"title":"t","messages":[)";
        QTest::newRow("not json") << QByteArray("{\"format\": ");
        QTest::newRow("array") << QByteArray("[1,2]");
        QTest::newRow("wrong format") << QByteArray(R"({"format":"other","version":1,"messages":[]})");
        QTest::newRow("future version") << QByteArray(R"({"format":"korean-mini-lm-chat","version":2,"messages":[]})");
        QTest::newRow("no messages") << QByteArray(R"({"format":"korean-mini-lm-chat","version":1})");
        QTest::newRow("title not a string") << QByteArray(R"({"format":"korean-mini-lm-chat","version":1,"title":5,"messages":[]})");
        QTest::newRow("bad role") << ok + R"({"id":1,"role":"robot","text":"x"}]})";
        QTest::newRow("text missing") << ok + R"({"id":1,"role":"user"}]})";
        QTest::newRow("duplicate id") << ok + R"({"id":1,"role":"user","text":"a"},{"id":1,"role":"assistant","text":"b"}]})";
        QTest::newRow("unknown parent") << ok + R"({"id":1,"role":"user","text":"a"},{"id":2,"parent":9,"role":"assistant","text":"b"}]})";
        QTest::newRow("parent after child")
            << ok + R"({"id":2,"parent":1,"role":"assistant","text":"b"},{"id":1,"role":"user","text":"a"}]})";
        QTest::newRow("bad state, late in the list")
            << ok + R"({"id":1,"role":"user","text":"a"},{"id":2,"parent":1,"role":"assistant","text":"b","state":"exploded"}]})";
        QTest::newRow("fractional id") << ok + R"({"id":1.5,"role":"user","text":"a"}]})";
        QTest::newRow("invalid UTF-8") << QByteArray(ok + "{\"id\":1,\"role\":\"user\",\"text\":\"\xED\xA0\x80\xFF\"}]}");
    }

    void badImportIsRejected() {
        QFETCH(QByteArray, json);
        ChatStore store;
        QVERIFY(store.open(newPath()));
        fill(store);
        const int conversations = store.conversations().size();
        QCOMPARE(ChatImporter(store).importJson(json), 0);
        QVERIFY(!store.errorString().isEmpty());
        QCOMPARE(store.conversations().size(), conversations); // nothing half-imported
    }

    // The UI thread's connection never checkpoints; a worker thread copies the log.
    void checkpointsRunInTheBackground() {
        ChatStore store;
        QVERIFY(store.open(newPath()));
        const qint64 c = fill(store);
        const qint64 answer = store.messages(c).last().id;
        for (int i = 0; i < 50; ++i) store.updateStreamingMessage(answer, QString(2000, QChar(0xAC00 + i)));
        QSignalSpy done(store.checkpointer(), &ChatCheckpointer::checkpointed);
        store.checkpointer()->checkpointInBackground();
        QVERIFY(done.wait(30000));
        const int frames = done.first().at(0).toInt();
        QVERIFY(frames > 0);
        QCOMPARE(done.first().at(1).toInt(), frames);
        QCOMPARE(store.message(answer)->text, QString(2000, QChar(0xAC00 + 49)));
    }

    void conversationListModelFilters() {
        ChatStore store;
        QVERIFY(store.open(newPath()));
        const qint64 weather = fill(store);
        const qint64 poem = store.createConversation(QStringLiteral("시 쓰기"));
        store.addMessage(poem, QStringLiteral("user"), QStringLiteral("별에 대한 시를 써 줘"));
        ConversationListModel model(&store);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.idAt(0), poem); // most recent first
        model.setFilter(QStringLiteral("별"));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.idAt(0), poem);
        QVERIFY(model.data(model.index(0), ConversationListModel::SnippetHtmlRole).toString().contains(QStringLiteral("<b>별</b>")));
        model.setFilter(QStringLiteral("날씨"));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.idAt(0), weather);
        QCOMPARE(model.data(model.index(0), Qt::DisplayRole).toString(), QStringLiteral("날씨 이야기"));
        model.setFilter(QString());
        QCOMPARE(model.rowCount(), 2);
        store.deleteConversation(poem); // the model follows the store
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowOf(weather), 0);
        QCOMPARE(model.rowOf(poem), -1);
    }
};

QTEST_GUILESS_MAIN(TestChatStore)
#include "tst_chatstore.moc"
