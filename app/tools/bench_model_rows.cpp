// bench_model_rows.cpp — the Benchmarks table's rows for the model suites (models, epochs, gpt, bert, clip,
// architectures, threads, speedrun, checkpoint) and the threads suite's speed-up chart. The ops, accuracy and scaling rows and the
// other charts are in bench_results.cpp; both read the CLI's JSON (engine/cli/bench_*.cpp).
#include <QMap>
#include <tuple>

#include "tools/bench_results_util.h"

namespace bench_detail {

namespace {

QString tokensText(double v) {
    return std::isfinite(v) ? QStringLiteral("%1 tokens/s").arg(v, 0, 'f', 0) : QStringLiteral("–");
}

void modelsRows(QVector<BenchTableRow>& rows, const BenchRun& run, const BenchRun* compare) {
    for (const QJsonValue& v : rowsOf(run, QStringLiteral("models"))) {
        const QJsonObject r = v.toObject();
        BenchTableRow t{QStringLiteral("models"), modelName(r)};
        const QJsonArray loss = r.value(QStringLiteral("loss_curve")).toObject().value(QStringLiteral("loss")).toArray();
        auto describe = [&](const QJsonObject& m) {
            return QStringLiteral("%1 images/s · peak %2 MB · %3 parameters")
                       .arg(fmt(num(m.value(QStringLiteral("samples_per_second"))), 4),
                            fmt(num(m.value(QStringLiteral("peak_memory_mb"))), 4),
                            QString::number(m.value(QStringLiteral("parameters")).toInteger())) +
                   gflopsText(m);
        };
        t.value = describe(r);
        if (!loss.isEmpty()) t.value += QStringLiteral(" · last loss %1").arg(fmt(loss.last().toDouble()));
        const QJsonObject c = findRow(compare, QStringLiteral("models"), QStringLiteral("results"), QStringLiteral("model"),
                                      r.value(QStringLiteral("model")).toString());
        if (!c.isEmpty()) t.compared = describe(c);
        rows << t;
    }
}

/// ResNet-mini and ViT-tiny epochs beside PyTorch (bench epochs): both projected from the same images.
void epochsRows(QVector<BenchTableRow>& rows, const BenchRun& run, const BenchRun* compare) {
    const int images = run.suite(QStringLiteral("epochs")).value(QStringLiteral("images")).toInt();
    for (const QJsonValue& v : rowsOf(run, QStringLiteral("epochs"))) {
        const QJsonObject r = v.toObject();
        auto describe = [&](const QJsonObject& m) {
            return QStringLiteral("epoch %1 s (projected from %2 images, %3) · %4 parameters")
                       .arg(fmt(num(m.value(QStringLiteral("projected_epoch_seconds"))), 3))
                       .arg(m.value(QStringLiteral("images")).toInt())
                       .arg(threadsText(m.value(QStringLiteral("threads")).toInt()))
                       .arg(m.value(QStringLiteral("parameters")).toInteger()) +
                   gflopsText(m);
        };
        BenchTableRow t{QStringLiteral("epochs"), QStringLiteral("%1 training epoch").arg(modelName(r)), describe(r)};
        const QJsonObject c = findRow(compare, QStringLiteral("epochs"), QStringLiteral("results"), QStringLiteral("model"),
                                      r.value(QStringLiteral("model")).toString());
        if (!c.isEmpty()) t.compared = describe(c);
        const QJsonObject torch = r.value(QStringLiteral("pytorch")).toObject();
        const double te = num(torch.value(QStringLiteral("projected_epoch_seconds")));
        if (std::isfinite(te)) {
            t.pytorch = QStringLiteral("epoch %1 s (same %2 images, %3)").arg(fmt(te, 3)).arg(images).arg(gptTorchConfig(torch));
            if (!r.value(QStringLiteral("parameters_match")).toBool(true))
                t.pytorch += QStringLiteral(" · %1 parameters: NOT the same model").arg(torch.value(QStringLiteral("parameters")).toInteger());
        } else {
            t.pytorch = torch.value(QStringLiteral("note")).toString();
        }
        t.ratio = speedRatioText(num(r.value(QStringLiteral("speedup_vs_pytorch"))));
        rows << t;
    }
}

void gptRows(QVector<BenchTableRow>& rows, const BenchRun& run, const BenchRun* compare) {
    for (const QJsonValue& v : rowsOf(run, QStringLiteral("gpt"))) {
        const QJsonObject r = v.toObject();
        BenchTableRow t{QStringLiteral("gpt"), QStringLiteral("GPT-mini, %1").arg(gptBlockLabel(r))};
        auto describe = [&](const QJsonObject& row) {
            const QJsonObject ours = row.value(QStringLiteral("backprop")).toObject();
            QString text = QStringLiteral("%1 (%2) · %3 parameters")
                               .arg(tokensText(gptOurs(row)), threadsText(ours.value(QStringLiteral("threads")).toInt()),
                                    QString::number(row.value(QStringLiteral("parameters")).toInteger()));
            // The GFLOP/s of the run at the best thread count (each run of the row has its own).
            for (const QJsonValue& run : ours.value(QStringLiteral("runs")).toArray())
                if (run.toObject().value(QStringLiteral("threads")).toInt() == ours.value(QStringLiteral("threads")).toInt())
                    text += gflopsText(run.toObject());
            return text;
        };
        t.value = describe(r);
        const QJsonObject c = findRow(compare, QStringLiteral("gpt"), QStringLiteral("results"), QStringLiteral("block"),
                                      r.value(QStringLiteral("block")).toString());
        if (!c.isEmpty()) t.compared = describe(c);
        const QJsonObject torch = r.value(QStringLiteral("pytorch")).toObject();
        if (std::isfinite(gptTorch(r)))
            t.pytorch = QStringLiteral("%1 (%2)").arg(tokensText(gptTorch(r)), gptTorchConfig(torch));
        else
            t.pytorch = torch.value(QStringLiteral("note")).toString();
        t.ratio = speedRatioText(num(r.value(QStringLiteral("speedup_vs_pytorch"))));
        rows << t;
    }
}

/// BERT- and CLIP-mini training throughput beside PyTorch's (one row each; same layout as GPT-mini's).
void bertClipRows(QVector<BenchTableRow>& rows, const BenchRun& run, const BenchRun* compare) {
    for (const auto& [suite, unit, title] : {std::tuple{QStringLiteral("bert"), QStringLiteral("tokens_per_second"),
                                                        QStringLiteral("BERT-mini, masked-LM step")},
                                             std::tuple{QStringLiteral("clip"), QStringLiteral("pictures_per_second"),
                                                        QStringLiteral("CLIP-mini, contrastive step")}}) {
        for (const QJsonValue& v : rowsOf(run, suite)) {
            const QJsonObject r = v.toObject();
            const QString what = suite == QStringLiteral("bert") ? QStringLiteral("tokens/s") : QStringLiteral("pictures/s");
            auto describe = [&](const QJsonObject& row) {
                const QJsonObject ours = row.value(QStringLiteral("backprop")).toObject();
                return QStringLiteral("%1 %2 · %3 steps/s (%4) · %5 parameters")
                    .arg(fmt(num(ours.value(unit)), 4), what, fmt(num(ours.value(QStringLiteral("steps_per_second")))),
                         threadsText(ours.value(QStringLiteral("threads")).toInt()),
                         QString::number(row.value(QStringLiteral("parameters")).toInteger()));
            };
            BenchTableRow t{suite, title, describe(r)};
            if (compare && !rowsOf(*compare, suite).isEmpty()) t.compared = describe(rowsOf(*compare, suite).first().toObject());
            const QJsonObject torch = r.value(QStringLiteral("pytorch")).toObject();
            t.pytorch = std::isfinite(num(torch.value(unit)))
                            ? QStringLiteral("%1 %2 (%3)").arg(fmt(num(torch.value(unit)), 4), what, gptTorchConfig(torch))
                            : torch.value(QStringLiteral("note")).toString();
            t.ratio = speedRatioText(num(r.value(QStringLiteral("speedup_vs_pytorch"))));
            rows << t;
        }
    }
}

/// The original framework's architectures: our short-run figure beside its claim.
void architectureRows(QVector<BenchTableRow>& rows, const BenchRun& run) {
    for (const QJsonValue& v : run.suite(QStringLiteral("architectures")).value(QStringLiteral("rows")).toArray()) {
        const QJsonObject r = v.toObject();
        BenchTableRow t{QStringLiteral("architectures"), r.value(QStringLiteral("architecture")).toString()};
        if (r.contains(QStringLiteral("skipped")))
            t.value = QStringLiteral("skipped: %1").arg(r.value(QStringLiteral("skipped")).toString());
        else
            t.value = QStringLiteral("%1 · %2 s (%3) · %4 parameters · its claim: %5")
                          .arg(r.value(QStringLiteral("measured")).toString(), fmt(num(r.value(QStringLiteral("seconds")))),
                               r.value(QStringLiteral("training")).toString(),
                               QString::number(r.value(QStringLiteral("parameters")).toInteger()),
                               r.value(QStringLiteral("claim")).toString());
        rows << t;
    }
}

/// One row per model and load of the threads suite: the time at each thread count and the speed-up over 1.
void threadsRows(QVector<BenchTableRow>& rows, const BenchRun& run, const BenchRun* compare) {
    // (model, busy) -> {threads -> row}, in the file's order.
    QVector<QPair<QString, bool>> order;
    QMap<QPair<QString, bool>, QVector<QJsonObject>> groups;
    for (const QJsonValue& v : rowsOf(run, QStringLiteral("threads"))) {
        const QJsonObject r = v.toObject();
        const QPair<QString, bool> key{r.value(QStringLiteral("model")).toString(), r.value(QStringLiteral("busy")).toBool()};
        if (!groups.contains(key)) order << key;
        groups[key] << r;
    }
    auto describe = [](const QVector<QJsonObject>& g) {
        QStringList times;
        for (const QJsonObject& r : g)
            times << QStringLiteral("%1: %2 s").arg(threadsText(r.value(QStringLiteral("threads")).toInt()),
                                                     fmt(num(r.value(QStringLiteral("seconds"))), 3));
        return QStringLiteral("%1× speed-up · %2 · %3")
            .arg(fmt(num(g.last().value(QStringLiteral("speedup"))), 3), times.join(QStringLiteral(", ")),
                 g.last().value(QStringLiteral("work")).toString());
    };
    for (const auto& key : order) {
        const QVector<QJsonObject>& g = groups[key];
        BenchTableRow t{QStringLiteral("threads"),
                        QStringLiteral("%1, 1 → %2 threads, %3")
                            .arg(modelName(g.first()))
                            .arg(g.last().value(QStringLiteral("threads")).toInt())
                            .arg(key.second ? QStringLiteral("one core busy") : QStringLiteral("quiet")),
                        describe(g)};
        if (compare) {
            QVector<QJsonObject> theirs;
            for (const QJsonValue& v : rowsOf(*compare, QStringLiteral("threads")))
                if (v.toObject().value(QStringLiteral("model")).toString() == key.first &&
                    v.toObject().value(QStringLiteral("busy")).toBool() == key.second)
                    theirs << v.toObject();
            if (!theirs.isEmpty()) t.compared = describe(theirs);
        }
        rows << t;
    }
}

/// The 99%-in-seconds recipe (bench speedrun): accuracy over the seeds, the median times, peak memory, the share
/// of the peak, two threads against one, and PyTorch on the same recipe.
void speedrunRows(QVector<BenchTableRow>& rows, const BenchRun& run, const BenchRun* compare) {
    const QJsonObject s = run.suite(QStringLiteral("speedrun"));
    if (s.isEmpty()) return;
    const QString title = s.value(QStringLiteral("recipe")).toObject().value(QStringLiteral("model")).toString();
    auto describe = [](const QJsonObject& r) {
        return QStringLiteral("mean %1% test accuracy over %2 seeds (worst %3%) · %4 s training, %5 s from start to "
                              "saved model (medians) · %6 MB peak · %7 GFLOP/s (%8% of peak)")
            .arg(fmt(100 * num(r.value(QStringLiteral("mean_test_accuracy"))), 4),
                 QString::number(r.value(QStringLiteral("runs")).toArray().size()),
                 fmt(100 * num(r.value(QStringLiteral("worst_test_accuracy"))), 4),
                 fmt(num(r.value(QStringLiteral("median_train_seconds")))),
                 fmt(num(r.value(QStringLiteral("median_wall_seconds")))),
                 fmt(num(r.value(QStringLiteral("peak_memory_mb")))),
                 fmt(num(r.value(QStringLiteral("achieved_gflops")))),
                 fmt(100 * num(r.value(QStringLiteral("fraction_of_peak"))), 2));
    };
    BenchTableRow t{QStringLiteral("speedrun"), QStringLiteral("99% recipe (%1)").arg(title), describe(s)};
    if (compare && compare->has(QStringLiteral("speedrun"))) t.compared = describe(compare->suite(QStringLiteral("speedrun")));
    const QJsonObject torch = s.value(QStringLiteral("pytorch")).toObject();
    if (std::isfinite(num(torch.value(QStringLiteral("train_seconds")))))
        t.pytorch = QStringLiteral("%1 s training, %2% (torch %3, BLAS %4 threads)")
                        .arg(fmt(num(torch.value(QStringLiteral("train_seconds")))),
                             fmt(100 * num(torch.value(QStringLiteral("test_accuracy"))), 4),
                             QString::number(torch.value(QStringLiteral("torch_threads")).toInt()),
                             QString::number(torch.value(QStringLiteral("blas_threads")).toInt()));
    t.ratio = speedRatioText(num(s.value(QStringLiteral("speedup_vs_pytorch"))));
    rows << t;
    const QJsonObject th = s.value(QStringLiteral("threads")).toObject();
    const double recipe = num(th.value(QStringLiteral("median_train_seconds_recipe")));
    const double other = num(th.value(QStringLiteral("median_train_seconds_other")));
    if (std::isfinite(recipe) && std::isfinite(other) && recipe > 0)
        rows << BenchTableRow{QStringLiteral("speedrun"),
                              QStringLiteral("%1 vs %2").arg(threadsText(th.value(QStringLiteral("recipe_threads")).toInt()),
                                                            threadsText(th.value(QStringLiteral("other_threads")).toInt())),
                              QStringLiteral("%1 s vs %2 s training (median): %3× the speed")
                                  .arg(fmt(recipe), fmt(other), fmt(other / recipe))};
}

/// Gradient checkpointing (bench checkpoint): each model's peak tensor memory and step time per mode, with the
/// change against no checkpointing.
void checkpointRows(QVector<BenchTableRow>& rows, const BenchRun& run) {
    for (const QJsonValue& v : rowsOf(run, QStringLiteral("checkpoint"))) {
        const QJsonObject r = v.toObject();
        for (const QString& mode : {QStringLiteral("off"), QStringLiteral("attention"), QStringLiteral("block")}) {
            const QJsonObject m = r.value(mode).toObject();
            if (m.isEmpty()) continue;
            QString value = QStringLiteral("%1 MB peak tensor memory · %2 ms per step")
                                .arg(fmt(num(m.value(QStringLiteral("peak_tensor_memory_mb")))),
                                     fmt(1000 * num(m.value(QStringLiteral("median_step_seconds")))));
            const double dm = num(m.value(QStringLiteral("peak_tensor_memory_change")));
            const double dt = num(m.value(QStringLiteral("step_time_change")));
            if (std::isfinite(dm) && std::isfinite(dt))
                value += QStringLiteral(" (memory %1%, time %2%)")
                             .arg(QString::asprintf("%+.0f", 100 * dm), QString::asprintf("%+.0f", 100 * dt));
            rows << BenchTableRow{QStringLiteral("checkpoint"),
                                  QStringLiteral("%1, checkpointing %2").arg(r.value(QStringLiteral("title")).toString(), mode),
                                  value};
        }
    }
}

}  // namespace

QVector<BenchTableRow> modelTableRows(const BenchRun& run, const BenchRun* compare) {
    QVector<BenchTableRow> rows;
    modelsRows(rows, run, compare);
    epochsRows(rows, run, compare);
    gptRows(rows, run, compare);
    bertClipRows(rows, run, compare);
    architectureRows(rows, run);
    threadsRows(rows, run, compare);
    speedrunRows(rows, run, compare);
    checkpointRows(rows, run);
    return rows;
}

ChartSpec threadsChart(const BenchRun& run) {
    ChartSpec c;
    c.id = QStringLiteral("threads_speedup");
    c.kind = ChartSpec::Kind::Bars;
    c.title = QStringLiteral("Does the second core help? Training speed-up over 1 thread");
    c.shortTitle = QStringLiteral("Threads: speed-up, quiet and busy");
    const QJsonObject s = run.suite(QStringLiteral("threads"));
    c.subtitle = QStringLiteral("time at 1 thread ÷ at every core; one epoch over %1 images (ResNet-mini, ViT-tiny: a "
                                "fifth), GPT-mini %2 steps; 1× = no gain")
                     .arg(s.value(QStringLiteral("images")).toInt())
                     .arg(s.value(QStringLiteral("gpt_steps")).toInt());
    c.xTitle = QStringLiteral("model");
    c.yTitle = QStringLiteral("speed-up over 1 thread (×)");
    QVector<QPair<QString, double>> quiet, busy;
    int threads = 0;
    for (const QJsonValue& v : rowsOf(run, QStringLiteral("threads"))) {
        const QJsonObject r = v.toObject();
        if (r.value(QStringLiteral("threads")).toInt() <= 1) continue;
        threads = std::max(threads, r.value(QStringLiteral("threads")).toInt());
        const QString name = modelName(r).section(QLatin1Char(' '), 0, 0);
        (r.value(QStringLiteral("busy")).toBool() ? busy : quiet).append({name, num(r.value(QStringLiteral("speedup")))});
    }
    if (!quiet.isEmpty()) addBarSeries(c, QStringLiteral("%1, no load added").arg(threadsText(threads)), quiet, false);
    if (!busy.isEmpty()) addBarSeries(c, QStringLiteral("%1, another process spinning on one core").arg(threadsText(threads)), busy, false);
    for (int i = 0; i < c.categories.size(); ++i) {
        QStringList parts;
        for (const ChartSeries& sr : c.series)
            if (i < sr.values.size() && std::isfinite(sr.values[i])) parts << fmt(sr.values[i], 3) + QStringLiteral("×");
        c.annotations << parts.join(QStringLiteral(" / "));
    }
    return c;
}

}  // namespace bench_detail
