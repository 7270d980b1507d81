// errors.cpp — formatting helpers for engine errors.
#include "bp/errors.h"

namespace bp {

std::string shape_str(const std::vector<int64_t>& shape) {
    std::ostringstream os;
    os << '[';
    for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
    os << ']';
    return os.str();
}

ShapeError::ShapeError(const std::string& op, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                       const std::string& hint)
    : Error(op + ": shapes do not fit; got " + shape_str(a) + " and " + shape_str(b) + "; " + hint) {}

void internal_check_failed(const char* expr, const char* file, int line, const std::string& msg) {
    std::ostringstream os;
    os << "internal error (please report): " << msg << " [" << expr << " at " << file << ':' << line << ']';
    throw std::logic_error(os.str());
}

}  // namespace bp
