/**
 * The live demo page: trains one MNIST network with the pretrained learned optimizer and with
 * tuned Adam side by side, drawing both loss curves as they train (start / stop / reset).
 */
import embed, { type Result as EmbedResult } from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import { type Activation, ACTIVATIONS, adam, fromOptimizerFile, learnedOptimizer, type MnistSplit, type Optimizer, parseMnistAsset, tfjsEngine, VEGA_LITE_SCHEMA } from '../../../src/browser.ts';
import { backendPreference, useBestBackend } from '../backend.ts';
import { BUNDLED_RESULTS, panelsFromUrl } from '../results/sources.ts';
import { SideBySide, type DemoConfig } from './sideBySide.ts';
import { tunedLearningRate } from './tunedLearningRate.ts';

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const inputs = { steps: element<HTMLInputElement>('steps'), hidden: element<HTMLInputElement>('hidden'), activation: element<HTMLSelectElement>('activation'), seed: element<HTMLInputElement>('seed') };
const buttons = { start: element<HTMLButtonElement>('start'), stop: element<HTMLButtonElement>('stop'), reset: element<HTMLButtonElement>('reset') };
const status = element<HTMLParagraphElement>('status');
const errorBox = element<HTMLParagraphElement>('error');
const table = element<HTMLTableElement>('losses');

const LEARNED = 'lstm (pretrained)';
const ADAM = 'adam (tuned)';

/** What the page exposes for scripted checks: the backend and every recorded loss. */
declare global {
  interface Window {
    l2lDemo: { backend?: string; adamLearningRate?: number; curves?: Record<string, number[]>; state: string };
  }
}
window.l2lDemo = { state: 'loading' };

let learned: Optimizer;
let data: MnistSplit;
let session: SideBySide | undefined;
let chart: EmbedResult | undefined;
let running = false;

function setStatus(state: string, text: string): void {
  status.dataset.state = state;
  status.textContent = text;
  window.l2lDemo.state = state;
}

function fail(error: unknown): void {
  running = false;
  errorBox.textContent = (error as Error).message ?? String(error);
  errorBox.hidden = false;
  setStatus('error', 'Stopped by an error.');
}

/** The controls as a config, or an error naming the bad field. */
function readConfig(): DemoConfig {
  const steps = Number(inputs.steps.value);
  const seed = Number(inputs.seed.value);
  const hidden = inputs.hidden.value.split(',').map((s) => Number(s.trim()));
  if (!Number.isInteger(steps) || steps < 1 || steps > 5000) throw new Error('steps must be a whole number from 1 to 5000');
  if (!Number.isInteger(seed) || seed < 0) throw new Error('seed must be a whole number ≥ 0');
  if (hidden.length > 4 || hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 512)) throw new Error('hidden sizes must be 1–4 comma-separated whole numbers from 1 to 512, e.g. 20 or 20,20');
  const activation = inputs.activation.value as Activation;
  if (!ACTIVATIONS.includes(activation)) throw new Error(`activation must be one of ${ACTIVATIONS.join(', ')}`);
  return { steps, seed, hidden, activation };
}

/**
 * The chart of both loss curves, its x axis spanning `steps`. Before any step (`empty`) the y axis
 * spans the losses a fresh network starts near (ln 10 ≈ 2.3) down to 0.1, so the page shows the
 * chart's axes and legend before Start; once training runs, y follows the data.
 */
function chartSpec(steps: number, empty: boolean): TopLevelSpec {
  const names = [LEARNED, ADAM];
  return {
    $schema: VEGA_LITE_SCHEMA,
    width: 560,
    height: 340,
    background: 'white',
    title: 'minibatch loss while training (same network, same minibatches)',
    data: { name: 'losses' },
    mark: { type: 'line', strokeWidth: 2, clip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', scale: { domain: [0, steps] } },
      y: { field: 'loss', type: 'quantitative', scale: { type: 'log', ...(empty ? { domain: [0.1, 3] } : {}) }, title: 'loss (log scale)' },
      color: { field: 'optimizer', type: 'nominal', scale: { domain: names }, legend: { orient: 'top-right' } },
      tooltip: [{ field: 'optimizer' }, { field: 'step' }, { field: 'loss', format: '.4g' }],
    },
  };
}

/**
 * Draws the chart afresh: for a run of `steps` (ready for its losses), or, without a run, empty
 * with fixed axes over the steps the control shows.
 */
