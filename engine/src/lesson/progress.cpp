// progress.cpp — progress records, their JSON form (strict on types, lenient on extra keys) and the Markdown
// sheet for handing in.
#include "bp/lesson/progress.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "bp/errors.h"
#include "bp/io/atomic_file.h"

namespace bp::lesson {

std::string_view status_name(StepStatus s) {
    switch (s) {
        case StepStatus::NotAttempted:
            return "not_attempted";
        case StepStatus::NotYet:
            return "not_yet";
        case StepStatus::Passed:
            return "passed";
        case StepStatus::Skipped:
            return "skipped";
    }
    return "?";
}

std::optional<StepStatus> status_from_name(std::string_view s) {
    for (StepStatus st :
         {StepStatus::NotAttempted, StepStatus::NotYet, StepStatus::Passed, StepStatus::Skipped})
        if (status_name(st) == s) return st;
    return std::nullopt;
}

StepProgress& LessonProgress::step(size_t index) {
    if (steps.size() <= index) steps.resize(index + 1);
    return steps[index];
}

int LessonProgress::passed_count() const {
    int n = 0;
    for (const auto& s : steps) n += s.status == StepStatus::Passed;
    return n;
}

nlohmann::json to_json(const CourseProgress& p) {
    nlohmann::json lessons = nlohmann::json::object();
    for (const auto& [id, lp] : p.lessons) {
        nlohmann::json steps = nlohmann::json::array();
        for (const StepProgress& s : lp.steps) {
            nlohmann::json answers = nlohmann::json::array();
            for (const auto& a : s.answers) answers.push_back({{"text", a.text}, {"correct", a.correct}});
            nlohmann::json js = {{"status", status_name(s.status)},
                                 {"attempts", s.attempts},
                                 {"hints_used", s.hints_used},
                                 {"answers", answers},
                                 {"seconds", s.seconds}};
            if (s.predicted) js["predicted"] = *s.predicted;
            steps.push_back(std::move(js));
        }
        lessons[id] = {{"current_step", lp.current_step}, {"steps", steps}};
    }
    return {{"version", 1}, {"lessons", lessons}};
}

namespace {

[[noreturn]] void corrupt(const std::string& where, const std::string& what) {
    throw DataError("progress: " + where + " " + what);
}

template <class T>
T get_field(const nlohmann::json& obj, const char* key, const std::string& where, T fallback) {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if constexpr (std::is_same_v<T, std::string>) {
        if (!it->is_string()) corrupt(where + "." + key, "is not text");
        return it->template get<std::string>();
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!it->is_boolean()) corrupt(where + "." + key, "is not true/false");
        return it->template get<bool>();
    } else if constexpr (std::is_same_v<T, int>) {
        if (!it->is_number_integer() || it->template get<int64_t>() < 0 ||
            it->template get<int64_t>() > 1000000000)
            corrupt(where + "." + key, "is not a whole number >= 0");
        return it->template get<int>();
    } else {
        if (!it->is_number() || !std::isfinite(it->template get<double>()) || it->template get<double>() < 0)
            corrupt(where + "." + key, "is not a number >= 0");
        return it->template get<double>();
    }
}

}  // namespace

