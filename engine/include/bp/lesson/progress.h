// progress.h — a learner's progress through the course: per lesson the current step, and per step its status,
// attempts, hints used, answers given, the predicted guess and the time spent. JSON for the data directory,
// Markdown for the sheet a student hands in. It does not decide when a step passes (the player does) and
// writes a file only through save_progress (atomic).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bp/lesson/lesson.h"

namespace bp::lesson {

enum class StepStatus { NotAttempted, NotYet, Passed, Skipped };
std::string_view status_name(StepStatus s);  // "not_attempted", "not_yet", "passed", "skipped"
std::optional<StepStatus> status_from_name(std::string_view s);

struct AnswerRecord {
    std::string text;  // what the learner typed or picked
    bool correct = false;
};

struct StepProgress {
    StepStatus status = StepStatus::NotAttempted;
    int attempts = 0;  // checks and answers tried
    int hints_used = 0;
    std::vector<AnswerRecord> answers;
    std::optional<std::string> predicted;  // a predict question's guess, recorded before the run
    double seconds = 0;                    // time spent on the step
};

struct LessonProgress {
    int current_step = 0;  // 0-based
    std::vector<StepProgress> steps;
    /// The step's record, growing the list as needed. Example: p.step(3).hints_used++;
    StepProgress& step(size_t index);
    int passed_count() const;
};

/// Lesson id -> progress.
struct CourseProgress {
    std::map<std::string, LessonProgress> lessons;
};

/// {"version": 1, "lessons": {"01-neuron": {"current_step": 2, "steps": [{"status": "passed", ...}]}}}
nlohmann::json to_json(const CourseProgress& p);
/// The inverse of to_json. Throws bp::DataError saying which entry is wrong; unknown keys are ignored.
CourseProgress progress_from_json(const nlohmann::json& j);
/// Parses JSON text; bp::DataError for text that is not JSON or does not have the progress layout.
CourseProgress progress_from_text(std::string_view text);

/// nlohmann's conventions, so that `j.get<CourseProgress>()` and `nlohmann::json j = progress;` work too.
void to_json(nlohmann::json& j, const CourseProgress& p);
void from_json(const nlohmann::json& j, CourseProgress& p);

/// Writes to_json(p) to `path` atomically (io/atomic_file.h). Throws bp::Error naming the path.
void save_progress(const std::string& path, const CourseProgress& p);
/// Reads a progress file; a missing file is empty progress. Throws bp::DataError naming the path when the
/// file is corrupt (the app then keeps the file aside and starts fresh; it never crashes).
CourseProgress load_progress(const std::string& path);

/// The sheet a student hands in: the course title, and per lesson its steps' status, answers (right or
/// wrong), predicted guesses, attempts, hints and time. Lessons without progress are listed as not started.
std::string export_markdown(const Course& course, const CourseProgress& p);

}  // namespace bp::lesson
