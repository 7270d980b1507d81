// stepper.cpp — the example graphs, the forward reveal, the backward pass through autograd::BackwardStepper
// (never a second backward), back-one-step by rebuilding and replaying, the finite-difference check per node
// and the gradient-flow experiment.
#include "bp/train/stepper.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "bp/errors.h"
#include "bp/models/zoo.h"
#include "bp/nn/module.h"
#include "bp/ops.h"
#include "bp/optim/optimizer.h"

namespace bp::train {

OpFormula op_formula(const std::string& op) {
    static const std::map<std::string, OpFormula> table{
        {"linear", {"y = x·Wᵀ + b", "∂L/∂x = g·W,  ∂L/∂W = gᵀ·x,  ∂L/∂b = Σₙ g"}},
        {"matmul", {"y = A·B", "∂L/∂A = g·Bᵀ,  ∂L/∂B = Aᵀ·g"}},
        {"add", {"y = a + b", "∂y/∂a = 1,  ∂y/∂b = 1 (summed over broadcast dims)"}},
        {"sub", {"y = a − b", "∂y/∂a = 1,  ∂y/∂b = −1"}},
        {"mul", {"y = a ⊙ b", "∂y/∂a = b,  ∂y/∂b = a"}},
        {"div", {"y = a / b", "∂y/∂a = 1/b,  ∂y/∂b = −a/b²"}},
        {"scale", {"y = s·x", "∂y/∂x = s"}},
        {"sigmoid", {"σ(x) = 1/(1+e^(−x))", "σ'(x) = σ(x)(1 − σ(x))"}},
        {"tanh", {"tanh(x) = (eˣ − e^(−x))/(eˣ + e^(−x))", "tanh'(x) = 1 − tanh²(x)"}},
        {"relu", {"relu(x) = max(0, x)", "relu'(x) = 1 if x > 0, else 0"}},
        {"leaky_relu", {"y = x if x > 0, else α·x", "y' = 1 if x > 0, else α"}},
        {"gelu", {"gelu(x) = x·Φ(x)", "gelu'(x) = Φ(x) + x·φ(x)"}},
        {"exp", {"y = eˣ", "y' = eˣ"}},
        {"log", {"y = ln x", "y' = 1/x"}},
        {"sum", {"y = Σᵢ xᵢ", "∂y/∂xᵢ = 1"}},
        {"mean", {"y = (1/n) Σᵢ xᵢ", "∂y/∂xᵢ = 1/n"}},
        {"reshape", {"y = x viewed with a new shape", "∂L/∂x = g reshaped back"}},
        {"softmax", {"pᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)", "∂L/∂xᵢ = pᵢ (gᵢ − Σⱼ gⱼ pⱼ)"}},
        {"log_softmax", {"yᵢ = xᵢ − log Σⱼ e^(xⱼ)", "∂L/∂xᵢ = gᵢ − pᵢ Σⱼ gⱼ"}},
        {"cross_entropy", {"L = −(1/N) Σₙ log softmax(zₙ)[tₙ]", "∂L/∂z = (softmax(z) − onehot(t)) / N"}},
        {"mse_loss", {"L = (1/n) Σᵢ (yᵢ − tᵢ)²", "∂L/∂y = 2(y − t)/n"}},
    };
    auto it = table.find(op);
    return it == table.end() ? OpFormula{} : it->second;
}

bool reevaluate_node(const Node& node, const Shape& output_shape, const std::vector<Tensor>& in, Tensor& out) {
    autograd::NoGradGuard no_grad;
    const std::string& op = node.op;
    auto arg = [&](size_t i) { return i < in.size() ? in[i] : Tensor(); };
    if (op == "linear") out = linear(arg(0), arg(1), arg(2));
    else if (op == "matmul") out = matmul(arg(0), arg(1));
    else if (op == "add") out = add(arg(0), arg(1));
    else if (op == "sub") out = sub(arg(0), arg(1));
    else if (op == "mul") out = mul(arg(0), arg(1));
    else if (op == "div") out = div(arg(0), arg(1));
    else if (op == "sigmoid") out = sigmoid(arg(0));
    else if (op == "relu") out = relu(arg(0));
    else if (op == "tanh") out = tanh(arg(0));
    else if (op == "exp") out = exp(arg(0));
    else if (op == "log") out = log(arg(0));
    else if (op == "softmax") out = softmax(arg(0));
    else if (op == "log_softmax") out = log_softmax(arg(0));
    else if (op == "mse_loss") out = mse_loss(arg(0), arg(1));
    else if (op == "cross_entropy") out = cross_entropy(arg(0), arg(1));
    else if (op == "reshape" || op == "flatten") out = reshape(arg(0).clone(), output_shape);
    else if ((op == "sum" || op == "mean") && output_shape.empty()) out = op == "sum" ? sum(arg(0)) : mean(arg(0));
    else return false;
    return true;
}

NumericCheck numeric_check(const Node& node, const Tensor& output, const Tensor& grad_output, const Tensor& grad_input,
                           size_t k, int64_t max_entries, double eps) {
    NumericCheck c;
    if (k >= node.inputs.size() || !node.needs_grad[k] || !grad_input.defined()) return c;
    // Float64 copies of every input (integer targets stay as they are).
    std::vector<Tensor> in;
    for (const Tensor& t : node.inputs)
        in.push_back(!t.defined() ? Tensor() : t.dtype() == DType::i32 ? t : t.to(DType::f64));
    const std::vector<double> r = grad_output.to_vector();  // the upstream gradient weights each output
    auto weighted = [&]() -> double {
        Tensor y;
        if (!reevaluate_node(node, output.shape(), in, y)) return NAN;
        const std::vector<double> v = y.to_vector();
        double acc = 0;
        for (size_t i = 0; i < v.size() && i < r.size(); ++i) acc += v[i] * r[i];
        return acc;
    };
    if (std::isnan(weighted())) return c;
    c.available = true;
    c.numel = in[k].numel();
    const int64_t count = std::min(c.numel, max_entries);
    const std::vector<double> analytic = grad_input.to_vector();
    double* p = in[k].data<double>();
    for (int64_t j = 0; j < count; ++j) {
        const int64_t i = count == c.numel ? j : j * c.numel / count;
        const double orig = p[i];
        p[i] = orig + eps;
        const double lp = weighted();
        p[i] = orig - eps;
        const double lm = weighted();
        p[i] = orig;
        const double num = (lp - lm) / (2 * eps);
        c.indices.push_back(i);
        c.numeric.push_back(num);
        c.analytic.push_back(analytic[static_cast<size_t>(i)]);
        c.max_abs_diff = std::max(c.max_abs_diff, std::abs(num - analytic[static_cast<size_t>(i)]));
    }
    return c;
}

std::vector<std::string> StepperSession::examples() { return {"neuron", "xor", "mnist-mlp"}; }

StepperSession::StepperSession(const std::string& example, const std::string& data_dir, uint64_t seed)
    : example_(example), data_dir_(data_dir), seed_(seed) {
    auto f64 = [](const Shape& s, const std::vector<double>& v) { return Tensor::from_vector(s, v, DType::f64); };
    if (example == "neuron") {
        // y = σ(w·x + b), L = (y − t)²: one sample, the numbers of tst_autograd's hand derivation.
        lr_ = 0.5;
        x_ = f64({1, 2}, {1.0, 2.0}).set_name("x");
        t_ = f64({1, 1}, {1.0}).set_name("target");
        params_ = {{"w", f64({1, 2}, {0.5, -0.25})}, {"b", f64({1}, {0.1})}};
        forward_ = [](const std::vector<Tensor>& p, const Tensor& x_, const Tensor& t_) {
            Tensor z = linear(x_, p[0], p[1]);  // [1, 1]
            Tensor y = sigmoid(z);              // [1, 1]
            return mse_loss(y, t_);             // []
        };
    } else if (example == "xor") {
        // 2-2-1, sigmoid hidden and output units, on the four XOR inputs; weights U(−1, 1) from the seed.
        lr_ = 0.5;
        x_ = f64({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}).set_name("x");
        t_ = f64({4, 1}, {0, 1, 1, 0}).set_name("target");
        Generator gen(seed);
        params_ = {{"W1", Tensor::uniform({2, 2}, gen, -1, 1, DType::f64)},
                   {"b1", Tensor::uniform({2}, gen, -1, 1, DType::f64)},
                   {"W2", Tensor::uniform({1, 2}, gen, -1, 1, DType::f64)},
                   {"b2", Tensor::uniform({1}, gen, -1, 1, DType::f64)}};
        forward_ = [](const std::vector<Tensor>& p, const Tensor& x_, const Tensor& t_) {
            Tensor h = sigmoid(linear(x_, p[0], p[1]));  // [4, 2]
            Tensor y = sigmoid(linear(h, p[2], p[3]));   // [4, 1]
            return mse_loss(y, t_);                      // []
        };
    } else if (example == "mnist-mlp") {
        // The zoo's 784-128-64-10 MLP (float32) on the first 8 MNIST test images.
        lr_ = 0.1;
        const data::ImageDataset test = data::load_image_dataset(data::resolve_data_dir(data_dir), "mnist", "test");
        const int64_t n = 8;
        std::vector<int64_t> idx(n);
        for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = i;
        x_ = Tensor::empty({n, 1, 28, 28}).set_name("images");  // [8, 1, 28, 28]
        data::normalize_images(test, idx.data(), n, x_.data<float>());
        t_ = Tensor::empty({n}, DType::i32).set_name("labels");  // [8]
        for (int64_t i = 0; i < n; ++i) t_.data<int32_t>()[i] = test.labels[static_cast<size_t>(i)];
        auto model = std::make_shared<models::Model>(models::create_model("mlp", nlohmann::json::object(), seed));
        for (auto& [name, t] : model->net->named_parameters()) params_.emplace_back(name, t);
        forward_ = [model](const std::vector<Tensor>&, const Tensor& x_, const Tensor& t_) { return cross_entropy(model->net->forward(x_), t_); };
    } else {
        throw ConfigError("stepper: unknown example '" + example + "'; use neuron, xor or mnist-mlp");
    }
    for (auto& [name, t] : params_) t.set_requires_grad(true).set_name(name);
    build_graph();
}

StepperSession::StepperSession(StepperProblem problem) : example_(std::move(problem.name)), seed_(0) {
    if (problem.params.empty() || !problem.loss || !problem.x.defined() || !problem.t.defined())
        throw ConfigError("stepper: the network to step through needs parameters, a batch and a loss");
    lr_ = problem.lr;
    x_ = std::move(problem.x);
    t_ = std::move(problem.t);
    params_ = std::move(problem.params);
    forward_ = std::move(problem.loss);
    for (auto& [name, t] : params_) t.set_requires_grad(true).set_name(name);
    build_graph();
}

void StepperSession::build_graph() {
    std::vector<Tensor> p;
    for (auto& [name, t] : params_) {
        t.zero_grad();
        p.push_back(t);
    }
    loss_ = forward_(p, x_, t_);
    stepper_ = std::make_unique<autograd::BackwardStepper>(loss_);
    const auto& order = stepper_->nodes();  // backward order: the root's node first
    const size_t n = order.size();
    std::unordered_map<const Node*, size_t> id_of;
    for (size_t i = 0; i < n; ++i) id_of[order[i].get()] = n - 1 - i;
    nodes_.assign(n, {});
    grads_.assign(n, std::nullopt);
    for (size_t i = 0; i < n; ++i) {
        const Node& node = *order[i];
        StepNode& s = nodes_[n - 1 - i];
        s.id = n - 1 - i;
        s.op = node.op;
        s.attrs = node.attrs;
        s.formula = op_formula(node.op);
        s.inputs = node.inputs;
        s.needs_grad = node.needs_grad;
        s.output = Tensor(node.output.lock());
        for (const Tensor& in : node.inputs) {
            int producer = -1;
            if (in.defined() && in.grad_fn()) {
                auto it = id_of.find(in.grad_fn().get());
                if (it != id_of.end()) producer = static_cast<int>(it->second);
            }
            s.input_producers.push_back(producer);
            std::string name = !in.defined() ? "—" : !in.name().empty() ? in.name() : "input";
            if (producer >= 0) name = "#" + std::to_string(producer + 1) + " " + order[n - 1 - producer]->op;
            s.input_names.push_back(name);
        }
    }
    fwd_pos_ = 0;
    current_.reset();
}

std::vector<size_t> StepperSession::backward_order() const {
    std::vector<size_t> ids;
    for (size_t i = nodes_.size(); i-- > 0;) ids.push_back(i);
    return ids;
}

void StepperSession::set_parameter(const std::string& name, const std::vector<double>& values) {
    for (auto& [n, t] : params_)
        if (n == name) {
            if (static_cast<int64_t>(values.size()) != t.numel())
                throw ShapeError("stepper: parameter " + name + " has " + std::to_string(t.numel()) + " values; got " +
                                 std::to_string(values.size()));
            {
                autograd::NoGradGuard g;
                t.copy_(Tensor::from_vector(t.shape(), values, DType::f64));
            }
            build_graph();
            return;
        }
    throw ConfigError("stepper: no parameter named " + name);
}

size_t StepperSession::step_count() const { return fwd_pos_ + backward_position(); }

std::optional<size_t> StepperSession::step_forward() {
    if (forward_done()) return std::nullopt;
    current_ = fwd_pos_++;
    return current_;
}

std::optional<size_t> StepperSession::step_backward() {
    fwd_pos_ = nodes_.size();
    if (stepper_->done()) return std::nullopt;
    autograd::StepRecord rec = stepper_->step();
    const size_t id = nodes_.size() - stepper_->position();
    StepGrad g;
    g.grad_output = rec.grad_output;
    g.grad_inputs = rec.grad_inputs;
    for (size_t k = 0; k < rec.node->inputs.size(); ++k) {
        const Tensor gi = k < rec.grad_inputs.size() ? rec.grad_inputs[k] : Tensor();
        g.checks.push_back(numeric_check(*rec.node, rec.output, rec.grad_output, gi, k, 256));
        if (g.checks.back().available) g.max_diff = std::max(g.max_diff, g.checks.back().max_abs_diff);
    }
    grads_[id] = std::move(g);
    current_ = id;
    return id;
}

void StepperSession::run_to_end_of_pass() {
    if (!forward_done()) {
        while (step_forward()) {
        }
        return;
    }
    while (step_backward()) {
    }
}

void StepperSession::replay(size_t fwd, size_t bwd) {
    build_graph();
    for (size_t i = 0; i < fwd; ++i) step_forward();
    for (size_t i = 0; i < bwd; ++i) step_backward();
}

void StepperSession::back_one_step() {
    const size_t n = nodes_.size();
    const size_t s = step_count();
    if (s > 0) {
        const size_t k = s - 1;
        replay(std::min(k, n), k > n ? k - n : 0);
        return;
    }
    if (history_.empty()) return;
    {
        autograd::NoGradGuard g;
        for (size_t i = 0; i < params_.size(); ++i)
            params_[i].second.copy_(Tensor::from_vector(params_[i].second.shape(), history_.back()[i], DType::f64));
    }
    history_.pop_back();
    replay(n, n);
}

void StepperSession::restart() { build_graph(); }

std::vector<ParamChange> StepperSession::update() {
    if (!forward_done()) run_to_end_of_pass();
    run_to_end_of_pass();
    std::vector<ParamChange> changes;
    std::vector<Tensor> ps;
    std::vector<std::vector<double>> before;
    for (auto& [name, t] : params_) {
        ParamChange c{name, t.shape(), t.to_vector(), {}, {}};
        c.grad = t.grad().defined() ? t.grad().to_vector() : std::vector<double>(c.before.size(), 0.0);
        before.push_back(c.before);
        changes.push_back(std::move(c));
        ps.push_back(t);
    }
    history_.push_back(std::move(before));
    optim::SgdOptions o;
    o.lr = lr_;
    optim::SGD sgd(ps, o);
    sgd.step();
    for (size_t i = 0; i < params_.size(); ++i) changes[i].after = params_[i].second.to_vector();
    build_graph();
    return changes;
}

const StepGrad* StepperSession::grad(size_t id) const {
    return id < grads_.size() && grads_[id] ? &*grads_[id] : nullptr;
}

GradientFlow gradient_flow(const data::ImageDataset& ds, const std::string& activation, int layers, int steps,
                           int images, double lr, uint64_t seed) {
    if (ds.count <= 0) throw DataError("gradient flow: the dataset is empty");
    images = static_cast<int>(std::min<int64_t>(images, ds.count));
    const int64_t in = ds.rows * ds.cols, batch = std::min(32, images);
    nn::Sequential net;
    std::vector<nn::Linear*> linears;
    for (int l = 0; l < layers; ++l) {
        const int64_t fan_in = l == 0 ? in : 64, fan_out = l == layers - 1 ? 10 : 64;
        auto lin = std::make_shared<nn::Linear>(nn::LinearOptions(fan_in, fan_out));
        linears.push_back(lin.get());
        net.push_back(lin);
        if (l < layers - 1) net.push_back(std::make_shared<nn::ActivationLayer>(nn::activation_from_string(activation)));
    }
    Generator gen(seed);
    net.reset_parameters(gen);
    optim::SgdOptions o;
    o.lr = lr;
    optim::SGD sgd(net.parameters(), o);
    GradientFlow r;
    r.activation = activation;
    r.norms.assign(static_cast<size_t>(layers), {});
    std::vector<int64_t> idx(static_cast<size_t>(batch));
    for (int s = 0; s < steps; ++s) {
        for (int64_t i = 0; i < batch; ++i) idx[static_cast<size_t>(i)] = (s * batch + i) % images;
        Tensor x = Tensor::empty({batch, in});  // [B, 784]
        data::normalize_images(ds, idx.data(), batch, x.data<float>());
        Tensor t = Tensor::empty({batch}, DType::i32);  // [B]
        for (int64_t i = 0; i < batch; ++i) t.data<int32_t>()[i] = ds.labels[static_cast<size_t>(idx[static_cast<size_t>(i)])];
        sgd.zero_grad();
        Tensor loss = cross_entropy(net.forward(x), t);
        loss.backward();
        r.losses.push_back(loss.item());
        for (size_t l = 0; l < linears.size(); ++l) {
            double sq = 0;
            for (double v : linears[l]->weight.grad().to_vector()) sq += v * v;
            r.norms[l].push_back(std::sqrt(sq));
        }
        sgd.step();
    }
    return r;
}

}  // namespace bp::train
