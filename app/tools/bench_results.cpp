// bench_results.cpp — JSON (the CLI's format, see engine/cli/cmd_bench.cpp) -> ChartSpec and table rows: the
// charts, and the ops, accuracy and scaling rows; the model suites' rows are in bench_model_rows.cpp.
#include "tools/bench_results.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <cmath>

#include "tools/bench_results_util.h"

using namespace bench_detail;

namespace {

const QStringList kSuites{QStringLiteral("ops"), QStringLiteral("models"), QStringLiteral("accuracy"),
                          QStringLiteral("scaling"), QStringLiteral("gpt"), QStringLiteral("bert"),
                          QStringLiteral("clip"), QStringLiteral("architectures"), QStringLiteral("threads"),
                          QStringLiteral("epochs"), QStringLiteral("speedrun"), QStringLiteral("checkpoint")};

QString opLabel(const QJsonObject& row) {
    const QString label = row.value(QStringLiteral("label")).toString();
    return label.isEmpty() ? row.value(QStringLiteral("op")).toString() + QLatin1Char(' ') + row.value(QStringLiteral("size")).toString()
                           : label;
}

double opTime(const QJsonObject& row) {
    return num(row.value(QStringLiteral("forward_backward_ms")).toObject().value(QStringLiteral("median")));
}
double torchTime(const QJsonObject& row) {
    return num(row.value(QStringLiteral("pytorch")).toObject().value(QStringLiteral("forward_backward_ms")));
}

/// "name" alone, or "name · label" when two runs are shown.
QString tagged(const QString& name, const BenchRun& run, bool comparing) {
    return comparing ? QStringLiteral("%1 · %2").arg(name, run.label) : name;
}

int threadsOf(const BenchRun& run) {
    const int t = run.suite(QStringLiteral("ops")).value(QStringLiteral("threads")).toInt();
    return t > 0 ? t : run.machine.value(QStringLiteral("threads")).toInt();
}

QString pytorchName(const BenchRun& run) {
    QString v = run.suite(QStringLiteral("ops")).value(QStringLiteral("pytorch")).toObject().value(QStringLiteral("version")).toString();
    if (v.isEmpty()) v = run.machine.value(QStringLiteral("pytorch_version")).toString();
    return v.isEmpty() ? QStringLiteral("PyTorch") : QStringLiteral("PyTorch %1").arg(v);
}

/// One label per category: `notes` in category order, blank for categories only the other run has.
void setAnnotations(ChartSpec& spec, const QStringList& notes) {
    spec.annotations = notes;
    while (spec.annotations.size() < spec.categories.size()) spec.annotations << QString();
}

/// The dashed "backprop · B" bars of the run compared against: `value` of each row of `suite`, under `label`.
template <class Label, class Value>
void addComparedBars(ChartSpec& spec, const BenchRun& b, const QString& suite, Label label, Value value) {
    QVector<QPair<QString, double>> theirs;
    for (const QJsonValue& v : rowsOf(b, suite)) theirs.append({label(v.toObject()), value(v.toObject())});
    addBarSeries(spec, tagged(QStringLiteral("backprop"), b, true), theirs, true);
}

ChartSpec opsChart(const BenchRun& a, const BenchRun* b) {
    ChartSpec c;
    c.id = QStringLiteral("ops_speed");
    c.kind = ChartSpec::Kind::HorizontalBars;
    c.title = QStringLiteral("Op speed: forward + backward, backprop vs PyTorch");
    c.shortTitle = QStringLiteral("Op speed vs PyTorch");
    c.subtitle = QStringLiteral("median time per call, %1 thread(s); shorter is faster; label: PyTorch's time ÷ ours")
                     .arg(threadsOf(a));
    c.xTitle = QStringLiteral("time per call (ms, log scale)");
    c.logX = true;
    const bool comparing = b && b->has(QStringLiteral("ops"));
    QVector<QPair<QString, double>> ours, torch;
    QStringList notes;
    for (const QJsonValue& v : rowsOf(a, QStringLiteral("ops"))) {
        const QJsonObject row = v.toObject();
        ours.append({opLabel(row), opTime(row)});
        if (std::isfinite(torchTime(row))) torch.append({opLabel(row), torchTime(row)});
        const double r = num(row.value(QStringLiteral("speedup_vs_pytorch")));
        notes << (std::isfinite(r) ? speedRatioText(r) : QString());
    }
    addBarSeries(c, tagged(QStringLiteral("backprop"), a, comparing), ours, false);
    if (comparing) addComparedBars(c, *b, QStringLiteral("ops"), opLabel, opTime);
    if (!torch.isEmpty()) addBarSeries(c, tagged(pytorchName(a), a, comparing), torch, false);
    else c.subtitle = QStringLiteral("median time per call, %1 thread(s); PyTorch was not measured in this run").arg(threadsOf(a));
    if (!torch.isEmpty()) setAnnotations(c, notes);
    return c;
}

/// The PyTorch version the gpt suite ran: its reference runs record it; else the machine's.
QString gptPytorchName(const BenchRun& run) {
    for (const QJsonValue& v : rowsOf(run, QStringLiteral("gpt")))
        for (const QJsonValue& r : v.toObject().value(QStringLiteral("pytorch")).toObject().value(QStringLiteral("runs")).toArray()) {
            const QString version = r.toObject().value(QStringLiteral("version")).toString();
            if (!version.isEmpty()) return QStringLiteral("PyTorch %1").arg(version);
        }
    return pytorchName(run);
}

ChartSpec gptChart(const BenchRun& a, const BenchRun* b) {
    ChartSpec c;
    c.id = QStringLiteral("gpt_speed");
    c.kind = ChartSpec::Kind::Bars;
    c.title = QStringLiteral("GPT-mini training speed vs PyTorch");
    c.shortTitle = QStringLiteral("GPT-mini speed vs PyTorch");
    const QJsonObject suite = a.suite(QStringLiteral("gpt"));
    const QJsonObject model = suite.value(QStringLiteral("model")).toObject();
    const QString setup = QStringLiteral("%1 layers, %2 heads, dim %3, context %4, batch %5; median of %6 steps")
                              .arg(model.value(QStringLiteral("layers")).toInt())
                              .arg(model.value(QStringLiteral("heads")).toInt())
                              .arg(model.value(QStringLiteral("dim")).toInt())
                              .arg(model.value(QStringLiteral("context")).toInt())
                              .arg(suite.value(QStringLiteral("batch_size")).toInt())
                              .arg(suite.value(QStringLiteral("steps")).toInt());
    c.xTitle = QStringLiteral("transformer block");
    c.yTitle = QStringLiteral("training tokens per second");
    const bool comparing = b && b->has(QStringLiteral("gpt"));
    // One thread count (ours) and one PyTorch configuration for every block go into the legend; when they
    // differ per block the legend says "fastest" and the table has each.
    QSet<int> ourThreads;
    QSet<QString> torchConfigs;
    QVector<QPair<QString, double>> ours, torch;
    QStringList notes;
    for (const QJsonValue& v : rowsOf(a, QStringLiteral("gpt"))) {
        const QJsonObject row = v.toObject();
        ours.append({gptBlockLabel(row), gptOurs(row)});
        ourThreads.insert(row.value(QStringLiteral("backprop")).toObject().value(QStringLiteral("threads")).toInt());
        if (std::isfinite(gptTorch(row))) {
            torch.append({gptBlockLabel(row), gptTorch(row)});
            torchConfigs.insert(gptTorchConfig(row.value(QStringLiteral("pytorch")).toObject()));
        }
        notes << speedRatioText(num(row.value(QStringLiteral("speedup_vs_pytorch"))));
    }
    const QString ourName = ourThreads.size() == 1 ? QStringLiteral("backprop, %1").arg(threadsText(*ourThreads.begin()))
                                                   : QStringLiteral("backprop, fastest thread count");
    addBarSeries(c, tagged(ourName, a, comparing), ours, false);
    if (comparing) addComparedBars(c, *b, QStringLiteral("gpt"), gptBlockLabel, gptOurs);
    if (!torch.isEmpty()) {
        const QString config = torchConfigs.size() == 1 ? *torchConfigs.begin() : QStringLiteral("fastest of 3 thread configs");
        addBarSeries(c, tagged(QStringLiteral("%1, %2").arg(gptPytorchName(a), config), a, comparing), torch, false);
        c.subtitle = setup + QStringLiteral("; label: ours ÷ PyTorch");
        setAnnotations(c, notes);
    } else {
        c.subtitle = setup + QStringLiteral("; PyTorch was not measured in this run");
    }
    return c;
}

ChartSpec curvesChart(const BenchRun& a, const BenchRun* b) {
    ChartSpec c;
    c.id = QStringLiteral("training_curves");
    c.kind = ChartSpec::Kind::Lines;
    c.title = QStringLiteral("Training loss of every model (first epoch)");
    c.shortTitle = QStringLiteral("Training curves");
    c.xTitle = QStringLiteral("training images seen");
    c.yTitle = QStringLiteral("training loss (cross-entropy)");
    const bool comparing = b && b->has(QStringLiteral("models"));
    int images = 0;
    for (const BenchRun* run : {&a, comparing ? b : nullptr}) {
        if (!run) continue;
        images = std::max(images, run->suite(QStringLiteral("models")).value(QStringLiteral("images")).toInt());
        for (const QJsonValue& v : rowsOf(*run, QStringLiteral("models"))) {
            const QJsonObject row = v.toObject();
            const QJsonObject curve = row.value(QStringLiteral("loss_curve")).toObject();
            const QJsonArray xs = curve.value(QStringLiteral("images")).toArray(), ys = curve.value(QStringLiteral("loss")).toArray();
            ChartSeries s{tagged(modelName(row), *run, comparing)};
            s.dashed = run == b;
            for (int i = 0; i < std::min(xs.size(), ys.size()); ++i) s.points.append(QPointF(xs[i].toDouble(), ys[i].toDouble()));
            if (!s.points.isEmpty()) c.series.append(s);
        }
    }
    c.subtitle = QStringLiteral("one epoch on the first %1 MNIST images, each model's default batch size and rate; "
                                "mean loss per window of batches")
                     .arg(images);
    return c;
}

ChartSpec modelBars(const BenchRun& a, const BenchRun* b, const QString& id, const QString& key, const QString& title,
                    const QString& yTitle, const QString& seriesName, const QString& subtitle) {
    ChartSpec c;
    c.id = id;
    c.kind = ChartSpec::Kind::Bars;
    c.title = title;
    c.shortTitle = seriesName.left(1).toUpper() + seriesName.mid(1) + QStringLiteral(" per model");
    c.subtitle = subtitle;
    c.xTitle = QStringLiteral("model");
    c.yTitle = yTitle;
    const bool comparing = b && b->has(QStringLiteral("models"));
    for (const BenchRun* run : {&a, comparing ? b : nullptr}) {
        if (!run) continue;
        // A bar per model, named by its title's first word ("LeNet-5"); a second model with the same first word
        // ("LeNet-5 + batch norm") is told apart by its zoo name, or the two would share one bar.
        QVector<QPair<QString, double>> values;
        QSet<QString> seen;
        for (const QJsonValue& v : rowsOf(*run, QStringLiteral("models"))) {
            const QJsonObject r = v.toObject();
            QString name = modelName(r).section(QLatin1Char(' '), 0, 0);
            if (seen.contains(name)) name += QStringLiteral(" (%1)").arg(r.value(QStringLiteral("model")).toString());
            seen.insert(name);
            values.append({name, num(r.value(key))});
        }
        addBarSeries(c, tagged(seriesName, *run, comparing), values, run == b);
    }
    c.annotations.clear();
    for (int i = 0; i < c.categories.size(); ++i) c.annotations << fmt(c.series.first().values.value(i), 3);
    return c;
}

ChartSpec dataScalingChart(const BenchRun& a, const BenchRun* b) {
    ChartSpec c;
    c.id = QStringLiteral("scaling_data");
    c.kind = ChartSpec::Kind::Lines;
    c.title = QStringLiteral("Training time grows with the data");
    c.shortTitle = QStringLiteral("Scaling: data size");
    const QJsonObject s = a.suite(QStringLiteral("scaling"));
    c.subtitle = QStringLiteral("MLP 784-128-64-10, one epoch, batch %1; fitted time ∝ n^%2; dashed: ideal (linear)")
                     .arg(s.value(QStringLiteral("batch_size")).toInt())
                     .arg(fmt(num(s.value(QStringLiteral("data_size")).toObject().value(QStringLiteral("exponent"))), 3));
    c.xTitle = QStringLiteral("training images (log scale)");
    c.yTitle = QStringLiteral("epoch time (s, log scale)");
    c.logX = c.logY = true;
    const bool comparing = b && b->has(QStringLiteral("scaling"));
    for (const BenchRun* run : {&a, comparing ? b : nullptr}) {
        if (!run) continue;
        ChartSeries measured{tagged(QStringLiteral("measured"), *run, comparing)}, ideal{tagged(QStringLiteral("ideal: linear"), *run, comparing)};
        measured.dashed = run == b;
        ideal.reference = true;
        for (const QJsonValue& v : run->suite(QStringLiteral("scaling")).value(QStringLiteral("data_size")).toObject().value(QStringLiteral("rows")).toArray()) {
            const QJsonObject r = v.toObject();
            const double n = num(r.value(QStringLiteral("images")));
            measured.points.append(QPointF(n, num(r.value(QStringLiteral("epoch_seconds")))));
            ideal.points.append(QPointF(n, num(r.value(QStringLiteral("ideal_seconds")))));
        }
        c.series.append(measured);
        if (run == &a) c.series.append(ideal);
    }
    return c;
}

ChartSpec threadScalingChart(const BenchRun& a, const BenchRun* b) {
    ChartSpec c;
    c.id = QStringLiteral("scaling_threads");
    c.kind = ChartSpec::Kind::Lines;
    c.title = QStringLiteral("Speed-up with more threads");
    c.shortTitle = QStringLiteral("Scaling: threads");
    const QJsonObject t = a.suite(QStringLiteral("scaling")).value(QStringLiteral("threads")).toObject();
    QStringList hidden;
    for (const QJsonValue& h : t.value(QStringLiteral("hidden")).toArray()) hidden << QString::number(h.toInt());
    c.subtitle = QStringLiteral("MLP 784-%1-10, batch %2, %3 images: epoch time with 1 thread ÷ with n; dashed: ideal (n)")
                     .arg(hidden.join(QLatin1Char('-')))
                     .arg(t.value(QStringLiteral("batch_size")).toInt())
                     .arg(t.value(QStringLiteral("images")).toInt());
    c.xTitle = QStringLiteral("threads");
    c.yTitle = QStringLiteral("speed-up over 1 thread (×)");
    const bool comparing = b && b->has(QStringLiteral("scaling"));
    for (const BenchRun* run : {&a, comparing ? b : nullptr}) {
        if (!run) continue;
        ChartSeries measured{tagged(QStringLiteral("measured"), *run, comparing)}, ideal{QStringLiteral("ideal: n threads = n×")};
        measured.dashed = run == b;
        ideal.reference = true;
        for (const QJsonValue& v : run->suite(QStringLiteral("scaling")).value(QStringLiteral("threads")).toObject().value(QStringLiteral("rows")).toArray()) {
            const QJsonObject r = v.toObject();
            const double n = num(r.value(QStringLiteral("threads")));
            measured.points.append(QPointF(n, num(r.value(QStringLiteral("speedup")))));
            ideal.points.append(QPointF(n, num(r.value(QStringLiteral("ideal_speedup")))));
        }
        c.series.append(measured);
        if (run == &a) c.series.append(ideal);
    }
    return c;
}

/// One histogram per activation function (overlaid, eight of them hid each other). A function whose every
/// result is exact (relu) has nothing to draw on a log axis: the table says so.
QVector<ChartSpec> activationCharts(const BenchRun& a) {
    QVector<ChartSpec> out;
    const int points = a.suite(QStringLiteral("accuracy")).value(QStringLiteral("points")).toInt();
    for (const QJsonValue& v : rowsOf(a, QStringLiteral("accuracy"), QStringLiteral("activations"))) {
        const QJsonObject row = v.toObject();
        const QJsonObject h = row.value(QStringLiteral("error_histogram")).toObject();
        const QJsonArray edges = h.value(QStringLiteral("edges")).toArray(), counts = h.value(QStringLiteral("counts")).toArray();
        const double n = num(h.value(QStringLiteral("points")));
        const double exact = num(h.value(QStringLiteral("exact")));
        if (edges.isEmpty() || !(n > 0) || exact >= n) continue;
        const QString fn = row.value(QStringLiteral("function")).toString();
        QString slug = fn.section(QLatin1Char(' '), 0, 0);
        if (fn.contains(QLatin1String("tanh approx"))) slug += QStringLiteral("_tanh");
        ChartSpec c;
        c.id = QStringLiteral("activation_errors_") + slug;
        c.kind = ChartSpec::Kind::Histogram;
        c.title = QStringLiteral("Activation error: %1, float32 vs exact").arg(fn);
        c.shortTitle = QStringLiteral("Activation error: %1").arg(fn);
        c.subtitle = QStringLiteral("%1 inputs evenly spaced on [%2, %3]; %4% exact (not shown on a log axis); max error %5")
                         .arg(points)
                         .arg(row.value(QStringLiteral("lo")).toDouble())
                         .arg(row.value(QStringLiteral("hi")).toDouble())
                         .arg(fmt(exact / n * 100.0, 3))
                         .arg(fmt(num(row.value(QStringLiteral("max_abs_error"))), 3));
        c.xTitle = QStringLiteral("error |float32 − exact| / max(1, |exact|) (log scale)");
        c.yTitle = QStringLiteral("share of inputs (%)");
        c.logX = true;
        for (const QJsonValue& e : edges) c.binEdges.append(e.toDouble());
        ChartSeries s{fn};
        for (const QJsonValue& k : counts) s.values.append(k.toDouble() / n * 100.0);
        c.series.append(s);
        out << c;
    }
    return out;
}

ChartSpec gradientChart(const BenchRun& a) {
    ChartSpec c;
    c.id = QStringLiteral("gradients");
    c.kind = ChartSpec::Kind::Scatter;
    c.title = QStringLiteral("Analytic vs numerical gradients (float64)");
    c.shortTitle = QStringLiteral("Gradients: analytic vs numerical");
    c.xTitle = QStringLiteral("numerical gradient (central differences, ε = 1e-6)");
    c.yTitle = QStringLiteral("analytic gradient (backward pass)");
    ChartSeries points{QStringLiteral("gradient entries")};
    QSet<QString> ops;
    double worst = 0;
    double lo = 0, hi = 0;
    for (const QJsonValue& v : rowsOf(a, QStringLiteral("accuracy"), QStringLiteral("gradcheck"))) {
        const QJsonObject row = v.toObject();
        const QJsonObject s = row.value(QStringLiteral("samples")).toObject();
        const QJsonArray an = s.value(QStringLiteral("analytic")).toArray(), nu = s.value(QStringLiteral("numerical")).toArray();
        ops.insert(row.value(QStringLiteral("op")).toString());
        worst = std::max(worst, num(row.value(QStringLiteral("max_error"))));
        for (int i = 0; i < std::min(an.size(), nu.size()); ++i) {
            const QPointF p(nu[i].toDouble(), an[i].toDouble());
            points.points.append(p);
            lo = std::min({lo, p.x(), p.y()});
            hi = std::max({hi, p.x(), p.y()});
        }
    }
    points.name = QStringLiteral("sampled entries of %1 ops").arg(ops.size());
    c.subtitle = QStringLiteral("%1 gradient entries sampled over %2 ops; worst error of any check %3 (limit 1e-6); "
                                "dashed: analytic = numerical")
                     .arg(points.points.size())
                     .arg(ops.size())
                     .arg(fmt(worst, 2));
    c.series.append(points);
    ChartSeries identity{QStringLiteral("identity: analytic = numerical")};
    identity.reference = true;
    identity.points = {QPointF(lo, lo), QPointF(hi, hi)};
    c.series.append(identity);
    return c;
}

}  // namespace

