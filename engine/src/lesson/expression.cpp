// expression.cpp — tokenizer, recursive-descent parser and three-valued evaluator for check expressions.
// Precedence, loosest first: or, and, not, comparison, + -, * /, unary minus. Parsing never throws out of
// Expression::parse; evaluation never throws.
#include "bp/lesson/expression.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "bp/lesson/catalogue.h"

namespace bp::lesson {

enum class NodeKind { Literal, Word, Fact, Not, Neg, And, Or, Cmp, Arith };

struct ExprNode {
    NodeKind kind;
    std::string op;  // "==", "+", ... for Cmp / Arith
    Value literal;   // Literal and Word
    std::string name;  // Fact
    std::vector<std::shared_ptr<const ExprNode>> kids;
    std::string src;  // the source text of this sub-expression
};

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
        case Outcome::Passed: return "passed";
        case Outcome::NotYet: return "not yet";
        case Outcome::Error: return "error";
    }
    return "?";
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool parse_int(std::string_view s, int& out) {
    s = trim(s);
    if (s.empty() || s.size() > 9) return false;
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size()) return false;
    for (size_t j = i; j < s.size(); ++j)
        if (!std::isdigit(static_cast<unsigned char>(s[j]))) return false;
    out = std::atoi(std::string(s).c_str());
    return true;
}

}  // namespace

std::optional<std::pair<int, int>> parse_pair(std::string_view text) {
    std::string_view s = trim(text);
    if (s.size() >= 2 && s.front() == '(' && s.back() == ')') s = trim(s.substr(1, s.size() - 2));
    size_t cut = s.find("->");
    size_t len = 2;
    if (cut == std::string_view::npos) cut = s.find(','), len = 1;
    if (cut == std::string_view::npos) {
        s = trim(s);
        cut = s.find_first_of(" \t");
        len = 1;
    }
    if (cut == std::string_view::npos) return std::nullopt;
    int a = 0, b = 0;
    if (!parse_int(s.substr(0, cut), a) || !parse_int(s.substr(cut + len), b)) return std::nullopt;
    return std::pair{a, b};
}

namespace {

// ---- tokens ----

enum class Tok { Number, Name, String, Op, End };

struct Token {
    Tok type;
    std::string text;
    double number = 0;
    int col = 0;  // 1-based
    size_t begin = 0, end = 0;
};

struct Fail {
    ExprError e;
};

[[noreturn]] void fail(int col, std::string msg) { throw Fail{{col, std::move(msg)}}; }

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        const int col = static_cast<int>(i) + 1;
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
            const std::string rest(s.substr(i));
            char* endp = nullptr;
            double v = std::strtod(rest.c_str(), &endp);
            size_t n = static_cast<size_t>(endp - rest.c_str());
            if (n < rest.size() && (std::isalpha(static_cast<unsigned char>(rest[n])) || rest[n] == '_'))
                fail(col, "'" + rest.substr(0, n + 1) + "...' is not a number; a number looks like 3, 0.95 or 1e-6");
            out.push_back({Tok::Number, rest.substr(0, n), v, col, i, i + n});
            i += n;
            continue;
        }
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            size_t j = i;
            while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '.')) ++j;
            out.push_back({Tok::Name, std::string(s.substr(i, j - i)), 0, col, i, j});
            i = j;
            continue;
        }
        if (c == '"' || c == '\'') {
            size_t j = s.find(c, i + 1);
            if (j == std::string_view::npos) fail(col, std::string("the text starting here has no closing ") + c);
            out.push_back({Tok::String, std::string(s.substr(i + 1, j - i - 1)), 0, col, i, j + 1});
            i = j + 1;
            continue;
        }
        static const char* two[] = {"==", "!=", "<=", ">="};
        bool matched = false;
        for (const char* op : two)
            if (s.substr(i, 2) == op) {
                out.push_back({Tok::Op, op, 0, col, i, i + 2});
                i += 2;
                matched = true;
                break;
            }
        if (matched) continue;
        if (std::string_view("<>+-*/()").find(c) != std::string_view::npos) {
            out.push_back({Tok::Op, std::string(1, c), 0, col, i, i + 1});
            ++i;
            continue;
        }
        if (c == '=') fail(col, "'=' alone is not an operator; use == to compare");
        if (c == '&' || c == '|' || c == '!')
            fail(col, std::string("'") + c + "' is not an operator here; write and, or, not (or != to compare)");
        fail(col, std::string("unexpected character '") + c + "'; expected a number, a name, \"text\", an operator or '('");
    }
    out.push_back({Tok::End, "", 0, static_cast<int>(s.size()) + 1, s.size(), s.size()});
    return out;
}

