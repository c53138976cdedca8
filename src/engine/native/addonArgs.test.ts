// The addon's argument checks: every export given short, long and wrongly typed arrays, wrong
// numbers and lists, arrays swapped or detached by a getter while the arguments are read, and a
// seeded random-argument run. A missed check would read or write outside a buffer: under the
// sanitized build (sanitizer.test.ts runs this file on it) that aborts the process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../random/rng.ts';
import { NATIVE_SKIP } from '../../testing/engines.ts';
import { tryLoadAddon, type Addon } from './addon.ts';

const notBuilt = NATIVE_SKIP;
const addon: Addon | null = tryLoadAddon().addon;

const ROWS = 5;
const STEPS = 3;
// Two small layers (3 then 2 units: the kernel's generic paths) and 'adam' inputs, so that every
// argument, m and v included, is read.
const CONFIG = { hidden: [3, 2], mode: 2, p: 10, outputScale: 0.1, magnitude: 0 };
// φ: per layer 4·(in·H + H·H + H), in = 2 (features) then 3; the head H_top + 1.
const PHI = 4 * (2 * 3 + 3 * 3 + 3) + 4 * (3 * 2 + 2 * 2 + 2) + 2 + 1;

// The same with parameter inputs: one more input feature, θ per row (forward) or per row and step (metaGradient).
const PARAMS_CONFIG = { ...CONFIG, params: 1 };
const PARAMS_PHI = PHI + 4 * 3;

const floats = (n: number, seed: number) => new Rng(seed).normalArray(n, 0.3);

type Call = { name: keyof Addon; args: unknown[] };

function forwardCall(): Call {
  const cacheFloats = addon!.cacheFloats(CONFIG);
  return {
    name: 'forward',
    args: [CONFIG, floats(PHI, 1), 4, floats(ROWS, 2), [floats(ROWS * 3, 3), floats(ROWS * 2, 4)], [floats(ROWS * 3, 5), floats(ROWS * 2, 6)],
      floats(ROWS, 7), floats(ROWS, 8).map(Math.abs), new Float32Array(ROWS), 2, new Float32Array(ROWS * cacheFloats)],
  };
}

function metaGradientCall(): Call {
  return {
    name: 'metaGradient',
    args: [CONFIG, floats(PHI, 1), 4, Array.from({ length: STEPS }, (_, t) => floats(ROWS, 10 + t)), Array.from({ length: STEPS }, (_, t) => floats(ROWS, 20 + t)),
      [floats(ROWS * 3, 3), floats(ROWS * 2, 4)], [floats(ROWS * 3, 5), floats(ROWS * 2, 6)], floats(ROWS, 7), floats(ROWS, 8).map(Math.abs), 2],
  };
}

function paramsForwardCall(): Call {
  const f = forwardCall();
  const args = [...f.args, floats(ROWS, 40)];
  args[0] = PARAMS_CONFIG;
  args[1] = floats(PARAMS_PHI, 1);
  args[10] = new Float32Array(ROWS * addon!.cacheFloats(PARAMS_CONFIG));
  return { name: 'forward', args };
}

function paramsMetaGradientCall(): Call {
  const m = metaGradientCall();
  const args = [...m.args, Array.from({ length: STEPS }, (_, t) => floats(ROWS, 50 + t))];
  args[0] = PARAMS_CONFIG;
  args[1] = floats(PARAMS_PHI, 1);
  return { name: 'metaGradient', args };
}

function backwardCall(): Call {
  const cacheFloats = addon!.cacheFloats(CONFIG);
  return {
    name: 'backward',
    args: [CONFIG, floats(PHI, 1), Array.from({ length: STEPS }, (_, t) => floats(ROWS * cacheFloats, 30 + t)), Array.from({ length: STEPS }, (_, t) => floats(ROWS, 20 + t)), 2],
  };
}

function mlpCall(): Call {
  const params = () => [new Float32Array(4 * 2), new Float32Array(2), new Float32Array(2 * 3), new Float32Array(3)];
  return { name: 'mlpLossAndGrad', args: [[4, 2, 3], 0, params(), new Uint8Array(3 * 4).fill(9), Uint8Array.of(0, 1, 2), Int32Array.of(0, 2), params()] };
}

const CALLS = [forwardCall, metaGradientCall, paramsForwardCall, paramsMetaGradientCall, backwardCall, mlpCall];

function run(call: Call): unknown {
  return (addon![call.name] as (...a: unknown[]) => unknown)(...call.args);
}

/** The call with argument `i` (or element `j` of list argument `i`) replaced. */
function withArg(call: Call, i: number, value: unknown, j?: number): Call {
  const args = call.args.slice();
  if (j === undefined) args[i] = value;
  else args[i] = Object.assign((args[i] as unknown[]).slice(), { [j]: value });
  return { ...call, args };
}

