// lint.cpp — the semantic checks of lessons and the course (lint.h). Uses the catalogue, the expression
// parser, set_config_field + TrainConfig::validate and the model zoo; reads no file but lesson/course files
// and the existence of pictures.
#include "bp/lesson/lint.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "bp/errors.h"
#include "bp/lesson/catalogue.h"
#include "bp/lesson/expression.h"
#include "bp/train/config_keys.h"

namespace fs = std::filesystem;

namespace bp::lesson {

namespace {

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

const std::vector<std::string>& train_datasets() {
    static const std::vector<std::string> k = {"mnist", "fashion-mnist"};
    return k;
}

struct Linter {
    const Lesson& L;
    std::vector<Diagnostic> out;
    void err(int line, std::string msg) { out.push_back({L.path, line, std::move(msg)}); }

    void page_and_tab(const Step& s) {
        const PageInfo* page = nullptr;
        if (!s.page.empty()) {
            page = find_page(s.page);
            if (!page)
                err(s.page_line, "unknown page '" + s.page + "'" + did_you_mean(s.page, page_names()) +
                                     "; the pages are " + join(page_names()));
        }
        if (s.tab.empty()) return;
        if (s.page.empty()) {
            err(s.tab_line, "tab: '" + s.tab + "' needs a page: line in the same step");
            return;
        }
        if (!page) return;
        if (std::find(page->tabs.begin(), page->tabs.end(), s.tab) != page->tabs.end()) return;
        std::vector<std::string> tabs(page->tabs.begin(), page->tabs.end());
        if (tabs.empty())
            err(s.tab_line, "page '" + s.page + "' has no tabs; remove tab: '" + s.tab + "'");
        else
            err(s.tab_line, "unknown tab '" + s.tab + "' on page '" + s.page + "'" +
                                did_you_mean(s.tab, tabs) + "; its tabs are " + join(tabs));
    }

    void widgets(const std::vector<Item>& items, const char* key) {
        for (const Item& it : items)
            if (!find_widget(it.name))
                err(it.line, std::string(key) + ": unknown widget id '" + it.name + "'" +
                                 did_you_mean(it.name, widget_names()) +
                                 "; the widget ids are listed in lessons/README.md");
    }

    // The spotlight's target must be on the page the learner sees: the step's page, or the last page an
    // earlier step opened (a step without page: stays where the lesson was).
    void highlight_on_page(const Step& s, const std::string& shown) {
        if (!s.highlight || shown.empty()) return;
        const WidgetInfo* w = find_widget(s.highlight->name);
        if (!w || w->page == shown || !find_page(shown)) return;
        err(s.highlight->line, "highlight: " + s.highlight->name + " is on the " + std::string(w->page) +
                                   " page, but this step shows the " + shown + " page; add 'page: " +
                                   std::string(w->page) + "' or highlight a widget of the " + shown + " page");
    }

    void actions(const Step& s) {
        for (const Item& it : s.actions)
            if (!find_action(it.name))
                err(it.line, "do: unknown action '" + it.name + "'" + did_you_mean(it.name, action_names()) +
                                 "; the actions are " + join(action_names()));
    }

    void check(const Step& s) {
        if (s.check.empty()) return;
        ExprError e;
        if (!Expression::parse(s.check, &e))
            err(s.check_line,
                "check: " + e.message + " (column " + std::to_string(e.column) + " of '" + s.check + "')");
    }

    void question(const Step& s) {
        if (!s.question) return;
        const Question& q = *s.question;
        const std::string kind(question_kind_name(q.kind));
        if (q.kind != QuestionKind::Choice && !q.choices.empty())
            err(q.choices.front().line,
                "choice: belongs to a choice question, but this question is '" + kind + "'");
        if (q.kind != QuestionKind::Number && q.tolerance_line)
            err(q.tolerance_line,
                "tolerance: belongs to a number question, but this question is '" + kind + "'");
        if (q.kind == QuestionKind::Choice && q.choices.size() < 2)
            err(q.line, "a choice question needs at least two choice: lines, found " +
                            std::to_string(q.choices.size()));
        std::vector<std::string> choices;
        for (const Item& c : q.choices) choices.push_back(c.name);
        auto lower = [](std::string x) {
            for (char& c : x) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return x;
        };
        auto is_choice = [&](const std::string& a) {
            return std::any_of(choices.begin(), choices.end(),
                               [&](const std::string& c) { return lower(c) == lower(a); });
        };
        auto is_number = [](const std::string& a) {
            char* end = nullptr;
            std::strtod(a.c_str(), &end);
            return !a.empty() && *end == '\0';
        };
        if (!q.answer_fact.empty()) {
            const FactInfo* f = find_fact(q.answer_fact);
            if (!f) {
                err(q.answer_line, "answer: unknown fact '" + q.answer_fact + "'" +
                                       did_you_mean(q.answer_fact, fact_names()));
            } else {
                const bool fits = (q.kind == QuestionKind::Number && f->kind == FactKind::Number) ||
                                  (q.kind == QuestionKind::Pair && f->kind == FactKind::Pair) ||
                                  (q.kind == QuestionKind::Choice &&
                                   (f->kind == FactKind::Text || f->kind == FactKind::Bool));
                if (!fits)
                    err(q.answer_line,
                        "answer: fact " + q.answer_fact + " is a " + std::string(kind_name(f->kind)) +
                            ", which does not fit a " + kind +
                            " question (choice: text or bool facts, number: number, pair: pair)");
            }
        } else if (!q.answer.empty()) {
            if (q.kind == QuestionKind::Choice && !choices.empty() && !is_choice(q.answer))
                err(q.answer_line, "answer: '" + q.answer + "' is not one of the choices: " + join(choices));
            if (q.kind == QuestionKind::Number && !is_number(q.answer))
                err(q.answer_line,
                    "answer: '" + q.answer + "' is not a number, but the question is 'number'");
            if (q.kind == QuestionKind::Pair && !parse_pair(q.answer))
                err(q.answer_line,
                    "answer: '" + q.answer + "' is not a pair; write two class numbers, e.g. 4,9");
        }
        for (const Feedback& f : q.feedback) {
            if (q.kind == QuestionKind::Choice && !choices.empty() && !is_choice(f.answer))
                err(f.line,
                    "feedback: for '" + f.answer + "', which is not one of the choices: " + join(choices));
            if (q.kind == QuestionKind::Number && !is_number(f.answer))
                err(f.line, "feedback: for '" + f.answer + "', which is not a number");
            if (q.kind == QuestionKind::Pair && !parse_pair(f.answer))
                err(f.line, "feedback: for '" + f.answer + "', which is not a pair such as 4,9");
        }
    }

