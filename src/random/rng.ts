/**
 * Seeded, splittable random numbers. Every random draw in the project comes from an `Rng`
 * handed down explicitly; `Math.random` is never used.
 *
 * A generator is xoshiro128** (Blackman & Vigna) seeded through splitmix32. `child(label)`
 * derives an independent generator from this one's *seed key* and a label, without consuming
 * draws, so the numbers a component sees do not depend on what other components drew first.
 */

/** splitmix32 step: a well-mixed 32-bit hash of a 32-bit state. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Hashes a string label to 32 bits (FNV-1a). */
function hashLabel(label: string | number): number {
  const text = String(label);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The serializable state of an `Rng` (its key and its stream position). */
export interface RngState {
  key: number;
  s: [number, number, number, number];
}

/** A seeded random generator; create one with `new Rng(seed)` and pass it (or its children) down. */
export class Rng {
  readonly key: number;
  private s: Uint32Array;

  /** Creates a generator from an integer seed. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng seed must be a finite number, got ${seed}`);
    this.key = splitmix32(Math.floor(seed) >>> 0 ^ Math.floor(seed / 2 ** 32));
    this.s = new Uint32Array(4);
    let x = this.key;
    for (let i = 0; i < 4; i++) {
      x = splitmix32(x + i);
      this.s[i] = x;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** An independent generator determined by this generator's seed and `label` only. */
  child(label: string | number): Rng {
    return new Rng(splitmix32(this.key ^ hashLabel(label)));
  }

  /** The next 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform draw in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** `n` draws from N(mean, std²) as a Float32Array. */
  normalArray(n: number, std = 1, mean = 0): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** `n` draws from U[low, high) as a Float32Array. */
  uniformArray(n: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = low + (high - low) * this.uniform();
    return out;
  }

  /** The generator's state, for checkpoints. */
  getState(): RngState {
    return { key: this.key, s: [this.s[0], this.s[1], this.s[2], this.s[3]] };
  }

  /** Restores a state from `getState`. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    (rng as { key: number }).key = state.key;
    rng.s = Uint32Array.from(state.s);
    return rng;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
