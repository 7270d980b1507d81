// course.cpp — reading lesson files with a size limit, and the course.txt parser (order and prerequisites),
// which also parses each listed lesson. Course-wide checks (cycles, duplicates) are lint's (lint.cpp).
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "bp/lesson/lesson.h"
#include "lesson/text_util.h"

namespace fs = std::filesystem;

namespace bp::lesson {

using namespace detail;

std::optional<std::string> read_text_file(const std::string& path, std::vector<Diagnostic>& diags,
                                          std::uintmax_t max_bytes) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        diags.push_back({path, 0, fs::exists(path, ec) ? "is not a regular file" : "file not found"});
        return std::nullopt;
    }
    const auto size = fs::file_size(path, ec);
    if (ec) {
        diags.push_back({path, 0, "cannot read its size: " + ec.message()});
        return std::nullopt;
    }
    if (size > max_bytes) {
        diags.push_back({path, 0,
                         "the file is " + std::to_string(size) + " bytes; a lesson file may be at most " +
                             std::to_string(max_bytes) + " bytes (put pictures in image files)"});
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    std::string text(static_cast<size_t>(size), '\0');
    if (!in || !in.read(text.data(), static_cast<std::streamsize>(size))) {
        diags.push_back({path, 0, "cannot read the file"});
        return std::nullopt;
    }
    return text;
}

CourseParse parse_course(const std::string& dir) {
    CourseParse r;
    Course& c = r.course;
    c.dir = dir;
    c.path = (fs::path(dir) / "course.txt").string();
    auto text = read_text_file(c.path, r.diagnostics);
    if (!text) return r;
    const auto lines = split_lines(*text);
    bool has_title = false;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string t = trim(lines[i]);
        const int ln = static_cast<int>(i) + 1;
        if (t.empty() || t[0] == '#') continue;
        auto kv = key_value(t);
        if (!kv || (kv->first != "title" && kv->first != "lesson")) {
            r.diagnostics.push_back({c.path, ln,
                                     "unknown line '" + t +
                                         "' in course.txt; use 'title: <course title>' or "
                                         "'lesson: <folder>  requires: <id>, <id>'"});
            continue;
        }
        if (kv->first == "title") {
            if (has_title)
                r.diagnostics.push_back({c.path, ln, "title: given twice; the course has one title"});
            c.title = kv->second;
            has_title = true;
            continue;
        }
        CourseEntry e;
        e.line = ln;
        std::string v = kv->second;
        size_t req = v.find("requires:");
        if (req != std::string::npos) {
            e.prerequisites = split_list(v.substr(req + 9));
            if (e.prerequisites.empty())
                r.diagnostics.push_back({c.path, ln, "requires: is empty; name lesson ids, comma separated"});
            v = v.substr(0, req);
        }
        e.id = trim(v);
        if (e.id.empty() || e.id.find_first_of(" \t") != std::string::npos) {
            r.diagnostics.push_back(
                {c.path, ln,
                 "lesson: '" + e.id +
                     "' is not one folder name; write 'lesson: 01-neuron   requires: <id>'"});
            continue;
        }
        c.entries.push_back(std::move(e));
    }
    if (!has_title) r.diagnostics.push_back({c.path, 1, "course.txt has no 'title: <course title>' line"});
    if (c.entries.empty())
        r.diagnostics.push_back({c.path, 1, "course.txt lists no lessons; add 'lesson: <folder>' lines"});
    std::vector<std::string> loaded;
    for (const CourseEntry& e : c.entries) {
        if (std::find(loaded.begin(), loaded.end(), e.id) != loaded.end())
            continue;  // listed twice: lint says so
        loaded.push_back(e.id);
        const fs::path folder = fs::path(dir) / e.id;
        std::error_code ec;
        if (!fs::is_directory(folder, ec)) {
            r.diagnostics.push_back({c.path, e.line, "lesson folder '" + e.id + "' not found in " + dir});
            continue;
        }
        if (!fs::exists(folder / "lesson.md", ec)) {
            r.diagnostics.push_back({c.path, e.line, "lesson folder '" + e.id + "' has no lesson.md"});
            continue;
        }
        LessonParse lp = parse_lesson_file((folder / "lesson.md").string());
        r.diagnostics.insert(r.diagnostics.end(), lp.diagnostics.begin(), lp.diagnostics.end());
        c.lessons.push_back(std::move(lp.lesson));
    }
    return r;
}

}  // namespace bp::lesson
