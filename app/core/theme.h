// theme.h — applies an Appearance to the whole application: the Fusion style, a light or dark palette,
// the small stylesheet from resources/styles/, and presentation mode's 1.5× font. Pages and plots follow
// through AppearanceAware; this file knows nothing of pages.
#pragma once

#include <QFont>

#include "core/page.h"

namespace theme {

/// Sets style, palette, stylesheet and font of qApp. The first call remembers the base font, so
/// switching presentation mode on and off returns to it exactly.
void applyToApplication(const Appearance& appearance);
/// The app font without presentation scaling (the one remembered by the first call).
QFont baseFont();
/// 1.5 in presentation mode, else 1.
inline double fontScale(const Appearance& a) { return a.presentation ? 1.5 : 1.0; }

}  // namespace theme
