/**
 * Renders Vega-Lite specs (such as `lossChartSpec`) to SVG with `vega` and to PNG with resvg, in
 * Node. The renderers load on first use, so commands that draw nothing (and `l2l --help`) start
 * without them.
 */
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Renders an SVG string to PNG bytes (system fonts). */
export function svgToPng(svg: string): Uint8Array {
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as { Resvg: typeof ResvgClass };
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
}
