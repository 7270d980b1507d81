// tensor.h — the engine's n-d array: contiguous row-major storage shared between views, a shape (up to
// 4-D), a dtype (float32 by default, float64 for gradient checks) and a device. Autograd state (grad,
// grad_fn) lives on the tensor too; the graph machinery is in autograd.h. Not thread-safe for writes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bp/errors.h"

namespace bp {

enum class DType : uint8_t { f32, f64, i32 };  // i32 holds class indices; no math on it
enum class Device : uint8_t { cpu, cuda };

using Shape = std::vector<int64_t>;

size_t dtype_size(DType dt);
const char* dtype_name(DType dt);  // "float32"
const char* device_name(Device d);  // "cpu"
int64_t shape_numel(const Shape& s);

struct Node;  // autograd.h

/// One allocation, shared by every view onto it. Freed through the backend that made it.
struct Storage {
    void* data = nullptr;  // null only while a deferred fill has not been read (deferred_fill.h)
    size_t bytes = 0;
    Device device = Device::cpu;
    Storage(size_t bytes, Device device);
    struct Unallocated {};
    Storage(size_t bytes, Device device, Unallocated);  // data stays null until allocate() (deferred fills only)
    void allocate();                                     // a no-op once data is set
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;
};

struct TensorImpl {
    std::shared_ptr<Storage> storage;
    int64_t offset = 0;  // in elements
    Shape shape;
    DType dtype = DType::f32;
    bool requires_grad = false;
    std::shared_ptr<TensorImpl> grad;  // accumulated gradient, same shape; null until a backward reaches it
    std::shared_ptr<Node> grad_fn;     // the op that made this tensor; null for leaves
    std::string name;                  // parameter name or op label, for display
};

/// Seeded random numbers: the same seed gives the same tensors on every run.
class Generator {
public:
    explicit Generator(uint64_t seed = 0) : engine_(seed) {}
    void seed(uint64_t s) { engine_.seed(s); }
    double normal(double mean = 0.0, double stddev = 1.0) {
        return std::normal_distribution<double>(mean, stddev)(engine_);
    }
    double uniform(double lo = 0.0, double hi = 1.0) {
        return std::uniform_real_distribution<double>(lo, hi)(engine_);
    }
    std::mt19937_64& engine() { return engine_; }

private:
    std::mt19937_64 engine_;
};

class Tensor {
public:
    Tensor() = default;  // undefined
    explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

    /// Uninitialised contents. Example: Tensor::empty({32, 784})
    static Tensor empty(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu);
    static Tensor zeros(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu);
    static Tensor ones(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu);
    static Tensor full(const Shape& shape, double value, DType dtype = DType::f32, Device device = Device::cpu);
    static Tensor scalar(double value, DType dtype = DType::f32);
    static Tensor from_vector(const Shape& shape, const std::vector<double>& values, DType dtype = DType::f32);
    static Tensor randn(const Shape& shape, Generator& gen, double mean = 0, double stddev = 1,
                        DType dtype = DType::f32);
    static Tensor uniform(const Shape& shape, Generator& gen, double lo, double hi, DType dtype = DType::f32);

    bool defined() const { return impl_ != nullptr; }
    const Shape& shape() const { return impl_->shape; }
    int64_t dim() const { return static_cast<int64_t>(impl_->shape.size()); }
    int64_t size(int64_t d) const;  // negative d counts from the end
    int64_t numel() const { return shape_numel(impl_->shape); }
    DType dtype() const { return impl_->dtype; }
    Device device() const { return impl_->storage->device; }
    size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype()); }

    void* raw_data() const;
    template <class T>
    T* data() const;  // throws if T does not match dtype

    double item() const;                                 // the single element of a one-element tensor
    double at(std::initializer_list<int64_t> idx) const;  // slow, for tests and display
    std::vector<double> to_vector() const;
    std::vector<float> to_float_vector() const;

    Tensor view(const Shape& shape) const;  // same storage; one dim may be -1
    Tensor slice_rows(int64_t begin, int64_t end) const;  // view onto rows [begin, end) of dim 0
    Tensor clone() const;                   // deep copy without autograd history
    Tensor detach() const;                  // same storage without autograd history
    Tensor to(DType dtype) const;           // copy converted to dtype (no history)
    /// The same values on `device`, without autograd history: a copy when the device differs, else a view
    /// onto the same storage (like detach()). Example: x.to(Device::cuda)
    Tensor to(Device device) const;
    void fill_(double value);
    void copy_(const Tensor& src);  // same numel; converts dtype; src may be on another device

    bool requires_grad() const { return impl_ && impl_->requires_grad; }
    Tensor& set_requires_grad(bool on = true);
    Tensor grad() const;  // undefined until a backward pass reached this tensor
    void set_grad(const Tensor& g);
    void zero_grad();     // drops the gradient (the next backward writes a fresh one)
    std::shared_ptr<Node> grad_fn() const { return impl_->grad_fn; }
    void backward() const;  // loss.backward(): seeds ones and runs the whole graph (autograd.h)

    const std::string& name() const { return impl_->name; }
    Tensor& set_name(std::string n);
    std::string repr() const;  // "Tensor([32, 10], float32)"

    TensorImpl* impl() const { return impl_.get(); }
    const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
    bool same(const Tensor& o) const { return impl_ == o.impl_; }

private:
    std::shared_ptr<TensorImpl> impl_;
};

template <>
float* Tensor::data<float>() const;
template <>
double* Tensor::data<double>() const;
template <>
int32_t* Tensor::data<int32_t>() const;

/// Call f with a null pointer of the tensor's element type: dispatch<T>(dtype, [&](auto tag){ using T = ...; })
template <class F>
decltype(auto) dispatch_dtype(DType dt, F&& f) {
    if (dt == DType::f64) return f(double{});
    return f(float{});
}

}  // namespace bp
