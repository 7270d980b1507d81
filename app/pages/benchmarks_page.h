// benchmarks_page.h — BenchmarksPage: runs `backprop bench <suite> --json FILE` in a QProcess (the benchmark
// code never runs in the GUI process), follows its "progress K/N" lines with a progress bar and Cancel, and
// shows the results as a table and as charts (BenchChart). Loads earlier result files, overlays a second run
// (Compare with…), and exports one chart (PNG at a chosen DPI, SVG, PDF, CSV) or all of them with an index.
#pragma once

#include <QProcess>
#include <QVector>
#include <QWidget>
#include <optional>

#include "tools/bench_results.h"
#include "chart_spec.h"
#include "core/page.h"
#include "plot_style.h"

class BenchChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableWidget;

class BenchmarksPage : public QWidget, public AppearanceAware {
    Q_OBJECT
public:
    explicit BenchmarksPage(const AppContext& context, QWidget* parent = nullptr);
    ~BenchmarksPage() override;

    /// The `backprop` CLI: $BP_CLI, else beside this program, else in the build tree; empty when not found.
    static QString findCli();

    /// Shows a results file; false (and a message on the page) when it cannot be read.
    bool loadResults(const QString& path, QString* error = nullptr);
    bool loadCompare(const QString& path, QString* error = nullptr);
    void clearCompare();

    /// Starts the suite chosen in the controls (same as the Run button); false when it could not start.
    bool startRun();
    void cancelRun();
    bool isRunning() const;
    /// Where runs write their JSON (default: the app's data folder, benchmarks/).
    void setResultsDir(const QString& dir) { m_resultsDir = dir; }

    /// Shows chart `index` of charts(), or the table for -1.
    void showChart(int index);
    int currentChart() const;
    /// Writes chart `index` to `path`; the format follows the suffix (.png at `dpi`, .svg, .pdf, .csv).
    QString exportChart(int index, const QString& path, int dpi);
    /// Every chart in every format plus index.html / index.md; the files written.
    QStringList exportAllTo(const QString& dir, int dpi, QString* error);

    void applyAppearance(const Appearance& appearance) override;

    const BenchRun& run() const { return m_run; }
    bool hasResults() const { return !m_run.suites.isEmpty(); }
    const QVector<ChartSpec>& charts() const { return m_charts; }
    QTableWidget* table() const { return m_table; }
    BenchChartView* chartView() const { return m_chartView; }
    QListWidget* viewList() const { return m_viewList; }
    QComboBox* suiteCombo() const { return m_suite; }
    QCheckBox* quickCheck() const { return m_quick; }
    QSpinBox* threadsSpin() const { return m_threads; }
    QPushButton* runButton() const { return m_runButton; }
    QPushButton* cancelButton() const { return m_cancelButton; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* statusLabel() const { return m_status; }
    QPushButton* loadButton() const { return m_loadButton; }
    /// Under the chart: the values of the chart shown that are too large for an axis (BenchChart::
    /// outOfRangeValues(), drawn at the axis end), by series and item; hidden when every value fits.
    QLabel* outOfRangeLabel() const { return m_outOfRange; }

signals:
    void runFinished(bool ok, const QString& message);
    void resultsChanged();

private:
    void loadWithDialog();
    void compareWithDialog();
    void exportChartWithDialog();
    void exportAllWithDialog();
    void readProgress();
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void refresh();  // table, charts, list, machine line
    void updateButtons();
    void saveSettings();
    QString dialogDir() const;
    void rememberDir(const QString& path);
    PlotStyle style() const;

    AppContext m_context;
    Appearance m_appearance;
    QString m_resultsDir;
    BenchRun m_run;
    std::optional<BenchRun> m_compare;
    QVector<ChartSpec> m_charts;

    QProcess* m_process = nullptr;
    QString m_pendingFile;
    QByteArray m_stderr;
    QStringList m_errorLines;
    bool m_cancelled = false;

    QComboBox* m_suite = nullptr;
    QCheckBox* m_quick = nullptr;
    QSpinBox* m_threads = nullptr;
    QPushButton *m_runButton = nullptr, *m_cancelButton = nullptr, *m_loadButton = nullptr, *m_compareButton = nullptr,
                *m_clearCompareButton = nullptr, *m_exportButton = nullptr, *m_exportAllButton = nullptr;
    QComboBox* m_dpi = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_machine = nullptr;
    QLabel* m_outOfRange = nullptr;
    QListWidget* m_viewList = nullptr;
    QStackedWidget* m_stack = nullptr;
    QTableWidget* m_table = nullptr;
    BenchChartView* m_chartView = nullptr;
};
