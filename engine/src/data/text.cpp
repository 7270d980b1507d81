// text.cpp — the character tokenizer, text corpora and the default fortunes corpus of text.h, random training
// windows and the unigram baseline. UTF-8 is decoded here by hand (strict: no overlongs, no surrogates).
#include "bp/data/text.h"

#include <cstdlib>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bp/errors.h"
#include "bp/io/atomic_file.h"

namespace bp::data {

namespace {

/// Decodes strict UTF-8; on an invalid sequence returns false with the byte offset of its first byte.
bool decode_utf8(const std::string& s, std::vector<char32_t>& out, size_t* bad_offset) {
    out.clear();
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        int len;
        char32_t cp;
        if (c < 0x80) { len = 1; cp = c; }
        else if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
        else { *bad_offset = i; return false; }
        if (i + static_cast<size_t>(len) > n) { *bad_offset = i; return false; }
        for (int k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) { *bad_offset = i; return false; }
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
        if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { *bad_offset = i; return false; }
        out.push_back(cp);
        i += static_cast<size_t>(len);
    }
    return true;
}

std::vector<char32_t> decode_or_throw(const std::string& s, const std::string& what) {
    std::vector<char32_t> cps;
    size_t bad = 0;
    if (!decode_utf8(s, cps, &bad)) {
        std::ostringstream os;
        os << what << ": not valid UTF-8 at byte offset " << bad << " (byte 0x" << std::hex
           << static_cast<int>(static_cast<unsigned char>(s[bad])) << "); save the text as UTF-8";
        throw DataError(os.str());
    }
    return cps;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string describe(char32_t cp) {
    if (cp == '\n') return "'\\n'";
    if (cp == '\t') return "'\\t'";
    if (cp < 0x20 || cp == 0x7F) {
        std::ostringstream os;
        os << "U+" << std::hex << std::uppercase << static_cast<uint32_t>(cp);
        return os.str();
    }
    std::string s = "'";
    append_utf8(s, cp);
    return s + "'";
}

std::string read_file(const std::string& path, uint64_t max_bytes = max_text_bytes) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw DataError(path + ": no such file; give the path of a UTF-8 text file");
    if (std::filesystem::is_directory(path, ec)) throw DataError(path + ": is a folder, not a text file");
    return io::read_file(path, max_bytes);  // regular files only, so a FIFO or /dev/zero is refused
}

/// Debian's fortunes; $BP_FORTUNES_DIR replaces it (tests point it at an empty folder to see the message).
std::string fortunes_dir() {
    const char* env = std::getenv("BP_FORTUNES_DIR");
    return env && *env ? std::string(env) : std::string("/usr/share/games/fortunes");
}
// Classroom-appropriate collections (Debian's `fortunes` keeps the offensive ones apart, in off/, never used).
const char* kDefaultFiles[] = {"literature", "science", "wisdom", "people", "computers", "education", "fortunes"};

/// A fortune file as plain text: the `%` lines between fortunes become blank lines, terminal overstriking
/// ("_\bA", an underlined A) keeps only the visible character, tabs become spaces and other control
/// characters are dropped.
std::string clean_fortunes(const std::string& raw) {
    std::string out;
    out.reserve(raw.size());
    std::istringstream in(raw);
    std::string line;
    bool last_blank = true;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line == "%") {
            if (!last_blank) out += '\n';
            last_blank = true;
            continue;
        }
        std::string clean;
        for (char c : line) {
            if (c == '\b') {
                if (!clean.empty()) {
                    // drop the whole previous character (UTF-8 continuation bytes included)
                    while (!clean.empty() && (static_cast<unsigned char>(clean.back()) & 0xC0) == 0x80) clean.pop_back();
                    if (!clean.empty()) clean.pop_back();
                }
            } else if (c == '\t') {
                clean += ' ';
            } else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) {
                clean += c;
            }
        }
        out += clean;
        out += '\n';
        last_blank = false;
    }
    return out;
}

}  // namespace

// ---- CharTokenizer ----------------------------------------------------------------------------------------

CharTokenizer CharTokenizer::from_text(const std::string& utf8) {
    std::vector<char32_t> cps = decode_or_throw(utf8, "tokenizer");
    std::sort(cps.begin(), cps.end());
    cps.erase(std::unique(cps.begin(), cps.end()), cps.end());
    CharTokenizer t;
    t.vocab_ = std::move(cps);
    return t;
}

CharTokenizer CharTokenizer::from_json(const nlohmann::json& j) {
    if (!j.is_object() || j.value("type", std::string()) != "char" || !j.contains("vocab") || !j["vocab"].is_array())
        throw DataError("tokenizer: expected {\"type\": \"char\", \"vocab\": [...]}; got " + j.dump().substr(0, 200));
    CharTokenizer t;
    for (const auto& e : j["vocab"]) {
        if (!e.is_string()) throw DataError("tokenizer: every vocabulary entry must be a one-character string");
        std::vector<char32_t> cps = decode_or_throw(e.get<std::string>(), "tokenizer vocabulary");
        if (cps.size() != 1)
            throw DataError("tokenizer: vocabulary entry '" + e.get<std::string>() + "' is not exactly one character");
        t.vocab_.push_back(cps[0]);
    }
    if (t.vocab_.empty()) throw DataError("tokenizer: the vocabulary is empty");
    for (size_t i = 1; i < t.vocab_.size(); ++i)
        if (t.vocab_[i] <= t.vocab_[i - 1])
            throw DataError("tokenizer: the vocabulary must be sorted by code point without repeats (entry " +
                            std::to_string(i) + ")");
    return t;
}

