// The coordinatewise LSTM's math for one row at a time (lstm_math.h): the exponential and the
// gates on vectors of floats, the two products that dominate specialized for 10, 20 and 40
// units, the forward step and back-propagation through time.
#include "lstm_math.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "vec.h"

namespace l2l {
namespace lstm {

// Number of floats of φ in metaParamShapes order.
size_t phiSize(const Config& cfg) {
  size_t n = 0;
  for (int l = 0; l < cfg.layers(); l++) {
    const size_t H = cfg.hidden[l], in = cfg.inSize(l);
    n += 4 * (in * H + H * H + H);
  }
  return n + (cfg.hasMagnitude() ? 2 : 1) * (cfg.top() + 1);
}

// Visits every element of φ in metaParamShapes order with its place in `Weights`:
// visit(offsetInPhi, layer (or -1 for the head's direction output, -2 for its magnitude output),
// index into W (isBias false) or b (isBias true)). With a magnitude output the head's w is [H, 2]
// and b [2], row-major: direction and magnitude interleaved.
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
  const bool two = cfg.hasMagnitude();
  for (int k = 0; k < cfg.top(); k++) {
    visit(offset++, -1, k, false);
    if (two) visit(offset++, -2, k, false);
  }
  visit(offset++, -1, 0, true);
  if (two) visit(offset++, -2, 0, true);
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
  if (cfg.hasMagnitude()) w.headWm.resize(cfg.top());
  forEachPhi(cfg, [&](size_t i, int l, int j, bool bias) {
    if (l == -1) {
      if (bias) w.headB = phi[i];
      else w.headW[j] = phi[i];
    } else if (l == -2) {
      if (bias) w.headBm = phi[i];
      else w.headWm[j] = phi[i];
    } else if (bias) {
      w.b[l][j] = phi[i];
    } else {
      w.W[l][j] = phi[i];
    }
  });
  return w;
}

constexpr float LOG_EPS = 1.1920929e-7f;  // LOG_EPSILON of src/learned/preprocess.ts
constexpr double BETA1 = 0.9, BETA2 = 0.999, ADAM_EPS = 1e-8;

// Never inlined into a caller (`features`, `rowStep`): the forward step and the replay must
// compute the same bits, and with -ffast-math a compiler may rewrite an inlined copy differently
// for each caller (with clang 14, the 'adam' features of the two differed in the last bit until
// `features` was one function for both). Their callers are in another file too.
#define SAME_CODE_FOR_EVERY_CALLER __attribute__((noinline))

SAME_CODE_FOR_EVERY_CALLER void features(const Config& cfg, float grad, float param, int count, float* m, float* v, float* x) {
  if (cfg.params) x[cfg.gradFeatures()] = std::log(std::fabs(param) + PARAM_EPS) / PARAM_P;
  if (cfg.mode == RAW) {
    x[0] = grad;
    return;
  }
  if (cfg.logSign()) {
    const float expP = static_cast<float>(std::exp(static_cast<double>(cfg.p)));
    x[0] = std::max(std::log(std::fabs(grad) + LOG_EPS) / cfg.p, -1.0f);
    x[1] = std::min(std::max(grad * expP, -1.0f), 1.0f);
  }
  if (cfg.moments()) {
    float* out = cfg.mode == BOTH ? x + 2 : x;
    *m = *m * static_cast<float>(BETA1) + grad * static_cast<float>(1 - BETA1);
    *v = *v * static_cast<float>(BETA2) + grad * grad * static_cast<float>(1 - BETA2);
    const int t = count + 1;
    const float c1 = static_cast<float>(1 - std::pow(BETA1, t)), c2 = static_cast<float>(1 - std::pow(BETA2, t));
    const float scale = std::sqrt(*v / c2) + static_cast<float>(ADAM_EPS);
    out[0] = (*m / c1) / scale;
    out[1] = grad / scale;
    if (cfg.mode == ADAM_LOG) {
      out[2] = std::max(std::log(std::fabs(out[0]) + LOG_EPS) / cfg.p, -1.0f);
      out[3] = std::max(std::log(std::fabs(out[1]) + LOG_EPS) / cfg.p, -1.0f);
    }
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
  if (cfg.hasMagnitude()) {
    float m = w.headBm;
    for (int k = 0; k < cfg.top(); k++) m += a[k] * w.headWm[k];
    out *= expApprox(cfg.magnitude * m);
  }
  return out * cfg.outputScale;
}


void flush(const Config& cfg, Grads& g, std::vector<double>& total) {
  forEachPhi(cfg, [&](size_t i, int l, int j, bool bias) {
    if (l == -1) total[i] += bias ? g.headB : g.headW[j];
    else if (l == -2) total[i] += bias ? g.headBm : g.headWm[j];
    else total[i] += bias ? g.b[l][j] : g.W[l][j];
  });
  for (auto& v : g.W) std::fill(v.begin(), v.end(), 0.0f);
  for (auto& v : g.b) std::fill(v.begin(), v.end(), 0.0f);
  std::fill(g.headW.begin(), g.headW.end(), 0.0f);
  std::fill(g.headWm.begin(), g.headWm.end(), 0.0f);
  g.headB = 0;
  g.headBm = 0;
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
    float dOut = dUpdates[t][row] * cfg.outputScale;
    // head
    {
      const int l = L - 1, H = cfg.hidden[l], in = cfg.inSize(l);
      const float* o = step + offsets[l] + in + 2 * H + 3 * H;
      const float* tc = step + offsets[l] + in + 6 * H;
      const bool two = cfg.hasMagnitude();
      float dM = 0;
      if (two) {
        // update = s·d·e^{λm}: ∂/∂d = s·e^{λm}·dU, ∂/∂m = λ·s·d·e^{λm}·dU (d, m recomputed from h_top).
        float d = w.headB, m = w.headBm;
        for (int k = 0; k < H; k++) d += o[k] * tc[k] * w.headW[k], m += o[k] * tc[k] * w.headWm[k];
        const float e = expApprox(cfg.magnitude * m);
        dM = cfg.magnitude * d * e * dOut;
        dOut *= e;
        g.headBm += dM;
      }
      g.headB += dOut;
      for (int k = 0; k < H; k++) {
        g.headW[k] += o[k] * tc[k] * dOut;
        dh[k] = w.headW[k] * dOut;
        if (two) {
          g.headWm[k] += o[k] * tc[k] * dM;
          dh[k] += w.headWm[k] * dM;
        }
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

}  // namespace lstm
}  // namespace l2l
