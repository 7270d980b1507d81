// clip_search_panel.h — the CLIP page's caption search: type a caption ("a thick 7 leaning right") and see the test
// pictures whose embeddings are most similar to the caption's, best first, with their cosine scores and their own
// (measured) captions; updated as you type, 150 ms after the last key. Ranks with the engine's
// train::search_images over the model's precomputed test embeddings.
#pragma once

#include <QWidget>
#include <memory>
#include <vector>

#include "core/page.h"
#include "tools/clip_tools.h"

class ImageGrid;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTimer;

class ClipSearchPanel : public QWidget {
    Q_OBJECT
public:
    explicit ClipSearchPanel(QWidget* parent = nullptr);
    void setModel(std::shared_ptr<const ClipModel> model);
    void applyAppearance(const Appearance& a);
    /// Searches for the box's text now (what the debounce timer does 150 ms after the last key).
    void searchNow();

    QLineEdit* captionEdit() const { return m_caption; }
    QSpinBox* countSpin() const { return m_count; }
    ImageGrid* grid() const { return m_grid; }
    QLabel* note() const { return m_note; }
    /// The ranking on screen (test picture index, cosine score), best first, and the caption it was made for.
    const std::vector<bp::train::Match>& results() const { return m_results; }
    const std::string& searchedCaption() const { return m_searched; }
    int debounceMs() const;

signals:
    void searched();  ///< new results are on screen

private:
    std::shared_ptr<const ClipModel> m_model;
    std::vector<bp::train::Match> m_results;
    std::string m_searched;
    QLineEdit* m_caption = nullptr;
    QSpinBox* m_count = nullptr;
    QTimer* m_debounce = nullptr;
    ImageGrid* m_grid = nullptr;
    QLabel* m_note = nullptr;
};
