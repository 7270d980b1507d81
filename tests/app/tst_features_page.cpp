// tst_features_page.cpp — the "Inside a CNN" page against the engine, driven with real events, on the shipped CNN and
// MNIST test images: every channel map on screen is the engine's activation for that input; a clicked channel shows
// its map and its kernels (the layer's weights); a clicked pixel outlines its receptive field on the input and shows
// the arithmetic of that value; the flow list switches layers; "Top 9" ranks the test set exactly as the engine's
// top_activating does; and through MainWindow the page follows a digit drawn on the Draw page.
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include "bp/data/dataset.h"
#include "bp/data/preprocess.h"
#include "bp/nn/layers.h"
#include "controllers/top_activation_controller.h"
#include "engine/data_test_util.h"
#include "drawing_pad.h"
#include "main_window.h"
#include "map_image_view.h"
#include "pages/draw_page.h"
#include "pages/features_page.h"
#include "panels/channel_detail_panel.h"
#include "panels/channel_grid_panel.h"
#include "tools/model_library.h"

class TestFeaturesPage : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<bp::data::ImageDataset> m_test;

    static float at(const bp::Tensor& t, int64_t c, int64_t y, int64_t x) {
        const bp::Shape& s = t.shape();
        return t.to_float_vector()[static_cast<size_t>((c * s[2] + y) * s[3] + x)];
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("BackpropStudioTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_features_page"));
        bp::data::ImageDataset train;
        m_test = std::make_unique<bp::data::ImageDataset>();
        QString why;
        if (!bp_test::load_mnist(train, *m_test, &why)) QSKIP(qPrintable(why));
    }

    void mapsKernelsArithmeticAndTopImagesAreTheEngines() {
        ModelLibrary library;
        AppContext ctx;
        ctx.models = &library;
        FeaturesPage page(ctx);
        page.resize(1600, 1000);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.model());
        QCOMPARE(QString::fromStdString(page.model()->name), QStringLiteral("cnn"));  // the shipped CNN by default

        // Test image 7 by typing its index.
        page.testIndexSpin()->selectAll();
        QTest::keyClicks(page.testIndexSpin(), QStringLiteral("7"));
        QCOMPARE(page.testIndexSpin()->value(), 7);
        const auto& stages = page.stages();
        QVERIFY(stages.size() > 5);
        QCOMPARE(page.currentStage(), 0);  // the first convolution
        std::vector<float> normalized(784);
        const int64_t seven = 7;
        bp::data::normalize_images(*m_test, &seven, 1, normalized.data());
        QCOMPARE(page.input().to_float_vector(), normalized);
        // Every channel on screen is the engine's activation.
        ChannelGridPanel* grid = page.grid();
        QCOMPARE(grid->channelCount(), 32);
        for (int c : {0, 9, 31})
            for (auto [y, x] : {std::pair{0, 0}, std::pair{14, 9}, std::pair{27, 27}})
                QCOMPARE(grid->channelView(c)->value(y, x), at(stages[0].output, c, y, x));

        // Click channel 10: it is shown large, with its kernel (the layer's weights for that channel).
        QTest::mouseClick(grid->channelView(9), Qt::LeftButton);
        QCOMPARE(page.currentChannel(), 9);
        QVERIFY(grid->channelView(9)->isSelected() && !grid->channelView(0)->isSelected());
        ChannelDetailPanel* detail = page.detail();
        QCOMPARE(detail->channelView()->value(20, 3), at(stages[0].output, 9, 20, 3));
        const auto& conv = dynamic_cast<const bp::nn::Conv2d&>(dynamic_cast<bp::nn::Sequential&>(*page.model()->net)[0]);
        QCOMPARE(detail->kernelCount(), 1);
        const std::vector<float> w = conv.weight.to_float_vector();
        for (int i = 0; i < 9; ++i) QCOMPARE(detail->kernelView(0)->value(i / 3, i % 3), w[static_cast<size_t>(9 * 9 + i)]);

        // Click pixel (12, 15) of the large map: the receptive field on the input, the arithmetic with its numbers.
        QTest::mouseClick(detail->channelView(), Qt::LeftButton, {}, detail->channelView()->pixelRect(12, 15).center());
        QCOMPARE(page.inputView()->highlight(), QRect(QPoint(14, 11), QPoint(16, 13)));  // 3×3, rows 11–13, columns 14–16
        const bp::models::ConvArithmetic a = bp::models::conv_arithmetic(*page.model(), page.input(), stages, 0, 9, 12, 15);
        const QString text = detail->arithmeticLabel()->text();
        QVERIFY2(text.contains(QString::number(a.value, 'f', 4)), qPrintable(text));
        QVERIFY(std::abs(a.value - at(stages[0].output, 9, 12, 15)) < 1e-4);
        QVERIFY2(text.contains(QStringLiteral("bn1")) && text.contains(QStringLiteral("relu1")), qPrintable(text));

        // The flow list: conv2 has 64 channels of 14 × 14 and 32 kernels per channel; a pixel's field is larger.
        QListWidget* flow = page.flowList();
        int conv2Row = -1;
        for (int r = 0; r < flow->count(); ++r)
            if (flow->item(r)->text().startsWith(QStringLiteral("conv2"))) conv2Row = r;
        QVERIFY(conv2Row > 0);
        QTest::mouseClick(flow->viewport(), Qt::LeftButton, {}, flow->visualItemRect(flow->item(conv2Row)).center());
        QCOMPARE(page.currentStage(), conv2Row - 1);
        QCOMPARE(grid->channelCount(), 64);
        QCOMPARE(grid->channelView(63)->value(13, 13), at(stages[static_cast<size_t>(conv2Row - 1)].output, 63, 13, 13));
        QCOMPARE(detail->kernelCount(), 32);
        page.clickPixel(6, 6);
        const auto box = bp::models::receptive_field(*page.model(), static_cast<size_t>(conv2Row - 1), 6, 6);
        QCOMPARE(page.inputView()->highlight(),
                 QRect(QPoint(static_cast<int>(box->left), static_cast<int>(box->top)), QPoint(static_cast<int>(box->right), static_cast<int>(box->bottom))));
        QVERIFY(box->bottom - box->top > 2);

        // Top 9 for conv2's channel 4, with the button: the engine's ranking of the whole test set.
        page.selectChannel(3);
        QSignalSpy done(page.topController(), &TopActivationController::finished);
        QTest::mouseClick(detail->topButton(), Qt::LeftButton);
        QVERIFY(done.wait(240000));
        QCOMPARE(detail->topImageCount(), 9);
        const auto expected = bp::models::top_activating(*page.model(), *m_test, static_cast<size_t>(conv2Row - 1), 3, 9);
        for (int i = 0; i < 9; ++i) {
            const int64_t index = expected[static_cast<size_t>(i)].index;
            QCOMPARE(detail->topImageView(i)->value(10, 12), m_test->pixels[static_cast<size_t>(index * 784 + 10 * 28 + 12)] / 255.0f);
            QCOMPARE(detail->topImageView(i)->value(20, 7), m_test->pixels[static_cast<size_t>(index * 784 + 20 * 28 + 7)] / 255.0f);
        }

        // A flat layer is one map of its values; its "channel" detail explains why there is nothing to click.
        page.selectStage(static_cast<int>(stages.size()) - 1);
        QCOMPARE(grid->channelCount(), 1);
        QVERIFY(!detail->topButton()->isEnabled());
    }

    void followsTheDrawing() {
        MainWindow window{AppContext{}};
        QVERIFY(MainWindow::pageIds().contains(QStringLiteral("features")));
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showPage(QStringLiteral("features"));
        auto* page = qobject_cast<FeaturesPage*>(window.page(QStringLiteral("features")));
        QVERIFY(page);
        // No drawing yet: a message, not a crash.
        QTest::mouseClick(page->findChild<QRadioButton*>(QStringLiteral("features.fromDrawing")), Qt::LeftButton);
        QVERIFY2(page->message().contains(QStringLiteral("Draw page")), qPrintable(page->message()));
        // Draw test image 21 on the Draw page: the Inside page reads the same input, and follows a new drawing.
        DrawPage* draw = window.drawPage();
        QSignalSpy computed(page, &FeaturesPage::computed);
        draw->pad()->setStrokes(DrawPage::strokesFromDigit(m_test->pixels.data() + 21 * 784, 28, 28, draw->pad()->canvasSize()));
        QVERIFY(computed.count() >= 1);
        QCOMPARE(page->input().to_float_vector(), bp::data::normalize_mnist(draw->modelInput()));
        draw->pad()->setStrokes(DrawPage::strokesFromDigit(m_test->pixels.data() + 4 * 784, 28, 28, draw->pad()->canvasSize()));
        QCOMPARE(page->input().to_float_vector(), bp::data::normalize_mnist(draw->modelInput()));
        QCOMPARE(page->stages().back().output.to_float_vector().size(), size_t(10));
        // The maps on screen are the engine's activations for the drawn input.
        const std::vector<bp::models::Stage> engine = bp::models::forward_stages(*page->model(), page->input());
        for (int c : {0, 17})
            for (auto [y, x] : {std::pair{5, 5}, std::pair{14, 20}})
                QCOMPARE(page->grid()->channelView(c)->value(y, x), at(engine[0].output, c, y, x));
    }
};

QTEST_MAIN(TestFeaturesPage)
#include "tst_features_page.moc"
