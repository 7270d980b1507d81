// lesson.cpp — the lesson.md parser and step_block_text: line by line, every mistake kept as a Diagnostic
// with its real line number, nothing thrown. Catalogue names, settings and images are lint's job (lint.cpp).
#include "bp/lesson/lesson.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "bp/lesson/catalogue.h"
#include "lesson/text_util.h"

namespace fs = std::filesystem;

namespace bp::lesson {

std::string Diagnostic::to_string() const {
    return line > 0 ? file + ":" + std::to_string(line) + ": " + message : file + ": " + message;
}

std::string_view question_kind_name(QuestionKind k) {
    switch (k) {
        case QuestionKind::Choice:
            return "choice";
        case QuestionKind::Number:
            return "number";
        case QuestionKind::Pair:
            return "pair";
    }
    return "?";
}

namespace detail {

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start <= text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        std::string line(text.substr(start, nl - start));
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
        if (nl == text.size()) break;
        start = nl + 1;
    }
    return lines;
}

std::vector<std::string> split_list(std::string_view v) {
    std::vector<std::string> out;
    std::string cur;
    std::stringstream ss{std::string(v)};
    while (std::getline(ss, cur, ',')) {
        cur = trim(cur);
        if (!cur.empty()) out.push_back(cur);
    }
    return out;
}

// "key: value" -> {key, value}; nullopt when the line has no "key:" shape.
std::optional<std::pair<std::string, std::string>> key_value(const std::string& line) {
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    std::string key = trim(std::string_view(line).substr(0, colon));
    for (char c : key)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
            return std::nullopt;
    return std::pair{key, trim(std::string_view(line).substr(colon + 1))};
}

}  // namespace detail

namespace {

using namespace detail;

bool is_continuation(const std::string& line) {
    return line.size() > 2 && line[0] == ' ' && line[1] == ' ' && !trim(line).empty();
}

// A block's key lines with their continuations folded in: {key, value, line}.
struct Entry {
    std::string key, value;
    int line = 0;
};

const std::vector<std::string>& step_keys() {
    static const std::vector<std::string> k = {
        "page", "tab",   "set",      "lock",   "hide",   "highlight", "do",        "check",    "require",
        "hint", "notes", "question", "prompt", "choice", "answer",    "tolerance", "feedback", "predict"};
    return k;
}
const std::vector<std::string>& front_keys() {
    static const std::vector<std::string> k = {"id", "title", "minutes", "objectives", "datasets"};
    return k;
}
const std::vector<std::string>& known_datasets() {
    static const std::vector<std::string> k = {"mnist", "fashion-mnist", "fortunes"};
    return k;
}

class LessonParser {
public:
    LessonParser(std::string_view text, std::string path)
        : lines_(split_lines(text)), path_(std::move(path)) {
        out_.lesson.path = path_;
    }

    LessonParse run() {
        size_t i = 0;
        if (lines_.empty() || trim(lines_[0]) != "---") {
            err(1,
                "a lesson file starts with front matter: a line '---', then id:, title:, minutes:, "
                "objectives:, datasets:, then a closing '---'");
        } else {
            i = parse_front_matter();
        }
        parse_body(i);
        return std::move(out_);
    }

private:
    void err(int line, std::string msg) { out_.diagnostics.push_back({path_, line, std::move(msg)}); }

