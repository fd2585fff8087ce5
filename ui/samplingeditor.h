// Form for sampling settings (temperature, top-k, top-p, min-p, penalties, length, seed):
// the global defaults in the settings dialog and a conversation's own in its dialog.
#pragma once
#include "enginetypes.h"

#include <QWidget>

class QDoubleSpinBox;
class QSpinBox;

namespace kmlm::ui {

class SamplingEditor : public QWidget {
    Q_OBJECT
public:
    explicit SamplingEditor(QWidget* parent = nullptr);
    void setSampling(const core::SamplingSettings& sampling);
    core::SamplingSettings sampling() const;

private:
    QDoubleSpinBox* m_temperature;
    QSpinBox* m_topK;
    QDoubleSpinBox* m_topP;
    QDoubleSpinBox* m_minP;
    QDoubleSpinBox* m_repeatPenalty;
    QDoubleSpinBox* m_presencePenalty;
    QSpinBox* m_maxTokens;
    QSpinBox* m_seed;
};

} // namespace kmlm::ui
