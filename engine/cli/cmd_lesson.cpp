// cmd_lesson.cpp — `backprop lesson lint|list|catalogue`: checks lesson files (file:line: message per
// problem, exit 1 when there is any), lists the course, prints the catalogue of facts, widget ids, actions
// and settings. It plays no lesson; the app's lesson player does.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "args.h"
#include "bp/lesson/catalogue.h"
#include "bp/lesson/lesson.h"
#include "bp/lesson/lint.h"
#include "commands.h"

namespace fs = std::filesystem;

namespace bp::cli {

namespace {

const char* kLessonUsage =
    "usage: backprop lesson <lint|list|catalogue> [DIR] [options]\n"
    "\n"
    "  lint [DIR|FILE]   check a lessons folder (course.txt and every lesson it lists), one lesson folder or "
    "one\n"
    "                    lesson.md: prints file:line: message per problem and a summary; exit 1 if any "
    "problem\n"
    "  list [DIR]        the course: each lesson's id, title, minutes and number of steps\n"
    "  catalogue         the pages, facts, widget ids, actions and app settings a lesson may name "
    "(--markdown)\n"
    "\n"
    "DIR defaults to the source tree's lessons/ folder, else the installed ones, else ./lessons.\n"
    "Run 'backprop lesson <sub> --help' for a subcommand's options.\n";

std::string default_dir() {
    std::error_code ec;
#ifdef BP_SOURCE_DIR
    const fs::path src = fs::path(BP_SOURCE_DIR) / "lessons";
    if (fs::is_directory(src, ec)) return src.string();
#endif
    // Installed: <prefix>/bin/backprop -> <prefix>/share/backprop-studio/lessons (where the app looks too).
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path().parent_path() / "share/backprop-studio/lessons";
        if (fs::is_directory(installed, ec)) return installed.string();
    }
    return "lessons";
}

std::string dir_arg(const Args& args) {
    if (args.positional().size() > 1)
        throw UsageError("give at most one DIR; got " + std::to_string(args.positional().size()));
    return args.positional().empty() ? default_dir() : args.positional()[0];
}

int lint(int argc, char** argv) {
    Args args("lesson lint",
              "Check lessons: schema, unknown keys, pages and tabs, facts in checks, widget ids, actions, "
              "settings (the\n"
              "engine's own validation), pictures, questions, course order and prerequisites. Argument: a "
              "lessons folder\n"
              "with course.txt, one lesson folder, or one lesson.md (default: the repository's lessons/).",
              {{"quiet", "", "print only the summary line", ""}});
    if (args.parse_or_help(argc, argv, 3)) return 0;
    const std::string target = dir_arg(args);
    std::error_code ec;
    std::vector<lesson::Diagnostic> diags;
    std::string what;
    if (fs::is_directory(target, ec) && fs::exists(fs::path(target) / "course.txt", ec)) {
        diags = lesson::lint_course(target);
        what = target;
    } else if (fs::is_directory(target, ec)) {
        if (!fs::exists(fs::path(target) / "lesson.md", ec)) {
            std::cerr << "backprop lesson lint: " << target << " has neither course.txt nor lesson.md\n";
            return 1;
        }
        diags = lesson::lint_lesson_file((fs::path(target) / "lesson.md").string());
        what = target;
    } else if (fs::is_regular_file(target, ec)) {
        diags = lesson::lint_lesson_file(target);
        what = target;
    } else {
        std::cerr << "backprop lesson lint: '" << target
                  << "' not found; give a lessons folder, a lesson folder or a lesson.md\n";
        return 1;
    }
    std::set<std::string> files;
    for (const auto& d : diags) {
        if (!args.on("quiet")) std::cout << d.to_string() << "\n";
        files.insert(d.file);
    }
    if (diags.empty())
        std::cout << what << ": no problems found\n";
    else
        std::cout << what << ": " << diags.size() << (diags.size() == 1 ? " problem" : " problems") << " in "
                  << files.size() << (files.size() == 1 ? " file" : " files") << "\n";
    return diags.empty() ? 0 : 1;
}

int list(int argc, char** argv) {
    Args args("lesson list",
              "List the course in DIR (default: the repository's lessons/): id, title, minutes, steps.", {});
    if (args.parse_or_help(argc, argv, 3)) return 0;
    lesson::CourseParse cp = lesson::parse_course(dir_arg(args));
    if (cp.course.entries.empty() && !cp.diagnostics.empty()) {
        for (const auto& d : cp.diagnostics) std::cerr << d.to_string() << "\n";
        return 1;
    }
    std::cout << (cp.course.title.empty() ? "(untitled course)" : cp.course.title) << "\n";
    int minutes = 0;
    for (const auto& e : cp.course.entries) {
        const lesson::Lesson* L = nullptr;
        for (const auto& l : cp.course.lessons)
            if (fs::path(l.path).parent_path().filename() == e.id) L = &l;
        if (!L) {
            std::printf("  %-24s (missing)\n", e.id.c_str());
            continue;
        }
        minutes += L->minutes;
        std::printf("  %-24s %3d min  %2zu steps  %s\n", e.id.c_str(), L->minutes, L->steps.size(),
                    L->title.c_str());
    }
    std::printf("%zu lessons, %d minutes\n", cp.course.entries.size(), minutes);
    if (!cp.diagnostics.empty())
        std::cout << cp.diagnostics.size() << " problems; run 'backprop lesson lint' to see them\n";
    return 0;
}

int catalogue(int argc, char** argv) {
    Args args("lesson catalogue",
              "Print what lessons may name: pages and tabs, facts, widget ids, actions, app settings.",
              {{"markdown", "", "Markdown tables (pasted into lessons/README.md)", ""}});
    if (args.parse_or_help(argc, argv, 3)) return 0;
    if (args.on("markdown")) {
        std::cout << lesson::catalogue_markdown();
        return 0;
    }
    std::cout << "pages:\n";
    for (const auto& p : lesson::pages()) {
        std::cout << "  " << p.name;
        for (size_t i = 0; i < p.tabs.size(); ++i) std::cout << (i ? ", " : "  tabs: ") << p.tabs[i];
        std::cout << "\n";
    }
    std::cout << "facts:\n";
    for (const auto& f : lesson::facts())
        std::printf("  %-28s %-6s  %s\n", std::string(f.name).c_str(),
                    std::string(lesson::kind_name(f.kind)).c_str(), std::string(f.description).c_str());
    std::cout << "widget ids:\n";
    for (const auto& w : lesson::widgets())
        std::printf("  %-28s %s\n", std::string(w.name).c_str(), std::string(w.description).c_str());
    std::cout << "actions:\n";
    for (const auto& a : lesson::actions())
        std::printf("  %-28s %s\n", std::string(a.name).c_str(), std::string(a.description).c_str());
    std::cout << "app settings:\n";
    for (const auto& s : lesson::app_settings())
        std::printf("  %-28s %s\n", std::string(s.name).c_str(), lesson::allowed_text(s).c_str());
    return 0;
}

}  // namespace

int cmd_lesson(int argc, char** argv) {
    if (argc < 3 || std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h") {
        (argc < 3 ? std::cerr : std::cout) << kLessonUsage;
        return argc < 3 ? 2 : 0;
    }
    const std::string sub = argv[2];
    if (sub == "lint") return lint(argc, argv);
    if (sub == "list") return list(argc, argv);
    if (sub == "catalogue") return catalogue(argc, argv);
    throw UsageError("unknown subcommand '" + sub +
                     "'; use lint, list or catalogue (see 'backprop lesson --help')");
}

}  // namespace bp::cli
