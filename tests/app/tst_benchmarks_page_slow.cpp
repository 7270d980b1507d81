// tst_benchmarks_page_slow.cpp — the Benchmarks page on real results: a real `backprop bench all --quick` run
// made here, every chart point compared with the JSON's numbers, compare mode, export-all, the headless
// `backprop export-charts`, and a real run (and a cancelled one) driven through the page's buttons. Slow: the
// quick suites take ~15 s on a loaded 2-core machine.
#include <QBarSet>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHorizontalBarSeries>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineSeries>
#include <QListWidget>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "bench_chart.h"
#include "tools/bench_results.h"
#include "chart_export.h"
#include "pages/benchmarks_page.h"

namespace {

const QString kCli = QStringLiteral(BP_BINARY_DIR "/engine/backprop");

QJsonObject readJson(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(f.readAll()).object();
}

const ChartSpec* chartById(const QVector<ChartSpec>& charts, const QString& id) {
    for (const ChartSpec& c : charts)
        if (c.id == id) return &c;
    return nullptr;
}

}  // namespace

class TestBenchmarksPage : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_results;
    QJsonObject m_json;

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(QFile::exists(kCli));
        m_results = m_dir.filePath(QStringLiteral("quick.json"));
        QProcess p;
        p.start(kCli, {QStringLiteral("bench"), QStringLiteral("all"), QStringLiteral("--quick"), QStringLiteral("--json"), m_results});
        QVERIFY(p.waitForFinished(600000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        if (p.exitCode() != 0 && err.contains(QStringLiteral("MNIST")))
            QSKIP("MNIST is not installed (scripts/setup.sh fetches it)");
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        // Progress lines for a GUI: "progress K/N suite: step", ending with "progress N/N done".
        QVERIFY(err.contains(QRegularExpression(QStringLiteral("^progress 1/\\d+ ops: "), QRegularExpression::MultilineOption)));
        QVERIFY(err.contains(QRegularExpression(QStringLiteral("^progress (\\d+)/\\1 done$"), QRegularExpression::MultilineOption)));
        m_json = readJson(m_results);
        QCOMPARE(m_json.value(QStringLiteral("benchmark")).toString(), QStringLiteral("all"));
        QVERIFY(!m_json.value(QStringLiteral("machine")).toObject().value(QStringLiteral("cpu")).toString().isEmpty());
    }

    void chartsEqualTheJsonNumbers() {
        BenchRun run;
        QString error;
        QVERIFY2(loadBenchRun(m_results, &run, &error), qPrintable(error));
        const QVector<ChartSpec> charts = benchCharts(run);
        const QJsonObject suites = m_json.value(QStringLiteral("suites")).toObject();
        for (const char* id : {"ops_speed", "training_curves", "memory", "throughput", "scaling_data", "scaling_threads",
                               "activation_errors_sigmoid", "gradients"})
            QVERIFY2(chartById(charts, QString::fromLatin1(id)), id);

        // Ops: our bars are each op's forward+backward median, PyTorch's bars and the ratio labels its numbers.
        const ChartSpec* ops = chartById(charts, QStringLiteral("ops_speed"));
        const QJsonArray opRows = suites.value(QStringLiteral("ops")).toObject().value(QStringLiteral("results")).toArray();
        QCOMPARE(ops->categories.size(), opRows.size());
        const bool torch = opRows.first().toObject().contains(QStringLiteral("pytorch"));
        QCOMPARE(ops->series.size(), torch ? 2 : 1);
        for (int i = 0; i < opRows.size(); ++i) {
            const QJsonObject r = opRows[i].toObject();
            QCOMPARE(ops->categories[i], r.value(QStringLiteral("op")).toString() + QLatin1Char(' ') + r.value(QStringLiteral("size")).toString());
            QCOMPARE(ops->series[0].values[i], r.value(QStringLiteral("forward_backward_ms")).toObject().value(QStringLiteral("median")).toDouble());
            if (torch) {
                QCOMPARE(ops->series[1].values[i], r.value(QStringLiteral("pytorch")).toObject().value(QStringLiteral("forward_backward_ms")).toDouble());
                QCOMPARE(ops->annotations[i], speedRatioText(r.value(QStringLiteral("speedup_vs_pytorch")).toDouble()));
            }
        }
        // ...and the drawn bars are those numbers.
        BenchChart drawn(*ops, PlotStyle::make(false, false), QFont());
        auto* bars = qobject_cast<QHorizontalBarSeries*>(drawn.series().first());
        QVERIFY(bars);
        for (int s = 0; s < ops->series.size(); ++s)
            for (int i = 0; i < opRows.size(); ++i)  // drawn bottom-up: the first op on top
                QCOMPARE(bars->barSets()[s]->at(static_cast<int>(opRows.size()) - 1 - i), ops->series[s].values[i]);

        // Models: one curve per model with its loss points; memory and throughput bars.
        const QJsonArray models = suites.value(QStringLiteral("models")).toObject().value(QStringLiteral("results")).toArray();
        const ChartSpec* curves = chartById(charts, QStringLiteral("training_curves"));
        const ChartSpec* memory = chartById(charts, QStringLiteral("memory"));
        QCOMPARE(curves->series.size(), models.size());
        QCOMPARE(memory->categories.size(), models.size());
        BenchChart drawnCurves(*curves, PlotStyle::make(true, false), QFont());
        for (int m = 0; m < models.size(); ++m) {
            const QJsonObject r = models[m].toObject();
            const QJsonObject lc = r.value(QStringLiteral("loss_curve")).toObject();
            const QJsonArray xs = lc.value(QStringLiteral("images")).toArray(), ys = lc.value(QStringLiteral("loss")).toArray();
            QVERIFY(ys.size() >= 2);
            QCOMPARE(curves->series[m].points.size(), ys.size());
            const QList<QPointF> drawnPts = qobject_cast<QLineSeries*>(drawnCurves.series()[m])->points();
            for (int i = 0; i < ys.size(); ++i) {
                QCOMPARE(curves->series[m].points[i], QPointF(xs[i].toDouble(), ys[i].toDouble()));
                QCOMPARE(drawnPts[i], curves->series[m].points[i]);
            }
            QCOMPARE(memory->series[0].values[m], r.value(QStringLiteral("peak_memory_mb")).toDouble());
            QVERIFY(r.value(QStringLiteral("peak_memory_mb")).toDouble() > 1.0);
            QCOMPARE(chartById(charts, QStringLiteral("throughput"))->series[0].values[m],
                     r.value(QStringLiteral("samples_per_second")).toDouble());
        }

        // GPT-mini: tokens/s per block, ours then PyTorch's (when it ran), the ratio above each group.
        const QJsonArray gptRows = suites.value(QStringLiteral("gpt")).toObject().value(QStringLiteral("results")).toArray();
        const ChartSpec* gpt = chartById(charts, QStringLiteral("gpt_speed"));
        QVERIFY(gpt);
        QCOMPARE(gpt->categories.size(), gptRows.size());
        for (int i = 0; i < gptRows.size(); ++i) {
            const QJsonObject r = gptRows[i].toObject();
            QCOMPARE(gpt->series[0].values[i], r.value(QStringLiteral("backprop")).toObject().value(QStringLiteral("tokens_per_second")).toDouble());
            if (r.contains(QStringLiteral("speedup_vs_pytorch"))) {
                QCOMPARE(gpt->series[1].values[i], r.value(QStringLiteral("pytorch")).toObject().value(QStringLiteral("tokens_per_second")).toDouble());
                QCOMPARE(gpt->annotations[i], speedRatioText(r.value(QStringLiteral("speedup_vs_pytorch")).toDouble()));
            }
        }

        // Scaling: measured and ideal lines.
        const QJsonObject scaling = suites.value(QStringLiteral("scaling")).toObject();
        const QJsonArray sizes = scaling.value(QStringLiteral("data_size")).toObject().value(QStringLiteral("rows")).toArray();
        const ChartSpec* data = chartById(charts, QStringLiteral("scaling_data"));
        QVERIFY(data->series[1].reference);
        for (int i = 0; i < sizes.size(); ++i) {
            const QJsonObject r = sizes[i].toObject();
            QCOMPARE(data->series[0].points[i], QPointF(r.value(QStringLiteral("images")).toDouble(), r.value(QStringLiteral("epoch_seconds")).toDouble()));
            QCOMPARE(data->series[1].points[i].y(), r.value(QStringLiteral("ideal_seconds")).toDouble());
        }
        const QJsonArray threads = scaling.value(QStringLiteral("threads")).toObject().value(QStringLiteral("rows")).toArray();
        const ChartSpec* th = chartById(charts, QStringLiteral("scaling_threads"));
        for (int i = 0; i < threads.size(); ++i) {
            const QJsonObject r = threads[i].toObject();
            QCOMPARE(th->series[0].points[i], QPointF(r.value(QStringLiteral("threads")).toDouble(), r.value(QStringLiteral("speedup")).toDouble()));
            QCOMPARE(th->series[1].points[i].y(), r.value(QStringLiteral("threads")).toDouble());
        }

        // Accuracy: histogram shares = counts / points · 100; gradient pairs (numerical, analytic).
        const QJsonObject acc = suites.value(QStringLiteral("accuracy")).toObject();
        const QJsonArray acts = acc.value(QStringLiteral("activations")).toArray();
        int histograms = 0;
        for (int a = 0; a < acts.size(); ++a) {
            const QString fn = acts[a].toObject().value(QStringLiteral("function")).toString();
            const QJsonObject h = acts[a].toObject().value(QStringLiteral("error_histogram")).toObject();
            const QJsonArray counts = h.value(QStringLiteral("counts")).toArray();
            const double points = h.value(QStringLiteral("points")).toDouble();
            double total = h.value(QStringLiteral("exact")).toDouble();
            const ChartSpec* hist = nullptr;
            for (const ChartSpec& c : charts)
                if (c.id.startsWith(QLatin1String("activation_errors_")) && c.series.first().name == fn) hist = &c;
            if (total == points) {  // every result exact (relu): nothing to draw on a log axis
                QVERIFY2(!hist, qPrintable(fn));
                continue;
            }
            QVERIFY2(hist, qPrintable(fn));
            ++histograms;
            QCOMPARE(hist->binEdges.size(), counts.size() + 1);
            for (int b = 0; b < counts.size(); ++b) {
                QCOMPARE(hist->series[0].values[b], counts[b].toDouble() / points * 100.0);
                total += counts[b].toDouble();
            }
            QCOMPARE(total, points);  // every grid point is in a bin or exact
        }
        QVERIFY(histograms >= 6);
        const ChartSpec* grads = chartById(charts, QStringLiteral("gradients"));
        int k = 0;
        for (const QJsonValue& v : acc.value(QStringLiteral("gradcheck")).toArray()) {
            const QJsonObject s = v.toObject().value(QStringLiteral("samples")).toObject();
            const QJsonArray an = s.value(QStringLiteral("analytic")).toArray(), nu = s.value(QStringLiteral("numerical")).toArray();
            for (int i = 0; i < an.size(); ++i, ++k) {
                QCOMPARE(grads->series[0].points[k], QPointF(nu[i].toDouble(), an[i].toDouble()));
                QVERIFY(std::abs(an[i].toDouble() - nu[i].toDouble()) <= 1e-6 * std::max(1.0, std::abs(an[i].toDouble())));
            }
        }
        QCOMPARE(grads->series[0].points.size(), k);
        QVERIFY(k > 50);
    }

    void pageLoadsComparesAndExportsAll() {
        AppContext context;
        BenchmarksPage page(context);
        page.resize(1400, 900);
        page.show();
        QVERIFY(page.loadResults(m_results));
        QVERIFY(page.table()->rowCount() > 40);
        QVERIFY(page.table()->isColumnHidden(3));
        QCOMPARE(page.viewList()->count(), page.charts().size() + 1);
        page.viewList()->setCurrentRow(1);
        QCOMPARE(page.currentChart(), 0);
        QCOMPARE(page.chartView()->spec().id, page.charts()[0].id);

        // Compare with a copy: every ops bar gets a second "backprop" series; curves get dashed twins.
        const QString copy = m_dir.filePath(QStringLiteral("after.json"));
        QFile::remove(copy);
        QVERIFY(QFile::copy(m_results, copy));
        QVERIFY(page.loadCompare(copy));
        QVERIFY(!page.table()->isColumnHidden(3));
        const ChartSpec* ops = chartById(page.charts(), QStringLiteral("ops_speed"));
        QVERIFY(ops->series.size() >= 2);
        QCOMPARE(ops->series[1].values, ops->series[0].values);  // the same file: the same numbers
        QVERIFY(ops->series[1].name.contains(QStringLiteral("after")));
        const ChartSpec* curves = chartById(page.charts(), QStringLiteral("training_curves"));
        QCOMPARE(curves->series.size() % 2, 0);
        QVERIFY(curves->series.last().dashed);
        page.clearCompare();
        QVERIFY(page.table()->isColumnHidden(3));

        QTemporaryDir out;
        QString error;
        const QStringList files = page.exportAllTo(out.path(), 96, &error);
        QCOMPARE(error, QString());
        QCOMPARE(files.size(), page.charts().size() * 4 + 2);
        QFile index(out.filePath(QStringLiteral("index.html")));
        QVERIFY(index.open(QIODevice::ReadOnly));
        const QString html = QString::fromUtf8(index.readAll());
        for (const QString& f : files)
            if (!f.startsWith(QLatin1String("index"))) QVERIFY2(html.contains(f), qPrintable(f));
        QCOMPARE(QImage(out.filePath(QStringLiteral("ops_speed.png"))).size(), chartexport::pixelSizeForDpi(96));

        QVERIFY(!page.loadResults(m_dir.filePath(QStringLiteral("missing.json"))));
        QVERIFY(page.statusLabel()->text().contains(QStringLiteral("missing.json")));
    }

    void exportChartsCommandWorksHeadless() {
        QTemporaryDir out;
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        p.setProcessEnvironment(env);
        p.start(kCli, {QStringLiteral("export-charts"), QStringLiteral("--results"), m_results, QStringLiteral("--out"), out.path(),
                       QStringLiteral("--dpi"), QStringLiteral("120"), QStringLiteral("--formats"), QStringLiteral("png,csv")});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QCOMPARE(QImage(out.filePath(QStringLiteral("memory.png"))).size(), chartexport::pixelSizeForDpi(120));
        QVERIFY(QFile::exists(out.filePath(QStringLiteral("gradients.csv"))));
        QVERIFY(QFile::exists(out.filePath(QStringLiteral("index.md"))));
        QVERIFY(!QFile::exists(out.filePath(QStringLiteral("memory.svg"))));

        p.start(kCli, {QStringLiteral("export-charts"), QStringLiteral("--results"), out.filePath(QStringLiteral("nope.json")),
                       QStringLiteral("--out"), out.path()});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("nope.json"));
    }

    void runButtonRunsAQuickSuite() {
        AppContext context;
        BenchmarksPage page(context);
        QTemporaryDir out;
        page.setResultsDir(out.path());
        page.resize(1400, 900);
        page.show();
        page.suiteCombo()->setCurrentIndex(page.suiteCombo()->findData(QStringLiteral("accuracy")));
        page.quickCheck()->setChecked(true);
        QSignalSpy finished(&page, &BenchmarksPage::runFinished);
        QTest::mouseClick(page.runButton(), Qt::LeftButton);
        QVERIFY(page.isRunning());
        QVERIFY(!page.runButton()->isEnabled());
        QVERIFY(page.cancelButton()->isEnabled());
        QVERIFY(finished.wait(300000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QCOMPARE(page.progressBar()->value(), page.progressBar()->maximum());
        QVERIFY(page.table()->rowCount() > 10);
        QCOMPARE(page.table()->item(0, 0)->text(), QStringLiteral("accuracy"));
        QVERIFY(chartById(page.charts(), QStringLiteral("activation_errors_gelu")));
        QVERIFY(chartById(page.charts(), QStringLiteral("gradients")));
        QVERIFY(page.runButton()->isEnabled());
        QCOMPARE(QDir(out.path()).entryList({QStringLiteral("bench-accuracy-quick-*.json")}).size(), 1);
    }

    void cancelStopsTheRun() {
        AppContext context;
        BenchmarksPage page(context);
        QTemporaryDir out;
        page.setResultsDir(out.path());
        page.show();
        page.suiteCombo()->setCurrentIndex(page.suiteCombo()->findData(QStringLiteral("all")));
        page.quickCheck()->setChecked(true);
        QSignalSpy finished(&page, &BenchmarksPage::runFinished);
        QTest::mouseClick(page.runButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page.progressBar()->maximum() > 1, 60000);  // the first progress line arrived
        QTest::mouseClick(page.cancelButton(), Qt::LeftButton);
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY(page.statusLabel()->text().contains(QStringLiteral("Cancelled")));
        QVERIFY(QDir(out.path()).entryList({QStringLiteral("*.json")}).isEmpty());
        QVERIFY(!page.hasResults());
    }
};

QTEST_MAIN(TestBenchmarksPage)
#include "tst_benchmarks_page_slow.moc"
