// token_attention_view.h — TokenAttentionView: one attention head of a language model over a short text, from
// plain data (an n×n row-major matrix, row = the token that looks, column = the token looked at, and the n
// token strings). Above, the text as a row of token boxes; hovering a token outlines it and shades every other
// token by how much the hovered one attends to it. Below, the token × token heatmap with the tokens on both
// axes. Only the last maxTokens() tokens are drawn (64 by default), so the letters stay legible. No engine types.
#pragma once

#include <QRect>
#include <QStringList>
#include <QVector>
#include <QWidget>

class TokenAttentionView : public QWidget {
    Q_OBJECT
public:
    explicit TokenAttentionView(QWidget* parent = nullptr);

    /// n tokens, values n·n weights row-major (each row a distribution: ≥ 0, finite). Returns false, keeps
    /// nothing and sets *error when the sizes disagree or a value is negative or not finite.
    /// Example: view->setAttention(3, {1,0,0, .5,.5,0, .2,.3,.5}, {"a", "b", "c"});
    bool setAttention(int n, const QVector<double>& values, const QStringList& tokens, QString* error = nullptr);
    void clear();
    /// At most this many tokens (the last ones) are drawn; earlier ones are left out of both the text and the matrix.
    void setMaxTokens(int n);
    int maxTokens() const { return m_maxTokens; }
    void setCaption(const QString& caption);
    /// What the view says while it has no attention to show (default: "Generate some text to see …").
    void setEmptyText(const QString& text);
    QString emptyText() const { return m_emptyText; }
    /// The caption as drawn: "Showing the last 64 of 90 tokens." first when tokens are left out (unless the owner
    /// says so itself: setWindowNote(false)).
    QString captionText() const;
    void setWindowNote(bool on);
    void setDark(bool dark);
    /// 1.5 in presentation mode: larger token boxes and labels.
    void setFontScale(double scale);

    int tokenCount() const { return m_n; }
    int firstShown() const { return m_n > m_maxTokens ? m_n - m_maxTokens : 0; }  ///< index of the first drawn token
    int shownCount() const { return m_n - firstShown(); }
    double weight(int row, int col) const;  ///< NaN outside the matrix
    QVector<double> rowWeights(int token) const;  ///< what `token` attends to: row `token`, n values
    const QStringList& tokens() const { return m_tokens; }

    /// The token under the mouse (in the text or a row of the matrix), -1 for none.
    int hoveredToken() const { return m_hovered; }
    void setHoveredToken(int token);
    /// How strongly token `token` is shaded in the text right now: weight(hovered, token) / the row's largest
    /// shown weight, in [0, 1]; 0 when nothing is hovered or the token is not drawn.
    double shadeOf(int token) const;

    QRect tokenRect(int token) const;          ///< the token's box in the text, widget coordinates (empty if not drawn)
    QRect cellRect(int row, int col) const;    ///< a matrix cell (empty if not drawn)
    /// How a token is written on screen: space "␣", newline "↵", tab "⇥", other characters as they are.
    static QString displayToken(const QString& token);

    QSize minimumSizeHint() const override { return {320, 320}; }
    QSize sizeHint() const override { return {640, 640}; }

signals:
    void tokenHovered(int token);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool event(QEvent* event) override;

private:
    void relayout();
    QColor heat(double t) const;
    QFont tokenFont() const;
    QFont labelFont(double cell) const;

    int m_n = 0;
    QVector<double> m_values;
    QStringList m_tokens;
    int m_maxTokens = 64;
    int m_hovered = -1;
    QString m_caption;
    QString m_emptyText = tr("Generate some text to see which earlier characters each one attends to.");
    bool m_dark = false;
    bool m_windowNote = true;
    double m_fontScale = 1.0;

    // Layout, recomputed on resize and new data (widget coordinates).
    QVector<QRect> m_tokenRects;  // one per shown token
    QRect m_textArea, m_grid;
    double m_cell = 0;
    int m_captionHeight = 0;
};
