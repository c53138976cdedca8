/**
 * The sum of several optimizers' updates (as learned_optimization's `SumOptimizer`): each part
 * keeps its own state, and the update is the sum of theirs. A learned optimizer with a base step
 * is the LSTM plus a hand-designed optimizer (`learned/learnedOptimizer.ts`).
 */
import type { Optimizer, SavedState } from './optimizer.ts';

/** `parts` (named) added together; saved arrays are named `<part>.<array>`. */
export function sumOptimizer(name: string, hyperparams: Record<string, unknown>, parts: Array<[string, Optimizer]>): Optimizer<unknown[]> {
  return {
    name,
    hyperparams,
    readsParams: parts.some(([, part]) => part.readsParams),
    init: (size) => parts.map(([, part]) => part.init(size)),
    update(grads, states, params) {
      const total = parts[0][1].update(grads, states[0], params);
      for (let k = 1; k < parts.length; k++) {
        const u = parts[k][1].update(grads, states[k], params);
        for (let j = 0; j < total.length; j++) total[j] += u[j];
      }
      return total;
    },
    save(states) {
      const saved = parts.map(([, part], k) => part.save(states[k]));
      const arrays: Record<string, Float32Array> = {};
      parts.forEach(([partName], k) => {
        for (const [key, values] of Object.entries(saved[k].arrays)) arrays[`${partName}.${key}`] = values;
      });
      return { count: saved[0].count, arrays };
    },
    load(saved, size) {
      return parts.map(([partName, part]) => {
        const prefix = `${partName}.`;
        const arrays = Object.fromEntries(Object.entries(saved.arrays).filter(([key]) => key.startsWith(prefix)).map(([key, values]) => [key.slice(prefix.length), values]));
        return part.load({ count: saved.count, arrays } satisfies SavedState, size);
      });
    },
    dispose(states) {
      parts.forEach(([, part], k) => part.dispose(states[k]));
    },
  };
}
