// device_flags.h — `--device cpu|cuda|auto` and `--precision fp32|bf16`, shared by train, eval, report and
// bench so their wording and exit codes agree: an unknown value is a usage error (exit 2); `--device cuda`
// where no GPU is usable prints the reason and "use --device cpu" and the command exits 1.
#pragma once

#include <cstdio>
#include <string>

#include "args.h"
#include "bp/backend.h"
#include "bp/device.h"
#include "bp/precision.h"

namespace bp::cli {

inline Flag device_flag() {
    return {"device", "cpu|cuda|auto", "where to compute: auto is cuda when a GPU is usable, else cpu", "cpu"};
}
inline Flag precision_flag() {
    return {"precision", "fp32|bf16",
            "matmul/conv precision: bf16 inputs with fp32 accumulation and fp32 master weights (no loss scaling "
            "needed: bf16 keeps fp32's exponent range); emulated by rounding on the CPU",
            "fp32"};
}

/// Resolves --device into *out. False (after printing the reason to stderr) when cuda was asked for and
/// cannot be used: the command then returns 1.
inline bool device_from_args(const Args& args, const char* command, Device* out) {
    const std::string choice = args.has("device") ? args.str("device") : "cpu";
    if (choice != "cpu" && choice != "cuda" && choice != "auto")
        throw UsageError("--device " + choice + ": use cpu, cuda or auto");
    try {
        *out = resolve_device(choice);
    } catch (const ConfigError& e) {
        std::fprintf(stderr, "backprop %s: %s\n", command, e.what());
        return false;
    }
    return true;
}

inline Precision precision_from_args(const Args& args) {
    const std::string choice = args.has("precision") ? args.str("precision") : "fp32";
    if (choice != "fp32" && choice != "bf16") throw UsageError("--precision " + choice + ": use fp32 or bf16");
    return precision_from_string(choice);
}

/// "cpu" or "cuda (NVIDIA H100 ...)" for progress lines.
inline std::string device_label(Device d) {
    return d == Device::cpu ? std::string("cpu") : "cuda (" + cuda_device_summary() + ")";
}

}  // namespace bp::cli
