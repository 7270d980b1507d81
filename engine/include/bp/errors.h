// errors.h — the exceptions the engine throws for user mistakes (bad shapes, bad data, bad config),
// and BP_CHECK for internal invariants. Not for control flow: every throw here is a message for a person.
#pragma once

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace bp {

/// Base of every error the engine reports to a user. what() is a complete sentence.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A tensor shape does not fit an op: the message names the op, both shapes and what would fit.
class ShapeError : public Error {
public:
    using Error::Error;
    ShapeError(const std::string& op, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
               const std::string& hint);
};

/// A file or dataset is missing, truncated, corrupt or inconsistent.
class DataError : public Error {
public:
    using Error::Error;
};

/// A hyperparameter, option or model configuration is invalid.
class ConfigError : public Error {
public:
    using Error::Error;
};

/// "[32, 28, 28]"
std::string shape_str(const std::vector<int64_t>& shape);

[[noreturn]] void internal_check_failed(const char* expr, const char* file, int line, const std::string& msg);

}  // namespace bp

/// Internal invariant, on in every build. Never used on user input: user input throws bp::Error subclasses.
#define BP_CHECK(cond, msg)                                                                  \
    do {                                                                                     \
        if (!(cond)) ::bp::internal_check_failed(#cond, __FILE__, __LINE__, (msg));          \
    } while (0)
