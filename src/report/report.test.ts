import assert from 'node:assert/strict';
import { version } from 'vega-lite';
import { describe, it } from 'node:test';
import type { Results } from '../eval/compare.ts';
import { renderSvg } from './chart.ts';
import { lossChartSpec, VEGA_LITE_SCHEMA } from './chartSpec.ts';
import { summaryRows, summaryTable } from './summary.ts';

/** Two optimizers over 2 steps; adam diverges at step 2. */
function tinyResults(): Results {
  return {
    task: 'quadratic',
    taskConfig: {},
    steps: 2,
    runs: 3,
    seed: 7,
    tuningSeed: 8,
    optimizers: [
      { name: 'lstm', learningRate: null, hyperparams: {}, meanLoss: [4, 2, 1], medianLoss: [4, 1.5, 0.5], q25Loss: [3, 1, 0.25], q75Loss: [5, 3, 2], diverged: 0 },
      { name: 'adam', learningRate: 0.1, hyperparams: {}, meanLoss: [4, 0, Infinity], medianLoss: [4, 3, Infinity], q25Loss: [3, 2, 1], q75Loss: [5, 4, 3], diverged: 1, tuning: { grid: [0.1], finalLoss: [1], best: 0.1, onEdge: true } },
    ],
  };
}

type Layered = { data: { values: { optimizer: string; step: number; mean: number | null }[] }; layer: { mark: { type: string }; encoding: Record<string, unknown> }[] };

describe('loss chart spec', () => {
  it('has one row per optimizer and step; a log axis turns zero and infinite means into gaps, a linear one only infinite', () => {
    const log = lossChartSpec(tinyResults()) as unknown as Layered;
    assert.equal(log.data.values.length, 6);
    assert.deepEqual(log.data.values.filter((r) => r.optimizer === 'adam').map((r) => r.mean), [4, null, null]);
    const linear = lossChartSpec(tinyResults(), { logScale: false }) as unknown as Layered;
    assert.deepEqual(linear.data.values.filter((r) => r.optimizer === 'adam').map((r) => r.mean), [4, 0, null]);
    assert.deepEqual((linear.layer[1].encoding.y as { scale: { type: string } }).scale.type, 'linear');
  });

  it('hides optimizers without changing colours, and adds a hover rule listing the shown ones', () => {
    const spec = lossChartSpec(tinyResults(), { hidden: ['lstm'], hover: true }) as unknown as Layered;
    assert.deepEqual([...new Set(spec.data.values.map((r) => r.optimizer))], ['adam']);
    assert.deepEqual((spec.layer[1].encoding.color as { scale: { domain: string[] } }).scale.domain, ['lstm', 'adam']);
    assert.equal(spec.layer.length, 3);
    assert.deepEqual((spec.layer[2].encoding.tooltip as { field: string }[]).map((t) => t.field), ['step', 'adam']);
    const noBands = lossChartSpec(tinyResults(), { bands: false }) as unknown as Layered;
    assert.deepEqual(noBands.layer.map((l) => l.mark.type), ['line']);
  });

  it('declares the schema of the Vega-Lite major version that renders it', () => {
    assert.equal(VEGA_LITE_SCHEMA, `https://vega.github.io/schema/vega-lite/v${version.split('.')[0]}.json`);
    assert.equal((lossChartSpec(tinyResults()) as { $schema?: string }).$schema, VEGA_LITE_SCHEMA);
  });

  it('renders to SVG with every optimizer in the legend', async () => {
    const svg = await renderSvg(lossChartSpec(tinyResults(), { hover: true }));
    assert.match(svg, /<svg/);
    assert.match(svg, />lstm</);
    assert.match(svg, />adam</);
  });
});

describe('summary table', () => {
  it('shows mean (median) at each table step, the learning rate with a grid-edge warning, and divergence', () => {
    const { header, rows } = summaryRows(tinyResults());
    assert.deepEqual(header, ['optimizer', 'learning rate', 'step 2']);
    assert.deepEqual(rows, [
      ['lstm', '–', '1.00 (0.500)'],
      ['adam', '0.1 ⚠ grid edge', 'diverged (diverged)'],
    ]);
    assert.equal(summaryTable(tinyResults()).split('\n')[2], '| lstm | – | 1.00 (0.500) |');
  });
});
