// tensor.cpp — Tensor construction, views, conversion and element access. Compute lives in the backends.
#include "bp/tensor.h"

#include "deferred_fill.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "bp/autograd.h"
#include "bp/backend.h"
#include "bp/tensor_memory.h"

namespace bp {

size_t dtype_size(DType dt) {
    switch (dt) {
        case DType::f32: return 4;
        case DType::f64: return 8;
        case DType::i32: return 4;
    }
    return 4;
}

const char* dtype_name(DType dt) {
    switch (dt) {
        case DType::f32: return "float32";
        case DType::f64: return "float64";
        case DType::i32: return "int32";
    }
    return "?";
}

const char* device_name(Device d) { return d == Device::cpu ? "cpu" : "cuda"; }

int64_t shape_numel(const Shape& s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

Storage::Storage(size_t nbytes, Device dev) : bytes(nbytes), device(dev) { allocate(); }

Storage::Storage(size_t nbytes, Device dev, Unallocated) : bytes(nbytes), device(dev) {}

void Storage::allocate() {
    if (data) return;
    data = backend_for(device).allocate(bytes ? bytes : 1);
    detail::count_storage(device, static_cast<int64_t>(bytes));
}

Storage::~Storage() {
    if (detail::any_deferred_fill()) detail::forget_fill(this);
    if (!data) return;  // a deferred fill nobody read: never allocated
    backend_for(device).deallocate(data, bytes);
    detail::count_storage(device, -static_cast<int64_t>(bytes));
}

static void check_shape(const Shape& shape, const char* what) {
    if (shape.size() > 4) throw ShapeError(std::string(what) + ": at most 4 dimensions are supported; got " +
                                           shape_str(shape));
    for (int64_t d : shape)
        if (d < 0) throw ShapeError(std::string(what) + ": negative dimension in " + shape_str(shape));
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
    check_shape(shape, "Tensor::empty");
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = std::make_shared<Storage>(static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype), device);
    impl->shape = shape;
    impl->dtype = dtype;
    return Tensor(std::move(impl));
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor Tensor::ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }

Tensor Tensor::full(const Shape& shape, double value, DType dtype, Device device) {
    Tensor t = empty(shape, dtype, device);
    t.fill_(value);
    return t;
}

Tensor Tensor::scalar(double value, DType dtype) { return full({}, value, dtype); }

Tensor Tensor::from_vector(const Shape& shape, const std::vector<double>& values, DType dtype) {
    if (static_cast<int64_t>(values.size()) != shape_numel(shape))
        throw ShapeError("Tensor::from_vector: " + std::to_string(values.size()) + " values do not fill shape " +
                         shape_str(shape));
    Tensor t = empty(shape, dtype);
    if (dtype == DType::i32) {
        auto* p = t.data<int32_t>();
        for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<int32_t>(values[i]);
        return t;
    }
    dispatch_dtype(dtype, [&](auto tag) {
        using T = decltype(tag);
        T* p = t.data<T>();
        for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
    });
    return t;
}

// Fills a new tensor element by element from draw(); the same generator state gives the same tensor.
template <class Draw>
static Tensor sampled(const Shape& shape, DType dtype, Draw draw) {
    Tensor t = Tensor::empty(shape, dtype);
    dispatch_dtype(dtype, [&](auto tag) {
        using T = decltype(tag);
        T* p = t.data<T>();
        for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(draw());
    });
    return t;
}

Tensor Tensor::randn(const Shape& shape, Generator& gen, double mean, double stddev, DType dtype) {
    return sampled(shape, dtype, [&] { return gen.normal(mean, stddev); });
}

Tensor Tensor::uniform(const Shape& shape, Generator& gen, double lo, double hi, DType dtype) {
    return sampled(shape, dtype, [&] { return gen.uniform(lo, hi); });
}

int64_t Tensor::size(int64_t d) const {
    int64_t n = dim();
    if (d < 0) d += n;
    if (d < 0 || d >= n)
        throw ShapeError("size: dimension " + std::to_string(d) + " is out of range for shape " + shape_str(shape()));
    return impl_->shape[static_cast<size_t>(d)];
}

void* Tensor::raw_data() const {
    if (detail::any_deferred_fill()) detail::materialize_fill(impl_->storage.get());  // deferred_fill.h
    return static_cast<char*>(impl_->storage->data) + impl_->offset * static_cast<int64_t>(dtype_size(dtype()));
}

template <>
float* Tensor::data<float>() const {
    BP_CHECK(dtype() == DType::f32, "data<float>() on a " + std::string(dtype_name(dtype())) + " tensor");
    return static_cast<float*>(raw_data());
}
template <>
double* Tensor::data<double>() const {
    BP_CHECK(dtype() == DType::f64, "data<double>() on a " + std::string(dtype_name(dtype())) + " tensor");
    return static_cast<double*>(raw_data());
}
template <>
int32_t* Tensor::data<int32_t>() const {
    BP_CHECK(dtype() == DType::i32, "data<int32_t>() on a " + std::string(dtype_name(dtype())) + " tensor");
    return static_cast<int32_t*>(raw_data());
}

// Every element converted to U, in one pass over the (CPU) storage; a GPU tensor is copied to the host first.
template <class U>
static std::vector<U> elements_as(const Tensor& src) {
    const Tensor t = src.device() == Device::cpu ? src : src.to(Device::cpu);
    std::vector<U> out(static_cast<size_t>(t.numel()));
    auto copy = [&](const auto* p) {
        for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<U>(p[i]);
    };
    switch (t.dtype()) {
        case DType::f32: copy(t.data<float>()); break;
        case DType::f64: copy(t.data<double>()); break;
        case DType::i32: copy(t.data<int32_t>()); break;
    }
    return out;
}

std::vector<double> Tensor::to_vector() const { return elements_as<double>(*this); }
std::vector<float> Tensor::to_float_vector() const { return elements_as<float>(*this); }

double Tensor::item() const {
    if (numel() != 1)
        throw ShapeError("item: only a one-element tensor has a single value; got shape " + shape_str(shape()));
    return to_vector()[0];
}

double Tensor::at(std::initializer_list<int64_t> idx) const {
    if (static_cast<int64_t>(idx.size()) != dim())
        throw ShapeError("at: " + std::to_string(idx.size()) + " indices for shape " + shape_str(shape()));
    int64_t flat = 0, k = 0;
    for (int64_t i : idx) {
        int64_t n = impl_->shape[static_cast<size_t>(k++)];
        if (i < 0 || i >= n) throw ShapeError("at: index " + std::to_string(i) + " out of range for " + shape_str(shape()));
        flat = flat * n + i;
    }
    if (device() != Device::cpu) return to_vector()[static_cast<size_t>(flat)];
    switch (dtype()) {
        case DType::f32: return data<float>()[flat];
        case DType::f64: return data<double>()[flat];
        case DType::i32: return data<int32_t>()[flat];
    }
    return 0;
}

Tensor Tensor::view(const Shape& new_shape) const {
    Shape s = new_shape;
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == -1) {
            if (infer >= 0) throw ShapeError("view: only one dimension may be -1; got " + shape_str(new_shape));
            infer = static_cast<int64_t>(i);
        } else {
            known *= s[i];
        }
    }
    if (infer >= 0) {
        if (known == 0 || numel() % known != 0)
            throw ShapeError("view", shape(), new_shape, "the element counts must match");
        s[static_cast<size_t>(infer)] = numel() / known;
    }
    if (shape_numel(s) != numel()) throw ShapeError("view", shape(), new_shape, "the element counts must match");
    check_shape(s, "view");
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = impl_->storage;
    impl->offset = impl_->offset;
    impl->shape = s;
    impl->dtype = impl_->dtype;
    return Tensor(std::move(impl));
}

