// main.cpp — backprop-studio: parse the command line, then either show the main window or render a page
// to a PNG (--screenshot). All logic lives in bp_app so the tests exercise the same code.
#include <QApplication>
#include <QCommandLineParser>
#include <algorithm>
#include <cstdio>

#include "core/app_settings.h"
#include "bench_ui.h"
#include "tools/export_charts.h"
#include "main_window.h"
#include "screenshot.h"
#include "lessons/auto_player.h"
#include "lessons/lesson_session.h"
#include "bp/data/dataset.h"
#include <QMessageBox>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("BackpropStudio"));
    QApplication::setApplicationName(QStringLiteral("backprop-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("Backprop Studio"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    // Readable on a projector: never smaller than 10.5 pt (the platform default is often 9 pt).
    QFont font = QApplication::font();
    if (font.pointSizeF() > 0 && font.pointSizeF() < 10.5) {
        font.setPointSizeF(10.5);
        QApplication::setFont(font);
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Backprop Studio: train real neural networks and watch them learn."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QStringLiteral("Folder with the datasets (default: $BP_DATA_DIR, else the app's data folder)."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Render PAGE to a PNG and exit. Pages: %1.")
                                            .arg(MainWindow::pageIds().join(QStringLiteral(", "))),
                                        QStringLiteral("PAGE"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("PNG file for --screenshot."), QStringLiteral("FILE"));
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QStringLiteral("With --screenshot: first train an MLP for one epoch on 6,000 images "
                                                 "(draw: then draw an MNIST test digit on the pad; attention: train a quick "
                                                 "ViT, or with --tab gpt two short GPT-mini runs and a generation)."));
    const QCommandLineOption themeOpt(QStringLiteral("theme"), QStringLiteral("light or dark (default: the remembered one)."),
                                      QStringLiteral("THEME"));
    const QCommandLineOption presentation(QStringLiteral("presentation"),
                                          QStringLiteral("Presentation mode: larger text and thicker lines, for a projector."));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("With --screenshot: WIDTHxHEIGHT (default 1400x900)."),
                                  QStringLiteral("WxH"));
    const QCommandLineOption tab(QStringLiteral("tab"), QStringLiteral("With --screenshot train: the chart tab to show (index or title); attention: vit, gpt or gpt-loss; backprop: gradient, mnist or playground; features: a model's name; clip: train, search or zeroshot; draw --demo: clip."),
                                 QStringLiteral("TAB"));
    const QCommandLineOption digit(QStringLiteral("digit"), QStringLiteral("With --screenshot draw --demo: the MNIST test image to draw (default 0)."),
                                   QStringLiteral("N"));
    const QCommandLineOption benchUi(QStringLiteral("bench-ui"),
                                     QStringLiteral("Measure event-loop latency while training and drawing-pad prediction "
                                                    "latency, print them and exit."));
    const QCommandLineOption benchPlayground(QStringLiteral("bench-playground"),
                                             QStringLiteral("Measure the Playground page's frames per second while it "
                                                            "trains (a small and a big network), print them and exit."));
    const QCommandLineOption results(QStringLiteral("results"),
                                     QStringLiteral("With --screenshot benchmarks: the results file to show."),
                                     QStringLiteral("FILE"));
    const QCommandLineOption bertModel(QStringLiteral("bert-model"),
                                       QStringLiteral("With --screenshot attention --demo --tab bert-finetune: a saved "
                                                      "BERT-mini to fine-tune instead of pre-training one first."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption exportCharts(QStringLiteral("export-charts"),
                                          QStringLiteral("Write the charts of a benchmark results file into --out DIR "
                                                         "(PNG, SVG, PDF, CSV and an index) and exit; no window."),
                                          QStringLiteral("RESULTS"));
    const QCommandLineOption compare(QStringLiteral("compare"), QStringLiteral("With --export-charts: a second run drawn beside it."),
                                     QStringLiteral("FILE"));
    const QCommandLineOption dpi(QStringLiteral("dpi"), QStringLiteral("With --export-charts: PNG resolution (default 150)."),
                                 QStringLiteral("N"));
    const QCommandLineOption formats(QStringLiteral("formats"),
                                     QStringLiteral("With --export-charts: comma-separated png,svg,pdf,csv (default all)."),
                                     QStringLiteral("LIST"));
    const QCommandLineOption lessonOpt(QStringLiteral("lesson"), QStringLiteral("Open lesson ID (a folder under lessons/) beside its page."),
                                       QStringLiteral("ID"));
    const QCommandLineOption stepOpt(QStringLiteral("step"), QStringLiteral("With --lesson: the step to open, from 1 (default: where you stopped)."),
                                     QStringLiteral("N"));
    const QCommandLineOption runLesson(QStringLiteral("run-lesson"),
                                       QStringLiteral("Play lesson ID to its end with real training (with --auto), printing each step's facts; "
                                                      "exit 0 when every step passed."),
                                       QStringLiteral("ID"));
    const QCommandLineOption autoOpt(QStringLiteral("auto"), QStringLiteral("With --run-lesson: press Do it for me and answer every question."));
    const QCommandLineOption lessonsDirOpt(QStringLiteral("lessons-dir"), QStringLiteral("Where the lessons are (default: $BP_LESSONS_DIR, "
                                                                                        "else the installed ones)."),
                                           QStringLiteral("DIR"));
    parser.addOptions({lessonOpt, stepOpt, runLesson, autoOpt, lessonsDirOpt});
    parser.addOptions({dataDir, screenshot, out, demo, themeOpt, presentation, size, tab, digit, benchUi, benchPlayground, results, bertModel,
                       exportCharts, compare, dpi, formats});
    parser.process(app);
    if (parser.isSet(themeOpt) && parser.value(themeOpt) != QLatin1String("light") && parser.value(themeOpt) != QLatin1String("dark")) {
        std::fprintf(stderr, "backprop-studio: --theme must be light or dark\n");
        return 2;
    }

    if (parser.isSet(exportCharts)) {
        ExportChartsRequest r;
        r.results = parser.value(exportCharts);
        r.compare = parser.value(compare);
        r.outDir = parser.value(out);
        if (parser.isSet(dpi)) {
            bool ok = false;
            r.dpi = parser.value(dpi).toInt(&ok);
            if (!ok) r.dpi = 0;
        }
        if (parser.isSet(formats)) r.formats = parser.value(formats);
        r.dark = parser.value(themeOpt) == QLatin1String("dark");
        r.presentation = parser.isSet(presentation);
        return runExportCharts(r);
    }

    if (parser.isSet(benchPlayground)) {
        AppContext context;  // the user's settings are neither read nor changed
        MainWindow window(context);
        return runPlaygroundBenchmark(window, 5, parser.isSet(out) ? parser.value(out) : QString());
    }

    if (parser.isSet(benchUi)) {
        AppContext context;  // like --screenshot: the user's settings are neither read nor changed
        context.dataDirOverride = parser.value(dataDir);
        MainWindow window(context);
        return runUiBenchmark(window);
    }

    int step = -1;
    if (parser.isSet(stepOpt)) {
        bool ok = false;
        step = parser.value(stepOpt).toInt(&ok) - 1;
        if (!ok || step < 0) {
            std::fprintf(stderr, "backprop-studio: --step takes a step number from 1\n");
            return 2;
        }
    }

    if (parser.isSet(runLesson)) {
        if (!parser.isSet(autoOpt)) {
            std::fprintf(stderr, "backprop-studio: --run-lesson needs --auto (it plays the lesson by itself)\n");
            return 2;
        }
        AppContext context;  // like --screenshot: the user's settings and lesson progress are left alone
        context.dataDirOverride = parser.value(dataDir);
        context.lessonsDir = parser.value(lessonsDirOpt);
        MainWindow window(context);
        window.resize(1400, 900);
        window.show();
        const AutoPlayResult r = autoPlayLesson(window, parser.value(runLesson));
        for (const QString& line : r.log) std::printf("%s\n", qPrintable(line));
        if (!r.ok) {
            std::fprintf(stderr, "backprop-studio: lesson %s did not play to its end: %s\n", qPrintable(parser.value(runLesson)),
                         qPrintable(r.failure));
            return 1;
        }
        std::printf("lesson %s: all %d steps passed\n", qPrintable(parser.value(runLesson)), r.stepsPassed);
        return 0;
    }

    if (parser.isSet(screenshot)) {
        if (!parser.isSet(out)) {
            std::fprintf(stderr, "backprop-studio: --screenshot needs --out FILE.png\n");
            return 2;
        }
        if (!MainWindow::pageIds().contains(parser.value(screenshot))) {
            std::fprintf(stderr, "backprop-studio: unknown page '%s'; pages: %s\n", qPrintable(parser.value(screenshot)),
                         qPrintable(MainWindow::pageIds().join(QStringLiteral(", "))));
            return 2;
        }
        AppContext context;  // no settings: a screenshot neither reads nor changes the user's choices
        context.dataDirOverride = parser.value(dataDir);
        context.lessonsDir = parser.value(lessonsDirOpt);
        context.appearance.dark = parser.value(themeOpt) == QLatin1String("dark");
        context.appearance.presentation = parser.isSet(presentation);
        MainWindow window(context);
        ScreenshotRequest request;
        if (parser.isSet(size)) {
            const QStringList wh = parser.value(size).split(QLatin1Char('x'));
            const int w = wh.value(0).toInt(), h = wh.size() == 2 ? wh[1].toInt() : 0;
            if (w < 200 || h < 200) {
                std::fprintf(stderr, "backprop-studio: --size must look like 1920x1080\n");
                return 2;
            }
            request.size = QSize(w, h);
        }
        request.page = parser.value(screenshot);
        request.outPath = parser.value(out);
        request.demo = parser.isSet(demo);
        request.tab = parser.value(tab);
        request.results = parser.value(results);
        request.bertModel = parser.value(bertModel);
        request.digit = std::clamp(parser.value(digit).toInt(), 0, 9999);
        request.lesson = parser.value(lessonOpt);
        request.step = std::max(step, 0);
        return renderScreenshot(window, request);
    }

    AppSettings settings;
    AppContext context;
    context.dataDirOverride = parser.value(dataDir);
    context.settings = &settings;
    context.lessonsDir = parser.value(lessonsDirOpt);
    // Lesson progress lives in the data directory, beside the datasets, so it survives a reinstall.
    const QString dataRoot = QString::fromStdString(bp::data::resolve_data_dir(parser.value(dataDir).toStdString()));
    context.progressPath = dataRoot + QStringLiteral("/lesson-progress.json");
    // A run's last finished epoch, kept while it trains: a crash or a power cut costs at most one epoch.
    context.recoveryPath = dataRoot + QStringLiteral("/recovery/interrupted-run.safetensors");
    if (parser.isSet(themeOpt) || parser.isSet(presentation)) {
        Appearance a = settings.appearance();
        if (parser.isSet(themeOpt)) a.dark = parser.value(themeOpt) == QLatin1String("dark");
        if (parser.isSet(presentation)) a.presentation = true;
        settings.setAppearance(a);
    }
    MainWindow window(context);
    if (window.appearance().presentation) window.showFullScreen();
    else window.show();
    if (parser.isSet(lessonOpt) && !window.openLesson(parser.value(lessonOpt), step))
        QMessageBox::warning(&window, QObject::tr("Lessons"), window.lessons()->lastError());
    return QApplication::exec();
}
