// report.cpp — report JSON builders and machine information.
#include "bp/train/report.h"

#include <cmath>
#include <fstream>
#include <thread>

#include "bp/backend.h"
#include "bp/build_info.h"
#include "bp/io/atomic_file.h"

namespace bp::train {

static nlohmann::json num_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

static std::string cpu_model_name() {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("model name", 0) == 0) {
            auto p = line.find(':');
            if (p != std::string::npos) return line.substr(p + 2);
        }
    return "unknown";
}

nlohmann::json machine_info() {
    return {{"cpu", cpu_model_name()},
            {"cores", std::thread::hardware_concurrency()},
            {"simd", cpu_simd()},
            {"threads", num_threads()},
            {"engine_version", build::version},
            {"build_type", build::build_type},
            {"compiler", build::compiler},
            {"native", build::native},
            {"cuda_built", build::cuda},
            {"cuda", cuda_device_summary()}};
}

nlohmann::json epoch_to_json(const EpochEvent& e) {
    return {{"epoch", e.epoch + 1},
            {"train_loss", e.train_loss},
            {"train_accuracy", e.train_accuracy},
            {"test_loss", num_or_null(e.test_loss)},
            {"test_accuracy", num_or_null(e.test_accuracy)},
            {"epoch_seconds", e.epoch_seconds},
            {"eval_seconds", e.eval_seconds},
            {"samples_per_second", e.samples_per_second}};
}

void add_test_metrics(nlohmann::json& j, const ClassificationMetrics& m, const std::vector<std::string>& names) {
    nlohmann::json mj = to_json(m, names);
    for (auto it = mj.begin(); it != mj.end(); ++it) j[it.key() == "accuracy" ? "test_accuracy" : it.key()] = it.value();
}

nlohmann::json training_report(const TrainConfig& cfg, const models::Model& model, const std::vector<EpochEvent>& epochs,
                               const ClassificationMetrics& final_test, const std::vector<std::string>& class_names,
                               double total_seconds, const std::string& status) {
    nlohmann::json j;
    j["kind"] = "training";
    j["status"] = status;
    j["config"] = cfg.to_json();
    j["model"] = {{"name", model.name}, {"config", model.config()}, {"parameters", model.net->parameter_count()}};
    j["epochs"] = nlohmann::json::array();
    double train_seconds = 0;
    for (const EpochEvent& e : epochs) {
        j["epochs"].push_back(epoch_to_json(e));
        train_seconds += e.epoch_seconds;
    }
    add_test_metrics(j, final_test, class_names);
    j["timings"] = {{"total_seconds", total_seconds},
                    {"train_seconds", train_seconds},
                    {"mean_epoch_seconds", epochs.empty() ? 0.0 : train_seconds / static_cast<double>(epochs.size())}};
    j["machine"] = machine_info();
    return j;
}

nlohmann::json evaluation_report(const std::string& model_file, const models::Model& model, const std::string& dataset,
                                 const Evaluation& ev, const std::vector<std::string>& class_names, double seconds) {
    nlohmann::json j;
    j["kind"] = "evaluation";
    j["model_file"] = model_file;
    j["dataset"] = dataset;
    j["model"] = {{"name", model.name}, {"config", model.config()}, {"parameters", model.net->parameter_count()}};
    j["test_loss"] = ev.loss;
    add_test_metrics(j, ev.metrics, class_names);
    j["timings"] = {{"eval_seconds", seconds}};
    j["machine"] = machine_info();
    return j;
}

void write_json(const std::string& path, const nlohmann::json& j) { io::write_file_atomic(path, j.dump(2) + "\n"); }

}  // namespace bp::train
