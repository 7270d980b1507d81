// precision.cpp — the process-wide GEMM precision (precision.h).
#include "bp/precision.h"

#include <atomic>

#include "bp/errors.h"

namespace bp {
namespace {
std::atomic<Precision> g_precision{Precision::fp32};
}

void set_precision(Precision p) { g_precision.store(p); }
Precision precision() { return g_precision.load(); }
const char* precision_name(Precision p) { return p == Precision::bf16 ? "bf16" : "fp32"; }

Precision precision_from_string(const std::string& s) {
    if (s == "fp32") return Precision::fp32;
    if (s == "bf16") return Precision::bf16;
    throw ConfigError("precision: unknown choice '" + s + "'; use fp32 or bf16");
}

}  // namespace bp
