/**
 * The loss-versus-step chart as a Vega-Lite spec: one line per optimizer (mean loss) and a band
 * for the interquartile range. Pure data: rendered to SVG/PNG in Node (`chart.ts`) and drawn
 * interactively by vega-embed in the web app.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Results } from '../eval/compare.ts';

/** How to draw the chart. */
export interface ChartOptions {
  title?: string;
  /** Log-scale loss axis (default true). */
  logScale?: boolean;
  /** Optimizers left out of the chart (their colours stay reserved). */
  hidden?: string[];
  /** Draw the interquartile bands (default true). */
  bands?: boolean;
  /** Add a hover rule whose tooltip lists every optimizer's mean at that step (browser only). */
  hover?: boolean;
}

/** The Vega-Lite schema every chart declares: the major version that renders them. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The Vega-Lite spec of the loss chart for `results`. */
export function lossChartSpec(results: Results, options: ChartOptions = {}): TopLevelSpec {
  const { logScale = true, hidden = [], hover = false, bands = true } = options;
  const names = results.optimizers.map((o) => o.name);
  const shown = results.optimizers.filter((o) => !hidden.includes(o.name));
  const rows = shown.flatMap((o) =>
    o.meanLoss.map((mean, step) => ({
      optimizer: o.name,
      step,
      mean: positiveOrNull(mean, logScale),
      q25: positiveOrNull(o.q25Loss[step], logScale),
      q75: positiveOrNull(o.q75Loss[step], logScale),
    })),
  );
  const color = { field: 'optimizer', type: 'nominal' as const, sort: names, scale: { domain: names } };
  const x = { field: 'step', type: 'quantitative' as const, title: 'step' };
  const scale = logScale ? { type: 'log' as const } : { type: 'linear' as const, zero: false };
  const yTitle = logScale ? 'loss (log scale)' : 'loss';
  const band = {
    mark: { type: 'area' as const, fillOpacity: 0.12 },
    encoding: { x, y: { field: 'q25', type: 'quantitative' as const, scale }, y2: { field: 'q75' }, color },
  };
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    ...(bands ? [band] : []),
    {
      mark: { type: 'line', strokeWidth: 2, clip: true },
      encoding: { x, y: { field: 'mean', type: 'quantitative', scale, title: yTitle }, color: { ...color, legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 3 } } },
    },
  ];
  if (hover && shown.length > 0) {
    layers.push({
      transform: [{ pivot: 'optimizer', value: 'mean', groupby: ['step'] }],
      mark: { type: 'rule', color: 'gray' },
      encoding: {
        x,
        opacity: { condition: { param: 'hover', empty: false, value: 0.6 }, value: 0 },
        tooltip: [{ field: 'step', type: 'quantitative' }, ...shown.map((o) => ({ field: o.name, type: 'quantitative' as const, format: '.4g', title: `${o.name} mean` }))],
      },
      params: [{ name: 'hover', select: { type: 'point', fields: ['step'], nearest: true, on: 'pointerover', clear: 'pointerout' } }],
    });
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: options.title ?? `${results.task}: mean loss over ${results.runs} runs (band: interquartile range)`,
    width: 560,
    height: 360,
    background: 'white',
    data: { values: rows },
    layer: layers,
  };
}

/** A loss as plotted: non-finite values (and, on a log axis, non-positive ones) become gaps. */
function positiveOrNull(x: number, logScale: boolean): number | null {
  return Number.isFinite(x) && (!logScale || x > 0) ? x : null;
}
