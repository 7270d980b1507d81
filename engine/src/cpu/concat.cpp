// concat.cpp — concatenation along one dimension and its inverse (split), for any dtype: byte copies of
// contiguous runs. With outer = Π shape[:dim] and inner = Π shape[dim+1:], input i contributes, for each
// outer index, one run of size_i(dim)·inner elements.
#include <algorithm>
#include <cstring>

#include "cpu/cpu_kernels.h"

namespace bp::cpu {
namespace {

int64_t outer_of(const Tensor& t, int64_t dim) {
    int64_t n = 1;
    for (int64_t d = 0; d < dim; ++d) n *= t.size(d);
    return n;
}

}  // namespace

void concat(Tensor& out, const std::vector<Tensor>& inputs, int64_t dim) {
    const int64_t outer = outer_of(out, dim);
    const size_t row_bytes = static_cast<size_t>(out.numel() / std::max<int64_t>(outer, 1)) * dtype_size(out.dtype());
    char* o = static_cast<char*>(out.raw_data());
    size_t offset = 0;
    for (const Tensor& t : inputs) {
        const size_t run = static_cast<size_t>(t.numel() / std::max<int64_t>(outer, 1)) * dtype_size(t.dtype());
        const char* src = static_cast<const char*>(t.raw_data());
        for (int64_t r = 0; r < outer; ++r) std::memcpy(o + static_cast<size_t>(r) * row_bytes + offset, src + r * run, run);
        offset += run;
    }
}

void split(std::vector<Tensor>& outputs, const Tensor& in, int64_t dim) {
    const int64_t outer = outer_of(in, dim);
    const size_t row_bytes = static_cast<size_t>(in.numel() / std::max<int64_t>(outer, 1)) * dtype_size(in.dtype());
    const char* src = static_cast<const char*>(in.raw_data());
    size_t offset = 0;
    for (Tensor& t : outputs) {
        const size_t run = static_cast<size_t>(t.numel() / std::max<int64_t>(outer, 1)) * dtype_size(t.dtype());
        char* dst = static_cast<char*>(t.raw_data());
        for (int64_t r = 0; r < outer; ++r) std::memcpy(dst + r * run, src + static_cast<size_t>(r) * row_bytes + offset, run);
        offset += run;
    }
}

}  // namespace bp::cpu
