// clip_similarity_view.cpp — see clip_similarity_view.h.
#include "panels/clip_similarity_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPixmap>
#include <QVBoxLayout>

#include "heatmap_view.h"
#include "plot_style.h"
#include "series_plot.h"

ClipSimilarityView::ClipSimilarityView(ClipController* controller, QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("clip.training"));
    auto* layout = new QVBoxLayout(this);
    m_loss = new SeriesPlot(tr("step"), tr("contrastive loss"));
    m_loss->setObjectName(QStringLiteral("clip.loss"));
    m_loss->setTitle(tr("Loss per step (falls as pictures find their captions) and zero-shot accuracy"));
    m_lossSeries = m_loss->addSeries(tr("loss"), 0);
    m_accSeries = m_loss->addSeries(tr("zero-shot accuracy, 500 test pictures"), 1, true, true);
    m_loss->setRightAxisLabel(tr("accuracy"));
    m_loss->setRightRange(0, 1);
    m_loss->setMinimumHeight(220);
    layout->addWidget(m_loss, 2);

    auto* row = new QHBoxLayout;
    auto* matrixSide = new QVBoxLayout;
    m_matrixNote = new QLabel(tr("The batch's similarity matrix appears here once training starts."));
    m_matrixNote->setWordWrap(true);
    m_heatmap = new HeatmapView;
    m_heatmap->setObjectName(QStringLiteral("clip.similarity"));
    m_heatmap->setAxisTitles(tr("picture"), tr("caption"));
    m_heatmap->setCellDecimals(2);
    m_heatmap->setCellDigits(2);  // the colour bar's top label
    matrixSide->addWidget(m_matrixNote);
    matrixSide->addWidget(m_heatmap, 1);
    row->addLayout(matrixSide, 3);
    m_heatmap->hide();
    m_pairs = new QListWidget;
    m_pairs->setObjectName(QStringLiteral("clip.pairs"));
    m_pairs->setIconSize(QSize(28, 28));
    m_pairs->setToolTip(tr("The batch's first pictures with their own captions: picture i is row i of the matrix, "
                           "caption i its column i."));
    m_pairs->setSelectionMode(QAbstractItemView::NoSelection);
    row->addWidget(m_pairs, 2);
    layout->addLayout(row, 3);

    connect(controller, &ClipController::dataLoaded, this, [this](std::shared_ptr<const bp::data::CaptionedImages> t) {
        m_train = std::move(t);
        clear();
    });
    connect(controller, &ClipController::stepsArrived, this, [this](const QVector<bp::train::ClipStepEvent>& steps) {
        QVector<double> xs, ys;
        for (const auto& e : steps) {
            xs.push_back(e.step);
            ys.push_back(e.loss);
        }
        m_loss->appendPoints(m_lossSeries, xs, ys);
        for (auto it = steps.rbegin(); it != steps.rend(); ++it)
            if (it->similarity_size > 0) {
                showMatrix(*it);
                break;
            }
    });
    connect(controller, &ClipController::evalsArrived, this, [this](const QVector<bp::train::ClipEvalEvent>& evals) {
        QVector<double> xs, ys;
        for (const auto& e : evals) {
            xs.push_back(e.step);
            ys.push_back(e.zero_shot_accuracy);
        }
        m_loss->appendPoints(m_accSeries, xs, ys);
    });
}

void ClipSimilarityView::clear() {
    m_loss->clearData();
    m_heatmap->clear();
    m_heatmap->hide();  // its empty text speaks of a confusion matrix; the note above says what comes here
    m_pairs->clear();
    m_shown = {};
}

void ClipSimilarityView::showMatrix(const bp::train::ClipStepEvent& e) {
    m_shown = e;
    const int n = e.similarity_size;
    QStringList rows, cols;
    for (int i = 0; i < n; ++i) {
        rows << QString::number(i + 1);
        cols << QString::number(i + 1);
    }
    m_heatmap->show();
    m_heatmap->setMatrix(n, n, QVector<double>(e.similarity.begin(), e.similarity.end()), rows, cols);
    double diag = 0, off = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) (i == j ? diag : off) += e.similarity[static_cast<size_t>(i * n + j)];
    m_matrixNote->setText(tr("Step %1: cosine similarity of picture i (row) and caption i (column). Mean on the diagonal "
                             "(the right pairs) %2, off it %3; bright cells off it are often a picture and a caption of the same class.")
                              .arg(e.step).arg(diag / n, 0, 'f', 2).arg(n > 1 ? off / (n * (n - 1)) : 0.0, 0, 'f', 2));
    m_pairs->clear();
    for (int i = 0; i < n; ++i) {
        auto* item = new QListWidgetItem(QStringLiteral("%1  %2").arg(i + 1).arg(QString::fromStdString(e.similarity_captions[static_cast<size_t>(i)])));
        if (m_train && i < static_cast<int>(e.similarity_images.size()))
            item->setIcon(QIcon(QPixmap::fromImage(cliptools::pictureImage(m_train->images, e.similarity_images[static_cast<size_t>(i)]))));
        m_pairs->addItem(item);
    }
}

void ClipSimilarityView::applyAppearance(const Appearance& a) {
    m_loss->setPlotStyle(PlotStyle::make(a.dark, a.presentation));
    m_heatmap->setDark(a.dark);
    const int icon = a.presentation ? 40 : 28;
    m_pairs->setIconSize(QSize(icon, icon));
}
