// Vectors of N floats for the addon's hot loops, with GCC/clang vector extensions (compiled to
// AVX-512, AVX, SSE or NEON as the machine has), loaded and stored without alignment.
#pragma once

#include <cstring>

namespace l2l {

template <int N>
struct Vec {
  typedef float type __attribute__((vector_size(N * sizeof(float))));
};

template <int N>
inline typename Vec<N>::type load(const float* p) {
  typename Vec<N>::type v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <int N>
inline void store(float* p, typename Vec<N>::type v) {
  std::memcpy(p, &v, sizeof v);
}

}  // namespace l2l