QString speedRatioText(double ratio) {
    if (!std::isfinite(ratio) || ratio <= 0) return {};
    return ratio >= 1 ? QStringLiteral("%1× faster").arg(ratio, 0, 'f', 2) : QStringLiteral("%1× slower").arg(1 / ratio, 0, 'f', 2);
}

bool parseBenchRun(const QByteArray& json, BenchRun* run, QString* error) {
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (doc.isNull() || !doc.isObject()) {
        *error = QStringLiteral("not JSON (%1 at byte %2)").arg(pe.errorString()).arg(pe.offset);
        return false;
    }
    const QJsonObject root = doc.object();
    const QString kind = root.value(QStringLiteral("benchmark")).toString();
    run->suites = {};
    if (root.contains(QStringLiteral("suites"))) {
        run->suites = root.value(QStringLiteral("suites")).toObject();
    } else if (kSuites.contains(kind)) {
        run->suites.insert(kind, root);  // one suite's file (`backprop bench ops --json`)
    } else {
        *error = kind.isEmpty() ? QStringLiteral("not a benchmark result: it has neither \"suites\" nor \"benchmark\"; "
                                                 "write one with: backprop bench all --json FILE")
                                : QStringLiteral("benchmark '%1' has no charts; use bench all, ops, models, accuracy, scaling, gpt, "
                                                 "bert, clip, architectures, threads or epochs")
                                      .arg(kind);
        return false;
    }
    if (run->suites.isEmpty()) {
        *error = QStringLiteral("the file holds no suite results");
        return false;
    }
    run->machine = root.value(QStringLiteral("machine")).toObject();
    if (run->machine.isEmpty())
        for (const QString& s : kSuites)
            if (run->has(s)) run->machine = run->suite(s).value(QStringLiteral("machine")).toObject();
    run->quick = root.value(QStringLiteral("quick")).toBool();
    return true;
}

