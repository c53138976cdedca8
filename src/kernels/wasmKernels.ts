/**
 * Gradient kernels that TensorFlow.js 4.22's wasm backend lacks, so that tfjs-layers convnets
 * and embedding models train on it (`model.fit` failed with "Kernel 'Conv2DBackpropFilter' not
 * registered for backend 'wasm'"). Each reads its inputs from the wasm heap, computes on plain
 * arrays and writes its output back (as the backend's own JavaScript kernels, such as `Unique`,
 * do); the cpu backend's kernels are what they are tested against. Missing from wasm and added
 * here:
 *
 * - `Conv2DBackpropFilter` (the weights' gradient of `conv2d`: every convnet),
 * - `DepthwiseConv2dNativeBackpropFilter` and `DepthwiseConv2dNativeBackpropInput` (depthwise
 *   and separable convolutions),
 * - `UnsortedSegmentSum` (the gradient of `gather`: embedding layers).
 *
 * Browser-safe: a web page on the wasm backend registers them too (`web/src/backend.ts`).
 */
import * as tf from '@tensorflow/tfjs';

/** The wasm backend as these kernels use it. */
interface WasmBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; attrs: Record<string, unknown>; backend: unknown };

/** The values of a tensor on the wasm backend as float32. */
function floats(backend: WasmBackend, t: tf.TensorInfo): Float32Array {
  const values = backend.readSync(t.dataId);
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

/** The convolution's geometry (NHWC). */
function convInfo(xShape: number[], filterShape: number[], attrs: Record<string, unknown>, depthwise: boolean): tf.backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode, dilations } = attrs as {
    strides: [number, number] | number;
    pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
    dataFormat?: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    dilations?: [number, number] | number;
  };
  if (dataFormat === 'NCHW') throw new Error('channels-first (NCHW) convolutions are not supported on the wasm backend');
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], strides, dilations ?? 1, pad, dimRoundingMode, depthwise);
}

/**
 * A 'valid' convolution, stride 1, by the backend's own Conv2D kernel (XNNPACK): x [b, h, w, in],
 * filter [fh, fw, in, out] with taps `dilations` apart; read back as a new array.
 */
function convolveValid(backend: WasmBackend, x: Float32Array, xShape: number[], filter: Float32Array, filterShape: number[], dilations: [number, number]): Float32Array {
  const conv2d = tf.getKernel('Conv2D', 'wasm')!.kernelFunc as unknown as (args: KernelArgs) => tf.TensorInfo;
  const xInfo = backend.makeOutput(xShape, 'float32', undefined, x);
  const filterInfo = backend.makeOutput(filterShape, 'float32', undefined, filter);
  const out = conv2d({ inputs: { x: xInfo, filter: filterInfo }, attrs: { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations, dimRoundingMode: undefined }, backend });
  const values = floats(backend, out);
  for (const info of [xInfo, filterInfo, out]) backend.disposeData(info.dataId);
  return values;
}

/** TensorFlow.js computes no gradient of a dilated convolution; these kernels assume none. */
function assertUndilated(info: tf.backend_util.Conv2DInfo): void {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('gradients of dilated convolutions are not supported');
}

/**
 * ∂/∂W of conv2d: dW[r][c][d1][d2] = Σ_b,y,x x[b][y·sh + r − top][x·sw + c − left][d1] · dy[b][y][x][d2],
 * itself a convolution: of the zero-padded x with batch and channels swapped, [inC, ·, ·, b],
 * by dy as a filter [oh, ow, b, outC] whose taps are the strides apart; the result
 * [inC, fh, fw, outC] is dW with its first axis moved.
 */
