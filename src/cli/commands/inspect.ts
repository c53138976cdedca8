/** `l2l inspect FILE`: what a learned-optimizer file holds, and the largest step it can take. */
import { Command } from 'commander';
import { loadOptimizer } from '../../io/optimizerStore.ts';
import { largestStep } from '../../learned/largestStep.ts';
import { metaParamCount, type LstmConfig } from '../../learned/lstmConfig.ts';
import type { Provenance } from '../../learned/optimizerFile.ts';
import type { StageRecord } from '../../meta/curriculum.ts';

/** Registers `l2l inspect`. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description("print what a learned-optimizer file holds: its LSTM, the largest step it can take per coordinate, and the command that trained it")
    .argument('<file>', 'learned optimizer file (from l2l train, or pretrained/*.json)')
    .action((file: string) => {
      process.stdout.write(inspectOptimizer(file) + '\n');
    });
}

/** The lines `l2l inspect` prints for the optimizer file `file` (a `UserError` for a bad file). */
export function inspectOptimizer(file: string): string {
  const { config, phi, provenance } = loadOptimizer(file);
  const bound = largestStep(config, phi);
  const head = bound.magnitudeRange === undefined
    ? `output scale ${config.outputScale} × head range ${round(bound.directionRange)}`
    : `output scale ${config.outputScale} × direction range ${round(bound.directionRange)} × e^(${config.magnitude} × magnitude range ${round(bound.magnitudeRange)})`;
  return [
    file,
    `  LSTM: ${describeLstm(config)}; ${metaParamCount(config).toLocaleString('en-US')} weights`,
    `  largest step per coordinate: ${round(bound.step)} (${head})${config.base ? `, plus the ${config.base.optimizer} base step` : ''}`,
    ...describeProvenance(provenance),
  ].join('\n');
}

function describeLstm(config: LstmConfig): string {
  const sizes = new Set(config.hidden);
  const layers = `${config.hidden.length} layer${config.hidden.length === 1 ? '' : 's'} of ${sizes.size === 1 ? config.hidden[0] : config.hidden.join(', ')} units`;
  return [
    layers,
    `inputs '${config.inputs}'${config.paramInput ? ' and log|θ|' : ''}`,
    config.magnitude ? `a magnitude output (λ = ${config.magnitude})` : '',
    config.base ? `a ${config.base.optimizer} base step at ${config.base.learningRate}${config.base.learnRate ? ' (its rate meta-learned)' : ''}` : '',
    `output scale ${config.outputScale}`,
  ].filter(Boolean).join(', ');
}

function describeProvenance(p: Partial<Provenance>): string[] {
  const lines: string[] = [];
  if (p.command) lines.push(`  trained by: ${p.command}`);
  const facts = [
    p.seed !== undefined ? `seed ${p.seed}` : '',
    describeIterations(p),
    typeof p.validationLoss === 'number' ? `validation loss ${round(p.validationLoss)}` : '',
    p.packageVersion ? `l2l ${p.packageVersion}` : '',
  ].filter(Boolean);
  if (facts.length) lines.push(`  ${facts.join('; ')}`);
  return lines;
}

/** "φ from meta-iteration B", and when the file was saved later, "(saved at N)". */
function describeIterations(p: Partial<Provenance>): string {
  const from = trainedTo(p);
  if (from === undefined) return p.iterations !== undefined ? `saved at meta-iteration ${p.iterations}` : '';
  return `φ from meta-iteration ${from}${p.iterations !== undefined && p.iterations !== from ? ` (saved at ${p.iterations})` : ''}`;
}

/**
 * The meta-iteration a file's φ was trained to. With a curriculum it is read from the stages: a
 * later stage whose best is its own first validation (at its start iteration) kept the previous
 * stage's best φ, which files of l2l 0.3 and earlier recorded under the stage's start iteration.
 */
export function trainedTo(p: Partial<Provenance>): number | undefined {
  if (!Array.isArray(p.stages)) return p.bestIteration;
  let from: number | undefined;
  (p.stages as Partial<StageRecord>[]).forEach((stage, k) => {
    if (typeof stage.bestIteration !== 'number') return;
    const kept = k > 0 && stage.bestIteration === stage.startIteration && from !== undefined;
    if (!kept) from = stage.bestIteration;
  });
  return from ?? p.bestIteration;
}

/** Four significant digits. */
function round(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
