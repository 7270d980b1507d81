// fuzz_util.h — the fuzz targets' shared helper: the readers take paths, so each input is written to one
// file per process (in /dev/shm when there is one) and the reader is called on it. Every bp::Error is an
// expected answer to a bad file; anything else (a crash, a sanitizer report, another exception) is a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

inline std::string fuzz_write_input(const uint8_t* data, size_t size, const char* suffix) {
    static const std::string path = [suffix] {
        const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        return std::string(dir) + "/bp_fuzz_" + std::to_string(getpid()) + suffix;
    }();
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return path;
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
    return path;
}
