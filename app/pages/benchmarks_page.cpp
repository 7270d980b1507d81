// benchmarks_page.cpp — see benchmarks_page.h. The run is a child process: a benchmark measuring the CPU must
// not share it with the GUI's event loop, and Cancel can stop it at once.
#include "pages/benchmarks_page.h"

#include "core/facts.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableWidget>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

#include "core/app_settings.h"
#include "bench_chart.h"
#include "chart_export.h"

#ifndef BP_CLI_PATH
#define BP_CLI_PATH ""
#endif

namespace {
const QStringList kSuiteIds{QStringLiteral("all"), QStringLiteral("ops"), QStringLiteral("models"),
                            QStringLiteral("accuracy"), QStringLiteral("scaling"), QStringLiteral("gpt"),
                            QStringLiteral("bert"),     QStringLiteral("clip"),    QStringLiteral("architectures"),
                            QStringLiteral("threads"),  QStringLiteral("epochs")};
}

BenchmarksPage::BenchmarksPage(const AppContext& context, QWidget* parent) : QWidget(parent), m_context(context) {
    m_resultsDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/benchmarks");
    const BenchSettings saved = m_context.settings ? m_context.settings->benchSettings() : BenchSettings{};

    // Row 1: what to run.
    m_suite = new QComboBox;
    m_suite->setObjectName(QStringLiteral("benchmarks.suite"));
    m_suite->addItem(tr("All suites"), kSuiteIds[0]);
    m_suite->addItem(tr("Ops vs PyTorch"), kSuiteIds[1]);
    m_suite->addItem(tr("Models (throughput, memory, loss)"), kSuiteIds[2]);
    m_suite->addItem(tr("Accuracy (activations, gradients)"), kSuiteIds[3]);
    m_suite->addItem(tr("Scaling (data, threads)"), kSuiteIds[4]);
    m_suite->addItem(tr("GPT-mini vs PyTorch (tokens/s)"), kSuiteIds[5]);
    m_suite->addItem(tr("BERT-mini vs PyTorch (tokens/s)"), kSuiteIds[6]);
    m_suite->addItem(tr("CLIP-mini vs PyTorch (pictures/s)"), kSuiteIds[7]);
    m_suite->addItem(tr("Architectures (the original framework's table)"), kSuiteIds[8]);
    m_suite->addItem(tr("Threads: 1 vs every core, quiet and with a busy core"), kSuiteIds[9]);
    m_suite->addItem(tr("ResNet-mini and ViT-tiny epochs vs PyTorch"), kSuiteIds[10]);
    m_suite->setCurrentIndex(std::max(0, static_cast<int>(kSuiteIds.indexOf(saved.suite))));
    m_quick = new QCheckBox(tr("&Quick"));
    m_quick->setToolTip(tr("Small sizes and few repeats: a first look in seconds. Untick for the real measurement "
                           "(minutes; keep the machine otherwise idle)."));
    m_quick->setChecked(saved.quick);
    m_threads = new QSpinBox;
    m_threads->setRange(0, std::max(1, QThread::idealThreadCount()));
    m_threads->setSpecialValueText(tr("all cores"));
    m_threads->setValue(std::clamp(saved.threads, 0, m_threads->maximum()));
    m_threads->setToolTip(tr("Threads for the engine and for PyTorch (the same count for both)."));
    m_runButton = new QPushButton(tr("&Run"));
    m_runButton->setObjectName(QStringLiteral("benchmarks.run"));
    m_runButton->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_runButton->setToolTip(tr("Run the chosen suite in the background (Ctrl+R)."));
    m_cancelButton = new QPushButton(tr("Cancel"));
    m_cancelButton->setShortcut(QKeySequence(Qt::Key_Escape));
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setFormat(tr("no run yet"));
    m_progress->setMinimumWidth(160);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(new QLabel(tr("Suite:")));
    runRow->addWidget(m_suite);
    runRow->addWidget(m_quick);
    runRow->addWidget(new QLabel(tr("Threads:")));
    runRow->addWidget(m_threads);
    runRow->addWidget(m_runButton);
    runRow->addWidget(m_cancelButton);
    runRow->addWidget(m_progress, 1);

    // Row 2: files.
    m_loadButton = new QPushButton(tr("&Load results…"));
    m_loadButton->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_compareButton = new QPushButton(tr("&Compare with…"));
    m_compareButton->setToolTip(tr("Draw a second results file beside this one (e.g. before/after a change)."));
    m_clearCompareButton = new QPushButton(tr("Stop comparing"));
    m_exportButton = new QPushButton(tr("&Export chart…"));
    m_exportButton->setToolTip(tr("The chart shown, as PNG (at the DPI chosen), SVG, PDF or its data as CSV."));
    m_exportAllButton = new QPushButton(tr("Export &all…"));
    m_exportAllButton->setToolTip(tr("Every chart as PNG, SVG, PDF and CSV into a folder, with index.html and index.md."));
    m_dpi = new QComboBox;
    for (int d : {96, 150, 200, 300, 600}) m_dpi->addItem(tr("%1 dpi").arg(d), d);
    m_dpi->setCurrentIndex(std::max(0, m_dpi->findData(saved.exportDpi)));
    m_dpi->setToolTip(tr("PNG resolution: the picture is 10 × 6.25 inches."));
    auto* fileRow = new QHBoxLayout;
    for (QWidget* w : std::initializer_list<QWidget*>{m_loadButton, m_compareButton, m_clearCompareButton})
        fileRow->addWidget(w);
    fileRow->addStretch(1);
    fileRow->addWidget(new QLabel(tr("PNG:")));
    fileRow->addWidget(m_dpi);
    fileRow->addWidget(m_exportButton);
    fileRow->addWidget(m_exportAllButton);

    m_status = new QLabel(tr("Run a suite, or load a results file written by “backprop bench all --json FILE”."));
    m_status->setObjectName(QStringLiteral("benchStatus"));
    m_status->setWordWrap(true);
    m_outOfRange = new QLabel;
    m_outOfRange->setObjectName(QStringLiteral("benchmarks.outOfRange"));
    m_outOfRange->setWordWrap(true);
    m_outOfRange->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_outOfRange->hide();
    m_machine = new QLabel;
    m_machine->setWordWrap(true);
    m_machine->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // Results: a list (Table, then each chart) beside the view.
    m_viewList = new QListWidget;
    m_viewList->setObjectName(QStringLiteral("benchViews"));
    m_viewList->setMinimumWidth(210);
    m_viewList->setMaximumWidth(320);
    m_table = new QTableWidget(0, 6);
    m_table->setHorizontalHeaderLabels({tr("Suite"), tr("Item"), tr("Result"), tr("Compared run"), tr("PyTorch"), tr("vs PyTorch")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_chartView = new BenchChartView;
    m_chartView->setObjectName(QStringLiteral("benchmarks.charts"));
    m_stack = new QStackedWidget;
    m_stack->addWidget(m_table);
    m_stack->addWidget(m_chartView);
    auto* split = new QSplitter;
    split->addWidget(m_viewList);
    split->addWidget(m_stack);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(runRow);
    layout->addLayout(fileRow);
    layout->addWidget(m_status);
    layout->addWidget(m_machine);
    layout->addWidget(split, 1);
    layout->addWidget(m_outOfRange);

    connect(m_runButton, &QPushButton::clicked, this, [this] { startRun(); });
    connect(m_cancelButton, &QPushButton::clicked, this, &BenchmarksPage::cancelRun);
    connect(m_loadButton, &QPushButton::clicked, this, &BenchmarksPage::loadWithDialog);
    connect(m_compareButton, &QPushButton::clicked, this, &BenchmarksPage::compareWithDialog);
    connect(m_clearCompareButton, &QPushButton::clicked, this, &BenchmarksPage::clearCompare);
    connect(m_exportButton, &QPushButton::clicked, this, &BenchmarksPage::exportChartWithDialog);
    connect(m_exportAllButton, &QPushButton::clicked, this, &BenchmarksPage::exportAllWithDialog);
    connect(m_viewList, &QListWidget::currentRowChanged, this, [this](int row) { showChart(row - 1); });
    for (QObject* o : std::initializer_list<QObject*>{m_suite, m_dpi})
        connect(qobject_cast<QComboBox*>(o), &QComboBox::currentIndexChanged, this, &BenchmarksPage::saveSettings);
    connect(m_quick, &QCheckBox::toggled, this, &BenchmarksPage::saveSettings);
    connect(m_threads, &QSpinBox::valueChanged, this, &BenchmarksPage::saveSettings);

    applyAppearance(m_context.appearance);
    if (!saved.lastResults.isEmpty() && QFileInfo::exists(saved.lastResults)) loadResults(saved.lastResults);
    if (FactRegistry* f = m_context.facts) {
        f->addAction(QStringLiteral("benchmarks.run"), [this] { startRun(); });
        connect(this, &BenchmarksPage::runFinished, this, [this, f](bool ok) {
            f->set(QStringLiteral("bench.suite"), m_suite->currentData().toString());
            f->set(QStringLiteral("bench.finished"), ok);
        });
    }
    refresh();
}

BenchmarksPage::~BenchmarksPage() {
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(3000);
    }
}

QString BenchmarksPage::findCli() {
    const QString env = qEnvironmentVariable("BP_CLI");
    if (!env.isEmpty()) return env;
    const QString here = QCoreApplication::applicationDirPath();
    for (const QString& c : {here + QStringLiteral("/backprop"), here + QStringLiteral("/../engine/backprop"),
                             QStringLiteral(BP_CLI_PATH)}) {
        const QFileInfo f(c);
        if (!c.isEmpty() && f.isFile() && f.isExecutable()) return f.canonicalFilePath();
    }
    return {};
}

PlotStyle BenchmarksPage::style() const { return PlotStyle::make(m_appearance.dark, m_appearance.presentation); }

void BenchmarksPage::applyAppearance(const Appearance& a) {
    m_appearance = a;
    m_viewList->setMinimumWidth(a.presentation ? 310 : 210);
    m_chartView->setPlotStyle(style());
}

bool BenchmarksPage::loadResults(const QString& path, QString* error) {
    BenchRun run;
    QString err;
    if (!loadBenchRun(path, &run, &err)) {
        m_status->setText(tr("Could not load the results: %1").arg(err));
        if (error) *error = err;
        return false;
    }
    m_run = run;
    m_status->setText(tr("Showing %1").arg(QDir::toNativeSeparators(path)));
    refresh();
    saveSettings();
    emit resultsChanged();
    return true;
}

bool BenchmarksPage::loadCompare(const QString& path, QString* error) {
    BenchRun run;
    QString err;
    if (!loadBenchRun(path, &run, &err)) {
        m_status->setText(tr("Could not load the run to compare: %1").arg(err));
        if (error) *error = err;
        return false;
    }
    if (run.label == m_run.label) run.label += QStringLiteral(" (2)");
    m_compare = run;
    m_status->setText(tr("Comparing %1 with %2").arg(m_run.label, run.label));
    refresh();
    emit resultsChanged();
    return true;
}

void BenchmarksPage::clearCompare() {
    m_compare.reset();
    refresh();
    emit resultsChanged();
}

bool BenchmarksPage::startRun() {
    if (isRunning()) return false;
    const QString cli = findCli();
    if (cli.isEmpty()) {
        m_status->setText(tr("The backprop command line was not found beside the app or in the build tree: build it "
                             "(cmake --build build --target backprop) or set BP_CLI to its path."));
        return false;
    }
    if (!QDir().mkpath(m_resultsDir)) {
        m_status->setText(tr("Cannot create %1 for the results.").arg(m_resultsDir));
        return false;
    }
    const QString suite = m_suite->currentData().toString();
    m_pendingFile = QDir(m_resultsDir).filePath(QStringLiteral("bench-%1%2-%3.json")
                                                    .arg(suite, m_quick->isChecked() ? QStringLiteral("-quick") : QString(),
                                                         QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    QStringList args{QStringLiteral("bench"), suite, QStringLiteral("--json"), m_pendingFile, QStringLiteral("--threads"),
                     QString::number(m_threads->value()), QStringLiteral("--progress")};
    if (m_quick->isChecked()) args << QStringLiteral("--quick");
    if (suite == QLatin1String("threads")) args << QStringLiteral("--busy");  // the page shows quiet and busy side by side
    if (!m_context.dataDirOverride.isEmpty()) args << QStringLiteral("--data-dir") << m_context.dataDirOverride;
    m_process = new QProcess(this);
    m_process->setProgram(cli);
    m_process->setArguments(args);
    m_stderr.clear();
    m_errorLines.clear();
    m_cancelled = false;
    connect(m_process, &QProcess::readyReadStandardError, this, &BenchmarksPage::readProgress);
    connect(m_process, &QProcess::readyReadStandardOutput, this, [this] { m_process->readAllStandardOutput(); });
    connect(m_process, &QProcess::finished, this, &BenchmarksPage::onProcessFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) onProcessFinished(-1, QProcess::CrashExit);
    });
    m_progress->setRange(0, 0);  // busy until the first progress line says how many steps there are
    m_progress->setFormat(tr("starting…"));
    m_status->setText(tr("Running backprop bench %1%2…").arg(suite, m_quick->isChecked() ? tr(" (quick)") : QString()));
    m_process->start();
    updateButtons();
    return true;
}

void BenchmarksPage::readProgress() {
    m_stderr += m_process->readAllStandardError();
    static const QRegularExpression re(QStringLiteral("^progress (\\d+)/(\\d+) (.*)$"));
    int nl;
    while ((nl = m_stderr.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(m_stderr.left(nl)).trimmed();
        m_stderr.remove(0, nl + 1);
        const QRegularExpressionMatch m = re.match(line);
        if (m.hasMatch()) {
            const int k = m.captured(1).toInt(), n = m.captured(2).toInt();
            const bool done = m.captured(3) == QLatin1String("done");
            m_progress->setRange(0, std::max(1, n));
            m_progress->setValue(done ? n : k - 1);
            m_progress->setFormat(done ? tr("done") : QStringLiteral("%1/%2  %3").arg(k).arg(n).arg(m.captured(3)));
        } else if (!line.isEmpty()) {
            m_errorLines << line;
        }
    }
}

void BenchmarksPage::onProcessFinished(int exitCode, QProcess::ExitStatus status) {
    if (!m_process) return;
    readProgress();
    const QString failedToStart = m_process->error() == QProcess::FailedToStart ? m_process->errorString() : QString();
    m_process->deleteLater();
    m_process = nullptr;
    m_progress->setRange(0, 1);
    QString message;
    bool ok = false;
    if (m_cancelled) {
        message = tr("Cancelled; nothing was saved.");
        m_progress->setValue(0);
        m_progress->setFormat(tr("cancelled"));
        QFile::remove(m_pendingFile);
    } else if (!failedToStart.isEmpty()) {
        message = tr("Could not start the benchmark: %1").arg(failedToStart);
    } else if (status != QProcess::NormalExit || exitCode != 0) {
        message = tr("The benchmark failed: %1")
                      .arg(m_errorLines.isEmpty() ? tr("exit code %1").arg(exitCode) : m_errorLines.last());
    } else {
        m_progress->setValue(1);
        m_progress->setFormat(tr("done"));
        QString err;
        ok = loadResults(m_pendingFile, &err);
        message = ok ? tr("Finished: %1").arg(QDir::toNativeSeparators(m_pendingFile)) : err;
    }
    if (!ok) m_progress->setValue(0);
    m_status->setText(message);
    updateButtons();
    emit runFinished(ok, message);
}

void BenchmarksPage::cancelRun() {
    if (!isRunning()) return;
    m_cancelled = true;
    m_process->terminate();
    QPointer<QProcess> p = m_process;
    QTimer::singleShot(3000, this, [p] {
        if (p && p->state() != QProcess::NotRunning) p->kill();
    });
}

bool BenchmarksPage::isRunning() const { return m_process && m_process->state() != QProcess::NotRunning; }

void BenchmarksPage::updateButtons() {
    const bool running = m_process != nullptr;
    m_runButton->setEnabled(!running);
    m_cancelButton->setEnabled(running);
    m_suite->setEnabled(!running);
    m_quick->setEnabled(!running);
    m_threads->setEnabled(!running);
    m_compareButton->setEnabled(hasResults());
    m_clearCompareButton->setEnabled(m_compare.has_value());
    m_exportButton->setEnabled(hasResults() && currentChart() >= 0);
    m_exportAllButton->setEnabled(!m_charts.isEmpty());
}

void BenchmarksPage::refresh() {
    const BenchRun* cmp = m_compare ? &*m_compare : nullptr;
    m_charts = hasResults() ? benchCharts(m_run, cmp) : QVector<ChartSpec>{};
    const QVector<BenchTableRow> rows = hasResults() ? benchTable(m_run, cmp) : QVector<BenchTableRow>{};
    m_table->setRowCount(static_cast<int>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        const BenchTableRow& r = rows[i];
        const QString cells[] = {r.suite, r.item, r.value, r.compared, r.pytorch, r.ratio};
        for (int c = 0; c < 6; ++c) m_table->setItem(i, c, new QTableWidgetItem(cells[c]));
    }
    m_table->setColumnHidden(3, cmp == nullptr);
    if (hasResults()) {
        QString m = machineSummary(m_run);
        if (cmp) m += tr("\nCompared with %1: %2").arg(cmp->label, machineSummary(*cmp));
        m_machine->setText(m);
    } else {
        m_machine->clear();
    }
    const int previous = currentChart();
    const QString previousId = previous >= 0 && previous < m_charts.size() ? m_charts[previous].id : QString();
    {
        const QSignalBlocker block(m_viewList);
        m_viewList->clear();
        m_viewList->addItem(tr("Table"));
        for (const ChartSpec& c : m_charts) {
            auto* item = new QListWidgetItem(c.shortTitle.isEmpty() ? c.title : c.shortTitle, m_viewList);
            item->setToolTip(c.title + QLatin1Char('\n') + c.subtitle);
        }
    }
    int index = -1;
    for (int i = 0; i < m_charts.size(); ++i)
        if (m_charts[i].id == previousId) index = i;
    if (index < 0 && !m_charts.isEmpty() && previous >= 0) index = 0;
    showChart(index);
}

void BenchmarksPage::showChart(int index) {
    if (index >= static_cast<int>(m_charts.size())) index = -1;
    {
        const QSignalBlocker block(m_viewList);
        m_viewList->setCurrentRow(index + 1);
    }
    if (index < 0) {
        m_stack->setCurrentWidget(m_table);
    } else {
        m_chartView->setSpec(m_charts[index]);
        m_stack->setCurrentWidget(m_chartView);
    }
    const QStringList outOfRange =
        index >= 0 && m_chartView->benchChart() ? m_chartView->benchChart()->outOfRangeValues() : QStringList{};
    m_outOfRange->setText(outOfRange.isEmpty() ? QString()
                                               : tr("Too large to draw to scale (drawn at the end of the axis): %1")
                                                     .arg(outOfRange.join(QStringLiteral("; "))));
    m_outOfRange->setVisible(!outOfRange.isEmpty());
    updateButtons();
}

int BenchmarksPage::currentChart() const { return m_stack && m_stack->currentWidget() == m_chartView ? m_viewList->currentRow() - 1 : -1; }

QString BenchmarksPage::exportChart(int index, const QString& path, int dpi) {
    if (index < 0 || index >= m_charts.size()) return tr("no chart to export");
    const ChartSpec& c = m_charts[index];
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return chartexport::writePng(c, style(), font(), path, chartexport::pixelSizeForDpi(dpi), dpi);
    if (suffix == QLatin1String("svg")) return chartexport::writeSvg(c, style(), font(), path);
    if (suffix == QLatin1String("pdf")) return chartexport::writePdf(c, style(), font(), path);
    if (suffix == QLatin1String("csv")) return chartexport::writeCsv(c, path);
    return tr("unknown file type '.%1'; use .png, .svg, .pdf or .csv").arg(suffix);
}

QStringList BenchmarksPage::exportAllTo(const QString& dir, int dpi, QString* error) {
    chartexport::ExportOptions o;
    o.dpi = dpi;
    o.title = tr("Backprop Studio benchmarks: %1").arg(m_run.label);
    o.notes << machineSummary(m_run);
    if (!m_run.path.isEmpty()) o.notes << tr("Results file: %1").arg(QFileInfo(m_run.path).fileName());
    if (m_compare) o.notes << tr("Compared with: %1 (%2)").arg(m_compare->label, machineSummary(*m_compare));
    return chartexport::exportAll(m_charts, style(), font(), dir, o, error);
}

QString BenchmarksPage::dialogDir() const {
    const BenchSettings s = m_context.settings ? m_context.settings->benchSettings() : BenchSettings{};
    if (!s.exportDir.isEmpty()) return s.exportDir;
    return m_context.settings && !m_context.settings->lastDirectory().isEmpty() ? m_context.settings->lastDirectory()
                                                                                 : QDir::homePath();
}

void BenchmarksPage::rememberDir(const QString& dir) {
    if (!m_context.settings) return;
    BenchSettings s = m_context.settings->benchSettings();
    s.exportDir = dir;
    m_context.settings->setBenchSettings(s);
}

void BenchmarksPage::loadWithDialog() {
    const QString start = hasResults() ? QFileInfo(m_run.path).absolutePath() : m_resultsDir;
    const QString path = QFileDialog::getOpenFileName(this, tr("Load benchmark results"), start, tr("Benchmark results (*.json)"));
    if (!path.isEmpty()) loadResults(path);
}

void BenchmarksPage::compareWithDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Compare with another run"), QFileInfo(m_run.path).absolutePath(),
                                                      tr("Benchmark results (*.json)"));
    if (!path.isEmpty()) loadCompare(path);
}

