// precision.h — the compute precision of matrix products (gemm, bmm, the convolutions' GEMMs): fp32, or bf16
// inputs with fp32 accumulation and fp32 master weights (mixed precision). bf16 keeps fp32's 8-bit exponent,
// so gradients do not underflow and no loss scaling is needed (fp16, with its 5-bit exponent, would need it).
// On the GPU, bf16 runs cuBLAS's tensor-core GEMM; on the CPU it is emulated by rounding the GEMM inputs to
// bf16 (round to nearest even) so that its accuracy cost can be measured on any machine.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace bp {

enum class Precision : uint8_t { fp32, bf16 };

/// Process-wide setting, read by every gemm. Example: bp::set_precision(bp::Precision::bf16);
void set_precision(Precision p);
Precision precision();
const char* precision_name(Precision p);            // "fp32" / "bf16"
Precision precision_from_string(const std::string& s);  // ConfigError naming the choices otherwise

/// x rounded to the nearest bfloat16 (ties to even), returned as a float: the top 16 bits of the fp32 word.
/// NaN stays NaN (quiet), ±inf stays ±inf, values past bf16's largest finite round to ±inf as in IEEE.
inline float bf16_round(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    if ((u & 0x7f800000u) == 0x7f800000u) {           // inf or NaN
        if (u & 0x007fffffu) u |= 0x00400000u;        // NaN: keep it a (quiet) NaN after truncation
        u &= 0xffff0000u;
    } else {
        u += 0x7fffu + ((u >> 16) & 1u);              // round to nearest, ties to even
        u &= 0xffff0000u;
    }
    float r;
    std::memcpy(&r, &u, 4);
    return r;
}

}  // namespace bp
