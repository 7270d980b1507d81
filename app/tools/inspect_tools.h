// inspect_tools.h — the feature-map view's words and numbers: a stage's one-line label ("conv1 · Conv2d · 6 × 28 ×
// 28"), and the arithmetic of one convolution output as rich text a learner can follow (the window and the kernel
// of the first input channel as small tables, each input channel's share of the sum, the bias, then BatchNorm and
// the activation with their numbers).
#pragma once

#include <QString>

#include "bp/models/inspect.h"

namespace inspecttools {

QString stageLabel(const bp::models::Stage& s);
QString shapeText(const bp::Shape& s);  ///< "6 × 28 × 28"
QString arithmeticHtml(const bp::models::ConvArithmetic& a, const QString& stageName);

}  // namespace inspecttools
