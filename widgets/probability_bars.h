// probability_bars.h — ProbabilityBars: one horizontal bar per class with its label and percentage, the
// largest highlighted. Plain numbers in (probabilities that sum to 1), no engine.
#pragma once

#include <QStringList>
#include <QVector>
#include <QWidget>

class ProbabilityBars : public QWidget {
    Q_OBJECT
public:
    explicit ProbabilityBars(QWidget* parent = nullptr);
    /// Example: bars->setProbabilities({0.01, 0.9, ...}, {"0", "1", ...});
    void setProbabilities(const QVector<double>& p, const QStringList& labels = {});
    const QVector<double>& probabilities() const { return m_p; }
    int topClass() const;  ///< -1 when empty
    void setDark(bool dark);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QVector<double> m_p;
    QStringList m_labels;
    bool m_dark = false;
};
