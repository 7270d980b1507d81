// expression.cpp — tokenizer and recursive-descent parser for check expressions, and parse_pair.
// Precedence, loosest first: or, and, not, comparison, + -, * /, unary minus. Nothing thrown here leaves
// Expression::parse. Evaluation is expression_eval.cpp.
#include "bp/lesson/expression.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "bp/lesson/catalogue.h"
#include "lesson/expr_node.h"

namespace bp::lesson {

std::string_view trim_view(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

namespace {

bool parse_int(std::string_view s, int& out) {
    s = trim_view(s);
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
    std::string_view s = trim_view(text);
    if (s.size() >= 2 && s.front() == '(' && s.back() == ')') s = trim_view(s.substr(1, s.size() - 2));
    size_t cut = s.find("->");
    size_t len = 2;
    if (cut == std::string_view::npos) cut = s.find(','), len = 1;
    if (cut == std::string_view::npos) {
        s = trim_view(s);
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

[[noreturn]] void fail(int col, std::string msg) {
    throw Fail{{col, std::move(msg)}};
}

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
        if (std::isdigit(static_cast<unsigned char>(c)) ||
            (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
            const std::string rest(s.substr(i));
            char* endp = nullptr;
            double v = std::strtod(rest.c_str(), &endp);
            size_t n = static_cast<size_t>(endp - rest.c_str());
            if (n < rest.size() && (std::isalpha(static_cast<unsigned char>(rest[n])) || rest[n] == '_'))
                fail(col, "'" + rest.substr(0, n + 1) +
                              "...' is not a number; a number looks like 3, 0.95 or 1e-6");
            out.push_back({Tok::Number, rest.substr(0, n), v, col, i, i + n});
            i += n;
            continue;
        }
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            size_t j = i;
            while (j < s.size() &&
                   (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '.'))
                ++j;
            out.push_back({Tok::Name, std::string(s.substr(i, j - i)), 0, col, i, j});
            i = j;
            continue;
        }
        if (c == '"' || c == '\'') {
            size_t j = s.find(c, i + 1);
            if (j == std::string_view::npos)
                fail(col, std::string("the text starting here has no closing ") + c);
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
            fail(col,
                 std::string("'") + c + "' is not an operator here; write and, or, not (or != to compare)");
        fail(col, std::string("unexpected character '") + c +
                      "'; expected a number, a name, \"text\", an operator or '('");
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
            fail(t.col,
                 "unexpected '" + t.text + "'; expected 'and', 'or', a comparison, an operator or the end");
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
        n->src = std::string(trim_view(text_.substr(begin, end - begin)));
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
                    if (is_op(op2)) fail(peek().col, "comparisons do not chain; write 'a < b and b < c'");
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
                fail(col, "'" + std::string(trim_view(text_.substr(b, toks_[pos_ - 1].end - b))) +
                              "' reads as a subtraction of two words; put a name with a dash in quotes, e.g. "
                              "\"fashion-mnist\"");
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
                fail(peek().col,
                     "expected ')' to close the '(' at column " + std::to_string(t.col) + ", found " +
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
                if (t.text == r)
                    fail(t.col, "expected a value before '" + t.text +
                                    "' (a number, true/false, \"text\", a fact or '(')");
            ++pos_;
            if (t.text == "true" || t.text == "false") {
                NodeP n = make(NodeKind::Literal, "", {}, b);
                std::const_pointer_cast<ExprNode>(n)->literal = (t.text == "true");
                return n;
            }
            if (t.text.find('.') != std::string::npos) {
                if (t.text.back() == '.')
                    fail(t.col, "'" + t.text + "' ends with a dot; a fact looks like run.test_accuracy");
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

}  // namespace bp::lesson