// ---- parser ----

using NodeP = std::shared_ptr<const ExprNode>;

class Parser {
public:
    Parser(std::string_view text, bool check_catalogue)
        : text_(text), toks_(tokenize(text)), check_(check_catalogue) {}

    NodeP parse_all() {
        NodeP n = parse_or();
        const Token& t = peek();
        if (t.type != Tok::End)
            fail(t.col, "unexpected '" + t.text + "'; expected 'and', 'or', a comparison, an operator or the end");
        return n;
    }

private:
    const Token& peek() const { return toks_[pos_]; }
    bool is_op(const char* op) const { return peek().type == Tok::Op && peek().text == op; }
    bool is_word(const char* w) const { return peek().type == Tok::Name && peek().text == w; }

    NodeP make(NodeKind k, std::string op, std::vector<NodeP> kids, size_t begin) {
        auto n = std::make_shared<ExprNode>();
        n->kind = k;
        n->op = std::move(op);
        n->kids = std::move(kids);
        const size_t end = toks_[pos_ - 1].end;
        n->src = std::string(trim(text_.substr(begin, end - begin)));
        return n;
    }

    struct Depth {
        Parser& p;
        explicit Depth(Parser& p_) : p(p_) {
            if (++p.depth_ > 64) fail(p.peek().col, "the expression nests too deeply (more than 64 levels)");
        }
        ~Depth() { --p.depth_; }
    };

