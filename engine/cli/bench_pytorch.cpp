// bench_pytorch.cpp — what the model-throughput suites (gpt, bert, clip) share: the median of step times, the
// benchmark text corpus, and running a PyTorch reference script in its three thread configurations to keep the
// fastest; the thread counts a suite measures.
#include <algorithm>

#include "bench_suites.h"

#include <thread>

namespace bp::cli {

std::vector<int> bench_thread_counts(const Args& args) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (args.has("threads") && args.integer("threads", 0, 1024) != 0) return {args.integer("threads", 0, 1024)};
    return cores > 1 ? std::vector<int>{1, cores} : std::vector<int>{1};
}

double median_seconds(std::vector<double> s) {
    std::sort(s.begin(), s.end());
    const size_t n = s.size();
    return n == 0 ? 0 : n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

data::TextCorpus bench_corpus() {
    if (data::default_corpus_available()) return data::load_default_corpus();
    std::string text;  // speed does not depend on the text: pseudo-random printable characters
    uint32_t s = 1;
    for (int i = 0; i < 200000; ++i) text += static_cast<char>(' ' + ((s = s * 1664525u + 1013904223u) >> 16) % 95);
    return data::make_text_corpus(text, "synthetic", 0.1);
}

nlohmann::json TorchFastest::to_json() const {
    if (!ok) return {{"note", note}};
    return {{metric, value}, {"torch_threads", torch_threads}, {"blas_threads", blas_threads}, {"blas", blas}, {"runs", runs}};
}

TorchFastest run_pytorch_fastest(const std::string& cmd, const std::string& metric) {
    TorchFastest best;
    best.metric = metric;
    const std::pair<int, int> configs[] = {{1, 1}, {1, 2}, {2, 1}};  // (torch threads, BLAS threads)
    for (auto [tt, bt] : configs) {
        nlohmann::json j;
        const std::string full = cmd + " --torch-threads " + std::to_string(tt) + " --blas-threads " + std::to_string(bt) +
                                 " 2>/dev/null";
        const ReferenceRun r = run_reference(full, &j, &best.note);
        if (r == ReferenceRun::no_pytorch) {
            best.no_pytorch = true;
            return best;
        }
        if (r == ReferenceRun::failed || !j.contains(metric) || !j[metric].is_number()) continue;
        best.runs.push_back(j);
        const double v = j[metric].get<double>();
        if (!best.ok || v > best.value) {
            best.ok = true;
            best.value = v;
            best.torch_threads = tt;
            best.blas_threads = bt;
            best.blas = j.value("blas", "");
        }
    }
    if (!best.ok && best.note.empty()) best.note = "the PyTorch reference script printed no " + metric;
    return best;
}

}  // namespace bp::cli
