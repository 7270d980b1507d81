// model_tools.cpp — see model_tools.h.
#include "tools/model_tools.h"

#include <cmath>

#include "bp/autograd.h"
#include "bp/errors.h"
#include "bp/io/model_file.h"
#include "bp/io/safetensors.h"

namespace modeltools {

void copyState(const bp::models::Model& from, bp::models::Model& to) { copyState(*from.net, *to.net); }

void copyState(const bp::nn::Module& from, bp::nn::Module& to) {
    auto copyAll = [](const auto& src, auto dst) {
        if (src.size() != dst.size())
            throw bp::DataError("model copy: " + std::to_string(src.size()) + " tensors do not fit " +
                                std::to_string(dst.size()));
        for (size_t i = 0; i < src.size(); ++i) {
            if (src[i].second.shape() != dst[i].second.shape())
                throw bp::DataError("model copy: tensor " + src[i].first + " " + src[i].second.repr() +
                                    " does not fit " + dst[i].second.repr());
            dst[i].second.copy_(src[i].second);
        }
    };
    bp::autograd::NoGradGuard g;
    copyAll(from.named_parameters(), to.named_parameters());
    copyAll(from.named_buffers(), to.named_buffers());
}

std::shared_ptr<bp::models::Model> cloneModel(const bp::models::Model& m) {
    auto copy = std::make_shared<bp::models::Model>(bp::models::create_model_from_config(m.config()));
    copy->input_shape = m.input_shape;
    copy->num_classes = m.num_classes;
    copyState(m, *copy);
    copy->net->eval();
    return copy;
}

std::shared_ptr<bp::models::Model> loadModelFile(const std::string& path) {
    auto model = std::make_shared<bp::models::Model>(bp::io::load_model(path).model);
    const bp::io::SafetensorsFile f = bp::io::load_safetensors(path);  // the header again, for bp.config
    if (auto it = f.metadata.find("bp.config"); it != f.metadata.end()) {
        const nlohmann::json config = nlohmann::json::parse(it->second, nullptr, false);
        if (config.is_object()) {
            if (config.contains("input_shape") && config["input_shape"].is_array())
                model->input_shape = config["input_shape"].get<bp::Shape>();
            if (config.contains("num_classes") && config["num_classes"].is_number_integer())
                model->num_classes = config["num_classes"].get<int>();
        }
    }
    model->net->eval();
    return model;
}

std::vector<LayerGroup> parameterGroups(const bp::models::Model& m) {
    std::vector<LayerGroup> groups;
    std::vector<std::string> keys;
    for (const auto& [name, t] : m.net->named_parameters()) {
        const std::string key = name.substr(0, name.find('.'));
        if (keys.empty() || keys.back() != key) {
            std::string type = "layer";
            for (const auto& [childName, child] : m.net->children())
                if (childName == key) type = child->type_name();
            keys.push_back(key);
            groups.push_back({type + " " + key, {}});
        }
        groups.back().params.push_back(t);
    }
    return groups;
}

double l2Norm(const std::vector<bp::Tensor>& tensors, bool ofGrad) {
    double sum = 0.0;
    for (const bp::Tensor& t : tensors) {
        const bp::Tensor src = ofGrad ? t.grad() : t;
        if (!src.defined()) continue;
        const bp::Tensor v = src.to(bp::Device::cpu);  // a copy from the GPU when training runs there
        if (v.dtype() == bp::DType::f32) {
            const float* p = v.data<float>();
            for (int64_t i = 0, n = v.numel(); i < n; ++i) sum += static_cast<double>(p[i]) * p[i];
        } else if (v.dtype() == bp::DType::f64) {
            const double* p = v.data<double>();
            for (int64_t i = 0, n = v.numel(); i < n; ++i) sum += p[i] * p[i];
        }
    }
    return std::sqrt(sum);
}

QString shapeText(const bp::Shape& s) {
    QStringList parts;
    for (int64_t d : s) parts << QString::number(d);
    return QStringLiteral("[%1]").arg(parts.join(QStringLiteral(", ")));
}

QVector<LayerDiagram::Layer> diagramLayers(const bp::models::Model& m) {
    QVector<LayerDiagram::Layer> rows;
    for (const bp::models::LayerInfo& l : bp::models::describe_layers(m))
        rows.push_back({QString::fromStdString(l.type), QString::fromStdString(l.repr), shapeText(l.output_shape), l.params});
    return rows;
}

std::vector<float> saliency(bp::models::Model& m, const bp::Tensor& x, int cls) {
    m.net->eval();
    // Parameter gradients from an earlier step must survive (a paused run may go on): keep and restore.
    std::vector<bp::Tensor> params = m.net->parameters();
    std::vector<bp::Tensor> saved(params.size());
    for (size_t i = 0; i < params.size(); ++i) saved[i] = params[i].grad();

    bp::Tensor input = x.clone();  // [1, C, H, W]
    input.set_requires_grad(true);
    bp::Tensor logits = m.net->forward(input);  // [1, classes]
    // Seed the backward with a one-hot row: d(logit_cls)/d(input).
    std::vector<double> seed(static_cast<size_t>(logits.numel()), 0.0);
    seed.at(static_cast<size_t>(cls)) = 1.0;
    bp::autograd::backward(logits, bp::Tensor::from_vector(logits.shape(), seed, logits.dtype()));
    std::vector<float> out(static_cast<size_t>(input.numel()), 0.0f);
    if (bp::Tensor g = input.grad(); g.defined()) {
        const std::vector<float> v = g.to_float_vector();
        for (size_t i = 0; i < out.size(); ++i) out[i] = std::abs(v[i]);
    }
    for (size_t i = 0; i < params.size(); ++i) {
        if (saved[i].defined()) params[i].set_grad(saved[i]);
        else params[i].zero_grad();
    }
    return out;
}

}  // namespace modeltools
