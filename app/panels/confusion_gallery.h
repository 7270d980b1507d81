// confusion_gallery.h — the dialog a confusion-matrix cell opens: every test image of one true class that the
// network called another (or the same) class in the last evaluation, with the probability it gave.
#pragma once

#include <QDialog>
#include <memory>

struct EvaluationSnapshot;
class ImageGrid;
class QLabel;

class ConfusionGallery : public QDialog {
    Q_OBJECT
public:
    explicit ConfusionGallery(QWidget* parent = nullptr);
    /// Fills the gallery for the cell (trueClass, predicted) of `snap`, then shows it.
    void showCell(const EvaluationSnapshot& snap, int trueClass, int predicted);
    int trueClass() const { return m_row; }
    int predictedClass() const { return m_col; }
    ImageGrid* grid() const { return m_grid; }

private:
    QLabel* m_title = nullptr;
    ImageGrid* m_grid = nullptr;
    int m_row = 0, m_col = 0;
};
