// playground_controls.cpp — see playground_controls.h.
#include "panels/playground_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <memory>

namespace pg = bp::playground;

namespace {
const char* const kFeatureLabels[pg::feature_count] = {"x₁", "x₂", "x₁²", "x₂²", "x₁·x₂", "sin x₁", "sin x₂"};

QPushButton* smallButton(const QString& text, const QString& tip, const QString& name) {
    auto* b = new QPushButton(text);
    b->setToolTip(tip);
    b->setObjectName(name);
    b->setFixedWidth(b->fontMetrics().horizontalAdvance(QStringLiteral("MM")) + 16);
    return b;
}
}  // namespace

PlaygroundControls::PlaygroundControls(QWidget* parent) : QWidget(parent) {
    auto* col = new QVBoxLayout(this);
    col->setContentsMargins(0, 0, 0, 0);

    // ---- data ----
    auto* data = new QGroupBox(tr("Data"));
    auto* df = new QFormLayout(data);
    m_dataset = new QComboBox;
    m_dataset->setObjectName(QStringLiteral("playground.dataset"));
    m_dataset->addItem(tr("Circle"), QStringLiteral("circle"));
    m_dataset->addItem(tr("XOR"), QStringLiteral("xor"));
    m_dataset->addItem(tr("Two Gaussians"), QStringLiteral("gaussians"));
    m_dataset->addItem(tr("Spiral"), QStringLiteral("spiral"));
    m_dataset->addItem(tr("Your own points (click the plane)"), QStringLiteral("custom"));
    df->addRow(tr("Dataset"), m_dataset);
    auto slider = [](int lo, int hi, const QString& name) {
        auto* s = new QSlider(Qt::Horizontal);
        s->setRange(lo, hi);
        s->setObjectName(name);
        return s;
    };
    m_noise = slider(0, 50, QStringLiteral("playgroundNoise"));
    m_noiseValue = new QLabel;
    auto* nr = new QHBoxLayout;
    nr->addWidget(m_noise, 1);
    nr->addWidget(m_noiseValue);
    df->addRow(tr("Noise"), nr);
    m_ratio = slider(10, 90, QStringLiteral("playgroundRatio"));
    m_ratio->setToolTip(tr("The share of the points the network trains on; the rest test it"));
    m_ratioValue = new QLabel;
    auto* rr = new QHBoxLayout;
    rr->addWidget(m_ratio, 1);
    rr->addWidget(m_ratioValue);
    df->addRow(tr("Train share"), rr);
    m_seed = new QSpinBox;
    m_seed->setRange(0, 999999);
    m_seed->setObjectName(QStringLiteral("playgroundSeed"));
    m_seed->setToolTip(tr("The same seed gives the same points and, after Reset, the same starting weights"));
    m_regenerate = new QPushButton(tr("Regenerate"));
    m_regenerate->setObjectName(QStringLiteral("playgroundRegenerate"));
    m_regenerate->setToolTip(tr("New points: the next seed (Reset then starts the network from that seed's weights)"));
    auto* sr = new QHBoxLayout;
    sr->addWidget(m_seed, 1);
    sr->addWidget(m_regenerate);
    df->addRow(tr("Seed"), sr);
    m_drawRow = new QWidget;
    auto* dr = new QHBoxLayout(m_drawRow);
    dr->setContentsMargins(0, 0, 0, 0);
    m_drawBlue = new QRadioButton(tr("blue"));
    m_drawOrange = new QRadioButton(tr("orange"));
    m_drawBlue->setChecked(true);
    m_clearPoints = new QPushButton(tr("Clear"));
    m_clearPoints->setObjectName(QStringLiteral("playgroundClearPoints"));
    dr->addWidget(m_drawBlue);
    dr->addWidget(m_drawOrange);
    dr->addStretch(1);
    dr->addWidget(m_clearPoints);
    df->addRow(tr("Click adds"), m_drawRow);
    m_dataForm = df;
    m_pointsLabel = new QLabel;
    m_pointsLabel->setWordWrap(true);
    df->addRow(m_pointsLabel);
    col->addWidget(data);

    // ---- features ----
    auto* feats = new QGroupBox(tr("Input features"));
    auto* fg = new QGridLayout(feats);
    for (int i = 0; i < pg::feature_count; ++i) {
        m_features[i] = new QCheckBox(QString::fromUtf8(kFeatureLabels[i]));
        m_features[i]->setObjectName(QStringLiteral("playgroundFeature%1").arg(i));
        fg->addWidget(m_features[i], i / 4, i % 4);
        connect(m_features[i], &QCheckBox::toggled, this, [this, i](bool on) {
            const unsigned bit = 1u << i;
            const unsigned mask = on ? (m_config.features | bit) : (m_config.features & ~bit);
            if (mask == 0) {  // at least one input: put the tick back
                const QSignalBlocker b(m_features[i]);
                m_features[i]->setChecked(true);
                return;
            }
            m_config.features = mask;
            changed();
        });
    }
    col->addWidget(feats);

    // ---- network ----
    auto* net = new QGroupBox(tr("Network"));
    auto* nv = new QVBoxLayout(net);
    auto* lr = new QHBoxLayout;
    m_removeLayer = smallButton(QStringLiteral("−"), tr("Remove the last hidden layer"), QStringLiteral("playgroundRemoveLayer"));
    m_addLayer = smallButton(QStringLiteral("+"), tr("Add a hidden layer"), QStringLiteral("playground.add_layer"));
    m_layersValue = new QLabel;
    lr->addWidget(new QLabel(tr("Hidden layers")));
    lr->addStretch(1);
    lr->addWidget(m_removeLayer);
    lr->addWidget(m_layersValue);
    lr->addWidget(m_addLayer);
    nv->addLayout(lr);
    m_layerRows = new QVBoxLayout;
    nv->addLayout(m_layerRows);
    auto* af = new QFormLayout;
    m_activation = new QComboBox;
    m_activation->setObjectName(QStringLiteral("playgroundActivation"));
    m_activation->addItem(QStringLiteral("tanh"), QStringLiteral("tanh"));
    m_activation->addItem(QStringLiteral("ReLU"), QStringLiteral("relu"));
    m_activation->addItem(QStringLiteral("sigmoid"), QStringLiteral("sigmoid"));
    af->addRow(tr("Activation"), m_activation);
    nv->addLayout(af);
    col->addWidget(net);

    // ---- training ----
    auto* train = new QGroupBox(tr("Training"));
    auto* tf = new QFormLayout(train);
    m_optimizer = new QComboBox;
    m_optimizer->setObjectName(QStringLiteral("playgroundOptimizer"));
    m_optimizer->addItem(tr("SGD"), QStringLiteral("sgd"));
    m_optimizer->addItem(tr("SGD + momentum"), QStringLiteral("momentum"));
    m_optimizer->addItem(tr("Adam"), QStringLiteral("adam"));
    tf->addRow(tr("Optimizer"), m_optimizer);
    m_lr = new QDoubleSpinBox;
    m_lr->setObjectName(QStringLiteral("playgroundLr"));
    m_lr->setDecimals(4);
    m_lr->setRange(0.0001, 10);
    m_lr->setSingleStep(0.001);
    tf->addRow(tr("Learning rate"), m_lr);
    m_batch = new QSpinBox;
    m_batch->setObjectName(QStringLiteral("playgroundBatch"));
    m_batch->setRange(1, 1000);
    tf->addRow(tr("Batch size"), m_batch);
    auto reg = [](const QString& name, const QString& tip) {
        auto* s = new QDoubleSpinBox;
        s->setObjectName(name);
        s->setDecimals(4);
        s->setRange(0, 1);
        s->setSingleStep(0.001);
        s->setToolTip(tip);
        return s;
    };
    m_l1 = reg(QStringLiteral("playgroundL1"), tr("L1: adds rate·sign(w) to each weight's gradient — pushes weights to exactly 0"));
    m_l2 = reg(QStringLiteral("playgroundL2"), tr("L2: adds rate·w to each weight's gradient — shrinks every weight"));
    tf->addRow(tr("L1 rate"), m_l1);
    tf->addRow(tr("L2 rate"), m_l2);
    col->addWidget(train);
    col->addStretch(1);

    // ---- wiring ----
    connect(m_dataset, &QComboBox::currentIndexChanged, this, [this] {
        m_config.data.kind = pg::dataset_from_string(m_dataset->currentData().toString().toStdString());
        showConfig();
        changed();
    });
    connect(m_noise, &QSlider::valueChanged, this, [this](int v) {
        m_config.data.noise = v / 100.0;
        m_noiseValue->setText(QStringLiteral("%1 %").arg(v));
        changed();
    });
    connect(m_ratio, &QSlider::valueChanged, this, [this](int v) {
        m_config.data.train_ratio = v / 100.0;
        m_ratioValue->setText(QStringLiteral("%1 %").arg(v));
        changed();
    });
    connect(m_seed, &QSpinBox::valueChanged, this, [this](int v) {
        m_config.data.seed = static_cast<uint64_t>(v);
        changed();
    });
    connect(m_regenerate, &QPushButton::clicked, this, [this] { m_seed->setValue(m_seed->value() + 1); });
    connect(m_clearPoints, &QPushButton::clicked, this, [this] {
        m_config.data.user_points.clear();
        showConfig();
        changed();
    });
    connect(m_addLayer, &QPushButton::clicked, this, [this] {
        if (static_cast<int>(m_config.hidden.size()) >= pg::max_hidden_layers) return;
        m_config.hidden.push_back(m_config.hidden.empty() ? 4 : m_config.hidden.back());
        showConfig();
        changed();
    });
    connect(m_removeLayer, &QPushButton::clicked, this, [this] {
        if (m_config.hidden.empty()) return;
        m_config.hidden.pop_back();
        showConfig();
        changed();
    });
    connect(m_activation, &QComboBox::currentIndexChanged, this, [this] {
        m_config.activation = bp::nn::activation_from_string(m_activation->currentData().toString().toStdString());
        changed();
    });
    connect(m_optimizer, &QComboBox::currentIndexChanged, this, [this] {
        m_config.optimizer = m_optimizer->currentData().toString().toStdString();
        changed();
    });
    connect(m_lr, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        m_config.lr = v;
        changed();
    });
    connect(m_batch, &QSpinBox::valueChanged, this, [this](int v) {
        m_config.batch_size = v;
        changed();
    });
    connect(m_l1, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        m_config.l1 = v;
        changed();
    });
    connect(m_l2, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        m_config.l2 = v;
        changed();
    });
    showConfig();
}

