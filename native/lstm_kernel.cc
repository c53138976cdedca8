// The coordinatewise LSTM's math, row by row, as a native Node addon (N-API).
//
// Same equations as src/learned/lstmCell.ts (the TensorFlow.js path, which stays the reference
// and the browser's path): per layer l with input a and gates i, f, g, o,
//   z = a·Wx + h_prev·Wh + b;  i, f, o = σ(z);  g = tanh(z);  c = f⊙c_prev + i⊙g;  h = o⊙tanh(c)
// and the head update = s·(h_top·w + b). Every coordinate row is independent given its input
// gradients, so a row's whole truncation — replayed forward, then back-propagated through time —
// fits in the cache, and the weights are shared by all rows.
//
// Exports:
//   forward(config, phi, count, grads, h[], c[], m, v, updates[, threads[, cache]])
//     one step for every row: h, c (and m, v for 'adam' inputs) are updated in place, the
//     rows' updates written to `updates`; with `cache` (rows × cacheFloats(config) floats) the
//     step's activations are kept there for `backward`.
//   metaGradient(config, phi, count, inputs[], dUpdates[], h[], c[], m, v[, threads]) -> Float32Array
//     ∂S/∂φ for S = Σ_t ⟨update_t, dUpdates_t⟩ over the recorded steps, starting from the
//     given states (not modified); same order and length as phi.
//   backward(config, phi, caches[], dUpdates[][, threads]) -> Float32Array
//     the same from the steps' kept activations instead of a replay (identical numbers).
//   cacheFloats(config) -> number: floats of one row's activations at one step.
// The same addon also exports the MNIST MLP's mlpLossAndGrad (native/mlp_kernel.cc).
// Rows are worked on in chunks on `threads` threads (default 1; a pool started once); the result
// does not depend on the number of threads.
// config = { hidden: number[], mode: 0 raw | 1 log-and-sign | 2 adam, p, outputScale };
// phi is φ flattened in metaParamShapes order (src/learned/lstmConfig.ts).
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "napi_args.h"
#include "vec.h"

