/**
 * Reading results back: a `results.json` written by `l2l compare` (one comparison) or the
 * `index.json` written by `l2l reproduce` (a list of panels, each pointing at its results.json).
 * Checked field by field, so a viewer can say what is wrong with a file instead of failing later.
 */
import type { Results } from '../eval/compare.ts';

/** Format tag of a results index. */
export const RESULTS_INDEX_FORMAT = 'l2l-results-index';

/** One panel of a results index: its results file, relative to the index. */
export interface ResultsPanel {
  id: string;
  title: string;
  results: string;
}

/** The panels of a reproduction, in order. */
export interface ResultsIndex {
  format: typeof RESULTS_INDEX_FORMAT;
  version: 1;
  title: string;
  panels: ResultsPanel[];
  /** A generalization run's scores (`l2l generalize`: generalize.json), relative to the index. */
  generalize?: string;
}

/** A problem with a results or index file's contents. */
export class ResultsFileError extends Error {}

/** A results index for `panels` (written next to their directories). */
export function resultsIndex(title: string, panels: { id: string; title: string }[]): ResultsIndex {
  return { format: RESULTS_INDEX_FORMAT, version: 1, title, panels: panels.map((p) => ({ id: p.id, title: p.title, results: `${p.id}/results.json` })) };
}

/** True when `json` is a results index rather than a single comparison. */
export function isResultsIndex(json: unknown): boolean {
  return typeof json === 'object' && json !== null && (json as { format?: unknown }).format === RESULTS_INDEX_FORMAT;
}

/** Validates a results index. */
export function parseResultsIndex(json: unknown): ResultsIndex {
  const index = json as Partial<ResultsIndex>;
  if (!isResultsIndex(json)) throw new ResultsFileError(`not a results index (no "format": "${RESULTS_INDEX_FORMAT}")`);
  if (index.version !== 1) throw new ResultsFileError(`results index version ${String(index.version)} is not supported (expected 1)`);
  if (!Array.isArray(index.panels) || index.panels.length === 0) throw new ResultsFileError('results index has no panels');
  for (const [i, p] of index.panels.entries()) {
    if (typeof p?.id !== 'string' || typeof p.title !== 'string' || typeof p.results !== 'string') throw new ResultsFileError(`results index panel ${i} needs string id, title and results`);
  }
  if (index.generalize !== undefined && typeof index.generalize !== 'string') throw new ResultsFileError('results index "generalize" must be a file name');
  return index as ResultsIndex;
}

/**
 * Validates a comparison's results: task, steps, and per optimizer a name and mean, median and
 * quartile curves of steps + 1 numbers (null stands for a diverged, non-finite value).
 */
export function parseResults(json: unknown): Results {
  const r = json as Partial<Results>;
  if (typeof json !== 'object' || json === null || typeof r.task !== 'string') throw new ResultsFileError('not a results file (no "task"): open a results.json written by l2l compare or l2l reproduce');
  if (!Number.isInteger(r.steps) || (r.steps as number) < 1) throw new ResultsFileError('results file has no valid "steps"');
  if (!Array.isArray(r.optimizers) || r.optimizers.length === 0) throw new ResultsFileError('results file has no optimizers');
  const length = (r.steps as number) + 1;
  const optimizers = r.optimizers.map((o, i) => {
    if (typeof o?.name !== 'string') throw new ResultsFileError(`optimizer ${i} has no name`);
    const curves = {} as Record<'meanLoss' | 'medianLoss' | 'q25Loss' | 'q75Loss', number[]>;
    for (const key of ['meanLoss', 'medianLoss', 'q25Loss', 'q75Loss'] as const) {
      const curve = o[key] as unknown;
      if (!Array.isArray(curve) || curve.length !== length || curve.some((v) => v !== null && typeof v !== 'number')) {
        throw new ResultsFileError(`optimizer '${o.name}': ${key} must be ${length} numbers (steps + 1)`);
      }
      curves[key] = curve.map((v: number | null) => (v === null ? Infinity : v));
    }
    return { ...o, ...curves };
  });
  return { ...(r as Results), optimizers };
}
