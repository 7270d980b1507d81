// backend.cpp — picks the backend for a device and answers whether CUDA can be used here.
#include "bp/backend.h"

namespace bp {

Backend& cpu_backend();  // cpu/cpu_backend.cpp

#if defined(BP_HAVE_CUDA)
bool cuda_query(std::string* summary, std::string* why_not);  // cuda/device_query.cu
Backend& cuda_backend();                                        // cuda/cuda_backend.cu

// The device query runs once per process: backend_for(Device::cuda) asks on every op, and the answer
// cannot change while the process runs.
struct CudaQuery {
    bool ok = false;
    std::string summary, why_not;
};
static const CudaQuery& cuda_query_once() {
    static const CudaQuery q = [] {
        CudaQuery r;
        r.ok = cuda_query(&r.summary, &r.why_not);
        return r;
    }();
    return q;
}
#endif

bool cuda_available(std::string* why_not) {
#if defined(BP_HAVE_CUDA)
    const CudaQuery& q = cuda_query_once();
    if (!q.ok && why_not) *why_not = q.why_not;
    return q.ok;
#else
    if (why_not) *why_not = "this build has no CUDA backend (configured without nvcc, or with -DBP_CUDA=OFF)";
    return false;
#endif
}

std::string cuda_device_summary() {
#if defined(BP_HAVE_CUDA)
    const CudaQuery& q = cuda_query_once();
    return q.ok ? q.summary : "no usable GPU: " + q.why_not;
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
#if defined(BP_HAVE_CUDA)
    return cuda_backend();
#else
    throw ConfigError("device cuda: this build has no CUDA backend; use --device cpu");
#endif
}

}  // namespace bp
