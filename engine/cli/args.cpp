// args.cpp — flag parsing for the CLI.
#include "args.h"

#include <cmath>
#include <iostream>
#include <sstream>

namespace bp::cli {

Args::Args(std::string command, std::string summary, std::vector<Flag> flags)
    : command_(std::move(command)), summary_(std::move(summary)), flags_(std::move(flags)) {}

const Flag* Args::find(const std::string& name) const {
    for (const Flag& f : flags_)
        if (f.name == name) return &f;
    return nullptr;
}

void Args::parse(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            help_ = true;
            continue;
        }
        if (a.rfind("--", 0) != 0) {
            positional_.push_back(a);
            continue;
        }
        std::string name = a.substr(2), value;
        bool inline_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inline_value = true;
        }
        const Flag* f = find(name);
        if (!f) throw UsageError("unknown option --" + name + " for 'backprop " + command_ + "'; see 'backprop " + command_ + " --help'");
        if (f->value_name.empty()) {
            if (inline_value) throw UsageError("option --" + name + " takes no value");
            values_[name] = "1";
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= argc) throw UsageError("option --" + name + " needs a value (" + f->value_name + ")");
            value = argv[++i];
        }
        values_[name] = value;
    }
}

bool Args::parse_or_help(int argc, char** argv, int first) {
    parse(argc, argv, first);
    if (help_) std::cout << help_text();
    return help_;
}

std::string Args::help_text() const {
    std::ostringstream os;
    os << "usage: backprop " << command_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
    for (const Flag& f : flags_) {
        std::string left = "  --" + f.name + (f.value_name.empty() ? "" : " " + f.value_name);
        os << left << std::string(left.size() < 30 ? 30 - left.size() : 1, ' ') << f.help;
        if (!f.default_value.empty()) os << " (default: " << f.default_value << ")";
        os << "\n";
    }
    os << "  --help                      show this help\n";
    return os.str();
}

bool Args::has(const std::string& name) const { return values_.count(name) > 0; }

std::string Args::str(const std::string& name) const {
    if (auto it = values_.find(name); it != values_.end()) return it->second;
    const Flag* f = find(name);
    return f ? f->default_value : std::string();
}

double Args::real(const std::string& name, double lo, double hi) const {
    std::string s = str(name);
    size_t pos = 0;
    double v = 0;
    try {
        v = std::stod(s, &pos);
    } catch (...) {
        pos = 0;
    }
    if (pos != s.size() || s.empty() || !std::isfinite(v))
        throw UsageError("--" + name + " expects a number; got '" + s + "'");
    if (v < lo || v > hi) {
        std::ostringstream os;
        os << "--" << name << " = " << s << " is out of range; use a value from " << lo << " to " << hi;
        throw UsageError(os.str());
    }
    return v;
}

int64_t Args::int64(const std::string& name, int64_t lo, int64_t hi) const {
    std::string s = str(name);
    size_t pos = 0;
    long long v = 0;
    try {
        v = std::stoll(s, &pos);
    } catch (...) {
        pos = 0;
    }
    if (pos != s.size() || s.empty()) throw UsageError("--" + name + " expects a whole number; got '" + s + "'");
    if (v < lo || v > hi)
        throw UsageError("--" + name + " = " + s + " is out of range; use a value from " + std::to_string(lo) + " to " +
                         std::to_string(hi));
    return v;
}

int Args::integer(const std::string& name, long lo, long hi) const { return static_cast<int>(int64(name, lo, hi)); }

}  // namespace bp::cli