namespace {

using namespace l2l;

enum Mode { RAW = 0, LOG_SIGN = 1, ADAM = 2 };

struct Config {
  std::vector<int> hidden;
  int mode = LOG_SIGN;
  float p = 10.0f;
  float outputScale = 0.1f;
  int layers() const { return static_cast<int>(hidden.size()); }
  int inSize(int l) const { return l == 0 ? (mode == RAW ? 1 : 2) : hidden[l - 1]; }
  int top() const { return hidden.back(); }
};

// φ rearranged for row-wise work: per layer W [(in + H) × 4H] (rows: the input's Wx, then Wh;
// columns: gates i, f, g, o), b [4H]; the head's w [H_top] and b.
// Per layer also the gates' activation as one formula, z ← α·σ(α·z) − β: α = 1, β = 0 (σ) for
// i, f, o and α = 2, β = 1 (tanh z = 2σ(2z) − 1, as TensorFlow.js computes it) for g, so that
// whole vectors of gates are activated at once (`activateGates`).
struct Weights {
  std::vector<std::vector<float>> W, b, alpha, beta;
  std::vector<float> headW;
  float headB = 0;
};

// Number of floats of φ in metaParamShapes order.
size_t phiSize(const Config& cfg) {
  size_t n = 0;
  for (int l = 0; l < cfg.layers(); l++) {
    const size_t H = cfg.hidden[l], in = cfg.inSize(l);
    n += 4 * (in * H + H * H + H);
  }
  return n + cfg.top() + 1;
}

// Visits every element of φ in metaParamShapes order with its place in `Weights`:
// visit(offsetInPhi, layer (or -1 for the head), index into W (isBias false) or b (isBias true)).
template <typename Visit>
void forEachPhi(const Config& cfg, Visit visit) {
  size_t offset = 0;
  for (int l = 0; l < cfg.layers(); l++) {
    const int H = cfg.hidden[l], in = cfg.inSize(l), G = 4 * H;
    for (int gate = 0; gate < 4; gate++) {
      for (int k = 0; k < in; k++)
        for (int u = 0; u < H; u++) visit(offset++, l, k * G + gate * H + u, false);
      for (int k = 0; k < H; k++)
        for (int u = 0; u < H; u++) visit(offset++, l, (in + k) * G + gate * H + u, false);
      for (int u = 0; u < H; u++) visit(offset++, l, gate * H + u, true);
    }
  }
  for (int k = 0; k < cfg.top(); k++) visit(offset++, -1, k, false);
  visit(offset++, -1, 0, true);
}

Weights packWeights(const Config& cfg, const float* phi) {
  Weights w;
  for (int l = 0; l < cfg.layers(); l++) {
    const int H = cfg.hidden[l], G = 4 * H;
    w.W.emplace_back(static_cast<size_t>(cfg.inSize(l) + H) * G);
    w.b.emplace_back(G);
    w.alpha.emplace_back(G, 1.0f);
    w.beta.emplace_back(G, 0.0f);
    std::fill(w.alpha[l].begin() + 2 * H, w.alpha[l].begin() + 3 * H, 2.0f);
    std::fill(w.beta[l].begin() + 2 * H, w.beta[l].begin() + 3 * H, 1.0f);
  }
  w.headW.resize(cfg.top());
  forEachPhi(cfg, [&](size_t i, int l, int j, bool bias) {
    if (l < 0) {
      if (bias) w.headB = phi[i];
      else w.headW[j] = phi[i];
    } else if (bias) {
      w.b[l][j] = phi[i];
    } else {
      w.W[l][j] = phi[i];
    }
  });
  return w;
}

constexpr float LOG_EPS = 1.1920929e-7f;  // as in src/learned/preprocess.ts
constexpr double BETA1 = 0.9, BETA2 = 0.999, ADAM_EPS = 1e-8;

// The LSTM's input features of one row's gradient (src/learned/lstmCell.ts lstmInput);
// updates the row's Adam moments for 'adam' inputs.
// Not inlined: the forward step and the replay must compute the same bits, and with -ffast-math
// a compiler may rewrite an inlined copy differently for each caller (with clang 14, the 'adam'
// features of the two differed in the last bit until `features` was one function for both).
#define SAME_CODE_FOR_EVERY_CALLER __attribute__((noinline))

SAME_CODE_FOR_EVERY_CALLER void features(const Config& cfg, float grad, int count, float* m, float* v, float* x) {
  if (cfg.mode == RAW) {
    x[0] = grad;
  } else if (cfg.mode == LOG_SIGN) {
    const float expP = static_cast<float>(std::exp(static_cast<double>(cfg.p)));
    x[0] = std::max(std::log(std::fabs(grad) + LOG_EPS) / cfg.p, -1.0f);
    x[1] = std::min(std::max(grad * expP, -1.0f), 1.0f);
  } else {
    *m = *m * static_cast<float>(BETA1) + grad * static_cast<float>(1 - BETA1);
    *v = *v * static_cast<float>(BETA2) + grad * grad * static_cast<float>(1 - BETA2);
    const int t = count + 1;
    const float c1 = static_cast<float>(1 - std::pow(BETA1, t)), c2 = static_cast<float>(1 - std::pow(BETA2, t));
    const float scale = std::sqrt(*v / c2) + static_cast<float>(ADAM_EPS);
    x[0] = (*m / c1) / scale;
    x[1] = grad / scale;
  }
}

// e^r for |r| ≤ ln2/2 by Cephes' degree-6 polynomial, on a float or a vector of them.
template <typename F>
inline F expPolynomial(F r) {
  F p = r * 1.9875691500e-4f + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  return p * r * r + r + 1.0f;
}

// e^x for float32 to about 1 ulp (Cephes' expf: 2^n · e^r with |r| ≤ ln2/2 and a degree-6
// polynomial), written without branches so that loops over it vectorize; libm's expf does not.
inline float expApprox(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  const float p = expPolynomial(r);
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

inline float sigmoid(float z) { return 1.0f / (1.0f + expApprox(-z)); }

// tanh as 2σ(2x) − 1, as the TensorFlow.js path computes it.
inline float tanhApprox(float z) { return 2.0f * sigmoid(2.0f * z) - 1.0f; }

// ---- The two products that dominate, for one row and one layer with G = 4H gate columns ----
// Specialized for G = 40, 80, 160 (H = 10, 20, 40) with the G accumulators in vector registers;
// GCC's vector extensions compile them to AVX/AVX-512, SSE or NEON as the machine has.

// Vectors of N floats (Vec, load, store) come from vec.h: 16 lanes are one AVX-512 register, or
// two AVX halves where the machine has none.

template <int N>
inline float sum(typename Vec<N>::type v) {
  float s = 0;
  for (int i = 0; i < N; i++) s += v[i];
  return s;
}

// ---- The activations on whole vectors: expApprox, sigmoid and tanhApprox's formulas ----

template <int N>
struct VecI {
  typedef int32_t type __attribute__((vector_size(N * sizeof(int32_t))));
};

template <int N>
inline typename Vec<N>::type splat(float x) {
  typename Vec<N>::type v;
  for (int i = 0; i < N; i++) v[i] = x;
  return v;
}

template <int N>
inline typename Vec<N>::type expV(typename Vec<N>::type x) {
  using F = typename Vec<N>::type;
  using I = typename VecI<N>::type;
  x = x < splat<N>(-87.0f) ? splat<N>(-87.0f) : x;
  x = x > splat<N>(88.0f) ? splat<N>(88.0f) : x;
  const F y = x * 1.44269504088896341f + 0.5f;
  F n;
  for (int i = 0; i < N; i++) n[i] = std::floor(y[i]);  // one vector instruction where there is one
  const F r = x - n * 0.693359375f + n * 2.12194440e-4f;
  const F p = expPolynomial(r);
  const I bits = (__builtin_convertvector(n, I) + 127) << 23;
  F scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

template <int N>
inline typename Vec<N>::type sigmoidV(typename Vec<N>::type z) {
  return 1.0f / (1.0f + expV<N>(-z));
}

// z = b + a·W[0:in] + hPrev·W[in:in+H], G = 8V columns.
template <int N, int V>
void gatesFixed(const float* a, int in, const float* hPrev, int H, const float* W, const float* b, float* z) {
  constexpr int G = N * V;
  typename Vec<N>::type acc[V];
  for (int v = 0; v < V; v++) acc[v] = load<N>(b + N * v);
  for (int k = 0; k < in + H; k++) {
    const float s = k < in ? a[k] : hPrev[k - in];
    const float* row = W + k * G;
    for (int v = 0; v < V; v++) acc[v] += s * load<N>(row + N * v);
  }
  for (int v = 0; v < V; v++) store<N>(z + N * v, acc[v]);
}

// dBelow[k] = W[k]·dz for k < in (when not null) and dhPrev[k] = W[in + k]·dz: the gradients into
// the layer's input and previous h.
template <int N, int V>
void inputGradsFixed(int in, int H, const float* W, const float* dz, float* dBelow, float* dhPrev) {
  constexpr int G = N * V;
  typename Vec<N>::type d[V];
  for (int v = 0; v < V; v++) d[v] = load<N>(dz + N * v);
  for (int k = dBelow ? 0 : in; k < in + H; k++) {
    const float* row = W + k * G;
    typename Vec<N>::type t = load<N>(row) * d[0];
    for (int v = 1; v < V; v++) t += load<N>(row + N * v) * d[v];
    (k < in ? dBelow[k] : dhPrev[k - in]) = sum<N>(t);
  }
}

// gW[k] += Σ_t x_t[k]·dz_t over a row's T steps, x_t = (a, hPrev) the first in + H floats of the
// layer's cache at step t (steps[t] + offset): each row of gW is loaded and stored once per row,
// not once per step, and K rows at a time share each load of dz_t.
template <int N, int V>
void weightGradsFixed(int T, const float* const* steps, int offset, int inH, const float* dzs, int dzStride, float* gW) {
  constexpr int G = N * V;
  constexpr int K = V <= 5 ? 4 : 2;  // rows of gW at a time, as many as the vector registers hold
  int k = 0;
  for (; k + K <= inH; k += K) {
    float* grow = gW + k * G;
    typename Vec<N>::type acc[K][V];
    for (int i = 0; i < K; i++)
      for (int v = 0; v < V; v++) acc[i][v] = load<N>(grow + i * G + N * v);
    for (int t = 0; t < T; t++) {
      const float* x = steps[t] + offset + k;
      const float* dz = dzs + t * dzStride;
      for (int v = 0; v < V; v++) {
        const auto d = load<N>(dz + N * v);
        for (int i = 0; i < K; i++) acc[i][v] += x[i] * d;
      }
    }
    for (int i = 0; i < K; i++)
      for (int v = 0; v < V; v++) store<N>(grow + i * G + N * v, acc[i][v]);
  }
  for (; k < inH; k++) {
    float* grow = gW + k * G;
    typename Vec<N>::type acc[V];
    for (int v = 0; v < V; v++) acc[v] = load<N>(grow + N * v);
    for (int t = 0; t < T; t++) {
      const float s = steps[t][offset + k];
      const float* dz = dzs + t * dzStride;
      for (int v = 0; v < V; v++) acc[v] += s * load<N>(dz + N * v);
    }
    for (int v = 0; v < V; v++) store<N>(grow + N * v, acc[v]);
  }
}

void gatePreactivations(const float* a, int in, const float* hPrev, int H, const float* W, const float* b, float* z) {
  const int G = 4 * H;
  switch (G) {
    case 40: return gatesFixed<8, 5>(a, in, hPrev, H, W, b, z);
    case 80: return gatesFixed<16, 5>(a, in, hPrev, H, W, b, z);
    case 160: return gatesFixed<16, 10>(a, in, hPrev, H, W, b, z);
  }
  std::memcpy(z, b, sizeof(float) * G);
  for (int k = 0; k < in + H; k++) {
    const float s = k < in ? a[k] : hPrev[k - in];
    const float* row = W + k * G;
    for (int j = 0; j < G; j++) z[j] += s * row[j];
  }
}

void layerInputGrads(int in, int H, const float* W, const float* dz, float* dBelow, float* dhPrev) {
  const int G = 4 * H;
  switch (G) {
    case 40: return inputGradsFixed<8, 5>(in, H, W, dz, dBelow, dhPrev);
    case 80: return inputGradsFixed<16, 5>(in, H, W, dz, dBelow, dhPrev);
    case 160: return inputGradsFixed<16, 10>(in, H, W, dz, dBelow, dhPrev);
  }
  for (int k = dBelow ? 0 : in; k < in + H; k++) {
    const float* row = W + k * G;
    float t = 0;
    for (int j = 0; j < G; j++) t += row[j] * dz[j];
    (k < in ? dBelow[k] : dhPrev[k - in]) = t;
  }
}

void layerWeightGrads(int T, const float* const* steps, int offset, int in, int H, const float* dzs, int dzStride, float* gW) {
  const int G = 4 * H;
  switch (G) {
    case 40: return weightGradsFixed<8, 5>(T, steps, offset, in + H, dzs, dzStride, gW);
    case 80: return weightGradsFixed<16, 5>(T, steps, offset, in + H, dzs, dzStride, gW);
    case 160: return weightGradsFixed<16, 10>(T, steps, offset, in + H, dzs, dzStride, gW);
  }
  for (int t = 0; t < T; t++)
    for (int k = 0; k < in + H; k++) {
      const float s = steps[t][offset + k];
      for (int j = 0; j < G; j++) gW[k * G + j] += s * dzs[t * dzStride + j];
    }
}

// The gates' activations in place, z ← α·σ(α·z) − β (see `Weights`), N lanes from j.
template <int N>
inline void activateLanes(int j, const float* alpha, const float* beta, float* z) {
  const auto a = load<N>(alpha + j);
  store<N>(z + j, a * sigmoidV<N>(a * load<N>(z + j)) - load<N>(beta + j));
}

// All G gates in vectors of 16, then 4, then one by one (G = 80 for H = 20: five vectors).
inline void activateGates(int G, const float* alpha, const float* beta, float* z) {
  int j = 0;
  for (; j + 16 <= G; j += 16) activateLanes<16>(j, alpha, beta, z);
  for (; j + 4 <= G; j += 4) activateLanes<4>(j, alpha, beta, z);
  for (; j < G; j++) z[j] = alpha[j] * sigmoid(alpha[j] * z[j]) - beta[j];
}

// c ← f⊙c + i⊙g, tanh(c) and h ← o⊙tanh(c) from the gates z = (i, f, g, o), N units from u.
template <int N>
inline void cellLanes(int H, int u, const float* z, float* c, float* h, float* tc) {
  const auto cn = load<N>(z + H + u) * load<N>(c + u) + load<N>(z + u) * load<N>(z + 2 * H + u);
  const auto t = 2.0f * sigmoidV<N>(2.0f * cn) - 1.0f;
  store<N>(c + u, cn);
  store<N>(tc + u, t);
  store<N>(h + u, load<N>(z + 3 * H + u) * t);
}

// The cell update of all H units in vectors of 16, then 4, then one by one (H = 20: 16 + 4).
inline void cellUpdate(int H, const float* z, float* c, float* h, float* tc) {
  int u = 0;
  for (; u + 16 <= H; u += 16) cellLanes<16>(H, u, z, c, h, tc);
  for (; u + 4 <= H; u += 4) cellLanes<4>(H, u, z, c, h, tc);
  for (; u < H; u++) {
    const float cn = z[H + u] * c[u] + z[u] * z[2 * H + u];
    c[u] = cn;
    tc[u] = tanhApprox(cn);
    h[u] = z[3 * H + u] * tc[u];
  }
}

// What one layer's step keeps for back-propagation, per row: a [in], hPrev [H], cPrev [H],
// gates i, f, g, o [4H], tanh(c) [H].
inline int cacheSize(const Config& cfg, int l) { return cfg.inSize(l) + 7 * cfg.hidden[l]; }

// One LSTM step of one row. h[l], c[l] point at the row's states (updated in place); `cache`,
// when not null, receives each layer's cache one after another. Returns the row's update.
SAME_CODE_FOR_EVERY_CALLER float rowStep(const Config& cfg, const Weights& w, const float* x, float* const* h, float* const* c, float* cache, float* z) {
  const float* a = x;
  for (int l = 0; l < cfg.layers(); l++) {
    const int H = cfg.hidden[l], in = cfg.inSize(l), G = 4 * H;
    const float* W = w.W[l].data();
    float* hl = h[l];
    float* cl = c[l];
    gatePreactivations(a, in, hl, H, W, w.b[l].data(), z);
    activateGates(G, w.alpha[l].data(), w.beta[l].data(), z);
    if (cache) {
      std::memcpy(cache, a, sizeof(float) * in);
      std::memcpy(cache + in, hl, sizeof(float) * H);
      std::memcpy(cache + in + H, cl, sizeof(float) * H);
      std::memcpy(cache + in + 2 * H, z, sizeof(float) * G);
    }
    float* tc = cache ? cache + in + 6 * H : z + G;
    cellUpdate(H, z, cl, hl, tc);
    if (cache) cache += cacheSize(cfg, l);
    a = hl;
  }
  float out = w.headB;
  for (int k = 0; k < cfg.top(); k++) out += a[k] * w.headW[k];
  return out * cfg.outputScale;
}

// Gradients of φ in the layout of `Weights`, accumulated in float per group of rows and added
// to double-precision totals, so long sums lose no precision.
struct Grads {
  std::vector<std::vector<float>> W, b;
  std::vector<float> headW;
  float headB = 0;
  explicit Grads(const Weights& w) : W(w.W.size()), b(w.b.size()), headW(w.headW.size(), 0.0f) {
    for (size_t l = 0; l < w.W.size(); l++) {
      W[l].assign(w.W[l].size(), 0.0f);
      b[l].assign(w.b[l].size(), 0.0f);
    }
  }
};

void flush(const Config& cfg, Grads& g, std::vector<double>& total) {
  forEachPhi(cfg, [&](size_t i, int l, int j, bool bias) {
    if (l < 0) total[i] += bias ? g.headB : g.headW[j];
    else total[i] += bias ? g.b[l][j] : g.W[l][j];
  });
  for (auto& v : g.W) std::fill(v.begin(), v.end(), 0.0f);
  for (auto& v : g.b) std::fill(v.begin(), v.end(), 0.0f);
  std::fill(g.headW.begin(), g.headW.end(), 0.0f);
  g.headB = 0;
}

// `gateGrads` (below) for N units from u, on vectors.
template <int N>
inline void gateGradLanes(int H, int u, const float* cPrev, const float* gates, const float* tc, const float* dh, const float* dhNext, float* dcNext, float* dz) {
  const auto gi = load<N>(gates + u), gf = load<N>(gates + H + u), gg = load<N>(gates + 2 * H + u), go = load<N>(gates + 3 * H + u);
  const auto t = load<N>(tc + u);
  const auto dhu = load<N>(dh + u) + load<N>(dhNext + u);
  const auto dcu = dhu * go * (1.0f - t * t) + load<N>(dcNext + u);
  store<N>(dz + u, dcu * gg * gi * (1.0f - gi));
  store<N>(dz + H + u, dcu * load<N>(cPrev + u) * gf * (1.0f - gf));
  store<N>(dz + 2 * H + u, dcu * gi * (1.0f - gg * gg));
  store<N>(dz + 3 * H + u, dhu * t * go * (1.0f - go));
  store<N>(dcNext + u, dcu * gf);
}

// ∂/∂z of the four gates (dz, [4H]) from ∂/∂h (dh from above plus dhNext from the next step) and
// dcNext, which becomes ∂/∂c_prev; gates = (i, f, g, o) as cached. No pointer aliases another.
// Vectors of 16, then 4, then one unit at a time (H = 20: 16 + 4).
inline void gateGrads(int H, const float* __restrict cPrev, const float* __restrict gates, const float* __restrict tc, const float* __restrict dh,
                      const float* __restrict dhNext, float* __restrict dcNext, float* __restrict dz) {
  const float* gi = gates;
  const float* gf = gates + H;
  const float* gg = gates + 2 * H;
  const float* go = gates + 3 * H;
  int u = 0;
  for (; u + 16 <= H; u += 16) gateGradLanes<16>(H, u, cPrev, gates, tc, dh, dhNext, dcNext, dz);
  for (; u + 4 <= H; u += 4) gateGradLanes<4>(H, u, cPrev, gates, tc, dh, dhNext, dcNext, dz);
  for (; u < H; u++) {
    const float dhu = dh[u] + dhNext[u];
    const float dcu = dhu * go[u] * (1.0f - tc[u] * tc[u]) + dcNext[u];
    dz[u] = dcu * gg[u] * gi[u] * (1.0f - gi[u]);
    dz[H + u] = dcu * cPrev[u] * gf[u] * (1.0f - gf[u]);
    dz[2 * H + u] = dcu * gi[u] * (1.0f - gg[u] * gg[u]);
    dz[3 * H + u] = dhu * tc[u] * go[u] * (1.0f - go[u]);
    dcNext[u] = dcu * gf[u];
  }
}

// Back-propagates one row through its T cached steps (steps[t]: the row's cache at step t, as
// rowStep writes it), adding to `g`.
void rowBackward(const Config& cfg, const Weights& w, const float* const* steps, int T, const float* const* dUpdates, size_t row, Grads& g, std::vector<float>& scratch) {
  const int L = cfg.layers();
  int maxH = 0;
  for (int H : cfg.hidden) maxH = std::max(maxH, H);
  // scratch: dhNext, dcNext per layer, dh, dBelow, then ∂/∂z of every layer at every step
  float* dhNext = scratch.data();
  float* dcNext = dhNext + L * maxH;
  float* dh = dcNext + L * maxH;
  float* dBelow = dh + maxH;
  float* dzs = dBelow + maxH;
  std::fill(dhNext, dhNext + 2 * L * maxH, 0.0f);
  std::vector<int> offsets(L), dzOffsets(L);
  int dzStride = 0;
  for (int l = 0, o = 0; l < L; l++) offsets[l] = o, o += cacheSize(cfg, l), dzOffsets[l] = dzStride, dzStride += 4 * cfg.hidden[l];

  for (int t = T - 1; t >= 0; t--) {
    const float* step = steps[t];
    const float dOut = dUpdates[t][row] * cfg.outputScale;
    // head
    {
      const int l = L - 1, H = cfg.hidden[l], in = cfg.inSize(l);
      const float* o = step + offsets[l] + in + 2 * H + 3 * H;
      const float* tc = step + offsets[l] + in + 6 * H;
      g.headB += dOut;
      for (int k = 0; k < H; k++) {
        g.headW[k] += o[k] * tc[k] * dOut;
        dh[k] = w.headW[k] * dOut;
      }
    }
    for (int l = L - 1; l >= 0; l--) {
      const int H = cfg.hidden[l], in = cfg.inSize(l), G = 4 * H;
      const float* cache = step + offsets[l];
      const float* cPrev = cache + in + H;
      const float* gi = cache + in + 2 * H;
      const float* tc = cache + in + 6 * H;
      float* dhn = dhNext + l * maxH;
      float* dcn = dcNext + l * maxH;
      float* dz = dzs + t * dzStride + dzOffsets[l];
      gateGrads(H, cPrev, gi, tc, dh, dhn, dcn, dz);
      for (int j = 0; j < G; j++) g.b[l][j] += dz[j];
      layerInputGrads(in, H, w.W[l].data(), dz, l > 0 ? dBelow : nullptr, dhn);
      if (l > 0) std::memcpy(dh, dBelow, sizeof(float) * in);
    }
  }
  for (int l = 0; l < L; l++) {
    layerWeightGrads(T, steps, offsets[l], cfg.inSize(l), cfg.hidden[l], dzs + dzOffsets[l], dzStride, g.W[l].data());
  }
}

// Rows per chunk of meta-gradient work. A chunk's meta-gradient is summed on its own and the
// chunks' sums are added in chunk order, so the result does not depend on the number of threads.
constexpr size_t CHUNK_ROWS = 128;

// Rows per item of forward work (rows are independent there, so any split gives the same numbers).
constexpr size_t FORWARD_ROWS = 64;

// Worker threads started once and reused. A call's items are claimed one at a time from a shared
// counter by the caller and up to threads − 1 workers, so a faster core takes more of them (the
// two cores of a small virtual machine can differ by 40%). The caller waits only for items that
// have been claimed, never for a worker to show up: a worker that the OS has put aside (Node's own
// background threads want the second core now and then) finds the items gone when it wakes, and
// the caller has done them alone. Between calls the workers spin briefly, first pausing, then
// yielding to any other thread that wants the core (calls come every few hundred microseconds
// during an unroll), and then sleep. One call at a time uses the pool; a call that finds it busy (another Node thread's)
// runs alone.
class Pool {
 public:
  template <typename Fn>
  void run(size_t items, int threads, Fn fn) {
    const size_t helpers = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)) - 1, items > 0 ? items - 1 : 0);
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (helpers == 0 || !busy.owns_lock()) {
      for (size_t i = 0; i < items; i++) fn(i);
      return;
    }
    start(helpers);
    Task<Fn> task(fn);
    Call call;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      call = {&task, static_cast<uint32_t>(generation_.load() + 1), items};
      call_ = call;
      wanted_ = helpers;
      done_.store(0);
      claim_.store(static_cast<uint64_t>(call.generation) << 32);
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    work(call);
    while (done_.load() < items) std::this_thread::yield();
  }