void BenchmarksPage::exportChartWithDialog() {
    const int index = currentChart();
    if (index < 0) return;
    const QString suggested = QDir(dialogDir()).filePath(m_charts[index].id + QStringLiteral(".png"));
    QString selected;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), suggested,
                                                      tr("PNG image (*.png);;SVG vector image (*.svg);;PDF document (*.pdf);;"
                                                         "CSV data (*.csv)"),
                                                      &selected);
    if (path.isEmpty()) return;
    QString file = path;
    if (QFileInfo(file).suffix().isEmpty()) file += QLatin1Char('.') + selected.section(QStringLiteral("*."), 1).left(3);
    const QString err = exportChart(index, file, m_dpi->currentData().toInt());
    if (!err.isEmpty()) QMessageBox::warning(this, tr("Export chart"), err);
    else m_status->setText(tr("Wrote %1").arg(QDir::toNativeSeparators(file)));
    rememberDir(QFileInfo(file).absolutePath());
}

void BenchmarksPage::exportAllWithDialog() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export all charts into a folder"), dialogDir());
    if (dir.isEmpty()) return;
    QString err;
    const QStringList files = exportAllTo(dir, m_dpi->currentData().toInt(), &err);
    if (!err.isEmpty()) QMessageBox::warning(this, tr("Export all"), err);
    else m_status->setText(tr("Wrote %1 files and index.html into %2").arg(files.size()).arg(QDir::toNativeSeparators(dir)));
    rememberDir(dir);
}

void BenchmarksPage::saveSettings() {
    if (!m_context.settings) return;
    BenchSettings s = m_context.settings->benchSettings();
    s.suite = m_suite->currentData().toString();
    s.quick = m_quick->isChecked();
    s.threads = m_threads->value();
    s.exportDpi = m_dpi->currentData().toInt();
    if (!m_run.path.isEmpty()) s.lastResults = m_run.path;
    m_context.settings->setBenchSettings(s);
}
