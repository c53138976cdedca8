// The coordinatewise LSTM's math for one row (one coordinate) at a time: its forward step and
// its back-propagation through a truncation's steps. Same equations as
// src/engine/tfjs/lstmCell.ts (the TensorFlow.js engine, the reference and the browser's path):
// per layer l with input a and gates i, f, g, o,
//   z = a·Wx + h_prev·Wh + b;  i, f, o = σ(z);  g = tanh(z);  c = f⊙c_prev + i⊙g;  h = o⊙tanh(c)
// and the head update = s·(h_top·w + b) — or, with a magnitude output (Metz et al. 2020), the
// head's two outputs d = h_top·w_d + b_d and m = h_top·w_m + b_m give update = s·d·exp(λ·m). Every row is independent given its input gradients, so
// a row's whole truncation — replayed forward, then back-propagated through time — fits in the
// CPU cache, and the weights are shared by all rows. lstm_bindings.cc runs these over rows on
// the thread pool (thread_pool.h).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace l2l {
namespace lstm {

// The LSTM's inputs: the raw gradient; log-magnitude and sign (the paper); Adam's normalized
// momentum and gradient (RNNprop); the last two together (four features); or RNNprop's two and
// then the log-magnitude of each (ADAM_LOG, four features). With `params`, one more feature
// follows: the coordinate's log-magnitude log(|θ| + PARAM_EPS) / PARAM_P.
enum Mode { RAW = 0, LOG_SIGN = 1, ADAM = 2, BOTH = 3, ADAM_LOG = 4 };

struct Config {
  std::vector<int> hidden;
  int mode = LOG_SIGN;
  float p = 10.0f;
  float outputScale = 0.1f;
  // λ of the magnitude output, or 0: the paper's single linear output.
  float magnitude = 0.0f;
  // Whether the LSTM also reads the log-magnitude of the coordinate's value θ.
  bool params = false;
  bool hasMagnitude() const { return magnitude != 0.0f; }
  int layers() const { return static_cast<int>(hidden.size()); }
  int gradFeatures() const { return mode == RAW ? 1 : mode == BOTH || mode == ADAM_LOG ? 4 : 2; }
  int inSize(int l) const { return l == 0 ? gradFeatures() + (params ? 1 : 0) : hidden[l - 1]; }
  bool logSign() const { return mode == LOG_SIGN || mode == BOTH; }
  bool moments() const { return mode == ADAM || mode == BOTH || mode == ADAM_LOG; }
  bool needsP() const { return logSign() || mode == ADAM_LOG; }
  int top() const { return hidden.back(); }
};

// φ rearranged for row-wise work: per layer W [(in + H) × 4H] (rows: the input's Wx, then Wh;
// columns: gates i, f, g, o), b [4H]; the head's w [H_top] and b (and, with a magnitude output,
// its wm [H_top] and bm).
// Per layer also the gates' activation as one formula, z ← α·σ(α·z) − β: α = 1, β = 0 (σ) for
// i, f, o and α = 2, β = 1 (tanh z = 2σ(2z) − 1, as TensorFlow.js computes it) for g, so that
// whole vectors of gates are activated at once (`activateGates`).
struct Weights {
  std::vector<std::vector<float>> W, b, alpha, beta;
  std::vector<float> headW, headWm;
  float headB = 0, headBm = 0;
};

// Number of floats of φ in metaParamShapes order (src/learned/lstmConfig.ts).
size_t phiSize(const Config& cfg);

// φ (flat, metaParamShapes order) rearranged as `Weights`.
Weights packWeights(const Config& cfg, const float* phi);

// Most input features of one row (`Config::inSize(0)` at most).
constexpr int MOST_FEATURES = 5;

// The parameter feature's constants (src/learned/preprocess.ts PARAM_P, PARAM_EPSILON).
constexpr float PARAM_P = 10.0f, PARAM_EPS = 1e-3f;

// The LSTM's input features x (1, 2, 4, or one more with params) of one row's gradient at update number
// `count` and, with `Config::params`, its value `param` (src/engine/tfjs/lstmCell.ts lstmInput);
// advances the row's Adam moments m, v for 'adam' and 'both' inputs.
void features(const Config& cfg, float grad, float param, int count, float* m, float* v, float* x);

// What one layer's step keeps for back-propagation, per row: a [in], hPrev [H], cPrev [H],
// gates i, f, g, o [4H], tanh(c) [H].
inline int cacheSize(const Config& cfg, int l) { return cfg.inSize(l) + 7 * cfg.hidden[l]; }

// Floats of one row's cache at one step (all layers), as rowStep writes it.
inline int stepFloats(const Config& cfg) {
  int n = 0;
  for (int l = 0; l < cfg.layers(); l++) n += cacheSize(cfg, l);
  return n;
}

// One LSTM step of one row from its features x. h[l], c[l] point at the row's states (updated in
// place); `cache`, when not null, receives each layer's activations one after another (as
// rowBackward reads them); z is scratch of 5·max(H) floats. Returns the row's update.
float rowStep(const Config& cfg, const Weights& w, const float* x, float* const* h, float* const* c, float* cache, float* z);

// Gradients of φ in the layout of `Weights`, accumulated in float per group of rows and added
// to double-precision totals, so long sums lose no precision.
struct Grads {
  std::vector<std::vector<float>> W, b;
  std::vector<float> headW, headWm;
  float headB = 0, headBm = 0;
  explicit Grads(const Weights& w) : W(w.W.size()), b(w.b.size()), headW(w.headW.size(), 0.0f), headWm(w.headWm.size(), 0.0f) {
    for (size_t l = 0; l < w.W.size(); l++) {
      W[l].assign(w.W[l].size(), 0.0f);
      b[l].assign(w.b[l].size(), 0.0f);
    }
  }
};

// Adds g to the double-precision totals (φ's order) and zeroes it.
void flush(const Config& cfg, Grads& g, std::vector<double>& total);

// Back-propagates one row through its T cached steps (steps[t]: the row's cache at step t, as
// rowStep writes it) with ∂S/∂update of each step (dUpdates[t][row]), adding to `g`; scratch as
// ChunkScratch::scratch.
void rowBackward(const Config& cfg, const Weights& w, const float* const* steps, int T, const float* const* dUpdates, size_t row, Grads& g, std::vector<float>& scratch);

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

}  // namespace lstm
}  // namespace l2l
