// run_text.cpp — see run_text.h.
#include "tools/run_text.h"

#include <QObject>
#include <algorithm>
#include <cmath>

#include "bp/data/dataset.h"

namespace runtext {

QString percent(double fraction, int decimals) { return QStringLiteral("%1 %").arg(fraction * 100.0, 0, 'f', decimals); }

QString duration(double secs) {
    if (!std::isfinite(secs) || secs < 0) return QStringLiteral("–");
    const qint64 s = static_cast<qint64>(std::llround(secs));
    if (s >= 3600) return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

QString seconds(double s) {
    if (s < 1.0) return QObject::tr("%1 ms").arg(qRound(s * 1000.0));
    return QObject::tr("%1 s").arg(s, 0, 'f', s < 10.0 ? 2 : 1);
}

QString epochs(int n) { return n == 1 ? QObject::tr("1 epoch") : QObject::tr("%1 epochs").arg(n); }

QImage digitImage(const bp::data::ImageDataset& ds, qint64 index) {
    QImage img(static_cast<int>(ds.cols), static_cast<int>(ds.rows), QImage::Format_Grayscale8);
    const uint8_t* src = ds.pixels.data() + index * ds.rows * ds.cols;
    for (int y = 0; y < img.height(); ++y) std::copy(src + y * ds.cols, src + (y + 1) * ds.cols, img.scanLine(y));
    return img;
}

QString className(const bp::data::ImageDataset& ds, int c) {
    return c >= 0 && c < static_cast<int>(ds.class_names.size()) ? QString::fromStdString(ds.class_names[static_cast<size_t>(c)])
                                                                 : QString::number(c);
}

}  // namespace runtext
