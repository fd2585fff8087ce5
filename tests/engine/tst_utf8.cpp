// UTF-8 validation, NFC and the streaming buffer.
#include "kmlm/error.h"
#include "kmlm/utf8.h"
#include "kmlm_test.h"

#include <QtTest>

class TestUtf8 : public QObject {
    Q_OBJECT
private slots:
    void validation_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("firstInvalid"); // -1: valid
        QTest::newRow("empty") << QByteArray() << -1;
        QTest::newRow("ascii") << QByteArray("hello") << -1;
        QTest::newRow("hangul") << QByteArray("한국어 ㅋㅋ") << -1;
        QTest::newRow("emoji") << QByteArray("🦙!") << -1;
        QTest::newRow("lone continuation") << QByteArray("a\x80") << 1;
        QTest::newRow("truncated") << QByteArray("\xED\x95") << 0;
        QTest::newRow("overlong") << QByteArray("\xC0\xAF") << 0;
        QTest::newRow("surrogate") << QByteArray("x\xED\xA0\x80") << 1;
        QTest::newRow("above max") << QByteArray("\xF4\x90\x80\x80") << 0;
    }
    void validation() {
        QFETCH(QByteArray, bytes);
        QFETCH(int, firstInvalid);
        const auto at = kmlm::first_invalid_utf8(std::string_view(bytes.constData(), bytes.size()));
        QCOMPARE(at ? int(*at) : -1, firstInvalid);
    }

    void nfcComposesJamo() {
        // ᄒ + ᅡ + ᆫ (conjoining jamo) → 한
        QCOMPARE(QString::fromStdString(kmlm::to_nfc("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB")), QStringLiteral("한"));
        KMLM_VERIFY_THROWS(kmlm::InvalidArgument, kmlm::to_nfc("\xFF"));
    }

    void streamBufferHoldsPartialCharacters() {
        const std::string text = "가🦙a";
        for (size_t split = 0; split <= text.size(); ++split) {
            kmlm::Utf8StreamBuffer buf;
            std::string out = buf.push(std::string_view(text).substr(0, split));
            QVERIFY(kmlm::is_valid_utf8(out));
            out += buf.push(std::string_view(text).substr(split));
            out += buf.flush();
            QCOMPARE(out, text);
        }
    }

    void streamBufferReplacesInvalid() {
        kmlm::Utf8StreamBuffer buf;
        std::string out = buf.push("a\xFF"
                                   "b");
        out += buf.push("\xE2\x82");
        out += buf.flush();
        QCOMPARE(out, std::string("a\xEF\xBF\xBD"
                                  "b\xEF\xBF\xBD"));
    }

    void completePrefix() {
        QCOMPARE(kmlm::complete_utf8_prefix("ab\xED\x95"), size_t(2));
        QCOMPARE(kmlm::complete_utf8_prefix("ab\xED\x95\x9C"), size_t(5));
        QCOMPARE(kmlm::count_code_points("한a🦙"), size_t(3));
    }
};

QTEST_GUILESS_MAIN(TestUtf8)
#include "tst_utf8.moc"
