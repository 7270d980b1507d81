// cmd_export.cpp — `backprop export`: writes a saved model in another format for other tools. ONNX (opset 17):
// every zoo image model and GPT-mini, opened by Netron and run by ONNX Runtime (engine/onnx/, bp_onnx). In a build
// without Protobuf the command says what to install instead.
#include <iostream>

#include "args.h"
#include "bp/errors.h"
#include "bp/onnx/onnx_export.h"
#include "commands.h"
#include "model_flags.h"
#include "output_check.h"

namespace bp::cli {

int cmd_export(int argc, char** argv) {
    Args args("export",
              "Write a saved model in a format other tools read:\n"
              "  backprop export --model-file cnn.safetensors --format onnx --out cnn.onnx\n"
              "ONNX (opset " + std::to_string(io::onnx_opset) + "): the model in eval mode, its initializers named as the "
              "model's parameters, the preprocessing\n(input shape, scaling, mean and std) in the metadata. Opens in Netron; "
              "runs in ONNX Runtime. Works for every zoo\nmodel (mlp, lenet, cnn, resnet, vit) and for GPT-mini files "
              "saved by train-text.",
              {{"model-file", "FILE", "model saved by 'backprop train --out', 'train-text --out' or the app", ""},
               architecture_flag(),
               {"format", "FORMAT", "the output format (onnx)", "onnx"},
               {"out", "FILE", "the file to write (written to a temporary name, then renamed)", ""}});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (!args.has("model-file")) throw UsageError("--model-file FILE is required");
    if (!args.has("out")) throw UsageError("--out FILE is required");
    const std::string format = args.str("format");
    if (format != "onnx") throw UsageError("--format: unknown format '" + format + "'; the only one is onnx");
    if (!io::onnx_export_available()) {
        std::cerr << "backprop export: " << io::onnx_unavailable_reason() << "\n";
        return 1;
    }
    check_output_flags(args, {"out"});
    if (args.has("model") && args.str("model").empty()) throw UsageError("--model needs a model name (see 'backprop info')");
    const std::string file = args.str("model-file");
    if (file.empty()) throw UsageError("--model-file needs a file name");
    const std::string what = io::export_model_file_to_onnx(file, args.str("out"), args.str("model"));
    std::cout << "wrote " << args.str("out") << " (" << what << ")\n";
    return 0;
}

}  // namespace bp::cli
