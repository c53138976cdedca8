/** The results table: mean and median loss of each optimizer at a few steps. */
import type { Results } from '../eval/compare.ts';

/** The steps shown in tables: 10, 20, 50, 100, … up to the last one. */
export function tableSteps(steps: number): number[] {
  const marks = [10, 20, 50, 100, 200, 500, 1000].filter((s) => s < steps);
  return [...marks, steps];
}

/** The results table as cells: a header and one row per optimizer (its name first). */
export interface SummaryRows {
  header: string[];
  rows: string[][];
}

/** The table's cells: per optimizer, learning rate, mean (median) loss at each of `tableSteps`, final metrics. */
export function summaryRows(results: Results): SummaryRows {
  const steps = tableSteps(results.steps);
  const metrics = [...new Set(results.optimizers.flatMap((o) => Object.keys(o.final ?? {})))];
  const header = ['optimizer', 'learning rate', ...steps.map((s) => `step ${s}`), ...metrics.map(metricTitle)];
  const rows = results.optimizers.map((o) => {
    const cells = steps.map((s) => `${fmt(o.meanLoss[s])} (${fmt(o.medianLoss[s])})`);
    const lr = o.learningRate === null ? '–' : String(o.learningRate) + (o.tuning?.onEdge ? ' ⚠ grid edge' : '');
    const finals = metrics.map((m) => fmt(o.final?.[m] ?? NaN));
    return [o.name, lr, ...cells, ...finals];
  });
  return { header, rows };
}

/** A markdown table: one row per optimizer, mean (median) loss at each of `tableSteps`. */
export function summaryTable(results: Results): string {
  const { header, rows } = summaryRows(results);
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** summary.md: what was run, the table, and notes on tuning and divergence. */
export function summaryMarkdown(results: Results, command?: string): string {
  const notes = results.optimizers.flatMap((o) => [
    ...(o.tuning?.onEdge ? [`- ${o.name}: the best learning rate ${o.learningRate} is on the edge of the grid.`] : []),
    ...(o.diverged > 0 ? [`- ${o.name}: ${o.diverged} of ${results.runs} runs diverged.`] : []),
  ]);
  return [
    `# ${results.task}: learned vs. tuned hand-designed optimizers`,
    '',
    `${results.runs} held-out runs of ${results.steps} steps, seed ${results.seed}; learning rates tuned on separate optimizees (seed ${results.tuningSeed}).`,
    'Cells: mean (median) loss after that many steps.',
    ...(command ? ['', `Command: \`${command}\``] : []),
    '',
    summaryTable(results),
    ...(notes.length ? ['', ...notes] : []),
    '',
  ].join('\n');
}

function metricTitle(metric: string): string {
  return metric === 'fullLoss' ? 'full-set loss' : metric;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(3) : 'diverged';
}