 private:
  // How long an idle worker spins before it sleeps: longer than the gaps between the calls of
  // an unroll, so that it is awake for the next one (waking a sleeping thread costs ~0.1 ms).
  static constexpr std::chrono::microseconds SPIN{3000};
  // The first part of the spin pauses instead of yielding, so the core is not given away: the
  // gaps between an unroll's forward steps are shorter than this (interleaved runs of the
  // quadratic benchmark were slightly faster so than with yields throughout).
  static constexpr std::chrono::microseconds BUSY{300};

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  struct TaskBase {
    virtual void call(size_t i) = 0;
    virtual ~TaskBase() = default;
  };
  template <typename Fn>
  struct Task : TaskBase {
    Fn& fn;
    explicit Task(Fn& f) : fn(f) {}
    void call(size_t i) override { fn(i); }
  };

  // One call: its task (alive until all its items are done), its generation, its item count.
  struct Call {
    TaskBase* task = nullptr;
    uint32_t generation = 0;
    size_t items = 0;
  };

  // Claims and runs the call's items until none is left. A claim is one compare-and-swap on
  // (generation, next item), so a late worker cannot take an item of a later call.
  void work(const Call& call) {
    uint64_t seen = claim_.load();
    for (;;) {
      if (static_cast<uint32_t>(seen >> 32) != call.generation || static_cast<uint32_t>(seen) >= call.items) return;
      if (!claim_.compare_exchange_weak(seen, seen + 1)) continue;
      call.task->call(static_cast<uint32_t>(seen));
      done_.fetch_add(1);
      seen = claim_.load();
    }
  }

