/**
 * Pure parsers for command-line values: each returns the value or throws commander's
 * InvalidArgumentError with a message that says what is expected.
 */
import { InvalidArgumentError } from 'commander';
import { BACKENDS } from '../backend/backend.ts';

/** An integer in [min, max]. */
export function intIn(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got '${value}'.`);
    }
    return n;
  };
}

/** A finite number > 0 (optionally ≤ max). */
export function positiveNumber(max = Infinity): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
      throw new InvalidArgumentError(`expected a number greater than 0${max < Infinity ? ` and at most ${max}` : ''}, got '${value}'.`);
    }
    return n;
  };
}

/** A finite number ≥ 0. */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number of at least 0, got '${value}'.`);
  }
  return n;
}

/** One of a fixed set of names. */
export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got '${value}'.`);
    }
    return value as T;
  };
}

/** A comma-separated list of names, each from `choices`. */
export function listOf(choices: readonly string[]): (value: string) => string[] {
  return (value) => {
    const items = value.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((s) => !choices.includes(s));
    if (items.length === 0 || bad.length > 0) {
      throw new InvalidArgumentError(`expected a comma-separated list of ${choices.join(', ')}, got '${value}'.`);
    }
    return items;
  };
}

/** A TensorFlow.js backend name. */
export const backendName = oneOf(BACKENDS);

/** The task families the CLI knows. */
export const TASKS = ['quadratic', 'mnist', 'convnet', 'rnn', 'mixture'] as const;

/** 'NAME:LR': a hand-designed optimizer from `choices` and its learning rate, e.g. 'nag:1'. */
export function optimizerAtRate(choices: readonly string[]): (value: string) => { optimizer: string; learningRate: number } {
  return (value) => {
    const [name, rate, ...rest] = value.split(':');
    const lr = Number(rate);
    if (rest.length > 0 || !choices.includes(name) || rate === undefined || rate.trim() === '' || !Number.isFinite(lr) || lr <= 0) {
      throw new InvalidArgumentError(`expected NAME:LEARNING_RATE with NAME one of ${choices.join(', ')} and a rate above 0 (e.g. nag:1), got '${value}'.`);
    }
    return { optimizer: name, learningRate: lr };
  };
}

/** A comma-separated list of increasing horizons (whole numbers of steps), e.g. '100,200,500,1000'. */
export function horizonList(value: string): number[] {
  const items = value.split(',').map((x) => Number(x.trim()));
  const ok = items.length > 0 && items.every((n, i) => Number.isInteger(n) && n >= 1 && n <= 100_000 && (i === 0 || n > items[i - 1]));
  if (!ok) throw new InvalidArgumentError(`expected increasing horizons like 100,200,500,1000 (whole numbers of steps, at most 100000), got '${value}'.`);
  return items;
}