nlohmann::json CharTokenizer::to_json() const {
    nlohmann::json v = nlohmann::json::array();
    for (char32_t cp : vocab_) {
        std::string s;
        append_utf8(s, cp);
        v.push_back(s);
    }
    return {{"type", "char"}, {"vocab", v}};
}

bool CharTokenizer::contains(char32_t cp) const { return std::binary_search(vocab_.begin(), vocab_.end(), cp); }

std::vector<int32_t> CharTokenizer::encode(const std::string& utf8) const {
    const std::vector<char32_t> cps = decode_or_throw(utf8, "encode");
    std::vector<int32_t> ids;
    ids.reserve(cps.size());
    for (size_t i = 0; i < cps.size(); ++i) {
        auto it = std::lower_bound(vocab_.begin(), vocab_.end(), cps[i]);
        if (it == vocab_.end() || *it != cps[i])
            throw DataError("encode: character " + describe(cps[i]) + " at position " + std::to_string(i) +
                            " is not in the vocabulary of " + std::to_string(vocab_.size()) +
                            " characters the model was trained on");
        ids.push_back(static_cast<int32_t>(it - vocab_.begin()));
    }
    return ids;
}

std::vector<int32_t> CharTokenizer::encode_lossy(const std::string& utf8, std::string* unknown) const {
    const std::vector<char32_t> cps = decode_or_throw(utf8, "encode");
    std::vector<int32_t> ids;
    ids.reserve(cps.size());
    for (char32_t cp : cps) {
        auto it = std::lower_bound(vocab_.begin(), vocab_.end(), cp);
        if (it == vocab_.end() || *it != cp) {
            if (unknown) append_utf8(*unknown, cp);
            continue;
        }
        ids.push_back(static_cast<int32_t>(it - vocab_.begin()));
    }
    return ids;
}

std::string CharTokenizer::decode(const std::vector<int32_t>& ids) const {
    std::string out;
    out.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0 || ids[i] >= vocab_size())
            throw DataError("decode: token id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                            " is outside the vocabulary [0, " + std::to_string(vocab_size()) + ")");
        append_utf8(out, vocab_[static_cast<size_t>(ids[i])]);
    }
    return out;
}

std::string CharTokenizer::token_text(int32_t id) const {
    if (id < 0 || id >= vocab_size())
        throw DataError("token_text: token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                        std::to_string(vocab_size()) + ")");
    std::string s;
    append_utf8(s, vocab_[static_cast<size_t>(id)]);
    return s;
}

// ---- corpora ----------------------------------------------------------------------------------------------

TextCorpus make_text_corpus(const std::string& utf8, const std::string& source, double val_fraction) {
    if (!(val_fraction > 0.0 && val_fraction < 0.5))
        throw ConfigError("text corpus: val_fraction must be in (0, 0.5); got " + std::to_string(val_fraction));
    TextCorpus c;
    c.source = source;
    try {
        c.tokenizer = CharTokenizer::from_text(utf8);  // validates the UTF-8 (naming the offset)
    } catch (const DataError& e) {
        throw DataError(source + ": " + e.what());
    }
    std::vector<int32_t> ids = c.tokenizer.encode(utf8);
    if (ids.size() < 1000)
        throw DataError(source + ": has only " + std::to_string(ids.size()) +
                        " characters; a language model needs at least 1,000 to train on");
    if (c.tokenizer.vocab_size() < 2)
        throw DataError(source + ": has only " + std::to_string(c.tokenizer.vocab_size()) +
                        " distinct character; a language model needs at least 2 to choose between");
    const size_t n_train = static_cast<size_t>(std::llround(static_cast<double>(ids.size()) * (1.0 - val_fraction)));
    c.train.assign(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n_train));
    c.val.assign(ids.begin() + static_cast<std::ptrdiff_t>(n_train), ids.end());
    return c;
}

TextCorpus load_text_corpus(const std::string& path, double val_fraction, uint64_t max_bytes) {
    return make_text_corpus(read_file(path, max_bytes), path, val_fraction);
}

std::vector<std::string> default_corpus_files() {
    std::vector<std::string> out;
    for (const char* f : kDefaultFiles) out.push_back(fortunes_dir() + "/" + f);
    return out;
}

bool default_corpus_available(std::string* why_not) {
    std::vector<std::string> missing;
    for (const std::string& f : default_corpus_files()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(f, ec)) missing.push_back(f);
    }
    if (missing.empty()) return true;
    if (why_not)
        *why_not = "the default text corpus (Debian package 'fortunes') is missing: " + missing.front() +
                   (missing.size() > 1 ? " and " + std::to_string(missing.size() - 1) + " more" : std::string()) +
                   "; install it with 'sudo apt-get install fortunes' (scripts/setup.sh does), or open any UTF-8 "
                   "text file instead";
    return false;
}

