// fuzz_safetensors.cpp — libFuzzer target for io::load_safetensors (header length, strict JSON header, dtypes,
// shapes, offsets) and the model config checks that follow it (models::min_parameter_count).
#include <nlohmann/json.hpp>

#include "bp/errors.h"
#include "bp/io/json_checks.h"
#include "bp/io/safetensors.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz_write_input(data, size, ".safetensors");
    try {
        bp::io::SafetensorsFile f = bp::io::load_safetensors(path);
        for (const auto& [key, value] : f.metadata) {
            const nlohmann::json j = bp::io::parse_json_strict(value, "metadata");
            if (j.is_object())
                for (const auto& [k, v] : j.items()) (void)bp::io::json_int(v, k, -1000, 1000);
        }
    } catch (const bp::Error&) {
    }
    return 0;
}
