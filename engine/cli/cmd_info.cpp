// cmd_info.cpp — `backprop info`: version, build options, threads, SIMD, CUDA and the datasets found.
#include <cstdio>
#include <iostream>
#include <thread>

#include "args.h"
#include "bp/backend.h"
#include "bp/build_info.h"
#include "bp/data/dataset.h"
#include "bp/kernel_library.h"
#include "bp/models/zoo.h"
#include "bp/train/report.h"
#include "commands.h"

namespace bp::cli {

int cmd_info(int argc, char** argv) {
    Args args("info", "Print the version, build options, threads, SIMD in use, CUDA, and the datasets found.",
              {data_dir_flag(),
               {"json", "", "machine-readable output", ""}});
    if (args.parse_or_help(argc, argv, 2)) return 0;
    set_num_threads(0);
    const std::string dir = data::resolve_data_dir(args.has("data-dir") ? args.str("data-dir") : "");
    auto datasets = data::list_datasets(dir);
    std::string why_no_cuda;
    const bool cuda = cuda_available(&why_no_cuda);
    if (args.on("json")) {
        nlohmann::json j = train::machine_info();
        j["data_dir"] = dir;
        j["kernels_library"] = kernel_library_path();
        j["datasets"] = nlohmann::json::array();
        for (const auto& d : datasets)
            j["datasets"].push_back({{"name", d.name}, {"path", d.path}, {"complete", d.complete},
                                     {"train", d.train_count}, {"test", d.test_count}});
        j["models"] = nlohmann::json::array();
        for (const auto& m : models::zoo()) j["models"].push_back(m.name);
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::printf("backprop %s (%s build, %s)\n", build::version, build::build_type, build::compiler);
    std::printf("cpu        %s\n", train::machine_info()["cpu"].get<std::string>().c_str());
    std::printf("backend    %s\n", backend_for(Device::cpu).name().c_str());
    std::printf("threads    %d of %u cores\n", num_threads(), std::thread::hardware_concurrency());
    // cpu_simd() is compiled into the kernels: with the packaged build it names the glibc-hwcaps build the loader
    // picked for this CPU, and kernel_library_path() says which file that is.
    const std::string kernels = kernel_library_path();
    std::printf("simd       %s%s\n", cpu_simd().c_str(),
                !kernels.empty() ? (" (kernels " + kernels + ")").c_str()
                                 : build::native ? " (built with -march=native)" : "");
    std::printf("cuda       %s\n", cuda ? cuda_device_summary().c_str()
                                        : ((build::cuda ? "built, but no GPU: " : "not built: ") + why_no_cuda).c_str());
    std::printf("models     ");
    for (const auto& m : models::zoo()) std::printf("%s ", m.name.c_str());
    std::printf("\ndata dir   %s\n", dir.c_str());
    if (datasets.empty())
        std::printf("datasets   none found; run scripts/setup.sh to fetch MNIST (or pass --data-dir DIR)\n");
    for (const auto& d : datasets)
        std::printf("dataset    %-14s %s  train %lld, test %lld%s\n", d.name.c_str(), d.path.c_str(),
                    static_cast<long long>(d.train_count), static_cast<long long>(d.test_count),
                    d.complete ? "" : "  (incomplete)");
    return 0;
}

}  // namespace bp::cli
