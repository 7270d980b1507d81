// bert_fill_panel.cpp — see bert_fill_panel.h.
#include "panels/bert_fill_panel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include "bp/io/bert_file.h"
#include "controllers/gpt_controller.h"
#include "core/app_settings.h"
#include "core/facts.h"
#include "core/theme.h"
#include "panels/bert_finetune_panel.h"
#include "panels/scroll_column.h"
#include "token_attention_view.h"

BertFillPanel::BertFillPanel(const AppContext& context, QWidget* parent)
    : QWidget(parent), m_context(context), m_bert(new BertController(this)) {
    setObjectName(QStringLiteral("attention.bert"));
    auto* layout = new QHBoxLayout(this);
    layout->setSpacing(12);

    auto* left = new QVBoxLayout;
    auto* trainBox = new QGroupBox(tr("BERT-mini: guess the hidden characters"));
    auto* tv = new QGridLayout(trainBox);
    auto* explain = new QLabel(tr("BERT learns by filling in blanks: 15 % of the characters of each window are hidden "
                                  "([MASK]) and it guesses them from both sides. 2 layers, 4 heads, d 64, on the fortunes."));
    explain->setWordWrap(true);
    m_steps = new QSpinBox;
    m_steps->setObjectName(QStringLiteral("attention.bert_steps"));
    m_steps->setRange(10, 20000);
    m_steps->setSingleStep(100);
    m_steps->setValue(BertController::kPretrainSteps);
    m_steps->setToolTip(tr("Optimizer steps of 16 windows × 64 characters."));
    m_train = new QPushButton(tr("Train"));
    m_train->setObjectName(QStringLiteral("attention.bert_train"));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setToolTip(tr("Stop training; the model as it is now is kept."));
    m_open = new QPushButton(tr("Open…"));
    m_open->setToolTip(tr("A BERT-mini saved here or by `backprop train-text --model bert`."));
    m_save = new QPushButton(tr("Save…"));
    m_progress = new QProgressBar;
    m_status = new QLabel(tr("No BERT yet: train one (about three minutes for %1 steps on an idle core) or open a saved one.")
                              .arg(BertController::kPretrainSteps));
    m_status->setObjectName(QStringLiteral("bertStatus"));
    m_status->setWordWrap(true);
    tv->addWidget(explain, 0, 0, 1, 4);
    tv->addWidget(new QLabel(tr("Steps")), 1, 0);
    tv->addWidget(m_steps, 1, 1);
    tv->addWidget(m_train, 1, 2);
    tv->addWidget(m_stop, 1, 3);
    tv->addWidget(m_open, 2, 2);
    tv->addWidget(m_save, 2, 3);
    tv->addWidget(m_progress, 3, 0, 1, 4);
    tv->addWidget(m_status, 4, 0, 1, 4);
    left->addWidget(trainBox);

    auto* fillBox = new QGroupBox(tr("Fill in the blanks"));
    auto* fv = new QVBoxLayout(fillBox);
    m_sentence = new QLineEdit(QStringLiteral("The qu_ck brown f_x jumps over the l_zy dog."));
    m_sentence->setObjectName(QStringLiteral("attention.bert_text"));
    m_sentence->setToolTip(tr("Type a sentence; every _ is a blank the model fills from the characters on both sides."));
    m_blanks = new QTableWidget(0, 2);
    m_blanks->setObjectName(QStringLiteral("attention.bert_blanks"));
    m_blanks->setHorizontalHeaderLabels({tr("Blank"), tr("Most likely characters")});
    m_blanks->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_blanks->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_blanks->setWordWrap(true);
    m_blanks->verticalHeader()->hide();
    m_blanks->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_note = new QLabel;
    m_note->setWordWrap(true);
    fv->addWidget(m_sentence);
    fv->addWidget(m_blanks, 1);
    fv->addWidget(m_note);
    left->addWidget(fillBox, 1);
    m_column = scrollColumn(left);
    m_column->setFixedWidth(400);
    layout->addWidget(m_column);

    auto* right = new QVBoxLayout;
    right->setContentsMargins(0, 0, 0, 0);
    auto* pick = new QHBoxLayout;
    m_layer = new QComboBox;
    m_head = new QComboBox;
    pick->addWidget(new QLabel(tr("Show")));
    pick->addWidget(m_layer);
    pick->addWidget(m_head);
    pick->addStretch(1);
    m_view = new TokenAttentionView;
    m_view->setObjectName(QStringLiteral("attention.bert_attention"));
    m_view->setCaption(tr("Hover a character: the others are shaded by how much it attends to them. Rows: each character; "
                          "columns: every character of the sentence, before and after it (bidirectional: no triangle)."));
    m_view->setEmptyText(tr("Train BERT-mini (or open one), then type a sentence with blanks: its attention appears here."));
    m_gptView = new TokenAttentionView;
    m_gptView->setEmptyText(tr("GPT-mini's attention on the same sentence appears here."));
    m_gptView->setObjectName(QStringLiteral("attention.bert_gpt_attention"));
    m_gptView->setCaption(tr("GPT-mini on the same sentence (blanks filled with BERT's guess): each character sees only the "
                             "ones before it, so the map is a triangle."));
    m_gptNote = new QLabel;
    m_gptNote->setObjectName(QStringLiteral("bertGptNote"));
    m_gptNote->setWordWrap(true);
    auto* maps = new QHBoxLayout;
    auto* bertSide = new QVBoxLayout;
    bertSide->addWidget(new QLabel(tr("<b>BERT-mini</b>: both directions")));
    bertSide->addWidget(m_view, 1);
    auto* gptSide = new QVBoxLayout;
    gptSide->addWidget(new QLabel(tr("<b>GPT-mini</b>: left to right only")));
    gptSide->addWidget(m_gptView, 1);
    gptSide->addWidget(m_gptNote);
    maps->addLayout(bertSide, 1);
    maps->addLayout(gptSide, 1);
    auto* attentionTab = new QWidget;
    auto* at = new QVBoxLayout(attentionTab);
    at->addLayout(pick);
    at->addLayout(maps, 1);
    m_fineTune = new BertFineTunePanel(m_bert);
    m_views = new QTabWidget;
    m_views->setObjectName(QStringLiteral("attention.bert_views"));
    m_views->addTab(attentionTab, tr("Attention: both ways vs left to right"));
    m_views->addTab(m_fineTune, tr("Fine-tuning: does pre-training pay?"));
    right->addWidget(m_views, 1);
    layout->addLayout(right, 1);

    connect(m_train, &QPushButton::clicked, this, [this] {
        if (m_bert->start(m_steps->value())) {
            m_progress->setMaximum(m_steps->value());
            m_progress->setValue(0);
            m_status->setText(tr("Loading the text and starting…"));
        }
    });
    connect(m_stop, &QPushButton::clicked, m_bert, &BertController::stop);
    connect(m_bert, &BertController::runningChanged, this, [this](bool running) {
        m_train->setEnabled(!running);
        m_stop->setEnabled(running);
        m_open->setEnabled(!running);
        if (m_context.facts) m_context.facts->set(QStringLiteral("bert.running"), running);
    });
    connect(m_bert, &BertController::stepsArrived, this, [this](const QVector<bp::train::MlmStepEvent>& s) {
        const bp::train::MlmStepEvent& e = s.back();
        m_progress->setValue(e.step);
        m_status->setText(tr("Step %1 of %2: masked-character loss %3, %4 characters/s, about %5 s left")
                              .arg(e.step).arg(e.steps).arg(e.loss, 0, 'f', 3).arg(e.tokens_per_second, 0, 'f', 0).arg(e.eta_seconds, 0, 'f', 0));
    });
    connect(m_bert, &BertController::evalsArrived, this, [this](const QVector<bp::train::MlmEvalEvent>& ev) {
        const bp::train::MlmEvalEvent& e = ev.back();
        m_note->setText(tr("Validation: %1 % of hidden characters guessed right (loss %2); a model that only knows how "
                           "often each character occurs gets %3 % (loss %4).")
                            .arg(e.val_accuracy * 100, 0, 'f', 1).arg(e.val_loss, 0, 'f', 3)
                            .arg(e.unigram_accuracy * 100, 0, 'f', 1).arg(e.unigram_loss, 0, 'f', 3));
        if (m_context.facts) {
            m_context.facts->set(QStringLiteral("bert.val_accuracy"), e.val_accuracy);
            m_context.facts->set(QStringLiteral("bert.unigram_accuracy"), e.unigram_accuracy);
        }
    });
    connect(m_bert, &BertController::trained, this, [this](const BertModel& m, bool stopped) {
        m_status->setText(stopped ? tr("Stopped: the model as it was is used below.") : tr("Trained: type a sentence with blanks."));
        setModel(m);
        if (m_context.facts) m_context.facts->set(QStringLiteral("bert.trained"), true);
    });
    connect(m_bert, &BertController::failed, this, [this](const QString& message) { m_status->setText(tr("Training failed: %1").arg(message)); });
    connect(m_open, &QPushButton::clicked, this, [this] {
        const QString dir = m_context.settings ? m_context.settings->lastDirectory() : QString();
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a BERT-mini"), dir, tr("Models (*.safetensors)"));
        if (path.isEmpty()) return;
        if (const QString error = openModel(path); !error.isEmpty()) m_status->setText(error);
    });
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString dir = m_context.settings ? m_context.settings->lastDirectory() : QString();
        const QString path = QFileDialog::getSaveFileName(this, tr("Save BERT-mini"), dir + QStringLiteral("/bert.safetensors"),
                                                          tr("Models (*.safetensors)"));
        if (path.isEmpty()) return;
        const QString error = saveModel(path);
        m_status->setText(error.isEmpty() ? tr("Saved %1.").arg(QFileInfo(path).fileName()) : error);
    });
    connect(m_sentence, &QLineEdit::textChanged, this, &BertFillPanel::refill);  // as you type
    connect(m_layer, &QComboBox::currentIndexChanged, this, &BertFillPanel::showHead);
    connect(m_head, &QComboBox::currentIndexChanged, this, &BertFillPanel::showHead);
    m_stop->setEnabled(false);
    m_save->setEnabled(false);
}

