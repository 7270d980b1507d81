// text_flags.h — `--text FILE` with `--max-text-mb N` for train-text (GPT-mini and BERT-mini): the text file is
// read up to a limit (256 MiB by default, data::max_text_bytes; each character costs about 12 bytes of memory
// once decoded), which a user with a larger corpus and the memory for it can raise.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "args.h"
#include "bp/data/text.h"
#include "bp/errors.h"

namespace bp::cli {

inline Flag max_text_flag() {
    return {"max-text-mb", "N",
            "the largest --text file read, in MiB (1 to 4096; each character takes about 12 bytes of memory)",
            std::to_string(data::max_text_bytes >> 20)};
}

/// data::load_text_corpus of --text with the --max-text-mb limit; a larger file is refused before it is read,
/// naming the file, both sizes and the flag.
inline data::TextCorpus load_text_from_args(const Args& args) {
    const std::string path = args.str("text");
    const uint64_t mb = static_cast<uint64_t>(args.integer("max-text-mb", 1, 4096));
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
        const uint64_t size = std::filesystem::file_size(path, ec);
        if (!ec && size > (mb << 20))
            throw DataError(path + ": the text is " + std::to_string((size + (1u << 20) - 1) >> 20) +
                            " MiB, too large: the limit is " + std::to_string(mb) +
                            " MiB; raise it with --max-text-mb if the machine has the memory (about 12 bytes per "
                            "character)");
    }
    return data::load_text_corpus(path, 0.1, mb << 20);
}

}  // namespace bp::cli
