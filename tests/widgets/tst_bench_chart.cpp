// tst_bench_chart.cpp — BenchChart draws exactly the numbers of its ChartSpec (bars, annotations, lines,
// scatter, histogram steps), and chart_export writes PNGs of the requested pixel size and DPI, SVGs that parse
// and hold the chart's text, PDFs that poppler renders, CSVs that read back to the same numbers, and an index
// that links every file.
#include <QAreaSeries>
#include <QBarSet>
#include <QDir>
#include <QFile>
#include <QHorizontalBarSeries>
#include <QImage>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QPointer>
#include <QValueAxis>
#include <QProcess>
#include <QScatterSeries>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>

#include "bench_chart.h"
#include "chart_export.h"

namespace {

ChartSpec barSpec() {
    ChartSpec c;
    c.id = QStringLiteral("ops_speed");
    c.kind = ChartSpec::Kind::HorizontalBars;
    c.title = QStringLiteral("Op speed");
    c.subtitle = QStringLiteral("median of runs");
    c.xTitle = QStringLiteral("time per call (ms, log scale)");
    c.yTitle = QStringLiteral("op and size");
    c.logX = true;
    c.categories = {QStringLiteral("matmul 256x256x256"), QStringLiteral("relu, 64x128")};  // a comma: CSV quoting
    c.series = {ChartSeries{QStringLiteral("backprop"), {}, {0.745, 8.25}},
                ChartSeries{QStringLiteral("PyTorch 1.13"), {}, {0.959, 4.9}}};
    c.annotations = {QStringLiteral("1.29× faster"), QStringLiteral("1.68× slower")};
    return c;
}

ChartSpec lineSpec() {
    ChartSpec c;
    c.id = QStringLiteral("scaling_data");
    c.kind = ChartSpec::Kind::Lines;
    c.title = QStringLiteral("Training time grows with the data");
    c.xTitle = QStringLiteral("training images (log scale)");
    c.yTitle = QStringLiteral("epoch time (s, log scale)");
    c.logX = c.logY = true;
    ChartSeries measured{QStringLiteral("measured"), {QPointF(500, 0.004), QPointF(1000, 0.0075), QPointF(2000, 0.016)}};
    ChartSeries ideal{QStringLiteral("ideal: linear"), {QPointF(500, 0.004), QPointF(1000, 0.008), QPointF(2000, 0.016)}};
    ideal.reference = true;
    c.series = {measured, ideal};
    return c;
}

ChartSpec histogramSpec() {
    ChartSpec c;
    c.id = QStringLiteral("activation_errors");
    c.kind = ChartSpec::Kind::Histogram;
    c.title = QStringLiteral("Activation errors");
    c.xTitle = QStringLiteral("error (log scale)");
    c.yTitle = QStringLiteral("share of inputs (%)");
    c.logX = true;
    c.binEdges = {1e-10, 1e-9, 1e-8, 1e-7, 1e-6};
    c.series = {ChartSeries{QStringLiteral("sigmoid"), {}, {0, 10, 60, 30}},
                ChartSeries{QStringLiteral("tanh"), {}, {5, 20, 75, 0}}};
    return c;
}

ChartSpec scatterSpec() {
    ChartSpec c;
    c.id = QStringLiteral("gradients");
    c.kind = ChartSpec::Kind::Scatter;
    c.title = QStringLiteral("Analytic vs numerical gradients");
    c.xTitle = QStringLiteral("numerical gradient");
    c.yTitle = QStringLiteral("analytic gradient");
    ChartSeries pts{QStringLiteral("entries"), {QPointF(-1.5, -1.5000000001), QPointF(0.25, 0.25), QPointF(2, 2)}};
    ChartSeries id{QStringLiteral("identity"), {QPointF(-1.5, -1.5), QPointF(2, 2)}};
    id.reference = true;
    c.series = {pts, id};
    return c;
}

QString readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

}  // namespace

