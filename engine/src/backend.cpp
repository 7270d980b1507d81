// backend.cpp — picks the backend for a device and answers whether CUDA can be used here.
#include "bp/backend.h"

namespace bp {

Backend& cpu_backend();  // cpu/cpu_backend.cpp

#if defined(BP_HAVE_CUDA)
bool cuda_query(std::string* summary, std::string* why_not);  // cuda/device_query.cu
#endif

bool cuda_available(std::string* why_not) {
#if defined(BP_HAVE_CUDA)
    std::string summary, reason;
    bool ok = cuda_query(&summary, &reason);
    if (!ok && why_not) *why_not = reason;
    return ok;
#else
    if (why_not) *why_not = "this build has no CUDA backend (nvcc was not found when it was configured)";
    return false;
#endif
}

std::string cuda_device_summary() {
#if defined(BP_HAVE_CUDA)
    std::string summary, reason;
    return cuda_query(&summary, &reason) ? summary : "no usable GPU: " + reason;
#else
    std::string why;
    cuda_available(&why);
    return "no CUDA: " + why;
#endif
}

Backend& backend_for(Device device) {
    if (device == Device::cpu) return cpu_backend();
    std::string why;
    if (!cuda_available(&why)) throw ConfigError("device cuda: not available here; " + why + "; use --device cpu");
    // TODO(#8): the CUDA kernels land with the CUDA backend issue; until then only the device query exists.
    throw ConfigError("device cuda: this build detects the GPU but has no CUDA kernels yet; use --device cpu");
}

}  // namespace bp
