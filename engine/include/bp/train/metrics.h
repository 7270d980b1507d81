// metrics.h — classification metrics from true and predicted labels: accuracy, confusion matrix,
// per-class accuracy, precision, recall, F1 and their macro averages, plus a JSON form for reports.
// Labels are plain ints in [0, num_classes); this file knows nothing of models or tensors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bp::train {

/// Metrics of one evaluation. Vectors are indexed by class; confusion is [true][pred].
struct ClassificationMetrics {
    int num_classes = 0;
    int64_t total = 0;
    double accuracy = 0.0;  ///< fraction in [0, 1]
    std::vector<std::vector<int64_t>> confusion;  ///< [num_classes][num_classes], rows = truth, cols = prediction
    std::vector<int64_t> class_counts;            ///< samples per true class (confusion row sums)
    std::vector<double> per_class_accuracy, precision, recall, f1;
    double macro_precision = 0.0, macro_recall = 0.0, macro_f1 = 0.0;
};

/// Computes every metric from paired labels. Conventions (those of scikit-learn with zero_division=0):
/// precision of a class never predicted is 0, recall of a class never present is 0, F1 is 0 when
/// precision + recall == 0; per-class accuracy equals recall. Macro averages are taken over the classes
/// that occur in y_true or y_pred (scikit-learn's default), 0 when there are none.
/// Throws bp::DataError for different lengths or a label outside [0, num_classes), bp::ConfigError for
/// num_classes < 1. Example: compute_metrics({0, 1, 1}, {0, 1, 0}, 2).accuracy == 2.0 / 3
ClassificationMetrics compute_metrics(const std::vector<int>& y_true, const std::vector<int>& y_pred, int num_classes);

/// Builds the same metrics one sample at a time (for evaluation loops over batches). Not thread-safe.
/// Example: ConfusionAccumulator acc(10); for (...) acc.add(label, argmax); auto m = acc.finish();
class ConfusionAccumulator {
public:
    /// Throws bp::ConfigError for num_classes < 1.
    explicit ConfusionAccumulator(int num_classes);
    /// Counts one sample. Throws bp::DataError if truth or pred is outside [0, num_classes).
    void add(int truth, int pred);
    /// The metrics of every sample added so far; the accumulator can keep going afterwards.
    ClassificationMetrics finish() const;

private:
    int num_classes_;
    std::vector<std::vector<int64_t>> confusion_;  // [true][pred]
};

/// JSON with keys accuracy, per_class_accuracy, confusion_matrix, precision, recall, f1, macro_precision,
/// macro_recall, macro_f1, class_counts, total, num_classes, and class_names when class_names is given.
nlohmann::json to_json(const ClassificationMetrics& m, const std::vector<std::string>& class_names = {});

}  // namespace bp::train
