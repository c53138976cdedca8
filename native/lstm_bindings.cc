// The coordinatewise LSTM as a native Node addon (N-API): every argument read and checked
// against the sizes the kernels index (napi_args.h), then the row-wise math of lstm_math.h run
// over the rows on the thread pool of thread_pool.h. src/engine/native/ is its JavaScript side.
//
// Exports:
//   forward(config, phi, count, grads, h[], c[], m, v, updates[, threads[, cache[, params]]])
//     one step for every row: h, c (and m, v for 'adam' inputs) are updated in place, the
//     rows' updates written to `updates`; with `cache` (rows × cacheFloats(config) floats) the
//     step's activations are kept there for `backward`; `params` (the rows' values θ) is read
//     with config.params only, and required there.
//   metaGradient(config, phi, count, inputs[], dUpdates[], h[], c[], m, v[, threads[, params[]]]) -> Float32Array
//     ∂S/∂φ for S = Σ_t ⟨update_t, dUpdates_t⟩ over the recorded steps, starting from the
//     given states (not modified); same order and length as phi. params[t]: the rows' values
//     at step t, with config.params.
//   backward(config, phi, caches[], dUpdates[][, threads]) -> Float32Array
//     the same from the steps' kept activations instead of a replay (identical numbers).
//   cacheFloats(config) -> number: floats of one row's activations at one step.
// The same addon also exports the MNIST MLP's mlpLossAndGrad (native/mlp_kernel.cc).
// Rows are worked on in chunks on `threads` threads (default 1; a pool started once); the result
// does not depend on the number of threads.
// config = { hidden: number[], mode: 0 raw | 1 log-and-sign | 2 adam | 3 both, p, outputScale, magnitude[, params: 0 | 1] };
// phi is φ flattened in metaParamShapes order (src/learned/lstmConfig.ts).#include <node_api.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "flush_denormals.h"
#include "lstm_math.h"
#include "napi_args.h"
#include "thread_pool.h"

namespace {

using namespace l2l;
using namespace l2l::lstm;

// Rows per chunk of meta-gradient work. A chunk's meta-gradient is summed on its own and the
// chunks' sums are added in chunk order, so the result does not depend on the number of threads.
constexpr size_t CHUNK_ROWS = 128;

// Rows per item of forward work (rows are independent there, so any split gives the same numbers).
constexpr size_t FORWARD_ROWS = 64;

// ---- N-API plumbing: every argument checked against the sizes the kernel indexes (napi_args.h) ----

constexpr int64_t MOST_LAYERS = 16, MOST_UNITS = 4096, MOST_THREADS = 1024;
constexpr int64_t MOST_COUNT = int64_t{1} << 30;  // steps taken so far (Adam's bias correction)
constexpr size_t MOST_STEPS = 100000;              // steps of one truncation

Config readConfig(Args& args, napi_value object) {
  Config cfg;
  const std::vector<napi_value> hidden = args.list(args.property(object, "hidden"), "config.hidden", SIZE_MAX, MOST_LAYERS);
  if (hidden.empty()) args.fail("config.hidden must name at least one layer");
  for (size_t i = 0; i < hidden.size(); i++) cfg.hidden.push_back(static_cast<int>(args.integer(hidden[i], at("config.hidden", i), 1, MOST_UNITS)));
  cfg.mode = static_cast<int>(args.integer(args.property(object, "mode"), "config.mode", RAW, ADAM_LOG));
  cfg.p = static_cast<float>(args.number(args.property(object, "p"), "config.p"));
  if (cfg.needsP() && !(cfg.p > 0)) args.fail("config.p must be above 0 for log-magnitude inputs");
  cfg.outputScale = static_cast<float>(args.number(args.property(object, "outputScale"), "config.outputScale"));
  cfg.magnitude = static_cast<float>(args.number(args.property(object, "magnitude"), "config.magnitude"));
  const napi_value params = args.property(object, "params");
  cfg.params = !args.absent(params, "config.params") && args.integer(params, "config.params", 0, 1) == 1;
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

// Adam's moments m and v for 'adam', 'both' and 'adam-log' inputs (one value per row), required there; elsewhere
// optional, and checked the same when given.
void moments(Args& args, const Config& cfg, napi_value mValue, napi_value vValue, size_t rows, float** m, float** v) {
  *m = args.absent(mValue, "m") ? nullptr : args.floats(mValue, "m", rows, "rows");
  *v = args.absent(vValue, "v") ? nullptr : args.floats(vValue, "v", rows, "rows");
  if (cfg.moments() && (!*m || !*v)) args.fail("'adam', 'both' and 'adam-log' inputs (config.mode 2, 3, 4) need m and v");
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
  a.argc = args.call(info, argv, 12, 9, "9 to 12 arguments");
  a.cfg = configAndPhi(args, argv[0], argv[1], &a.phi, &a.nPhi);
  a.count = static_cast<int>(args.integer(argv[2], "count", 0, MOST_COUNT));
  a.threads = threadsArg(args, a.argc, argv, 9);
  return a;
}

napi_value Forward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, "lstm_kernel.forward");
    napi_value argv[12];
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
    const float* params = nullptr;
    if (cfg.params) {
      if (common.argc <= 11 || args.absent(argv[11], "params")) args.fail("config.params needs params, the rows' values");
      params = args.floats(argv[11], "params", rows, "rows (grads' length)");
    }
    args.confirm();
    const FlushDenormals flush;
    const Weights w = packWeights(cfg, phi);
    int maxH = 0;
    for (int H : cfg.hidden) maxH = std::max(maxH, H);
    pool().run((rows + FORWARD_ROWS - 1) / FORWARD_ROWS, threads, [&](size_t item) {
      std::vector<float> z(5 * maxH);
      std::vector<float*> hr(cfg.layers()), cr(cfg.layers());
      for (size_t r = item * FORWARD_ROWS; r < std::min(rows, (item + 1) * FORWARD_ROWS); r++) {
        float x[MOST_FEATURES];
        features(cfg, grads[r], params ? params[r] : 0.0f, count, m ? m + r : nullptr, v ? v + r : nullptr, x);
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
    napi_value argv[12];
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
    std::vector<float*> params;
    if (cfg.params) {
      if (common.argc <= 10 || args.absent(argv[10], "params")) args.fail("config.params needs params, the rows' values at each step");
      params = stepArrays(args, argv[10], "params", T, &rows, 1, "rows (inputs[0]'s length)");
    }
    args.confirm();
    const FlushDenormals flush;
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
        float x[MOST_FEATURES];
        float* cache = s.caches.data() + static_cast<size_t>(t) * perRow;
        features(cfg, inputs[t][r], cfg.params ? params[t][r] : 0.0f, count + t, &m, &v, x);
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
    const FlushDenormals flush;
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
