// clip_draw_panel.cpp — see clip_draw_panel.h.
#include "panels/clip_draw_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "bp/train/clip_search.h"
#include "tools/model_library.h"

ClipDrawPanel::ClipDrawPanel(ModelLibrary* library, QWidget* parent) : QGroupBox(tr("CLIP-mini: captions that match"), parent) {
    setObjectName(QStringLiteral("draw.clip"));
    auto* layout = new QVBoxLayout(this);
    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_table = new QTableWidget(0, 2);
    m_table->setObjectName(QStringLiteral("draw.clipCaptions"));
    m_table->setHorizontalHeaderLabels({tr("Caption"), tr("Score")});
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    layout->addWidget(m_note);
    layout->addWidget(m_table);
    if (library) {
        m_model = library->clipModel();
        connect(library, &ModelLibrary::clipModelChanged, this, [this, library] {
            m_model = library->clipModel();
            refresh();
        });
    }
    refresh();
}

void ClipDrawPanel::setPicture(const std::vector<float>& picture01, bool ink) {
    m_picture = picture01;
    m_ink = ink;
    refresh();
}

void ClipDrawPanel::refresh() {
    m_matches.clear();
    m_table->setRowCount(0);
    m_table->setVisible(m_model && m_ink);
    if (!m_model) {
        m_note->setText(tr("Train a CLIP-mini on the CLIP page (or open one there) to see which captions match your drawing."));
        return;
    }
    if (!m_ink) {
        m_note->setText(tr("Draw: the captions most similar to your drawing appear here."));
        return;
    }
    try {
        m_matches = bp::train::top_k(bp::train::embed_picture(*m_model->model, m_picture), m_model->candidateEmbeddings, 5);
    } catch (const std::exception& e) {
        m_note->setText(QString::fromUtf8(e.what()));
        return;
    }
    m_note->setText(tr("The 5 best of %1 captions (cosine similarity):").arg(m_model->candidates.size()));
    m_table->setRowCount(static_cast<int>(m_matches.size()));
    for (int i = 0; i < static_cast<int>(m_matches.size()); ++i) {
        const bp::train::Match& m = m_matches[static_cast<size_t>(i)];
        m_table->setItem(i, 0, new QTableWidgetItem(QString::fromStdString(m_model->candidates[static_cast<size_t>(m.index)])));
        auto* score = new QTableWidgetItem(QString::number(m.score, 'f', 3));
        score->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->setItem(i, 1, score);
    }
    m_table->resizeRowsToContents();
    int h = m_table->horizontalHeader()->height() + 4;
    for (int i = 0; i < m_table->rowCount(); ++i) h += m_table->rowHeight(i);
    m_table->setFixedHeight(h);
}