  // Starts workers until there are `n`; they live as long as the process.
  void start(size_t n) {
    while (workers_ < n) {
      const size_t index = workers_++;
      const uint64_t seen = generation_.load();
      std::thread([this, index, seen] { loop(index, seen); }).detach();
    }
  }

  // Worker `index`: joins every call that wants it, if it comes before the call's items are gone.
  void loop(size_t index, uint64_t seen) {
    for (;;) {
      const auto now = std::chrono::steady_clock::now();
      const auto busyUntil = now + BUSY, until = now + SPIN;
      while (generation_.load() == seen && std::chrono::steady_clock::now() < busyUntil) pause();
      while (generation_.load() == seen && std::chrono::steady_clock::now() < until) std::this_thread::yield();
      Call call;
      bool wanted;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load() != seen; });
        seen = generation_.load();
        wanted = index < wanted_;
        call = call_;
      }
      if (wanted) work(call);
    }
  }

  std::mutex busy_, mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> claim_{0};
  std::atomic<size_t> done_{0};
  size_t wanted_ = 0, workers_ = 0;
  Call call_;
};

Pool& pool() {
  static Pool* instance = new Pool();  // never destroyed: its detached workers outlive main()
  return *instance;
}

// ---- N-API plumbing: every argument checked against the sizes the kernel indexes (napi_args.h) ----