    // Returns the index of the first body line.
    size_t parse_front_matter() {
        Lesson& L = out_.lesson;
        std::map<std::string, int> seen;
        size_t i = 1;
        for (; i < lines_.size(); ++i) {
            const std::string t = trim(lines_[i]);
            const int ln = static_cast<int>(i) + 1;
            if (t == "---") break;
            if (t.empty() || t[0] == '#') continue;
            auto kv = key_value(t);
            if (!kv) {
                err(ln, "expected 'key: value' in the front matter, found '" + t +
                            "'; the keys are id, title, minutes, objectives, datasets");
                continue;
            }
            auto [key, value] = *kv;
            if (std::find(front_keys().begin(), front_keys().end(), key) == front_keys().end()) {
                err(ln, "unknown front-matter key '" + key + "'" + did_you_mean(key, front_keys()) +
                            "; the keys are id, title, minutes, objectives, datasets");
                continue;
            }
            if (key != "objectives" && seen.count(key)) {
                err(ln, key + ": given twice (first on line " + std::to_string(seen[key]) + ")");
                continue;
            }
            seen[key] = ln;
            if (key == "id") {
                L.id = value, L.id_line = ln;
                if (value.empty()) err(ln, "id: is empty; use the lesson's folder name, e.g. 01-neuron");
            } else if (key == "title") {
                L.title = value;
                if (value.empty()) err(ln, "title: is empty; give the lesson a title");
            } else if (key == "minutes") {
                char* end = nullptr;
                long m = std::strtol(value.c_str(), &end, 10);
                if (value.empty() || *end != '\0' || m < 1 || m > 240)
                    err(ln, "minutes: '" + value + "' is not a whole number of minutes from 1 to 240");
                else
                    L.minutes = static_cast<int>(m);
            } else if (key == "objectives") {
                if (value.empty())
                    err(ln, "objectives: is empty; write one objective per objectives: line");
                else
                    L.objectives.push_back(value);
            } else if (key == "datasets") {
                L.datasets_line = ln;
                for (const auto& d : split_list(value)) {
                    if (std::find(known_datasets().begin(), known_datasets().end(), d) ==
                        known_datasets().end())
                        err(ln, "datasets: unknown dataset '" + d + "'" + did_you_mean(d, known_datasets()) +
                                    "; use mnist, fashion-mnist or fortunes");
                    else
                        L.datasets.push_back(d);
                }
            }
        }
        if (i == lines_.size()) {
            err(1, "the front matter has no closing '---' line");
            return i;
        }
        if (!seen.count("id"))
            err(static_cast<int>(i) + 1, "the front matter has no id: line; add 'id: <folder name>'");
        if (!seen.count("title")) err(static_cast<int>(i) + 1, "the front matter has no title: line");
        if (!seen.count("minutes"))
            err(static_cast<int>(i) + 1, "the front matter has no minutes: line; add e.g. 'minutes: 15'");
        return i + 1;
    }

    static std::string join_prose(const std::vector<std::string>& lines) {
        size_t b = 0, e = lines.size();
        while (b < e && trim(lines[b]).empty()) ++b;
        while (e > b && trim(lines[e - 1]).empty()) --e;
        std::string out;
        for (size_t k = b; k < e; ++k) out += lines[k] + (k + 1 < e ? "\n" : "");
        return out;
    }

    void parse_body(size_t i) {
        std::vector<std::string> prose;
        Step* step = nullptr;
        auto flush = [&] {
            if (step)
                step->markdown = join_prose(prose);
            else
                out_.lesson.intro = join_prose(prose);
            prose.clear();
        };
        while (i < lines_.size()) {
            const std::string& raw = lines_[i];
            const std::string t = trim(raw);
            const int ln = static_cast<int>(i) + 1;
            if (t.rfind("```", 0) == 0) {
                const std::string info = trim(std::string_view(t).substr(3));
                size_t close = i + 1;
                while (close < lines_.size() && trim(lines_[close]).rfind("```", 0) != 0) ++close;
                if (close == lines_.size()) {
                    err(ln, "this ``` block is never closed; end it with a line ```");
                    if (info != "step")
                        prose.insert(prose.end(), lines_.begin() + static_cast<long>(i), lines_.end());
                    break;
                }
                if (info == "step") {
                    if (!step)
                        err(ln,
                            "a ```step block before the first step heading; put it under a '## Step title'");
                    else if (step->block_line)
                        err(ln, "a second ```step block in step '" + step->title +
                                    "' (the first is on line " + std::to_string(step->block_line) +
                                    "); one block per step");
                    else
                        parse_block(*step, i + 1, close, ln);
                } else {
                    prose.insert(prose.end(), lines_.begin() + static_cast<long>(i),
                                 lines_.begin() + static_cast<long>(close) + 1);
                }
                i = close + 1;
                continue;
            }
            if (raw.rfind("## ", 0) == 0 || raw == "##") {
                flush();
                out_.lesson.steps.emplace_back();
                step = &out_.lesson.steps.back();
                step->title = trim(std::string_view(raw).substr(2));
                step->line = ln;
                if (step->title.empty())
                    err(ln, "a step heading with no title; write '## What the step is about'");
                ++i;
                continue;
            }
            prose.push_back(raw);
            collect_images(raw, ln);
            ++i;
        }
        flush();
        if (out_.lesson.steps.empty())
            err(static_cast<int>(lines_.size()),
                "the lesson has no steps; start each step with a '## Step title' line");
    }

