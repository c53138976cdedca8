/**
 * Scoring a learned optimizer across the generalization grid: on each task, its final mean loss
 * over the best tuned baseline's (a ratio below 1 is a win), the runs that diverged, and the
 * grid's totals. Pure functions of the tasks' `Results`, shared by the CLI and the web page.
 */
import type { Results } from '../eval/compare.ts';

/** One optimizer's outcome on one task. */
export interface OptimizerScore {
  name: string;
  learningRate: number | null;
  /** Mean loss over the held-out runs after the last step (Infinity if any run diverged). */
  finalLoss: number;
  /** Runs whose loss became NaN or infinite. */
  diverged: number;
  /** finalLoss over the best baseline's finalLoss. */
  ratio: number;
}

/** The learned optimizer against the tuned baselines on one task. */
export interface TaskScore {
  id: string;
  title: string;
  steps: number;
  runs: number;
  learned: OptimizerScore;
  /** The baselines, in the order compared. */
  baselines: OptimizerScore[];
  /** The baseline with the lowest final mean loss. */
  best: string;
  /** learned.finalLoss / best baseline's (below 1: the learned optimizer wins). */
  ratio: number;
}

/** The grid's totals. */
export interface GridSummary {
  tasks: number;
  /** Tasks where the learned optimizer's final mean loss is below the best tuned baseline's. */
  wins: number;
  losses: number;
  /** The largest ratio to the best baseline (the worst task). */
  worstRatio: number;
  worstTask: string;
  /** Learned-optimizer runs that diverged, over all tasks. */
  divergedRuns: number;
}

/**
 * The score of one task's comparison; the learned optimizer is the optimizer without a learning
 * rate (the first one), the baselines are the others.
 */
export function scoreTask(id: string, title: string, results: Results): TaskScore {
  const learnedResult = results.optimizers.find((o) => o.learningRate === null);
  const baselineResults = results.optimizers.filter((o) => o.learningRate !== null);
  if (!learnedResult || baselineResults.length === 0) throw new Error(`task '${id}': results need a learned optimizer and at least one baseline`);
  const final = (curve: number[]) => curve[curve.length - 1];
  const bestResult = baselineResults.reduce((a, b) => (final(b.meanLoss) < final(a.meanLoss) ? b : a));
  const bestLoss = final(bestResult.meanLoss);
  const score = (o: (typeof results.optimizers)[number]): OptimizerScore => ({
    name: o.name,
    learningRate: o.learningRate,
    finalLoss: final(o.meanLoss),
    diverged: o.diverged,
    ratio: final(o.meanLoss) / bestLoss,
  });
  const learned = score(learnedResult);
  return { id, title, steps: results.steps, runs: results.runs, learned, baselines: baselineResults.map(score), best: bestResult.name, ratio: learned.ratio };
}

/** Wins, losses, the worst ratio and the diverged runs over every task. */
export function summarizeGrid(scores: TaskScore[]): GridSummary {
  const worst = scores.reduce((a, b) => (b.ratio > a.ratio || Number.isNaN(b.ratio) ? b : a));
  const wins = scores.filter((s) => s.ratio < 1).length;
  return {
    tasks: scores.length,
    wins,
    losses: scores.length - wins,
    worstRatio: worst.ratio,
    worstTask: worst.id,
    divergedRuns: scores.reduce((n, s) => n + s.learned.diverged, 0),
  };
}

/** A ratio as the table shows it: 0.93×, or 'diverged'. */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'diverged';
}

/** The grid as a Markdown table (one row per task) and a line of totals. */
export function gridTable(scores: TaskScore[]): string {
  const loss = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : 'diverged');
  const header = '| task | steps | learned | best tuned baseline | ratio | result | diverged runs |\n|---|---|---|---|---|---|---|';
  const rows = scores.map((s) => {
    const best = s.baselines.find((b) => b.name === s.best)!;
    const result = s.ratio < 1 ? 'win' : 'loss';
    return `| ${s.title} | ${s.steps} | ${loss(s.learned.finalLoss)} | ${s.best} ${best.learningRate}: ${loss(best.finalLoss)} | ${formatRatio(s.ratio)} | ${result} | ${s.learned.diverged} of ${s.runs} |`;
  });
  const t = summarizeGrid(scores);
  const totals = `Wins on ${t.wins} of ${t.tasks} tasks; worst ${formatRatio(t.worstRatio)} (${t.worstTask}); ${t.divergedRuns} diverged runs of the learned optimizer.`;
  return [header, ...rows, '', totals].join('\n');
}