Tensor Tensor::slice_rows(int64_t begin, int64_t end) const {
    if (dim() < 1 || begin < 0 || end > size(0) || begin > end)
        throw ShapeError("slice_rows: rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                         ") do not fit shape " + shape_str(shape()));
    int64_t row = dim() ? numel() / std::max<int64_t>(size(0), 1) : 1;
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = impl_->storage;
    impl->offset = impl_->offset + begin * row;
    impl->shape = shape();
    impl->shape[0] = end - begin;
    impl->dtype = impl_->dtype;
    return Tensor(std::move(impl));
}

Tensor Tensor::clone() const {
    Tensor out = empty(shape(), dtype(), device());
    out.copy_(*this);
    return out;
}

Tensor Tensor::detach() const {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = impl_->storage;
    impl->offset = impl_->offset;
    impl->shape = impl_->shape;
    impl->dtype = impl_->dtype;
    impl->name = impl_->name;
    return Tensor(std::move(impl));
}

Tensor Tensor::to(DType dt) const {
    Tensor out = empty(shape(), dt, device());
    backend_for(device()).convert(out, *this);
    return out;
}

Tensor Tensor::to(Device dev) const {
    if (dev == device()) return detach();
    Tensor out = empty(shape(), dtype(), dev);
    if (dev == Device::cpu) backend_for(device()).copy_to_host(out.raw_data(), raw_data(), nbytes());
    else backend_for(dev).copy_from_host(out.raw_data(), raw_data(), nbytes());
    out.impl()->name = impl_->name;
    return out;
}

void Tensor::fill_(double value) { backend_for(device()).fill(*this, value); }

void Tensor::copy_(const Tensor& src) {
    if (src.numel() != numel()) throw ShapeError("copy_", src.shape(), shape(), "the element counts must match");
    if (src.device() != device()) {  // bring the bytes over first, then convert on this tensor's device
        backend_for(device()).convert(*this, src.to(device()));
        return;
    }
    backend_for(device()).convert(*this, src);
}

Tensor& Tensor::set_requires_grad(bool on) {
    if (on && dtype() == DType::i32) throw ConfigError("set_requires_grad: an int32 tensor has no gradient");
    impl_->requires_grad = on;
    return *this;
}

Tensor Tensor::grad() const { return impl_->grad ? Tensor(impl_->grad) : Tensor(); }
void Tensor::set_grad(const Tensor& g) { impl_->grad = g.impl_ptr(); }
void Tensor::zero_grad() { impl_->grad.reset(); }
void Tensor::backward() const { autograd::backward(*this); }

Tensor& Tensor::set_name(std::string n) {
    impl_->name = std::move(n);
    return *this;
}

std::string Tensor::repr() const {
    if (!defined()) return "Tensor(undefined)";
    std::ostringstream os;
    os << "Tensor(" << shape_str(shape()) << ", " << dtype_name(dtype());
    if (device() != Device::cpu) os << ", " << device_name(device());
    if (requires_grad()) os << ", requires_grad";
    os << ')';
    return os.str();
}

}  // namespace bp
