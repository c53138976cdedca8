/**
 * The generalization heat map as a Vega-Lite spec: tasks down, optimizers across, each cell the
 * optimizer's final mean loss over the best tuned baseline's on that task (1 = as good as the
 * best baseline; blue below, red above, on a log scale), labelled with the ratio.
 */
import type { TopLevelSpec } from 'vega-lite';
import { VEGA_LITE_SCHEMA } from '../report/chartSpec.ts';
import type { TaskScore } from './score.ts';

/** The heat map of `scores` (the learned optimizer in the first column). */
export function heatmapSpec(scores: TaskScore[], title = 'final loss / best tuned baseline'): TopLevelSpec {
  const optimizers = scores.length > 0 ? [scores[0].learned.name, ...scores[0].baselines.map((b) => b.name)] : [];
  const rows = scores.flatMap((s) =>
    [s.learned, ...s.baselines].map((o) => {
      const finite = Number.isFinite(o.ratio);
      // Diverged cells are drawn at the top of the colour scale and labelled as such.
      return { task: s.title, optimizer: o.name, ratio: finite ? Math.min(Math.max(o.ratio, 0.1), 10) : 10, label: finite ? o.ratio.toFixed(2) : 'div.' };
    }),
  );
  const x = { field: 'optimizer', type: 'nominal' as const, sort: optimizers, title: null, axis: { orient: 'top' as const, labelAngle: 0 } };
  const y = { field: 'task', type: 'nominal' as const, sort: scores.map((s) => s.title), title: null, axis: { labelLimit: 400 } };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    data: { values: rows },
    width: { step: 70 },
    height: { step: 24 },
    layer: [
      {
        mark: 'rect',
        encoding: {
          x,
          y,
          color: { field: 'ratio', type: 'quantitative', title: 'ratio', scale: { type: 'log', domain: [0.25, 4], domainMid: 1, scheme: 'blueorange', clamp: true }, legend: { values: [0.25, 0.5, 1, 2, 4] } },
        },
      },
      { mark: { type: 'text', fontSize: 11 }, encoding: { x, y, text: { field: 'label' } } },
    ],
  };
}
