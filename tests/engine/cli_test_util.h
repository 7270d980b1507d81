// cli_test_util.h — runs the built `backprop` command as a user would, for the CLI tests: exit code, stdout and
// stderr of one run, with extra environment variables where asked; and the small text files the text CLI tests
// train on.
#pragma once

#include <fstream>
#include <string>

#include <QMap>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace bp_test {

struct CliRun {
    int code = -1;  // -1: did not finish in time; -2: crashed
    QString out, err;
};

inline CliRun run_cli(const QStringList& args, const QMap<QString, QString>& env = {}, int timeout_ms = 300000) {
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (auto it = env.begin(); it != env.end(); ++it) e.insert(it.key(), it.value());
    p.setProcessEnvironment(e);
    p.start(QStringLiteral(BP_BINARY_DIR "/engine/backprop"), args);
    CliRun r;
    if (!p.waitForFinished(timeout_ms)) return r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

/// Writes `content` to dir/name (bytes as given) and returns the path.
inline QString write_text(const QString& dir, const QString& name, const std::string& content) {
    const QString path = dir + "/" + name;
    std::ofstream f(path.toStdString(), std::ios::binary);
    f << content;
    return path;
}

/// ~5,500 characters of two alternating lines: a text a tiny model learns within a few hundred steps.
inline std::string periodic_text() {
    std::string t;
    for (int i = 0; i < 120; ++i) t += i % 2 ? "hello world, hello moon.\n" : "the quick brown fox.\n";
    return t;
}

}  // namespace bp_test
