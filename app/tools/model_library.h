// model_library.h — ModelLibrary: the models this session can draw with — those the app ships
// (resources/models/*.safetensors, compiled into the qrc), those trained on the Train page and those
// opened from files. One per main window, shared by pages through AppContext; GUI thread only.
#pragma once

#include <QObject>
#include <QString>
#include <QVector>
#include <memory>

#include "bp/models/zoo.h"

struct ClipModel;

class ModelLibrary : public QObject {
    Q_OBJECT
public:
    struct Entry {
        QString name;    // shown in choosers: "MLP — trained 12:41 (97.8 %)"
        QString source;  // "shipped", "trained" or "opened"
        std::shared_ptr<const bp::models::Model> model;  // never changed once added
    };

    explicit ModelLibrary(QObject* parent = nullptr);

    /// Adds a model, or replaces the one with the same name. Emits modelsChanged.
    void addModel(const QString& name, const QString& source, std::shared_ptr<const bp::models::Model> model);
    const QVector<Entry>& entries() const { return m_entries; }
    int indexOf(const QString& name) const;
    /// Loads every :/models/*.safetensors once (a file that fails to load is skipped with a warning).
    /// Returns how many were added.
    int loadShippedModels();
    /// Loads every *.safetensors of `dir` (a Qt resource path like ":/models" or a real folder), named after
    /// the file with `suffix`; files that fail to load are skipped with a warning. Returns how many were added.
    int loadModelsFrom(const QString& dir, const QString& source, const QString& suffix);

    /// The CLIP-mini of this session (trained or opened on the CLIP page), which the Draw page matches captions with;
    /// null before one. Emits clipModelChanged.
    void setClipModel(std::shared_ptr<const ClipModel> model);
    std::shared_ptr<const ClipModel> clipModel() const { return m_clip; }

signals:
    void modelsChanged();
    void clipModelChanged();

private:
    QVector<Entry> m_entries;
    bool m_shippedLoaded = false;
    std::shared_ptr<const ClipModel> m_clip;
};
