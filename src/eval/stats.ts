/** Per-step statistics of loss curves over many runs. */

/** Mean, median and quartiles of the loss at each step, and how many runs diverged. */
export interface CurveStats {
  meanLoss: number[];
  medianLoss: number[];
  q25Loss: number[];
  q75Loss: number[];
  /** Runs whose loss became NaN or ±Inf at some step. */
  diverged: number;
}

/** Statistics over runs of `losses[t][run]`; a non-finite loss counts as +Inf from then on. */
export function curveStats(losses: Float32Array[]): CurveStats {
  const runs = losses[0].length;
  const dead = new Uint8Array(runs);
  const stats: CurveStats = { meanLoss: [], medianLoss: [], q25Loss: [], q75Loss: [], diverged: 0 };
  for (const step of losses) {
    const values = new Float64Array(runs);
    for (let j = 0; j < runs; j++) {
      if (!Number.isFinite(step[j])) dead[j] = 1;
      values[j] = dead[j] ? Infinity : step[j];
    }
    const sum = values.reduce((a, b) => a + b, 0);
    values.sort();
    stats.meanLoss.push(sum / runs);
    stats.medianLoss.push(quantile(values, 0.5));
    stats.q25Loss.push(quantile(values, 0.25));
    stats.q75Loss.push(quantile(values, 0.75));
  }
  stats.diverged = dead.reduce((a, b) => a + b, 0);
  return stats;
}

/** The q-quantile of sorted values, linearly interpolated. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi || sorted[hi] === sorted[lo]) return sorted[lo];
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Concatenates per-chunk curves (same steps) into one curve over all runs. */
export function concatRuns(chunks: Float32Array[][]): Float32Array[] {
  return chunks[0].map((_, t) => {
    const total = chunks.reduce((n, c) => n + c[t].length, 0);
    const out = new Float32Array(total);
    let offset = 0;
    for (const c of chunks) {
      out.set(c[t], offset);
      offset += c[t].length;
    }
    return out;
  });
}
