// fuzz_image.cpp — libFuzzer target for io::decode_gray_image (PNG/JPEG through stb_image, the pixel limit read
// from the header before decoding).
#include "bp/errors.h"
#include "bp/io/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        (void)bp::io::decode_gray_image(data, size, "fuzz input");
    } catch (const bp::Error&) {
    }
    return 0;
}
