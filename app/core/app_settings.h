// app_settings.h — AppSettings: the one place that knows QSettings keys. Pages read and write typed values
// through it (last model, hyperparameters, window geometry, last page); no QSettings strings elsewhere.
#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>

#include "core/page.h"

/// The hyperparameters the Train page remembers between sessions.
struct TrainSettings {
    QString model = QStringLiteral("mlp");
    QString optimizer = QStringLiteral("adam");
    QString schedule = QStringLiteral("cosine");  // none | step | cosine
    double learningRate = 1e-3;
    int batchSize = 32;
    int epochs = 3;
    qulonglong seed = 1;
    qint64 trainImages = 0;  // 0 = all
    qint64 testImages = 0;   // 0 = all
    bool augment = false;    // random shifts and rotations of the training images
    double weightDecay = 0;  // L2 penalty (decoupled for adamw)
    QString device = QStringLiteral("cpu");  // cpu | cuda (the CPU is used where CUDA is not usable)
};

/// What the Benchmarks page remembers.
struct BenchSettings {
    QString suite = QStringLiteral("all");  // all | ops | models | accuracy | scaling
    bool quick = true;
    int threads = 1;        // 0 = all cores
    QString lastResults;    // the results file shown last
    QString exportDir;      // where charts were exported last
    int exportDpi = 150;
};

/// What the Attention page remembers.
struct AttentionSettings {
    QString tab = QStringLiteral("vit");      // vit | gpt
    int testImage = 0;                        // the MNIST test image shown
    QString block = QStringLiteral("gpt2");   // gpt2 | modern
    int steps = 300;
    QString prompt = QStringLiteral("The ");
    double temperature = 0.8;
    int topK = 0;
    int length = 120;
};

class AppSettings {
public:
    AppSettings();  // the application's settings (organisation/application names from QCoreApplication)

    TrainSettings trainSettings() const;
    BenchSettings benchSettings() const;
    void setBenchSettings(const BenchSettings& s);
    AttentionSettings attentionSettings() const;
    void setAttentionSettings(const AttentionSettings& s);
    void setTrainSettings(const TrainSettings& s);
    /// The Playground page's state, as the JSON of its Save… file (empty: the default state).
    QString playgroundState() const;
    void setPlaygroundState(const QString& json);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& g);
    QByteArray windowState() const;  ///< QMainWindow::saveState()
    void setWindowState(const QByteArray& s);
    QString lastPage() const;
    void setLastPage(const QString& id);
    Appearance appearance() const;
    void setAppearance(const Appearance& a);
    QString lastModelFile() const;  ///< the model file last opened or saved
    void setLastModelFile(const QString& path);
    QString lastDirectory() const;  ///< where file dialogs open
    void setLastDirectory(const QString& dir);

private:
    mutable QSettings m_settings;
};
