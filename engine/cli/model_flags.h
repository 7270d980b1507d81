// model_flags.h — `--model-file FILE` with an optional `--model NAME` for the commands that use a saved zoo
// model (eval, predict, report): a file written by Backprop Studio names its architecture in "bp.config";
// weights saved elsewhere (a PyTorch state_dict written with safetensors) have none, so the user names the
// architecture and every tensor's shape is checked against that zoo model (io::load_model(path, name)).
#pragma once

#include <string>

#include "args.h"
#include "bp/io/model_file.h"

namespace bp::cli {

inline Flag architecture_flag() {
    return {"model", "NAME",
            "the architecture of a weights file without \"bp.config\" (e.g. saved from PyTorch): a zoo model with "
            "its default options; every tensor's name and shape is checked against it",
            ""};
}

/// io::load_model of --model-file, as the zoo model --model names when that is given.
inline io::LoadedModel load_model_from_args(const Args& args) {
    const std::string file = args.str("model-file");
    if (file.empty()) throw UsageError("--model-file needs a file name");
    if (args.has("model")) {
        if (args.str("model").empty()) throw UsageError("--model needs a model name (see 'backprop info')");
        return io::load_model(file, args.str("model"));
    }
    return io::load_model(file);
}

}  // namespace bp::cli
