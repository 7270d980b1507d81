// lesson.h — the lesson files as data: lessons/course.txt (the order and prerequisites) and
// lessons/<id>/lesson.md (front matter, then one `## heading` per step with Markdown prose and one ```step
// block). Parsing checks the file's shape and collects every mistake as a Diagnostic with the real line
// number; it never throws on bad content. Names are checked against the catalogue by lint (lint.h), not here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bp::lesson {

/// One problem in a lesson file. line 0 = the file as a whole.
struct Diagnostic {
    std::string file;
    int line = 0;
    std::string message;            // what is wrong and what would fit
    std::string to_string() const;  // "lessons/01-neuron/lesson.md:12: unknown fact ..."
};

/// A name with the line it was written on (widget ids, actions).
struct Item {
    std::string name;
    int line = 0;
};

/// `set: key = value`
struct Setting {
    std::string key, value;
    int line = 0;
};

/// `feedback: sigmoid => It squashes every gradient below 0.25`
struct Feedback {
    std::string answer, text;
    int line = 0;
};

enum class QuestionKind { Choice, Number, Pair };
std::string_view question_kind_name(QuestionKind k);  // "choice", "number", "pair"

struct Question {
    QuestionKind kind = QuestionKind::Choice;
    int line = 0;  // the `question:` line
    std::string prompt;
    int prompt_line = 0;
    std::vector<Item> choices;
    std::string answer;       // the literal answer; empty when answer_fact is set
    std::string answer_fact;  // `answer: fact NAME` — the learner's own fact value is the answer
    int answer_line = 0;
    double tolerance = 1e-9;  // number questions: |given - answer| <= tolerance
    int tolerance_line = 0;
    std::vector<Feedback> feedback;
    bool predict = false;  // graded guess recorded before the step's actions run
    int predict_line = 0;
};

struct Step {
    std::string title;
    int line = 0;           // the `## title` line
    std::string markdown;   // the prose, without the step block
    int block_line = 0;     // the ```step line; 0 = a prose-only step
    std::string page, tab;  // empty = stay where the learner is
    int page_line = 0, tab_line = 0;
    std::vector<Setting> settings;
    std::vector<Item> lock, hide;
    std::optional<Item> highlight;
    std::vector<Item> actions;  // `do:`
    std::string check;          // a check expression (expression.h); empty = no check
    int check_line = 0;
    bool require_check = false;  // `require: check` — Next stays locked until the check passes
    std::vector<std::string> hints;
    std::string notes;  // presenter notes, lines joined with '\n'
    std::optional<Question> question;
};

struct Lesson {
    std::string id, title;
    int minutes = 0;
    std::vector<std::string> objectives;
    std::vector<std::string> datasets;
    std::string intro;  // Markdown before the first step heading
    std::vector<Step> steps;
    std::string path;  // the lesson.md it came from
    int id_line = 0, datasets_line = 0;
    std::vector<Item> images;  // `![alt](target)` in the prose (intro and steps), with their lines
};

/// `lesson: 02-xor-by-hand   requires: 01-neuron`
struct CourseEntry {
    std::string id;
    std::vector<std::string> prerequisites;  // `requires:`
    int line = 0;
};

struct Course {
    std::string title;
    std::string dir;   // the lessons folder
    std::string path;  // its course.txt
    std::vector<CourseEntry> entries;
    std::vector<Lesson> lessons;  // parsed lesson.md of each entry whose folder exists, in course order
};

struct LessonParse {
    Lesson lesson;
    std::vector<Diagnostic> diagnostics;
    bool ok() const { return diagnostics.empty(); }
};

struct CourseParse {
    Course course;
    std::vector<Diagnostic> diagnostics;  // course.txt's and every lesson file's
    bool ok() const { return diagnostics.empty(); }
};

/// Largest lesson or course file read (1 MiB); a larger one is refused with a diagnostic.
constexpr std::uintmax_t kMaxLessonFileBytes = 1u << 20;

/// Parses lesson.md text; `path` is used in diagnostics and kept in Lesson::path.
/// Example: auto r = parse_lesson_text(text, "lessons/01-neuron/lesson.md"); if (!r.ok())
/// show(r.diagnostics);
LessonParse parse_lesson_text(std::string_view text, const std::string& path);
/// Reads and parses one lesson.md (missing / unreadable / too large = one diagnostic).
LessonParse parse_lesson_file(const std::string& path);
/// Parses dir/course.txt and dir/<id>/lesson.md for each lesson it lists (a missing folder = a diagnostic).
CourseParse parse_course(const std::string& dir);

/// A step's block as lesson.md text, from ```step to the closing ``` (keys in the order of the key table;
/// empty fields left out). parse_lesson_text reads it back to the same Step. For the app's "Copy current
/// setup as step". Example: clipboard = step_block_text(step);
std::string step_block_text(const Step& step);

/// The file's text, or nullopt with a diagnostic when it is missing, unreadable or over max_bytes.
std::optional<std::string> read_text_file(const std::string& path, std::vector<Diagnostic>& diags,
                                          std::uintmax_t max_bytes = kMaxLessonFileBytes);

}  // namespace bp::lesson