function conv2DBackpropFilter({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const b = backend as WasmBackend;
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = convInfo(x.shape, filterShape, attrs, false);
  assertUndilated(info);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const xv = floats(b, x);
  const dyv = floats(b, dy);
  const height = (outHeight - 1) * strideHeight + filterHeight;
  const width = (outWidth - 1) * strideWidth + filterWidth;
  const swapped = new Float32Array(inChannels * height * width * batchSize);
  for (let n = 0; n < batchSize; n++) {
    for (let i = 0; i < height; i++) {
      const xR = i - top;
      if (xR < 0 || xR >= inHeight) continue;
      for (let j = 0; j < width; j++) {
        const xC = j - left;
        if (xC < 0 || xC >= inWidth) continue;
        const from = ((n * inHeight + xR) * inWidth + xC) * inChannels;
        const to = (i * width + j) * batchSize + n;
        for (let d1 = 0; d1 < inChannels; d1++) swapped[d1 * height * width * batchSize + to] = xv[from + d1];
      }
    }
  }
  const dyFilter = new Float32Array(outHeight * outWidth * batchSize * outChannels);
  const pixels = outHeight * outWidth;
  for (let n = 0; n < batchSize; n++) {
    for (let p = 0; p < pixels; p++) {
      const from = (n * pixels + p) * outChannels;
      const to = (p * batchSize + n) * outChannels;
      for (let d2 = 0; d2 < outChannels; d2++) dyFilter[to + d2] = dyv[from + d2];
    }
  }
  const out = convolveValid(b, swapped, [inChannels, height, width, batchSize], dyFilter, [outHeight, outWidth, batchSize, outChannels], [strideHeight, strideWidth]);
  const dw = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  const taps = filterHeight * filterWidth;
  for (let d1 = 0; d1 < inChannels; d1++) {
    for (let t = 0; t < taps; t++) dw.set(out.subarray((d1 * taps + t) * outChannels, (d1 * taps + t + 1) * outChannels), (t * inChannels + d1) * outChannels);
  }
  return b.makeOutput(filterShape, 'float32', undefined, dw);
}

/**
 * ∂/∂x of conv2d ("transposed convolution"): dy spread out by the strides and zero-padded,
 * convolved with the filter rotated by 180° and its channel axes swapped.
 */
function conv2DBackpropInput({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const b = backend as WasmBackend;
  const { dy, filter } = inputs;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = convInfo(inputShape, filter.shape, attrs, false);
  assertUndilated(info);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const wv = floats(b, filter);
  const rotated = new Float32Array(wv.length);
  for (let r = 0; r < filterHeight; r++) {
    for (let c = 0; c < filterWidth; c++) {
      const from = ((filterHeight - 1 - r) * filterWidth + (filterWidth - 1 - c)) * inChannels * outChannels;
      const to = (r * filterWidth + c) * outChannels * inChannels;
      for (let d1 = 0; d1 < inChannels; d1++) for (let d2 = 0; d2 < outChannels; d2++) rotated[to + d2 * inChannels + d1] = wv[from + d1 * outChannels + d2];
    }
  }
  const dyv = floats(b, dy);
  const height = inHeight + filterHeight - 1;
  const width = inWidth + filterWidth - 1;
  const spread = new Float32Array(batchSize * height * width * outChannels);
  for (let n = 0; n < batchSize; n++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const i = yR * strideHeight + filterHeight - 1 - top;
      if (i < 0 || i >= height) continue;
      for (let yC = 0; yC < outWidth; yC++) {
        const j = yC * strideWidth + filterWidth - 1 - left;
        if (j < 0 || j >= width) continue;
        const from = ((n * outHeight + yR) * outWidth + yC) * outChannels;
        spread.set(dyv.subarray(from, from + outChannels), ((n * height + i) * width + j) * outChannels);
      }
    }
  }
  const dx = convolveValid(b, spread, [batchSize, height, width, outChannels], rotated, [filterHeight, filterWidth, outChannels, inChannels], [1, 1]);
  return b.makeOutput(inputShape, 'float32', undefined, dx);
}

/**
 * Every tap of a depthwise convolution's windows: for each output pixel and each filter tap
 * that lands inside x, `visit(dyOffset, xOffset, wOffset)` with the offsets of that output pixel
 * in dy, of the input pixel in x and of the tap in the filter (channel 0 of each).
 */
function forEachDepthwiseTap(info: tf.backend_util.Conv2DInfo, visit: (dyOffset: number, xOffset: number, wOffset: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  for (let n = 0; n < batchSize; n++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyOffset = ((n * outHeight + yR) * outWidth + yC) * outChannels;
        for (let r = 0; r < filterHeight; r++) {
          const xR = yR * strideHeight + r * dilationHeight - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let c = 0; c < filterWidth; c++) {
            const xC = yC * strideWidth + c * dilationWidth - left;
            if (xC < 0 || xC >= inWidth) continue;
            visit(dyOffset, ((n * inHeight + xR) * inWidth + xC) * inChannels, (r * filterWidth + c) * outChannels);
          }
        }
      }
    }
  }
}

/**
 * ∂/∂W of depthwiseConv2d (filter [fh, fw, inC, multiplier]): dW[r][c][d1][q] =
 * Σ x[b][xR][xC][d1] · dy[b][y][x][d1·multiplier + q].
 */
