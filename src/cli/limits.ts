/**
 * Sizes implied by flags, checked before anything is allocated: a command whose arrays would not
 * fit in memory is refused with its estimate and the limit, instead of failing part-way (or
 * taking the machine's memory). The estimates count the big arrays only: task data, optimizee
 * coordinates with the LSTM's state and kept activations, and loss curves.
 */
import os from 'node:os';
import { UserError } from '../io/userError.ts';
import { inputSize, type LstmConfig } from '../learned/lstmConfig.ts';
import type { TaskFamily } from '../tasks/task.ts';

const GiB = 2 ** 30;

/** The most a command may plan to hold: half of this machine's memory, at most 8 GiB. */
export function memoryLimit(totalMemory = os.totalmem()): number {
  return Math.min(8 * GiB, totalMemory / 2);
}

function gib(bytes: number): string {
  return bytes >= 1000 * GiB ? `${(bytes / GiB).toExponential(1)} GiB` : `${(bytes / GiB).toFixed(1)} GiB`;
}

/** Throws a UserError when `bytes` is above the limit. */
export function refuseAbove(bytes: number, command: string, what: string, fix: string, limit = memoryLimit()): void {
  if (bytes <= limit) return;
  throw new UserError(`${command} would need about ${gib(bytes)} (${what}), above the limit of ${gib(limit)} (half of this machine's memory, at most 8 GiB): ${fix}`);
}

/** What the sizes depend on: the layers and the number of input features. */
type LstmShape = Pick<LstmConfig, 'hidden' | 'inputs' | 'preprocessP' | 'paramInput'>;

/** Floats one coordinate's LSTM keeps per step for back-propagation (native/lstm_math.h cacheSize). */
function activationFloats(lstm: LstmShape): number {
  return lstm.hidden.reduce((n, h, l) => n + (l === 0 ? inputSize(lstm) : lstm.hidden[l - 1]) + 7 * h, 0);
}

/** Bytes of meta-training: training and validation optimizees with their LSTM states, a truncation's kept activations. */
export function trainBytes(family: TaskFamily, lstm: LstmShape, members: number, validationMembers: number, unroll: number): number {
  const state = 2 * lstm.hidden.reduce((a, b) => a + b, 0) + 4; // h, c per layer; θ, gradient, m, v
  const train = family.sizeOf(members);
  const validation = family.sizeOf(validationMembers);
  const perStep = activationFloats(lstm) + 2 + (lstm.paramInput ? 1 : 0); // kept activations, the step's gradient (and θ) and ∂/∂update
  return 4 * (train.dataFloats + validation.dataFloats + train.coordinates * (state + unroll * perStep) + validation.coordinates * state);
}

/** Refuses `l2l train` flags whose arrays would not fit (see trainBytes). */
export function checkTrainSize(family: TaskFamily, lstm: LstmShape, members: number, validationMembers: number, unroll: number): void {
  const bytes = trainBytes(family, lstm, members, validationMembers, unroll);
  const { coordinates } = family.sizeOf(members);
  refuseAbove(bytes, 'train', `${members} optimizees of ${coordinates / members} coordinates, ${validationMembers} for validation, ${unroll}-step truncations`, 'use fewer --members, --validation-members, a smaller --dims or a shorter --unroll');
}

/**
 * Bytes of `l2l compare`: every test run's loss curve of every optimizer (kept whole for the
 * medians and quartiles, and copied once when the chunks are joined), the tuning runs' curves,
 * and the task data and optimizer state of the chunks evaluated at once (one per thread).
 */
export function compareBytes(family: TaskFamily, optimizers: number, tuned: number, gridSize: number, runs: number, steps: number, tuningMembers: number, chunk: number, threads: number): { curves: number; tasks: number } {
  const curves = optimizers * runs * (steps + 1) * 8 + tuned * gridSize * tuningMembers * (steps + 1) * 4;
  // Per coordinate at most an LSTM's state (two layers of 20: 80 floats) and θ, gradient, moments.
  const inFlight = (members: number) => {
    const { dataFloats, coordinates } = family.sizeOf(members);
    return dataFloats + coordinates * 84;
  };
  return { curves, tasks: Math.max(inFlight(chunk), inFlight(tuningMembers)) * 4 * threads };
}

/** Refuses `l2l compare` flags whose arrays would not fit (see compareBytes). */
export function checkCompareSize(...args: Parameters<typeof compareBytes>): void {
  const [, optimizers, , , runs, steps, , , threads] = args;
  const { curves, tasks } = compareBytes(...args);
  refuseAbove(curves + tasks, 'compare', `${gib(curves)} of loss curves for ${optimizers} optimizers × ${runs} runs × ${steps + 1} steps, ${gib(tasks)} of optimizees in ${threads} threads`, 'use fewer --runs, --steps or --tuning-runs, or a smaller --dims');
}
