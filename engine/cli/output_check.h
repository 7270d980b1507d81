// output_check.h — output flags (--out, --report, --json) are checked before any work: an empty value is a
// usage error, a missing or read-only folder or a path naming a folder fails at once (exit 1), not after all
// epochs or suites ran.
#pragma once

#include <initializer_list>

#include "args.h"
#include "bp/errors.h"
#include "bp/io/atomic_file.h"

namespace bp::cli {

/// For each flag given: '' -> UsageError; a path write_file_atomic could not write later -> bp::Error.
inline void check_output_flags(const Args& args, std::initializer_list<const char*> flags) {
    for (const char* flag : flags) {
        if (!args.has(flag)) continue;
        const std::string path = args.str(flag);
        if (path.empty()) throw UsageError(std::string("--") + flag + " needs a file name; got ''");
        try {
            io::check_writable(path);
        } catch (const Error& e) {
            throw Error(std::string("--") + flag + ": " + e.what());
        }
    }
}

}  // namespace bp::cli