class TestBenchChart : public QObject {
    Q_OBJECT
private slots:
    void barsShowTheSpecValues() {
        const ChartSpec spec = barSpec();
        BenchChart chart(spec, PlotStyle::make(false, false), QFont());
        chart.layoutAt(QSizeF(900, 560));
        QCOMPARE(chart.series().size(), 1);
        auto* bars = qobject_cast<QHorizontalBarSeries*>(chart.series().first());
        QVERIFY(bars);
        QCOMPARE(bars->count(), 2);
        // Horizontal bars are fed bottom-up so that category 0 is drawn on top.
        for (int s = 0; s < 2; ++s) {
            QCOMPARE(bars->barSets()[s]->label(), spec.series[s].name);
            for (int i = 0; i < 2; ++i) QCOMPARE(bars->barSets()[s]->at(1 - i), spec.series[s].values[i]);
        }
        QCOMPARE(chart.annotationTexts(), spec.annotations);
        QVERIFY(chart.legend()->isVisible());
    }

    void linesScatterAndHistogramShowTheSpecPoints() {
        const ChartSpec lines = lineSpec();
        BenchChart lc(lines, PlotStyle::make(true, true), QFont());
        QCOMPARE(lc.series().size(), 2);
        for (int s = 0; s < 2; ++s) {
            auto* l = qobject_cast<QLineSeries*>(lc.series()[s]);
            QVERIFY(l);
            QCOMPARE(l->points(), lines.series[s].points);
        }
        QCOMPARE(qobject_cast<QLineSeries*>(lc.series()[1])->pen().style(), Qt::DashLine);  // the ideal line

        const ChartSpec sc = scatterSpec();
        BenchChart scc(sc, PlotStyle::make(false, false), QFont());
        QVERIFY(qobject_cast<QScatterSeries*>(scc.series()[0]));
        QCOMPARE(qobject_cast<QXYSeries*>(scc.series()[0])->points(), sc.series[0].points);
        QCOMPARE(qobject_cast<QXYSeries*>(scc.series()[1])->points(), sc.series[1].points);

        const ChartSpec h = histogramSpec();
        BenchChart hc(h, PlotStyle::make(false, false), QFont());
        QCOMPARE(hc.series().size(), 2);
        for (int s = 0; s < 2; ++s) {
            auto* area = qobject_cast<QAreaSeries*>(hc.series()[s]);
            QVERIFY(area);
            const QList<QPointF> steps = area->upperSeries()->points();
            QCOMPARE(steps.size(), 2 * h.series[s].values.size());  // no empty bins at either end here
            for (int i = 0; i < h.series[s].values.size(); ++i) {
                QCOMPARE(steps[2 * i], QPointF(h.binEdges[i], h.series[s].values[i]));
                QCOMPARE(steps[2 * i + 1], QPointF(h.binEdges[i + 1], h.series[s].values[i]));
            }
        }
    }

