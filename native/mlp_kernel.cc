// The MNIST multilayer perceptron's loss and gradient on one minibatch, in C++ (part of the same
// Node addon as the LSTM kernel). Same math as the TensorFlow.js path in src/tasks/mlp.ts, which
// stays the reference and the browser's path:
//   a0 = pixels / 255;  z_l = a_(l−1)·W_l + b_l;  a_l = act(z_l) (hidden layers);  logits = z_L
//   loss = mean over the minibatch of −log softmax(logits)[label]
// and back-propagation with dz_L = (softmax − onehot) / batch. MNIST images are mostly black, so
// the first layer (784 inputs) works only on each image's non-zero pixels, forward and backward:
// about a fifth of the multiply-adds of a dense product, with the same sums.
//
// Export:
//   mlpLossAndGrad(sizes, activation, params[], pixels, labels, indices, grads[]) -> number
//     sizes: layer sizes from input to output, e.g. [784, 20, 10]; activation: 0 sigmoid,
//     1 relu, 2 tanh, 3 elu; params: W_1, b_1, W_2, b_2, … of one network (W row-major
//     [in × out], b [out]); pixels: the images' bytes [count × sizes[0]]; labels [count];
//     indices: the minibatch's image numbers; grads: arrays shaped like params, overwritten with
//     the gradient of the returned mean cross-entropy.
#include <node_api.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "flush_denormals.h"
#include "napi_args.h"
#include "vec.h"

