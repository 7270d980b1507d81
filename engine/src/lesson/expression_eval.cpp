// expression_eval.cpp — three-valued evaluation of a parsed check with a reason a learner can read, and the
// tree's printed forms. Never throws: type mistakes become Outcome::Error with the reason.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "lesson/expr_node.h"

namespace bp::lesson {

std::string value_text(const Value& v) {
    if (auto d = std::get_if<double>(&v)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.6g", *d);
        return buf;
    }
    if (auto b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    return std::get<std::string>(v);
}

std::string_view outcome_name(Outcome o) {
    switch (o) {
        case Outcome::Passed:
            return "passed";
        case Outcome::NotYet:
            return "not yet";
        case Outcome::Error:
            return "error";
    }
    return "?";
}

namespace {

void collect(const ExprNode& n, std::vector<std::string>& out) {
    if (n.kind == NodeKind::Fact && std::find(out.begin(), out.end(), n.name) == out.end())
        out.push_back(n.name);
    for (const auto& k : n.kids) collect(*k, out);
}

std::string paren(const ExprNode& n) {
    switch (n.kind) {
        case NodeKind::Literal:
            return std::holds_alternative<std::string>(n.literal) ? "\"" + value_text(n.literal) + "\""
                                                                  : value_text(n.literal);
        case NodeKind::Word:
            return value_text(n.literal);
        case NodeKind::Fact:
            return n.name;
        case NodeKind::Not:
            return "(not " + paren(*n.kids[0]) + ")";
        case NodeKind::Neg:
            return "(-" + paren(*n.kids[0]) + ")";
        default:
            return "(" + paren(*n.kids[0]) + " " + n.op + " " + paren(*n.kids[1]) + ")";
    }
}

// ---- evaluation ----

enum class St { Val, Unknown, Err };
struct EV {
    St st = St::Val;
    Value v;
    std::string reason;  // why true/false for bools; the missing fact; the type mistake
};

std::string kind_of(const Value& v) {
    if (std::holds_alternative<double>(v)) return "a number";
    if (std::holds_alternative<bool>(v)) return "true/false";
    return "text";
}

// "run.test_accuracy is 0.912" / "0.95" / "gpt.unigram_loss - 0.5 is 1.8"
std::string describe_left(const ExprNode& n, const Value& v) {
    if (n.kind == NodeKind::Literal || n.kind == NodeKind::Word) return value_text(v);
    return n.src + " is " + value_text(v);
}
std::string describe_right(const ExprNode& n, const Value& v) {
    if (n.kind == NodeKind::Literal || n.kind == NodeKind::Word) return value_text(v);
    if (n.kind == NodeKind::Fact) return n.name + " (" + value_text(v) + ")";
    return n.src + " (= " + value_text(v) + ")";
}

std::string lower_trim(std::string_view s) {
    std::string out(trim_view(s));
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool as_number(const Value& v, double& out) {
    if (auto d = std::get_if<double>(&v)) return out = *d, true;
    if (auto s = std::get_if<std::string>(&v)) {
        std::string t(trim_view(*s));
        if (t.empty()) return false;
        char* end = nullptr;
        out = std::strtod(t.c_str(), &end);
        return end == t.c_str() + t.size();
    }
    return false;
}

EV eval(const ExprNode& n, const FactLookup& look);

EV eval_bool_kids(const ExprNode& n, const FactLookup& look, EV& a, EV& b) {
    a = eval(*n.kids[0], look);
    b = eval(*n.kids[1], look);
    for (EV* e : {&a, &b})
        if (e->st == St::Val && !std::holds_alternative<bool>(e->v))
            return {St::Err,
                    {},
                    "'" + n.op + "' needs true/false on both sides; " +
                        describe_left(*n.kids[e == &a ? 0 : 1], e->v) + " (" + kind_of(e->v) + ")"};
    return {St::Val, {}, ""};
}

EV eval(const ExprNode& n, const FactLookup& look) {
    switch (n.kind) {
        case NodeKind::Literal:
        case NodeKind::Word: {
            EV e{St::Val, n.literal, value_text(n.literal)};
            return e;
        }
        case NodeKind::Fact: {
            std::optional<Value> v = look ? look(n.name) : std::nullopt;
            if (!v) return {St::Unknown, {}, n.name + " has no value yet"};
            return {St::Val, *v, n.name + " is " + value_text(*v)};
        }
        case NodeKind::Not: {
            EV k = eval(*n.kids[0], look);
            if (k.st != St::Val) return k;
            if (!std::holds_alternative<bool>(k.v))
                return {
                    St::Err,
                    {},
                    "'not' needs true/false; " + describe_left(*n.kids[0], k.v) + " (" + kind_of(k.v) + ")"};
            return {St::Val, !std::get<bool>(k.v), k.reason};
        }
        case NodeKind::Neg: {
            EV k = eval(*n.kids[0], look);
            if (k.st != St::Val) return k;
            if (!std::holds_alternative<double>(k.v))
                return {St::Err,
                        {},
                        "'-' needs a number; " + describe_left(*n.kids[0], k.v) + " (" + kind_of(k.v) + ")"};
            return {St::Val, -std::get<double>(k.v), ""};
        }
        case NodeKind::And:
        case NodeKind::Or: {
            EV a, b;
            EV bad = eval_bool_kids(n, look, a, b);
            if (bad.st == St::Err) return bad;
            if (a.st == St::Err) return a;
            if (b.st == St::Err) return b;
            const bool want = n.kind == NodeKind::Or;  // the value that decides: true for or, false for and
            for (EV* e : {&a, &b})
                if (e->st == St::Val && std::get<bool>(e->v) == want) return {St::Val, want, e->reason};
            if (a.st == St::Unknown) return a;
            if (b.st == St::Unknown) return b;
            return {St::Val, !want, a.reason + "; " + b.reason};
        }
        case NodeKind::Arith: {
            EV a = eval(*n.kids[0], look), b = eval(*n.kids[1], look);
            if (a.st == St::Err) return a;
            if (b.st == St::Err) return b;
            if (a.st == St::Unknown) return a;
            if (b.st == St::Unknown) return b;
            for (int i = 0; i < 2; ++i) {
                const Value& v = i ? b.v : a.v;
                if (!std::holds_alternative<double>(v))
                    return {St::Err,
                            {},
                            "'" + n.op + "' needs numbers; " + describe_left(*n.kids[i], v) + " (" +
                                kind_of(v) + ")"};
            }
            const double x = std::get<double>(a.v), y = std::get<double>(b.v);
            double r = 0;
            if (n.op == "+")
                r = x + y;
            else if (n.op == "-")
                r = x - y;
            else if (n.op == "*")
                r = x * y;
            else {
                if (y == 0)
                    return {St::Err, {}, "division by zero in " + n.src + " (" + n.kids[1]->src + " is 0)"};
                r = x / y;
            }
            return {St::Val, r, ""};
        }
        case NodeKind::Cmp: {
            EV a = eval(*n.kids[0], look), b = eval(*n.kids[1], look);
            if (a.st == St::Err) return a;
            if (b.st == St::Err) return b;
            if (a.st == St::Unknown) return a;
            if (b.st == St::Unknown) return b;
            const ExprNode &l = *n.kids[0], &r = *n.kids[1];
            auto mismatch = [&] {
                return EV{St::Err,
                          {},
                          "cannot compare " + describe_left(l, a.v) + " (" + kind_of(a.v) + ") " + n.op +
                              " " + describe_right(r, b.v) + " (" + kind_of(b.v) + ")"};
            };
            bool result = false;
            const bool eq = n.op == "==" || n.op == "!=";
            double x = 0, y = 0;
            if (std::holds_alternative<double>(a.v) || std::holds_alternative<double>(b.v)) {
                if (!as_number(a.v, x) || !as_number(b.v, y)) return mismatch();
                if (n.op == "==")
                    result = x == y;
                else if (n.op == "!=")
                    result = x != y;
                else if (n.op == "<")
                    result = x < y;
                else if (n.op == "<=")
                    result = x <= y;
                else if (n.op == ">")
                    result = x > y;
                else
                    result = x >= y;
            } else if (!eq) {
                return EV{
                    St::Err,
                    {},
                    "'" + n.op + "' compares numbers; " + describe_left(l, a.v) + " is " + kind_of(a.v)};
            } else if (a.v.index() != b.v.index()) {
                return mismatch();
            } else if (std::holds_alternative<bool>(a.v)) {
                result = (a.v == b.v) == (n.op == "==");
            } else {
                const auto& s = std::get<std::string>(a.v);
                const auto& t = std::get<std::string>(b.v);
                auto ps = parse_pair(s), pt = parse_pair(t);
                bool same = (ps && pt) ? *ps == *pt : lower_trim(s) == lower_trim(t);
                result = same == (n.op == "==");
            }
            const std::string head = describe_left(l, a.v);
            const std::string tail = n.op + " " + describe_right(r, b.v);
            return {St::Val, result, result ? head + ", " + tail : head + ", needs " + tail};
        }
    }
    return {St::Err, {}, "internal: unknown node"};
}

}  // namespace

std::vector<std::string> Expression::facts() const {
    std::vector<std::string> out;
    if (root_) collect(*root_, out);
    return out;
}

std::string Expression::to_string() const {
    return root_ ? paren(*root_) : std::string();
}

CheckResult Expression::evaluate(const FactLookup& lookup) const {
    if (!root_) return {Outcome::Error, "empty check"};
    EV e = eval(*root_, lookup);
    if (e.st == St::Err) return {Outcome::Error, e.reason};
    if (e.st == St::Unknown) return {Outcome::NotYet, e.reason};
    if (!std::holds_alternative<bool>(e.v))
        return {Outcome::Error, "a check must be true or false; '" + text_ + "' gives " + value_text(e.v) +
                                    " (" + kind_of(e.v) + ")"};
    if (std::get<bool>(e.v)) return {Outcome::Passed, e.reason};
    std::string reason = e.reason;
    if (root_->kind == NodeKind::Fact) reason += ", needs true";
    if (root_->kind == NodeKind::Not && root_->kids[0]->kind == NodeKind::Fact) reason += ", needs false";
    return {Outcome::NotYet, reason};
}

}  // namespace bp::lesson
