// cmd_export_charts.cpp — `backprop export-charts --results bench.json --out DIR`: the charts of a benchmark
// run as PNG/SVG/PDF/CSV files with an index, without a display. The CLI is engine-only (no Qt), so this
// command checks its flags and then runs the app's renderer, `backprop-studio --export-charts ...` on the
// offscreen platform, found beside this executable, in the build tree, or at the path it was built with.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <vector>

#include "args.h"
#include "commands.h"

#ifndef BP_STUDIO_PATH
#define BP_STUDIO_PATH ""
#endif

namespace bp::cli {

namespace {

std::string find_studio() {
    namespace fs = std::filesystem;
    if (const char* env = std::getenv("BP_STUDIO"); env && *env) return env;
    std::vector<fs::path> candidates;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        candidates.push_back(exe.parent_path() / "backprop-studio");                    // installed side by side
        candidates.push_back(exe.parent_path().parent_path() / "app/backprop-studio");  // build/engine -> build/app
    }
    if (*BP_STUDIO_PATH) candidates.emplace_back(BP_STUDIO_PATH);
    for (const fs::path& c : candidates)
        if (fs::is_regular_file(c, ec) && access(c.c_str(), X_OK) == 0) return c.string();
    return {};
}

}  // namespace

int cmd_export_charts(int argc, char** argv) {
    Args args("export-charts",
              "Write every chart of a benchmark result file (from `backprop bench all --json FILE`, or one suite's\n"
              "JSON) into a folder: PNG, SVG, PDF and the data as CSV, with index.html and index.md embedding them.\n"
              "Needs no display (renders offscreen); uses backprop-studio, which must have been built.",
              {{"results", "FILE", "benchmark JSON to draw", ""},
               {"compare", "FILE", "a second run drawn beside the first (before/after)", ""},
               {"out", "DIR", "folder to write (created if missing)", ""},
               {"dpi", "N", "PNG resolution; the picture is 10 x 6.25 inches", "150"},
               {"formats", "LIST", "comma-separated: png, svg, pdf, csv", "png,svg,pdf,csv"},
               {"theme", "light|dark", "colours", "light"},
               {"presentation", "", "larger text and thicker lines, for slides", ""}});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    if (!args.has("results")) throw UsageError("--results FILE is required (write one with: backprop bench all --json FILE)");
    if (!args.has("out")) throw UsageError("--out DIR is required");
    if (args.str("out").empty()) throw UsageError("--out needs a folder name; got ''");
    if (std::filesystem::exists(args.str("out")) && !std::filesystem::is_directory(args.str("out")))
        throw UsageError("--out '" + args.str("out") + "' exists and is not a folder; name a folder to write the charts into");
    const int dpi = args.has("dpi") ? args.integer("dpi", 36, 1200) : 150;
    const std::string theme = args.str("theme");
    if (theme != "light" && theme != "dark") throw UsageError("--theme expects light or dark; got '" + theme + "'");
    if (!std::filesystem::is_regular_file(args.str("results")))
        throw UsageError("--results: no such file '" + args.str("results") + "'");

    const std::string studio = find_studio();
    if (studio.empty()) {
        std::cerr << "backprop export-charts: the chart renderer backprop-studio was not found beside this program or in "
                     "the build tree; build it (cmake --build build --target backprop-studio, needs BP_BUILD_GUI=ON) "
                     "or set BP_STUDIO to its path\n";
        return 1;
    }
    std::vector<std::string> a{studio, "--export-charts", args.str("results"), "--out", args.str("out"),
                               "--dpi", std::to_string(dpi), "--formats", args.str("formats"), "--theme", theme};
    if (args.has("compare")) {
        a.push_back("--compare");
        a.push_back(args.str("compare"));
    }
    if (args.on("presentation")) a.push_back("--presentation");
    std::vector<char*> cargv;
    for (std::string& s : a) cargv.push_back(s.data());
    cargv.push_back(nullptr);
    setenv("QT_QPA_PLATFORM", "offscreen", 0);  // no display needed; an explicit choice is kept
    execv(studio.c_str(), cargv.data());
    std::cerr << "backprop export-charts: could not run " << studio << "\n";
    return 1;
}

}  // namespace bp::cli