constexpr int64_t MOST_LAYERS = 16, MOST_UNITS = 4096, MOST_THREADS = 1024;
constexpr int64_t MOST_COUNT = int64_t{1} << 30;  // steps taken so far (Adam's bias correction)
constexpr size_t MOST_STEPS = 100000;              // steps of one truncation

Config readConfig(Args& args, napi_value object) {
  Config cfg;
  const std::vector<napi_value> hidden = args.list(args.property(object, "hidden"), "config.hidden", SIZE_MAX, MOST_LAYERS);
  if (hidden.empty()) args.fail("config.hidden must name at least one layer");
  for (size_t i = 0; i < hidden.size(); i++) cfg.hidden.push_back(static_cast<int>(args.integer(hidden[i], at("config.hidden", i), 1, MOST_UNITS)));
  cfg.mode = static_cast<int>(args.integer(args.property(object, "mode"), "config.mode", RAW, ADAM));
  cfg.p = static_cast<float>(args.number(args.property(object, "p"), "config.p"));
  if (cfg.mode == LOG_SIGN && !(cfg.p > 0)) args.fail("config.p must be above 0 for log-and-sign inputs");
  cfg.outputScale = static_cast<float>(args.number(args.property(object, "outputScale"), "config.outputScale"));
  return cfg;
}