    NodeP parse_or() {
        Depth d(*this);
        size_t b = peek().begin;
        NodeP l = parse_and();
        while (is_word("or")) {
            ++pos_;
            NodeP r = parse_and();
            l = make(NodeKind::Or, "or", {l, r}, b);
        }
        return l;
    }
    NodeP parse_and() {
        size_t b = peek().begin;
        NodeP l = parse_not();
        while (is_word("and")) {
            ++pos_;
            NodeP r = parse_not();
            l = make(NodeKind::And, "and", {l, r}, b);
        }
        return l;
    }
    NodeP parse_not() {
        Depth d(*this);
        if (is_word("not")) {
            size_t b = peek().begin;
            ++pos_;
            NodeP k = parse_not();
            return make(NodeKind::Not, "not", {k}, b);
        }
        return parse_cmp();
    }
    NodeP parse_cmp() {
        size_t b = peek().begin;
        NodeP l = parse_sum();
        for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
            if (is_op(op)) {
                ++pos_;
                NodeP r = parse_sum();
                NodeP n = make(NodeKind::Cmp, op, {l, r}, b);
                for (const char* op2 : {"==", "!=", "<=", ">=", "<", ">"})
                    if (is_op(op2))
                        fail(peek().col, "comparisons do not chain; write 'a < b and b < c'");
                return n;
            }
        }
        return l;
    }
    NodeP parse_sum() {
        size_t b = peek().begin;
        NodeP l = parse_term();
        while (is_op("+") || is_op("-")) {
            std::string op = peek().text;
            const int col = peek().col;
            ++pos_;
            NodeP r = parse_term();
            if (op == "-" && l->kind == NodeKind::Word && r->kind == NodeKind::Word)
                fail(col, "'" + std::string(trim(text_.substr(b, toks_[pos_ - 1].end - b))) +
                              "' reads as a subtraction of two words; put a name with a dash in quotes, e.g. \"fashion-mnist\"");
            l = make(NodeKind::Arith, op, {l, r}, b);
        }
        return l;
    }
    NodeP parse_term() {
        size_t b = peek().begin;
        NodeP l = parse_unary();
        while (is_op("*") || is_op("/")) {
            std::string op = peek().text;
            ++pos_;
            NodeP r = parse_unary();
            l = make(NodeKind::Arith, op, {l, r}, b);
        }
        return l;
    }
    NodeP parse_unary() {
        Depth d(*this);
        if (is_op("-")) {
            size_t b = peek().begin;
            ++pos_;
            NodeP k = parse_unary();
            return make(NodeKind::Neg, "-", {k}, b);
        }
        return parse_atom();
    }
    NodeP parse_atom() {
        const Token t = peek();
        const size_t b = t.begin;
        if (t.type == Tok::Op && t.text == "(") {
            ++pos_;
            NodeP n = parse_or();
            if (!is_op(")"))
                fail(peek().col, "expected ')' to close the '(' at column " + std::to_string(t.col) + ", found " +
                                     (peek().type == Tok::End ? std::string("the end") : "'" + peek().text + "'"));
            ++pos_;
            return n;
        }
        if (t.type == Tok::Number) {
            ++pos_;
            NodeP n = make(NodeKind::Literal, "", {}, b);
            std::const_pointer_cast<ExprNode>(n)->literal = t.number;
            return n;
        }
        if (t.type == Tok::String) {
            ++pos_;
            NodeP n = make(NodeKind::Literal, "", {}, b);
            std::const_pointer_cast<ExprNode>(n)->literal = t.text;
            return n;
        }
        if (t.type == Tok::Name) {
            static const char* reserved[] = {"and", "or", "not"};
            for (const char* r : reserved)
                if (t.text == r) fail(t.col, "expected a value before '" + t.text + "' (a number, true/false, \"text\", a fact or '(')");
            ++pos_;
            if (t.text == "true" || t.text == "false") {
                NodeP n = make(NodeKind::Literal, "", {}, b);
                std::const_pointer_cast<ExprNode>(n)->literal = (t.text == "true");
                return n;
            }
            if (t.text.find('.') != std::string::npos) {
                if (t.text.back() == '.') fail(t.col, "'" + t.text + "' ends with a dot; a fact looks like run.test_accuracy");
                if (check_ && !find_fact(t.text))
                    fail(t.col, "unknown fact '" + t.text + "'" + did_you_mean(t.text, fact_names()) +
                                    "; the facts are listed in lessons/README.md");
                NodeP n = make(NodeKind::Fact, "", {}, b);
                std::const_pointer_cast<ExprNode>(n)->name = t.text;
                return n;
            }
            NodeP n = make(NodeKind::Word, "", {}, b);
            std::const_pointer_cast<ExprNode>(n)->literal = t.text;
            return n;
        }
        const std::string found = t.type == Tok::End ? "the end" : "'" + t.text + "'";
        fail(t.col, "expected a value (a number, true/false, \"text\", a fact or '('), found " + found);
    }

    std::string_view text_;
    std::vector<Token> toks_;
    size_t pos_ = 0;
    int depth_ = 0;
    bool check_;
};

}  // namespace

std::optional<Expression> Expression::parse(std::string_view text, ExprError* error, bool check_catalogue) {
    try {
        Parser p(text, check_catalogue);
        Expression e;
        e.text_ = std::string(text);
        e.root_ = p.parse_all();
        return e;
    } catch (const Fail& f) {
        if (error) *error = f.e;
        return std::nullopt;
    }
}