    void images() {
        const fs::path dir = fs::path(L.path).parent_path();
        for (const Item& img : L.images) {
            const std::string& t = img.name;
            if (t.rfind("http://", 0) == 0 || t.rfind("https://", 0) == 0 || t.rfind("data:", 0) == 0 ||
                t.rfind("qrc:", 0) == 0 || t.rfind(":/", 0) == 0)
                continue;
            std::error_code ec;
            if (!fs::exists(dir / t, ec))
                err(img.line, "picture '" + t + "' not found; put it in " +
                                  (dir.empty() ? std::string(".") : dir.string()) + " next to lesson.md");
        }
    }

    void id_and_folder() {
        const std::string folder = fs::path(L.path).parent_path().filename().string();
        if (!L.id.empty() && !folder.empty() && folder != "." && L.id != folder)
            err(L.id_line, "id: '" + L.id + "' must equal the lesson's folder name '" + folder + "'");
    }

    void datasets(const Step& s) {
        for (const Setting& st : s.settings)
            if (st.key == "dataset" &&
                std::find(train_datasets().begin(), train_datasets().end(), st.value) !=
                    train_datasets().end() &&
                std::find(L.datasets.begin(), L.datasets.end(), st.value) == L.datasets.end())
                err(st.line,
                    "set: dataset = " + st.value + ", but the front matter's datasets: does not list " +
                        st.value +
                        " (the app checks the listed datasets are installed before the lesson starts)");
    }
};

}  // namespace

std::vector<Diagnostic> check_settings(const Step& step, const std::string& file) {
    std::vector<Diagnostic> out;
    auto err = [&](int line, std::string m) { out.push_back({file, line, std::move(m)}); };
    train::TrainConfig cfg;
    const auto train_keys = train::config_field_names();
    std::map<std::string, int> seen;
    for (const Setting& s : step.settings) {
        if (seen.count(s.key)) {
            err(s.line, "set: " + s.key + " is set twice in this step (first on line " +
                            std::to_string(seen[s.key]) + ")");
            continue;
        }
        seen[s.key] = s.line;
        if (const AppSettingInfo* a = find_app_setting(s.key)) {
            if (auto m = check_app_setting(*a, s.value); !m.empty()) err(s.line, "set: " + m);
            continue;
        }
        if (std::find(train_keys.begin(), train_keys.end(), s.key) == train_keys.end()) {
            std::vector<std::string> all = train_keys;
            for (const auto& n : app_setting_names()) all.push_back(n);
            err(s.line, "set: unknown setting '" + s.key + "'" + did_you_mean(s.key, all) +
                            "; training settings: " + join(train_keys) +
                            "; app settings: " + join(app_setting_names()));
            continue;
        }
        if (s.key == "dataset" &&
            std::find(train_datasets().begin(), train_datasets().end(), s.value) == train_datasets().end()) {
            err(s.line, "set: dataset = " + s.value +
                            " is not a dataset a lesson can rely on; use mnist or fashion-mnist");
            continue;
        }
        const train::TrainConfig before = cfg;
        try {
            train::set_config_field(cfg, s.key, s.value);
            train::TrainConfig probe = cfg;
            probe.device =
                "cpu";  // "cuda" is a valid choice even on a machine without a GPU; lint checks the name only
            probe.validate();
        } catch (const std::exception& e) {  // ConfigError as a rule; anything else is reported the same way
            err(s.line, "set: " + std::string(e.what()));
            cfg = before;
        }
    }
    return out;
}

std::vector<Diagnostic> lint_lesson(const Lesson& lesson) {
    Linter l{lesson, {}};
    l.id_and_folder();
    std::string shown;  // the page the learner sees during the step
    for (const Step& s : lesson.steps) {
        if (!s.page.empty()) shown = s.page;
        l.page_and_tab(s);
        l.highlight_on_page(s, shown);
        auto set = check_settings(s, lesson.path);
        l.out.insert(l.out.end(), set.begin(), set.end());
        l.datasets(s);
        l.widgets(s.lock, "lock");
        l.widgets(s.hide, "hide");
        if (s.highlight) l.widgets({*s.highlight}, "highlight");
        l.actions(s);
        l.check(s);
        l.question(s);
    }
    l.images();
    std::stable_sort(l.out.begin(), l.out.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    return l.out;
}

LessonParse load_lesson_checked(const std::string& path) {
    LessonParse p = parse_lesson_file(path);
    if (!p.lesson.steps.empty() || !p.lesson.id.empty()) {
        auto more = lint_lesson(p.lesson);
        p.diagnostics.insert(p.diagnostics.end(), more.begin(), more.end());
    }
    std::stable_sort(p.diagnostics.begin(), p.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    return p;
}

std::vector<Diagnostic> lint_lesson_file(const std::string& path) { return load_lesson_checked(path).diagnostics; }

std::vector<Diagnostic> lint_course(const std::string& dir) {
    CourseParse cp = parse_course(dir);
    std::vector<Diagnostic> out;
    const Course& c = cp.course;
    // course.txt problems first, then each lesson's in course order.
    std::map<std::string, int> first_line;
    std::map<std::string, size_t> order;
    std::vector<std::string> ids;
    for (const CourseEntry& e : c.entries) {
        if (first_line.count(e.id)) {
            out.push_back({c.path, e.line,
                           "lesson '" + e.id + "' is listed twice (first on line " +
                               std::to_string(first_line[e.id]) + ")"});
            continue;
        }
        first_line[e.id] = e.line;
        order[e.id] = ids.size();
        ids.push_back(e.id);
    }
    for (const CourseEntry& e : c.entries) {
        for (const std::string& r : e.prerequisites) {
            if (!order.count(r))
                out.push_back({c.path, e.line,
                               "requires: unknown lesson '" + r + "'" + did_you_mean(r, ids) +
                                   "; the lessons are " + join(ids)});
            else if (r == e.id)
                out.push_back({c.path, e.line, "requires: lesson '" + e.id + "' requires itself"});
            else if (order[r] > order[e.id])
                out.push_back(
                    {c.path, e.line,
                     "requires: '" + r + "' comes later in the course; list it before '" + e.id + "'"});
        }
    }
    // Cycles (depth-first search over requires:).
    std::map<std::string, std::vector<std::string>> graph;
    for (const CourseEntry& e : c.entries)
        for (const std::string& r : e.prerequisites)
            if (order.count(r) && r != e.id) graph[e.id].push_back(r);
    std::map<std::string, int> state;  // 0 new, 1 on the path, 2 done
    std::vector<std::string> path;
    std::set<std::string> reported;
    std::function<void(const std::string&)> dfs = [&](const std::string& id) {
        state[id] = 1;
        path.push_back(id);
        for (const std::string& next : graph[id]) {
            if (state[next] == 1) {
                auto from = std::find(path.begin(), path.end(), next);
                std::string cyc;
                for (auto it = from; it != path.end(); ++it) cyc += *it + " -> ";
                cyc += next;
                if (reported.insert(next).second)
                    out.push_back(
                        {c.path, first_line[next],
                         "requires: a cycle: " + cyc + "; a lesson cannot require itself through others"});
            } else if (state[next] == 0) {
                dfs(next);
            }
        }
        path.pop_back();
        state[id] = 2;
    };
    for (const std::string& id : ids)
        if (state[id] == 0) dfs(id);
    std::stable_sort(out.begin(), out.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });

    out.insert(out.end(), cp.diagnostics.begin(), cp.diagnostics.end());
    std::map<std::string, std::string> lesson_ids;  // id -> path
    for (const Lesson& L : c.lessons) {
        auto more = lint_lesson(L);
        out.insert(out.end(), more.begin(), more.end());
        if (L.id.empty()) continue;
        if (lesson_ids.count(L.id))
            out.push_back(
                {L.path, L.id_line,
                 "id: '" + L.id + "' is also the id of " + lesson_ids[L.id] + "; ids must be unique"});
        else
            lesson_ids[L.id] = L.path;
    }
    // course.txt first, then the lessons in course order, each file's problems by line.
    std::map<std::string, size_t> file_rank{{c.path, 0}};
    for (const Lesson& L : c.lessons) file_rank.emplace(L.path, file_rank.size());
    auto rank = [&](const Diagnostic& d) {
        auto it = file_rank.find(d.file);
        return it == file_rank.end() ? file_rank.size() : it->second;
    };
    std::stable_sort(out.begin(), out.end(), [&](const Diagnostic& a, const Diagnostic& b) {
        return rank(a) != rank(b) ? rank(a) < rank(b) : a.line < b.line;
    });
    return out;
}

}  // namespace bp::lesson