    // `![alt](target "title")` -> target, for lint to check that the picture exists.
    void collect_images(const std::string& line, int ln) {
        size_t p = 0;
        while ((p = line.find("![", p)) != std::string::npos) {
            size_t close = line.find("](", p);
            if (close == std::string::npos) break;
            size_t end = line.find(')', close + 2);
            if (end == std::string::npos) break;
            std::string target = trim(std::string_view(line).substr(close + 2, end - close - 2));
            if (size_t sp = target.find(' '); sp != std::string::npos) target = target.substr(0, sp);
            if (!target.empty()) out_.lesson.images.push_back({target, ln});
            p = end;
        }
    }

    // Lines [b, e) are the block's body; block_ln is the ```step line.
    void parse_block(Step& s, size_t b, size_t e, int block_ln) {
        s.block_line = block_ln;
        std::vector<Entry> entries;
        for (size_t i = b; i < e; ++i) {
            const std::string& raw = lines_[i];
            const int ln = static_cast<int>(i) + 1;
            const std::string t = trim(raw);
            if (t.empty() || t[0] == '#') continue;
            if (is_continuation(raw) && !entries.empty()) {
                Entry& last = entries.back();
                last.value += (last.key == "notes" ? "\n" : " ") + t;
                continue;
            }
            auto kv = key_value(t);
            if (!kv) {
                err(ln, "expected 'key: value' in the step block, found '" + t +
                            "' (a value continues on a line that starts with two spaces)");
                continue;
            }
            entries.push_back({kv->first, kv->second, ln});
        }
        std::map<std::string, int> seen;
        static const std::vector<std::string> single = {"page",      "tab",      "highlight", "check",
                                                        "require",   "question", "prompt",    "answer",
                                                        "tolerance", "predict"};
        Question q;
        bool has_q = false, bad_kind = false;
        int first_q_key_line = 0;
        std::string first_q_key;
        for (const Entry& en : entries) {
            const std::string& k = en.key;
            const std::string& v = en.value;
            const int ln = en.line;
            if (std::find(step_keys().begin(), step_keys().end(), k) == step_keys().end()) {
                err(ln, "unknown step key '" + k + "'" + did_you_mean(k, step_keys()) +
                            "; the keys are page, tab, set, lock, hide, highlight, do, check, require, hint, "
                            "notes, "
                            "question, prompt, choice, answer, tolerance, feedback, predict");
                continue;
            }
            if (std::find(single.begin(), single.end(), k) != single.end()) {
                if (seen.count(k)) {
                    err(ln, k + ": given twice in this step (first on line " + std::to_string(seen[k]) +
                                "); it takes one value");
                    continue;
                }
                seen[k] = ln;
            }
            if (v.empty()) {
                err(ln, k + ": has no value");
                continue;
            }
            if (k == "page")
                s.page = v, s.page_line = ln;
            else if (k == "tab")
                s.tab = v, s.tab_line = ln;
            else if (k == "set") {
                size_t eq = v.find('=');
                if (eq == std::string::npos || trim(v.substr(0, eq)).empty() ||
                    trim(v.substr(eq + 1)).empty())
                    err(ln, "set: '" + v + "' is not 'key = value'; e.g. 'set: epochs = 1'");
                else
                    s.settings.push_back({trim(v.substr(0, eq)), trim(v.substr(eq + 1)), ln});
            } else if (k == "lock" || k == "hide" || k == "do") {
                auto& list = k == "lock" ? s.lock : k == "hide" ? s.hide : s.actions;
                for (auto& name : split_list(v)) list.push_back({name, ln});
            } else if (k == "highlight") {
                if (v.find(',') != std::string::npos)
                    err(ln,
                        "highlight: takes ONE widget id, found '" + v + "'; spotlight one thing per step");
                else
                    s.highlight = Item{v, ln};
            } else if (k == "check")
                s.check = v, s.check_line = ln;
            else if (k == "require") {
                if (v != "check")
                    err(ln, "require: '" + v + "' is not understood; the only value is 'require: check'");
                else
                    s.require_check = true;
            } else if (k == "hint")
                s.hints.push_back(v);
            else if (k == "notes")
                s.notes += (s.notes.empty() ? "" : "\n") + v;
            else if (k == "question") {
                has_q = true;
                q.line = ln;
                if (v == "choice")
                    q.kind = QuestionKind::Choice;
                else if (v == "number")
                    q.kind = QuestionKind::Number;
                else if (v == "pair")
                    q.kind = QuestionKind::Pair;
                else {
                    err(ln, "question: '" + v + "' is not a question kind; use choice, number or pair");
                    bad_kind = true;
                }
            } else {
                if (!first_q_key_line) first_q_key_line = ln, first_q_key = k;
                if (k == "prompt")
                    q.prompt = v, q.prompt_line = ln;
                else if (k == "choice")
                    q.choices.push_back({v, ln});
                else if (k == "answer") {
                    q.answer_line = ln;
                    if (v.rfind("fact ", 0) == 0) {
                        q.answer_fact = trim(v.substr(5));
                    } else {
                        q.answer = v;
                    }
                } else if (k == "tolerance") {
                    q.tolerance_line = ln;
                    char* end = nullptr;
                    double t = std::strtod(v.c_str(), &end);
                    if (*end != '\0' || !(t >= 0))
                        err(ln, "tolerance: '" + v + "' is not a number >= 0; e.g. 'tolerance: 0.01'");
                    else
                        q.tolerance = t;
                } else if (k == "feedback") {
                    size_t arrow = v.find("=>");
                    if (arrow == std::string::npos || trim(v.substr(0, arrow)).empty())
                        err(ln, "feedback: '" + v +
                                    "' is not 'answer => text'; e.g. 'feedback: sigmoid => It squashes the "
                                    "gradient'");
                    else
                        q.feedback.push_back({trim(v.substr(0, arrow)), trim(v.substr(arrow + 2)), ln});
                } else if (k == "predict") {
                    q.predict_line = ln;
                    if (v == "true")
                        q.predict = true;
                    else if (v != "false")
                        err(ln, "predict: '" + v + "' is not true or false");
                }
            }
        }
        if (s.require_check && s.check.empty())
            err(seen["require"], "require: check, but this step has no check: line");
        if (!has_q) {
            if (first_q_key_line)
                err(first_q_key_line,
                    first_q_key +
                        ": belongs to a question, but this step has no 'question: choice|number|pair' line");
            return;
        }
        if (bad_kind) return;  // its other keys cannot be checked against an unknown kind
        if (q.prompt.empty()) err(q.line, "the question has no prompt: line; add 'prompt: <what you ask>'");
        if (q.answer.empty() && q.answer_fact.empty())
            err(q.line,
                "the question has no answer: line; add 'answer: <value>' or 'answer: fact <fact name>'");
        s.question = std::move(q);
    }