bool loadBenchRun(const QString& path, BenchRun* run, QString* error) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open %1: %2").arg(path, f.errorString());
        return false;
    }
    if (!parseBenchRun(f.readAll(), run, error)) {
        *error = QStringLiteral("%1: %2").arg(QFileInfo(path).fileName(), *error);
        return false;
    }
    run->path = path;
    run->label = QFileInfo(path).completeBaseName();
    return true;
}

QString machineSummary(const BenchRun& run) {
    const QJsonObject& m = run.machine;
    QStringList parts;
    if (!m.value(QStringLiteral("cpu")).toString().isEmpty()) parts << m.value(QStringLiteral("cpu")).toString();
    if (m.contains(QStringLiteral("cores"))) parts << QStringLiteral("%1 cores").arg(m.value(QStringLiteral("cores")).toInt());
    if (!m.value(QStringLiteral("simd")).toString().isEmpty()) parts << m.value(QStringLiteral("simd")).toString();
    if (!m.value(QStringLiteral("compiler")).toString().isEmpty()) parts << m.value(QStringLiteral("compiler")).toString();
    if (!m.value(QStringLiteral("eigen_version")).toString().isEmpty())
        parts << QStringLiteral("Eigen %1").arg(m.value(QStringLiteral("eigen_version")).toString());
    const QString torch = pytorchName(run);
    if (torch != QLatin1String("PyTorch")) parts << torch;
    if (run.quick) parts << QStringLiteral("quick run (few repeats)");
    return parts.join(QStringLiteral(" · "));
}

