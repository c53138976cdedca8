// Argument helpers shared by the addon's source files: typed arrays, numbers and properties
// read from N-API values, with an ArgError (turned into a JavaScript error by each export) when a
// value is not what the export expects.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <string>
#include <vector>

namespace l2l {

struct ArgError {
  std::string message;
};

inline void check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw ArgError{std::string("l2l addon: ") + what};
}

// The data of a typed array of the given type, and its length in elements.
template <typename T>
inline T* typedArray(napi_env env, napi_value value, napi_typedarray_type expected, const char* typeName, size_t* length, const char* what) {
  bool isTyped = false;
  check(env, napi_is_typedarray(env, value, &isTyped), what);
  if (!isTyped) throw ArgError{std::string("l2l addon: ") + what + " must be a " + typeName};
  napi_typedarray_type type;
  size_t n;
  void* data;
  check(env, napi_get_typedarray_info(env, value, &type, &n, &data, nullptr, nullptr), what);
  if (type != expected) throw ArgError{std::string("l2l addon: ") + what + " must be a " + typeName};
  if (length) *length = n;
  return static_cast<T*>(data);
}

inline float* floats(napi_env env, napi_value value, size_t* length, const char* what) {
  return typedArray<float>(env, value, napi_float32_array, "Float32Array", length, what);
}

inline float* optionalFloats(napi_env env, napi_value value, const char* what) {
  napi_valuetype t;
  check(env, napi_typeof(env, value, &t), what);
  if (t == napi_null || t == napi_undefined) return nullptr;
  return floats(env, value, nullptr, what);
}

inline double number(napi_env env, napi_value value, const char* what) {
  double d;
  check(env, napi_get_value_double(env, value, &d), what);
  return d;
}

inline napi_value property(napi_env env, napi_value object, const char* name) {
  napi_value v;
  check(env, napi_get_named_property(env, object, name, &v), name);
  return v;
}

inline std::vector<float*> floatList(napi_env env, napi_value array, size_t expected, size_t each, const char* what) {
  uint32_t n;
  check(env, napi_get_array_length(env, array, &n), what);
  if (expected != SIZE_MAX && n != expected) throw ArgError{std::string("lstm_kernel: wrong number of ") + what};
  std::vector<float*> out(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    check(env, napi_get_element(env, array, i, &item), what);
    size_t len;
    out[i] = floats(env, item, &len, what);
    if (each != SIZE_MAX && len != each) throw ArgError{std::string("lstm_kernel: wrong length of ") + what};
  }
  return out;
}

// Reads the call's arguments into args (N at most) and returns how many came; throws `usage`
// unless at least `required` did.
inline size_t callArgs(napi_env env, napi_callback_info info, napi_value* args, size_t N, size_t required, const std::string& usage) {
  size_t argc = N;
  check(env, napi_get_cb_info(env, info, &argc, args, nullptr, nullptr), "arguments");
  if (argc < required) throw ArgError{usage};
  return argc;
}

// Runs an export's body; an ArgError it throws becomes a JavaScript error (the export returns
// nothing).
template <typename Body>
inline napi_value guarded(napi_env env, Body body) {
  try {
    return body();
  } catch (const ArgError& e) {
    napi_throw_error(env, nullptr, e.message.c_str());
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
