// grade.h — grading a learner's typed answer to a step's question: choice (case-insensitive), number (with
// the question's tolerance), pair ("4 9", "4,9", "(4, 9)", "4->9"). The answer may be a fact of the learner's
// own run; until that fact has a value the question cannot be graded. It does not record anything
// (progress.h does) and does not decide what to reveal (the player does).
#pragma once

#include <string>
#include <string_view>

#include "bp/lesson/expression.h"
#include "bp/lesson/lesson.h"

namespace bp::lesson {

struct Grade {
    bool gradable = true;  // false: the answer is a fact with no value yet (feedback says what to do)
    bool correct = false;
    std::string feedback;  // the question's feedback for this answer, or a general line
    std::string expected;  // the right answer as text ("relu", "0.25", "4,9"); empty when not gradable
};

/// Example: grade(q, "(4, 9)", facts).correct when q is a pair question whose answer is "fact
/// run.most_confused" and that fact is "4,9".
Grade grade(const Question& q, std::string_view given, const FactLookup& lookup);

}  // namespace bp::lesson
