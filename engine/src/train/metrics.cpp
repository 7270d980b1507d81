// metrics.cpp — everything is derived from the confusion matrix: diagonal / column sum is precision,
// diagonal / row sum is recall (= per-class accuracy), trace / total is accuracy.
// compute_metrics is a ConfusionAccumulator fed in one pass, so the two can never disagree.
#include "bp/train/metrics.h"

#include "bp/errors.h"

namespace bp::train {
namespace {

void check_num_classes(const char* who, int num_classes) {
    if (num_classes < 1)
        throw ConfigError(std::string(who) + ": number of classes must be at least 1; got " +
                          std::to_string(num_classes) + "; pass the dataset's num_classes");
}

double ratio(int64_t num, int64_t den) { return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : 0.0; }

}  // namespace

ConfusionAccumulator::ConfusionAccumulator(int num_classes) : num_classes_(num_classes) {
    check_num_classes("ConfusionAccumulator", num_classes);
    confusion_.assign(static_cast<size_t>(num_classes), std::vector<int64_t>(static_cast<size_t>(num_classes), 0));
}

void ConfusionAccumulator::add(int truth, int pred) {
    if (truth < 0 || truth >= num_classes_ || pred < 0 || pred >= num_classes_)
        throw DataError("ConfusionAccumulator: label out of range; got truth " + std::to_string(truth) +
                        " and prediction " + std::to_string(pred) + "; both must be in [0, " +
                        std::to_string(num_classes_) + ")");
    ++confusion_[static_cast<size_t>(truth)][static_cast<size_t>(pred)];
}

ClassificationMetrics ConfusionAccumulator::finish() const {
    const auto k = static_cast<size_t>(num_classes_);
    ClassificationMetrics m;
    m.num_classes = num_classes_;
    m.confusion = confusion_;
    m.class_counts.assign(k, 0);
    std::vector<int64_t> predicted(k, 0);  // column sums
    int64_t correct = 0;
    for (size_t t = 0; t < k; ++t) {
        for (size_t p = 0; p < k; ++p) {
            m.class_counts[t] += confusion_[t][p];
            predicted[p] += confusion_[t][p];
        }
        correct += confusion_[t][t];
        m.total += m.class_counts[t];
    }
    m.accuracy = ratio(correct, m.total);

    m.precision.assign(k, 0.0);
    m.recall.assign(k, 0.0);
    m.f1.assign(k, 0.0);
    size_t present = 0;
    for (size_t c = 0; c < k; ++c) {
        const int64_t tp = confusion_[c][c];
        // A class that was never predicted has no precision to speak of; we report 0 (sklearn's
        // zero_division=0) rather than NaN so plots and JSON stay numeric.
        m.precision[c] = ratio(tp, predicted[c]);
        m.recall[c] = ratio(tp, m.class_counts[c]);
        const double pr = m.precision[c] + m.recall[c];
        m.f1[c] = pr > 0.0 ? 2.0 * m.precision[c] * m.recall[c] / pr : 0.0;
        if (m.class_counts[c] > 0 || predicted[c] > 0) {
            ++present;
            m.macro_precision += m.precision[c];
            m.macro_recall += m.recall[c];
            m.macro_f1 += m.f1[c];
        }
    }
    m.per_class_accuracy = m.recall;
    if (present > 0) {
        m.macro_precision /= static_cast<double>(present);
        m.macro_recall /= static_cast<double>(present);
        m.macro_f1 /= static_cast<double>(present);
    }
    return m;
}

ClassificationMetrics compute_metrics(const std::vector<int>& y_true, const std::vector<int>& y_pred, int num_classes) {
    check_num_classes("compute_metrics", num_classes);
    if (y_true.size() != y_pred.size())
        throw DataError("compute_metrics: labels and predictions differ in length; got " +
                        std::to_string(y_true.size()) + " and " + std::to_string(y_pred.size()) +
                        "; pass one prediction per label");
    ConfusionAccumulator acc(num_classes);
    for (size_t i = 0; i < y_true.size(); ++i) acc.add(y_true[i], y_pred[i]);
    return acc.finish();
}

nlohmann::json to_json(const ClassificationMetrics& m, const std::vector<std::string>& class_names) {
    nlohmann::json j;
    j["num_classes"] = m.num_classes;
    j["total"] = m.total;
    j["accuracy"] = m.accuracy;
    j["per_class_accuracy"] = m.per_class_accuracy;
    j["confusion_matrix"] = m.confusion;
    j["precision"] = m.precision;
    j["recall"] = m.recall;
    j["f1"] = m.f1;
    j["macro_precision"] = m.macro_precision;
    j["macro_recall"] = m.macro_recall;
    j["macro_f1"] = m.macro_f1;
    j["class_counts"] = m.class_counts;
    if (!class_names.empty()) j["class_names"] = class_names;
    return j;
}

}  // namespace bp::train
