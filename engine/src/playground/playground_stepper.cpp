// playground_stepper.cpp — see playground_stepper.h.
#include "bp/playground/playground_stepper.h"

#include <algorithm>

#include "bp/errors.h"
#include "bp/ops.h"

namespace bp::playground {

train::StepperProblem stepper_problem(const Playground& pg, int batch) {
    const Config& c = pg.config();
    const std::vector<Point>& train = pg.data().train;
    if (train.empty()) throw ConfigError("playground: there are no training points to step through; add some first");
    const int64_t n = std::min<int64_t>(batch > 0 ? batch : c.batch_size, static_cast<int64_t>(train.size()));
    const int64_t f = feature_dims(c.features);

    train::StepperProblem p;
    p.name = "playground";
    p.lr = c.lr;
    std::vector<double> xs;
    xs.reserve(static_cast<size_t>(n * f));
    p.t = Tensor::empty({n}, DType::i32).set_name("labels");  // [n]
    for (int64_t i = 0; i < n; ++i) {
        const Point& pt = train[static_cast<size_t>(i)];
        for (double v : features_of(pt.x1, pt.x2, c.features)) xs.push_back(v);
        p.t.data<int32_t>()[i] = pt.label;
    }
    p.x = Tensor::from_vector({n, f}, xs, DType::f64).set_name("features");  // [n, f]

    const std::vector<int> sizes = pg.layer_sizes();
    const auto w = pg.weights();
    const auto b = pg.biases();
    for (size_t l = 0; l < w.size(); ++l) {
        const int64_t out = sizes[l + 1], in = sizes[l];
        const std::string k = std::to_string(l + 1);
        p.params.emplace_back("W" + k, Tensor::from_vector({out, in}, std::vector<double>(w[l].begin(), w[l].end()), DType::f64));
        p.params.emplace_back("b" + k, Tensor::from_vector({out}, std::vector<double>(b[l].begin(), b[l].end()), DType::f64));
    }
    const nn::Activation act = c.activation;
    p.loss = [act](const std::vector<Tensor>& params, const Tensor& x, const Tensor& t) {
        Tensor h = x;
        const size_t layers = params.size() / 2;
        for (size_t l = 0; l < layers; ++l) {
            h = linear(h, params[2 * l], params[2 * l + 1]);  // [n, out_l]
            if (l + 1 == layers) break;
            switch (act) {  // as Playground::forward
                case nn::Activation::relu: h = relu(h); break;
                case nn::Activation::sigmoid: h = sigmoid(h); break;
                default: h = tanh(h); break;
            }
        }
        return cross_entropy(h, t);  // []
    };
    return p;
}

}  // namespace bp::playground