void BertFillPanel::setModel(const BertModel& model) {
    m_model = model;
    m_fineTune->setModel(model);
    m_save->setEnabled(hasModel());
    const QSignalBlocker b1(m_layer), b2(m_head);
    m_layer->clear();
    m_head->clear();
    if (hasModel()) {
        for (int l = 0; l < m_model.model->options().layers; ++l) m_layer->addItem(tr("layer %1").arg(l + 1));
        for (int h = 0; h < m_model.model->options().heads; ++h) m_head->addItem(tr("head %1").arg(h + 1));
    }
    refill();
}

QString BertFillPanel::openModel(const QString& path) {
    try {
        bp::io::LoadedBert b = bp::io::load_bert(path.toStdString());
        setModel(BertModel{b.model, b.vocab});
    } catch (const std::exception& e) {
        return tr("%1 is not a BERT-mini this app can open: %2").arg(QFileInfo(path).fileName(), QString::fromUtf8(e.what()));
    }
    m_status->setText(tr("Opened %1.").arg(QFileInfo(path).fileName()));
    return {};
}

QString BertFillPanel::saveModel(const QString& path) {
    if (!hasModel()) return tr("There is no BERT to save yet: train one first.");
    try {
        bp::io::save_bert(path.toStdString(), *m_model.model, m_model.vocab);
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

void BertFillPanel::refill() {
    m_blanks->setRowCount(0);
    m_fill.reset();
    if (!hasModel()) {
        showGpt();
        return;
    }
    try {
        m_fill = berttools::fillBlanks(*m_model.model, m_model.vocab, m_sentence->text(), 5);
    } catch (const std::exception& e) {
        m_note->setText(QString::fromUtf8(e.what()));
        m_view->clear();
        showGpt();
        return;
    }
    for (size_t i = 0; i < m_fill->blanks.size(); ++i) {
        const berttools::Blank& b = m_fill->blanks[i];
        QStringList parts;
        for (const auto& [ch, p] : b.top) parts << QStringLiteral("%1 %2 %").arg(TokenAttentionView::displayToken(ch)).arg(p * 100, 0, 'f', 0);
        // The blank in its context: two characters each side, the blank itself as _.
        QString around;
        for (int t = std::max(1, b.position - 2); t <= std::min(static_cast<int>(m_fill->tokens.size()) - 1, b.position + 2); ++t)
            around += t == b.position ? QStringLiteral("_") : m_fill->tokens.at(t) == QLatin1String("[MASK]") ? QStringLiteral("_")
                                                                                                                   : m_fill->tokens.at(t);
        m_blanks->insertRow(static_cast<int>(i));
        auto* where = new QTableWidgetItem(QStringLiteral("“%1”").arg(around));
        where->setToolTip(tr("Blank %1, character %2 of the sentence").arg(i + 1).arg(b.position));
        m_blanks->setItem(static_cast<int>(i), 0, where);
        auto* item = new QTableWidgetItem(parts.join(QStringLiteral("  ")));
        item->setData(Qt::UserRole, b.top.empty() ? QString() : b.top.front().first);
        m_blanks->setItem(static_cast<int>(i), 1, item);
    }
    m_blanks->resizeRowsToContents();
    if (!m_fill->unknown.isEmpty()) m_note->setText(tr("Not in the text's alphabet, left out: %1").arg(m_fill->unknown));
    else if (m_fill->blanks.empty()) m_note->setText(tr("Type _ where a character should be guessed."));
    if (m_context.facts && !m_fill->blanks.empty() && !m_fill->blanks.front().top.empty())
        m_context.facts->set(QStringLiteral("bert.top"), m_fill->blanks.front().top.front().first);
    showHead();
    emit filled();
}

void BertFillPanel::showHead() {
    if (!m_fill) {
        showGpt();
        return;
    }
    const attentiontools::TokenAttention& a = m_fill->attention;
    const int l = std::max(0, m_layer->currentIndex()), h = std::max(0, m_head->currentIndex());
    if (l >= a.layers || h >= a.heads) return;
    const std::vector<double> w = a.head(l, h);
    m_view->setAttention(a.tokens, QVector<double>(w.begin(), w.end()), m_fill->tokens);
    showGpt();
}

void BertFillPanel::setGpt(GptController* gpt) {
    m_gptRuns = gpt;
    for (auto signal : {&GptController::runFinished, &GptController::runOpened})
        connect(gpt, signal, this, &BertFillPanel::showGpt);
    connect(gpt, &GptController::stateChanged, this, &BertFillPanel::showGpt);  // after a generation frees the model
    showGpt();
}

void BertFillPanel::showGpt() {
    std::shared_ptr<bp::models::GptMini> model;
    std::shared_ptr<const bp::data::TextCorpus> corpus;
    if (m_gptRuns)
        for (const GptRun& r : m_gptRuns->runs())
            if (r.model) {
                model = r.model;
                corpus = r.corpus;
            }
    if (!model || !m_fill) {
        m_gptView->clear();
        m_gptNote->setText(model ? tr("GPT-mini's map appears with BERT's, once BERT has a sentence to read.")
                                 : tr("Train GPT-mini on the Language tab (or open a saved one there) to see its attention "
                                      "here, beside BERT's."));
        m_gptAttention = {};
        m_gptModel = nullptr;
        m_gptNote->setVisible(true);
        return;
    }
    // The sentence as BERT completed it: [MASK] becomes the top guess, [CLS] is BERT's own and left out.
    QString text;
    size_t blank = 0;
    for (int t = 1; t < m_fill->tokens.size(); ++t) {
        if (m_fill->tokens.at(t) == QLatin1String("[MASK]")) {
            const auto& b = m_fill->blanks;
            text += blank < b.size() && !b[blank].top.empty() ? b[blank].top.front().first : QStringLiteral("_");
            ++blank;
        } else {
            text += m_fill->tokens.at(t);
        }
    }
    if (text != m_gptText || model.get() != m_gptModel) {
        // The model is shared with the sampler: read it only while the Language tab is not writing with it.
        if (m_gptRuns->state() == GptController::State::Generating) return;
        std::vector<int32_t> ids = corpus->tokenizer.encode_lossy(text.toStdString());
        const auto context = static_cast<size_t>(model->options().context);
        if (ids.size() > context) ids.resize(context);
        m_gptText = text;
        m_gptModel = model.get();
        m_gptTokens.clear();
        m_gptAttention = {};
        if (ids.empty()) {
            m_gptView->clear();
            m_gptNote->setText(tr("None of these characters are in GPT-mini's alphabet."));
            m_gptNote->setVisible(true);
            return;
        }
        m_gptAttention = attentiontools::runGpt(*model, ids);
        for (int32_t id : m_gptAttention.ids) m_gptTokens << QString::fromStdString(corpus->tokenizer.token_text(id));
    }
    if (m_gptAttention.layers == 0) return;
    const int l = std::clamp(m_layer->currentIndex(), 0, m_gptAttention.layers - 1);
    const int h = std::clamp(m_head->currentIndex(), 0, m_gptAttention.heads - 1);
    const std::vector<double> w = m_gptAttention.head(l, h);
    m_gptView->setAttention(m_gptAttention.tokens, QVector<double>(w.begin(), w.end()), m_gptTokens);
    m_gptNote->setVisible(false);
}

void BertFillPanel::applyAppearance(const Appearance& a) {
    for (TokenAttentionView* v : {m_view, m_gptView}) {
        v->setDark(a.dark);
        v->setFontScale(theme::fontScale(a));
    }
    m_column->setFixedWidth(a.presentation ? 540 : 400);  // the larger text must not clip the controls
    m_fineTune->applyAppearance(a);
}
