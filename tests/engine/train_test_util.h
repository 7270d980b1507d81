// train_test_util.h — a few real training steps for the tests that need weights and batch-norm running statistics
// that are no longer their initial values (the ONNX export and Python interop comparisons). Test-only.
#pragma once

#include <vector>

#include "bp/data/dataset.h"
#include "bp/models/zoo.h"
#include "bp/optim/optimizer.h"

namespace bp_test {

/// `steps` Adam steps (lr 1e-3, batch 32) on real MNIST training images, deterministic; the model is left in eval mode.
inline void train_a_little(bp::models::Model& m, const bp::data::ImageDataset& train, int steps) {
    bp::optim::Adam opt(m.net->parameters(), {.lr = 1e-3});
    m.net->train();
    for (int s = 0; s < steps; ++s) {
        std::vector<int64_t> idx(32);
        for (int i = 0; i < 32; ++i) idx[static_cast<size_t>(i)] = (s * 32 + i) * 37 % train.count;
        bp::Tensor x = bp::Tensor::empty({32, 1, 28, 28});
        bp::data::normalize_images(train, idx.data(), 32, x.data<float>());
        std::vector<double> y;
        for (int64_t i : idx) y.push_back(train.labels[static_cast<size_t>(i)]);
        bp::Tensor loss = bp::cross_entropy(m.net->forward(x), bp::Tensor::from_vector({32}, y, bp::DType::i32));
        m.net->zero_grad();
        loss.backward();
        opt.step();
    }
    m.net->eval();
}

}  // namespace bp_test
