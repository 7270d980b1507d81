// attention.cpp — the CPU kernels of the tiled (flash-attention style) attention: one [block, block] score
// tile per head at a time through Eigen GEMMs, an online softmax over key blocks, and a backward that
// recomputes each probability tile from the saved row log-sum-exp. Heads run in parallel (cpu/parallel.h).
// The op, its checks and the derivation are in ops/attention.cpp. Not in the Backend table yet (no CUDA kernel).
#include <Eigen/Dense>
#include <cmath>
#include <limits>

#include "cpu/cpu_kernels.h"
#include "cpu/parallel.h"

namespace bp::cpu {

namespace {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using CMap = Eigen::Map<const Mat<T>>;
template <class T>
using MMap = Eigen::Map<Mat<T>>;

struct Geom {
    int64_t B, H, T, S, Dh, block;
    const uint8_t* keep;  // [B, S]
    bool causal;
    bool visible(int64_t b, int64_t t, int64_t s) const { return keep[b * S + s] && (!causal || s <= t); }
};

template <class T>
void forward_impl(Tensor& out, Tensor& lse, const Tensor& q, const Tensor& k, const Tensor& v, const Geom& g) {
    const int64_t T_ = g.T, S = g.S, Dh = g.Dh, Bl = g.block;
    const T sc = static_cast<T>(1.0 / std::sqrt(static_cast<double>(Dh)));
    parallel_for(g.B * g.H, 1, [&](int64_t bh0, int64_t bh1) {
    for (int64_t bh = bh0; bh < bh1; ++bh) {
        const int64_t b = bh / g.H;
        CMap<T> Q(q.data<T>() + bh * T_ * Dh, T_, Dh), K(k.data<T>() + bh * S * Dh, S, Dh),
            V(v.data<T>() + bh * S * Dh, S, Dh);  // [T, Dh], [S, Dh], [S, Dh]
        MMap<T> O(out.data<T>() + bh * T_ * Dh, T_, Dh);
        double* L = lse.data<double>() + bh * T_;
        Mat<T> tile, acc;  // [nr, nc] scores then probabilities; [nr, Dh] unnormalised output
        std::vector<double> m, l;
        for (int64_t i0 = 0; i0 < T_; i0 += Bl) {
            const int64_t nr = std::min(Bl, T_ - i0);
            acc.setZero(nr, Dh);
            m.assign(nr, -INFINITY);
            l.assign(nr, 0.0);
            for (int64_t j0 = 0; j0 < S; j0 += Bl) {
                if (g.causal && j0 > i0 + nr - 1) break;  // every later key is in the future
                const int64_t nc = std::min(Bl, S - j0);
                tile.noalias() = (Q.middleRows(i0, nr) * K.middleRows(j0, nc).transpose()) * sc;
                for (int64_t r = 0; r < nr; ++r) {
                    for (int64_t c = 0; c < nc; ++c)  // masked scores -> −∞, so that exp gives exactly 0
                        if (!g.visible(b, i0 + r, j0 + c)) tile(r, c) = -std::numeric_limits<T>::infinity();
                    const double mx = double(tile.row(r).maxCoeff());
                    if (mx == -INFINITY) {  // nothing visible to this row in this block
                        tile.row(r).setZero();
                        continue;
                    }
                    const double mn = std::max(m[r], mx), corr = std::exp(m[r] - mn);
                    l[r] *= corr;
                    acc.row(r) *= static_cast<T>(corr);
                    tile.row(r) = (tile.row(r).array() - static_cast<T>(mn)).exp();  // Eigen's vectorised exp
                    l[r] += double(tile.row(r).sum());
                    m[r] = mn;
                }
                acc.noalias() += tile * V.middleRows(j0, nc);  // [nr, nc] @ [nc, Dh]
            }
            for (int64_t r = 0; r < nr; ++r) {  // the op guarantees every row saw a key: ℓ > 0
                O.row(i0 + r) = acc.row(r) / static_cast<T>(l[r]);
                L[i0 + r] = m[r] + std::log(l[r]);
            }
        }
    }
    });
}

template <class T>
void backward_impl(Tensor& gq, Tensor& gk, Tensor& gv, const Tensor& grad_out, const Tensor& q, const Tensor& k,
                   const Tensor& v, const Tensor& out, const Tensor& lse, const Geom& g) {
    const int64_t T_ = g.T, S = g.S, Dh = g.Dh, Bl = g.block;
    const double sc = 1.0 / std::sqrt(static_cast<double>(Dh));
    parallel_for(g.B * g.H, 1, [&](int64_t bh0, int64_t bh1) {
    for (int64_t bh = bh0; bh < bh1; ++bh) {
        const int64_t b = bh / g.H;
        CMap<T> Q(q.data<T>() + bh * T_ * Dh, T_, Dh), K(k.data<T>() + bh * S * Dh, S, Dh),
            V(v.data<T>() + bh * S * Dh, S, Dh), O(out.data<T>() + bh * T_ * Dh, T_, Dh),
            dO(grad_out.data<T>() + bh * T_ * Dh, T_, Dh);
        MMap<T> dQ(gq.data<T>() + bh * T_ * Dh, T_, Dh), dK(gk.data<T>() + bh * S * Dh, S, Dh),
            dV(gv.data<T>() + bh * S * Dh, S, Dh);
        dQ.setZero();
        dK.setZero();
        dV.setZero();
        const double* L = lse.data<double>() + bh * T_;
        std::vector<double> D(T_);  // D_t = Σ_d dO[t, d] O[t, d]
        for (int64_t t = 0; t < T_; ++t) D[t] = double(dO.row(t).dot(O.row(t)));
        Mat<T> p, dp;  // [nr, nc] tiles
        for (int64_t j0 = 0; j0 < S; j0 += Bl) {
            const int64_t nc = std::min(Bl, S - j0);
            for (int64_t i0 = 0; i0 < T_; i0 += Bl) {
                const int64_t nr = std::min(Bl, T_ - i0);
                if (g.causal && j0 > i0 + nr - 1) continue;
                p.noalias() = Q.middleRows(i0, nr) * K.middleRows(j0, nc).transpose();
                dp.noalias() = dO.middleRows(i0, nr) * V.middleRows(j0, nc).transpose();
                for (int64_t r = 0; r < nr; ++r) {
                    const int64_t t = i0 + r;
                    for (int64_t c = 0; c < nc; ++c)
                        p(r, c) = g.visible(b, t, j0 + c) ? static_cast<T>(double(p(r, c)) * sc - L[t])
                                                          : -std::numeric_limits<T>::infinity();
                    p.row(r) = p.row(r).array().exp();                                                 // P
                    dp.row(r) = p.row(r).array() * (dp.row(r).array() - static_cast<T>(D[t])) * static_cast<T>(sc);  // dS / √Dh
                }
                dV.middleRows(j0, nc).noalias() += p.transpose() * dO.middleRows(i0, nr);
                dQ.middleRows(i0, nr).noalias() += dp * K.middleRows(j0, nc);
                dK.middleRows(j0, nc).noalias() += dp.transpose() * Q.middleRows(i0, nr);
            }
        }
    }
    });
}

}  // namespace

void flash_attention_forward(Tensor& out, Tensor& lse, const Tensor& q, const Tensor& k, const Tensor& v,
                             const uint8_t* keep, bool causal, int64_t block) {
    const Geom g{q.size(0), q.size(1), q.size(2), k.size(2), q.size(3), block, keep, causal};
    if (q.dtype() == DType::f64) forward_impl<double>(out, lse, q, k, v, g);
    else forward_impl<float>(out, lse, q, k, v, g);
}

void flash_attention_backward(Tensor& grad_q, Tensor& grad_k, Tensor& grad_v, const Tensor& grad_out, const Tensor& q,
                              const Tensor& k, const Tensor& v, const Tensor& out, const Tensor& lse,
                              const uint8_t* keep, bool causal, int64_t block) {
    const Geom g{q.size(0), q.size(1), q.size(2), k.size(2), q.size(3), block, keep, causal};
    if (q.dtype() == DType::f64) backward_impl<double>(grad_q, grad_k, grad_v, grad_out, q, k, v, out, lse, g);
    else backward_impl<float>(grad_q, grad_k, grad_v, grad_out, q, k, v, out, lse, g);
}

}  // namespace bp::cpu