    // Issue 19: one value of 1e308 made valueAxis compute inf and Qt Charts recurse until the stack overflowed.
    void hugeFiniteValuesChartAndAreNamed_data() {
        QTest::addColumn<int>("which");
        QTest::newRow("log bars, annotated") << 0;
        QTest::newRow("linear bars") << 1;
        QTest::newRow("log lines") << 2;
        QTest::newRow("histogram") << 3;
        QTest::newRow("scatter, negative") << 4;
    }
    void hugeFiniteValuesChartAndAreNamed() {
        QFETCH(int, which);
        ChartSpec spec;
        switch (which) {
        case 0: spec = barSpec(); spec.series[0].values[0] = 1e308; break;
        case 1: spec = barSpec(); spec.logX = false; spec.annotations.clear(); spec.series[1].values[1] = 1.7e308; break;
        case 2: spec = lineSpec(); spec.series[0].points[1].setY(1e308); break;
        case 3: spec = histogramSpec(); spec.series[0].values[2] = 1e308; break;
        default: spec = scatterSpec(); spec.series[0].points[0] = QPointF(-1e308, 1e308); break;
        }
        BenchChart chart(spec, PlotStyle::make(false, false), QFont());
        chart.layoutAt(QSizeF(900, 560));
        for (QAbstractAxis* axis : chart.axes()) {
            if (auto* v = qobject_cast<QValueAxis*>(axis)) QVERIFY(std::isfinite(v->min()) && std::isfinite(v->max()));
            if (auto* l = qobject_cast<QLogValueAxis*>(axis)) QVERIFY(std::isfinite(l->min()) && std::isfinite(l->max()));
        }
        QVERIFY(!chart.outOfRangeValues().isEmpty());
        QVERIFY2(chart.outOfRangeValues().first().contains(spec.series[which == 1 ? 1 : 0].name),
                 qPrintable(chart.outOfRangeValues().join("; ")));
        QImage img(900, 560, QImage::Format_ARGB32);
        img.fill(Qt::white);
        QPainter painter(&img);
        chart.paint(&painter, nullptr, nullptr);
        QVERIFY(barSpec().series.size() == 2);
        BenchChart plain(barSpec(), PlotStyle::make(false, false), QFont());
        QVERIFY(plain.outOfRangeValues().isEmpty());
    }

    // Issue 19: LeakSanitizer found the histogram's upper line series never freed (QAreaSeries does not own it).
    void histogramSeriesAreFreedWithTheChart() {
        QPointer<QLineSeries> upper;
        {
            BenchChart hc(histogramSpec(), PlotStyle::make(false, false), QFont());
            upper = qobject_cast<QAreaSeries*>(hc.series()[0])->upperSeries();
            QVERIFY(upper);
        }
        QVERIFY(upper.isNull());
    }