// The row's state pointers into the per-layer arrays.
inline void rowStates(const Config& cfg, const std::vector<float*>& all, size_t row, float** out) {
  for (int l = 0; l < cfg.layers(); l++) out[l] = all[l] + row * cfg.hidden[l];
}

// One LSTM state per layer (h or c), rows × units floats each.
std::vector<float*> layerStates(Args& args, const Config& cfg, napi_value list, const char* name, size_t rows) {
  const std::vector<napi_value> items = args.list(list, name, cfg.layers(), MOST_LAYERS);
  std::vector<float*> out;
  for (int l = 0; l < cfg.layers(); l++) out.push_back(args.floats(items[l], at(name, l), rows * cfg.hidden[l], "rows × config.hidden[" + std::to_string(l) + "]"));
  return out;
}

// Adam's moments m and v for 'adam' inputs (one value per row), required there; elsewhere
// optional, and checked the same when given.
void moments(Args& args, const Config& cfg, napi_value mValue, napi_value vValue, size_t rows, float** m, float** v) {
  *m = args.absent(mValue, "m") ? nullptr : args.floats(mValue, "m", rows, "rows");
  *v = args.absent(vValue, "v") ? nullptr : args.floats(vValue, "v", rows, "rows");
  if (cfg.mode == ADAM && (!*m || !*v)) args.fail("'adam' inputs (config.mode 2) need m and v");
}

// Floats of one row's cache at one step (all layers), as rowStep writes it.
int stepFloats(const Config& cfg) {
  int n = 0;
  for (int l = 0; l < cfg.layers(); l++) n += cacheSize(cfg, l);
  return n;
}

