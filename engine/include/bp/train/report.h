// report.h — the JSON reports that `backprop train/eval` write and the app exports: config, per-epoch
// metrics (epoch_seconds is training time only), final test metrics, timings and the machine they ran on.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bp/train/trainer.h"

namespace bp::train {

/// CPU model, cores, SIMD, threads, engine version and build options.
nlohmann::json machine_info();

nlohmann::json epoch_to_json(const EpochEvent& e);

/// Writes the metrics into j under the report's names ("test_accuracy", "confusion_matrix", ...).
void add_test_metrics(nlohmann::json& j, const ClassificationMetrics& m, const std::vector<std::string>& class_names);

nlohmann::json training_report(const TrainConfig& cfg, const models::Model& model, const std::vector<EpochEvent>& epochs,
                               const ClassificationMetrics& final_test, const std::vector<std::string>& class_names,
                               double total_seconds, const std::string& status);

nlohmann::json evaluation_report(const std::string& model_file, const models::Model& model, const std::string& dataset,
                                 const Evaluation& ev, const std::vector<std::string>& class_names, double seconds);

/// Pretty-printed JSON written atomically (temporary file + rename).
void write_json(const std::string& path, const nlohmann::json& j);

}  // namespace bp::train
