/**
 * Loss-versus-step chart: one line per optimizer (mean loss), a band for the interquartile
 * range, log-scale y. A Vega-Lite spec rendered to SVG by `vega` and to PNG by resvg.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Results } from '../eval/compare.ts';

/** The Vega-Lite spec of the loss chart for `results` (usable as-is in a browser). */
export function lossChartSpec(results: Results, title?: string): TopLevelSpec {
  const rows = results.optimizers.flatMap((o) =>
    o.meanLoss.map((mean, step) => ({
      optimizer: o.name,
      step,
      mean: finiteOrNull(mean),
      q25: finiteOrNull(o.q25Loss[step]),
      q75: finiteOrNull(o.q75Loss[step]),
    })),
  );
  const color = { field: 'optimizer', type: 'nominal' as const, sort: results.optimizers.map((o) => o.name) };
  const x = { field: 'step', type: 'quantitative' as const, title: 'step' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: title ?? `${results.task}: mean loss over ${results.runs} runs (band: interquartile range)`,
    width: 560,
    height: 360,
    background: 'white',
    data: { values: rows },
    layer: [
      {
        mark: { type: 'area', opacity: 0.12 },
        encoding: { x, y: { field: 'q25', type: 'quantitative', scale: { type: 'log' } }, y2: { field: 'q75' }, color: { ...color, legend: null } },
      },
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: { x, y: { field: 'mean', type: 'quantitative', scale: { type: 'log' }, title: 'loss (log scale)' }, color },
      },
    ],
  };
}

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Renders an SVG string to PNG bytes (system fonts). */
export function svgToPng(svg: string): Uint8Array {
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) && x > 0 ? x : null;
}
