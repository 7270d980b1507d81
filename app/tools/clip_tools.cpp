// clip_tools.cpp — see clip_tools.h.
#include "tools/clip_tools.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "bp/data/dataset.h"
#include "bp/train/clip_search.h"

namespace cliptools {

std::shared_ptr<const bp::data::CaptionedImages> loadTestSplit(const std::string& dataDir, const std::string& dataset,
                                                               const bp::data::PropertyThresholds& t, int64_t limit) {
    bp::data::ImageDataset images = bp::data::load_image_dataset(dataDir, dataset, "test");
    if (limit > 0 && limit < images.count) {
        images.count = limit;
        images.pixels.resize(static_cast<size_t>(limit * images.rows * images.cols));
        images.labels.resize(static_cast<size_t>(limit));
    }
    return std::make_shared<const bp::data::CaptionedImages>(bp::data::caption_images(std::move(images), t));
}

void prepare(ClipModel& m) {
    m.testCount = m.test->images.count;
    std::vector<int64_t> all(static_cast<size_t>(m.testCount));
    std::iota(all.begin(), all.end(), int64_t{0});
    m.testEmbeddings = bp::train::embed_images(*m.model, m.test->images, all);
    m.zeroShot = bp::train::zero_shot(*m.model, *m.test, m.vocab);
    m.candidates = bp::train::caption_candidates(m.dataset);
    m.candidateEmbeddings = bp::train::embed_captions(*m.model, m.vocab, m.candidates);
}

std::string normalizeCaption(const ClipModel& m, const QString& typed, QString* dropped) {
    std::string out;
    QString lost;
    for (const QChar ch : typed.toLower()) {
        const char16_t u = ch.unicode();
        if (u < 128 && m.vocab.tokenizer().contains(static_cast<unsigned char>(u))) out += static_cast<char>(u);
        else if (!lost.contains(ch)) lost += ch;
    }
    if (dropped) *dropped = lost;
    return out;
}

QImage pictureImage(const bp::data::ImageDataset& images, int64_t index) {
    const int rows = static_cast<int>(images.rows), cols = static_cast<int>(images.cols);
    QImage img(cols, rows, QImage::Format_Grayscale8);
    const uint8_t* src = images.pixels.data() + index * images.rows * images.cols;
    for (int y = 0; y < rows; ++y) std::memcpy(img.scanLine(y), src + static_cast<size_t>(y) * cols, static_cast<size_t>(cols));
    return img;
}

QString datasetTitle(const std::string& dataset) {
    return dataset == "fashion-mnist" ? QStringLiteral("Fashion-MNIST clothes") : QStringLiteral("MNIST digits");
}

}  // namespace cliptools