QVector<ChartSpec> benchCharts(const BenchRun& run, const BenchRun* compare) {
    QVector<ChartSpec> out;
    if (run.has(QStringLiteral("ops")) && !rowsOf(run, QStringLiteral("ops")).isEmpty()) out << opsChart(run, compare);
    if (run.has(QStringLiteral("models")) && !rowsOf(run, QStringLiteral("models")).isEmpty()) {
        const int images = run.suite(QStringLiteral("models")).value(QStringLiteral("images")).toInt();
        out << curvesChart(run, compare);
        out << modelBars(run, compare, QStringLiteral("memory"), QStringLiteral("peak_memory_mb"),
                         QStringLiteral("Peak memory while training each model"), QStringLiteral("peak resident memory (MB)"),
                         QStringLiteral("peak memory"),
                         QStringLiteral("the whole process's peak resident set, incl. the loaded MNIST training set; one epoch, "
                                        "default batch size"));
        out << modelBars(run, compare, QStringLiteral("throughput"), QStringLiteral("samples_per_second"),
                         QStringLiteral("Training throughput per model"), QStringLiteral("training images per second"),
                         QStringLiteral("throughput"),
                         QStringLiteral("one epoch on the first %1 MNIST images, default batch size").arg(images));
    }
    if (run.has(QStringLiteral("gpt")) && !rowsOf(run, QStringLiteral("gpt")).isEmpty()) out << gptChart(run, compare);
    if (!rowsOf(run, QStringLiteral("threads")).isEmpty()) out << threadsChart(run);
    if (run.has(QStringLiteral("scaling"))) {
        out << dataScalingChart(run, compare);
        if (!run.suite(QStringLiteral("scaling")).value(QStringLiteral("threads")).toObject().value(QStringLiteral("rows")).toArray().isEmpty())
            out << threadScalingChart(run, compare);
    }
    if (run.has(QStringLiteral("accuracy"))) {
        out << activationCharts(run);
        const ChartSpec grad = gradientChart(run);
        if (grad.series.first().points.size() > 0) out << grad;
    }
    return out;
}

