// pool.cpp — max and average pooling over [N, C, H, W] on the CPU, one [H, W] plane at a time. Max pooling
// saves the argmax of each window (a flat index h·W + w inside the plane) so backward is a scatter.
// Not the op (ops/pool.cpp holds the shape checks and the autograd nodes).
#include <algorithm>
#include <limits>

#include "cpu/cpu_kernels.h"

namespace bp::cpu {
namespace {

template <class T>
void max_pool2d_forward_t(Tensor& out, Tensor& indices, const Tensor& x, const Window2d& k) {
    const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
    const int64_t OH = out.size(2), OW = out.size(3);
    const T* xp = x.data<T>();
    T* op = out.data<T>();
    int32_t* ip = indices.data<int32_t>();
    for (int64_t pl = 0; pl < planes; ++pl, xp += H * W)
        for (int64_t oh = 0; oh < OH; ++oh) {
            const int64_t h0 = oh * k.stride_h - k.pad_h;
            const int64_t hb = std::max<int64_t>(h0, 0), he = std::min(h0 + k.kernel_h, H);
            for (int64_t ow = 0; ow < OW; ++ow) {
                const int64_t w0 = ow * k.stride_w - k.pad_w;
                const int64_t wb = std::max<int64_t>(w0, 0), we = std::min(w0 + k.kernel_w, W);
                T best = -std::numeric_limits<T>::infinity();
                int64_t arg = hb * W + wb;  // a window always overlaps the input (checked by the op)
                for (int64_t h = hb; h < he; ++h)
                    for (int64_t w = wb; w < we; ++w) {
                        const T v = xp[h * W + w];
                        if (v > best || v != v) {  // the first maximum wins; NaN propagates, as in torch
                            best = v;
                            arg = h * W + w;
                            if (v != v) h = he, w = we;
                        }
                    }
                *op++ = best == -std::numeric_limits<T>::infinity() ? xp[arg] : best;
                *ip++ = static_cast<int32_t>(arg);
            }
        }
}

// grad_x[plane, argmax] += grad_out: each output received exactly one input of its window.
template <class T>
void max_pool2d_backward_t(Tensor& grad_x, const Tensor& grad_out, const Tensor& indices) {
    const int64_t planes = grad_x.size(0) * grad_x.size(1), HW = grad_x.size(2) * grad_x.size(3);
    const int64_t OHW = grad_out.size(2) * grad_out.size(3);
    T* gx = grad_x.data<T>();
    const T* g = grad_out.data<T>();
    const int32_t* ip = indices.data<int32_t>();
    std::fill_n(gx, grad_x.numel(), T(0));
    for (int64_t pl = 0; pl < planes; ++pl, gx += HW)
        for (int64_t o = 0; o < OHW; ++o) gx[*ip++] += *g++;
}

// out = Σ window / (kh·kw): padding counts as zeros (count_include_pad, torch's default).
template <class T>
void avg_pool2d_forward_t(Tensor& out, const Tensor& x, const Window2d& k) {
    const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
    const int64_t OH = out.size(2), OW = out.size(3);
    const T inv = T(1) / static_cast<T>(k.kernel_h * k.kernel_w);
    const T* xp = x.data<T>();
    T* op = out.data<T>();
    for (int64_t pl = 0; pl < planes; ++pl, xp += H * W)
        for (int64_t oh = 0; oh < OH; ++oh) {
            const int64_t h0 = oh * k.stride_h - k.pad_h;
            const int64_t hb = std::max<int64_t>(h0, 0), he = std::min(h0 + k.kernel_h, H);
            for (int64_t ow = 0; ow < OW; ++ow) {
                const int64_t w0 = ow * k.stride_w - k.pad_w;
                const int64_t wb = std::max<int64_t>(w0, 0), we = std::min(w0 + k.kernel_w, W);
                T acc = 0;
                for (int64_t h = hb; h < he; ++h)
                    for (int64_t w = wb; w < we; ++w) acc += xp[h * W + w];
                *op++ = acc * inv;
            }
        }
}

// grad_x[h, w] = Σ over the windows that contain (h, w) of grad_out / (kh·kw).
template <class T>
void avg_pool2d_backward_t(Tensor& grad_x, const Tensor& grad_out, const Window2d& k) {
    const int64_t planes = grad_x.size(0) * grad_x.size(1), H = grad_x.size(2), W = grad_x.size(3);
    const int64_t OH = grad_out.size(2), OW = grad_out.size(3);
    const T inv = T(1) / static_cast<T>(k.kernel_h * k.kernel_w);
    T* gx = grad_x.data<T>();
    const T* g = grad_out.data<T>();
    std::fill_n(gx, grad_x.numel(), T(0));
    for (int64_t pl = 0; pl < planes; ++pl, gx += H * W)
        for (int64_t oh = 0; oh < OH; ++oh) {
            const int64_t h0 = oh * k.stride_h - k.pad_h;
            const int64_t hb = std::max<int64_t>(h0, 0), he = std::min(h0 + k.kernel_h, H);
            for (int64_t ow = 0; ow < OW; ++ow) {
                const int64_t w0 = ow * k.stride_w - k.pad_w;
                const int64_t wb = std::max<int64_t>(w0, 0), we = std::min(w0 + k.kernel_w, W);
                const T share = *g++ * inv;
                for (int64_t h = hb; h < he; ++h)
                    for (int64_t w = wb; w < we; ++w) gx[h * W + w] += share;
            }
        }
}

}  // namespace

void max_pool2d_forward(Tensor& out, Tensor& indices, const Tensor& x, const Window2d& win) {
    dispatch_dtype(x.dtype(), [&](auto tag) { max_pool2d_forward_t<decltype(tag)>(out, indices, x, win); });
}
void max_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Tensor& indices) {
    dispatch_dtype(grad_x.dtype(), [&](auto tag) { max_pool2d_backward_t<decltype(tag)>(grad_x, grad_out, indices); });
}
void avg_pool2d_forward(Tensor& out, const Tensor& x, const Window2d& win) {
    dispatch_dtype(x.dtype(), [&](auto tag) { avg_pool2d_forward_t<decltype(tag)>(out, x, win); });
}
void avg_pool2d_backward(Tensor& grad_x, const Tensor& grad_out, const Window2d& win) {
    dispatch_dtype(grad_x.dtype(), [&](auto tag) { avg_pool2d_backward_t<decltype(tag)>(grad_x, grad_out, win); });
}

}  // namespace bp::cpu