namespace {

using namespace l2l;

enum Activation { SIGMOID = 0, RELU = 1, TANH = 2, ELU = 3 };

inline float activate(float z, int activation) {
  switch (activation) {
    case SIGMOID:
      return 1.0f / (1.0f + std::exp(-z));
    case RELU:
      return z > 0 ? z : 0.0f;
    case TANH:
      return std::tanh(z);
    default:
      return z > 0 ? z : std::expm1(z);
  }
}

// The activation's derivative from its output a = act(z), as src/tasks/mlp.ts writes it.
inline float derivative(float a, int activation) {
  switch (activation) {
    case SIGMOID:
      return a * (1.0f - a);
    case RELU:
      return a > 0 ? 1.0f : 0.0f;
    case TANH:
      return 1.0f - a * a;
    default:
      return a > 0 ? 1.0f : a + 1.0f;
  }
}

// y ← y + x·w over n floats (the hidden and output layers' dense products).
inline void axpy(int n, float x, const float* __restrict w, float* __restrict y) {
  for (int j = 0; j < n; j++) y[j] += x * w[j];
}

// y = init + Σ_n x[n]·rows[at[n]] over rows of N floats (init null: 0), summed in registers
// (N/16 vectors of 16 lanes and (N % 16)/4 of 4; N a multiple of 4): a sparse vector times a
// matrix, the first layer's work forward and backward.
template <int N>
inline void combineFixed(size_t count, const int* at, const float* x, const float* rows, const float* init, float* y) {
  constexpr int W = N / 16, Q = (N % 16) / 4;
  static_assert(N % 4 == 0, "N must be a multiple of 4");
  std::array<Vec<16>::type, W> wide;
  std::array<Vec<4>::type, Q> narrow;
  for (int v = 0; v < W; v++) wide[v] = init ? load<16>(init + 16 * v) : Vec<16>::type{};
  for (int v = 0; v < Q; v++) narrow[v] = init ? load<4>(init + 16 * W + 4 * v) : Vec<4>::type{};
  for (size_t n = 0; n < count; n++) {
    const float* row = rows + static_cast<size_t>(at[n]) * N;
    const float s = x[n];
    for (int v = 0; v < W; v++) wide[v] += s * load<16>(row + 16 * v);
    for (int v = 0; v < Q; v++) narrow[v] += s * load<4>(row + 16 * W + 4 * v);
  }
  for (int v = 0; v < W; v++) store<16>(y + 16 * v, wide[v]);
  for (int v = 0; v < Q; v++) store<4>(y + 16 * W + 4 * v, narrow[v]);
}

inline void combine(int N, size_t count, const int* at, const float* x, const float* rows, const float* init, float* y) {
  switch (N) {
    case 20:
      return combineFixed<20>(count, at, x, rows, init, y);
    case 40:
      return combineFixed<40>(count, at, x, rows, init, y);
    case 80:
      return combineFixed<80>(count, at, x, rows, init, y);
    default:
      for (int j = 0; j < N; j++) y[j] = init ? init[j] : 0.0f;
      for (size_t n = 0; n < count; n++) axpy(N, x[n], rows + static_cast<size_t>(at[n]) * N, y);
  }
}

// The minibatch's non-zero pixels (values byte / 255), by image (start[i] … start[i + 1] − 1)
// for the forward pass and by pixel for the first layer's weight gradient.
struct SparseBatch {
  std::vector<size_t> imageStart, pixelStart;
  std::vector<int> pixelAt, imageAt;
  std::vector<float> byImage, byPixel;
};

// byte / 255 for every byte, as the TensorFlow.js path rounds it (in double, stored as a float).
const std::array<float, 256>& pixelValues() {
  static const std::array<float, 256> table = [] {
    std::array<float, 256> t{};
    for (int b = 0; b < 256; b++) t[b] = static_cast<float>(b / 255.0);
    return t;
  }();
  return table;
}

SparseBatch sparseBatch(const uint8_t* pixels, int P, const std::vector<int>& indices) {
  const size_t B = indices.size();
  const std::array<float, 256>& value = pixelValues();
  SparseBatch s;
  s.imageStart.assign(B + 1, 0);
  s.pixelStart.assign(static_cast<size_t>(P) + 1, 0);
  // The images lie anywhere in the split: ask for all of their cache lines at once.
  for (size_t i = 0; i < B; i++)
    for (int k = 0; k < P; k += 64) __builtin_prefetch(pixels + static_cast<size_t>(indices[i]) * P + k);
  // Count first (a vectorizable loop), then fill arrays of the exact size.
  for (size_t i = 0; i < B; i++) {
    const uint8_t* row = pixels + static_cast<size_t>(indices[i]) * P;
    size_t lit = 0;
    for (int k = 0; k < P; k++) lit += row[k] != 0;
    s.imageStart[i + 1] = s.imageStart[i] + lit;
  }
  const size_t entries = s.imageStart[B];
  s.pixelAt.resize(entries);
  s.byImage.resize(entries);
  int* at = s.pixelAt.data();
  float* byImage = s.byImage.data();
  size_t filled = 0;
  for (size_t i = 0; i < B; i++) {
    const uint8_t* row = pixels + static_cast<size_t>(indices[i]) * P;
    for (int k = 0; k < P; k += 8) {
      uint64_t word = 0;
      const int n = std::min(8, P - k);
      std::memcpy(&word, row + k, n);
      if (word == 0) continue;  // most of an MNIST image is black
      for (int q = 0; q < n; q++) {
        const uint8_t byte = row[k + q];
        if (byte == 0) continue;
        at[filled] = k + q;
        byImage[filled++] = value[byte];
        s.pixelStart[k + q + 1]++;
      }
    }
  }
  // The same entries by pixel (a counting sort; images in order within a pixel).
  for (int k = 0; k < P; k++) s.pixelStart[k + 1] += s.pixelStart[k];
  s.imageAt.resize(s.pixelAt.size());
  s.byPixel.resize(s.pixelAt.size());
  std::vector<size_t> next(s.pixelStart.begin(), s.pixelStart.end() - 1);
  for (size_t i = 0; i < B; i++) {
    for (size_t e = s.imageStart[i]; e < s.imageStart[i + 1]; e++) {
      const size_t to = next[s.pixelAt[e]]++;
      s.imageAt[to] = static_cast<int>(i);
      s.byPixel[to] = s.byImage[e];
    }
  }
  return s;
}

// The network's shapes and arrays, checked against each other.
struct Network {
  std::vector<int> sizes;
  int activation = SIGMOID;
  std::vector<float*> params, grads;
  int layers() const { return static_cast<int>(sizes.size()) - 1; }
  const float* W(int l) const { return params[2 * l]; }
  const float* b(int l) const { return params[2 * l + 1]; }
};

// Forward pass: outs[l] holds layer l's output (batch × sizes[l + 1]); the last is the logits.
void forwardPass(const Network& net, const SparseBatch& batch, std::vector<std::vector<float>>& outs) {
  const int B = static_cast<int>(batch.imageStart.size()) - 1;
  for (int l = 0; l < net.layers(); l++) {
    const int in = net.sizes[l], out = net.sizes[l + 1];
    const float* W = net.W(l);
    std::vector<float>& z = outs[l];
    z.resize(static_cast<size_t>(B) * out);
    for (int i = 0; i < B; i++) {
      float* zi = z.data() + static_cast<size_t>(i) * out;
      if (l == 0) {
        const size_t from = batch.imageStart[i];
        combine(out, batch.imageStart[i + 1] - from, batch.pixelAt.data() + from, batch.byImage.data() + from, W, net.b(l), zi);
      } else {
        std::memcpy(zi, net.b(l), sizeof(float) * out);
        const float* ai = outs[l - 1].data() + static_cast<size_t>(i) * in;
        for (int k = 0; k < in; k++) axpy(out, ai[k], W + static_cast<size_t>(k) * out, zi);
      }
      if (l < net.layers() - 1)
        for (int j = 0; j < out; j++) zi[j] = activate(zi[j], net.activation);
    }
  }
}

// Mean cross-entropy of the logits, and dz = (softmax − onehot) / batch written over them.
double crossEntropy(std::vector<float>& logits, int classes, const uint8_t* labels, const std::vector<int>& indices) {
  const int B = static_cast<int>(indices.size());
  double total = 0;
  for (int i = 0; i < B; i++) {
    float* z = logits.data() + static_cast<size_t>(i) * classes;
    const float top = *std::max_element(z, z + classes);
    double sum = 0;
    for (int j = 0; j < classes; j++) sum += std::exp(static_cast<double>(z[j]) - top);
    const double logSum = top + std::log(sum);
    const int label = labels[indices[i]];
    total += logSum - z[label];
    for (int j = 0; j < classes; j++) z[j] = static_cast<float>(std::exp(z[j] - logSum) / B);
    z[label] -= 1.0f / B;
  }
  return total / B;
}

// Back-propagation from dz of the last layer (in outs.back()) into net.grads.
void backwardPass(const Network& net, const SparseBatch& batch, std::vector<std::vector<float>>& outs) {
  const int B = static_cast<int>(batch.imageStart.size()) - 1;
  std::vector<float> dz = outs.back(), dBelow;
  for (int l = net.layers() - 1; l >= 0; l--) {
    const int in = net.sizes[l], out = net.sizes[l + 1];
    float* gW = net.grads[2 * l];
    float* gb = net.grads[2 * l + 1];
    std::fill(gb, gb + out, 0.0f);
    for (int i = 0; i < B; i++) axpy(out, 1.0f, dz.data() + static_cast<size_t>(i) * out, gb);
    if (l == 0) {
      // Row k of ∂W_1 = Σ over the images with pixel k lit of pixel · dz_image.
      for (int k = 0; k < in; k++) {
        const size_t from = batch.pixelStart[k];
        combine(out, batch.pixelStart[k + 1] - from, batch.imageAt.data() + from, batch.byPixel.data() + from, dz.data(), nullptr, gW + static_cast<size_t>(k) * out);
      }
      break;
    }
    std::fill(gW, gW + static_cast<size_t>(in) * out, 0.0f);
    for (int i = 0; i < B; i++) {
      const float* dzi = dz.data() + static_cast<size_t>(i) * out;
      const float* ai = outs[l - 1].data() + static_cast<size_t>(i) * in;
      for (int k = 0; k < in; k++) axpy(out, ai[k], dzi, gW + static_cast<size_t>(k) * out);
    }
    // dz of the layer below: (dz · Wᵀ) ⊙ act'(a).
    dBelow.assign(static_cast<size_t>(B) * in, 0.0f);
    const float* W = net.W(l);
    for (int i = 0; i < B; i++) {
      const float* dzi = dz.data() + static_cast<size_t>(i) * out;
      const float* ai = outs[l - 1].data() + static_cast<size_t>(i) * in;
      float* di = dBelow.data() + static_cast<size_t>(i) * in;
      for (int k = 0; k < in; k++) {
        const float* Wk = W + static_cast<size_t>(k) * out;
        float s = 0;
        for (int j = 0; j < out; j++) s += dzi[j] * Wk[j];
        di[k] = s * derivative(ai[k], net.activation);
      }
    }
    dz.swap(dBelow);
  }
}

constexpr int64_t MOST_LAYERS = 64, MOST_SIZE = 1000000;

// `name`: the weights and biases W_1, b_1, W_2, b_2, … of the network, lengths from its sizes.
std::vector<float*> layerArrays(Args& args, const Network& net, napi_value list, const char* name) {
  const std::vector<napi_value> items = args.list(list, name, 2 * static_cast<size_t>(net.layers()), 2 * MOST_LAYERS);
  std::vector<float*> out;
  for (int l = 0; l < net.layers(); l++) {
    const std::string in = "sizes[" + std::to_string(l) + "]", outSize = "sizes[" + std::to_string(l + 1) + "]";
    out.push_back(args.floats(items[2 * l], at(name, 2 * l), static_cast<size_t>(net.sizes[l]) * net.sizes[l + 1], in + " × " + outSize + " weights"));
    out.push_back(args.floats(items[2 * l + 1], at(name, 2 * l + 1), net.sizes[l + 1], outSize + " biases"));
  }
  return out;
}

// The arguments, checked: sizes, activation, params and grads (lengths from sizes).
Network readNetwork(Args& args, napi_value* argv) {
  Network net;
  const std::vector<napi_value> sizes = args.list(argv[0], "sizes", SIZE_MAX, MOST_LAYERS + 1);
  if (sizes.size() < 2) args.fail("sizes needs an input and an output size");
  for (size_t i = 0; i < sizes.size(); i++) net.sizes.push_back(static_cast<int>(args.integer(sizes[i], at("sizes", i), 1, MOST_SIZE)));
  net.activation = static_cast<int>(args.integer(argv[1], "activation", SIGMOID, ELU));
  net.params = layerArrays(args, net, argv[2], "params");
  net.grads = layerArrays(args, net, argv[6], "grads");
  return net;
}

napi_value LossAndGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, "mlp_kernel.mlpLossAndGrad");
    napi_value argv[7];
    args.call(info, argv, 7, 7, "7 arguments");
    const Network net = readNetwork(args, argv);
    size_t pixelCount, labelCount, batch;
    const uint8_t* pixels = args.typed<uint8_t>(argv[3], napi_uint8_array, "Uint8Array", "pixels", &pixelCount);
    const uint8_t* labels = args.typed<uint8_t>(argv[4], napi_uint8_array, "Uint8Array", "labels", &labelCount);
    const int32_t* index = args.typed<int32_t>(argv[5], napi_int32_array, "Int32Array", "indices", &batch);
    const int P = net.sizes[0], classes = net.sizes.back();
    if (pixelCount != labelCount * P) args.fail("pixels must hold sizes[0] bytes per label = " + std::to_string(labelCount * P) + ", got " + std::to_string(pixelCount));
    if (batch == 0) args.fail("indices (the minibatch) is empty");
    args.confirm();
    std::vector<int> indices(index, index + batch);
    for (size_t i = 0; i < batch; i++) {
      if (indices[i] < 0 || static_cast<size_t>(indices[i]) >= labelCount) args.fail(at("indices", i) + " = " + std::to_string(indices[i]) + " is outside the " + std::to_string(labelCount) + " images");
      if (labels[indices[i]] >= classes) args.fail("labels[" + std::to_string(indices[i]) + "] = " + std::to_string(labels[indices[i]]) + " is not below the output size " + std::to_string(classes));
    }
    const FlushDenormals flush;
    const SparseBatch sparse = sparseBatch(pixels, P, indices);
    std::vector<std::vector<float>> outs(net.layers());
    forwardPass(net, sparse, outs);
    const double loss = crossEntropy(outs.back(), classes, labels, indices);
    backwardPass(net, sparse, outs);
    return args.newNumber(loss);
  });
}

}  // namespace

namespace l2l {

// Adds mlpLossAndGrad to the addon's exports (called from the module's init).
void registerMlpKernel(napi_env env, napi_value exports) { exportFunction(env, exports, "mlpLossAndGrad", LossAndGrad); }

}  // namespace l2l
