// Argument reading shared by the addon's exports. Every value an export takes is checked here
// against the sizes the kernel will index, and a mismatch is an ArgError (turned into a
// JavaScript error by `guarded`) whose message names the export and the argument.
//
// Reading a JavaScript value can run JavaScript (a getter on an array element, a property of the
// config), and that code could swap an element, or detach or shrink a buffer already read. So each
// element is read once and its handle kept, lengths are checked on what was read, and `confirm()`
// re-reads every typed array's data pointer and length (napi_get_typedarray_info runs no
// JavaScript) after the last read: the kernel then works only on memory that was checked.
#pragma once

#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <new>
#include <string>
#include <vector>

namespace l2l {

struct ArgError {
  std::string message;
};

// The checked arguments of one call of an export named `fn` (e.g. "lstm_kernel.forward").
class Args {
 public:
  Args(napi_env env, std::string fn) : env_(env), fn_(std::move(fn)) {}

  [[noreturn]] void fail(const std::string& what) const { throw ArgError{fn_ + ": " + what}; }

  // Reads the call's arguments into args (N at most) and returns how many came; fails with
  // "expected <expected>" unless at least `required` did.
  size_t call(napi_callback_info info, napi_value* args, size_t N, size_t required, const char* expected) {
    size_t argc = N;
    ok(napi_get_cb_info(env_, info, &argc, args, nullptr, nullptr), "arguments");
    if (argc < required) fail(std::string("expected ") + expected);
    return argc;
  }

  // A typed array of the given type (any length, written to *length).
  template <typename T>
  T* typed(napi_value value, napi_typedarray_type expected, const char* typeName, const std::string& name, size_t* length) {
    bool isTyped = false;
    ok(napi_is_typedarray(env_, value, &isTyped), name);
    if (!isTyped) fail(name + " must be a " + typeName);
    napi_typedarray_type type;
    size_t n;
    void* data;
    ok(napi_get_typedarray_info(env_, value, &type, &n, &data, nullptr, nullptr), name);
    if (type != expected) fail(name + " must be a " + typeName);
    seen_.push_back({value, data, n, name});
    *length = n;
    return static_cast<T*>(data);
  }

  float* floats(napi_value value, const std::string& name, size_t* length) {
    return typed<float>(value, napi_float32_array, "Float32Array", name, length);
  }

  // A Float32Array of exactly `expected` values; `meaning` says where the number comes from.
  float* floats(napi_value value, const std::string& name, size_t expected, const std::string& meaning) {
    size_t n;
    float* data = floats(value, name, &n);
    if (n != expected) fail(name + " must hold " + meaning + " = " + std::to_string(expected) + " values, got " + std::to_string(n));
    return data;
  }

  bool absent(napi_value value, const std::string& name) {
    napi_valuetype t;
    ok(napi_typeof(env_, value, &t), name);
    return t == napi_null || t == napi_undefined;
  }

  // The elements of a JavaScript array (each read once), `count` of them unless count is
  // SIZE_MAX; at most `most`.
  std::vector<napi_value> list(napi_value array, const std::string& name, size_t count, size_t most) {
    bool isArray = false;
    ok(napi_is_array(env_, array, &isArray), name);
    if (!isArray) fail(name + " must be an array");
    uint32_t n;
    ok(napi_get_array_length(env_, array, &n), name);
    if (count != SIZE_MAX && n != count) fail(name + " must have " + std::to_string(count) + " entries, got " + std::to_string(n));
    if (n > most) fail(name + " may have at most " + std::to_string(most) + " entries, got " + std::to_string(n));
    std::vector<napi_value> items(n);
    for (uint32_t i = 0; i < n; i++) ok(napi_get_element(env_, array, i, &items[i]), name);
    return items;
  }

  // A finite number.
  double number(napi_value value, const std::string& name) {
    napi_valuetype t;
    ok(napi_typeof(env_, value, &t), name);
    if (t != napi_number) fail(name + " must be a number");
    double d;
    ok(napi_get_value_double(env_, value, &d), name);
    if (!std::isfinite(d)) fail(name + " must be finite");
    return d;
  }

  // A whole number in [lo, hi].
  int64_t integer(napi_value value, const std::string& name, int64_t lo, int64_t hi) {
    const double d = number(value, name);
    if (d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi))
      fail(name + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return static_cast<int64_t>(d);
  }

  napi_value property(napi_value object, const char* name) {
    napi_valuetype t;
    ok(napi_typeof(env_, object, &t), name);
    if (t != napi_object) fail(std::string("the config must be an object (reading ") + name + ")");
    napi_value v;
    ok(napi_get_named_property(env_, object, name, &v), name);
    return v;
  }

  // Re-reads every typed array taken so far and fails if any now has other data or another
  // length than when it was checked. Call after the last read, before the kernel runs.
  void confirm() {
    for (const Seen& s : seen_) {
      napi_typedarray_type type;
      size_t n;
      void* data;
      ok(napi_get_typedarray_info(env_, s.value, &type, &n, &data, nullptr, nullptr), s.name);
      if (n != s.length || data != s.data) fail(s.name + " changed while the arguments were read");
    }
  }

  // A new Float32Array of n values (data written to *out).
  napi_value newFloats(size_t n, float** out) {
    napi_value buffer, result;
    void* data;
    ok(napi_create_arraybuffer(env_, n * sizeof(float), &data, &buffer), "result");
    ok(napi_create_typedarray(env_, napi_float32_array, n, buffer, 0, &result), "result");
    *out = static_cast<float*>(data);
    return result;
  }

  napi_value newNumber(double x) {
    napi_value result;
    ok(napi_create_double(env_, x, &result), "result");
    return result;
  }

 private:
  struct Seen {
    napi_value value;
    void* data;
    size_t length;
    std::string name;
  };

  void ok(napi_status status, const std::string& what) const {
    if (status == napi_ok) return;
    bool pending = false;
    napi_is_exception_pending(env_, &pending);
    // A getter that threw: let its exception through (guarded returns without adding one).
    if (pending) throw ArgError{""};
    fail("could not read " + what);
  }

  napi_env env_;
  std::string fn_;
  std::vector<Seen> seen_;
};

// "name[i]"
inline std::string at(const std::string& name, size_t i) { return name + "[" + std::to_string(i) + "]"; }

// Runs an export's body; an ArgError it throws becomes a JavaScript error (the export returns
// nothing), unless a JavaScript exception is already pending.
template <typename Body>
inline napi_value guarded(napi_env env, Body body) {
  try {
    return body();
  } catch (const ArgError& e) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_error(env, nullptr, e.message.c_str());
    return nullptr;
  } catch (const std::bad_alloc&) {
    napi_throw_range_error(env, nullptr, "l2l addon: out of memory for these sizes");
    return nullptr;
  }
}

// Adds the native function `fn` to the addon's exports as `name`.
inline void exportFunction(napi_env env, napi_value exports, const char* name, napi_callback fn) {
  napi_value value;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &value);
  napi_set_named_property(env, exports, name, value);
}

}  // namespace l2l
