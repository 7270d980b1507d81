// commands.h — the `backprop` subcommands. Each returns the process exit code: 0 success, 1 failure
// (bad data, training diverged), and throws UsageError for usage mistakes (exit 2).
#pragma once

namespace bp::cli {
class Args;
int cmd_train(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_info(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_report(int argc, char** argv);
int cmd_predict(int argc, char** argv);
int cmd_export_charts(int argc, char** argv);
int cmd_export(int argc, char** argv);       // cmd_export.cpp: export --format onnx
int cmd_train_text(int argc, char** argv);  // cmd_text.cpp
int cmd_generate(int argc, char** argv);
int train_text_bert(const Args& args);       // cmd_bert.cpp: train-text --model bert (flags parsed by cmd_train_text)
int cmd_fine_tune(int argc, char** argv);    // cmd_bert.cpp
int cmd_train_clip(int argc, char** argv);  // cmd_clip.cpp
int cmd_retrieve(int argc, char** argv);    // cmd_clip.cpp
int cmd_lesson(int argc, char** argv);  // cmd_lesson.cpp: lesson lint | list | catalogue
}  // namespace bp::cli