QVector<BenchTableRow> benchTable(const BenchRun& run, const BenchRun* compare) {
    QVector<BenchTableRow> rows;
    for (const QJsonValue& v : rowsOf(run, QStringLiteral("ops"))) {
        const QJsonObject r = v.toObject();
        BenchTableRow t{QStringLiteral("ops"), opLabel(r)};
        const double g = num(r.value(QStringLiteral("forward_gflops")));
        t.value = QStringLiteral("%1 ms fwd+bwd · %2 ms fwd").arg(fmt(opTime(r)), fmt(num(r.value(QStringLiteral("forward_ms")).toObject().value(QStringLiteral("median")))));
        if (std::isfinite(g))
            t.value += QStringLiteral(" · %1 GFLOP/s (%2% of peak)").arg(fmt(g), fmt(100 * num(r.value(QStringLiteral("fraction_of_peak"))), 2));
        const QJsonObject c = findRow(compare, QStringLiteral("ops"), QStringLiteral("results"), QStringLiteral("label"), opLabel(r));
        if (!c.isEmpty()) t.compared = QStringLiteral("%1 ms fwd+bwd").arg(fmt(opTime(c)));
        if (std::isfinite(torchTime(r))) t.pytorch = QStringLiteral("%1 ms fwd+bwd").arg(fmt(torchTime(r)));
        t.ratio = speedRatioText(num(r.value(QStringLiteral("speedup_vs_pytorch"))));
        rows << t;
    }
    rows << modelTableRows(run, compare);  // models, epochs, gpt, bert, clip, architectures, threads, speedrun, checkpoint
    for (const QJsonValue& v : rowsOf(run, QStringLiteral("accuracy"), QStringLiteral("activations"))) {
        const QJsonObject r = v.toObject();
        rows << BenchTableRow{QStringLiteral("accuracy"), r.value(QStringLiteral("function")).toString(),
                              QStringLiteral("max |error| %1 · RMS %2").arg(fmt(num(r.value(QStringLiteral("max_abs_error"))), 3),
                                                                            fmt(num(r.value(QStringLiteral("rms_error"))), 3))};
    }
    QMap<QString, QJsonObject> worst;
    for (const QJsonValue& v : rowsOf(run, QStringLiteral("accuracy"), QStringLiteral("gradcheck"))) {
        const QJsonObject r = v.toObject();
        const QString op = r.value(QStringLiteral("op")).toString();
        if (!worst.contains(op) || num(r.value(QStringLiteral("max_error"))) > num(worst[op].value(QStringLiteral("max_error"))))
            worst[op] = r;
    }
    for (auto it = worst.begin(); it != worst.end(); ++it)
        rows << BenchTableRow{QStringLiteral("gradient check"), it.key(),
                              QStringLiteral("worst error %1 (%2)").arg(fmt(num(it->value(QStringLiteral("max_error"))), 2),
                                                                        it->value(QStringLiteral("passed")).toBool() ? QStringLiteral("pass")
                                                                                                                      : QStringLiteral("FAIL"))};
    const QJsonObject sc = run.suite(QStringLiteral("scaling"));
    for (const QJsonValue& v : sc.value(QStringLiteral("data_size")).toObject().value(QStringLiteral("rows")).toArray()) {
        const QJsonObject r = v.toObject();
        rows << BenchTableRow{QStringLiteral("scaling"), QStringLiteral("%1 images").arg(r.value(QStringLiteral("images")).toInteger()),
                              QStringLiteral("%1 s per epoch").arg(fmt(num(r.value(QStringLiteral("epoch_seconds")))))};
    }
    for (const QJsonValue& v : sc.value(QStringLiteral("threads")).toObject().value(QStringLiteral("rows")).toArray()) {
        const QJsonObject r = v.toObject();
        rows << BenchTableRow{QStringLiteral("scaling"), QStringLiteral("%1 thread(s)").arg(r.value(QStringLiteral("threads")).toInt()),
                              QStringLiteral("%1 s per epoch · %2× speed-up").arg(fmt(num(r.value(QStringLiteral("epoch_seconds")))),
                                                                                    fmt(num(r.value(QStringLiteral("speedup")))))};
    }
    return rows;
}
