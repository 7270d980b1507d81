// model_library.cpp — see model_library.h.
#include "tools/model_library.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtDebug>

#include "tools/model_tools.h"

ModelLibrary::ModelLibrary(QObject* parent) : QObject(parent) {}

void ModelLibrary::addModel(const QString& name, const QString& source, std::shared_ptr<const bp::models::Model> model) {
    if (!model) return;
    const int i = indexOf(name);
    if (i >= 0) m_entries[i] = {name, source, std::move(model)};
    else m_entries.push_back({name, source, std::move(model)});
    emit modelsChanged();
}

int ModelLibrary::indexOf(const QString& name) const {
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].name == name) return i;
    return -1;
}

int ModelLibrary::loadShippedModels() {
    if (m_shippedLoaded) return 0;
    m_shippedLoaded = true;
    return loadModelsFrom(QStringLiteral(":/models"), QStringLiteral("shipped"), tr(" (shipped)"));
}

int ModelLibrary::loadModelsFrom(const QString& path, const QString& source, const QString& suffix) {
    const QDir dir(path);
    const QStringList files = dir.entryList({QStringLiteral("*.safetensors")}, QDir::Files, QDir::Name);
    if (files.isEmpty()) return 0;
    QTemporaryDir tmp;  // the engine reads files, not Qt resources: copy each out first
    int added = 0;
    for (const QString& f : files) {
        const QString out = tmp.filePath(f);
        if (!QFile::copy(dir.filePath(f), out)) continue;
        try {
            std::shared_ptr<const bp::models::Model> model = modeltools::loadModelFile(out.toStdString());
            m_entries.push_back({QFileInfo(f).completeBaseName() + suffix, source, model});
            ++added;
        } catch (const std::exception& e) {
            qWarning("backprop-studio: model %s does not load: %s", qPrintable(dir.filePath(f)), e.what());
        }
    }
    if (added) emit modelsChanged();
    return added;
}

void ModelLibrary::setClipModel(std::shared_ptr<const ClipModel> model) {
    m_clip = std::move(model);
    emit clipModelChanged();
}
