// args.h — the tiny flag parser the `backprop` subcommands share: --name value / --name=value / --switch,
// unknown flags and bad numbers are usage errors (exit 2) with one clear message.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace bp::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Flag {
    std::string name;  // without dashes
    std::string value_name;  // empty for a switch
    std::string help;
    std::string default_value;
};

/// Flags several subcommands share, so their wording stays the same everywhere.
inline Flag data_dir_flag() {
    return {"data-dir", "DIR", "data directory holding one folder per dataset",
            "$BP_DATA_DIR or ~/.local/share/backprop-studio"};
}
inline Flag threads_flag() { return {"threads", "N", "CPU threads (0 = all cores; small models are fastest on 1)", "1"}; }

class Args {
public:
    Args(std::string command, std::string summary, std::vector<Flag> flags);
    /// Parses argv[first..]; positional arguments are collected. Throws UsageError.
    void parse(int argc, char** argv, int first);
    /// parse(), then print the help if it was asked for; true when it was (the command is done).
    bool parse_or_help(int argc, char** argv, int first);
    bool help_requested() const { return help_; }
    std::string help_text() const;

    bool has(const std::string& name) const;  // given on the command line
    std::string str(const std::string& name) const;  // value or default
    int integer(const std::string& name, long lo, long hi) const;
    int64_t int64(const std::string& name, int64_t lo, int64_t hi) const;
    double real(const std::string& name, double lo, double hi) const;
    bool on(const std::string& name) const { return has(name); }
    const std::vector<std::string>& positional() const { return positional_; }

private:
    const Flag* find(const std::string& name) const;
    std::string command_, summary_;
    std::vector<Flag> flags_;
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_;
    bool help_ = false;
};

}  // namespace bp::cli
