// fuzz_lesson.cpp — libFuzzer target for the lesson reader (engine/src/lesson): lesson.md parsing, lint (the
// catalogue, training settings, check expressions, questions, pictures), each step written back as a step block
// and parsed again, and course.txt with its prerequisites. An input holding a line "%%" is split there: the part
// before is course.txt, the part after the lesson.md of lesson "a"; otherwise the whole input is both.
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

#include "bp/lesson/lesson.h"
#include "bp/lesson/lint.h"

namespace {
void write_file(const std::string& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace fs = std::filesystem;
    static const std::string dir = [] {
        const char* base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        const std::string d = std::string(base) + "/bp_fuzz_lesson_" + std::to_string(getpid());
        fs::create_directories(d + "/a");
        return d;
    }();
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string_view course = input, lesson = input;
    if (const size_t at = input.find("\n%%\n"); at != std::string_view::npos) {
        course = input.substr(0, at + 1);
        lesson = input.substr(at + 4);
    }
    const bp::lesson::LessonParse parsed = bp::lesson::parse_lesson_text(lesson, dir + "/a/lesson.md");
    for (const bp::lesson::Step& step : parsed.lesson.steps) {
        const std::string block = bp::lesson::step_block_text(step);
        (void)bp::lesson::parse_lesson_text("# t\n\n## " + step.title + "\n\n" + block + "\n", dir + "/a/lesson.md");
        (void)bp::lesson::check_settings(step, dir + "/a/lesson.md");
    }
    (void)bp::lesson::lint_lesson(parsed.lesson);
    write_file(dir + "/course.txt", course);
    write_file(dir + "/a/lesson.md", lesson);
    (void)bp::lesson::load_lesson_checked(dir + "/a/lesson.md");
    (void)bp::lesson::parse_course(dir);
    (void)bp::lesson::lint_course(dir);
    return 0;
}
