// inference.cpp — graph-free classification and /proc-based memory figures.
#include "bp/train/inference.h"

#include <malloc.h>

#include <cstring>
#include <fstream>
#include <string>

#include "bp/autograd.h"
#include "bp/device.h"
#include "bp/train/trainer.h"

namespace bp::train {

std::vector<float> classify_image(nn::Module& net, const float* pixels, const Shape& input_shape) {
    autograd::NoGradGuard no_grad;
    Shape s = input_shape;
    s.insert(s.begin(), 1);  // a batch of one
    Tensor x = Tensor::empty(s);
    std::memcpy(x.data<float>(), pixels, static_cast<size_t>(x.numel()) * sizeof(float));
    const bool was_training = net.is_training();
    net.eval();
    Tensor p = predict_proba(net, x);
    net.train(was_training);
    return p.to_float_vector();
}

static int64_t status_kib(const char* key) {
    std::ifstream f("/proc/self/status");
    std::string line;
    const size_t n = std::strlen(key);
    while (std::getline(f, line))
        if (line.compare(0, n, key) == 0) return std::stoll(line.substr(n + 1));
    return -1;
}

int64_t peak_rss_bytes() { return status_kib("VmHWM") * 1024; }
int64_t current_rss_bytes() { return status_kib("VmRSS") * 1024; }

bool reset_peak_rss() {
    // The CPU backend's cached blocks back to the heap, then the freed heap back to the system: the engine keeps
    // both for speed (its block cache and mallopt, cpu/cpu_backend.cpp).
    cpu_empty_cache();
    malloc_trim(0);
    std::ofstream f("/proc/self/clear_refs");
    if (!f) return false;
    f << "5";  // "5" resets the peak RSS to the current RSS (Linux 4.0+)
    return static_cast<bool>(f.flush());
}

}  // namespace bp::train
