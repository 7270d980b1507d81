// main.cpp — `backprop`, the command line: train, train-text, generate, fine-tune, train-clip, retrieve, eval, predict, info, bench, export, lesson. Shares the engine with the app and
// nothing of the GUI. Usage errors exit 2, other errors 1, each with one message on stderr.
#include <cstring>
#include <iostream>
#include <string>

#include "args.h"
#include "bp/build_info.h"
#include "bp/errors.h"
#include "commands.h"

static const char* kUsage =
    "usage: backprop <command> [options]\n"
    "\n"
    "commands:\n"
    "  train    train a zoo model on a dataset, save it and write a JSON report\n"
    "  train-text  train GPT-mini (a character-level language model) on the fortunes corpus or a text file\n"
    "  generate    write text with a GPT model saved by train-text\n"
    "  fine-tune   fine-tune BERT-mini (pre-trained by train-text --model bert, or from scratch) on a text task\n"
    "  train-clip  train CLIP-mini (pictures and captions in one space) on MNIST or Fashion-MNIST\n"
    "  retrieve    search with a CLIP model: test pictures for a caption, captions for a picture\n"
    "  eval     evaluate a saved model on a dataset's test split\n"
    "  predict  classify PNG/JPEG pictures with a saved model (top classes and probabilities)\n"
    "  info     version, build options, threads, SIMD, CUDA and the datasets found\n"
    "  report   a saved model against the digit-recognition benchmark targets (accuracy, latency, memory)\n"
    "  bench    benchmarks (all, ops, models, accuracy, scaling, train-mlp, ...), side by side with PyTorch\n"
    "  export   a saved model as ONNX (opset 17) for Netron, ONNX Runtime and other tools\n"
    "  export-charts  a benchmark JSON's charts as PNG/SVG/PDF/CSV with an index, without a display\n"
    "  lesson   lesson files: lint (check them, file:line per problem), list (the course), catalogue\n"
    "\n"
    "Run 'backprop <command> --help' for a command's options.\n";

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << kUsage;
        return 2;
    }
    std::string cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        std::cout << kUsage;
        return 0;
    }
    if (cmd == "--version") {
        std::cout << "backprop " << bp::build::version << "\n";
        return 0;
    }
    try {
        if (cmd == "train") return bp::cli::cmd_train(argc, argv);
        if (cmd == "train-text") return bp::cli::cmd_train_text(argc, argv);
        if (cmd == "generate") return bp::cli::cmd_generate(argc, argv);
        if (cmd == "fine-tune") return bp::cli::cmd_fine_tune(argc, argv);
        if (cmd == "train-clip") return bp::cli::cmd_train_clip(argc, argv);
        if (cmd == "retrieve") return bp::cli::cmd_retrieve(argc, argv);
        if (cmd == "eval") return bp::cli::cmd_eval(argc, argv);
        if (cmd == "predict") return bp::cli::cmd_predict(argc, argv);
        if (cmd == "info") return bp::cli::cmd_info(argc, argv);
        if (cmd == "bench") return bp::cli::cmd_bench(argc, argv);
        if (cmd == "report") return bp::cli::cmd_report(argc, argv);
        if (cmd == "export") return bp::cli::cmd_export(argc, argv);
        if (cmd == "export-charts") return bp::cli::cmd_export_charts(argc, argv);
        if (cmd == "lesson") return bp::cli::cmd_lesson(argc, argv);
        std::cerr << "backprop: unknown command '" << cmd << "'\n\n" << kUsage;
        return 2;
    } catch (const bp::cli::UsageError& e) {
        std::cerr << "backprop " << cmd << ": " << e.what() << "\n";
        return 2;
    } catch (const bp::ConfigError& e) {
        std::cerr << "backprop " << cmd << ": " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "backprop " << cmd << ": " << e.what() << "\n";
        return 1;
    }
}
