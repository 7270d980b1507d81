// generated_text_view.cpp — see generated_text_view.h.
#include "panels/generated_text_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

#include "core/theme.h"
#include "token_attention_view.h"

namespace {
QString tokenCaption() {
    return QObject::tr("Hover a character: the others are shaded by how much it attends to them. Rows: each character; "
                       "columns: the earlier ones it can look at (causal).");
}
}  // namespace

GeneratedTextView::GeneratedTextView(GptController* gpt, QWidget* parent) : QWidget(parent), m_gpt(gpt) {
    auto* bv = new QVBoxLayout(this);
    m_output = new QPlainTextEdit;
    m_output->setObjectName(QStringLiteral("generatedText"));
    m_output->setReadOnly(true);
    m_output->setPlaceholderText(tr("Generated text appears here, character by character."));
    m_output->setMaximumHeight(60);
    auto* pick = new QHBoxLayout;
    m_layerCombo = new QComboBox;
    m_headCombo = new QComboBox;
    auto* pickLabel = new QLabel(tr("Show"));
    pickLabel->setObjectName(QStringLiteral("tokenPickLabel"));
    pick->addWidget(pickLabel);
    pick->addWidget(m_layerCombo);
    pick->addWidget(m_headCombo);
    pick->addStretch(1);
    m_tokenView = new TokenAttentionView;
    m_tokenView->setObjectName(QStringLiteral("attention.token_map"));
    m_tokenView->setCaption(tokenCaption());
    m_tokenView->setWindowNote(false);  // refresh() says it in characters
    bv->addWidget(m_output);
    bv->addLayout(pick);
    bv->addWidget(m_tokenView, 1);

    connect(m_gpt, &GptController::tokensGenerated, this, [this](const QString& piece) {
        m_streamed += piece;
        m_output->moveCursor(QTextCursor::End);
        m_output->insertPlainText(piece);
    });
    connect(m_gpt, &GptController::generationFinished, this, &GeneratedTextView::onFinished);
    connect(m_layerCombo, &QComboBox::currentIndexChanged, this, &GeneratedTextView::refresh);
    connect(m_headCombo, &QComboBox::currentIndexChanged, this, &GeneratedTextView::refresh);
}

void GeneratedTextView::startStreaming(const QString& promptText) {
    m_generation.reset();
    m_tokenView->clear();
    m_streamed = promptText;
    m_output->setPlainText(m_streamed);
}

void GeneratedTextView::onFinished(std::shared_ptr<const GenerationResult> result) {
    m_generation = std::move(result);
    m_streamed = m_generation->text;
    m_output->setPlainText(m_streamed);
    const QSignalBlocker b1(m_layerCombo), b2(m_headCombo);
    const int layer = std::max(0, m_layerCombo->currentIndex()), head = std::max(0, m_headCombo->currentIndex());
    m_layerCombo->clear();
    m_headCombo->clear();
    for (int l = 0; l < m_generation->attention.layers; ++l) m_layerCombo->addItem(tr("layer %1").arg(l + 1));
    for (int h = 0; h < m_generation->attention.heads; ++h) m_headCombo->addItem(tr("head %1").arg(h + 1));
    m_layerCombo->setCurrentIndex(std::min(layer, m_layerCombo->count() - 1));
    m_headCombo->setCurrentIndex(std::min(head, m_headCombo->count() - 1));
    refresh();
    emit generationShown();
}

void GeneratedTextView::showHead(int layer, int head) {
    m_layerCombo->setCurrentIndex(layer);
    m_headCombo->setCurrentIndex(head);
    refresh();
}

void GeneratedTextView::refresh() {
    if (!m_generation) return;
    const attentiontools::TokenAttention& a = m_generation->attention;
    const int l = m_layerCombo->currentIndex(), h = m_headCombo->currentIndex();
    if (l < 0 || h < 0 || l >= a.layers || h >= a.heads) return;
    QString error;
    const std::vector<double> weights = a.head(l, h);
    if (!m_tokenView->setAttention(a.tokens, QVector<double>(weights.begin(), weights.end()), m_generation->tokens, &error))
        emit problem(error);
    // Say which characters the map covers: the model's context holds the last 64, the view may show fewer.
    QString caption = tokenCaption();
    const int total = static_cast<int>(m_generation->ids.size()), shown = m_tokenView->shownCount();
    if (total > shown)
        caption = (shown < a.tokens ? tr("The last %1 of %2 characters (the model attends over its last %3). ").arg(shown).arg(total).arg(a.tokens)
                                    : tr("The last %1 of %2 characters (the model's context). ").arg(shown).arg(total)) + caption;
    m_tokenView->setCaption(caption);
    m_tokenView->setHoveredToken(a.tokens - 1);  // start with the last character: what did it look at?
}

void GeneratedTextView::applyAppearance(const Appearance& a) {
    m_tokenView->setDark(a.dark);
    m_tokenView->setFontScale(theme::fontScale(a));
    // On a projector the characters must stay readable: fewer of them, larger cells.
    m_tokenView->setMaxTokens(a.presentation ? 40 : 64);
    refresh();
}
