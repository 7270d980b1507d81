// epoch_table.h — "Results per epoch" under the Train page's charts: one row per epoch with the train and test
// loss and accuracy and the epoch's time. Each cell keeps its raw number in Qt::UserRole (for code and tests).
#pragma once

#include <QTableWidget>

#include "bp/train/trainer.h"

class EpochTable : public QTableWidget {
    Q_OBJECT
public:
    explicit EpochTable(QWidget* parent = nullptr);
    void addEpoch(const bp::train::EpochEvent& e);
    /// The last row's test accuracy, NaN when there is none.
    double lastTestAccuracy() const;
    void setCompact(bool compact);  ///< presentation mode: less height, the charts get the room
};
