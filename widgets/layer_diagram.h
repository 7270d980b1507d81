// layer_diagram.h — LayerDiagram: a model drawn as a column of boxes, input at the top, one box per layer
// (type, label, output shape, parameter count), arrows between them. Plain data in, so the Train page
// fills it from bp::models::describe_layers and a test can fill it by hand.
#pragma once

#include <QString>
#include <QVector>
#include <QWidget>

class LayerDiagram : public QWidget {
    Q_OBJECT
public:
    struct Layer {
        QString type;         // "Linear"
        QString label;        // "Linear(in_features=784, out_features=128, bias=true)"
        QString outputShape;  // "[128]"
        qint64 params = 0;
    };

    explicit LayerDiagram(QWidget* parent = nullptr);
    /// inputShape is drawn as the first box ("input [1, 28, 28]").
    void setLayers(const QString& inputShape, const QVector<Layer>& layers);
    const QVector<Layer>& layers() const { return m_layers; }
    void setDark(bool dark);

    QRect boxRect(int index) const;  ///< 0 is the input, i + 1 is layers()[i]
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override { return {300, heightForWidth(300)}; }
    QSize minimumSizeHint() const override { return {200, heightForWidth(200)}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;

private:
    int boxHeight() const;
    QColor colorFor(const QString& type) const;
    QString m_input;
    QVector<Layer> m_layers;
    bool m_dark = false;
};
