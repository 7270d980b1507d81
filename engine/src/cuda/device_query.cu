// device_query.cu — asks the CUDA runtime for a usable GPU. Any error (no driver, no device) means
// "no GPU": on machines without one, cudaGetDeviceCount reports an error rather than zero devices.
#include <cuda_runtime.h>

#include <sstream>
#include <string>

namespace bp {

bool cuda_query(std::string* summary, std::string* why_not) {
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        if (why_not) *why_not = std::string("the CUDA runtime reports: ") + cudaGetErrorString(err);
        return false;
    }
    if (count == 0) {
        if (why_not) *why_not = "the CUDA runtime found no GPU";
        return false;
    }
    cudaDeviceProp prop{};
    err = cudaGetDeviceProperties(&prop, 0);
    if (err != cudaSuccess) {
        if (why_not) *why_not = std::string("cannot read GPU 0's properties: ") + cudaGetErrorString(err);
        return false;
    }
    if (summary) {
        std::ostringstream os;
        os << prop.name << " (" << (prop.totalGlobalMem >> 30) << " GiB, sm_" << prop.major << prop.minor << ")";
        if (count > 1) os << " and " << (count - 1) << " more";
        *summary = os.str();
    }
    return true;
}

}  // namespace bp
