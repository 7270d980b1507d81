// plane_colors.h — the 2-D playground's colours (TensorFlow Playground's): class 0 orange, class 1 blue, and a
// diverging scale through the background for values in [-1, 1]. Header-only, Qt only.
#pragma once

#include <QColor>
#include <algorithm>
#include <cmath>

namespace planecolors {

inline QColor class0() { return QColor(0xf5, 0x93, 0x22); }
inline QColor class1() { return QColor(0x08, 0x77, 0xbd); }

/// t in [-1, 1]: -1 orange, 0 `mid`, +1 blue.
inline QRgb diverging(double t, const QColor& mid) {
    t = std::clamp(t, -1.0, 1.0);
    const QColor end = t < 0 ? class0() : class1();
    const double a = std::abs(t);
    auto mix = [a](int m, int e) { return static_cast<int>(m + (e - m) * a + 0.5); };
    return qRgb(mix(mid.red(), end.red()), mix(mid.green(), end.green()), mix(mid.blue(), end.blue()));
}

}  // namespace planecolors