async function resetChart(steps?: number): Promise<void> {
  chart?.finalize();
  const shown = Number(inputs.steps.value);
  const span = steps ?? (Number.isInteger(shown) && shown >= 1 ? shown : 100);
  chart = await embed('#chart', chartSpec(span, steps === undefined), { renderer: 'svg', actions: false });
}

function renderTable(): void {
  const head = document.createElement('tr');
  head.append(...['optimizer', 'start loss', 'current loss', 'steps'].map((h) => Object.assign(document.createElement('th'), { textContent: h })));
  const rows = Object.entries(session?.curves ?? {}).map(([name, curve]) => {
    const tr = document.createElement('tr');
    tr.dataset.optimizer = name;
    const cells = [name, fmt(curve[0]), fmt(curve[curve.length - 1]), String(Math.max(0, curve.length - 1))];
    tr.append(...cells.map((c) => Object.assign(document.createElement('td'), { textContent: c })));
    return tr;
  });
  table.replaceChildren(head, ...rows);
}

function fmt(x: number | undefined): string {
  return x === undefined ? '–' : Number.isFinite(x) ? x.toPrecision(4) : 'diverged';
}

async function start(): Promise<void> {
  errorBox.hidden = true;
  try {
    if (!session || session.done) {
      const config = readConfig();
      session?.dispose();
      const panels = await Promise.all((await panelsFromUrl(BUNDLED_RESULTS)).map(async (p) => ({ title: p.title, results: await p.load() })));
      const rate = tunedLearningRate(panels, 'adam', config.hidden, config.activation);
      element('adam-rate').textContent = `Adam learning rate ${rate.learningRate} (tuned on a grid in “${rate.tunedOn}”)`;
      window.l2lDemo.adamLearningRate = rate.learningRate;
      session = new SideBySide(config, data, [
        { name: LEARNED, optimizer: learned },
        { name: ADAM, optimizer: adam(rate.learningRate) },
      ]);
      window.l2lDemo.curves = session.curves;
      await resetChart(config.steps);
    }
  } catch (error) {
    fail(error);
    return;
  }
  running = true;
  buttons.start.disabled = true;
  buttons.stop.disabled = false;
  const run = session;
  const started = performance.now();
  let steps = 0;
  while (running && !run.done) {
    try {
      const { step, losses } = run.step();
      chart?.view.insert('losses', Object.entries(losses).map(([optimizer, loss]) => ({ step, optimizer, loss: Number.isFinite(loss) && loss > 0 ? loss : null }))).run();
      steps++;
      if (step % 5 === 0 || run.done) {
        renderTable();
        setStatus('running', `step ${step} of ${run.config.steps} · ${(steps / ((performance.now() - started) / 1000)).toFixed(1)} steps/s`);
      }
    } catch (error) {
      fail(error);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 0)); // let the page draw
  }
  running = false;
  buttons.start.disabled = false;
  buttons.stop.disabled = true;
  renderTable();
  if (run.done) setStatus('done', `Done: ${run.config.steps} steps. Start again for a new network.`);
  else if (status.dataset.state !== 'error') setStatus('stopped', 'Stopped. Start continues, reset starts over.');
}

async function reset(): Promise<void> {
  running = false;
  session?.dispose();
  session = undefined;
  window.l2lDemo.curves = undefined;
  renderTable();
  await resetChart();
  setStatus('ready', 'Ready.');
}

async function boot(): Promise<void> {
  const backend = await useBestBackend(backendPreference(location.search));
  element('backend').textContent = backend;
  window.l2lDemo.backend = backend;
  const [optimizerJson, assetBytes] = await Promise.all([
    fetch(new URL('generated/mnist-optimizer.json', document.baseURI)).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`could not load the pretrained optimizer: HTTP ${r.status}; rebuild with npm run web:build`)))),
    fetch(new URL('generated/mnist-test-5000.bin', document.baseURI)).then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`could not load the MNIST images: HTTP ${r.status}; rebuild with npm run web:build`)))),
  ]);
  const { config, phi } = fromOptimizerFile(optimizerJson);
  learned = learnedOptimizer(config, phi, tfjsEngine());
  data = parseMnistAsset(new Uint8Array(assetBytes));
  await resetChart();
  renderTable();
  for (const b of Object.values(buttons)) b.disabled = false;
  buttons.stop.disabled = true;
  setStatus('ready', `Ready: ${data.count} MNIST test images loaded.`);
}

buttons.start.addEventListener('click', () => void start());
buttons.stop.addEventListener('click', () => {
  running = false;
});
buttons.reset.addEventListener('click', () => void reset());
boot().catch(fail);
