// training_types.h — the values that cross from the training thread to the GUI thread: the engine's own
// event structs (plain copies) and DataInfo, declared to Qt's meta-type system for queued connections.
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>
#include <memory>
#include <vector>

#include "bp/train/trainer.h"

/// What the worker found in the data directory.
struct DataInfo {
    QString dataDir;       // the resolved directory (BP_DATA_DIR, --data-dir or the default)
    QString dataset;       // "mnist"
    qint64 trainCount = 0;
    qint64 testCount = 0;
};

/// Per-layer L2 norms of the weights and of their gradients after one optimizer step (gradient flow).
/// Index i is layer i of the run's NormLayers.
struct NormSample {
    qint64 step = 0;
    std::vector<double> weight, grad;
};

/// The last evaluation, image by image: true label, predicted label and class probabilities of the first
/// count() test images. Immutable once published; the GUI keeps it by shared_ptr.
struct EvaluationSnapshot {
    int epoch = 0;  // 0-based
    int numClasses = 10;
    std::shared_ptr<const bp::data::ImageDataset> images;  // the test set (pixels for galleries)
    std::vector<int> labels, predictions;
    std::vector<float> probabilities;  // [count, numClasses]
    qint64 count() const { return static_cast<qint64>(labels.size()); }
    float probability(qint64 i, int cls) const { return probabilities[static_cast<size_t>(i * numClasses + cls)]; }
};

Q_DECLARE_METATYPE(DataInfo)
Q_DECLARE_METATYPE(NormSample)
Q_DECLARE_METATYPE(bp::train::TrainConfig)
Q_DECLARE_METATYPE(bp::train::BatchEvent)
Q_DECLARE_METATYPE(bp::train::EpochEvent)
Q_DECLARE_METATYPE(bp::train::FinishedEvent)
Q_DECLARE_METATYPE(bp::train::FailedEvent)