void PlaygroundControls::setConfig(const pg::Config& config) {
    m_config = config;
    showConfig();
}

int PlaygroundControls::drawLabel() const { return m_drawOrange->isChecked() ? 0 : 1; }

void PlaygroundControls::addPoint(double x1, double x2, int label) {
    if (static_cast<int>(m_config.data.user_points.size()) >= pg::max_user_points) return;
    m_config.data.kind = pg::DatasetKind::custom;
    m_config.data.user_points.push_back({x1, x2, label ? 1 : 0});
    showConfig();
    changed();
}

QPushButton* PlaygroundControls::addNeuronButton(int layer) const { return m_addNeuron.value(layer, nullptr); }
QPushButton* PlaygroundControls::removeNeuronButton(int layer) const { return m_removeNeuron.value(layer, nullptr); }

void PlaygroundControls::changed() { emit configChanged(m_config); }

void PlaygroundControls::showConfig() {
    const pg::Config& c = m_config;
    const QList<QWidget*> all = {m_dataset, m_noise, m_ratio, m_seed, m_activation, m_optimizer, m_lr, m_batch, m_l1, m_l2};
    std::vector<std::unique_ptr<QSignalBlocker>> blockers;
    for (QWidget* w : all) blockers.push_back(std::make_unique<QSignalBlocker>(w));
    for (QCheckBox* b : m_features) blockers.push_back(std::make_unique<QSignalBlocker>(b));
    m_dataset->setCurrentIndex(m_dataset->findData(QString::fromUtf8(pg::dataset_name(c.data.kind))));
    m_noise->setValue(static_cast<int>(std::lround(c.data.noise * 100)));
    m_noiseValue->setText(QStringLiteral("%1 %").arg(m_noise->value()));
    m_ratio->setValue(static_cast<int>(std::lround(c.data.train_ratio * 100)));
    m_ratioValue->setText(QStringLiteral("%1 %").arg(m_ratio->value()));
    m_seed->setValue(static_cast<int>(std::min<uint64_t>(c.data.seed, 999999)));
    const bool custom = c.data.kind == pg::DatasetKind::custom;
    m_dataForm->setRowVisible(m_drawRow, custom);
    m_dataForm->setRowVisible(m_pointsLabel, custom);
    m_noise->setEnabled(!custom);
    m_pointsLabel->setText(c.data.user_points.size() < 4
                               ? tr("%n point(s). Click the plane to add points of both classes.", "", static_cast<int>(c.data.user_points.size()))
                               : tr("%n points of your own.", "", static_cast<int>(c.data.user_points.size())));
    for (int i = 0; i < pg::feature_count; ++i) m_features[i]->setChecked(c.features & (1u << i));
    m_activation->setCurrentIndex(m_activation->findData(QString::fromUtf8(bp::nn::activation_name(c.activation))));
    m_optimizer->setCurrentIndex(m_optimizer->findData(QString::fromStdString(c.optimizer)));
    m_lr->setValue(c.lr);
    m_batch->setValue(c.batch_size);
    m_l1->setValue(c.l1);
    m_l2->setValue(c.l2);
    rebuildLayerRows();
}