    std::vector<std::string> lines_;
    std::string path_;
    LessonParse out_;
};

}  // namespace

std::string step_block_text(const Step& s) {
    std::ostringstream o;
    auto list = [](const std::vector<Item>& items) {
        std::string out;
        for (const Item& it : items) out += (out.empty() ? "" : ", ") + it.name;
        return out;
    };
    o << "```step\n";
    if (!s.page.empty()) o << "page: " << s.page << "\n";
    if (!s.tab.empty()) o << "tab: " << s.tab << "\n";
    for (const Setting& st : s.settings) o << "set: " << st.key << " = " << st.value << "\n";
    if (!s.lock.empty()) o << "lock: " << list(s.lock) << "\n";
    if (!s.hide.empty()) o << "hide: " << list(s.hide) << "\n";
    if (s.highlight) o << "highlight: " << s.highlight->name << "\n";
    if (!s.actions.empty()) o << "do: " << list(s.actions) << "\n";
    if (!s.check.empty()) o << "check: " << s.check << "\n";
    if (s.require_check) o << "require: check\n";
    for (const std::string& h : s.hints) o << "hint: " << h << "\n";
    if (!s.notes.empty()) {
        std::stringstream notes(s.notes);
        std::string line;
        while (std::getline(notes, line)) o << "notes: " << line << "\n";
    }
    if (s.question) {
        const Question& q = *s.question;
        o << "question: " << question_kind_name(q.kind) << "\n";
        if (!q.prompt.empty()) o << "prompt: " << q.prompt << "\n";
        for (const Item& c : q.choices) o << "choice: " << c.name << "\n";
        if (!q.answer_fact.empty())
            o << "answer: fact " << q.answer_fact << "\n";
        else if (!q.answer.empty())
            o << "answer: " << q.answer << "\n";
        if (q.kind == QuestionKind::Number && q.tolerance != 1e-9) o << "tolerance: " << q.tolerance << "\n";
        for (const Feedback& f : q.feedback) o << "feedback: " << f.answer << " => " << f.text << "\n";
        if (q.predict) o << "predict: true\n";
    }
    o << "```\n";
    return o.str();
}

LessonParse parse_lesson_text(std::string_view text, const std::string& path) {
    return LessonParser(text, path).run();
}

LessonParse parse_lesson_file(const std::string& path) {
    LessonParse r;
    r.lesson.path = path;
    auto text = read_text_file(path, r.diagnostics);
    if (!text) return r;
    return parse_lesson_text(*text, path);
}

}  // namespace bp::lesson