namespace {

void collect(const ExprNode& n, std::vector<std::string>& out) {
    if (n.kind == NodeKind::Fact && std::find(out.begin(), out.end(), n.name) == out.end()) out.push_back(n.name);
    for (const auto& k : n.kids) collect(*k, out);
}

std::string paren(const ExprNode& n) {
    switch (n.kind) {
        case NodeKind::Literal:
            return std::holds_alternative<std::string>(n.literal) ? "\"" + value_text(n.literal) + "\"" : value_text(n.literal);
        case NodeKind::Word: return value_text(n.literal);
        case NodeKind::Fact: return n.name;
        case NodeKind::Not: return "(not " + paren(*n.kids[0]) + ")";
        case NodeKind::Neg: return "(-" + paren(*n.kids[0]) + ")";
        default: return "(" + paren(*n.kids[0]) + " " + n.op + " " + paren(*n.kids[1]) + ")";
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
    std::string out(trim(s));
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool as_number(const Value& v, double& out) {
    if (auto d = std::get_if<double>(&v)) return out = *d, true;
    if (auto s = std::get_if<std::string>(&v)) {
        std::string t(trim(*s));
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
            return {St::Err, {}, "'" + n.op + "' needs true/false on both sides; " + describe_left(*n.kids[e == &a ? 0 : 1], e->v) +
                                     " (" + kind_of(e->v) + ")"};
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
                return {St::Err, {}, "'not' needs true/false; " + describe_left(*n.kids[0], k.v) + " (" + kind_of(k.v) + ")"};
            return {St::Val, !std::get<bool>(k.v), k.reason};
        }
        case NodeKind::Neg: {
            EV k = eval(*n.kids[0], look);
            if (k.st != St::Val) return k;
            if (!std::holds_alternative<double>(k.v))
                return {St::Err, {}, "'-' needs a number; " + describe_left(*n.kids[0], k.v) + " (" + kind_of(k.v) + ")"};
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
                    return {St::Err, {}, "'" + n.op + "' needs numbers; " + describe_left(*n.kids[i], v) + " (" + kind_of(v) + ")"};
            }
            const double x = std::get<double>(a.v), y = std::get<double>(b.v);
            double r = 0;
            if (n.op == "+") r = x + y;
            else if (n.op == "-") r = x - y;
            else if (n.op == "*") r = x * y;
            else {
                if (y == 0) return {St::Err, {}, "division by zero in " + n.src + " (" + n.kids[1]->src + " is 0)"};
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
                return EV{St::Err, {}, "cannot compare " + describe_left(l, a.v) + " (" + kind_of(a.v) + ") " + n.op + " " +
                                           describe_right(r, b.v) + " (" + kind_of(b.v) + ")"};
            };
            bool result = false;
            const bool eq = n.op == "==" || n.op == "!=";
            double x = 0, y = 0;
            if (std::holds_alternative<double>(a.v) || std::holds_alternative<double>(b.v)) {
                if (!as_number(a.v, x) || !as_number(b.v, y)) return mismatch();
                if (n.op == "==") result = x == y;
                else if (n.op == "!=") result = x != y;
                else if (n.op == "<") result = x < y;
                else if (n.op == "<=") result = x <= y;
                else if (n.op == ">") result = x > y;
                else result = x >= y;
            } else if (!eq) {
                return EV{St::Err, {}, "'" + n.op + "' compares numbers; " + describe_left(l, a.v) + " is " + kind_of(a.v)};
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

std::string Expression::to_string() const { return root_ ? paren(*root_) : std::string(); }

CheckResult Expression::evaluate(const FactLookup& lookup) const {
    if (!root_) return {Outcome::Error, "empty check"};
    EV e = eval(*root_, lookup);
    if (e.st == St::Err) return {Outcome::Error, e.reason};
    if (e.st == St::Unknown) return {Outcome::NotYet, e.reason};
    if (!std::holds_alternative<bool>(e.v))
        return {Outcome::Error, "a check must be true or false; '" + text_ + "' gives " + value_text(e.v) + " (" + kind_of(e.v) + ")"};
    if (std::get<bool>(e.v)) return {Outcome::Passed, e.reason};
    std::string reason = e.reason;
    if (root_->kind == NodeKind::Fact) reason += ", needs true";
    if (root_->kind == NodeKind::Not && root_->kids[0]->kind == NodeKind::Fact) reason += ", needs false";
    return {Outcome::NotYet, reason};
}

}  // namespace bp::lesson