CourseProgress progress_from_json(const nlohmann::json& j) {
    if (!j.is_object()) corrupt("the file", "is not a JSON object");
    if (j.contains("version") && (!j["version"].is_number_integer() || j["version"].get<int64_t>() != 1))
        corrupt("version", "is not 1 (made by a newer app?)");
    CourseProgress p;
    if (!j.contains("lessons")) return p;
    const auto& lessons = j["lessons"];
    if (!lessons.is_object()) corrupt("lessons", "is not an object of lesson id -> progress");
    for (const auto& [id, jl] : lessons.items()) {
        const std::string where = "lessons." + id;
        if (!jl.is_object()) corrupt(where, "is not an object");
        LessonProgress lp;
        lp.current_step = get_field<int>(jl, "current_step", where, 0);
        if (jl.contains("steps")) {
            const auto& steps = jl["steps"];
            if (!steps.is_array()) corrupt(where + ".steps", "is not a list");
            if (steps.size() > 10000) corrupt(where + ".steps", "has more than 10000 entries");
            for (size_t i = 0; i < steps.size(); ++i) {
                const auto& js = steps[i];
                const std::string sw = where + ".steps[" + std::to_string(i) + "]";
                if (!js.is_object()) corrupt(sw, "is not an object");
                StepProgress s;
                const std::string st = get_field<std::string>(js, "status", sw, "not_attempted");
                auto status = status_from_name(st);
                if (!status)
                    corrupt(sw + ".status", "'" + st + "' is not not_attempted, not_yet, passed or skipped");
                s.status = *status;
                s.attempts = get_field<int>(js, "attempts", sw, 0);
                s.hints_used = get_field<int>(js, "hints_used", sw, 0);
                s.seconds = get_field<double>(js, "seconds", sw, 0.0);
                if (js.contains("predicted")) s.predicted = get_field<std::string>(js, "predicted", sw, "");
                if (js.contains("answers")) {
                    const auto& ja = js["answers"];
                    if (!ja.is_array()) corrupt(sw + ".answers", "is not a list");
                    for (size_t k = 0; k < ja.size(); ++k) {
                        const std::string aw = sw + ".answers[" + std::to_string(k) + "]";
                        if (!ja[k].is_object()) corrupt(aw, "is not an object");
                        s.answers.push_back({get_field<std::string>(ja[k], "text", aw, ""),
                                             get_field<bool>(ja[k], "correct", aw, false)});
                    }
                }
                lp.steps.push_back(std::move(s));
            }
        }
        p.lessons[id] = std::move(lp);
    }
    return p;
}

CourseProgress progress_from_text(std::string_view text) {
    nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        throw DataError("progress: the file is not valid JSON (truncated or edited by hand?)");
    return progress_from_json(j);
}

void to_json(nlohmann::json& j, const CourseProgress& p) {
    j = to_json(p);
}
void from_json(const nlohmann::json& j, CourseProgress& p) {
    p = progress_from_json(j);
}

void save_progress(const std::string& path, const CourseProgress& p) {
    io::write_file_atomic(path, to_json(p).dump(2) + "\n");
}

CourseProgress load_progress(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    if (!std::filesystem::is_regular_file(path, ec)) throw DataError(path + ": not a progress file (a folder?)");
    if (std::filesystem::file_size(path, ec) > (16u << 20))
        throw DataError(path + ": progress file larger than 16 MiB; not read");
    try {
        return progress_from_text(io::read_file(path));
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
}

namespace {

std::string cell(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    std::string out;
    for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

std::string duration(double seconds) {
    const long s = std::lround(seconds);
    if (s < 60) return std::to_string(s) + " s";
    return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
}

std::string status_text(StepStatus s) {
    switch (s) {
        case StepStatus::NotAttempted:
            return "not attempted";
        case StepStatus::NotYet:
            return "not yet";
        case StepStatus::Passed:
            return "passed";
        case StepStatus::Skipped:
            return "skipped";
    }
    return "?";
}

}  // namespace

std::string export_markdown(const Course& course, const CourseProgress& p) {
    std::ostringstream o;
    o << "# " << (course.title.empty() ? std::string("Course") : course.title) << " — my progress\n\n";
    double total = 0;
    int passed = 0, steps = 0;
    for (const Lesson& L : course.lessons) {
        o << "## " << L.title << " (" << L.id << ")\n\n";
        auto it = p.lessons.find(L.id);
        if (it == p.lessons.end()) {
            o << "Not started.\n\n";
            steps += static_cast<int>(L.steps.size());
            continue;
        }
        const LessonProgress& lp = it->second;
        o << "| # | step | status | attempts | hints | time | answers |\n|---|---|---|---|---|---|---|\n";
        for (size_t i = 0; i < L.steps.size(); ++i) {
            StepProgress s = i < lp.steps.size() ? lp.steps[i] : StepProgress{};
            ++steps;
            passed += s.status == StepStatus::Passed;
            total += s.seconds;
            std::string answers;
            if (s.predicted) answers += "predicted: " + *s.predicted;
            for (const auto& a : s.answers)
                answers += (answers.empty() ? "" : "; ") + a.text + (a.correct ? " (right)" : " (wrong)");
            o << "| " << i + 1 << " | " << cell(L.steps[i].title) << " | " << status_text(s.status) << " | "
              << s.attempts << " | " << s.hints_used << " | " << duration(s.seconds) << " | " << cell(answers)
              << " |\n";
        }
        o << "\n";
    }
    o << "**Total:** " << passed << " of " << steps << " steps passed, " << duration(total) << " spent.\n";
    return o.str();
}

}  // namespace bp::lesson
