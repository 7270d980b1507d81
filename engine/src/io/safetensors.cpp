// safetensors.cpp — the safetensors container: header JSON via nlohmann::json, data copied as raw
// little-endian bytes (this build requires a little-endian host). Validation mirrors the Python
// package's rules: known dtypes, sizes that match shapes, data contiguous from 0 with no gaps or overlaps.
#include "bp/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <nlohmann/json.hpp>

#include "bp/errors.h"
#include "bp/io/atomic_file.h"
#include "bp/io/json_checks.h"

namespace bp::io {

static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

namespace {

constexpr uint64_t max_header_bytes = 100ull * 1024 * 1024;
constexpr const char* metadata_key = "__metadata__";

/// numel(shape) * elem_size, or -1 when a dim is negative or the product overflows.
int64_t byte_count(const std::vector<int64_t>& shape, int64_t elem_size) {
    int64_t n = elem_size;
    for (int64_t d : shape) {
        if (d < 0 || __builtin_mul_overflow(n, d, &n)) return -1;
    }
    return n;
}

[[noreturn]] void load_error(const std::string& path, const std::string& what) {
    throw DataError("load_safetensors: '" + path + "' " + what);
}

[[noreturn]] void tensor_error(const std::string& path, const std::string& name, const std::string& what) {
    throw DataError("load_safetensors: tensor '" + name + "' in '" + path + "' " + what +
                    "; the file is corrupt or was not written as safetensors");
}

}  // namespace

int64_t safetensors_dtype_size(const std::string& dtype) {
    if (dtype == "F64" || dtype == "I64") return 8;
    if (dtype == "F32" || dtype == "I32") return 4;
    if (dtype == "F16" || dtype == "BF16") return 2;
    if (dtype == "U8") return 1;
    return 0;
}

const NamedBuffer* SafetensorsFile::find(const std::string& name) const {
    for (const auto& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

void save_safetensors(const std::string& path, const std::vector<NamedBuffer>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    // Data goes out in name order, so the offsets rise with the (sorted) header keys.
    std::vector<const NamedBuffer*> sorted;
    for (const auto& t : tensors) sorted.push_back(&t);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });

    nlohmann::json header = nlohmann::json::object();
    uint64_t offset = 0;
    for (size_t i = 0; i < sorted.size(); ++i) {
        const NamedBuffer& t = *sorted[i];
        const std::string where = "save_safetensors: tensor '" + t.name + "' for '" + path + "'";
        if (t.name.empty() || t.name == metadata_key)
            throw DataError(where + " has a reserved name; got \"" + t.name + "\"; pick another name");
        if (i > 0 && sorted[i - 1]->name == t.name)
            throw DataError(where + " appears twice; got two tensors with that name; names must be unique");
        const int64_t elem = safetensors_dtype_size(t.dtype);
        if (elem == 0)
            throw DataError(where + " has an unknown dtype; got \"" + t.dtype +
                            "\"; use F32, F64, F16, BF16, I64, I32 or U8");
        const int64_t expected = byte_count(t.shape, elem);
        if (expected < 0)
            throw DataError(where + " has an invalid shape; got " + shape_str(t.shape) +
                            "; dims must be non-negative");
        if (static_cast<uint64_t>(expected) != t.bytes.size())
            throw DataError(where + " has the wrong number of bytes for shape " + shape_str(t.shape) + " " +
                            t.dtype + "; got " + std::to_string(t.bytes.size()) + ", expected " +
                            std::to_string(expected));
        header[t.name] = {{"dtype", t.dtype},
                          {"shape", t.shape},
                          {"data_offsets", {offset, offset + static_cast<uint64_t>(expected)}}};
        offset += static_cast<uint64_t>(expected);
    }
    if (!metadata.empty()) header[metadata_key] = metadata;

    std::string header_text;
    try {
        header_text = header.dump();
    } catch (const nlohmann::json::type_error& e) {
        throw DataError("save_safetensors: cannot write the header of '" + path + "'; got " + e.what() +
                        "; tensor names and metadata must be valid UTF-8");
    }
    header_text.append((8 - header_text.size() % 8) % 8, ' ');
    const uint64_t n = header_text.size();

    std::string out;
    out.reserve(8 + n + offset);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
    out += header_text;
    for (const NamedBuffer* t : sorted) out.append(reinterpret_cast<const char*>(t->bytes.data()), t->bytes.size());
    write_file_atomic(path, out);
}

SafetensorsFile load_safetensors(const std::string& path) {
    std::string bytes;
    try {
        bytes = read_file(path);
    } catch (const DataError& e) {
        throw DataError(std::string("load_safetensors: ") + e.what());
    }
    if (bytes.size() < 8)
        load_error(path, "is too short to be a safetensors file; got " + std::to_string(bytes.size()) +
                             " bytes, expected at least 8; the file is truncated, save it again");
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= uint64_t{static_cast<uint8_t>(bytes[i])} << (8 * i);
    if (n > bytes.size() - 8)
        load_error(path, "declares a header longer than the file; got header length " + std::to_string(n) +
                             " with only " + std::to_string(bytes.size() - 8) +
                             " bytes after it; the file is truncated or not safetensors");
    if (n > max_header_bytes)
        load_error(path, "declares a header of " + std::to_string(n) + " bytes; got more than the 100 MB limit; "
                         "the file is corrupt or not safetensors");

    // Strict: a repeated tensor name (nlohmann would keep the last) or absurd nesting is refused, and every
    // parser exception becomes a DataError naming the file.
    const nlohmann::json header =
        parse_json_strict(bytes.substr(8, n), "load_safetensors: '" + path + "' has a header that");
    if (!header.is_object())
        load_error(path, std::string("has a header that is not a JSON object; got a JSON ") + header.type_name() +
                             "; the file is corrupt or not safetensors");

    const uint64_t data_size = bytes.size() - 8 - n;
    const char* data = bytes.data() + 8 + n;
    SafetensorsFile file;
    struct Span {
        uint64_t begin, end;
        std::string name;
    };
    std::vector<Span> spans;

    for (const auto& [name, entry] : header.items()) {
        if (name == metadata_key) {
            if (!entry.is_object())
                load_error(path, std::string("has a __metadata__ that is not an object; got a JSON ") +
                                     entry.type_name() + "; it must map strings to strings");
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string())
                    load_error(path, "has a non-string __metadata__ value for key '" + key + "'; got a JSON " +
                                         value.type_name() + "; metadata values must be strings");
                file.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        if (!entry.is_object()) tensor_error(path, name, std::string("is not a JSON object; got a JSON ") + entry.type_name());
        if (!entry.contains("dtype") || !entry["dtype"].is_string())
            tensor_error(path, name, "has no string \"dtype\"");
        NamedBuffer t;
        t.name = name;
        t.dtype = entry["dtype"].get<std::string>();
        const int64_t elem = safetensors_dtype_size(t.dtype);
        if (elem == 0)
            tensor_error(path, name, "has an unsupported dtype; got \"" + t.dtype +
                                         "\", expected one of F32, F64, F16, BF16, I64, I32, U8");
        if (!entry.contains("shape") || !entry["shape"].is_array())
            tensor_error(path, name, "has no \"shape\" array");
        for (const auto& d : entry["shape"]) {
            if (!d.is_number_integer() || d.get<int64_t>() < 0)
                tensor_error(path, name, "has an invalid shape; got " + entry["shape"].dump() +
                                             ", dims must be non-negative integers");
            t.shape.push_back(d.get<int64_t>());
        }
        const auto& offsets = entry.contains("data_offsets") ? entry["data_offsets"] : nlohmann::json();
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
            !offsets[1].is_number_unsigned())
            tensor_error(path, name, "has invalid \"data_offsets\"; got " + offsets.dump() +
                                         ", expected [begin, end] with non-negative integers");
        const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
        if (begin > end || end > data_size)
            tensor_error(path, name, "has data_offsets outside the data section; got [" + std::to_string(begin) +
                                         ", " + std::to_string(end) + "] with " + std::to_string(data_size) +
                                         " data bytes");
        const int64_t expected = byte_count(t.shape, elem);
        if (expected < 0 || static_cast<uint64_t>(expected) != end - begin)
            tensor_error(path, name, "has a size that does not match its shape; got " + std::to_string(end - begin) +
                                         " bytes, expected " + std::to_string(expected) + " for " +
                                         shape_str(t.shape) + " " + t.dtype);
        t.bytes.assign(data + begin, data + end);
        spans.push_back({begin, end, name});
        file.tensors.push_back(std::move(t));
    }

    // Same rule as the Python package: the tensors tile the data section exactly, from 0 to its end.
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t cursor = 0;
    for (const Span& s : spans) {
        if (s.begin < cursor)
            tensor_error(path, s.name, "overlaps the tensor before it; got data_offsets starting at " +
                                           std::to_string(s.begin) + " before byte " + std::to_string(cursor));
        if (s.begin > cursor)
            tensor_error(path, s.name, "leaves a gap before its data; got data_offsets starting at " +
                                           std::to_string(s.begin) + ", expected " + std::to_string(cursor));
        cursor = s.end;
    }
    if (cursor != data_size)
        load_error(path, "has " + std::to_string(data_size - cursor) + " bytes after the last tensor; got " +
                             std::to_string(data_size) + " data bytes, the tensors cover " + std::to_string(cursor) +
                             "; the file is corrupt");
    return file;
}

}  // namespace bp::io