    void pngHasTheRequestedSizeAndDpi() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.png"));
        QCOMPARE(chartexport::writePng(barSpec(), PlotStyle::make(false, false), QFont(), path, QSize(1500, 900), 150), QString());
        QImage img(path);
        QCOMPARE(img.size(), QSize(1500, 900));
        QCOMPARE(std::lround(img.dotsPerMeterX() * 0.0254), 150L);
        QCOMPARE(chartexport::pixelSizeForDpi(192), QSize(1920, 1200));
        // Something was drawn: not a single flat colour.
        int differing = 0;
        const QRgb bg = img.pixel(0, 0);
        for (int y = 0; y < img.height(); y += 7)
            for (int x = 0; x < img.width(); x += 7) differing += img.pixel(x, y) != bg;
        QVERIFY2(differing > 200, qPrintable(QString::number(differing)));
    }

    void svgParsesAndHoldsTheText() {
        QTemporaryDir dir;
        for (const ChartSpec& spec : {barSpec(), lineSpec(), histogramSpec(), scatterSpec()}) {
            const QString path = dir.filePath(spec.id + QStringLiteral(".svg"));
            QCOMPARE(chartexport::writeSvg(spec, PlotStyle::make(true, false), QFont(), path), QString());
            const QString text = readAll(path);
            QXmlStreamReader xml(text);
            int elements = 0;
            while (!xml.atEnd())
                if (xml.readNext() == QXmlStreamReader::StartElement) ++elements;
            QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
            QVERIFY(elements > 20);
            QVERIFY(QSvgRenderer(path).isValid());
            QVERIFY2(text.contains(spec.xTitle.toHtmlEscaped()) || text.contains(spec.xTitle), qPrintable(spec.id));
            QVERIFY(text.contains(spec.series[0].name));
            if (spec.kind == ChartSpec::Kind::HorizontalBars) QVERIFY(text.contains(QStringLiteral("1.29× faster")));
        }
    }

    void pdfRendersWithPoppler() {
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("c.pdf"));
        QCOMPARE(chartexport::writePdf(lineSpec(), PlotStyle::make(false, false), QFont(), pdf), QString());
        QVERIFY(readAll(pdf).startsWith(QStringLiteral("%PDF")));
        const QString pdftoppm = QStandardPaths::findExecutable(QStringLiteral("pdftoppm"));
        if (pdftoppm.isEmpty()) QSKIP("pdftoppm not found: install poppler-utils to render the exported PDF");
        QProcess p;
        p.start(pdftoppm, {QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("48"), QStringLiteral("-singlefile"), pdf,
                           dir.filePath(QStringLiteral("page"))});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QImage img(dir.filePath(QStringLiteral("page.png")));
        QVERIFY(!img.isNull());
        // 10 × 6.25 inches at 48 dpi.
        QCOMPARE(img.size(), QSize(480, 300));
        int dark = 0;
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x) dark += qGray(img.pixel(x, y)) < 128;
        QVERIFY2(dark > 300, "the rendered PDF page has hardly any ink: text and lines are missing");
    }

    void csvRoundTrips() {
        for (const ChartSpec& spec : {barSpec(), lineSpec(), histogramSpec(), scatterSpec()}) {
            ChartSpec back;
            back.kind = spec.kind;
            QString error;
            QVERIFY2(chartexport::parseCsv(chartexport::csvText(spec), &back, &error), qPrintable(error));
            QCOMPARE(back.kind, spec.kind);
            QCOMPARE(back.categories, spec.categories);
            QCOMPARE(back.annotations, spec.annotations);
            QCOMPARE(back.binEdges, spec.binEdges);
            QCOMPARE(back.series.size(), spec.series.size());
            for (int s = 0; s < spec.series.size(); ++s) {
                QCOMPARE(back.series[s].name, spec.series[s].name);
                QCOMPARE(back.series[s].values, spec.series[s].values);
                QCOMPARE(back.series[s].points, spec.series[s].points);
            }
        }
        ChartSpec bad;
        QString error;
        QVERIFY(!chartexport::parseCsv(QStringLiteral("what,is,this\n1,2,3\n"), &bad, &error));
        QVERIFY(error.contains(QStringLiteral("header")));
    }

    void exportAllWritesAnIndexOfEveryFile() {
        QTemporaryDir dir;
        const QVector<ChartSpec> charts{barSpec(), lineSpec(), histogramSpec(), scatterSpec()};
        chartexport::ExportOptions o;
        o.dpi = 96;
        QString error;
        const QStringList files = chartexport::exportAll(charts, PlotStyle::make(false, true), QFont(), dir.path(), o, &error);
        QCOMPARE(error, QString());
        QCOMPARE(files.size(), 4 * 4 + 2);
        const QString html = readAll(dir.filePath(QStringLiteral("index.html")));
        const QString md = readAll(dir.filePath(QStringLiteral("index.md")));
        for (const QString& f : files) {
            QVERIFY2(QFile::exists(dir.filePath(f)), qPrintable(f));
            if (f.startsWith(QLatin1String("index"))) continue;
            QVERIFY2(html.contains(QStringLiteral("\"%1\"").arg(f)), qPrintable(f));
            QVERIFY2(md.contains(QStringLiteral("(%1)").arg(f)), qPrintable(f));
        }
        QVERIFY(html.contains(QStringLiteral("<img src=\"ops_speed.png\"")));
        QVERIFY(md.contains(QStringLiteral("![Op speed](ops_speed.png)")));
        QVERIFY(QDir(dir.path()).entryList({QStringLiteral(".*.tmp")}, QDir::Files | QDir::Hidden).isEmpty());

        QStringList formats;
        QVERIFY(!chartexport::parseFormats(QStringLiteral("png,gif"), &formats, &error));
        QVERIFY(error.contains(QStringLiteral("gif")));
    }
};

QTEST_MAIN(TestBenchChart)
#include "tst_bench_chart.moc"