// What forward and metaGradient share: (config, phi, count, …9 in all…[, threads[, …]]).
struct CommonArgs {
  Config cfg;
  const float* phi;
  size_t nPhi;
  int count;
  int threads;
  size_t argc;
};

Config configAndPhi(Args& args, napi_value config, napi_value phiValue, const float** phi, size_t* nPhi) {
  Config cfg = readConfig(args, config);
  *nPhi = phiSize(cfg);
  *phi = args.floats(phiValue, "phi", *nPhi, "the config's φ size");
  return cfg;
}

int threadsArg(Args& args, size_t argc, napi_value* argv, size_t at) {
  return argc > at && !args.absent(argv[at], "threads") ? static_cast<int>(args.integer(argv[at], "threads", 1, MOST_THREADS)) : 1;
}

CommonArgs commonArgs(Args& args, napi_callback_info info, napi_value* argv) {
  CommonArgs a;
  a.argc = args.call(info, argv, 11, 9, "9 to 11 arguments");
  a.cfg = configAndPhi(args, argv[0], argv[1], &a.phi, &a.nPhi);
  a.count = static_cast<int>(args.integer(argv[2], "count", 0, MOST_COUNT));
  a.threads = threadsArg(args, a.argc, argv, 9);
  return a;
}

napi_value Forward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, "lstm_kernel.forward");
    napi_value argv[11];
    const CommonArgs common = commonArgs(args, info, argv);
    const Config& cfg = common.cfg;
    const float* phi = common.phi;
    const int count = common.count, threads = common.threads;
    size_t rows;
    const float* grads = args.floats(argv[3], "grads", &rows);
    std::vector<float*> h = layerStates(args, cfg, argv[4], "h", rows);
    std::vector<float*> c = layerStates(args, cfg, argv[5], "c", rows);
    float *m, *v;
    moments(args, cfg, argv[6], argv[7], rows, &m, &v);
    float* updates = args.floats(argv[8], "updates", rows, "rows (grads' length)");
    const size_t perRow = stepFloats(cfg);
    float* cache = common.argc > 10 && !args.absent(argv[10], "cache") ? args.floats(argv[10], "cache", rows * perRow, "rows × cacheFloats(config)") : nullptr;
    args.confirm();
    const Weights w = packWeights(cfg, phi);
    int maxH = 0;
    for (int H : cfg.hidden) maxH = std::max(maxH, H);
    pool().run((rows + FORWARD_ROWS - 1) / FORWARD_ROWS, threads, [&](size_t item) {
      std::vector<float> z(5 * maxH);
      std::vector<float*> hr(cfg.layers()), cr(cfg.layers());
      for (size_t r = item * FORWARD_ROWS; r < std::min(rows, (item + 1) * FORWARD_ROWS); r++) {
        float x[2];
        features(cfg, grads[r], count, m ? m + r : nullptr, v ? v + r : nullptr, x);
        rowStates(cfg, h, r, hr.data());
        rowStates(cfg, c, r, cr.data());
        updates[r] = rowStep(cfg, w, x, hr.data(), cr.data(), cache ? cache + r * perRow : nullptr, z.data());
      }
    });
    return nullptr;
  });
}

// Rows whose float gradients are summed before they are added to the double totals.
constexpr size_t FLUSH_ROWS = 64;

// What one chunk of meta-gradient work needs besides the weights: room for a row's caches of T
// steps side by side (so that back-propagation reads them from the CPU cache) and their
// pointers, the LSTM's gate buffer, back-propagation scratch, and a row's states.
struct ChunkScratch {
  std::vector<float> caches, z, scratch, h, c;
  std::vector<const float*> steps;
  ChunkScratch(const Config& cfg, int T) : steps(T) {
    int maxH = 0, gates = 0, units = 0;
    for (int H : cfg.hidden) maxH = std::max(maxH, H), gates += 4 * H, units += H;
    caches.resize(static_cast<size_t>(T) * stepFloats(cfg));
    z.resize(5 * maxH);
    scratch.resize((2 * cfg.layers() + 2) * maxH + static_cast<size_t>(T) * gates);
    h.resize(units);
    c.resize(units);
  }
};

// ∂S/∂φ as a new Float32Array (φ's order): `row(r, g, scratch)` adds row r's part to g. Rows are
// summed in float in groups of FLUSH_ROWS, the groups in double per chunk of CHUNK_ROWS, and the
// chunks in chunk order, so the result does not depend on the number of threads.
template <typename Row>
napi_value chunkedMetaGradient(Args& args, const Config& cfg, const Weights& w, size_t nPhi, size_t rows, int T, int threads, Row row) {
  const size_t chunks = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
  std::vector<std::vector<double>> chunkTotals(chunks, std::vector<double>(nPhi, 0.0));
  pool().run(chunks, threads, [&](size_t chunk) {
    Grads g(w);
    ChunkScratch scratch(cfg, T);
    const size_t end = std::min(rows, (chunk + 1) * CHUNK_ROWS);
    for (size_t r = chunk * CHUNK_ROWS; r < end; r++) {
      row(r, g, scratch);
      if ((r + 1) % FLUSH_ROWS == 0 || r + 1 == end) flush(cfg, g, chunkTotals[chunk]);
    }
  });
  std::vector<double> total(nPhi, 0.0);
  for (const auto& part : chunkTotals)
    for (size_t i = 0; i < nPhi; i++) total[i] += part[i];
  float* out;
  napi_value result = args.newFloats(nPhi, &out);
  for (size_t i = 0; i < nPhi; i++) out[i] = static_cast<float>(total[i]);
  return result;
}