void PlaygroundControls::rebuildLayerRows() {
    const int n = static_cast<int>(m_config.hidden.size());
    m_layersValue->setText(QString::number(n));
    m_removeLayer->setEnabled(n > 0);
    m_addLayer->setEnabled(n < pg::max_hidden_layers);
    while (m_addNeuron.size() > n) {
        QLayoutItem* item = m_layerRows->takeAt(m_layerRows->count() - 1);
        delete item->widget();
        delete item;
        m_addNeuron.removeLast();
        m_removeNeuron.removeLast();
    }
    while (m_addNeuron.size() < n) {
        const int l = static_cast<int>(m_addNeuron.size());
        auto* row = new QWidget;
        auto* h = new QHBoxLayout(row);
        h->setContentsMargins(12, 0, 0, 0);
        auto* label = new QLabel;
        label->setObjectName(QStringLiteral("layerLabel"));
        auto* minus = smallButton(QStringLiteral("−"), tr("One neuron fewer in layer %1").arg(l + 1), QStringLiteral("playgroundRemoveNeuron%1").arg(l));
        auto* plus = smallButton(QStringLiteral("+"), tr("One neuron more in layer %1").arg(l + 1), QStringLiteral("playgroundAddNeuron%1").arg(l));
        h->addWidget(label, 1);
        h->addWidget(minus);
        h->addWidget(plus);
        m_layerRows->addWidget(row);
        m_addNeuron.push_back(plus);
        m_removeNeuron.push_back(minus);
        connect(plus, &QPushButton::clicked, this, [this, l] {
            if (l >= static_cast<int>(m_config.hidden.size()) || m_config.hidden[l] >= pg::max_neurons) return;
            ++m_config.hidden[l];
            rebuildLayerRows();
            changed();
        });
        connect(minus, &QPushButton::clicked, this, [this, l] {
            if (l >= static_cast<int>(m_config.hidden.size()) || m_config.hidden[l] <= 1) return;
            --m_config.hidden[l];
            rebuildLayerRows();
            changed();
        });
    }
    for (int l = 0; l < n; ++l) {
        QWidget* row = m_layerRows->itemAt(l)->widget();
        row->findChild<QLabel*>(QStringLiteral("layerLabel"))->setText(tr("Layer %1: %n neuron(s)", "", m_config.hidden[l]).arg(l + 1));
        m_removeNeuron[l]->setEnabled(m_config.hidden[l] > 1);
        m_addNeuron[l]->setEnabled(m_config.hidden[l] < pg::max_neurons);
    }
}
