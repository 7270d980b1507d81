// clip_zero_shot_panel.cpp — see clip_zero_shot_panel.h.
#include "panels/clip_zero_shot_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "heatmap_view.h"

ClipZeroShotPanel::ClipZeroShotPanel(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("clip.zeroShot"));
    auto* layout = new QVBoxLayout(this);
    auto* explain = new QLabel(
        tr("<b>Zero-shot classification</b>: nobody told CLIP-mini what the classes are. Each class is written as "
           "captions in two templates it <i>never saw in training</i> (\"a picture of a seven …\", \"this digit is a "
           "seven: …\", with every property said or left out), their arrows averaged into one per class; each test "
           "picture goes to the class whose arrow is most similar to its own."));
    explain->setWordWrap(true);
    layout->addWidget(explain);
    m_summary = new QLabel(tr("Train CLIP-mini (or open one) to measure it."));
    m_summary->setObjectName(QStringLiteral("clip.zeroShotSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_table = new QTableWidget(0, 3);
    m_table->setObjectName(QStringLiteral("clip.zeroShotTable"));
    m_table->setHorizontalHeaderLabels({tr("Class"), tr("Accuracy"), tr("Pictures")});
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_confusion = new HeatmapView;
    m_confusion->setObjectName(QStringLiteral("clip.zeroShotConfusion"));
    m_confusion->setAxisTitles(tr("true class"), tr("answer"));
    m_confusion->setNormalized(true);
    m_confusion->hide();
    auto* row = new QHBoxLayout;
    row->addWidget(m_table, 2);
    row->addWidget(m_confusion, 3);
    layout->addLayout(row, 1);
}

void ClipZeroShotPanel::setModel(std::shared_ptr<const ClipModel> model) {
    m_table->setRowCount(0);
    m_confusion->setVisible(model != nullptr);
    if (!model) {
        m_summary->setText(tr("Train CLIP-mini (or open one) to measure it."));
        return;
    }
    const bp::train::ZeroShotResult& z = model->zeroShot;
    const auto& names = model->test->names;
    std::vector<int> count(names.size(), 0);
    for (int label : z.labels) ++count[static_cast<size_t>(label)];
    m_summary->setText(tr("<b>%1 %</b> of %2 test pictures classified right (chance: 10 %), with %3 prompts per class.")
                           .arg(z.accuracy * 100, 0, 'f', 1)
                           .arg(QLocale().toString(static_cast<qlonglong>(z.images)))
                           .arg(z.prompts.empty() ? 0 : z.prompts[0].size()));
    m_table->setRowCount(static_cast<int>(names.size()));
    for (int c = 0; c < static_cast<int>(names.size()); ++c) {
        const auto& n = names[static_cast<size_t>(c)];
        const QString name = n.word == n.symbol ? QString::fromStdString(n.word)
                                                : QStringLiteral("%1 (%2)").arg(QString::fromStdString(n.symbol), QString::fromStdString(n.word));
        auto* item = new QTableWidgetItem(name);
        if (!z.prompts.empty()) item->setToolTip(tr("e.g. “%1”").arg(QString::fromStdString(z.prompts[static_cast<size_t>(c)].front())));
        m_table->setItem(c, 0, item);
        const double acc = z.per_class_accuracy[static_cast<size_t>(c)];
        auto* bar = new QProgressBar;
        bar->setRange(0, 1000);
        bar->setValue(static_cast<int>(std::lround(acc * 1000)));
        bar->setFormat(QStringLiteral("%1 %").arg(acc * 100, 0, 'f', 1));
        bar->setProperty("accuracy", acc);
        m_table->setCellWidget(c, 1, bar);
        auto* n2 = new QTableWidgetItem(QString::number(count[static_cast<size_t>(c)]));
        n2->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->setItem(c, 2, n2);
    }
    m_table->resizeRowsToContents();
    const int k = static_cast<int>(names.size());
    QVector<double> counts(k * k, 0.0);
    for (size_t i = 0; i < z.labels.size(); ++i) counts[z.labels[i] * k + z.predictions[i]] += 1;
    QStringList labels;
    for (const auto& n : names) labels << QString::fromStdString(n.symbol.size() <= 2 ? n.symbol : n.word.substr(0, 5));
    m_confusion->setMatrix(k, k, counts, labels, labels);
}

double ClipZeroShotPanel::shownAccuracy(int c) const {
    auto* bar = qobject_cast<QProgressBar*>(m_table->cellWidget(c, 1));
    return bar ? bar->property("accuracy").toDouble() : std::numeric_limits<double>::quiet_NaN();
}

void ClipZeroShotPanel::applyAppearance(const Appearance& a) {
    m_confusion->setDark(a.dark);
    m_table->verticalHeader()->setDefaultSectionSize(a.presentation ? 44 : 32);
}
