// clip_search_panel.cpp — see clip_search_panel.h.
#include "panels/clip_search_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include "bp/train/clip_search.h"
#include "image_grid.h"

ClipSearchPanel::ClipSearchPanel(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("clip.search"));
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    m_caption = new QLineEdit(QStringLiteral("a thick 7 leaning right"));
    m_caption->setObjectName(QStringLiteral("clip.caption"));
    m_caption->setPlaceholderText(tr("Describe a picture: \"a thin 4\", \"a small 0 leaning left\", \"the digit 2, thick\""));
    m_caption->setToolTip(tr("Lower-case letters, digits and , - / : are understood; properties the captions use: thin / "
                             "thick, small / large, leaning left / upright / leaning right."));
    m_count = new QSpinBox;
    m_count->setRange(8, 16);
    m_count->setValue(12);
    m_count->setToolTip(tr("How many of the best-matching test pictures to show."));
    top->addWidget(new QLabel(tr("Caption")));
    top->addWidget(m_caption, 1);
    top->addWidget(new QLabel(tr("show")));
    top->addWidget(m_count);
    layout->addLayout(top);
    m_note = new QLabel;
    m_note->setObjectName(QStringLiteral("clip.searchNote"));
    m_note->setWordWrap(true);
    layout->addWidget(m_note);
    m_grid = new ImageGrid;
    m_grid->setObjectName(QStringLiteral("clip.results"));
    m_grid->setFitToSize(true, 220);
    m_grid->setEmptyText(tr("Train CLIP-mini (or open one): the test pictures that best match the caption appear here."));
    layout->addWidget(m_grid, 1);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(150);  // one search per pause in typing, not one per key
    connect(m_debounce, &QTimer::timeout, this, &ClipSearchPanel::searchNow);
    connect(m_caption, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_count, &QSpinBox::valueChanged, this, &ClipSearchPanel::searchNow);
}

int ClipSearchPanel::debounceMs() const { return m_debounce->interval(); }

void ClipSearchPanel::setModel(std::shared_ptr<const ClipModel> model) {
    m_model = std::move(model);
    searchNow();
}

void ClipSearchPanel::searchNow() {
    m_debounce->stop();
    m_results.clear();
    m_searched.clear();
    if (!m_model) {
        m_grid->setItems({});
        m_note->setText(tr("No model yet."));
        return;
    }
    QString dropped;
    const std::string caption = cliptools::normalizeCaption(*m_model, m_caption->text(), &dropped);
    if (caption.find_first_not_of(' ') == std::string::npos) {
        m_grid->setItems({});
        m_note->setText(tr("Type a caption."));
        emit searched();
        return;
    }
    try {
        m_results = bp::train::search_images(*m_model->model, m_model->vocab, caption, m_model->testEmbeddings, m_count->value());
    } catch (const std::exception& e) {
        m_grid->setItems({});
        m_note->setText(QString::fromUtf8(e.what()));
        return;
    }
    m_searched = caption;
    const bp::data::CaptionedImages& test = *m_model->test;
    QVector<ImageGrid::Item> items;
    for (const bp::train::Match& m : m_results) {
        ImageGrid::Item it;
        it.image = cliptools::pictureImage(test.images, m.index);
        const auto label = test.images.labels[static_cast<size_t>(m.index)];
        it.caption = QStringLiteral("%1 · %2").arg(m.score, 0, 'f', 2).arg(QString::fromStdString(test.names[label].symbol));
        it.toolTip = tr("Test picture %1, cosine similarity %2<br>its own caption: <i>%3</i>")
                         .arg(m.index).arg(m.score, 0, 'f', 4)
                         .arg(QString::fromStdString(test.caption(m.index, bp::data::caption_train_templates)).toHtmlEscaped());
        items.push_back(it);
    }
    m_grid->setItems(items);
    m_note->setText(tr("The %1 best of %2 test %3 for “%4”, by cosine similarity (under each: score · true class; hover "
                       "for the picture's own caption).%5")
                        .arg(m_results.size())
                        .arg(QLocale().toString(static_cast<qlonglong>(m_model->testCount)))
                        .arg(m_model->dataset == "fashion-mnist" ? tr("pictures") : tr("digits"))
                        .arg(QString::fromStdString(caption))
                        .arg(dropped.isEmpty() ? QString() : tr(" Left out (not in the captions' alphabet): %1").arg(dropped)));
    emit searched();
}

void ClipSearchPanel::applyAppearance(const Appearance& a) { m_grid->setFitToSize(true, a.presentation ? 280 : 220); }
