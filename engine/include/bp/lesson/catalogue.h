// catalogue.h — the one table of what a lesson may name: pages and their tabs, facts (values the app's pages
// publish), widget ids (Qt objectNames for lock/hide/highlight), actions ("Do it for me") and app setting
// keys. Lint, the app's lesson player and lessons/README.md all read this table. It holds names and
// descriptions only: it does not feed facts or run actions (the app does). To extend it, add a row to the
// arrays in catalogue.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bp::lesson {

enum class FactKind { Number, Bool, Text, Pair };
std::string_view kind_name(FactKind k);  // "number", "bool", "text", "pair"

struct PageInfo {
    std::string_view name;               // "backprop"
    std::vector<std::string_view> tabs;  // {"stepper", "flow"}; empty = no tabs
    std::string_view description;
};

struct FactInfo {
    std::string_view name;  // "run.test_accuracy"
    FactKind kind;
    std::string_view description;
    std::string_view page;  // the page that feeds it ("app" for app-wide facts)
};

struct WidgetInfo {
    std::string_view name;  // "train.start" (the widget's Qt objectName)
    std::string_view page;
    std::string_view description;
};

struct ActionInfo {
    std::string_view name;  // "train.start"
    std::string_view page;
    std::string_view description;
};

/// An app setting key a step may `set:` besides the TrainConfig fields: a list of choices, an integer range
/// [min, max], or (any_text) any text of at most max characters.
struct AppSettingInfo {
    std::string_view name;                  // "backprop.example"
    std::vector<std::string_view> choices;  // {"neuron", "xor", "mlp"}; empty = integer range or text
    long min = 0, max = 0;
    std::string_view description;
    std::string_view page;
    bool any_text = false;  // "gpt.prompt": any text up to max characters
};

const std::vector<PageInfo>& pages();
const std::vector<FactInfo>& facts();
const std::vector<WidgetInfo>& widgets();
const std::vector<ActionInfo>& actions();
const std::vector<AppSettingInfo>& app_settings();

/// Lookups: nullptr when the name is not in the catalogue. Example: find_fact("run.test_accuracy")->kind
const PageInfo* find_page(std::string_view name);
const FactInfo* find_fact(std::string_view name);
const WidgetInfo* find_widget(std::string_view name);
const ActionInfo* find_action(std::string_view name);
const AppSettingInfo* find_app_setting(std::string_view name);

/// Checks `value` against an app setting's choices or range. Empty string = fine; else what is wrong and what
/// fits, e.g. "backprop.example = foo is not one of: neuron, xor, mlp".
std::string check_app_setting(const AppSettingInfo& s, std::string_view value);
/// "one of: neuron, xor, mlp" or "an integer from 0 to 9999"
std::string allowed_text(const AppSettingInfo& s);

/// Names of each table, in table order (for "did you mean" and for listing).
std::vector<std::string> page_names();
std::vector<std::string> fact_names();
std::vector<std::string> widget_names();
std::vector<std::string> action_names();
std::vector<std::string> app_setting_names();

/// Levenshtein distance.
size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate closest to `name`, if it is close enough to be a plausible typo (distance at most a third
/// of the longer name, at least 2) or shares the part after the last dot. Example:
/// closest("run.test_acuracy", fact_names()) == "run.test_accuracy"
std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates);
/// " (did you mean 'run.test_accuracy'?)" or "" — ready to append to a message.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

/// The whole catalogue as Markdown tables (for lessons/README.md; `backprop lesson catalogue --markdown`).
std::string catalogue_markdown();

}  // namespace bp::lesson
