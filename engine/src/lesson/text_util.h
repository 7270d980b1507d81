// text_util.h — the small line and "key: value" helpers the lesson.md and course.txt parsers share.
// Private to the engine (engine/src/lesson); not a general string library.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bp::lesson::detail {

std::string trim(std::string_view s);
/// Lines without their '\n' or "\r\n"; line i of the file is element i - 1.
std::vector<std::string> split_lines(std::string_view text);
/// "a, b,,c" -> {"a", "b", "c"}
std::vector<std::string> split_list(std::string_view v);
/// "key: value" -> {key, value}; nullopt when the line has no "key:" shape.
std::optional<std::pair<std::string, std::string>> key_value(const std::string& line);

}  // namespace bp::lesson::detail
