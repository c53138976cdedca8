/**
 * `l2l generalize --optimizer FILE --out DIR [--quick]`: the learned optimizer on every task of
 * the generalization grid (`generalize/grid.ts`) against tuned baselines. Each task is exactly
 * `l2l compare` with the arguments recorded in its results (DIR/<task>/), so a task already done
 * with the same arguments is not run again: an interrupted run continues where it stopped. Then
 * DIR/generalize.json (scores and totals), summary.md (the table), heatmap.svg/png and
 * index.json (for the web results page). With `--baselines-from DIR0` the tuned baselines of each
 * task are those of the same comparison in an earlier run (`generalize/reuse.ts`), and only the
 * learned optimizer is evaluated.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Results } from '../../eval/compare.ts';
import { writeFileAtomic } from '../../io/atomicWrite.ts';
import { loadOptimizer } from '../../io/optimizerStore.ts';
import { UserError } from '../../io/userError.ts';
import { GENERALIZE_GRID, type GridTask } from '../../generalize/grid.ts';
import { heatmapSpec } from '../../generalize/heatmap.ts';
import { reusableBaselines } from '../../generalize/reuse.ts';
import { gridTable, scoreTask, summarizeGrid } from '../../generalize/score.ts';
import { DEFAULT_BASELINES } from '../../optimizers/registry.ts';
import { renderSvg, svgToPng } from '../../report/chart.ts';
import { parseResults, resultsIndex } from '../../report/resultsFile.ts';
import { loadDataset } from '../../data/mnist.ts';
import { intIn } from '../options.ts';
import { ensureWritableDir } from '../outputDir.ts';
import { parseCompareFlags, runCompare } from './compare.ts';

/** Format tag of generalize.json. */
export const GENERALIZE_FORMAT = 'l2l-generalize';

interface GeneralizeFlags {
  optimizer: string;
  out: string;
  quick: boolean;
  seed: number;
  threads: number;
  only?: string;
  baselinesFrom?: string;
}

/** Registers `l2l generalize`. */
export function registerGeneralize(program: Command): void {
  program
    .command('generalize')
    .description('the learned optimizer on a fixed grid of tasks it may never have seen (MLP variants, Fashion-MNIST, convnets, recurrent nets, quadratics, 1000 steps) against tuned baselines; writes DIR/generalize.json, summary.md, heatmap.png')
    .requiredOption('--optimizer <file>', 'learned optimizer file')
    .requiredOption('--out <dir>', 'output directory (a task already done there with the same arguments is kept)')
    .option('--quick', 'fewer runs and steps (a quarter of an hour instead of more than an hour)', false)
    .option('--seed <n>', 'seed of the held-out optimizees', intIn(0), 1000)
    .option('--threads <n>', 'worker threads that run the evaluation', intIn(1, 64), 2)
    .option('--only <ids>', `comma-separated task ids (${GENERALIZE_GRID.map((t) => t.id).join(', ')})`)
    .option('--baselines-from <dir>', 'take each task\'s tuned baselines from the --out folder of an earlier run of the same grid (checked: same comparison); only the learned optimizer is evaluated')
    .action(async (flags: GeneralizeFlags) => {
      await runGeneralize(flags);
    });
}

/** The `l2l compare` arguments of one task of the grid. */
export function compareArgs(task: GridTask, flags: Pick<GeneralizeFlags, 'optimizer' | 'out' | 'quick' | 'seed' | 'threads'>): string[] {
  const size = flags.quick ? task.quick : task.full;
  const f = task.flags;
  const args = ['--task', f.task ?? 'mnist'];
  if (f.dims !== undefined) args.push('--dims', String(f.dims));
  if (f.hidden) args.push('--hidden', f.hidden.join(','));
  if (f.activation) args.push('--activation', f.activation);
  if (f.init) args.push('--init', f.init);
  if (f.dataset) args.push('--dataset', f.dataset);
  if (f.cell) args.push('--cell', f.cell);
  if (f.units !== undefined) args.push('--units', String(f.units));
  args.push('--optimizer', flags.optimizer, '--steps', String(size.steps), '--runs', String(size.runs), '--tuning-runs', String(size.tuningRuns));
  args.push('--seed', String(flags.seed), '--threads', String(flags.threads), '--out', path.join(flags.out, task.id));
  return args;
}

