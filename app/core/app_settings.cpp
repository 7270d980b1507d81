// app_settings.cpp — key names live here and nowhere else.
#include "core/app_settings.h"

namespace {
const char* kModel = "train/model";
const char* kOptimizer = "train/optimizer";
const char* kSchedule = "train/schedule";
const char* kLearningRate = "train/learningRate";
const char* kBatchSize = "train/batchSize";
const char* kEpochs = "train/epochs";
const char* kSeed = "train/seed";
const char* kTrainImages = "train/trainImages";
const char* kTestImages = "train/testImages";
const char* kAugment = "train/augment";
const char* kWeightDecay = "train/weightDecay";
const char* kDevice = "train/device";
const char* kGeometry = "window/geometry";
const char* kWindowState = "window/state";
const char* kDarkTheme = "view/darkTheme";
const char* kPresentation = "view/presentation";
const char* kLastModelFile = "files/lastModel";
const char* kLastDirectory = "files/lastDirectory";
const char* kLastPage = "window/lastPage";
const char* kBenchSuite = "bench/suite";
const char* kBenchQuick = "bench/quick";
const char* kBenchThreads = "bench/threads";
const char* kBenchLastResults = "bench/lastResults";
const char* kBenchExportDir = "bench/exportDir";
const char* kBenchExportDpi = "bench/exportDpi";
}  // namespace

AppSettings::AppSettings() = default;

TrainSettings AppSettings::trainSettings() const {
    TrainSettings d;
    TrainSettings s;
    s.model = m_settings.value(kModel, d.model).toString();
    s.optimizer = m_settings.value(kOptimizer, d.optimizer).toString();
    s.schedule = m_settings.value(kSchedule, d.schedule).toString();
    s.learningRate = m_settings.value(kLearningRate, d.learningRate).toDouble();
    s.batchSize = m_settings.value(kBatchSize, d.batchSize).toInt();
    s.epochs = m_settings.value(kEpochs, d.epochs).toInt();
    s.seed = m_settings.value(kSeed, d.seed).toULongLong();
    s.trainImages = m_settings.value(kTrainImages, d.trainImages).toLongLong();
    s.testImages = m_settings.value(kTestImages, d.testImages).toLongLong();
    s.augment = m_settings.value(kAugment, d.augment).toBool();
    s.weightDecay = m_settings.value(kWeightDecay, d.weightDecay).toDouble();
    s.device = m_settings.value(kDevice, d.device).toString();
    return s;
}

void AppSettings::setTrainSettings(const TrainSettings& s) {
    m_settings.setValue(kModel, s.model);
    m_settings.setValue(kOptimizer, s.optimizer);
    m_settings.setValue(kSchedule, s.schedule);
    m_settings.setValue(kLearningRate, s.learningRate);
    m_settings.setValue(kBatchSize, s.batchSize);
    m_settings.setValue(kEpochs, s.epochs);
    m_settings.setValue(kSeed, s.seed);
    m_settings.setValue(kTrainImages, s.trainImages);
    m_settings.setValue(kTestImages, s.testImages);
    m_settings.setValue(kAugment, s.augment);
    m_settings.setValue(kWeightDecay, s.weightDecay);
    m_settings.setValue(kDevice, s.device);
}

BenchSettings AppSettings::benchSettings() const {
    BenchSettings d, s;
    s.suite = m_settings.value(kBenchSuite, d.suite).toString();
    s.quick = m_settings.value(kBenchQuick, d.quick).toBool();
    s.threads = m_settings.value(kBenchThreads, d.threads).toInt();
    s.lastResults = m_settings.value(kBenchLastResults, d.lastResults).toString();
    s.exportDir = m_settings.value(kBenchExportDir, d.exportDir).toString();
    s.exportDpi = m_settings.value(kBenchExportDpi, d.exportDpi).toInt();
    return s;
}

void AppSettings::setBenchSettings(const BenchSettings& s) {
    m_settings.setValue(kBenchSuite, s.suite);
    m_settings.setValue(kBenchQuick, s.quick);
    m_settings.setValue(kBenchThreads, s.threads);
    m_settings.setValue(kBenchLastResults, s.lastResults);
    m_settings.setValue(kBenchExportDir, s.exportDir);
    m_settings.setValue(kBenchExportDpi, s.exportDpi);
}

AttentionSettings AppSettings::attentionSettings() const {
    AttentionSettings d, s;
    s.tab = m_settings.value(QStringLiteral("attention/tab"), d.tab).toString();
    s.testImage = m_settings.value(QStringLiteral("attention/testImage"), d.testImage).toInt();
    s.block = m_settings.value(QStringLiteral("attention/block"), d.block).toString();
    s.steps = m_settings.value(QStringLiteral("attention/steps"), d.steps).toInt();
    s.prompt = m_settings.value(QStringLiteral("attention/prompt"), d.prompt).toString();
    s.temperature = m_settings.value(QStringLiteral("attention/temperature"), d.temperature).toDouble();
    s.topK = m_settings.value(QStringLiteral("attention/topK"), d.topK).toInt();
    s.length = m_settings.value(QStringLiteral("attention/length"), d.length).toInt();
    return s;
}

void AppSettings::setAttentionSettings(const AttentionSettings& s) {
    m_settings.setValue(QStringLiteral("attention/tab"), s.tab);
    m_settings.setValue(QStringLiteral("attention/testImage"), s.testImage);
    m_settings.setValue(QStringLiteral("attention/block"), s.block);
    m_settings.setValue(QStringLiteral("attention/steps"), s.steps);
    m_settings.setValue(QStringLiteral("attention/prompt"), s.prompt);
    m_settings.setValue(QStringLiteral("attention/temperature"), s.temperature);
    m_settings.setValue(QStringLiteral("attention/topK"), s.topK);
    m_settings.setValue(QStringLiteral("attention/length"), s.length);
}

QString AppSettings::playgroundState() const { return m_settings.value(QStringLiteral("playground/state")).toString(); }
void AppSettings::setPlaygroundState(const QString& json) { m_settings.setValue(QStringLiteral("playground/state"), json); }

QByteArray AppSettings::windowGeometry() const { return m_settings.value(kGeometry).toByteArray(); }
void AppSettings::setWindowGeometry(const QByteArray& g) { m_settings.setValue(kGeometry, g); }
QString AppSettings::lastPage() const { return m_settings.value(kLastPage).toString(); }
void AppSettings::setLastPage(const QString& id) { m_settings.setValue(kLastPage, id); }
QByteArray AppSettings::windowState() const { return m_settings.value(kWindowState).toByteArray(); }
void AppSettings::setWindowState(const QByteArray& s) { m_settings.setValue(kWindowState, s); }

Appearance AppSettings::appearance() const {
    Appearance a;
    a.dark = m_settings.value(kDarkTheme, false).toBool();
    a.presentation = m_settings.value(kPresentation, false).toBool();
    return a;
}

void AppSettings::setAppearance(const Appearance& a) {
    m_settings.setValue(kDarkTheme, a.dark);
    m_settings.setValue(kPresentation, a.presentation);
}

QString AppSettings::lastModelFile() const { return m_settings.value(kLastModelFile).toString(); }
void AppSettings::setLastModelFile(const QString& path) { m_settings.setValue(kLastModelFile, path); }
QString AppSettings::lastDirectory() const { return m_settings.value(kLastDirectory).toString(); }
void AppSettings::setLastDirectory(const QString& dir) { m_settings.setValue(kLastDirectory, dir); }
