// model_tools.h — small engine helpers the app needs around models: a deep copy (so the GUI thread can
// read a model the training thread keeps changing), per-layer parameter groups and their L2 norms
// (gradient flow), the input-gradient saliency map, and the LayerDiagram rows of a model.
#pragma once

#include <QVector>
#include <memory>
#include <string>
#include <vector>

#include "bp/models/zoo.h"
#include "layer_diagram.h"

namespace modeltools {

/// A model with the same architecture and a copy of every parameter and buffer (no autograd history).
std::shared_ptr<bp::models::Model> cloneModel(const bp::models::Model& m);

/// Copies parameters and buffers of `from` into `to` (same architecture; DataError naming the first
/// tensor whose shape differs).
void copyState(const bp::models::Model& from, bp::models::Model& to);
/// The same for any two modules of one architecture (a GptMini, say).
void copyState(const bp::nn::Module& from, bp::nn::Module& to);

/// bp::io::load_model, plus the input shape and class count the file's "bp.config" records (load_model
/// builds the architecture from the name and options only). Throws bp::DataError for a missing or corrupt file.
std::shared_ptr<bp::models::Model> loadModelFile(const std::string& path);

/// Parameters grouped by top-level layer ("0.weight" and "0.bias" are layer "0"), with a label such as
/// "Linear 0"; only layers that have parameters.
struct LayerGroup {
    std::string label;
    std::vector<bp::Tensor> params;
};
std::vector<LayerGroup> parameterGroups(const bp::models::Model& m);

/// L2 norm over every element of `tensors` (√Σx²); gradients that are undefined count as zero.
double l2Norm(const std::vector<bp::Tensor>& tensors, bool ofGrad);

/// LayerDiagram rows from bp::models::describe_layers, and the input box's text ("[1, 28, 28]").
QVector<LayerDiagram::Layer> diagramLayers(const bp::models::Model& m);
QString shapeText(const bp::Shape& s);

/// Saliency of one input image x [1, C, H, W] (normalised): |∂ logit_class / ∂x| per pixel, from a forward
/// pass with an input that requires grad and a backward from that class's logit. Returns C·H·W values.
/// The model is put in eval mode and its parameter gradients are left untouched.
std::vector<float> saliency(bp::models::Model& m, const bp::Tensor& x, int cls);

}  // namespace modeltools
