// bert_tools.h — what the app asks of a BERT-mini: fill the blanks of a sentence ("The qu_ck brown f_x": every
// '_' becomes [MASK]) with each blank's most likely characters and their probabilities, and the full
// (bidirectional) attention of every layer and head over the sentence, from one forward pass of the engine.
#pragma once

#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

#include "bp/data/bert_data.h"
#include "bp/models/bert.h"
#include "tools/attention_tools.h"

namespace berttools {

struct Blank {
    int position = 0;  // index into FillResult::tokens
    std::vector<std::pair<QString, double>> top;  // the k most likely characters, most likely first
};

struct FillResult {
    QStringList tokens;  // [CLS], then one per character ([MASK] at each blank)
    std::vector<Blank> blanks;
    attentiontools::TokenAttention attention;  // full maps: every token attends to every other
    QString unknown;     // characters of the sentence the text's alphabet lacks (left out)
};

/// Runs `bert` on `sentence` ('_' = a blank) and returns the top `k` characters per blank (specials never).
/// ConfigError when the sentence has no character the model knows; longer sentences keep their first context − 1.
FillResult fillBlanks(bp::models::BertMini& bert, const bp::data::BertVocab& vocab, const QString& sentence, int k = 5);

/// A deep copy (same options, every parameter), for another thread to read.
std::shared_ptr<bp::models::BertMini> cloneBert(const bp::models::BertMini& bert);

}  // namespace berttools
