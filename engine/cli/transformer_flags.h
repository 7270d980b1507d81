// transformer_flags.h — the --block / --layers / --heads / --dim flags that train-text (GPT and BERT), fine-tune
// and train-clip share: parsed and checked in one place, so the wording and the limits stay the same everywhere.
#pragma once

#include <string>

#include "args.h"
#include "bp/nn/transformer.h"

namespace bp::cli {

struct TransformerSize {
    nn::BlockKind block = nn::BlockKind::gpt2;
    int layers = 4, heads = 4, dim = 128;
};

/// --checkpoint off|attention|block (train, train-text): gradient checkpointing of every transformer block
/// (nn::Checkpoint, bp/checkpoint.h).
inline Flag checkpoint_flag() {
    return {"checkpoint", "off|attention|block",
            "gradient checkpointing, the same gradients with less memory: attention recomputes each block's attention "
            "scores and softmax in the backward pass, block the whole block (the most memory saved, slower steps); "
            "transformer models only",
            "off"};
}

/// --checkpoint's value as the engine's name for it; UsageError naming the choices.
inline std::string checkpoint_from_args(const Args& args) {
    const std::string c = args.has("checkpoint") ? args.str("checkpoint") : "off";
    if (c != "off" && c != "attention" && c != "block")
        throw UsageError("--checkpoint expects off, attention or block; got '" + c + "'");
    return c;
}

/// "gpt2" or "modern"; UsageError otherwise.
inline nn::BlockKind parse_block(const std::string& s) {
    if (s == "gpt2") return nn::BlockKind::gpt2;
    if (s == "modern") return nn::BlockKind::modern;
    throw UsageError("--block expects gpt2 or modern; got '" + s + "'");
}

/// --block (`default_block` when not given), --layers, --heads, --dim; UsageError when dim is not divisible by
/// heads or (modern block) the head size is odd, which RoPE cannot rotate.
inline TransformerSize transformer_size_flags(const Args& args, nn::BlockKind default_block) {
    TransformerSize s;
    s.block = args.has("block") ? parse_block(args.str("block")) : default_block;
    s.layers = args.integer("layers", 1, 48);
    s.heads = args.integer("heads", 1, 64);
    s.dim = args.integer("dim", 1, 4096);
    if (s.dim % s.heads != 0)
        throw UsageError("--dim " + std::to_string(s.dim) + " must be divisible by --heads " + std::to_string(s.heads));
    if (s.block == nn::BlockKind::modern && (s.dim / s.heads) % 2 != 0)
        throw UsageError("--block modern needs an even head size --dim / --heads; got " + std::to_string(s.dim / s.heads));
    return s;
}

}  // namespace bp::cli
