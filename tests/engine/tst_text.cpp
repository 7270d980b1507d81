// tst_text.cpp — the character tokenizer and text corpora (data/text.h): round trips through UTF-8, errors
// that name the byte offset or the character, the train/validation split, the shift-by-one training windows,
// the unigram baseline by hand, and the default fortunes corpus when it is installed.
#include <QtTest>

#include <cmath>
#include <fstream>
#include <set>

#include "bp/data/text.h"
#include "bp/errors.h"

using namespace bp;
using namespace bp::data;

namespace {
std::string repeat_text(const std::string& s, int times) {
    std::string out;
    for (int i = 0; i < times; ++i) out += s;
    return out;
}
}  // namespace

class TstText : public QObject {
    Q_OBJECT
private slots:
    void vocabularyIsSortedDistinctCodePoints() {
        CharTokenizer t = CharTokenizer::from_text("banana\n");
        QCOMPARE(t.vocab_size(), 4);  // '\n' 'a' 'b' 'n'
        QCOMPARE(t.vocab(), (std::vector<char32_t>{U'\n', U'a', U'b', U'n'}));
        QCOMPARE(t.encode("nab"), (std::vector<int32_t>{3, 1, 2}));
        QCOMPARE(t.token_text(0), std::string("\n"));
    }

    void roundTripsUtf8_data() {
        QTest::addColumn<QString>("text");
        QTest::newRow("ascii") << QString("Hello, world!\nThe end.");
        QTest::newRow("two-byte") << QString::fromUtf8("Gödel, Escher, Bach — naïve café");
        QTest::newRow("three- and four-byte") << QString::fromUtf8("日本語 ∀x∃y 😀 𝄞");
    }
    void roundTripsUtf8() {
        QFETCH(QString, text);
        const std::string s = text.toStdString();
        CharTokenizer t = CharTokenizer::from_text(s);
        const std::vector<int32_t> ids = t.encode(s);
        QCOMPARE(static_cast<qsizetype>(ids.size()), text.toUcs4().size());  // one token per code point
        QCOMPARE(t.decode(ids), s);
        CharTokenizer back = CharTokenizer::from_json(t.to_json());  // through the JSON a model file stores
        QCOMPARE(back.vocab(), t.vocab());
        QCOMPARE(back.decode(back.encode(s)), s);
    }

