// clip_draw_panel.h — the Draw page's CLIP box: once a CLIP-mini is trained or opened (on the CLIP page; it is
// shared through the ModelLibrary), the drawing's best-matching captions, top 5 with their cosine scores, among
// every caption the held-out template "a picture of …" writes (train::caption_candidates), updated as you draw.
#pragma once

#include <QGroupBox>
#include <memory>
#include <vector>

#include "tools/clip_tools.h"

class ModelLibrary;
class QLabel;
class QTableWidget;

class ClipDrawPanel : public QGroupBox {
    Q_OBJECT
public:
    explicit ClipDrawPanel(ModelLibrary* library, QWidget* parent = nullptr);
    /// The drawing as the model reads it: 28 × 28 values in [0, 1]; `ink` false for an empty pad.
    void setPicture(const std::vector<float>& picture01, bool ink);

    QTableWidget* table() const { return m_table; }
    /// The captions on screen (index into the model's candidates, cosine score), best first.
    const std::vector<bp::train::Match>& matches() const { return m_matches; }
    std::shared_ptr<const ClipModel> model() const { return m_model; }

private:
    void refresh();

    std::shared_ptr<const ClipModel> m_model;
    std::vector<float> m_picture;
    bool m_ink = false;
    std::vector<bp::train::Match> m_matches;
    QLabel* m_note = nullptr;
    QTableWidget* m_table = nullptr;
};