TextCorpus load_default_corpus(double val_fraction) {
    std::string why;
    if (!default_corpus_available(&why)) throw DataError(why);
    std::string text;
    std::string names;
    for (const char* f : kDefaultFiles) {
        std::string cleaned = clean_fortunes(read_file(fortunes_dir() + "/" + f));
        // Debian 12's files are UTF-8; should one ever not be, read it as Latin-1 (each byte its own code point)
        // rather than refuse the whole default corpus.
        std::vector<char32_t> cps;
        size_t bad = 0;
        if (!decode_utf8(cleaned, cps, &bad)) {
            std::string fixed;
            for (unsigned char c : cleaned) append_utf8(fixed, c);
            cleaned = fixed;
        }
        text += cleaned;
        if (!text.empty() && text.back() != '\n') text += '\n';
        text += '\n';
        names += names.empty() ? f : std::string(", ") + f;
    }
    return make_text_corpus(text, "fortunes: " + names, val_fraction);
}

std::vector<std::string> read_fortune_quotations(const std::string& collection) {
    const std::string path = fortunes_dir() + "/" + collection;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw DataError("the fortunes collection " + path + " is missing; install it with 'sudo apt-get install "
                        "fortunes' (scripts/setup.sh does)");
    std::istringstream in(read_file(path));
    std::vector<std::string> out;
    std::string line, chunk;
    auto flush = [&]() {
        std::string q = clean_fortunes(chunk);
        chunk.clear();
        std::vector<char32_t> cps;
        size_t bad = 0;
        if (!decode_utf8(q, cps, &bad)) {  // as the default corpus: read a non-UTF-8 quotation as Latin-1
            std::string fixed;
            for (unsigned char c : q) append_utf8(fixed, c);
            q = fixed;
        }
        while (!q.empty() && (q.back() == '\n' || q.back() == ' ')) q.pop_back();
        size_t start = 0;
        while (start < q.size() && (q[start] == '\n' || q[start] == ' ')) ++start;
        if (start < q.size()) out.push_back(q.substr(start));
    };
    while (std::getline(in, line)) {
        if (line == "%" || line == "%\r") flush();
        else chunk += line + "\n";
    }
    flush();
    return out;
}

// ---- batches and the baseline -----------------------------------------------------------------------------

std::pair<Tensor, Tensor> sample_text_batch(const std::vector<int32_t>& tokens, int64_t batch, int64_t context,
                                            Generator& gen) {
    if (batch < 1 || context < 1)
        throw ConfigError("sample_text_batch: batch and context must be >= 1; got " + std::to_string(batch) + " and " +
                          std::to_string(context));
    const int64_t n = static_cast<int64_t>(tokens.size());
    if (n < context + 1)
        throw ConfigError("sample_text_batch: the text has " + std::to_string(n) + " tokens, fewer than context + 1 = " +
                          std::to_string(context + 1) + "; use a shorter context or a longer text");
    Tensor x = Tensor::empty({batch, context}, DType::i32), y = Tensor::empty({batch, context}, DType::i32);
    int32_t* xp = x.data<int32_t>();
    int32_t* yp = y.data<int32_t>();
    std::uniform_int_distribution<int64_t> start(0, n - context - 1);
    for (int64_t b = 0; b < batch; ++b) {
        const int64_t i = start(gen.engine());
        std::copy_n(tokens.begin() + i, context, xp + b * context);       // tokens [i, i+T)
        std::copy_n(tokens.begin() + i + 1, context, yp + b * context);   // tokens [i+1, i+T+1)
    }
    return {x, y};
}

// Unigram model with add-one smoothing: p(c) = (count_fit(c) + 1) / (N_fit + V); loss = −mean_eval log p(c).
double unigram_loss(const std::vector<int32_t>& fit, const std::vector<int32_t>& eval, int vocab_size) {
    if (vocab_size < 1) throw ConfigError("unigram_loss: vocab_size must be >= 1; got " + std::to_string(vocab_size));
    if (eval.empty()) throw ConfigError("unigram_loss: the evaluation text is empty");
    std::vector<double> count(static_cast<size_t>(vocab_size), 1.0);
    for (int32_t t : fit) {
        if (t < 0 || t >= vocab_size)
            throw ConfigError("unigram_loss: token " + std::to_string(t) + " is outside [0, " + std::to_string(vocab_size) + ")");
        count[static_cast<size_t>(t)] += 1.0;
    }
    const double total = static_cast<double>(fit.size()) + vocab_size;
    double nll = 0;
    for (int32_t t : eval) {
        if (t < 0 || t >= vocab_size)
            throw ConfigError("unigram_loss: token " + std::to_string(t) + " is outside [0, " + std::to_string(vocab_size) + ")");
        nll -= std::log(count[static_cast<size_t>(t)] / total);
    }
    return nll / static_cast<double>(eval.size());
}

}  // namespace bp::data