function depthwiseBackpropFilter({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const b = backend as WasmBackend;
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = convInfo(x.shape, filterShape, attrs, true);
  const xv = floats(b, x);
  const dyv = floats(b, dy);
  const { inChannels, outChannels, filterHeight, filterWidth } = info;
  const multiplier = outChannels / inChannels;
  const dw = new Float32Array(filterHeight * filterWidth * outChannels);
  forEachDepthwiseTap(info, (dyOffset, xOffset, wOffset) => {
    for (let d1 = 0; d1 < inChannels; d1++) {
      const xValue = xv[xOffset + d1];
      for (let q = 0; q < multiplier; q++) dw[wOffset + d1 * multiplier + q] += xValue * dyv[dyOffset + d1 * multiplier + q];
    }
  });
  return b.makeOutput(filterShape, 'float32', undefined, dw);
}

/**
 * ∂/∂x of depthwiseConv2d: each output position's gradient scattered back through the filter
 * window, dx[b][xR][xC][d1] += Σ_q dy[b][y][x][d1·multiplier + q] · W[r][c][d1][q].
 */
function depthwiseBackpropInput({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const b = backend as WasmBackend;
  const { dy, filter } = inputs;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = convInfo(inputShape, filter.shape, attrs, true);
  const dyv = floats(b, dy);
  const wv = floats(b, filter);
  const { batchSize, inHeight, inWidth, inChannels, outChannels } = info;
  const multiplier = outChannels / inChannels;
  const dx = new Float32Array(batchSize * inHeight * inWidth * inChannels);
  forEachDepthwiseTap(info, (dyOffset, xOffset, wOffset) => {
    for (let d1 = 0; d1 < inChannels; d1++) {
      let sum = 0;
      for (let q = 0; q < multiplier; q++) sum += dyv[dyOffset + d1 * multiplier + q] * wv[wOffset + d1 * multiplier + q];
      dx[xOffset + d1] += sum;
    }
  });
  return b.makeOutput(inputShape, 'float32', undefined, dx);
}

/**
 * ∂/∂x of maxPool: each output's gradient goes to the first largest pixel of its window (the
 * cpu backend's choice among ties, which matter after a ReLU).
 */
function maxPoolGrad({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const b = backend as WasmBackend;
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as { filterSize: [number, number] | number; strides: [number, number] | number; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const { top, left } = info.padInfo;
  const xv = floats(b, input);
  const dyv = floats(b, dy);
  const dx = new Float32Array(xv.length);
  // Per output pixel, the best value and its index for every channel, scanning the window in order.
  const best = new Float32Array(inChannels);
  const at = new Int32Array(inChannels);
  for (let n = 0; n < batchSize; n++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const rStart = yR * strideHeight - top;
      const rEnd = Math.min(inHeight, rStart + effectiveFilterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const cStart = yC * strideWidth - left;
        const cEnd = Math.min(inWidth, cStart + effectiveFilterWidth);
        for (let d = 0; d < inChannels; d++) {
          best[d] = Number.NEGATIVE_INFINITY;
          at[d] = -1;
        }
        for (let r = Math.max(0, rStart); r < rEnd; r++) {
          for (let c = Math.max(0, cStart); c < cEnd; c++) {
            const pixel = ((n * inHeight + r) * inWidth + c) * inChannels;
            for (let d = 0; d < inChannels; d++) {
              if (xv[pixel + d] > best[d]) {
                best[d] = xv[pixel + d];
                at[d] = pixel + d;
              }
            }
          }
        }
        const out = ((n * outHeight + yR) * outWidth + yC) * inChannels;
        for (let d = 0; d < inChannels; d++) if (at[d] >= 0) dx[at[d]] += dyv[out + d];
      }
    }
  }
  return b.makeOutput(input.shape, 'float32', undefined, dx);
}

/** The sum of x's rows by segment: out[s] = Σ_{i: ids[i] = s} x[i] (ids outside [0, numSegments) dropped). */
function unsortedSegmentSum({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const b = backend as WasmBackend;
  const { x, segmentIds } = inputs;
  const numSegments = attrs.numSegments as number;
  const ids = b.readSync(segmentIds.dataId) as ArrayLike<number>;
  const rows = ids.length;
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const rowSize = rowShape.reduce((a, c) => a * c, 1);
  const xv = b.readSync(x.dataId) as ArrayLike<number>;
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * rowSize) : new Float32Array(numSegments * rowSize);
  for (let i = 0; i < rows; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    for (let j = 0; j < rowSize; j++) out[s * rowSize + j] += xv[i * rowSize + j];
  }
  return b.makeOutput([numSegments, ...rowShape], x.dtype, undefined, out);
}

/** The kernels the wasm backend lacks, by name. */
export const WASM_GRADIENT_KERNELS: Record<string, (args: KernelArgs) => tf.TensorInfo> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
  UnsortedSegmentSum: unsortedSegmentSum,
};

/** Kernels the wasm backend has but computes by a direct loop, replaced by faster ones here (see `npm run bench`). */
export const WASM_REPLACED_KERNELS: Record<string, (args: KernelArgs) => tf.TensorInfo> = {
  Conv2DBackpropInput: conv2DBackpropInput,
  MaxPoolGrad: maxPoolGrad,
};

/** Registers the kernels the wasm backend lacks and the faster replacements (idempotent; a missing kernel the backend gains later is left alone). */
export function registerWasmGradientKernels(): void {
  for (const [kernelName, kernelFunc] of Object.entries({ ...WASM_GRADIENT_KERNELS, ...WASM_REPLACED_KERNELS })) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing?.kernelFunc === (kernelFunc as unknown)) continue;
    if (existing) {
      if (!(kernelName in WASM_REPLACED_KERNELS)) continue;
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}