    void invalidUtf8NamesTheByteOffset_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("offset");
        QTest::newRow("lone continuation") << QByteArray("abc\x80z") << "byte offset 3";
        QTest::newRow("truncated 2-byte at end") << QByteArray("hello\xC3") << "byte offset 5";
        QTest::newRow("overlong slash") << QByteArray("ab\xC0\xAFx") << "byte offset 2";
        QTest::newRow("surrogate") << QByteArray("x\xED\xA0\x80") << "byte offset 1";
        QTest::newRow("latin-1 e-acute") << QByteArray("caf\xE9 au lait") << "byte offset 3";
    }
    void invalidUtf8NamesTheByteOffset() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, offset);
        try {
            CharTokenizer::from_text(bytes.toStdString());
            QFAIL("invalid UTF-8 was accepted");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains(offset), e.what());
            QVERIFY2(QString(e.what()).contains("UTF-8"), e.what());
        }
    }

    void unknownCharacterIsNamed() {
        CharTokenizer t = CharTokenizer::from_text("abc");
        try {
            t.encode("abz");
            QFAIL("an unknown character was accepted");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("'z'") && QString(e.what()).contains("position 2"), e.what());
        }
        std::string unknown;
        QCOMPARE(t.encode_lossy("a-b", &unknown), (std::vector<int32_t>{0, 1}));
        QCOMPARE(unknown, std::string("-"));
        QVERIFY(t.contains(U'b'));
        QVERIFY(!t.contains(U'z'));
        QVERIFY_THROWS_EXCEPTION(DataError, t.decode({0, 3}));
    }

    void badTokenizerJsonIsRejected() {
        QVERIFY_THROWS_EXCEPTION(DataError, CharTokenizer::from_json(nlohmann::json{{"type", "bpe"}, {"vocab", {"a"}}}));
        QVERIFY_THROWS_EXCEPTION(DataError, CharTokenizer::from_json(nlohmann::json{{"type", "char"}, {"vocab", {"b", "a"}}}));
        QVERIFY_THROWS_EXCEPTION(DataError, CharTokenizer::from_json(nlohmann::json{{"type", "char"}, {"vocab", {"ab"}}}));
    }

    void corpusSplitsTrainThenValidation() {
        std::string text;
        for (int i = 0; i < 2000; ++i) text += static_cast<char>('a' + i % 26);
        TextCorpus c = make_text_corpus(text, "letters", 0.1);
        QCOMPARE(c.characters(), int64_t{2000});
        QCOMPARE(c.train.size(), size_t{1800});
        QCOMPARE(c.val.size(), size_t{200});
        QCOMPARE(c.tokenizer.vocab_size(), 26);
        QCOMPARE(c.tokenizer.decode(c.train) + c.tokenizer.decode(c.val), text);  // in order, nothing lost
        QCOMPARE(c.val.front(), int32_t{1800 % 26});
        QCOMPARE(c.source, std::string("letters"));
    }

    void shortOrMissingTextIsAnError() {
        QVERIFY_THROWS_EXCEPTION(DataError, make_text_corpus(std::string(999, 'x'), "short"));
        try {
            load_text_corpus("/nonexistent/book.txt");
            QFAIL("a missing file was accepted");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("/nonexistent/book.txt"), e.what());
        }
        const QString path = QDir::temp().filePath("bp_tst_text_latin1.txt");
        {
            std::ofstream f(path.toStdString(), std::ios::binary);
            f << repeat_text("plain text ", 100) << "caf\xE9";
        }
        try {
            load_text_corpus(path.toStdString());
            QFAIL("a Latin-1 file was accepted");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("byte offset 1103"), e.what());
        }
        QFile::remove(path);
    }

    void batchTargetsAreInputsShiftedByOne() {
        std::vector<int32_t> tokens(500);
        for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int32_t>(i);  // token = its position
        Generator gen(7);
        auto [x, y] = sample_text_batch(tokens, 8, 16, gen);
        QCOMPARE(x.shape(), (Shape{8, 16}));
        QCOMPARE(y.shape(), (Shape{8, 16}));
        QCOMPARE(x.dtype(), DType::i32);
        const int32_t* xp = x.data<int32_t>();
        const int32_t* yp = y.data<int32_t>();
        std::set<int32_t> starts;
        for (int b = 0; b < 8; ++b) {
            starts.insert(xp[b * 16]);
            for (int t = 0; t < 16; ++t) {
                QCOMPARE(yp[b * 16 + t], xp[b * 16 + t] + 1);              // next token
                if (t > 0) QCOMPARE(xp[b * 16 + t], xp[b * 16 + t - 1] + 1);  // consecutive window
            }
            QVERIFY(xp[b * 16] >= 0 && xp[b * 16] + 16 < 500);
        }
        QVERIFY(starts.size() > 1);  // random windows, not one window repeated
        Generator again(7);
        auto [x2, y2] = sample_text_batch(tokens, 8, 16, again);
        QCOMPARE(x2.to_vector(), x.to_vector());  // the seed decides
        QVERIFY_THROWS_EXCEPTION(ConfigError, sample_text_batch(tokens, 8, 500, gen));
    }

    void unigramLossByHand() {
        // fit "aab" over vocabulary {a, b, c}: add-one counts a 3, b 2, c 1 of 6.
        // eval "ab": −(ln(3/6) + ln(2/6)) / 2 = (ln 2 + ln 3) / 2 = ln(6) / 2
        const double l = unigram_loss({0, 0, 1}, {0, 1}, 3);
        QVERIFY(std::abs(l - std::log(6.0) / 2) < 1e-12);
        // A character never seen in fit still has a finite loss: −ln(1/6)
        QVERIFY(std::abs(unigram_loss({0, 0, 1}, {2}, 3) - std::log(6.0)) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(ConfigError, unigram_loss({0}, {}, 3));
    }

    void defaultCorpusIsTheClassroomSelection() {
        const std::vector<std::string> files = default_corpus_files();
        QVERIFY(files.size() >= 5);
        for (const std::string& f : files) {
            QVERIFY2(f.rfind("/usr/share/games/fortunes/", 0) == 0, f.c_str());
            QVERIFY2(f.find("/off/") == std::string::npos, f.c_str());  // never the offensive collection
        }
        std::string why;
        if (!default_corpus_available(&why)) {
            QVERIFY2(why.find("apt-get install fortunes") != std::string::npos, why.c_str());
            QSKIP("the fortunes package is not installed");
        }
        TextCorpus c = load_default_corpus();
        QVERIFY2(c.characters() > 300000, std::to_string(c.characters()).c_str());
        QVERIFY(c.source.find("literature") != std::string::npos);
        const std::string all = c.tokenizer.decode(c.train);
        QVERIFY(all.find("\n%\n") == std::string::npos);  // separators became blank lines
        QVERIFY(all.find("\n\n") != std::string::npos);
        QVERIFY(all.find('\b') == std::string::npos);     // no terminal overstriking
        QVERIFY2(c.tokenizer.vocab_size() < 200, std::to_string(c.tokenizer.vocab_size()).c_str());
        // The unigram baseline sits between a uniform guess over the vocabulary and zero.
        const double u = unigram_loss(c.train, c.val, c.tokenizer.vocab_size());
        QVERIFY(u > 2.5 && u < std::log(c.tokenizer.vocab_size()));
    }

    void missingDefaultCorpusSaysWhatToInstall() {
        QTemporaryDir empty;
        qputenv("BP_FORTUNES_DIR", empty.path().toUtf8());
        std::string why;
        const bool available = default_corpus_available(&why);
        std::string message;
        try {
            load_default_corpus();
        } catch (const DataError& e) {
            message = e.what();
        }
        qunsetenv("BP_FORTUNES_DIR");
        QVERIFY(!available);
        QVERIFY2(why.find("apt-get install fortunes") != std::string::npos, why.c_str());
        QVERIFY2(why.find(empty.path().toStdString()) != std::string::npos, why.c_str());  // names the missing file
        QVERIFY2(message.find("apt-get install fortunes") != std::string::npos, message.c_str());
        QVERIFY(default_corpus_files().front().rfind("/usr/share/games/fortunes/", 0) == 0);  // the default again
    }
};

QTEST_APPLESS_MAIN(TstText)
#include "tst_text.moc"
