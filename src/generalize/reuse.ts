/**
 * The tuned baselines of an earlier grid run (`l2l generalize --baselines-from DIR`). A
 * hand-designed optimizer's results do not depend on the learned optimizer it is compared with,
 * and a comparison gives the same numbers on any number of threads, so the baselines in
 * DIR/<task>/results.json are exactly what the same comparison would compute again, provided it
 * was the same comparison: the same command up to the learned optimizer's file, the output folder
 * and the thread count. Scoring a new file then costs its own evaluation only.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ReusedBaselines } from '../eval/compare.ts';
import { UserError } from '../io/userError.ts';
import { parseResults } from '../report/resultsFile.ts';

/** The flags whose values may differ between a comparison and one whose baselines it reuses. */
const FREE_FLAGS = new Set(['--optimizer', '--out', '--threads']);

/**
 * True when `other` is the comparison `args` describes, up to the values of `--optimizer`,
 * `--out` and `--threads` (which may hold spaces, though not a space followed by `--`, so a flag
 * added after them is still seen).
 */
export function sameComparison(args: string[], other: string): boolean {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = ['l2l', 'compare', ...args].map((arg, i, all) => (FREE_FLAGS.has(all[i - 1]) ? '(?:(?! --).)+' : escape(arg)));
  return new RegExp(`^${parts.join(' ')}$`).test(other);
}

/**
 * The baselines `names` of the task `taskId` from `dir`/`taskId`/results.json (and that file's
 * path), checked to come from the comparison `args`. Throws a one-line `UserError` naming the file when it is missing,
 * unreadable, from another comparison, or lacks a tuned baseline.
 */
export function reusableBaselines(dir: string, taskId: string, args: string[], names: string[]): ReusedBaselines {
  const file = path.join(dir, taskId, 'results.json');
  if (!fs.existsSync(file)) throw new UserError(`--baselines-from: '${file}' is missing: give the --out folder of an earlier l2l generalize run of the same grid (--quick or not)`);
  let json: { command?: unknown };
  let optimizers: ReusedBaselines['optimizers'];
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as { command?: unknown };
    optimizers = parseResults(json).optimizers;
  } catch (e) {
    throw new UserError(`--baselines-from: '${file}' is not a results file (${(e as Error).message}): give the --out folder of an earlier l2l generalize run`);
  }
  if (typeof json.command !== 'string' || !sameComparison(args, json.command)) {
    throw new UserError(`--baselines-from: '${file}' comes from another comparison (${typeof json.command === 'string' ? `'${json.command}'` : 'no command'}): use a run of the same grid, --quick and --seed`);
  }
  const baselines = names.map((name) => {
    const found = optimizers.find((o) => o.name === name && o.learningRate !== null);
    if (!found) throw new UserError(`--baselines-from: '${file}' has no tuned '${name}' baseline: use a run made with the default baselines`);
    return found;
  });
  return { from: file, optimizers: baselines };
}
