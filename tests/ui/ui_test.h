// Helpers shared by the UI tests.
#pragma once
#include "kmlm_test.h"

#include "kmlm/gru_io.h"
#include "kmlm/model_random.h"

#include <QApplication>
#include <QKeyEvent>
#include <QWidget>

#include <utility>

namespace ui_test {

// One key event per character: QTest::keyClicks aborts on Hangul with Qt 6.4.
inline void typeText(QWidget* w, const QString& text) {
    for (const QChar c : text) {
        QKeyEvent press(QEvent::KeyPress, Qt::Key_unknown, Qt::NoModifier, QString(c));
        QApplication::sendEvent(w, &press);
        QKeyEvent release(QEvent::KeyRelease, Qt::Key_unknown, Qt::NoModifier, QString(c));
        QApplication::sendEvent(w, &release);
    }
}

// Small random-weight models in folder, quick to load and run: a jamo GRU and a llama
// decoder. Returns {gru path, decoder path}.
inline std::pair<QString, QString> writeTinyModels(const QString& folder) {
    kmlm::GruConfig gru;
    gru.embed_dim = 16;
    gru.hidden_dim = 32;
    const QString gruPath = folder + QStringLiteral("/tiny-gru.gguf");
    kmlm::write_gru_gguf(kmlm::GruWeights::random(gru, 7), kmlm_test::toPath(gruPath), kmlm::GgmlType::F16, "tiny-gru");
    kmlm::RandomModelSpec decoder;
    decoder.name = "tiny-llama";
    decoder.type = "Q8_0";
    const QString decoderPath = folder + QStringLiteral("/tiny-llama-q8_0.gguf");
    kmlm::write_random_model(decoder, kmlm_test::toPath(decoderPath));
    return {gruPath, decoderPath};
}

} // namespace ui_test
