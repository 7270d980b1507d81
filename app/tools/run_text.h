// run_text.h — how a training run's figures are written for people (percentages, durations, epochs) and how a
// dataset image becomes a QImage; shared by the Train page's panels. No widgets here.
#pragma once

#include <QImage>
#include <QString>

namespace bp::data {
struct ImageDataset;
}

namespace runtext {

QString percent(double fraction, int decimals = 2);  ///< 0.9123 -> "91.23 %"
QString duration(double seconds);                    ///< "1:05", "1:02:03", "–" for a non-finite value
QString seconds(double s);                           ///< "350 ms", "2.50 s", "12.0 s"
QString epochs(int n);                               ///< "1 epoch", "3 epochs"
QImage digitImage(const bp::data::ImageDataset& ds, qint64 index);
QString className(const bp::data::ImageDataset& ds, int c);  ///< the dataset's name for class c, else its number

}  // namespace runtext
