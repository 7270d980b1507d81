// expr_node.h — the check-expression tree shared by the parser (expression.cpp) and the evaluator
// (expression_eval.cpp). Private to the engine: the public face is bp/lesson/expression.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bp/lesson/expression.h"

namespace bp::lesson {

enum class NodeKind { Literal, Word, Fact, Not, Neg, And, Or, Cmp, Arith };

struct ExprNode {
    NodeKind kind;
    std::string op;    // "==", "+", ... for Cmp / Arith
    Value literal;     // Literal and Word
    std::string name;  // Fact
    std::vector<std::shared_ptr<const ExprNode>> kids;
    std::string src;  // the source text of this sub-expression
};

/// s without leading and trailing white space.
std::string_view trim_view(std::string_view s);

}  // namespace bp::lesson
