// hostile_gen.cpp — writes the hostile corpus of tests/hostile/ into one folder at test time (nothing large is
// committed): valid base files (a small MLP model, a GPT model, a dataset of 28x28 blocks, a picture, a text)
// and, from them, truncated, corrupted, contradictory and oversized variants, special files (a FIFO) and
// sparse giants. tests/hostile/CMakeLists.txt names each case with its expected exit code and message.
// Usage: hostile_gen DIR
#include <sys/stat.h>
#include <cstring>
#include <functional>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "bp/data/idx.h"
#include "bp/data/text.h"
#include "bp/io/gpt_file.h"
#include "bp/io/model_file.h"
#include "bp/io/safetensors.h"
#include "bp/models/gpt.h"
#include "bp/models/zoo.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string D;  // the corpus folder

void put(const std::string& name, const std::string& bytes) {
    fs::create_directories(fs::path(D + "/" + name).parent_path());
    std::ofstream out(D + "/" + name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string get(const std::string& name) {
    std::ifstream in(D + "/" + name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string le64(uint64_t n) {
    std::string s;
    for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
    return s;
}

/// A safetensors file from a header text and data bytes.
std::string st(const std::string& header, const std::string& data = "") { return le64(header.size()) + header + data; }

std::string gzip(const std::string& bytes) {
    z_stream zs{};
    deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&zs, bytes.size()) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    zs.avail_in = static_cast<uInt>(bytes.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

std::string be32(uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string idx(uint8_t type, const std::vector<uint32_t>& dims, const std::string& payload) {
    std::string s{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
    for (uint32_t d : dims) s += be32(d);
    return s + payload;
}

/// A learnable 10-class set of 28x28 blocks in the MNIST layout: train 200, t10k 50.
void blocks(const std::string& folder) {
    for (auto [prefix, n] : {std::pair<const char*, int>{"train", 200}, {"t10k", 50}}) {
        std::vector<uint8_t> px(static_cast<size_t>(n) * 784, 0), lb(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) {
            const int c = i % 10;
            lb[static_cast<size_t>(i)] = static_cast<uint8_t>(c);
            for (int r = 0; r < 8; ++r)
                for (int k = 0; k < 8; ++k) px[static_cast<size_t>(i * 784 + (2 + (c / 4) * 8 + r) * 28 + 2 + (c % 4) * 6 + k)] = 255;
        }
        fs::create_directories(D + "/" + folder);
        bp::data::write_idx(D + "/" + folder + "/" + prefix + "-images-idx3-ubyte", {n, 28, 28}, px);
        bp::data::write_idx(D + "/" + folder + "/" + prefix + "-labels-idx1-ubyte", {n}, lb);
    }
}

/// A copy of the blocks dataset with one file replaced by `bytes` (name: e.g. train-labels-idx1-ubyte[.gz]).
void bad_dataset(const std::string& name, const std::string& file, const std::string& bytes) {
    const std::string folder = D + "/ds/" + name;
    fs::create_directories(folder);
    for (const auto& e : fs::directory_iterator(D + "/blocks"))
        fs::copy_file(e.path(), folder + "/" + e.path().filename().string(), fs::copy_options::overwrite_existing);
    const std::string plain = file.size() > 3 && file.substr(file.size() - 3) == ".gz" ? file.substr(0, file.size() - 3) : file;
    fs::remove(folder + "/" + plain);
    put("ds/" + name + "/" + file, bytes);
}

/// A PNG whose IHDR claims w x h (with a correct CRC) followed by a tiny IDAT and IEND.
std::string png_claiming(uint32_t w, uint32_t h) {
    auto chunk = [](const std::string& type, const std::string& data) {
        std::string body = type + data;
        const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
        return be32(static_cast<uint32_t>(data.size())) + body + be32(static_cast<uint32_t>(crc));
    };
    std::string ihdr = be32(w) + be32(h) + std::string{8, 0, 0, 0, 0};  // 8-bit grey
    std::string idat;
    {
        std::string raw(1 + 16, '\0');
        uLongf n = compressBound(raw.size());
        idat.resize(n);
        compress(reinterpret_cast<Bytef*>(idat.data()), &n, reinterpret_cast<const Bytef*>(raw.data()), raw.size());
        idat.resize(n);
    }
    return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", "");
}

void sparse(const std::string& name, uint64_t size) {
    put(name, "");
    fs::resize_file(D + "/" + name, size);
}

std::string text_of(int n) {
    std::string t;
    while (static_cast<int>(t.size()) < n) t += "the quick brown fox jumps over the lazy dog.\n";
    return t.substr(0, static_cast<size_t>(n));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: hostile_gen DIR\n";
        return 2;
    }
    D = argv[1];
    fs::remove_all(D);
    fs::create_directories(D + "/out");

    // ---- valid bases ----
    blocks("blocks");
    bp::models::Model mlp = bp::models::create_model("mlp", json{{"hidden", {8}}}, 1);
    bp::io::save_model(D + "/mlp.safetensors", mlp, json::object());
    const std::string text = text_of(3000);
    put("text.txt", text);
    {
        bp::data::CharTokenizer tok = bp::data::CharTokenizer::from_text(text);
        bp::models::GptOptions o;
        o.vocab_size = tok.vocab_size();
        o.context = 8;
        o.layers = 1;
        o.heads = 2;
        o.dim = 8;
        bp::models::GptMini gpt(o);
        bp::io::save_gpt(D + "/gpt.safetensors", gpt, tok, json::object());
    }
    {
        std::vector<uint8_t> px(28 * 28, 255);
        for (int r = 6; r < 22; ++r)
            for (int k = 12; k < 16; ++k) px[static_cast<size_t>(r * 28 + k)] = 0;
        stbi_write_png((D + "/digit.png").c_str(), 28, 28, 1, px.data(), 28);
    }

    // ---- truncations of the model files: every length class ----
    for (const std::string base : {"mlp", "gpt"}) {
        const std::string bytes = get(base + ".safetensors");
        uint64_t n = 0;
        for (int i = 0; i < 8; ++i) n |= uint64_t{static_cast<uint8_t>(bytes[static_cast<size_t>(i)])} << (8 * i);
        const std::vector<size_t> cuts{0, 1, 4, 7, 8, 9, 16, 8 + n / 2, 8 + n - 1, 8 + n, 8 + n + 1, 8 + n + 4,
                                       (8 + n + bytes.size()) / 2, bytes.size() - 4, bytes.size() - 1};
        for (size_t k = 0; k < cuts.size(); ++k) put("trunc/" + base + "_" + std::to_string(k) + ".safetensors", bytes.substr(0, cuts[k]));
        put("trunc/" + base + "_extra.safetensors", bytes + "xxxx");  // trailing bytes
    }

    // ---- safetensors headers ----
    const std::string t4 = R"("dtype":"F32","shape":[1],"data_offsets":[0,4])";
    auto one = [&](const std::string& name, const std::string& header, const std::string& data = std::string(4, '\0')) {
        put("st/" + name + ".safetensors", st(header, data));
    };
    one("dtype_unknown", R"({"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}})");
    one("dtype_number", R"({"w":{"dtype":7,"shape":[1],"data_offsets":[0,4]}})");
    one("dtype_missing", R"({"w":{"shape":[1],"data_offsets":[0,4]}})");
    one("shape_negative", R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})");
    one("shape_float", R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})");
    one("shape_1e400", R"({"w":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}})");
    one("shape_missing", R"({"w":{"dtype":"F32","data_offsets":[0,4]}})");
    one("shape_string", R"({"w":{"dtype":"F32","shape":"1","data_offsets":[0,4]}})");
    one("shape_overflow", R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}})");
    one("shape_mismatch", R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})");
    one("offsets_reversed", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})");
    one("offsets_beyond", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4000000]}})");
    one("offsets_negative", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})");
    one("offsets_float", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0.0,4.0]}})");
    one("offsets_three", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})");
    one("offsets_huge", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[18446744073709551612,18446744073709551615]}})");
    one("overlap", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})");
    one("gap", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::string(8, '\0'));
    one("trailing_data", "{\"w\":{" + t4 + "}}", std::string(12, '\0'));
    one("dup_tensor", "{\"w\":{" + t4 + "},\"w\":{" + t4 + "}}");
    one("dup_inner_key", R"({"w":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}})");
    one("dup_metadata", R"({"__metadata__":{"a":"1","a":"2"}})", "");
    one("header_array", "[1,2,3]", "");
    one("header_string", "\"hello\"", "");
    one("header_number", "12345678", "");
    one("header_null", "null", "");
    one("header_garbage", "{not json at all", "");
    one("header_utf8", "{\"w\xff\xfe\":{" + t4 + "}}");
    one("header_nul", std::string("{\"w\":{\0}}", 9), "");
    one("deep_100", std::string(100, '[') + std::string(100, ']'), "");
    one("deep_100000", std::string(100000, '[') + std::string(100000, ']'), "");
    one("deep_objects", [] {
        std::string s;
        for (int i = 0; i < 1000; ++i) s += "{\"a\":";
        return s + "1" + std::string(1000, '}');
    }(), "");
    one("metadata_not_object", R"({"__metadata__":[1]})", "");
    one("metadata_number_value", R"({"__metadata__":{"bp.config":5}})", "");
    one("entry_not_object", R"({"w":[1,2]})", "");
    one("empty_header", "{}", "");
    one("no_config", "{\"w\":{" + t4 + "}}");
    put("st/len_huge.safetensors", le64(~uint64_t{0}) + "{}");
    put("st/len_past_end.safetensors", le64(1000) + "{}");
    put("st/len_over_limit.safetensors", le64(200ull << 20) + "{}");
    put("st/len_zero.safetensors", le64(0));
    sparse("st/sparse_5g.safetensors", 5ull << 30);

    // ---- bp.config mutations (a header with the MLP's real tensors, only the config changed) ----
    {
        bp::io::SafetensorsFile f = bp::io::load_safetensors(D + "/mlp.safetensors");
        auto with = [&](const std::string& name, const std::string& config, std::function<void(bp::io::SafetensorsFile&)> edit = {}) {
            bp::io::SafetensorsFile g = f;
            if (config.empty()) g.metadata.erase("bp.config");
            else g.metadata["bp.config"] = config;
            if (edit) edit(g);
            bp::io::save_safetensors(D + "/cfg/" + name + ".safetensors", g.tensors, g.metadata);
        };
        fs::create_directories(D + "/cfg");
        with("unknown_model", R"({"model":"transformer9000"})");
        with("model_number", R"({"model":7})");
        with("config_array", R"([1,2])");
        with("config_string", R"("mlp")");
        with("config_bad_json", R"({"model":)");
        with("config_1e400", R"({"model":"mlp","options":{"hidden":[1e400]}})");
        with("config_dup", R"({"model":"mlp","model":"cnn"})");
        with("unknown_activation", R"({"model":"mlp","options":{"hidden":[8],"activation":"swish"}})");
        with("activation_number", R"({"model":"mlp","options":{"hidden":[8],"activation":3}})");
        with("hidden_1e30", R"({"model":"mlp","options":{"hidden":[1e30]}})");
        with("hidden_frac", R"({"model":"mlp","options":{"hidden":[8.5]}})");
        with("hidden_negative", R"({"model":"mlp","options":{"hidden":[-8]}})");
        with("hidden_zero", R"({"model":"mlp","options":{"hidden":[0]}})");
        with("hidden_string", R"({"model":"mlp","options":{"hidden":"8"}})");
        with("hidden_huge", R"({"model":"mlp","options":{"hidden":[65536,65536,65536,65536]}})");
        with("hidden_too_many", R"({"model":"mlp","options":{"hidden":[8,8,8,8,8,8,8,8,8,8,8,8,8,8,8,8,8]}})");
        with("options_array", R"({"model":"mlp","options":[8]})");
        with("cnn_huge", R"({"model":"cnn","options":{"channels1":512,"channels2":512,"fc":8192}})");
        with("cnn_dropout", R"({"model":"cnn","options":{"dropout":2}})");
        with("cnn_fc_1e30", R"({"model":"cnn","options":{"fc":1e30}})");
        with("resnet_width_0", R"({"model":"resnet","options":{"width":0}})");
        with("vit_layers_1e30", R"({"model":"vit","options":{"layers":1e30}})");
        with("vit_dim_huge", R"({"model":"vit","options":{"dim":1024,"layers":24,"heads":4}})");
        with("lenet_mismatch", R"({"model":"lenet"})");
        with("missing_tensor", "", nullptr);  // no config at all
        with("drop_tensor", f.metadata.at("bp.config"), [](bp::io::SafetensorsFile& g) { g.tensors.pop_back(); });
        with("extra_tensor", f.metadata.at("bp.config"), [](bp::io::SafetensorsFile& g) {
            g.tensors.push_back({"zz.extra", "F32", {1}, std::vector<uint8_t>(4, 0)});
        });
        with("wrong_shape", f.metadata.at("bp.config"), [](bp::io::SafetensorsFile& g) {
            auto& t = g.tensors.back();
            t.shape = {static_cast<int64_t>(t.bytes.size() / 4)};
        });
        with("i64_tensor", f.metadata.at("bp.config"), [](bp::io::SafetensorsFile& g) { g.tensors.back().dtype = "I64"; g.tensors.back().shape.back() /= 2; });
        with("f16_tensors", f.metadata.at("bp.config"), [](bp::io::SafetensorsFile& g) {
            for (auto& t : g.tensors) {  // float32 -> float16 by truncating the mantissa (values are small)
                std::vector<uint8_t> h(t.bytes.size() / 2);
                for (size_t i = 0; i < t.bytes.size() / 4; ++i) {
                    float v;
                    std::memcpy(&v, &t.bytes[4 * i], 4);
                    uint32_t b;
                    std::memcpy(&b, &v, 4);
                    const uint32_t sign = (b >> 16) & 0x8000, e = (b >> 23) & 0xFF, m = (b >> 13) & 0x3FF;
                    uint16_t r = static_cast<uint16_t>(sign);
                    if (e >= 113 && e <= 142) r = static_cast<uint16_t>(sign | ((e - 112) << 10) | m);
                    h[2 * i] = static_cast<uint8_t>(r & 0xFF);
                    h[2 * i + 1] = static_cast<uint8_t>(r >> 8);
                }
                t.bytes = h;
                t.dtype = "F16";
            }
        });
        with("bf16_tensors", f.metadata.at("bp.config"), [](bp::io::SafetensorsFile& g) {
            for (auto& t : g.tensors) {
                std::vector<uint8_t> h(t.bytes.size() / 2);
                for (size_t i = 0; i < t.bytes.size() / 4; ++i) {
                    h[2 * i] = t.bytes[4 * i + 2];
                    h[2 * i + 1] = t.bytes[4 * i + 3];
                }
                t.bytes = h;
                t.dtype = "BF16";
            }
        });
        with("num_batches_tracked", f.metadata.at("bp.config"), [](bp::io::SafetensorsFile& g) {
            g.tensors.push_back({"bn.num_batches_tracked", "I64", {}, std::vector<uint8_t>(8, 0)});
        });
        with("summary_bad", f.metadata.at("bp.config"), [](bp::io::SafetensorsFile& g) { g.metadata["bp.summary"] = "{oops"; });
    }

    // ---- GPT files ----
    {
        bp::io::SafetensorsFile f = bp::io::load_safetensors(D + "/gpt.safetensors");
        json cfg = json::parse(f.metadata.at("bp.config"));
        json tok = json::parse(f.metadata.at("bp.tokenizer"));
        fs::create_directories(D + "/gpt");
        auto with = [&](const std::string& name, const json& c, const json& t) {
            bp::io::SafetensorsFile g = f;
            g.metadata["bp.config"] = c.is_string() ? c.get<std::string>() : c.dump();
            g.metadata["bp.tokenizer"] = t.is_string() ? t.get<std::string>() : t.dump();
            bp::io::save_safetensors(D + "/gpt/" + name + ".safetensors", g.tensors, g.metadata);
        };
        auto opt = [&](const std::string& key, const json& v) {
            json c = cfg;
            c["options"][key] = v;
            return c;
        };
        with("heads_1e30", opt("heads", 1e30), tok);
        with("vocab_1e30", opt("vocab_size", 1e30), tok);
        with("layers_frac", opt("layers", 1.5), tok);
        with("dim_string", opt("dim", "8"), tok);
        with("huge", [&] { json c = cfg; c["options"]["layers"] = 48; c["options"]["dim"] = 4096; return c; }(), tok);
        with("block_unknown", opt("block", "llama"), tok);
        with("heads_not_dividing", opt("heads", 3), tok);
        with("config_array", json::array({1, 2}), tok);
        with("options_array", [&] { json c = cfg; c["options"] = json::array(); return c; }(), tok);
        with("not_gpt", json{{"model", "mlp"}}, tok);
        with("config_bad_json", json("{\"model\":"), tok);
        with("tok_short", cfg, [&] { json t = tok; t["vocab"].erase(t["vocab"].size() - 1); return t; }());
        with("tok_long", cfg, [&] { json t = tok; t["vocab"].push_back("\xe2\x82\xac"); return t; }());
        with("tok_unsorted", cfg, [&] { json t = tok; std::swap(t["vocab"][0], t["vocab"][1]); return t; }());
        with("tok_two_chars", cfg, [&] { json t = tok; t["vocab"][1] = "ab"; return t; }());
        with("tok_not_char", cfg, [&] { json t = tok; t["type"] = "bpe"; return t; }());
        with("tok_bad_json", cfg, json("[oops"));
        with("tok_array", cfg, json::array());
    }

    // ---- IDX datasets ----
    {
        const std::string good_labels = get("blocks/train-labels-idx1-ubyte");
        const std::string good_images = get("blocks/train-images-idx3-ubyte");
        const std::string L = "train-labels-idx1-ubyte", I = "train-images-idx3-ubyte";
        for (size_t cut : {0, 1, 2, 3, 4, 5, 7, 8, 11})
            bad_dataset("labels_cut_" + std::to_string(cut), L, good_labels.substr(0, cut));
        for (size_t cut : {12, 15, 16, 100, 150000})
            bad_dataset("images_cut_" + std::to_string(cut), I, good_images.substr(0, cut));
        bad_dataset("labels_trailing", L, good_labels + "x");
        bad_dataset("bad_magic", L, "\x01\x02" + good_labels.substr(2));
        bad_dataset("type_float", L, idx(0x0D, {200}, std::string(800, '\0')));
        bad_dataset("type_signed", L, idx(0x09, {200}, std::string(200, '\0')));
        bad_dataset("type_unknown", L, idx(0x42, {200}, std::string(200, '\0')));
        bad_dataset("ndims_0", L, idx(0x08, {}, ""));
        bad_dataset("ndims_5", I, idx(0x08, {1, 1, 1, 1, 1}, "x"));
        bad_dataset("dim_zero", I, idx(0x08, {0, 28, 28}, ""));
        bad_dataset("dims_huge", I, idx(0x08, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, ""));
        bad_dataset("labels_count", L, idx(0x08, {199}, std::string(199, '\1')));
        bad_dataset("labels_2d", L, idx(0x08, {200, 1}, std::string(200, '\1')));
        bad_dataset("labels_out_of_range", L, idx(0x08, {200}, std::string(200, '\xff')));
        bad_dataset("images_27", I, idx(0x08, {200, 27, 28}, std::string(200 * 27 * 28, '\0')));
        bad_dataset("images_1d", I, idx(0x08, {200 * 784}, std::string(200 * 784, '\0')));
        const std::string gz = gzip(good_labels);
        bad_dataset("gz_cut_half", L + ".gz", gz.substr(0, gz.size() / 2));
        bad_dataset("gz_cut_10", L + ".gz", gz.substr(0, 10));
        bad_dataset("gz_magic_only", L + ".gz", "\x1f\x8b");
        std::string crc = gz;
        crc[crc.size() - 6] ^= 0x55;
        bad_dataset("gz_bad_crc", L + ".gz", crc);
        std::string body = gz;
        for (size_t i = 12; i < body.size() - 8; i += 3) body[i] = static_cast<char>(body[i] ^ 0xA5);
        bad_dataset("gz_garbage", L + ".gz", body);
        bad_dataset("gz_trailing_garbage", L + ".gz", gz + "garbage!");
        bad_dataset("gz_empty_member", L + ".gz", gzip(""));
        {
            // the bomb: the header says 200 labels, then 1.25 GiB of zeros as concatenated members (~1.3 MB)
            const std::string member = gzip(std::string(64u << 20, '\0'));
            std::string bomb = gzip(good_labels);
            for (int i = 0; i < 20; ++i) bomb += member;
            bad_dataset("gz_bomb", L + ".gz", bomb);
        }
        fs::create_directories(D + "/ds/fifo_labels");
        for (const auto& e : fs::directory_iterator(D + "/blocks"))
            fs::copy_file(e.path(), D + "/ds/fifo_labels/" + e.path().filename().string());
        fs::remove(D + "/ds/fifo_labels/" + L);
        ::mkfifo((D + "/ds/fifo_labels/" + L).c_str(), 0600);
        fs::create_directories(D + "/ds/dir_labels/" + L);
        for (const auto& e : fs::directory_iterator(D + "/blocks"))
            if (e.path().filename().string() != L)
                fs::copy_file(e.path(), D + "/ds/dir_labels/" + e.path().filename().string());
        fs::create_directories(D + "/ds/empty");
    }

    // ---- texts ----
    put("txt/empty.txt", "");
    put("txt/short.txt", text_of(999));
    put("txt/one_char.txt", std::string(2000, 'a'));
    put("txt/latin1.txt", text_of(2000) + "caf\xe9\n");
    put("txt/overlong.txt", text_of(2000) + "\xc0\xaf");
    put("txt/surrogate.txt", text_of(2000) + "\xed\xa0\x80");
    put("txt/five_byte.txt", text_of(2000) + "\xf8\x88\x80\x80\x80");
    put("txt/cut_sequence.txt", text_of(2000) + "\xe2\x82");
    put("txt/lone_continuation.txt", text_of(2000) + "\x80");
    put("txt/beyond_unicode.txt", text_of(2000) + "\xf4\x90\x80\x80");
    put("txt/nul_bytes.txt", text_of(2000) + std::string(10, '\0'));
    sparse("txt/sparse_300m.txt", 300ull << 20);
    fs::create_directories(D + "/txt/folder.txt");
    ::mkfifo((D + "/txt/fifo.txt").c_str(), 0600);

    // ---- pictures ----
    {
        const std::string png = get("digit.png");
        put("pic/empty.png", "");
        put("pic/text.png", "this is not a picture\n");
        put("pic/cut_8.png", png.substr(0, 8));
        put("pic/cut_20.png", png.substr(0, 20));
        put("pic/cut_half.png", png.substr(0, png.size() / 2));
        put("pic/huge_claim.png", png_claiming(100000, 100000));
        put("pic/wide_claim.png", png_claiming(2000000000, 1));
        put("pic/zero_claim.png", png_claiming(0, 0));
        put("pic/jpeg_cut.jpg", std::string("\xff\xd8\xff\xe0\x00\x10JFIF\x00", 11));
        // a Huffman table claiming 16 x 255 codes: Debian's stb_image wrote past its tables (fuzz finding)
        put("pic/png_idat_2gib.png", get("digit.png").substr(0, 33) + be32(0x7FFFFFF0) + "IDAT" + "xxxx");
        put("pic/jpeg_bad_dht.jpg", std::string("\xff\xd8\xff\xc4\x00\x13\x00", 7) + std::string(16, '\xff') + "\xff\xd9");
        sparse("pic/sparse_300m.png", 300ull << 20);
        ::mkfifo((D + "/pic/fifo.png").c_str(), 0600);
        fs::create_directories(D + "/pic/folder.png");
    }

    // ---- special model files ----
    ::mkfifo((D + "/fifo.safetensors").c_str(), 0600);
    fs::create_directories(D + "/folder.safetensors");
    fs::create_symlink(D + "/fifo.safetensors", D + "/link_to_fifo.safetensors");
    std::cout << "hostile corpus written to " << D << "\n";
    return 0;
}
