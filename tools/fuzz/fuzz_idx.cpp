// fuzz_idx.cpp — libFuzzer target for data::read_idx and read_idx_dims (raw and gzip IDX: header, dims,
// payload size, inflating no more than the header implies).
#include "bp/data/idx.h"
#include "bp/errors.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz_write_input(data, size, "-idx");
    try {
        (void)bp::data::read_idx_dims(path);
        (void)bp::data::read_idx(path);
    } catch (const bp::Error&) {
    }
    return 0;
}
