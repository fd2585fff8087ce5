#include "samplingeditor.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSpinBox>

#include <algorithm>

namespace kmlm::ui {

// The boxes take the engine's ranges, so that a value the settings file or the CLI accepts is
// shown as it is, not clamped and saved back changed.
namespace {
QDoubleSpinBox* doubleBox(kmlm::OptionRange range, double step, int decimals) {
    auto* box = new QDoubleSpinBox;
    box->setRange(range.min, range.max);
    box->setSingleStep(step);
    box->setDecimals(decimals);
    return box;
}
QSpinBox* intBox(kmlm::OptionRange range) {
    auto* box = new QSpinBox;
    box->setRange(int(range.min), int(range.max));
    return box;
}
} // namespace

SamplingEditor::SamplingEditor(QWidget* parent)
    : QWidget(parent), m_temperature(doubleBox(kmlm::kTemperatureRange, 0.05, 2)), m_topK(intBox(kmlm::kTopKRange)),
      m_topP(doubleBox(kmlm::kTopPRange, 0.01, 2)), m_minP(doubleBox(kmlm::kMinPRange, 0.01, 2)),
      m_repeatPenalty(doubleBox(kmlm::kRepeatPenaltyRange, 0.01, 2)), m_presencePenalty(doubleBox(kmlm::kPresencePenaltyRange, 0.05, 2)),
      m_maxTokens(intBox(kmlm::kMaxTokensRange)), m_seed(intBox({-1, 2147483647})) {
    m_temperature->setSpecialValueText(tr("0 (always the likeliest token)"));
    m_topK->setSpecialValueText(tr("off"));
    m_seed->setSpecialValueText(tr("random"));
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("&Temperature:"), m_temperature);
    form->addRow(tr("Top-&k:"), m_topK);
    form->addRow(tr("Top-&p:"), m_topP);
    form->addRow(tr("&Min-p:"), m_minP);
    form->addRow(tr("&Repetition penalty:"), m_repeatPenalty);
    form->addRow(tr("P&resence penalty:"), m_presencePenalty);
    form->addRow(tr("Maximum &answer length (tokens):"), m_maxTokens);
    form->addRow(tr("&Seed:"), m_seed);
    setSampling({});
}

void SamplingEditor::setSampling(const core::SamplingSettings& s) {
    m_temperature->setValue(s.temperature);
    m_topK->setValue(s.topK);
    m_topP->setValue(s.topP);
    m_minP->setValue(s.minP);
    m_repeatPenalty->setValue(s.repeatPenalty);
    m_presencePenalty->setValue(s.presencePenalty);
    m_maxTokens->setValue(s.maxTokens);
    m_seed->setValue(int(std::clamp<qint64>(s.seed, -1, 2147483647)));
}

core::SamplingSettings SamplingEditor::sampling() const {
    core::SamplingSettings s;
    s.temperature = m_temperature->value();
    s.topK = m_topK->value();
    s.topP = m_topP->value();
    s.minP = m_minP->value();
    s.repeatPenalty = m_repeatPenalty->value();
    s.presencePenalty = m_presencePenalty->value();
    s.maxTokens = m_maxTokens->value();
    s.seed = m_seed->value();
    return s;
}

} // namespace kmlm::ui
