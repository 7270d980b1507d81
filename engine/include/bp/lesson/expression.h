// expression.h — a lesson's check expressions (`run.finished and run.test_accuracy >= 0.95`): parse into a
// tree, list the facts read, evaluate against the learner's facts with a reason a learner can read. The
// grammar is in lessons/README.md. It is not a scripting language: no assignment, no calls, no loops.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace bp::lesson {

/// A fact's value: number, bool or text (pairs are text "4,9").
using Value = std::variant<double, bool, std::string>;
/// Looks up a fact; nullopt = the fact has no value yet.
using FactLookup = std::function<std::optional<Value>(const std::string&)>;

/// "0.912", "true", "backward" — numbers with up to 6 significant digits.
std::string value_text(const Value& v);

/// A pair of class numbers from "4 9", "4,9", "(4, 9)", "4->9", "4 -> 9" (whole text, spaces allowed);
/// nullopt when it is not two integers. Example: parse_pair("(4, 9)") == std::pair{4, 9}
std::optional<std::pair<int, int>> parse_pair(std::string_view text);

struct ExprError {
    int column = 0;  // 1-based column in the check text
    std::string message;
};

enum class Outcome { Passed, NotYet, Error };
std::string_view outcome_name(Outcome o);  // "passed", "not yet", "error"

struct CheckResult {
    Outcome outcome = Outcome::NotYet;
    std::string reason;  // "run.test_accuracy is 0.912, needs >= 0.95"
};

struct ExprNode;

class Expression {
public:
    /// Parses `text`. On a mistake returns nullopt and fills *error (when given) with the column and what
    /// was expected. With check_catalogue, a dotted name that is not a catalogue fact is an error naming the
    /// closest fact. Never throws on bad text.
    /// Example: auto e = Expression::parse("run.finished and run.test_accuracy >= 0.95", &err);
    static std::optional<Expression> parse(std::string_view text, ExprError* error = nullptr,
                                           bool check_catalogue = true);

    /// The facts read, in order of first appearance, each once.
    std::vector<std::string> facts() const;
    /// Evaluates with Kleene logic: a missing fact makes its comparison unknown; `false and unknown` is
    /// false, `true or unknown` is true; unknown at the top is NotYet. Type mistakes give Error.
    CheckResult evaluate(const FactLookup& lookup) const;
    const std::string& text() const { return text_; }
    /// The tree fully parenthesised, e.g. "((a.b + 1) >= 2)" — shows the precedence the parser used.
    std::string to_string() const;

private:
    std::string text_;
    std::shared_ptr<const ExprNode> root_;
};

}  // namespace bp::lesson
