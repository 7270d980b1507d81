// grade.cpp — compares a typed answer with a question's literal or fact answer, per question kind, and picks
// the feedback line written for that answer.
#include "bp/lesson/grade.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace bp::lesson {

namespace {

std::string norm(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool to_number(std::string_view s, double& out) {
    std::string t = norm(s);
    if (t.empty()) return false;
    char* end = nullptr;
    out = std::strtod(t.c_str(), &end);
    return end == t.c_str() + t.size() && std::isfinite(out);
}

// Does `a` (typed or written in a feedback line) mean the same answer as `b` for this kind of question?
bool same(const Question& q, std::string_view a, std::string_view b) {
    switch (q.kind) {
        case QuestionKind::Choice:
            return norm(a) == norm(b);
        case QuestionKind::Number: {
            double x = 0, y = 0;
            return to_number(a, x) && to_number(b, y) && std::fabs(x - y) <= q.tolerance;
        }
        case QuestionKind::Pair: {
            auto x = parse_pair(a), y = parse_pair(b);
            return x && y && *x == *y;
        }
    }
    return false;
}

}  // namespace

Grade grade(const Question& q, std::string_view given, const FactLookup& lookup) {
    Grade g;
    if (!q.answer_fact.empty()) {
        std::optional<Value> v = lookup ? lookup(q.answer_fact) : std::nullopt;
        if (!v) {
            g.gradable = false;
            g.feedback = "This question's answer comes from your own results (" + q.answer_fact +
                         "), which are not there yet: run the step first (Do it for me), then answer.";
            return g;
        }
        g.expected = value_text(*v);
        if (q.kind == QuestionKind::Pair)
            if (auto p = parse_pair(g.expected))
                g.expected = std::to_string(p->first) + "," + std::to_string(p->second);
    } else {
        g.expected = q.answer;
    }
    // Is the typed text even an answer of this kind?
    if (q.kind == QuestionKind::Number) {
        double x = 0;
        if (!to_number(given, x)) {
            g.feedback = "'" + std::string(given) + "' is not a number; type a number such as 0.95 or 3.";
            return g;
        }
    } else if (q.kind == QuestionKind::Pair && !parse_pair(given)) {
        g.feedback = "'" + std::string(given) +
                     "' is not a pair of class numbers; type two numbers, e.g. 4,9 or 4->9.";
        return g;
    }
    g.correct = same(q, given, g.expected);
    for (const Feedback& f : q.feedback)
        if (same(q, given, f.answer)) {
            g.feedback = f.text;
            break;
        }
    if (g.feedback.empty()) g.feedback = g.correct ? "Correct." : "Not quite; try again or take a hint.";
    return g;
}

}  // namespace bp::lesson
