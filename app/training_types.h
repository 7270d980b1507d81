// training_types.h — the values that cross from the training thread to the GUI thread: the engine's own
// event structs (plain copies) and DataInfo, declared to Qt's meta-type system for queued connections.
#pragma once

#include <QMetaType>
#include <QString>
#include <QVector>

#include "bp/train/trainer.h"

/// What the worker found in the data directory.
struct DataInfo {
    QString dataDir;       // the resolved directory (BP_DATA_DIR, --data-dir or the default)
    QString dataset;       // "mnist"
    qint64 trainCount = 0;
    qint64 testCount = 0;
};

Q_DECLARE_METATYPE(DataInfo)
Q_DECLARE_METATYPE(bp::train::TrainConfig)
Q_DECLARE_METATYPE(bp::train::BatchEvent)
Q_DECLARE_METATYPE(bp::train::EpochEvent)
Q_DECLARE_METATYPE(bp::train::FinishedEvent)
Q_DECLARE_METATYPE(bp::train::FailedEvent)