/** Every typed-array argument of a call: [argument index, element index or undefined]. */
function arrayPlaces(call: Call): Array<[number, number | undefined]> {
  const places: Array<[number, number | undefined]> = [];
  call.args.forEach((a, i) => {
    if (ArrayBuffer.isView(a)) places.push([i, undefined]);
    else if (Array.isArray(a) && ArrayBuffer.isView(a[0])) a.forEach((_, j) => places.push([i, j]));
  });
  return places;
}

function valueAt(call: Call, [i, j]: [number, number | undefined]): ArrayBufferView & { length: number } {
  return (j === undefined ? call.args[i] : (call.args[i] as unknown[])[j]) as ArrayBufferView & { length: number };
}

describe('native addon argument checks', () => {
  it('valid calls run (the MLP with zero weights gives ln 3)', { skip: notBuilt }, () => {
    for (const make of CALLS) run(make());
    assert.ok(Math.abs((run(mlpCall()) as number) - Math.log(3)) < 1e-6);
    assert.equal((run(metaGradientCall()) as Float32Array).length, PHI);
    assert.equal(addon!.cacheFloats(CONFIG), 2 + 7 * 3 + 3 + 7 * 2);
    assert.equal((run(paramsMetaGradientCall()) as Float32Array).length, PARAMS_PHI);
    assert.equal(addon!.cacheFloats(PARAMS_CONFIG), 3 + 7 * 3 + 3 + 7 * 2);
  });

  it('every array argument of every export: short, long and wrongly typed ones are errors that name it', { skip: notBuilt }, () => {
    let checked = 0;
    for (const make of CALLS) {
      const call = make();
      for (const place of arrayPlaces(call)) {
        const value = valueAt(call, place);
        // The rows come from the first of these, so another array is then named as not fitting it.
        const definesRows = ['forward:3', 'metaGradient:3', 'backward:2', 'mlpLossAndGrad:4'].includes(`${call.name}:${place[0]}`) && (place[1] ?? 0) === 0;
        const name = definesRows ? '\\S+' : place[1] === undefined ? '\\w+' : `\\w+\\[${place[1]}\\]`;
        const Ctor = value.constructor as new (n: number) => ArrayBufferView;
        // The minibatch's indices may be any number of them.
        const anyLength = call.name === 'mlpLossAndGrad' && place[0] === 5;
        for (const length of anyLength ? [] : [value.length - 1, value.length + 1]) {
          assert.throws(() => run(withArg(call, place[0], new Ctor(length), place[1])), (e: Error) => {
            assert.match(e.message, new RegExp(`^(lstm|mlp)_kernel\\.${call.name}: ${name} must `), `${call.name} argument ${place}`);
            return true;
          });
        }
        const wrongType = value instanceof Float32Array ? new Float64Array(value.length) : new Float32Array(value.length);
        assert.throws(() => run(withArg(call, place[0], wrongType, place[1])), / must be a (Float32Array|Uint8Array|Int32Array)$/);
        checked++;
      }
    }
    // forward, metaGradient, the two with parameter inputs (θ: one more array, or one per step), backward, the MLP.
    assert.equal(checked, 10 + (7 + 2 * STEPS) + 11 + (7 + 3 * STEPS) + (1 + 2 * STEPS) + 11);
  });

  it('numbers, lists and the config are checked before any work', { skip: notBuilt }, () => {
    const f = forwardCall();
    const cases: Array<[Call, RegExp]> = [
      [withArg(f, 0, { ...CONFIG, mode: 7 }), /forward: config\.mode must be a whole number from 0 to 4$/],
      [withArg(f, 0, { ...CONFIG, hidden: [3, 2.5] }), /config\.hidden\[1\] must be a whole number from 1 to 4096/],
      [withArg(f, 0, { ...CONFIG, hidden: [] }), /config\.hidden must name at least one layer/],
      [withArg(f, 0, { ...CONFIG, mode: 1, p: 0 }), /config\.p must be above 0/],
      [withArg(f, 0, { ...CONFIG, mode: 4, p: 0 }), /config\.p must be above 0 for log-magnitude inputs/],
      [withArg(f, 0, { ...CONFIG, outputScale: NaN }), /config\.outputScale must be finite/],
      [withArg(f, 0, { ...CONFIG, magnitude: Infinity }), /config\.magnitude must be finite/],
      [withArg(f, 0, 'paper'), /the config must be an object/],
      [withArg(f, 2, 1e30), /count must be a whole number from 0 to/],
      [withArg(f, 2, -1), /count must be a whole number/],
      [withArg(f, 9, 1e9), /threads must be a whole number from 1 to 1024/],
      [withArg(f, 6, null), /'adam', 'both' and 'adam-log' inputs \(config\.mode 2, 3, 4\) need m and v/],
      [withArg(f, 4, (f.args[4] as unknown[]).slice(0, 1)), /forward: h must have 2 entries, got 1/],
      [withArg(f, 4, 'h'), /forward: h must be an array/],
      [withArg(metaGradientCall(), 4, []), /metaGradient: dUpdates must have 3 entries, got 0/],
      [withArg(paramsForwardCall(), 11, null), /forward: config\.params needs params, the rows' values/],
      [withArg(paramsForwardCall(), 11, new Float32Array(ROWS - 1)), /forward: params must hold rows \(grads' length\) = 5 values, got 4/],
      [withArg(paramsForwardCall(), 0, { ...CONFIG, params: 2 }), /config\.params must be a whole number from 0 to 1/],
      [withArg(paramsMetaGradientCall(), 10, undefined), /metaGradient: config\.params needs params, the rows' values at each step/],
      [withArg(paramsMetaGradientCall(), 10, [floats(ROWS, 50)]), /metaGradient: params must have 3 entries, got 1/],
      [withArg(mlpCall(), 1, 7), /activation must be a whole number from 0 to 3/],
      [withArg(mlpCall(), 0, [4, 0, 3]), /sizes\[1\] must be a whole number from 1 to 1000000/],
      [withArg(mlpCall(), 5, Int32Array.of(3)), /indices\[0\] = 3 is outside the 3 images/],
      [withArg(mlpCall(), 5, Int32Array.of()), /indices \(the minibatch\) is empty/],
      [withArg(mlpCall(), 4, Uint8Array.of(0, 1, 3)), /labels\[2\] = 3 is not below the output size 3/],
    ];
    for (const [call, message] of cases) assert.throws(() => run(call), message);
    assert.throws(() => (addon!.forward as unknown as (c: object) => void)({}), /lstm_kernel\.forward: expected 9 to 12 arguments/);
    assert.throws(() => (addon!.backward as unknown as () => void)(), /lstm_kernel\.backward: expected 4 or 5 arguments/);
    assert.throws(() => (addon!.cacheFloats as unknown as () => void)(), /lstm_kernel\.cacheFloats: expected the config/);
    assert.throws(() => (addon!.mlpLossAndGrad as unknown as (s: number[]) => void)([784, 20, 10]), /mlp_kernel\.mlpLossAndGrad: expected 7 arguments/);
  });

  it('an array swapped or detached by a getter while the arguments are read is caught', { skip: notBuilt }, () => {
    let f = forwardCall();
    // A getter that hands out a short array once, then the right one: each element is read once.
    const h = f.args[4] as Float32Array[];
    let reads = 0;
    const swapping = [h[0]];
    Object.defineProperty(swapping, 1, { get: () => (reads++ === 0 ? new Float32Array(1) : h[1]), enumerable: true });
    assert.throws(() => run(withArg(f, 4, swapping)), /h\[1\] must hold rows × config\.hidden\[1\] = 10 values, got 1/);
    assert.equal(reads, 1);
    // A getter read after φ that detaches φ's buffer.
    const phi = f.args[1] as Float32Array;
    const detaching = [h[0]];
    Object.defineProperty(detaching, 1, { get: () => (structuredClone(phi.buffer, { transfer: [phi.buffer] }), h[1]), enumerable: true });
    assert.throws(() => run(withArg(f, 4, detaching)), /forward: phi changed while the arguments were read/);
    // A getter's own exception comes through as it is (φ's buffer is gone: a new call).
    f = forwardCall();
    const throwing = [(f.args[4] as Float32Array[])[0]];
    Object.defineProperty(throwing, 1, { get: () => { throw new Error('from the getter'); } });
    assert.throws(() => run(withArg(f, 4, throwing)), /^Error: from the getter$/);
  });

  it('random arguments (seeded) either run or throw a named error', { skip: notBuilt }, () => {
    const rng = new Rng(2026);
    const junk = (like: unknown): unknown => {
      const pick = rng.int(8);
      if (ArrayBuffer.isView(like)) {
        const n = (like as Float32Array).length;
        const length = Math.max(0, n + rng.int(5) - 2);
        return pick < 5 ? new (like.constructor as new (n: number) => unknown)(length) : [null, 3, new Float64Array(length)][pick - 5];
      }
      return [null, undefined, NaN, -1, 2 ** 40, 'x', {}, []][pick];
    };
    let threw = 0;
    for (let k = 0; k < 400; k++) {
      let call = CALLS[rng.int(CALLS.length)]();
      for (let m = 1 + rng.int(2); m > 0; m--) {
        const places = arrayPlaces(call);
        if (rng.uniform() < 0.7 && places.length > 0) {
          const place = places[rng.int(places.length)];
          call = withArg(call, place[0], junk(valueAt(call, place)), place[1]);
        } else {
          const i = rng.int(call.args.length);
          call = withArg(call, i, junk(call.args[i]));
        }
      }
      try {
        run(call);
      } catch (e) {
        assert.match((e as Error).message, /^(lstm|mlp)_kernel\.\w+: /);
        threw++;
      }
    }
    assert.ok(threw > 300, `most random calls should be refused, ${threw} of 400 were`);
  });
});
