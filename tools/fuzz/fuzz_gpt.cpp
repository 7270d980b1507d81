// fuzz_gpt.cpp — libFuzzer target for the language-model files: io::load_gpt (safetensors, the "bp.config"
// options checked against the tensor table before anything is allocated, the tokenizer against the vocabulary,
// every tensor's shape), io::is_gpt_file and io::load_bert (the same for BERT-mini and its vocabulary). A file
// that loads is used once: its tokenizer decodes every id and encodes its own characters back.
#include "bp/errors.h"
#include "bp/io/bert_file.h"
#include "bp/io/gpt_file.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz_write_input(data, size, ".safetensors");
    (void)bp::io::is_gpt_file(path);
    try {
        bp::io::LoadedGpt g = bp::io::load_gpt(path);
        std::vector<int32_t> ids;
        for (int i = 0; i < g.tokenizer.vocab_size(); ++i) ids.push_back(i);
        const std::string text = g.tokenizer.decode(ids);
        if (g.tokenizer.encode(text).size() != ids.size()) __builtin_trap();  // a loaded tokenizer round-trips
    } catch (const bp::Error&) {
    }
    try {
        (void)bp::io::load_bert(path);
    } catch (const bp::Error&) {
    }
    return 0;
}
