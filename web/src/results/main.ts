/**
 * The results page: loss curves of a comparison drawn interactively (log-scale toggle, hover
 * values, show/hide optimizers, interquartile bands) beside its summary table.
 */
import embed from 'vega-embed';
import type { Results } from '../../../src/eval/compare.ts';
import { lossChartSpec } from '../../../src/report/chartSpec.ts';
import { summaryRows } from '../../../src/report/summary.ts';
import { heatmapSpec } from '../../../src/generalize/heatmap.ts';
import { formatRatio, summarizeGrid, type TaskScore } from '../../../src/generalize/score.ts';
import { BUNDLED_SOURCES, panelsFromFile, resultSetFromUrl, type Panel, type ResultSet } from './sources.ts';

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const panelSelect = element<HTMLSelectElement>('panel');
const fileInput = element<HTMLInputElement>('file');
const logScale = element<HTMLInputElement>('log-scale');
const bands = element<HTMLInputElement>('bands');
const toggles = element<HTMLDivElement>('optimizer-toggles');
const chart = element<HTMLDivElement>('chart');
const table = element<HTMLTableElement>('summary');
const source = element<HTMLParagraphElement>('source');
const errorBox = element<HTMLParagraphElement>('error');
const sourceSelect = element<HTMLSelectElement>('result-set');
const grid = element<HTMLElement>('grid');
const heatmap = element<HTMLDivElement>('heatmap');
const gridTable = element<HTMLTableElement>('grid-table');
const gridTotals = element<HTMLParagraphElement>('grid-totals');

let panels: Panel[] = [];
let current: Results | undefined;
let currentTitle = '';
const hidden = new Set<string>();

function showError(error: unknown): void {
  errorBox.textContent = (error as Error).message ?? String(error);
  errorBox.hidden = false;
  chart.dataset.state = 'error';
}

async function usePanels(next: Promise<Panel[] | ResultSet>, label: string): Promise<void> {
  let set: ResultSet;
  try {
    const loaded = await next;
    set = Array.isArray(loaded) ? { panels: loaded } : loaded;
  } catch (error) {
    showError(error);
    return;
  }
  panels = set.panels;
  await renderGrid(set.generalize?.tasks);
  panelSelect.replaceChildren(...panels.map((p, i) => new Option(p.title, String(i))));
  source.dataset.label = label;
  await showPanel(0);
}

async function showPanel(i: number): Promise<void> {
  errorBox.hidden = true;
  chart.dataset.state = 'loading';
  try {
    current = await panels[i].load();
    currentTitle = panels[i].title;
  } catch (error) {
    showError(error);
    return;
  }
  hidden.clear();
  const r = current;
  source.textContent = `${source.dataset.label} · ${r.task}, ${r.runs} runs, ${r.steps} steps, seed ${r.seed}` + (command(r) ? ` · ${command(r)}` : '');
  renderToggles(r);
  renderTable(r);
  await renderChart();
}

function renderToggles(r: Results): void {
  toggles.replaceChildren(
    ...r.optimizers.map((o) => {
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', checked: true });
      box.dataset.optimizer = o.name;
      box.addEventListener('change', () => {
        if (box.checked) hidden.delete(o.name);
        else hidden.add(o.name);
        void renderChart();
      });
      const label = document.createElement('label');
      label.append(box, o.name + (o.learningRate === null ? '' : ` (lr ${o.learningRate})`));
      return label;
    }),
  );
}

function renderTable(r: Results): void {
  const { header, rows } = summaryRows(r);
  const head = document.createElement('tr');
  head.append(...header.map((h) => Object.assign(document.createElement('th'), { textContent: h })));
  table.replaceChildren(
    head,
    ...rows.map((cells) => {
      const tr = document.createElement('tr');
      tr.dataset.optimizer = cells[0];
      tr.append(...cells.map((c) => Object.assign(document.createElement('td'), { textContent: c })));
      return tr;
    }),
  );
}

async function renderChart(): Promise<void> {
  if (!current) return;
  const title = `${currentTitle}: mean loss over ${current.runs} runs${bands.checked ? ' (band: interquartile range)' : ''}`;
  const spec = lossChartSpec(current, { title, logScale: logScale.checked, bands: bands.checked, hidden: [...hidden], hover: true });
  await embed(chart, spec, { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } });
  chart.dataset.state = 'ready';
  chart.dataset.optimizers = current.optimizers.filter((o) => !hidden.has(o.name)).map((o) => o.name).join(',');
}

/** A generalization run's heat map and table (hidden for other result sets). */
async function renderGrid(tasks: TaskScore[] | undefined): Promise<void> {
  grid.hidden = !tasks;
  if (!tasks) return;
  await embed(heatmap, heatmapSpec(tasks), { renderer: 'svg', actions: false });
  const head = document.createElement('tr');
  head.append(...['task', 'steps', 'learned', 'best tuned baseline', 'ratio', 'diverged'].map((h) => Object.assign(document.createElement('th'), { textContent: h })));
  gridTable.replaceChildren(
    head,
    ...tasks.map((t) => {
      const best = t.baselines.find((b) => b.name === t.best);
      const tr = document.createElement('tr');
      tr.dataset.outcome = t.ratio < 1 ? 'win' : 'loss';
      const cells = [t.title, String(t.steps), t.learned.finalLoss.toPrecision(3), `${t.best} ${best?.learningRate ?? ''}: ${best ? best.finalLoss.toPrecision(3) : ''}`, formatRatio(t.ratio), `${t.learned.diverged} of ${t.runs}`];
      tr.append(...cells.map((c) => Object.assign(document.createElement('td'), { textContent: c })));
      return tr;
    }),
  );
  const s = summarizeGrid(tasks);
  gridTotals.textContent = `Below the best tuned baseline on ${s.wins} of ${s.tasks} tasks; worst ${formatRatio(s.worstRatio)} (${s.worstTask}); ${s.divergedRuns} diverged runs.`;
}

sourceSelect.replaceChildren(...BUNDLED_SOURCES.map((b) => new Option(b.label, b.url)));
sourceSelect.addEventListener('change', () => void usePanels(resultSetFromUrl(sourceSelect.value), `bundled: ${sourceSelect.selectedOptions[0].text}`));
panelSelect.addEventListener('change', () => void showPanel(Number(panelSelect.value)));
logScale.addEventListener('change', () => void renderChart());
bands.addEventListener('change', () => void renderChart());
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) void usePanels(panelsFromFile(file), `file ${file.name}`);
});

const asked = new URLSearchParams(location.search).get('results');
if (asked) sourceSelect.value = BUNDLED_SOURCES.find((b) => b.url === asked)?.url ?? sourceSelect.value;
void usePanels(resultSetFromUrl(asked ?? BUNDLED_SOURCES[0].url), asked ? `from ${asked}` : `bundled: ${BUNDLED_SOURCES[0].label}`);

/** The command recorded in a results file, when it has one. */
function command(r: Results): string | undefined {
  return (r as Results & { command?: string }).command;
}