// T per-step arrays (at most MOST_STEPS), each of `rows` × `perRow` floats; rows < 0 (SIZE_MAX):
// taken from the first array, whose length must then be a multiple of perRow.
std::vector<float*> stepArrays(Args& args, napi_value list, const char* name, size_t T, size_t* rows, size_t perRow, const char* meaning) {
  const std::vector<napi_value> items = args.list(list, name, T, MOST_STEPS);
  std::vector<float*> out;
  for (size_t t = 0; t < items.size(); t++) {
    if (*rows == SIZE_MAX) {
      size_t n;
      out.push_back(args.floats(items[t], at(name, t), &n));
      if (n % perRow != 0) args.fail(at(name, t) + " must hold " + meaning + " values, got " + std::to_string(n));
      *rows = n / perRow;
    } else {
      out.push_back(args.floats(items[t], at(name, t), *rows * perRow, meaning));
    }
  }
  return out;
}

napi_value MetaGradient(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, "lstm_kernel.metaGradient");
    napi_value argv[11];
    const CommonArgs common = commonArgs(args, info, argv);
    const Config& cfg = common.cfg;
    const int count = common.count;
    size_t rows = SIZE_MAX;
    std::vector<float*> inputs = stepArrays(args, argv[3], "inputs", SIZE_MAX, &rows, 1, "rows");
    const int T = static_cast<int>(inputs.size());
    if (rows == SIZE_MAX) rows = 0;
    std::vector<float*> dUpdates = stepArrays(args, argv[4], "dUpdates", T, &rows, 1, "rows (inputs[0]'s length)");
    std::vector<float*> h0 = layerStates(args, cfg, argv[5], "h", rows);
    std::vector<float*> c0 = layerStates(args, cfg, argv[6], "c", rows);
    float *m0, *v0;
    moments(args, cfg, argv[7], argv[8], rows, &m0, &v0);
    args.confirm();

    const Weights w = packWeights(cfg, common.phi);
    const size_t perRow = stepFloats(cfg);
    return chunkedMetaGradient(args, cfg, w, common.nPhi, rows, T, common.threads, [&](size_t r, Grads& g, ChunkScratch& s) {
      // Replay the row from its starting states (copied, so the caller's arrays stay as they were).
      std::vector<float*> hr(cfg.layers()), cr(cfg.layers());
      for (int l = 0, o = 0; l < cfg.layers(); o += cfg.hidden[l], l++) {
        std::memcpy(s.h.data() + o, h0[l] + r * cfg.hidden[l], sizeof(float) * cfg.hidden[l]);
        std::memcpy(s.c.data() + o, c0[l] + r * cfg.hidden[l], sizeof(float) * cfg.hidden[l]);
        hr[l] = s.h.data() + o;
        cr[l] = s.c.data() + o;
      }
      float m = m0 ? m0[r] : 0, v = v0 ? v0[r] : 0;
      for (int t = 0; t < T; t++) {
        float x[2];
        float* cache = s.caches.data() + static_cast<size_t>(t) * perRow;
        features(cfg, inputs[t][r], count + t, &m, &v, x);
        rowStep(cfg, w, x, hr.data(), cr.data(), cache, s.z.data());
        s.steps[t] = cache;
      }
      rowBackward(cfg, w, s.steps.data(), T, dUpdates.data(), r, g, s.scratch);
    });
  });
}

napi_value Backward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, "lstm_kernel.backward");
    napi_value argv[5];
    const size_t argc = args.call(info, argv, 5, 4, "4 or 5 arguments");
    const float* phi;
    size_t nPhi;
    const Config cfg = configAndPhi(args, argv[0], argv[1], &phi, &nPhi);
    const size_t perRow = stepFloats(cfg);
    size_t rows = SIZE_MAX;
    std::vector<float*> caches = stepArrays(args, argv[2], "caches", SIZE_MAX, &rows, perRow, "rows × cacheFloats(config)");
    const int T = static_cast<int>(caches.size());
    if (rows == SIZE_MAX) rows = 0;
    std::vector<float*> dUpdates = stepArrays(args, argv[3], "dUpdates", T, &rows, 1, "rows (caches[0]'s rows)");
    const int threads = threadsArg(args, argc, argv, 4);
    args.confirm();
    const Weights w = packWeights(cfg, phi);
    return chunkedMetaGradient(args, cfg, w, nPhi, rows, T, threads, [&](size_t r, Grads& g, ChunkScratch& s) {
      // The row's steps side by side first (see ChunkScratch).
      for (int t = 0; t < T; t++) {
        float* local = s.caches.data() + static_cast<size_t>(t) * perRow;
        std::memcpy(local, caches[t] + r * perRow, sizeof(float) * perRow);
        s.steps[t] = local;
      }
      rowBackward(cfg, w, s.steps.data(), T, dUpdates.data(), r, g, s.scratch);
    });
  });
}

napi_value CacheFloats(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, "lstm_kernel.cacheFloats");
    napi_value argv[1];
    args.call(info, argv, 1, 1, "the config");
    return args.newNumber(stepFloats(readConfig(args, argv[0])));
  });
}

}  // namespace

namespace l2l {
void registerMlpKernel(napi_env env, napi_value exports);  // native/mlp_kernel.cc
}

NAPI_MODULE_INIT() {
  l2l::exportFunction(env, exports, "forward", Forward);
  l2l::exportFunction(env, exports, "metaGradient", MetaGradient);
  l2l::exportFunction(env, exports, "backward", Backward);
  l2l::exportFunction(env, exports, "cacheFloats", CacheFloats);
  l2l::registerMlpKernel(env, exports);
  return exports;
}