/** Results already in `dir` made by exactly `command`, else undefined. */
function finishedResults(dir: string, command: string): Results | undefined {
  const file = path.join(dir, 'results.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { command?: string };
    return json.command === command ? parseResults(json) : undefined;
  } catch {
    return undefined;
  }
}

async function runGeneralize(flags: GeneralizeFlags): Promise<void> {
  const ids = flags.only?.split(',').map((s) => s.trim());
  const unknown = ids?.filter((id) => !GENERALIZE_GRID.some((t) => t.id === id));
  if (unknown?.length) throw new UserError(`unknown task id '${unknown[0]}' for --only: use ${GENERALIZE_GRID.map((t) => t.id).join(', ')}`);
  const tasks = GENERALIZE_GRID.filter((t) => !ids || ids.includes(t.id));
  loadOptimizer(flags.optimizer);
  ensureWritableDir(flags.out);
  // A missing dataset is a one-line error now, not an hour in.
  if (tasks.some((t) => t.flags.dataset === 'fashion-mnist')) loadDataset('fashion-mnist', 'test');
  // Every task's baselines are checked before the first evaluation starts.
  const from = flags.baselinesFrom;
  const reused = from === undefined ? undefined : tasks.map((task) => reusableBaselines(from, task.id, compareArgs(task, flags), DEFAULT_BASELINES));
  const scores = [];
  for (const [i, task] of tasks.entries()) {
    const args = compareArgs(task, flags);
    const command = `l2l compare ${args.join(' ')}`;
    let results = finishedResults(path.join(flags.out, task.id), command);
    process.stderr.write(`== ${i + 1}/${tasks.length} ${task.title}${results ? ': done before, kept' : ''}\n`);
    if (!results && reused) results = await runCompare(parseCompareFlags([...args, '--baselines', 'none']), command, reused[i]);
    results ??= await runCompare(parseCompareFlags(args), command);
    scores.push(scoreTask(task.id, task.title, results));
  }
  const command = `l2l generalize ${process.argv.slice(3).join(' ')}`.trim();
  const summary = summarizeGrid(scores);
  const table = gridTable(scores);
  const json = { format: GENERALIZE_FORMAT, version: 1, command, optimizer: flags.optimizer, seed: flags.seed, quick: flags.quick, ...(from === undefined ? {} : { baselinesFrom: from }), createdAt: new Date().toISOString(), summary, tasks: scores };
  writeFileAtomic(path.join(flags.out, 'generalize.json'), JSON.stringify(json, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1) + '\n');
  const reusedNote = from === undefined ? '' : ` The tuned baselines are those of the same comparisons in ${from}.`;
  writeFileAtomic(path.join(flags.out, 'summary.md'), `# Generalization of ${flags.optimizer}\n\n\`${command}\`\n\nFinal mean loss over held-out runs; ratio = learned / best tuned baseline (below 1: a win).${reusedNote}\n\n![](heatmap.png)\n\n${table}\n`);
  const svg = await renderSvg(heatmapSpec(scores));
  writeFileAtomic(path.join(flags.out, 'heatmap.svg'), svg);
  writeFileAtomic(path.join(flags.out, 'heatmap.png'), svgToPng(svg));
  writeFileAtomic(path.join(flags.out, 'index.json'), JSON.stringify({ ...resultsIndex(`Generalization of ${path.basename(flags.optimizer)}`, tasks), generalize: 'generalize.json' }, null, 1) + '\n');
  process.stdout.write(`\n${table}\n`);
  process.stderr.write(`wrote ${['generalize.json', 'summary.md', 'heatmap.png', 'heatmap.svg', 'index.json'].map((f) => path.join(flags.out, f)).join(', ')}\n`);
}
