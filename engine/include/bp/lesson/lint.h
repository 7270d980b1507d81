// lint.h — `backprop lesson lint`: checks a lesson or the whole course beyond its shape: page/tab, facts in
// checks, widget ids, actions and app settings against the catalogue; training settings against the engine's
// own TrainConfig validation and model zoo; pictures that exist; questions whose answer fits their kind; the
// course's order, prerequisites and ids. Every problem is a Diagnostic with file:line; nothing is thrown.
#pragma once

#include <string>
#include <vector>

#include "bp/lesson/lesson.h"

namespace bp::lesson {

/// Catalogue, settings, pictures and question checks of one parsed lesson (parse diagnostics not included).
/// Pictures are looked up next to Lesson::path; id must equal the name of the folder holding Lesson::path.
std::vector<Diagnostic> lint_lesson(const Lesson& lesson);

/// What the app's player calls on (re)load: the parsed lesson and, in diagnostics, the parse problems and
/// lint_lesson's, sorted by line. Example: auto r = load_lesson_checked(path); if (!r.ok()) panel.show(r.diagnostics);
LessonParse load_lesson_checked(const std::string& path);

/// Parses and lints one lesson.md: parse diagnostics, then lint_lesson's.
/// Example: for (auto& d : lint_lesson_file("lessons/01-neuron/lesson.md")) std::cout << d.to_string() <<
/// "\n";
std::vector<Diagnostic> lint_lesson_file(const std::string& path);

/// Everything for a lessons folder: course.txt (missing folders, duplicate ids, unknown or later
/// prerequisites, cycles) and every lesson it lists. Empty = clean.
std::vector<Diagnostic> lint_course(const std::string& dir);

/// The training-config keys and app keys of one step applied and validated as lint does; the app can use it
/// before it applies a step's settings. Diagnostics carry `file` and each setting's line.
std::vector<Diagnostic> check_settings(const Step& step, const std::string& file);

}  // namespace bp::lesson
